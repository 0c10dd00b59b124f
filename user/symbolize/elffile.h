/*
 * elffile.h: the one ELF container reader of bpflame, over libelf. The table
 * decoders (elfsym.c's symbol tables, gopclntab.c's Go pclntab) ask it for
 * what the container holds and never parse ELF headers themselves.
 *
 * It gives: PT_LOAD segments, sections by name, the values of named symbols
 * of .symtab, RELATIVE relocations, and the GNU and Go build ids.
 *
 * Input may be hostile or truncated: libelf checks headers and section
 * bounds, and this module checks what it hands on. A file cut before its
 * section headers still opens, with its segments and no sections (a Go
 * pclntab can then be found by scanning the segments).
 *
 * Errors are negative errno values: -EINVAL for a file that is not ELF or
 * is corrupt, -ENOENT for something the file does not have.
 */
#ifndef BPFLAME_ELFFILE_H
#define BPFLAME_ELFFILE_H

#include <gelf.h>
#include <libelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A PT_LOAD program header. */
struct elf_seg {
	uint64_t offset, vaddr, filesz, memsz;
	uint32_t flags; /* PF_R | PF_W | PF_X */
};

/* A section header, as the decoders need it. */
struct elf_section {
	uint32_t type; /* SHT_* */
	uint64_t addr, offset, size;
};

#define ELF_BUILD_ID_MAX 64

/*
 * Opens an ELF file from fd (read with pread, so a file truncated under us
 * gives a read error, not SIGBUS; the fd must stay open until elf_end()) or
 * from a memory image (which must outlive the Elf; it is never written).
 * Returns 0 and *out, or -EINVAL if it is not a valid ELF file.
 */
int elf__open_fd(int fd, Elf **out);
int elf__open_mem(const void *image, size_t size, Elf **out);

/*
 * The PT_LOAD segments of elf, in file order. Returns their count (0 if
 * none) and a malloc'd array in *out that the caller frees, or -EINVAL or
 * -ENOMEM. At most 256 are kept.
 */
int elf__segments(Elf *elf, struct elf_seg **out);

/* The section named name: 0 and *out, or -ENOENT. */
int elf__section(Elf *elf, const char *name, struct elf_section *out);

/*
 * Reads the values of the symbols of .symtab (the static table, not
 * .dynsym) named names[0..n) into values (0 for a name not found; of
 * several symbols of one name, the last). Returns 0, -ENOENT if there is no
 * .symtab, or -E2BIG if it has more than max_syms symbols (nothing read).
 */
int elf__symbol_values(Elf *elf, const char *const *names, unsigned n, uint64_t *values,
		       uint64_t max_syms);

/*
 * Calls visit(offset, addend, arg) for each R_<machine>_RELATIVE relocation
 * of the SHT_RELA sections, in file order, until visit returns non-zero
 * (which is returned). Machines: x86-64, aarch64, ppc64, s390x, riscv64,
 * loong64 (Go's RELA targets); other machines have none. Returns 0 when all
 * were visited.
 */
int elf__relative_relocs(Elf *elf, int (*visit)(uint64_t offset, uint64_t addend, void *arg),
			 void *arg);

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

#endif /* BPFLAME_ELFFILE_H */
