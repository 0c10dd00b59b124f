// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* elfsym.c: function symbols of .symtab and .dynsym (see elfsym.h). */
#include "elfsym.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
