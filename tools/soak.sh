#!/usr/bin/env bash
# soak.sh (`make soak`): continuous mode for ten minutes, memory sampled.
#
# Records the demo target (tools/demo under its own load) with
# `record --interval` at 999 Hz, writing an SVG and a folded file per
# interval, and samples bpflame's peak RSS of every 10 s and its BPF map
# memory. Passes
# when memory stays flat: the last minute's maximum within 10% of the first
# minute's, for both. The interval (30 s) puts two complete writes in the
# first minute, so the first minute's figures include what writing costs.
# Also checked: one folded file per interval, and their totals add up to the
# samples the summary counted (nothing lost or counted twice at a boundary).
# Prints the samples as a table; exits 1 if a check fails. Takes SECONDS.
#   SOAK_SECONDS (600)  SOAK_HZ (999)  SOAK_INTERVAL (30)  SOAK_DIR (build/soak)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. tools/demo-common.sh
. tools/bench-lib.sh
secs=${SOAK_SECONDS:-600}
hz=${SOAK_HZ:-999}
interval=${SOAK_INTERVAL:-30}
dir=${SOAK_DIR:-build/soak}
demo_preflight soak.sh
demo_build
rm -rf "$dir"
mkdir -p "$dir"
rec=
cleanup() {
	[ -n "$rec" ] && kill -INT "$rec" 2>/dev/null && wait "$rec" 2>/dev/null
	demo_stop
}
trap cleanup EXIT
demo_start 4 $((secs + 120))

./bpflame record -p "$demo_pid" -F "$hz" --interval "$interval" -d "$secs" \
	-o "$dir/flame.svg" -o "$dir/flame.folded" 2>"$dir/record.err" &
rec=$!
# Attached once its maps exist (loading can take seconds on a loaded machine).
for _ in $(seq 600); do
	[ "$(bench_map_bytes "$rec")" -gt 0 ] && break
	kill -0 "$rec" 2>/dev/null || { cat "$dir/record.err" >&2; exit 1; }
	sleep 0.1
done
t0=$SECONDS
echo "soak: $secs s at $hz Hz, --interval $interval, demo pid $demo_pid, bpflame pid $rec"
printf '%6s %10s %14s\n' "t (s)" "peak RSS KB" "BPF map bytes" | tee "$dir/samples.txt"
# RSS is each 10 s window's peak (VmHWM, reset after each read through
# clear_refs), so a write between two samples is not missed.
{ echo 5 >/proc/"$rec"/clear_refs; } 2>/dev/null || true
while kill -0 "$rec" 2>/dev/null; do
	sleep 10
	rss=$(awk '/^VmHWM:/ { print $2; f = 1 } END { if (!f) print 0 }' \
		/proc/"$rec"/status 2>/dev/null || echo 0)
	{ echo 5 >/proc/"$rec"/clear_refs; } 2>/dev/null || true
	maps=$(bench_map_bytes "$rec")
	# A sample taken while bpflame exits reads nothing: not a sample.
	[ "$rss" -gt 0 ] && [ "$maps" -gt 0 ] &&
		printf '%6d %10d %14d\n' $((SECONDS - t0)) "$rss" "$maps" | tee -a "$dir/samples.txt"
done
rc=0
wait "$rec" || rc=$?
rec=
status=0
[ "$rc" -eq 0 ] || { echo "soak: bpflame exited $rc:" >&2; cat "$dir/record.err" >&2; exit 1; }

# flat COLUMN NAME: the first minute's maximum against the last minute's.
flat() {
	awk -v c="$1" -v name="$2" -v end="$secs" 'NR > 1 {
		if ($1 <= 60 && $c > first) first = $c
		if ($1 >= end - 60 && $c > last) last = $c }
		END { ok = first > 0 && last <= 1.1 * first
			printf "soak: %s: first minute max %d, last minute max %d (%+.1f%%): %s\n",
				name, first, last, first ? 100 * (last - first) / first : 0,
				ok ? "flat" : "GROWS"
			exit !ok }' "$dir/samples.txt"
}
flat 2 RSS || status=1
flat 3 "BPF map memory" || status=1

files=$(find "$dir" -name 'flame-*.folded' | wc -l)
summed=$(cat "$dir"/flame-*.folded | awk '{ s += $NF } END { print s + 0 }')
counted=$(sed -n 's/^bpflame: recorded .*: \([0-9]*\) samples$/\1/p' "$dir/record.err")
expect=$(( (secs + interval - 1) / interval ))
echo "soak: $files interval files (expected $expect); their samples add up to $summed," \
	"the summary counted ${counted:-none}"
[ "$files" -eq "$expect" ] && [ "$summed" = "$counted" ] || status=1
grep -E '^  (lost samples|memory|rate|throttled):' "$dir/record.err" | sed 's/^ */soak: /'
[ "$status" -eq 0 ] && echo "soak: PASS" || echo "soak: FAIL"
exit "$status"
