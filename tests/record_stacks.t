#!/bin/bash
# record_stacks.t: a workload with as many distinct stacks as kube-apiserver
# (about 8,000 in a 30 s recording) is recorded without losing a sample.
#
# The fixture (tests/fixtures/c/tree.c) calls down a binary tree of 13
# levels of distinct functions by a pseudo-random path: 8192 equally likely
# call paths, each a distinct stack, and more distinct stacks still at the
# instruction level (the kernel's counts are keyed by addresses). It is
# recorded at 4999 Hz until it used 6 s of CPU (about 30,000 samples, so
# that most paths are seen within seconds at any load). Then:
# - the summary says no sample was lost, for any cause, and the folded file
#   holds every sample the summary counted;
# - the leaf samples have the whole 13-level path (nothing truncated);
# - the paths seen are at least what m samples of 8192 equally likely
#   paths give (coupon collector: 8192 * (1 - (1 - 1/8192)^m)), less 3%:
#   that expectation's standard deviation is under 0.3% for these m, the
#   rest allows for paths of slightly unequal cost.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 9

PATHS=8192
rec_spawn TREE "$FIX/bft_tree" 300
out=$TMP/tree.folded
rec_cpu tree 6 "$TREE" -p "$TREE" -F 4999 -o "$out"
t_is "$(cat "$TMP/tree.rc")" 0 "record -p TREE -F 4999 exits 0" || rec_diag tree
t_is "$(fq validate "$out" 2>&1)" "" "the folded file is well formed"

lost=$(sed -n 's/^  lost samples: \(.*\)$/\1/p' "$TMP/tree.err")
t_is "$lost" 0 "the summary says 0 samples lost (by any cause: stack store, ring \
buffer, counts map, unreadable stacks, undelivered)" || rec_diag tree

samples=$(rec_summary tree | sed -n 's/.*: \([0-9]*\) samples$/\1/p')
total=$(fq total "$out")
t_is "$total" "${samples:-missing}" \
	"the folded file holds every sample the summary counted ($total)" || rec_diag tree

leaf=$(fq ucount "$out" ';tree_leaf$')
full=$(fq ucount "$out" ';tree_thread;walk;(lvl[0-9]+_[01];){13}tree_leaf$')
# A sample at a function's first instruction, before it pushed its frame,
# misses its caller (one in tens of thousands here): 99.5%, not all.
t_num "$((full * 1000))" '>=' "$((leaf * 995))" \
	"leaf samples with the whole 13-level path: $full of $leaf (x1000 vs 99.5%)" ||
	rec_diag tree "$out"

# Distinct paths seen (function names, so instruction-level variants merge).
seen=$(grep -c ';tree_leaf [0-9]*$' "$out")
read -r expect floor < <(python3 -c "
n, m = $PATHS, ${leaf:-0}
e = n * (1 - (1 - 1 / n) ** m)
print(round(e), int(0.97 * e))")
t_num "$seen" '>=' "$floor" \
	"distinct paths: $seen seen in $leaf leaf samples (expected $expect of $PATHS)" ||
	rec_diag tree "$out"

# The kernel counted each instruction-level stack it saw: at least as many as
# the distinct paths, and about kube-apiserver's 8,000 or more.
kept=$(sed -n 's/^  memory: .*; \([0-9]*\) distinct stacks kept.*/\1/p' "$TMP/tree.err")
t_num "${kept:-0}" '>=' "$seen" \
	"the stack store kept ${kept:-no} distinct stacks, at least the distinct paths" ||
	rec_diag tree

# Continuous mode with as many stacks: every interval's counts map is
# emptied for its next turn (listing thousands of keys once left most of
# them behind), so the intervals add up to the samples the kernel took.
iv=$TMP/iv.folded
rec_cpu iv 8 "$TREE" -p "$TREE" -F 4999 --interval 4 -o "$iv"
sum=0
for f in "$TMP"/iv-*T*Z.folded; do sum=$((sum + $(fq total "$f"))); done
m=$(rec_summary iv | sed -n 's/.*: \([0-9]*\) samples$/\1/p')
t_is "$(sed -n 's/^  lost samples: \(.*\)$/\1/p' "$TMP/iv.err")" 0 \
	"--interval 4: no sample lost" || rec_diag iv
t_is "$sum" "${m:-missing}" "--interval 4: the intervals' files add up to the summary's samples" ||
	rec_diag iv
exit "$TAP_FAILED"
