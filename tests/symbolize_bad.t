#!/usr/bin/env bash
# symbolize_bad.t: bad input to `bpflame symbolize` gets one clear error line
# and exit status 2, never a crash or a hang: missing and unreadable files, a
# directory, a FIFO, a non-ELF file, a non-Go ELF file, a Go binary cut at many
# points, the same with random bytes written over it, and a 1 GB sparse file
# behind a real ELF header. (timeout only catches a hang; nothing is timed.)
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }

# expect_error NAME FILE: status 2, exactly one stderr line, "bpflame: error:".
expect_error() {
	local rc lines
	timeout 120 "$BPFLAME" symbolize -e "$2" 0x401000 0x1 >"$TMP/out" 2>"$TMP/err"
	rc=$?
	lines=$(wc -l <"$TMP/err")
	[ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q '^bpflame: error: ' "$TMP/err"
	ok $? "$1: exit 2 with one error line (rc=$rc: $(head -c 160 "$TMP/err"))"
}
# expect_no_crash NAME FILE: any clean outcome (0 or 2), no signal, no hang.
expect_no_crash() {
	local rc
	timeout 120 "$BPFLAME" symbolize -e "$2" -i <"$TMP/addrs" >/dev/null 2>"$TMP/err"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 2 ]
	ok $? "$1: no crash or hang (rc=$rc)"
}

GO=/usr/lib/go-1.23/bin/go
command -v "$GO" >/dev/null || GO=$(command -v go || true)
cuts=(64 512 4096 65536 1000000 3000000)
echo "1..$((7 + ${#cuts[@]} * 2 + 1))"

expect_error "missing file" "$TMP/nope"
expect_error "directory" "$TMP"
mkfifo "$TMP/fifo"
expect_error "FIFO (must not block)" "$TMP/fifo"
printf 'just some text\n' >"$TMP/text"
expect_error "not ELF" "$TMP/text"
expect_error "ELF without Go" /bin/true
: >"$TMP/empty"
expect_error "empty file" "$TMP/empty"

if [ -z "$GO" ]; then
	for _ in $(seq $((${#cuts[@]} * 2 + 2))); do n=$((n + 1)); echo "ok $n # SKIP no Go"; done
	exit 0
fi
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
"$GO" build -C "$ROOT/tests/fixtures/golive" -ldflags='-s -w' -o "$TMP/good" . 2>/dev/null
# Addresses all over the text: the corrupt copies are asked about them all.
seq 4198400 997 8000000 | awk '{ printf "0x%x\n", $1 }' >"$TMP/addrs"
"$BPFLAME" symbolize -e "$TMP/good" <"$TMP/addrs" >/dev/null 2>&1
ok $? "the intact binary symbolizes"

for c in "${cuts[@]}"; do
	head -c "$c" "$TMP/good" >"$TMP/cut"
	expect_no_crash "cut at $c bytes" "$TMP/cut"
	# Random bytes over the middle of a full copy (fixed seed).
	cp "$TMP/good" "$TMP/noisy"
	size=$(stat -c %s "$TMP/good")
	awk -v seed="$c" -v size="$size" 'BEGIN { srand(seed); for (i = 0; i < 64; i++)
		printf "%d %d\n", int(rand() * size), int(rand() * 256) }' |
		while read -r off byte; do
			printf "\\$(printf %03o "$byte")" |
				dd of="$TMP/noisy" bs=1 seek="$off" conv=notrunc status=none
		done
	expect_no_crash "64 random bytes written over it (seed $c)" "$TMP/noisy"
done

# 1 GB: a real ELF header, then a hole (sparse: no disk used).
head -c 4096 "$TMP/good" >"$TMP/huge"
truncate -s 1G "$TMP/huge"
expect_no_crash "1 GB sparse file behind an ELF header" "$TMP/huge"
exit $failed
