/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * profile.h: the contract between profile.bpf.c and the loader.
 *
 * Plain __u32/__u64 structs and #defines only: both the BPF program and user
 * space include this file.
 *
 * Design (bounded kernel memory): the kernel keeps one count per
 * (process image, user stack hash, kernel stack hash, leaf_ret) and a set of
 * the stack hashes user space already has. A stack whose hash is not in that
 * set is sent to user space once, at its own length, through a BPF ring
 * buffer; user space owns the stack store. A hash enters the set only when
 * its stack really went into the ring buffer (a full ring buffer is a
 * counted drop, and the stack is sent again with a later sample). The
 * counts map sits behind a one-slot map-in-map so that user space can swap
 * it for an empty one at an interval boundary: the kernel waits for every
 * running program before the swap returns, so no sample straddles two
 * intervals. Every sample that cannot be counted increments one drop cause.
 */
#ifndef BPFLAME_PROFILE_H
#define BPFLAME_PROFILE_H

/* Deepest stack recorded: the kernel's default kernel.perf_event_max_stack.
 * A deeper stack keeps its leaf-most frames and is flagged truncated. */
#define MAX_STACK_DEPTH 127

/* Bytes of the user stack copied at once from the stack pointer by the
 * frame-pointer walker; frames above it are read one by one. */
#define USER_BLOCK_SIZE 4096

#define TASK_COMM_LEN 16

/* struct stack_event flags */
#define STACK_F_KERNEL 0x1    /* a kernel stack (else a user stack) */
#define STACK_F_TRUNCATED 0x2 /* deeper than MAX_STACK_DEPTH: outer frames lost */

/*
 * One new stack, as sent through the ring buffer: only the first nips ips
 * (leaf first) are sent. hash is a keyed 64-bit hash of the contents, the
 * flags and the owner (the tgid for user stacks, 0 for kernel stacks), so
 * two stacks share a hash only by a 2^-64 chance and a process can neither
 * predict nor reach another process's hashes.
 */
struct stack_event {
	__u64 hash;
	__u32 nips;
	__u32 flags;
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

/* What one key accumulated: samples and the sum of their event periods
 * (nanoseconds for the clock events, events otherwise). */
struct count_value {
	__u64 count;
	__u64 period_sum;
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

/* Indexes of the per-CPU statistics array. STAT_EVENTS counts every run of
 * the sampling program (targets or not: the achieved event rate),
 * STAT_SAMPLES every sample taken in a target; the others count samples
 * lost, by cause. */
enum stat_index {
	STAT_SAMPLES = 0,
	STAT_DROP_USER_FAULT,    /* user stack unreadable (-EFAULT) */
	STAT_DROP_KERN_FAULT,    /* kernel stack walk failed (-EFAULT) */
	STAT_DROP_STACK_FULL,    /* stack set full (--max-stacks) */
	STAT_DROP_RINGBUF_FULL,  /* ring buffer full: a new stack could not be sent */
	STAT_DROP_COUNTS_FULL,   /* counts map full (--counts-map-size) */
	STAT_EVENTS,
	STAT_NR,
};

#endif /* BPFLAME_PROFILE_H */
