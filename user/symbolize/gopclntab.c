// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * gopclntab.c: the Go pclntab reader (format notes: go-pclntab.md of issue 3).
 *
 * The ELF container is read by elffile.h (libelf over the mapped image);
 * this file decodes the table itself, reading the mapping directly with
 * every offset checked.
 *
 * Open does bounded work: ELF headers, one pass over .symtab when present,
 * a scan of data segments for moduledata (stripped binaries) and, only when
 * no section or symbol names the pclntab, a scan for its header magic.
 * Lookups binary-search the functab and decode the pc-value tables of the
 * one function they hit.
 */
#include "gopclntab.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elffile.h"
#include "hashmap.h"
#include "util.h"

enum pcln_ver {
	VER_12 = 12,   /* 0xFFFFFFFB: Go 1.2 - 1.15 */
	VER_116 = 116, /* 0xFFFFFFFA: Go 1.16 - 1.17 */
	VER_118 = 118, /* 0xFFFFFFF0: Go 1.18 - 1.19 */
	VER_120 = 120, /* 0xFFFFFFF1: Go 1.20 and later */
};

#define MAX_SEGS 64
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Bytes one open may examine in all its scans together: a sparse or huge
 * file must not cost minutes of CPU (a real pclntab is found within the
 * first few hundred MB of data). */
#define SCAN_BUDGET (1ull << 30)
/* Symbols of .symtab one open reads at most (elfsym.c's cap). */
#define SYMTAB_MAX (1ull << 23)
/* pc-value steps one lookup or sp_delta call decodes at most, over all its
 * tables: ample for real functions, a few ms on a hostile one. */
#define STEP_BUDGET (1u << 22)

/* A file-backed piece of the address space: a PT_LOAD, or a raw blob. */
struct seg {
	uint64_t vaddr;
	uint64_t off;
	uint64_t filesz;
	uint32_t flags;
};

struct gopclntab {
	struct symbolizer sym; /* first: the symbolizer interface */

	const uint8_t *img; /* the whole file (or caller's buffer) */
	Elf *elf;           /* over img, while open finds the table */
	size_t img_len;
	void *map; /* our mmap of img, NULL when the caller owns it */
	size_t map_len;

	struct seg segs[MAX_SEGS];
	int nsegs;

	/* The pclntab: [pcln, pcln + pcln_len) at virtual address pcln_vaddr. */
	const uint8_t *pcln;
	size_t pcln_len;
	uint64_t pcln_vaddr;
	enum pcln_ver ver;
	bool be;
	unsigned ptrsize, quantum;
	uint64_t nfunc;
	/* Table offsets from pcln; for VER_12 names and tables count from 0. */
	uint64_t funcnametab, cutab, filetab, pctab, functab;
	uint64_t funcdata;  /* _func records are at funcdata + funcoff */
	uint64_t nfiletab;  /* VER_12: entries of filetab (index 0 is the count) */
	unsigned ftab_fsz;  /* functab field size: 4 (1.18+) or ptrsize */
	uint64_t text_start; /* runtime.text, for 1.18+ entry offsets */
	uint64_t gofunc;     /* go:func.* base of 1.18+ funcdata offsets */
	bool have_gofunc;
	bool inline_ok; /* inline trees can be read */
	unsigned inl_slot;

	/* Where recent pc-value decodes stopped, so that lookups of increasing
	 * pcs in one function (sorted batches, big functions) resume instead of
	 * decoding from the entry again. */
	struct pcv_cache {
		uint64_t table, entry; /* table = pctab + off; 0 = empty slot */
		uint64_t pos, pc;      /* state at the start of the last run */
		int32_t val;
	} pcv[16];

	uint64_t text_lo, text_hi; /* the functab's range, read at open */
	uint64_t scan_left;        /* SCAN_BUDGET left for this open */
	uint64_t steps_left;       /* STEP_BUDGET left for this call */
	bool broken;               /* the mapping faulted (file truncated) */
	uint32_t lookups;          /* since the last release */

	/* Copies of the names and files returned, keyed by pcln offset + 1, so
	 * no caller ever reads the mapping (it may vanish under us). */
	struct str_ent {
		uint64_t off;
		char *s;
	} *strs;
	size_t strs_cap, strs_n;
	struct hmap str_set; /* over strs, by off */
	char *pending; /* a copy being made: freed if the copy faults */

	char desc[128];
};

/* ---- SIGBUS guard ----
 *
 * The file stays mapped, and whoever owns it may truncate it (a deploy
 * copying over the inode, a shrinking .so): touching a page past the new end
 * raises SIGBUS. Every access to the mapping runs under a guard: the handler
 * jumps back to the entry point, which marks the table broken. */

static __thread sigjmp_buf *bus_jmp; /* the active guard of this thread */
static struct sigaction bus_old;

static void bus__handler(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *jb = bus_jmp;

	if (jb) {
		bus_jmp = NULL;
		siglongjmp(*jb, 1);
	}
	/* Not ours: behave as whoever was installed before us would. */
	if ((bus_old.sa_flags & SA_SIGINFO) && bus_old.sa_sigaction) {
		bus_old.sa_sigaction(sig, si, uc);
		return;
	}
	if (!(bus_old.sa_flags & SA_SIGINFO) && bus_old.sa_handler != SIG_DFL &&
	    bus_old.sa_handler != SIG_IGN) {
		bus_old.sa_handler(sig);
		return;
	}
	signal(SIGBUS, SIG_DFL);
	raise(SIGBUS);
}

/* Installs the handler once per process. SA_NODEFER: the guard jumps out of
 * the handler with sigsetjmp(, 0), which does not restore the mask. */
static void bus__install(void)
{
	static int done;
	struct sigaction sa;

	if (__atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = bus__handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &bus_old);
}

