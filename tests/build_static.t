#!/usr/bin/env bash
# build_static.t: `make static` links a fully static binary (for nodes and
# debug containers without libbpf or libelf) that records like the dynamic one.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/build/bpflame-static
TMP=$(mktemp -d)
trap 'kill $burner 2>/dev/null; rm -rf "$TMP"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
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
sh -c 'while :; do :; done' &
burner=$!
"$OUT" record -p "$burner" -d 1 -F 499 -q -o "$TMP/out.folded" &&
	[ "$(awk '{ s += $NF } END { print s + 0 }' "$TMP/out.folded")" -gt 0 ]
ok $? "the static binary records samples"
exit $failed
