#!/usr/bin/env python3
# svg_diff.t: differential flame graphs. Two hand-written folded files with a
# known change: `bpflame diff BEFORE AFTER -o diff.svg` draws AFTER's shape,
# red where a frame grew, blue where it shrank, neutral where unchanged,
# scaled by the largest change, with the delta in the tooltip; --normalize
# scales BEFORE to AFTER's total; `diff --folded` writes difffolded.pl's
# "stack before after" lines. Every expected value below is worked out by
# hand in the comments, not produced by bpflame.
#
# The inputs are built so that every frame with children has the same
# inclusive and the same own samples before and after: the expectations then
# hold whether a frame's delta counts its children or only itself.
import os
import re
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
import svgframes as sf  # noqa: E402

t = sf.Tap()
if not sf.has_svg_command():
	t.ok(False, "%s has a working `svg` subcommand" % sf.bpflame_path())
	t.done()
tmp = tempfile.mkdtemp(prefix="svg_diff.")


def write(name, text):
	path = os.path.join(tmp, name)
	with open(path, "w") as fh:
		fh.write(text)
	return path


def scaled(text, k):
	return "".join("%s %d\n" % (l.rsplit(" ", 1)[0], int(l.rsplit(" ", 1)[1]) * k)
		       for l in text.splitlines())


# Case A. Totals: before 90, after 90.
BEFORE_A = """main;a 10
main;b 20
main;c 30
main;d;x 10
main;d;y 10
main;e;gone 10
"""
AFTER_A = """main;a 20
main;b 10
main;c 30
main;d;x 15
main;d;y 5
main;e;new 10
"""
# name: (after samples, percent of 90, delta percent of 90, color)
#   a: 20/90 = 22.22%, +10/90 = +11.11%, red (largest change)
#   b: 10/90 = 11.11%, -10/90 = -11.11%, blue (largest change)
#   c: 30/90 = 33.33%, unchanged
#   x: 15/90 = 16.67%, +5/90 = +5.56%, red, half the largest change
#   y:  5/90 =  5.56%, -5/90 = -5.56%, blue, half the largest change
#   new: 10/90 = 11.11%, +10/90 = +11.11%, red (largest change)
#   d: 20 = 20, e: 10 = 10, main: 90 = 90: unchanged
EXPECT_A = {
	"a": (20, "22.22", "+11.11", "red"),
	"b": (10, "11.11", "-11.11", "blue"),
	"c": (30, "33.33", "0.00", "neutral"),
	"x": (15, "16.67", "+5.56", "red"),
	"y": (5, "5.56", "-5.56", "blue"),
	"new": (10, "11.11", "+11.11", "red"),
	"d": (20, "22.22", "0.00", "neutral"),
	"e": (10, "11.11", "0.00", "neutral"),
	"main": (90, "100.00", "0.00", "neutral"),
}


def kind(rgb):
	r, g, b = rgb
	if max(rgb) - min(rgb) <= 10:
		return "neutral"
	if r > max(g, b) + 20:
		return "red"
	if b > max(r, g) + 20:
		return "blue"
	return "other"


def saturation(rgb):
	r, g, b = rgb
	return max(r - max(g, b), b - max(r, g), 0)


def render_diff(name, before, after, args=()):
	out = os.path.join(tmp, name + ".svg")
	rc, so, se = sf.run(["diff", before, after, "-o", out] + list(args))
	svg = None
	if rc == 0 and os.path.exists(out):
		try:
			svg = sf.Svg(out)
		except Exception as e:
			se += "\nXML parse error: %r" % e
	return rc, svg, se


def delta_text(path):
	"""name -> delta string exactly as printed in each title."""
	txt = open(path, encoding="utf-8").read()
	out = {}
	for m in re.finditer(r"<title>([^<]*) \([\d,.]+ \w+, ([\d.]+)%; ([+-]?[\d.]+)%\)</title>",
			     txt):
		out.setdefault(m.group(1), []).append((m.group(2), m.group(3)))
	return out


def zero(s):
	return re.fullmatch(r"[+-]?0\.00", s) is not None