/* After a fault: the table answers nothing more; a half-made copy is freed. */
static void tab__fault(struct gopclntab *t)
{
	t->broken = true;
	/* A fault inside libelf leaves its handle consistent: it faults only
	 * reading the image, never while linking its own allocations. */
	elf_end(t->elf);
	t->elf = NULL;
	free(t->pending);
	t->pending = NULL;
}


/* ---- bounded byte access ---- */

static bool range_ok(uint64_t off, uint64_t n, uint64_t len)
{
	return off <= len && n <= len - off;
}

static uint32_t get32(const uint8_t *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static uint64_t get64(const uint8_t *p, bool be)
{
	uint64_t hi = get32(p, be), lo = get32(p + 4, be);

	return be ? (hi << 32 | lo) : (lo << 32 | hi);
}

static uint64_t get_word(const uint8_t *p, unsigned w, bool be)
{
	return w == 8 ? get64(p, be) : get32(p, be);
}

/* Reads a u32 of the pclntab at off; false if out of bounds. */
static bool pcln_u32(const struct gopclntab *t, uint64_t off, uint32_t *v)
{
	if (!range_ok(off, 4, t->pcln_len))
		return false;
	*v = get32(t->pcln + off, t->be);
	return true;
}

static bool pcln_word(const struct gopclntab *t, uint64_t off, unsigned w, uint64_t *v)
{
	if (!range_ok(off, w, t->pcln_len))
		return false;
	*v = get_word(t->pcln + off, w, t->be);
	return true;
}

/*
 * A copy of the NUL-terminated string at pcln offset off, or NULL if it does
 * not end inside the pclntab (a hostile table must not make us read past it)
 * or memory is short. Each string is copied once; the table owns the copies.
 * Runs under the SIGBUS guard.
 */
struct str_lookup {
	const struct gopclntab *t;
	uint64_t off;
};

static bool str_equal(const void *ctx, uint32_t i)
{
	const struct str_lookup *k = ctx;

	return k->t->strs[i].off == k->off;
}

static const char *pcln_str(struct gopclntab *t, uint64_t off)
{
	const uint8_t *end;
	size_t len;

	struct str_lookup k = { t, off };
	uint64_t h = hash_u64(off, 0);
	uint32_t found;

	if (off >= t->pcln_len)
		return NULL;
	if (!hmap__find(&t->str_set, h, str_equal, &k, &found))
		return t->strs[found].s;
	end = memchr(t->pcln + off, 0, t->pcln_len - off);
	if (!end)
		return NULL;
	/* Room first: a fault during the copy leaves only pending to free. */
	if (array_reserve(&t->strs, &t->strs_cap, t->strs_n + 1, sizeof(*t->strs)) ||
	    hmap__reserve(&t->str_set, t->strs_n + 1))
		return NULL;
	len = (size_t)(end - (t->pcln + off));
	t->pending = malloc(len + 1);
	if (!t->pending)
		return NULL;
	memcpy(t->pending, t->pcln + off, len + 1);
	t->strs[t->strs_n] = (struct str_ent){ off, t->pending };
	t->pending = NULL;
	hmap__insert(&t->str_set, h, (uint32_t)t->strs_n);
	return t->strs[t->strs_n++].s;
}

/*
 * Translates a virtual address to a pointer into the image; *avail gets the
 * file-backed bytes from there to the end of its segment. NULL if unmapped.
 */
static const uint8_t *vaddr_ptr(const struct gopclntab *t, uint64_t va, uint64_t *avail)
{
	for (int i = 0; i < t->nsegs; i++) {
		const struct seg *s = &t->segs[i];

		if (va >= s->vaddr && va - s->vaddr < s->filesz) {
			*avail = s->filesz - (va - s->vaddr);
			return t->img + s->off + (va - s->vaddr);
		}
	}
	return NULL;
}

static bool vaddr_in_exec(const struct gopclntab *t, uint64_t va)
{
	for (int i = 0; i < t->nsegs; i++) {
		const struct seg *s = &t->segs[i];

		if ((s->flags & PF_X) && va >= s->vaddr && va - s->vaddr < s->filesz)
			return true;
	}
	return false;
}

/*
 * Drops the pages of [off, off + len) of our mapping once a scan has passed
 * them, so scanning a huge file does not grow our resident set with it.
 */
static void img_drop(const struct gopclntab *t, uint64_t off, uint64_t len)
{
	uint64_t pg = 4096, start = (off + pg - 1) & ~(pg - 1), end = (off + len) & ~(pg - 1);

	if (t->map && end > start)
		madvise((uint8_t *)t->map + start, end - start, MADV_DONTNEED);
}

#define SCAN_CHUNK (32u << 20)

/*
 * Every RELEASE_EVERY lookups the table's pages leave our resident set
 * (gopclntab__release): the kernel maps 64 KB around every page a lookup
 * touches, so a recording of a 110 MB kube-apiserver held 23 MB of it by
 * the end. Resident pages of kube-apiserver at a recording's peak, and
 * `bpflame symbolize` of 20,000 addresses, by this period: 256: 8.5 MB,
 * 55 ms; 64: 4.2 MB, 95 ms; 16: 1.7 MB, 158 ms (the pages come back from
 * the page cache). 32 took a recording's peak (17k stacks) from 20.2 to
 * 18.7 MB for 10-20 ms more per 20,000 addresses.
 */
#define RELEASE_EVERY 32

/* Takes up to want bytes from the open's scan budget; returns what it got. */
static uint64_t scan__take(struct gopclntab *t, uint64_t want)
{
	if (want > t->scan_left)
		want = t->scan_left;
	t->scan_left -= want;
	return want;
}

/* ---- the ELF container (elffile.h reads it) ---- */

/* Symbols of .symtab that the reader wants; value 0 = absent. */
struct go_syms {
	uint64_t text, pclntab, epclntab, gofunc;
};

static void go_syms__read(Elf *elf, struct go_syms *gs)
{
	static const char *const names[] = { "runtime.text", "runtime.pclntab",
					     "runtime.epclntab", "go:func.*", "go.func.*" };
	uint64_t v[ARRAY_LEN(names)];

	memset(gs, 0, sizeof(*gs));
	if (elf__symbol_values(elf, names, ARRAY_LEN(names), v, SYMTAB_MAX))
		return;
	gs->text = v[0];
	gs->pclntab = v[1];
	gs->epclntab = v[2];
	gs->gofunc = v[3] ? v[3] : v[4];
}

static void segs__load(struct gopclntab *t, Elf *elf)
{
	struct elf_seg *es;
	int n = elf__segments(elf, &es);

	for (int i = 0; i < n && t->nsegs < MAX_SEGS; i++) {
		struct seg s = { es[i].vaddr, es[i].offset, es[i].filesz, es[i].flags };

		/* Clip to the file: a truncated file keeps what it has. */
		if (s.off >= t->img_len)
			continue;
		if (s.filesz > t->img_len - s.off)
			s.filesz = t->img_len - s.off;
		if (s.filesz == 0 || s.vaddr + s.filesz < s.vaddr)
			continue;
		t->segs[t->nsegs++] = s;
	}
	if (n > 0)
		free(es);
}

/* What one pass over the RELATIVE relocations looks for: the addends of
 * the words [va, va + n*w) into vals, or (want != 0) the first word whose
 * addend is want, into found. */
struct rela_scan {
	struct gopclntab *t;
	uint64_t va;
	unsigned n, w;
	uint64_t *vals;
	uint64_t want, found;
};

static int rela__visit(uint64_t off, uint64_t addend, void *arg)
{
	struct rela_scan *rs = arg;

	/* An Elf64_Rela is 24 bytes of the file. */
	if (scan__take(rs->t, 24) < 24)
		return 1;
	if (rs->want) {
		if (addend == rs->want) {
			rs->found = off;
			return 1;
		}
	} else if (off >= rs->va && off - rs->va < (uint64_t)rs->n * rs->w &&
		   (off - rs->va) % rs->w == 0) {
		rs->vals[(off - rs->va) / rs->w] = addend;
	}
	return 0;
}

/*
 * Collects RELATIVE relocation addends for the words [va, va + n*w) into
 * vals (0 where none): lld writes 0 in the file and leaves the value to the
 * dynamic loader. With want != 0 instead finds the first relocated word whose
 * addend is want and returns its address in *found. Linear in .rela.dyn,
 * within the scan budget.
 */
static void rela__scan(struct gopclntab *t, Elf *elf, uint64_t va, unsigned n, unsigned w,
		       uint64_t *vals, uint64_t want, uint64_t *found)
{
	struct rela_scan rs = { t, va, n, w, vals, want, 0 };

	elf__relative_relocs(elf, rela__visit, &rs);
	if (found)
		*found = rs.found;
}

/* ---- pclntab header ---- */

static int magic_ver(uint32_t m)
{
	switch (m) {
	case 0xFFFFFFFB:
		return VER_12;
	case 0xFFFFFFFA:
		return VER_116;
	case 0xFFFFFFF0:
		return VER_118;
	case 0xFFFFFFF1:
		return VER_120;
	default:
		return 0;
	}
}

/*
 * Parses the header of a candidate pclntab [p, p + len) into t. Returns 0,
 * or -EINVAL if the header is not a pclntab or its tables do not fit.
 */
static int pcln__parse_header(struct gopclntab *t, const uint8_t *p, size_t len)
{
	unsigned w, fs;
	uint64_t hdr, word[8];
	int ver;

	if (len < 16 || p[4] != 0 || p[5] != 0)
		return -EINVAL;
	if (p[6] != 1 && p[6] != 2 && p[6] != 4)
		return -EINVAL;
	if (p[7] != 4 && p[7] != 8)
		return -EINVAL;
	if ((ver = magic_ver(get32(p, false))))
		t->be = false;
	else if ((ver = magic_ver(get32(p, true))))
		t->be = true;
	else
		return -EINVAL;
	t->ver = ver;
	t->pcln = p;
	t->pcln_len = len;
	t->quantum = p[6];
	t->ptrsize = w = p[7];
	t->ftab_fsz = fs = ver >= VER_118 ? 4 : w;
	hdr = ver >= VER_118 ? 8 : ver == VER_116 ? 7 : 1;
	if (!range_ok(8, hdr * w, len))
		return -EINVAL;
	for (unsigned i = 0; i < hdr; i++)
		word[i] = get_word(p + 8 + i * w, w, t->be);
	t->nfunc = word[0];
	if (ver >= VER_116) {
		unsigned b = ver >= VER_118 ? 3 : 2;

		if (ver >= VER_118)
			t->text_start = word[2];
		t->funcnametab = word[b];
		t->cutab = word[b + 1];
		t->filetab = word[b + 2];
		t->pctab = word[b + 3];
		t->functab = word[b + 4];
		t->funcdata = t->functab;
		if (t->funcnametab < 8 + hdr * w || t->cutab < t->funcnametab ||
		    t->filetab < t->cutab || t->pctab < t->filetab || t->functab < t->pctab)
			return -EINVAL;
	} else {
		uint32_t fileoff;

		t->functab = 8 + w;
		t->funcnametab = t->cutab = t->pctab = t->funcdata = 0;
		if (t->nfunc > len / (2 * fs) ||
		    !pcln_u32(t, t->functab + (2 * t->nfunc + 1) * fs, &fileoff))
			return -EINVAL;
		t->filetab = fileoff;
		if (!pcln_u32(t, t->filetab, &fileoff))
			return -EINVAL;
		t->nfiletab = fileoff;
		if (!range_ok(t->filetab, t->nfiletab * 4, len))
			return -EINVAL;
	}
	/* nfunc is bounded by the file size before it is multiplied. */
	if (t->nfunc == 0 || t->nfunc > len / (2 * fs) ||
	    !range_ok(t->functab, (2 * t->nfunc + 1) * fs, len))
		return -EINVAL;
	return 0;
}

/* functab entry i: its pc (i == nfunc gives the end pc) and its _func offset. */
static uint64_t ftab_pc(const struct gopclntab *t, uint64_t i)
{
	uint64_t v = get_word(t->pcln + t->functab + 2 * i * t->ftab_fsz, t->ftab_fsz, t->be);

	return t->ver >= VER_118 ? v + t->text_start : v;
}

static uint64_t ftab_funcoff(const struct gopclntab *t, uint64_t i)
{
	return get_word(t->pcln + t->functab + (2 * i + 1) * t->ftab_fsz, t->ftab_fsz, t->be);
}

/* Offset of the _func fields (from the record start) for this version. */
static unsigned fn_entry_size(const struct gopclntab *t)
{
	return t->ver >= VER_118 ? 4 : t->ptrsize;
}

static unsigned fn_nfuncdata_off(const struct gopclntab *t)
{
	unsigned es = fn_entry_size(t);

	switch (t->ver) {
	case VER_12:
		return es + 31;
	case VER_116:
	case VER_118:
		return es + 35;
	default:
		return es + 39;
	}
}

static unsigned fn_pcdata_off(const struct gopclntab *t)
{
	return fn_nfuncdata_off(t) + 1;
}

/*
 * Checks a pclntab found by scanning: its functab must increase, and the
 * _func records a sample of entries point to must agree with them. Bounded:
 * at most ~128 entries are checked whatever nfunc is.
 */
static bool pcln__validate(const struct gopclntab *t)
{
	uint64_t prev = 0;

	if (t->ver >= VER_118 && ftab_pc(t, 0) != t->text_start)
		return false;
	for (uint64_t k = 0; k <= 128; k++) {
		uint64_t i = t->nfunc * k / 128, pc = ftab_pc(t, i), off, entry;

		if (pc < prev)
			return false;
		prev = pc;
		if (i == t->nfunc)
			break;
		off = t->funcdata + ftab_funcoff(t, i);
		if (off < t->funcdata || !pcln_word(t, off, fn_entry_size(t), &entry))
			return false;
		if (t->ver >= VER_118)
			entry += t->text_start;
		if (entry != pc)
			return false;
	}
	return true;
}

/* ---- locating the pclntab ---- */

static int pcln__at_vaddr(struct gopclntab *t, uint64_t va, uint64_t end)
{
	uint64_t avail;
	const uint8_t *p = vaddr_ptr(t, va, &avail);

	if (!p)
		return -EINVAL;
	if (end > va && end - va < avail)
		avail = end - va;
	t->pcln_vaddr = va;
	return pcln__parse_header(t, p, avail);
}

/*
 * Scans non-executable segments for a header that validates. Returns 0,
 * -EINVAL if only broken candidates were seen (a truncated or damaged Go
 * binary), or -ENOENT if nothing looked like a pclntab header.
 */
static int pcln__scan(struct gopclntab *t)
{
	int err = -ENOENT, candidates = 0;

	for (int i = 0; i < t->nsegs; i++) {
		const struct seg *s = &t->segs[i];
		const uint8_t *b = t->img + s->off;
		uint64_t len;

		if (s->flags & PF_X)
			continue;
		/* Past the budget we give up rather than scan a huge file. */
		len = scan__take(t, s->filesz);
		if (len < s->filesz)
			return err;
		for (uint64_t o = (4 - (s->vaddr & 3)) & 3; o + 16 <= len; o += 4) {
			if (o % SCAN_CHUNK < 4 && o >= SCAN_CHUNK)
				img_drop(t, s->off + o - SCAN_CHUNK, SCAN_CHUNK);
			/* Magic FB/FA/F0/F1 FF FF FF (either order), then 00 00. */
			if (b[o + 4] != 0 || b[o + 5] != 0 || b[o + 1] != 0xFF || b[o + 2] != 0xFF)
				continue;
			if (!magic_ver(get32(b + o, false)) && !magic_ver(get32(b + o, true)))
				continue;
			/* A file made of fake headers must not keep us validating. */
			if (++candidates > 4096)
				return -EINVAL;
			t->pcln_vaddr = s->vaddr + o;
			if (pcln__parse_header(t, b + o, s->filesz - o) == 0 && pcln__validate(t))
				return 0;
			err = -EINVAL;
		}
	}
	return err;
}

/*
 * Finds moduledata: the word that points to the pclntab, followed by the
 * slices of its tables (1.16+). Reads words [0, nwords) into md, applying
 * RELATIVE relocations where the file holds 0. Returns 0 or -ENOENT.
 */
static int moduledata__find(struct gopclntab *t, Elf *elf, uint64_t *md, unsigned nwords)
{
	unsigned w = t->ptrsize;
	uint64_t want[3] = { t->pcln_vaddr, t->pcln_vaddr + t->funcnametab,
			     t->pcln_vaddr + t->cutab };
	uint64_t at = 0;

	if (t->ver < VER_116)
		return -ENOENT;
	for (int i = 0; i < t->nsegs && !at; i++) {
		const struct seg *s = &t->segs[i];
		const uint8_t *b = t->img + s->off;

		if (!(s->flags & PF_W))
			continue;
		if (scan__take(t, s->filesz) < s->filesz)
			return -ENOENT;
		for (uint64_t o = (w - (s->vaddr & (w - 1))) & (w - 1);
		     o + (uint64_t)nwords * w <= s->filesz; o += w) {
			if (o % SCAN_CHUNK < w && o >= SCAN_CHUNK)
				img_drop(t, s->off + o - SCAN_CHUNK, SCAN_CHUNK);
			if (get_word(b + o, w, t->be) != want[0] ||
			    get_word(b + o + w, w, t->be) != want[1] ||
			    get_word(b + o + 4 * w, w, t->be) != want[2])
				continue;
			at = s->vaddr + o;
			for (unsigned k = 0; k < nwords; k++)
				md[k] = get_word(b + o + k * w, w, t->be);
			return 0;
		}
	}
	/* lld-linked PIE: the pointers are relocations with 0 in the file. */
	if (!elf)
		return -ENOENT;
	rela__scan(t, elf, 0, 0, w, NULL, want[0], &at);
	if (!at)
		return -ENOENT;
	memset(md, 0, nwords * sizeof(*md));
	rela__scan(t, elf, at, nwords, w, md, 0, NULL);
	if (md[0] != want[0] || md[1] != want[1] || md[4] != want[2])
		return -ENOENT;
	return 0;
}

/* Go 1.13+ binaries carry .go.buildinfo: "\xff Go buildinf:" 16-aligned. */
static bool has_buildinfo(const struct gopclntab *t, Elf *elf)
{
	static const char magic[] = "\xff Go buildinf:";
	struct elf_section s;

	if (elf && elf__section(elf, ".go.buildinfo", &s) == 0)
		return true;
	for (int i = 0; i < t->nsegs; i++) {
		const struct seg *sg = &t->segs[i];

		if (!(sg->flags & PF_W))
			continue;
		/* It sits at the start of the first writable segment. */
		for (uint64_t o = 0; o + 16 <= sg->filesz && o < 4096; o += 16)
			if (memcmp(t->img + sg->off + o, magic, 14) == 0)
				return true;
		break;
	}
	return false;
}

static int text_sect_addr(Elf *elf, uint64_t *addr)
{
	struct elf_section s;

	if (elf__section(elf, ".text", &s))
		return -ENOENT;
	*addr = s.addr;
	return 0;
}

static const char *ver_name(enum pcln_ver v)
{
	switch (v) {
	case VER_12:
		return "go1.2-1.15";
	case VER_116:
		return "go1.16-1.17";
	case VER_118:
		return "go1.18-1.19";
	default:
		return "go1.20+";
	}
}

/* Resolves runtime.text and the funcdata base, in the documented order of trust. */
static void pcln__resolve_bases(struct gopclntab *t, Elf *elf, const struct go_syms *gs)
{
	uint64_t md[41] = { 0 }, hdr_text = t->text_start, text = 0;
	unsigned gofunc_word = t->ver == VER_118 ? 38 : 40;
	bool have_md = false;
	const char *text_src = "none";

	if (t->ver >= VER_118)
		have_md = moduledata__find(t, elf, md, 41) == 0;

	if (gs->text) {
		text = gs->text;
		text_src = "symtab";
	} else if (have_md && vaddr_in_exec(t, md[22])) {
		text = md[22];
		text_src = "moduledata";
	} else if (hdr_text) {
		text = hdr_text;
		text_src = "header";
	} else if (elf && t->ver >= VER_116) {
		uint64_t v[1] = { 0 };

		/* PIE with the header's textStart left to a relocation. */
		rela__scan(t, elf, t->pcln_vaddr + 8 + 2 * t->ptrsize, 1, t->ptrsize, v, 0, NULL);
		if (v[0]) {
			text = v[0];
			text_src = "relocation";
		} else if (text_sect_addr(elf, &text) == 0) {
			text_src = ".text";
		}
	}
	if (t->ver >= VER_118)
		t->text_start = text;
	t->text_lo = ftab_pc(t, 0);
	t->text_hi = ftab_pc(t, t->nfunc);

	if (t->ver >= VER_118) {
		uint64_t avail;

		if (gs->gofunc) {
			t->gofunc = gs->gofunc;
			t->have_gofunc = true;
		} else if (have_md && md[gofunc_word] && vaddr_ptr(t, md[gofunc_word], &avail)) {
			t->gofunc = md[gofunc_word];
			t->have_gofunc = true;
		}
		t->inline_ok = t->have_gofunc;
		t->inl_slot = 3;
	} else if (t->ver == VER_116) {
		t->inline_ok = true;
		t->inl_slot = 3;
	} else {
		/* 1.12-1.15 trees use slot 4 and parentPc; older ones differ, and
		 * only 1.13+ has buildinfo to tell them apart. */
		t->inline_ok = has_buildinfo(t, elf);
		t->inl_slot = 4;
	}
	snprintf(t->desc, sizeof(t->desc),
		 "%s pclntab, %s-endian, %u-byte pointers, quantum %u, %llu functions, "
		 "text from %s%s",
		 ver_name(t->ver), t->be ? "big" : "little", t->ptrsize, t->quantum,
		 (unsigned long long)t->nfunc, t->ver >= VER_118 ? text_src : "functab",
		 t->inline_ok ? "" : ", no inline tree");
}

/* ---- the symbolizer interface ---- */

static int sym_lookup(struct symbolizer *s, uint64_t addr, struct sym_frame *out, int max)
{
	return gopclntab__lookup((struct gopclntab *)s, addr, out, max);
}

static void sym_free(struct symbolizer *s)
{
	gopclntab__free((struct gopclntab *)s);
}

static const struct symbolizer_ops gopclntab_ops = {
	.kind = "go",
	.lookup = sym_lookup,
	.free = sym_free,
};

static struct gopclntab *tab__new(const void *buf, size_t len)
{
	struct gopclntab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->sym.ops = &gopclntab_ops;
	t->img = buf;
	t->img_len = len;
	t->scan_left = SCAN_BUDGET;
	return t;
}

/* Finds the pclntab of the ELF image in t->img through elf. */
static int tab__find_pclntab(struct gopclntab *t, Elf *elf)
{
	struct go_syms gs;
	struct elf_section s;
	int err;

	segs__load(t, elf);
	go_syms__read(elf, &gs);
	if (elf__section(elf, ".gopclntab", &s) == 0 ||
	    elf__section(elf, ".data.rel.ro.gopclntab", &s) == 0) {
		if (s.type == SHT_NOBITS || !range_ok(s.offset, s.size, t->img_len))
			return -EINVAL;
		t->pcln_vaddr = s.addr;
		err = pcln__parse_header(t, t->img + s.offset, s.size);
	} else if (gs.pclntab) {
		err = pcln__at_vaddr(t, gs.pclntab, gs.epclntab);
	} else {
		err = pcln__scan(t);
	}
	if (err)
		return err;
	pcln__resolve_bases(t, elf, &gs);
	return 0;
}

/* Opens the ELF image in t->img; on error the caller frees t. The Elf lives
 * only while the table is found (t->elf, so a fault can end it). */
static int tab__open_elf(struct gopclntab *t)
{
	int err;

	if (t->img_len < SELFMAG || memcmp(t->img, ELFMAG, SELFMAG))
		return -ENOENT;
	err = elf__open_mem(t->img, t->img_len, &t->elf);
	if (err)
		return err;
	err = tab__find_pclntab(t, t->elf);
	elf_end(t->elf);
	t->elf = NULL;
	return err;
}

/* tab__open_elf() under the SIGBUS guard: -EIO if the file shrank. */
static int tab__open_guarded(struct gopclntab *t)
{
	sigjmp_buf jb, *prev = bus_jmp;
	int err;

	if (sigsetjmp(jb, 0)) {
		bus_jmp = prev;
		tab__fault(t);
		return -EIO;
	}
	bus_jmp = &jb;
	err = tab__open_elf(t);
	bus_jmp = prev;
	return err;
}

int gopclntab__open_mem(const void *buf, size_t len, struct gopclntab **out)
{
	struct gopclntab *t = tab__new(buf, len);
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	err = tab__open_elf(t);
	if (err) {
		free(t);
		return err;
	}
	*out = t;
	return 0;
}

int gopclntab__open_raw(const void *buf, size_t len, uint64_t vaddr, uint64_t text_start,
			uint64_t gofunc, struct gopclntab **out)
{
	struct gopclntab *t = tab__new(buf, len);
	struct go_syms gs = { .text = text_start, .gofunc = gofunc };
	int err;

	*out = NULL;
	if (!t)
		return -ENOMEM;
	t->segs[0] = (struct seg){ .vaddr = vaddr, .off = 0, .filesz = len, .flags = 0 };
	t->nsegs = len ? 1 : 0;
	t->pcln_vaddr = vaddr;
	err = pcln__parse_header(t, buf, len);
	if (err) {
		free(t);
		return err;
	}
	pcln__resolve_bases(t, NULL, &gs);
	*out = t;
	return 0;
}

int gopclntab__open(int fd, struct gopclntab **out)
{
	struct gopclntab *t;
	struct stat st;
	void *map;
	int err;

	*out = NULL;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size < 64)
		return -ENOENT;
	if ((uint64_t)st.st_size > SIZE_MAX)
		return -EFBIG;
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	/* Lookups hop around a table of tens of MB: readahead would only
	 * inflate our resident set. */
	madvise(map, (size_t)st.st_size, MADV_RANDOM);
	t = tab__new(map, (size_t)st.st_size);
	if (!t) {
		munmap(map, (size_t)st.st_size);
		return -ENOMEM;
	}
	t->map = map;
	t->map_len = (size_t)st.st_size;
	bus__install();
	err = tab__open_guarded(t);
	if (err) {
		gopclntab__free(t);
		return err;
	}
	*out = t;
	return 0;
}

