// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfids: prints the ids of every BPF program, map and link in the kernel,
 * one kind per line ("progs 3 4", "maps 7", "links"), for the guest suite of
 * tools/kernels/: bpftool is not static, and /sys/fs/bpf only shows pinned
 * objects. A kind the kernel cannot enumerate (links before 5.8) prints
 * "links ?". Exit status 0, or 1 if the bpf syscall fails otherwise.
 */
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int print_ids(const char *kind, int cmd)
{
	union bpf_attr attr;
	__u32 id = 0;

	printf("%s", kind);
	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (syscall(__NR_bpf, cmd, &attr, sizeof(attr)) < 0)
			break;
		id = attr.next_id;
		printf(" %u", id);
	}
	if (errno == EINVAL) {
		printf(" ?\n");
		return 0;
	}
	printf("\n");
	return errno == ENOENT ? 0 : -errno;
}

int main(void)
{
	int err = print_ids("progs", BPF_PROG_GET_NEXT_ID);
	int err_maps = print_ids("maps", BPF_MAP_GET_NEXT_ID);
	int err_links = print_ids("links", BPF_LINK_GET_NEXT_ID);

	err = err ? err : err_maps ? err_maps : err_links;
	if (err)
		fprintf(stderr, "bpfids: bpf: %s\n", strerror(-err));
	return err ? 1 : 0;
}
