#!/bin/bash
# record_events.t: -e EVENT and -c COUNT. Software events are sampled for
# real: page faults of a program that touches fresh memory in a loop are at
# its memset, context switches of a program that sleeps in a loop land
# in the kernel's scheduler; -c 1 counts every event. A hardware event on a
# machine without a PMU is one clear error line and exit status 2.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 9

# Fresh pages every iteration: a large allocation is mmapped, filled, unmapped
# (a fixed mmap threshold: glibc's dynamic one would soon reuse heap pages).
rec_spawn PF env MALLOC_MMAP_THRESHOLD_=65536 python3 -c 'import time
t = time.time() + 60
while time.time() < t:
    b = b"\x01" * (8 << 20)'
rec_run pf -p "$PF" -e page-faults -c 64 -d 3 -o "$TMP/pf.folded"
t_is "$(cat "$TMP/pf.rc")" 0 "-e page-faults -c 64 exits 0" || rec_diag pf
t_num "$(fq total "$TMP/pf.folded" 2>/dev/null || echo 0)" '>=' 50 \
	"page-fault samples recorded" || rec_diag pf
# The event fires with the faulting user registers: the leaf is the
# instruction that touched the page, libc's memset.
t_num "$(fq ucount "$TMP/pf.folded" '\[libc\.so\.6\]$')" '>=' \
	"$(( $(fq total "$TMP/pf.folded" 2>/dev/null || echo 0) * 9 / 10 ))" \
	"at least 90% of them at the faulting store in libc" || rec_diag pf "$TMP/pf.folded"
t_match "$TMP/pf.err" '^bpflame: recorded .* page-faults every 64 events' \
	"the summary names the event and the period"

rec_spawn CS sh -c 'while :; do sleep 0.01; done'
rec_run cs -p "$CS" -e context-switches -c 1 -d 3 -o "$TMP/cs.folded"
t_is "$(cat "$TMP/cs.rc")" 0 "-e context-switches -c 1 exits 0" || rec_diag cs
t_num "$(fq count "$TMP/cs.folded" 'schedule_\[k\]')" '>=' 20 \
	"context switches of a sleeping loop land in schedule()" || rec_diag cs "$TMP/cs.folded"

rec_run cyc -p "$CS" -e cycles -d 1 -o "$TMP/cyc.folded"
rc=$(cat "$TMP/cyc.rc")
if grep -q "no 'cycles' counter" "$TMP/cyc.err"; then
	t_is "$rc" 2 "cycles without a PMU: exit status 2"
	t_is "$(wc -l <"$TMP/cyc.err")" 1 "cycles without a PMU: one error line" ||
		rec_diag cyc
else
	t_is "$rc" 0 "cycles on a machine with a PMU: exit 0" || rec_diag cyc
	tap_skip "this machine has a PMU"
fi
rec_run bad -p "$CS" -e nosuch -d 1 -o "$TMP/bad.folded"
t_is "$(cat "$TMP/bad.rc")" 2 "an unknown event is a usage error (exit 2)"
exit "$TAP_FAILED"