struct symbolizer *gopclntab__symbolizer(struct gopclntab *tab)
{
	return &tab->sym;
}

void gopclntab__text_range(const struct gopclntab *tab, uint64_t *lo, uint64_t *hi)
{
	*lo = tab->text_lo;
	*hi = tab->text_hi;
}

const char *gopclntab__describe(const struct gopclntab *tab)
{
	return tab->desc;
}

void gopclntab__release(struct gopclntab *tab)
{
	/* The mapping is private and read-only: dropping its pages loses
	 * nothing, they come back from the page cache when touched again. */
	if (tab->map)
		madvise(tab->map, tab->map_len, MADV_DONTNEED);
	tab->lookups = 0;
}

void gopclntab__free(struct gopclntab *tab)
{
	if (!tab)
		return;
	if (tab->map)
		munmap(tab->map, tab->map_len);
	for (size_t i = 0; i < tab->strs_n; i++)
		free(tab->strs[i].s);
	free(tab->strs);
	hmap__free(&tab->str_set);
	free(tab->pending);
	free(tab);
}

/* ---- lookup ---- */

/* One physical function, as the lookup of a pc found it. */
struct func {
	uint64_t off; /* _func record, from pcln */
	uint64_t entry, end;
	uint32_t pcsp, pcfile, pcln, npcdata, cu;
	uint8_t nfuncdata;
};

