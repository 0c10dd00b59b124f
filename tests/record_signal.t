#!/bin/bash
# record_signal.t: SIGINT (Ctrl-C) and SIGTERM in the middle of a 30 s
# recording stop it early: bpflame detaches, drains, writes complete output
# (renamed into place, no temporary file left), exits 0, and says why it
# stopped.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 10

rec_spawn CPU "$FIX/bft_cpu" 60

# sig_case NAME SIGNAL REASON: 5 TAP lines.
sig_case() {
	local name=$1 sig=$2 reason=$3 out=$TMP/$1.folded rc hot
	rec_bg REC "$name" -p "$CPU" -F 999 -d 30 -o "$out"
	if ! rec_attached "$REC"; then
		echo "bpflame did not attach" | tap_diag
	fi
	# Mid-run: once the fixture burnt a CPU second (~750 samples of hot_a).
	wait_cpu 1 "$(cpu_ticks "$CPU")" "$CPU"
	kill -"$sig" "$REC"
	rec_finish rc "$REC"
	t_is "$rc" 0 "SIG$sig mid-run: exit status 0" || rec_diag "$name"
	t_match "$TMP/$name.err" "^bpflame: recorded .*\(.*$reason.*\): [0-9]+ samples\$" \
		"SIG$sig mid-run: the summary says the recording was $reason"
	t_is "$(fq validate "$out" 2>&1)" "" "SIG$sig mid-run: complete, well-formed folded file"
	hot=$(fq ucount "$out" '^bft_cpu;(.*;)?main;caller_a;hot_a$')
	t_num "${hot:-0}" '>=' 300 "SIG$sig mid-run: the samples up to the signal are written" ||
		rec_diag "$name" "$out"
	t_is "$(tmp_left "$TMP")" 0 "SIG$sig mid-run: no temporary file left"
}
sig_case int INT interrupt
sig_case term TERM terminat
exit "$TAP_FAILED"
