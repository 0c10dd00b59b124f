#!/usr/bin/env python3
# svg_browser.t: a rendered flame graph in a real browser (Debian's headless
# chromium, driven through Debian's chromedriver by tests/browser/webdriver.py).
# Renders ../shared/testdata/flamegraph/example-perf.folded, serves it from a
# localhost HTTP server, then: searches (button + prompt, and Ctrl-F) and
# checks "Matched: x%" against the share of samples computed here from the
# folded input (nested matches counted once), checks the matched frames are
# highlighted, toggles case-insensitivity, clicks a frame and checks it spans
# the full width with its ancestors kept, checks the URL keeps zoom and search
# and that loading that URL restores both, resets the zoom, and opens the
# file from file:// too. Screenshots go to build/artifacts/.
# Skips (TAP skip) when chromium or chromedriver is not installed.
# Everything runs on 127.0.0.1 (no name lookup: a chroot may have no
# /etc/hosts); chromium, chromedriver and their files live in one temporary
# directory, removed at exit with both process groups killed, on failure and
# on SIGTERM/SIGINT/SIGHUP too.
import atexit
import functools
import http.server
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.join(HERE, "browser"))
import svgframes as sf  # noqa: E402
import webdriver as wd  # noqa: E402

t = sf.Tap()
found = wd.find_browser()
if not found:
	t.skip_all("chromium and chromedriver not installed (apt-get install chromium "
		   "chromium-driver)")
if not sf.has_svg_command():
	t.ok(False, "%s has a working `svg` subcommand" % sf.bpflame_path())
	t.done()

ARTIFACTS = os.path.join(sf.REPO, "build", "artifacts")
os.makedirs(ARTIFACTS, exist_ok=True)
folded = os.path.join(sf.SHARED, "testdata", "flamegraph", "example-perf.folded")
if not os.path.exists(folded):
	t.ok(False, "test data present: %s" % folded)
	t.done()
tmp = tempfile.mkdtemp(prefix="svg_browser.")
browser = None


def cleanup():
	if browser is not None:
		browser.close()
	shutil.rmtree(tmp, ignore_errors=True)


atexit.register(cleanup)


def on_signal(sig, frame):
	sys.exit(128 + sig)  # runs the atexit cleanup


for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
	signal.signal(s, on_signal)
svg_path = os.path.join(tmp, "graph.svg")
rc, so, se = sf.run(["svg", folded, "-o", svg_path, "--title", "svg_browser.t"])
if not t.ok(rc == 0 and os.path.exists(svg_path), "renders example-perf.folded (exit %d)" % rc,
	    se):
	t.done()
shutil.copy(svg_path, os.path.join(ARTIFACTS, "svg_browser.svg"))

# The expected search results, from the folded input: a stack matches when
# any of its frames does; its samples count once however many frames match.
stacks = sf.read_folded(open(folded, encoding="utf-8", errors="replace").read())
total = sum(c for _, c in stacks)


def share(regex, flags=0):
	r = re.compile(regex, flags)
	hit = sum(c for s, c in stacks if any(r.search(sf.strip_annotation(n)) for n in s))
	naive = sum(c * sum(1 for n in s if r.search(sf.strip_annotation(n))) for s, c in stacks)
	return 100.0 * hit / total, 100.0 * naive / total


REGEX = "tcp_"
want_pct, naive_pct = share(REGEX)
# The input nests tcp_ frames (tcp_sendmsg above tcp_push...): counting each
# matched frame would give over 100%, so the check below can tell.
t.ok(naive_pct > want_pct + 10, "fixture: %r matches nested frames (%.1f%% once, %.1f%% summed)"
     % (REGEX, want_pct, naive_pct))

# Information about every frame, read in the page: title, on-screen box,
# computed fill and whether it is displayed.
FRAMES_JS = """
var out = [];
var gs = document.querySelectorAll('#frames g');
for (var i = 0; i < gs.length; i++) {
	var g = gs[i], title = null, rect = null;
	for (var c = g.firstElementChild; c; c = c.nextElementSibling) {
		if (c.localName == 'title' && !title) title = c.textContent;
		if (c.localName == 'rect' && !rect) rect = c;
	}
	if (!title || !rect) continue;
	var b = rect.getBoundingClientRect();
	out.push({title: title, x: b.left, w: b.width, y: b.top, h: b.height,
		fill: getComputedStyle(rect).fill,
		shown: b.width > 0 && getComputedStyle(g).display != 'none' &&
			getComputedStyle(rect).display != 'none'});
}
return out;
"""
MATCHED_JS = """
var m = document.getElementById('matched');
return m ? m.textContent : null;
"""


