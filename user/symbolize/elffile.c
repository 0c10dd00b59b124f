// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* elffile.c: the ELF container, read through libelf (see elffile.h). */
#include "elffile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SEGS_MAX 256
#define NOTES_MAX (1u << 16) /* bytes of one note block read */

/* elf_version() only records the version libelf is to use: cheap enough to
 * call on every open, which spares a global "initialized" flag. */
static bool libelf_ready(void)
{
	return elf_version(EV_CURRENT) != EV_NONE;
}

static int check_elf(Elf *elf, Elf **out)
{
	if (!elf)
		return -EINVAL;
	if (elf_kind(elf) != ELF_K_ELF || gelf_getclass(elf) == ELFCLASSNONE) {
		elf_end(elf);
		return -EINVAL;
	}
	*out = elf;
	return 0;
}

/*
 * ELF_C_READ rather than ELF_C_READ_MMAP: libelf then reads the sections it
 * is asked for with pread(), so a file truncated under us (a shared library
 * can be, while mapped) gives a read error instead of SIGBUS, and only the
 * symbol tables are read, not the whole file.
 */
int elf__open_fd(int fd, Elf **out)
{
	if (!libelf_ready())
		return -EINVAL;
	return check_elf(elf_begin(fd, ELF_C_READ, NULL), out);
}

int elf__open_mem(const void *image, size_t size, Elf **out)
{
	if (!libelf_ready())
		return -EINVAL;
	/* elf_memory() reads the image in place (ELF_C_READ_MMAP) and, for a
	 * foreign byte order, converts into copies: the const is kept. */
	return check_elf(elf_memory((char *)image, size), out);
}

int elf__segments(Elf *elf, struct elf_seg **out)
{
	struct elf_seg *segs = NULL;
	size_t nphdr;
	int n = 0;

	*out = NULL;
	if (elf_getphdrnum(elf, &nphdr))
		return -EINVAL;
	for (size_t i = 0; i < nphdr && n < SEGS_MAX; i++) {
		GElf_Phdr ph;
		struct elf_seg *s;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			free(segs);
			return -EINVAL;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		s = realloc(segs, (n + 1) * sizeof(*s));
		if (!s) {
			free(segs);
			return -ENOMEM;
		}
		segs = s;
		segs[n++] = (struct elf_seg){ ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz,
					      ph.p_flags };
	}
	*out = segs;
	return n;
}

/*
 * Searches one block of notes for a note of this type and name (with its
 * NUL). Returns the descriptor length, 0 if absent, or -E2BIG.
 */
static int find_note(Elf_Data *data, uint32_t type, const char *name, size_t namesz,
		     uint8_t *buf, size_t size)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	if (!data)
		return 0;
	while (off < data->d_size &&
	       (next = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
		const char *d = data->d_buf;

		off = next;
		if (nh.n_type != type || nh.n_namesz != namesz || memcmp(d + name_off, name, namesz))
			continue;
		/* gelf_getnote() checked the bounds; a hostile note gets no trust. */
		if (desc_off > data->d_size || nh.n_descsz > data->d_size - desc_off ||
		    !nh.n_descsz)
			continue;
		if (nh.n_descsz > size)
			return -E2BIG;
		memcpy(buf, d + desc_off, nh.n_descsz);
		return (int)nh.n_descsz;
	}
	return 0;
}

/* The first note of this type and name, in PT_NOTE segments, else SHT_NOTE sections. */
static int elf__note(Elf *elf, uint32_t type, const char *name, size_t namesz, uint8_t *buf,
		     size_t size)
{
	Elf_Scn *scn = NULL;
	size_t nphdr;
	int ret;

	if (!elf_getphdrnum(elf, &nphdr)) {
		for (size_t i = 0; i < nphdr; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_NOTE ||
			    ph.p_filesz > NOTES_MAX)
				continue;
			ret = find_note(elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
							     ph.p_align == 8 ? ELF_T_NHDR8
									     : ELF_T_NHDR),
					type, name, namesz, buf, size);
			if (ret)
				return ret;
		}
	}
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE || sh.sh_size > NOTES_MAX)
			continue;
		ret = find_note(elf_getdata(scn, NULL), type, name, namesz, buf, size);
		if (ret)
			return ret;
	}
	return -ENOENT;
}