def check_case(label, svg, path, expect, total):
	byname = {}
	for f in svg.frames:
		byname.setdefault(f.name, []).append(f)
	t.ok(svg.root is not None and abs(svg.root.samples - total) < 1e-6,
	     "%s: drawn with AFTER's shape (root %s samples, want %d)" % (
		     label, svg.root.samples if svg.root else None, total))
	texts = delta_text(path)
	for name, (n, pct, delta, color) in expect.items():
		fs = byname.get(name, [])
		if not t.ok(len(fs) == 1, "%s: one frame %r" % (label, name),
			    "found %d" % len(fs)):
			continue
		f = fs[0]
		got = texts.get(name, [("?", "?")])[0]
		t.ok(f.samples == n and got[0] == pct,
		     "%s: %r shows %d samples, %s%%" % (label, name, n, pct),
		     "got %g samples, %s%%" % (f.samples, got[0]))
		dok = zero(got[1]) if zero(delta) else got[1] == delta
		t.ok(dok, "%s: %r tooltip delta %s%%" % (label, name, delta), "got %r" % (got[1],))
		rgb = sf.parse_rgb(f.fill)
		t.ok(rgb is not None and kind(rgb) == color, "%s: %r is %s" % (label, name, color),
		     "fill %r" % f.fill)
	return byname


# Case A: colors, deltas and scale.
ba, aa = write("before_a.folded", BEFORE_A), write("after_a.folded", AFTER_A)
rc, svg, se = render_diff("a", ba, aa)
if t.ok(rc == 0 and svg is not None, "diff BEFORE AFTER -o diff.svg renders (exit %d)" % rc, se):
	byname = check_case("diff", svg, os.path.join(tmp, "a.svg"), EXPECT_A, 90)
	t.ok("gone" not in byname, "a frame only in BEFORE is not drawn")

	def sat(n):
		return saturation(sf.parse_rgb(byname[n][0].fill) or (0, 0, 0))
	ok_ = all(n in byname for n in "abxy") and sat("a") > sat("x") > 0 and \
		sat("b") > sat("y") > 0
	t.ok(ok_, "a larger change gives a deeper color (a > x, b > y)",
	     "saturations a=%s x=%s b=%s y=%s" % tuple(
		     sat(n) if n in byname else None for n in "axby"))
	t.ok(ok_ and sat("a") == sat("new") and abs(sat("a") - sat("b")) <= 2,
	     "the largest changes, up or down, get the same depth of color")
	# Scaled by the largest change: ten times every count, same colors.
	b10 = write("before_a10.folded", scaled(BEFORE_A, 10))
	a10 = write("after_a10.folded", scaled(AFTER_A, 10))
	rc, svg10, se = render_diff("a10", b10, a10)
	if t.ok(rc == 0 and svg10 is not None, "diff of the inputs times ten renders", se):
		f1 = {f.name: f.fill for f in svg.frames}
		f10 = {f.name: f.fill for f in svg10.frames}
		t.is_(f10, f1, "colors scale with the largest change: "
		      "same colors at ten times the counts")

# Case B: --normalize. Totals: before 30, after 60.
BEFORE_B = "main;a 10\nmain;b 10\nmain;c 10\n"
AFTER_B = "main;a 20\nmain;b 30\nmain;c 10\n"
bb, ab = write("before_b.folded", BEFORE_B), write("after_b.folded", AFTER_B)
#   as is:      a +10 (+16.67%), b +20 (+33.33%), c 0
#   normalized: BEFORE x 60/30 = a 20, b 20, c 20: a 0, b +10 (+16.67%), c -10 (-16.67%)
rc, svg, se = render_diff("b", bb, ab)
if t.ok(rc == 0 and svg is not None, "diff without --normalize renders", se):
	check_case("diff", svg, os.path.join(tmp, "b.svg"), {
		"a": (20, "33.33", "+16.67", "red"),
		"b": (30, "50.00", "+33.33", "red"),
		"c": (10, "16.67", "0.00", "neutral")}, 60)
rc, svg, se = render_diff("bn", bb, ab, ["--normalize"])
if t.ok(rc == 0 and svg is not None, "diff --normalize renders", se):
	check_case("diff --normalize", svg, os.path.join(tmp, "bn.svg"), {
		"a": (20, "33.33", "0.00", "neutral"),
		"b": (30, "50.00", "+16.67", "red"),
		"c": (10, "16.67", "-16.67", "blue"),
		"main": (60, "100.00", "0.00", "neutral")}, 60)

