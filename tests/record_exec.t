#!/usr/bin/env bash
# record_exec.t: a target that calls exec mid-run. Samples taken before the
# exec are symbolized with the old binary and named after the old process,
# those after it with the new binary: the two images never mix, although
# they share one PID (bpflame keys samples by process generation).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
. "$ROOT/tests/lib/tap.sh"
tap_need_root
pre="" rec=""
TMP=$(mktemp -d /tmp/bpflame-exec.XXXXXX)
trap 'kill -KILL $pre $rec 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
echo "1..5"

# Both spin in a function of their own for one second of CPU time (so at
# 499 Hz each image can expect about 499 samples, however loaded the
# machine); pre waits for SIGUSR1 (sent once bpflame is attached), spins,
# then execs post. The process CPU clock goes on across the exec.
cat >"$TMP/pre.c" <<'SRC'
#include <signal.h>
#include <time.h>
#include <unistd.h>
static volatile sig_atomic_t go;
static void on_usr1(int s) { go = 1; }
__attribute__((noinline)) void alpha_hot(void)
{
	struct timespec a, b;
	volatile long x = 0;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	do { for (int i = 0; i < 100000; i++) x++; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b); }
	while (b.tv_sec - a.tv_sec < 1);
}
int main(void)
{
	signal(SIGUSR1, on_usr1);
	while (!go) pause();
	alpha_hot();
	execl("./post", "post", (char *)0);
	return 1;
}
SRC
sed -e 's/alpha_hot/beta_hot/g' -e '/signal\|pause\|on_usr1\|execl\|static volatile/d' \
	"$TMP/pre.c" >"$TMP/post.c"
flags="-O2 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer"
clang $flags "$TMP/pre.c" -o "$TMP/pre" && clang $flags "$TMP/post.c" -o "$TMP/post"
ok $? "fixtures build"

cd "$TMP" || exit 1
./pre &
pre=$!
# The recording ends when the target exits (-d is only a generous deadline).
"$BPFLAME" record -p "$pre" -d 600 -F 499 -o "$TMP/out.folded" 2>"$TMP/err" &
rec=$!
# Attached once bpflame holds a perf event fd per online CPU.
attached() {
	[ "$(ls -l "/proc/$rec/fd" 2>/dev/null | grep -c 'perf_event')" -ge \
		"$(getconf _NPROCESSORS_ONLN)" ] || ! kill -0 "$rec" 2>/dev/null
}
wait_for "bpflame to attach" 120 attached
kill -USR1 "$pre"
wait "$rec"
ok $? "recorded across the exec ($(grep -o '([^)]*)' "$TMP/err" | head -1))" ||
	tap_diag <"$TMP/err"
[ -f "$TMP/out.folded" ] && grep -E 'alpha_hot|beta_hot' "$TMP/out.folded" | tap_diag

count() { awk -v re="$1" '$0 ~ re { s += $NF } END { print s + 0 }' "$TMP/out.folded" 2>/dev/null; }
# A quarter of the 499 samples one CPU second gives.
want=$((499 / 4))
before=$(count '^pre;.*;main;alpha_hot') after=$(count '^post;.*;main;beta_hot')
[ "${before:-0}" -ge "$want" ]
ok $? "before the exec: pre;...;main;alpha_hot ($before samples, want >= $want)"
[ "${after:-0}" -ge "$want" ]
ok $? "after the exec: post;...;main;beta_hot ($after samples, want >= $want)"
[ "$(count '^pre;.*beta_hot|^post;.*alpha_hot|^pre;.*;main;\[')" = 0 ]
ok $? "no sample of one image is symbolized or named as the other"
exit $failed
