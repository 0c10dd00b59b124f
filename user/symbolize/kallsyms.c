// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "kallsyms.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_MAX (256u << 20)
#define MODULES_MAX 65535

struct kent {
	uint64_t addr;
	uint32_t name;   /* offset in the arena */
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

/*
 * Parses "ADDR TYPE NAME" or "ADDR TYPE NAME\t[MODULE]" and adds it if it
 * is a text symbol. Sets *hidden for a text symbol at address 0.
 */
static int add_line(struct ksyms *ks, const char *line, bool *hidden)
{
	const char *p = line, *name, *mod = NULL;
	size_t name_len, mod_len = 0;
	unsigned long long addr;
	struct kent *e;
	char *end;
	int rank, module = 0;
	long off;

	errno = 0;
	addr = strtoull(p, &end, 16);
	if (end == p || errno || end[0] != ' ' || !end[1] || end[2] != ' ')
		return -EINVAL;
	rank = type_rank(end[1]);
	if (rank < 0)
		return 0;
	if (!addr) {
		*hidden = true;
		return 0;
	}
	name = end + 3;
	name_len = strcspn(name, "\t");
	if (!name_len)
		return -EINVAL;
	if (name[name_len] == '\t') {
		mod = name + name_len + 1;
		mod_len = strlen(mod);
		if (mod_len < 3 || mod[0] != '[' || mod[mod_len - 1] != ']')
			return -EINVAL;
		mod++;
		mod_len -= 2;
	}
	if (ks->n == KSYMS_MAX)
		return -E2BIG;
	if (ks->n == ks->cap) {
		unsigned int ncap = ks->cap ? ks->cap * 2 : 4096;

		e = realloc(ks->syms, ncap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		ks->syms = e;
		ks->cap = ncap;
	}
	if (mod) {
		module = module_index(ks, mod, mod_len);
		if (module < 0)
			return module;
	}
	off = arena_add(ks, name, name_len);
	if (off < 0)
		return (int)off;
	ks->syms[ks->n++] = (struct kent){ addr, (uint32_t)off, (uint16_t)module, (uint8_t)rank };
	return 0;
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

static int read_file(struct ksyms *ks, FILE *f)
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
		err = add_line(ks, line, &hidden);
		if (err)
			return err;
	}
	if (ferror(f))
		return errno ? -errno : -EIO;
	if (!ks->n)
		return hidden ? -EPERM : -ENOENT;
	return 0;
}

int ksyms__load(const char *path, struct ksyms **out)
{
	struct ksyms *ks;
	unsigned int i, j;
	FILE *f;
	int err;

	*out = NULL;
	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return -ENOMEM;
	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f) {
		err = -errno;
		free(ks);
		return err;
	}
	err = read_file(ks, f);
	fclose(f);
	if (err) {
		ksyms__free(ks);
		return err;
	}
	qsort(ks->syms, ks->n, sizeof(*ks->syms), cmp_kent);
	/* One name per address: the first after sorting is the preferred one. */
	for (i = 1, j = 1; i < ks->n; i++) {
		if (ks->syms[i].addr != ks->syms[j - 1].addr)
			ks->syms[j++] = ks->syms[i];
	}
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
	*out = ks;
	return 0;
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
	sym->addr = e->addr;
	sym->name = ks->arena + e->name;
	sym->module = e->module ? ks->arena + ks->modules[e->module - 1] : NULL;
	return 0;
}

unsigned int ksyms__count(const struct ksyms *ks)
{
	return ks->n;
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
