// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sampler.c: loading, sizing, attaching and draining profile.bpf.c.
 *
 * Memory: every map is sized from the options, never from the rate or
 * duration, so the recording's kernel memory is bounded up front (about
 * 7.4 MB for one process with the defaults, 15.2 MB for -a --interval on 2
 * CPUs; sampler__stats() reports the memlock sum). The per-CPU part (the
 * scratch of the stack walk, about 6 KB: two stacks and the user stack
 * block; and the spare entries each preallocated hash map keeps per CPU)
 * grows with the CPUs; so the loaded maps are measured against a budget
 * (16 MB by default) and, when over it, the maps whose sizes are defaults
 * are shrunk and loaded once more.
 * The stacks themselves live in user space, in a store of at most
 * max_stacks entries fed by the ring buffer. In continuous mode the store
 * is renewed at each interval (the kernel's set of sent hashes is cleared
 * with it), so a long run holds the stacks of one interval, not of all.
 */
#include "sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hashmap.h"
#include "profile.skel.h"
#include "util.h"

#define MAX_STACKS_DEFAULT (32 * 1024)
#define COUNTS_ENTRIES_DEFAULT (32 * 1024)
/* 1 MiB holds about 3,000 stacks of 40 frames; the consumer is woken once a
 * quarter of it is used, and polls at least every few hundred ms anyway. */
#define RINGBUF_BYTES (1024 * 1024)
#define PROCS_ENTRIES_ALL 16384
#define MAP_BUDGET_DEFAULT 16000000ull
/* Smallest sizes the budget shrinks the defaults to. */
#define MIN_STACKS 1024
#define MIN_PROCS_ALL 256
/* Loads tried before the budget gives up (each shrinks by the measured
 * excess; buckets round to powers of two, so one may fall a little short). */
#define BUDGET_LOADS 3

static const struct event_def {
	const char *name;
	__u32 type;
	__u64 config;
	const char *pprof_type;
	const char *unit;
} event_defs[EVENT_NR] = {
	[EVENT_CPU_CLOCK] = { "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, "cpu",
			      "nanoseconds" },
	[EVENT_TASK_CLOCK] = { "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK,
			       "task-clock", "nanoseconds" },
	[EVENT_PAGE_FAULTS] = { "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS,
				"page-faults", "count" },
	[EVENT_CONTEXT_SWITCHES] = { "context-switches", PERF_TYPE_SOFTWARE,
				     PERF_COUNT_SW_CONTEXT_SWITCHES, "context-switches", "count" },
	[EVENT_CPU_MIGRATIONS] = { "cpu-migrations", PERF_TYPE_SOFTWARE,
				   PERF_COUNT_SW_CPU_MIGRATIONS, "cpu-migrations", "count" },
	[EVENT_CYCLES] = { "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles",
			   "count" },
	[EVENT_INSTRUCTIONS] = { "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
				 "instructions", "count" },
	[EVENT_CACHE_MISSES] = { "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
				 "cache-misses", "count" },
	[EVENT_BRANCH_MISSES] = { "branch-misses", PERF_TYPE_HARDWARE,
				  PERF_COUNT_HW_BRANCH_MISSES, "branch-misses", "count" },
};

