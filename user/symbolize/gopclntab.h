/*
 * gopclntab.h: Go symbols from the pclntab, the runtime's own table.
 *
 * Works on any Go binary of any version (Go 1.2 to current), stripped or
 * not, PIE or not, either endianness and pointer size, without executing it.
 * The file is mapped read-only, never read whole; lookups decode only what
 * they touch. Every offset read from the file is bounds-checked: a truncated
 * or hostile binary yields -EINVAL or "no symbol", never a crash or a hang;
 * open scans at most 1 GiB and a lookup decodes at most 4M table steps.
 * The file may shrink while mapped (a deploy copying over the inode): a
 * process-wide SIGBUS handler (installed by the first gopclntab__open; it
 * passes other SIGBUS on to the previous disposition) turns the fault into
 * a broken table that answers nothing more. Returned strings are copies.
 *
 * Lookups return the inline chain of a pc, innermost first, each frame with
 * its own name, file and line (struct sym_frame of symbolizer.h). Addresses
 * are ELF virtual addresses. A table keeps a small decode cache, so one table
 * must not be used by two threads at once; lookups of increasing pcs are the
 * fastest.
 */
#ifndef BPFLAME_GOPCLNTAB_H
#define BPFLAME_GOPCLNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "symbolizer.h"

struct gopclntab;

/*
 * Opens the Go symbol table of the ELF file behind fd (the fd is not kept;
 * the mapping is). Returns 0 and *out, -ENOENT if the file is not a Go
 * binary (no pclntab found), -EINVAL if it is corrupt, or another negative
 * errno (-EIO: the file shrank while being read). The caller frees *out
 * with gopclntab__free().
 */
int gopclntab__open(int fd, struct gopclntab **out);

/*
 * Opens an ELF image held in memory [buf, buf + len). Nothing is copied:
 * the buffer must outlive the table. Returns as gopclntab__open().
 */
int gopclntab__open_mem(const void *buf, size_t len, struct gopclntab **out);

/*
 * Opens a bare pclntab (no ELF around it) as if loaded at vaddr, for tests
 * and fuzzing. text_start overrides the 1.18+ header's textStart (0 keeps
 * it); gofunc is the address of go:func.* (0: no inline trees). Pointers of
 * the table (inline trees, 1.16/1.17 funcdata) must point into the buffer.
 * Returns 0 or -EINVAL; the buffer must outlive the table.
 */
int gopclntab__open_raw(const void *buf, size_t len, uint64_t vaddr, uint64_t text_start,
			uint64_t gofunc, struct gopclntab **out);

/*
 * Writes the inline chain of pc into out (innermost first, at most max
 * frames, max capped at SYM_MAX_INLINE). The last frame written is always
 * the physical function (inlined=false); a longer chain keeps its innermost
 * max - 1 frames. So max == 1 gives what go tool addr2line prints: the
 * physical function with the file:line of pc itself, and skips the inline
 * tree. Returns the count, 0 if no function covers pc or the file shrank.
 * Unknown names are "?", unknown files NULL, unknown lines 0; strings are
 * the table's copies and live until free.
 */
int gopclntab__lookup(struct gopclntab *tab, uint64_t pc, struct sym_frame *out, int max);

/*
 * The stack pointer delta of the function covering pc at pc (its pcsp table:
 * bytes the function has pushed or allocated below its return address; 0 at
 * the entry and throughout a frameless function, so the return address is
 * at [SP]). Returns 0 and *delta, -ENOENT if no function covers pc, -EINVAL
 * if the table cannot be decoded (or gives a negative delta), -EIO if the
 * file shrank under the mapping. Costs one
 * binary search and one table decode, like a lookup, and shares its cache.
 */
int gopclntab__sp_delta(struct gopclntab *tab, uint64_t pc, int32_t *delta);

/* The symbolizer interface over this table (owned by tab; do not free it). */
struct symbolizer *gopclntab__symbolizer(struct gopclntab *tab);

/* The pcs the function table covers: [*lo, *hi). */
void gopclntab__text_range(const struct gopclntab *tab, uint64_t *lo, uint64_t *hi);

/* A short description of the table for diagnostics, e.g. "go1.20+ pclntab". */
const char *gopclntab__describe(const struct gopclntab *tab);

/*
 * Drops the pages of the mapped file from our resident set (they stay in
 * the page cache and fault back in on the next lookup). Lookups do it
 * themselves every couple of thousand calls, so the resident memory stays
 * bounded whatever the binary's size; call it when done with a table for a
 * while. Strings returned earlier stay valid.
 */
void gopclntab__release(struct gopclntab *tab);

void gopclntab__free(struct gopclntab *tab);

#endif /* BPFLAME_GOPCLNTAB_H */
