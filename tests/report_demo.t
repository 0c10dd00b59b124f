#!/bin/bash
# report_demo.t: the report on a real recording of tools/demo (make demo's
# target: an HTTP server whose logging, authentication and authorization
# filters wrap every request, like kube-apiserver's). Recorded once with
# `record -o d.folded -o d.txt`:
#  - d.txt is the report `bpflame report d.folded` prints (same categories,
#    same rows), with the demo preset recognized;
#  - the preset's categories are the work, not the filters: authentication,
#    authorization, serialization, storage and http are non-zero, none is
#    near the whole profile, and a category naming the wrapping filter
#    (WithAuthentication) holds at least authentication + authorization,
#    which it wraps (disjoint in the demo's code), and authentication is
#    well under it (an HMAC per request against JSON and gzip of a list);
#  - every category share agrees with an independent recomputation from the
#    folded file (tests/lib/report_oracle.py), and the JSON validates.
# Needs root (BPF) and Go 1.21+ (the demo uses strings.Cut).
. "$(dirname "$0")/lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
PY=/usr/bin/python3
tap_plan 12

GO=
for g in /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/lib/go-1.21/bin/go; do
	[ -x "$g" ] && { GO=$g; break; }
done
if [ -z "$GO" ] || [ "$(id -u)" != 0 ]; then
	for _ in $(seq 12); do tap_skip "needs root and Go 1.21+ (install-deps.sh --test)"; done
	exit 0
fi

