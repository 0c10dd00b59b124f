// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* images.c: process images (see images.h), kept sorted by (pid, generation). */
#include "images.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "objfile.h"
#include "util.h"

/* One process image: a (pid, generation) pair, see struct proc_key. */
struct proc_entry {
	pid_t pid;
	uint32_t gen;
	bool done;            /* exited or replaced: its maps are not read again */
	bool go_text_sent;    /* reported by images__each_go_text */
	struct proc_syms *ps; /* NULL if the process could not be opened */
};

struct images {
	struct objfile_cache *cache;
	struct proc_entry *procs; /* sorted by (pid, gen) */
	size_t nprocs, procs_cap;
	uint32_t (*gen_of)(void *ctx, pid_t pid); /* NULL: always 0 */
	void *gen_ctx;
};

int images__new(struct images **out)
{
	struct images *im = calloc(1, sizeof(*im));
	int err;

	if (!im)
		return -ENOMEM;
	err = objfile_cache__new(&im->cache);
	if (err) {
		free(im);
		return err;
	}
	*out = im;
	return 0;
}

void images__free(struct images *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->nprocs; i++)
		proc_syms__free(im->procs[i].ps);
	free(im->procs);
	objfile_cache__free(im->cache);
	free(im);
}

void images__set_generations(struct images *im, uint32_t (*gen_of)(void *ctx, pid_t pid),
			     void *ctx)
{
	im->gen_of = gen_of;
	im->gen_ctx = ctx;
}

static uint32_t current_gen(const struct images *im, pid_t pid)
{
	return im->gen_of ? im->gen_of(im->gen_ctx, pid) : 0;
}

/* Index of the first entry >= (pid, gen). */
static size_t proc_search(const struct images *im, pid_t pid, uint32_t gen)
{
	size_t lo = 0, hi = im->nprocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct proc_entry *e = &im->procs[mid];

		if (e->pid < pid || (e->pid == pid && e->gen < gen))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The entry for (pid, gen), inserted (not yet opened) if absent; NULL on ENOMEM. */
static struct proc_entry *proc_entry(struct images *im, pid_t pid, uint32_t gen,
				     bool *created)
{
	size_t at = proc_search(im, pid, gen);
	struct proc_entry *v;

	*created = false;
	if (at < im->nprocs && im->procs[at].pid == pid && im->procs[at].gen == gen)
		return &im->procs[at];
	if (array_reserve(&im->procs, &im->procs_cap, im->nprocs + 1, sizeof(*im->procs)))
		return NULL;
	v = im->procs;
	memmove(&v[at + 1], &v[at], (im->nprocs - at) * sizeof(*v));
	v[at] = (struct proc_entry){ .pid = pid, .gen = gen };
	im->nprocs++;
	*created = true;
	return &v[at];
}

static bool have_pid(const struct images *im, pid_t pid)
{
	size_t at = proc_search(im, pid, 0);

	return at < im->nprocs && im->procs[at].pid == pid;
}

/* Opens the current image of pid as a new entry. Returns 0 or -errno. */
static int attach_current(struct images *im, pid_t pid)
{
	bool created;
	struct proc_entry *e = proc_entry(im, pid, current_gen(im, pid), &created);

	if (!e)
		return -ENOMEM;
	if (!created)
		return e->ps ? 0 : -ESRCH;
	return proc_syms__open(im->cache, pid, &e->ps);
}

int images__attach(struct images *im, pid_t pid)
{
	return attach_current(im, pid);
}

int images__attach_all(struct images *im)
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
		    have_pid(im, (pid_t)pid))
			continue;
		if (im->nprocs >= IMAGES_MAX_PROCS) {
			attached = -E2BIG;
			break;
		}
		/* Kernel threads have no maps: their entry has no ps, and
		 * their (kernel-only) stacks need none. */
		if (!attach_current(im, (pid_t)pid))
			attached++;
	}
	closedir(dir);
	return attached;
}

void images__refresh(struct images *im)
{
	pid_t *changed = NULL;
	size_t nchanged = 0;

	for (size_t i = 0; i < im->nprocs; i++) {
		struct proc_entry *e = &im->procs[i];
		bool latest = i + 1 == im->nprocs || im->procs[i + 1].pid != e->pid;

		if (!latest || e->done || !e->ps)
			continue;
		if (current_gen(im, e->pid) != e->gen) {
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
		attach_current(im, changed[i]);
	free(changed);
}

int images__each_go_text(struct images *im, go_text_fn cb, void *ctx)
{
	uint64_t start, end;
	int ret;

	for (size_t i = 0; i < im->nprocs; i++) {
		struct proc_entry *e = &im->procs[i];

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

/*
 * The entry of the image that took a sample. An image not attached yet is
 * opened now if the process still runs it; otherwise (it exited or changed
 * image since) its entry stays without symbols.
 */
static struct proc_entry *sample_image(struct images *im, pid_t pid, uint32_t gen)
{
	bool created;
	struct proc_entry *e = proc_entry(im, pid, gen, &created);

	if (e && created && current_gen(im, pid) == gen)
		proc_syms__open(im->cache, pid, &e->ps);
	return e;
}

int images__get(struct images *im, pid_t pid, uint32_t gen, struct proc_syms **ps)
{
	struct proc_entry *e = sample_image(im, pid, gen);

	if (!e)
		return -ENOMEM;
	*ps = e->ps;
	return 0;
}
