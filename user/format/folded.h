/*
 * folded.h: the folded stack format, "frame;frame;... count" per line, root
 * first, as flamegraph.pl, inferno and speedscope read it.
 *
 * Writing merges stacks that print the same (one line per distinct labelled
 * stack) and sorts lines bytewise, so output is deterministic. Reading
 * accepts flamegraph.pl's input: fractional counts, and the two-count form
 * "stack before after" that difffolded.pl writes.
 */
#ifndef BPFLAME_FOLDED_H
#define BPFLAME_FOLDED_H

#include <stdbool.h>
#include <stdio.h>

#include "stacks.h"

/*
 * Writes prof to out with labels built with label_flags (LABEL_ANNOTATE is
 * what flamegraph.pl expects). Returns 0, -ENOMEM, or -EIO on a write error.
 */
int folded__write(const struct stacks *prof, unsigned label_flags, FILE *out);

struct folded_read_opts {
	const char *source; /* name used in diagnostics, e.g. the file name */
	bool strict;        /* a malformed line fails the read instead of being skipped */
	/* For two-count lines: receives the first count; prof gets the second.
	 * When NULL, a two-count line contributes its last count to prof. */
	struct stacks *before;
	/* Called for every stack added to prof, in input order (flame charts
	 * need the order a profile does not keep); ids belong to the reader
	 * and are valid during the call. A non-zero return stops the read
	 * and is returned. */
	int (*on_stack)(void *ctx, const uint32_t *ids, uint32_t depth, double weight);
	void *ctx;
};

/*
 * Reads folded lines from in and adds them to prof. A malformed line is
 * reported on stderr as "SOURCE:LINE: ..." (the one place this module
 * prints, since only it knows line numbers) and skipped, or, with strict,
 * makes the read fail with -EINVAL. Returns 0, -ENODATA when no valid line
 * was read, -EINVAL (strict), -ENOMEM or -EIO.
 */
int folded__read(struct stacks *prof, FILE *in, const struct folded_read_opts *opts);

#endif /* BPFLAME_FOLDED_H */
