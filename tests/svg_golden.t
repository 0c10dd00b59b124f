#!/bin/bash
# svg_golden.t: golden-file tests of `bpflame svg` and `bpflame diff`.
#
# Each case renders a small hand-written input from tests/golden/ with
# --no-script (the SVG without its script block, so diffs stay readable) and
# compares the output byte for byte with tests/golden/CASE.svg (or .folded).
# The expected frames were reasoned out by hand when the files were first
# blessed (see tests/golden/README) and match flamegraph.pl's layout.
#
# Re-bless after an intended change of the output, then review the diff:
#   BLESS=1 tests/svg_golden.t && git diff tests/golden/
#
# Also checks the error paths: empty input, malformed lines, --strict.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bpflame=${BPFLAME:-$root/bpflame}
golden=$root/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$golden" || exit 1

# name | extension | arguments (inputs relative to tests/golden)
cases=(
	"basic|svg|svg basic.folded"
	"basic-hot|svg|svg --colors hot basic.folded"
	"basic-java|svg|svg --colors java go.folded"
	"basic-inverted|svg|svg --inverted basic.folded"
	"basic-reverse|svg|svg --reverse basic.folded"
	"basic-weight|svg|svg --sort-by-weight basic.folded"
	"basic-titles|svg|svg --title '<&>' --subtitle sub --countname ms --width 600 basic.folded"
	"go|svg|svg go.folded"
	"escape|svg|svg escape.folded"
	"fractional|svg|svg fractional.folded"
	"truncate|svg|svg truncate.folded"
	"minwidth|svg|svg minwidth.folded"
	"minwidth-zero|svg|svg --minwidth 0 minwidth.folded"
	"minwidth-pct|svg|svg --minwidth 0.01% minwidth.folded"
	"flamechart|svg|svg --flamechart flamechart.folded"
	"order|svg|svg order.folded"
	"diff|svg|diff before.folded after.folded"
	"diff-normalize|svg|diff --normalize before.folded after.folded"
	"diff-folded|folded|diff --folded before.folded after.folded"
	"diff-folded-normalize|folded|diff --folded --normalize before.folded after.folded"
)

n=0
fail=0
ok() { # ok COND-STATUS NAME
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fail=1
	fi
}

for c in "${cases[@]}"; do
	IFS='|' read -r name ext args <<<"$c"
	eval "set -- $args"
	out=$tmp/$name.$ext
	"$bpflame" "$@" --no-script -o "$out" 2>"$tmp/stderr"
	status=$?
	if [ "$status" -ne 0 ]; then
		sed 's/^/# /' "$tmp/stderr"
		ok 1 "$name: bpflame $args exits 0 (got $status)"
		continue
	fi
	if [ "${BLESS:-}" = 1 ]; then
		cp "$out" "$golden/$name.$ext"
		echo "ok $((n += 1)) - $name: blessed"
		continue
	fi
	cmp -s "$out" "$golden/$name.$ext"
	r=$?
	[ $r -ne 0 ] && diff -u "$golden/$name.$ext" "$out" | head -40 | sed 's/^/# /'
	ok $r "$name: bpflame $args matches $name.$ext"
done

# Error paths: exit 2, a message, and never an output file.
expect_fail() { # expect_fail NAME STDERR-PATTERN ARGS... (stdin from $tmp/in)
	local name=$1 pattern=$2
	shift 2
	rm -f "$tmp/err.svg"
	"$bpflame" "$@" -o "$tmp/err.svg" <"$tmp/in" 2>"$tmp/stderr"
	local status=$?
	[ "$status" -eq 2 ] && grep -q -- "$pattern" "$tmp/stderr" && [ ! -e "$tmp/err.svg" ] &&
		[ -z "$(ls "$tmp" | grep 'err.svg.tmp')" ]
	local r=$?
	[ $r -ne 0 ] && { echo "# status $status, stderr:"; sed 's/^/# /' "$tmp/stderr"; }
	ok $r "$name: exit 2, '$pattern', no output file"
}
: >"$tmp/in"
expect_fail "empty stdin" "no stacks" svg -
expect_fail "empty file" "no stacks" svg "$tmp/in"
printf 'no count here\n\n;;; x\n' >"$tmp/in"
expect_fail "only malformed lines" "no stacks" svg -
printf 'a;b 0\nc 0\n' >"$tmp/in"
expect_fail "all counts zero" "no samples" svg -
: >"$tmp/in"
expect_fail "strict rejects a malformed line" "escape.folded:5:" svg --strict escape.folded
expect_fail "strict flamechart" "escape.folded:5:" svg --strict --flamechart escape.folded
expect_fail "unknown palette" "unknown palette" svg --colors nope basic.folded
expect_fail "missing input" "cannot open" svg "$tmp/does-not-exist.folded"
expect_fail "diff needs two inputs" "two folded files" diff before.folded
expect_fail "diff of an empty input" "no stacks" diff before.folded "$tmp/in"

# A malformed line is reported with its line number and skipped.
"$bpflame" svg --no-script escape.folded -o "$tmp/skip.svg" 2>"$tmp/stderr"
grep -q 'escape.folded:5:' "$tmp/stderr" && ! grep -q 'no count' "$tmp/skip.svg"
ok $? "malformed line 5 reported and skipped"

echo "1..$n"
exit $fail
