/*
 * objfile.h: object files (executables, shared libraries, the vDSO) opened
 * for symbolization, and a cache of them shared by all target processes.
 *
 * An objfile holds what symbolization needs once the file is closed: its
 * PT_LOAD table (for the load bias), GNU build id, and symbolizers: the Go
 * pclntab for Go binaries, tried first, with ELF symbols behind it for what
 * it does not cover (cgo, assembly without a Go symbol, C libraries); ELF
 * symbols alone otherwise. No file descriptor stays open.
 *
 * The cache is keyed by the (dev, inode) of the file actually opened, never
 * by path nor by the maps line (overlayfs shows the overlay's inode there; a
 * process can remap a range after its maps were read), so one process can
 * never place a file under another file's key; a key whose file changed
 * size or mtime (a reused inode) is loaded again. A new (dev, inode) whose
 * build id, size and PT_LOAD headers
 * match a cached object shares it (the same image in several containers is
 * loaded once). It holds at most OBJFILE_CACHE_MAX objects.
 *
 * Files are opened for a process through /proc/PID/map_files/START-END
 * (the mapped file itself, even unlinked or in another mount namespace),
 * else through the maps path resolved inside /proc/PID/root with openat2
 * RESOLVE_IN_ROOT, and accepted only if dev and inode match the maps line.
 * The bare path from maps is never opened.
 */
#ifndef BPFLAME_OBJFILE_H
#define BPFLAME_OBJFILE_H

#include <stdint.h>
#include <sys/types.h>

#include "elfsym.h"
#include "gopclntab.h"
#include "procmaps.h"
#include "symbolizer.h"

#define OBJFILE_CACHE_MAX 4096

struct objfile {
	dev_t dev;      /* key of the first mapping it was opened for */
	uint64_t inode;
	char *name;     /* basename of the first path seen, e.g. "libc.so.6", "[vdso]" */
	uint8_t build_id[ELF_BUILD_ID_MAX];
	int build_id_len; /* 0 if the file has no GNU build id */
	char go_build_id[128]; /* the Go build id, "" if none */
	struct elf_seg *segs; /* PT_LOAD headers */
	int nsegs;
	uint64_t size;     /* file size and mtime: a cached key is valid only while */
	int64_t mtime_ns;  /* they match (inode numbers get reused) */
	struct gopclntab *go; /* NULL unless a Go binary */
	struct elfsym *elf;   /* NULL if the file has no function symbol */
	/* The symbol sources objfile__lookup asks, in order, through
	 * symbolizer.h: Go's pclntab (it knows inlining), then ELF symbols. */
	struct symbolizer *sources[2];
	int nsources;
	void *image;          /* the vDSO's copy, which elf reads; NULL for files */
};

struct objfile_cache;

int objfile_cache__new(struct objfile_cache **out);
/* Frees the cache and every objfile in it. */
void objfile_cache__free(struct objfile_cache *cache);
/* Number of distinct objects loaded. */
unsigned int objfile_cache__count(const struct objfile_cache *cache);

/*
 * The objfile of mapping m of process pid, opened, loaded and cached on
 * first use; [vdso] mappings get this process's own vDSO (the kernel maps
 * the same one into every process of one ABI). Returns 0 and *out (owned
 * by the cache), -ENOENT for a mapping without a file (anonymous, [heap]),
 * -ESTALE if the file found does not match the maps line, -ENOSPC when the
 * cache is full, -EINVAL for a file that is not ELF, or another errno.
 */
int objfile_cache__get(struct objfile_cache *cache, int pid, const struct proc_map *m,
		       struct objfile **out);

/*
 * Converts runtime address addr in mapping m to the object's ELF virtual
 * address: addr - m.start + m.offset is a file offset, which the PT_LOAD
 * segment containing it maps to p_vaddr + (offset - p_offset). This holds
 * for PIE, shared libraries and fixed-address executables alike. Returns 0,
 * or -ENOENT if no segment holds that offset.
 */
int objfile__vaddr(const struct objfile *obj, const struct proc_map *m, uint64_t addr,
		   uint64_t *vaddr);

/* Frames for ELF virtual address vaddr, innermost first: Go pclntab first,
 * then ELF symbols. Returns the count, 0 if nothing covers vaddr. */
int objfile__lookup(const struct objfile *obj, uint64_t vaddr, struct sym_frame *out, int max);

/*
 * Opens path inside the directory tree root_fd as if root_fd were "/"
 * (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: "..", absolute symlinks
 * and /proc magic links cannot leave it), and returns a read-only fd only
 * if it is a regular file with the given dev and inode. Returns the fd, or
 * -ESTALE on a dev/inode mismatch, -EINVAL if not a regular file, -ENOSYS
 * on kernels without openat2 (before 5.6), or the errno of the open.
 */
int objfile__open_in_root(int root_fd, const char *path, dev_t dev, uint64_t inode);

/*
 * Opens the file of mapping m of process pid, the two ways described at the
 * top. Returns a read-only fd or a negative errno (-ENOENT for a mapping
 * without a file path).
 */
int objfile__open_mapping(int pid, const struct proc_map *m);

#endif /* BPFLAME_OBJFILE_H */