/*
 * Reads an unsigned varint (at most 32 bits) at *pos of the pctab; false at
 * the end of the table or on an overlong encoding.
 */
static bool pc_uvarint(const struct gopclntab *t, uint64_t *pos, uint32_t *v)
{
	uint32_t r = 0;

	for (unsigned shift = 0; shift < 35; shift += 7) {
		uint8_t b;

		if (*pos >= t->pcln_len)
			return false;
		b = t->pcln[(*pos)++];
		r |= (uint32_t)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			*v = r;
			return true;
		}
	}
	return false;
}

/*
 * The value of pc-value table off (relative to pctab) at target, -1 when
 * absent or not covered. The number of steps is bounded by the function's
 * size, so a hostile table costs at most one pass over the function's pcs.
 */
static int32_t pcvalue(struct gopclntab *t, const struct func *f, uint32_t off,
		       uint64_t target)
{
	uint64_t table = t->pctab + off, pos = table, pc = f->entry;
	uint64_t steps = (f->end - f->entry) / t->quantum + 2;
	struct pcv_cache *c = &t->pcv[(off ^ off >> 5 ^ off >> 11) % ARRAY_LEN(t->pcv)];
	int32_t val = -1;

	if (off == 0)
		return -1;
	/* No real function has a million line changes; a hostile one must not
	 * make one lookup scan a gigabyte. */
	if (steps > (1u << 20))
		steps = 1u << 20;
	if (c->table == table && c->entry == f->entry && c->pc <= target) {
		pos = c->pos;
		pc = c->pc;
		val = c->val;
	}
	for (uint64_t n = 0; n < steps; n++) {
		uint64_t run_pos = pos, run_pc = pc;
		int32_t run_val = val;
		uint32_t uv, pcd;

		/* One budget for all the tables of one call: an inline chain
		 * decodes up to 3 * SYM_MAX_INLINE of them. */
		if (!t->steps_left)
			return -1;
		t->steps_left--;
		if (!pc_uvarint(t, &pos, &uv))
			return -1;
		if (uv == 0 && pc != f->entry)
			return -1;
		/* int32 arithmetic that wraps, as Go's does. */
		val = (int32_t)((uint32_t)val + ((uv & 1) ? ~(uv >> 1) : (uv >> 1)));
		/* The linker emits a step only where the pc advances: a zero
		 * delta would let a hostile table spin without progress. */
		if (!pc_uvarint(t, &pos, &pcd) || pcd == 0)
			return -1;
		pc += (uint64_t)pcd * t->quantum;
		if (target < pc) {
			*c = (struct pcv_cache){ table, f->entry, run_pos, run_pc, run_val };
			return val;
		}
	}
	return -1;
}

