#!/usr/bin/env bash
# bench-unwind.sh: the BPF program's own cost per sample, both user stack
# walkers, at 99, 999 and 4999 Hz, in one run on the demo target under load.
# The cost is the kernel's accounting (kernel.bpf_stats_enabled):
# run_time_ns / run_cnt of the do_sample program this bpflame process
# loaded (found by its prog_id in bpflame's fdinfo, so other recordings on
# the machine are not mixed in). run_cnt includes samples of other
# processes, which leave after one lookup; the demo keeps both CPUs busy, so
# nearly every run is a target sample. Also printed: the BPF map memory of
# the recording (memlock of its maps). A report, not a test.
#   BENCH_SECONDS (6) per recording
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${BENCH_SECONDS:-6}
. tools/demo-common.sh
. tools/bench-lib.sh
demo_preflight bench-unwind.sh
demo_build >/dev/null
bench_stats_on
tmp=$(mktemp -d)
trap 'demo_stop; bench_stats_restore; rm -rf "$tmp"' EXIT
demo_start 4 $((secs * 6 + 30))
echo "BPF program cost per sample, demo target (Go) under load, $secs s each"
echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
printf '%-8s %-8s %14s %10s %12s\n' Hz unwinder "ns/sample" samples "map memory"
for hz in 99 999 4999; do
	for w in fp kernel; do
		./bpflame record -p "$demo_pid" -F "$hz" -d "$secs" --unwinder "$w" -q \
			-o "$tmp/out.folded" &
		rec=$!
		sleep $((secs - 1))
		read -r ns runs < <(bench_prog_cost "$rec")
		mem=$(bench_map_bytes "$rec")
		wait "$rec" || true
		printf '%-8s %-8s %14s %10s %9.1f MB\n' "$hz" "$w" "$ns" "$runs" \
			"$(awk -v m="$mem" 'BEGIN { print m / 1e6 }')"
	done
done
