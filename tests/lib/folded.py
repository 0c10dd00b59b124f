#!/usr/bin/env python3
"""folded.py: queries on folded stack files for the record_*.t tests.

Folded lines are "frame;frame;... COUNT", first frame the process name,
user frames root first, then kernel frames suffixed _[k].

  folded.py validate FILE          format problems, one per line (exit 1 if any):
                                   bad line, count not a positive integer,
                                   duplicate stack, not sorted bytewise,
                                   a kernel frame before a user frame
  folded.py total FILE             sum of all counts
  folded.py count FILE REGEX       sum of counts of stacks matching REGEX
                                   (re.search on the whole stack)
  folded.py ucount FILE REGEX      same, on the stack without its kernel frames
  folded.py comms FILE             "COMM COUNT" per process name, largest first
  folded.py kframes FILE [COMM]    distinct kernel frame names (suffix removed)
  folded.py top FILE [N]           the N (default 10) heaviest lines, for diagnostics

A missing FILE reads as empty (validate reports it).
"""
import os
import re
import sys


def parse(path):
    """Returns [(stack, count_text, lineno, raw)], reading bytes as latin-1
    so that any byte sequence survives. A missing file has no lines (the
    queries print 0, validate names it): a test whose bpflame wrote nothing
    fails with its own diagnostic, not a traceback."""
    out = []
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return out
    with f:
        for n, raw in enumerate(f, 1):
            line = raw.decode("latin-1").rstrip("\n")
            stack, sep, count = line.rpartition(" ")
            out.append((stack if sep else None, count, n, line))
    return out


def records(path):
    for stack, count, _, _ in parse(path):
        if stack is None:
            continue
        try:
            c = int(count)
        except ValueError:
            continue
        yield stack, c


def is_kernel(frame):
    return frame.endswith("_[k]")


def user_part(stack):
    return ";".join(f for f in stack.split(";") if not is_kernel(f))


def validate(path):
    problems = []
    if not os.path.exists(path):
        return [f"{path}: no such file"]
    seen = set()
    prev = None
    for stack, count, n, line in parse(path):
        if stack is None or stack == "":
            problems.append(f"line {n}: no 'STACK COUNT' form: {line!r}")
            continue
        if not re.fullmatch(r"[1-9][0-9]*", count):
            problems.append(f"line {n}: count {count!r} is not a positive integer")
        if stack in seen:
            problems.append(f"line {n}: stack appears twice: {stack!r}")
        seen.add(stack)
        key = line.encode("latin-1")
        if prev is not None and key < prev:
            problems.append(f"line {n}: not sorted bytewise after the previous line")
        prev = key
        frames = stack.split(";")
        if any(f == "" for f in frames):
            problems.append(f"line {n}: empty frame in {stack!r}")
        kinds = [is_kernel(f) for f in frames[1:]]
        if True in kinds and False in kinds[kinds.index(True):]:
            problems.append(f"line {n}: user frame after a kernel frame: {stack!r}")
    return problems


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, path = argv[1], argv[2]
    if cmd == "validate":
        problems = validate(path)
        for p in problems[:20]:
            print(p)
        if len(problems) > 20:
            print(f"... {len(problems) - 20} more")
        return 1 if problems else 0
    if cmd == "total":
        print(sum(c for _, c in records(path)))
        return 0
    if cmd in ("count", "ucount"):
        rx = re.compile(argv[3])
        total = 0
        for stack, c in records(path):
            s = user_part(stack) if cmd == "ucount" else stack
            if rx.search(s):
                total += c
        print(total)
        return 0
    if cmd == "comms":
        per = {}
        for stack, c in records(path):
            comm = stack.split(";", 1)[0]
            per[comm] = per.get(comm, 0) + c
        for comm, c in sorted(per.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"{comm} {c}")
        return 0
    if cmd == "kframes":
        comm = argv[3] if len(argv) > 3 else None
        names = set()
        for stack, _ in records(path):
            frames = stack.split(";")
            if comm is not None and frames[0] != comm:
                continue
            names.update(f[:-4] for f in frames[1:] if is_kernel(f))
        for name in sorted(names):
            print(name)
        return 0
    if cmd == "top":
        n = int(argv[3]) if len(argv) > 3 else 10
        recs = sorted(records(path), key=lambda r: -r[1])[:n]
        for stack, c in recs:
            print(f"{c} {stack}")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