int sampler_event__parse(const char *name, enum sampler_event *event)
{
	for (int i = 0; i < EVENT_NR; i++) {
		if (!strcmp(name, event_defs[i].name)) {
			*event = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *sampler_event__name(enum sampler_event event)
{
	return event < EVENT_NR ? event_defs[event].name : "?";
}

bool sampler_event__is_hardware(enum sampler_event event)
{
	return event < EVENT_NR && event_defs[event].type == PERF_TYPE_HARDWARE;
}

bool sampler_event__is_clock(enum sampler_event event)
{
	return event == EVENT_CPU_CLOCK || event == EVENT_TASK_CLOCK;
}

const char *sampler_step__describe(enum sampler_step step)
{
	switch (step) {
	case STEP_MEMORY: return "out of memory";
	case STEP_CPUS: return "cannot list the CPUs";
	case STEP_OPEN: return "cannot open the BPF object";
	case STEP_RANDOM: return "cannot get random bytes for the stack hash";
	case STEP_LOAD: return "cannot load the BPF program";
	case STEP_TARGETS: return "cannot fill the target map";
	case STEP_TRACEPOINTS: return "cannot attach to the exec and fork tracepoints";
	case STEP_EVENT: return "cannot open the perf event";
	case STEP_ATTACH: return "cannot attach the BPF program to the perf event";
	case STEP_RINGBUF: return "cannot read the BPF ring buffer";
	default: return "cannot start sampling";
	}
}

/*
 * User space's stack store: stacks by hash, their addresses in one byte
 * array, each address as the zigzag varint of its difference to the one
 * before (0 before the first). A frame's caller is mostly in the same
 * binary, a few MB away: about 4 bytes a frame instead of 8, and the store
 * is the largest thing a recording holds while it symbolizes.
 */
struct stored_stack {
	uint64_t hash;
	uint32_t first; /* offset in bytes */
	uint16_t n;     /* addresses */
	uint16_t flags; /* STACK_F_* */
};

struct stack_store {
	struct hmap set;
	struct stored_stack *v;
	size_t n, cap;
	uint8_t *bytes;
	size_t nbytes, bytes_cap;
};

/* Appends the n addresses of ips to the store's bytes; returns the offset
 * they start at in *first, or -ENOMEM (also past 4 GB of stacks). */
static int store_encode(struct stack_store *st, const uint64_t *ips, uint32_t n,
			uint32_t *first)
{
	uint64_t prev = 0;

	if (st->nbytes + (size_t)n * UVARINT_MAX > UINT32_MAX ||
	    array_reserve(&st->bytes, &st->bytes_cap, st->nbytes + (size_t)n * UVARINT_MAX, 1))
		return -ENOMEM;
	*first = (uint32_t)st->nbytes;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t d = ips[i] - prev;

		/* zigzag: small differences either way take few bytes */
		st->nbytes += uvarint_put(st->bytes + st->nbytes,
					  d << 1 ^ (uint64_t)-(int64_t)(d >> 63));
		prev = ips[i];
	}
	return 0;
}

/* Decodes stored stack ss of st into out (MAX_STACK_DEPTH entries). */
static void store_decode(const struct stack_store *st, const struct stored_stack *ss,
			 uint64_t *out)
{
	const uint8_t *p = st->bytes + ss->first, *end = st->bytes + st->nbytes;
	uint64_t prev = 0, z;

	for (uint32_t i = 0; i < ss->n; i++) {
		/* The store wrote these bytes itself: they always decode. */
		p += uvarint_get(p, end, &z);
		prev += z >> 1 ^ (uint64_t)-(int64_t)(z & 1);
		out[i] = prev;
	}
}

struct find_ctx {
	const struct stack_store *st;
	uint64_t hash;
};

static bool stored_equal(const void *ctx_, uint32_t index)
{
	const struct find_ctx *ctx = ctx_;

	return ctx->st->v[index].hash == ctx->hash;
}

static const struct stored_stack *store_find(const struct stack_store *st, uint64_t hash)
{
	struct find_ctx ctx = { st, hash };
	uint32_t idx;

	if (hmap__find(&st->set, hash_u64(hash, 0), stored_equal, &ctx, &idx))
		return NULL;
	return &st->v[idx];
}

static void store_free(struct stack_store *st)
{
	hmap__free(&st->set);
	free(st->v);
	free(st->bytes);
	memset(st, 0, sizeof(*st));
}

struct sampler {
	struct profile_bpf *skel;
	struct bpf_link *exec_link, *fork_link; /* generation tracking */
	struct bpf_link **links;
	int nevents, nevents_opened;
	bool attached;
	int ncpus_possible;
	enum sampler_event event;
	uint64_t nominal_period;
	uint32_t counts_entries, max_stacks, procs_entries;
	uint64_t map_budget;
	struct ring_buffer *rb;
	/* counts0/counts1: which one samples go to, which one awaits draining. */
	int counts_fds[2];
	int active, closed;
	struct stack_store cur, prev; /* prev: the store of the closed interval */
	uint64_t undelivered;
	const char *notices[4];
	int nnotices;
};

/* Ring buffer callback: one new stack (struct stack_event, cut to nips). */
static int on_stack_event(void *ctx, void *data, size_t size)
{
	struct sampler *s = ctx;
	struct stack_store *st = &s->cur;
	struct stack_event ev;
	struct find_ctx fc = { st, 0 };
	uint32_t idx, first;
	uint64_t h;

	if (size < offsetof(struct stack_event, ips))
		return 0;
	memcpy(&ev, data, offsetof(struct stack_event, ips));
	if (ev.nips > MAX_STACK_DEPTH || size < offsetof(struct stack_event, ips) +
							  ev.nips * sizeof(uint64_t))
		return 0;
	fc.hash = ev.hash;
	h = hash_u64(ev.hash, 0);
	/* Two CPUs may send the same new stack; a full store keeps what it has
	 * (the drain counts samples of the missing stacks as undelivered). */
	if (!hmap__find(&st->set, h, stored_equal, &fc, &idx) || st->n >= s->max_stacks)
		return 0;
	/* Ring buffer records are 8-byte aligned, and so are the ips in one. */
	_Static_assert(offsetof(struct stack_event, ips) % sizeof(uint64_t) == 0,
		       "stack_event.ips is 8-byte aligned");
	if (array_reserve(&st->v, &st->cap, st->n + 1, sizeof(*st->v)) ||
	    store_encode(st,
			 (const uint64_t *)((const char *)data +
					    offsetof(struct stack_event, ips)),
			 ev.nips, &first))
		return -ENOMEM;
	if (hmap__insert(&st->set, h, st->n))
		return -ENOMEM;
	st->v[st->n++] = (struct stored_stack){
		.hash = ev.hash, .first = first, .n = (uint16_t)ev.nips,
		.flags = (uint16_t)ev.flags,
	};
	return 0;
}

/* Parses a CPU list like "0-3,5" into a bitmap of at most max CPUs. */
static int online_cpus(bool *online, int max)
{
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	int a, b, n = 0;
	char sep;

	if (!f)
		return -errno;
	memset(online, 0, max * sizeof(*online));
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			if (fscanf(f, "%c", &sep) != 1)
				sep = '\n';
		}
		for (int c = a; c <= b && c < max; c++, n++)
			online[c] = true;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n ? 0 : -EINVAL;
}

static int open_event(int cpu, const struct sampler_opts *opts)
{
	const struct event_def *def = &event_defs[opts->event];
	struct perf_event_attr attr = {
		.type = def->type,
		.size = sizeof(attr),
		.config = def->config,
	};
	int fd;

	if (opts->period) {
		attr.sample_period = opts->period;
	} else {
		attr.freq = 1;
		attr.sample_freq = opts->freq_hz;
	}
	fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int fill_targets(struct sampler *s, const struct sampler_opts *opts)
{
	int fd = bpf_map__fd(s->skel->maps.targets);
	__u8 one = 1;

	for (size_t i = 0; i < opts->npids; i++) {
		__u32 tgid = opts->pids[i];

		if (bpf_map_update_elem(fd, &tgid, &one, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The sizes the options ask for (0 in opts: the default). */
static void default_sizes(struct sampler *s, const struct sampler_opts *opts)
{
	s->max_stacks = opts->max_stacks ? opts->max_stacks : MAX_STACKS_DEFAULT;
	s->counts_entries = opts->counts_entries ? opts->counts_entries : COUNTS_ENTRIES_DEFAULT;
	s->procs_entries = opts->all ? PROCS_ENTRIES_ALL : (opts->npids ? opts->npids : 1);
}

static int size_maps(struct sampler *s, const struct sampler_opts *opts)
{
	struct profile_bpf *skel = s->skel;
	int err = 0;

	err = err ?: bpf_map__set_max_entries(skel->maps.targets, opts->npids ? opts->npids : 1);
	err = err ?: bpf_map__set_max_entries(skel->maps.counts0, s->counts_entries);
	err = err ?: bpf_map__set_max_entries(skel->maps.counts1, s->counts_entries);
	/* The inner template keeps 1 entry: 5.10+ kernels do not compare the
	 * sizes of inner hash maps (and libbpf cannot resize a template). */
	err = err ?: bpf_map__set_autocreate(skel->maps.counts1, opts->intervals);
	err = err ?: bpf_map__set_max_entries(skel->maps.stacks_sent, s->max_stacks);
	err = err ?: bpf_map__set_max_entries(skel->maps.stack_events, RINGBUF_BYTES);
	/* One entry per process image: room for a few execs per target. */
	err = err ?: bpf_map__set_max_entries(skel->maps.procs,
					      opts->all ? s->procs_entries : 8 * opts->npids + 64);
	err = err ?: bpf_map__set_max_entries(skel->maps.go_text, s->procs_entries);
	err = err ?: bpf_map__set_max_entries(skel->maps.gens, s->procs_entries);
	return err;
}

/* Optional features of later kernels, probed so that their absence is said
 * once instead of showing as odd stacks. */
static void probe_features(struct sampler *s)
{
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, BPF_FUNC_task_pt_regs, NULL) <= 0)
		s->notices[s->nnotices++] =
			"this kernel has no bpf_task_pt_regs (5.15+): samples taken in system "
			"calls use the kernel's stack walker, and frameless Go leaves there "
			"show no caller";
}

static int attach_events(struct sampler *s, const struct sampler_opts *opts,
			 enum sampler_step *step)
{
	bool *online = calloc(s->ncpus_possible, sizeof(*online));
	int err;

	s->links = calloc(s->ncpus_possible, sizeof(*s->links));
	if (!online || !s->links) {
		free(online);
		*step = STEP_MEMORY;
		return -ENOMEM;
	}
	err = online_cpus(online, s->ncpus_possible);
	if (err) {
		free(online);
		*step = STEP_CPUS;
		return err;
	}
	for (int cpu = 0; cpu < s->ncpus_possible; cpu++) {
		int fd;

		if (!online[cpu])
			continue;
		fd = open_event(cpu, opts);
		if (fd == -ENODEV && !sampler_event__is_hardware(opts->event))
			continue; /* went offline meanwhile */
		if (fd < 0) {
			free(online);
			*step = STEP_EVENT;
			return fd;
		}
		s->links[s->nevents] = bpf_program__attach_perf_event(s->skel->progs.do_sample, fd);
		if (!s->links[s->nevents]) {
			err = -errno;
			close(fd);
			free(online);
			*step = STEP_ATTACH;
			return err;
		}
		s->nevents++;
	}
	s->nevents_opened = s->nevents;
	free(online);
	return 0;
}

/* The memlock the kernel charges for a map (bpftool's figure). */
static uint64_t map_memlock(int fd)
{
	char path[64], line[128];
	uint64_t bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "memlock: %" SCNu64, &bytes) == 1)
			break;
	}
	fclose(f);
	return bytes;
}

/* The memlock of the loaded maps: all of them (opts NULL), or only those
 * whose sizes are defaults the budget may shrink. */
static uint64_t maps_memlock(const struct sampler *s, const struct sampler_opts *opts)
{
	const __typeof__(s->skel->maps) *m = &s->skel->maps;
	struct bpf_map *map;
	uint64_t bytes = 0;

	bpf_object__for_each_map(map, s->skel->obj) {
		bool counted = !opts ||
			       ((map == m->counts0 || map == m->counts1) ? !opts->counts_entries
				: map == m->stacks_sent ? !opts->max_stacks
				: (map == m->procs || map == m->go_text || map == m->gens) ? opts->all
				: false);

		if (bpf_map__fd(map) >= 0 && counted)
			bytes += map_memlock(bpf_map__fd(map));
	}
	return bytes;
}

/* Shrinks the default sizes so that the loaded maps' TOTAL bytes, of which
 * SHRINKABLE can shrink, come under the budget. False when nothing can. */
static bool shrink_to_budget(struct sampler *s, const struct sampler_opts *opts,
			     uint64_t total, uint64_t shrinkable)
{
	uint64_t fixed = total - shrinkable;
	double keep;
	bool changed = false;

	if (!shrinkable || fixed >= s->map_budget)
		return false;
	/* 5% under, for the hash buckets that round to powers of two. */
	keep = 0.95 * (double)(s->map_budget - fixed) / (double)shrinkable;
#define SHRINK(field, floor)                                                       \
	do {                                                                       \
		uint32_t want = (uint32_t)(s->field * keep);                       \
		want = want < (floor) ? (floor) : want;                            \
		changed |= want < s->field;                                        \
		s->field = want < s->field ? want : s->field;                      \
	} while (0)
	if (!opts->counts_entries)
		SHRINK(counts_entries, MIN_STACKS);
	if (!opts->max_stacks)
		SHRINK(max_stacks, MIN_STACKS);
	if (opts->all)
		SHRINK(procs_entries, MIN_PROCS_ALL);
#undef SHRINK
	return changed;
}

/* Opens the BPF object, sets its constants and sizes, loads it. */
static int load_object(struct sampler *s, const struct sampler_opts *opts,
		       enum sampler_step *step)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = opts->btf_path);
	int err;

	*step = STEP_OPEN;
	s->skel = profile_bpf__open_opts(&open_opts);
	if (!s->skel)
		return -errno;
	s->skel->rodata->target_all = opts->all;
	s->skel->rodata->unwinder_kernel = opts->unwinder_kernel;
	s->skel->rodata->self_tgid = getpid();
	s->skel->rodata->ringbuf_wakeup = RINGBUF_BYTES / 4;
	*step = STEP_RANDOM;
	if (getrandom((void *)&s->skel->rodata->hash_seed, sizeof(s->skel->rodata->hash_seed),
		      0) != sizeof(s->skel->rodata->hash_seed))
		return -errno;
	*step = STEP_LOAD;
	err = size_maps(s, opts);
	return err ?: profile_bpf__load(s->skel);
}

