#!/usr/bin/env bash
# tools/apiserver/build.sh: builds a real kube-apiserver for the tests and the
# demo from Debian 12's kubernetes source package (1.20.2), the way release
# builds are made (CGO off, -ldflags "-s -w"), and caches it.
#
#   tools/apiserver/build.sh [--print]   -> build/apiserver/kube-apiserver
#
# Contract: prints nothing but progress on stderr; with --print, the binary's
# path on stdout. Exit 0 when the binary is there (built now or cached), 3 when
# the source package cannot be fetched (tests skip on 3), 1 when the build
# failed (the log is build/apiserver/build.log), 2 when a build dependency is
# missing (tools/install-deps.sh --test installs them).
#
# Why these steps:
# - deb-src: the host's apt sources carry no deb-src lines and we do not change
#   them; a private sources.list and lists/cache directories under
#   build/apiserver/apt are passed to apt-get with -o options.
# - reflect2: the source vendors github.com/modern-go/reflect2 1.0.1, which
#   crashes under Go >= 1.18 (it reads runtime internals that moved); Debian's
#   golang-github-modern-go-reflect2-dev 1.0.2 replaces its files in vendor/
#   (vendor/modules.txt keeps naming 1.0.1: Go checks only the module list).
# - `make WHAT=cmd/kube-apiserver` rather than go build: the build generates
#   the OpenAPI definitions first (not shipped in the source).
# - Debian's Go 1.19 (golang-go); the source tree, the Go build cache and the
#   apt lists are deleted after a successful build: build/ stays small (the
#   stripped binary is about 110 MB).
# - A lock (flock) lets concurrent callers wait for one build.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out_dir=${APISERVER_BUILD_DIR:-$root/build/apiserver}
bin=$out_dir/kube-apiserver
go_root=${APISERVER_GOROOT:-/usr/lib/go-1.19}
reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2

say() { echo "apiserver build: $*" >&2; }

done_ok() {
	[ "${1:-}" = "--print" ] && echo "$bin"
	exit 0
}

[ -x "$bin" ] && done_ok "${1:-}"

missing=()
command -v apt-get >/dev/null || missing+=(apt)
command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
command -v rsync >/dev/null || missing+=(rsync)
[ -x "$go_root/bin/go" ] || missing+=(golang-1.19-go)
[ -f "$reflect2/go_above_118.go" ] || missing+=(golang-github-modern-go-reflect2-dev)
if [ ${#missing[@]} -gt 0 ]; then
	say "missing build dependencies: ${missing[*]} (run tools/install-deps.sh --test)"
	exit 2
fi

mkdir -p "$out_dir"
exec 9>"$out_dir/.lock"
flock 9
# Another caller may have finished the build while we waited.
[ -x "$bin" ] && done_ok "${1:-}"

apt_dir=$out_dir/apt
work=$out_dir/work
log=$out_dir/build.log
rm -rf "$work" "$apt_dir"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work"
keyring="signed-by=/usr/share/keyrings/debian-archive-keyring.gpg"
cat >"$apt_dir/sources.list" <<EOF
deb-src [$keyring] http://deb.debian.org/debian bookworm main
deb-src [$keyring] http://deb.debian.org/debian-security bookworm-security main
EOF
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")

cleanup() {
	rm -rf "$work" "$apt_dir"
}
trap cleanup EXIT

: >"$log"
say "fetching Debian's kubernetes source package (log: $log)"
if ! apt-get "${apt_opts[@]}" -q update >>"$log" 2>&1 ||
	! (cd "$work" && apt-get "${apt_opts[@]}" -q source kubernetes) >>"$log" 2>&1; then
	say "cannot fetch the kubernetes source package (deb.debian.org unreachable?); see $log"
	cp "$log" "$out_dir/fetch-failed.log" 2>/dev/null || true
	exit 3
fi
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'kubernetes-*' | head -n 1)
if [ -z "$src" ] || [ ! -f "$src/cmd/kube-apiserver/apiserver.go" ]; then
	say "the kubernetes source package has no cmd/kube-apiserver; see $log"
	exit 3
fi
say "source: $(basename "$src")"

vendored=$src/vendor/github.com/modern-go/reflect2
rm -rf "$vendored"
mkdir -p "$vendored"
cp "$reflect2"/*.go "$reflect2"/*.s "$vendored"/
[ -f "$reflect2/LICENSE" ] && cp "$reflect2/LICENSE" "$vendored"/
say "vendored reflect2 replaced by Debian's $(dpkg-query -W -f='${Version}' \
	golang-github-modern-go-reflect2-dev 2>/dev/null || echo 1.0.2)"

say "building with $("$go_root/bin/go" version) (several minutes; log: $log)"
start=$(date +%s)
if ! (cd "$src" && env PATH="$go_root/bin:$PATH" GOROOT="$go_root" GOTOOLCHAIN=local \
	HOME="$work/home" GOPATH="$work/gopath" GOCACHE="$work/gocache" \
	GOFLAGS= CGO_ENABLED=0 GOLDFLAGS="-s -w" KUBE_VERBOSE=1 \
	nice -n 10 make WHAT=cmd/kube-apiserver) >>"$log" 2>&1; then
	say "the build failed; the last lines of $log:"
	tail -n 20 "$log" >&2
	exit 1
fi
built=$src/_output/bin/kube-apiserver
[ -x "$built" ] || built=$src/_output/local/bin/linux/$("$go_root/bin/go" env GOARCH)/kube-apiserver
if ! "$built" --version >>"$log" 2>&1; then
	say "the built kube-apiserver does not run; see $log"
	exit 1
fi
cp "$built" "$bin.tmp"
mv "$bin.tmp" "$bin"
say "built $bin ($("$bin" --version), $(($(date +%s) - start)) s)"
done_ok "${1:-}"
