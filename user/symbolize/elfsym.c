// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "elfsym.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SEGS_MAX 256
#define NOTES_MAX (1u << 16) /* bytes of one note block read */

struct esym {
	uint64_t addr;
	uint64_t end;  /* exclusive; addr + size, or a bound for size 0 */
	uint32_t name; /* offset in the arena */
	uint8_t rank;  /* alias preference: global, weak, local */
	uint8_t sized; /* st_size was not 0 */
	uint8_t under; /* leading underscores, for alias preference */
};

struct elfsym {
	struct symbolizer sym; /* first: the symbolizer interface */
	struct esym *syms;
	unsigned int n, cap;
	char *names;
	size_t names_len, names_cap;
};

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

int elf__open_mem(void *image, size_t size, Elf **out)
{
	if (!libelf_ready())
		return -EINVAL;
	return check_elf(elf_memory(image, size), out);
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

static int add_name(struct elfsym *es, const char *s, uint32_t *off)
{
	size_t len = strlen(s) + 1;

	if (len > ELFSYM_MAX_NAMES - es->names_len)
		return -E2BIG;
	if (es->names_len + len > es->names_cap) {
		size_t ncap = es->names_cap ? es->names_cap * 2 : 1 << 16;
		char *p;

		while (ncap < es->names_len + len)
			ncap *= 2;
		p = realloc(es->names, ncap);
		if (!p)
			return -ENOMEM;
		es->names = p;
		es->names_cap = ncap;
	}
	memcpy(es->names + es->names_len, s, len);
	*off = (uint32_t)es->names_len;
	es->names_len += len;
	return 0;
}

/* The end address of section shndx, 0 if unknown; remembers the last one. */
static uint64_t section_end(Elf *elf, size_t shndx, size_t *last_idx, uint64_t *last_end)
{
	GElf_Shdr sh;
	Elf_Scn *scn;

	if (shndx == *last_idx)
		return *last_end;
	scn = elf_getscn(elf, shndx);
	*last_idx = shndx;
	*last_end = 0;
	if (scn && gelf_getshdr(scn, &sh) && sh.sh_addr + sh.sh_size >= sh.sh_addr)
		*last_end = sh.sh_addr + sh.sh_size;
	return *last_end;
}

/* Adds the function symbols of one symbol table. Returns 0, -E2BIG when a
 * bound was hit (the symbols so far are kept), or -ENOMEM. */
static int load_table(struct elfsym *es, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	size_t symsize = gelf_fsize(elf, ELF_T_SYM, 1, EV_CURRENT);
	size_t last_idx = SIZE_MAX;
	uint64_t last_end = 0;
	Elf_Data *data;

	GElf_Shdr strsh;
	Elf_Scn *strscn = elf_getscn(elf, sh->sh_link);

	/* libelf reads a whole section into memory: refuse absurd sizes first. */
	if (!symsize || sh->sh_size / symsize > ELFSYM_MAX_SYMS * 4 || !strscn ||
	    !gelf_getshdr(strscn, &strsh) || strsh.sh_size > ELFSYM_MAX_NAMES * 4)
		return 0;
	data = elf_getdata(scn, NULL);
	if (!data)
		return 0;
	for (size_t i = 1; i < data->d_size / symsize; i++) {
		const char *name;
		struct esym *e;
		GElf_Sym s;
		int type, bind, err;

		if (!gelf_getsym(data, (int)i, &s))
			break;
		type = GELF_ST_TYPE(s.st_info);
		bind = GELF_ST_BIND(s.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || !s.st_value ||
		    s.st_shndx == SHN_UNDEF || s.st_shndx >= SHN_LORESERVE)
			continue;
		name = elf_strptr(elf, sh->sh_link, s.st_name);
		if (!name || !*name)
			continue;
		if (es->n == ELFSYM_MAX_SYMS)
			return -E2BIG;
		if (es->n == es->cap) {
			unsigned int ncap = es->cap ? es->cap * 2 : 1024;

			e = realloc(es->syms, ncap * sizeof(*e));
			if (!e)
				return -ENOMEM;
			es->syms = e;
			es->cap = ncap;
		}
		e = &es->syms[es->n];
		err = add_name(es, name, &e->name);
		if (err)
			return err;
		e->addr = s.st_value;
		e->sized = s.st_size && s.st_value + s.st_size > s.st_value;
		e->end = e->sized ? s.st_value + s.st_size
				  : section_end(elf, s.st_shndx, &last_idx, &last_end);
		e->rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
		e->under = (uint8_t)strspn(name, "_");
		es->n++;
	}
	return 0;
}

/* By address; among aliases, first a sized one, then the one with fewest
 * leading underscores ("getpid" over "__getpid", "clock_gettime" over
 * "__vdso_clock_gettime"), then global before weak before local, then the
 * first seen. */
static int cmp_esym(const void *a, const void *b)
{
	const struct esym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->sized != y->sized)
		return x->sized ? -1 : 1;
	if (x->under != y->under)
		return x->under < y->under ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

/* Keeps one symbol per address, bounds size-0 symbols by the next symbol,
 * and rebuilds the arena with only the names kept (.symtab and .dynsym
 * mostly repeat each other). */
static int finish(struct elfsym *es)
{
	char *old = es->names;
	unsigned int i, j;
	size_t len = 0;

	qsort(es->syms, es->n, sizeof(*es->syms), cmp_esym);
	for (i = 1, j = es->n ? 1 : 0; i < es->n; i++) {
		if (es->syms[i].addr != es->syms[j - 1].addr)
			es->syms[j++] = es->syms[i];
	}
	es->n = j;
	for (i = 0; i < es->n; i++) {
		struct esym *e = &es->syms[i];
		uint64_t next = i + 1 < es->n ? es->syms[i + 1].addr : UINT64_MAX;

		if (!e->sized && (e->end <= e->addr || e->end > next))
			e->end = next == UINT64_MAX ? e->addr + 1 : next;
		len += strlen(old + e->name) + 1;
	}
	es->names = malloc(len ? len : 1);
	if (!es->names) {
		es->names = old;
		return -ENOMEM;
	}
	es->names_len = es->names_cap = 0;
	for (i = 0; i < es->n; i++) {
		size_t l = strlen(old + es->syms[i].name) + 1;

		memcpy(es->names + es->names_len, old + es->syms[i].name, l);
		es->syms[i].name = (uint32_t)es->names_len;
		es->names_len += l;
	}
	es->names_cap = es->names_len;
	free(old);
	return 0;
}

static int sym_lookup(struct symbolizer *sym, uint64_t addr, struct sym_frame *out, int max)
{
	return elfsym__lookup((struct elfsym *)sym, addr, out, max);
}

static void sym_free(struct symbolizer *sym)
{
	elfsym__free((struct elfsym *)sym);
}

static const struct symbolizer_ops elfsym_ops = {
	.kind = "elf",
	.lookup = sym_lookup,
	.free = sym_free,
};

int elfsym__load(Elf *elf, struct elfsym **out)
{
	struct elfsym *es;
	Elf_Scn *scn = NULL;
	int err = 0;

	*out = NULL;
	es = calloc(1, sizeof(*es));
	if (!es)
		return -ENOMEM;
	es->sym.ops = &elfsym_ops;
	while (!err && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) ||
		    (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM))
			continue;
		err = load_table(es, elf, scn, &sh);
	}
	/* Past a bound, keep what was loaded: some symbols beat none. */
	if (err == -E2BIG)
		err = 0;
	if (!err && !es->n)
		err = -ENOENT;
	if (!err)
		err = finish(es);
	if (err) {
		elfsym__free(es);
		return err;
	}
	*out = es;
	return 0;
}

/* How many symbols before the nearest one to look at for one that encloses
 * it (a sized symbol nested in a larger function). */
#define ENCLOSING_SCAN 4

int elfsym__lookup(const struct elfsym *es, uint64_t vaddr, struct sym_frame *out, int max)
{
	unsigned int lo = 0, hi = es->n;

	if (max < 1)
		return 0;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (es->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (unsigned int i = lo; i > 0 && lo - i < ENCLOSING_SCAN; i--) {
		const struct esym *e = &es->syms[i - 1];

		if (vaddr < e->end) {
			*out = (struct sym_frame){ .name = es->names + e->name, .entry = e->addr };
			return 1;
		}
	}
	return 0;
}

struct symbolizer *elfsym__symbolizer(struct elfsym *es)
{
	return &es->sym;
}

unsigned int elfsym__count(const struct elfsym *es)
{
	return es->n;
}

void elfsym__free(struct elfsym *es)
{
	if (!es)
		return;
	free(es->syms);
	free(es->names);
	free(es);
}
