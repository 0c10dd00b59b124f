#!/usr/bin/env bash
# install-deps.sh [--test]: installs what bpflame needs from Debian 12's
# packages. Without options: the build dependencies. With --test: also what
# the test suite uses (Go toolchains 1.19 and 1.21-1.23 for fixtures, etcd,
# binutils' addr2line, Chromium for the browser test, python3-jsonschema for
# the report's JSON schema, qemu and the arm64 cross compiler for the kernel
# matrix of tests/kernels_*.t, podman and runc for the debug image, kubectl
# for the Kubernetes manifests, and what builds and runs the real
# kube-apiserver of tools/apiserver: dpkg-dev for apt-get source, Debian's
# reflect2 1.0.2, rsync and jq for its build scripts, openssl).
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (apt-get)" >&2
	exit 2
fi

export DEBIAN_FRONTEND=noninteractive
# golang-go builds the demo target of `make demo`.
build_pkgs=(make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config golang-go)
test_pkgs=(golang-go golang-1.21-go golang-1.22-go golang-1.23-go binutils time perl
	etcd-server etcd-client chromium chromium-driver curl procps python3 python3-jsonschema
	util-linux mount gpgv
	libclang-rt-14-dev fonts-liberation
	qemu-system-x86 qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross cpio
	podman runc
	dpkg-dev xz-utils golang-github-modern-go-reflect2-dev rsync jq openssl)

pkgs=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then
	pkgs+=("${test_pkgs[@]}")
	# Go 1.21+ toolchains come from bookworm-backports.
	if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		echo "deb http://deb.debian.org/debian bookworm-backports main" \
			> /etc/apt/sources.list.d/bookworm-backports.list
	fi
	command -v node >/dev/null || pkgs+=(nodejs npm)
	# Some machines carry a kubectl of another package at /usr/bin/kubectl,
	# on which kubernetes-client's fails to install: use the one there is.
	command -v kubectl >/dev/null || pkgs+=(kubernetes-client)
fi

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
echo "install-deps.sh: all ${#pkgs[@]} packages present"
