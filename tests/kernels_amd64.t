#!/usr/bin/env bash
# kernels_amd64.t: the record suite on the amd64 kernels control planes run
# (issue 12), each booted under qemu (TCG) with the guest initramfs of
# tools/kernels/: Debian 11's 5.10, Debian 12's 6.1 and the newest
# bookworm-backports kernel. The build machine's own kernel is covered by
# the rest of the suite. Kernels are downloaded with apt into build/kernels/
# once; without qemu or network the points are skipped with the reason.
set -u
. "$(dirname "$0")/lib/kernels.sh"

SUITES=(bullseye bookworm bookworm-backports)
tap_plan $((KERN_POINTS * ${#SUITES[@]}))
echo "# the build machine's kernel ($(uname -r)) runs the rest of the suite"
kern_setup amd64
for s in "${SUITES[@]}"; do
	kern_suite amd64 "$s"
done
exit $TAP_FAILED