/* Finds the function covering pc; false if none or its record is out of bounds. */
static bool func__find(const struct gopclntab *t, uint64_t pc, struct func *f)
{
	uint64_t lo = 0, hi = t->nfunc, es = fn_entry_size(t), fsz = fn_pcdata_off(t);

	if (pc < ftab_pc(t, 0) || pc >= ftab_pc(t, t->nfunc))
		return false;
	/* Last entry <= pc. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ftab_pc(t, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	f->off = t->funcdata + ftab_funcoff(t, lo);
	if (f->off < t->funcdata || !range_ok(f->off, fsz, t->pcln_len))
		return false;
	f->entry = get_word(t->pcln + f->off, es, t->be);
	if (t->ver >= VER_118)
		f->entry += t->text_start;
	f->end = ftab_pc(t, lo + 1);
	/* The record's own entry is what its tables count from; one that does
	 * not cover pc is corrupt. */
	if (f->entry > pc || f->end <= pc)
		return false;
	/* pcsp follows entry and three u32s (nameoff, args, and deferreturn
	 * or, before Go 1.12, frame) in every version. */
	f->pcsp = get32(t->pcln + f->off + es + 12, t->be);
	f->pcfile = get32(t->pcln + f->off + es + 16, t->be);
	f->pcln = get32(t->pcln + f->off + es + 20, t->be);
	f->npcdata = get32(t->pcln + f->off + es + 24, t->be);
	f->cu = t->ver >= VER_116 ? get32(t->pcln + f->off + es + 28, t->be) : 0;
	f->nfuncdata = t->pcln[f->off + fn_nfuncdata_off(t)];
	return true;
}

