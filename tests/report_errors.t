#!/usr/bin/python3
# report_errors.t: bad input to `bpflame report` gets one clear line on stderr
# ("bpflame: error: ...") and exit status 2, never a crash, a hang or a partial
# output file: an invalid regex (naming the category and the regex, from
# --category and from a preset file), a malformed spec, an unknown preset, an
# empty profile, all-zero counts, a file of another format (gzip, binary,
# SVG), a truncated file, a missing file, a directory, bad options.
import gzip
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import report as rp  # noqa: E402

t = rp.Tap()
GOOD = "p;main;a 3\np;main;b 1\n"

with tempfile.TemporaryDirectory(prefix="bpflame-report.") as tmp:
	def write(name, data):
		path = os.path.join(tmp, name)
		with open(path, "wb") as f:
			f.write(data if isinstance(data, bytes) else data.encode())
		return path

	good = write("good.folded", GOOD)
	badre = write("bad-re.txt", "ok=^a$\n# comment\nbroken=ab(c\n")
	cases = [
		("invalid --category regex", ["--category", "auth=(unclosed", good],
		 ["category 'auth'", "'(unclosed'"]),
		("invalid regex in a preset file", ["--preset-file", badre, good],
		 [badre + ":3:", "category 'broken'", "'ab(c'"]),
		("exclusion with an invalid regex", ["--category", "x!=[z", good], ["'x'", "'[z'"]),
		("--category without =", ["--category", "justaname", good], ["NAME=REGEX"]),
		("--category with an empty regex", ["--category", "a=", good], ["empty regex"]),
		("unknown preset", ["--preset", "nosuch", good], ["unknown preset 'nosuch'"]),
		("missing preset file", ["--preset-file", os.path.join(tmp, "none"), good],
		 ["cannot open preset file"]),
		("empty file", [write("empty.folded", "")], ["empty profile"]),
		("blank lines only", [write("blank.folded", "\n\n")], ["empty profile"]),
		("all counts zero", [write("zero.folded", "a;b 0\nc 0\n")], ["empty profile"]),
		("gzip data that is no usable pprof profile",
		 [write("p.pb.gz", gzip.compress(b"\x0a\x04\x08\x01"))], ["pprof"]),
		("binary data", [write("bin", b"\x00\x01\x02garbage")], ["binary data"]),
		("an SVG file", [write("x.svg", "<?xml version=\"1.0\"?>\n<svg></svg>\n")],
		 ["x.svg:1:", "malformed"]),
		("truncated file (last line cut)", [write("cut.folded", GOOD + "p;main;c")],
		 ["cut.folded:3:", "malformed"]),
		("missing file", [os.path.join(tmp, "missing.folded")], ["cannot open"]),
		("a directory", [tmp], ["directory"]),
		("no file", [], ["needs a profile"]),
		("two files", [good, good], ["unexpected argument"]),
		("bad --top", ["-n", "0", good], ["--top"]),
		("unknown option", ["--frobnicate", good], ["unknown option"]),
		("--base with both on stdin", ["--base", "-", "-"], ["stdin"]),
		("--base with a bad BEFORE", ["--base", os.path.join(tmp, "none"), good],
		 ["cannot open"]),
	]
	for desc, args, needles in cases:
		out_path = os.path.join(tmp, "out.txt")
		rc, out, err = rp.run(*args, "-o", out_path) if args else rp.run()
		lines = err.splitlines()
		good_msg = (len(lines) == 1 and lines[0].startswith("bpflame: error: ") and
			    all(n in lines[0] for n in needles))
		t.ok(rc == 2 and good_msg and out == "" and not os.path.exists(out_path),
		     "%s: exit 2, one line naming %s, no output" % (desc, needles),
		     "exit %d\nstderr: %s\nstdout: %s" % (rc, err, out[:300]))

	# A category that matches nothing is not an error: it reads 0%.
	rc, out, err = rp.run("--category", "none=^nothing$", good)
	t.ok(rc == 0 and "none" in out and "0.00%" in out, "a category without matches reads 0%",
	     err)
	# Malformed lines in the middle fail too: shares from a partly read file would mislead.
	rc, out, err = rp.run(write("mid.folded", "a 1\nnot a count\nb 2\n"))
	t.ok(rc == 2 and "mid.folded:2:" in err, "a malformed line in the middle: exit 2, its line",
	     err)
	# Help and presets list go to stdout with exit 0.
	rc, out, err = rp.run("--help")
	t.ok(rc == 0 and "Usage: bpflame report" in out and err == "", "--help")
	rc, out, err = rp.run("--list-presets")
	t.ok(rc == 0 and "apiserver:" in out and "demo:" in out and
	     "priority-and-fairness!=" in out, "--list-presets shows the table with exclusions",
	     out)
	t.ok(max(len(line) for line in rp.run("--help")[1].splitlines()) <= 100,
	     "--help fits 100 columns")

t.done()
