#!/usr/bin/env python3
# svg_invariants.t: structural invariants of `bpflame svg` on random folded
# inputs (fixed seeds, several sizes), checked against a small model of
# flamegraph.pl's layout written here (merge by common prefix, siblings in
# name order; flame charts merge only adjacent stacks in input order), for
# the default, --inverted, --reverse, --flamechart, --sort-by-weight and
# --width/--minwidth variants; then options, colors and bad input: malformed
# lines reported with their line numbers and skipped, --strict rejecting with
# exit 2, empty input exiting 2 without writing an output file, hostile lines.
import colorsys
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "browser"))
import svgframes as sf  # noqa: E402

XPAD_TOL = 0.1 + 1e-6  # coordinates are printed with at least one decimal
t = sf.Tap()
if not sf.has_svg_command():
	t.ok(False, "%s has a working `svg` subcommand" % sf.bpflame_path())
	t.done()
tmp = tempfile.mkdtemp(prefix="svg_inv.")

# Go-like names, XML-special characters included. No name is a prefix of
# another, so name order and flamegraph.pl's whole-line sort order agree.
PKGS = ["runtime", "net/http", "encoding/json", "crypto/tls", "k8s.io/apiserver/pkg/server",
	"main", "sync", "syscall", "compress/gzip", "google.golang.org/grpc"]
FUNCS = ["mallocgc", "(*Server).Serve", "Unmarshal", "(*Conn).Read", "handle<T>", "a&b",
	 "gcBgMarkWorker", "\"quoted\"", "systemstack", "(*Mutex).Lock", "write", "futex"]


def vocabulary():
	names = sorted(set("%s.%s" % (p, f) for p in PKGS for f in FUNCS))
	names += ["entry_SYSCALL_64_[k]", "do_syscall_x64_[k]", "inlined.helper_[i]",
		  "[unknown]"]
	return [n for n in names if not any(o != n and o.startswith(n) for o in names)]


VOCAB = vocabulary()


def gen_stacks(seed, nstacks, maxdepth, fractional=False):
	"""Random stacks sharing prefixes the way real profiles do."""
	rng = random.Random(seed)
	roots = ["proc-%d" % i for i in range(3)]
	lines = []
	prev = []
	for _ in range(nstacks):
		if prev and rng.random() < 0.7:
			keep = rng.randint(1, len(prev))
			stack = prev[:keep]
		else:
			stack = [rng.choice(roots)]
		while len(stack) < maxdepth and rng.random() < 0.8:
			stack.append(rng.choice(VOCAB))
		if fractional:
			count = rng.randint(1, 40) * 0.25
		else:
			count = rng.choice([1, 1, 1, 2, 3, 5, 10, 100, rng.randint(1, 5000)])
		lines.append((tuple(stack), count))
		prev = stack
	return lines


def fmt_count(c):
	return ("%d" % c) if float(c).is_integer() else repr(c)


def write_folded(path, lines):
	with open(path, "w", encoding="utf-8") as fh:
		for stack, count in lines:
			fh.write("%s %s\n" % (";".join(stack), fmt_count(count)))


class Node:
	__slots__ = ("name", "samples", "start", "children", "order")

	def __init__(self, name, start=0.0):
		self.name = name
		self.samples = 0.0
		self.start = start
		self.children = []
		self.order = {}


def model(lines, chart=False, reverse=False):
	"""flamegraph.pl's merge. Returns the root Node; node.start is the time
	offset of its left edge. Graphs merge every equal prefix and order
	siblings by name, a frame's own samples left of its children; charts
	keep input order and merge adjacent stacks only."""
	if reverse:
		lines = [(tuple(reversed(s)), c) for s, c in lines]
	root = Node("all")
	if not chart:
		for stack, count in lines:
			n = root
			n.samples += count
			for name in stack:
				if name not in n.order:
					n.order[name] = Node(name)
					n.children.append(n.order[name])
				n = n.order[name]
				n.samples += count

		def place(n, start):
			# flamegraph.pl sorts whole lines: "a 5" comes before "a;b 3",
			# so a frame's own samples sit left of its children.
			n.start = start
			n.children.sort(key=lambda c: c.name)
			start += n.samples - sum(c.samples for c in n.children)
			for c in n.children:
				place(c, start)
				start += c.samples
		place(root, 0.0)
		return root
	t_ = 0.0
	open_ = []  # currently open nodes below the root
	for stack, count in lines:
		same = 0
		while same < len(open_) and same < len(stack) and open_[same].name == stack[same]:
			same += 1
		del open_[same:]
		for name in stack[same:]:
			parent = open_[-1] if open_ else root
			n = Node(name, t_)
			parent.children.append(n)
			open_.append(n)
		root.samples += count
		for n in open_:
			n.samples += count
		t_ += count
	return root