int sampler__start(const struct sampler_opts *opts, struct sampler **out,
		   enum sampler_step *step)
{
	struct sampler *s;
	uint64_t total;
	__u32 zero = 0;
	int err, ncpus;

	*step = STEP_MEMORY;
	if (opts->event >= EVENT_NR)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->counts_fds[0] = s->counts_fds[1] = -1;
	s->closed = -1;
	s->event = opts->event;
	if (opts->period)
		s->nominal_period = opts->period;
	else if (sampler_event__is_clock(opts->event) && opts->freq_hz)
		s->nominal_period = 1000000000ull / opts->freq_hz;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		*step = STEP_CPUS;
		err = ncpus ? ncpus : -EINVAL;
		goto fail;
	}
	s->ncpus_possible = ncpus;
	s->map_budget = opts->map_budget ? opts->map_budget : MAP_BUDGET_DEFAULT;
	default_sizes(s, opts);
	/* Loaded, measured by the kernel's own accounting, and loaded again
	 * smaller while over the budget (only machines with many CPUs, or a
	 * small budget, get there). */
	for (int load = 1;; load++) {
		err = load_object(s, opts, step);
		if (err)
			goto fail;
		total = maps_memlock(s, NULL);
		if (total <= s->map_budget || load == BUDGET_LOADS ||
		    !shrink_to_budget(s, opts, total, maps_memlock(s, opts)))
			break;
		profile_bpf__destroy(s->skel);
		s->skel = NULL;
	}
	if (total > s->map_budget)
		s->notices[s->nnotices++] =
			"the BPF maps need more than the map memory budget (--map-memory) with "
			"these options on this many CPUs; the summary says how much";
	probe_features(s);
	s->counts_fds[0] = bpf_map__fd(s->skel->maps.counts0);
	s->counts_fds[1] = opts->intervals ? bpf_map__fd(s->skel->maps.counts1) : -1;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.counts), &zero, &s->counts_fds[0],
				BPF_ANY)) {
		err = -errno;
		goto fail;
	}
	*step = STEP_TARGETS;
	err = fill_targets(s, opts);
	if (err)
		goto fail;
	*step = STEP_RINGBUF;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.stack_events), on_stack_event, s, NULL);
	if (!s->rb) {
		err = -errno;
		goto fail;
	}

	/* Generations first: an exec after sampling starts must not be missed. */
	*step = STEP_TRACEPOINTS;
	s->exec_link = bpf_program__attach(s->skel->progs.on_exec);
	s->fork_link = opts->all ? bpf_program__attach(s->skel->progs.on_fork) : NULL;
	if (!s->exec_link || (opts->all && !s->fork_link)) {
		err = -errno;
		goto fail;
	}
	err = attach_events(s, opts, step);
	if (err)
		goto fail;
	s->attached = true;
	*step = STEP_NONE;
	*out = s;
	return 0;
