// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "stacks.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"

/* Three interned tables (strings, frames, stacks), each an array with an
 * index set (hashmap.h) over it. */
struct stacks {
	/* interned strings: one allocation each, owned here */
	char **strings;
	size_t nstrings, strings_cap;
	struct hmap string_set;

	struct stack_frame *frames;
	size_t nframes, frames_cap;
	struct hmap frame_set;

	struct stack_entry *stacks;
	size_t nstacks, stacks_cap;
	struct hmap stack_set;

	double total;
};

struct stacks *stacks__new(void)
{
	return calloc(1, sizeof(struct stacks));
}

void stacks__free(struct stacks *prof)
{
	if (!prof)
		return;
	for (size_t i = 0; i < prof->nstrings; i++)
		free(prof->strings[i]);
	free(prof->strings);
	hmap__free(&prof->string_set);
	free(prof->frames);
	hmap__free(&prof->frame_set);
	for (size_t i = 0; i < prof->nstacks; i++)
		free((void *)prof->stacks[i].frames);
	free(prof->stacks);
	hmap__free(&prof->stack_set);
	free(prof);
}

struct key_ctx {
	const struct stacks *prof;
	const void *key;
	size_t len;
};

static bool string_equal(const void *ctx_, uint32_t i)
{
	const struct key_ctx *ctx = ctx_;

	return !strcmp(ctx->prof->strings[i], ctx->key);
}

static bool frame_equal(const void *ctx_, uint32_t i)
{
	const struct key_ctx *ctx = ctx_;
	const struct stack_frame *a = &ctx->prof->frames[i], *b = ctx->key;

	/* Strings are interned, so their pointers identify them. */
	return a->name == b->name && a->file == b->file && a->line == b->line &&
	       a->kind == b->kind;
}

static bool stack_equal(const void *ctx_, uint32_t i)
{
	const struct key_ctx *ctx = ctx_;
	const struct stack_entry *s = &ctx->prof->stacks[i];

	return s->depth == ctx->len && !memcmp(s->frames, ctx->key, ctx->len * sizeof(uint32_t));
}

static uint64_t frame_hash(const struct stack_frame *f)
{
	uint64_t h = hash_u64((uintptr_t)f->name, 0);

	h = hash_u64((uintptr_t)f->file, h);
	return hash_u64(((uint64_t)f->line << 8) | f->kind, h);
}

/* Returns the interned copy of s (NULL stays NULL), or NULL with *err set. */
static const char *intern_string(struct stacks *prof, const char *s, int *err)
{
	struct key_ctx ctx = { prof, s, 0 };
	uint64_t h;
	uint32_t i;
	char *copy;

	if (!s)
		return NULL;
	h = hash_bytes(s, strlen(s), 0);
	if (!hmap__find(&prof->string_set, h, string_equal, &ctx, &i))
		return prof->strings[i];
	*err = array_reserve(&prof->strings, &prof->strings_cap, prof->nstrings + 1,
			     sizeof(*prof->strings));
	if (!*err)
		*err = hmap__reserve(&prof->string_set, prof->nstrings + 1);
	copy = *err ? NULL : strdup(s);
	if (!copy) {
		*err = -ENOMEM;
		return NULL;
	}
	hmap__insert(&prof->string_set, h, prof->nstrings);
	prof->strings[prof->nstrings++] = copy;
	return copy;
}

int stacks__intern_frame(struct stacks *prof, const struct stack_frame *frame, uint32_t *id)
{
	struct stack_frame f = *frame;
	struct key_ctx ctx = { prof, &f, 0 };
	uint64_t h;
	int err = 0;

	f.name = intern_string(prof, frame->name ? frame->name : "[unknown]", &err);
	if (!err)
		f.file = intern_string(prof, frame->file, &err);
	if (err)
		return err;
	h = frame_hash(&f);
	if (!hmap__find(&prof->frame_set, h, frame_equal, &ctx, id))
		return 0;
	err = array_reserve(&prof->frames, &prof->frames_cap, prof->nframes + 1,
			    sizeof(*prof->frames));
	if (!err)
		err = hmap__insert(&prof->frame_set, h, prof->nframes);
	if (err)
		return err;
	prof->frames[prof->nframes] = f;
	*id = prof->nframes++;
	return 0;
}