def model_frames(root, width, minwidth, xpad=10.0):
	"""Drawn frames as {path: [(x, w, samples)]} for an image width."""
	wpt = (width - 2 * xpad) / root.samples
	out = {}

	def walk(n, path):
		if n.samples * wpt < minwidth:
			return
		out.setdefault(path, []).append((xpad + n.start * wpt, n.samples * wpt, n.samples))
		for c in n.children:
			walk(c, path + (sf.strip_annotation(c.name),))
	walk(root, ())
	return out


def render(name, lines_or_path, args=()):
	if isinstance(lines_or_path, str):
		src = lines_or_path
	else:
		src = os.path.join(tmp, name + ".folded")
		write_folded(src, lines_or_path)
	out = os.path.join(tmp, name + ".svg")
	if os.path.exists(out):
		os.unlink(out)
	rc, so, se = sf.run(["svg", src, "-o", out] + list(args))
	svg = None
	if rc == 0 and os.path.exists(out):
		try:
			svg = sf.Svg(out)
		except Exception as e:
			se += "\nXML parse error: %r" % e
	return rc, svg, se


def structural(svg, total, stol, minwidth=0.1):
	"""Model-free invariants; returns a list of problems."""
	p = []
	if svg.root is None:
		return ["no root frame 'all'"]
	if abs(svg.root.samples - total) > stol:
		p.append("root samples %g, input total %g" % (svg.root.samples, total))
	scale = svg.root.w / svg.root.samples
	for f in svg.frames:
		if f is svg.root:
			continue
		if f.w < minwidth - 0.05:
			p.append("%r drawn %.3f px wide, under minwidth %g" % (f, f.w, minwidth))
		if abs(f.w - f.samples * scale) > XPAD_TOL + stol * scale:
			p.append("%r width not proportional to samples" % f)
		par = f.parent
		if par is None:
			p.append("%r lies within no frame one level nearer the root" % f)
			continue
		if f.x < par.x - XPAD_TOL or f.x + f.w > par.x + par.w + XPAD_TOL:
			p.append("%r sticks out of its parent %r" % (f, par))
	for f in svg.frames:
		if not f.children:
			continue
		kids = sorted(f.children, key=lambda c: c.x)
		if sum(c.w for c in kids) > f.w + XPAD_TOL:
			p.append("children of %r are %.2f px wide in all" % (
				f, sum(c.w for c in kids)))
		if sum(c.samples for c in kids) > f.samples + stol * len(kids):
			p.append("children of %r have %g samples in all" % (
				f, sum(c.samples for c in kids)))
		for a, b in zip(kids, kids[1:]):
			if a.x + a.w > b.x + XPAD_TOL:
				p.append("siblings %r and %r overlap" % (a, b))
	return p


def against_model(svg, want, stol):
	"""Compares the SVG's frames (by path from the root) with the model's."""
	got = {}
	for f in svg.frames:
		got.setdefault(svg.path(f), []).append((f.x, f.w, f.samples))
	p = []
	for path in sorted(set(want) | set(got)):
		w = sorted(want.get(path, []))
		g = sorted(got.get(path, []))
		if len(w) != len(g):
			p.append("%s: %d frames drawn, want %d" % (
				"/".join(path) or "all", len(g), len(w)))
			continue
		for (wx, ww, wn), (gx, gw, gn) in zip(w, g):
			if abs(wx - gx) > XPAD_TOL or abs(ww - gw) > XPAD_TOL or \
					abs(wn - gn) > stol:
				p.append("%s: got x=%.2f w=%.2f n=%g, want x=%.2f w=%.2f n=%g" % (
					"/".join(path) or "all", gx, gw, gn, wx, ww, wn))
	return p


