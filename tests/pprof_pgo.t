#!/bin/bash
# pprof_pgo.t: a bpflame recording is a PGO profile (issue 8). The fixture
# tests/fixtures/gopgo has main.mixer just above the inlining budget, called
# from a hot loop. With Go 1.21 and 1.23: `go build -gcflags=-m` does not
# inline it without a profile, and does ("inlining call to main.mixer")
# with a runtime/pprof profile of the fixture and with a bpflame recording
# of it. PGO matches call sites by line offset from the function's start
# line, which bpflame reads from the pclntab (_func.startLine, Go 1.20+).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
. "$ROOT/tests/lib/tap.sh"
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
TMP=$(mktemp -d /tmp/bpflame-pgo.XXXXXX)
PID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
tap_plan 8
SRC=$ROOT/tests/fixtures/gopgo

inlines() { # GO PGO-FLAG: whether the build inlines the hot call of mixer
	"$1" build -C "$SRC" $2 -gcflags=-m -o "$TMP/out" . 2>&1 | grep -q 'inlining call to mixer'
}

for v in 1.21 1.23; do
	G=/usr/lib/go-$v/bin/go
	if [ ! -x "$G" ]; then
		for i in 1 2 3 4; do tap_skip "go$v not installed"; done
		continue
	fi
	if inlines "$G" ""; then
		tap_not_ok "go$v: without a profile main.mixer is not inlined"
	else
		tap_ok "go$v: without a profile main.mixer is not inlined"
	fi
	"$G" build -C "$SRC" -o "$TMP/gopgo" . || tap_bail "cannot build the fixture"
	"$TMP/gopgo" 3000 "$TMP/rt.pprof" >/dev/null
	if inlines "$G" "-pgo=$TMP/rt.pprof"; then
		tap_ok "go$v: a runtime/pprof profile makes it inlined"
	else
		tap_not_ok "go$v: a runtime/pprof profile makes it inlined"
	fi
	"$TMP/gopgo" 60000 >/dev/null &
	PID=$!
	"$BPFLAME" record -q -p "$PID" -F 999 -d 4 -o "$TMP/bp.pprof"
	t=$?
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=""
	if [ "$t" = 0 ]; then tap_ok "go$v: bpflame recorded the fixture"
	else tap_not_ok "go$v: bpflame recorded the fixture (exit $t)"; fi
	if inlines "$G" "-pgo=$TMP/bp.pprof"; then
		tap_ok "go$v: the bpflame recording makes it inlined too"
	else
		tap_not_ok "go$v: the bpflame recording makes it inlined too"
	fi
done
exit "$TAP_FAILED"
