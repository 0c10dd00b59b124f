// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* kallsyms.c: kernel symbols from /proc/kallsyms (see kallsyms.h). */
#include "kallsyms.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ARENA_MAX (256u << 20)
#define MODULES_MAX 65535

/* name of an end mark: the start of a symbol that is not kept, so that an
 * address past a kept symbol does not resolve to it (ksyms__load_for). */
#define NAME_END UINT32_MAX

struct kent {
	uint64_t addr;
	uint32_t name;   /* offset in the arena, or NAME_END */
	uint16_t module; /* index + 1 in modules[], 0 for the core kernel */
	uint8_t rank;    /* alias preference: lower wins */
};

struct ksyms {
	struct kent *syms;
	unsigned int n, cap;
	char *arena;
	size_t arena_len, arena_cap;
	uint32_t *modules; /* arena offsets */
	unsigned int nmodules;
};

/* Appends s[0..len) and a NUL to the arena; returns its offset or -E2BIG/-ENOMEM. */
static long arena_add(struct ksyms *ks, const char *s, size_t len)
{
	size_t off = ks->arena_len;

	if (len + 1 > ARENA_MAX - off)
		return -E2BIG;
	if (off + len + 1 > ks->arena_cap) {
		size_t ncap = ks->arena_cap ? ks->arena_cap * 2 : 1 << 20;
		char *a;

		while (ncap < off + len + 1)
			ncap *= 2;
		a = realloc(ks->arena, ncap);
		if (!a)
			return -ENOMEM;
		ks->arena = a;
		ks->arena_cap = ncap;
	}
	memcpy(ks->arena + off, s, len);
	ks->arena[off + len] = '\0';
	ks->arena_len = off + len + 1;
	return (long)off;
}

/* Module symbols come grouped by module, so comparing with the last one
 * added is enough to store each module name about once. */
