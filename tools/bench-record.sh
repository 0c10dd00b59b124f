#!/usr/bin/env bash
# bench-record.sh: what a recording costs, bpflame against perf, side by side.
#
# The demo target (tools/demo, a Go API server under its own load) runs for
# a fixed time three ways: alone, while `bpflame record` profiles it, and
# while `perf record -g` profiles it followed by `perf script` (the workflow
# bpflame replaces; stackcollapse-perf.pl and flamegraph.pl would come on
# top). Reported: requests the target served (its throughput, the overhead a
# user feels), CPU seconds and peak RSS of the profiler, bytes written.
# A report, not a test: numbers vary with the machine's load.
#   BENCH_SECONDS (10)  recording length   BENCH_HZ (999)  sample rate
#   BENCH_ROUNDS (3)    interleaved rounds; medians are printed
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${BENCH_SECONDS:-10}
hz=${BENCH_HZ:-999}
rounds=${BENCH_ROUNDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ "$(id -u)" -eq 0 ] || { echo "bench-record.sh: run as root" >&2; exit 2; }
go=go
[ -x /usr/lib/go-1.23/bin/go ] && go=/usr/lib/go-1.23/bin/go
demo=$root/build/demo/bpflame-demo
(cd tools/demo && GOCACHE="$root/build/gocache" GOTOOLCHAIN=local GOPROXY=off GOFLAGS='' \
	CGO_ENABLED=0 "$go" build -trimpath -ldflags='-s -w' -o "$demo" .)

# run_target LOG: starts the demo for secs+2 s in the background; sets pid.
run_target() {
	"$demo" -load 4 -duration $((secs + 2)) >"$1" 2>&1 &
	pid=$!
}
# requests LOG: total requests the demo served.
requests() {
	sed -n 's/^requests by status: map\[\(.*\)\]/\1/p' "$1" |
		tr ' ' '\n' | awk -F: '{ s += $2 } END { print s + 0 }'
}
# measure NAME CMD...: runs CMD under /usr/bin/time; "cpu_s rss_kb".
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%U %S %M' -o "$tmp/$name.time" "$@" >/dev/null 2>"$tmp/$name.err" || true
	awk '{ printf "%.2f %d\n", $1 + $2, $3 }' "$tmp/$name.time"
}

# One round: baseline, bpflame, perf, back to back; rounds interleave so a
# load change on the machine hits all three alike. Medians are reported.
round() {
	local r=$1 bpf_cpu bpf_rss rec_cpu rec_rss scr_cpu scr_rss
	run_target "$tmp/base.log"; wait "$pid" || true
	echo "base_req $(requests "$tmp/base.log")" >>"$tmp/results"

	run_target "$tmp/bpf.log"; sleep 1
	# The kernel's own accounting of the BPF program (kernel.bpf_stats_enabled),
	# read shortly before the recording ends: nanoseconds per sample.
	( sleep $((secs > 2 ? secs - 1 : 1)); bpf_ns_per_run >"$tmp/ns" ) &
	read -r bpf_cpu bpf_rss < <(measure bpflame ./bpflame record -p "$pid" -d "$secs" \
		-F "$hz" -q -o "$tmp/bpflame.folded")
	wait "$pid" || true
	wait
	{
		echo "bpf_ns $(cat "$tmp/ns")"
		echo "bpf_req $(requests "$tmp/bpf.log")"
		echo "bpf_cpu $bpf_cpu"
		echo "bpf_rss $bpf_rss"
		echo "bpf_bytes $(stat -c %s "$tmp/bpflame.folded")"
	} >>"$tmp/results"

	command -v perf >/dev/null || return 0
	run_target "$tmp/perf.log"; sleep 1
	read -r rec_cpu rec_rss < <(measure perf-record perf record -F "$hz" -g -p "$pid" \
		-o "$tmp/perf.data" -- sleep "$secs")
	wait "$pid" || true
	read -r scr_cpu scr_rss < <(measure perf-script sh -c \
		"perf script -i '$tmp/perf.data' > '$tmp/perf.script'")
	{
		echo "perf_req $(requests "$tmp/perf.log")"
		echo "perf_cpu $(echo "$rec_cpu $scr_cpu" | awk '{ printf "%.2f", $1 + $2 }')"
		echo "perf_rss $((rec_rss > scr_rss ? rec_rss : scr_rss))"
		echo "perf_bytes $(($(stat -c %s "$tmp/perf.data") + $(stat -c %s "$tmp/perf.script")))"
	} >>"$tmp/results"
	echo "round $r done" >&2
}
# bpf_ns_per_run: run_time_ns / run_cnt of bpflame's do_sample program.
bpf_ns_per_run() {
	bpftool prog show name do_sample 2>/dev/null |
		awk '/run_time_ns/ { for (i = 1; i < NF; i++) {
			if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
			END { if (c) printf "%.0f\n", t / c; else print "n/a" }'
}
# median KEY: the median of KEY's values, n/a if none.
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$tmp/results" | sort -n |
		awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "n/a" }'
}
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
sysctl -q kernel.bpf_stats_enabled=1 2>/dev/null || true
trap 'sysctl -q kernel.bpf_stats_enabled="$stats_was" 2>/dev/null; rm -rf "$tmp"' EXIT
: >"$tmp/results"
for r in $(seq "$rounds"); do round "$r"; done
base=$(median base_req)
bpf_req=$(median bpf_req) bpf_cpu=$(median bpf_cpu) bpf_rss=$(median bpf_rss)
bpf_bytes=$(median bpf_bytes) bpf_ns=$(median bpf_ns)
perf_req=$(median perf_req) perf_cpu=$(median perf_cpu) perf_rss=$(median perf_rss)
perf_bytes=$(median perf_bytes)

echo "record: demo target, $secs s at $hz Hz, median of $rounds rounds"
echo "(requests: what the target served while profiled; higher is better)"
printf '%-28s %12s %10s %12s %14s\n' tool requests "cpu s" "peak RSS KB" "bytes written"
printf '%-28s %12s %10s %12s %14s\n' "none (baseline)" "$base" - - -
printf '%-28s %12s %10s %12s %14s\n' "bpflame record" "$bpf_req" "$bpf_cpu" "$bpf_rss" "$bpf_bytes"
printf '%-28s %12s %10s %12s %14s\n' "perf record -g + perf script" "$perf_req" "$perf_cpu" \
	"$perf_rss" "$perf_bytes"
echo "bpflame's BPF program: $bpf_ns ns per sample (kernel run_time_ns / run_cnt)"
if [ "$perf_cpu" != n/a ]; then
	awk -v b="$bpf_cpu" -v p="$perf_cpu" -v bb="$bpf_bytes" -v pb="$perf_bytes" 'BEGIN {
		printf "ratios perf/bpflame: profiler CPU %.1fx, bytes written %.0fx\n",
			p / (b > 0.01 ? b : 0.01), pb / bb }'
fi
