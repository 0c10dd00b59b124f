#!/bin/bash
# pprof_bad.t: corrupt pprof input gets one error line and exit status 2,
# never a crash, a hang, unbounded memory or an output file (issue 8).
# Cases: gzip garbage, a truncated gzip stream, a protobuf varint longer than
# 10 bytes, a truncated field, a location id out of range, a string index out
# of range, a recursion bomb (100,000 nested messages), and 1 GiB of zeros
# gzipped (the decompression bound stops it; peak RSS stays under 150 MB).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
. "$ROOT/tests/lib/tap.sh"
TMP=$(mktemp -d /tmp/bpflame-pprofbad.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
tap_plan 10

# Hand-built profiles: a minimal protobuf encoder (varints, length-delimited).
python3 - "$TMP" <<'PY'
import gzip, sys
d = sys.argv[1]
def v(x):
    out = b""
    while True:
        b = x & 0x7f
        x >>= 7
        out += bytes([b | (0x80 if x else 0)])
        if not x:
            return out
def f(num, val): return v(num << 3) + v(val)
def m(num, body): return v(num << 3 | 2) + v(len(body)) + body
strings = b"".join(m(6, s) for s in [b"", b"samples", b"count", b"main"])
st = m(1, f(1, 1) + f(2, 2))
fn = m(5, f(1, 1) + f(2, 3))
loc = m(4, f(1, 1) + m(4, f(1, 1)))
good = st + fn + loc + m(2, m(1, v(1)) + m(2, v(5))) + strings
cases = {
    "varint": st + b"\x10" + b"\xff" * 11 + strings,
    "truncated-field": strings + b"\x0a\x40\x08",
    "location-id": st + fn + loc + m(2, m(1, v(99)) + m(2, v(5))) + strings,
    "string-index": m(1, f(1, 1000) + f(2, 2)) + strings,
}
bomb = f(1, 1)
for _ in range(100000):
    bomb = m(1, bomb)
cases["recursion"] = st + m(9, bomb) + m(2, bomb) + strings
open(f"{d}/good.pb.gz", "wb").write(gzip.compress(good))
for name, data in cases.items():
    open(f"{d}/{name}.pb.gz", "wb").write(gzip.compress(data))
open(f"{d}/garbage.pb.gz", "wb").write(b"\x1f\x8b\x08\x00" + b"\x55" * 100)
full = gzip.compress(good * 200)
open(f"{d}/truncated-gzip.pb.gz", "wb").write(full[:len(full) // 2])
PY
head -c 1G /dev/zero | gzip -1 >"$TMP/bomb.pb.gz"

"$BPFLAME" convert "$TMP/good.pb.gz" -o "$TMP/good.folded"
if [ "$?" = 0 ] && [ "$(cat "$TMP/good.folded")" = "main 5" ]; then
	tap_ok "the hand-built profile reads as 'main 5' (the encoder above is right)"
else
	tap_not_ok "the hand-built profile reads as 'main 5'"
fi

for c in garbage truncated-gzip varint truncated-field location-id string-index recursion bomb; do
	/usr/bin/time -f %M -o "$TMP/$c.rss" "$BPFLAME" svg "$TMP/$c.pb.gz" -o "$TMP/$c.svg" \
		2>"$TMP/$c.err"
	rc=$?
	lines=$(grep -vc '^[0-9]*$' "$TMP/$c.err")
	rss=$(tail -1 "$TMP/$c.rss")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -q '^bpflame: error: .*pprof' "$TMP/$c.err" &&
		[ ! -e "$TMP/$c.svg" ] && [ "$rss" -lt 150000 ]; then
		tap_ok "$c: exit 2, one error line, no output, $((rss / 1024)) MB peak ($(cat "$TMP/$c.err"))"
	else
		tap_not_ok "$c: exit 2, one error line, no output (rc $rc, $lines lines, ${rss} KB)"
		tap_diag <"$TMP/$c.err"
	fi
done
"$BPFLAME" merge "$TMP/good.pb.gz" "$TMP/varint.pb.gz" -o "$TMP/m.folded" 2>"$TMP/m.err"
rc=$?
if [ "$rc" = 2 ] && [ ! -e "$TMP/m.folded" ] && grep -q "varint.pb.gz: not a usable" "$TMP/m.err"; then
	tap_ok "merge names the bad input and writes nothing"
else
	tap_not_ok "merge names the bad input and writes nothing (rc $rc)"
	tap_diag <"$TMP/m.err"
fi
exit "$TAP_FAILED"
