// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * profile.bpf.c: CPU-clock sampling, aggregated in the kernel.
 *
 * Attached to one PERF_COUNT_SW_CPU_CLOCK event per online CPU. For a sample
 * taken in a target process it stores the user and kernel stacks and
 * increments one count per (tgid, user stack, kernel stack). Everything else
 * (symbols, merging, output) happens in user space after detach, so this path
 * does as little as possible: one hash lookup to filter, two stack stores,
 * one hash lookup or insert to count.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "profile.h"

#define EFAULT 14
#define EEXIST 17
#define ENOMEM 12
#define E2BIG 7

/* Set by the loader before load. */
const volatile bool target_all = false; /* -a: every process but the idle task */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, __u8);
} targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, struct sample_key);
	__type(value, __u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, struct proc_info);
} procs SEC(".maps");

/*
 * Stack storage. Both stacks go through stack_store() so that a later
 * unwinder (frame pointers walked inside one copy of the goroutine stack)
 * replaces this map and one function, not the aggregation around it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1); /* resized by the loader */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_NR);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 index)
{
	__u64 *value = bpf_map_lookup_elem(&stats, &index);

	if (value)
		(*value)++;
}

static __always_inline int stack_store(struct bpf_perf_event_data *ctx, __u64 flags)
{
	return bpf_get_stackid(ctx, &stacks, flags);
}

/* Maps a failed stack store to its drop cause. */
static __always_inline __u32 stack_drop_cause(int err)
{
	switch (err) {
	case -EEXIST:
		return STAT_DROP_COLLISION;
	case -ENOMEM:
		return STAT_DROP_STACK_FULL;
	default:
		return STAT_DROP_USER_FAULT;
	}
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct sample_key key = {};
	__u64 *count, one = 1;
	int err;

	if (target_all) {
		if ((__u32)id == 0) /* the idle task of each CPU */
			return 0;
	} else if (!bpf_map_lookup_elem(&targets, &tgid)) {
		return 0;
	}
	stat_inc(STAT_SAMPLES);

	key.tgid = tgid;
	key.user_stack_id = stack_store(ctx, BPF_F_USER_STACK);
	key.kern_stack_id = stack_store(ctx, 0);

	/* A kernel thread has no user stack and a sample in user mode has no
	 * kernel stack: -EFAULT there is an empty stack, not a loss. Only a
	 * sample with neither is lost. */
	if (key.user_stack_id < 0 && key.user_stack_id != -EFAULT) {
		stat_inc(stack_drop_cause(key.user_stack_id));
		return 0;
	}
	if (key.kern_stack_id < 0 && key.kern_stack_id != -EFAULT) {
		stat_inc(stack_drop_cause(key.kern_stack_id));
		return 0;
	}
	if (key.user_stack_id < 0 && key.kern_stack_id < 0) {
		stat_inc(STAT_DROP_USER_FAULT);
		return 0;
	}

	count = bpf_map_lookup_elem(&counts, &key);
	if (count) {
		__sync_fetch_and_add(count, 1);
		return 0;
	}
	err = bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	if (err == -EEXIST) {
		/* Another CPU inserted the same key first. */
		count = bpf_map_lookup_elem(&counts, &key);
		if (count)
			__sync_fetch_and_add(count, 1);
		return 0;
	}
	if (err) {
		stat_inc(STAT_DROP_COUNTS_FULL);
		return 0;
	}

	/* First count of this stack: remember the process's name (its main
	 * thread's, as ps shows it) once. */
	struct proc_info info = {};
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	BPF_CORE_READ_STR_INTO(&info.comm, task, group_leader, comm);
	bpf_map_update_elem(&procs, &tgid, &info, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
