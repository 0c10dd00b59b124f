// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* procmaps.c: /proc/PID/maps parsed and searched (see procmaps.h). */
#include "procmaps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#define DELETED_SUFFIX " (deleted)"

/* Parses 1 to maxdigits hex digits at *p; advances *p. Returns 0 or -EINVAL. */
static int take_hex(const char **p, int maxdigits, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	for (;; n++) {
		char c = (*p)[n];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (n == maxdigits)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
	}
	if (!n)
		return -EINVAL;
	*p += n;
	*out = v;
	return 0;
}

static int take_dec(const char **p, uint64_t *out)
{
	uint64_t v = 0;
	int n = 0;

	for (; (*p)[n] >= '0' && (*p)[n] <= '9'; n++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)((*p)[n] - '0');
	}
	if (!n)
		return -EINVAL;
	*p += n;
	*out = v;
	return 0;
}

static int take_char(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* "start-end perms offset major:minor inode [path]" without its newline. */
static int parse_line(const char *s, struct proc_map *m)
{
	static const char pchars[4] = { 'r', 'w', 'x', 's' };
	uint64_t major, minor;
	const char *p = s;

	memset(m, 0, sizeof(*m));
	if (take_hex(&p, 16, &m->start) || take_char(&p, '-') || take_hex(&p, 16, &m->end) ||
	    take_char(&p, ' ') || m->end < m->start)
		return -EINVAL;
	for (int i = 0; i < 4; i++, p++) {
		if (*p == pchars[i])
			m->perms |= 1u << i;
		else if (*p != '-' && !(i == 3 && *p == 'p'))
			return -EINVAL;
	}
	if (take_char(&p, ' ') || take_hex(&p, 16, &m->offset) || take_char(&p, ' ') ||
	    take_hex(&p, 8, &major) || take_char(&p, ':') || take_hex(&p, 8, &minor) ||
	    take_char(&p, ' ') || take_dec(&p, &m->inode))
		return -EINVAL;
	m->dev = makedev((unsigned int)major, (unsigned int)minor);
	if (*p && *p != ' ')
		return -EINVAL;
	/* The kernel pads with spaces up to the path column. */
	while (*p == ' ')
		p++;
	m->path = strdup(p);
	return m->path ? 0 : -ENOMEM;
}

static int cmp_start(const void *a, const void *b)
{
	const struct proc_map *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

int procmaps__parse(FILE *f, struct proc_maps *out)
{
	struct proc_maps maps = { 0 };
	size_t cap = 0;
	char *line;
	int err = 0;

	*out = maps;
	line = malloc(PROC_MAPS_LINE_MAX);
	if (!line)
		return -ENOMEM;
	for (;;) {
		size_t len;

		errno = 0;
		if (!fgets(line, PROC_MAPS_LINE_MAX, f)) {
			if (ferror(f))
				err = errno ? -errno : -EIO;
			break;
		}
		len = strlen(line);
		if (len && line[len - 1] == '\n')
			line[--len] = '\0';
		else if (!feof(f)) {
			err = -E2BIG;
			break;
		}
		if (!len)
			continue;
		if (maps.n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct proc_map *v;

			if (maps.n >= PROC_MAPS_MAX) {
				err = -E2BIG;
				break;
			}
			v = realloc(maps.v, ncap * sizeof(*v));
			if (!v) {
				err = -ENOMEM;
				break;
			}
			maps.v = v;
			cap = ncap;
		}
		err = parse_line(line, &maps.v[maps.n]);
		if (err)
			break;
		maps.n++;
	}
	free(line);
	if (err) {
		procmaps__free(&maps);
		return err;
	}
	/* The kernel prints in order; sorting keeps lookups right for any input. */
	qsort(maps.v, maps.n, sizeof(*maps.v), cmp_start);
	*out = maps;
	return (int)maps.n;
}

int procmaps__parse_str(const char *text, struct proc_maps *out)
{
	FILE *f;
	int ret;

	out->v = NULL;
	out->n = 0;
	if (!*text)
		return 0; /* fmemopen() rejects a zero-sized buffer */
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		return -errno;
	ret = procmaps__parse(f, out);
	fclose(f);
	return ret;
}

int procmaps__read(int pid, struct proc_maps *out)
{
	char path[64];
	FILE *f;
	int ret;

	out->v = NULL;
	out->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	ret = procmaps__parse(f, out);
	fclose(f);
	return ret;
}

const struct proc_map *procmaps__find(const struct proc_maps *maps, uint64_t addr)
{
	size_t lo = 0, hi = maps->n;

	/* The last mapping with start <= addr, if it contains addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (maps->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || addr >= maps->v[lo - 1].end)
		return NULL;
	return &maps->v[lo - 1];
}

bool proc_map__deleted(const struct proc_map *m)
{
	size_t len = strlen(m->path), slen = strlen(DELETED_SUFFIX);

	return len > slen && !strcmp(m->path + len - slen, DELETED_SUFFIX);
}

void procmaps__free(struct proc_maps *maps)
{
	for (size_t i = 0; i < maps->n; i++)
		free(maps->v[i].path);
	free(maps->v);
	maps->v = NULL;
	maps->n = 0;
}