fail:
	sampler__free(s);
	return err;
}

void sampler__sizes(const struct sampler *s, uint32_t *counts_entries, uint32_t *max_stacks,
		    uint64_t *map_budget)
{
	*map_budget = s->map_budget;
	*counts_entries = s->counts_entries;
	*max_stacks = s->max_stacks;
}

const char *const *sampler__notices(const struct sampler *s)
{
	return s->notices;
}

int sampler__stats(const struct sampler *s, struct sampler_stats *stats)
{
	int fd = bpf_map__fd(s->skel->maps.stats);
	__u64 *values = calloc(s->ncpus_possible, sizeof(*values));

	if (!values)
		return -ENOMEM;
	memset(stats, 0, sizeof(*stats));
	for (__u32 i = 0; i < STAT_NR; i++) {
		uint64_t sum = 0;

		if (bpf_map_lookup_elem(fd, &i, values)) {
			free(values);
			return -errno;
		}
		for (int cpu = 0; cpu < s->ncpus_possible; cpu++)
			sum += values[cpu];
		if (i == STAT_SAMPLES)
			stats->samples = sum;
		else if (i == STAT_EVENTS)
			stats->events = sum;
		else
			stats->drops[i] = sum;
	}
	free(values);
	stats->undelivered = s->undelivered;
	stats->stacks = s->cur.n + s->prev.n;
	stats->nevents = s->nevents_opened;
	stats->map_bytes = maps_memlock(s, NULL);
	return 0;
}

