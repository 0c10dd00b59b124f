#!/bin/bash
# fuzz.t: runs every built libFuzzer target (build/fuzz/fuzz_*) for
# $FUZZ_SECONDS seconds each (default 30) through tests/run-fuzzer.sh, one
# TAP test point per fuzzer. Builds nothing: `make tests-build` does.
cd "$(dirname "$0")/.." || exit 1
export FUZZ_SECONDS=${FUZZ_SECONDS:-30}

fuzzers=()
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] && [ -f "$f" ] && fuzzers+=("$f")
done
if [ ${#fuzzers[@]} = 0 ]; then
	echo "1..0 # SKIP no fuzzer built (make tests-build)"
	exit 0
fi
echo "1..${#fuzzers[@]}"
fail=0
n=0
for f in "${fuzzers[@]}"; do
	n=$((n + 1))
	TAP_NUMBER=$n tests/run-fuzzer.sh --tap "$f" || fail=1
done
exit $fail
