#!/bin/sh
# bench-svg.sh: how fast `bpflame svg` renders a large folded input, and how
# compact the SVG is, next to flamegraph.pl when that is on the machine.
#
#   tools/bench-svg.sh              (from the repo root; `make bench` runs it)
#
# Inputs: 50,000 distinct stacks generated deterministically here (Go-like
# names, shared prefixes, depth up to 48), and ../shared's example-perf.folded.
# flamegraph.pl is not a dependency: set FLAMEGRAPH_PL=/path/to/flamegraph.pl
# or put it on PATH to get the ratio. RUNS (default 3) runs per renderer; the
# best wall time counts. Reports numbers only: times are never asserted.
set -eu

cd "$(dirname "$0")/.."
BPFLAME=${BPFLAME:-./bpflame}
RUNS=${RUNS:-3}
OUT=${BENCH_DIR:-build/bench}
STACKS=${STACKS:-50000}
FG=${FLAMEGRAPH_PL:-$(command -v flamegraph.pl 2>/dev/null || true)}
mkdir -p "$OUT"

if [ ! -x "$BPFLAME" ]; then
	echo "bench-svg: $BPFLAME not built (make bpflame)" >&2
	exit 2
fi

# Park-Miller generator: exact in awk's doubles, so every awk (mawk, gawk,
# busybox) produces the same file.
gen="$OUT/gen-$STACKS.folded"
awk -v n="$STACKS" 'BEGIN {
	split("runtime net/http encoding/json crypto/tls k8s.io/apiserver/pkg/server " \
	      "k8s.io/apimachinery/pkg/runtime google.golang.org/grpc sync syscall " \
	      "compress/gzip go.etcd.io/etcd/client/v3 main reflect bufio", pk, " ")
	split("mallocgc (*Server).Serve Unmarshal (*Conn).Read handle gcBgMarkWorker " \
	      "systemstack (*Mutex).Lock Write futex scanobject (*Decoder).Decode " \
	      "(*Reader).Read growslice mapassign Encode ServeHTTP newobject", fn, " ")
	npk = 14; nfn = 18; seed = 20240601
	while (made < n) {
		if (made > 0 && rnd() < 0.85) {
			keep = 1 + int(rnd() * depth)
			depth = keep
		} else {
			depth = 1
			st[1] = "apiserver-" int(rnd() * 4)
		}
		while (depth < 48 && rnd() < 0.88) {
			depth++
			r = rnd()
			if (r < 0.06)
				st[depth] = "entry_SYSCALL_64_[k]"
			else if (r < 0.1)
				st[depth] = "inlined.f" int(rnd() * 50) "_[i]"
			else
				st[depth] = pk[1 + int(rnd() * npk)] "." fn[1 + int(rnd() * nfn)]
		}
		line = st[1]
		for (i = 2; i <= depth; i++)
			line = line ";" st[i]
		if (line in seen)
			continue
		seen[line] = 1
		made++
		c = rnd() < 0.7 ? 1 : 1 + int(rnd() * rnd() * 2000)
		print line, c
	}
}
function rnd() {
	seed = (seed * 16807) % 2147483647
	return seed / 2147483647
}' > "$gen"

now() { date +%s.%N; }
TIMEFILE="$OUT/.time"

# best_time CMD...: runs CMD RUNS times; prints "WALL CPU" in seconds for
# the run with the best wall time (CPU = user + system, from /usr/bin/time
# when it exists, else "-"; 10 ms resolution). CPU time is less disturbed by
# other load on the machine.
best_time() {
	best=
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%U %S' -o "$TIMEFILE" "$@"
			cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$TIMEFILE")
		else
			"$@"
			cpu=-
		fi
		t1=$(now)
		w=$(awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.3f %s", b - a, c }')
		best=$(echo "$w" "$best" | awk '{ if (NF < 4 || $1 < $3) print $1, $2;
			else print $3, $4 }')
		i=$((i + 1))
	done
	echo "$best"
}

# Frames drawn: the <title>s after the frames container opens (the
# embedded script may mention <title> too).
frames_in() {
	off=$(grep -ob 'id="frames"' "$1" | head -1 | cut -d: -f1)
	tail -c +"$((${off:-0} + 1))" "$1" | grep -o '<title>' | wc -l
}

per() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > 0 ? a / b : 0) }'; }

report() { # label input
	label=$1
	in=$2
	svg="$OUT/$label.bpflame.svg"
	# shellcheck disable=SC2046
	set -- $(best_time "$BPFLAME" svg "$in" -o "$svg")
	tb=$1 cb=$2
	bytes=$(wc -c < "$svg")
	nf=$(frames_in "$svg")
	head=$(grep -ob 'id="frames"' "$svg" | head -1 | cut -d: -f1)
	printf '%s: %s stacks, %s samples\n' "$label" "$(wc -l < "$in")" \
		"$(awk '{ s += $NF } END { printf "%d", s }' "$in")"
	printf '  bpflame svg:   %8.3f s wall %6s s cpu %10d bytes %6d frames' \
		"$tb" "$cb" "$bytes" "$nf"
	printf ' %6.1f bytes/frame (%.1f past the %s-byte header and script)\n' \
		"$(per "$bytes" "$nf")" "$(per "$((bytes - ${head:-0}))" "$nf")" "${head:-?}"
	if [ -n "$FG" ] && [ -r "$FG" ]; then
		fsvg="$OUT/$label.flamegraph-pl.svg"
		# shellcheck disable=SC2016,SC2046
		set -- $(RUNS=1 best_time \
			sh -c 'perl "$1" "$2" > "$3" 2>/dev/null' sh "$FG" "$in" "$fsvg")
		tf=$1 cf=$2
		fbytes=$(wc -c < "$fsvg")
		fnf=$(frames_in "$fsvg")
		printf '  flamegraph.pl: %8.3f s wall %6s s cpu %10d bytes %6d frames' \
			"$tf" "$cf" "$fbytes" "$fnf"
		printf ' %6.1f bytes/frame\n' "$(per "$fbytes" "$fnf")"
		printf '  speed-up: %sx wall, %sx cpu over flamegraph.pl (target: 20x)\n' \
			"$(awk -v a="$tf" -v b="$tb" 'BEGIN { if (b + 0 > 0) printf "%.1f", a / b;
				else print "-" }')" \
			"$(awk -v a="$cf" -v b="$cb" 'BEGIN { if (b + 0 > 0) printf "%.1f", a / b;
				else print "-" }')"
	else
		echo "  flamegraph.pl: not found (set FLAMEGRAPH_PL to compare)"
	fi
}

report "generated-$STACKS" "$gen"
perf=../shared/testdata/flamegraph/example-perf.folded
if [ -r "$perf" ]; then
	report example-perf "$perf"
fi
