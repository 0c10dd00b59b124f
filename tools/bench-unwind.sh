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
tmp=$(mktemp -d)
[ "$(id -u)" -eq 0 ] || { echo "bench-unwind.sh: run as root" >&2; exit 2; }
go=go
[ -x /usr/lib/go-1.23/bin/go ] && go=/usr/lib/go-1.23/bin/go
demo=$root/build/demo/bpflame-demo
(cd tools/demo && GOCACHE="$root/build/gocache" GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' \
	CGO_ENABLED=0 "$go" build -trimpath -ldflags='-s -w' -o "$demo" .)
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
sysctl -q kernel.bpf_stats_enabled=1
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null;
	sysctl -q kernel.bpf_stats_enabled="$stats_was"; rm -rf "$tmp"' EXIT

# prog_cost PID: "ns_per_run runs memlock_bytes" of bpflame PID's do_sample.
prog_cost() {
	local f id mem=0 m best=""
	for f in /proc/"$1"/fdinfo/*; do
		m=$(sed -n 's/^memlock:[[:space:]]*//p' "$f" 2>/dev/null)
		grep -q '^map_id:' "$f" 2>/dev/null && mem=$((mem + ${m:-0}))
		id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		best=$(bpftool prog show id "$id" 2>/dev/null | awk '/do_sample/ { p = 1 }
			p && /run_time_ns/ { for (i = 1; i < NF; i++) {
				if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
			END { if (c) printf "%.0f %d", t / c, c }')
		[ -n "$best" ] && break
	done
	echo "${best:-n/a 0} $mem"
}

"$demo" -load 4 -duration $((secs * 6 + 30)) >"$tmp/demo.log" 2>&1 &
pids+=($!)
demo_pid=$!
sleep 2
echo "BPF program cost per sample, demo target (Go) under load, $secs s each"
echo "machine: $(nproc) CPUs, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
printf '%-8s %-8s %14s %10s %12s\n' Hz unwinder "ns/sample" samples "map memory"
for hz in 99 999 4999; do
	for w in fp kernel; do
		./bpflame record -p "$demo_pid" -F "$hz" -d "$secs" --unwinder "$w" -q \
			-o "$tmp/out.folded" &
		rec=$!
		sleep $((secs - 1))
		read -r ns runs mem < <(prog_cost "$rec")
		wait "$rec" || true
		printf '%-8s %-8s %14s %10s %9.1f MB\n' "$hz" "$w" "$ns" "$runs" \
			"$(awk -v m="$mem" 'BEGIN { print m / 1e6 }')"
	done
done
