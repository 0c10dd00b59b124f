#!/bin/bash
# report_apiserver.t: the apiserver preset on a recording of a real
# kube-apiserver (tests/lib/apiserver.sh: etcd, token authentication, RBAC with
# 300 RoleBindings, an audit log) loaded by a user outside system:masters, so
# that RBAC runs for every request. Checked:
#  - the recording's report recognizes kube-apiserver and uses the preset;
#  - authentication, authorization, serialization, etcd and Go GC are all
#    non-zero (so the preset's regexes name frames that exist in the binary);
#  - no category is near the whole profile: each is well under the share of
#    the request-serving stacks, which is what a regex matching a wrapping
#    filter gets (WithAuthentication and WithAuthorization, measured here
#    too, hold authentication + authorization; the authenticators alone
#    are a fraction of them);
#  - the shares agree with an independent recomputation from the folded file,
#    the JSON validates, and text names are shown without vendor prefixes.
# Skips, with the reason, without tests/lib/apiserver.sh or a kube-apiserver.
. "$(dirname "$0")/lib/tap.sh"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
PY=/usr/bin/python3
N=10
tap_plan $N
skip_all() {
	for _ in $(seq $N); do tap_skip "$1"; done
	exit 0
}
[ -f "$ROOT/tests/lib/apiserver.sh" ] || skip_all "tests/lib/apiserver.sh is absent"
[ "$(id -u)" = 0 ] || skip_all "needs root (BPF)"
. "$ROOT/tests/lib/apiserver.sh"
rc=0
BIN=$(apiserver_bin) || rc=$?
[ "$rc" = 3 ] && skip_all "no kube-apiserver: the kubernetes source cannot be fetched"
[ "$rc" = 127 ] && skip_all "no kube-apiserver: tools/apiserver/build.sh is absent"
[ "$rc" = 0 ] || tap_bail "no kube-apiserver (apiserver_bin status $rc)"

