/*
 * profile_data.h: the one in-memory profile every output writes from.
 *
 * A profile is a set of stacks (root first) of interned frames, each stack
 * with a weight (samples; fractional for folded input that has them).
 * Frames are structured, not strings: name, source file and line, kind
 * (kernel, inlined, ...), and for recorded profiles the address and object
 * they came from, so folded, SVG and pprof writers each take what they need.
 * Identical frame sequences are merged on insert; writers that print labels
 * (folded, SVG) merge again by label, since two different frames can share
 * a label (same function, different lines).
 *
 * Strings are copied into the profile; everything it returns belongs to it
 * and stays valid until profile__free().
 */
#ifndef BPFLAME_PROFILE_DATA_H
#define BPFLAME_PROFILE_DATA_H

#include <stddef.h>
#include <stdint.h>

enum frame_kind {
	FRAME_USER = 0, /* user-space code (Go or native) */
	FRAME_INLINED,  /* user code inlined into the next frame out: "_[i]" */
	FRAME_KERNEL,   /* kernel code: "_[k]" */
	FRAME_JIT,      /* JIT code (from folded input): "_[j]" */
	FRAME_PROCESS,  /* the root frame naming the process (comm) */
	FRAME_UNKNOWN,  /* unresolved: "[unknown]" or "[module]" */
};

struct profile_frame {
	const char *name; /* without annotation suffix */
	const char *file; /* NULL if unknown */
	uint32_t line;    /* 0 if unknown */
	uint8_t kind;     /* enum frame_kind */
	uint64_t addr;    /* object-file address the frame came from, 0 if none */
	const char *object; /* object file (path or [vdso]), NULL if none */
};

struct profile_stack {
	const uint32_t *frames; /* frame ids, root first */
	uint32_t depth;
	double weight;
};

struct profile;

struct profile *profile__new(void);
void profile__free(struct profile *prof);

/*
 * Interns a frame (strings copied) and stores its id in *id.
 * Returns 0 or -ENOMEM.
 */
int profile__intern_frame(struct profile *prof, const struct profile_frame *frame, uint32_t *id);

/*
 * Adds weight to the stack of frame ids (root first), merging it with an
 * identical stack already present. Returns 0, -EINVAL for a bad frame id or
 * an empty stack, or -ENOMEM.
 */
int profile__add_stack(struct profile *prof, const uint32_t *frames, uint32_t depth,
		       double weight);

size_t profile__stack_count(const struct profile *prof);
const struct profile_stack *profile__stack(const struct profile *prof, size_t index);
size_t profile__frame_count(const struct profile *prof);
const struct profile_frame *profile__frame(const struct profile *prof, uint32_t id);
double profile__total(const struct profile *prof);

/* Label flags. */
#define LABEL_ANNOTATE 0x1 /* append _[k], _[i], _[j] by kind (folded output) */
#define LABEL_LINES 0x2    /* append :LINE when the line is known */

/*
 * Writes the display label of a frame into buf (always NUL-terminated,
 * truncated to len). Returns the untruncated length, like snprintf.
 */
int profile__frame_label(const struct profile *prof, uint32_t id, unsigned flags, char *buf,
			 size_t len);

/*
 * Splits a folded-format frame label into name and kind: a trailing _[k],
 * _[i] or _[j] annotation is removed and becomes the kind. Returns the kind;
 * *name_len receives the length of the name without the annotation.
 */
enum frame_kind profile__parse_label(const char *label, size_t len, size_t *name_len);

#endif /* BPFLAME_PROFILE_DATA_H */
