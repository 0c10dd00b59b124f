#!/usr/bin/env bash
# bench-record.sh: what a recording costs, bpflame against `perf record -g`,
# side by side in one run, at 99, 999 and 4999 Hz.
#
# At each rate the demo target (tools/demo, a Go API server under its own
# load) runs five times for the same time: alone, under bpflame, alone,
# under perf, alone. Each profiled run is bracketed by baseline runs, so a
# change of the machine's load shows as a change of the baselines. A
# profiler attaches, records SECONDS and is stopped with SIGINT while the
# target still runs; right then it makes a flame graph: bpflame writes its
# SVG and folded file itself, perf needs `perf script | stackcollapse-perf.pl
# | flamegraph.pl` (FLAMEGRAPH_PL=/path/to/flamegraph.pl, with
# stackcollapse-perf.pl next to it; without them only `perf script` is timed
# and the table says so).
#
# Reported per profiler and rate: the requests the target served (its
# throughput, what a user feels), the profiler's CPU seconds and RSS while
# recording and at its peak (writing included), its locked kernel memory
# while recording (bpflame: its BPF maps; perf: its pinned ring buffers,
# VmPin), the time from the stop to the flame graph on disk, and for bpflame
# the BPF program's own cost per sample (kernel.bpf_stats_enabled).
# A report, not a test: nothing is asserted.
#   BENCH_SECONDS (10)   recording length    BENCH_RATES ("99 999 4999")
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/demo-common.sh
. tools/bench-lib.sh
secs=${BENCH_SECONDS:-10}
rates=${BENCH_RATES:-99 999 4999}
fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl 2>/dev/null || true)}
collapse=${fg:+$(dirname "$fg")/stackcollapse-perf.pl}
[ -n "$fg" ] && [ -x "$collapse" ] || fg=
tmp=$(mktemp -d)
prof=
cleanup() {
	[ -n "$prof" ] && kill -INT "$prof" 2>/dev/null
	demo_stop
	bench_stats_restore
	rm -rf "$tmp"
}
trap cleanup EXIT
demo_preflight bench-record.sh
demo_build >/dev/null
bench_stats_on
have_perf=1
command -v perf >/dev/null || have_perf=0

# The target runs the recording's length plus room to attach and to stop.
target_secs=$((secs + 4))
# requests: total requests the demo served (from its log, once it ended).
requests() {
	sed -n 's/^requests by status: map\[\(.*\)\]/\1/p' build/demo/bpflame-demo.log |
		tr ' ' '\n' | awk -F: '{ s += $2 } END { print s + 0 }'
}
now() { date +%s.%N; }
# cpu_s PID...: user + system seconds of processes (children included).
cpu_s() {
	local p t=0
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 + $16 + $17 }' /proc/"$p"/stat 2>/dev/null || echo 0)))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# timed NAME CMD...: runs CMD under /usr/bin/time into $tmp/NAME.time
# ("user system maxrss_kb"). (A profiler started in the background runs
# /usr/bin/time itself, so that the profiler is time's child, not a
# subshell's grandchild.)
timed() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o "$tmp/$name.time" "$@"
}
time_cpu() { tail -1 "$tmp/$1.time" | awk '{ printf "%.2f", $1 + $2 }'; }
time_rss() { tail -1 "$tmp/$1.time" | awk '{ print $3 }'; }

baseline() {
	demo_start 4 "$target_secs"
	wait "$demo_pid" || true
	demo_pid=
	echo "base $hz $(requests)" >>"$tmp/results"
}

# fd_perf PID: perf event fds of PID.
fd_perf() { ls -l /proc/"$1"/fd 2>/dev/null | grep -c perf_event || true; }
# started TIME_PID NAME COUNT_FN: the pid of /usr/bin/time's child NAME, once
# COUNT_FN of it is above 0 (15 s at most).
started() {
	local pid=""
	for _ in $(seq 300); do
		pid=$(pgrep -P "$1" -x "$2" || true)
		[ -n "$pid" ] && [ "$("$3" "$pid")" -gt 0 ] && break
		sleep 0.05
	done
	echo "$pid"
}

