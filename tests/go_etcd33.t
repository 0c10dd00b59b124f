#!/usr/bin/env bash
# go_etcd33.t: the oldest pclntab format (0xFFFFFFFB, Go 1.2-1.15) on a real
# binary: Debian 11's etcd-server (etcd 3.3, Go 1.15, stripped), downloaded
# from the bullseye suite and unpacked without installing it (tests/lib/go.sh
# debian_fetch; cached in build/apt). Every functab entry and 3000 random
# .text addresses match the debug/gosym oracle (the newest toolchain's
# debug/gosym reads that format). Needs the network once (about 5 MB from
# deb.debian.org); skips when the Debian archive cannot be reached.
set -u
. "$(dirname "$0")/lib/go.sh"

tap_plan 2
bpflame_check
ORACLE=$(go_build_oracle) || tap_bail "cannot build the oracle"
TMP=$(mktemp -d "$BUILD/go_etcd33.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

dir=$(debian_fetch bullseye etcd-server 2>"$TMP/err")
rc=$?
if [ "$rc" = 3 ]; then
	# No network is not a bpflame failure: say so, as a skip.
	tap_skip "download etcd-server from bullseye: $(tail -1 "$TMP/err" | head -c 200)"
	tap_skip "etcd 3.3 functab: the Debian archive is unreachable"
	exit 0
elif [ "$rc" != 0 ]; then
	tap_not_ok "download etcd-server from bullseye"
	tap_diag <"$TMP/err"
	tap_skip "etcd 3.3 functab: no binary"
	exit 1
fi
ETCD=$dir/usr/bin/etcd
magic=$("$ORACLE" -e "$ETCD" -describe | awk '/^magic/ { print $2 }')
if [ "$magic" = 0xfffffffb ] && ! readelf -SW "$ETCD" | grep -q '\.symtab'; then
	tap_ok "bullseye etcd is stripped and has a $magic pclntab"
else
	tap_not_ok "bullseye etcd is stripped and has a 0xfffffffb pclntab (got $magic)"
fi
oracle_check "etcd 3.3 (Go 1.15): every functab entry and 3000 random addresses" \
	"$ETCD" 3000
exit $TAP_FAILED
