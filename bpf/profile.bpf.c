// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * profile.bpf.c: CPU-clock sampling, aggregated in the kernel.
 *
 * Attached to one PERF_COUNT_SW_CPU_CLOCK event per online CPU. For a sample
 * taken in a target process it stores the user and kernel stacks and
 * increments one count per (tgid, user stack, kernel stack). Everything else
 * (symbols, merging, output) happens in user space after detach, so this path
 * does as little as possible: one lookup to filter, two stack copies and
 * stores, one lookup or insert to count.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

#define EEXIST 17

/* Set by the loader before load. */
const volatile bool target_all = false; /* -a: every process but the idle task */
const volatile __u32 self_tgid = 0;     /* bpflame itself, never sampled with -a */
const volatile __u64 hash_seed = 0;     /* random per run: stack hashes cannot be forged */

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
	__type(key, struct proc_key);
	__type(value, struct proc_info);
} procs SEC(".maps");

/* Current generation of each process whose image changed during the
 * recording (absent: generation 0). See struct proc_key. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, __u32);
} gens SEC(".maps");


/*
 * Stack storage: stacks keyed by a hash of their contents. Both stacks of
 * a sample go through stack_store(), so a later unwinder (frame pointers
 * walked inside one copy of the goroutine stack) replaces how the ips are
 * obtained, not how they are stored and counted.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u64);
	__type(value, struct stack_trace);
} stacks SEC(".maps");

/* Per target: where its Go code is (filled by the loader; see leaf_ret). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, struct text_range);
} go_text SEC(".maps");

/* Per-CPU scratch for the stack being stored (too big for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_trace);
} scratch SEC(".maps");

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

/*
 * 64-bit hash of the first n ips, keyed by a per-run secret and by the
 * owner (the tgid for user stacks, 0 for kernel stacks): a process that
 * shapes its own stack can neither predict a hash nor reach another
 * process's stacks. Never 0, which means "no stack".
 */
static __always_inline __u64 stack_hash(const struct stack_trace *st, __u32 n, __u32 owner)
{
	__u64 h = hash_seed ^ ((__u64)owner << 32) ^ n;

	for (__u32 i = 0; i < MAX_STACK_DEPTH && i < n; i++) {
		h ^= st->ips[i];
		h *= 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
		h += hash_seed;
	}
	h ^= h >> 32;
	return h ? h : 1;
}

/*
 * Copies the current user (flags = BPF_F_USER_STACK) or kernel stack and
 * stores it. Returns 0 and *hash (0 for an empty stack), or the stat index
 * of the drop cause.
 */
static __always_inline __u32 stack_store(struct bpf_perf_event_data *ctx, __u64 flags,
					  __u64 *hash)
{
	__u32 zero = 0;
	struct stack_trace *st = bpf_map_lookup_elem(&scratch, &zero);
	long len;
	int err;

	*hash = 0;
	if (!st)
		return STAT_DROP_STACK_FULL;
	/* The helper zero-fills the buffer past the last frame. */
	len = bpf_get_stack(ctx, st->ips, sizeof(st->ips), flags);
	if (len < 0)
		return flags & BPF_F_USER_STACK ? STAT_DROP_USER_FAULT : STAT_DROP_KERN_FAULT;
	if (len == 0)
		return 0;
	*hash = stack_hash(st, len / sizeof(__u64),
			   flags & BPF_F_USER_STACK ? bpf_get_current_pid_tgid() >> 32 : 0);
	err = bpf_map_update_elem(&stacks, hash, st, BPF_NOEXIST);
	if (err && err != -EEXIST)
		return STAT_DROP_STACK_FULL;
	return 0;
}

/*
 * The leaf's possible return address (the word at the user stack pointer;
 * the link register on arm64) if both the user leaf pc and that word lie in
 * the process's Go code, else 0 (see struct sample_key). Needs
 * bpf_task_pt_regs (5.15+), which gives the user registers whether the
 * sample interrupted user or kernel mode; older kernels skip this.
 */
static __always_inline __u64 leaf_return(__u32 tgid, __u64 leaf_ip)
{
	struct text_range *text = bpf_map_lookup_elem(&go_text, &tgid);
	struct pt_regs *regs;
	__u64 word = 0;

	if (!text || leaf_ip < text->start || leaf_ip >= text->end)
		return 0;
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return 0;
#if defined(__TARGET_ARCH_arm64)
	/* A link-register architecture: a leaf that has saved nothing still
	 * holds its return address in LR (x30), not on the stack. */
	word = PT_REGS_RET_CORE(regs);
#else
	if (bpf_probe_read_user(&word, sizeof(word), (void *)PT_REGS_SP_CORE(regs)))
		return 0;
#endif
	return word >= text->start && word < text->end ? word : 0;
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, drop, *gen;
	struct sample_key key = {};
	__u64 *count, one = 1;
	int err;

	if (target_all) {
		if ((__u32)id == 0 || tgid == self_tgid) /* idle tasks, ourselves */
			return 0;
	} else if (!bpf_map_lookup_elem(&targets, &tgid)) {
		return 0;
	}
	stat_inc(STAT_SAMPLES);

	key.tgid = tgid;
	gen = bpf_map_lookup_elem(&gens, &tgid);
	key.gen = gen ? *gen : 0;
	drop = stack_store(ctx, BPF_F_USER_STACK, &key.user_stack);
	if (!drop && key.user_stack) {
		__u32 zero = 0;
		struct stack_trace *st = bpf_map_lookup_elem(&scratch, &zero);

		if (st)
			key.leaf_ret = leaf_return(tgid, st->ips[0]);
	}
	if (!drop)
		drop = stack_store(ctx, 0, &key.kern_stack);
	if (drop) {
		stat_inc(drop);
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

	struct proc_key pkey = { .tgid = tgid, .gen = key.gen };

	BPF_CORE_READ_STR_INTO(&info.comm, task, group_leader, comm);
	bpf_map_update_elem(&procs, &pkey, &info, BPF_NOEXIST);
	return 0;
}

/*
 * A generation is the boot clock in microseconds (odd, so never 0): unique
 * per image unless one PID changes image twice within a microsecond, or
 * exactly 2^32 us (71 minutes) apart. (An atomic counter would need
 * fetch-and-add, BPF ISA v3, kernel 5.12+.)
 */
static __always_inline void new_generation(__u32 tgid)
{
	__u32 gen = (__u32)(bpf_ktime_get_ns() / 1000) | 1;

	bpf_map_update_elem(&gens, &tgid, &gen, BPF_ANY);
}

/* A target replaced its image: its later samples belong to a new generation. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = p->tgid;

	if (target_all || bpf_map_lookup_elem(&targets, &tgid))
		new_generation(tgid);
	return 0;
}

/* With -a, a new process (not a thread) may reuse the PID of one that
 * exited during the recording: give it a generation of its own. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	if (target_all && child->pid == child->tgid)
		new_generation(child->tgid);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
