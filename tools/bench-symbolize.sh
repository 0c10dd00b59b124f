#!/usr/bin/env bash
# bench-symbolize.sh: speed and memory of `bpflame symbolize` against
# `go tool addr2line` (newest toolchain) on the same 20,000 random text
# addresses of a large stripped Go binary, in the same run. A report, never a
# pass/fail test: correctness comes from tests/go_*.t.
#
#   tools/bench-symbolize.sh [BINARY]     default /usr/bin/etcd (etcd-server)
#
# Env: BPFLAME (default ./bpflame), N (addresses, 20000), RUNS (3; the table
# shows the median wall time and the largest peak RSS of the runs).
# addr2line is run as the tool binary itself ($(go env GOTOOLDIR)/addr2line),
# not through the go command, so the go command's own start-up is not
# charged to it. Needs /usr/bin/time (package time).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lib/go.sh"

BIN=${1:-/usr/bin/etcd}
N=${N:-20000}
RUNS=${RUNS:-3}
if [ ! -x /usr/bin/time ]; then
	echo "bench-symbolize: /usr/bin/time missing (package time)" >&2
	exit 1
fi
[ -r "$BIN" ] || { echo "bench-symbolize: $BIN not found" >&2; exit 1; }
[ -x "$BPFLAME" ] || { echo "bench-symbolize: $BPFLAME not built" >&2; exit 1; }
ORACLE=$(go_build_oracle)
ADDR2LINE=$("$GO_NEWEST" env GOTOOLDIR)/addr2line
[ -x "$ADDR2LINE" ] || { echo "bench-symbolize: $ADDR2LINE missing" >&2; exit 1; }

TMP=$(mktemp -d "$BUILD/bench-symbolize.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
"$ORACLE" -e "$BIN" -random "$N" -seed 1 >"$TMP/addrs"

# measure NAME CMD...: runs CMD RUNS times on the addresses; appends
# "NAME median_wall_s max_rss_kb" to $TMP/results.
measure() {
	local name=$1 i
	shift
	: >"$TMP/runs"
	for i in $(seq "$RUNS"); do
		# Wall time from the clock around the run (ms resolution; time -v
		# rounds to 10 ms); peak RSS from time -v.
		local t0 t1
		t0=$(date +%s%N)
		/usr/bin/time -v -o "$TMP/time" "$@" <"$TMP/addrs" >"$TMP/out.$name" 2>/dev/null
		t1=$(date +%s%N)
		awk -v ns=$((t1 - t0)) '/Maximum resident set size/ { r = $NF }
			END { printf "%.4f %d\n", ns / 1e9, r }' "$TMP/time" >>"$TMP/runs"
	done
	sort -n "$TMP/runs" | awk -v name="$name" '{ w[NR] = $1; if ($2 > r) r = $2 }
		END { print name, w[int((NR + 1) / 2)], r }' >>"$TMP/results"
}

measure bpflame "$BPFLAME" symbolize -e "$BIN"
measure addr2line "$ADDR2LINE" "$BIN"

printf 'binary: %s (%s MB, %s)\n' "$BIN" "$(($(stat -c %s "$BIN") / 1048576))" \
	"$("$GO_NEWEST" version "$BIN" 2>/dev/null | awk '{ print $2 }')"
printf 'addresses: %s random .text addresses, %s runs each (median wall, max RSS)\n' \
	"$N" "$RUNS"
awk '{ w[$1] = $2; r[$1] = $3 }
	END {
		printf "%-28s %10s %12s\n", "tool", "wall s", "peak RSS MB"
		printf "%-28s %10.4f %12.1f\n", "bpflame symbolize", w["bpflame"], r["bpflame"] / 1024
		printf "%-28s %10.4f %12.1f\n", "go tool addr2line (go1.23)", w["addr2line"],
			r["addr2line"] / 1024
		printf "%-28s %9.1fx %11.1fx\n", "addr2line / bpflame",
			(w["bpflame"] > 0 ? w["addr2line"] / w["bpflame"] : 0),
			(r["bpflame"] > 0 ? r["addr2line"] / r["bpflame"] : 0)
	}' "$TMP/results"
ndiff=$(paste -d'\t' <(paste -d' ' - - <"$TMP/out.bpflame") \
	<(paste -d' ' - - <"$TMP/out.addr2line") | awk -F'\t' '$1 != $2' | wc -l)
echo "records that differ between the two: $ndiff of $N (which is right: tests/go_*.t;" \
	"addr2line takes .text for runtime.text, wrong for externally linked binaries)"
