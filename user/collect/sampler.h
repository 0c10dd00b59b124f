/*
 * sampler.h: the kernel side of a recording, seen from user space.
 *
 * Loads bpf/profile.bpf.c, opens one CPU-clock perf event per online CPU,
 * attaches, and later detaches and drains the aggregated counts. Stack
 * storage is hidden here: a drained sample carries its instruction pointers,
 * not stack hashes, so a later unwinder can replace the stack map without
 * touching callers.
 *
 * Lifecycle: sampler__start() -> [sampler__stats()]* -> sampler__detach()
 * -> sampler__drain() -> sampler__free(). Draining while attached would read
 * maps that still change; sampler__drain() refuses with -EBUSY.
 */
#ifndef BPFLAME_SAMPLER_H
#define BPFLAME_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include "profile.h"

/*
 * Upper bounds of the map sizes a user may ask for. The maps are
 * preallocated kernel memory held for the whole recording: a stack entry
 * takes about 1 KiB (MAX_STACK_DEPTH ips), a counts entry about 100 bytes,
 * so these keep a mistyped size from taking gigabytes on a production node.
 */
#define STACK_ENTRIES_LIMIT (256 * 1024)
#define COUNTS_ENTRIES_LIMIT (4 * 1024 * 1024)

struct sampler_opts {
	const pid_t *pids;      /* target tgids (ignored with all) */
	size_t npids;
	bool all;               /* every process but the idle tasks */
	unsigned long freq_hz;  /* samples per second per CPU */
	uint32_t counts_entries; /* distinct (tgid, stacks) keys; 0 = derive */
	uint32_t stack_entries;  /* distinct stacks; 0 = derive */
	unsigned long duration_s; /* planned duration, used to derive sizes */
	const char *btf_path;   /* kernel BTF, NULL = /sys/kernel/btf/vmlinux */
};

struct sampler_stats {
	uint64_t samples;            /* samples taken in targets */
	uint64_t drops[STAT_NR];     /* indexed by enum stat_index (STAT_SAMPLES unused) */
};

/* One aggregated stack. ips are leaf first; arrays belong to the sampler and
 * are valid only during the callback. */
struct sampler_sample {
	uint32_t tgid;
	uint32_t gen;     /* process generation (struct proc_key) */
	const char *comm; /* process name recorded in the kernel, "" if unknown */
	uint64_t count;
	const uint64_t *user_ips;
	uint32_t nuser;
	const uint64_t *kern_ips;
	uint32_t nkern;
	uint64_t leaf_ret; /* word at the user SP for a Go leaf, 0 if none (profile.h) */
};

struct sampler;

/*
 * Loads, sizes and attaches. Returns 0, or a negative errno; on failure
 * *why points to a static message naming the step that failed (for the
 * caller's error line).
 */
int sampler__start(const struct sampler_opts *opts, struct sampler **out, const char **why);
/* Map sizes actually used (for the summary). */
void sampler__sizes(const struct sampler *s, uint32_t *counts_entries, uint32_t *stack_entries);
int sampler__stats(const struct sampler *s, struct sampler_stats *stats);
/*
 * Tells the BPF program where process tgid's Go code is mapped, so that it
 * saves the return address of frameless Go leaf functions. Returns 0 or
 * -errno (-E2BIG when the map is full: those processes go without).
 */
int sampler__set_go_text(struct sampler *s, uint32_t tgid, uint64_t start, uint64_t end);
/*
 * Whether the kernel lets the BPF program read the sampled task's user
 * registers (bpf_task_pt_regs, 5.15+), which sampler__set_go_text() needs:
 * without it the program loads all the same and frameless Go leaves lose
 * their caller.
 */
bool sampler__leaf_regs(const struct sampler *s);
/* The current generation of process tgid (0 until its image changes). */
uint32_t sampler__generation(const struct sampler *s, uint32_t tgid);
/* Stops sampling tgid (a target that exited: its PID may be reused). */
void sampler__forget_target(struct sampler *s, uint32_t tgid);
void sampler__detach(struct sampler *s);
/* Calls cb for every aggregated stack; stops and returns cb's value if non-zero. */
int sampler__drain(struct sampler *s, int (*cb)(void *ctx, const struct sampler_sample *sample),
		   void *ctx);
void sampler__free(struct sampler *s);

#endif /* BPFLAME_SAMPLER_H */
