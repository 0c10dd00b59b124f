/*
 * elfsym.h: native symbols of an ELF file through libelf (the container
 * itself, segments and build ids, is elffile.h's).
 *
 * The symbol table holds the function symbols (STT_FUNC, STT_GNU_IFUNC) of
 * .symtab and .dynsym, sorted by address, names copied into one arena, so
 * the file and its Elf handle can be closed once loaded. A symbol of size 0
 * extends to the next symbol or the end of its section. Of several names at
 * one address, the one with fewest leading underscores is kept ("getpid", not
 * "__getpid"), then a global one before a weak or local one. Names are returned
 * as stored: C++ names stay mangled (no demangling, on purpose: no C++
 * runtime dependency; flame graph tools show them as they are).
 *
 * Input may be hostile: libelf checks headers and section bounds, and this
 * module bounds the symbol count and name memory, so a corrupt file gives
 * fewer symbols or an error, never a crash.
 */
#ifndef BPFLAME_ELFSYM_H
#define BPFLAME_ELFSYM_H

#include <stddef.h>
#include <stdint.h>

#include "elffile.h"
#include "symbolizer.h"

/* Per-file bounds: symbols kept and bytes of names. */
#define ELFSYM_MAX_SYMS (1u << 21)
#define ELFSYM_MAX_NAMES (64u << 20)

struct elfsym;

/*
 * Loads the function symbols of elf. Returns 0 and *out (freed with
 * elfsym__free()), -ENOENT if the file has no function symbol, -EINVAL,
 * or -ENOMEM. Past the bounds above, the rest of the symbols are dropped.
 */
int elfsym__load(Elf *elf, struct elfsym **out);

/*
 * The function covering vaddr (an ELF virtual address). Writes one frame
 * (name and entry) and returns 1, 0 if no symbol covers vaddr.
 */
int elfsym__lookup(const struct elfsym *es, uint64_t vaddr, struct sym_frame *out, int max);

/* The symbolizer interface ("elf"), owned by es. */
struct symbolizer *elfsym__symbolizer(struct elfsym *es);

unsigned int elfsym__count(const struct elfsym *es);

void elfsym__free(struct elfsym *es);

#endif /* BPFLAME_ELFSYM_H */
