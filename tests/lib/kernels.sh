# tests/lib/kernels.sh: the kernel matrix of the kernels_*.t scripts (source it).
#
# Boots Debian kernels under qemu (TCG: KVM hangs on nested machines) with
# the guest initramfs of tools/kernels/ (busybox, a static bpflame for the
# guest's architecture, static C and Go fixtures, /init = the record suite)
# and makes the assertions here, on the host, from what the guest printed
# on its serial console (see tools/kernels/guest-init.sh for the protocol).
#
#   kern_setup ARCH          builds the guest's static bpflame and initramfs
#                            (cached by a hash of their inputs); on failure
#                            sets KERN_SKIP to the reason
#   kern_suite ARCH SUITE    boots SUITE's kernel and prints KERN_POINTS TAP
#                            points (skipped, with the reason, when qemu, the
#                            kernel download or kern_setup failed)
#
# The latest console log of each kernel stays in build/kernels/ARCH-SUITE/
# console.log. Each guest has KERNEL_TIMEOUT seconds (default 480) to run the
# whole suite; its own steps wait for conditions with deadlines, never for
# fixed times.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
KERN_POINTS=12
KERNEL_TIMEOUT=${KERNEL_TIMEOUT:-480}
KERN_SKIP=""
KERN_INITRD=""
KERN_QEMU_PID=""
KERN_TMP=""
. "$ROOT/tests/lib/tap.sh"

kern_cleanup() {
	[ -n "$KERN_QEMU_PID" ] && kill "$KERN_QEMU_PID" 2>/dev/null && wait "$KERN_QEMU_PID"
	[ -n "$KERN_TMP" ] && rm -rf "$KERN_TMP"
}
trap kern_cleanup EXIT
mkdir -p "$BUILD/kernels"
KERN_TMP=$(mktemp -d "$BUILD/kernels/.run.XXXXXX")

fq() { python3 "$ROOT/tests/lib/folded.py" "$@"; }
ratio() { python3 -c "print(round(100.0 * $1 / $2, 1) if $2 else 0)"; }

# The qemu binary of ARCH.
kern_qemu() {
	case $1 in
	amd64) echo qemu-system-x86_64 ;;
	arm64) echo qemu-system-aarch64 ;;
	esac
}

