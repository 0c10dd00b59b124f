#!/usr/bin/env bash
# go_oracle.t: `bpflame symbolize -e FILE` against debug/gosym given the true
# runtime.text (tests/oracle/gosym_oracle.go), on the fixture built with every
# installed toolchain in every variant, and on each toolchain's own `go`
# binary (a large real Go program). Addresses: every functab entry plus 3000
# random .text addresses (fixed seed, so a failure reproduces). Output must
# be byte-identical, in go tool addr2line's format.
set -u
. "$(dirname "$0")/lib/go.sh"

RANDOM_N=3000
read -r -a VARIANTS <<<"$(go_variants)"
NTC=$(go_toolchains | wc -l)
tap_plan $((NTC * ${#VARIANTS[@]} + NTC + 2))
bpflame_check
ORACLE=$(go_build_oracle) || tap_bail "cannot build the oracle"
TMP=$(mktemp -d "$BUILD/go_oracle.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

check() { oracle_check "$1" "$2" $RANDOM_N; }

while read -r tc gobin; do
	for v in "${VARIANTS[@]}"; do
		if [ ! -x "$gobin" ]; then
			tap_skip "$tc $v: $gobin not installed"
			continue
		fi
		if ! bin=$(go_build_fixture "$tc" "$v" 2>"$TMP/builderr"); then
			tap_not_ok "$tc $v: fixture build failed"
			tap_diag <"$TMP/builderr"
			continue
		fi
		check "$tc $v fixture" "$bin"
	done
done < <(go_toolchains)

# Each toolchain's go command: Debian-built, large, many packages.
while read -r tc gobin; do
	if [ ! -x "$gobin" ]; then
		tap_skip "$tc go command: not installed"
		continue
	fi
	check "$tc go command ($(readlink -f "$gobin"))" "$(readlink -f "$gobin")"
done < <(go_toolchains)

# Addresses as arguments, with and without 0x, give the same records as stdin.
bin=$(go_build_fixture go1.23 stripped 2>/dev/null)
if [ -n "$bin" ]; then
	mapfile -t addrs < <("$ORACLE" -e "$bin" -random 20 -seed 7)
	"$ORACLE" -e "$bin" "${addrs[@]}" >"$TMP/exp"
	if "$BPFLAME" symbolize -e "$bin" "${addrs[@]}" >"$TMP/got" 2>"$TMP/err" &&
		cmp -s "$TMP/exp" "$TMP/got"; then
		tap_ok "addresses as arguments"
	else
		tap_not_ok "addresses as arguments"
		diff "$TMP/exp" "$TMP/got" | head -10 | tap_diag
		tap_diag <"$TMP/err"
	fi
	noprefix=("${addrs[@]#0x}")
	if "$BPFLAME" symbolize -e "$bin" "${noprefix[@]}" >"$TMP/got" 2>"$TMP/err" &&
		cmp -s "$TMP/exp" "$TMP/got"; then
		tap_ok "addresses as arguments without 0x"
	else
		tap_not_ok "addresses as arguments without 0x"
		diff "$TMP/exp" "$TMP/got" | head -10 | tap_diag
	fi
else
	tap_skip "addresses as arguments: no go1.23 fixture"
	tap_skip "addresses as arguments without 0x: no go1.23 fixture"
fi
exit $TAP_FAILED
