#!/usr/bin/env bash
# go_cross.t: the other pclntab layouts, on the fixture cross-compiled (no
# cgo, standard library only, offline) by the oldest and newest toolchains
# installed: arm64 (pc quantum 4), 386 (4-byte pointers) and s390x (big
# endian), each with the 1.18-1.19 (0xFFFFFFF0) and 1.20+ (0xFFFFFFF1)
# headers. The binaries are only read, never run. As in go_oracle.t: every
# functab entry plus 3000 random .text addresses, `bpflame symbolize` output
# identical to the debug/gosym oracle's. And the inline chains of `bpflame
# symbolize -i` for every pc of every main.* function equal the DWARF chains
# that llvm-symbolizer reads from the same (unstripped) build, with the
# normalizations of go_inline.t (tests/lib/inline_compare.py). binutils is
# not used here: for the 386 build it prints no inlined frames at all.
set -u
. "$(dirname "$0")/lib/go.sh"

TOOLCHAINS=(go1.19 go1.23)
ARCHS=(arm64 386 s390x)
tap_plan $((${#TOOLCHAINS[@]} * ${#ARCHS[@]} * 2))
bpflame_check
ORACLE=$(go_build_oracle) || tap_bail "cannot build the oracle"
TMP=$(mktemp -d "$BUILD/go_cross.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
LLVM_SYMBOLIZER=$(command -v llvm-symbolizer || true)

for tc in "${TOOLCHAINS[@]}"; do
	for arch in "${ARCHS[@]}"; do
		if ! bin=$(go_build_fixture "$tc" "cross-$arch" 2>"$TMP/err"); then
			if grep -q "not installed" "$TMP/err"; then
				tap_skip "$tc $arch: toolchain not installed"
				tap_skip "$tc $arch inline chains: toolchain not installed"
			else
				tap_not_ok "$tc $arch: fixture build failed"
				tap_not_ok "$tc $arch inline chains: fixture build failed"
				tap_diag <"$TMP/err"
			fi
			continue
		fi
		desc=$("$ORACLE" -e "$bin" -describe |
			awk '/^magic/ { m = $2 } /^ptrsize/ { p = $2 } END { print m ", ptrsize " p }')
		oracle_check "$tc $arch fixture ($desc)" "$bin" 3000
		if [ -z "$LLVM_SYMBOLIZER" ]; then
			tap_skip "$tc $arch inline chains: llvm-symbolizer not installed (llvm)"
			continue
		fi
		main_pcs "$bin" >"$TMP/pcs"
		"$LLVM_SYMBOLIZER" --obj="$bin" --inlining --functions=linkage <"$TMP/pcs" >"$TMP/llvm"
		if ! "$BPFLAME" symbolize -i -e "$bin" <"$TMP/pcs" >"$TMP/bpflame" 2>"$TMP/err"; then
			tap_not_ok "$tc $arch inline chains: bpflame symbolize -i failed"
			tap_diag <"$TMP/err"
			continue
		fi
		python3 "$ROOT/tests/lib/inline_compare.py" "$tc $arch" "$TMP" llvm >"$TMP/res"
		if grep -q '^not ok' "$TMP/res"; then
			tap_not_ok "$(sed -n 's/^not ok - //p' "$TMP/res")"
			grep '^#' "$TMP/res" | sed 's/^# //' | tap_diag
		else
			tap_ok "$(sed -n 's/^ok - //p' "$TMP/res")"
		fi
	done
done
exit $TAP_FAILED
