#!/usr/bin/env bash
# Profile the built-in demo target: build tools/demo (a Go HTTP API server with logging,
# authentication and authorization filters, JSON handlers and an in-memory store, stripped like
# kube-apiserver), run it under its own load, record it with bpflame and print the hottest
# functions.  Run from anywhere, as root, after `make`.
#   DEMO_SECONDS (10)  recording length      DEMO_HZ (99)   sampling frequency
#   DEMO_OUT (demo.svg) flame graph          DEMO_FOLDED (demo.folded) folded stacks
#   DEMO_LOAD (4)      client goroutines
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/tools/demo-common.sh"
# Output paths are relative to the caller's directory; everything else to the repository.
secs=${DEMO_SECONDS:-10}
hz=${DEMO_HZ:-99}
out=$(demo_abs "${DEMO_OUT:-demo.svg}")
folded=$(demo_abs "${DEMO_FOLDED:-demo.folded}")
load=${DEMO_LOAD:-4}
cd "$root"
demo_preflight demo.sh

echo -n "demo.sh: "
demo_build
trap demo_stop EXIT
# The demo also exits by itself some seconds after the recording should have ended.
demo_start "$load" $((secs + 10))
echo "demo.sh: bpflame-demo (pid $demo_pid) serving on $demo_url with $load load goroutines"

./bpflame record -n bpflame-demo -d "$secs" -F "$hz" -o "$out" -o "$folded"

demo_summary "$out" "$folded"