int sampler__poll(struct sampler *s, int timeout_ms)
{
	int n = s->rb ? ring_buffer__poll(s->rb, timeout_ms) : 0; /* none after detach */

	return n < 0 && n != -EINTR ? n : 0;
}

int sampler__clear_map(int fd, size_t key_size)
{
	char *keys = NULL;
	size_t n = 0, cap = 0;
	int err = 0;

	for (;;) {
		if (array_reserve(&keys, &cap, n + 1, key_size)) {
			err = -ENOMEM;
			break;
		}
		/* The previous key by index, after the reserve: a pointer kept
		 * from before would point into the old block once the array
		 * moved, and the kernel then reads a freed (or, for a block
		 * glibc had mmapped, unmapped: -EFAULT) key. That ended the
		 * listing early: the counts map of an interval was not emptied
		 * and its counts came back in later intervals (make soak: 29%
		 * more samples in the files than the kernel took). */
		if (bpf_map_get_next_key(fd, n ? keys + (n - 1) * key_size : NULL,
					 keys + n * key_size)) {
			if (errno != ENOENT)
				err = -errno;
			break;
		}
		n++;
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, keys + i * key_size);
	free(keys);
	return err;
}

int sampler__rotate(struct sampler *s)
{
	int next = !s->active, err;
	__u32 zero = 0;

	if (s->counts_fds[1] < 0)
		return -EINVAL;
	if (s->closed >= 0 || !s->attached)
		return -EBUSY;
	/* Order matters (profile.h): stacks arriving from now on go to a new
	 * store, then the kernel forgets what it sent, then the counts are
	 * swapped; the closed interval's stacks are in either store. */
	s->prev = s->cur;
	memset(&s->cur, 0, sizeof(s->cur));
	err = sampler__clear_map(bpf_map__fd(s->skel->maps.stacks_sent), sizeof(__u64));
	if (err)
		return err;
	/* The kernel waits for running programs before this returns. */
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.counts), &zero, &s->counts_fds[next],
				BPF_ANY))
		return -errno;
	s->closed = s->active;
	s->active = next;
	err = ring_buffer__consume(s->rb);
	return err < 0 ? err : 0;
}

