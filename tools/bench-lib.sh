# tools/bench-lib.sh: what the benchmarks and the soak read from a running
# bpflame, all from the kernel's own accounting (source it).
#   bench_map_bytes PID    bytes of BPF map memory bpflame PID holds: the sum
#                          of the memlock of its map fds (what bpftool reports)
#   bench_prog_cost PID    "NS RUNS": run_time_ns / run_cnt and run_cnt of the
#                          do_sample program PID loaded ("n/a 0" without one);
#                          needs kernel.bpf_stats_enabled=1 (bench_stats_on)
#   bench_rss_kb PID       resident memory of PID in KB (0 once it ended)
#   bench_stats_on         sets kernel.bpf_stats_enabled=1; bench_stats_restore
#                          puts back what it was (call it from an EXIT trap)
# Found by fd, not by name, so other recordings on the machine are not mixed in.

bench_map_bytes() {
	local f total=0 m
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^map_id:' "$f" 2>/dev/null || continue
		m=$(sed -n 's/^memlock:[[:space:]]*//p' "$f" 2>/dev/null)
		total=$((total + ${m:-0}))
	done
	echo "$total"
}

bench_prog_cost() {
	local f id cost=""
	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		cost=$(bpftool prog show id "$id" 2>/dev/null | awk '/do_sample/ { p = 1 }
			p && /run_time_ns/ { for (i = 1; i < NF; i++) {
				if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) } }
			END { if (c) printf "%.0f %d", t / c, c }')
		[ -n "$cost" ] && break
	done
	echo "${cost:-n/a 0}"
}

bench_rss_kb() {
	awk '/^VmRSS:/ { print $2; found = 1 } END { if (!found) print 0 }' \
		/proc/"$1"/status 2>/dev/null || echo 0
}

bench_stats_was=
bench_stats_on() {
	bench_stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
	sysctl -q kernel.bpf_stats_enabled=1 2>/dev/null || true
}
bench_stats_restore() {
	[ -n "$bench_stats_was" ] && sysctl -q kernel.bpf_stats_enabled="$bench_stats_was" 2>/dev/null
	return 0
}