TMP=$(mktemp -d /tmp/bpflame-report-demo.XXXXXX)
DEMO=
cleanup() {
	# KEEP=DIR keeps a copy of the recording for a look at it.
	[ -n "${KEEP:-}" ] && cp "$TMP/all.folded" "$KEEP" 2>/dev/null
	[ -n "$DEMO" ] && kill "$DEMO" 2>/dev/null && wait "$DEMO" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$ROOT/build/gocache" "$ROOT/build/gopath"
if ! (cd "$ROOT/tools/demo" && GOCACHE=$ROOT/build/gocache GOPATH=$ROOT/build/gopath \
	GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 TMPDIR=$TMP \
	"$GO" build -trimpath -ldflags='-s -w' -o "$TMP/bpflame-demo" .) >"$TMP/build.log" 2>&1; then
	tap_bail "building tools/demo failed: $(cat "$TMP/build.log")"
fi
# -duration: the demo exits by itself even if this script is killed.
"$TMP/bpflame-demo" -load 3 -duration 300 >"$TMP/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 600); do
	grep -q '^listening on ' "$TMP/demo.log" && break
	kill -0 "$DEMO" 2>/dev/null || break
	sleep 0.1
done
grep -q '^listening on ' "$TMP/demo.log" ||
	tap_bail "the demo did not start: $(cat "$TMP/demo.log")"

# The first recording also writes the report; later ones only add samples until
# the authenticator and the authorizer, a small part of the demo's work, have
# at least 10 samples each (counted by grep, not by bpflame), or 2 minutes passed.
"$BPFLAME" record -p "$DEMO" -F 499 -d 5 -o "$TMP/d1.folded" -o "$TMP/d.txt" \
	>"$TMP/rec.out" 2>"$TMP/rec.err"
rc=$?
if [ "$rc" = 0 ] && [ -s "$TMP/d.txt" ] && [ -s "$TMP/d1.folded" ]; then
	tap_ok "record -o d.folded -o d.txt writes both"
else
	tap_not_ok "record -o d.folded -o d.txt writes both (exit $rc)"
	tap_diag <"$TMP/rec.err"
fi
weight() { awk -v re="$1" '$0 ~ re { n += $NF } END { print n + 0 }' "$TMP/all.folded"; }
cat "$TMP/d1.folded" >"$TMP/all.folded"
for round in $(seq 2 24); do
	[ "$(weight 'authn\\.\\(\\*Authenticator\\)')" -ge 10 ] &&
		[ "$(weight 'authz\\.\\(\\*Authorizer\\)\\.Authorize')" -ge 10 ] && break
	"$BPFLAME" record -q -p "$DEMO" -F 499 -d 5 -o "$TMP/d$round.folded" 2>>"$TMP/rec.err" ||
		break
	cat "$TMP/d$round.folded" >>"$TMP/all.folded"
done
echo "recordings: $(ls "$TMP"/d*.folded | wc -l), samples: $(weight .)," \
	"authenticator: $(weight 'authn\\.\\(\\*Authenticator\\)')" | tap_diag

"$BPFLAME" report "$TMP/d1.folded" >"$TMP/r.txt" 2>"$TMP/r.err"
# The header names the source (the recording vs the file); from the categories on
# the two must be the same report.
if [ -s "$TMP/r.txt" ] && diff <(sed -n '/^Categories/,$p' "$TMP/d.txt") \
	<(sed -n '/^Categories/,$p' "$TMP/r.txt") >"$TMP/diff" 2>&1; then
	tap_ok "d.txt holds what bpflame report d.folded prints"
else
	tap_not_ok "d.txt holds what bpflame report d.folded prints"
	tap_diag <"$TMP/diff"
fi
if grep -q '^Categories (preset demo)' "$TMP/d.txt"; then
	tap_ok "the recording's report recognizes the demo and uses its preset"
else
	tap_not_ok "the recording's report recognizes the demo and uses its preset"
	head -20 "$TMP/d.txt" | tap_diag
fi

"$BPFLAME" report --json --preset demo --category 'authn-filter=WithAuthentication' \
	"$TMP/all.folded" >"$TMP/r.json" 2>"$TMP/rj.err"
check=$("$PY" - "$TMP/r.json" "$ROOT/tests/lib" <<'PY' 2>&1
import json, sys
sys.path.insert(0, sys.argv[2])
import report as rp
doc = json.load(open(sys.argv[1]))
err = rp.schema_errors(doc)
if err:
    print("schema: " + err)
p = doc["profile"]
cat = {c["name"]: c["percent"] for c in p["categories"]}
for c in ["authentication", "authorization", "serialization", "storage", "http"]:
    if not cat.get(c, 0) > 0:
        print("%s is %s%%" % (c, cat.get(c)))
for c, v in cat.items():
    if c != "authn-filter" and v >= 85:
        print("%s is %.1f%%, near the whole profile" % (c, v))
if not cat["authentication"] < cat["authn-filter"] / 2:
    print("authentication %.2f%% is not well under the filter's %.2f%%"
          % (cat["authentication"], cat["authn-filter"]))
if not cat["authn-filter"] >= cat["authentication"] + cat["authorization"] - 1e-9:
    print("WithAuthentication %.2f%% < authentication %.2f%% + authorization %.2f%%"
          % (cat["authn-filter"], cat["authentication"], cat["authorization"]))
print("shares: " + ", ".join("%s %.1f%%" % kv for kv in cat.items()), file=sys.stderr)
PY
)
problems=$(printf '%s\n' "$check" | grep -v '^shares: ')
shares=$(printf '%s\n' "$check" | grep '^shares: ')
if [ -s "$TMP/r.json" ] && [ -z "$problems" ]; then
	tap_ok "report --json validates against the schema"
	tap_ok "authentication, authorization, serialization, storage, http all non-zero"
	tap_ok "no category of the preset is near the whole profile"
	tap_ok "the WithAuthentication filter wraps at least authentication + authorization"
else
	for d in "validates against the schema" "the demo's work categories non-zero" \
		"no category near the whole profile" "the filter wraps authn + authz"; do
		tap_not_ok "$d"
	done
	{ echo "$problems"; cat "$TMP/rj.err"; } | tap_diag
fi
echo "$shares" | tap_diag
out=$("$PY" "$ROOT/tests/lib/report_oracle.py" "$TMP/all.folded" "$TMP/r.json" 2>&1)
if [ $? = 0 ]; then
	tap_ok "every category agrees with a recomputation from the folded file"
else
	tap_not_ok "every category agrees with a recomputation from the folded file"
	echo "$out" | tap_diag
fi

# The top lists are the folded file's leaf and stack sums.
top=$("$PY" - "$TMP/all.folded" "$TMP/r.json" <<'PY' 2>&1
import json, sys
self, total, tot = {}, {}, 0.0
for line in open(sys.argv[1]):
    stack, _, n = line.rstrip("\n").rpartition(" ")
    names = [f[:-4] if f[-4:] in ("_[k]", "_[i]") else f for f in stack.split(";")]
    n = float(n); tot += n
    self[names[-1]] = self.get(names[-1], 0) + n
    for f in set(names):
        total[f] = total.get(f, 0) + n
p = json.load(open(sys.argv[2]))["profile"]
for row in p["top_self"]:
    name = row["name"]
    if abs(row["self"] - self[name]) > 1e-6 or abs(row["total"] - total[name]) > 1e-6:
        print("self/total of %s: report %s/%s, folded %s/%s" % (row["name"], row["self"],
              row["total"], self[row["name"]], total[row["name"]]))
want = sorted(self.values(), reverse=True)[:len(p["top_self"])]
if [r["self"] for r in p["top_self"]] != want:
    print("top_self weights %s, folded's largest %s" % ([r["self"] for r in p["top_self"]], want))
want = sorted(total.values(), reverse=True)[:len(p["top_total"])]
if [r["total"] for r in p["top_total"]] != want:
    print("top_total weights differ from the folded file's largest totals")
PY
)
if [ -z "$top" ]; then
	tap_ok "top functions by self and total are the folded file's heaviest"
else
	tap_not_ok "top functions by self and total are the folded file's heaviest"
	echo "$top" | tap_diag
fi

# --base: the same recording against itself moves nothing.
"$BPFLAME" report --json --base "$TMP/all.folded" "$TMP/all.folded" >"$TMP/b.json" 2>&1
same=$("$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(all(abs(c["diff_points"]) < 1e-9 for c in d["categories"]) and d["moved"] == [])
' "$TMP/b.json" 2>&1)
if [ "$same" = True ]; then
	tap_ok "--base of a recording against itself: every difference 0, nothing moved"
else
	tap_not_ok "--base of a recording against itself: every difference 0, nothing moved"
	head -c 2000 "$TMP/b.json" | tap_diag
fi

# --report prints the report on stdout; it and -o - cannot share stdout.
"$BPFLAME" record -p "$DEMO" -F 99 -d 1 --report >"$TMP/rep.out" 2>"$TMP/rep.err"
if [ $? = 0 ] && grep -q '^Top 20 functions by self' "$TMP/rep.out" &&
	! grep -q ' [0-9]*$' <(grep ';' "$TMP/rep.out"); then
	tap_ok "record --report prints the report (not folded stacks) on stdout"
else
	tap_not_ok "record --report prints the report (not folded stacks) on stdout"
	{ head -5 "$TMP/rep.out"; cat "$TMP/rep.err"; } | tap_diag
fi
"$BPFLAME" record -p "$DEMO" -d 1 --report -o - >"$TMP/two.out" 2>"$TMP/two.err"
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/two.err")" = 1 ] && grep -q 'stdout' "$TMP/two.err"; then
	tap_ok "record --report -o -: exit 2, one line"
else
	tap_not_ok "record --report -o -: exit 2, one line (exit $rc)"
	tap_diag <"$TMP/two.err"
fi
exit "$TAP_FAILED"
