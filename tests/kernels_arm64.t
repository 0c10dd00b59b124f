#!/usr/bin/env bash
# kernels_arm64.t: the record suite on arm64 (issue 12): a static bpflame
# cross-built for arm64 (make static-arm64: its BPF object from
# vmlinux/arm64/vmlinux.h, the link-register path of the frameless-leaf
# fix) on Debian 12's arm64 6.1 kernel under qemu-system-aarch64 (TCG).
# Without qemu, the cross compiler or network the points are skipped with
# the reason.
set -u
. "$(dirname "$0")/lib/kernels.sh"

tap_plan "$KERN_POINTS"
kern_setup arm64
kern_suite arm64 bookworm
exit $TAP_FAILED
