// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_folded.c: libFuzzer target for folded input and everything drawn
 * from it. Folded files come from other tools and from profiled processes'
 * own names, so the reader and both writers must survive any bytes.
 *
 * Input: one option byte, then folded text. Bit 0: strict reading; bit 1:
 * read two-count lines into a "before" profile and draw a differential
 * graph; bits 2-3: sibling order; bit 4: inverted; bit 5: reverse; bit 6:
 * script omitted; bit 7: line labels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "folded.h"
#include "stacks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stacks *prof, *before;
	struct flamegraph_opts fg;
	char *out = NULL;
	size_t out_len = 0;
	FILE *in, *sink;
	uint8_t opt;

	if (size < 1)
		return 0;
	opt = data[0];
	in = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "r");
	if (!in)
		return 0;
	prof = stacks__new();
	before = stacks__new();
	struct folded_read_opts ro = {
		.source = "fuzz", .strict = opt & 1, .before = (opt & 2) ? before : NULL,
	};
	/* Diagnostics for bad lines go to stderr: keep the fuzzer's log small. */
	FILE *saved_err = stderr;

	stderr = fopen("/dev/null", "w");
	if (size > 1 && folded__read(prof, in, &ro) == 0) {
		sink = open_memstream(&out, &out_len);
		folded__write(prof, (opt & 0x80) ? LABEL_LINES | LABEL_ANNOTATE : LABEL_ANNOTATE,
			      sink);
		flamegraph_opts__init(&fg);
		fg.order = (enum flamegraph_order)((opt >> 2) % 3);
		fg.inverted = opt & 0x10;
		fg.reverse = opt & 0x20;
		fg.no_script = opt & 0x40;
		if ((opt & 2) && stacks__stack_count(before))
			fg.before = before;
		flamegraph__write(prof, &fg, sink);
		fclose(sink);
		free(out);
	}
	fclose(stderr);
	stderr = saved_err;
	fclose(in);
	stacks__free(prof);
	stacks__free(before);
	return 0;
}
