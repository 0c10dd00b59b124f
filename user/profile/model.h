/*
 * model.h: the one profile model, shaped like pprof's profile.proto.
 *
 * Every output is written from it and every input is read into it: a
 * recording (the resolver fills it), a pprof file (format/pprof.h), folded
 * text (through its label view, model__from_stacks()). Tables are interned
 * and referenced by index, never by pointer:
 *
 *   strings    index 0 is always "" (as in pprof)
 *   mappings   start, limit, file offset, file, build id, kind (kernel...)
 *   functions  name, system name, file, start line
 *   locations  address and mapping (kept even when nothing resolves them)
 *              plus the lines of their inline chain, innermost first
 *   samples    locations leaf first, one value per sample type, labels
 *              (each distinct label set stored once, shared by its samples)
 *
 * plus sample types, period, time, duration and comments. Identical samples
 * (same locations and labels) are merged on insert by adding their values.
 *
 * Design notes: values are doubles, not pprof's int64, so that folded input
 * with fractional counts survives a trip through the model; integers are
 * exact up to 2^53 and the pprof writer rounds. Mapping references are
 * index + 1 with 0 for "no mapping", as pprof's ids are; every other
 * reference is a plain index. The label view (stacks.h) that flame graphs,
 * folded text and reports use is derived with model__label_view().
 *
 * Strings are copied; everything returned belongs to the model and stays
 * valid until model__free() (pointers into tables until the next insert).
 */
#ifndef BPFLAME_MODEL_H
#define BPFLAME_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stacks.h"

enum mapping_kind {
	MAPPING_FILE = 0, /* an object file (or anonymous memory: file "") */
	MAPPING_KERNEL,   /* the kernel and its modules */
	MAPPING_JIT,      /* JIT code (folded "_[j]" frames) */
};

struct model_value_type {
	uint32_t type, unit; /* strings, e.g. "cpu"/"nanoseconds" */
};

struct model_mapping {
	uint64_t start, limit, offset;
	uint32_t file;     /* string */
	uint32_t build_id; /* string: hex GNU build id or the Go build id */
	uint8_t kind;      /* enum mapping_kind */
	bool has_functions, has_filenames, has_line_numbers, has_inline_frames;
};

struct model_function {
	uint32_t name, system_name, file; /* strings */
	int64_t start_line;               /* 0 if unknown */
};

struct model_line {
	uint32_t function; /* index into functions */
	int64_t line;      /* 0 if unknown */
};

/* Longest inline chain of one location (deeper ones are cut, innermost kept). */
#define MODEL_MAX_LINES 64

struct model_location {
	uint64_t addr;      /* object address (ELF vaddr or kernel address), 0 if none */
	uint32_t mapping;   /* mapping index + 1, 0 for none */
	uint32_t first_line; /* lines[first_line, first_line + nlines), innermost first */
	uint32_t nlines;
};

struct model_label {
	uint32_t key; /* string */
	uint32_t str; /* string, 0 for a numeric label */
	int64_t num;
	uint32_t num_unit; /* string, 0 if none */
};

struct model_sample {
	uint32_t first_loc, nlocs;      /* into the location-id pool, leaf first */
	uint32_t first_label, nlabels;  /* into the label pool */
};

struct model;

struct model *model__new(void);
void model__free(struct model *m);

/* Interns len bytes of s (no NUL inside is assumed) and returns 0 and *id, or -ENOMEM. */
int model__string(struct model *m, const char *s, size_t len, uint32_t *id);
/* The id of an interned string without adding it: 0 and *id, or -ENOENT. */
int model__find_string(const struct model *m, const char *s, size_t len, uint32_t *id);
/* Interns a NUL-terminated string; NULL is "". */
int model__cstring(struct model *m, const char *s, uint32_t *id);
/* The string id, NUL-terminated ("" for an id out of range). */
const char *model__str(const struct model *m, uint32_t id);
size_t model__string_count(const struct model *m);

/*
 * Adds a sample type ("samples", "count"). Every sample type must be added
 * before the first sample. Returns its index, -EBUSY once samples exist,
 * -E2BIG past MODEL_MAX_VALUES, or -ENOMEM.
 */
