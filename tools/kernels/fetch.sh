#!/usr/bin/env bash
# tools/kernels/fetch.sh ARCH SUITE: downloads the Debian kernel that SUITE's
# linux-image-ARCH metapackage points to (ARCH amd64 or arm64; SUITE
# bullseye, bookworm or bookworm-backports) and extracts its vmlinuz into
# build/kernels/ARCH-SUITE/, with a "version" file naming the package.
# Prints that directory.
#
# Nothing is installed on the host: a private apt configuration (sources
# list, lists and archive directories under build/kernels/apt-ARCH/) is
# used, signed by the Debian archive keyring, against the mirror the
# system's apt already uses. Cached: once vmlinuz is there, nothing is
# downloaded (KERNELS_REFRESH=1 resolves the metapackage again, e.g. for a
# newer backports kernel). Only the kernel image is used: the matrix needs
# no modules (BPF, perf events, BTF, the serial consoles and initramfs
# support are built into Debian's kernels).
#
# Exit status 0; 1 with one message line on stderr when the network or the
# mirror is unreachable or the package is missing (the caller skips).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
arch=${1:?usage: fetch.sh ARCH SUITE}
suite=${2:?usage: fetch.sh ARCH SUITE}
out=$BUILD/kernels/$arch-$suite

if [ -s "$out/vmlinuz" ] && [ -s "$out/version" ] && [ -z "${KERNELS_REFRESH:-}" ]; then
	echo "$out"
	exit 0
fi

die() { echo "fetch.sh: $*" >&2; exit 1; }

. "$ROOT/tools/kernels/apt.sh"
kapt_init "$arch" || exit 1

# The metapackage depends on exactly one versioned image package.
pkg=$(apt-cache "${KAPT[@]}" show "linux-image-$arch/$suite" 2>/dev/null |
	awk -F': ' '/^Depends:/ { n = split($2, d, ", "); for (i = 1; i <= n; i++)
		if (d[i] ~ /^linux-image-[0-9]/) { sub(/ .*/, "", d[i]); print d[i]; exit } }')
[ -n "$pkg" ] || die "no linux-image-$arch in $suite"
if [ -s "$out/vmlinuz" ] && [ "$(cat "$out/version" 2>/dev/null)" = "$pkg" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$out"
tmp=$(mktemp -d "$BUILD/kernels/.x.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kapt_download "$tmp" "$pkg/$suite" || exit 1
deb=$(ls "$tmp/${pkg}"_*.deb)
# Only ./boot is extracted: the modules are not needed (see above).
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' \
	'./boot/config-*' || die "cannot unpack $deb"
cp "$tmp"/boot/vmlinuz-* "$out/vmlinuz.new"
cp "$tmp"/boot/config-* "$out/config"
mv "$out/vmlinuz.new" "$out/vmlinuz"
echo "$pkg" >"$out/version"
echo "$out"
