#!/bin/bash
# record_unwind.t: the BPF frame-pointer walker (--unwinder fp, the default)
# finds the same user stacks as the kernel's walker (--unwinder kernel,
# bpf_get_stack) on a C fixture and on a Go program: at least 99% of each
# recording's samples are on user stacks the other recording has too (stacks
# caught at most twice left out), and
# no stack of the new walker lacks root-side frames the kernel's walker
# found. (go_live.t checks that the frameless Go leaf main.spin keeps its
# caller with the default walker.)
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 10
GO=/usr/lib/go-1.23/bin/go
command -v "$GO" >/dev/null || GO=$(command -v go || true)

# both NAME PID: records PID with each walker, 3 s at 999 Hz; 2 TAP lines.
both() {
	local name=$1 pid=$2 w
	for w in fp kernel; do
		rec_run "$name-$w" -p "$pid" -F 999 -d 3 --unwinder "$w" -o "$TMP/$name-$w.folded"
		t_is "$(cat "$TMP/$name-$w.rc")" 0 "$name: record --unwinder $w exits 0" ||
			rec_diag "$name-$w"
	done
}
# compare NAME: 3 TAP lines.
compare() {
	local name=$1 cn co short
	read -r cn co short < <(python3 "$ROOT/tests/lib/unwind_compare.py" \
		"$TMP/$1-fp.folded" "$TMP/$1-kernel.folded")
	t_num "${cn:-0}" '>=' 99 "$name: fp walker's samples on stacks the kernel walker found" ||
		{ fq top "$TMP/$name-fp.folded" 8; fq top "$TMP/$name-kernel.folded" 8; } | tap_diag
	t_num "${co:-0}" '>=' 99 "$name: kernel walker's samples on stacks the fp walker found"
	t_is "${short:-missing}" 0 "$name: no fp stack lacks root-side frames the kernel found"
}

rec_spawn CPU "$FIX/bft_cpu" 30
both c "$CPU"
compare c
kill "$CPU"

if [ -z "$GO" ]; then
	for i in 1 2 3 4 5; do tap_skip "no Go toolchain"; done
else
	export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
	"$GO" build -C "$ROOT/tests/fixtures/golive" -trimpath -ldflags='-s -w' \
		-o "$TMP/golive" . 2>"$TMP/gobuild.err" || tap_bail "go build failed"
	rec_spawn GOP "$TMP/golive" 30
	both go "$GOP"
	compare go
fi
exit "$TAP_FAILED"