int sampler__set_go_text(struct sampler *s, uint32_t tgid, uint64_t start, uint64_t end)
{
	struct text_range range = { .start = start, .end = end };

	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.go_text), &tgid, &range, BPF_ANY))
		return -errno;
	return 0;
}

uint32_t sampler__generation(const struct sampler *s, uint32_t tgid)
{
	__u32 gen = 0;

	bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.gens), &tgid, &gen);
	return gen;
}

void sampler__forget_target(struct sampler *s, uint32_t tgid)
{
	bpf_map_delete_elem(bpf_map__fd(s->skel->maps.targets), &tgid);
}

void sampler__detach(struct sampler *s)
{
	bpf_link__destroy(s->exec_link);
	bpf_link__destroy(s->fork_link);
	s->exec_link = s->fork_link = NULL;
	/* The perf-event link owns its event fd: destroying it closes the fd. */
	for (int i = 0; i < s->nevents; i++) {
		bpf_link__destroy(s->links[i]);
		s->links[i] = NULL;
	}
	s->nevents = 0;
	/* What the last programs sent; then nothing writes to the ring buffer
	 * any more, and its mapping (twice its size, for the wrap-around) need
	 * not stay resident through the drain. */
	if (s->attached && s->rb)
		ring_buffer__consume(s->rb);
	ring_buffer__free(s->rb);
	s->rb = NULL;
	s->attached = false;
}

