// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_pprof.c: libFuzzer target for pprof input. Profiles come from other
 * tools and from the network (/debug/pprof), so the decoder, the label view
 * and the writers over a decoded model must survive any bytes.
 *
 * Input: one option byte, then the profile (plain protobuf; bit 0 gzips it
 * first, so the inflater is reached too). A decoded model is re-encoded and
 * decoded again (the encoder must give a profile the decoder accepts), and
 * merged into a copy of itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "folded.h"
#include "model.h"
#include "pprof.h"
#include "stacks.h"

static void exercise(const struct model *m)
{
	struct stacks *view = stacks__new();
	struct model *again = NULL;
	uint8_t *enc;
	size_t len;
	FILE *sink = fopen("/dev/null", "w");

	if (view && !model__label_view(m, model__default_sample_type(m), view) && sink)
		folded__write(view, LABEL_ANNOTATE | LABEL_LINES, sink);
	if (!pprof__encode(m, &enc, &len)) {
		if (pprof__decode(enc, len, &again) == 0) {
			model__merge(again, m);
			model__free(again);
		} else if (model__sample_count(m)) {
			abort(); /* our own encoding must decode */
		}
		free(enc);
	}
	if (sink)
		fclose(sink);
	stacks__free(view);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = NULL;
	uint8_t *gz = NULL;
	uLongf gz_len;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		z_stream z = { 0 };

		gz_len = compressBound(size) + 32;
		gz = malloc(gz_len);
		if (!gz || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(gz);
			return 0;
		}
		z.next_in = (uint8_t *)data + 1;
		z.avail_in = size - 1;
		z.next_out = gz;
		z.avail_out = gz_len;
		deflate(&z, Z_FINISH);
		gz_len = z.total_out;
		deflateEnd(&z);
		if (!pprof__decode(gz, gz_len, &m))
			exercise(m);
	} else if (!pprof__decode(data + 1, size - 1, &m)) {
		exercise(m);
	}
	model__free(m);
	free(gz);
	return 0;
}
