#!/usr/bin/env bash
# go_etcd.t: a real third-party stripped Go server, Debian's etcd (package
# etcd-server: Go 1.19, stripped, externally linked, so runtime.text is not
# the .text address). Every functab entry and 3000 random .text addresses
# match the debug/gosym oracle given the header's textStart; and the entry of
# internal/cpu.Initialize, which `go tool addr2line` attributes to the
# previous function because it assumes runtime.text = .text, resolves to
# internal/cpu.Initialize.
set -u
. "$(dirname "$0")/lib/go.sh"

ETCD=${ETCD:-/usr/bin/etcd}
tap_plan 4
bpflame_check
if [ ! -x "$ETCD" ]; then
	for i in 1 2 3 4; do tap_skip "$ETCD not installed (Debian package etcd-server)"; done
	exit 0
fi
ORACLE=$(go_build_oracle) || tap_bail "cannot build the oracle"
TMP=$(mktemp -d "$BUILD/go_etcd.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# The premise: stripped, and runtime.text is not where .text starts.
desc=$("$ORACLE" -e "$ETCD" -describe)
text=$(awk '/^runtime.text/ { print $2 }' <<<"$desc")
sect=$(readelf -SW "$ETCD" | awk '$2 == ".text" { print "0x" $4 }' | sed 's/0x0*/0x/')
if ! readelf -SW "$ETCD" | grep -q '\.symtab' && [ -n "$text" ] &&
	[ $((text)) -ne $((sect)) ]; then
	tap_ok "etcd is stripped and runtime.text $text != .text $sect"
else
	tap_not_ok "etcd is stripped and runtime.text != .text"
	{ echo "$desc"; echo ".text $sect"; } | tap_diag
fi

oracle_check "etcd: every functab entry and 3000 random addresses" "$ETCD" 3000

entry=$("$ORACLE" -e "$ETCD" -funcs | awk '$3 == "internal/cpu.Initialize" { print $1 }')
if [ -z "$entry" ]; then
	tap_not_ok "internal/cpu.Initialize is in etcd's functab"
	tap_not_ok "entry of internal/cpu.Initialize"
	exit 1
fi
tap_ok "internal/cpu.Initialize is in etcd's functab at $entry"
got=$("$BPFLAME" symbolize -e "$ETCD" "$entry" 2>&1 | head -1)
if [ "$got" = "internal/cpu.Initialize" ]; then
	tap_ok "entry $entry resolves to internal/cpu.Initialize"
else
	tap_not_ok "entry $entry resolves to internal/cpu.Initialize (got: $got)"
fi
if [ -x "$GO_NEWEST" ]; then
	echo "go tool addr2line says: $("$GO_NEWEST" tool addr2line "$ETCD" <<<"$entry" |
		head -1)" | tap_diag
fi
exit $TAP_FAILED
