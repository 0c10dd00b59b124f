/*
 * elfsym.h: native symbols of an ELF file through libelf, and the ELF facts
 * the loader needs to map runtime addresses to file addresses (PT_LOAD
 * segments, GNU build id).
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

#include <gelf.h>
#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

#include "symbolizer.h"

/* Per-file bounds: symbols kept and bytes of names. */
#define ELFSYM_MAX_SYMS (1u << 21)
#define ELFSYM_MAX_NAMES (64u << 20)

/* A PT_LOAD program header. */
struct elf_seg {
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

#define ELF_BUILD_ID_MAX 64

/*
 * Opens an ELF file from fd (read-only, mapped; the fd must stay open until
 * elf_end()) or from a memory image (which must outlive the Elf). Returns 0
 * and *out, or -EINVAL if it is not a valid ELF file, or -ENOMEM.
 */
int elf__open_fd(int fd, Elf **out);
int elf__open_mem(void *image, size_t size, Elf **out);

/*
 * The PT_LOAD segments of elf, in file order. Returns their count (0 if
 * none) and a malloc'd array in *out that the caller frees, or -EINVAL or
 * -ENOMEM. At most 256 are kept.
 */
int elf__segments(Elf *elf, struct elf_seg **out);

/*
 * Copies the GNU build id (NT_GNU_BUILD_ID, from PT_NOTE segments or, in
 * their absence, SHT_NOTE sections) into buf. Returns its length, -ENOENT if
 * there is none, or -E2BIG if it is longer than size.
 */
int elf__build_id(Elf *elf, uint8_t *buf, size_t size);
/*
 * Copies the Go build id (the Go linker's "Go" note, printable text) into
 * buf, NUL-terminated. Returns its length, -ENOENT or -E2BIG.
 */
int elf__go_build_id(Elf *elf, char *buf, size_t size);

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
