#!/bin/bash
# record_lifecycle.t: kernel objects and memory of a recording.
# - BPF map memory (the memlock the kernel charges bpflame's maps, read from
#   its own fds) is at most 16 MB in the largest default setup (-a with
#   --interval, two counts maps).
# - After every way a recording ends (duration, target exit, SIGINT,
#   SIGTERM, SIGHUP, SIGKILL of bpflame) no BPF program, map or link that
#   this bpflame process owned remains (checked by id with bpftool; other
#   recordings on the machine are not counted), and no perf event either
#   (they are fds of the process).
# - Two recordings at once each see only their own target.
source "$(dirname "$0")/lib/record.sh"
rec_setup
tap_plan 19

# bpf_ids PID: "map ID", "prog ID", "link ID" lines for the fds of PID.
bpf_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		sed -n 's/^\(map\|prog\|link\)_id:[[:space:]]*\([0-9]*\)/\1 \2/p' "$f" 2>/dev/null
	done | sort -u
}
# memlock PID: sum of memlock of PID's BPF map fds.
memlock() {
	local f sum=0 m
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^map_id:' "$f" 2>/dev/null || continue
		m=$(sed -n 's/^memlock:[[:space:]]*//p' "$f")
		sum=$((sum + ${m:-0}))
	done
	echo "$sum"
}
# left IDS: the objects of IDS that bpftool still shows.
left() {
	local kind id
	while read -r kind id; do
		[ -n "$id" ] || continue
		bpftool "$kind" show id "$id" >/dev/null 2>&1 && echo "$kind $id"
	done <<<"$1"
}

rec_spawn CPU "$FIX/bft_cpu" 120

# end_case NAME HOW: records, ends it by HOW, checks nothing is left (1 TAP line).
end_case() {
	local name=$1 how=$2 ids rc pid
	case $how in
	exit)
		# Held at its start gate until bpflame attached, then runs 1 s.
		rec_spawn pid "$FIX/bft_exit" 1 wait
		rec_bg REC "$name" -p "$pid" -F 999 -d 60 -o "$TMP/$name.folded" ;;
	duration) rec_bg REC "$name" -p "$CPU" -F 999 -d 3 -o "$TMP/$name.folded" ;;
	*) rec_bg REC "$name" -p "$CPU" -F 999 -d 60 -o "$TMP/$name.folded" ;;
	esac
	rec_attached "$REC" || echo "bpflame did not attach" | tap_diag
	ids=$(bpf_ids "$REC")
	case $how in
	exit) kill -USR1 "$pid" ;;
	INT | TERM | HUP | KILL) sleep 0.5; kill -"$how" "$REC" ;;
	esac
	rec_finish rc "$REC"
	if [ -z "$ids" ]; then
		tap_not_ok "$name: found bpflame's BPF objects while it ran"
		return
	fi
	# The kernel frees a closed map after an RCU grace period, from a work
	# queue: wait for that (up to 60 s), never for a fixed time.
	local i rest
	for ((i = 0; i < 600; i++)); do
		rest=$(left "$ids" | tr '\n' ' ')
		[ -z "$rest" ] && break
		sleep 0.1
	done
	t_is "$rest" "" \
		"$name: none of its $(wc -l <<<"$ids") BPF programs/maps/links remain (exit $rc)"
}
end_case duration duration
end_case target-exit exit
end_case sigint INT
end_case sigterm TERM
end_case sighup HUP
end_case sigkill KILL

# Memory: the largest default configuration.
rec_bg REC mem -a --interval 2 -F 999 -d 4 -o "$TMP/mem.folded"
rec_attached "$REC" || echo "bpflame did not attach" | tap_diag
bytes=$(memlock "$REC")
rec_finish rc "$REC"
t_is "$rc" 0 "-a --interval 2 -d 4 exits 0" || rec_diag mem
t_num "$bytes" '>' 0 "bpflame's maps are charged memlock"
t_num "$bytes" '<=' $((16 * 1024 * 1024)) "BPF map memory of -a --interval is at most 16 MB"
summ=$(sed -n 's/^  memory: \([0-9.]*\) MB.*/\1/p' "$TMP/mem.err")
t_num "${summ:-0}" '>' 0 "the summary gives the map memory ($summ MB)"
n=0
for f in "$TMP"/mem-*T*Z.folded; do [ -s "$f" ] && n=$((n + 1)); done
t_num "$n" '>=' 2 "one folded file per interval, named FILE-YYYYMMDDTHHMMSSZ.folded"

# A smaller budget (--map-memory): the default sizes shrink to fit it, by
# the kernel's own accounting, and the summary gives the sizes used; sizes
# the user gave are kept, and the summary says the budget was exceeded.
rec_bg REC small -a --interval 2 -F 999 -d 3 --map-memory 5 -o "$TMP/small.folded"
rec_attached "$REC" || echo "bpflame did not attach" | tap_diag
small=$(memlock "$REC")
rec_finish rc "$REC"
t_is "$rc" 0 "-a --interval --map-memory 5 exits 0" || rec_diag small
t_num "$small" '<=' 5000000 "its BPF maps take at most 5 MB by the kernel's memlock ($bytes \
with the default budget)"
kept=$(sed -n 's/^  memory: .* stacks kept of \([0-9]*\) (--max-stacks).*/\1/p' "$TMP/small.err")
t_num "${kept:-32768}" '<' 32768 "the summary gives the smaller stack store (${kept:-no} stacks)" ||
	rec_diag small
rec_run big -p "$CPU" -F 99 -d 1 --max-stacks 262144 --map-memory 2 -o "$TMP/big.folded"
t_is "$(grep -c 'stacks kept of 262144 \|more than the map memory budget' "$TMP/big.err")" 2 \
	"--max-stacks 262144 over --map-memory 2: kept, and said" || rec_diag big

# Two recordings at once, two targets: neither sees the other's samples.
rec_spawn SYS "$FIX/bft_sys" 30
rec_bg R1 one -p "$CPU" -F 499 -d 4 -o "$TMP/one.folded"
rec_bg R2 two -p "$SYS" -F 499 -d 4 -o "$TMP/two.folded"
rec_finish rc1 "$R1"
rec_finish rc2 "$R2"
t_is "$rc1/$rc2" 0/0 "two recordings at once both exit 0" || { rec_diag one; rec_diag two; }
t_is "$(fq comms "$TMP/one.folded" | cut -d' ' -f1 | tr '\n' ' ')" "bft_cpu " \
	"the first recording has only its target"
t_is "$(fq comms "$TMP/two.folded" | cut -d' ' -f1 | tr '\n' ' ')" "bft_sys " \
	"the second recording has only its target"

# The interval sums: every sample of the run is in exactly one interval.
rec_run iv -p "$CPU" -F 999 -d 5 --interval 2 -o "$TMP/iv.folded"
total=0
for f in "$TMP"/iv-*T*Z.folded; do total=$((total + $(fq total "$f"))); done
m=$(rec_summary iv | sed -n 's/.*: \([0-9]*\) samples$/\1/p')
lost=$(sed -n 's/^  lost samples: \([0-9]*\).*/\1/p' "$TMP/iv.err")
t_is "$((total + ${lost:-0}))" "${m:-missing}" \
	"--interval: the intervals' samples ($total) + lost = the summary's samples" ||
	rec_diag iv
exit "$TAP_FAILED"
