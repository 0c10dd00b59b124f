// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "resolve.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "objfile.h"
#include "procsyms.h"
#include "targets.h"
#include "util.h"

/* One process image: a (pid, generation) pair, see struct proc_key. */
struct proc_entry {
	pid_t pid;
	uint32_t gen;
	bool done;            /* exited or replaced: its maps are not read again */
	bool go_text_sent;    /* reported by resolver__each_go_text */
	struct proc_syms *ps; /* NULL if the process could not be opened */
};

/* One symbolized address: frame ids pool[first, first + n), root first. */
struct addr_entry {
	uint64_t addr;
	uint32_t pid; /* 0 for kernel addresses */
	uint32_t gen;
	uint32_t first;
	uint32_t n;
	uint32_t is_return; /* looked up as addr - 1 */
};

struct resolver {
	struct profile *prof;
	struct objfile_cache *cache;
	struct proc_entry *procs; /* sorted by (pid, gen) */
	size_t nprocs, procs_cap;
	uint32_t (*gen_of)(void *ctx, pid_t pid); /* NULL: always 0 */
	void *gen_ctx;

	struct ksyms *ksyms;
	bool ksyms_tried;
	char kernel_warning[160];

	struct addr_entry *addrs;
	size_t naddrs, addrs_cap;
	uint32_t *slots; /* open addressing over addrs, 1-based, 0 empty */
	size_t slots_cap;
	uint32_t *pool;
	size_t npool, pool_cap;

	uint32_t *stack; /* frame ids of the stack being built */
	size_t stack_cap;
};

int resolver__new(struct profile *prof, struct resolver **out)
{
	struct resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	r->prof = prof;
	err = objfile_cache__new(&r->cache);
	if (err) {
		free(r);
		return err;
	}
	*out = r;
	return 0;
}

void resolver__set_profile(struct resolver *r, struct profile *prof)
{
	/* Cached frames are ids of the old profile. */
	r->prof = prof;
	r->naddrs = 0;
	r->npool = 0;
	if (r->slots)
		memset(r->slots, 0, r->slots_cap * sizeof(*r->slots));
}

void resolver__free(struct resolver *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++)
		proc_syms__free(r->procs[i].ps);
	free(r->procs);
	objfile_cache__free(r->cache);
	ksyms__free(r->ksyms);
	free(r->addrs);
	free(r->slots);
	free(r->pool);
	free(r->stack);
	free(r);
}

void resolver__set_generations(struct resolver *r, uint32_t (*gen_of)(void *ctx, pid_t pid),
			       void *ctx)
{
	r->gen_of = gen_of;
	r->gen_ctx = ctx;
}

static uint32_t current_gen(const struct resolver *r, pid_t pid)
{
	return r->gen_of ? r->gen_of(r->gen_ctx, pid) : 0;
}

