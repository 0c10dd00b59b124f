// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "sampler.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profile.skel.h"

struct sampler {
	struct profile_bpf *skel;
	struct bpf_link *exec_link, *fork_link; /* generation tracking */
	struct bpf_link **links;
	int *event_fds;
	int nevents;
	bool attached;
	bool leaf_regs; /* see sampler__leaf_regs() */
	int ncpus_possible;
	uint32_t counts_entries, stack_entries;
};

/* Hash maps are preallocated (older kernels require it for perf_event
 * programs): a stack entry holds MAX_STACK_DEPTH * 8 bytes, so the cap
 * bounds kernel memory (64 Ki stacks ~ 70 MB). */
#define STACK_ENTRIES_MIN 4096
#define STACK_ENTRIES_MAX (64 * 1024)
#define COUNTS_ENTRIES_MIN 4096
#define COUNTS_ENTRIES_MAX (256 * 1024)
#define PROCS_ENTRIES_ALL 16384

static uint32_t clamp_u64(uint64_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : (uint32_t)v;
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

static int open_cpu_clock(int cpu, unsigned long freq_hz)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.freq = 1,
		.sample_freq = freq_hz,
	};

	int fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
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

int sampler__start(const struct sampler_opts *opts, struct sampler **out, const char **why)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = opts->btf_path);
	uint64_t planned = (uint64_t)opts->freq_hz * (opts->duration_s ? opts->duration_s : 30);
	struct sampler *s;
	bool *online = NULL;
	int err, ncpus;

	*why = "out of memory";
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0) {
		*why = "cannot count CPUs";
		err = ncpus ? ncpus : -EINVAL;
		goto fail;
	}
	s->ncpus_possible = ncpus;
	planned *= ncpus;

	s->skel = profile_bpf__open_opts(&open_opts);
	if (!s->skel) {
		*why = "cannot open the BPF object";
		err = -errno;
		goto fail;
	}
	s->counts_entries = opts->counts_entries
				    ? opts->counts_entries
				    : clamp_u64(planned, COUNTS_ENTRIES_MIN, COUNTS_ENTRIES_MAX);
	/* At most two new stacks per sample; most samples repeat a stack. */
	s->stack_entries = opts->stack_entries
				   ? opts->stack_entries
				   : clamp_u64(planned, STACK_ENTRIES_MIN, STACK_ENTRIES_MAX);
	s->skel->rodata->target_all = opts->all;
	s->skel->rodata->self_tgid = getpid();
	if (getrandom(&s->skel->rodata->hash_seed, sizeof(s->skel->rodata->hash_seed), 0) !=
	    sizeof(s->skel->rodata->hash_seed)) {
		*why = "cannot get random bytes for the stack hash";
		err = -errno;
		goto fail;
	}
	bpf_map__set_max_entries(s->skel->maps.targets, opts->npids ? opts->npids : 1);
	bpf_map__set_max_entries(s->skel->maps.counts, s->counts_entries);
	bpf_map__set_max_entries(s->skel->maps.stacks, s->stack_entries);
	/* One entry per process image: room for a few execs per target. */
	bpf_map__set_max_entries(s->skel->maps.procs,
				 opts->all ? PROCS_ENTRIES_ALL : 8 * opts->npids + 64);
	bpf_map__set_max_entries(s->skel->maps.go_text,
				 opts->all ? PROCS_ENTRIES_ALL : (opts->npids ? opts->npids : 1));
	bpf_map__set_max_entries(s->skel->maps.gens,
				 opts->all ? PROCS_ENTRIES_ALL : (opts->npids ? opts->npids : 1));

	err = profile_bpf__load(s->skel);
	if (err) {
		*why = "cannot load the BPF program";
		goto fail;
	}
	/* The BPF program makes the same decision at load time, from the
	 * kernel BTF's enum bpf_func_id (CO-RE); this probe tells the caller. */
	s->leaf_regs = libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, BPF_FUNC_task_pt_regs,
					       NULL) == 1;
	err = fill_targets(s, opts);
	if (err) {
		*why = "cannot fill the target map";
		goto fail;
	}

	/* Generations first: an exec after sampling starts must not be missed. */
	s->exec_link = bpf_program__attach(s->skel->progs.on_exec);
	s->fork_link = opts->all ? bpf_program__attach(s->skel->progs.on_fork) : NULL;
	if (!s->exec_link || (opts->all && !s->fork_link)) {
		err = -errno;
		*why = "cannot attach to the exec and fork tracepoints";
		goto fail;
	}

	online = calloc(ncpus, sizeof(*online));
	s->links = calloc(ncpus, sizeof(*s->links));
	s->event_fds = calloc(ncpus, sizeof(*s->event_fds));
	if (!online || !s->links || !s->event_fds) {
		err = -ENOMEM;
		*why = "out of memory";
		goto fail;
	}
	err = online_cpus(online, ncpus);
	if (err) {
		*why = "cannot read /sys/devices/system/cpu/online";
		goto fail;
	}
	for (int cpu = 0; cpu < ncpus; cpu++) {
		int fd;

		if (!online[cpu])
			continue;
		fd = open_cpu_clock(cpu, opts->freq_hz);
		if (fd == -ENODEV) /* went offline meanwhile */
			continue;
		if (fd < 0) {
			err = fd;
			*why = "cannot open the CPU-clock perf event";
			goto fail;
		}
		s->event_fds[s->nevents] = fd;
		s->links[s->nevents] =
			bpf_program__attach_perf_event(s->skel->progs.do_sample, fd);
		if (!s->links[s->nevents]) {
			err = -errno;
			close(fd);
			*why = "cannot attach the BPF program to the perf event";
			goto fail;
		}
		s->nevents++;
	}
	s->attached = true;
	free(online);
	*out = s;
	return 0;
