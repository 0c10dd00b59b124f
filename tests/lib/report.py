"""report.py: helpers of the report_*.t tests (import it).

Runs `bpflame report`, validates its JSON against docs/report.schema.json
with python3-jsonschema (Debian's package), and prints TAP.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BPFLAME = os.environ.get("BPFLAME") or os.path.join(ROOT, "bpflame")
SCHEMA = os.path.join(ROOT, "docs", "report.schema.json")


class Tap:
	def __init__(self):
		self.n = 0
		self.failed = False

	def ok(self, cond, desc, diag=None):
		self.n += 1
		print("%s %d - %s" % ("ok" if cond else "not ok", self.n, desc), flush=True)
		if not cond:
			self.failed = True
			if diag:
				for line in str(diag).splitlines():
					print("# " + line)
		return cond

	def close(self, want, desc, got, expected, tol=1e-6):
		good = got is not None and abs(got - expected) <= tol
		return self.ok(good, "%s (%s)" % (desc, expected), "expected %r, got %r" % (expected, got))

	def skip(self, desc):
		self.n += 1
		print("ok %d # SKIP %s" % (self.n, desc), flush=True)

	def done(self):
		print("1..%d" % self.n)
		sys.exit(1 if self.failed else 0)


def run(*args, stdin=None):
	"""Runs bpflame report ARGS; returns (exit status, stdout, stderr)."""
	p = subprocess.run([BPFLAME, "report", *args], input=stdin, capture_output=True)
	return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def schema_errors(doc):
	"""The schema violations of doc, as text ("" when valid)."""
	import jsonschema  # python3-jsonschema

	with open(SCHEMA) as f:
		schema = json.load(f)
	v = jsonschema.Draft202012Validator(schema)
	return "\n".join(e.message + " at " + "/".join(map(str, e.path)) for e in v.iter_errors(doc))


def category(doc_profile, name):
	"""The percent of category name in a profile object, None if absent."""
	if name == "uncategorized":
		return doc_profile["uncategorized"]["percent"]
	for c in doc_profile["categories"]:
		if c["name"] == name:
			return c["percent"]
	return None


def func(rows, name, key):
	for r in rows:
		if r["name"] == name:
			return r[key]
	return None
