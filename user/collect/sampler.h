/*
 * sampler.h: the kernel side of a recording, seen from user space.
 *
 * Loads bpf/profile.bpf.c, opens one perf event per online CPU (the CPU
 * clock by default), attaches, and later drains the aggregated counts.
 * Stack storage is hidden here: the BPF program sends each new stack once
 * through a ring buffer into a bounded store the sampler owns (see
 * bpf/profile.h), and a drained sample carries its instruction pointers,
 * not stack hashes.
 *
 * Lifecycle: sampler__start() -> [sampler__poll() | sampler__stats()]*
 *   -> { sampler__rotate() -> sampler__drain() }* (continuous mode)
 *   -> sampler__detach() -> sampler__drain() -> sampler__free().
 * sampler__poll() must be called while recording (every few hundred ms) so
 * the ring buffer does not fill. sampler__drain() reads a counts map nothing
 * writes to any more: after sampler__detach(), or the one that
 * sampler__rotate() closed; otherwise it refuses with -EBUSY. Draining
 * empties that map. Every function returns 0 or a negative errno and
 * prints nothing.
 */
#ifndef BPFLAME_SAMPLER_H
#define BPFLAME_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <sys/types.h>

#include "profile.h"

/* Upper bounds of the sizes a user may ask for: they are kernel memory held
 * for the whole recording (about 100 bytes a stack, 100 a count). */
#define MAX_STACKS_LIMIT (1024 * 1024)
#define COUNTS_ENTRIES_LIMIT (1024 * 1024)

/* The events a recording can sample (-e). */
enum sampler_event {
	EVENT_CPU_CLOCK = 0,
	EVENT_TASK_CLOCK,
	EVENT_PAGE_FAULTS,
	EVENT_CONTEXT_SWITCHES,
	EVENT_CPU_MIGRATIONS,
	EVENT_CYCLES,
	EVENT_INSTRUCTIONS,
	EVENT_CACHE_MISSES,
	EVENT_BRANCH_MISSES,
	EVENT_NR,
};

/* Returns 0 and *event for a perf-style event name, or -EINVAL. */
int sampler_event__parse(const char *name, enum sampler_event *event);
const char *sampler_event__name(enum sampler_event event);
/* A hardware (PMU) event, absent on most virtual machines. */
bool sampler_event__is_hardware(enum sampler_event event);
/* A clock: periods are nanoseconds. */
bool sampler_event__is_clock(enum sampler_event event);

/* Where sampler__start() failed, for the caller's error line. */
enum sampler_step {
	STEP_NONE = 0,
	STEP_MEMORY,       /* out of memory */
	STEP_CPUS,         /* counting or listing the CPUs */
	STEP_OPEN,         /* opening the BPF object (BTF) */
	STEP_RANDOM,       /* random bytes for the stack hash */
	STEP_LOAD,         /* loading the BPF program and creating maps */
	STEP_TARGETS,      /* filling the target map */
	STEP_TRACEPOINTS,  /* attaching the exec/fork tracepoints */
	STEP_EVENT,        /* opening the perf event */
	STEP_ATTACH,       /* attaching the program to the perf event */
	STEP_RINGBUF,      /* setting up the ring buffer consumer */
};
const char *sampler_step__describe(enum sampler_step step);

struct sampler_opts {
	const pid_t *pids;      /* target tgids (ignored with all) */
	size_t npids;
	bool all;               /* every process but the idle tasks */
	enum sampler_event event;
	unsigned long freq_hz;  /* samples per second per CPU (when period is 0) */
	uint64_t period;        /* -c: one sample every period events; 0 = use freq_hz */
	bool unwinder_kernel;   /* bpf_get_stack instead of the BPF frame-pointer walker */
	bool intervals;         /* continuous mode: two counts maps, sampler__rotate() */
	uint32_t max_stacks;     /* distinct stacks kept; 0 = default */
	uint32_t counts_entries; /* distinct (image, stacks) keys per interval; 0 = default */
	uint64_t map_budget;    /* BPF map memory (memlock) the default sizes must fit;
				 * 0 = 16 MB; sizes given above are kept */
	const char *btf_path;   /* kernel BTF, NULL = /sys/kernel/btf/vmlinux */
};

