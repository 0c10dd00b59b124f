#!/usr/bin/python3
# report_shares.t: `bpflame report` on folded files written here, whose answers
# are known by construction: self and total shares (recursion counted once in
# totals), categories (nested matches once, a stack in several categories,
# exclusions, kernel and inlined frames, the uncategorized row), --base
# differences and the moved functions, --top, the text layout (100 columns,
# vendor prefixes trimmed for display, full names in JSON and with
# --full-names), and every JSON output validated against its schema.
# Debian's /usr/bin/python3 with python3-jsonschema (install-deps.sh --test).
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import report as rp  # noqa: E402

t = rp.Tap()

# Each line's count and what it holds, chosen so that every rule shows:
AFTER = """\
p;main;serve;authn;hmac 10
p;main;serve;authn;json.Marshal 5
p;main;serve;json.Marshal 20
p;main;serve;json.Marshal;json.encode 4
p;main;rec;rec;rec 7
p;main;idle 8
p;main;write;sys_write_[k] 3
p;main;inl_[i];hmac 2
"""
TOTAL = 59
# Categories by hand:
#   authn  ^authn$       lines 1, 2                  10 + 5         = 15
#   json   ^json\.       lines 2, 3, 4 (4 matches    5 + 20 + 4     = 29
#                        twice, counted once)
#   kernel _\[k\]$       line 7                                      = 3
#   crypto ^hmac$        lines 1, 8                  10 + 2         = 12
#   inline ^inl$         line 8 (an inlined frame, matched by name)  = 2
#   wrapped ^(serve|authn)$ minus ^serve$: only authn frames         = 15
#   uncategorized        lines 5, 6                  7 + 8          = 15
CATS = ["authn=^authn$", "json=^json\\.", "kernel=_\\[k\\]$", "crypto=^hmac$", "inline=^inl$",
	"wrapped=^(serve|authn)$", "wrapped!=^serve$"]
EXPECT_CAT = {"authn": 15, "json": 29, "kernel": 3, "crypto": 12, "inline": 2, "wrapped": 15,
	      "uncategorized": 15}
# Self: the leaf; total: stacks holding the function, once each.
EXPECT_SELF = {"json.Marshal": 25, "hmac": 12, "idle": 8, "rec": 7, "json.encode": 4,
	       "sys_write": 3}
EXPECT_TOTAL = {"p": 59, "main": 59, "serve": 39, "json.Marshal": 29, "authn": 15, "hmac": 12,
		"idle": 8, "rec": 7, "json.encode": 4, "write": 3, "sys_write": 3, "inl": 2}

BASE = """\
p;main;serve;json.Marshal 10
p;main;idle 30
"""
BASE_TOTAL = 40

LONG = ("k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters."
	"SerializeObject.func1.(*deferredResponseWriter).Write.veryLongClosureNameThatGoesOn")
VENDORED = """\
p;k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server.(*Config).New;%s 6
p;vendor/golang.org/x/net/http2/hpack.(*Decoder).Write 4
""" % LONG


def pct(v, total):
	return 100.0 * v / total


