#!/bin/bash
# pprof_convert.t: pprof input and output without a recording (issue 8).
# Round trips (folded -> pprof -> folded is identical); a Go runtime/pprof
# profile (tests/fixtures/gocpuprof) -> svg has the frames go tool pprof
# -traces shows, and -> folded has its stacks and counts; merge of a file
# with itself doubles every count; merge of folded and pprof adds totals and
# reports each input's; --value picks the sample type.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
GO=/usr/lib/go-1.23/bin/go
CHECK="python3 $ROOT/tests/lib/pprof_check.py"
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
. "$ROOT/tests/lib/tap.sh"
TMP=$(mktemp -d /tmp/bpflame-pprof.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
tap_plan 11
t_is() {
	if [ "$1" = "$2" ]; then tap_ok "$3"; return 0; fi
	tap_not_ok "$3"; printf 'expected: %s\n     got: %s\n' "$2" "$1" | tap_diag; return 1
}

# 1. folded -> pprof -> folded: every kind of frame, input sorted bytewise
# as bpflame writes it; an inlined frame at the root (no frame to be inlined
# into) keeps its marker.
cat >"$TMP/in.folded" <<'F'
app;[libc.so.6];main;q 1
app;main;a;b_[i];c_[i];d 7
app;main;a;b_[i];x_[k];y_[k] 3
app;main;z 12
i_[i];j 2
svc;runtime.main;main.main;f;g_[i] 40
F
"$BPFLAME" convert "$TMP/in.folded" -o "$TMP/in.pb.gz" &&
	"$BPFLAME" convert "$TMP/in.pb.gz" -o "$TMP/back.folded"
t_is "$?" 0 "convert folded -> .pb.gz -> folded exits 0"
t_is "$(diff "$TMP/in.folded" "$TMP/back.folded")" "" "folded -> pprof -> folded is identical"
t_is "$($CHECK compare "$GO" "$TMP/in.folded" "$TMP/in.pb.gz" --no-process 2>&1)" "" \
	"go tool pprof -traces of the converted file has the folded stacks, no warning"

# 2. A Go runtime/pprof profile.
if ! "$GO" build -C "$ROOT/tests/fixtures/gocpuprof" -o "$TMP/gocpuprof" . 2>"$TMP/build.err" ||
	! "$TMP/gocpuprof" "$TMP/go.prof" 2000; then
	tap_diag <"$TMP/build.err"
	tap_bail "cannot build or run tests/fixtures/gocpuprof"
fi
"$BPFLAME" convert "$TMP/go.prof" -o "$TMP/go.folded"
t_is "$($CHECK compare "$GO" "$TMP/go.folded" "$TMP/go.prof" --no-process 2>&1)" "" \
	"runtime/pprof profile -> folded: go tool pprof -traces's stacks and counts"
"$BPFLAME" svg --minwidth 0 --no-script "$TMP/go.prof" -o "$TMP/go.svg"
t_is "$?" 0 "bpflame svg reads the runtime/pprof profile"
svgframes=$(python3 - "$TMP/go.svg" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
names = set()
for t in ET.parse(sys.argv[1]).getroot().iter():
    if t.tag.endswith("title") and t.text and re.search(r" \([0-9.,]+ samples", t.text):
        names.add(re.sub(r" \([0-9.,]+ samples.*$", "", t.text, flags=re.S))
names.discard("all")
print("\n".join(sorted(names)))
PY
)
t_is "$svgframes" "$($CHECK functions "$GO" "$TMP/go.prof")" \
	"its SVG has exactly the frames go tool pprof -traces shows"
grep -q 'main\.work;main\.hash_\[i\]' "$TMP/go.folded"
t_is "$?" 0 "the inlined main.hash is an _[i] frame under main.work"

# 3. merge
"$BPFLAME" merge "$TMP/go.prof" "$TMP/go.prof" -o "$TMP/twice.folded" 2>"$TMP/merge.err"
doubled=$(awk 'NR == FNR {c[substr($0, 1, length($0) - length($NF) - 1)] = $NF; next}
	{k = substr($0, 1, length($0) - length($NF) - 1); if ($NF != 2 * c[k]) bad++; n++}
	END {print n + 0, bad + 0}' "$TMP/go.folded" "$TMP/twice.folded")
t_is "$doubled" "$(grep -c . "$TMP/go.folded") 0" "merging a profile with itself doubles every count"
total() { awk '{s += $NF} END {print s}' "$1"; }
"$BPFLAME" merge "$TMP/in.folded" "$TMP/go.prof" -o "$TMP/mixed.pb.gz" -o "$TMP/mixed.folded" \
	2>"$TMP/mixed.err"
t_is "$(total "$TMP/mixed.folded")" "$(( $(total "$TMP/in.folded") + $(total "$TMP/go.folded") ))" \
	"merge of folded and pprof: the totals add up"
t_is "$(grep -c "^bpflame: $TMP/in.folded: 65 samples\$\|^bpflame: $TMP/go.prof: $(total "$TMP/go.folded") samples\$" "$TMP/mixed.err")" 2 \
	"the merge summary gives each input's total"
# 4. --value: the cpu sample type is nanoseconds, 10 ms a sample at 100 Hz.
"$BPFLAME" convert --value cpu "$TMP/go.prof" -o "$TMP/cpu.folded"
t_is "$(total "$TMP/cpu.folded")" "$(( $(total "$TMP/go.folded") * 10000000 ))" \
	"--value cpu gives nanoseconds (samples x period)"
exit "$TAP_FAILED"
