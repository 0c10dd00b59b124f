// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * resolve.c: samples to model samples (see resolve.h). The address cache is
 * an array of (pid, gen, address, is_return) -> location records with an
 * index set (hashmap.h) over it.
 */
#include "resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "kallsyms.h"
#include "procsyms.h"
#include "targets.h"
#include "util.h"

#define KERNEL_SPACE_START (1ull << 63)

/* One symbolized address. */
struct addr_entry {
	uint64_t addr;
	uint32_t pid; /* 0 for kernel addresses */
	uint32_t gen;
	uint32_t is_return; /* looked up as addr - 1 */
	uint32_t loc;       /* model location */
};

struct resolver {
	struct model *m;
	struct images *images;

	struct ksyms *ksyms;
	bool ksyms_tried;
	char kernel_warning[160];
	uint32_t kernel_mapping; /* index + 1, 0 until the first kernel frame */
	uint32_t truncated_loc;  /* location + 1 of "[truncated]", 0 until needed */
	uint32_t key_pid, key_comm;

	struct addr_entry *addrs;
	size_t naddrs, addrs_cap;
	struct hmap addr_set;

	uint32_t *locs; /* locations of the sample being built, leaf first */
	size_t locs_cap;
};

int resolver__new(struct model *m, struct resolver **out)
{
	struct resolver *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	err = images__new(&r->images);
	if (!err && m)
		err = resolver__set_model(r, m);
	if (err) {
		resolver__free(r);
		return err;
	}
	*out = r;
	return 0;
}

int resolver__set_model(struct resolver *r, struct model *m)
{
	/* Cached locations and string ids belong to the old model. */
	r->m = m;
	r->naddrs = 0;
	hmap__clear(&r->addr_set);
	r->kernel_mapping = 0;
	r->truncated_loc = 0;
	int err = model__cstring(m, "pid", &r->key_pid);

	return err ? err : model__cstring(m, "comm", &r->key_comm);
}

void resolver__free(struct resolver *r)
{
	if (!r)
		return;
	images__free(r->images);
	ksyms__free(r->ksyms);
	free(r->addrs);
	hmap__free(&r->addr_set);
	free(r->locs);
	free(r);
}

struct images *resolver__images(struct resolver *r)
{
	return r->images;
}

const char *resolver__kernel_warning(const struct resolver *r)
{
	return r->kernel_warning[0] ? r->kernel_warning : NULL;
}

/* Interns a function named name (file may be NULL); returns 0 or -errno. */
static int function_of(struct model *m, const char *name, const char *file,
		       uint32_t start_line, uint32_t *id)
{
	struct model_function fn = { .start_line = start_line };
	int err = model__cstring(m, name, &fn.name);

	if (!err)
		err = model__cstring(m, file, &fn.file);
	fn.system_name = fn.name;
	return err ? err : model__function(m, &fn, id);
}

static int kernel_mapping(struct resolver *r, uint32_t *mapping)
{
	/* The upper half of the address space: every kernel address of 64-bit
	 * Linux (x86-64 and arm64, any paging depth) lies in it and no user
	 * address does, so the mapping overlaps no process mapping in pprof. */
	struct model_mapping map = {
		.start = KERNEL_SPACE_START, .limit = UINT64_MAX, .kind = MAPPING_KERNEL,
		.has_functions = true,
	};
	int err = 0;

	if (!r->kernel_mapping) {
		err = model__cstring(r->m, "[kernel.kallsyms]", &map.file);
		if (!err)
			err = model__mapping(r->m, &map, &r->kernel_mapping);
		if (err)
			return err;
		r->kernel_mapping++;
	}
	*mapping = r->kernel_mapping;
	return 0;
}

/* Sets the summary's warning for a kallsyms that could not be read. */
static void kernel_symbols_failed(struct resolver *r, int err)
{
	if (err == -EPERM)
		snprintf(r->kernel_warning, sizeof(r->kernel_warning),
			 "kernel symbols are hidden (kernel.kptr_restrict): kernel frames "
			 "show as [unknown]");
	else if (err)
		snprintf(r->kernel_warning, sizeof(r->kernel_warning),
			 "cannot read /proc/kallsyms (%s): kernel frames show as [unknown]",
			 errstr(err));
}