/* The stack under hash, from either store, decoded into buf
 * (MAX_STACK_DEPTH entries); false if it never arrived. */
static bool lookup_stack(const struct sampler *s, uint64_t hash, uint64_t *buf,
			 const uint64_t **ips, uint32_t *n, bool *truncated)
{
	const struct stack_store *from = &s->cur;
	const struct stored_stack *st;

	*ips = NULL;
	*n = 0;
	*truncated = false;
	if (!hash)
		return true;
	st = store_find(from, hash);
	if (!st) {
		from = &s->prev;
		st = store_find(from, hash);
	}
	if (!st)
		return false;
	store_decode(from, st, buf);
	*ips = buf;
	*n = st->n;
	*truncated = st->flags & STACK_F_TRUNCATED;
	return true;
}

/*
 * Appends the kernel addresses of the store's stacks to *v. Stacks share
 * most of their frames, so when *v is full its duplicates are dropped
 * first, and it doubles only if that freed less than half of it: each
 * address is sorted O(log n) times, and *v stays within about twice the
 * distinct addresses. Returns 0 or -ENOMEM.
 */
static int store_kernel_addrs(const struct stack_store *st, uint64_t **v, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct stored_stack *ss = &st->v[i];

		if (!(ss->flags & STACK_F_KERNEL))
			continue;
		if (*n + ss->n > *cap) {
			*n = sort_unique_u64(*v, *n);
			if (*n + ss->n > *cap / 2 &&
			    array_reserve(v, cap, 2 * (*n + ss->n), sizeof(**v)))
				return -ENOMEM;
		}
		store_decode(st, ss, *v + *n);
		*n += ss->n;
	}
	return 0;
}

