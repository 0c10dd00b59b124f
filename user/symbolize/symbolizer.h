/*
 * symbolizer.h: the interface every symbol source implements.
 *
 * A symbolizer answers for one object file (an executable or shared
 * library) and takes addresses in that file's ELF virtual address space
 * (runtime address minus load bias). It returns structured frames, not
 * strings, so that folded, SVG and pprof writers each take what they need.
 *
 * The caller applies the return-address rule before calling: the leaf pc is
 * looked up as is, every caller's return address as pc - 1.
 *
 * Strings in returned frames belong to the symbolizer (often they point
 * into the mapped file) and stay valid until its free() is called.
 */
#ifndef BPFLAME_SYMBOLIZER_H
#define BPFLAME_SYMBOLIZER_H

#include <stdbool.h>
#include <stdint.h>

/* One logical frame. An inlined call expands one pc into several frames. */
struct sym_frame {
	const char *name; /* function name, never NULL when returned */
	const char *file; /* source file, NULL if unknown */
	uint32_t line;    /* source line, 0 if unknown */
	uint32_t start_line; /* line of the function's declaration, 0 if unknown */
	bool inlined;     /* this frame was inlined into the next frame out */
	uint64_t entry;   /* entry address of the physical function, 0 if unknown */
	bool unresolved;  /* name is a placeholder: "[unknown]" or "[module]" */
};

struct symbolizer;

struct symbolizer_ops {
	const char *kind; /* "go", "elf", ... for diagnostics */
	/*
	 * Writes up to max frames for addr, innermost first, into out.
	 * Returns the number of frames written, 0 when no symbol covers addr
	 * (not an error), or a negative errno.
	 */
	int (*lookup)(struct symbolizer *sym, uint64_t addr, struct sym_frame *out, int max);
	void (*free)(struct symbolizer *sym);
};

/* Implementations embed this as their first member. */
struct symbolizer {
	const struct symbolizer_ops *ops;
};

static inline int symbolizer_lookup(struct symbolizer *sym, uint64_t addr,
				    struct sym_frame *out, int max)
{
	return sym->ops->lookup(sym, addr, out, max);
}

static inline void symbolizer_free(struct symbolizer *sym)
{
	if (sym)
		sym->ops->free(sym);
}

/* Deepest inline chain any symbolizer expands for one pc. */
#define SYM_MAX_INLINE 32

#endif /* BPFLAME_SYMBOLIZER_H */
