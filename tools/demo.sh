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

go=go
[ -x /usr/lib/go-1.23/bin/go ] && go=/usr/lib/go-1.23/bin/go
mkdir -p build/demo
echo "demo.sh: building build/demo/bpflame-demo with $("$go" version | cut -d' ' -f3)"
(cd tools/demo && GOCACHE="$root/build/gocache" GOPATH="$root/build/gopath" GOTOOLCHAIN=local \
	GOPROXY=off GOFLAGS='' CGO_ENABLED=0 "$go" build -trimpath -ldflags='-s -w' \
	-o "$root/build/demo/bpflame-demo" .)

log=build/demo/bpflame-demo.log
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
# The demo also exits by itself some seconds after the recording should have ended.
build/demo/bpflame-demo -load "$load" -duration $((secs + 10)) >"$log" 2>&1 &
pid=$!
url=
for _ in $(seq 100); do
	url=$(sed -n 's/^listening on //p' "$log")
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || { echo "demo.sh: demo died:" >&2; cat "$log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$url" ] || { echo "demo.sh: demo did not start; see $log" >&2; exit 1; }
echo "demo.sh: bpflame-demo (pid $pid) serving on $url with $load load goroutines"

./bpflame record -n bpflame-demo -d "$secs" -F "$hz" -o "$out" -o "$folded"

demo_summary "$out" "$folded"
