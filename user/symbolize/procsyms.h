/*
 * procsyms.h: symbolization of one process's user addresses.
 *
 * proc_syms__open() reads the process's maps and opens the object file of
 * every executable mapping at once, so a target that exits later keeps its
 * symbols; proc_syms__refresh() picks up libraries loaded since. Objects
 * live in a shared objfile cache; only executable mappings are kept.
 *
 * A lookup always yields at least one frame: the symbols covering the
 * address, or a placeholder marked unresolved: "[unknown]" when no mapping
 * (or an anonymous one) holds it, "[libc.so.6]" (the module's base name in
 * brackets) when the mapping is known but no symbol covers the address.
 */
#ifndef BPFLAME_PROCSYMS_H
#define BPFLAME_PROCSYMS_H

#include <stdbool.h>
#include <stdint.h>

#include "objfile.h"
#include "procmaps.h"
#include "symbolizer.h"

struct proc_syms;

/* Where an address was found, for writers that need addresses and
 * mappings (pprof). Pointers stay valid until the next refresh or free. */
struct sym_location {
	const struct proc_map *map; /* mapping holding the pc, NULL if none */
	const struct objfile *obj;  /* its object, NULL if none could be opened */
	uint64_t vaddr;             /* ELF virtual address looked up (0 without obj) */
};

/*
 * Reads /proc/PID/maps and opens the objects of its executable mappings.
 * Objects that cannot be opened are counted (proc_syms__errors()) and their
 * addresses resolve to "[module]". Returns 0 and *out (freed with
 * proc_syms__free(); the cache must outlive it), -ESRCH if the process is
 * gone, or another negative errno of reading the maps.
 */
int proc_syms__open(struct objfile_cache *cache, int pid, struct proc_syms **out);

/*
 * Re-reads the maps if the process is alive and opens new objects (dlopen).
 * On any failure (the process has exited: -ESRCH) the previous maps stay
 * in use, so symbolization goes on as before.
 */
int proc_syms__refresh(struct proc_syms *ps);

/*
 * Writes the frames of addr into out (innermost first, at most max) and
 * returns their count, at least 1 when max >= 1. A return address
 * (is_return_addr: every frame but the leaf) is looked up as addr - 1, the
 * call instruction, not the one after it. loc may be NULL. Frame strings
 * belong to ps or the cache.
 */
int proc_syms__lookup(struct proc_syms *ps, uint64_t addr, bool is_return_addr,
		      struct sym_frame *out, int max, struct sym_location *loc);

/*
 * The runtime range [*start, *end) of the first executable mapping that
 * holds Go code (a pclntab). Returns 0, or -ENOENT for a process without Go.
 */
int proc_syms__go_text(const struct proc_syms *ps, uint64_t *start, uint64_t *end);

/*
 * The Go stack pointer delta at runtime address addr (gopclntab__sp_delta):
 * 0 means the function has pushed nothing yet, its return address is at
 * SP. Returns 0 and *delta, -ENOENT if addr is not in Go code, or -EINVAL.
 */
int proc_syms__go_sp_delta(const struct proc_syms *ps, uint64_t addr, int32_t *delta);

/* How many objects could not be opened; *first_err (if not NULL) gets the
 * errno of the first, for one warning per process. */
unsigned int proc_syms__errors(const struct proc_syms *ps, int *first_err);

int proc_syms__pid(const struct proc_syms *ps);

void proc_syms__free(struct proc_syms *ps);

#endif /* BPFLAME_PROCSYMS_H */
