// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * host_access.c: see host_access.h. Each check reads one kernel fact that a
 * container runtime changes: the effective capabilities (privileged), the
 * inode of the PID namespace (hostPID) and the filesystem type of /sys's
 * BTF directory (a /sys volume), so no guess about container engines is made.
 */
#include "host_access.h"

#include <linux/capability.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* include/linux/proc_ns.h: the fixed inode number of the initial PID
 * namespace (stable since Linux 3.8); <linux/magic.h>: sysfs's f_type. */
#define PROC_PID_INIT_INO 0xEFFFFFFCu
#define SYSFS_MAGIC_NUMBER 0x62656572

#define KERNEL_BTF "/sys/kernel/btf/vmlinux"

static bool has_capability(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {0};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static bool in_initial_pid_ns(void)
{
	struct stat st;

	/* Without a readable /proc the answer is unknown: let the target
	 * lookup report what it cannot find. */
	if (stat("/proc/self/ns/pid", &st))
		return true;
	return st.st_ino == PROC_PID_INIT_INO;
}

/* The deepest existing directory on the way to the BTF file is the kernel's
 * sysfs: not so when /sys is an empty directory, a tmpfs or a masked path. */
static bool sysfs_reaches_btf(void)
{
	static const char *const dirs[] = {"/sys/kernel/btf", "/sys/kernel", "/sys"};
	struct statfs sf;

	for (unsigned int i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!statfs(dirs[i], &sf))
			return sf.f_type == SYSFS_MAGIC_NUMBER;
	}
	return false;
}

unsigned int host_access__gaps(int check_btf)
{
	unsigned int gaps = 0;

	if (!has_capability(CAP_SYS_ADMIN) &&
	    !(has_capability(CAP_BPF) && has_capability(CAP_PERFMON)))
		gaps |= geteuid() == 0 ? HOST_GAP_CAPS : HOST_GAP_NOT_ROOT;
	if (!in_initial_pid_ns())
		gaps |= HOST_GAP_PID_NS;
	if (check_btf && access(KERNEL_BTF, R_OK))
		gaps |= sysfs_reaches_btf() ? HOST_GAP_BTF : HOST_GAP_SYSFS;
	return gaps;
}
