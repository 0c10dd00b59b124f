#!/bin/bash
# record_merge.t: merging the recordings of two processes equals recording
# both at once, within sampling noise (issue 8: one recording per apiserver
# of a control plane, merged). Three recordings run at the same time on the
# same two fixtures, bft_cpu (user stacks, hot_a:hot_b 3:1) and bft_sys
# (kernel stacks): -p CPU, -p SYS and -p CPU,SYS, all stopped together once
# each fixture used its CPU time. Then `bpflame merge` of the first two is
# compared with the third:
# - the same processes, in the same proportion;
# - within each process, every stack with at least 1% of its samples has the
#   same share in both, within 4 binomial standard errors of the two
#   counts (so the threshold follows the samples the fixtures gave);
# - merging the pprof of one and the folded of the other gives the same
#   counts as merging the two folded files (the formats carry the same
#   profile).
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 6

rec_spawn CPU "$FIX/bft_cpu" 60
rec_spawn SYS "$FIX/bft_sys" 60
rec_bg R1 one -p "$CPU" -F 499 -d 600 -o "$TMP/one.folded" -o "$TMP/one.pb.gz"
rec_bg R2 two -p "$SYS" -F 499 -d 600 -o "$TMP/two.folded"
rec_bg R3 both -p "$CPU,$SYS" -F 499 -d 600 -o "$TMP/both.folded"
attached=0
for r in "$R1" "$R2" "$R3"; do rec_attached "$r" && attached=$((attached + 1)); done
# Enough samples for the shares to mean something: 3 s of CPU each.
if [ "$attached" = 3 ]; then
	cpu0=$(cpu_ticks "$CPU")
	sys0=$(cpu_ticks "$SYS")
	wait_cpu 3 "$cpu0" "$CPU"
	wait_cpu 3 "$sys0" "$SYS"
fi
kill -INT "$R1" "$R2" "$R3" 2>/dev/null
rec_finish rc1 "$R1"
rec_finish rc2 "$R2"
rec_finish rc3 "$R3"
t_is "$attached/$rc1/$rc2/$rc3" 3/0/0/0 "three recordings at once: all attach and exit 0" ||
	{ rec_diag one; rec_diag two; rec_diag both; }

"$BPFLAME" merge "$TMP/one.folded" "$TMP/two.folded" -o "$TMP/merged.folded" \
	2>"$TMP/merge.err"
t_is "$?" 0 "merge of the two recordings exits 0" || tap_diag <"$TMP/merge.err"

# compare.py MERGED BOTH: the checks below, one result line each
# ("ok|not ok<TAB>description<TAB>details").
cat >"$TMP/compare.py" <<'EOF'
import math, sys
sys.path.insert(0, sys.argv[3])
import folded

def load(path):
    by_comm = {}
    for stack, count, _, _ in folded.parse(path):
        if stack is None:
            continue
        comm = stack.split(";", 1)[0]
        by_comm.setdefault(comm, {})
        by_comm[comm][stack] = by_comm[comm].get(stack, 0) + int(count)
    return by_comm

merged, both = load(sys.argv[1]), load(sys.argv[2])
out = []
same = sorted(merged) == sorted(both) and len(merged) == 2
out.append((same, "the same two processes", "merged %s, both %s" % (sorted(merged), sorted(both))))

def check_share(c1, n1, c2, n2):
    p = (c1 + c2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return abs(c1 / n1 - c2 / n2) <= 4 * se + 1e-9, c1 / n1, c2 / n2, 4 * se

t1 = sum(sum(s.values()) for s in merged.values())
t2 = sum(sum(s.values()) for s in both.values())
bad = []
for comm in sorted(set(merged) & set(both)):
    c1, c2 = sum(merged[comm].values()), sum(both[comm].values())
    good, s1, s2, lim = check_share(c1, t1, c2, t2)
    if not good:
        bad.append("%s: %.3f vs %.3f (limit %.3f)" % (comm, s1, s2, lim))
out.append((not bad and t1 > 0 and t2 > 0,
            "each process's share of the samples agrees (%d and %d samples)" % (t1, t2),
            "; ".join(bad)))

bad, checked = [], 0
for comm in sorted(set(merged) & set(both)):
    m, b = merged[comm], both[comm]
    n1, n2 = sum(m.values()), sum(b.values())
    for stack in sorted(set(m) | set(b)):
        c1, c2 = m.get(stack, 0), b.get(stack, 0)
        if c1 < 0.01 * n1 and c2 < 0.01 * n2:
            continue
        checked += 1
        good, s1, s2, lim = check_share(c1, n1, c2, n2)
        if not good:
            bad.append("%s: %.4f vs %.4f (limit %.4f)" % (stack[-120:], s1, s2, lim))
out.append((not bad and checked >= 3,
            "every stack with 1%% of its process has the same share (%d stacks)" % checked,
            "; ".join(bad[:5])))
for good, desc, diag in out:
    print("%s\t%s\t%s" % ("ok" if good else "not ok", desc, diag))
EOF
python3 "$TMP/compare.py" "$TMP/merged.folded" "$TMP/both.folded" "$ROOT/tests/lib" \
	>"$TMP/compare.out" 2>&1
n=0
while IFS=$'\t' read -r res desc diag; do
	case $res in ok | "not ok") n=$((n + 1)) ;; *) continue ;; esac
	if [ "$res" = ok ]; then
		tap_ok "$desc"
	else
		tap_not_ok "${desc:-compare.py failed}"
		echo "${diag:-$(cat "$TMP/compare.out")}" | tap_diag
	fi
done <"$TMP/compare.out"
for ((; n < 3; n++)); do
	tap_not_ok "compare.py gave no result"
	tap_diag <"$TMP/compare.out"
done

# The same merge from pprof + folded: the same counts, stack for stack.
"$BPFLAME" merge "$TMP/one.pb.gz" "$TMP/two.folded" -o "$TMP/mixed.folded" 2>"$TMP/mixed.err"
t_check "merge of pprof and folded inputs gives the same stacks and counts" \
	cmp -s "$TMP/mixed.folded" "$TMP/merged.folded" ||
	diff "$TMP/mixed.folded" "$TMP/merged.folded" | head -10 | tap_diag
exit "$TAP_FAILED"