def check(label, lines, args=(), chart=False, reverse=False, width=1200.0, minwidth=0.1,
	  fractional=False):
	rc, svg, se = render(label.replace(" ", "_"), lines, args)
	if not t.ok(rc == 0 and svg is not None, "%s: renders (exit %d)" % (label, rc),
		    se[-1500:]):
		return None
	total = sum(c for _, c in lines)
	# flamegraph.pl prints counts rounded to integers: allow that for fractions.
	stol = 0.5 + 1e-9 if fractional else 1e-6 * max(1.0, total)
	p = structural(svg, total, stol, minwidth)
	t.ok(not p, "%s: %d frames nest inside their parents, widths add up, root = total" % (
		label, len(svg.frames)), "\n".join(p[:10]))
	p = against_model(svg, model_frames(model(lines, chart, reverse), width, minwidth), stol)
	t.ok(not p, "%s: frames, samples, x and width match the model" % label, "\n".join(p[:10]))
	return svg


def sibling_names_sorted(svg):
	bad = []
	for f in svg.frames:
		names = [c.name for c in sorted(f.children, key=lambda c: c.x)]
		if names != sorted(names):
			bad.append("children of %r: %s" % (f, names[:6]))
	return bad


SIZES = [(1, 10, 6, False), (2, 200, 12, False), (3, 3000, 40, False), (4, 400, 10, True)]
for seed, n, depth, frac in SIZES:
	lines = gen_stacks(seed, n, depth, frac)
	tag = "seed %d, %d stacks%s" % (seed, n, ", fractional" if frac else "")
	svg = check(tag, lines, fractional=frac)
	if svg is not None:
		t.ok(not svg.inverted and svg.root.depth == 0, "%s: root at the bottom" % tag)
		bad = sibling_names_sorted(svg)
		t.ok(not bad, "%s: siblings in name order" % tag, "\n".join(bad[:5]))
	if seed == 4:
		continue
	inv = check(tag + " --inverted", lines, ["--inverted"])
	if inv is not None:
		t.ok(inv.inverted, "%s --inverted: root at the top" % tag)
	check(tag + " --reverse", lines, ["--reverse"], reverse=True)
	check(tag + " --flamechart", lines, ["--flamechart"], chart=True)
	wt = os.path.join(tmp, "w.svg")
	rc, so, se = sf.run(["svg", os.path.join(tmp, tag.replace(" ", "_") + ".folded"),
			     "-o", wt, "--sort-by-weight"])
	if t.ok(rc == 0, "%s --sort-by-weight: renders" % tag, se):
		ws = sf.Svg(wt)
		total = sum(c for _, c in lines)
		p = structural(ws, total, 1e-6 * total)
		bad = []
		for f in ws.frames:
			kids = [c.samples for c in sorted(f.children, key=lambda c: c.x)]
			if kids != sorted(kids, reverse=True):
				bad.append("children of %r: %s" % (f, kids[:8]))
		want = model_frames(model(lines), 1200, 0.1)
		got = {}
		for f in ws.frames:
			got.setdefault(ws.path(f), []).append(f.samples)
		same = {k: sorted(n for _, _, n in v) for k, v in want.items()} == \
			{k: sorted(v) for k, v in got.items()}
		t.ok(not p and not bad and same,
		     "%s --sort-by-weight: heaviest sibling first, same frames" % tag,
		     "\n".join((p + bad)[:10]) + ("" if same else "\nframe set differs"))
	if seed == 2:
		check(tag + " --width 800 --minwidth 2", lines,
		      ["--width", "800", "--minwidth", "2"], width=800.0, minwidth=2.0)
		# A percentage is of the whole graph: 5% of 1180 px.
		check(tag + " --minwidth 5%", lines, ["--minwidth", "5%"], minwidth=0.05 * 1180)

# Options shown in the SVG.
small = gen_stacks(7, 30, 5)
rc, svg, se = render("opts", small, ["--title", "T <1> & co", "--subtitle", "sub & title",
				     "--countname", "bytes", "--width", "900"])
