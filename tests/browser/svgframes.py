"""svgframes: shared helpers of the tests/svg_*.t scripts (TAP output, running
bpflame, and reading the frames back out of a rendered SVG).

The SVG is read through its documented structure only: each drawn frame is a
<g> holding <title>NAME (N samples, P%)</title> (plus "; +D.DD%" in a
differential graph), a <rect> and a <text>; depth comes from the rect's y,
relative to the root frame "all". Nothing here imports bpflame's code, so the
tests check the renderer against an independent reading of its output.
"""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHARED = os.path.join(os.path.dirname(REPO), "shared")


class Tap:
	"""A minimal TAP producer: ok(), is_(), diag(), skip_all(), done()."""

	def __init__(self):
		self.n = 0
		self.failed = 0

	def ok(self, cond, name, diag=None):
		self.n += 1
		if not cond:
			self.failed += 1
		print("%sok %d - %s" % ("" if cond else "not ", self.n, name), flush=True)
		if not cond and diag:
			self.diag(diag)
		return bool(cond)

	def is_(self, got, want, name):
		return self.ok(got == want, name, "got:  %r\nwant: %r" % (got, want))

	def skip(self, name, why):
		self.n += 1
		print("ok %d - %s # SKIP %s" % (self.n, name, why), flush=True)

	def diag(self, text):
		for line in str(text).splitlines():
			print("# " + line, flush=True)

	def skip_all(self, why):
		print("1..0 # SKIP %s" % why, flush=True)
		sys.exit(0)

	def bail(self, why):
		print("Bail out! %s" % why, flush=True)
		sys.exit(255)

	def done(self):
		print("1..%d" % self.n, flush=True)
		sys.exit(1 if self.failed else 0)


def bpflame_path():
	return os.environ.get("BPFLAME") or os.path.join(REPO, "bpflame")


def run(args, stdin=None, timeout=300):
	"""Runs bpflame with args; returns (exit status, stdout, stderr) as text."""
	p = subprocess.run([bpflame_path()] + list(args), input=stdin, capture_output=True,
			   timeout=timeout, text=True, errors="replace")
	return p.returncode, p.stdout, p.stderr


def has_svg_command():
	"""True when this bpflame has a working `svg` subcommand."""
	if not os.access(bpflame_path(), os.X_OK):
		return False
	try:
		rc, out, err = run(["svg", "--help"], timeout=20)
	except (OSError, subprocess.TimeoutExpired):
		return False
	return rc == 0 and "svg" in (out + err)


TITLE_RE = re.compile(r"^(?P<name>.*) \((?P<n>[\d,]+(?:\.\d+)?) (?P<unit>[^,()]+?), "
		      r"(?P<pct>[\d.]+)%(?:; (?P<delta>[+-]?[\d.]+)%)?\)$", re.S)


class Frame:
	__slots__ = ("name", "samples", "pct", "delta", "x", "w", "y", "h", "fill", "label",
		     "depth", "parent", "children", "gid")

	def __repr__(self):
		return "Frame(%r d=%s x=%.2f w=%.2f n=%g)" % (
			self.name, self.depth, self.x, self.w, self.samples)


def _local(tag):
	return tag.rsplit("}", 1)[-1]


def _text(el):
	return "".join(el.itertext())


class Svg:
	"""A parsed flame graph: width, height, ids (id -> element), frames, root."""

	def __init__(self, path):
		self.size = os.path.getsize(path)
		tree = ET.parse(path)
		self.svg = tree.getroot()
		self.tag = _local(self.svg.tag)
		self.width = float(self.svg.get("width", "nan"))
		self.height = float(self.svg.get("height", "nan"))
		self.ids = {}
		for el in self.svg.iter():
			if el.get("id"):
				self.ids[el.get("id")] = el
		self.bad_titles = []
		self.frames = []
		container = self.ids.get("frames", self.svg)
		for g in container.iter():
			if _local(g.tag) != "g":
				continue
			kids = {}
			for c in g:
				kids.setdefault(_local(c.tag), c)
			if "title" not in kids or "rect" not in kids:
				continue
			title = _text(kids["title"])
			m = TITLE_RE.match(title)
			if not m:
				self.bad_titles.append(title)
				continue
			f = Frame()
			f.name = m.group("name")
			f.samples = float(m.group("n").replace(",", ""))
			f.pct = float(m.group("pct"))
			f.delta = float(m.group("delta")) if m.group("delta") is not None else None
			r = kids["rect"]
			f.x = float(r.get("x"))
			f.w = float(r.get("width"))
			f.y = float(r.get("y"))
			f.h = float(r.get("height"))
			f.fill = r.get("fill")
			f.label = _text(kids["text"]) if "text" in kids else None
			f.gid = g.get("id")
			f.depth = None
			f.parent = None
			f.children = []
			self.frames.append(f)
		roots = [f for f in self.frames if f.name == "all"]
		self.root = max(roots, key=lambda f: f.w) if roots else None
		self.levels = []
		self.inverted = False
		if self.root:
			ys = sorted(set(round(f.y, 3) for f in self.frames))
			self.inverted = round(self.root.y, 3) == ys[0] and len(ys) > 1
			if not self.inverted:
				ys.reverse()
			self.levels = ys
			index = {y: i for i, y in enumerate(ys)}
			for f in self.frames:
				f.depth = index[round(f.y, 3)]
		self._link()

	def _link(self):
		"""Gives each frame its parent: the frame one level nearer the root
		whose x range holds the frame's (left edge within 0.01 px)."""
		bydepth = {}
		for f in self.frames:
			bydepth.setdefault(f.depth, []).append(f)
		for fs in bydepth.values():
			fs.sort(key=lambda f: f.x)
		self.bydepth = bydepth
		for d, fs in bydepth.items():
			if d is None or d == 0:
				continue
			ps = bydepth.get(d - 1, [])
			j = 0
			for f in fs:
				while j + 1 < len(ps) and ps[j + 1].x <= f.x + 0.01:
					j += 1
				if ps and ps[j].x <= f.x + 0.01:
					f.parent = ps[j]
					ps[j].children.append(f)

	def path(self, f):
		"""The names from the frame below the root down to f."""
		names = []
		while f is not None and f is not self.root:
			names.append(f.name)
			f = f.parent
		return tuple(reversed(names))


def parse_rgb(fill):
	"""Returns (r, g, b) for "rgb(r,g,b)" or "#rrggbb", None otherwise."""
	if fill is None:
		return None
	m = re.match(r"^\s*rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)\s*$", fill)
	if m:
		return tuple(int(v) for v in m.groups())
	m = re.match(r"^\s*#([0-9a-fA-F]{6})\s*$", fill)
	if m:
		h = m.group(1)
		return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))
	return None


def read_folded(text):
	"""Parses folded lines "a;b;c N" into a list of (tuple(frames), count)."""
	out = []
	for line in text.splitlines():
		if not line.strip():
			continue
		stack, _, count = line.rstrip().rpartition(" ")
		out.append((tuple(stack.split(";")), float(count)))
	return out


def strip_annotation(name):
	"""flamegraph.pl shows "foo_[k]" as "foo" (likewise _[j], _[i], _[w])."""
	return re.sub(r"_\[[kwij]\]$", "", name)
