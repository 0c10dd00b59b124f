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

struct folded_line {
	char *text;
	double weight;
};

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->text, ((const struct folded_line *)b)->text);
}

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

/* Builds "label;label;..." for one stack; returns a malloc'd string or NULL. */
static char *stack_text(const struct stacks *prof, const struct stack_entry *stack,
			unsigned label_flags)
{
	size_t cap = 256, len = 0;
	char *text = malloc(cap);

	if (!text)
		return NULL;
	for (uint32_t d = 0; d < stack->depth; d++) {
		for (;;) {
			size_t room = cap - len;
			int n = stacks__frame_label(prof, stack->frames[d], label_flags,
						     text + len + (d > 0), room - (d > 0));

			if (n >= 0 && (size_t)n + (d > 0) < room) {
				if (d > 0)
					text[len] = ';';
				sanitize_label(text + len + (d > 0), n);
				len += n + (d > 0);
				break;
			}
			char *bigger = realloc(text, cap * 2 + n);

			if (!bigger) {
				free(text);
				return NULL;
			}
			text = bigger;
			cap = cap * 2 + n;
		}
	}
	/*
	 * A last frame ending in " 123" (a name a process chose) would read
	 * back as a count, turning the line into the two-count diff form:
	 * keep the digits in the name by replacing that blank.
	 */
	size_t end = len;

	while (end > 0 && (isdigit((unsigned char)text[end - 1]) || text[end - 1] == '.'))
		end--;
	if (end < len && end > 0 && isspace((unsigned char)text[end - 1]))
		text[end - 1] = '_';
	return text;
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
	struct folded_line *lines = calloc(n ? n : 1, sizeof(*lines));
	int err = 0;

	if (!lines)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		lines[i].text = stack_text(prof, stacks__stack(prof, i), label_flags);
		lines[i].weight = stacks__stack(prof, i)->weight;
		if (!lines[i].text) {
			err = -ENOMEM;
			goto out;
		}
	}
	qsort(lines, n, sizeof(*lines), cmp_lines);
	/* Equal labels are adjacent now: print each once with the summed weight. */
	for (size_t i = 0; i < n;) {
		double weight = 0;
		size_t j = i;

		for (; j < n && !strcmp(lines[j].text, lines[i].text); j++)
			weight += lines[j].weight;
		fputs(lines[i].text, out);
		fputc(' ', out);
		print_weight(out, weight);
		fputc('\n', out);
		i = j;
	}
	if (ferror(out))
		err = -EIO;
out:
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
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
 * Adds one stack "a;b;c" of length len with weight. Each name is cut out in
 * place (a NUL written over its end, then restored) so that interning a
 * frame that is already known copies nothing. Returns 0 or -errno.
 */
static int add_folded_stack(struct stacks *prof, char *stack, size_t len, double weight,
			    uint32_t **ids, size_t *ids_cap, uint32_t *out_depth)
{
	size_t depth = 0, start = 0;
	int err = 0;

	for (;;) {
		char *semi = memchr(stack + start, ';', len - start);
		size_t end = semi ? (size_t)(semi - stack) : len, name_len;
		struct stack_frame frame = { 0 };
		char saved;

		frame.kind = stacks__parse_label(stack + start, end - start, &name_len);
		if (array_reserve(ids, ids_cap, depth + 1, sizeof(**ids)))
			return -ENOMEM;
		saved = stack[start + name_len];
		stack[start + name_len] = '\0';
		frame.name = stack + start;
		err = stacks__intern_frame(prof, &frame, &(*ids)[depth++]);
		stack[start + name_len] = saved;
		if (err)
			return err;
		if (!semi)
			break;
		start = end + 1;
	}
	*out_depth = depth;
	return stacks__add_stack(prof, *ids, depth, weight);
}

int folded__read(struct stacks *prof, FILE *in, const struct folded_read_opts *opts)
{
	const char *source = opts && opts->source ? opts->source : "input";
	size_t cap = 0, lineno = 0, good = 0, ids_cap = 0;
	uint32_t *ids = NULL;
	char *line = NULL;
	ssize_t got;
	int err = 0;

	size_t bad = 0;
	uint32_t last_depth = 0;

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
					err = add_folded_stack(opts->before, line, len,
							       before_count, &ids, &ids_cap,
							       &last_depth);
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
		err = add_folded_stack(prof, line, len, count, &ids, &ids_cap, &last_depth);
		if (!err && opts && opts->on_stack)
			err = opts->on_stack(opts->ctx, ids, last_depth, count);
		if (err)
			break;
		good++;
	}
	if (!err && ferror(in))
		err = errno ? -errno : -EIO; /* e.g. -EISDIR for a directory */
	if (bad > MAX_LINE_WARNINGS)
		p_warn("%s: %zu malformed lines skipped in all", source, bad);
	free(line);
	free(ids);
	if (!err && !good)
		err = -ENODATA;
	return err;
}
