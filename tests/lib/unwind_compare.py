#!/usr/bin/env python3
"""unwind_compare.py NEW OLD: compares the user stacks of two folded
recordings of the same fixture, one per stack walker (NEW: the BPF
frame-pointer walker, OLD: the kernel's). Kernel frames are removed (they
depend on where each sample landed, not on the user walker).

Prints "covered_new covered_old shorter": the percent of NEW's samples whose
user stack OLD also recorded (stacks seen at most twice left out, see
covered()), the same for OLD in NEW, and the samples of
NEW whose stack is a proper root-side suffix of a stack OLD recorded
complete (NEW lost outer frames the kernel's walker found).
"""
import sys


def user_stacks(path):
    out = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            frames = tuple(x for x in stack.split(";") if not x.endswith("_[k]"))
            out[frames] = out.get(frames, 0) + int(count)
    return out


def covered(a, b):
    """Percent of a's samples on stacks b has. Stacks a caught at most twice
    are left out: two separate recordings cannot both be expected to catch
    a one-off stack (a rare runtime path), whichever walker ran."""
    kept = {s: c for s, c in a.items() if c > 2}
    total = sum(kept.values())
    return 100.0 * sum(c for s, c in kept.items() if s in b) / total if total else 0.0


new, old = user_stacks(sys.argv[1]), user_stacks(sys.argv[2])
shorter = 0
for s, c in new.items():
    if s in old:
        continue
    # comm first, then root ... leaf: a shorter walk lacks root-side frames.
    for o in old:
        if len(o) > len(s) and o[0] == s[0] and o[len(o) - len(s) + 1:] == s[1:]:
            shorter += c
            break
print("%.2f %.2f %d" % (covered(new, old), covered(old, new), shorter))