int resolver__load_kernel_symbols(struct resolver *r, const uint64_t *addrs, size_t n)
{
	int err;

	ksyms__free(r->ksyms);
	r->ksyms = NULL;
	r->ksyms_tried = true;
	r->kernel_warning[0] = '\0';
	if (!n)
		return 0;
	/* Return addresses are looked up one byte back (resolve_addr), and
	 * which frames are returns is decided per frame: keep both. */
	uint64_t *both = malloc(2 * n * sizeof(*both));

	if (!both)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		both[2 * i] = addrs[i];
		both[2 * i + 1] = addrs[i] - 1;
	}
	err = ksyms__load_for(NULL, both, 2 * n, &r->ksyms);
	free(both);
	if (err == -ENOMEM)
		return err;
	kernel_symbols_failed(r, err);
	return 0;
}

static int symbolize_kernel(struct resolver *r, uint64_t pc, uint32_t *loc)
{
	struct model_line line = { 0 };
	struct ksym sym;
	uint32_t mapping;
	int err;

	if (!r->ksyms_tried) {
		r->ksyms_tried = true;
		kernel_symbols_failed(r, ksyms__load(NULL, &r->ksyms));
	}
	err = kernel_mapping(r, &mapping);
	if (err)
		return err;
	if (!r->ksyms || ksyms__find(r->ksyms, pc, &sym))
		return model__location(r->m, mapping, pc, NULL, 0, loc);
	err = function_of(r->m, sym.name, NULL, 0, &line.function);
	return err ? err : model__location(r->m, mapping, pc, &line, 1, loc);
}