if t.ok(rc == 0 and svg is not None, "--title/--subtitle/--countname/--width: renders", se):
	texts = ["".join(e.itertext()) for e in svg.svg.iter() if e.tag.endswith("text")]
	t.ok("T <1> & co" in texts, "--title text drawn (escaped correctly)", repr(texts[:6]))
	t.ok("sub & title" in texts, "--subtitle text drawn", repr(texts[:6]))
	raw = open(os.path.join(tmp, "opts.svg"), encoding="utf-8").read()
	units = set(re.findall(r"\(\d[\d,.]* (\w+), [\d.]+%\)", raw))
	t.is_(units, {"bytes"}, "--countname names the unit in every tooltip")
	t.is_(svg.width, 900.0, "--width sets the <svg> width")
	ids = {"frames", "search", "matched", "unzoom", "details", "ignorecase"}
	t.ok(ids <= set(svg.ids), "ids frames/search/matched/unzoom/details/ignorecase present",
	     "missing %s" % sorted(ids - set(svg.ids)))

# Colors: every palette renders valid colors; a name keeps its color across graphs.
palettes = ["hot", "mem", "io", "java", "js", "perl", "red", "green", "blue", "aqua", "yellow",
	    "purple", "orange"]
other = gen_stacks(8, 60, 6)
for pal in [None] + palettes:
	args = [] if pal is None else ["--colors", pal]
	rc1, s1, se1 = render("pal1", small, args)
	rc2, s2, se2 = render("pal2", other, args)
	name = pal or "default"
	if not t.ok(rc1 == 0 and rc2 == 0 and s1 and s2, "--colors %s: renders" % name, se1 + se2):
		continue
	fills = {}
	bad = []
	for s in (s1, s2):
		for f in s.frames:
			rgb = sf.parse_rgb(f.fill)
			if rgb is None or max(rgb) > 255:
				bad.append("%r fill %r" % (f, f.fill))
			elif f.name != "all":
				fills.setdefault(f.name, set()).add(rgb)
	multi = {k: v for k, v in fills.items() if len(v) > 1}
	t.ok(not bad and not multi, "--colors %s: valid fills, one color per name in both graphs"
	     % name, "\n".join(bad[:5]) + "\n" + repr(list(multi.items())[:5]))


# flamegraph.pl's own colors for hot, mem, io and red: Perl seeds drand48
# with the sum of the name's characters (annotation included) and draws once.
def perl_rand(name):
	x = (((sum(ord(c) for c in name) & 0xFFFFFFFF) << 16) + 0x330E) & ((1 << 48) - 1)
	x = (0x5DEECE66D * x + 0xB) & ((1 << 48) - 1)
	return x / float(1 << 48)


PERL_PALETTES = {
	"hot": lambda v: (205 + int(50 * v), int(230 * v), int(55 * v)),
	"mem": lambda v: (0, 190 + int(50 * v), int(210 * v)),
	"io": lambda v: (80 + int(60 * v), 80 + int(60 * v), 190 + int(55 * v)),
	"red": lambda v: (200 + int(55 * v), 50 + int(80 * v), 50 + int(80 * v)),
}
raw_of = {sf.strip_annotation(n): n for n in VOCAB + ["proc-%d" % i for i in range(3)]}
for pal, fn in PERL_PALETTES.items():
	rc, s, se = render("perlpal", small, ["--colors", pal])
	if not t.ok(rc == 0 and s is not None, "--colors %s renders" % pal, se):
		continue
	bad = ["%s: %r, want %r" % (f.name, sf.parse_rgb(f.fill), fn(perl_rand(raw_of[f.name])))
	       for f in s.frames if f.name in raw_of and
	       sf.parse_rgb(f.fill) != fn(perl_rand(raw_of[f.name]))]
	t.ok(not bad, "--colors %s: flamegraph.pl's color for every frame" % pal, "\n".join(bad[:5]))

# The default Go palette: a hue per Go module, kernel frames in one family,
# inlined frames in another, unknown frames grey.
GO = {
	"k8s.io/apiserver": ["k8s.io/apiserver/pkg/server.(*Config).Complete",
			     "k8s.io/apiserver/pkg/endpoints/handlers.ServeHTTP"],
	"encoding/json": ["encoding/json.Unmarshal", "encoding/json.(*decodeState).object"],
	"runtime": ["runtime.mallocgc", "runtime.gcBgMarkWorker"],
	"net/http": ["net/http.(*conn).serve", "net/http.HandlerFunc.ServeHTTP"],
	"crypto/tls": ["crypto/tls.(*Conn).Read", "crypto/tls.(*Conn).Write"],
	"kernel": ["entry_SYSCALL_64_[k]", "do_syscall_64_[k]", "tcp_sendmsg_[k]"],
	"inlined": ["runtime.add_[i]", "encoding/json.isSpace_[i]", "net/http.foo_[i]"],
	"unknown": ["[unknown]"],
}
go_in = []
for i, (grp, names) in enumerate(sorted(GO.items())):
	for j, n in enumerate(names):
		go_in.append((("svc", "main.main", n), 10 + i + j))
