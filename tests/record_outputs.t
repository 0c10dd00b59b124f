#!/bin/bash
# record_outputs.t: output selection. Two -o at once (.folded and .svg) come
# from one recording; `-o -` and no -o write folded stacks to stdout; -q
# silences the summary; --lines adds :LINE to the frames of a Go fixture
# (C fixtures carry no line information bpflame reads).
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 17

rec_spawn CPU "$FIX/bft_cpu" 60

# Two outputs at once.
mkdir "$TMP/two"
# Every recording lasts until the fixture used half a CPU second.
rec_cpu two 0.5 "$CPU" -p "$CPU" -F 499 -o "$TMP/two/a.folded" -o "$TMP/two/a.svg"
t_is "$(cat "$TMP/two.rc")" 0 "record -o a.folded -o a.svg exits 0" || rec_diag two
t_is "$(cd "$TMP/two" && echo *)" "a.folded a.svg" "both files, and nothing else, are written"
t_is "$(fq validate "$TMP/two/a.folded" 2>&1)" "" "a.folded is well formed"
t_num "$(fq ucount "$TMP/two/a.folded" ';main;caller_a;hot_a$')" '>=' 100 \
	"a.folded holds main;caller_a;hot_a"
svgcheck=$(python3 - "$TMP/two/a.svg" "$(fq total "$TMP/two/a.folded")" <<'PY' 2>&1
import re, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
if not root.tag.endswith("svg"):
    sys.exit(f"root element is {root.tag}, not svg")
titles = [t.text or "" for t in root.iter() if t.tag.endswith("title")]
if not any(t.startswith("hot_a ") for t in titles):
    sys.exit("no frame titled 'hot_a (...)'")
# The root frame's sample count is the folded file's total.
total = sys.argv[2]
nums = [re.sub(r"[,.]", "", m)
        for t in titles for m in re.findall(r"\(([0-9][0-9,.]*) samples", t)]
if total not in nums:
    sys.exit(f"no frame has the folded total of {total} samples")
PY
)
t_is "$svgcheck" "" "a.svg is an SVG document with a hot_a frame and the same total as a.folded"

# -o - : folded to stdout, summary on stderr, no file anywhere.
mkdir "$TMP/stdout"
(cd "$TMP/stdout" && rec_cpu dash 0.5 "$CPU" -p "$CPU" -F 499 -o -)
rc=$(cat "$TMP/dash.rc")
t_is "$rc" 0 "record -o - exits 0" || rec_diag dash
t_is "$(fq validate "$TMP/dash.out" 2>&1)" "" "-o -: stdout is well-formed folded stacks"
t_num "$(fq ucount "$TMP/dash.out" ';main;caller_a;hot_a$')" '>=' 100 \
	"-o -: stdout holds main;caller_a;hot_a"
t_match "$TMP/dash.err" '^bpflame: recorded ' "-o -: the summary goes to stderr"
t_is "$(ls -A "$TMP/stdout")" "" "-o -: no file is created"

# No -o and -q: folded to stdout, nothing on stderr.
(cd "$TMP/stdout" && rec_cpu quiet 0.5 "$CPU" -q -p "$CPU" -F 499)
rc=$(cat "$TMP/quiet.rc")
t_is "$rc" 0 "record -q without -o exits 0" || rec_diag quiet
t_is "$(fq validate "$TMP/quiet.out" 2>&1)" "" "no -o: stdout is well-formed folded stacks"
t_num "$(fq ucount "$TMP/quiet.out" ';main;caller_a;hot_a$')" '>=' 100 \
	"no -o: stdout holds main;caller_a;hot_a"
t_is "$(cat "$TMP/quiet.err")" "" "-q: nothing on stderr"

# --lines on a Go fixture built here (frames get :LINE).
GO=""
for g in /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/lib/go-1.21/bin/go go; do
	command -v "$g" >/dev/null 2>&1 && { GO=$g; break; }
done
if [ -z "$GO" ]; then
	for _ in 1 2 3; do tap_skip "no Go toolchain"; done
	exit "$TAP_FAILED"
fi
mkdir "$TMP/golines"
# Line numbers matter below: spin's body is lines 15-21, main's 23-31.
cat >"$TMP/golines/main.go" <<'GO'
package main

import (
	"os"
	"time"
)

//go:noinline
func tick(x uint64) uint64 { return x ^ 1 }

// spin calls tick so that it has a frame of its own: frame-pointer
// unwinding skips the caller of a frameless leaf function.
//
//go:noinline
func spin(n uint64) uint64 {
	x := n
	for i := 0; i < 1000000; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return tick(x)
}

func main() {
	d, _ := time.ParseDuration(os.Args[1])
	end := time.Now().Add(d)
	var s uint64 = 1
	for time.Now().Before(end) {
		s = spin(s)
	}
	os.Exit(int(s & 0))
}
GO
(cd "$TMP/golines" && GOCACHE=$BUILD/gocache GOTOOLCHAIN=local GOPROXY=off GO111MODULE=off \
	"$GO" build -o bft_golines main.go) >"$TMP/gobuild.log" 2>&1 ||
	tap_diag <"$TMP/gobuild.log"
rec_spawn GOP "$TMP/golines/bft_golines" 60s
rec_cpu golines 0.5 "$GOP" -p "$GOP" -F 499 --lines -o "$TMP/golines.folded"
t_is "$(cat "$TMP/golines.rc")" 0 "record --lines of a Go fixture exits 0" || rec_diag golines
hit=$(fq ucount "$TMP/golines.folded" '(^|;)main\.main:(2[3-9]|3[01]);main\.spin:(1[5-9]|2[01])$')
all=$(fq ucount "$TMP/golines.folded" '^bft_golines;')
t_num "$(ratio "$hit" "$all")" '>=' 80 \
	"--lines: main.main:LINE;main.spin:LINE with lines inside each function ($hit of $all)" ||
	rec_diag golines "$TMP/golines.folded"
nolines=$(fq count "$TMP/golines.folded" '(^|;)main\.spin(;|$)')
t_is "$nolines" 0 "--lines: no main.spin frame lacks its line" || rec_diag golines
exit "$TAP_FAILED"
