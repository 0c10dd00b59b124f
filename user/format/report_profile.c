// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "report_profile.h"

#include <errno.h>
#include <stdlib.h>

#include "report_presets.h"
#include "util.h"

int report_profile__add(struct report *r, const struct stacks *prof)
{
	size_t nframes = stacks__frame_count(prof), ids_cap = 0;
	uint32_t *map = malloc((nframes ? nframes : 1) * sizeof(*map)), *ids = NULL;
	int err = map ? 0 : -ENOMEM;

	/* Each profile frame becomes a report frame once: names are hashed per
	 * distinct frame, not per sample. */
	for (size_t id = 0; id < nframes && !err; id++) {
		const struct stack_frame *f = stacks__frame(prof, id);
		uint8_t flags = f->kind == FRAME_KERNEL	   ? REPORT_FRAME_KERNEL
				: f->kind == FRAME_INLINED ? REPORT_FRAME_INLINED
							   : 0;

		err = report__frame_id(r, f->name, flags, &map[id]);
	}
	for (size_t i = 0; i < stacks__stack_count(prof) && !err; i++) {
		const struct stack_entry *s = stacks__stack(prof, i);

		if (array_reserve(&ids, &ids_cap, s->depth, sizeof(*ids))) {
			err = -ENOMEM;
			break;
		}
		for (uint32_t d = 0; d < s->depth; d++)
			ids[d] = map[s->frames[d]];
		err = report__add_sample_ids(r, ids, s->depth, s->weight);
	}
	free(map);
	free(ids);
	return err;
}

int report_profile__write_text(const struct stacks *prof, const struct report_meta *meta,
			       FILE *out)
{
	struct report *r = report__new();
	const struct report_preset *preset;
	struct report_meta m = *meta;
	int err;

	if (!r)
		return -ENOMEM;
	err = report_profile__add(r, prof);
	preset = err ? NULL : report_presets__detect(r);
	if (preset) {
		m.preset = preset->name;
		err = report_presets__apply(preset, r, NULL, 0);
	}
	if (!err)
		err = report__set_meta(r, &m);
	if (!err)
		err = report__compute(r);
	if (!err)
		err = report__write_text(r, NULL, out);
	report__free(r);
	return err;
}
