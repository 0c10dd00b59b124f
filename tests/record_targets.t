#!/bin/bash
# record_targets.t: choosing targets. -p with a list of two PIDs records both
# and nothing else; -n NAME records every process of that name; -a records
# other processes too; threads a target creates after bpflame attached are
# covered (filtering is by tgid in the BPF program).
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 15

rec_spawn CPU1 "$FIX/bft_cpu" 60
rec_spawn CPU2 "$FIX/bft_cpu" 60
rec_spawn SYS "$FIX/bft_sys" 60

# -p A,B
out=$TMP/plist.folded
# Recordings last until each target used half a CPU second.
rec_cpu plist 0.5 "$CPU1,$SYS" -p "$CPU1,$SYS" -F 499 -o "$out"
t_is "$(cat "$TMP/plist.rc")" 0 "record -p A,B exits 0" || rec_diag plist
comms=$(fq comms "$out" | cut -d' ' -f1 | sort | tr '\n' ' ')
t_is "$comms" "bft_cpu bft_sys " "-p A,B: both targets' comms appear, no other process" ||
	rec_diag plist "$out"
t_match "$TMP/plist.err" "^ +[0-9]+  bft_cpu \[$CPU1\]\$" "-p A,B: summary line for A"
t_match "$TMP/plist.err" "^ +[0-9]+  bft_sys \[$SYS\]\$" "-p A,B: summary line for B"
c2=$(grep -c "\[$CPU2\]" "$TMP/plist.err" || true)
t_is "$c2" 0 "-p A,B: the other bft_cpu process is not recorded"

# -n NAME matches both bft_cpu processes and nothing else.
out=$TMP/name.folded
rec_cpu name 0.5 "$CPU1,$CPU2" -n bft_cpu -F 499 -o "$out"
t_is "$(cat "$TMP/name.rc")" 0 "record -n bft_cpu exits 0" || rec_diag name
comms=$(fq comms "$out" | cut -d' ' -f1 | tr '\n' ' ')
t_is "$comms" "bft_cpu " "-n bft_cpu: only processes of that name" || rec_diag name "$out"
n1=$(grep -cE "^ +[0-9]+  bft_cpu \[($CPU1|$CPU2)\]\$" "$TMP/name.err" || true)
t_is "$n1" 2 "-n bft_cpu: both processes of that name are recorded" || rec_diag name

# -a: the fixtures and a process that is no fixture (a dash loop, comm "sh").
sh -c 'while :; do :; done' &
BURN=$!
REC_PIDS+=("$BURN")
out=$TMP/all.folded
rec_cpu all 0.5 "$CPU1,$SYS,$BURN" -a -F 499 -o "$out"
t_is "$(cat "$TMP/all.rc")" 0 "record -a exits 0" || rec_diag all
fq comms "$out" >"$TMP/all.comms"
t_check "-a sees the fixtures and the shell loop (bft_cpu, bft_sys, sh)" \
	eval "grep -q '^bft_cpu ' '$TMP/all.comms' && grep -q '^bft_sys ' '$TMP/all.comms' &&
		grep -q '^sh ' '$TMP/all.comms'" || tap_diag <"$TMP/all.comms"
kill "$BURN"
all=$(fq ucount "$out" '^bft_cpu;')
hit=$(fq ucount "$out" '^bft_cpu;(.*;)?main;caller_(a;hot_a|b;hot_b)$')
t_num "$(ratio "$hit" "$all")" '>=' 80 "-a: the fixtures' frames are symbolized ($hit of $all)" ||
	rec_diag all "$out"

# Threads created after attach: bft_thr starts 3 workers on SIGUSR1.
# Each worker works one CPU second, then the fixture exits and so ends the
# recording (-d is a deadline never reached).
rec_spawn THR "$FIX/bft_thr" 1 wait
out=$TMP/thr.folded
rec_bg REC thr -p "$THR" -F 999 -d 600 -o "$out"
rec_attached "$REC" || echo "bpflame did not attach" | tap_diag
kill -USR1 "$THR"
nthr=0
for ((i = 0; i < 1200; i++)); do
	nthr=$(ls /proc/"$THR"/task 2>/dev/null | wc -l)
	kill -0 "$THR" 2>/dev/null || break
	[ "$nthr" -ge 4 ] && break
	sleep 0.05
done
rec_finish rc "$REC"
t_is "$rc" 0 "record of the threaded fixture exits 0" || rec_diag thr
t_num "$nthr" '>=' 4 "the fixture started its worker threads after attach"
all=$(fq ucount "$out" '^bft_thr;')
hit=$(fq ucount "$out" '^bft_thr;(.*;)?thread_main;thread_work;hot_thread$')
t_num "$hit" '>=' 100 \
	"threads born after attach are sampled: thread_main;thread_work;hot_thread" ||
	rec_diag thr "$out"
t_num "$(ratio "$hit" "$all")" '>=' 80 \
	"most of the fixture's samples are its workers' ($hit of $all)"
exit "$TAP_FAILED"
