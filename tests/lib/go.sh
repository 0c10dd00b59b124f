# tests/lib/go.sh: shared helpers of the go_*.t TAP scripts (source it).
#
# Builds the Go fixtures with every installed toolchain and the debug/gosym
# oracle, caching both under build/ by a hash of what goes into them (source,
# toolchain version, flags), so a second run builds nothing. Go's own build
# cache lives in build/gocache. Everything is offline: GOTOOLCHAIN=local,
# GOPROXY=off, fixtures use only the standard library.
#
#   go_toolchains                 "NAME PATH" per toolchain (installed or not)
#   go_variants                   the build variants (for the host)
#                                 cross-ARCH builds for GOARCH=ARCH, no cgo
#   go_build_fixture TC VARIANT [NAME]  path of the fixture binary (built)
#   go_build_oracle               path of the oracle binary (built)
#   tap_* helpers                 plain TAP output

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=$ROOT/build
BPFLAME=${BPFLAME:-$ROOT/bpflame}

export GOCACHE=$BUILD/gocache
export GOTOOLCHAIN=local
export GOPROXY=off
export GOFLAGS=
export GO111MODULE=on
export GOPATH=$BUILD/gopath
# go build's work directories and the scripts' scratch files stay in build/.
export TMPDIR=$BUILD/tmp
mkdir -p "$GOCACHE" "$GOPATH" "$TMPDIR"

# The newest toolchain reads every pclntab format; it runs the oracle.
GO_NEWEST=/usr/lib/go-1.23/bin/go

go_toolchains() {
	echo "go1.19 /usr/lib/go-1.19/bin/go"
	echo "go1.21 /usr/lib/go-1.21/bin/go"
	echo "go1.22 /usr/lib/go-1.22/bin/go"
	echo "go1.23 /usr/lib/go-1.23/bin/go"
}

go_variants() {
	echo default stripped pie external noinline
}

# The go build flags of a variant, one per line (to keep the quoting).
go_variant_flags() {
	case $1 in
	default) ;;
	stripped) echo "-ldflags=-s -w" ;;
	pie) echo "-buildmode=pie" ;;
	external) echo "-ldflags=-linkmode=external" ;;
	noinline) echo "-gcflags=-l" ;;
	cross-*) ;; # GOARCH=${variant#cross-}, see go_build_fixture
	*) echo "go.sh: unknown variant $1" >&2; return 2 ;;
	esac
}