#define MODEL_MAX_VALUES 16
int model__add_sample_type(struct model *m, const char *type, const char *unit);
size_t model__value_count(const struct model *m);
struct model_value_type model__sample_type(const struct model *m, size_t i);
/* Index of the sample type named type, or -ENOENT. */
int model__find_sample_type(const struct model *m, const char *type);
/* The default one for flame graphs and folded text: "samples" (counts of
 * samples, what folded input holds), else "cpu", else 0. */
size_t model__default_sample_type(const struct model *m);

/* Metadata (strings copied). */
int model__set_period(struct model *m, const char *type, const char *unit, int64_t period);
struct model_value_type model__period_type(const struct model *m);
int64_t model__period(const struct model *m);
void model__set_time(struct model *m, int64_t time_ns, int64_t duration_ns);
int64_t model__time(const struct model *m);
int64_t model__duration(const struct model *m);
int model__add_comment(struct model *m, const char *text);
size_t model__comment_count(const struct model *m);
const char *model__comment(const struct model *m, size_t i);

/* Interns a mapping (all fields compared); *id is its index. Returns 0 or -errno. */
int model__mapping(struct model *m, const struct model_mapping *map, uint32_t *id);
/* Interns a function; *id is its index. */
int model__function(struct model *m, const struct model_function *fn, uint32_t *id);
/*
 * Interns a location: mapping (index + 1, 0 none), address, and its lines
 * innermost first (function indexes must exist). Returns 0 and *id, -EINVAL
 * for a bad reference, or -ENOMEM.
 */
int model__location(struct model *m, uint32_t mapping, uint64_t addr,
		    const struct model_line *lines, uint32_t nlines, uint32_t *id);
/*
 * Adds a sample: location indexes leaf first, labels, and one value per
 * sample type. Merged with an identical sample. Returns 0, -EINVAL for a
 * bad reference or no sample types, or -ENOMEM.
 */
int model__add_sample(struct model *m, const uint32_t *locs, uint32_t nlocs,
		      const struct model_label *labels, uint32_t nlabels, const double *values);

size_t model__mapping_count(const struct model *m);
const struct model_mapping *model__get_mapping(const struct model *m, uint32_t i);
size_t model__function_count(const struct model *m);
const struct model_function *model__get_function(const struct model *m, uint32_t i);
size_t model__location_count(const struct model *m);
const struct model_location *model__get_location(const struct model *m, uint32_t i);
const struct model_line *model__lines(const struct model *m, const struct model_location *loc);
size_t model__sample_count(const struct model *m);
const struct model_sample *model__get_sample(const struct model *m, size_t i);
const uint32_t *model__sample_locs(const struct model *m, const struct model_sample *s);
const struct model_label *model__sample_labels(const struct model *m,
					       const struct model_sample *s);
const double *model__sample_values(const struct model *m, size_t i);
/* Sum of value index over every sample. */
double model__total(const struct model *m, size_t value);

/*
 * Adds every sample of src into dst (re-interning all of src's tables).
 * The sample types are matched by type and unit: dst gets src's types if it
 * has none, else each type of dst takes src's value of the same type (0
 * when src lacks it). Durations add up, the earliest start time is kept.
 * Returns 0 or -errno.
 */
int model__merge(struct model *dst, const struct model *src);

/*
 * The label view: for each sample, its frames root first: the process
 * (FRAME_PROCESS, from the "comm" label) if any, then each location's inline
 * chain outermost first (inner lines FRAME_INLINED, kernel mappings
 * FRAME_KERNEL, unresolved locations "[module]" / "[unknown]"), weighted by
 * the value of sample type value. Returns 0, -EINVAL for a bad value index,
 * or -ENOMEM.
 */
int model__label_view(const struct model *m, size_t value, struct stacks *out);

/*
 * The model of a label view (folded input): one sample type samples/count,
 * one function and one location per distinct frame, "_[i]" frames added to
 * the location of the frame they are inlined into, "_[k]" and "_[j]"
 * frames in a kernel and a JIT mapping. model__label_view() of the result
 * gives the same labels. Weights are kept as they are (fractional too).
 */
int model__from_stacks(const struct stacks *in, struct model **out);

#endif /* BPFLAME_MODEL_H */