/* Index of the first entry >= (pid, gen). */
static size_t proc_search(const struct resolver *r, pid_t pid, uint32_t gen)
{
	size_t lo = 0, hi = r->nprocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct proc_entry *e = &r->procs[mid];

		if (e->pid < pid || (e->pid == pid && e->gen < gen))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The entry for (pid, gen), inserted (not yet opened) if absent; NULL on ENOMEM. */
static struct proc_entry *proc_entry(struct resolver *r, pid_t pid, uint32_t gen,
				     bool *created)
{
	size_t at = proc_search(r, pid, gen);
	struct proc_entry *v;

	*created = false;
	if (at < r->nprocs && r->procs[at].pid == pid && r->procs[at].gen == gen)
		return &r->procs[at];
	if (array_reserve(&r->procs, &r->procs_cap, r->nprocs + 1, sizeof(*r->procs)))
		return NULL;
	v = r->procs;
	memmove(&v[at + 1], &v[at], (r->nprocs - at) * sizeof(*v));
	v[at] = (struct proc_entry){ .pid = pid, .gen = gen };
	r->nprocs++;
	*created = true;
	return &v[at];
}

static bool have_pid(const struct resolver *r, pid_t pid)
{
	size_t at = proc_search(r, pid, 0);

	return at < r->nprocs && r->procs[at].pid == pid;
}

/* Opens the current image of pid as a new entry. Returns 0 or -errno. */
static int attach_current(struct resolver *r, pid_t pid)
{
	bool created;
	struct proc_entry *e = proc_entry(r, pid, current_gen(r, pid), &created);

	if (!e)
		return -ENOMEM;
	if (!created)
		return e->ps ? 0 : -ESRCH;
	return proc_syms__open(r->cache, pid, &e->ps);
}

int resolver__attach(struct resolver *r, pid_t pid)
{
	return attach_current(r, pid);
}

int resolver__attach_all(struct resolver *r)
{
	DIR *dir = opendir("/proc");
	pid_t self = getpid();
	struct dirent *de;
	int attached = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		long pid;

		if (parse_long(de->d_name, 1, INT_MAX, &pid) || pid == self ||
		    have_pid(r, (pid_t)pid))
			continue;
		if (r->nprocs >= RESOLVER_MAX_PROCS) {
			attached = -E2BIG;
			break;
		}
		/* Kernel threads have no maps: their entry has no ps, and
		 * their (kernel-only) stacks need none. */
		if (!attach_current(r, (pid_t)pid))
			attached++;
	}
	closedir(dir);
	return attached;
}

void resolver__refresh(struct resolver *r)
{
	pid_t *changed = NULL;
	size_t nchanged = 0;

	for (size_t i = 0; i < r->nprocs; i++) {
		struct proc_entry *e = &r->procs[i];
		bool latest = i + 1 == r->nprocs || r->procs[i + 1].pid != e->pid;

		if (!latest || e->done || !e->ps)
			continue;
		if (current_gen(r, e->pid) != e->gen) {
			/* exec (or a new process with this PID): keep the old
			 * image for the samples it took, open the new one. */
			pid_t *p = realloc(changed, (nchanged + 1) * sizeof(*p));

			e->done = true;
			if (p) {
				changed = p;
				changed[nchanged++] = e->pid;
			}
			continue;
		}
		/* A process that is gone keeps its last maps. */
		if (proc_syms__refresh(e->ps) == -ESRCH)
			e->done = true;
	}
	for (size_t i = 0; i < nchanged; i++)
		attach_current(r, changed[i]);
	free(changed);
}

const char *resolver__kernel_warning(const struct resolver *r)
{
	return r->kernel_warning[0] ? r->kernel_warning : NULL;
}

int resolver__each_go_text(struct resolver *r, go_text_fn cb, void *ctx)
{
	uint64_t start, end;
	int ret;

	for (size_t i = 0; i < r->nprocs; i++) {
		struct proc_entry *e = &r->procs[i];

		if (e->go_text_sent || e->done || !e->ps ||
		    proc_syms__go_text(e->ps, &start, &end))
			continue;
		e->go_text_sent = true;
		ret = cb(ctx, e->pid, start, end);
		if (ret)
			return ret;
	}
	return 0;
}

static uint64_t addr_hash(uint32_t pid, uint32_t gen, uint64_t addr, uint32_t is_return)
{
	uint64_t h = (addr ^ ((uint64_t)pid << 40) ^ ((uint64_t)gen << 20) ^
		      ((uint64_t)is_return << 63));

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int addr_cache_grow(struct resolver *r)
{
	size_t cap = r->slots_cap ? r->slots_cap * 2 : 4096;
	uint32_t *slots;

	if (r->slots_cap && (r->naddrs + 1) * 2 <= r->slots_cap)
		return 0;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < r->naddrs; i++) {
		const struct addr_entry *a = &r->addrs[i];
		size_t s = addr_hash(a->pid, a->gen, a->addr, a->is_return) & (cap - 1);

		while (slots[s])
			s = (s + 1) & (cap - 1);
		slots[s] = i + 1;
	}
	free(r->slots);
	r->slots = slots;
	r->slots_cap = cap;
	return 0;
}

