# tests/lib/record.sh: shared helpers of the record_*.t TAP scripts (source it).
#
# Builds the C fixtures of tests/fixtures/c/ (cached under build/record-fixtures/
# by a hash of their sources, compiler and flags), starts them and bpflame in
# the background, waits for bpflame to attach, and kills whatever a script
# started when it ends. Folded output is examined with tests/lib/folded.py.
#
#   rec_setup                   checks bpflame, builds the fixtures, makes $TMP
#   rec_spawn VAR BIN ARGS...   starts a fixture, its pid in VAR; with "wait" in
#                               ARGS it returns once the fixture blocks SIGUSR1
#   rec_bg VAR NAME ARGS...     starts `bpflame record ARGS`, stdout and stderr
#                               in $TMP/NAME.out and $TMP/NAME.err, pid in VAR
#   rec_attached PID            waits until bpflame PID has a perf event (and
#                               BPF link) on every online CPU; 1 if it died
#   rec_finish VAR PID          waits for bpflame PID; its exit status in VAR
#   rec_run NAME ARGS...        runs `bpflame record ARGS` in the foreground,
#                               status in $TMP/NAME.rc
#   rec_cpu NAME SECS PIDS ARGS...  records `bpflame record ARGS` until each
#                               process of PIDS (comma-separated) used SECS
#                               of CPU time since attach, then stops it with
#                               SIGINT: samples ~ SECS * F at any load;
#                               status in $TMP/NAME.rc, ticks in $TMP/NAME.ticks
#                               ($REC_ON_ATTACH, if set, is run once attached)
#   rec_mount_private DIR       makes DIR a private mount of its own (a bind
#                               mount on itself, unmounted at exit), so mounts
#                               a fixture makes under DIR in a namespace of its
#                               own never reach this one: works in a chroot
#                               too, where `unshare --propagation private`
#                               cannot (/ there is no mount point)
#   rec_summary NAME            bpflame's summary line ("bpflame: recorded ...")
#   fq CMD FILE ARGS...         tests/lib/folded.py
#   tmp_left DIR                number of leftover temporary files in DIR
#   tap_* and t_* helpers       plain TAP; t_* assert and print diagnostics

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
BPFLAME=${BPFLAME:-$ROOT/bpflame}
FIXSRC=$ROOT/tests/fixtures/c
# clang, not gcc: GCC 12 gives leaf functions no frame even with
# -fno-omit-frame-pointer, so frame-pointer unwinding would skip the caller of
# every hot leaf function. clang is a build dependency anyway (BPF target).
FIXCC=${FIXCC:-clang}
FIXCFLAGS="-O2 -g -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"
FIXCFLAGS="$FIXCFLAGS -fno-optimize-sibling-calls -Wall -Werror"
NCPUS=$(getconf _NPROCESSORS_ONLN)
FIX=""
TMP=""
REC_PIDS=()
REC_MOUNTS=()
REC_ON_ATTACH=""
declare -A REC_OUT # fixture pid -> file of its stdout and stderr

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# t_check DESC CMD...: ok when CMD succeeds.
t_check() {
	local desc=$1
	shift
	if "$@"; then tap_ok "$desc"; return 0; fi
	tap_not_ok "$desc"
	return 1
}

# t_is GOT EXPECTED DESC
t_is() {
	if [ "$1" = "$2" ]; then tap_ok "$3"; return 0; fi
	tap_not_ok "$3"
	printf 'expected: %s\n     got: %s\n' "$2" "$1" | tap_diag
	return 1
}

# t_num A OP B DESC: numeric comparison (OP is a python operator: < <= >= == ...).
t_num() {
	if python3 -c "import sys; sys.exit(0 if float('$1') $2 float('$3') else 1)" \
		2>/dev/null; then
		tap_ok "$4 ($1 $2 $3)"
		return 0
	fi
	tap_not_ok "$4"
	echo "expected $1 $2 $3" | tap_diag
	return 1
}

# t_match FILE REGEX DESC: some line of FILE matches the extended REGEX.
t_match() {
	if grep -Eq -- "$2" "$1"; then tap_ok "$3"; return 0; fi
	tap_not_ok "$3"
	{ echo "no line of $(basename "$1") matches /$2/; its start:"; head -20 "$1"; } |
		tap_diag
	return 1
}

