#!/usr/bin/env python3
"""pprof_check.py: compare a pprof profile, as `go tool pprof` reads it, with
folded stacks. Used by tests/pprof_*.t.

  pprof_check.py compare GO FOLDED PROFILE   folded stacks (process frame
      dropped) against `go tool pprof -traces -sample_index=samples`: the same
      stacks with the same counts, inline frames as "(inline)", no warning on
      stderr. Prints each difference; prints nothing when they agree.
      --no-process: the folded file has no process frame (Go's own profiles)
  pprof_check.py functions GO PROFILE        every function name -traces shows
  pprof_check.py total GO PROFILE            the sample count -traces shows
"""
import collections
import re
import subprocess
import sys


def traces(go, profile):
    """(Counter of leaf-first stacks, stderr) of go tool pprof -traces."""
    run = subprocess.run([go, "tool", "pprof", "-traces", "-sample_index=samples", profile],
                         capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"go tool pprof failed: {run.stderr.strip()}")
    stacks = collections.Counter()
    frames, count = None, None
    for line in run.stdout.splitlines() + ["-----------+"]:
        if line.startswith("-----------+"):
            if frames:
                stacks[tuple(frames)] += count
            frames, count = None, None
            continue
        if frames is None:
            m = re.match(r"^\s*(\d+)\s{3}(\S.*)$", line)
            if m:  # before the value line come the labels
                count, frames = int(m.group(1)), [m.group(2).strip()]
            continue
        frames.append(line.strip())
    return stacks, run.stderr


def folded_stacks(path, drop_process=True):
    """Counter of leaf-first stacks, labelled as go tool pprof labels them."""
    stacks = collections.Counter()
    for line in open(path):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        frames = stack.split(";")
        out = []
        for i, f in enumerate(frames):
            if i == 0 and drop_process:
                continue
            if f.endswith("_[k]"):
                f = f[:-4]
            elif f.endswith("_[i]") and i > 0:
                # Inlined into the frame before it; the first frame of a
                # line has none, and keeps "_[i]" as part of its name.
                f = f[:-4] + " (inline)"
            if f == "[unknown]":
                f = "<unknown>"  # no symbol and no mapped file ("[libc.so.6]" is the same)
            out.append(f)
        stacks[tuple(reversed(out))] += int(float(count))
    return stacks


def main():
    cmd = sys.argv[1]
    if cmd == "compare":
        go, folded, profile = sys.argv[2:5]
        got, err = traces(go, profile)
        want = folded_stacks(folded, drop_process="--no-process" not in sys.argv)
        if err.strip():
            print(f"go tool pprof printed: {err.strip()}")
        for s in sorted(set(got) | set(want)):
            if got[s] != want[s]:
                print(f"{';'.join(reversed(s))}: pprof {got[s]}, folded {want[s]}")
    elif cmd == "functions":
        got, _ = traces(sys.argv[2], sys.argv[3])
        names = {f.replace(" (inline)", "") for s in got for f in s}
        print("\n".join(sorted(names)))
    elif cmd == "total":
        got, _ = traces(sys.argv[2], sys.argv[3])
        print(sum(got.values()))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