int stacks__add_stack(struct stacks *prof, const uint32_t *frames, uint32_t depth,
		      double weight)
{
	struct key_ctx ctx = { prof, frames, depth };
	struct stack_entry *stack;
	uint32_t *copy, i;
	uint64_t h;
	int err;

	if (!depth)
		return -EINVAL;
	for (uint32_t d = 0; d < depth; d++) {
		if (frames[d] >= prof->nframes)
			return -EINVAL;
	}
	h = hash_bytes(frames, depth * sizeof(*frames), 0);
	if (!hmap__find(&prof->stack_set, h, stack_equal, &ctx, &i)) {
		prof->stacks[i].weight += weight;
		prof->total += weight;
		return 0;
	}
	err = array_reserve(&prof->stacks, &prof->stacks_cap, prof->nstacks + 1,
			    sizeof(*prof->stacks));
	if (!err)
		err = hmap__reserve(&prof->stack_set, prof->nstacks + 1);
	if (err)
		return err;
	copy = malloc(depth * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, frames, depth * sizeof(*copy));
	hmap__insert(&prof->stack_set, h, prof->nstacks);
	stack = &prof->stacks[prof->nstacks++];
	stack->frames = copy;
	stack->depth = depth;
	stack->weight = weight;
	prof->total += weight;
	return 0;
}

size_t stacks__stack_count(const struct stacks *prof)
{
	return prof->nstacks;
}

const struct stack_entry *stacks__stack(const struct stacks *prof, size_t index)
{
	return index < prof->nstacks ? &prof->stacks[index] : NULL;
}

size_t stacks__frame_count(const struct stacks *prof)
{
	return prof->nframes;
}

const struct stack_frame *stacks__frame(const struct stacks *prof, uint32_t id)
{
	return id < prof->nframes ? &prof->frames[id] : NULL;
}

double stacks__total(const struct stacks *prof)
{
	return prof->total;
}

static const char *kind_suffix(uint8_t kind)
{
	switch (kind) {
	case FRAME_INLINED:
		return "_[i]";
	case FRAME_KERNEL:
		return "_[k]";
	case FRAME_JIT:
		return "_[j]";
	default:
		return "";
	}
}

int stacks__frame_label(const struct stacks *prof, uint32_t id, unsigned flags, char *buf,
			 size_t len)
{
	const struct stack_frame *f = stacks__frame(prof, id);
	char line[16] = "";

	if (!f)
		return snprintf(buf, len, "[invalid]");
	if ((flags & LABEL_LINES) && f->line)
		snprintf(line, sizeof(line), ":%u", f->line);
	return snprintf(buf, len, "%s%s%s", f->name, line,
			(flags & LABEL_ANNOTATE) ? kind_suffix(f->kind) : "");
}

enum frame_kind stacks__parse_label(const char *label, size_t len, size_t *name_len)
{
	static const struct {
		char letter;
		enum frame_kind kind;
	} annotations[] = { { 'k', FRAME_KERNEL }, { 'i', FRAME_INLINED }, { 'j', FRAME_JIT } };

	*name_len = len;
	if (len < 4 || label[len - 4] != '_' || label[len - 3] != '[' || label[len - 1] != ']')
		return FRAME_USER;
	for (size_t i = 0; i < sizeof(annotations) / sizeof(annotations[0]); i++) {
		if (label[len - 2] == annotations[i].letter) {
			*name_len = len - 4;
			return annotations[i].kind;
		}
	}
	return FRAME_USER;
}
