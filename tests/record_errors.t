#!/bin/bash
# record_errors.t: every error of `bpflame record` is one line
# "bpflame: error: ..." on stderr that names the problem, exit status 2, and
# leaves no output file and no temporary file behind. Plus --help, record
# --help and --version.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 60

rec_spawn CPU "$FIX/bft_cpu" 120
max_rate=$(cat /proc/sys/kernel/perf_event_max_sample_rate)

# A PID that no process has: one we started and reaped (and that was not
# reused since), else 999999 if that is free.
true &
reaped=$!
wait "$reaped"
[ -e /proc/"$reaped" ] && reaped=999999

# err_case NAME DESC WANT ARGS...: runs `bpflame record ARGS -o DIR/out.folded`
# (the -o is left out when ARGS has its own) in an empty world-writable DIR.
# WANT: '|'-separated words the message must contain (case-insensitive).
# Three TAP lines: exit status 2; one "bpflame: error:" line naming WANT;
# DIR still empty and nothing on stdout.
RUN_AS=()
err_case() {
	local name=$1 desc=$2 want=$3 dir=$TMP/$1 rc=0 w lines bad=""
	shift 3
	mkdir -m 1777 "$dir"
	local -a args=("$@")
	case " $* " in *" -o "*) ;; *) args+=(-o "$dir/out.folded") ;; esac
	(cd "$dir" && timeout 60 "${RUN_AS[@]}" "$BPFLAME" record "${args[@]}") \
		>"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	t_is "$rc" 2 "$desc: exit status 2" || rec_diag "$name"
	lines=$(wc -l <"$TMP/$name.err")
	grep -q '^bpflame: error: ' "$TMP/$name.err" || bad="no 'bpflame: error: ' line"
	[ "$lines" = 1 ] || bad="$bad; $lines lines on stderr"
	IFS='|' read -ra words <<<"$want"
	for w in "${words[@]}"; do
		grep -qiF -- "$w" "$TMP/$name.err" || bad="$bad; message lacks '$w'"
	done
	if [ -z "$bad" ]; then
		tap_ok "$desc: one error line naming the problem: $(head -c 150 "$TMP/$name.err")"
	else
		tap_not_ok "$desc: error message ($bad)"
		rec_diag "$name"
	fi
	local left
	left=$(ls -A "$dir"; cat "$TMP/$name.out")
	t_is "$left" "" "$desc: no output file, no temporary file, nothing on stdout"
}

RUN_AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
err_case nobody "not root (uid 65534)" "root" -p "$CPU" -d 1
RUN_AS=()
err_case btf "--btf /nonexistent" "BTF|/nonexistent" -p "$CPU" -d 1 --btf /nonexistent
echo "this is not BTF" >"$TMP/notbtf.btf"
err_case badbtf "--btf FILE that is not BTF" "BTF|notbtf.btf" \
	-p "$CPU" -d 1 --btf "$TMP/notbtf.btf"
if [ -e /proc/999999 ]; then
	for _ in 1 2 3; do tap_skip "PID 999999 exists here"; done
else
	err_case pid999999 "-p 999999" "999999" -p 999999 -d 1
fi
err_case reaped "-p $reaped (a reaped process)" "$reaped" -p "$reaped" -d 1
err_case pidlist "-p $CPU,$reaped (one unknown PID in a list)" "$reaped" -p "$CPU,$reaped" -d 1
err_case pidabc "-p abc" "abc" -p abc -d 1
err_case noname "-n with a name that matches nothing" "bft_nomatch_$$" -n "bft_nomatch_$$" -d 1
if pgrep -x kube-apiserver >/dev/null; then
	for _ in 1 2 3; do tap_skip "a kube-apiserver runs on this machine"; done
else
	err_case default "no target and no kube-apiserver" "kube-apiserver|-p|-n|-a" -d 1
fi
err_case f0 "-F 0" "0" -p "$CPU" -d 1 -F 0
err_case fneg "-F -5" "-5" -p "$CPU" -d 1 -F -5
err_case fabc "-F abc" "abc" -p "$CPU" -d 1 -F abc
err_case fmax "-F $((max_rate + 1)) (above perf_event_max_sample_rate $max_rate)" \
	"$((max_rate + 1))" -p "$CPU" -d 1 -F "$((max_rate + 1))"
err_case d0 "-d 0" "0" -p "$CPU" -d 0
err_case dx "-d x" "x" -p "$CPU" -d x
err_case ext "-o x.png" "x.png" -p "$CPU" -d 1 -o "$TMP/ext/x.png"
err_case nodir "-o in a missing directory (found before recording)" "missing-dir" \
	-p "$CPU" -d 1 -o "$TMP/nodir/missing-dir/x.folded"
err_case two "-p PID and -a together" "-a" -p "$CPU" -a -d 1

# Help and version.
rc=0
"$BPFLAME" --help >"$TMP/help.out" 2>&1 || rc=$?
t_is "$rc" 0 "bpflame --help exits 0"
t_match "$TMP/help.out" 'record' "bpflame --help lists the record command"
rc=0
"$BPFLAME" record --help >"$TMP/rhelp.out" 2>&1 || rc=$?
t_is "$rc" 0 "bpflame record --help exits 0"
t_check "bpflame record --help documents -p, -n, -a, -F, -d, -o and has examples" \
	eval "grep -q -- '-p' '$TMP/rhelp.out' && grep -q -- '-n' '$TMP/rhelp.out' &&
	grep -q -- '-a' '$TMP/rhelp.out' && grep -q -- '-F' '$TMP/rhelp.out' &&
	grep -q -- '-d' '$TMP/rhelp.out' && grep -q -- '-o' '$TMP/rhelp.out' &&
	grep -qi 'example' '$TMP/rhelp.out' && grep -q '^ *bpflame record ' '$TMP/rhelp.out'"
rc=0
"$BPFLAME" --version >"$TMP/version.out" 2>&1 || rc=$?
t_is "$rc" 0 "bpflame --version exits 0"
t_is "$(cat "$TMP/version.out")" "bpflame $(cat "$ROOT/VERSION")" \
	"bpflame --version prints 'bpflame VERSION'"
exit "$TAP_FAILED"
