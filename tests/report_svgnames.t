#!/usr/bin/python3
# report_svgnames.t: display names in the flame graph. Labels trim vendor
# prefixes (k8s.io/kubernetes/vendor/..., Go's own vendor/...) while titles,
# and so the search, keep the full name; --full-names keeps it in labels too;
# the folded output of `bpflame diff --folded` keeps real names. In a real
# browser (Debian's chromium, skipped when absent), zooming into a frame
# whose label was cut shows the trimmed name, not the full one, and a search
# for the vendor path still matches.
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "browser"))
import report as rp  # noqa: E402

t = rp.Tap()
V = "k8s.io/kubernetes/vendor/"
SERVER = V + "k8s.io/apiserver/pkg/server.(*Config).New"
HPACK = "vendor/golang.org/x/net/http2/hpack.(*Decoder).Write"
# HPACK is narrow (1 of 200 samples) so its label starts cut; zoomed, it fits.
FOLDED = "p;%s;%s 1\np;%s;work 199\n" % (SERVER, HPACK, SERVER)


def frames(svg):
	"""(title name, data-l or None, label text) of every frame."""
	out = []
	root = ET.parse(svg).getroot()
	for g in root.iter("{http://www.w3.org/2000/svg}g"):
		title = g.find("{http://www.w3.org/2000/svg}title")
		text = g.find("{http://www.w3.org/2000/svg}text")
		if title is None or text is None:
			continue
		name = re.sub(r" \([\d,.]+ samples.*\)$", "", title.text or "")
		out.append((name, g.get("data-l"), text.text or ""))
	return out


def svg(*args):
	p = subprocess.run([rp.BPFLAME, "svg", *args], capture_output=True, text=True)
	return p.returncode, p.stderr


with tempfile.TemporaryDirectory(prefix="bpflame-svgnames.") as tmp:
	src = os.path.join(tmp, "v.folded")
	with open(src, "w") as f:
		f.write(FOLDED)
	out = os.path.join(tmp, "v.svg")
	rc, err = svg(src, "-o", out)
	t.ok(rc == 0, "bpflame svg renders vendored names", err)
	fs = {name: (dl, text) for name, dl, text in frames(out)}
	t.ok(SERVER in fs and HPACK in fs, "titles keep the full names", list(fs))
	t.ok(fs.get(SERVER, (None,))[0] == "k8s.io/apiserver/pkg/server.(*Config).New" and
	     fs.get(HPACK, (None,))[0] == "golang.org/x/net/http2/hpack.(*Decoder).Write",
	     "data-l holds the name without its vendor prefix", fs)
	t.ok(fs.get(SERVER, (None, ""))[1] == "k8s.io/apiserver/pkg/server.(*Config).New",
	     "a wide frame's label is the trimmed name", fs.get(SERVER))
	t.ok(all("vendor/" not in text for _, text in fs.values()), "no label shows vendor/")
	t.ok(fs.get("work", ("x",))[0] is None, "frames without a vendor prefix carry no data-l")

	full = os.path.join(tmp, "full.svg")
	rc, err = svg("--full-names", src, "-o", full)
	ff = {name: (dl, text) for name, dl, text in frames(full)}
	t.ok(rc == 0 and ff.get(SERVER, (1, ""))[0] is None and ff[SERVER][1].startswith(V),
	     "--full-names: labels keep the vendor prefix, no data-l", ff.get(SERVER))

	p = subprocess.run([rp.BPFLAME, "diff", "--folded", src, src], capture_output=True,
			   text=True)
	t.ok(p.returncode == 0 and SERVER in p.stdout and HPACK in p.stdout,
	     "diff --folded keeps the real names", p.stdout + p.stderr)

	try:
		import webdriver as wd
	except ImportError:
		wd = None
	found = wd.find_browser() if wd else None
	if not found:
		for d in ("zoom shows the trimmed name", "search matches the full name"):
			t.skip("chromium and chromedriver not installed: " + d)
		t.done()
	try:
		b = wd.Browser(*found, workdir=tmp, log_path=os.path.join(tmp, "chromedriver.log"))
	except wd.WebDriverError as e:
		t.ok(False, "chromium starts under chromedriver", str(e))
		t.done()
	with b:
		b.get("file://" + out)
		b.wait_for("return document.querySelectorAll('#frames g').length > 0 && "
			   "document.readyState == 'complete';", 30)
		label_js = """
		var gs = document.querySelectorAll('#frames g');
		for (var i = 0; i < gs.length; i++) {
			var ti = gs[i].querySelector('title').textContent;
			if (ti.indexOf(arguments[0] + ' (') === 0) {
				if (arguments[1])
					gs[i].querySelector('rect').dispatchEvent(
						new MouseEvent('click', {bubbles: true}));
				return gs[i].querySelector('text').textContent;
			}
		}
		return null;"""
		before = b.run(label_js, HPACK, False)
		b.run(label_js, HPACK, True)
		after = b.wait_for("var v = (%s)(); return v && v.length > 3 ? v : null;" %
				   ("function () {" + label_js.replace("arguments[0]", repr(HPACK))
				    .replace("arguments[1]", "false") + "}"), 10)
		t.ok(after == "golang.org/x/net/http2/hpack.(*Decoder).Write",
		     "zooming into a cut frame labels it with the trimmed name",
		     "before %r, after %r" % (before, after))
		b.run("window.flamegraph.search(arguments[0]);", "kubernetes/vendor/k8s")
		txt = b.wait_for("var m = document.getElementById('matched');"
				 "return m && /[0-9]/.test(m.textContent) ? m.textContent : null;", 10)
		t.ok(txt and "100" in txt, "a search for the vendor path matches (titles are full)",
		     txt)
t.done()
