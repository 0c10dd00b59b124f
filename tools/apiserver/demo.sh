#!/usr/bin/env bash
# tools/apiserver/demo.sh (`make demo-apiserver`): profile a real kube-apiserver.
# Builds kube-apiserver 1.20 from Debian's source once (tools/apiserver/build.sh,
# about 10 minutes, cached in build/apiserver/), starts it with Debian's etcd on
# 127.0.0.1 (token authentication, RBAC, audit), loads it as a user outside
# system:masters (tests/lib/apiserver.sh), records it with `bpflame record`
# (no target: every kube-apiserver), prints where the flame graph is and
# `bpflame report` of it (the apiserver preset's categories).
# Everything it starts is stopped when it ends, Ctrl-C included.
#   DEMO_SECONDS (15) recording length    DEMO_HZ (999) sampling frequency
#   DEMO_OUT (apiserver.svg)              DEMO_FOLDED (apiserver.folded)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$root/tools/demo-common.sh"
secs=${DEMO_SECONDS:-15}
hz=${DEMO_HZ:-999}
out=$(demo_abs "${DEMO_OUT:-apiserver.svg}")
folded=$(demo_abs "${DEMO_FOLDED:-apiserver.folded}")
cd "$root"
demo_preflight demo-apiserver
. tests/lib/apiserver.sh

if [ ! -x build/apiserver/kube-apiserver ] && [ -z "${APISERVER_BIN:-}" ]; then
	echo "demo-apiserver: building kube-apiserver from Debian's source (once, ~10 min)"
fi
bin=$(apiserver_bin) || {
	echo "demo-apiserver: no kube-apiserver (see build/apiserver/build.log)" >&2
	exit 1
}

state=$root/build/demo-apiserver
rm -rf "$state"
mkdir -p "$state"
# set +e: a stopped process's status (143) must not end the trap early.
trap 'set +e; apiserver_stop "$state"; rm -rf "$state"' EXIT
trap 'exit 130' INT TERM
echo "demo-apiserver: starting etcd and $bin"
apiserver_start "$state"
echo "demo-apiserver: kube-apiserver (pid $APISERVER_PID) ready on $APISERVER_URL;" \
	"loading it as $APISERVER_USER (one RoleBinding among $((${APISERVER_BINDINGS:-300} + 1)))"
apiserver_load "$state" $((secs + 10))
sleep 2

./bpflame record -F "$hz" -d "$secs" -o "$out" -o "$folded"
apiserver_load_wait "$state"

demo_summary "$out" "$folded"
