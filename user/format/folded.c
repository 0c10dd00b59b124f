// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "folded.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Malformed lines reported one by one; past this, only their number. */
#define MAX_LINE_WARNINGS 5

/*
 * Frame names can contain the separator: Go generic instantiations print
 * struct shapes such as "go.shape.struct { a bool; b string }". A ';' would
 * split the frame in two, a newline would split the line: replace both.
 */
static void sanitize_label(char *label, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (label[i] == ';')
			label[i] = ',';
		else if ((unsigned char)label[i] < 0x20)
			label[i] = ' ';
	}
}

/*
 * The printed label of every frame, built once: a line is the labels of its
 * frames joined by ';', so lines are compared and printed from these,
 * never built whole (the lines of a kube-apiserver profile take tens of MB;
 * its distinct frames, a few hundred KB).
 */
struct frame_labels {
	char **label;
	/* The label when it is a stack's last frame, where a name ending in
	 * " 123" (a name a process chose) would read back as a count, turning
	 * the line into the two-count diff form: there the blank becomes '_'
	 * to keep the digits in the name. NULL: the same as label. */
	char **last;
	size_t n;
};

static void frame_labels__free(struct frame_labels *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->label[i]);
		free(fl->last[i]);
	}
	free(fl->label);
	free(fl->last);
}

static char *frame_label(const struct stacks *prof, uint32_t id, unsigned flags)
{
	int n = stacks__frame_label(prof, id, flags, NULL, 0);
	char *label = n < 0 ? NULL : malloc((size_t)n + 1);

	if (!label)
		return NULL;
	stacks__frame_label(prof, id, flags, label, (size_t)n + 1);
	sanitize_label(label, (size_t)n);
	return label;
}

/* The label's last-frame form, or NULL when it is the same (or -ENOMEM). */
static int last_label(const char *label, char **out)
{
	size_t len = strlen(label), end = len;

	*out = NULL;
	while (end > 0 && (isdigit((unsigned char)label[end - 1]) || label[end - 1] == '.'))
		end--;
	if (end == len || end == 0 || !isspace((unsigned char)label[end - 1]))
		return 0;
	*out = strdup(label);
	if (!*out)
		return -ENOMEM;
	(*out)[end - 1] = '_';
	return 0;
}

static int frame_labels__build(struct frame_labels *fl, const struct stacks *prof,
			       unsigned flags)
{
	size_t n = stacks__frame_count(prof);

	memset(fl, 0, sizeof(*fl));
	fl->label = calloc(n ? n : 1, sizeof(*fl->label));
	fl->last = calloc(n ? n : 1, sizeof(*fl->last));
	if (!fl->label || !fl->last)
		return -ENOMEM;
	for (; fl->n < n; fl->n++) {
		fl->label[fl->n] = frame_label(prof, (uint32_t)fl->n, flags);
		if (!fl->label[fl->n] || last_label(fl->label[fl->n], &fl->last[fl->n]))
			return -ENOMEM;
	}
	return 0;
}

static const char *label_at(const struct frame_labels *fl, const struct stack_entry *st,
			    uint32_t d)
{
	uint32_t id = st->frames[d];

	return d + 1 == st->depth && fl->last[id] ? fl->last[id] : fl->label[id];
}

struct line_order {
	const struct stacks *prof;
	const struct frame_labels *fl;
};

/* Compares two stacks' lines bytewise (as strcmp would compare the joined
 * text) without building them: frames with the same id print the same. */
static int cmp_lines(const void *pa, const void *pb, void *ctx)
{
	const struct line_order *o = ctx;
	const struct stack_entry *a = stacks__stack(o->prof, *(const uint32_t *)pa);
	const struct stack_entry *b = stacks__stack(o->prof, *(const uint32_t *)pb);

	for (uint32_t d = 0;; d++) {
		bool a_last, b_last;

		if (d == a->depth || d == b->depth) /* "\0" sorts before ";" */
			return (d < a->depth) - (d < b->depth);
		a_last = d + 1 == a->depth;
		b_last = d + 1 == b->depth;
		if (a->frames[d] == b->frames[d] && a_last == b_last)
			continue;
		const unsigned char *la = (const unsigned char *)label_at(o->fl, a, d);
		const unsigned char *lb = (const unsigned char *)label_at(o->fl, b, d);

		while (*la && *la == *lb) {
			la++;
			lb++;
		}
		/* Past a label's end comes ';' or, after the last frame, the end. */
		unsigned ca = *la ? *la : a_last ? 0 : ';';
		unsigned cb = *lb ? *lb : b_last ? 0 : ';';

		if (ca != cb || (*la || *lb))
			return (int)ca - (int)cb;
		if (a_last || b_last)
			return (int)!a_last - (int)!b_last;
	}
}

