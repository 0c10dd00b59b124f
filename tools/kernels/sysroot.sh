#!/usr/bin/env bash
# tools/kernels/sysroot.sh ARCH: a sysroot for cross-building the static
# bpflame: Debian 12's libbpf-dev, libelf-dev and zlib1g-dev (and their
# runtime packages, for the headers' dependencies) of ARCH, downloaded with
# the private apt of tools/kernels/apt.sh and unpacked (nothing installed,
# no dpkg --add-architecture) into build/kernels/sysroot-ARCH/. Prints that
# directory. Cached by the package versions. The C library comes from the
# cross toolchain (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
arch=${1:?usage: sysroot.sh ARCH}
out=$ROOT/build/kernels/sysroot-$arch
pkgs=(libbpf-dev libbpf1 libelf-dev libelf1 zlib1g-dev zlib1g)

if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi
. "$ROOT/tools/kernels/apt.sh"
kapt_init "$arch" || exit 1
tmp=$(mktemp -d "$ROOT/build/kernels/.sysroot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
kapt_download "$tmp" "${pkgs[@]/%//bookworm}" || exit 1
mkdir -p "$tmp/root"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/root"
done
ls "$tmp"/*.deb | xargs -n1 basename >"$tmp/root/.packages"
touch "$tmp/root/.done"
rm -rf "$out"
mv "$tmp/root" "$out"
echo "$out"
