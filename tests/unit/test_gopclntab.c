// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_gopclntab.c: the Go pclntab reader, through gopclntab.h only.
 *
 * 1. Hand-made tables for every header version (0xFFFFFFFB, FA, F0, F1),
 *    both byte orders, 4- and 8-byte pointers, quantum 1 and 4: the
 *    expected answers are known by construction.
 * 2. Corrupt tables: offsets out of range, names without NUL, a cyclic
 *    inline chain, every truncation of a table; errors, never crashes.
 * 3. Real binaries built here with every Go toolchain found (and cross-built
 *    for 386, arm, arm64, ppc64, s390x): names checked against `go tool nm`,
 *    file:line against `go tool addr2line` of the newest toolchain, inline
 *    chains against the fixture's source lines, SP deltas against
 *    `go tool objdump`. Skipped without Go.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopclntab.h"
#include "tap.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- hand-made tables ---- */

enum { FB = 0xFFFFFFFB, FA = 0xFFFFFFFA, F0 = 0xFFFFFFF0, F1 = 0xFFFFFFF1 };

#define VADDR 0x100000ULL /* where a hand-made blob is "loaded" */
#define TEXT 0x401000ULL  /* text start of its two functions */

struct tb {
	uint8_t b[4096];
	size_t len;
	uint32_t magic;
	bool be;
	unsigned w, q;
};

static void put(struct tb *t, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned shift = t->be ? 8 * (n - 1 - i) : 8 * i;

		t->b[off + i] = (uint8_t)(v >> shift);
	}
}

static size_t emit(struct tb *t, uint64_t v, unsigned n)
{
	size_t at = t->len;

	put(t, at, v, n);
	t->len += n;
	return at;
}

static size_t emit_bytes(struct tb *t, const void *s, size_t n)
{
	size_t at = t->len;

	memcpy(t->b + at, s, n);
	t->len += n;
	return at;
}

static void align(struct tb *t, unsigned a)
{
	while (t->len % a)
		t->b[t->len++] = 0;
}