# go_build_fixture TC VARIANT [NAME]: builds tests/fixtures/go/NAME (default
# gofix) with toolchain TC into build/fixtures/TC/VARIANT/NAME, unless a
# build of the same inputs is there; prints its path. Fails (status 1,
# message on stderr) if the toolchain is missing or the build fails.
go_build_fixture() {
	local tc=$1 variant=$2 name=${3:-gofix} gobin="" t p
	while read -r t p; do
		[ "$t" = "$tc" ] && gobin=$p
	done < <(go_toolchains)
	if [ -z "$gobin" ] || [ ! -x "$gobin" ]; then
		echo "go.sh: toolchain $tc not installed" >&2
		return 1
	fi
	local src=$ROOT/tests/fixtures/go/$name
	local dir=$BUILD/fixtures/$tc/$variant
	local out=$dir/$name
	local -a flags=()
	local f
	while IFS= read -r f; do
		[ -n "$f" ] && flags+=("$f")
	done < <(go_variant_flags "$variant")
	local -a env=()
	case $variant in
	cross-*) env=(GOARCH="${variant#cross-}" CGO_ENABLED=0) ;;
	esac
	local key
	key=$( { "$gobin" version; printf '%s\n' "$src" "${flags[@]}" "${env[@]}"; \
		cat "$src"/*.go; } | sha256sum | cut -d' ' -f1)
	if [ -x "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		echo "$out"
		return 0
	fi
	mkdir -p "$dir"
	rm -f "$out" "$out.key"
	if ! (cd "$src" && env "${env[@]}" "$gobin" build "${flags[@]}" -o "$out.tmp" ./*.go) \
		>"$out.log" 2>&1
	then
		echo "go.sh: building $name with $tc ($variant) failed:" >&2
		cat "$out.log" >&2
		return 1
	fi
	mv "$out.tmp" "$out"
	echo "$key" >"$out.key"
	echo "$out"
}

# go_build_oracle: builds tests/oracle/gosym_oracle.go with the newest
# toolchain into build/oracle/, cached by source hash; prints its path.
go_build_oracle() {
	local src=$ROOT/tests/oracle/gosym_oracle.go
	local out=$BUILD/oracle/gosym_oracle key
	if [ ! -x "$GO_NEWEST" ]; then
		echo "go.sh: $GO_NEWEST not installed (golang-1.23-go)" >&2
		return 1
	fi
	key=$( { "$GO_NEWEST" version; cat "$src"; } | sha256sum | cut -d' ' -f1)
	if [ -x "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
		echo "$out"
		return 0
	fi
	mkdir -p "$BUILD/oracle"
	rm -f "$out" "$out.key"
	if ! (cd "$BUILD/oracle" && "$GO_NEWEST" build -o "$out.tmp" "$src") \
		>"$out.log" 2>&1; then
		echo "go.sh: building the oracle failed:" >&2
		cat "$out.log" >&2
		return 1
	fi
	mv "$out.tmp" "$out"
	echo "$key" >"$out.key"
	echo "$out"
}

# main_pcs BIN: every pc of every main.* function of BIN, from its .symtab
# ([value, value + size), so without the padding after each function), hex,
# one per line.
main_pcs() {
	readelf -sW "$1" | awk '$4 == "FUNC" && $8 ~ /^main\./ { print $2, $3 }' |
		while read -r value size; do
			seq $((16#$value)) $((16#$value + size - 1))
		done | awk '{ printf "0x%x\n", $1 }'
}

. "$(dirname "${BASH_SOURCE[0]}")/tap.sh"

# bpflame_built: the binary under test exists and has the subcommand.
bpflame_check() {
	[ -x "$BPFLAME" ] || tap_bail "$BPFLAME not built (make bpflame)"
}

# compare_addr2line NAME EXPECTED GOT ADDRS: compares two files of two-line
# addr2line records for the addresses in ADDRS (one per line); prints a TAP
# line, and on mismatch up to 10 differing addresses as diagnostics.
compare_addr2line() {
	local name=$1 exp=$2 got=$3 addrs=$4
	if cmp -s "$exp" "$got"; then
		tap_ok "$name ($(wc -l <"$addrs") addresses)"
		return 0
	fi
	tap_not_ok "$name"
	paste -d'\t' "$addrs" <(paste -d' ' - - <"$exp") <(paste -d' ' - - <"$got") |
		awk -F'\t' '$2 != $3 { n++; if (n <= 10) printf "%s expected [%s] got [%s]\n", $1, $2, $3 }
			END { printf "%d of %d addresses differ\n", n, NR }' | tap_diag
	return 1
}

# debian_fetch SUITE PACKAGE: downloads PACKAGE's .deb from Debian SUITE into
# build/apt/SUITE/ and unpacks it (dpkg-deb -x, nothing is installed) into
# build/apt/SUITE/PACKAGE/; prints that directory. Uses a private sources
# list and state directory, so the system's apt configuration and package
# lists are untouched. The mirror is the one this system's apt already uses
# for its own Debian suites. Cached: a second call downloads nothing.
# Status 3 when the archive cannot be reached (apt-get update fails): no
# network is not a bpflame failure; the caller skips.
debian_fetch() {
	local suite=$1 pkg=$2 dir=$BUILD/apt/$1 mirror
	if [ -f "$dir/$pkg/.done" ]; then
		echo "$dir/$pkg"
		return 0
	fi
	mirror=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
		awk '$2 ~ /^[a-z]+(-updates|-backports)?$/ && $1 !~ /security/ { print $1; exit }')
	if [ -z "$mirror" ]; then
		echo "go.sh: no Debian mirror in the apt configuration" >&2
		return 1
	fi
	mkdir -p "$dir/lists/partial" "$dir/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		>"$dir/sources.list"
	local -a opts=(-q -o Dir::Etc::SourceList="$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$dir/lists"
		-o Dir::Cache::Archives="$dir/archives" -o APT::Get::List-Cleanup=0)
	# apt-key looks for gpgv in the PATH apt's method gives it, which has
	# failed on a machine where /usr/bin/gpgv exists ("gpgv, gpgv2 or gpgv1
	# required for verification"); naming it keeps the signature check.
	if command -v gpgv >/dev/null; then
		opts+=(-o APT::Key::gpgvcommand="$(command -v gpgv)")
	fi
	if ! apt-get "${opts[@]}" update >"$dir/update.log" 2>&1; then
		echo "go.sh: apt-get update for $suite failed (Debian archive unreachable?):" >&2
		tail -5 "$dir/update.log" >&2
		return 3
	fi
	# apt-get update may only warn when it fetched nothing.
	if ! ls "$dir/lists"/*_Packages* >/dev/null 2>&1; then
		echo "go.sh: no package list of $suite fetched (Debian archive unreachable?):" >&2
		grep -E '^(W|E):' "$dir/update.log" | tail -3 >&2
		return 3
	fi
	rm -f "$dir"/"${pkg}"_*.deb
	# PKG/SUITE: the suite's version, not the candidate of the system's
	# dpkg status (which may be a newer installed one). The status file is
	# kept: apt-key looks there for gpgv.
	if ! (cd "$dir" && apt-get "${opts[@]}" download "$pkg/$suite") >"$dir/download.log" 2>&1
	then
		echo "go.sh: apt-get download $pkg from $suite failed:" >&2
		tail -5 "$dir/download.log" >&2
		return 1
	fi
	rm -rf "$dir/$pkg"
	dpkg-deb -x "$dir"/"${pkg}"_*.deb "$dir/$pkg" || return 1
	touch "$dir/$pkg/.done"
	# Only the unpacked package is kept (the lists alone are 17 MB).
	rm -rf "$dir/lists" "$dir/archives" "$dir"/"${pkg}"_*.deb
	echo "$dir/$pkg"
}

# oracle_check NAME BIN NRANDOM: one TAP line: `bpflame symbolize -e BIN`
# prints exactly what the oracle prints for every functab entry of BIN and
# NRANDOM random .text addresses (fixed seed). Needs ORACLE and TMP set.
oracle_check() {
	local name=$1 bin=$2 nrandom=$3
	{
		"$ORACLE" -e "$bin" -funcs | cut -d' ' -f1
		[ "$nrandom" -gt 0 ] && "$ORACLE" -e "$bin" -random "$nrandom" -seed 20240601
	} >"$TMP/addrs" || { tap_not_ok "$name: oracle failed"; return 1; }
	"$ORACLE" -e "$bin" <"$TMP/addrs" >"$TMP/exp"
	if ! "$BPFLAME" symbolize -e "$bin" <"$TMP/addrs" >"$TMP/got" 2>"$TMP/err"; then
		tap_not_ok "$name: bpflame symbolize failed"
		head -5 "$TMP/err" | tap_diag
		return 1
	fi
	compare_addr2line "$name" "$TMP/exp" "$TMP/got" "$TMP/addrs"
}
