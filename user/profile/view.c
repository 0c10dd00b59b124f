// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * view.c: between the model (model.h) and its label view (stacks.h):
 * model__label_view() and model__from_stacks(). The rules of how a location
 * becomes labelled frames live here only, so folded text, SVG and reports
 * all label frames the same way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "util.h"

/*
 * Placeholder name of a location no symbol covers: "[libc.so.6]" (the
 * mapped file's base name, " (deleted)" cut), "[vdso]" as is, or "[unknown]".
 */
static void unresolved_name(const struct model *m, const struct model_location *loc, char *buf,
			    size_t len)
{
	const struct model_mapping *map = loc->mapping ? model__get_mapping(m, loc->mapping - 1)
						       : NULL;
	const char *file = map ? model__str(m, map->file) : "";
	const char *base = strrchr(file, '/');
	size_t n;

	base = base ? base + 1 : file;
	n = strlen(base);
	if (n > 10 && !strcmp(base + n - 10, " (deleted)"))
		n -= 10;
	if (!n || map->kind != MAPPING_FILE)
		snprintf(buf, len, "[unknown]");
	else if (file[0] == '[')
		snprintf(buf, len, "%s", file);
	else
		snprintf(buf, len, "[%.*s]", (int)n, base);
}

/* The frames of one location, outermost first, appended to (*ids)[*depth...]. */
static int location_frames(const struct model *m, uint32_t loc_id, struct stacks *out,
			   uint32_t **ids, size_t *cap, size_t *depth)
{
	const struct model_location *loc = model__get_location(m, loc_id);
	const struct model_mapping *map = loc->mapping ? model__get_mapping(m, loc->mapping - 1)
						       : NULL;
	const struct model_line *lines = model__lines(m, loc);
	uint8_t base_kind = !map ? FRAME_USER
			    : map->kind == MAPPING_KERNEL ? FRAME_KERNEL
			    : map->kind == MAPPING_JIT ? FRAME_JIT : FRAME_USER;
	char name[256];
	int err;

	if (array_reserve(ids, cap, *depth + (loc->nlines ? loc->nlines : 1), sizeof(**ids)))
		return -ENOMEM;
	if (!loc->nlines) {
		struct stack_frame f = { .name = name, .kind = FRAME_UNKNOWN };

		if (base_kind != FRAME_USER)
			f.kind = base_kind;
		unresolved_name(m, loc, name, sizeof(name));
		return stacks__intern_frame(out, &f, &(*ids)[(*depth)++]);
	}
	for (uint32_t i = loc->nlines; i-- > 0;) {
		const struct model_function *fn = model__get_function(m, lines[i].function);
		struct stack_frame f = {
			.name = model__str(m, fn->name),
			.file = fn->file ? model__str(m, fn->file) : NULL,
			.line = lines[i].line > 0 && lines[i].line <= UINT32_MAX ? lines[i].line : 0,
			.kind = base_kind,
		};

		if (i + 1 < loc->nlines && base_kind == FRAME_USER)
			f.kind = FRAME_INLINED;
		if (!*f.name)
			f.name = "[unknown]";
		err = stacks__intern_frame(out, &f, &(*ids)[(*depth)++]);
		if (err)
			return err;
	}
	return 0;
}

int model__label_view(const struct model *m, size_t value, struct stacks *out)
{
	uint32_t comm_key, *ids = NULL;
	size_t cap = 0;
	bool have_comm;
	int err = 0;

	if (value >= model__value_count(m))
		return -EINVAL;
	/* The string table is interned: a "comm" key has this one id. */
	have_comm = !model__find_string(m, "comm", 4, &comm_key);
	for (size_t i = 0; !err && i < model__sample_count(m); i++) {
		const struct model_sample *s = model__get_sample(m, i);
		const uint32_t *locs = model__sample_locs(m, s);
		const struct model_label *labels = model__sample_labels(m, s);
		size_t depth = 0;

		for (uint32_t l = 0; have_comm && l < s->nlabels; l++) {
			struct stack_frame f = { .kind = FRAME_PROCESS };

			if (labels[l].key != comm_key || !labels[l].str)
				continue;
			f.name = model__str(m, labels[l].str);
			err = array_reserve(&ids, &cap, 1, sizeof(*ids));
			if (!err)
				err = stacks__intern_frame(out, &f, &ids[depth++]);
			break;
		}
		for (uint32_t d = s->nlocs; !err && d-- > 0;)
			err = location_frames(m, locs[d], out, &ids, &cap, &depth);
		if (!err && depth)
			err = stacks__add_stack(out, ids, depth, model__sample_values(m, i)[value]);
	}
	free(ids);
	return err;
}

