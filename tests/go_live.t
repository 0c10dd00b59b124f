#!/usr/bin/env bash
# go_live.t: live recordings of stripped Go programs (issue 3).
#
# 1. A stripped fixture whose hot function main.mix is inlined into
#    main.spin: the recording shows main.mix as an inlined frame (_[i])
#    directly under main.spin, carrying most of spin's samples. main.spin is
#    a frameless leaf (it calls nothing once mix is inlined), which frame
#    pointers alone cannot unwind: its caller main.main must still appear
#    (bpflame takes the return address at SP where the pclntab says the
#    leaf has pushed nothing).
# 2. Debian's etcd (stripped, externally linked Go 1.19) under a put/get
#    load on loopback, recorded with -n etcd: at most 1% of the user frames
#    are unresolved "[etcd]" frames, and etcd's own packages (go.etcd.io/)
#    appear.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BPFLAME=${BPFLAME:-$ROOT/bpflame}
GO=/usr/lib/go-1.23/bin/go
command -v "$GO" >/dev/null || GO=$(command -v go || true)
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
# record.sh for rec_cpu (record until the target used some CPU time, so
# the sample counts do not depend on the machine's load); not rec_setup.
. "$ROOT/tests/lib/record.sh"
tap_need_root
TMP=$(mktemp -d /tmp/bpflame-golive.XXXXXX)
PIDS=()
LOADPG=""
cleanup() {
	[ -n "$LOADPG" ] && kill -KILL -- "-$LOADPG" 2>/dev/null
	for p in "${PIDS[@]}" "${REC_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; return "$1"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $1"; }
echo "1..7"

# --- 1. inlined hot function -------------------------------------------------
if [ -z "$GO" ]; then
	skip "no Go toolchain"; skip "no Go toolchain"; skip "no Go toolchain"
	skip "no Go toolchain"
else
	"$GO" build -C "$ROOT/tests/fixtures/golive" -trimpath -ldflags='-s -w' \
		-o "$TMP/golive" . 2>"$TMP/build.err"
	ok $? "stripped fixture builds ($("$GO" env GOVERSION))"
	"$TMP/golive" 600 2>/dev/null &
	PIDS+=($!)
	# Until the fixture used a CPU second (~500 samples).
	rec_cpu golive 1 "${PIDS[-1]}" -p "${PIDS[-1]}" -F 499 -q -o "$TMP/golive.folded"
	ok "$(cat "$TMP/golive.rc")" "recorded the fixture" || tap_diag <"$TMP/golive.err"
	# Samples in main.spin; those whose next frame is main.mix_[i]; those
	# whose caller chain is runtime.main;main.main;main.spin.
	read -r spin inl chain < <(awk '{
		n = split($0, f, ";"); c = f[n]; sub(/.* /, "", c); sub(/ [0-9.]+$/, "", f[n])
		for (i = 1; i <= n; i++) if (f[i] == "main.spin") {
			spin += c
			if (i < n && f[i + 1] == "main.mix_[i]") inl += c
			if (i > 2 && f[i - 1] == "main.main" && f[i - 2] == "runtime.main") chain += c
			break
		}
	} END { print spin + 0, inl + 0, chain + 0 }' "$TMP/golive.folded" 2>/dev/null)
	echo "# main.spin: $spin samples, main.spin;main.mix_[i]: $inl, under main.main: $chain"
	[ "$spin" -gt 50 ] && [ $((inl * 100)) -ge $((spin * 50)) ]
	ok $? "main.mix_[i] appears under main.spin with most of its samples"
	[ "$spin" -gt 50 ] && [ $((chain * 100)) -ge $((spin * 95)) ]
	ok $? "the frameless leaf main.spin keeps its caller: runtime.main;main.main;main.spin"
	kill "${PIDS[-1]}" 2>/dev/null
fi

# --- 2. etcd under load --------------------------------------------------------
if ! command -v etcd >/dev/null || ! command -v etcdctl >/dev/null; then
	skip "etcd not installed"; skip "etcd not installed"; skip "etcd not installed"
	exit $failed
fi
port=$((20000 + RANDOM % 20000))
etcd --name bpflame-test --data-dir "$TMP/etcd" \
	--listen-client-urls "http://127.0.0.1:$port" \
	--advertise-client-urls "http://127.0.0.1:$port" \
	--listen-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
	--initial-cluster "bpflame-test=http://127.0.0.1:$((port + 1))" \
	>"$TMP/etcd.log" 2>&1 &
PIDS+=($!)
etcd_pid=$!
export ETCDCTL_API=3
etcd_up() {
	etcdctl --endpoints="127.0.0.1:$port" endpoint health >/dev/null 2>&1 ||
		! kill -0 "$etcd_pid" 2>/dev/null
}
wait_for "etcd to serve" 120 etcd_up
etcdctl --endpoints="127.0.0.1:$port" endpoint health >/dev/null 2>&1
ok $? "etcd serves on 127.0.0.1:$port" || tail -5 "$TMP/etcd.log" | tap_diag
# Load: a put/get loop in a process group of its own (cleanup kills all of
# it, etcdctl included), bounded in case cleanup never comes.
setsid bash -c 'for i in $(seq 20000); do
	etcdctl --endpoints="127.0.0.1:$1" put "k$((i % 100))" "value-$i" >/dev/null 2>&1 || break
	etcdctl --endpoints="127.0.0.1:$1" get "k$((i % 100))" >/dev/null 2>&1 || break
done' load "$port" &
LOADPG=$!
PIDS+=("$LOADPG")
# Until etcd itself used half a CPU second serving it (~250 samples).
rec_cpu etcd 0.5 "$etcd_pid" -p "$etcd_pid" -F 499 -q -o "$TMP/etcd.folded"
ok "$(cat "$TMP/etcd.rc")" "recorded etcd under load" || tap_diag <"$TMP/etcd.err"
# User frames: everything after the comm that is not a kernel frame.
read -r user unresolved etcdpkg < <(awk '{
	c = $NF; line = $0; sub(/ [0-9.]+$/, "", line); n = split(line, f, ";")
	for (i = 2; i <= n; i++) {
		if (f[i] ~ /_\[k\]$/) break
		user += c; if (f[i] == "[etcd]") unres += c
		if (f[i] ~ /^go\.etcd\.io\//) pkg += c
	}
} END { print user + 0, unres + 0, pkg + 0 }' "$TMP/etcd.folded" 2>/dev/null)
echo "# etcd user frames: $user, unresolved [etcd]: $unresolved, go.etcd.io/...: $etcdpkg"
[ "$user" -gt 100 ] && [ $((unresolved * 100)) -le "$user" ] && [ "$etcdpkg" -gt 0 ]
ok $? "etcd frames at least 99% symbolized and go.etcd.io packages present"
exit $failed
