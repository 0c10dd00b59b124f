/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * profile.h: the contract between profile.bpf.c and the loader.
 *
 * Plain __u32/__u64 structs and #defines only: both the BPF program and user
 * space include this file. The BPF program aggregates one count per
 * (process image, user stack, kernel stack); user space drains the maps after
 * detaching. Every sample that cannot be counted increments one drop cause.
 */
#ifndef BPFLAME_PROFILE_H
#define BPFLAME_PROFILE_H

/* Deepest stack stored: the kernel's default kernel.perf_event_max_stack.
 * A deeper stack loses its outermost frames; user space marks it
 * "[truncated]". */
#define MAX_STACK_DEPTH 127

#define TASK_COMM_LEN 16

/*
 * A stack as stored: instruction pointers, leaf first, zero-filled after the
 * last frame. Stacks are stored once, keyed by a 64-bit keyed hash of their
 * contents and owner, so two stacks share a slot only by a 2^-64 chance
 * (a BPF_MAP_TYPE_STACK_TRACE map instead drops a stack whose bucket is
 * taken, about distinct stacks / buckets of the time).
 */
struct stack_trace {
	__u64 ips[MAX_STACK_DEPTH];
};

/*
 * Aggregation key. A stack hash of 0 means "no stack of that kind" (kernel
 * stack of a sample taken in user mode, user stack of a kernel thread); it
 * is a valid key, not a drop.
 *
 * leaf_ret is the word at the user stack pointer when the user leaf pc lies
 * in Go code (see struct text_range) and that word does too, else 0. Frame
 * pointer unwinding misses the caller of a leaf that has not pushed its
 * frame yet (a frameless Go function such as runtime.memmove, or any
 * function at its entry): its return address is then that word. User space
 * keeps it only where the pclntab says the leaf's stack delta is 0.
 */
struct sample_key {
	__u32 tgid;
	__u32 gen;         /* process generation, see struct proc_key */
	__u64 user_stack;
	__u64 kern_stack;
	__u64 leaf_ret;
};

/* Runtime address range of a target's Go code (its executable mapping). */
struct text_range {
	__u64 start;
	__u64 end;
};

/*
 * A process image: a tgid and its generation. A generation starts at 0 for
 * processes running when the recording starts and takes a new, unique
 * value when a target calls exec or (with -a) when a new process is forked,
 * so that samples of an old image (or of an earlier process with the same
 * PID) are never symbolized with the new image's maps.
 */
struct proc_key {
	__u32 tgid;
	__u32 gen;
};

/* Per-process facts recorded on a process's first counted stack, so that a
 * target that exits mid-run keeps its name. */
struct proc_info {
	char comm[TASK_COMM_LEN];
};

/* Indexes of the per-CPU statistics array. STAT_SAMPLES counts every sample
 * taken in a target; the others count samples lost, by cause. */
enum stat_index {
	STAT_SAMPLES = 0,
	STAT_DROP_USER_FAULT,    /* user stack walk failed (-EFAULT) */
	STAT_DROP_KERN_FAULT,    /* kernel stack walk failed (-EFAULT) */
	STAT_DROP_STACK_FULL,    /* stack map full (-E2BIG / -ENOMEM) */
	STAT_DROP_COUNTS_FULL,   /* counts map full (-E2BIG / -ENOMEM) */
	STAT_NR,
};

#endif /* BPFLAME_PROFILE_H */