static int module_index(struct ksyms *ks, const char *name, size_t len)
{
	uint32_t *m;
	long off;

	if (ks->nmodules) {
		const char *last = ks->arena + ks->modules[ks->nmodules - 1];

		if (strlen(last) == len && !memcmp(last, name, len))
			return (int)ks->nmodules;
	}
	if (ks->nmodules == MODULES_MAX)
		return -E2BIG;
	off = arena_add(ks, name, len);
	if (off < 0)
		return (int)off;
	m = realloc(ks->modules, (ks->nmodules + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	ks->modules = m;
	m[ks->nmodules++] = (uint32_t)off;
	return (int)ks->nmodules;
}

static int type_rank(char type)
{
	switch (type) {
	case 'T': return 0;
	case 't': return 1;
	case 'W': return 2;
	case 'w': return 3;
	default: return -1;
	}
}

/* One text symbol of a kallsyms line. */
struct kline {
	uint64_t addr;
	int rank;
	const char *name, *mod; /* mod NULL for the core kernel */
	size_t name_len, mod_len;
};

/*
 * Parses "ADDR TYPE NAME" or "ADDR TYPE NAME\t[MODULE]". Returns 1 and *kl
 * for a text symbol, 0 for another symbol, -EINVAL for a malformed line.
 * Sets *hidden for a text symbol at address 0 (and returns 0).
 */
static int parse_line(const char *line, struct kline *kl, bool *hidden)
{
	const char *p = line;
	unsigned long long addr;
	char *end;

	errno = 0;
	addr = strtoull(p, &end, 16);
	if (end == p || errno || end[0] != ' ' || !end[1] || end[2] != ' ')
		return -EINVAL;
	kl->rank = type_rank(end[1]);
	if (kl->rank < 0)
		return 0;
	if (!addr) {
		*hidden = true;
		return 0;
	}
	kl->addr = addr;
	kl->name = end + 3;
	kl->name_len = strcspn(kl->name, "\t");
	kl->mod = NULL;
	kl->mod_len = 0;
	if (!kl->name_len)
		return -EINVAL;
	if (kl->name[kl->name_len] == '\t') {
		kl->mod = kl->name + kl->name_len + 1;
		kl->mod_len = strlen(kl->mod);
		if (kl->mod_len < 3 || kl->mod[0] != '[' || kl->mod[kl->mod_len - 1] != ']')
			return -EINVAL;
		kl->mod++;
		kl->mod_len -= 2;
	}
	return 1;
}

static int push_entry(struct ksyms *ks, struct kent e)
{
	if (ks->n == KSYMS_MAX)
		return -E2BIG;
	if (ks->n == ks->cap) {
		unsigned int ncap = ks->cap ? ks->cap * 2 : 4096;
		struct kent *v = realloc(ks->syms, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ks->syms = v;
		ks->cap = ncap;
	}
	ks->syms[ks->n++] = e;
	return 0;
}

static int add_symbol(struct ksyms *ks, const struct kline *kl)
{
	int module = 0;
	long off;

	if (kl->mod) {
		module = module_index(ks, kl->mod, kl->mod_len);
		if (module < 0)
			return module;
	}
	off = arena_add(ks, kl->name, kl->name_len);
	if (off < 0)
		return (int)off;
	return push_entry(ks, (struct kent){ kl->addr, (uint32_t)off, (uint16_t)module,
					     (uint8_t)kl->rank });
}

/*
 * What a pass over the file does with each text symbol (0 or -errno):
 * keep it (filter NULL), or hand it to the filter of ksyms__load_for.
 */
struct pass {
	struct ksyms *ks;
	int (*symbol)(struct pass *p, const struct kline *kl);
	void *filter;
	unsigned int seen; /* text symbols read */
};

static int keep_symbol(struct pass *p, const struct kline *kl)
{
	return add_symbol(p->ks, kl);
}

/* By address, then preferred alias first, then file order (names are
 * appended in file order, so their offsets order them). */
static int cmp_kent(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static int read_file(struct pass *p, FILE *f)
{
	char line[KSYMS_LINE_MAX];
	bool hidden = false;

	for (;;) {
		size_t len;
		int err;

		errno = 0;
		if (!fgets(line, sizeof(line), f))
			break;
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f))
			return -E2BIG;
		if (!len)
			continue;
		struct kline kl;

		err = parse_line(line, &kl, &hidden);
		if (err < 0)
			return err;
		if (err == 0)
			continue;
		if (p->seen == KSYMS_MAX)
			return -E2BIG;
		p->seen++;
		err = p->symbol(p, &kl);
		if (err)
			return err;
	}
	if (ferror(f))
		return errno ? -errno : -EIO;
	if (!p->seen)
		return hidden ? -EPERM : -ENOENT;
	return 0;
}

static int read_path(const char *path, struct pass *p)
{
	FILE *f = fopen(path ? path : "/proc/kallsyms", "re");
	int err;

	if (!f)
		return -errno;
	err = read_file(p, f);
	fclose(f);
	return err;
}

/* Sorts, keeps one name per address, and gives back the slack. */
static void finish(struct ksyms *ks)
{
	unsigned int i, j;

	if (ks->n) /* an empty table has no array (qsort wants one) */
		qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_kent);
	/* One name per address: the first after sorting is the preferred one. */
	for (i = 1, j = 1; i < ks->n; i++) {
		if (ks->syms[i].addr != ks->syms[j - 1].addr)
			ks->syms[j++] = ks->syms[i];
	}
	if (ks->n)
		ks->n = j;
	/* The table lives as long as the recording: give back the slack of
	 * the doubling (up to half of it; names are offsets, so the arena may
	 * move). A failed shrink keeps the larger block. */
	struct kent *syms = realloc(ks->syms, (ks->n ? ks->n : 1) * sizeof(*ks->syms));
	char *arena = realloc(ks->arena, ks->arena_len ? ks->arena_len : 1);

	if (syms) {
		ks->syms = syms;
		ks->cap = ks->n ? ks->n : 1;
	}
	if (arena) {
		ks->arena = arena;
		ks->arena_cap = ks->arena_len ? ks->arena_len : 1;
	}
}

int ksyms__load(const char *path, struct ksyms **out)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	struct pass p = { ks, keep_symbol, NULL, 0 };
	int err;

	*out = NULL;
	if (!ks)
		return -ENOMEM;
	err = read_path(path, &p);
	if (err) {
		ksyms__free(ks);
		return err;
	}
	finish(ks);
	*out = ks;
	return 0;
}

/*
 * ksyms__load_for in two passes over the file, neither of which keeps the
 * whole table (/proc/kallsyms has no order to rely on; modules come last).
 * Pass 1 finds, for each address, the start of its symbol (the greatest
 * symbol start at or below it) and the next start above it, in memory of
 * the addresses' size: a symbol at A is offered only to the first address
 * at or above A (start) and the last address below A (next), and prefix
 * maxima and suffix minima finish the job. Pass 2 keeps the names of those
 * starts, and each next start becomes an end mark unless it is kept.
 */
struct bounds {
	const uint64_t *pcs;
	size_t n;
	uint64_t *start, *next; /* per address; 0 and UINT64_MAX for none */
	uint64_t *keep;         /* pass 2: sorted starts to keep */
	size_t nkeep;
};

