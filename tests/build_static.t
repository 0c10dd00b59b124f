#!/usr/bin/env bash
# build_static.t: `make static` links a fully static binary (for nodes and
# debug containers without libbpf or libelf) that records like the dynamic one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/bpflame-static
# record.sh for rec_cpu (records until the target used some CPU time).
. "$ROOT/tests/lib/record.sh"
TMP=$(mktemp -d /tmp/bpflame-static.XXXXXX)
burner=""
trap 'kill -KILL $burner 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; return "$1"; }
echo "1..4"

make -C "$ROOT" -s static STATIC_OUT="$OUT" >"$TMP/make.log" 2>&1
ok $? "make static links" || sed 's/^/# /' "$TMP/make.log"
ldd "$OUT" >"$TMP/ldd" 2>&1
grep -q "not a dynamic executable" "$TMP/ldd"
ok $? "ldd: not a dynamic executable ($(head -1 "$TMP/ldd"))"
"$OUT" --version | grep -q '^bpflame '
ok $? "the static binary runs"
# A busy shell loop to record: the static binary loads and attaches its BPF
# program and symbolizes the kernel and the shell like the dynamic one.
if [ "$(id -u)" != 0 ]; then
	echo "ok 4 # SKIP recording needs root"
	exit $failed
fi
sh -c 'while :; do :; done' &
burner=$!
BPFLAME=$OUT rec_cpu static 0.5 "$burner" -p "$burner" -F 499 -q -o "$TMP/out.folded"
[ "$(cat "$TMP/static.rc")" = 0 ] &&
	[ "$(awk '{ s += $NF } END { print s + 0 }' "$TMP/out.folded" 2>/dev/null)" -gt 0 ]
ok $? "the static binary records samples" || tap_diag <"$TMP/static.err"
exit $failed
