#!/usr/bin/env bash
# tools/kernels/initramfs.sh ARCH BPFLAME OUT: builds the guest initramfs of
# the kernel matrix for ARCH (amd64 or arm64) into OUT (a gzip'd newc cpio):
#
#   /init          tools/kernels/guest-init.sh (the record suite)
#   /bin/busybox   Debian 12's busybox-static for ARCH (private apt download)
#   /bin/bpflame   BPFLAME, a static bpflame for ARCH (make static / static-arm64)
#   /bin/bpfids    tools/kernels/bpfids.c, static
#   /fix/bft_cpu, bft_sys, bft_exit   tests/fixtures/c, static, with the record
#                  tests' flags (frame pointers everywhere)
#   /fix/goguest   tests/fixtures/goguest, static (CGO_ENABLED=0), stripped,
#                  built by the newest Go toolchain
#
# Everything is cross-built from the host: clang --target for C, GOARCH for
# Go. Exit status 0, or 1 with the failing step on stderr.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
arch=${1:?usage: initramfs.sh ARCH BPFLAME OUT}
bpflame=${2:?usage: initramfs.sh ARCH BPFLAME OUT}
out=${3:?usage: initramfs.sh ARCH BPFLAME OUT}
case $arch in
amd64) triple=x86_64-linux-gnu ;;
arm64) triple=aarch64-linux-gnu ;;
*) echo "initramfs.sh: unknown architecture $arch" >&2; exit 1 ;;
esac
GO=${GO:-/usr/lib/go-1.23/bin/go}
[ -x "$GO" ] || GO=$(command -v go) || { echo "initramfs.sh: no Go toolchain" >&2; exit 1; }
export GOCACHE=$ROOT/build/gocache GOTOOLCHAIN=local GOPROXY=off GOFLAGS=

busybox_deb() {
	local dir=$ROOT/build/kernels/busybox-$arch
	if [ ! -x "$dir/bin/busybox" ]; then
		. "$ROOT/tools/kernels/apt.sh"
		kapt_init "$arch" || return 1
		local tmp
		tmp=$(mktemp -d "$ROOT/build/kernels/.bb.XXXXXX")
		kapt_download "$tmp" busybox-static/bookworm &&
			dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x" &&
			rm -rf "$dir" && mv "$tmp/x" "$dir"
		local rc=$?
		rm -rf "$tmp"
		[ $rc -eq 0 ] || return 1
	fi
	echo "$dir/bin/busybox"
}

tmp=$(mktemp -d "$ROOT/build/kernels/.initramfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root/bin" "$root/fix" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"

bb=$(busybox_deb) || { echo "initramfs.sh: cannot get busybox-static ($arch)" >&2; exit 1; }
cp "$bb" "$root/bin/busybox"
install -m 755 "$ROOT/tools/kernels/guest-init.sh" "$root/init"
cp "$bpflame" "$root/bin/bpflame"

cc=(clang --target="$triple" -static -O2 -g -Wall -Werror)
fixcc=("${cc[@]}" -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer
	-fno-optimize-sibling-calls -I"$ROOT/tests/fixtures/c")
fix=$ROOT/tests/fixtures/c
{
	"${cc[@]}" -Wextra -o "$root/bin/bpfids" "$ROOT/tools/kernels/bpfids.c" &&
		"${fixcc[@]}" -o "$root/fix/bft_cpu" "$fix/cpu.c" &&
		"${fixcc[@]}" -o "$root/fix/bft_sys" "$fix/syscalls.c" &&
		"${fixcc[@]}" -o "$root/fix/bft_exit" "$fix/single.c"
} >"$tmp/cc.log" 2>&1 || { echo "initramfs.sh: C build failed:" >&2; cat "$tmp/cc.log" >&2; exit 1; }
(cd "$ROOT/tests/fixtures/goguest" && CGO_ENABLED=0 GOARCH=$arch "$GO" build -trimpath \
	-ldflags='-s -w' -o "$root/fix/goguest" .) >"$tmp/go.log" 2>&1 ||
	{ echo "initramfs.sh: Go build failed:" >&2; cat "$tmp/go.log" >&2; exit 1; }

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/out"
mv "$tmp/out" "$out"
