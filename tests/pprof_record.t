#!/bin/bash
# pprof_record.t: pprof output of recordings, read by go tool pprof (issue 8).
# One recording of a C fixture and one of the Go fixture tests/fixtures/golive
# (its hot main.mix inlined into main.spin), each written as folded stacks
# and as .pb.gz from the same model: go tool pprof reads the profile without
# a warning, -traces gives the folded file's stacks with the same counts,
# -top the same total; the inlined call is one location with two lines
# ("(inline)"), kernel frames sit in the [kernel.kallsyms] mapping, the Go
# binary's mapping carries its build id and every has_* flag, and functions
# carry their start lines (Go 1.20+ pclntab).
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 13
GO=/usr/lib/go-1.23/bin/go
CHECK="python3 $ROOT/tests/lib/pprof_check.py"
export GOCACHE=$BUILD/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=

# --- C fixture -------------------------------------------------------------
rec_spawn CPU "$FIX/bft_cpu" 60
rec_run c -p "$CPU" -F 499 -d 2 -o "$TMP/c.folded" -o "$TMP/c.pb.gz"
t_is "$(cat "$TMP/c.rc")" 0 "record -o c.folded -o c.pb.gz exits 0" || rec_diag c
t_is "$($CHECK compare "$GO" "$TMP/c.folded" "$TMP/c.pb.gz" 2>&1)" "" \
	"C fixture: go tool pprof -traces has the folded stacks and counts, no warning"
top=$("$GO" tool pprof -top -sample_index=samples "$TMP/c.pb.gz" 2>"$TMP/top.err")
total=$(fq total "$TMP/c.folded")
t_match <(echo "$top") "Total samples = $total\b" "-top: total is the folded total ($total)"
t_is "$(cat "$TMP/top.err")" "" "-top prints no warning"
raw=$("$GO" tool pprof -raw "$TMP/c.pb.gz" 2>&1)
t_match <(echo "$raw") '^[0-9]+: 0x[0-9a-f]+/0x[0-9a-f]+/0x[0-9a-f]+ .*bft_cpu [0-9a-f]{40} \[FN\]\[FL\]' \
	"the fixture's mapping has its path, GNU build id, has_functions and has_filenames"
if grep -q '_\[k\]' "$TMP/c.folded"; then
	kmap=$(echo "$raw" | sed -n 's/^\([0-9]*\): .*\[kernel.kallsyms\].*/\1/p')
	kfn=$(echo "$raw" | awk -v m="M=$kmap" '$3 == m' | head -1)
	t_check "kernel frames are locations of the [kernel.kallsyms] mapping" \
		test -n "$kmap" -a -n "$kfn"
else
	tap_skip "no kernel frame in this recording"
fi

# --- Go fixture --------------------------------------------------------------
if ! "$GO" build -C "$ROOT/tests/fixtures/golive" -trimpath -o "$TMP/golive" . \
	>"$TMP/gobuild.log" 2>&1; then
	cat "$TMP/gobuild.log" | tap_diag
	tap_bail "cannot build tests/fixtures/golive"
fi
rec_spawn GOP "$TMP/golive" 60
rec_run go -p "$GOP" -F 499 -d 3 -o "$TMP/go.folded" -o "$TMP/go.pprof"
t_is "$(cat "$TMP/go.rc")" 0 "record -o go.folded -o go.pprof exits 0" || rec_diag go
t_is "$($CHECK compare "$GO" "$TMP/go.folded" "$TMP/go.pprof" 2>&1)" "" \
	"Go fixture: go tool pprof -traces has the folded stacks and counts, no warning"
traces=$("$GO" tool pprof -traces "$TMP/go.pprof" 2>/dev/null)
t_match <(echo "$traces") '^ +[0-9.]+[mun]?s +main\.mix \(inline\)$' \
	"-traces shows main.mix as an inlined frame"
raw=$("$GO" tool pprof -raw "$TMP/go.pprof" 2>&1)
# A location holding main.mix then main.spin: one location, two lines.
inl=$(echo "$raw" | awk '/^Locations/ {on = 1; next} /^Mappings/ {on = 0}
	on && / main\.mix / {getline nx; if (nx ~ /^ +main\.spin /) n++} END {print n + 0}')
t_num "$inl" '>=' 1 "the inlined call is one location with main.mix and main.spin lines"
# Start lines: main.mix and main.spin are declared on lines 15 and 25.
t_match <(echo "$raw") 'main\.mix golive/main\.go:[0-9]+:0 s=15$' "main.mix starts at line 15"
t_match <(echo "$raw") 'main\.spin golive/main\.go:[0-9]+:0 s=25$' "main.spin starts at line 25"
t_match <(echo "$raw") '^[0-9]+: .*/golive [A-Za-z0-9_/-]{40,} \[FN\]\[FL\]\[LN\]\[IN\]$' \
	"the Go binary's mapping has its Go build id and every has_* flag"
exit "$TAP_FAILED"
