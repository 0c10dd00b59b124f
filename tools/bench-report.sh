#!/bin/sh
# bench-report.sh: how fast `bpflame report --preset apiserver` computes the
# top lists and 12 category shares of a large profile, next to what a user
# would otherwise run: a Python script with the same regexes (re, memoized
# per distinct frame: tests/lib/report_oracle.py, the tests' own oracle), and
# one `grep -E | awk` pass per category (which cannot express the preset's
# exclusions, so its numbers differ: shown for speed only).
#
#   tools/bench-report.sh           (from the repo root; `make bench` runs it)
#
# Input: STACKS (default 100,000) distinct stacks generated here from real
# kube-apiserver function names, depth 8 to 64. RUNS (3) runs each; the best
# wall time counts. Numbers only: nothing is asserted. Figures move 10-15%
# from run to run on a loaded machine.
set -eu

cd "$(dirname "$0")/.."
BPFLAME=${BPFLAME:-./bpflame}
RUNS=${RUNS:-3}
OUT=${BENCH_DIR:-build/bench}
STACKS=${STACKS:-100000}
PY=/usr/bin/python3
mkdir -p "$OUT"
[ -x "$BPFLAME" ] || { echo "bench-report: $BPFLAME not built (make bpflame)" >&2; exit 2; }

gen="$OUT/report-$STACKS.folded"
awk -v n="$STACKS" 'BEGIN {
	V = "k8s.io/kubernetes/vendor/"
	split("net/http.(*conn).serve;" V "golang.org/x/net/http2.(*serverConn).runHandler;" \
	      V "k8s.io/apiserver/pkg/endpoints/filters.WithAuthentication.func1;" \
	      V "k8s.io/apiserver/pkg/server/filters.WithPriorityAndFairness.func1;" \
	      V "k8s.io/apiserver/pkg/util/flowcontrol.(*configController).Handle;" \
	      V "k8s.io/apiserver/pkg/endpoints/filters.WithAuthorization.func1;" \
	      V "k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1", chain, ";")
	A = "k8s.io/apiserver/pkg/authentication/request/bearertoken"
	split(V A ".(*Authenticator).AuthenticateRequest;" \
	      V "k8s.io/apiserver/pkg/authorization/union.unionAuthzHandler.Authorize;" \
	      "k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac.(*RBACAuthorizer).Authorize;" \
	      "encoding/json.(*decodeState).object;encoding/json.(*encodeState).marshal;" \
	      V "k8s.io/apimachinery/pkg/runtime/serializer/protobuf.(*Serializer).Decode;" \
	      V "go.etcd.io/etcd/clientv3.(*kv).Do;" V "google.golang.org/grpc.(*ClientConn).Invoke;" \
	      V "k8s.io/apiserver/pkg/storage/etcd3.(*store).List;" \
	      V "k8s.io/apiserver/pkg/storage/cacher.(*watchCache).WaitUntilFreshAndList;" \
	      "crypto/tls.(*Conn).Write;" V "k8s.io/klog/v2.(*loggingT).output;" \
	      "runtime.mallocgc;runtime.gcBgMarkWorker;runtime.scanobject;runtime.schedule;" \
	      "runtime.findRunnable;reflect.Value.Call;sync.(*Mutex).Lock;runtime.memmove;" \
	      "strings.(*Builder).WriteString;sort.Sort;runtime.mapaccess2", work, ";")
	nc = 7; nw = 26; seed = 20261202
	while (made < n) {
		line = "kube-apiserver;runtime.goexit"
		depth = 2
		if (rnd() < 0.7)
			for (i = 1; i <= nc && rnd() < 0.9; i++) { line = line ";" chain[i]; depth++ }
		target = 8 + int(rnd() * 56)
		while (depth < target) {
			r = rnd()
			if (r < 0.05)
				f = "entry_SYSCALL_64_[k]"
			else if (r < 0.35)
				f = work[1 + int(rnd() * nw)]
			else
				f = "k8s.io/kubernetes/pkg/registry/f" int(rnd() * 400)
			line = line ";" f
			depth++
		}
		if (line in seen)
			continue
		seen[line] = 1
		made++
		print line, 1 + int(rnd() * rnd() * 50)
	}
}
function rnd() {
	seed = (seed * 16807) % 2147483647
	return seed / 2147483647
}' >"$gen"

now() { date +%s.%N; }
TIMEFILE="$OUT/.time"
# best CMD...: "WALL CPU MAXRSS_KB" of the run with the best wall time.
best() {
	b=
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now)
		/usr/bin/time -f '%U %S %M' -o "$TIMEFILE" "$@" >/dev/null
		t1=$(now)
		w=$(awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f %d", b - a, $1 + $2, $3 }' \
			"$TIMEFILE")
		b=$(echo "$w" "$b" | awk '{ if (NF < 6 || $1 < $4) print $1, $2, $3;
			else print $4, $5, $6 }')
		i=$((i + 1))
	done
	echo "$b"
}
line() { printf '  %-34s %8.3f s wall %6s s cpu %8.1f MB max RSS\n' "$1" "$2" "$3" \
	"$(awk -v k="$4" 'BEGIN { print k / 1024 }')"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

echo "report: $(wc -l <"$gen") stacks, $(awk '{ s += $NF } END { print s }' "$gen") samples," \
	"preset apiserver (12 categories)"
# shellcheck disable=SC2046
set -- $(best "$BPFLAME" report --preset apiserver "$gen")
bw=$1 bc=$2 bm=$3
line "bpflame report" "$bw" "$bc" "$bm"
"$BPFLAME" report --json --preset apiserver "$gen" >"$OUT/report.json"
# shellcheck disable=SC2046
set -- $(best "$PY" tests/lib/report_oracle.py "$gen" "$OUT/report.json")
pw=$1 pc=$2 pm=$3
line "python3 re script (same regexes)" "$pw" "$pc" "$pm"
"$BPFLAME" report --list-presets | awk '/^apiserver:/ { on = 1; next } /^[a-z]/ { on = 0 }
	on && /^  / && !/!=/ { sub(/^  /, ""); i = index($0, "="); print substr($0, i + 1) }' \
	>"$OUT/regexes.txt"
cat >"$OUT/grep.sh" <<'SH'
while IFS= read -r re; do
	grep -E -- "$re" "$1" | awk '{ s += $NF } END { print s + 0 }'
done <"$2"
SH
# shellcheck disable=SC2046
set -- $(best sh "$OUT/grep.sh" "$gen" "$OUT/regexes.txt")
gw=$1 gc=$2 gm=$3
line "grep -E | awk, one pass per regex" "$gw" "$gc" "$gm"
echo "  speed-up: $(ratio "$pw" "$bw")x over the python script," \
	"$(ratio "$gw" "$bw")x over grep per regex (wall)"
