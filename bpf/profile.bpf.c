// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * profile.bpf.c: stack sampling on perf events, aggregated in the kernel.
 *
 * Attached to one perf event per online CPU (the CPU clock by default, any
 * software or hardware event the loader opened). For a sample taken in a
 * target process it walks the user and kernel stacks, sends each stack it
 * has not sent before to user space through the ring buffer (see
 * profile.h), and adds one count per (process image, user stack, kernel
 * stack, leaf_ret). Symbols, merging and output happen in user space, so
 * this path does little: one lookup to filter, two walks, one count (the
 * set of sent stacks is consulted only for a key not counted before).
 *
 * The user stack walker follows frame pointers (Go keeps them; so does C
 * built with -fno-omit-frame-pointer) inside one copy of USER_BLOCK_SIZE
 * bytes from the stack pointer, and reads a frame on its own only where the
 * chain leaves the block. With unwinder_kernel it uses bpf_get_stack, the
 * kernel's own frame-pointer walker, for comparison and as a fallback.
 * Only bounded loops and 5.8-era helpers are used unconditionally; helpers
 * of later kernels are behind CO-RE checks, so the program loads on 5.10.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "profile.h"

#define EEXIST 17

#define BLOCK_WORDS (USER_BLOCK_SIZE / 8)

/* Set by the loader before load. */
const volatile bool target_all = false;       /* -a: every process but the idle task */
const volatile bool unwinder_kernel = false;  /* bpf_get_stack for user stacks */
const volatile __u32 self_tgid = 0;           /* bpflame itself, never sampled with -a */
const volatile __u64 hash_seed = 0;           /* random per run: hashes cannot be forged */
const volatile __u64 ringbuf_wakeup = 0;      /* wake user space past this many bytes */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, __u8);
} targets SEC(".maps");

/*
 * The counts of one interval; the loader creates two for --interval. Sizes,
 * not BTF types, like the inner template of `counts` below: on 6.1 a map
 * with value BTF records "no timer" (-ENOENT) where one without records
 * -EINVAL, and the kernel then refuses it as the template's equal (EINVAL
 * on the map-in-map update; 5.10 and 6.2+ compare no such field). Found by
 * the qemu kernel matrix.
 */
#define COUNTS_MAP_DEF                                                                    \
	{                                                                                 \
		__uint(type, BPF_MAP_TYPE_HASH);                                          \
		__uint(max_entries, 1); /* resized by the loader */                       \
		__uint(key_size, sizeof(struct sample_key));                              \
		__uint(value_size, sizeof(struct count_value));                           \
	}
struct COUNTS_MAP_DEF counts0 SEC(".maps");
struct COUNTS_MAP_DEF counts1 SEC(".maps");

/* Slot 0 holds the counts map samples go to (set by the loader; swapped
 * from user space, which waits for running programs, see profile.h). The
 * inner template gives sizes, not types: clang emits the BTF of a nested
 * map definition's struct keys as forward declarations only. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct {
		__uint(type, BPF_MAP_TYPE_HASH);
		__uint(max_entries, 1);
		__uint(key_size, sizeof(struct sample_key));
		__uint(value_size, sizeof(struct count_value));
	});
} counts SEC(".maps");

/* Stack hashes already sent to user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u64);
	__type(value, __u8);
} stacks_sent SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096); /* resized by the loader */
} stack_events SEC(".maps");

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

/* Per target: where its Go code is (filled by the loader; see leaf_ret). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1); /* resized by the loader */
	__type(key, __u32);     /* tgid */
	__type(value, struct text_range);
} go_text SEC(".maps");

/* Per-CPU scratch: the sample's two stacks, kept until the count shows
 * whether they must be sent, and the user stack block (all too big for the
 * BPF stack). */