TMP=$(mktemp -d /tmp/bpflame-report-as.XXXXXX)
mkdir "$TMP/as"
cleanup() {
	apiserver_stop "$TMP/as"
	[ -n "${KEEP:-}" ] && cp "$TMP/a.folded" "$TMP/idle.folded" "$KEEP" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
apiserver_start "$TMP/as" 2>"$TMP/start.err" || tap_bail "apiserver_start: $(cat "$TMP/start.err")"
apiserver_load "$TMP/as" 40
# Record while the load runs; the load's own deadline outlasts the recording.
sleep 3
"$BPFLAME" record -p "$APISERVER_PID" -F 499 -d 20 -o "$TMP/a.folded" -o "$TMP/a.txt" \
	>"$TMP/rec.out" 2>"$TMP/rec.err"
rc=$?
apiserver_load_wait "$TMP/as"
codes=$(apiserver_codes "$TMP/as" | tr '\n' ' ')
if [ "$rc" = 0 ] && [ -s "$TMP/a.folded" ] && [ -s "$TMP/a.txt" ]; then
	tap_ok "record -p kube-apiserver -o a.folded -o a.txt (load statuses: $codes)"
else
	tap_not_ok "record -p kube-apiserver -o a.folded -o a.txt (exit $rc)"
	tap_diag <"$TMP/rec.err"
fi
if grep -q '^Categories (preset apiserver)' "$TMP/a.txt"; then
	tap_ok "the recording's report recognizes kube-apiserver"
else
	tap_not_ok "the recording's report recognizes kube-apiserver"
	head -20 "$TMP/a.txt" | tap_diag
fi

"$BPFLAME" report --json --preset apiserver \
	--category 'filter-authn=endpoints/filters\.WithAuthentication' \
	--category 'filter-authz=endpoints/filters\.WithAuthorization' \
	--category 'serving=(endpoints/filters|server/filters)\.With' \
	"$TMP/a.folded" >"$TMP/r.json" 2>"$TMP/r.err"
check=$("$PY" - "$TMP/r.json" "$ROOT/tests/lib" <<'PY' 2>&1
import json, sys
sys.path.insert(0, sys.argv[2])
import report as rp
doc = json.load(open(sys.argv[1]))
err = rp.schema_errors(doc)
print("schema " + (err or "ok"))
cat = {c["name"]: c["percent"] for c in doc["profile"]["categories"]}
print("shares " + ", ".join("%s %.1f%%" % kv for kv in cat.items()))
zero = [c for c in ["authentication", "authorization", "serialization", "etcd", "go-gc"]
        if not cat.get(c, 0) > 0]
print("zero " + (" ".join(zero) or "none"))
serving = cat["serving"]
near = ["%s %.1f%% of serving %.1f%%" % (c, v, serving) for c, v in cat.items()
        if c not in ("filter-authn", "filter-authz", "serving", "kernel", "go-gc",
                     "go-scheduler") and v > 0.8 * serving]
print("near " + ("; ".join(near) or "none"))
wrap = []
if cat["filter-authn"] < cat["authentication"] + cat["authorization"] - 1e-9:
    wrap.append("WithAuthentication %.2f < authentication + authorization" % cat["filter-authn"])
if not cat["authentication"] < 0.5 * cat["filter-authn"]:
    wrap.append("authentication %.2f not under half of WithAuthentication %.2f"
                % (cat["authentication"], cat["filter-authn"]))
if not cat["authorization"] < cat["filter-authz"]:
    wrap.append("authorization %.2f not under WithAuthorization %.2f"
                % (cat["authorization"], cat["filter-authz"]))
print("wrap " + ("; ".join(wrap) or "ok"))
PY
)
echo "$check" | grep '^shares ' | tap_diag
field() { echo "$check" | sed -n "s/^$1 //p"; }
t_field() { # NAME EXPECTED DESC
	if [ "$(field "$1")" = "$2" ]; then tap_ok "$3"; else
		tap_not_ok "$3"; { field "$1"; cat "$TMP/r.err"; } | tap_diag; fi
}
t_field schema ok "report --json validates against the schema"
t_field zero none "authentication, authorization, serialization, etcd and GC all non-zero"
t_field near none "no category of the preset is near the request-serving share"
t_field wrap ok "the wrapping filters hold more than the work: authn well under WithAuthentication"

out=$("$PY" "$ROOT/tests/lib/report_oracle.py" "$TMP/a.folded" "$TMP/r.json" 2>&1)
if [ $? = 0 ]; then
	tap_ok "every category agrees with a recomputation from the folded file"
else
	tap_not_ok "every category agrees with a recomputation from the folded file"
	echo "$out" | tap_diag
fi

"$BPFLAME" report -n 50 "$TMP/a.folded" >"$TMP/r.txt" 2>&1
width=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$TMP/r.txt")
if [ "$width" -le 100 ]; then
	tap_ok "the text report fits 100 columns ($width)"
else
	tap_not_ok "the text report fits 100 columns ($width)"
	awk 'length($0) > 100' "$TMP/r.txt" | head -5 | tap_diag
fi
if grep -q 'k8s\.io/kubernetes/vendor/' "$TMP/a.folded"; then
	if ! grep -q 'vendor/' "$TMP/r.txt" && grep -q ' k8s\.io/apiserver/' "$TMP/r.txt"; then
		tap_ok "vendored names (k8s.io/kubernetes/vendor/...) are shown trimmed"
	else
		tap_not_ok "vendored names (k8s.io/kubernetes/vendor/...) are shown trimmed"
		grep 'vendor/' "$TMP/r.txt" | head -5 | tap_diag
	fi
else
	tap_skip "this kube-apiserver build has no vendor prefixes"
fi
# --base: before (idle) against under load is the workflow's comparison; the
# load must raise authorization (RBAC runs per request of the load user).
"$BPFLAME" record -p "$APISERVER_PID" -F 499 -d 4 -o "$TMP/idle.folded" >/dev/null 2>&1
"$BPFLAME" report --json --base "$TMP/idle.folded" "$TMP/a.folded" >"$TMP/b.json" 2>"$TMP/b.err"
res=$("$PY" - "$TMP/b.json" <<'PY' 2>&1
import json, sys
d = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in d["categories"]}
print("ok" if c["authorization"]["diff_points"] > 0 and d["moved"] else
      "authorization %s" % c["authorization"])
PY
)
if [ "$res" = ok ]; then
	tap_ok "--base idle loaded: authorization rises with the load"
else
	tap_not_ok "--base idle loaded: authorization rises with the load"
	{ echo "$res"; cat "$TMP/b.err"; } | tap_diag
fi
exit "$TAP_FAILED"
