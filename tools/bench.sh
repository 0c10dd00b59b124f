#!/usr/bin/env bash
# bench.sh: every benchmark of `make bench`, one after the other. Each prints
# its own table of figures and ratios against the tool a user would
# otherwise run; none of them asserts anything about time.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
for b in tools/bench-record.sh tools/bench-symbolize.sh tools/bench-svg.sh; do
	[ -x "$b" ] || continue
	echo "== $b"
	"$b" || status=1
	echo
done
exit $status
