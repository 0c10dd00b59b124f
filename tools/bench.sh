#!/usr/bin/env bash
# bench.sh: every benchmark of `make bench`, one after the other. Each prints
# its own table of figures and ratios against the tool a user would
# otherwise run; none of them asserts anything about time.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
run() {
	echo "== $*"
	"$@" || status=1
	echo
}
run tools/bench-record.sh
run tools/bench-unwind.sh
run tools/bench-symbolize.sh /usr/bin/etcd
# kubectl shares most of kube-apiserver's code and size (a ~38 MB pclntab):
# the closest stand-in for the binary bpflame is for, where a machine has it.
kubectl=$(readlink -f "$(command -v kubectl 2>/dev/null)" 2>/dev/null || true)
[ -n "$kubectl" ] && run tools/bench-symbolize.sh "$kubectl"
# The recording bpflame is for, where `make apiserver` built it.
[ -x build/apiserver/kube-apiserver ] && run tools/bench-apiserver.sh
run tools/bench-svg.sh
run tools/bench-report.sh
exit $status