int sampler__kernel_addrs(struct sampler *s, uint64_t **addrs, size_t *n)
{
	size_t cap = 0;
	int err;

	*addrs = NULL;
	*n = 0;
	if (s->rb)
		ring_buffer__consume(s->rb);
	/* Kept distinct as it fills, so it never holds the frames of every
	 * stack at once (they share most of them). */
	err = store_kernel_addrs(&s->cur, addrs, n, &cap);
	err = err ?: store_kernel_addrs(&s->prev, addrs, n, &cap);
	if (err) {
		free(*addrs);
		*addrs = NULL;
		*n = 0;
	}
	if (*n)
		*n = sort_unique_u64(*addrs, *n);
	return err;
}

int sampler__drain(struct sampler *s, int (*cb)(void *ctx, const struct sampler_sample *sample),
		   void *ctx)
{
	int which = s->closed >= 0 ? s->closed : s->active;
	int counts_fd = s->counts_fds[which];
	int procs_fd = bpf_map__fd(s->skel->maps.procs);
	struct sample_key key, next;
	struct count_value value;
	struct proc_info info;
	struct proc_key pkey;
	struct sampler_sample sample;
	uint64_t user_ips[MAX_STACK_DEPTH], kern_ips[MAX_STACK_DEPTH];
	void *prev = NULL;
	int err = 0;

	if (s->attached && s->closed < 0)
		return -EBUSY;
	if (s->rb)
		ring_buffer__consume(s->rb);
	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &value))
			continue;
		memset(&sample, 0, sizeof(sample));
		if (!lookup_stack(s, key.user_stack, user_ips, &sample.user_ips, &sample.nuser,
				  &sample.user_truncated) ||
		    !lookup_stack(s, key.kern_stack, kern_ips, &sample.kern_ips, &sample.nkern,
				  &sample.kern_truncated)) {
			s->undelivered += value.count;
			continue;
		}
		memset(&info, 0, sizeof(info));
		pkey = (struct proc_key){ .tgid = key.tgid, .gen = key.gen };
		bpf_map_lookup_elem(procs_fd, &pkey, &info);
		info.comm[sizeof(info.comm) - 1] = '\0';
		sample.tgid = key.tgid;
		sample.gen = key.gen;
		sample.comm = info.comm;
		sample.count = value.count;
		sample.period_sum = value.period_sum;
		sample.leaf_ret = key.leaf_ret;
		err = cb(ctx, &sample);
		if (err)
			return err;
	}
	if (s->closed >= 0) {
		/* Empty the closed interval's map for its next turn. */
		err = sampler__clear_map(counts_fd, sizeof(struct sample_key));
		store_free(&s->prev);
		s->closed = -1;
	}
	return err;
}

void sampler__value_type(const struct sampler *s, const char **type, const char **unit)
{
	*type = event_defs[s->event].pprof_type;
	*unit = event_defs[s->event].unit;
}

uint64_t sampler__period(const struct sampler *s)
{
	return s->nominal_period;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	sampler__detach(s);
	ring_buffer__free(s->rb);
	free(s->links);
	profile_bpf__destroy(s->skel);
	store_free(&s->cur);
	store_free(&s->prev);
	free(s);
}
