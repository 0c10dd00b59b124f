#!/bin/bash
# run-fuzzer.sh FUZZER: runs one libFuzzer binary (build/fuzz/fuzz_NAME) for
# $FUZZ_SECONDS seconds (default 30) on its corpus, build/fuzz/corpus/NAME,
# plus seeds: tests/fuzz/corpus/NAME/ when it exists, and for the pclntab
# fuzzer tiny Go binaries built here (whole, and their bare pclntab).
# Exits non-zero when the fuzzer finds a crash, a leak or a timeout; the
# reproducer is left in build/fuzz/artifacts/. Its output goes to
# build/fuzz/NAME.log; with --tap it prints one TAP line instead of nothing
# (N given by $TAP_NUMBER, default 1). With --tap (the short run of `make
# test`) the corpus is only read: what the run finds goes to a scratch
# directory removed at exit, so build/ does not grow by every run's inputs
# (the pclntab seeds are whole Go binaries, and so are their mutations).
set -u

tap=0
if [ "${1:-}" = "--tap" ]; then
	tap=1
	shift
fi
fuzzer=${1:?usage: run-fuzzer.sh [--tap] build/fuzz/fuzz_NAME}
seconds=${FUZZ_SECONDS:-30}
name=$(basename "$fuzzer")
root=$(cd "$(dirname "$0")/.." && pwd)
b=$root/build/fuzz
corpus=$b/corpus/$name
seeds=$b/seeds/$name
log=$b/$name.log
mkdir -p "$corpus" "$seeds" "$b/artifacts"
scratch=""
if [ $tap = 1 ]; then
	scratch=$(mktemp -d "$b/scratch.XXXXXX")
	trap 'rm -rf "$scratch"' EXIT
fi

newest_go() {
	local g
	for g in /usr/lib/go-1.23/bin/go /usr/lib/go-1.22/bin/go /usr/lib/go-1.21/bin/go \
		/usr/bin/go; do
		[ -x "$g" ] && { echo "$g"; return 0; }
	done
	return 1
}

# Seeds for the pclntab reader: a tiny Go program per toolchain, as a whole
# stripped ELF file (mode byte 0) and as its bare .gopclntab (mode byte 1,
# then 16 zero bytes: header text start, no go:func.*).
seed_gopclntab() {
	local go src v
	[ -n "$(ls -A "$seeds" 2>/dev/null)" ] && return 0
	src=$b/seed-src
	mkdir -p "$src"
	printf 'package main\n\nfunc main() { println("hi") }\n' > "$src/main.go"
	printf 'module seed\n\ngo 1.19\n' > "$src/go.mod"
	for go in /usr/bin/go /usr/lib/go-1.2[0-9]/bin/go; do
		[ -x "$go" ] || continue
		v=$("$go" env GOVERSION 2>/dev/null) || continue
		(cd "$src" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 \
			GOCACHE="$root/build/gocache" \
			"$go" build -ldflags='-s -w' -o "$src/seed-$v" .) >/dev/null 2>&1 ||
			continue
		{ printf '\0'; cat "$src/seed-$v"; } > "$seeds/elf-$v"
		if objcopy -O binary --only-section=.gopclntab "$src/seed-$v" \
			"$src/pcln-$v" 2>/dev/null; then
			{ printf '\1'; head -c 16 /dev/zero; cat "$src/pcln-$v"; } \
				> "$seeds/raw-$v"
		fi
	done
	# The seeds are made; the programs they came from are not needed.
	rm -rf "$src"
	return 0
}

case $name in
*gopclntab*) newest_go >/dev/null && seed_gopclntab ;;
esac

dirs=("$corpus" "$seeds")
[ -n "$scratch" ] && dirs=("$scratch" "${dirs[@]}")
[ -d "$root/tests/fuzz/corpus/$name" ] && dirs+=("$root/tests/fuzz/corpus/$name")

# The first directory gets the new inputs.
"$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
	-artifact_prefix="$b/artifacts/$name-" -print_final_stats=1 \
	"${dirs[@]}" > "$log" 2>&1
rc=$?

if [ $tap = 1 ]; then
	n=${TAP_NUMBER:-1}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	if [ $rc = 0 ]; then
		echo "ok $n - $name: ${runs:-?} runs in ${seconds}s, no crash"
	else
		echo "not ok $n - $name: exit status $rc (log $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$log" | head -20 |
			sed 's/^/# /'
	fi
elif [ $rc != 0 ]; then
	echo "$name: fuzzer failed with status $rc; see $log" >&2
	tail -30 "$log" >&2
fi
exit $rc
