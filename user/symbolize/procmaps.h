/*
 * procmaps.h: /proc/PID/maps as an array of mappings, sorted by start.
 *
 * The parser is pure (a FILE * or a string in, an array out) so tests feed
 * it synthetic lines. Paths are kept exactly as the kernel prints them: ""
 * for anonymous memory, "[vdso]", "[heap]", or a path that may contain
 * spaces and may end in " (deleted)"; the kernel escapes a newline in a
 * path as "\012", which stays escaped here. Such a path is only ever a hint:
 * objfile.c opens the mapped file through /proc/PID/map_files first.
 */
#ifndef BPFLAME_PROCMAPS_H
#define BPFLAME_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum {
	PROC_MAP_R = 1 << 0,
	PROC_MAP_W = 1 << 1,
	PROC_MAP_X = 1 << 2,
	PROC_MAP_SHARED = 1 << 3, /* 's' rather than 'p' */
};

struct proc_map {
	uint64_t start, end; /* [start, end) in the process's address space */
	uint64_t offset;     /* file offset of start */
	dev_t dev;           /* makedev(major, minor) of the mapped file */
	uint64_t inode;      /* 0 for anonymous and special mappings */
	unsigned int perms;  /* PROC_MAP_* bits */
	char *path;          /* as printed in maps, never NULL ("" if none) */
};

struct proc_maps {
	struct proc_map *v; /* sorted by start, non-overlapping as the kernel prints them */
	size_t n;
};

/* Bounds that keep a hostile or corrupt maps file from using unbounded
 * memory (the kernel's default vm.max_map_count is 65530). */
#define PROC_MAPS_MAX 1000000
#define PROC_MAPS_LINE_MAX 8192

/*
 * Parses maps text from f into *out (which the caller frees with
 * procmaps__free(); *out is empty on error). Returns the number of mappings,
 * -EINVAL on a malformed line, -E2BIG past the bounds above, -ENOMEM, or the
 * negative errno of a read error (-ESRCH when the process died mid-read).
 */
int procmaps__parse(FILE *f, struct proc_maps *out);
/* The same over a NUL-terminated string. */
int procmaps__parse_str(const char *text, struct proc_maps *out);

/*
 * Reads /proc/PID/maps. Returns the number of mappings (0 for a zombie or a
 * kernel thread), -ESRCH when the process is gone, or another negative errno
 * as procmaps__parse().
 */
int procmaps__read(int pid, struct proc_maps *out);

/* The mapping containing addr, or NULL. */
const struct proc_map *procmaps__find(const struct proc_maps *maps, uint64_t addr);

/* True if the mapping's file was unlinked (its path ends in " (deleted)"). */
bool proc_map__deleted(const struct proc_map *m);

void procmaps__free(struct proc_maps *maps);

#endif /* BPFLAME_PROCMAPS_H */