# tmp_left DIR: how many temporary output files ("*.tmp.*") are in DIR.
tmp_left() {
	local _f _n=0
	for _f in "$1"/*.tmp.*; do
		[ -e "$_f" ] && _n=$((_n + 1))
	done
	echo "$_n"
}

fq() { python3 "$ROOT/tests/lib/folded.py" "$@"; }

# ratio A B: A/B*100 with one decimal, 0 when B is 0.
ratio() { python3 -c "print(round(100.0 * $1 / $2, 1) if $2 else 0)"; }

rec_cleanup() {
	local p
	for p in "${REC_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for p in "${REC_MOUNTS[@]}"; do
		umount -l "$p" 2>/dev/null
	done
	[ -n "$TMP" ] && rm -rf "$TMP"
}

# rec_build: builds every fixture into $FIX (build/record-fixtures/KEY/), once.
rec_build() {
	local key tmp
	key=$( { $FIXCC --version | head -1; echo "$FIXCFLAGS"; cat "$FIXSRC"/*.c "$FIXSRC"/*.h; } |
		sha256sum | cut -c1-16)
	FIX=$BUILD/record-fixtures/$key
	[ -f "$FIX/.done" ] && return 0
	mkdir -p "$BUILD/record-fixtures"
	tmp=$(mktemp -d "$BUILD/record-fixtures/.build.XXXXXX")
	local cc="$FIXCC $FIXCFLAGS -I$FIXSRC"
	if ! {
		$cc -o "$tmp/bft_cpu" "$FIXSRC/cpu.c" &&
		$cc -o "$tmp/bft_sys" "$FIXSRC/syscalls.c" &&
		$cc -fPIC -shared -o "$tmp/libbfthot.so" "$FIXSRC/hotlib.c" &&
		$cc -o "$tmp/bft_lib" "$FIXSRC/libcall.c" -L"$tmp" -lbfthot \
			-Wl,-rpath,'$ORIGIN' &&
		$cc -o "$tmp/bft_dl" "$FIXSRC/dlopen.c" -ldl &&
		$cc -fPIE -pie -o "$tmp/bft_pie" "$FIXSRC/single.c" &&
		$cc -fno-PIE -no-pie -o "$tmp/bft_nopie" "$FIXSRC/single.c" &&
		$cc -o "$tmp/bft_exit" "$FIXSRC/single.c" &&
		$cc -o "$tmp/bft_del" "$FIXSRC/deleted.c" &&
		$cc -pthread -o "$tmp/bft_thr" "$FIXSRC/threads.c" &&
		$cc -pthread -o "$tmp/bft_tree" "$FIXSRC/tree.c" &&
		$cc -o "$tmp/bft_vdso" "$FIXSRC/vdso.c"
	} >"$tmp/build.log" 2>&1; then
		cat "$tmp/build.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	touch "$tmp/.done"
	# Another test may have built the same key meanwhile: keep either.
	mv -T "$tmp" "$FIX" 2>/dev/null || rm -rf "$tmp"
	[ -f "$FIX/.done" ]
}

rec_setup() {
	tap_need_root
	[ -x "$BPFLAME" ] || tap_fail_all "$BPFLAME not built (make bpflame)"
	rec_build || tap_fail_all "building the C fixtures failed"
	TMP=$(mktemp -d /tmp/bpflame-rec.XXXXXX)
	chmod 755 "$TMP"
	trap rec_cleanup EXIT
	# Run private copies: a `make clean` elsewhere must not pull the
	# binaries from under running fixtures.
	cp -a "$FIX" "$TMP/fix" || tap_fail_all "cannot copy the fixtures"
	FIX=$TMP/fix
}

# rec_spawn VAR BIN ARGS...
# (Locals start with _ so that they never shadow the caller's VAR.)
rec_spawn() {
	local _var=$1 _bin=$2 _out _i _pid
	shift 2
	_out=$(mktemp "$TMP/$(basename "$_bin").XXXXXX")
	"$_bin" "$@" >"$_out" 2>&1 &
	_pid=$!
	REC_PIDS+=("$_pid")
	REC_OUT[$_pid]=$_out
	printf -v "$_var" '%s' "$_pid"
	case " $* " in
	*" wait "*)
		for ((_i = 0; _i < 1200; _i++)); do
			grep -q '^waiting$' "$_out" && return 0
			kill -0 "$_pid" 2>/dev/null || break
			sleep 0.05
		done
		echo "fixture $_bin did not reach its start gate:" >&2
		cat "$_out" >&2
		return 1
		;;
	esac
	return 0
}

# rec_bg VAR NAME ARGS...
rec_bg() {
	local _var=$1 _name=$2 _pid
	shift 2
	"$BPFLAME" record "$@" >"$TMP/$_name.out" 2>"$TMP/$_name.err" &
	_pid=$!
	REC_PIDS+=("$_pid")
	printf -v "$_var" '%s' "$_pid"
}

# fd_count PID TEXT: how many fds of PID link to a name containing TEXT.
fd_count() {
	local n=0 f l
	for f in /proc/"$1"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in *"$2"*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

rec_attached() {
	local _pid=$1 _i _n=0
	# Loading the BPF program can take long on a loaded machine: 120 s.
	for ((_i = 0; _i < 2400; _i++)); do
		if ! kill -0 "$_pid" 2>/dev/null; then
			echo "rec_attached: bpflame $_pid ended before attaching" | tap_diag
			return 1
		fi
		_n=$(fd_count "$_pid" perf_event)
		[ "$_n" -ge "$NCPUS" ] && break
		sleep 0.05
	done
	if [ "$_i" -ge 2400 ]; then
		{ echo "rec_attached: $_n perf events of $NCPUS after 120 s; fds:"
		  ls -l /proc/"$_pid"/fd; } 2>&1 | tap_diag
		return 1
	fi
	# The BPF program is attached through one BPF link per event (kernels
	# without perf links attach by ioctl: give up waiting after 2 s).
	for ((_i = 0; _i < 40; _i++)); do
		[ "$(fd_count "$_pid" bpf_link)" -ge "$NCPUS" ] && break
		sleep 0.05
	done
	sleep 0.2
	kill -0 "$_pid" 2>/dev/null && return 0
	echo "rec_attached: bpflame $_pid ended right after attaching" | tap_diag
	return 1
}

# fixture_diag PID: a fixture's output and state, as diagnostics.
fixture_diag() {
	{
		echo "fixture $1: $(grep -s '^State:' /proc/"$1"/status || echo 'not running')"
		cat "${REC_OUT[$1]:-/dev/null}"
	} | tap_diag
}

rec_finish() {
	local _rc=0
	wait "$2" || _rc=$?
	printf -v "$1" '%s' "$_rc"
}

rec_run() {
	local name=$1 rc=0
	shift
	"$BPFLAME" record "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	echo "$rc" >"$TMP/$name.rc"
}

rec_cpu() {
	local _name=$1 _secs=$2 _pids _rpid _start _rc=0 _pid _i
	IFS=, read -ra _pids <<<"$3"
	shift 3
	local -a _args=("$@")
	case " $* " in *" -d "*) ;; *) _args+=(-d 600) ;; esac
	rec_bg _rpid "$_name" "${_args[@]}"
	if rec_attached "$_rpid"; then
		[ -n "$REC_ON_ATTACH" ] && eval "$REC_ON_ATTACH"
		# Each process must have had its SECS (not their sum).
		local -a _starts=()
		for _pid in "${_pids[@]}"; do _starts+=("$(cpu_ticks "$_pid")"); done
		for _i in "${!_pids[@]}"; do
			wait_cpu "$_secs" "${_starts[$_i]}" "${_pids[$_i]}"
		done
		_start=0
		for _i in "${!_pids[@]}"; do _start=$((_start + _starts[_i])); done
		echo $(($(cpu_ticks "${_pids[@]}") - _start)) >"$TMP/$_name.ticks"
		kill -INT "$_rpid" 2>/dev/null
	else
		echo 0 >"$TMP/$_name.ticks"
	fi
	wait "$_rpid" || _rc=$?
	echo "$_rc" >"$TMP/$_name.rc"
}

# rec_expect NAME HZ [PERCENT]: PERCENT (default 50) of the samples a
# recording by rec_cpu NAME at HZ can expect from the CPU time its targets used.
rec_expect() {
	local _t
	_t=$(cat "$TMP/$1.ticks" 2>/dev/null)
	echo $((${_t:-0} * $2 * ${3:-50} / 100 / CLK_TCK))
}

rec_mount_private() {
	mount --bind "$1" "$1" 2>/dev/null || return 1
	REC_MOUNTS+=("$1")
	mount --make-private "$1"
}

rec_summary() { grep -m1 '^bpflame: recorded ' "$TMP/$1.err"; }

# rec_diag NAME: bpflame's stderr and the heaviest stacks of FILE, as diagnostics.
rec_diag() {
	local name=$1 file=${2:-}
	{
		echo "bpflame stderr ($name):"
		cat "$TMP/$name.err"
		if [ -n "$file" ] && [ -s "$file" ]; then
			echo "heaviest stacks of $(basename "$file"):"
			fq top "$file" 12
		fi
	} | tap_diag
}
