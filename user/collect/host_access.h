/*
 * host_access.h: what of the host a recording can reach from where bpflame
 * runs, so that `record` can say what is missing before it tries.
 *
 * A recording needs the BPF and perf capabilities, the host's PID namespace
 * (the BPF program filters on host PIDs and /proc must show the targets) and
 * the kernel's sysfs for its BTF. In a container each of these is one line
 * of the pod spec (privileged, hostPID, a /sys volume); the caller turns
 * every gap found into one message. Nothing here prints or allocates.
 */
#ifndef BPFLAME_HOST_ACCESS_H
#define BPFLAME_HOST_ACCESS_H

enum host_gap {
	/* Not uid 0 and without CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN). */
	HOST_GAP_NOT_ROOT = 1u << 0,
	/* uid 0 without those capabilities: an unprivileged container. */
	HOST_GAP_CAPS = 1u << 1,
	/* A PID namespace other than the initial one: host PIDs are invisible. */
	HOST_GAP_PID_NS = 1u << 2,
	/* /sys/kernel/btf is not the kernel's sysfs: /sys not mounted or masked. */
	HOST_GAP_SYSFS = 1u << 3,
	/* sysfs is there but the kernel has no BTF (CONFIG_DEBUG_INFO_BTF=n). */
	HOST_GAP_BTF = 1u << 4,
};

/*
 * Returns the set of host_gap bits that apply (0: nothing missing). The BTF
 * bits are checked only when check_btf is set (no --btf FILE was given).
 */
unsigned int host_access__gaps(int check_btf);

#endif