/* Function name at a name offset, or NULL. */
static const char *func_name(struct gopclntab *t, int64_t nameoff)
{
	if (nameoff < 0)
		return NULL;
	return pcln_str(t, t->funcnametab + (uint64_t)nameoff);
}

static const char *file_name(struct gopclntab *t, const struct func *f, int32_t fno)
{
	uint32_t fo;

	if (t->ver == VER_12) {
		if (fno <= 0 || (uint64_t)fno >= t->nfiletab ||
		    !pcln_u32(t, t->filetab + 4 * (uint64_t)fno, &fo))
			return NULL;
		return pcln_str(t, fo);
	}
	if (fno < 0 || f->cu == UINT32_MAX)
		return NULL;
	if ((uint64_t)f->cu + (uint64_t)fno >= (t->filetab - t->cutab) / 4 ||
	    !pcln_u32(t, t->cutab + 4 * ((uint64_t)f->cu + (uint64_t)fno), &fo) ||
	    fo == UINT32_MAX)
		return NULL;
	if (t->filetab + fo >= t->pctab)
		return NULL;
	return pcln_str(t, t->filetab + fo);
}

/* Address of the function's inline tree, 0 if it has none. */
static uint64_t func_inltree(const struct gopclntab *t, const struct func *f)
{
	uint64_t fd, v;
	uint32_t o;

	if (!t->inline_ok || f->npcdata <= 2 || f->nfuncdata <= t->inl_slot)
		return 0;
	fd = f->off + fn_pcdata_off(t) + 4 * (uint64_t)f->npcdata;
	if (t->ver >= VER_118) {
		if (!pcln_u32(t, fd + 4 * t->inl_slot, &o) || o == UINT32_MAX)
			return 0;
		return t->gofunc + o;
	}
	if (t->ptrsize == 8 && ((t->pcln_vaddr + fd) & 4))
		fd += 4;
	if (!pcln_word(t, fd + (uint64_t)t->inl_slot * t->ptrsize, t->ptrsize, &v))
		return 0;
	return v;
}