/* --- folded (a label view) into the model --- */

struct from_ctx {
	struct model *m;
	uint32_t kernel_map, jit_map; /* index + 1, 0 until needed */
};

static int special_mapping(struct model *m, const char *file, uint8_t kind, uint32_t *id)
{
	struct model_mapping map = { .kind = kind, .has_functions = true };
	int err = model__cstring(m, file, &map.file);

	if (!err)
		err = model__mapping(m, &map, id);
	if (!err)
		(*id)++;
	return err;
}

/*
 * The function of frame id of in. An inlined frame at the root of a stack
 * has no frame to be inlined into (root_inline): it becomes a frame of its
 * own named by its annotated label ("NAME_[i]"), so the folded text comes
 * back as it was read.
 */
static int frame_function(struct model *m, const struct stacks *in, uint32_t id, bool root_inline,
			  uint32_t *fn_id)
{
	const struct stack_frame *f = stacks__frame(in, id);
	struct model_function fn = { 0 };
	int err;

	if (root_inline) {
		int len = stacks__frame_label(in, id, LABEL_ANNOTATE, NULL, 0);
		char *label = len < 0 ? NULL : malloc((size_t)len + 1);

		if (!label)
			return -ENOMEM;
		stacks__frame_label(in, id, LABEL_ANNOTATE, label, (size_t)len + 1);
		err = model__cstring(m, label, &fn.name);
		free(label);
	} else {
		err = model__cstring(m, f->name, &fn.name);
	}
	if (!err)
		err = model__cstring(m, f->file, &fn.file);
	fn.system_name = fn.name;
	return err ? err : model__function(m, &fn, fn_id);
}

/* Location of frames[from, to) (one physical frame and the frames inlined into it). */
static int frames_location(struct from_ctx *c, const struct stacks *in, const uint32_t *frames,
			   uint32_t from, uint32_t to, uint32_t *loc)
{
	const struct stack_frame *outer = stacks__frame(in, frames[from]);
	struct model_line lines[MODEL_MAX_LINES];
	uint32_t n = 0, mapping = 0;
	int err = 0;

	if (outer->kind == FRAME_KERNEL) {
		if (!c->kernel_map)
			err = special_mapping(c->m, "[kernel.kallsyms]", MAPPING_KERNEL,
					      &c->kernel_map);
		mapping = c->kernel_map;
	} else if (outer->kind == FRAME_JIT) {
		if (!c->jit_map)
			err = special_mapping(c->m, "[jit]", MAPPING_JIT, &c->jit_map);
		mapping = c->jit_map;
	}
	/* Innermost first: the last inlined frame comes first. */
	for (uint32_t i = to; !err && i-- > from && n < MODEL_MAX_LINES;) {
		const struct stack_frame *f = stacks__frame(in, frames[i]);

		err = frame_function(c->m, in, frames[i], i == from && f->kind == FRAME_INLINED,
				     &lines[n].function);
		lines[n++].line = f->line;
	}
	return err ? err : model__location(c->m, mapping, 0, lines, n, loc);
}

int model__from_stacks(const struct stacks *in, struct model **out)
{
	struct from_ctx c = { 0 };
	uint32_t *locs = NULL;
	size_t cap = 0;
	int err = -ENOMEM;

	c.m = model__new();
	if (!c.m || model__add_sample_type(c.m, "samples", "count") < 0)
		goto out;
	err = 0;
	for (size_t i = 0; !err && i < stacks__stack_count(in); i++) {
		const struct stack_entry *s = stacks__stack(in, i);
		uint32_t n = 0, to = s->depth;

		if (array_reserve(&locs, &cap, s->depth, sizeof(*locs))) {
			err = -ENOMEM;
			break;
		}
		/* Walk leaf to root: a run of "_[i]" frames belongs to the first
		 * frame rootwards of it that is not inlined. */
		for (uint32_t d = s->depth; !err && d-- > 0;) {
			if (d > 0 && stacks__frame(in, s->frames[d])->kind == FRAME_INLINED)
				continue;
			err = frames_location(&c, in, s->frames, d, to, &locs[n++]);
			to = d;
		}
		if (!err)
			err = model__add_sample(c.m, locs, n, NULL, 0, &s->weight);
	}
out:
	free(locs);
	if (err) {
		model__free(c.m);
		return err;
	}
	*out = c.m;
	return 0;
}
