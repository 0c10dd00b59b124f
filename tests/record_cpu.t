#!/bin/bash
# record_cpu.t: `bpflame record -p` of a C fixture that burns CPU in hot_a and
# hot_b in a 3:1 ratio of work: each function's share of the samples is
# within a few points of its ratio, its callers are in order, the folded
# file is well formed, and the summary agrees with the file. The recording
# lasts until the fixture used 2 s of CPU, so the counts do not depend on load.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 13

rec_spawn CPU "$FIX/bft_cpu" 60
out=$TMP/cpu.folded
# Until the fixture has burnt 2 s of CPU (however long that takes here).
rec_cpu cpu 2 "$CPU" -p "$CPU" -F 999 -o "$out"
rc=$(cat "$TMP/cpu.rc")
t_is "$rc" 0 "record -p PID -F 999 -o FILE.folded exits 0" || rec_diag cpu
t_check "the output file exists and is not empty" test -s "$out"
problems=$(fq validate "$out" 2>&1)
t_is "$problems" "" \
	"folded output: one line per distinct stack, sorted, counts > 0, kernel frames last"
t_is "$(tmp_left "$TMP")" 0 "no temporary file left beside the output"
comms=$(fq comms "$out" | cut -d' ' -f1 | tr '\n' ' ')
t_is "$comms" "bft_cpu " "only the target's samples are recorded (comm is the first frame)"

a=$(fq ucount "$out" ';hot_a$')
b=$(fq ucount "$out" ';hot_b$')
total=$(fq total "$out")
t_num "$((a + b))" '>=' "$(rec_expect cpu 999)" \
	"hot_a and hot_b hold at least half the samples the fixture's CPU time gives" ||
	rec_diag cpu "$out"
share=$(ratio "$a" "$((a + b))")
t_num "$share" '>=' 70 "hot_a's share of hot_a+hot_b is about 75% (hot_a $a, hot_b $b)" ||
	rec_diag cpu "$out"
t_num "$share" '<=' 80 "hot_a's share of hot_a+hot_b is at most 80%"

# Callers in order, root first: main -> caller_a -> hot_a.
a_chain=$(fq ucount "$out" '^bft_cpu;(.*;)?main;caller_a;hot_a$')
b_chain=$(fq ucount "$out" '^bft_cpu;(.*;)?main;caller_b;hot_b$')
t_num "$(ratio "$a_chain" "$a")" '>=' 90 \
	"hot_a samples sit under main;caller_a ($a_chain of $a)" ||
	rec_diag cpu "$out"
t_num "$(ratio "$b_chain" "$b")" '>=' 90 "hot_b samples sit under main;caller_b ($b_chain of $b)"

summary=$(rec_summary cpu)
t_match "$TMP/cpu.err" '^bpflame: recorded [0-9.]+ s at 999 Hz \([^)]+\): [0-9]+ samples$' \
	"summary line: recorded X s at 999 Hz (REASON): M samples"
# Every sample taken in a target is either counted (and written) or lost.
m=$(sed -n 's/.*: \([0-9]*\) samples$/\1/p' <<<"$summary")
lost=$(sed -n 's/^  lost samples: \([0-9]*\).*/\1/p' "$TMP/cpu.err")
t_is "$((total + ${lost:-0}))" "${m:-missing}" \
	"written samples ($total) + lost (${lost:-missing}) = summary's samples" || rec_diag cpu
per=$(sed -n "s/^ *\([0-9][0-9]*\)  bft_cpu \[$CPU\]\$/\1/p" "$TMP/cpu.err")
t_is "${per:-missing}" "$total" \
	"per-process line '  COUNT  bft_cpu [$CPU]' gives the written total" ||
	rec_diag cpu
exit "$TAP_FAILED"
