#!/bin/bash
# gen-vmlinux.sh: regenerate the checked-in vmlinux/<arch>/vmlinux.h.
#
#   tools/gen-vmlinux.sh          both arches from Debian bookworm's kernel packages
#   tools/gen-vmlinux.sh --host   the host arch from the running kernel's BTF
#
# The default mode keeps the build independent of the build host's kernel: it
# downloads linux-image-*-{amd64,arm64}-unsigned with a private apt setup (own
# sources, lists, cache and an empty dpkg status, so the host's dpkg and apt
# state are untouched), cuts the kernel's BTF out of /boot/vmlinuz and dumps
# it as C with bpftool. CO-RE relocates field offsets at load time, so one
# header per arch serves every kernel that has BTF.
#
# Environment: KERNEL_VERSION pins the linux-image-<arch> metapackage version
# (e.g. 6.1.176-1; default: the newest in bookworm and bookworm-security),
# BPFTOOL the bpftool binary. Needs: apt-get, dpkg-deb, objcopy, python3.
set -euo pipefail

cd "$(dirname "$0")/.."
BPFTOOL=${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}
MIRROR=http://deb.debian.org/debian
SECURITY=http://deb.debian.org/debian-security

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# write_header ARCH COMMENT BTF: dump BTF as C into vmlinux/ARCH/vmlinux.h,
# replacing the old file only once the dump succeeded.
write_header() {
	local out=vmlinux/$1/vmlinux.h
	mkdir -p "vmlinux/$1"
	{
		printf '/*\n * %s.\n * Do not edit: regenerate with tools/gen-vmlinux.sh.\n */\n' "$2"
		"$BPFTOOL" btf dump file "$3" format c
	} > "$out.tmp"
	mv "$out.tmp" "$out"
	echo "wrote $out ($(wc -c < "$out") bytes)"
}

if [ "${1:-}" = --host ]; then
	case $(uname -m) in
	x86_64) arch=x86_64 ;;
	aarch64) arch=arm64 ;;
	*) echo "gen-vmlinux.sh: unsupported arch $(uname -m)" >&2; exit 2 ;;
	esac
	write_header "$arch" "BTF of the build host's kernel $(uname -r)" /sys/kernel/btf/vmlinux
	exit 0
elif [ $# -gt 0 ]; then
	echo "usage: tools/gen-vmlinux.sh [--host]" >&2
	exit 2
fi

# Private apt: only bookworm sources, both arches, nothing shared with the host
# but its apt.conf.d (proxy and validity settings) and its archive keyring.
mkdir -p "$tmp/apt/none" "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$tmp/dl"
touch "$tmp/apt/status"
cat > "$tmp/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb $SECURITY bookworm-security main
EOF
cat > "$tmp/apt/apt.conf" <<EOF
Dir::State "$tmp/apt";
Dir::State::Lists "$tmp/apt/lists";
Dir::State::status "$tmp/apt/status";
Dir::Cache "$tmp/apt/cache";
Dir::Etc::SourceList "$tmp/apt/sources.list";
Dir::Etc::SourceParts "$tmp/apt/none";
Dir::Etc::Preferences "$tmp/apt/none/preferences";
Dir::Etc::PreferencesParts "$tmp/apt/none";
APT::Architecture "amd64";
APT::Architectures { "amd64"; "arm64"; };
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
export APT_CONFIG=$tmp/apt/apt.conf
apt-get -qq update

# cut_btf VMLINUZ OUT: write the kernel's raw BTF blob to OUT. The payload is
# decompressed (gzip'd Image, or the xz/gzip/zstd payload of an x86 bzImage);
# an ELF gives its .BTF section, a raw arm64 Image is scanned for the header.
cut_btf() {
	python3 - "$1" "$tmp/kernel" <<'EOF'
import struct, subprocess, sys, lzma, zlib

def unpack(p):
	"""Decompress one stream, ignoring the size that x86 appends to its payload."""
	if p[:2] == b"\x1f\x8b":
		return zlib.decompressobj(31).decompress(p)
	if p[:6] == b"\xfd7zXZ\x00":
		return lzma.LZMADecompressor().decompress(p)
	if p[:4] == b"\x28\xb5\x2f\xfd":  # only in a bzImage: drop its 4-byte size trailer
		return subprocess.run(["zstd", "-dcq"], input=p[:-4], stdout=subprocess.PIPE,
				      check=True).stdout
	sys.exit("gen-vmlinux.sh: unknown kernel compression %s" % p[:6].hex())

d = open(sys.argv[1], "rb").read()
if d[0x202:0x206] == b"HdrS":  # x86 boot protocol: payload after the setup sectors
	off, size = struct.unpack_from("<II", d, 0x248)
	d = unpack(d[((d[0x1f1] or 4) + 1) * 512 + off:][:size])
elif d[:2] == b"\x1f\x8b":
	d = unpack(d)
open(sys.argv[2], "wb").write(d)
EOF
	if [ "$(head -c4 "$tmp/kernel")" = $'\x7fELF' ]; then
		objcopy --dump-section .BTF="$2" "$tmp/kernel"
		return
	fi
	python3 - "$tmp/kernel" "$2" <<'EOF'
import struct, sys

# struct btf_header: magic 0xeB9F, version 1, flags 0, hdr_len 24, then the
# type and string sections. Accept only a self-consistent header whose string
# section starts and ends with NUL; keep the largest (vmlinux's own BTF).
d = open(sys.argv[1], "rb").read()
best = None
i = d.find(b"\x9f\xeb\x01\x00")
while i >= 0:
	if i + 24 <= len(d):
		hlen, toff, tlen, soff, slen = struct.unpack_from("<5I", d, i + 4)
		end = i + hlen + soff + slen
		if (hlen == 24 and toff == 0 and soff == tlen and tlen and slen and
				end <= len(d) and d[i + 24 + soff] == 0 and d[end - 1] == 0 and
				(best is None or end - i > best[1] - best[0])):
			best = (i, end)
	i = d.find(b"\x9f\xeb\x01\x00", i + 1)
if best is None:
	sys.exit("gen-vmlinux.sh: no BTF found in the kernel image")
open(sys.argv[2], "wb").write(d[best[0]:best[1]])
EOF
}

for debarch in amd64 arm64; do
	case $debarch in amd64) arch=x86_64 ;; arm64) arch=arm64 ;; esac
	meta=linux-image-$debarch:$debarch${KERNEL_VERSION:+=$KERNEL_VERSION}
	# The metapackage depends on the ABI-named image, e.g. linux-image-6.1.0-56-arm64.
	image=$(apt-cache show --no-all-versions "$meta" |
		sed -n 's/^Depends:.*\(linux-image-[0-9][^ ,:]*\).*/\1/p')
	[ -n "$image" ] || { echo "gen-vmlinux.sh: cannot resolve $meta" >&2; exit 1; }
	(cd "$tmp/dl" && apt-get -qq download "$image-unsigned:$debarch")
	deb=$(ls "$tmp/dl/$image-unsigned_"*.deb)
	version=$(dpkg-deb -f "$deb" Version)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
	cut_btf "$tmp/boot/vmlinuz-${image#linux-image-}" "$tmp/btf-$arch"
	write_header "$arch" "BTF of Debian bookworm's $image-unsigned $version" "$tmp/btf-$arch"
	rm -rf "${tmp:?}/boot" "$deb" "$tmp/kernel"*
done