# profiled TOOL: one run of the target under TOOL (bpflame or perf).
profiled() {
	local tool=$1 t_stop t_done mid_rss mid_locked cost="n/a 0" cpu peak rec
	demo_start 4 "$target_secs"
	case $tool in
	bpflame)
		/usr/bin/time -f '%U %S %M' -o "$tmp/bpflame.time" ./bpflame record \
			-p "$demo_pid" -F "$hz" -d 600 -q -o "$tmp/b.svg" -o "$tmp/b.folded" \
			2>"$tmp/bpflame.err" &
		prof=$!
		# The recording starts when its maps exist.
		rec=$(started "$prof" bpflame bench_map_bytes)
		sleep "$secs"
		mid_rss=$(bench_rss_kb "$rec")
		mid_locked=$(bench_map_bytes "$rec")
		cost=$(bench_prog_cost "$rec")
		t_stop=$(now)
		kill -INT "$rec"
		wait "$prof" || true
		prof=
		t_done=$(now)
		cpu=$(time_cpu bpflame)
		peak=$(time_rss bpflame)
		bytes=$(($(stat -c %s "$tmp/b.svg") + $(stat -c %s "$tmp/b.folded")))
		;;
	perf)
		/usr/bin/time -f '%U %S %M' -o "$tmp/perf-record.time" perf record -F "$hz" -g \
			-p "$demo_pid" -o "$tmp/perf.data" >/dev/null 2>"$tmp/perf.err" &
		prof=$!
		# perf records once it has its perf events.
		rec=$(started "$prof" perf fd_perf)
		sleep "$secs"
		mid_rss=$(bench_rss_kb "$rec")
		mid_locked=$(($(awk '/^VmPin:/ { print $2 }' /proc/"$rec"/status) * 1024))
		t_stop=$(now)
		kill -INT "$rec"
		wait "$prof" || true
		prof=
		if [ -n "$fg" ]; then
			timed perf-flame sh -c "perf script -i '$tmp/perf.data' 2>/dev/null |
				'$collapse' | '$fg' > '$tmp/p.svg'"
		else
			timed perf-flame sh -c "perf script -i '$tmp/perf.data' > '$tmp/p.script' 2>/dev/null"
		fi
		t_done=$(now)
		cpu=$(awk -v a="$(time_cpu perf-record)" -v b="$(time_cpu perf-flame)" \
			'BEGIN { printf "%.2f", a + b }')
		peak=$(($(time_rss perf-record) > $(time_rss perf-flame) ?
			$(time_rss perf-record) : $(time_rss perf-flame)))
		bytes=$(stat -c %s "$tmp/perf.data")
		[ -f "$tmp/p.svg" ] && bytes=$((bytes + $(stat -c %s "$tmp/p.svg")))
		[ -f "$tmp/p.script" ] && bytes=$((bytes + $(stat -c %s "$tmp/p.script")))
		rm -f "$tmp/perf.data" "$tmp/p.svg" "$tmp/p.script"
		;;
	esac
	wait "$demo_pid" || true
	demo_pid=
	echo "$tool $hz $(requests) $cpu $mid_rss $peak $mid_locked" \
		"$(awk -v a="$t_stop" -v b="$t_done" 'BEGIN { printf "%.2f", b - a }') $bytes" \
		"${cost%% *}" >>"$tmp/results"
}

: >"$tmp/results"
for hz in $rates; do
	baseline
	profiled bpflame
	baseline
	[ "$have_perf" = 1 ] && profiled perf && baseline
	echo "rate $hz done" >&2
done

echo "record: demo target (Go, 4 load goroutines), $secs s per recording, $(nproc) CPUs,"
echo "$(uname -r); the target runs $target_secs s each time, baselines bracket every profiled run."
echo "Throughput moves 10-15% between runs on a shared machine: read the requests against the"
echo "baselines around them; the BPF cost per sample and the memory figures are the stable ones."
[ -n "$fg" ] || echo "(no flamegraph.pl: perf's stop-to-flame-graph is perf script alone)"
printf '%-6s %-9s %9s %7s %9s %9s %11s %9s %11s %9s\n' Hz run requests "cpu s" \
	"RSS KB" "peak KB" "locked KB" "stop->fg" "bytes" "ns/sample"
awk '{
	if ($1 == "base") printf "%-6s %-9s %9d %7s %9s %9s %11s %9s %11s %9s\n", $2, "baseline", $3,
		"-", "-", "-", "-", "-", "-", "-"
	else printf "%-6s %-9s %9d %7s %9d %9d %11d %8ss %11d %9s\n", $2, $1, $3, $4, $5, $6,
		$7 / 1024, $8, $9, $1 == "bpflame" ? $10 : "-"
}' "$tmp/results"
# Ratios per rate: perf over bpflame (above 1: bpflame is the lighter).
awk '$1 == "bpflame" { b[$2] = $0 } $1 == "perf" { p[$2] = $0 }
	END { for (hz in b) if (hz in p) {
		split(b[hz], x, " "); split(p[hz], y, " ")
		printf "%s Hz, perf/bpflame: CPU %.1fx, peak RSS %.1fx, locked memory %.2fx," \
			" stop to flame graph %.1fx\n", hz, y[4] / (x[4] > 0.01 ? x[4] : 0.01),
			y[6] / x[6], y[7] / x[7], y[8] / (x[8] > 0.01 ? x[8] : 0.01) } }' \
	"$tmp/results" | sort -n
