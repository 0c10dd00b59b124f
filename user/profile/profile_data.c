// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "profile_data.h"
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Three open-addressing hash sets (strings, frames, stacks), each an array
 * of 1-based indexes into its table, 0 meaning empty; grown at 50% load.
 */
struct index_set {
	uint32_t *slots;
	size_t cap; /* power of two, or 0 */
};

struct profile {
	/* interned strings: one allocation each, owned here */
	char **strings;
	size_t nstrings, strings_cap;
	struct index_set string_set;

	struct profile_frame *frames;
	size_t nframes, frames_cap;
	struct index_set frame_set;

	struct profile_stack *stacks;
	size_t nstacks, stacks_cap;
	struct index_set stack_set;

	double total;
};

static uint64_t hash_bytes(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	/* FNV-1a, 64-bit */
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define HASH_SEED 0xcbf29ce484222325ULL

struct profile *profile__new(void)
{
	return calloc(1, sizeof(struct profile));
}

void profile__free(struct profile *prof)
{
	if (!prof)
		return;
	for (size_t i = 0; i < prof->nstrings; i++)
		free(prof->strings[i]);
	free(prof->strings);
	free(prof->string_set.slots);
	free(prof->frames);
	free(prof->frame_set.slots);
	for (size_t i = 0; i < prof->nstacks; i++)
		free((void *)prof->stacks[i].frames);
	free(prof->stacks);
	free(prof->stack_set.slots);
	free(prof);
}

/* --- hashing of each table's entries --- */

static uint64_t string_hash(const char *s)
{
	return hash_bytes(HASH_SEED, s, strlen(s));
}

static uint64_t mix64(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

static uint64_t frame_hash(const struct profile_frame *f)
{
	uint64_t h = HASH_SEED;

	/* Strings are interned, so their pointers identify them. */
	h = mix64(h, (uintptr_t)f->name);
	h = mix64(h, (uintptr_t)f->file);
	h = mix64(h, ((uint64_t)f->line << 8) | f->kind);
	h = mix64(h, f->addr);
	return mix64(h, (uintptr_t)f->object);
}

static bool frame_equal(const struct profile_frame *a, const struct profile_frame *b)
{
	return a->name == b->name && a->file == b->file && a->line == b->line &&
	       a->kind == b->kind && a->addr == b->addr && a->object == b->object;
}

static uint64_t stack_hash(const uint32_t *frames, uint32_t depth)
{
	return hash_bytes(HASH_SEED, frames, depth * sizeof(*frames));
}

/*
 * Finds the slot for an entry with hash h in set; matches(i) tells whether
 * table entry i (0-based) is the one sought. Returns the slot index: either
 * holding the match or empty.
 */
#define SET_FIND(set, h, matches)                                                   \
	({                                                                          \
		size_t mask_ = (set)->cap - 1, slot_ = (h) & mask_;                 \
		while ((set)->slots[slot_]) {                                       \
			uint32_t i = (set)->slots[slot_] - 1;                       \
			if (matches)                                                \
				break;                                              \
			slot_ = (slot_ + 1) & mask_;                                \
		}                                                                   \
		slot_;                                                              \
	})

/* Rebuilds set with twice the capacity when it is half full. */
static int set_reserve(struct index_set *set, size_t count, uint64_t (*hash)(const void *, size_t),
		       const void *table)
{
	size_t new_cap;
	uint32_t *slots;

	if (set->cap && (count + 1) * 2 <= set->cap)
		return 0;
	new_cap = set->cap ? set->cap * 2 : 256;
	slots = calloc(new_cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		size_t slot = hash(table, i) & (new_cap - 1);

		while (slots[slot])
			slot = (slot + 1) & (new_cap - 1);
		slots[slot] = i + 1;
	}
	free(set->slots);
	set->slots = slots;
	set->cap = new_cap;
	return 0;
}

static uint64_t string_hash_at(const void *table, size_t i)
{
	return string_hash(((char *const *)table)[i]);
}

static uint64_t frame_hash_at(const void *table, size_t i)
{
	return frame_hash(&((const struct profile_frame *)table)[i]);
}

static uint64_t stack_hash_at(const void *table, size_t i)
{
	const struct profile_stack *s = &((const struct profile_stack *)table)[i];

	return stack_hash(s->frames, s->depth);
}

/* Returns the interned copy of s (NULL stays NULL), or NULL with *err set. */
static const char *intern_string(struct profile *prof, const char *s, int *err)
{
	size_t slot;
	char *copy;

	if (!s)
		return NULL;
	*err = set_reserve(&prof->string_set, prof->nstrings, string_hash_at, prof->strings);
	if (*err)
		return NULL;
	slot = SET_FIND(&prof->string_set, string_hash(s), strcmp(prof->strings[i], s) == 0);
	if (prof->string_set.slots[slot])
		return prof->strings[prof->string_set.slots[slot] - 1];
	*err = array_reserve(&prof->strings, &prof->strings_cap, prof->nstrings + 1,
			  sizeof(*prof->strings));
	copy = *err ? NULL : strdup(s);
	if (!copy) {
		*err = -ENOMEM;
		return NULL;
	}
	prof->strings[prof->nstrings++] = copy;
	prof->string_set.slots[slot] = prof->nstrings;
	return copy;
}

int profile__intern_frame(struct profile *prof, const struct profile_frame *frame, uint32_t *id)
{
	struct profile_frame f = *frame;
	size_t slot;
	int err = 0;

	f.name = intern_string(prof, frame->name ? frame->name : "[unknown]", &err);
	if (!err)
		f.file = intern_string(prof, frame->file, &err);
	if (!err)
		f.object = intern_string(prof, frame->object, &err);
	if (!err)
		err = set_reserve(&prof->frame_set, prof->nframes, frame_hash_at, prof->frames);
	if (err)
		return err;
	slot = SET_FIND(&prof->frame_set, frame_hash(&f), frame_equal(&prof->frames[i], &f));
	if (!prof->frame_set.slots[slot]) {
		err = array_reserve(&prof->frames, &prof->frames_cap, prof->nframes + 1,
				 sizeof(*prof->frames));
		if (err)
			return err;
		prof->frames[prof->nframes++] = f;
		prof->frame_set.slots[slot] = prof->nframes;
	}
	*id = prof->frame_set.slots[slot] - 1;
	return 0;
}

int profile__add_stack(struct profile *prof, const uint32_t *frames, uint32_t depth,
		       double weight)
{
	struct profile_stack *stack;
	uint32_t *copy;
	size_t slot;
	int err;

	if (!depth)
		return -EINVAL;
	for (uint32_t d = 0; d < depth; d++) {
		if (frames[d] >= prof->nframes)
			return -EINVAL;
	}
	err = set_reserve(&prof->stack_set, prof->nstacks, stack_hash_at, prof->stacks);
	if (err)
		return err;
	slot = SET_FIND(&prof->stack_set, stack_hash(frames, depth),
			prof->stacks[i].depth == depth &&
				!memcmp(prof->stacks[i].frames, frames, depth * sizeof(*frames)));
	if (prof->stack_set.slots[slot]) {
		prof->stacks[prof->stack_set.slots[slot] - 1].weight += weight;
		prof->total += weight;
		return 0;
	}
	err = array_reserve(&prof->stacks, &prof->stacks_cap, prof->nstacks + 1,
			 sizeof(*prof->stacks));
	if (err)
		return err;
	copy = malloc(depth * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, frames, depth * sizeof(*copy));
	stack = &prof->stacks[prof->nstacks++];
	stack->frames = copy;
	stack->depth = depth;
	stack->weight = weight;
	prof->stack_set.slots[slot] = prof->nstacks;
	prof->total += weight;
	return 0;
}

size_t profile__stack_count(const struct profile *prof)
{
	return prof->nstacks;
}

const struct profile_stack *profile__stack(const struct profile *prof, size_t index)
{
	return index < prof->nstacks ? &prof->stacks[index] : NULL;
}

size_t profile__frame_count(const struct profile *prof)
{
	return prof->nframes;
}

const struct profile_frame *profile__frame(const struct profile *prof, uint32_t id)
{
	return id < prof->nframes ? &prof->frames[id] : NULL;
}

double profile__total(const struct profile *prof)
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

int profile__frame_label(const struct profile *prof, uint32_t id, unsigned flags, char *buf,
			 size_t len)
{
	const struct profile_frame *f = profile__frame(prof, id);
	char line[16] = "";

	if (!f)
		return snprintf(buf, len, "[invalid]");
	if ((flags & LABEL_LINES) && f->line)
		snprintf(line, sizeof(line), ":%u", f->line);
	return snprintf(buf, len, "%s%s%s", f->name, line,
			(flags & LABEL_ANNOTATE) ? kind_suffix(f->kind) : "");
}

enum frame_kind profile__parse_label(const char *label, size_t len, size_t *name_len)
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
