# tests/lib/tap.sh: plain TAP for the shell tests (source it). The tap_*
# functions number the test points themselves; TAP_FAILED is 1 once any
# point failed. Also the load-independent waits every test uses: a
# fixture's samples are judged against the CPU time it really got
# (cpu_ticks), and a test waits for a condition, never for a fixed time.
TAP_N=0
TAP_FAILED=0
TAP_PLANNED=0
tap_plan() { echo "1..$1"; TAP_PLANNED=1; }
tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
tap_not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=1; echo "not ok $TAP_N - $*"; }
tap_skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP $*"; }
tap_diag() { sed 's/^/# /'; }
# tap_skip_all REASON: the whole script is skipped (before any plan).
tap_skip_all() { echo "1..0 # SKIP $*"; exit 0; }
# tap_fail_all REASON: the script cannot run: one failing point, not a
# "Bail out!" (which would stop prove and every script after this one).
# After a plan, it is one more failing point and the end of the script.
tap_fail_all() {
	[ "$TAP_PLANNED" = 1 ] || echo "1..1"
	tap_not_ok "$*"
	exit 1
}
# tap_need_root: skips the whole script unless it runs as root.
tap_need_root() {
	[ "$(id -u)" = 0 ] ||
		tap_skip_all "needs root (BPF programs, perf events, other processes' maps)"
}
tap_bail() { tap_fail_all "$@"; }

CLK_TCK=$(getconf CLK_TCK)

# cpu_ticks PID...: the user + system CPU time the processes have used so
# far (all their threads), in clock ticks; a process that is gone counts 0.
cpu_ticks() {
	local _p _s=0 _t
	for _p in "$@"; do
		# Fields after the ") " that ends the comm: state is $1, utime $12, stime $13.
		_t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' /proc/"$_p"/stat 2>/dev/null)
		_s=$((_s + ${_t:-0}))
	done
	echo "$_s"
}

# wait_cpu SECONDS START PID...: waits until the processes have used SECONDS
# of CPU time more than START (a cpu_ticks value), or all of them are gone.
# The deadline is generous (WAIT_CPU_DEADLINE wall seconds, default 300):
# a loaded machine makes this slower, never wrong. 1 if it passed.
wait_cpu() {
	local _want _start=$2 _i _alive _p _limit
	_want=$(awk -v s="$1" -v t="$CLK_TCK" 'BEGIN { printf "%d", s * t + 0.999 }')
	shift 2
	_limit=$((${WAIT_CPU_DEADLINE:-300} * 10))
	for ((_i = 0; _i < _limit; _i++)); do
		[ $(($(cpu_ticks "$@") - _start)) -ge "$_want" ] && return 0
		_alive=0
		for _p in "$@"; do kill -0 "$_p" 2>/dev/null && _alive=1; done
		[ "$_alive" = 0 ] && return 0
		sleep 0.1
	done
	echo "wait_cpu: $* used $(($(cpu_ticks "$@") - _start)) of $_want ticks" \
		"in ${WAIT_CPU_DEADLINE:-300} s" | tap_diag
	return 1
}

# wait_for DESC SECONDS CMD...: runs CMD every 0.1 s until it succeeds; 1
# (with a diagnostic naming DESC) after SECONDS of wall time.
wait_for() {
	local _desc=$1 _i _limit=$(($2 * 10))
	shift 2
	for ((_i = 0; _i < _limit; _i++)); do
		"$@" && return 0
		sleep 0.1
	done
	echo "timed out after $((_limit / 10)) s waiting for $_desc" | tap_diag
	return 1
}
