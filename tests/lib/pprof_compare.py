#!/usr/bin/env python3
"""pprof_compare.py: bpflame's folded stacks against Go's own CPU profile.

The Go profile is read from `go tool pprof -raw` text (the Go toolchain's own
reader, not ours). Both sides are reduced to per-sample stacks of function
names, innermost first:
  - folded: the process's user frames (kernel frames dropped: Go's profiler
    sees the user pc a thread returns to), the `_[i]` inline mark removed;
  - pprof: each location's lines, inlined functions first, as pprof lists them.
Samples Go could not walk (runtime._System, runtime._ExternalCode, runtime._GC,
runtime._VDSO: pseudo-functions with no bpflame counterpart) are left out of
the Go side's total and reported; a leaf runtime.asyncPreempt (the
preemption signal's injected call, seen by SIGPROF before it runs) is
attributed to the interrupted function under it. Stacks are cut to Go's
64-frame limit (see GO_MAX_STACK).

Tolerance: the two profiles sample one process in one window independently,
so the difference of a share p between them has the standard deviation of
two binomial proportions, sqrt(p (1 - p) (1/n1 + 1/n2)) with p pooled; a
difference within Z (default 4) of those passes. With 10-odd comparisons
per run a true match fails with probability about 1e-3 at Z = 4.

  pprof_compare.py self FOLDED COMM RAW [N] [Z]
      self shares of the union of both sides' top N (default 10) functions;
      exit 1 if any differs by more than its tolerance
  pprof_compare.py incl FOLDED COMM RAW NAME REGEX [Z]
      the share of samples with a frame matching REGEX (re.search on each
      function name), on both sides; exit 1 if they differ beyond tolerance,
      2 if neither side has such a frame
  pprof_compare.py stats FOLDED COMM
      "USER_FRAMES UNSYMBOLIZED SAMPLES" over COMM's stacks (frame counts
      weighted by sample counts; unsymbolized frames are bracketed names)
"""
import math
import re
import sys

# Go's CPU profiler records at most this many frames (inlined included) per sample
# (runtime/cpuprof.go maxCPUProfStack, 64 in Go 1.19 to 1.23); bpflame keeps
# 127. kube-apiserver's handler chain is deeper than 64 frames, so frames
# near the root (filters.WithAuthentication) are missing from part of Go's
# samples: bpflame's stacks are cut the same way before comparing.
GO_MAX_STACK = 64
PSEUDO = {"runtime._System", "runtime._ExternalCode", "runtime._GC", "runtime._VDSO"}


def folded_samples(path, comm, depth=0):
    """[(count, [function names innermost first])] of COMM's stacks, cut to
    the innermost DEPTH frames when DEPTH is not 0."""
    out = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("latin-1").rstrip("\n")
            stack, _, count = line.rpartition(" ")
            frames = stack.split(";")
            if not stack or frames[0] != comm:
                continue
            inner = [fr for fr in frames[1:] if not fr.endswith("_[k]")][::-1]
            if depth:
                # Go 1.19 keeps the innermost maxCPUProfStack (64) frames of
                # a sample, inlined ones included (its traceback expands them).
                inner = inner[:depth]
            user = [fr[:-4] if fr.endswith("_[i]") else fr for fr in inner]
            out.append((int(count), user))
    return out


def pprof_samples(path):
    """[(count, [function names innermost first])] from `go tool pprof -raw`."""
    samples, locs = [], {}
    section = None
    cur = None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line in ("Samples:", "Locations", "Mappings"):
                section = line
                continue
            if section == "Samples:":
                m = re.match(r"^\s*(\d+)\s+\d+:((?:\s+\d+)*)\s*$", line)
                if m:
                    samples.append((int(m.group(1)), [int(x) for x in m.group(2).split()]))
            elif section == "Locations":
                m = re.match(r"^\s*(\d+): 0x[0-9a-f]+ (?:M=\d+ )?(?:\[F\] )?(\S+)", line)
                if m:
                    cur = int(m.group(1))
                    locs[cur] = [m.group(2)]
                    continue
                m = re.match(r"^ {13}(\S+) ", line)
                if m and cur is not None:
                    locs[cur].append(m.group(1))
    if not samples or not locs:
        sys.exit(f"pprof_compare.py: {path}: no samples or locations in pprof -raw text")
    out = []
    for n, ids in samples:
        fns = [fn for loc in ids for fn in locs.get(loc, ["[unknown]"])]
        # A leaf runtime.asyncPreempt is Go's signal-delivery artifact: the
        # preemption signal's handler had just pointed the thread at it when
        # SIGPROF arrived, so the sample belongs to the interrupted function
        # below it, where bpflame's perf event finds the thread.
        if len(fns) > 1 and fns[0] == "runtime.asyncPreempt":
            fns = fns[1:]
        out.append((n, fns))
    return out


