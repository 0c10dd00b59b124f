// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * fuzz_gopclntab.c: libFuzzer target for the Go pclntab reader.
 *
 * Input: one mode byte, then the data. Mode bit 0 clear: the data is an ELF
 * file (gopclntab__open_mem). Set: 16 bytes of little-endian text start and
 * go:func.* address (0 = take the header's, none), then a bare pclntab
 * (gopclntab__open_raw), which lets the fuzzer reach the decoders with small
 * inputs. Every table that opens is looked up at pcs spread over its range,
 * at its edges and at a pc taken from the input, with the full inline depth,
 * and asked for its SP delta there.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gopclntab.h"

/* Keeps the string reads below from being optimized away. */
static volatile size_t sink;

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void exercise(struct gopclntab *tab, uint64_t extra)
{
	struct sym_frame fr[SYM_MAX_INLINE];
	uint64_t lo, hi, span, pcs[24];
	int npc = 0;

	gopclntab__text_range(tab, &lo, &hi);
	span = hi > lo ? hi - lo : 1;
	pcs[npc++] = lo;
	pcs[npc++] = lo - 1;
	pcs[npc++] = hi;
	pcs[npc++] = hi - 1;
	pcs[npc++] = extra;
	for (int i = 0; i < 16; i++)
		pcs[npc++] = lo + span / 16 * (uint64_t)i + (uint64_t)i;
	for (int i = 0; i < npc; i++) {
		int n = gopclntab__lookup(tab, pcs[i], fr, SYM_MAX_INLINE);
		int32_t delta = -1;
		int err = gopclntab__sp_delta(tab, pcs[i], &delta);

		/* Its contract: 0 and a delta that is never negative, or one of
		 * two errors. Anything else is a bug worth a crash report. */
		if ((err == 0 && delta < 0) || (err != 0 && err != -ENOENT && err != -EINVAL))
			__builtin_trap();
		sink += (size_t)delta;

		for (int j = 0; j < n; j++) {
			/* Touch every string: overreads show up under ASan. */
			sink += strlen(fr[j].name);
			if (fr[j].file)
				sink += strlen(fr[j].file);
		}
	}
	(void)gopclntab__describe(tab);
	(void)symbolizer_lookup(gopclntab__symbolizer(tab), lo, fr, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gopclntab *tab = NULL;
	uint64_t extra = 0;

	if (size < 1)
		return 0;
	if (size >= 9)
		extra = le64(data + size - 8);
	if (!(data[0] & 1)) {
		if (gopclntab__open_mem(data + 1, size - 1, &tab) == 0) {
			exercise(tab, extra);
			gopclntab__free(tab);
		}
		return 0;
	}
	if (size < 17)
		return 0;
	if (gopclntab__open_raw(data + 17, size - 17, 0x100000, le64(data + 1), le64(data + 9),
				&tab) == 0) {
		exercise(tab, extra);
		gopclntab__free(tab);
	}
	return 0;
}
