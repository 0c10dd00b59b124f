#!/usr/bin/python3
"""report_oracle.py: recomputes a report's category shares from the folded file
with Python's re, independently of bpflame's C code, and checks them against
`bpflame report --json` output for the same file.

  report_oracle.py FOLDED REPORT.json   prints one line per disagreement
                                        (exit 1 if any), else nothing

The rules are README's: a frame belongs to a category when one of its regexes
matches the frame's name or its folded label (name_[k], name_[i]) and no
exclusion does; a sample counts once in each category one of its frames
belongs to. The preset regexes use only syntax that POSIX ERE and Python's re
read alike, so a match found by one is found by the other.
"""
import json
import re
import sys


def frames_of(line):
	stack, _, count = line.rstrip("\n").rpartition(" ")
	return stack.split(";"), float(count)


def main():
	folded, report = sys.argv[1], sys.argv[2]
	with open(report) as f:
		prof = json.load(f)["profile"]
	cats = [(c["name"], [re.compile(r) for r in c["regexes"]],
		 [re.compile(r) for r in c["excludes"]]) for c in prof["categories"]]
	memo = {}

	def belongs(frame):
		if frame not in memo:
			name = re.sub(r"_\[[kij]\]$", "", frame)
			texts = [name] if name == frame else [name, frame]
			mask = set()
			for i, (_, inc, exc) in enumerate(cats):
				hit = lambda rs: any(r.search(t) for r in rs for t in texts)  # noqa: E731
				if hit(inc) and not hit(exc):
					mask.add(i)
			memo[frame] = mask
		return memo[frame]

	total, values, unc = 0.0, [0.0] * len(cats), 0.0
	with open(folded) as f:
		for line in f:
			if not line.strip():
				continue
			frames, w = frames_of(line)
			total += w
			m = set()
			for fr in frames:
				m |= belongs(fr)
			for i in m:
				values[i] += w
			if not m:
				unc += w
	bad = []
	if abs(total - prof["total"]) > 1e-6:
		bad.append("total: oracle %s, report %s" % (total, prof["total"]))
	for (name, _, _), v, c in zip(cats, values, prof["categories"]):
		if abs(v - c["value"]) > 1e-6:
			bad.append("%s: oracle %s, report %s" % (name, v, c["value"]))
	if abs(unc - prof["uncategorized"]["value"]) > 1e-6:
		bad.append("uncategorized: oracle %s, report %s" % (unc, prof["uncategorized"]["value"]))
	for b in bad:
		print(b)
	sys.exit(1 if bad else 0)


main()