with tempfile.TemporaryDirectory(prefix="bpflame-report.") as tmp:
	def write(name, text):
		path = os.path.join(tmp, name)
		with open(path, "w") as f:
			f.write(text)
		return path

	after = write("after.folded", AFTER)
	base = write("base.folded", BASE)
	vendored = write("vendored.folded", VENDORED)
	args = [a for c in CATS for a in ("--category", c)]

	rc, out, err = rp.run("--json", *args, after)
	t.ok(rc == 0 and err == "", "report --json exits 0 and prints nothing on stderr", err)
	try:
		doc = json.loads(out)
	except ValueError as e:
		doc = None
		t.ok(False, "the output is JSON", "%s\n%s" % (e, out))
	if doc:
		t.ok(rp.schema_errors(doc) == "", "the report validates against docs/report.schema.json",
		     rp.schema_errors(doc))
		prof = doc["profile"]
		t.ok(doc["kind"] == "report" and prof["total"] == TOTAL,
		     "kind report, total %d" % TOTAL, prof.get("total"))
		for name, v in EXPECT_CAT.items():
			t.close(None, "category %s: %d of %d samples" % (name, v, TOTAL),
				rp.category(prof, name), pct(v, TOTAL))
		t.ok([c["name"] for c in prof["categories"]] == [c.split("=")[0].rstrip("!")
								 for c in CATS[:-1]],
		     "categories in command-line order, the exclusion joined to its category")
		t.ok(prof["categories_overlap"] is True, "the report says shares can overlap")
		wrapped = [c for c in prof["categories"] if c["name"] == "wrapped"][0]
		t.ok(wrapped["regexes"] == ["^(serve|authn)$"] and wrapped["excludes"] == ["^serve$"],
		     "a category lists its regexes and exclusions", wrapped)
		got_self = {r["name"]: r["self"] for r in prof["top_self"]}
		t.ok(got_self == EXPECT_SELF, "self weights of every leaf function",
		     "expected %s\ngot %s" % (EXPECT_SELF, got_self))
		got_total = {r["name"]: r["total"] for r in prof["top_total"]}
		t.ok(got_total == EXPECT_TOTAL, "total weights, recursion (rec x3) counted once",
		     "expected %s\ngot %s" % (EXPECT_TOTAL, got_total))
		order = [r["name"] for r in prof["top_total"]]
		t.ok(order[:3] == ["main", "p", "serve"] and order.index("sys_write") <
		     order.index("write"), "top_total heaviest first, ties by name", order)
		t.close(None, "self_percent of json.Marshal",
			rp.func(prof["top_self"], "json.Marshal", "self_percent"), pct(25, TOTAL))
		t.ok(prof["stacks"] == 8 and prof["functions"] == 12 and prof["source"] == after,
		     "8 stacks, 12 functions, the file as source", prof)
		t.ok(prof["preset"] is None and prof["duration_seconds"] is None,
		     "no preset, no duration for a hand-written file")

	# --top 3
	rc, out, err = rp.run("--json", "-n", "3", after)
	doc = json.loads(out) if rc == 0 else None
	t.ok(doc and [r["name"] for r in doc["profile"]["top_self"]] ==
	     ["json.Marshal", "hmac", "idle"] and len(doc["profile"]["top_total"]) == 3,
	     "--top 3: three rows per list, heaviest first", out + err)
	t.ok(doc and doc["profile"]["categories"] == [] and
	     doc["profile"]["uncategorized"]["percent"] == 100,
	     "no categories asked, none recognized: everything uncategorized", out)

	# Text: the same numbers, aligned, within 100 columns.
	rc, out, err = rp.run(*args, after)
	t.ok(rc == 0, "text report exits 0", err)
	lines = out.splitlines()
	t.ok(max(len(line) for line in lines) <= 100, "every text line fits 100 columns")
	t.ok(any(line.split() == ["json", "29", "%.2f%%" % pct(29, TOTAL)] for line in lines),
	     "text: the json row reads 29 samples, %.2f%%" % pct(29, TOTAL), out)
	t.ok(any(line.split() == ["uncategorized", "15", "%.2f%%" % pct(15, TOTAL)]
		 for line in lines), "text: an uncategorized row", out)
	t.ok(any("overlap" in line for line in lines), "text: says that shares overlap", out)
	t.ok(any(line.split() == ["25", "%.2f%%" % pct(25, TOTAL), "%.2f%%" % pct(29, TOTAL),
				  "json.Marshal"] for line in lines),
	     "text: json.Marshal's self row: 25 samples, self and total percent", out)

	# Display names: vendor prefixes trimmed, long names shortened; JSON keeps them whole.
	rc, out, err = rp.run("-n", "5", vendored)
	lines = out.splitlines()
	t.ok(rc == 0 and max(len(line) for line in lines) <= 100,
	     "a 150-character vendored name still fits 100 columns", out + err)
	t.ok("vendor/" not in out and
	     any(line.endswith("golang.org/x/net/http2/hpack.(*Decoder).Write") for line in lines),
	     "text trims vendor prefixes (k8s.io/kubernetes/vendor/, Go's vendor/)", out)
	t.ok(any(line.endswith("...veryLongClosureNameThatGoesOn") or
		 line.endswith(".veryLongClosureNameThatGoesOn") for line in lines),
	     "a name too long keeps its end, the function", out)
	rc, out, err = rp.run("--full-names", "-n", "5", vendored)
	t.ok(LONG in out, "--full-names prints the full name", out)
	rc, out, err = rp.run("--json", vendored)
	doc = json.loads(out) if rc == 0 else None
	t.ok(doc and LONG in [r["name"] for r in doc["profile"]["top_self"]],
	     "JSON keeps the full name", out)
	t.ok(doc and doc["profile"]["preset"] == "apiserver" and
	     any(c["name"] == "authentication" for c in doc["profile"]["categories"]),
	     "a profile of k8s.io/apiserver/pkg/server code gets the apiserver preset", out)

	# --base
	rc, out, err = rp.run("--json", "--base", base, *args, after)
	doc = json.loads(out) if rc == 0 else None
	t.ok(doc is not None, "--base --json exits 0 with JSON", err)
	if doc:
		t.ok(rp.schema_errors(doc) == "", "the comparison validates against the schema",
		     rp.schema_errors(doc))
		rows = {c["name"]: c for c in doc["categories"]}
		t.close(None, "json: base share 10/40", rows["json"]["base_percent"], pct(10, BASE_TOTAL))
		t.close(None, "json: now 29/59", rows["json"]["percent"], pct(29, TOTAL))
		t.close(None, "json: difference in points", rows["json"]["diff_points"],
			pct(29, TOTAL) - pct(10, BASE_TOTAL))
		t.close(None, "uncategorized: 30/40 -> 15/59", rows["uncategorized"]["diff_points"],
			pct(15, TOTAL) - pct(30, BASE_TOTAL))
		t.close(None, "authn: absent in base, 15/59 now", rows["authn"]["diff_points"],
			pct(15, TOTAL))
		moved = doc["moved"]
		# idle: 75% -> 13.6% (-61.4); hmac 0 -> 20.3; json.Marshal 25 -> 42.4 (+17.4)
		t.ok([m["name"] for m in moved[:3]] == ["idle", "hmac", "json.Marshal"],
		     "moved: largest change of self share first", moved[:4])
		t.close(None, "moved: idle's change", moved[0]["diff_points"],
			pct(8, TOTAL) - pct(30, BASE_TOTAL))
		t.ok(doc["base"]["total"] == BASE_TOTAL and doc["profile"]["total"] == TOTAL,
		     "both profiles are in the comparison")
	rc, out, err = rp.run("--base", base, *args, after)
	lines = out.splitlines()
	d = pct(29, TOTAL) - pct(10, BASE_TOTAL)
	t.ok(rc == 0 and any(line.split() == ["json", "%.2f%%" % pct(10, BASE_TOTAL),
					      "%.2f%%" % pct(29, TOTAL), "%+.2f" % d]
			     for line in lines), "--base text: json row base, now, %+.2f points" % d,
	     out + err)
	t.ok(max(len(line) for line in lines) <= 100, "--base text fits 100 columns")

	# -o writes the file; a recognized preset file adds categories.
	pfile = write("cats.txt", "# my categories\n\nauthn=^authn$\n  json=^json\\.\n")
	outp = os.path.join(tmp, "r.json")
	rc, out, err = rp.run("--json", "--preset-file", pfile, "-o", outp, after)
	doc = json.load(open(outp)) if rc == 0 and os.path.exists(outp) else None
	t.ok(doc and out == "" and [c["name"] for c in doc["profile"]["categories"]] ==
	     ["authn", "json"], "--preset-file and -o FILE", err)
	t.close(None, "preset-file json share", doc and rp.category(doc["profile"], "json"),
		pct(29, TOTAL))

	# Fractional weights (flamegraph.pl input).
	frac = write("frac.folded", "a;b 0.5\na;c 1.5\n")
	rc, out, err = rp.run("--json", "--category", "b=^b$", frac)
	doc = json.loads(out) if rc == 0 else None
	t.close(None, "fractional counts: b is 0.5 of 2", doc and rp.category(doc["profile"], "b"),
		25.0)

	t.ok(rp.schema_errors({"schema_version": 1, "kind": "report"}) != "",
	     "the schema rejects a document without a profile (it is not vacuous)")

t.done()