fail:
	free(online);
	sampler__free(s);
	return err;
}

void sampler__sizes(const struct sampler *s, uint32_t *counts_entries, uint32_t *stack_entries)
{
	*counts_entries = s->counts_entries;
	*stack_entries = s->stack_entries;
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
		else
			stats->drops[i] = sum;
	}
	free(values);
	return 0;
}

bool sampler__leaf_regs(const struct sampler *s)
{
	return s->leaf_regs;
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
	s->attached = false;
}

/* Reads the stack stored under hash into ips (leaf first); returns the
 * frame count, 0 for none. */
static uint32_t read_stack(int fd, __u64 hash, uint64_t *ips)
{
	uint32_t n = 0;

	if (!hash || bpf_map_lookup_elem(fd, &hash, ips))
		return 0;
	while (n < MAX_STACK_DEPTH && ips[n])
		n++;
	return n;
}

int sampler__drain(struct sampler *s, int (*cb)(void *ctx, const struct sampler_sample *sample),
		   void *ctx)
{
	int counts_fd = bpf_map__fd(s->skel->maps.counts);
	int stacks_fd = bpf_map__fd(s->skel->maps.stacks);
	int procs_fd = bpf_map__fd(s->skel->maps.procs);
	uint64_t user_ips[MAX_STACK_DEPTH], kern_ips[MAX_STACK_DEPTH];
	struct sample_key key, next;
	struct proc_info info;
	struct proc_key pkey;
	struct sampler_sample sample;
	void *prev = NULL;
	__u64 count;
	int err;

	if (s->attached)
		return -EBUSY;
	while (bpf_map_get_next_key(counts_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(counts_fd, &key, &count))
			continue;
		memset(&info, 0, sizeof(info));
		pkey = (struct proc_key){ .tgid = key.tgid, .gen = key.gen };
		bpf_map_lookup_elem(procs_fd, &pkey, &info);
		info.comm[sizeof(info.comm) - 1] = '\0';
		sample = (struct sampler_sample){
			.tgid = key.tgid,
			.gen = key.gen,
			.comm = info.comm,
			.count = count,
			.user_ips = user_ips,
			.nuser = read_stack(stacks_fd, key.user_stack, user_ips),
			.kern_ips = kern_ips,
			.nkern = read_stack(stacks_fd, key.kern_stack, kern_ips),
			.leaf_ret = key.leaf_ret,
		};
		err = cb(ctx, &sample);
		if (err)
			return err;
	}
	return 0;
}

void sampler__free(struct sampler *s)
{
	if (!s)
		return;
	sampler__detach(s);
	free(s->links);
	free(s->event_fds);
	profile_bpf__destroy(s->skel);
	free(s);
}
