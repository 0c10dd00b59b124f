#!/usr/bin/env python3
# svg_layout.t: `bpflame svg` lays out every input of
# ../shared/testdata/flamegraph/ as flamegraph.pl does. Each *.folded there has
# a *.frames.tsv written from flamegraph.pl's own SVG (defaults: --width 1200,
# minwidth 0.1 px): depth, x, width, samples, percent, name. We render with
# defaults, read the frames back from the SVG (name from <title>, depth from
# the rect's y) and require the same frames at each depth, in the same order,
# with the same samples, and x/width equal within the table's rounding.
import glob
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
import svgframes as sf  # noqa: E402

# The table prints x and width with one decimal; a renderer printing more
# digits, or rounding a tie the other way, differs by at most one unit there.
XTOL = 0.1 + 1e-6

t = sf.Tap()
datadir = os.path.join(sf.SHARED, "testdata", "flamegraph")
inputs = sorted(glob.glob(os.path.join(datadir, "*.folded")))
if not inputs:
	# Missing data is a broken checkout, not a reason to skip.
	t.ok(False, "test data present in %s" % datadir)
	t.done()
if not sf.has_svg_command():
	t.ok(False, "%s has a working `svg` subcommand" % sf.bpflame_path())
	t.done()


def read_table(path):
	rows = []
	with open(path, encoding="utf-8") as fh:
		for line in fh:
			if line.startswith("#") or not line.strip():
				continue
			d, x, w, n, pct, name = line.rstrip("\n").split("\t", 5)
			rows.append((int(d), float(x), float(w), float(n), float(pct), name))
	return rows


def input_total(path):
	total = 0.0
	with open(path, encoding="utf-8", errors="replace") as fh:
		for line in fh:
			stack, _, count = line.rstrip("\n").rstrip().rpartition(" ")
			if stack:
				total += float(count)
	return total


def compare(svg, table):
	"""Returns a list of mismatch descriptions (empty when the layouts agree)."""
	problems = []
	want = {}
	for d, x, w, n, pct, name in table:
		want.setdefault(d, []).append((x, w, n, pct, name))
	got = {}
	for f in svg.frames:
		got.setdefault(f.depth, []).append(f)
	for d in sorted(set(want) | set(got)):
		ws = sorted(want.get(d, []))
		gs = sorted(got.get(d, []), key=lambda f: f.x)
		if len(ws) != len(gs):
			wk = set((x, n, name) for x, w, n, pct, name in ws)
			gk = set((round(f.x, 1), f.samples, f.name) for f in gs)
			problems.append("depth %d: %d frames, want %d; missing %s; extra %s" % (
				d, len(gs), len(ws), sorted(wk - gk)[:5], sorted(gk - wk)[:5]))
			continue
		for (x, w, n, pct, name), f in zip(ws, gs):
			bad = []
			if f.name != name:
				bad.append("name %r" % f.name)
			if abs(f.samples - n) > 1e-6 * max(1.0, n):
				bad.append("samples %g" % f.samples)
			if abs(f.x - x) > XTOL:
				bad.append("x %.3f" % f.x)
			if abs(f.w - w) > XTOL:
				bad.append("width %.3f" % f.w)
			if abs(f.pct - pct) > 0.01 + 1e-9:
				bad.append("percent %.2f" % f.pct)
			if bad:
				problems.append("depth %d, want %r x=%.1f w=%.1f n=%g %.2f%%: "
						"got %s" % (d, name, x, w, n, pct, ", ".join(bad)))
	return problems


def label_problems(svg):
	"""Labels are the name, a prefix of it ending in "..", or empty, and a
	drawn label fits its frame (at least 0.5 em per character)."""
	out = []
	for f in svg.frames:
		lab = (f.label or "").strip()
		if lab == "":
			continue
		if lab != f.name and not (lab.endswith("..") and f.name.startswith(lab[:-2])):
			out.append("label %r for %r" % (lab, f.name))
		elif len(lab) * 12 * 0.5 > f.w + 0.5:
			out.append("label %r (%d chars) overflows %.1f px" % (lab, len(lab), f.w))
	return out


with tempfile.TemporaryDirectory(prefix="svg_layout.") as tmp:
	for folded in inputs:
		base = os.path.basename(folded)[:-len(".folded")]
		tsv = os.path.join(datadir, base + ".frames.tsv")
		out = os.path.join(tmp, base + ".svg")
		rc, so, se = sf.run(["svg", folded, "-o", out])
		if not t.ok(rc == 0 and os.path.exists(out), "%s: renders (exit %d)" % (base, rc),
			    se[-2000:]):
			continue
		try:
			svg = sf.Svg(out)
		except Exception as e:  # a parse error is a test failure, not a crash
			t.ok(False, "%s: SVG parses as XML" % base, repr(e))
			continue
		t.ok(svg.tag == "svg" and svg.width == 1200 and svg.height > 0,
		     "%s: root <svg> with width 1200 and a height" % base,
		     "tag %s width %s height %s" % (svg.tag, svg.width, svg.height))
		t.ok(not svg.bad_titles,
		     "%s: every frame title reads NAME (N samples, P%%)" % base,
		     "\n".join(svg.bad_titles[:5]))
		t.ok(svg.root is not None and svg.root.depth == 0 and not svg.inverted,
		     "%s: root frame 'all' at the bottom" % base)
		if svg.root is None:
			continue
		total = input_total(folded)
		t.ok(abs(svg.root.samples - total) < 1e-6 * total,
		     "%s: root samples equal the input total %g" % (base, total),
		     "root says %g" % svg.root.samples)
		table = read_table(tsv)
		problems = compare(svg, table)
		t.ok(not problems, "%s: %d frames agree with flamegraph.pl's table (%d drawn)" % (
			base, len(table), len(svg.frames)),
		     "%d mismatches, first ones:\n%s" % (len(problems), "\n".join(problems[:12])))
		lp = label_problems(svg)
		t.ok(not lp, "%s: labels are the name or truncated with '..' and fit" % base,
		     "\n".join(lp[:8]))
t.done()