rc, s, se = render("gopal", go_in)
if t.ok(rc == 0 and s is not None, "default palette renders Go frames", se):
	hue = {}
	rgb_of = {}
	for f in s.frames:
		rgb = sf.parse_rgb(f.fill)
		rgb_of[f.name] = rgb
		h, l_, sat_ = colorsys.rgb_to_hls(*(c / 255.0 for c in rgb))
		hue[f.name] = h * 360

	def hdist(a, b):
		d = abs(a - b) % 360
		return min(d, 360 - d)

	def group_hues(grp):
		return [hue[sf.strip_annotation(n)] for n in GO[grp]]
	spread = {g: max(hdist(a, b) for a in group_hues(g) for b in group_hues(g))
		  for g in GO if g != "unknown"}
	t.ok(all(v <= 12 for g, v in spread.items() if g not in ("kernel", "inlined")),
	     "default palette: one hue per Go module (within 12 degrees)", repr(spread))
	t.ok(spread["kernel"] <= 30 and spread["inlined"] <= 30,
	     "default palette: kernel frames one family, inlined frames one family", repr(spread))
	pk = ["k8s.io/apiserver", "encoding/json", "runtime", "net/http", "crypto/tls"]
	close = [(a, b) for a in pk for b in pk if a < b and
		 hdist(group_hues(a)[0], group_hues(b)[0]) < 10]
	t.ok(not close, "default palette: k8s.io/apiserver, encoding/json, runtime, net/http, "
	     "crypto/tls on distinct hues", repr(close) + " " + repr(
		     {p: round(group_hues(p)[0]) for p in pk}))
	t.ok(hdist(group_hues("kernel")[0], group_hues("inlined")[0]) >= 40,
	     "default palette: kernel and inlined families are told apart",
	     "kernel %.0f, inlined %.0f" % (group_hues("kernel")[0], group_hues("inlined")[0]))
	u = rgb_of.get("[unknown]")
	t.ok(u is not None and max(u) - min(u) <= 16, "default palette: unknown frames grey (%r)"
	     % (u,))
rc, so, se = sf.run(["svg", os.path.join(tmp, "opts.folded"), "-o", os.path.join(tmp, "x.svg"),
		     "--colors", "no-such-palette"])
t.ok(rc == 2 and not os.path.exists(os.path.join(tmp, "x.svg")),
     "--colors no-such-palette: exit 2, no output (exit %d)" % rc, se)

# Standard input gives the same graph as the file.
src = os.path.join(tmp, "opts.folded")
out_stdin = os.path.join(tmp, "stdin.svg")
with open(src, encoding="utf-8") as fh:
	p = subprocess.run([sf.bpflame_path(), "svg", "-", "-o", out_stdin, "--title", "x"],
			   stdin=fh, capture_output=True, text=True)
rc, svg_file, se = render("fromfile", src, ["--title", "x"])
if t.ok(p.returncode == 0 and os.path.exists(out_stdin) and svg_file is not None,
	"reads standard input with '-'", p.stderr):
	a = sorted((f.name, f.samples, round(f.x, 2)) for f in sf.Svg(out_stdin).frames)
	b = sorted((f.name, f.samples, round(f.x, 2)) for f in svg_file.frames)
	t.ok(a == b and len(a) > 5, "standard input and file give the same frames")

# Malformed lines: reported with their line numbers and skipped.
good = ["main;a;b 10", "main;a;c 5", "main;d 2.5"]
bad_lines = {2: "no_count_here", 4: "main;x notanumber", 6: "main;y 12abc", 7: "main;z -3"}
text = []
g = iter(good)
for i in range(1, 8):
	text.append(bad_lines[i] if i in bad_lines else next(g))
mal = os.path.join(tmp, "malformed.folded")
with open(mal, "w") as fh:
	fh.write("\n".join(text) + "\n")