def load(folded, comm, raw):
    b = folded_samples(folded, comm, GO_MAX_STACK)
    g = pprof_samples(raw)
    pseudo = sum(n for n, fns in g if fns and fns[0] in PSEUDO)
    g = [(n, fns) for n, fns in g if not (fns and fns[0] in PSEUDO)]
    nb, ng = sum(n for n, _ in b), sum(n for n, _ in g)
    if nb == 0 or ng == 0:
        sys.exit(f"pprof_compare.py: no samples (bpflame {nb}, pprof {ng})")
    print(f"samples: bpflame {nb}, pprof {ng} (+{pseudo} in runtime pseudo-functions)")
    return b, nb, g, ng


def tolerance(pb, nb, pg, ng, z):
    p = (pb * nb + pg * ng) / (nb + ng)
    return z * math.sqrt(max(p * (1 - p), 1e-12) * (1 / nb + 1 / ng))


def self_shares(samples, total):
    acc = {}
    for n, fns in samples:
        leaf = fns[0] if fns else "[no user frame]"
        acc[leaf] = acc.get(leaf, 0) + n
    return {k: v / total for k, v in acc.items()}


def cmd_self(folded, comm, raw, top=10, z=4.0):
    b, nb, g, ng = load(folded, comm, raw)
    sb, sg = self_shares(b, nb), self_shares(g, ng)
    names = sorted(sg, key=sg.get, reverse=True)[:top]
    names += [k for k in sorted(sb, key=sb.get, reverse=True)[:top] if k not in names]
    bad = 0
    print(f"{'bpflame':>8} {'pprof':>7} {'diff':>6} {'tol':>5}  self share of")
    for k in names:
        pb, pg = sb.get(k, 0.0), sg.get(k, 0.0)
        tol = tolerance(pb, nb, pg, ng, z)
        ok = abs(pb - pg) <= tol
        bad += not ok
        print(f"{100 * pb:7.2f}% {100 * pg:6.2f}% {100 * (pb - pg):+6.2f} {100 * tol:5.2f}  "
              f"{k}{'' if ok else '   <-- beyond tolerance'}")
    return 1 if bad else 0


def cmd_incl(folded, comm, raw, name, regex, z=4.0):
    b, nb, g, ng = load(folded, comm, raw)
    rx = re.compile(regex)
    hb = sum(n for n, fns in b if any(rx.search(f) for f in fns))
    hg = sum(n for n, fns in g if any(rx.search(f) for f in fns))
    pb, pg = hb / nb, hg / ng
    tol = tolerance(pb, nb, pg, ng, z)
    print(f"{name}: bpflame {100 * pb:.2f}% ({hb}), pprof {100 * pg:.2f}% ({hg}), "
          f"diff {100 * (pb - pg):+.2f}, tolerance {100 * tol:.2f} points")
    if hb == 0 and hg == 0:
        return 2
    return 0 if abs(pb - pg) <= tol else 1


def cmd_stats(folded, comm):
    frames = unsym = samples = 0
    for n, fns in folded_samples(folded, comm):
        samples += n
        frames += n * len(fns)
        unsym += n * sum(1 for f in fns if f.startswith("[") and f.endswith("]"))
    print(frames, unsym, samples)
    return 0


def main(argv):
    if len(argv) >= 5 and argv[1] == "self":
        return cmd_self(argv[2], argv[3], argv[4], *(int(argv[5]),) if len(argv) > 5 else (),
                        *(float(argv[6]),) if len(argv) > 6 else ())
    if len(argv) >= 7 and argv[1] == "incl":
        return cmd_incl(*argv[2:7], *(float(argv[7]),) if len(argv) > 7 else ())
    if len(argv) == 4 and argv[1] == "stats":
        return cmd_stats(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
