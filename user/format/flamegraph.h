/*
 * flamegraph.h: interactive SVG flame graphs, rendered in C.
 *
 * Layout follows flamegraph.pl: stacks merged by common prefix, siblings in
 * alphabetical order (or by weight, or in input order for flame charts),
 * widths proportional to samples, frames narrower than minwidth omitted.
 * The output is one self-contained SVG (script embedded, no network) with
 * tooltips, click-to-zoom, regex search and zoom/search kept in the URL.
 *
 * Differential mode (opts.before != NULL): the drawn shape is prof's; each
 * frame is colored red where it grew from before and blue where it shrank,
 * scaled by the largest change. As in difffolded.pl | flamegraph.pl, stacks
 * are matched by their labels and a frame's change is that of the stacks
 * ending in it (its own samples); frames only passed through stay white.
 *
 * Output structure (relied on by tests and the script): frames are the <g>
 * children of <g id="frames"> in depth-first order, each exactly
 * <g[ data-s="EXACT"][ data-l="SHOWN"]><title>NAME (N samples, P%[; +D%])</title>
 * <rect x y width height fill="#rrggbb"/><text x y>LABEL</text></g>, where
 * data-s is the exact count of fractional profiles, and data-l the name the
 * label shows when it differs from NAME (vendor prefixes trimmed, names.h;
 * LABEL is SHOWN cut to the frame's width); depth = (height - 34 + 1 - y)
 * / 16 - 1 (inverted: (y - 36) / 16, (y - 60) / 16 with a subtitle) with
 * the default font and frame sizes.
 */
#ifndef BPFLAME_FLAMEGRAPH_H
#define BPFLAME_FLAMEGRAPH_H

#include <stdbool.h>
#include <stdio.h>

#include "stacks.h"

enum flamegraph_order {
	ORDER_ALPHA = 0, /* flamegraph.pl's default */
	ORDER_WEIGHT,    /* heaviest sibling first */
	ORDER_INPUT,     /* flame chart: input order, only adjacent stacks merged */
};

struct flamegraph_opts {
	const char *title;     /* default "Flame Graph" ("Icicle Graph" inverted) */
	const char *subtitle;  /* NULL for none */
	const char *countname; /* default "samples" */
	const char *palette;   /* "go" (default), "hot", "mem", "io", "java", ... */
	double width;          /* image width in px, default 1200 */
	double minwidth;       /* omit frames narrower than this (px), default 0.1 */
	double frame_height;   /* default 16 */
	double font_size;      /* default 12 */
	enum flamegraph_order order;
	bool inverted;         /* icicle graph: root at the top */
	bool reverse;          /* reverse each stack before merging */
	bool no_script;        /* omit the script block (readable golden files) */
	unsigned label_flags;  /* LABEL_LINES adds :LINE to frame names */
	/* differential */
	const struct stacks *before;
	bool normalize; /* scale before to prof's total */
	/* extensions (zero = off) */
	bool minwidth_pct; /* minwidth is a percentage of the total, not px */
	bool full_names;   /* labels keep vendor prefixes (titles always do) */
	/* Flame chart input in time order (ORDER_INPUT): stacks of prof's frame
	 * ids, not merged. NULL uses prof's stacks in insertion order, which
	 * has merged equal stacks that were apart in time. */
	const struct stack_entry *sequence;
	size_t sequence_len;
};

/* Fills opts with the defaults above. */
void flamegraph_opts__init(struct flamegraph_opts *opts);

/*
 * Renders prof as SVG to out. Returns 0, -ENODATA when prof has no samples
 * (the caller says "empty profile" rather than writing an empty graph),
 * -EINVAL for a bad option (unknown palette), -ENOMEM or -EIO.
 */
int flamegraph__write(const struct stacks *prof, const struct flamegraph_opts *opts, FILE *out);

/*
 * Writes the two-count folded form difffolded.pl writes, "stack BEFORE
 * AFTER" per line, for every stack in either profile (0 where absent),
 * stacks compared by their labels (label_flags as for folded__write, so
 * LABEL_ANNOTATE keeps _[k] etc.). normalize scales before's counts to
 * after's total with difffolded.pl's -n rounding (truncation). Lines are
 * sorted bytewise (difffolded.pl prints in hash order). Returns 0, -ENOMEM
 * or -EIO.
 */
int flamegraph__write_difffolded(const struct stacks *before, const struct stacks *after,
				 bool normalize, unsigned label_flags, FILE *out);

#endif /* BPFLAME_FLAMEGRAPH_H */
