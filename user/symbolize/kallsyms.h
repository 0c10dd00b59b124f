/*
 * kallsyms.h: kernel text symbols from /proc/kallsyms, for kernel frames.
 *
 * Keeps the text symbols (types t, T, w, W), core kernel and modules, in
 * one array sorted by address with all names in one string arena (about
 * 16 bytes per symbol plus its name). Several names at one address keep a
 * single one, a global (T) before a local (t) before a weak one. A lookup
 * returns the last symbol that starts at or below the address: kallsyms has
 * no sizes, so an address past the end of the last function of a region
 * still resolves to that function.
 */
#ifndef BPFLAME_KALLSYMS_H
#define BPFLAME_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

struct ksyms;

struct ksym {
	uint64_t addr;      /* start address */
	const char *name;   /* e.g. "do_syscall_64", owned by the ksyms */
	const char *module; /* e.g. "ext4", NULL for the core kernel */
};

/* Bounds against a corrupt file: longest line, most symbols kept. */
#define KSYMS_LINE_MAX 1024
#define KSYMS_MAX (1u << 23)

/*
 * Loads path (NULL: /proc/kallsyms). Returns 0 and *out (freed with
 * ksyms__free()), -EPERM when every text symbol reads as address 0
 * (kernel.kptr_restrict hides them from this user), -ENOENT when the file
 * has no text symbol, -EINVAL on a malformed line, -E2BIG, -ENOMEM, or the
 * errno of open/read.
 */
int ksyms__load(const char *path, struct ksyms **out);

/*
 * Like ksyms__load, but keeps only the symbols that addrs[0..naddrs) (any
 * order, duplicates allowed) fall in, plus an end mark after each, so that
 * a lookup of another address gives that symbol or -ENOENT, never a wrong
 * one. Memory is a few words per address, not the whole table (about 5 MB
 * on a distribution kernel); the file is read twice. Same errors.
 */
int ksyms__load_for(const char *path, const uint64_t *addrs, size_t naddrs,
		    struct ksyms **out);

/* The symbol covering addr. Returns 0 and *sym, or -ENOENT below the first
 * symbol (or, for a table of ksyms__load_for, outside the symbols kept). */
int ksyms__find(const struct ksyms *ks, uint64_t addr, struct ksym *sym);

/* Number of symbols kept (after merging aliases). */
unsigned int ksyms__count(const struct ksyms *ks);

void ksyms__free(struct ksyms *ks);

#endif /* BPFLAME_KALLSYMS_H */
