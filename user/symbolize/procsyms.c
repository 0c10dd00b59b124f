// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "procsyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct module {
	struct objfile *obj; /* NULL if it could not be opened */
	char *label;         /* "[name]", or NULL for an anonymous mapping */
};

struct proc_syms {
	int pid;
	struct objfile_cache *cache;
	struct proc_maps maps; /* executable mappings only */
	struct module *mods;   /* parallel to maps.v */
	unsigned int nerrors;
	int first_err;
};

static const char unknown[] = "[unknown]";

static void free_mods(struct module *mods, size_t n)
{
	for (size_t i = 0; mods && i < n; i++)
		free(mods[i].label);
	free(mods);
}

/* "[libc.so.6]" for "/usr/lib/x86_64-linux-gnu/libc.so.6 (deleted)";
 * "[vdso]" stays as is; NULL (no allocation) for an anonymous mapping. */
static int make_label(const struct proc_map *m, char **out)
{
	const char *base = strrchr(m->path, '/');
	size_t len;

	*out = NULL;
	if (!m->path[0])
		return 0;
	if (m->path[0] == '[') {
		*out = strdup(m->path);
		return *out ? 0 : -ENOMEM;
	}
	base = base ? base + 1 : m->path;
	len = strlen(base);
	if (proc_map__deleted(m))
		len -= strlen(" (deleted)");
	return asprintf(out, "[%.*s]", (int)len, base) < 0 ? -ENOMEM : 0;
}

/* Keeps only the executable mappings of maps (freeing the others' paths). */
static void keep_executable(struct proc_maps *maps)
{
	size_t j = 0;

	for (size_t i = 0; i < maps->n; i++) {
		if (maps->v[i].perms & PROC_MAP_X)
			maps->v[j++] = maps->v[i];
		else
			free(maps->v[i].path);
	}
	maps->n = j;
}

/* Reads the maps and opens their objects; ps is unchanged on error. */
static int load(struct proc_syms *ps)
{
	struct proc_maps maps;
	struct module *mods;
	unsigned int nerrors = 0;
	int ret, first_err = 0;

	ret = procmaps__read(ps->pid, &maps);
	if (ret < 0)
		return ret;
	if (!ret && ps->maps.n)
		return -ESRCH; /* a zombie's maps are empty: keep what we had */
	keep_executable(&maps);
	mods = calloc(maps.n ? maps.n : 1, sizeof(*mods));
	if (!mods) {
		procmaps__free(&maps);
		return -ENOMEM;
	}
	for (size_t i = 0; i < maps.n; i++) {
		const struct proc_map *m = &maps.v[i];
		int err = make_label(m, &mods[i].label);

		if (err) {
			free_mods(mods, maps.n);
			procmaps__free(&maps);
			return err;
		}
		/* An unchanged mapping keeps its object: no reopen per refresh. */
		const struct proc_map *old = procmaps__find(&ps->maps, m->start);

		if (old && old->start == m->start && old->end == m->end &&
		    old->offset == m->offset && old->dev == m->dev && old->inode == m->inode &&
		    ps->mods[old - ps->maps.v].obj) {
			mods[i].obj = ps->mods[old - ps->maps.v].obj;
			continue;
		}
		err = objfile_cache__get(ps->cache, ps->pid, m, &mods[i].obj);
		if (err && (m->inode || !strcmp(m->path, "[vdso]"))) {
			if (!nerrors++)
				first_err = err;
		}
	}
	free_mods(ps->mods, ps->maps.n);
	procmaps__free(&ps->maps);
	ps->maps = maps;
	ps->mods = mods;
	ps->nerrors = nerrors;
	ps->first_err = first_err;
	return 0;
}

int proc_syms__open(struct objfile_cache *cache, int pid, struct proc_syms **out)
{
	struct proc_syms *ps;
	int err;

	*out = NULL;
	ps = calloc(1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	ps->pid = pid;
	ps->cache = cache;
	err = load(ps);
	if (err) {
		free(ps);
		return err;
	}
	*out = ps;
	return 0;
}

int proc_syms__refresh(struct proc_syms *ps)
{
	return load(ps);
}

int proc_syms__lookup(struct proc_syms *ps, uint64_t addr, bool is_return_addr,
		      struct sym_frame *out, int max, struct sym_location *loc)
{
	uint64_t pc = is_return_addr && addr ? addr - 1 : addr;
	const struct proc_map *m;
	const struct module *mod = NULL;
	uint64_t vaddr = 0;
	int n = 0;

	if (max < 1)
		return 0;
	m = procmaps__find(&ps->maps, pc);
	if (m) {
		mod = &ps->mods[m - ps->maps.v];
		if (mod->obj && !objfile__vaddr(mod->obj, m, pc, &vaddr))
			n = objfile__lookup(mod->obj, vaddr, out, max);
	}
	if (loc)
		*loc = (struct sym_location){ m, mod ? mod->obj : NULL, vaddr };
	if (n > 0)
		return n;
	out[0] = (struct sym_frame){
		.name = mod && mod->label ? mod->label : unknown,
		.unresolved = true,
	};
	return 1;
}

int proc_syms__go_text(const struct proc_syms *ps, uint64_t *start, uint64_t *end)
{
	for (size_t i = 0; i < ps->maps.n; i++) {
		if (ps->mods[i].obj && ps->mods[i].obj->go) {
			*start = ps->maps.v[i].start;
			*end = ps->maps.v[i].end;
			return 0;
		}
	}
	return -ENOENT;
}

int proc_syms__go_sp_delta(const struct proc_syms *ps, uint64_t addr, int32_t *delta)
{
	const struct proc_map *m = procmaps__find(&ps->maps, addr);
	const struct objfile *obj = m ? ps->mods[m - ps->maps.v].obj : NULL;
	uint64_t vaddr;

	if (!obj || !obj->go || objfile__vaddr(obj, m, addr, &vaddr))
		return -ENOENT;
	return gopclntab__sp_delta(obj->go, vaddr, delta);
}

unsigned int proc_syms__errors(const struct proc_syms *ps, int *first_err)
{
	if (first_err)
		*first_err = ps->first_err;
	return ps->nerrors;
}

int proc_syms__pid(const struct proc_syms *ps)
{
	return ps->pid;
}

void proc_syms__free(struct proc_syms *ps)
{
	if (!ps)
		return;
	free_mods(ps->mods, ps->maps.n);
	procmaps__free(&ps->maps);
	free(ps);
}