struct sampler_stats {
	uint64_t events;             /* perf event samples on every CPU (targets or not) */
	uint64_t samples;            /* samples taken in targets */
	uint64_t drops[STAT_NR];     /* indexed by enum stat_index, drop causes only */
	uint64_t undelivered;        /* drained samples whose stack never arrived */
	uint32_t stacks;             /* stacks in the store now */
	uint64_t map_bytes;          /* BPF map memory (memlock) of this recording */
	int nevents;                 /* perf events open (one per online CPU) */
};

/* One aggregated stack. ips are leaf first; arrays belong to the sampler and
 * are valid only during the callback. */
struct sampler_sample {
	uint32_t tgid;
	uint32_t gen;     /* process generation (struct proc_key) */
	const char *comm; /* process name recorded in the kernel, "" if unknown */
	uint64_t count;
	uint64_t period_sum; /* sum of the sampled event's periods (see sampler__value_type) */
	const uint64_t *user_ips;
	uint32_t nuser;
	const uint64_t *kern_ips;
	uint32_t nkern;
	uint64_t leaf_ret; /* word at the user SP for a Go leaf, 0 if none (profile.h) */
	bool user_truncated; /* deeper than MAX_STACK_DEPTH: root-most frames lost */
	bool kern_truncated;
};

struct sampler;

/* Loads, sizes and attaches. Returns 0 and *out, or a negative errno and
 * *step (what failed). */
int sampler__start(const struct sampler_opts *opts, struct sampler **out,
		   enum sampler_step *step);
/* Deletes every key of the BPF map fd (keys of key_size bytes) that nothing
 * writes to, or where losing a concurrent insert is harmless. Returns 0 or
 * -errno. (Exported for its unit test.) */
int sampler__clear_map(int fd, size_t key_size);
/* Sizes actually used, after the budget (for the summary and hints). */
void sampler__sizes(const struct sampler *s, uint32_t *counts_entries, uint32_t *max_stacks,
		    uint64_t *map_budget);
/* Notices from sampler__start(): what makes this recording less than it
 * asked for (an optional kernel feature missing, the map memory budget
 * exceeded). One line each, NULL-terminated; the caller prints them as
 * warnings, which -q does not hide. */
const char *const *sampler__notices(const struct sampler *s);
int sampler__stats(const struct sampler *s, struct sampler_stats *stats);
/* Moves new stacks from the ring buffer to the store, waiting up to
 * timeout_ms for some. Returns 0 or -errno. */
int sampler__poll(struct sampler *s, int timeout_ms);
/*
 * Continuous mode: samples from now on go to a fresh counts map; the
 * previous one can then be drained. Waits for running BPF programs, so a
 * sample is in exactly one interval. Returns 0, -EINVAL without
 * opts.intervals, or -errno.
 */
int sampler__rotate(struct sampler *s);
/*
 * Tells the BPF program where process tgid's Go code is mapped, so that it
 * saves the return address of frameless Go leaf functions. Returns 0 or
 * -errno (-E2BIG when the map is full: those processes go without).
 */
int sampler__set_go_text(struct sampler *s, uint32_t tgid, uint64_t start, uint64_t end);
/* The current generation of process tgid (0 until its image changes). */
uint32_t sampler__generation(const struct sampler *s, uint32_t tgid);
/* Stops sampling tgid (a target that exited: its PID may be reused). */
void sampler__forget_target(struct sampler *s, uint32_t tgid);
void sampler__detach(struct sampler *s);
/*
 * The addresses of the kernel stacks the next sampler__drain() may deliver
 * (a superset: every kernel stack of the store), sorted and distinct, in
 * *addrs (malloc'd, the caller frees it). For reading only the kernel
 * symbols needed. Returns 0 or -ENOMEM.
 */
int sampler__kernel_addrs(struct sampler *s, uint64_t **addrs, size_t *n);
/* Calls cb for every aggregated stack; stops and returns cb's value if non-zero. */
int sampler__drain(struct sampler *s, int (*cb)(void *ctx, const struct sampler_sample *sample),
		   void *ctx);
/* The pprof sample type and unit of the event ("cpu", "nanoseconds"). */
void sampler__value_type(const struct sampler *s, const char **type, const char **unit);
/* The nominal period: 1e9/HZ ns for the clocks with -F, -c's COUNT, else 0. */
uint64_t sampler__period(const struct sampler *s);
void sampler__free(struct sampler *s);

#endif /* BPFLAME_SAMPLER_H */
