#!/usr/bin/env bash
# tools/apiserver/demo.sh (`make demo-apiserver`): profile a real kube-apiserver.
# Builds kube-apiserver 1.20 from Debian's source once (tools/apiserver/build.sh,
# about 10 minutes, cached in build/apiserver/), starts it with Debian's etcd on
# 127.0.0.1 (token authentication, RBAC, audit), loads it as a user outside
# system:masters (tests/lib/apiserver.sh), records it with `bpflame record`
# (no target: every kube-apiserver) and prints where the flame graph is.
# Everything it starts is stopped when it ends, Ctrl-C included.
#   DEMO_SECONDS (15) recording length    DEMO_HZ (999) sampling frequency
#   DEMO_OUT (apiserver.svg)              DEMO_FOLDED (apiserver.folded)
set -euo pipefail

abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
secs=${DEMO_SECONDS:-15}
hz=${DEMO_HZ:-999}
out=$(abs "${DEMO_OUT:-apiserver.svg}")
folded=$(abs "${DEMO_FOLDED:-apiserver.folded}")
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
	echo "demo-apiserver: must run as root (bpflame loads a BPF program)" >&2
	exit 1
fi
if [ ! -x ./bpflame ]; then
	echo "demo-apiserver: ./bpflame not found; run 'make' first" >&2
	exit 1
fi
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

echo
echo "flame graph: $out  (folded stacks: $folded)"
# The report: `bpflame report --preset apiserver` (issue 9) goes here once it
# lands; until then, the hottest functions by self samples.
echo "top 10 functions by self samples:"
set +o pipefail
awk '{ n = $NF; $NF = ""; sub(/ $/, ""); k = split($0, f, ";")
	while (k > 1 && f[k] ~ /_\[k\]$/) k--
	sub(/_\[i\]$/, "", f[k]); self[f[k]] += n; total += n }
END {
	if (!total) { print "  (no samples)"; exit }
	for (s in self) printf "%d\t%.1f\t%s\n", self[s], 100 * self[s] / total, s
}' "$folded" | sort -t$'\t' -k1,1nr | head -n 10 |
	awk -F'\t' 'NF == 3 { printf "  %6d  %5.1f%%  %s\n", $1, $2, $3; next } { print }'