rc, svg, se = render("malformed", mal)
t.ok(rc == 0 and svg is not None, "malformed lines skipped: still renders (exit %d)" % rc, se)
missing = [n for n in bad_lines if not re.search(r"(:%d:|line %d\b)" % (n, n), se)]
t.ok(not missing, "each malformed line reported with its line number",
     "not reported: %s\nstderr:\n%s" % (missing, se))
extra = [n for n in range(1, 8)
	 if n not in bad_lines and re.search(r":%d:|line %d\b" % (n, n), se)]
t.ok(not extra, "valid lines are not reported", se)
if svg is not None and svg.root is not None:
	t.ok(abs(svg.root.samples - 17.5) <= 0.5, "only valid lines counted (root %g, want 17.5)"
	     % svg.root.samples)
	t.ok(not any(f.name in ("x", "y", "z", "no_count_here") for f in svg.frames),
	     "malformed lines draw no frames")
out = os.path.join(tmp, "strict.svg")
rc, so, se = sf.run(["svg", mal, "-o", out, "--strict"])
t.ok(rc == 2, "--strict rejects malformed input with exit 2 (exit %d)" % rc, se)
t.ok(re.search(r"(:2:|line 2\b)", se) is not None, "--strict names the first bad line", se)
t.ok(not os.path.exists(out), "--strict writes no output file")

# Empty input: a clear error, exit 2, no output file.
for label, content in [("empty file", ""), ("blank lines", "\n\n  \n"),
		       ("only malformed lines", "foo\nbar;baz\n")]:
	src = os.path.join(tmp, "empty.folded")
	with open(src, "w") as fh:
		fh.write(content)
	out = os.path.join(tmp, "empty.svg")
	rc, so, se = sf.run(["svg", src, "-o", out])
	t.ok(rc == 2 and not os.path.exists(out) and "error" in se,
	     "%s: exit 2 (got %d), an error message, no output file" % (label, rc), se)
out = os.path.join(tmp, "empty-stdin.svg")
rc, so, se = sf.run(["svg", "-", "-o", out], stdin="")
t.ok(rc == 2 and not os.path.exists(out), "empty standard input: exit 2, no output (exit %d)"
     % rc, se)
out = os.path.join(tmp, "missing.svg")
rc, so, se = sf.run(["svg", os.path.join(tmp, "does-not-exist.folded"), "-o", out])
t.ok(rc != 0 and not os.path.exists(out) and "does-not-exist" in se,
     "missing input file: an error naming it, no output (exit %d)" % rc, se)

# Hostile lines: a very long name, a very deep stack, control bytes and
# invalid UTF-8. No crash; when it renders, the SVG is well-formed XML.
hostile = [b"main;" + b"L" * 200000 + b" 3\n",
	   b";".join(b"f%d" % (i % 7) for i in range(5000)) + b" 2\n",
	   b"main;ctl\x01\x1b[31m;bad\xff\xfeutf8 4\n",
	   b"main;nul\x00byte 1\n",
	   b"main;" + b";" * 100 + b" 1\n",
	   b"main;ok 5\n"]
src = os.path.join(tmp, "hostile.folded")
with open(src, "wb") as fh:
	fh.write(b"".join(hostile))
out = os.path.join(tmp, "hostile.svg")
try:
	p = subprocess.run([sf.bpflame_path(), "svg", src, "-o", out], capture_output=True,
			   timeout=120)
	rc = p.returncode
	err = p.stderr.decode("utf-8", "replace")
except subprocess.TimeoutExpired:
	rc, err = -999, "timed out after 120 s"
t.ok(rc in (0, 2), "hostile input: exits 0 or 2, no crash or hang (exit %d)" % rc, err[-1500:])
if rc == 0:
	try:
		hs = sf.Svg(out)
		ok_ = hs.root is not None and hs.root.samples >= 5
		why = "root %r" % hs.root
	except Exception as e:
		ok_, why = False, repr(e)
	t.ok(ok_, "hostile input: output is well-formed XML with a root frame", why)
	t.ok(os.path.getsize(out) < 50 * 1024 * 1024, "hostile input: output size bounded (%d)"
	     % os.path.getsize(out))

shutil.rmtree(tmp, ignore_errors=True)
t.done()