struct scratch {
	struct stack_event user;
	struct stack_event kern;
	__u64 block[BLOCK_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
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

/* One step of the stack hash (see struct stack_event). */
static __always_inline __u64 hash_step(__u64 h, __u64 ip)
{
	h ^= ip;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	return h + hash_seed;
}

/* The hash's start and end: keyed by the owner, the length and the flags;
 * never 0, which means "no stack". */
static __always_inline __u64 hash_start(__u32 owner)
{
	return hash_seed ^ ((__u64)owner << 32);
}

static __always_inline __u64 hash_end(__u64 h, __u32 n, __u32 flags)
{
	h = hash_step(h, ((__u64)flags << 32) | n);
	h ^= h >> 32;
	return h ? h : 1;
}

/*
 * Sends ev to user space unless it was sent before. Returns 0, or the stat
 * index of the drop cause: the sample is then not counted, and since the
 * hash is marked sent only once the stack is in the ring buffer, a later
 * sample sends it again.
 */
static __always_inline __u32 stack_send(struct stack_event *ev)
{
	__u64 size = offsetof(struct stack_event, ips) + (__u64)ev->nips * sizeof(__u64);
	__u64 flags = BPF_RB_NO_WAKEUP;
	__u8 one = 1;
	int err;

	if (bpf_map_lookup_elem(&stacks_sent, &ev->hash))
		return 0;
	/* Mark first, so that one CPU sends a new stack, not every CPU. */
	err = bpf_map_update_elem(&stacks_sent, &ev->hash, &one, BPF_NOEXIST);
	if (err == -EEXIST)
		return 0;
	if (err)
		return STAT_DROP_STACK_FULL;
	if (size > sizeof(*ev))
		size = sizeof(*ev);
	if (bpf_ringbuf_query(&stack_events, BPF_RB_AVAIL_DATA) >= ringbuf_wakeup)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&stack_events, ev, size, flags)) {
		bpf_map_delete_elem(&stacks_sent, &ev->hash);
		return STAT_DROP_RINGBUF_FULL;
	}
	return 0;
}

/* Fills ev from bpf_get_stack (flags 0: kernel, BPF_F_USER_STACK: user).
 * Returns 0 (ev->nips 0 for no stack) or -1 when the walk failed. */
static __always_inline int helper_stack(struct bpf_perf_event_data *ctx, struct stack_event *ev,
					__u64 flags, __u32 owner)
{
	long len = bpf_get_stack(ctx, ev->ips, sizeof(ev->ips), flags);
	__u64 h = hash_start(owner);
	__u32 n;

	if (len < 0)
		return -1;
	n = len / sizeof(__u64);
	for (__u32 i = 0; i < MAX_STACK_DEPTH && i < n; i++)
		h = hash_step(h, ev->ips[i]);
	ev->nips = n;
	/* The helper stops at the depth given; a full buffer is the only sign. */
	ev->flags = (flags & BPF_F_USER_STACK ? 0 : STACK_F_KERNEL) |
		    (n == MAX_STACK_DEPTH ? STACK_F_TRUNCATED : 0);
	ev->hash = n ? hash_end(h, n, ev->flags) : 0;
	return 0;
}

/*
 * The sampled registers, read at their uapi offsets (bpf_user_pt_regs_t is
 * the uapi layout; the kernel's struct pt_regs in vmlinux.h is not, and a
 * CO-RE access would be relocated to it: cs is a u16 there on 6.x). The
 * context allows whole-word loads only.
 */
#if defined(__TARGET_ARCH_x86)
enum { CTX_IP = 16, CTX_SP = 19, CTX_FP = 4, CTX_MODE = 17 };
#define CTX_USER_MODE(mode) (((mode) & 3) != 0) /* cs: ring 3 */
#elif defined(__TARGET_ARCH_arm64)
enum { CTX_IP = 32, CTX_SP = 31, CTX_FP = 29, CTX_MODE = 33 };
#define CTX_USER_MODE(mode) (((mode) & 0xf) == 0) /* pstate: EL0t */
#endif

static __always_inline __u64 ctx_reg(struct bpf_perf_event_data *ctx, int index)
{
	return ((volatile __u64 *)ctx)[index];
}

/*
 * The user registers of the current task: the sampled ones if the sample
 * interrupted user mode, else (a sample in a system call or fault)
 * bpf_task_pt_regs where the kernel has it (5.15+). Returns 0, 1 for no
 * user context (a kernel thread), -1 when this kernel cannot tell.
 */