def frames(b):
	return b.run(FRAMES_JS)


def name_of(title):
	m = sf.TITLE_RE.match(title)
	return m.group("name") if m else title


def matched_pct(b):
	txt = b.wait_for("var m = document.getElementById('matched');"
			 "return m && /Matched: *[0-9.]+ *%/.test(m.textContent) ? "
			 "m.textContent : null;",
			 10)
	m = re.search(r"Matched: *([0-9.]+) *%", txt or "")
	return (float(m.group(1)), m.group(1), txt) if m else (None, None, txt)


def pct_ok(shown, digits, want):
	"""The shown value equals want rounded to the digits shown."""
	if shown is None:
		return False
	decimals = len(digits.split(".")[1]) if "." in digits else 0
	return abs(shown - want) <= 0.5 * 10 ** -decimals + 1e-9


def root_of(fs):
	roots = [f for f in fs if name_of(f["title"]) == "all"]
	return max(roots, key=lambda f: f["w"]) if roots else None


def search(b, regex, how="button"):
	"""Opens the search prompt with the button or Ctrl-F and answers it.
	While a search is active the first press may clear it instead
	(flamegraph.pl's way), so press again when no prompt opened."""
	for attempt in range(2):
		if how == "button":
			b.click(b.find("#search"))
		else:
			b.keys("\ue009", "f")  # Ctrl-F
		for _ in range(15):
			if b.alert_text() is not None:
				b.answer_prompt(regex)
				return True
			time.sleep(0.1)
	return False


def frames_when(b, want, timeout=10.0):
	"""Reads the frames until want(frames) holds or timeout passes (the
	page may apply a zoom after its load event); returns the last read."""
	deadline = time.time() + timeout * wd.WAIT_SCALE
	while True:
		fs = frames(b)
		if want(fs) or time.time() > deadline:
			return fs
		time.sleep(0.1)


def width_of(fs, title):
	z = [f for f in fs if f["title"] == title]
	return z[0]["w"] if z else None


class Quiet(http.server.SimpleHTTPRequestHandler):
	def log_message(self, *args):
		pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
					 functools.partial(Quiet, directory=tmp))
threading.Thread(target=server.serve_forever, daemon=True).start()
page = "http://127.0.0.1:%d/graph.svg" % server.server_address[1]

try:
	browser = wd.Browser(*found, workdir=tmp, log_path=os.path.join(tmp, "chromedriver.log"))
except wd.WebDriverError as e:
	log = open(os.path.join(tmp, "chromedriver.log"), errors="replace").read()
	t.ok(False, "chromium starts under chromedriver", str(e) + "\n" + log[-2000:])
	t.done()


