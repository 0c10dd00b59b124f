#!/bin/bash
# record_exit.t: targets that exit while bpflame records (with -d 600, a
# deadline never reached). bpflame stops because every target exited (the
# summary's reason says so),
# writes complete output, and the exited targets' frames are symbolized
# (their binaries were opened while they were alive), with -p and with -a
# (processes alive at the start, and one born during the recording; -a
# recordings are stopped with SIGINT once that process is gone). Fixtures
# work for a given CPU time, so their sample counts do not depend on load.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 18

# One target: runs 2 s of CPU once bpflame has attached, then exits.
rec_spawn EXIT "$FIX/bft_exit" 2 wait
out=$TMP/exit.folded
rec_bg REC exit -p "$EXIT" -F 999 -d 600 -o "$out"
rec_attached "$REC" || echo "bpflame did not attach" | tap_diag
kill -USR1 "$EXIT"
rec_finish rc "$REC"
t_is "$rc" 0 "record of a target that exits mid-run exits 0" || rec_diag exit
t_match "$TMP/exit.err" '^bpflame: recorded .*\((the target|every target|target) exited\)' \
	"the summary's reason says the target exited (not the -d deadline)"
problems=$(fq validate "$out" 2>&1)
t_is "$problems" "" "complete folded output written"
t_is "$(tmp_left "$TMP")" 0 "no temporary file left"
all=$(fq ucount "$out" '^bft_exit;')
hit=$(fq ucount "$out" '^bft_exit;(.*;)?main;single_caller;hot_single$')
t_num "$all" '>=' $((2 * 999 / 4)) "the exited target's samples are kept (2 CPU s at 999 Hz)" || rec_diag exit "$out"
t_num "$(ratio "$hit" "$all")" '>=' 80 \
	"the exited target's frames are symbolized: main;single_caller;hot_single ($hit of $all)" ||
	rec_diag exit "$out"
t_check "the fixture really exited" eval "! kill -0 $EXIT 2>/dev/null || \
	grep -q '^State:.*Z' /proc/$EXIT/status"

# Two targets exiting one after the other: recording goes on until the
# last one is gone, and keeps both.
rec_spawn E1 "$FIX/bft_exit" 1 wait
rec_spawn E2 "$FIX/bft_cpu" 2.5 wait
out2=$TMP/exit2.folded
rec_bg REC2 exit2 -p "$E1,$E2" -F 499 -d 600 -o "$out2"
rec_attached "$REC2" || echo "bpflame did not attach" | tap_diag
kill -USR1 "$E1" "$E2"
rec_finish rc "$REC2"
t_is "$rc" 0 "record of two targets that exit exits 0" || rec_diag exit2
t_match "$TMP/exit2.err" '^bpflame: recorded .*exited\)' "stops once every target exited"
h1=$(fq ucount "$out2" '^bft_exit;(.*;)?single_caller;hot_single$')
h2=$(fq ucount "$out2" '^bft_cpu;(.*;)?caller_a;hot_a$')
t_num "$h1" '>=' 100 "the first target's samples are kept and symbolized" ||
	rec_diag exit2 "$out2"
t_num "$h2" '>=' 100 "the last target's samples are kept and symbolized" ||
	rec_diag exit2 "$out2"

# -a: every process is a target, so one that was alive when the recording
# started and exits mid-run keeps its symbols too.
rec_spawn E3 "$FIX/bft_exit" 1 wait
out3=$TMP/exit3.folded
rec_bg REC3 exit3 -a -F 499 -d 600 -o "$out3"
rec_attached "$REC3" || echo "bpflame did not attach" | tap_diag
kill -USR1 "$E3"
wait "$E3"
kill -INT "$REC3"
rec_finish rc "$REC3"
t_is "$rc" 0 "record -a while a process exits exits 0" || rec_diag exit3
all=$(fq ucount "$out3" '^bft_exit;')
hit=$(fq ucount "$out3" '^bft_exit;(.*;)?main;single_caller;hot_single$')
t_num "$all" '>=' 100 "-a: the exited process's samples are kept" || rec_diag exit3 "$out3"
t_num "$(ratio "$hit" "$all")" '>=' 80 \
	"-a: the exited process's frames are symbolized ($hit of $all)" ||
	{ grep '^bft_exit;' "$out3" | sort -t' ' -k2 -rn | head -5 | tap_diag; }

# -a: a process born during the recording that exits before its end. It
# works 2 CPU seconds, so it lives long enough for bpflame's once-a-second
# look at new processes.
out4=$TMP/exit4.folded
rec_bg REC4 exit4 -a -F 499 -d 600 -o "$out4"
rec_attached "$REC4" || echo "bpflame did not attach" | tap_diag
rec_spawn E4 "$FIX/bft_exit" 2
wait "$E4"
t_check "the new process exited and was reaped while bpflame was still recording" \
	kill -0 "$REC4"
kill -INT "$REC4"
rec_finish rc "$REC4"
t_is "$rc" 0 "record -a while a new process comes and goes exits 0" || rec_diag exit4
all=$(fq ucount "$out4" '^bft_exit;')
hit=$(fq ucount "$out4" '^bft_exit;(.*;)?main;single_caller;hot_single$')
t_num "$all" '>=' 100 "-a: the new process's samples are kept" || rec_diag exit4 "$out4"
t_num "$(ratio "$hit" "$all")" '>=' 80 \
	"-a: the new, exited process's frames are symbolized ($hit of $all)" ||
	{ grep '^bft_exit;' "$out4" | sort -t' ' -k2 -rn | head -5 | tap_diag; }
exit "$TAP_FAILED"