kern_setup() {
	local arch=$1 bin key log=$KERN_TMP/setup.log
	if ! command -v "$(kern_qemu "$arch")" >/dev/null; then
		KERN_SKIP="$(kern_qemu "$arch") not installed (tools/install-deps.sh --test)"
		return 1
	fi
	case $arch in
	amd64)
		bin=$BUILD/kernels/bpflame-amd64
		make -C "$ROOT" -s static STATIC_OUT="$bin" >"$log" 2>&1 ;;
	arm64)
		bin=$BUILD/arm64/bpflame
		command -v aarch64-linux-gnu-gcc >/dev/null || {
			KERN_SKIP="no cross compiler (gcc-aarch64-linux-gnu)"; return 1; }
		make -C "$ROOT" -s static-arm64 >"$log" 2>&1 ;;
	esac
	if [ $? -ne 0 ]; then
		KERN_SKIP="building the static $arch bpflame failed: $(grep -m1 -E 'error|failed' \
			"$log")"
		return 1
	fi
	key=$( { sha256sum "$bin" "$ROOT"/tools/kernels/* "$ROOT"/tests/fixtures/c/*.[ch] \
		"$ROOT"/tests/fixtures/goguest/*; clang --version | head -1;
		/usr/lib/go-1.23/bin/go version 2>/dev/null; } | sha256sum | cut -c1-16)
	KERN_INITRD=$BUILD/kernels/initramfs-$arch.gz
	if [ "$(cat "$KERN_INITRD.key" 2>/dev/null)" != "$key" ]; then
		rm -f "$KERN_INITRD.key"
		if ! "$ROOT/tools/kernels/initramfs.sh" "$arch" "$bin" "$KERN_INITRD" \
			>"$log" 2>&1; then
			KERN_SKIP="building the $arch initramfs failed: $(head -1 "$log")"
			return 1
		fi
		echo "$key" >"$KERN_INITRD.key"
	fi
}

# kern_boot ARCH KDIR OUT: boots KDIR/vmlinuz with the initramfs; the
# console goes to KDIR/console.log, and is split into OUT/say (the "@@ "
# lines) and OUT/files/NAME. Returns qemu's status (124: timed out).
kern_boot() {
	local arch=$1 kdir=$2 out=$3 rc=0
	local -a q
	case $arch in
	amd64) q=(qemu-system-x86_64 -accel tcg -cpu max) ; con=ttyS0 ;;
	arm64) q=(qemu-system-aarch64 -M virt -accel tcg -cpu max) ; con=ttyAMA0 ;;
	esac
	rm -f "$kdir/console.log"
	timeout --kill-after=10 "$KERNEL_TIMEOUT" "${q[@]}" -m 1G -smp 2 -no-reboot \
		-kernel "$kdir/vmlinuz" -initrd "$KERN_INITRD" \
		-append "console=$con quiet loglevel=1 panic=-1" \
		-display none -monitor none -serial "file:$kdir/console.log" \
		</dev/null >"$out/qemu.log" 2>&1 &
	KERN_QEMU_PID=$!
	wait "$KERN_QEMU_PID" || rc=$?
	KERN_QEMU_PID=""
	mkdir -p "$out/files"
	tr -d '\r' <"$kdir/console.log" | awk -v dir="$out/files" -v say="$out/say" '
		/^@@file / { f = dir "/" substr($0, 8); printf "" > f; next }
		/^@@end / { close(f); f = ""; next }
		/^@@\| / { if (f != "") print substr($0, 5) > f; next }
		/^@@ / { print substr($0, 4) > say }'
	touch "$out/say"
	return $rc
}

# say KEY: the rest of the guest's "@@ KEY ..." line.
say() { sed -n "s/^$1 //p" "$OUT/say" | head -1; }

# ids FILE KIND: the ids of KIND (progs, maps, links) in a bpfids file.
ids() { sed -n "s/^$2 *//p" "$1" | tr ' ' '\n' | grep -v '^$' | sort -n; }

kern_suite() {
	local arch=$1 suite=$2 kdir rc why=""
	OUT=$KERN_TMP/$arch-$suite
	mkdir -p "$OUT"
	if [ -n "$KERN_SKIP" ]; then
		why=$KERN_SKIP
	elif ! kdir=$("$ROOT/tools/kernels/fetch.sh" "$arch" "$suite" 2>"$OUT/fetch.err"); then
		why="cannot download the $suite $arch kernel: $(head -1 "$OUT/fetch.err")"
	fi
	if [ -n "$why" ]; then
		for ((i = 0; i < KERN_POINTS; i++)); do tap_skip "$arch $suite: $why"; done
		return 0
	fi
	local pkg t0=$SECONDS
	pkg=$(cat "$kdir/version")
	rc=0
	kern_boot "$arch" "$kdir" "$OUT" || rc=$?
	local F=$OUT/files kv name="$arch $suite ($pkg)"
	kv=$(say kernel)
	if grep -qx done "$OUT/say"; then
		tap_ok "$name: boots and runs the record suite to its end in $((SECONDS - t0)) s" \
			"($kv)"
	else
		tap_not_ok "$name: boots and runs the record suite to its end (qemu status $rc" \
			"after $((SECONDS - t0)) s, timeout ${KERNEL_TIMEOUT} s)"
		{ echo "last console lines ($kdir/console.log):"; tail -25 "$kdir/console.log"; } |
			tap_diag
	fi
	kern_main "$name" "$kv"
	kern_exit "$name"
	kern_throttle "$name"
	kern_errors "$name"
	kern_leftovers "$name"
}

# The main recording: three targets, CPU shares, kernel frames, Go frames.
kern_main() {
	local name=$1 kv=$2 f=$OUT/files/main.folded e=$OUT/files/main.err
	local pids cpu sys go
	pids=$(say pids)
	read -r _ cpu _ sys _ go <<<"$pids"
	if [ "$(say 'main rc')" = 0 ] && [ -s "$f" ] && [ -z "$(fq validate "$f" 2>&1)" ]; then
		tap_ok "$name: record -p CPU,SYS,GO exits 0 with a well-formed folded file"
	else
		tap_not_ok "$name: record -p CPU,SYS,GO exits 0 with a well-formed folded file" \
			"(rc $(say 'main rc'))"
		{ cat "$e" 2>/dev/null; fq validate "$f" 2>&1 | head -5; } | tap_diag
	fi
	# Every target has samples, and its own line in the summary.
	local missing="" c p
	for c in "bft_cpu:$cpu" "bft_sys:$sys" "goguest:$go"; do
		p=${c#*:}
		c=${c%%:*}
		[ "$(fq ucount "$f" "^$c;" 2>/dev/null || echo 0)" -gt 0 ] || missing+=" $c(samples)"
		grep -Eq "^ +[0-9]+  $c \[$p\]\$" "$e" 2>/dev/null || missing+=" $c(summary)"
	done
	if [ -z "$missing" ]; then
		tap_ok "$name: multiple targets: each of the three has samples and a summary line"
	else
		tap_not_ok "$name: multiple targets: missing$missing"
		cat "$e" 2>/dev/null | tap_diag
	fi
	# CPU shares: hot_a does 3 times hot_b's work. The guest gives each of
	# three busy processes on two emulated CPUs a few hundred samples, so the
	# share may be off 75% by 4.5 standard deviations of a binomial share
	# of that many samples (at least 5 points): 75 +- 7.4 for 700, 75 +- 12.3 for 250.
	local a b ac share tol
	a=$(fq ucount "$f" '^bft_cpu;(.*;)?hot_a$')
	b=$(fq ucount "$f" '^bft_cpu;(.*;)?hot_b$')
	ac=$(fq ucount "$f" '^bft_cpu;(.*;)?main;caller_a;hot_a$')
	share=$(ratio "$a" "$((a + b))")
	tol=$(python3 -c "print(round(max(5, 450 * (0.1875 / max($a + $b, 1)) ** 0.5), 1))")
	if [ "$((a + b))" -ge 100 ] &&
		python3 -c "import sys; sys.exit(not abs($share - 75) <= $tol)" &&
		[ "$((ac * 100))" -ge "$((a * 90))" ]; then
		tap_ok "$name: CPU shares: hot_a has $share% of hot_a+hot_b (work 75% +- $tol," \
			"$((a + b)) samples), under main;caller_a ($ac of $a)"
	else
		tap_not_ok "$name: CPU shares: hot_a $a, hot_b $b ($share%, expected 75 +- $tol" \
			"and 100 samples or more), under main;caller_a $ac"
		fq top "$f" 8 | tap_diag
	fi
	# Kernel frames: most of the syscall fixture's samples are in the kernel,
	# symbolized (from the guest's kallsyms) under a system call entry.
	local sys_all sys_k
	sys_all=$(fq ucount "$f" '^bft_sys;')
	sys_k=$(fq count "$f" '^bft_sys;.*sys_(pread64|write|getppid)_\[k\]')
	if [ "$sys_all" -gt 0 ] && [ "$((sys_k * 100))" -ge "$((sys_all * 30))" ]; then
		tap_ok "$name: kernel frames: $sys_k of $sys_all syscall-fixture samples under" \
			"a sys_pread64/sys_write/sys_getppid kernel frame"
	else
		tap_not_ok "$name: kernel frames: $sys_k of $sys_all syscall-fixture samples" \
			"under sys_pread64/sys_write/sys_getppid (expected 30% or more)"
		fq kframes "$f" bft_sys 2>&1 | head -20 | tap_diag
	fi
	# Go: samples whose user leaf is main.spin (or the main.mix inlined in it).
	local spin inl chain
	spin=$(fq ucount "$f" '^goguest;(.*;)?main\.spin(;main\.mix_\[i\])?$')
	inl=$(fq ucount "$f" '^goguest;(.*;)?main\.spin;main\.mix_\[i\]$')
	chain=$(fq ucount "$f" '^goguest;(.*;)?runtime\.main;main\.main;main\.spin(;main\.mix_\[i\])?$')
	if [ "$spin" -ge 50 ] && [ "$((inl * 100))" -ge "$((spin * 50))" ]; then
		tap_ok "$name: Go: main.mix_[i] inlined under main.spin ($inl of $spin samples)"
	else
		tap_not_ok "$name: Go: main.mix_[i] inlined under main.spin ($inl of $spin samples," \
			"expected 50 or more samples, half of them in mix)"
		fq top "$f" 8 | grep goguest | tap_diag
	fi
	# The frameless leaf main.spin keeps its caller main.main where the
	# kernel has bpf_task_pt_regs (5.15+); older kernels say once that the
	# fix is off, and lose that frame.
	local major minor notice
	IFS=. read -r major minor _ <<<"${kv%% *}"
	notice=$(grep -c 'frameless' "$e" 2>/dev/null)
	if [ "$major" -gt 5 ] || { [ "$major" -eq 5 ] && [ "$minor" -ge 15 ]; }; then
		if [ "$spin" -ge 50 ] && [ "$((chain * 100))" -ge "$((spin * 90))" ] &&
			[ "$notice" = 0 ]; then
			tap_ok "$name: Go frameless leaf: main.spin keeps its caller main.main" \
				"($chain of $spin samples)"
		else
			tap_not_ok "$name: Go frameless leaf: main.spin under main.main in $chain of" \
				"$spin samples (expected 90%), $notice notices (expected 0)"
			{ cat "$e"; fq top "$f" 8 | grep goguest; } | tap_diag
		fi
	else
		if [ "$notice" = 1 ] && [ "$spin" -ge 50 ]; then
			tap_ok "$name: Go frameless leaf: off before 5.15, said once:" \
				"$(grep frameless "$e")"
		else
			tap_not_ok "$name: Go frameless leaf: expected one notice before 5.15" \
				"(got $notice) and main.spin samples (got $spin)"
			cat "$e" | tap_diag
		fi
	fi
}

# A target that exits while recorded with -d 300: bpflame ends with it and
# keeps its samples, symbolized.
kern_exit() {
	local name=$1 f=$OUT/files/exit.folded e=$OUT/files/exit.err line total hot
	line=$(say 'exit rc')
	total=$(fq total "$f" 2>/dev/null || echo 0)
	hot=$(fq ucount "$f" '^bft_exit;(.*;)?main;single_caller;hot_single$' 2>/dev/null || echo 0)
	if [ "${line%% *}" = 0 ] && grep -q '(the target exited)' "$e" 2>/dev/null &&
		[ "$hot" -gt 0 ] && [ "$((hot * 100))" -ge "$((total * 50))" ]; then
		tap_ok "$name: exit mid-run: recording ends with the target (rc $line)," \
			"$hot of $total samples in main;single_caller;hot_single"
	else
		tap_not_ok "$name: exit mid-run: rc ${line:-missing}, $hot of $total samples in" \
			"main;single_caller;hot_single"
		{ cat "$e"; fq top "$f" 5; } 2>&1 | tap_diag
	fi
}

# The guest lowered kernel.perf_event_max_sample_rate to 250 while bpflame
# recorded at 4999 Hz: the summary says the recording was throttled, with
# the rate achieved (below the 4999 asked) and the kernel's new maximum.
kern_throttle() {
	local name=$1 e=$OUT/files/throttle.err line rate
	line=$(grep -m1 '^  throttled: ' "$e" 2>/dev/null)
	rate=$(sed -n 's/^  throttled: \([0-9]*\) samples per second per CPU of the 4999 asked'\
' (kernel.perf_event_max_sample_rate is 250)$/\1/p' "$e" 2>/dev/null)
	if [ "$(say 'throttle rc')" = 0 ] && [ "$(say 'throttle max')" = 250 ] &&
		[ -n "$rate" ] && [ "$rate" -lt 4999 ]; then
		tap_ok "$name: throttling: the summary says so:${line#' '}"
	else
		tap_not_ok "$name: throttling: rc $(say 'throttle rc'), max $(say 'throttle max')," \
			"summary: ${line:-no throttled line}"
		tap_diag <"$e"
	fi 2>/dev/null
}

kern_errors() {
	local name=$1 case what line
	for case in "nopid:-p 999999" "nobtf:--btf /nonexistent.btf"; do
		what=${case#*:}
		case=${case%%:*}
		line=$(say "$case rc")
		if [ "$line" = "2 output absent" ] && [ "$(wc -l <"$OUT/files/$case.err")" = 1 ] &&
			grep -q '^bpflame: error: ' "$OUT/files/$case.err"; then
			tap_ok "$name: error case $what: exit 2, one line: $(cat "$OUT/files/$case.err")"
		else
			tap_not_ok "$name: error case $what: expected exit 2, no output file and one" \
				"error line (got: ${line:-nothing})"
			tap_diag <"$OUT/files/$case.err"
		fi
	done 2>/dev/null
}

# Nothing left attached: every BPF program, map and link that existed while
# bpflame recorded (and not before) is gone after the suite; bpffs is empty.
kern_leftovers() {
	local name=$1 F=$OUT/files kind new left="" seen=0
	for kind in progs maps links; do
		new=$(comm -13 <(ids "$F/ids.before" $kind) <(ids "$F/ids.during" $kind) 2>/dev/null)
		[ "$kind" = progs ] && seen=$(echo "$new" | grep -c .)
		for id in $new; do
			ids "$F/ids.after" $kind | grep -qx "$id" && left+=" $kind:$id"
		done
	done
	if [ -s "$F/ids.after" ] && [ "$seen" -gt 0 ] && [ -z "$left" ] &&
		[ "$(say 'bpffs entries')" = 0 ]; then
		tap_ok "$name: nothing left: the $seen BPF programs (and maps, links) seen during" \
			"the recording are gone, bpffs empty"
	else
		tap_not_ok "$name: nothing left: $seen programs seen during the recording," \
			"left after:${left:- none}, bpffs entries $(say 'bpffs entries')"
		cat "$F/ids.before" "$F/ids.during" "$F/ids.after" 2>/dev/null | tap_diag
	fi
}