static int push_pool(struct resolver *r, uint32_t id)
{
	if (array_reserve(&r->pool, &r->pool_cap, r->npool + 1, sizeof(*r->pool)))
		return -ENOMEM;
	r->pool[r->npool++] = id;
	return 0;
}

static int intern(struct resolver *r, const char *name, const char *file, uint32_t line,
		  enum frame_kind kind, uint64_t addr, const char *object)
{
	struct profile_frame f = {
		.name = name, .file = file, .line = line, .kind = kind,
		.addr = addr, .object = object,
	};
	uint32_t id;
	int err = profile__intern_frame(r->prof, &f, &id);

	return err ? err : push_pool(r, id);
}

static int symbolize_kernel(struct resolver *r, uint64_t addr)
{
	struct ksym sym;
	int err;

	if (!r->ksyms_tried) {
		r->ksyms_tried = true;
		err = ksyms__load(NULL, &r->ksyms);
		if (err == -EPERM)
			snprintf(r->kernel_warning, sizeof(r->kernel_warning),
				 "kernel symbols are hidden (kernel.kptr_restrict): kernel frames "
				 "show as [unknown]");
		else if (err)
			snprintf(r->kernel_warning, sizeof(r->kernel_warning),
				 "cannot read /proc/kallsyms (%s): kernel frames show as [unknown]",
				 errstr(err));
	}
	if (r->ksyms && !ksyms__find(r->ksyms, addr, &sym))
		return intern(r, sym.name, NULL, 0, FRAME_KERNEL, addr, sym.module);
	return intern(r, "[unknown]", NULL, 0, FRAME_KERNEL, addr, NULL);
}

/*
 * The entry of the image that took a sample. An image not attached yet is
 * opened now if the process still runs it; otherwise (it exited or changed
 * image since) its entry stays without symbols.
 */
static struct proc_entry *sample_image(struct resolver *r, pid_t pid, uint32_t gen)
{
	bool created;
	struct proc_entry *e = proc_entry(r, pid, gen, &created);

	if (e && created && current_gen(r, pid) == gen)
		proc_syms__open(r->cache, pid, &e->ps);
	return e;
}

static int symbolize_user(struct resolver *r, pid_t pid, uint32_t gen, uint64_t addr,
			  bool is_return)
{
	struct sym_frame frames[SYM_MAX_INLINE];
	struct sym_location loc = { 0 };
	struct proc_entry *e;
	int n, err;

	e = sample_image(r, pid, gen);
	if (!e)
		return -ENOMEM;
	if (!e->ps)
		return intern(r, "[unknown]", NULL, 0, FRAME_UNKNOWN, 0, NULL);
	n = proc_syms__lookup(e->ps, addr, is_return, frames, SYM_MAX_INLINE, &loc);
	if (n <= 0)
		return intern(r, "[unknown]", NULL, 0, FRAME_UNKNOWN, 0, NULL);
	/* Frames come innermost first; the profile wants root first. */
	for (int i = n - 1; i >= 0; i--) {
		enum frame_kind kind = frames[i].unresolved ? FRAME_UNKNOWN
				       : frames[i].inlined  ? FRAME_INLINED
							    : FRAME_USER;

		err = intern(r, frames[i].name, frames[i].file, frames[i].line, kind, loc.vaddr,
			     loc.obj ? loc.obj->name : NULL);
		if (err)
			return err;
	}
	return 0;
}

/*
 * The frames of one address, from the cache or symbolized now. Returns 0
 * and the pool range in *first and *n, or a negative errno.
 */