/* Index of the first address >= a (n if none). */
static size_t lower_bound(const uint64_t *v, size_t n, uint64_t a)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] < a)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int offer_bounds(struct pass *p, const struct kline *kl)
{
	struct bounds *b = p->filter;
	size_t i = lower_bound(b->pcs, b->n, kl->addr);

	if (i < b->n && b->start[i] < kl->addr)
		b->start[i] = kl->addr;
	/* The last address below kl->addr: i - 1, or i - 1 again when
	 * pcs[i] == addr (that address starts here, its next is further). */
	if (i > 0 && b->next[i - 1] > kl->addr)
		b->next[i - 1] = kl->addr;
	return 0;
}

static int keep_if_wanted(struct pass *p, const struct kline *kl)
{
	struct bounds *b = p->filter;
	size_t i = lower_bound(b->keep, b->nkeep, kl->addr);

	return i < b->nkeep && b->keep[i] == kl->addr ? add_symbol(p->ks, kl) : 0;
}

static int find_bounds(const char *path, struct bounds *b)
{
	struct pass p = { NULL, offer_bounds, b, 0 };
	uint64_t best = 0, lowest = UINT64_MAX;
	int err;

	for (size_t i = 0; i < b->n; i++) {
		b->start[i] = 0;
		b->next[i] = UINT64_MAX;
	}
	err = read_path(path, &p);
	if (err)
		return err;
	for (size_t i = 0; i < b->n; i++) {
		best = b->start[i] > best ? b->start[i] : best;
		b->start[i] = best;
	}
	for (size_t i = b->n; i-- > 0;) {
		lowest = b->next[i] < lowest ? b->next[i] : lowest;
		b->next[i] = lowest;
	}
	return 0;
}

/* After pass 2: an end mark at each next start and at each kept start. A
 * kept symbol sorts before the mark at its address and replaces it (see
 * finish()); a start that vanished between the passes (a module unloaded)
 * leaves its mark, so its addresses resolve to nothing, not to a neighbour. */
static int add_end_marks(struct ksyms *ks, const struct bounds *b)
{
	for (size_t i = 0; i < b->n; i++) {
		uint64_t a = b->next[i];
		int err = 0;

		if (a != UINT64_MAX && (i + 1 == b->n || b->next[i + 1] != a))
			err = push_entry(ks, (struct kent){ a, NAME_END, 0, UINT8_MAX });
		if (!err && i < b->nkeep)
			err = push_entry(ks, (struct kent){ b->keep[i], NAME_END, 0, UINT8_MAX });
		if (err)
			return err;
	}
	return 0;
}

int ksyms__load_for(const char *path, const uint64_t *addrs, size_t naddrs, struct ksyms **out)
{
	struct bounds b = { NULL, 0, NULL, NULL, NULL, 0 };
	size_t alloc = naddrs ? naddrs : 1, npcs;
	uint64_t *pcs = malloc(alloc * sizeof(*pcs));
	struct ksyms *ks = NULL;
	struct pass p;
	int err = -ENOMEM;

	*out = NULL;
	b.start = malloc(alloc * sizeof(*b.start));
	b.next = malloc(alloc * sizeof(*b.next));
	ks = calloc(1, sizeof(*ks));
	if (!pcs || !b.start || !b.next || !ks)
		goto out;
	if (naddrs)
		memcpy(pcs, addrs, naddrs * sizeof(*pcs));
	npcs = sort_unique_u64(pcs, naddrs);
	b.pcs = pcs;
	b.n = npcs;
	err = find_bounds(path, &b);
	if (err)
		goto out;
	/* The starts to keep: start[] is sorted already (a prefix maximum). */
	b.keep = b.start;
	b.nkeep = 0;
	for (size_t i = 0; i < npcs; i++)
		if (b.start[i] && (!b.nkeep || b.keep[b.nkeep - 1] != b.start[i]))
			b.keep[b.nkeep++] = b.start[i];
	p = (struct pass){ ks, keep_if_wanted, &b, 0 };
	err = read_path(path, &p);
	err = err ?: add_end_marks(ks, &b);
	if (err)
		goto out;
	finish(ks);
	*out = ks;
	ks = NULL;
out:
	ksyms__free(ks);
	free(pcs);
	free(b.start);
	free(b.next);
	return err;
}

int ksyms__find(const struct ksyms *ks, uint64_t addr, struct ksym *sym)
{
	unsigned int lo = 0, hi = ks->n;
	const struct kent *e;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -ENOENT;
	e = &ks->syms[lo - 1];
	if (e->name == NAME_END)
		return -ENOENT;
	sym->addr = e->addr;
	sym->name = ks->arena + e->name;
	sym->module = e->module ? ks->arena + ks->modules[e->module - 1] : NULL;
	return 0;
}

unsigned int ksyms__count(const struct ksyms *ks)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < ks->n; i++)
		n += ks->syms[i].name != NAME_END;
	return n;
}

void ksyms__free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->arena);
	free(ks->modules);
	free(ks);
}
