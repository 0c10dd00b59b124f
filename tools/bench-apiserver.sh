#!/usr/bin/env bash
# bench-apiserver.sh: peak memory and stop-to-output time of a recording of a
# real kube-apiserver under load, bpflame against perf, in one run.
#
#   tools/bench-apiserver.sh        (from anywhere; `make bench` runs it when
#                                   build/apiserver/kube-apiserver exists)
#
# Starts etcd and the kube-apiserver of tests/lib/apiserver.sh (Debian's
# kubernetes 1.20 source, built by `make apiserver`) with its request load,
# then records it twice, one after the other, while the load runs:
#   bpflame record -p PID -F 999 -d SECS -o x.folded -o x.svg -o x.pb.gz
#   perf record -F 999 -g -p PID -- sleep SECS   (then perf script | wc, no SVG)
# and reports each one's peak RSS (VmHWM, kernel's figure, via /usr/bin/time)
# and wall time from the end of the window to the last output. The two
# windows see different moments of the same load: the distinct stacks of the
# bpflame window are printed, since bpflame's memory grows with them.
# Then, where flamegraph.pl is at hand (FLAMEGRAPH_PL or PATH), `bpflame svg`
# of the recorded folded file against flamegraph.pl of the same file, best of
# 3 each. A report, never a test. Env: BENCH_SECONDS (30).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${BENCH_SECONDS:-30}
. tests/lib/apiserver.sh
if [ ! -x /usr/bin/time ]; then
	echo "bench-apiserver: /usr/bin/time missing (package time)" >&2
	exit 1
fi
[ -x ./bpflame ] || { echo "bench-apiserver: ./bpflame not built" >&2; exit 1; }
state=$(mktemp -d /tmp/bpflame-bench-api.XXXXXX)
trap 'set +e; apiserver_stop "$state" 2>/dev/null; rm -rf "$state"' EXIT
apiserver_start "$state"
apiserver_load "$state" $((3 * secs + 120))
sleep 2

# peak_kb FILE: "Maximum resident set size" of a /usr/bin/time -v log.
peak_kb() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }

/usr/bin/time -v -o "$state/bpflame.time" ./bpflame record -p "$APISERVER_PID" -F 999 \
	-d "$secs" -o "$state/x.folded" -o "$state/x.svg" -o "$state/x.pb.gz" \
	2>"$state/bpflame.err"
bp_peak=$(peak_kb "$state/bpflame.time")
bp_wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$state/bpflame.time")
stacks=$(sed -n 's/^  memory: .*; \([0-9]*\) distinct stacks kept.*/\1/p' "$state/bpflame.err")

pf_peak=n/a pf_post=n/a
if command -v perf >/dev/null; then
	/usr/bin/time -v -o "$state/perf.time" perf record -q -F 999 -g -p "$APISERVER_PID" \
		-o "$state/perf.data" -- sleep "$secs" 2>/dev/null || true
	pf_peak=$(peak_kb "$state/perf.time")
	t0=$(date +%s.%N)
	/usr/bin/time -v -o "$state/script.time" perf script -i "$state/perf.data" \
		>"$state/perf.script" 2>/dev/null || true
	pf_post=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f s", b - a }')
	pf_peak="$pf_peak KB record, $(peak_kb "$state/script.time") KB perf script"
fi
echo "kube-apiserver under load, $secs s at 999 Hz, $(nproc) CPUs, $(uname -r)"
echo "bpflame: peak $bp_peak KB (three outputs), $bp_wall wall for the whole" \
	"recording, ${stacks:-?} distinct stacks"
echo "perf:    peak $pf_peak; perf script alone took $pf_post (no flame graph yet)"
echo "ratio of peaks (perf record / bpflame): $(awk -v p="${pf_peak%% *}" -v b="$bp_peak" \
	'BEGIN { if (p + 0 > 0 && b > 0) printf "%.2fx", p / b; else print "n/a" }')"

fg=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl 2>/dev/null || true)}
if [ -n "$fg" ] && [ -s "$state/x.folded" ]; then
	# best CMD...: the best wall time of 3 runs, in seconds.
	best() {
		local i t b=
		for i in 1 2 3; do
			/usr/bin/time -f %e -o "$state/best.time" "$@" >/dev/null 2>&1 || true
			t=$(tail -1 "$state/best.time")
			b=$(awk -v b="${b:-1e9}" -v t="$t" 'BEGIN { print (t < b) ? t : b }')
		done
		echo "$b"
	}
	bs=$(best ./bpflame svg "$state/x.folded" -o "$state/again.svg")
	fs=$(best perl "$fg" "$state/x.folded")
	echo "svg of the recorded folded file ($(du -m "$state/x.folded" | cut -f1) MB):" \
		"bpflame $bs s, flamegraph.pl $fs s:" \
		"$(awk -v b="$bs" -v f="$fs" 'BEGIN { if (b > 0) printf "%.1fx", f / b }')" \
		"(wall, best of 3; /usr/bin/time has 10 ms steps)"
fi