def scenario(b):
	b.get(page)
	ready = b.wait_for("return document.querySelectorAll('#frames g').length > 0 && "
			   "document.readyState == 'complete';", 15)
	t.ok(ready, "the SVG opens from a localhost server and draws its frames")
	# A window as tall as the graph, so screenshots show all of it.
	h = b.run("return document.documentElement.getBoundingClientRect().height;") or 900
	b.set_window(1280, min(4000, h + 140))
	time.sleep(0.3)
	fs0 = frames(b)
	root = root_of(fs0)
	t.ok(root is not None and len(fs0) > 500,
	     "%d frames in the page, root 'all' found" % len(fs0))
	b.screenshot(os.path.join(ARTIFACTS, "svg_browser-initial.png"))
	fill0 = {f["title"]: f["fill"] for f in fs0}

	# Search with the button and prompt().
	t.ok(search(b, REGEX, "button"), "the search button opens a prompt")
	shown, digits, txt = matched_pct(b)
	t.ok(pct_ok(shown, digits, want_pct),
	     "search %r: %r, expected %.2f%% (nested matches once)" % (REGEX, txt, want_pct),
	     "page says %r" % txt)
	fs1 = frames(b)
	rx = re.compile(REGEX)
	should = set(f["title"] for f in fs1 if rx.search(name_of(f["title"])))
	changed = set(f["title"] for f in fs1 if f["fill"] != fill0.get(f["title"]))
	t.ok(should and changed == should, "the %d matching frames, and only they, are highlighted"
	     % len(should), "changed %d, matching %d; e.g. %s" % (
		     len(changed), len(should), sorted(changed ^ should)[:4]))
	b.screenshot(os.path.join(ARTIFACTS, "svg_browser-search.png"))

	# Ctrl-F opens the same prompt; case-insensitivity toggle.
	opened = search(b, "TCP_", "keys")
	t.ok(opened, "Ctrl-F opens the search prompt")
	if opened:
		shown, digits, txt = matched_pct(b)
		t.ok(shown is None or not pct_ok(shown, digits, want_pct),
		     "search is case-sensitive by default ('TCP_' does not match)", repr(txt))
	b.click(b.find("#ignorecase"))
	shown, digits, txt = matched_pct(b)
	ic_want, _ = share("TCP_", re.I)
	t.ok(pct_ok(shown, digits, ic_want), "the ignorecase toggle makes 'TCP_' match: %r" % txt,
	     "want %.2f%%" % ic_want)
	b.click(b.find("#ignorecase"))
	search(b, REGEX, "button")
	shown, digits, txt = matched_pct(b)
	t.ok(pct_ok(shown, digits, want_pct), "search back to %r: %r" % (REGEX, txt))

	# Click to zoom: a frame a fifth of the width, a few levels up.
	full = root["w"] if root else 0
	cands = [f for f in fs0 if f["shown"] and 0.1 * full < f["w"] < 0.5 * full and
		 f["y"] < root["y"] - 2 * root["h"]] if root else []
	target = max(cands, key=lambda f: f["w"]) if cands else None
	if t.ok(target is not None, "a frame to zoom into: %s" % (target and target["title"])):
		el = b.run("""var gs = document.querySelectorAll('#frames g');
			for (var i = 0; i < gs.length; i++) {
				var c = gs[i].querySelector('title');
				if (c && c.parentNode == gs[i] && c.textContent == arguments[0])
					return gs[i];
			}
			return null;""", target["title"])
		b.click(el)
		def spans(fs):
			return abs((width_of(fs, target["title"]) or 0) - full) <= 1
		fs2 = frames_when(b, spans)
		z = [f for f in fs2 if f["title"] == target["title"]]
		zw = z[0]["w"] if z else 0
		t.ok(z and abs(zw - full) <= 1 and abs(z[0]["x"] - root["x"]) <= 1,
		     "the clicked frame spans the full width (%.1f of %.1f px)" % (zw, full))
		# Ancestors: frames below it whose old box held its old box.
		anc = [f for f in fs0 if f["y"] > target["y"] + 1 and
		       f["x"] <= target["x"] + 0.5 and
		       f["x"] + f["w"] >= target["x"] + target["w"] - 0.5]
		now = {f["title"]: f for f in fs2}
		bad = [a["title"] for a in anc if not now[a["title"]]["shown"] or
		       abs(now[a["title"]]["w"] - full) > 1]
		t.ok(anc and not bad, "its %d ancestors are kept, full width" % len(anc),
		     repr(bad[:4]))
		# A frame outside the zoomed subtree at the same level disappears.
		out = [f for f in fs0 if abs(f["y"] - target["y"]) < 1 and
		       f["title"] != target["title"] and f["w"] > 5]
		gone = [f for f in out if now[f["title"]]["shown"] and now[f["title"]]["w"] > 0.5]
		t.ok(out and not gone, "frames beside it are hidden",
		     repr([g["title"] for g in gone][:3]))
		t.ok(b.run("var u = document.getElementById('unzoom'); return !!u && "
			   "getComputedStyle(u).display != 'none' && "
			   "!u.classList.contains('hide');"), "the reset-zoom button shows")
		b.screenshot(os.path.join(ARTIFACTS, "svg_browser-zoom.png"))

		# The URL keeps zoom and search; loading it restores both.
		url = b.url()
		t.ok(url != page and ("tcp" in url.lower()),
		     "the URL keeps zoom and search: %s" % url)
		_, before_digits, before_txt = matched_pct(b)
		for how in ("reload", "load the URL"):
			if how == "reload":
				b.refresh()
			else:
				b.get("about:blank")
				b.get(url)
			b.wait_for("return document.readyState == 'complete' && "
				   "document.querySelectorAll('#frames g').length > 0;", 15)
			fs3 = frames_when(b, spans)
			z = [f for f in fs3 if f["title"] == target["title"]]
			t.ok(z and abs(z[0]["w"] - full) <= 1,
			     "%s: the zoomed frame still spans the full width" % how,
			     "width %s" % (z and z[0]["w"]))
			shown, digits, txt = matched_pct(b)
			t.ok(pct_ok(shown, digits, want_pct),
			     "%s: the search is back: %r" % (how, txt))
		b.screenshot(os.path.join(ARTIFACTS, "svg_browser.png"))

		# Reset zoom.
		b.click(b.find("#unzoom"))
		def unzoomed(fs):
			return abs((width_of(fs, target["title"]) or 0) - target["w"]) <= 1
		fs4 = {f["title"]: f for f in frames_when(b, unzoomed)}
		back = fs4.get(target["title"])
		t.ok(back and abs(back["w"] - target["w"]) <= 1 and
		     abs(back["x"] - target["x"]) <= 1,
		     "reset zoom puts the frame back (%.1f px wide)" % (back["w"] if back else -1))

	# Details line: hovering a frame shows its tooltip text.
	el = b.find("#frames g")
	b.cmd("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse", "actions": [
		{"type": "pointerMove", "origin": el, "x": 0, "y": 0}]}]})
	det = b.wait_for("var d = document.getElementById('details');"
			 "return d && /\\(/.test(d.textContent) ? d.textContent : null;", 5)
	t.ok(det and re.search(r"\([\d,.]+ samples, [\d.]+%\)", det),
	     "hovering a frame shows 'name (N samples, P%%)' in the details line: %r" % det)

	# The same file from file://, with a real regular expression.
	b.get("file://" + svg_path)
	b.wait_for("return document.querySelectorAll('#frames g').length > 0;", 15)
	regex2 = r"^tcp_(v4|send)"
	want2, _ = share(regex2)
	t.ok(search(b, regex2, "button"), "file://: the search prompt opens")
	shown, digits, txt = matched_pct(b)
	t.ok(pct_ok(shown, digits, want2) and want2 > 1,
	     "file://: regex %r works offline: %r, expected %.2f%%" % (regex2, txt, want2))

