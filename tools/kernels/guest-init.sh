#!/bin/busybox sh
# /init of the kernel-matrix guest (built by tools/kernels/initramfs.sh).
#
# Runs the record suite once against the booted kernel and reports on the
# serial console; the host (tests/lib/kernels.sh) makes the assertions.
# Every line meant for the host starts with "@@ " (kernel messages may
# interleave); a file is sent as "@@file NAME", its lines as "@@| LINE",
# then "@@end NAME". The last line is "@@done"; then the guest powers off.
#
# Scenarios, each with its outputs under /tmp/NAME.*:
#   main   three targets at once (-p A,B,C): the C CPU fixture (shares), the
#          C syscall fixture (kernel frames), the static Go fixture (inline
#          and frameless-leaf frames); bpfids snapshots before, during, after
#   exit   a target that exits while recorded (-d far longer than it lives)
#   throttle  the C CPU fixture at -F 4999 while kernel.perf_event_max_sample_rate
#          is lowered to 250 mid-recording (the guest's own sysctl: the host's
#          is never touched), then restored
#   nopid  an error case: a PID that does not exist
#   nobtf  an error case: a --btf file that does not exist
# No step waits without a deadline: a hang ends the suite, not the guest.
export PATH=/bin
/bin/busybox --install -s /bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t bpf bpf /sys/fs/bpf
cd /tmp

say() { echo "@@ $*"; }
send() {
	echo "@@file $1"
	[ -f "$2" ] && sed 's/^/@@| /' "$2"
	echo "@@end $1"
}
done_() {
	say done
	sync
	poweroff -f
	sleep 10
}
trap done_ EXIT

NCPUS=$(nproc)
say "kernel $(uname -r) $(uname -m) cpus $NCPUS"
[ -e /sys/kernel/btf/vmlinux ] && say "btf yes" || say "btf no"

# attached PID: waits (180 s at most: an emulated CPU on a loaded host is
# slow to parse the kernel's BTF) until bpflame PID has a perf event on
# every online CPU; 1 if it ended or did not get there.
attached() {
	i=0
	while [ "$i" -lt 1800 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		n=$(ls -l /proc/"$1"/fd 2>/dev/null | grep -c perf_event)
		[ "$n" -ge "$NCPUS" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# waitfor FILE TEXT: waits (60 s at most) until a line of FILE is TEXT.
waitfor() {
	i=0
	while [ "$i" -lt 600 ]; do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

bpfids >ids.before
send ids.before ids.before

# --- main: three targets ----------------------------------------------------
/fix/bft_cpu 120 >/dev/null 2>&1 &
cpu=$!
/fix/bft_sys 120 >/dev/null 2>&1 &
sys=$!
/fix/goguest 120 >/dev/null 2>&1 &
go=$!
say "pids cpu $cpu sys $sys go $go"
t0=$(date +%s)
# It records until stopped (SIGINT), so that the snapshot "during" cannot
# miss it however slowly the emulated CPUs start it; then 6 s more.
bpflame record -p "$cpu,$sys,$go" -F 199 -d 600 -o main.folded >main.out 2>main.err &
rec=$!
if attached "$rec"; then
	say "main attached after $(($(date +%s) - t0)) s"
	bpfids >ids.during
	sleep 6
else
	say "main not attached"
fi
kill -INT "$rec"
wait "$rec"
say "main rc $?"
kill "$cpu" "$sys" "$go" 2>/dev/null
wait "$cpu" "$sys" "$go" 2>/dev/null
send main.err main.err
send main.folded main.folded
send ids.during ids.during

# --- exit: a target that exits mid-run --------------------------------------
/fix/bft_exit 2 wait >exit.fix 2>&1 &
ex=$!
if waitfor exit.fix waiting; then
	t0=$(date +%s)
	bpflame record -p "$ex" -F 199 -d 300 -o exit.folded >exit.out 2>exit.err &
	rec=$!
	if attached "$rec"; then
		kill -USR1 "$ex"
	else
		say "exit not attached"
		kill "$ex"
	fi
	wait "$rec"
	say "exit rc $? after $(($(date +%s) - t0)) s of -d 300"
else
	say "exit fixture did not start"
	kill "$ex"
fi
wait "$ex" 2>/dev/null
send exit.err exit.err
send exit.folded exit.folded

# --- throttle: the kernel lowers its maximum sample rate mid-recording ------
/fix/bft_cpu 120 >/dev/null 2>&1 &
tc=$!
max0=$(cat /proc/sys/kernel/perf_event_max_sample_rate)
bpflame record -p "$tc" -F 4999 -d 600 -o throttle.folded >throttle.out 2>throttle.err &
rec=$!
if attached "$rec"; then
	echo 250 >/proc/sys/kernel/perf_event_max_sample_rate
	say "throttle max $(cat /proc/sys/kernel/perf_event_max_sample_rate)"
	sleep 4
else
	say "throttle not attached"
fi
kill -INT "$rec"
wait "$rec"
say "throttle rc $?"
echo "$max0" >/proc/sys/kernel/perf_event_max_sample_rate
kill "$tc" 2>/dev/null
wait "$tc" 2>/dev/null
send throttle.err throttle.err

# --- errors ------------------------------------------------------------------
bpflame record -p 999999 -d 1 -o nopid.folded >nopid.out 2>nopid.err
say "nopid rc $? output $([ -e nopid.folded ] && echo present || echo absent)"
send nopid.err nopid.err
sleep 300 &
sl=$!
bpflame record -p "$sl" -d 1 --btf /nonexistent.btf -o nobtf.folded >nobtf.out 2>nobtf.err
say "nobtf rc $? output $([ -e nobtf.folded ] && echo present || echo absent)"
kill "$sl"
send nobtf.err nobtf.err

# --- nothing left behind -------------------------------------------------------
bpfids >ids.after
send ids.after ids.after
say "bpffs entries $(ls -A /sys/fs/bpf | wc -l)"
