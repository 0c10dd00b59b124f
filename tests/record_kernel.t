#!/bin/bash
# record_kernel.t: a syscall-heavy fixture (pread of /proc/self/stat, write
# to /dev/null, getppid) yields kernel frames suffixed _[k], named as in
# /proc/kallsyms, after the user frames and root first. Tiny maps make
# bpflame lose samples, and it reports them.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 12

rec_spawn SYS "$FIX/bft_sys" 60
out=$TMP/sys.folded
# Until the fixture used 1.5 s of CPU: counts that do not depend on load.
rec_cpu sys 1.5 "$SYS" -p "$SYS" -F 999 -o "$out"
t_is "$(cat "$TMP/sys.rc")" 0 "record of the syscall fixture exits 0" || rec_diag sys
problems=$(fq validate "$out" 2>&1)
t_is "$problems" "" "folded output well formed (kernel frames after user frames)"

total=$(fq total "$out")
kern=$(fq count "$out" '^bft_sys;.*_\[k\]( |;|$)')
t_num "$total" '>=' "$(rec_expect sys 999)" "half the samples its CPU time gives, at least" || rec_diag sys "$out"
t_num "$(ratio "$kern" "$total")" '>=' 50 \
	"most samples carry kernel frames ($kern of $total)" || rec_diag sys "$out"

# Every kernel frame is a name from /proc/kallsyms (modules' "[mod]" removed).
fq kframes "$out" bft_sys >"$TMP/kframes"
awk '{ print $3 }' /proc/kallsyms | sort -u >"$TMP/kallsyms"
unknown=$(sort -u "$TMP/kframes" | comm -23 - "$TMP/kallsyms" | grep -v '^\[unknown\]$' | head -5)
nk=$(wc -l <"$TMP/kframes")
t_num "$nk" '>=' 3 "several distinct kernel functions appear" || rec_diag sys "$out"
t_is "$unknown" "" "every kernel frame name is a symbol of /proc/kallsyms"
# bpflame reads only the kallsyms entries its addresses need (ksyms__load_for);
# a missed one shows as [unknown]_[k].
kunk=$(fq count "$out" '\[unknown\]_\[k\]')
t_num "$(ratio "$kunk" "$kern")" '<' 1 \
	"kernel frames resolve: [unknown] in $kunk of $kern kernel samples" || rec_diag sys "$out"

# Root first: the read path from vfs_read down to the /proc formatter.
if grep -qw do_task_stat "$TMP/kallsyms"; then
	path=$(fq count "$out" '(^|;)vfs_read_\[k\];(.*;)?do_task_stat_\[k\]')
	t_num "$path" '>' 0 "kernel frames root first: vfs_read_[k] ... do_task_stat_[k]" ||
		rec_diag sys "$out"
else
	tap_skip "do_task_stat is not in /proc/kallsyms on this kernel"
fi
# The user part ends in the fixture: main is an ancestor of the syscalls.
withmain=$(fq count "$out" '^bft_sys;(.*;)?main;(.*;)?[^;]*_\[k\]$')
t_num "$(ratio "$withmain" "$kern")" '>=' 80 \
	"kernel stacks sit under the fixture's main ($withmain of $kern)" || rec_diag sys "$out"

# Drops: a counts map of 2 entries and a stack store of 8 cannot hold the
# fixture's distinct stacks; the summary must count what was lost.
out2=$TMP/small.folded
rec_cpu small 1 "$SYS" -p "$SYS" -F 999 --counts-map-size 2 --max-stacks 8 -o "$out2"
t_is "$(cat "$TMP/small.rc")" 0 "record with tiny maps exits 0" || rec_diag small
lost=$(sed -n 's/^  lost samples: \([0-9]*\).*/\1/p' "$TMP/small.err")
t_num "${lost:-0}" '>' 0 "tiny maps: 'lost samples: N (...)' reports N > 0" || rec_diag small
m=$(rec_summary small | sed -n 's/.*: \([0-9]*\) samples$/\1/p')
t2=$(fq total "$out2" 2>/dev/null || echo 0)
t_is "$((t2 + ${lost:-0}))" "${m:-missing}" \
	"written ($t2) + lost (${lost:-missing}) = summary's samples" || rec_diag small "$out2"
exit "$TAP_FAILED"