static void hex(char *out, const uint8_t *id, int len)
{
	for (int i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", id[i]);
	out[2 * len] = '\0';
}

/* The model mapping of a process mapping (index + 1). */
static int user_mapping(struct resolver *r, const struct sym_location *sl, bool resolved,
			bool inlined, uint32_t *mapping)
{
	struct model_mapping map = {
		.start = sl->map->start, .limit = sl->map->end, .offset = sl->map->offset,
		.has_functions = resolved, .has_filenames = resolved,
		.has_line_numbers = resolved, .has_inline_frames = inlined,
	};
	char build_id[2 * ELF_BUILD_ID_MAX + 1] = ""; /* GNU build id (hex) or Go build id */
	int err;

	if (sl->obj) {
		hex(build_id, sl->obj->build_id, sl->obj->build_id_len);
		if (!build_id[0])
			snprintf(build_id, sizeof(build_id), "%s", sl->obj->go_build_id);
		/* What this object's symbolizers can give, whatever this one pc got. */
		map.has_functions = map.has_filenames = sl->obj->go || sl->obj->elf;
		map.has_line_numbers = map.has_inline_frames = sl->obj->go != NULL;
	}
	err = model__cstring(r->m, sl->map->path, &map.file);
	if (!err)
		err = model__cstring(r->m, build_id, &map.build_id);
	if (!err)
		err = model__mapping(r->m, &map, mapping);
	if (!err)
		(*mapping)++;
	return err;
}

static int symbolize_user(struct resolver *r, pid_t pid, uint32_t gen, uint64_t addr,
			  bool is_return, uint32_t *loc)
{
	struct sym_frame frames[SYM_MAX_INLINE];
	struct model_line lines[SYM_MAX_INLINE];
	struct sym_location sl = { 0 };
	uint64_t pc = is_return && addr ? addr - 1 : addr;
	struct proc_syms *ps;
	uint32_t mapping = 0, nlines = 0;
	bool inlined = false;
	int n, err;

	err = images__get(r->images, pid, gen, &ps);
	if (err)
		return err;
	if (!ps)
		return model__location(r->m, 0, pc, NULL, 0, loc);
	n = proc_syms__lookup(ps, addr, is_return, frames, SYM_MAX_INLINE, &sl);
	for (int i = 0; i < n && !frames[i].unresolved; i++) {
		err = function_of(r->m, frames[i].name, frames[i].file, frames[i].start_line,
				  &lines[nlines].function);
		if (err)
			return err;
		lines[nlines++].line = frames[i].line;
		inlined |= frames[i].inlined;
	}
	if (sl.map) {
		err = user_mapping(r, &sl, nlines > 0, inlined, &mapping);
		if (err)
			return err;
	}
	return model__location(r->m, mapping, pc, lines, nlines, loc);
}

struct addr_key {
	const struct resolver *r;
	const struct addr_entry *e;
};

static bool addr_equal(const void *ctx, uint32_t i)
{
	const struct addr_key *k = ctx;
	const struct addr_entry *a = &k->r->addrs[i], *b = k->e;

	return a->addr == b->addr && a->pid == b->pid && a->gen == b->gen &&
	       a->is_return == b->is_return;
}

/* The location of one address, from the cache or symbolized now. */
static int resolve_addr(struct resolver *r, uint32_t pid, uint32_t gen, uint64_t addr,
			bool is_return, uint32_t *loc)
{
	struct addr_entry e = { .addr = addr, .pid = pid, .gen = gen, .is_return = is_return };
	struct addr_key k = { r, &e };
	uint64_t h = hash_u64(addr, ((uint64_t)pid << 32 | gen) ^ ((uint64_t)is_return << 63));
	uint32_t i;
	int err;

	if (!hmap__find(&r->addr_set, h, addr_equal, &k, &i)) {
		*loc = r->addrs[i].loc;
		return 0;
	}
	if (pid == 0)
		err = symbolize_kernel(r, is_return ? addr - 1 : addr, &e.loc);
	else
		err = symbolize_user(r, pid, gen, addr, is_return, &e.loc);
	if (err)
		return err;
	if (array_reserve(&r->addrs, &r->addrs_cap, r->naddrs + 1, sizeof(*r->addrs)) ||
	    hmap__insert(&r->addr_set, h, r->naddrs))
		return -ENOMEM;
	r->addrs[r->naddrs++] = e;
	*loc = e.loc;
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
	struct proc_syms *ps;
	int32_t delta;

	if (!s->leaf_ret || !s->nuser)
		return false;
	return !images__get(r->images, s->tgid, s->gen, &ps) && ps &&
	       !proc_syms__go_sp_delta(ps, s->user_ips[0], &delta) && !delta;
}

static int push_loc(struct resolver *r, size_t *n, uint32_t loc)
{
	if (array_reserve(&r->locs, &r->locs_cap, *n + 1, sizeof(*r->locs)))
		return -ENOMEM;
	r->locs[(*n)++] = loc;
	return 0;
}

/* The root location standing for the frames lost from a too deep stack. */
static int truncated_location(struct resolver *r, uint32_t *loc)
{
	struct model_line line = { 0 };
	int err = 0;

	if (!r->truncated_loc) {
		err = function_of(r->m, "[truncated]", NULL, 0, &line.function);
		if (!err)
			err = model__location(r->m, 0, 0, &line, 1, &r->truncated_loc);
		if (err)
			return err;
		r->truncated_loc++;
	}
	*loc = r->truncated_loc - 1;
	return 0;
}

int resolver__add(struct resolver *r, const struct sampler_sample *s, const double *values)
{
	struct model_label labels[2] = {
		{ .key = r->key_pid, .num = s->tgid },
		{ .key = r->key_comm },
	};
	char name[32];
	const char *comm = "[unknown]";
	uint32_t loc;
	size_t n = 0;
	int err = 0;

	if (s->comm[0])
		comm = s->comm;
	else if (proc_comm(s->tgid, name, sizeof(name)) == 0)
		comm = name;
	err = model__cstring(r->m, comm, &labels[1].str);

	/* Leaf first; the leaf pc is exact, the others are return addresses. */
	for (uint32_t i = 0; !err && i < s->nkern; i++) {
		err = resolve_addr(r, 0, 0, s->kern_ips[i], i > 0, &loc);
		if (!err)
			err = push_loc(r, &n, loc);
	}
	for (uint32_t i = 0; !err && i < s->nuser; i++) {
		err = resolve_addr(r, s->tgid, s->gen, s->user_ips[i], i > 0, &loc);
		if (!err)
			err = push_loc(r, &n, loc);
		if (!err && i == 0 && leaf_caller_missing(r, s)) {
			err = resolve_addr(r, s->tgid, s->gen, s->leaf_ret, true, &loc);
			if (!err)
				err = push_loc(r, &n, loc);
		}
	}
	/* The stack was deeper than what is stored: its root is lost. Keep such
	 * stacks together instead of as false roots. */
	if (!err && s->user_truncated && !(err = truncated_location(r, &loc)))
		err = push_loc(r, &n, loc);
	if (err)
		return err;
	return model__add_sample(r->m, r->locs, n, labels, 2, values);
}