static void uvarint(struct tb *t, uint32_t v)
{
	while (v >= 0x80) {
		t->b[t->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	t->b[t->len++] = (uint8_t)v;
}

/* A pc-value table: n runs of (value, length in bytes). Returns its start. */
static size_t pcvals(struct tb *t, int n, const int32_t *val, const uint32_t *len)
{
	size_t at = t->len;
	int32_t prev = -1;

	for (int i = 0; i < n; i++) {
		int32_t d = val[i] - prev;

		uvarint(t, ((uint32_t)d << 1) ^ (uint32_t)(d >> 31));
		uvarint(t, len[i] / t->q);
		prev = val[i];
	}
	t->b[t->len++] = 0;
	return at;
}

/* Knobs for corrupting a hand-made table. */
struct twist {
	bool cyclic;       /* inline record 0's parent pc points back into itself */
	bool bad_funcoff;  /* g's _func offset beyond the table */
	bool bad_nameoff;  /* f's name offset beyond the table */
	bool unterminated; /* f's name runs to the end of the table without NUL */
	bool bad_pcln;     /* f's line table offset beyond the table */
	bool huge_inl_ix;  /* g's inline index far beyond its tree */
	bool bad_functab;  /* header's functab offset beyond the table */
	bool huge_nfunc;   /* header's nfunc absurdly large */
	bool bad_pcsp;     /* f's pcsp offset beyond the table, g's 0 (none) */
};

struct layout {
	size_t nameoff_f, nameoff_g, nameoff_inl, nameoff_inl2;
	uint64_t gofunc; /* address of go:func.* for 1.18+ */
};

/*
 * Builds a table with two functions:
 *   main.f [TEXT, TEXT+0x40): a.go, line 10 then (from +0x10) line 11.
 *   main.g [TEXT+0x40, TEXT+0x80): line 20 in b.go on [0, 0x20), then
 *     line 30 in a.go; inline index -1 on [0, 0x20), 0 on [0x20, 0x30),
 *     1 on [0x30, 0x40). Tree: 0 = main.inl called at +0x08,
 *     1 = main.inl2 called at +0x20. So +0x35 expands to
 *     main.inl2 a.go:30, main.inl a.go:30, main.g b.go:20.
 *   SP delta: f 0 on [0, 4), 0x18 on [4, 0x3c), 0 on [0x3c, 0x40); g 0.
 * Layout, 1.16+: header, names, cutab, files, pc tables, functab, _func
 * records, funcdata, tree. 1.2-1.15: header, functab, filetab offset and
 * filetab, then the rest; every offset counts from the table start.
 */
static void build(struct tb *t, uint32_t magic, bool be, unsigned w, unsigned q,
		  const struct twist *tw, struct layout *lo)
{
	bool v116 = magic != FB, v118 = magic == F0 || magic == F1, v120 = magic == F1;
	unsigned nhdr = v118 ? 8 : v116 ? 7 : 1, fsz = v118 ? 4 : w, es = v118 ? 4 : w;
	size_t nametab = 0, cutab = 0, filetab = 0, pctab = 0, functab = 0, fb_filetab = 0;
	size_t fn[2], pcsp[2], pcfile[2], pcln[2], pcinl, names[4], files[2], tree, fd;
	size_t slot = v116 ? 3 : 4, nslots = slot + 1;
	static const struct twist none;

	if (!tw)
		tw = &none;
	memset(t, 0, sizeof(*t));
	t->magic = magic;
	t->be = be;
	t->w = w;
	t->q = q;
	put(t, 0, magic, 4);
	t->b[6] = (uint8_t)q;
	t->b[7] = (uint8_t)w;
	t->len = 8 + nhdr * w;
	if (!v116) {
		functab = t->len;
		t->len += 5 * w + 4; /* functab, then the filetab offset */
		fb_filetab = t->len;
		t->len += 12; /* count, then two file name offsets */
	}
	nametab = t->len;
	names[0] = emit_bytes(t, "main.f", 7);
	names[1] = emit_bytes(t, "main.g", 7);
	names[2] = emit_bytes(t, "main.inl", 9);
	names[3] = emit_bytes(t, "main.inl2", 10);
	align(t, 4);
	if (v116) {
		cutab = t->len;
		emit(t, 0, 4); /* cu 0: file 0 = a.go, at filetab + 0 */
		emit(t, 5, 4); /*       file 1 = b.go, at filetab + 5 */
	}
	filetab = t->len;
	files[0] = emit_bytes(t, "a.go", 5);
	files[1] = emit_bytes(t, "b.go", 5);
	align(t, 4);
	if (!v116) {
		put(t, functab + 5 * w, fb_filetab, 4);
		put(t, fb_filetab, 3, 4);
		put(t, fb_filetab + 4, files[0], 4);
		put(t, fb_filetab + 8, files[1], 4);
	}

	pctab = t->len;
	t->b[t->len++] = 0; /* offset 0 means "no table" */
	/* File numbers: cutab indexes 1.16+; 1.2-1.15 filetab indexes from 1. */
	pcfile[0] = pcvals(t, 1, (int32_t[]){ v116 ? 0 : 1 }, (uint32_t[]){ 0x40 });
	pcln[0] = pcvals(t, 2, (int32_t[]){ 10, 11 }, (uint32_t[]){ 0x10, 0x30 });
	pcfile[1] = pcvals(t, 2, (int32_t[]){ v116 ? 1 : 2, v116 ? 0 : 1 },
			   (uint32_t[]){ 0x20, 0x20 });
	pcln[1] = pcvals(t, 2, (int32_t[]){ 20, 30 }, (uint32_t[]){ 0x20, 0x20 });
	pcsp[0] = pcvals(t, 3, (int32_t[]){ 0, 0x18, 0 }, (uint32_t[]){ 4, 0x38, 4 });
	pcsp[1] = pcvals(t, 1, (int32_t[]){ 0 }, (uint32_t[]){ 0x40 });
	pcinl = pcvals(t, 3, (int32_t[]){ -1, tw->huge_inl_ix ? 0x7ffffff : 0, 1 },
		       (uint32_t[]){ 0x20, 0x10, 0x10 });
	align(t, 8);
	if (v116) {
		functab = t->len;
		t->len += 5 * fsz;
		align(t, 8);
	}

	for (int i = 0; i < 2; i++) {
		uint64_t entry = TEXT + 0x40 * (uint64_t)i;
		size_t tabbase = v116 ? pctab : 0;
		uint32_t nameoff = (uint32_t)(names[i] - (v116 ? nametab : 0));

		if (i == 0 && tw->bad_nameoff)
			nameoff = 0x7fff0000;
		align(t, 8);
		fn[i] = t->len;
		emit(t, v118 ? entry - TEXT : entry, es);
		emit(t, nameoff, 4);
		emit(t, 0, 4); /* args */
		emit(t, 0, 4); /* deferreturn */
		if (tw->bad_pcsp)
			emit(t, i == 0 ? 0x7fff0000 : 0, 4); /* pcsp */
		else
			emit(t, pcsp[i] - tabbase, 4);
		emit(t, pcfile[i] - tabbase, 4);
		emit(t, tw->bad_pcln && i == 0 ? 0x7fff0000 : pcln[i] - tabbase, 4);
		emit(t, i == 1 ? 3 : 0, 4); /* npcdata */
		if (v116)
			emit(t, 0, 4); /* cuOffset */
		if (v120)
			emit(t, 0, 4); /* startLine */
		emit(t, 0, 1);	       /* funcID */
		emit(t, 0, 1);	       /* flag */
		emit(t, 0, 1);
		emit(t, i == 1 ? nslots : 0, 1); /* nfuncdata */
		if (i == 1) {
			emit(t, 0, 4);
			emit(t, 0, 4);
			emit(t, pcinl - tabbase, 4);
		}
	}
	/* g's funcdata: pointer-sized and 8-aligned before 1.18, 1.18+ u32
	 * offsets from go:func.*. */
	if (!v118 && w == 8 && ((VADDR + t->len) & 4))
		t->len += 4;
	fd = t->len;
	t->len += nslots * (v118 ? 4 : w);
	align(t, 8);
	tree = t->len;
	lo->gofunc = VADDR + tree - 0x100;
	for (size_t s = 0; s < nslots; s++) {
		uint64_t v = v118 ? 0xFFFFFFFF : 0;

		if (s == slot)
			v = v118 ? 0x100 : VADDR + tree;
		put(t, fd + s * (v118 ? 4 : w), v, v118 ? 4 : w);
	}
	for (int r = 0; r < 2; r++) {
		uint32_t nameoff = (uint32_t)(names[2 + r] - (v116 ? nametab : 0));
		uint32_t parent = r == 0 ? (tw->cyclic ? 0x28 : 0x08) : 0x20;

		if (v120) {
			emit(t, 0, 4); /* funcID, pad */
			emit(t, nameoff, 4);
			emit(t, parent, 4);
			emit(t, 1, 4); /* startLine */
		} else {
			emit(t, 0xFFFF, 2); /* parent */
			emit(t, 0, 2);	    /* funcID, pad */
			emit(t, 0, 4);	    /* file */
			emit(t, 0, 4);	    /* line */
			emit(t, nameoff, 4);
			emit(t, parent, 4);
		}
	}
	if (tw->unterminated) {
		/* f's name: the last bytes of the table, with no NUL. */
		size_t at = emit_bytes(t, "main.unterminated", 17);

		put(t, fn[0] + es, at - (v116 ? nametab : 0), 4);
	}
	for (int i = 0; i < 3; i++) {
		uint64_t pc = TEXT + 0x40 * (uint64_t)i;

		put(t, functab + 2 * i * fsz, v118 ? pc - TEXT : pc, fsz);
		if (i < 2) {
			uint64_t off = fn[i] - (v116 ? functab : 0);

			if (i == 1 && tw->bad_funcoff)
				off = 0x7ffff000;
			put(t, functab + (2 * i + 1) * fsz, off, fsz);
		}
	}
	{
		uint64_t words[8] = { 2, 2 };
		unsigned k = 2;

		if (tw->huge_nfunc)
			words[0] = w == 8 ? (uint64_t)1 << 40 | 7 : 0x7ffffff0;
		if (v118)
			words[k++] = TEXT;
		if (v116) {
			words[k++] = nametab;
			words[k++] = cutab;
			words[k++] = filetab;
			words[k++] = pctab;
			words[k++] = tw->bad_functab ? t->len + 64 : functab;
		}
		for (unsigned i = 0; i < nhdr; i++)
			put(t, 8 + i * w, words[i], w);
	}
	lo->nameoff_f = names[0];
	lo->nameoff_g = names[1];
	lo->nameoff_inl = names[2];
	lo->nameoff_inl2 = names[3];
}

static const char *magic_name(uint32_t m)
{
	return m == FB ? "FB" : m == FA ? "FA" : m == F0 ? "F0" : "F1";
}

/* Opens a copy of exactly len bytes so that overreads hit a guard in ASan/valgrind. */
static int open_copy(const struct tb *t, size_t len, uint64_t gofunc, void **copy,
		     struct gopclntab **tab)
{
	*copy = malloc(len ? len : 1);
	memcpy(*copy, t->b, len);
	return gopclntab__open_raw(*copy, len, VADDR, 0, gofunc, tab);
}

static void check_frame(const struct sym_frame *f, const char *name, const char *file,
			unsigned line, bool inlined, const char *what)
{
	is_str(f->name, name, "%s: name", what);
	is_str(f->file, file, "%s: file", what);
	is_int(f->line, line, "%s: line", what);
	is_int(f->inlined, inlined, "%s: inlined flag", what);
}

/*
 * With GOPCLNTAB_SEEDS=DIR set, each hand-made table is also written there as
 * an input of tests/fuzz/fuzz_gopclntab.c (raw mode: a byte 1, the text start
 * 0 and go:func.* as 8 little-endian bytes each, then the table), which is
 * how tests/fuzz/corpus/fuzz_gopclntab/ was made.
 */
static void write_seed(const struct tb *t, const struct layout *lo, const char *name)
{
	const char *dir = getenv("GOPCLNTAB_SEEDS");
	uint8_t head[17] = { 1 };
	char path[512];
	FILE *f;

	if (!dir)
		return;
	for (int i = 0; i < 8; i++)
		head[9 + i] = (uint8_t)(lo->gofunc >> (8 * i));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(head, 1, sizeof(head), f);
	fwrite(t->b, 1, t->len, f);
	fclose(f);
}

static void check_version(uint32_t magic, bool be, unsigned w, unsigned q)
{
	struct sym_frame fr[SYM_MAX_INLINE];
	struct gopclntab *tab;
	struct layout lo;
	struct tb t;
	char what[96];
	void *copy;
	int n, err;
	bool inl = magic != FB;

	build(&t, magic, be, w, q, NULL, &lo);
	snprintf(what, sizeof(what), "%s %s-endian ptr%u quantum %u", magic_name(magic),
		 be ? "big" : "little", w, q);
	{
		char seed[64];

		snprintf(seed, sizeof(seed), "hand-%s-%s-%u-%u", magic_name(magic),
			 be ? "be" : "le", w, q);
		write_seed(&t, &lo, seed);
	}
	err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
	if (!ok(err == 0, "%s: opens", what)) {
		free(copy);
		return;
	}
	n = gopclntab__lookup(tab, TEXT, fr, SYM_MAX_INLINE);
	is_int(n, 1, "%s: f entry has one frame", what);
	check_frame(&fr[0], "main.f", "a.go", 10, false, what);
	is_int(fr[0].entry, TEXT, "%s: entry of f", what);
	n = gopclntab__lookup(tab, TEXT + 0x3f, fr, SYM_MAX_INLINE);
	ok(n == 1 && fr[0].line == 11, "%s: f+0x3f line 11", what);
	n = gopclntab__lookup(tab, TEXT + 0x44, fr, SYM_MAX_INLINE);
	ok(n == 1, "%s: g+0x04 is not inlined", what);
	check_frame(&fr[0], "main.g", "b.go", 20, false, what);
	n = gopclntab__lookup(tab, TEXT + 0x75, fr, SYM_MAX_INLINE);
	if (inl) {
		is_int(n, 3, "%s: g+0x35 expands to 3 frames", what);
		check_frame(&fr[0], "main.inl2", "a.go", 30, true, what);
		check_frame(&fr[1], "main.inl", "a.go", 30, true, what);
		check_frame(&fr[2], "main.g", "b.go", 20, false, what);
		is_int(fr[2].entry, TEXT + 0x40, "%s: entry of g", what);
	} else {
		/* Raw 1.2-1.15 tables carry no buildinfo to say the tree is of
		 * the 1.12+ kind: the physical frame only. */
		is_int(n, 1, "%s: g+0x35 physical frame", what);
		check_frame(&fr[0], "main.g", "a.go", 30, false, what);
	}
	/* max = 1: the physical function with pc's own line. */
	n = gopclntab__lookup(tab, TEXT + 0x75, fr, 1);
	ok(n == 1 && !strcmp(fr[0].name, "main.g") && fr[0].line == 30,
	   "%s: max 1 gives the physical function, innermost line", what);
	is_int(gopclntab__lookup(tab, TEXT - 1, fr, 4), 0, "%s: below text", what);
	is_int(gopclntab__lookup(tab, TEXT + 0x80, fr, 4), 0, "%s: at the end pc", what);
	ok(strstr(gopclntab__describe(tab), be ? "big" : "little") != NULL, "%s: describe '%s'",
	   what, gopclntab__describe(tab));
	{
		static const struct {
			uint64_t pc;
			int32_t delta;
		} sp[] = {
			{ TEXT, 0 },    { TEXT + 3, 0 },    { TEXT + 4, 0x18 },
			{ TEXT + 0x3b, 0x18 }, { TEXT + 0x3c, 0 }, { TEXT + 0x3f, 0 },
			{ TEXT + 0x40, 0 },    { TEXT + 0x7f, 0 },
		};
		int good = 0;

		/* Twice, in this order and then backwards: the decode cache
		 * must give the answers a fresh decode gives. */
		for (int k = 0; k < 2 * (int)ARRAY_LEN(sp); k++) {
			int i = k < (int)ARRAY_LEN(sp) ? k : 2 * (int)ARRAY_LEN(sp) - 1 - k;
			int32_t d = -1;

			if (gopclntab__sp_delta(tab, sp[i].pc, &d) == 0 && d == sp[i].delta)
				good++;
			else
				printf("# sp delta at %#llx: %d, want %d\n",
				       (unsigned long long)sp[i].pc, d, sp[i].delta);
		}
		is_int(good, 2 * ARRAY_LEN(sp), "%s: sp deltas of f and g", what);
		is_int(gopclntab__sp_delta(tab, TEXT - 1, &(int32_t){ 0 }), -ENOENT,
		       "%s: sp delta below text: -ENOENT", what);
		is_int(gopclntab__sp_delta(tab, TEXT + 0x80, &(int32_t){ 0 }), -ENOENT,
		       "%s: sp delta at the end pc: -ENOENT", what);
	}
	/* Through the symbolizer interface too. */
	n = symbolizer_lookup(gopclntab__symbolizer(tab), TEXT + 0x10, fr, SYM_MAX_INLINE);
	ok(n == 1 && fr[0].line == 11, "%s: symbolizer interface", what);
	gopclntab__free(tab);
	free(copy);
}

static void test_versions(void)
{
	static const uint32_t magics[] = { FB, FA, F0, F1 };

	for (size_t m = 0; m < ARRAY_LEN(magics); m++)
		for (int be = 0; be < 2; be++)
			for (unsigned w = 4; w <= 8; w += 4)
				for (unsigned q = 1; q <= 4; q += 3)
					check_version(magics[m], be, w, q);
}

static void test_corrupt(void)
{
	static const uint32_t magics[] = { FB, FA, F0, F1 };

	for (size_t m = 0; m < 4; m++) {
		const char *mn = magic_name(magics[m]);
		bool inl = magics[m] != FB;
		struct sym_frame fr[SYM_MAX_INLINE];
		struct gopclntab *tab;
		struct layout lo;
		struct twist tw;
		struct tb t;
		void *copy;
		int n, err;

		memset(&tw, 0, sizeof(tw));
		tw.bad_functab = true;
		build(&t, magics[m], false, 8, 1, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (magics[m] == FB) {
			/* 1.2-1.15 has no functab offset in the header. */
			ok(err == 0, "%s: no functab offset to corrupt", mn);
			gopclntab__free(tab);
		} else {
			is_int(err, -EINVAL, "%s: functab offset out of range", mn);
		}
		free(copy);

		memset(&tw, 0, sizeof(tw));
		tw.huge_nfunc = true;
		build(&t, magics[m], true, 8, 4, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		is_int(err, -EINVAL, "%s: huge nfunc", mn);
		free(copy);

		memset(&tw, 0, sizeof(tw));
		tw.bad_funcoff = true;
		tw.bad_nameoff = true;
		tw.bad_pcln = true;
		build(&t, magics[m], false, 4, 1, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (ok(err == 0, "%s: opens with bad record offsets", mn)) {
			is_int(gopclntab__sp_delta(tab, TEXT + 0x44, &(int32_t){ 0 }), -EINVAL,
			       "%s: sp delta with the _func offset out of range: -EINVAL", mn);
			n = gopclntab__lookup(tab, TEXT + 0x44, fr, SYM_MAX_INLINE);
			is_int(n, 0, "%s: _func offset out of range: no symbol", mn);
			n = gopclntab__lookup(tab, TEXT + 0x4, fr, SYM_MAX_INLINE);
			ok(n == 1 && !strcmp(fr[0].name, "?") && fr[0].line == 0 &&
				   fr[0].file && !strcmp(fr[0].file, "a.go"),
			   "%s: name and line offsets out of range: '?' and line 0", mn);
			gopclntab__free(tab);
		}
		free(copy);

		memset(&tw, 0, sizeof(tw));
		tw.bad_pcsp = true;
		build(&t, magics[m], true, 8, 4, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (ok(err == 0, "%s: opens with bad pcsp offsets", mn)) {
			is_int(gopclntab__sp_delta(tab, TEXT + 8, &(int32_t){ 0 }), -EINVAL,
			       "%s: pcsp offset out of range: -EINVAL", mn);
			is_int(gopclntab__sp_delta(tab, TEXT + 0x48, &(int32_t){ 0 }), -EINVAL,
			       "%s: no pcsp table: -EINVAL", mn);
			n = gopclntab__lookup(tab, TEXT + 0x10, fr, SYM_MAX_INLINE);
			ok(n == 1 && fr[0].line == 11, "%s: lookups unaffected by bad pcsp", mn);
			gopclntab__free(tab);
		}
		free(copy);

		memset(&tw, 0, sizeof(tw));
		tw.unterminated = true;
		build(&t, magics[m], true, 4, 4, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (ok(err == 0, "%s: opens with an unterminated name", mn)) {
			n = gopclntab__lookup(tab, TEXT + 0x4, fr, SYM_MAX_INLINE);
			ok(n == 1 && !strcmp(fr[0].name, "?"),
			   "%s: name without NUL before the end is '?'", mn);
			gopclntab__free(tab);
		}
		free(copy);

		if (!inl)
			continue;
		memset(&tw, 0, sizeof(tw));
		tw.cyclic = true;
		build(&t, magics[m], false, 8, 1, &tw, &lo);
		{
			char seed[64];

			snprintf(seed, sizeof(seed), "hand-%s-cyclic", mn);
			write_seed(&t, &lo, seed);
		}
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (ok(err == 0, "%s: opens with a cyclic inline chain", mn)) {
			bool rest_inlined = true;

			n = gopclntab__lookup(tab, TEXT + 0x65, fr, SYM_MAX_INLINE);
			is_int(n, SYM_MAX_INLINE, "%s: cyclic chain bounded", mn);
			for (int i = 0; i + 1 < n; i++)
				rest_inlined &= fr[i].inlined && !strcmp(fr[i].name, "main.inl");
			ok(n > 0 && rest_inlined && !fr[n - 1].inlined &&
				   !strcmp(fr[n - 1].name, "main.g"),
			   "%s: cyclic chain ends at the physical function", mn);
			n = gopclntab__lookup(tab, TEXT + 0x65, fr, 3);
			ok(n == 3 && !strcmp(fr[2].name, "main.g"), "%s: max 3 honoured", mn);
			gopclntab__free(tab);
		}
		free(copy);

		memset(&tw, 0, sizeof(tw));
		tw.huge_inl_ix = true;
		build(&t, magics[m], true, 8, 1, &tw, &lo);
		err = open_copy(&t, t.len, lo.gofunc, &copy, &tab);
		if (ok(err == 0, "%s: opens with a huge inline index", mn)) {
			n = gopclntab__lookup(tab, TEXT + 0x65, fr, SYM_MAX_INLINE);
			ok(n == 1 && !strcmp(fr[0].name, "main.g"),
			   "%s: inline record outside the file: physical frame only", mn);
			gopclntab__free(tab);
		}
		free(copy);
	}

	/* Every truncation of every version: an error or sane answers. */
	for (size_t m = 0; m < 4; m++) {
		struct tb t;
		struct layout lo;
		int opened = 0, crashed = 0, bad_sp = 0;

		build(&t, magics[m], false, 8, 1, NULL, &lo);
		for (size_t len = 0; len < t.len; len++) {
			struct sym_frame fr[SYM_MAX_INLINE];
			struct gopclntab *tab;
			void *copy;

			if (open_copy(&t, len, lo.gofunc, &copy, &tab) == 0) {
				opened++;
				for (uint64_t pc = TEXT - 1; pc <= TEXT + 0x80; pc += 3) {
					int n = gopclntab__lookup(tab, pc, fr, SYM_MAX_INLINE);

					int32_t d = 0;
					int e = gopclntab__sp_delta(tab, pc, &d);

					for (int i = 0; i < n; i++)
						if (!fr[i].name)
							crashed++;
					/* A truncated table may lose pcsp, never
					 * invent a delta f and g do not have. */
					if (e != 0 && e != -ENOENT && e != -EINVAL)
						bad_sp++;
					if (e == 0 && d != 0 && d != 0x18)
						bad_sp++;
				}
				gopclntab__free(tab);
			}
			free(copy);
		}
		ok(crashed == 0, "%s: %zu truncations, %d opened, all answers named",
		   magic_name(magics[m]), t.len, opened);
		ok(bad_sp == 0, "%s: truncations give sp deltas of the table or errors",
		   magic_name(magics[m]));
	}
}

/* ---- files ---- */

static int memfd_with(const void *buf, size_t len)
{
	int fd = memfd_create("gopclntab-test", 0);

	if (fd < 0)
		return -1;
	if (len && write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static void put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put64le(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static int open_path(const char *path, struct gopclntab **tab)
{
	int fd = open(path, O_RDONLY), err;

	if (fd < 0)
		return -errno;
	err = gopclntab__open(fd, tab);
	close(fd);
	return err;
}

static void test_not_go(void)
{
	struct gopclntab *tab = NULL;
	int fd;

	fd = memfd_with("", 0);
	is_int(gopclntab__open(fd, &tab), -ENOENT, "empty file: not a Go binary");
	close(fd);
	fd = memfd_with("#!/bin/sh\necho this is a script, long enough to be read at all\n", 64);
	is_int(gopclntab__open(fd, &tab), -ENOENT, "a script: not a Go binary");
	close(fd);
	is_int(open_path("/bin/sh", &tab), -ENOENT, "/bin/sh (C ELF): not a Go binary");
	ok(tab == NULL, "no table on error");
	fd = open("/", O_RDONLY);
	ok(gopclntab__open(fd, &tab) < 0, "a directory is refused");
	close(fd);
}

/* ---- real Go binaries ---- */

static const char fixture_src[] =
	"package main\n"
	"\n"
	"import \"os\"\n"
	"\n"
	"//go:noinline\n"
	"func leaf(n int) int { // L_LEAF\n"
	"\treturn n * 7\n"
	"}\n"
	"\n"
	"func inner(n int) int { // L_INNERDECL\n"
	"\treturn n*3 + len(os.Args) // L_INNER\n"
	"}\n"
	"\n"
	"func middle(n int) int {\n"
	"\treturn inner(n) + inner(n+1) // L_MIDDLE\n"
	"}\n"
	"\n"
	"//go:noinline\n"
	"func outer(n int) int { // L_OUTERDECL\n"
	"\ts := 0\n"
	"\tfor i := 0; i < n; i++ {\n"
	"\t\ts += middle(i) // L_OUTER\n"
	"\t}\n"
	"\treturn s + leaf(n)\n"
	"}\n"
	"\n"
	"func main() { // L_MAIN\n"
	"\tif outer(len(os.Args)*1000) == 42 {\n"
	"\t\tos.Exit(3)\n"
	"\t}\n"
	"}\n";

static unsigned src_line(const char *marker)
{
	const char *p = strstr(fixture_src, marker);
	unsigned line = 1;

	for (const char *s = fixture_src; p && s < p; s++)
		line += *s == '\n';
	return p ? line : 0;
}

static char workdir[256];
static char oracle_go[256]; /* the newest toolchain: nm and addr2line */

static int run(const char *cmd)
{
	int rc = system(cmd);

	return rc == 0 ? 0 : -1;
}

static bool file_exists(const char *p)
{
	return access(p, X_OK) == 0;
}

/* Builds the fixture; returns 0 or -1 (the toolchain could not build it). */
static int go_build(const char *go, const char *env, const char *flags, const char *out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && env GOTOOLCHAIN=local GOPROXY=off GOFLAGS= "
		 "GOCACHE=\"${GOCACHE:-%s/../gocache}\" "
		 "CGO_ENABLED=%d %s %s build %s -o %s . >build.log 2>&1",
		 workdir, workdir, strstr(flags, "external") ? 1 : 0, env, go, flags, out);
	return run(cmd);
}

struct gofunc {
	uint64_t addr, size;
	char name[128];
};

/* Text symbols of an unstripped binary, from `go tool nm -size`; malloc'd. */
static int nm_text(const char *bin, struct gofunc **out)
{
	char cmd[1024], line[1024];
	struct gofunc *fs = NULL;
	int n = 0, cap = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s tool nm -size -n %s", oracle_go, bin);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		unsigned long long a, sz;
		char type[4], name[512];

		if (sscanf(line, "%llx %llu %3s %511s", &a, &sz, type, name) != 4)
			continue;
		if ((type[0] != 'T' && type[0] != 't') || strlen(name) >= sizeof(fs[0].name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			fs = realloc(fs, (size_t)cap * sizeof(*fs));
		}
		fs[n].addr = a;
		fs[n].size = sz;
		strcpy(fs[n].name, name);
		n++;
	}
	pclose(p);
	*out = fs;
	return n;
}

/*
 * `go tool addr2line BIN` for n pcs at once: names[i] and pos[i] get its two
 * lines for pcs[i]. Returns the number of answers read.
 */
static int addr2line(const char *bin, const uint64_t *pcs, int n, char (*names)[256],
		     char (*pos)[512])
{
	char in[300], cmd[1024];
	FILE *f, *p;
	int k = 0;

	snprintf(in, sizeof(in), "%s/pcs.txt", workdir);
	f = fopen(in, "w");
	if (!f)
		return 0;
	for (int i = 0; i < n; i++)
		fprintf(f, "%#llx\n", (unsigned long long)pcs[i]);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s tool addr2line %s < %s", oracle_go, bin, in);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (k < n && fgets(names[k], 256, p) && fgets(pos[k], 512, p)) {
		names[k][strcspn(names[k], "\n")] = '\0';
		pos[k][strcspn(pos[k], "\n")] = '\0';
		k++;
	}
	pclose(p);
	return k;
}

static const char *basename_of(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/*
 * Checks one built fixture: the stripped build against nm / addr2line of the
 * unstripped one (same code layout), and the inline chain of outer().
 */
static void check_fixture(const char *label, const char *unstripped, const char *stripped,
			  const char *want_desc)
{
	struct gofunc *fs = NULL;
	struct gopclntab *tab = NULL, *utab = NULL;
	struct sym_frame fr[SYM_MAX_INLINE], uf[SYM_MAX_INLINE];
	unsigned l_inner = src_line("L_INNER\n"), l_middle = src_line("L_MIDDLE");
	unsigned l_outer = src_line("L_OUTER\n");
	int nf, err, found_chain = 0, bad_outer = 0, agree = 0, differ = 0, npc = 0, nmain = 0;
	uint64_t *pcs;
	char (*names)[256], (*pos)[512];

	err = open_path(stripped, &tab);
	if (!ok(err == 0, "%s: stripped build opens (%s)", label, strerror(-err)))
		return;
	ok(strstr(gopclntab__describe(tab), want_desc) != NULL, "%s: %s (%s)", label,
	   want_desc, gopclntab__describe(tab));
	err = open_path(unstripped, &utab);
	ok(err == 0, "%s: unstripped build opens", label);
	nf = nm_text(unstripped, &fs);
	ok(nf > 500, "%s: go tool nm lists %d text symbols", label, nf);

	/* Every function's entry and middle, against addr2line. */
	pcs = calloc((size_t)nf * 2 + 1, sizeof(*pcs));
	names = calloc((size_t)nf * 2 + 1, sizeof(*names));
	pos = calloc((size_t)nf * 2 + 1, sizeof(*pos));
	for (int i = 0; i < nf; i++) {
		pcs[npc++] = fs[i].addr;
		if (fs[i].size > 1)
			pcs[npc++] = fs[i].addr + fs[i].size / 2;
		nmain += !strncmp(fs[i].name, "main.", 5);
	}
	ok(nmain >= 3, "%s: %d main.* functions", label, nmain);
	if (!ok(addr2line(unstripped, pcs, npc, names, pos) == npc, "%s: addr2line answers %d pcs",
		label, npc))
		npc = 0;
	for (int i = 0; i < npc; i++) {
		char got[512];
		int n = gopclntab__lookup(tab, pcs[i], fr, SYM_MAX_INLINE);
		int un = utab ? gopclntab__lookup(utab, pcs[i], uf, SYM_MAX_INLINE) : n;

		if (n < 1) {
			snprintf(got, sizeof(got), "?:0");
		} else if (fr[0].line) {
			snprintf(got, sizeof(got), "%s:%u", fr[0].file ? fr[0].file : "",
				 fr[0].line);
		} else {
			snprintf(got, sizeof(got), "%s:-1", fr[0].file ? fr[0].file : "");
		}
		if (!strcmp(names[i], n < 1 ? "?" : fr[n - 1].name) && !strcmp(pos[i], got)) {
			agree++;
		} else if (differ++ < 5) {
			printf("# %#llx: addr2line %s %s, we %s %s\n", (unsigned long long)pcs[i],
			       names[i], pos[i], n < 1 ? "?" : fr[n - 1].name, got);
		}
		if (un != n || (n > 0 && strcmp(uf[n - 1].name, fr[n - 1].name)))
			differ++;
	}
	ok(npc > 0 && agree == npc && !differ,
	   "%s: %d of %d pcs (entries, middles) agree with go tool addr2line", label, agree, npc);
	free(pcs);
	free(names);
	free(pos);

	for (int i = 0; i < nf; i++) {
		if (strcmp(fs[i].name, "main.outer") != 0)
			continue;
		for (uint64_t pc = fs[i].addr; pc < fs[i].addr + fs[i].size; pc++) {
			int n = gopclntab__lookup(tab, pc, fr, SYM_MAX_INLINE);

			if (n < 1 || strcmp(fr[n - 1].name, "main.outer") || fr[n - 1].inlined) {
				bad_outer++;
				continue;
			}
			if (n == 3 && !strcmp(fr[0].name, "main.inner") && fr[0].inlined &&
			    fr[0].line == l_inner && !strcmp(basename_of(fr[0].file), "main.go") &&
			    !strcmp(fr[1].name, "main.middle") && fr[1].inlined &&
			    fr[1].line == l_middle && fr[2].line == l_outer)
				found_chain++;
		}
	}
	ok(bad_outer == 0, "%s: every pc of main.outer ends in main.outer", label);
	ok(found_chain > 0, "%s: %d pcs expand to inner:%u <- middle:%u <- outer:%u", label,
	   found_chain, l_inner, l_middle, l_outer);
	free(fs);
	gopclntab__free(utab);
	gopclntab__free(tab);
}

struct insn {
	uint64_t pc;
	char fn[64], text[64];
};

/*
 * `go tool objdump -s re bin`: the instructions of the matching functions
 * in address order; malloc'd. Returns the count.
 */
static int objdump(const char *bin, const char *re, struct insn **out)
{
	char cmd[1024], line[1024], fn[64] = "";
	struct insn *v = NULL;
	int n = 0, cap = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "%s tool objdump -s '%s' %s", oracle_go, re, bin);
	p = popen(cmd, "r");
	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p)) {
		char *f[4], *save = NULL, *tok;
		int k = 0;

		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "TEXT ", 5)) {
			snprintf(fn, sizeof(fn), "%.*s", (int)strcspn(line + 5, "( "), line + 5);
			continue;
		}
		/* "  file:line<TAB>0xpc<TAB>bytes<TAB>instruction<TAB>" */
		for (tok = strtok_r(line, "\t", &save); tok && k < 4;
		     tok = strtok_r(NULL, "\t", &save))
			f[k++] = tok;
		if (k < 4 || strncmp(f[1], "0x", 2) != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = realloc(v, (size_t)cap * sizeof(*v));
		}
		v[n].pc = strtoull(f[1], NULL, 16);
		snprintf(v[n].fn, sizeof(v[n].fn), "%s", fn);
		snprintf(v[n].text, sizeof(v[n].text), "%.*s", (int)strcspn(f[3], "\t"), f[3]);
		while (strlen(v[n].text) && v[n].text[strlen(v[n].text) - 1] == ' ')
			v[n].text[strlen(v[n].text) - 1] = '\0';
		n++;
	}
	pclose(p);
	*out = v;
	return n;
}

/* What an amd64 instruction does to the stack pointer (bytes pushed). */
static int64_t insn_sp_change(const char *text)
{
	size_t len = strlen(text);
	bool to_sp = len > 4 && !strcmp(text + len - 4, ", SP");

	if (!strncmp(text, "PUSHQ ", 6))
		return 8;
	if (!strncmp(text, "POPQ ", 5))
		return -8;
	if (to_sp && !strncmp(text, "SUBQ $", 6))
		return (int64_t)strtoull(text + 6, NULL, 0);
	if (to_sp && !strncmp(text, "ADDQ $", 6))
		return -(int64_t)strtoull(text + 6, NULL, 0);
	return 0;
}

static bool sp_delta_is(struct gopclntab *tab, uint64_t pc, int32_t want)
{
	int32_t d = -1;

	return gopclntab__sp_delta(tab, pc, &d) == 0 && d == want;
}

/*
 * The pcsp table of a stripped amd64 build against the unstripped build's
 * disassembly: every function entry has delta 0; from the entry of main.*
 * and runtime.memmove to their first RET, at every byte, the delta is what
 * the PUSHQ/POPQ/SUBQ/ADDQ SP seen so far add up to; main.outer's delta
 * after its prologue is its SUBQ operand plus the pushed BP (Go 1.21+: PUSHQ
 * BP; MOVQ SP, BP; SUBQ $N, SP); frameless main.leaf and runtime.memmove
 * (no push or SUBQ at all) have delta 0 at every byte.
 */
static void check_sp_delta(const char *label, const char *unstripped, const char *stripped,
			   bool push_bp)
{
	struct gopclntab *tab = NULL;
	struct gofunc *fs = NULL;
	struct insn *in = NULL;
	int nf, ni, entries_ok = 0, nentries = 0, etext = -1, compared = 0, wrong = 0, nfn = 0;
	int frameless_ok = 0;
	int64_t outer_sub = -1, outer_push = 0, outer_after = -1;
	uint64_t lo, hi;

	if (!ok(open_path(stripped, &tab) == 0, "%s: sp delta: stripped build opens", label))
		return;
	nf = nm_text(unstripped, &fs);
	for (int i = 0; i < nf; i++) {
		/* runtime.etext marks the end of the text, past every function. */
		if (!strcmp(fs[i].name, "runtime.etext")) {
			etext = gopclntab__sp_delta(tab, fs[i].addr, &(int32_t){ 0 });
			continue;
		}
		nentries++;
		entries_ok += sp_delta_is(tab, fs[i].addr, 0);
	}
	ok(nentries > 500 && entries_ok == nentries,
	   "%s: sp delta 0 at all %d of %d function entries", label, entries_ok, nentries);
	is_int(etext, -ENOENT, "%s: sp delta at runtime.etext: -ENOENT", label);

	ni = objdump(unstripped, "^(main\\.|runtime\\.memmove$)", &in);
	for (int i = 0; i < ni; i++) {
		int64_t sim = 0, sub = -1, push = 0;
		bool frameless = true, outer = !strcmp(in[i].fn, "main.outer");
		int j;

		nfn++;
		for (j = i; j < ni && !strcmp(in[j].fn, in[i].fn); j++) {
			uint64_t end = j + 1 < ni && !strcmp(in[j + 1].fn, in[i].fn) ? in[j + 1].pc
										 : in[j].pc + 1;
			int64_t c = insn_sp_change(in[j].text);

			if (sim >= 0)
				for (uint64_t pc = in[j].pc; pc < end; pc++, compared++)
					if (!sp_delta_is(tab, pc, (int32_t)sim) && wrong++ < 5)
						printf("# %s: %s+%#llx (%s): want delta %lld\n",
						       label, in[j].fn,
						       (unsigned long long)(pc - in[i].pc),
						       in[j].text, (long long)sim);
			if (c)
				frameless = false;
			if (outer && sub < 0 && !strcmp(in[j].text, "PUSHQ BP"))
				push = 8;
			if (outer && sub < 0 && c > 0 && strncmp(in[j].text, "PUSHQ", 5)) {
				sub = c;
				outer_after = j + 1 < ni ? (int64_t)in[j + 1].pc : -1;
			}
			/* Past the first RET the assembler restores the frame for
			 * the code that follows; the walk stops there. */
			sim = !strcmp(in[j].text, "RET") || sim < 0 ? -1 : sim + c;
		}
		if (outer) {
			outer_sub = sub;
			outer_push = push;
		}
		if (!strcmp(in[i].fn, "main.leaf") || !strcmp(in[i].fn, "runtime.memmove")) {
			bool all = frameless;

			for (int k = 0; k < nf && all; k++) {
				uint64_t end = fs[k].addr + fs[k].size;

				if (!strcmp(fs[k].name, in[i].fn))
					for (uint64_t pc = fs[k].addr; pc < end; pc++)
						all &= sp_delta_is(tab, pc, 0);
			}
			ok(all, "%s: %s is frameless (no PUSHQ/SUBQ SP) and has sp delta 0 "
				"at every byte", label, in[i].fn);
			frameless_ok++;
		}
		i = j - 1;
	}
	ok(nfn >= 4 && compared > 100 && wrong == 0,
	   "%s: sp delta at %d pcs of %d functions, entry to first RET, agrees with "
	   "go tool objdump (%d differ)", label, compared, nfn, wrong);
	is_int(frameless_ok, 2, "%s: objdump shows main.leaf and runtime.memmove", label);
	ok(outer_sub > 0 && outer_after > 0 && outer_push == (push_bp ? 8 : 0) &&
		   sp_delta_is(tab, (uint64_t)outer_after, (int32_t)(outer_sub + outer_push)),
	   "%s: main.outer after its prologue (%sSUBQ $%#llx, SP): delta %#llx", label,
	   outer_push ? "PUSHQ BP; " : "", (unsigned long long)outer_sub,
	   (unsigned long long)(outer_sub + outer_push));
	gopclntab__text_range(tab, &lo, &hi);
	is_int(gopclntab__sp_delta(tab, lo - 1, &(int32_t){ 0 }), -ENOENT,
	       "%s: sp delta below the text: -ENOENT", label);
	is_int(gopclntab__sp_delta(tab, hi, &(int32_t){ 0 }), -ENOENT,
	       "%s: sp delta at the end of the text: -ENOENT", label);
	free(in);
	free(fs);
	gopclntab__free(tab);
}

static void test_truncated_real(const char *bin)
{
	struct stat st;
	int fd = open(bin, O_RDONLY), bad = 0, tried = 0;
	uint8_t *map;

	if (fd < 0 || fstat(fd, &st) < 0) {
		ok(0, "truncation: cannot open %s", bin);
		if (fd >= 0)
			close(fd);
		return;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		ok(0, "truncation: cannot map %s", bin);
		return;
	}
	/* Cut through the headers, the text, the pclntab and near the end. */
	for (int k = 1; k <= 40; k++) {
		size_t len = (size_t)st.st_size * (size_t)k / 41;
		struct gopclntab *tab;
		int mfd = memfd_with(map, len), err;

		if (mfd < 0)
			continue;
		tried++;
		err = gopclntab__open(mfd, &tab);
		close(mfd);
		if (err == 0) {
			struct sym_frame fr[SYM_MAX_INLINE];

			for (uint64_t pc = 0x401000; pc < 0x401000 + 0x80000; pc += 0x1001)
				if (gopclntab__lookup(tab, pc, fr, SYM_MAX_INLINE) < 0)
					bad++;
			gopclntab__free(tab);
		} else if (err != -EINVAL && err != -ENOENT) {
			bad++;
		}
	}
	munmap(map, (size_t)st.st_size);
	ok(tried > 0 && bad == 0, "%d truncations of a real binary: errors or answers", tried);
}

/*
 * The file shrinks while the table maps it (a deploy copying over the inode):
 * lookups touching the lost pages must not die of SIGBUS, and strings
 * returned before must stay readable, i.e. not point into the mapping.
 */
static void test_shrunk_while_mapped(const char *bin)
{
	char tmp[] = "/tmp/bpflame-gopclntab-XXXXXX", cmd[600];
	char *copy[8] = { 0 };
	const char *name[8] = { 0 }, *file[8] = { 0 };
	struct sym_frame fr[SYM_MAX_INLINE];
	struct gopclntab *tab = NULL;
	uint64_t lo, hi;
	int fd = mkstemp(tmp), found = 0, after = 0, same = 0;
	int32_t delta;

	if (!ok(fd >= 0, "shrink: temp file"))
		return;
	close(fd);
	snprintf(cmd, sizeof(cmd), "cp %s %s", bin, tmp);
	if (!ok(run(cmd) == 0, "shrink: copy %s", bin) || open_path(tmp, &tab) != 0) {
		unlink(tmp);
		return;
	}
	gopclntab__text_range(tab, &lo, &hi);
	for (int i = 0; i < 8; i++) {
		if (gopclntab__lookup(tab, lo + (hi - lo) * (uint64_t)i / 16, fr, 1) != 1)
			continue;
		found++;
		name[i] = fr[0].name;
		file[i] = fr[0].file;
		copy[i] = strdup(fr[0].name);
	}
	ok(found == 8, "shrink: %d of 8 pcs named before the truncation", found);
	fd = open(tmp, O_WRONLY);
	ok(fd >= 0 && ftruncate(fd, 4096) == 0, "shrink: file truncated to 4096 bytes");
	if (fd >= 0)
		close(fd);
	for (int i = 8; i < 16; i++)
		after += gopclntab__lookup(tab, lo + (hi - lo) * (uint64_t)i / 16, fr, SYM_MAX_INLINE);
	ok(after == 0, "shrink: lookups after the truncation find nothing (%d frames)", after);
	is_int(gopclntab__sp_delta(tab, lo + (hi - lo) / 3, &delta), -EIO,
	       "shrink: sp_delta after the truncation");
	gopclntab__release(tab);
	/* Would fault (SIGBUS) if the strings pointed into the mapping. */
	for (int i = 0; i < 8; i++)
		if (name[i] && copy[i] && !strcmp(name[i], copy[i]) &&
		    (!file[i] || strlen(file[i]) > 0))
			same++;
	ok(same == found, "shrink: %d names returned before are still readable", same);
	for (int i = 0; i < 8; i++)
		free(copy[i]);
	gopclntab__free(tab);
	unlink(tmp);
}

/*
 * A sparse ELF whose one data segment spans 8 GB: the header scan would
 * read it all; the scan budget makes open give up at once.
 */
static void test_sparse_huge(void)
{
	char tmp[] = "/tmp/bpflame-gopclntab-XXXXXX";
	uint8_t h[120] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	uint64_t size = 8ull << 30;
	struct gopclntab *tab = NULL;
	int fd = mkstemp(tmp), err;

	if (!ok(fd >= 0, "sparse: temp file"))
		return;
	unlink(tmp);
	/* ELF64 little-endian x86-64 executable, one PT_LOAD (R) at offset 0. */
	put16le(h + 16, 2);
	put16le(h + 18, 62);
	h[20] = 1;
	put64le(h + 32, 64);  /* phoff */
	put16le(h + 52, 64);  /* ehsize */
	put16le(h + 54, 56);  /* phentsize */
	put16le(h + 56, 1);   /* phnum */
	put16le(h + 58, 64);  /* shentsize */
	h[64] = 1;            /* PT_LOAD */
	h[68] = 4;            /* PF_R */
	put64le(h + 80, 0x400000);
	put64le(h + 88, 0x400000);
	put64le(h + 96, size);
	put64le(h + 104, size);
	if (!ok(write(fd, h, sizeof(h)) == (ssize_t)sizeof(h) && ftruncate(fd, (off_t)size) == 0,
		"sparse: 8 GB sparse ELF written")) {
		close(fd);
		return;
	}
	err = gopclntab__open(fd, &tab);
	ok(err == -ENOENT || err == -EINVAL, "sparse: 8 GB data segment refused (%d)", err);
	gopclntab__free(tab);
	close(fd);
}

static void test_real(void)
{
	static const struct {
		const char *go, *ver, *desc;
	} tcs[] = {
		{ "/usr/bin/go", "1.19", "go1.18-1.19" },
		{ "/usr/lib/go-1.21/bin/go", "1.21", "go1.20+" },
		{ "/usr/lib/go-1.22/bin/go", "1.22", "go1.20+" },
		{ "/usr/lib/go-1.23/bin/go", "1.23", "go1.20+" },
	};
	static const struct {
		const char *arch, *desc;
	} cross[] = {
		{ "386", "little-endian, 4-byte pointers, quantum 1" },
		{ "arm", "little-endian, 4-byte pointers, quantum 4" },
		{ "arm64", "little-endian, 8-byte pointers, quantum 4" },
		{ "ppc64", "big-endian, 8-byte pointers, quantum 4" },
		{ "s390x", "big-endian, 8-byte pointers, quantum 2" },
	};
	char cwd[200], path[512], spath[512], label[128];
	FILE *f;

	for (int i = (int)ARRAY_LEN(tcs) - 1; i >= 0 && !oracle_go[0]; i--)
		if (file_exists(tcs[i].go))
			snprintf(oracle_go, sizeof(oracle_go), "%s", tcs[i].go);
	if (!oracle_go[0]) {
		ok(1, "real Go binaries # SKIP no Go toolchain installed");
		return;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	snprintf(workdir, sizeof(workdir), "%s/build/tests/gopclntab-fixture", cwd);
	snprintf(path, sizeof(path), "mkdir -p %s", workdir);
	run(path);
	snprintf(path, sizeof(path), "%s/main.go", workdir);
	f = fopen(path, "w");
	if (!f) {
		ok(0, "cannot write %s", path);
		return;
	}
	fputs(fixture_src, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/go.mod", workdir);
	f = fopen(path, "w");
	fputs("module fixture\n\ngo 1.19\n", f);
	fclose(f);

	for (size_t i = 0; i < ARRAY_LEN(tcs); i++) {
		if (!file_exists(tcs[i].go)) {
			ok(1, "go%s # SKIP not installed", tcs[i].ver);
			continue;
		}
		snprintf(path, sizeof(path), "%s/fx%s", workdir, tcs[i].ver);
		snprintf(spath, sizeof(spath), "%s/fx%s.stripped", workdir, tcs[i].ver);
		if (!ok(go_build(tcs[i].go, "", "", path) == 0 &&
				go_build(tcs[i].go, "", "-ldflags=-s\\ -w", spath) == 0,
			"go%s builds the fixture", tcs[i].ver))
			continue;
		snprintf(label, sizeof(label), "go%s amd64", tcs[i].ver);
		check_fixture(label, path, spath, tcs[i].desc);
		/* Go 1.21+ pushes BP; 1.19 stores it inside its SUBQ'd frame. */
		check_sp_delta(label, path, spath, strcmp(tcs[i].ver, "1.21") >= 0);
	}
	/* PIE and external linking, newest toolchain. */
	{
		static const struct {
			const char *name, *flags, *sflags;
		} modes[] = {
			{ "pie", "-buildmode=pie", "-buildmode=pie -ldflags=-s\\ -w" },
			{ "external", "-ldflags=-linkmode=external",
			  "-ldflags=-linkmode=external\\ -s\\ -w" },
			{ "external-pie", "-buildmode=pie -ldflags=-linkmode=external",
			  "-buildmode=pie -ldflags=-linkmode=external\\ -s\\ -w" },
		};

		for (size_t i = 0; i < ARRAY_LEN(modes); i++) {
			snprintf(path, sizeof(path), "%s/fx-%s", workdir, modes[i].name);
			snprintf(spath, sizeof(spath), "%s/fx-%s.stripped", workdir,
				 modes[i].name);
			if (!ok(go_build(oracle_go, "", modes[i].flags, path) == 0 &&
					go_build(oracle_go, "", modes[i].sflags, spath) == 0,
				"%s builds the fixture %s", oracle_go, modes[i].name))
				continue;
			snprintf(label, sizeof(label), "newest go %s", modes[i].name);
			check_fixture(label, path, spath, "pclntab");
		}
		snprintf(spath, sizeof(spath), "%s/fx-external.stripped", workdir);
		test_truncated_real(spath);
		test_shrunk_while_mapped(spath);
	}
	for (size_t i = 0; i < ARRAY_LEN(cross); i++) {
		char env[64];

		snprintf(env, sizeof(env), "GOOS=linux GOARCH=%s", cross[i].arch);
		snprintf(path, sizeof(path), "%s/fx-%s", workdir, cross[i].arch);
		snprintf(spath, sizeof(spath), "%s/fx-%s.stripped", workdir, cross[i].arch);
		if (!ok(go_build(oracle_go, env, "", path) == 0 &&
				go_build(oracle_go, env, "-ldflags=-s\\ -w", spath) == 0,
			"cross-build for %s", cross[i].arch))
			continue;
		snprintf(label, sizeof(label), "newest go %s", cross[i].arch);
		check_fixture(label, path, spath, cross[i].desc);
	}
}

int main(void)
{
	test_versions();
	test_corrupt();
	test_not_go();
	test_sparse_huge();
	test_real();
	return done_testing();
}