int elf__build_id(Elf *elf, uint8_t *buf, size_t size)
{
	return elf__note(elf, NT_GNU_BUILD_ID, "GNU", 4, buf, size);
}

/* The Go linker's note: name "Go", type 4 (cmd/link's ELF_NOTE_GOBUILDID_TAG). */
#define NT_GO_BUILD_ID 4

int elf__go_build_id(Elf *elf, char *buf, size_t size)
{
	int n;

	if (size < 2)
		return -E2BIG;
	n = elf__note(elf, NT_GO_BUILD_ID, "Go\0", 4, (uint8_t *)buf, size - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	/* A build id is printable text; anything else is not one. */
	for (int i = 0; i < n; i++) {
		if (buf[i] < 0x21 || buf[i] > 0x7e) {
			buf[0] = '\0';
			return -ENOENT;
		}
	}
	return n;
}

int elf__section(Elf *elf, const char *name, struct elf_section *out)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return -ENOENT;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *s;

		if (!gelf_getshdr(scn, &sh))
			continue;
		s = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!s || strcmp(s, name))
			continue;
		*out = (struct elf_section){ sh.sh_type, sh.sh_addr, sh.sh_offset, sh.sh_size };
		return 0;
	}
	return -ENOENT;
}

int elf__symbol_values(Elf *elf, const char *const *names, unsigned n, uint64_t *values,
		       uint64_t max_syms)
{
	size_t symsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	Elf_Scn *scn = NULL;
	Elf_Data *data;
	GElf_Shdr sh;

	memset(values, 0, n * sizeof(*values));
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
			break;
	if (!scn || !symsize)
		return -ENOENT;
	/* libelf reads a whole section into memory: refuse absurd sizes first. */
	if (sh.sh_size / symsize > max_syms)
		return -E2BIG;
	data = elf_getdata(scn, NULL);
	if (!data)
		return -ENOENT;
	for (size_t i = 1; i < data->d_size / symsize; i++) {
		const char *s;
		GElf_Sym sym;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		s = elf_strptr(elf, sh.sh_link, sym.st_name);
		for (unsigned k = 0; s && k < n; k++)
			if (!strcmp(s, names[k]))
				values[k] = sym.st_value;
	}
	return 0;
}

/* R_*_RELATIVE of the RELA machines Go supports; 0 if unknown. */
static uint32_t relative_type(Elf *elf)
{
	GElf_Ehdr eh;

	if (!gelf_getehdr(elf, &eh))
		return 0;
	switch (eh.e_machine) {
	case EM_X86_64:
		return R_X86_64_RELATIVE;
	case EM_AARCH64:
		return R_AARCH64_RELATIVE;
	case EM_PPC64:
		return R_PPC64_RELATIVE;
	case EM_S390:
		return R_390_RELATIVE;
	case EM_RISCV:
		return R_RISCV_RELATIVE;
	case EM_LOONGARCH:
		return R_LARCH_RELATIVE;
	default:
		return 0;
	}
}

int elf__relative_relocs(Elf *elf, int (*visit)(uint64_t offset, uint64_t addend, void *arg),
			 void *arg)
{
	uint32_t rtype = relative_type(elf);
	size_t relsize = gelf_fsize(elf, ELF_T_RELA, 1, EV_CURRENT);
	Elf_Scn *scn = NULL;

	if (!rtype || !relsize)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		Elf_Data *data;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < data->d_size / relsize; i++) {
			GElf_Rela r;
			int ret;

			if (!gelf_getrela(data, (int)i, &r))
				break;
			if (GELF_R_TYPE(r.r_info) != rtype)
				continue;
			ret = visit(r.r_offset, (uint64_t)r.r_addend, arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}