static __always_inline int user_regs(struct bpf_perf_event_data *ctx, __u64 *ip, __u64 *sp,
				     __u64 *fp)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct pt_regs *regs;

	if (CTX_USER_MODE(ctx_reg(ctx, CTX_MODE))) {
		*ip = ctx_reg(ctx, CTX_IP);
		*sp = ctx_reg(ctx, CTX_SP);
		*fp = ctx_reg(ctx, CTX_FP);
		return 0;
	}
	if (!BPF_CORE_READ(task, mm))
		return 1;
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return -1;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs)
		return -1;
	*ip = PT_REGS_IP_CORE(regs);
	*sp = PT_REGS_SP_CORE(regs);
	*fp = PT_REGS_FP_CORE(regs);
	return 0;
}

/*
 * Walks the user stack by frame pointers into ev, as the kernel's walker
 * does (each frame is [saved frame pointer, return address]; the walk ends
 * at an unreadable frame or a zero return address), but inside one block
 * copied from the stack pointer. Returns 0, or -1 when the stack is
 * unreadable. *sp_word gets the word at the stack pointer, 0 if unread.
 */
static __always_inline int walk_user(struct scratch *s, __u32 tgid, __u64 ip, __u64 sp, __u64 fp,
				     __u64 *sp_word)
{
	struct stack_event *ev = &s->user;
	__u64 h = hash_start(tgid), len = USER_BLOCK_SIZE, base = sp;
	__u32 n = 1, i;

	*sp_word = 0;
	if (!ip)
		return -1;
	/* The block may cross the end of the stack's mapping: then copy up to
	 * the end of the stack pointer's page, which is mapped if SP is. */
	if (bpf_probe_read_user(s->block, USER_BLOCK_SIZE, (void *)base)) {
		len = 4096 - (base & 4095);
		if (len >= USER_BLOCK_SIZE || len < 8 ||
		    bpf_probe_read_user(s->block, len & (USER_BLOCK_SIZE - 1), (void *)base))
			len = 0;
	}
	if (len >= 8)
		*sp_word = s->block[0];
	ev->ips[0] = ip;
	h = hash_step(h, ip);
	for (i = 1; i < MAX_STACK_DEPTH; i++) {
		__u64 next, ret, off = fp - base;

		if (fp >= base && off + 16 <= len && !(fp & 7)) {
			__u32 w = off / 8;
			const __u64 *frame;

			if (w >= BLOCK_WORDS - 1)
				break;
			/* One bounded pointer for both words, for the verifier. */
			frame = &s->block[w];
			next = frame[0];
			ret = frame[1];
		} else {
			__u64 frame[2];

			if (!fp || bpf_probe_read_user(frame, sizeof(frame), (void *)fp))
				break;
			next = frame[0];
			ret = frame[1];
		}
		if (!ret)
			break;
		ev->ips[i] = ret;
		h = hash_step(h, ret);
		n++;
		fp = next;
	}
	ev->nips = n;
	ev->flags = i == MAX_STACK_DEPTH && fp ? STACK_F_TRUNCATED : 0;
	ev->hash = hash_end(h, n, ev->flags);
	return 0;
}

/*
 * The leaf's possible return address if both the user leaf pc and the word
 * at the stack pointer (the link register on arm64) lie in the process's Go
 * code, else 0 (see struct sample_key).
 */
static __always_inline __u64 leaf_return(__u32 tgid, __u64 leaf_ip, __u64 word)
{
	struct text_range *text = bpf_map_lookup_elem(&go_text, &tgid);

	if (!text || leaf_ip < text->start || leaf_ip >= text->end)
		return 0;
#if defined(__TARGET_ARCH_arm64)
	/* A link-register architecture: a leaf that has saved nothing still
	 * holds its return address in LR (x30), not on the stack. */
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return 0;
	word = PT_REGS_RET_CORE(
		(struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()));
#endif
	return word >= text->start && word < text->end ? word : 0;
}

/* The word at the user stack pointer, for leaf_return() where the walk did
 * not read it. */
static __always_inline __u64 sp_word_of_task(void)
{
	struct pt_regs *regs;
	__u64 word = 0;

	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	if (!regs || bpf_probe_read_user(&word, sizeof(word), (void *)PT_REGS_SP_CORE(regs)))
		return 0;
	return word;
}