static int resolve_addr(struct resolver *r, uint32_t pid, uint32_t gen, uint64_t addr,
			bool is_return, uint32_t *first, uint32_t *n)
{
	uint64_t h = addr_hash(pid, gen, addr, is_return);
	struct addr_entry *a;
	size_t slot;
	int err;

	err = addr_cache_grow(r);
	if (err)
		return err;
	size_t mask = r->slots_cap - 1;

	for (slot = h & mask; r->slots[slot]; slot = (slot + 1) & mask) {
		a = &r->addrs[r->slots[slot] - 1];
		if (a->addr == addr && a->pid == pid && a->gen == gen &&
		    a->is_return == is_return) {
			*first = a->first;
			*n = a->n;
			return 0;
		}
	}
	*first = r->npool;
	if (pid == 0)
		err = symbolize_kernel(r, is_return ? addr - 1 : addr);
	else
		err = symbolize_user(r, pid, gen, addr, is_return);
	if (err)
		return err;
	*n = r->npool - *first;
	if (array_reserve(&r->addrs, &r->addrs_cap, r->naddrs + 1, sizeof(*r->addrs)))
		return -ENOMEM;
	r->addrs[r->naddrs++] = (struct addr_entry){
		.addr = addr, .pid = pid, .gen = gen, .first = *first, .n = *n,
		.is_return = is_return,
	};
	r->slots[slot] = r->naddrs;
	return 0;
}

static int push_stack(struct resolver *r, size_t depth, const uint32_t *ids, uint32_t n)
{
	if (array_reserve(&r->stack, &r->stack_cap, depth + n, sizeof(*r->stack)))
		return -ENOMEM;
	memcpy(r->stack + depth, ids, n * sizeof(*ids));
	return 0;
}

/*
 * True when the frame-pointer walk skipped the leaf's caller: the leaf is Go
 * code that has pushed nothing at the sampled pc (a frameless function, or
 * a function at its entry), so the walk's first return address is the
 * caller's, and the leaf's own return address is the word the BPF program
 * read at SP (leaf_ret).
 */
static bool leaf_caller_missing(struct resolver *r, const struct sampler_sample *s)
{
	struct proc_entry *e;
	int32_t delta;

	if (!s->leaf_ret || !s->nuser)
		return false;
	e = sample_image(r, s->tgid, s->gen);
	return e && e->ps && !proc_syms__go_sp_delta(e->ps, s->user_ips[0], &delta) && !delta;
}

int resolver__add(struct resolver *r, const struct sampler_sample *s)
{
	struct profile_frame comm = { .kind = FRAME_PROCESS };
	char name[32];
	size_t depth = 0;
	uint32_t id, first, n;
	int err;

	if (s->comm[0])
		comm.name = s->comm;
	else if (proc_comm(s->tgid, name, sizeof(name)) == 0)
		comm.name = name;
	else
		comm.name = "[unknown]";
	err = profile__intern_frame(r->prof, &comm, &id);
	if (err || (err = push_stack(r, 0, &id, 1)))
		return err;
	depth = 1;
	if (s->user_truncated) {
		/* The stack was deeper than what is stored: its root is lost.
		 * Keep such stacks together instead of as false roots. */
		struct profile_frame cut = { .name = "[truncated]", .kind = FRAME_UNKNOWN };

		err = profile__intern_frame(r->prof, &cut, &id);
		if (err || (err = push_stack(r, depth, &id, 1)))
			return err;
		depth++;
	}

	/* Stacks arrive leaf first; the leaf pc is exact, the others are
	 * return addresses. */
	for (int i = (int)s->nuser - 1; i >= 0; i--) {
		if (i == 0 && leaf_caller_missing(r, s)) {
			err = resolve_addr(r, s->tgid, s->gen, s->leaf_ret, true, &first, &n);
			if (err || (err = push_stack(r, depth, r->pool + first, n)))
				return err;
			depth += n;
		}
		err = resolve_addr(r, s->tgid, s->gen, s->user_ips[i], i > 0, &first, &n);
		if (err || (err = push_stack(r, depth, r->pool + first, n)))
			return err;
		depth += n;
	}
	for (int i = (int)s->nkern - 1; i >= 0; i--) {
		err = resolve_addr(r, 0, 0, s->kern_ips[i], i > 0, &first, &n);
		if (err || (err = push_stack(r, depth, r->pool + first, n)))
			return err;
		depth += n;
	}
	return profile__add_stack(r->prof, r->stack, depth, (double)s->count);
}