static void print_weight(FILE *out, double weight)
{
	if (weight == floor(weight) && weight < 1e15)
		fprintf(out, "%.0f", weight);
	else
		fprintf(out, "%.10g", weight);
}

int folded__write(const struct stacks *prof, unsigned label_flags, FILE *out)
{
	size_t n = stacks__stack_count(prof);
	uint32_t *order = calloc(n ? n : 1, sizeof(*order));
	struct frame_labels fl;
	struct line_order o = { prof, &fl };
	int err = frame_labels__build(&fl, prof, label_flags);

	if (err || !order) {
		err = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	qsort_r(order, n, sizeof(*order), cmp_lines, &o);
	/* Equal lines are adjacent now: print each once with the summed weight. */
	for (size_t i = 0; i < n;) {
		const struct stack_entry *st = stacks__stack(prof, order[i]);
		double weight = 0;
		size_t j = i;

		for (; j < n && !cmp_lines(&order[i], &order[j], &o); j++)
			weight += stacks__stack(prof, order[j])->weight;
		for (uint32_t d = 0; d < st->depth; d++) {
			if (d)
				fputc(';', out);
			fputs(label_at(&fl, st, d), out);
		}
		fputc(' ', out);
		print_weight(out, weight);
		fputc('\n', out);
		i = j;
	}
	if (ferror(out))
		err = -EIO;
out:
	frame_labels__free(&fl);
	free(order);
	return err;
}

/*
 * Parses a non-negative count ("12", "0.5", "3."); returns 0 or -EINVAL.
 * flamegraph.pl accepts the same shapes: \d+(\.\d*)?, so not ".5".
 */
static int parse_count(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end;
	size_t digits = 0;

	size_t dots = 0;

	if (!len || len >= sizeof(buf) || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if (s[i] != '.' || ++dots > 1)
			return -EINVAL;
	}
	if (!digits)
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	*out = strtod(buf, &end);
	return *end || !isfinite(*out) ? -EINVAL : 0;
}

/*
 * Splits the trailing count off [line, line + *len) and shortens *len to
 * the stack before it. Like flamegraph.pl, exactly one blank separates the
 * two; any further blanks stay part of the stack. Returns 0 or -EINVAL.
 */
static int split_count(const char *line, size_t *len, double *count)
{
	size_t end = *len, start = end;

	/* Cheap rejection first: every count ends in a digit or a dot. */
	if (!end || (!isdigit((unsigned char)line[end - 1]) && line[end - 1] != '.'))
		return -EINVAL;
	while (start > 0 && !isspace((unsigned char)line[start - 1]))
		start--;
	if (start == 0 || parse_count(line + start, end - start, count))
		return -EINVAL;
	*len = start - 1;
	return 0;
}

/*
 * The previous line's frames, for reusing their ids: folded files are
 * usually sorted, so a line shares most of its frames with the one before,
 * and those need no parsing or hashing (half of `bpflame svg`'s time on a
 * large kube-apiserver profile was interning the same names again).
 */
struct prev_line {
	char *text;      /* the previous stack, len bytes */
	size_t len, text_cap;
	size_t *ends;    /* ends[k]: offset just past frame k (its ';' or len) */
	uint32_t *ids;   /* ids[k]: its frame id */
	size_t depth, ends_cap, ids_cap;
};

static void prev_line__free(struct prev_line *p)
{
	free(p->text);
	free(p->ends);
	free(p->ids);
}

/*
 * Adds one stack "a;b;c" of length len with weight. The leading frames that
 * are byte for byte those of the previous line keep their ids; each other
 * name is cut out in place (a NUL written over its end, then restored) so
 * that interning a frame that is already known copies nothing. Returns 0 or
 * -errno.
 */
static int add_folded_stack(struct stacks *prof, struct prev_line *prev, char *stack,
			    size_t len, double weight)
{
	size_t depth = 0, start = 0, same = 0, max = len < prev->len ? len : prev->len;
	int err = 0;

	while (same < max && stack[same] == prev->text[same])
		same++;
	/* Frame k is the same if its whole text and its end are. */
	while (depth < prev->depth && prev->ends[depth] <= same &&
	       (prev->ends[depth] == len || stack[prev->ends[depth]] == ';')) {
		start = prev->ends[depth] + 1;
		depth++;
	}
	while (start <= len) {
		char *semi = memchr(stack + start, ';', len - start);
		size_t end = semi ? (size_t)(semi - stack) : len, name_len;
		struct stack_frame frame = { 0 };
		char saved;

		if (array_reserve(&prev->ids, &prev->ids_cap, depth + 1, sizeof(*prev->ids)) ||
		    array_reserve(&prev->ends, &prev->ends_cap, depth + 1, sizeof(*prev->ends)))
			return -ENOMEM;
		frame.kind = stacks__parse_label(stack + start, end - start, &name_len);
		saved = stack[start + name_len];
		stack[start + name_len] = '\0';
		frame.name = stack + start;
		err = stacks__intern_frame(prof, &frame, &prev->ids[depth]);
		stack[start + name_len] = saved;
		if (err)
			return err;
		prev->ends[depth++] = end;
		start = end + 1;
	}
	prev->depth = depth;
	if (array_reserve(&prev->text, &prev->text_cap, len, 1))
		return -ENOMEM;
	if (len) /* the "before" stack of a difffolded line may be empty */
		memcpy(prev->text, stack, len);
	prev->len = len;
	return stacks__add_stack(prof, prev->ids, depth, weight);
}

int folded__read(struct stacks *prof, FILE *in, const struct folded_read_opts *opts)
{
	const char *source = opts && opts->source ? opts->source : "input";
	size_t cap = 0, lineno = 0, good = 0;
	struct prev_line prev = { 0 }, prev_before = { 0 };
	char *line = NULL;
	ssize_t got;
	int err = 0;

	size_t bad = 0;

	errno = 0;
	while ((got = getline(&line, &cap, in)) >= 0) {
		size_t len = (size_t)got;
		double count, before_count;
		const char *why = NULL;

		lineno++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (!len)
			continue;
		if (split_count(line, &len, &count)) {
			why = "no sample count at the end";
		} else {
			size_t stack_len = len;

			/* Two counts: "stack before after" (difffolded.pl). */
			if (!split_count(line, &stack_len, &before_count)) {
				if (opts && opts->before) {
					len = stack_len;
					err = add_folded_stack(opts->before, &prev_before, line,
							       len, before_count);
					if (err)
						break;
				} else {
					len = stack_len;
				}
			}
			if (!len)
				why = "empty stack";
		}
		if (why) {
			if (opts && opts->strict) {
				p_err("%s:%zu: malformed folded line: %s", source, lineno, why);
				err = -EINVAL;
				break;
			}
			if (++bad <= MAX_LINE_WARNINGS)
				p_warn("%s:%zu: malformed folded line skipped: %s", source, lineno,
				       why);
			continue;
		}
		err = add_folded_stack(prof, &prev, line, len, count);
		if (!err && opts && opts->on_stack)
			err = opts->on_stack(opts->ctx, prev.ids, prev.depth, count);
		if (err)
			break;
		good++;
	}
	if (!err && ferror(in))
		err = errno ? -errno : -EIO; /* e.g. -EISDIR for a directory */
	if (bad > MAX_LINE_WARNINGS)
		p_warn("%s: %zu malformed lines skipped in all", source, bad);
	free(line);
	prev_line__free(&prev);
	prev_line__free(&prev_before);
	if (!err && !good)
		err = -ENODATA;
	return err;
}