struct inl_rec {
	int32_t nameoff, parent_pc;
	int32_t start_line; /* VER_120 and later, else 0 */
};

/* Reads inline tree record ix; false if it is outside the mapped file. */
static bool inl_rec(const struct gopclntab *t, uint64_t tree, int32_t ix, struct inl_rec *r)
{
	uint64_t sz = t->ver >= VER_120 ? 16 : 20, avail;
	const uint8_t *p = vaddr_ptr(t, tree, &avail);

	if (!p || ix < 0 || !range_ok((uint64_t)ix * sz, sz, avail))
		return false;
	p += (uint64_t)ix * sz;
	if (t->ver >= VER_120) {
		r->nameoff = (int32_t)get32(p + 4, t->be);
		r->parent_pc = (int32_t)get32(p + 8, t->be);
		r->start_line = (int32_t)get32(p + 12, t->be);
	} else {
		r->nameoff = (int32_t)get32(p + 12, t->be);
		r->parent_pc = (int32_t)get32(p + 16, t->be);
		r->start_line = 0;
	}
	return true;
}

/*
 * The line of the function's declaration: _func.startLine, recorded since
 * Go 1.20 (after entryOff, nameOff and seven 32-bit fields); 0 before.
 */
static uint32_t func_start_line(const struct gopclntab *t, const struct func *f)
{
	uint32_t v;

	if (t->ver < VER_120 || !pcln_u32(t, f->off + 36, &v) || (int32_t)v < 0)
		return 0;
	return v;
}