# Case C: flamegraph.pl's meaning of a frame's delta, the change of the stacks
# that end in it (not of everything above it). Totals: before 10, after 25.
#   m;p;q 10 -> 20: q +10 (+40.00% of 25), the largest change
#   m;p    0 ->  5: p +5 (+20.00%), half the largest
#   m: no stack ends in m: 0.00, neutral
bc_ = write("before_own.folded", "m;p;q 10\n")
ac_ = write("after_own.folded", "m;p;q 20\nm;p 5\n")
rc, svg, se = render_diff("own", bc_, ac_)
if t.ok(rc == 0 and svg is not None, "diff of a parent with its own samples renders", se):
	check_case("diff (own samples)", svg, os.path.join(tmp, "own.svg"), {
		"q": (20, "80.00", "+40.00", "red"),
		"p": (25, "100.00", "+20.00", "red"),
		"m": (25, "100.00", "0.00", "neutral")}, 25)


# diff --folded: difffolded.pl's two-column output.
def folded_diff(args):
	rc, so, se = sf.run(["diff", "--folded"] + args)
	rows = {}
	bad = []
	for line in so.splitlines():
		m = re.fullmatch(r"(.+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)", line)
		if not m:
			bad.append(line)
			continue
		rows[m.group(1)] = (float(m.group(2)), float(m.group(3)))
	return rc, rows, bad, se


rc, rows, bad, se = folded_diff([ba, aa])
t.ok(rc == 0 and not bad, "diff --folded: exit 0, every line 'stack before after'",
     se + "\n".join(bad[:5]))
t.is_(rows, {"main;a": (10, 20), "main;b": (20, 10), "main;c": (30, 30),
	     "main;d;x": (10, 15), "main;d;y": (10, 5), "main;e;gone": (10, 0),
	     "main;e;new": (0, 10)}, "diff --folded: both counts per stack, 0 where absent")
rc, rows, bad, se = folded_diff(["--normalize", bb, ab])
t.ok(rc == 0 and not bad, "diff --folded --normalize: exit 0", se)
t.is_(rows, {"main;a": (20, 20), "main;b": (20, 30), "main;c": (20, 10)},
      "diff --folded --normalize: BEFORE scaled by 60/30")
# A scale that does not divide: 70/30. difffolded.pl truncates (23, 46);
# allow any value within one count of the exact 23.33 and 46.67.
bc = write("before_c.folded", "s;a 10\ns;b 20\n")
ac = write("after_c.folded", "s;a 35\ns;b 35\n")
rc, rows, bad, se = folded_diff(["--normalize", bc, ac])
near = rows.keys() == {"s;a", "s;b"} and abs(rows["s;a"][0] - 70 / 3) < 1 and \
	abs(rows["s;b"][0] - 140 / 3) < 1 and rows["s;a"][1] == 35 and rows["s;b"][1] == 35
t.ok(rc == 0 and near, "diff --folded --normalize 70/30: 10 -> ~23.3, 20 -> ~46.7", repr(rows))
# The two-column form reads back: `svg` of it is the differential graph.
rc, so, se = sf.run(["diff", "--folded", ba, aa])
two = write("two.folded", so)
out = os.path.join(tmp, "two.svg")
rc, so, se = sf.run(["svg", two, "-o", out])
if t.ok(rc == 0 and os.path.exists(out), "svg reads the two-column form", se):
	s2 = sf.Svg(out)
	got = {f.name: (f.samples, f.delta) for f in s2.frames if f.name in ("a", "b", "c")}
	t.ok(got.get("a") == (20, 11.11) and got.get("b") == (10, -11.11) and
	     got.get("c", (0, 1))[0] == 30 and abs(got["c"][1] or 0) < 0.005,
	     "svg of the two-column form draws AFTER with the deltas", repr(got))

# Errors: a missing input, and an empty AFTER.
rc, so, se = sf.run(["diff", ba, os.path.join(tmp, "nope.folded"), "-o",
		     os.path.join(tmp, "e.svg")])
t.ok(rc != 0 and "nope.folded" in se and not os.path.exists(os.path.join(tmp, "e.svg")),
     "diff with a missing input: error naming it, no output (exit %d)" % rc, se)
empty = write("empty.folded", "")
rc, so, se = sf.run(["diff", ba, empty, "-o", os.path.join(tmp, "e.svg")])
t.ok(rc == 2 and not os.path.exists(os.path.join(tmp, "e.svg")),
     "diff with an empty AFTER: exit 2, no output (exit %d)" % rc, se)

shutil.rmtree(tmp, ignore_errors=True)
t.done()
