/*
 * outputs.h: writing one model to every output a command was given, and
 * reading any input into a model: what record, svg, merge and convert
 * share. Formats follow the file name: .folded (or "-"), .svg, .pb.gz and
 * .pprof (gzipped pprof). These functions print their errors (p_err) since
 * they know the file names; they return exit statuses.
 */
#ifndef BPFLAME_OUTPUTS_H
#define BPFLAME_OUTPUTS_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "util.h"

enum output_format { OUT_FOLDED, OUT_SVG, OUT_PPROF, OUT_REPORT /* bpflame report's text */ };

/* The format of path by its extension ("-" is folded). Returns 0 or -EINVAL. */
int output_format_of(const char *path, enum output_format *format);

struct output_opts {
	unsigned label_flags; /* LABEL_LINES for :LINE */
	const char *title;    /* SVG title, NULL for the default */
	int value;            /* sample type index for folded and SVG, -1: the default */
	double duration_s;    /* of the recording, for the report; 0 if unknown */
};

/*
 * Writes m to each of the n outputs (opened with out_file__open), files in
 * order, then stdout ("-"), so that no stderr line follows stdout's data;
 * each is committed; after a failure the rest are aborted. The label view is
 * built once for folded and SVG outputs. Prints "wrote FILE" (p_info) and
 * errors. Returns 0 or 1.
 */
int outputs__write(const struct model *m, const struct output_opts *o, const char *const *paths,
		   const enum output_format *formats, int n, struct out_file *outs);

/*
 * Reads path ("-": stdin) into a new model: pprof (gzipped, or named .pb
 * or .pprof) or folded text. Returns 0 and *out, or an exit status after
 * printing the error (2 for bad input).
 */
int input__read(const char *path, bool strict, struct model **out);

/* Whether the input at path, open as in, is pprof: gzip's first byte, or a
 * .pb, .pprof or .pb.gz name (an uncompressed one too). Peeks one byte. */
bool input__is_pprof(const char *path, FILE *in);

/*
 * The sample type --value NAME names (NULL: the model's default). Returns
 * its index, or -1 after printing the known names.
 */
int input__value(const struct model *m, const char *name, const char *path);

#endif /* BPFLAME_OUTPUTS_H */
