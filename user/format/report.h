/*
 * report.h: the numbers an operator reads off a flame graph, computed: the
 * hottest functions by self and by total share, and the share of samples
 * spent in named categories of code (authentication, JSON, etcd, GC, ...).
 *
 * The engine knows no profile model. It consumes a stream of samples, each
 * a stack of function names root first, a flag per frame (kernel, inlined)
 * and a weight; adapters feed it from a profile (report_profile.h) or any
 * other reader. Names are interned, so a big profile costs its distinct
 * frames, not its samples, in regex matching.
 *
 * Rules, as documented in README.md:
 *  - self: the weight of samples whose leaf is the function; total: of the
 *    samples whose stack holds it, once per sample however often it recurs.
 *  - a category is a list of POSIX extended regexes, and optional exclusion
 *    regexes; a frame belongs to it when it matches one regex and no
 *    exclusion. A sample counts in a category once when any of its frames
 *    belongs, so nested matches count once and a sample can count in several
 *    categories (shares overlap); "uncategorized" is the samples in none.
 *  - a regex matches a frame when it matches its name or its folded label
 *    (the name, then "_[k]" for kernel frames, "_[i]" for inlined ones), so
 *    "^runtime\.mallocgc$" also finds inlined copies and "_\[k\]$" the kernel.
 *
 * Errors are negative errnos; nothing here prints. Strings passed in are
 * copied.
 */
#ifndef BPFLAME_REPORT_H
#define BPFLAME_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define REPORT_FRAME_KERNEL 0x1
#define REPORT_FRAME_INLINED 0x2
#define REPORT_MAX_CATEGORIES 64
#define REPORT_DEFAULT_TOP 20
#define REPORT_WIDTH 100 /* text output fits this many columns */

/* What is known about where the samples came from; NULL or 0: unknown. */
struct report_meta {
	const char *source;	/* file name, or a description of the recording */
	const char *value_type; /* default "samples" */
	const char *unit;	/* default "count" */
	double duration_s;	/* wall-clock length of the recording */
	double freq_hz;		/* sampling frequency */
	const char *preset;	/* name of the category preset used */
};

struct report_output_opts {
	size_t top;	 /* rows of each top list (0: REPORT_DEFAULT_TOP) */
	bool full_names; /* text: print names whole, no vendor trimming or cuts */
};

struct report;

struct report *report__new(void);
void report__free(struct report *r);

/* Replaces the metadata. Returns 0 or -ENOMEM. */
int report__set_meta(struct report *r, const struct report_meta *meta);

/*
 * Adds regex to category name (created on first use, in that order); with
 * exclude, frames matching regex never belong to it. Returns 0, -EINVAL for
 * an empty or invalid regex or name (err, when not NULL, receives a message
 * naming the category and the regex), -E2BIG past REPORT_MAX_CATEGORIES, or
 * -ENOMEM. Categories can be added until report__compute().
 */
int report__add_pattern(struct report *r, const char *name, const char *regex, bool exclude,
			char *err, size_t errlen);

/*
 * Adds "NAME=REGEX" or "NAME!=REGEX" (an exclusion), the form of
 * --category and of preset files. Returns as report__add_pattern(), with
 * -EINVAL (and a message) for a spec of another form.
 */
int report__add_spec(struct report *r, const char *spec, char *err, size_t errlen);

size_t report__category_count(const struct report *r);

/*
 * Adds one sample: depth frames, names[0] the root, flags[i] a mask of
 * REPORT_FRAME_* (flags may be NULL), weight finite and >= 0. Returns 0,
 * -EINVAL (depth 0, bad weight, after report__compute) or -ENOMEM.
 */
int report__add_sample(struct report *r, const char *const *names, const uint8_t *flags,
		       size_t depth, double weight);

/*
 * The same stream for readers whose frames are already interned: a frame's
 * id, once per distinct (name, flags), then samples as arrays of ids. Return
 * 0, -EINVAL (bad id, depth or weight, after report__compute) or -ENOMEM.
 */
int report__frame_id(struct report *r, const char *name, uint8_t flags, uint32_t *id);
int report__add_sample_ids(struct report *r, const uint32_t *ids, size_t depth, double weight);

/* 1 when some frame added so far matches regex (as categories match), 0 if
 * none, -EINVAL for a bad regex. Presets use it to recognize a program. */
int report__any_frame_matches(const struct report *r, const char *regex);

/*
 * Computes every share. Returns 0, -ENODATA when the samples weigh nothing
 * (an empty profile), or -ENOMEM. Samples and categories are fixed after.
 */
int report__compute(struct report *r);

/* After report__compute(): the total weight, and category i's weight
 * (i == report__category_count(): uncategorized). */
double report__total(const struct report *r);
double report__category_value(const struct report *r, size_t i);
const char *report__category_name(const struct report *r, size_t i);

/* Writers, after report__compute(). Return 0 or -EIO (write error). */
int report__write_text(const struct report *r, const struct report_output_opts *o, FILE *out);
int report__write_json(const struct report *r, const struct report_output_opts *o, FILE *out);

/*
 * The comparison of `report --base`: each category's share in base and in
 * r and the difference in points, and the functions whose self share moved
 * most. Both reports need the same categories (-EINVAL otherwise). Returns
 * 0, -EINVAL, -ENOMEM or -EIO.
 */
int report__write_compare_text(const struct report *base, const struct report *r,
			       const struct report_output_opts *o, FILE *out);
int report__write_compare_json(const struct report *base, const struct report *r,
			       const struct report_output_opts *o, FILE *out);

#endif /* BPFLAME_REPORT_H */