def fractional(b):
	# Titles round counts (as flamegraph.pl's do); the share must not: four
	# stacks of 0.3 each, so "^b$" covers 25% and "^(a|d)$" 75%.
	path = os.path.join(tmp, "fractional.svg")
	src = os.path.join(tmp, "fractional.folded")
	with open(src, "w") as f:
		f.write("a;b 0.3\na;c 0.3\nd 0.3\ne 0.3\n")
	rc, _, se = sf.run(["svg", src, "-o", path])
	if not t.ok(rc == 0, "renders a fractional profile", se):
		return
	b.get("file://" + path)
	b.wait_for("return document.querySelectorAll('#frames g').length > 0;", 15)
	for regex, want in (("^b$", 25.0), ("^(a|d)$", 75.0)):
		got = b.wait_for("window.flamegraph.search(arguments[0]);"
				 "return document.getElementById('matched').getAttribute('data-matched');",
				 5, regex)
		t.ok(got is not None and abs(float(got) - want) < 0.01,
		     "fractional counts: %r matches %.0f%% (page: %r)" % (regex, want, got))


with browser as b:
	try:
		scenario(b)
		fractional(b)
	except (wd.WebDriverError, OSError, KeyError, TypeError) as e:
		# A broken page shows up as a failed step, not a crashed script.
		t.ok(False, "the browser scenario runs to its end", repr(e))

server.shutdown()
t.diag("screenshots in %s" % ARTIFACTS)
t.done()