/* Walks the user stack into s->user and its hash into key (0: none).
 * Returns 0 or a drop cause. */
static __always_inline __u32 user_stack(struct bpf_perf_event_data *ctx, struct scratch *s,
					struct sample_key *key)
{
	__u64 ip, sp, fp, word = 0;
	int regs = unwinder_kernel ? -1 : user_regs(ctx, &ip, &sp, &fp);

	if (regs == 1)
		return 0; /* a kernel thread: no user stack */
	if (regs == 0) {
		if (walk_user(s, key->tgid, ip, sp, fp, &word))
			return STAT_DROP_USER_FAULT;
	} else {
		if (helper_stack(ctx, &s->user, BPF_F_USER_STACK, key->tgid))
			return STAT_DROP_USER_FAULT;
		if (!s->user.nips)
			return 0;
		word = sp_word_of_task();
	}
	key->user_stack = s->user.hash;
	key->leaf_ret = leaf_return(key->tgid, s->user.ips[0], word);
	return 0;
}

/*
 * Adds the sample to the counts of the current interval. A key already
 * counted in this interval has had both its stacks sent (a key is inserted
 * only after its stacks went out, and the set of sent stacks is cleared only
 * with the switch to an empty counts map, see sampler__rotate), so the common
 * case costs one lookup; only a new key goes through stack_send. Returns 0
 * or a drop cause.
 */
static __always_inline __u32 count_sample(void *counts_map, struct scratch *s,
					  struct sample_key *key, __u64 period)
{
	struct count_value *value, first = { .count = 1, .period_sum = period };
	__u32 drop;
	int err;

	value = bpf_map_lookup_elem(counts_map, key);
	if (!value) {
		if (key->user_stack && (drop = stack_send(&s->user)))
			return drop;
		if (key->kern_stack && (drop = stack_send(&s->kern)))
			return drop;
		err = bpf_map_update_elem(counts_map, key, &first, BPF_NOEXIST);
		if (!err) {
			/* First count of this stack: remember the process's name
			 * (its main thread's, as ps shows it) once. */
			struct task_struct *task = (struct task_struct *)bpf_get_current_task();
			struct proc_key pkey = { .tgid = key->tgid, .gen = key->gen };
			struct proc_info info = {};

			BPF_CORE_READ_STR_INTO(&info.comm, task, group_leader, comm);
			bpf_map_update_elem(&procs, &pkey, &info, BPF_NOEXIST);
			return 0;
		}
		if (err != -EEXIST)
			return STAT_DROP_COUNTS_FULL;
		/* Another CPU inserted the same key first. */
		value = bpf_map_lookup_elem(counts_map, key);
		if (!value)
			return 0;
	}
	__sync_fetch_and_add(&value->count, 1);
	__sync_fetch_and_add(&value->period_sum, period);
	return 0;
}

SEC("perf_event")
int do_sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, zero = 0, drop, *gen;
	struct sample_key key = {};
	struct scratch *s;
	void *counts_map;

	stat_inc(STAT_EVENTS);
	if (target_all) {
		if ((__u32)id == 0 || tgid == self_tgid) /* idle tasks, ourselves */
			return 0;
	} else if (!bpf_map_lookup_elem(&targets, &tgid)) {
		return 0;
	}
	stat_inc(STAT_SAMPLES);
	/* The interval's counts map first: a sample counts in the interval it
	 * started in, whose stacks user space is sure to have (profile.h). */
	counts_map = bpf_map_lookup_elem(&counts, &zero);
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!counts_map || !s)
		return 0;

	key.tgid = tgid;
	gen = bpf_map_lookup_elem(&gens, &tgid);
	key.gen = gen ? *gen : 0;
	drop = user_stack(ctx, s, &key);
	/* A sample that interrupted user mode has no kernel stack: the helper
	 * would find none. */
	if (!drop && !CTX_USER_MODE(ctx_reg(ctx, CTX_MODE))) {
		if (helper_stack(ctx, &s->kern, 0, 0))
			drop = STAT_DROP_KERN_FAULT;
		else
			key.kern_stack = s->kern.hash;
	}
	if (!drop)
		drop = count_sample(counts_map, s, &key, ctx->sample_period);
	if (drop)
		stat_inc(drop);
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
