/*
 * stacks.h: the label view of a profile: stacks (root first) of labelled
 * frames, each stack with a weight.
 *
 * This is what flame graphs, folded text and reports consume: a frame is a
 * display name with a kind (kernel, inlined, process, ...) and optionally a
 * file and line, never an address. The pprof-shaped model (model.h) is the
 * profile itself; model__label_view() derives this view from it, and the
 * folded reader fills it directly, since folded text is exactly this view
 * (fractional and two-count lines included, which pprof cannot carry).
 * Identical frame sequences are merged on insert; writers that print labels
 * (folded, SVG) merge again by label, since two different frames can share
 * a label (same function, different lines).
 *
 * Strings are copied into the view; everything it returns belongs to it and
 * stays valid until stacks__free().
 */
#ifndef BPFLAME_STACKS_H
#define BPFLAME_STACKS_H

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

struct stack_frame {
	const char *name; /* without annotation suffix */
	const char *file; /* NULL if unknown */
	uint32_t line;    /* 0 if unknown */
	uint8_t kind;     /* enum frame_kind */
};

struct stack_entry {
	const uint32_t *frames; /* frame ids, root first */
	uint32_t depth;
	double weight;
};

struct stacks;

struct stacks *stacks__new(void);
void stacks__free(struct stacks *prof);

/*
 * Interns a frame (strings copied) and stores its id in *id.
 * Returns 0 or -ENOMEM.
 */
int stacks__intern_frame(struct stacks *prof, const struct stack_frame *frame, uint32_t *id);

/*
 * Adds weight to the stack of frame ids (root first), merging it with an
 * identical stack already present. Returns 0, -EINVAL for a bad frame id or
 * an empty stack, or -ENOMEM.
 */
int stacks__add_stack(struct stacks *prof, const uint32_t *frames, uint32_t depth,
		       double weight);

size_t stacks__stack_count(const struct stacks *prof);
const struct stack_entry *stacks__stack(const struct stacks *prof, size_t index);
size_t stacks__frame_count(const struct stacks *prof);
const struct stack_frame *stacks__frame(const struct stacks *prof, uint32_t id);
double stacks__total(const struct stacks *prof);

/* Label flags. */
#define LABEL_ANNOTATE 0x1 /* append _[k], _[i], _[j] by kind (folded output) */
#define LABEL_LINES 0x2    /* append :LINE when the line is known */

/*
 * Writes the display label of a frame into buf (always NUL-terminated,
 * truncated to len). Returns the untruncated length, like snprintf.
 */
int stacks__frame_label(const struct stacks *prof, uint32_t id, unsigned flags, char *buf,
			 size_t len);

/*
 * Splits a folded-format frame label into name and kind: a trailing _[k],
 * _[i] or _[j] annotation is removed and becomes the kind. Returns the kind;
 * *name_len receives the length of the name without the annotation.
 */
enum frame_kind stacks__parse_label(const char *label, size_t len, size_t *name_len);

#endif /* BPFLAME_STACKS_H */
