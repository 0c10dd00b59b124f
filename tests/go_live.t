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
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
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
	"$TMP/golive" 20 2>/dev/null &
	PIDS+=($!)
	"$BPFLAME" record -p "${PIDS[-1]}" -d 3 -F 499 -q -o "$TMP/golive.folded"
	ok $? "recorded the fixture"
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
	} END { print spin + 0, inl + 0, chain + 0 }' "$TMP/golive.folded")
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
up=1
for _ in $(seq 50); do
	etcdctl --endpoints="127.0.0.1:$port" endpoint health >/dev/null 2>&1 && { up=0; break; }
	sleep 0.2
done
ok $up "etcd serves on 127.0.0.1:$port"
# Load: a bounded put/get loop (stops by itself after 2000 rounds).
(for i in $(seq 2000); do
	etcdctl --endpoints="127.0.0.1:$port" put "k$((i % 100))" "value-$i" >/dev/null 2>&1 || break
	etcdctl --endpoints="127.0.0.1:$port" get "k$((i % 100))" >/dev/null 2>&1 || break
done) &
PIDS+=($!)
"$BPFLAME" record -p "$etcd_pid" -d 5 -F 499 -q -o "$TMP/etcd.folded"
ok $? "recorded etcd under load"
# User frames: everything after the comm that is not a kernel frame.
read -r user unresolved etcdpkg < <(awk '{
	c = $NF; line = $0; sub(/ [0-9.]+$/, "", line); n = split(line, f, ";")
	for (i = 2; i <= n; i++) {
		if (f[i] ~ /_\[k\]$/) break
		user += c; if (f[i] == "[etcd]") unres += c
		if (f[i] ~ /^go\.etcd\.io\//) pkg += c
	}
} END { print user + 0, unres + 0, pkg + 0 }' "$TMP/etcd.folded")
echo "# etcd user frames: $user, unresolved [etcd]: $unresolved, go.etcd.io/...: $etcdpkg"
[ "$user" -gt 100 ] && [ $((unresolved * 100)) -le "$user" ] && [ "$etcdpkg" -gt 0 ]
ok $? "etcd frames at least 99% symbolized and go.etcd.io packages present"
exit $failed