static int lookup__run(struct gopclntab *t, uint64_t pc, struct sym_frame *out, int max)
{
	struct func f;
	uint64_t tree, p = pc;
	uint32_t inl_off = 0;
	int n = 0;

	if (max <= 0 || !func__find(t, pc, &f))
		return 0;
	if (max > SYM_MAX_INLINE)
		max = SYM_MAX_INLINE;
	tree = func_inltree(t, &f);
	if (tree && !pcln_u32(t, f.off + fn_pcdata_off(t) + 8, &inl_off))
		tree = 0;
	for (;;) {
		int32_t line = pcvalue(t, &f, f.pcln, p);
		int32_t fno = pcvalue(t, &f, f.pcfile, p);
		const char *file = file_name(t, &f, fno);
		int32_t ix = tree && n < max - 1 ? pcvalue(t, &f, inl_off, p) : -1;
		struct inl_rec r;
		const char *name;

		out[n].file = file;
		out[n].line = line > 0 ? (uint32_t)line : 0;
		out[n].entry = f.entry;
		/* A record we cannot read, or a parent pc outside the function,
		 * ends the chain at the physical function. */
		if (ix >= 0 && inl_rec(t, tree, ix, &r) && r.parent_pc >= 0 &&
		    (uint64_t)r.parent_pc < f.end - f.entry) {
			name = func_name(t, r.nameoff);
			out[n].name = name ? name : "?";
			out[n].inlined = true;
			out[n].unresolved = false;
			out[n].start_line = r.start_line > 0 ? (uint32_t)r.start_line : 0;
			n++;
			p = f.entry + (uint64_t)r.parent_pc;
			continue;
		}
		name = func_name(t, (int32_t)get32(t->pcln + f.off + fn_entry_size(t), t->be));
		out[n].name = name ? name : "?";
		out[n].inlined = false;
		out[n].unresolved = false;
		out[n].start_line = func_start_line(t, &f);
		return n + 1;
	}
}

int gopclntab__lookup(struct gopclntab *t, uint64_t pc, struct sym_frame *out, int max)
{
	sigjmp_buf jb, *prev = bus_jmp;
	int n;

	if (t->broken)
		return 0;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = prev;
		tab__fault(t);
		return 0;
	}
	bus_jmp = &jb;
	t->steps_left = STEP_BUDGET;
	n = lookup__run(t, pc, out, max);
	bus_jmp = prev;
	if (++t->lookups == RELEASE_EVERY)
		gopclntab__release(t);
	return n;
}

static int sp_delta__run(struct gopclntab *t, uint64_t pc, int32_t *delta)
{
	struct func f;
	int32_t v;

	if (!func__find(t, pc, &f)) {
		/* The functab covers its range without gaps: a pc inside it that
		 * finds no usable record means the record is corrupt. */
		if (pc >= ftab_pc(t, 0) && pc < ftab_pc(t, t->nfunc))
			return -EINVAL;
		return -ENOENT;
	}
	/* One pass over the table at most, resumed from the decode cache
	 * when the same function was asked about at a lower pc. A negative
	 * delta (or the -1 of "not covered") is no frame a caller can use. */
	v = pcvalue(t, &f, f.pcsp, pc);
	if (v < 0)
		return -EINVAL;
	*delta = v;
	return 0;
}

int gopclntab__sp_delta(struct gopclntab *t, uint64_t pc, int32_t *delta)
{
	sigjmp_buf jb, *prev = bus_jmp;
	int err;

	if (t->broken)
		return -EIO;
	if (sigsetjmp(jb, 0)) {
		bus_jmp = prev;
		tab__fault(t);
		return -EIO;
	}
	bus_jmp = &jb;
	t->steps_left = STEP_BUDGET;
	err = sp_delta__run(t, pc, delta);
	bus_jmp = prev;
	return err;
}
