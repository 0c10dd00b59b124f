// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * flamegraph.c: flamegraph.pl's layout, reimplemented.
 *
 * flamegraph.pl sorts its input lines bytewise ("stack count"), then walks
 * them in order, keeping the frames of the previous stack open: frames of a
 * common prefix are extended, the rest are closed at the current time and
 * the new ones opened at it (its flow()). Time advances by each line's
 * count. We do the same on label strings (frames compared by label, with the
 * _[k] annotations, as flamegraph.pl compares them), so the frames, their
 * sample counts and x/width are flamegraph.pl's. Frames are emitted in
 * depth-first order (parent before children, left to right), which both
 * keeps golden files stable and lets the script find parents cheaply.
 */
#include "flamegraph.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph_js.h"
#include "hashmap.h"
#include "names.h"
#include "palette.h"
#include "util.h"

#define XPAD 10
#define FRAMEPAD 1
#define FONTWIDTH 0.59 /* average glyph width relative to the font size */
#define SEARCH_COLOR "rgb(230,0,230)"

void flamegraph_opts__init(struct flamegraph_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->countname = "samples";
	opts->palette = "go";
	opts->width = 1200;
	opts->minwidth = 0.1;
	opts->frame_height = 16;
	opts->font_size = 12;
}

/* --- buffered output --- */

struct sbuf {
	FILE *out;
	int err;
	size_t len;
	char data[1 << 16];
};

static void sb_flush(struct sbuf *b)
{
	if (b->len && fwrite(b->data, 1, b->len, b->out) != b->len)
		b->err = errno ? -errno : -EIO;
	b->len = 0;
}

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n > sizeof(b->data)) {
		sb_flush(b);
		if (n > sizeof(b->data)) {
			if (fwrite(s, 1, n, b->out) != n)
				b->err = errno ? -errno : -EIO;
			return;
		}
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_putc(struct sbuf *b, char c)
{
	if (b->len == sizeof(b->data))
		sb_flush(b);
	b->data[b->len++] = c;
}

static void sb_uint(struct sbuf *b, unsigned long long v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		sb_putc(b, tmp[--n]);
}

/* A number with at most two decimals, trailing zeros dropped ("10", "1.5"). */
static void sb_num(struct sbuf *b, double v)
{
	long long h;

	if (!isfinite(v) || fabs(v) > 1e15)
		v = 0;
	h = llround(v * 100);
	if (h < 0) {
		sb_putc(b, '-');
		h = -h;
	}
	sb_uint(b, h / 100);
	if (h % 100) {
		sb_putc(b, '.');
		sb_putc(b, '0' + h % 100 / 10);
		if (h % 10)
			sb_putc(b, '0' + h % 10);
	}
}

/*
 * x rounded to tenths exactly as printf's "%.1f" rounds (flamegraph.pl
 * prints x and width that way; llround(x * 10) differs on ties).
 */
static long long to_tenths(double x)
{
	char buf[48], *dot;
	double t = x * 10;

	if (!isfinite(x) || fabs(x) > 1e15)
		return 0;
	/* Away from a tie, rounding the product agrees with printf. */
	if (fabs(fabs(t - trunc(t)) - 0.5) > 1e-6)
		return llround(t);
	snprintf(buf, sizeof(buf), "%.1f", x);
	dot = strchr(buf, '.');
	if (!dot)
		return strtoll(buf, NULL, 10) * 10;
	*dot = '\0';
	return strtoll(buf, NULL, 10) * 10 + (buf[0] == '-' ? -1 : 1) * (dot[1] - '0');
}

/* A value in tenths ("123.4", "12"). */
static void sb_tenths(struct sbuf *b, long long t)
{
	if (t < 0) {
		sb_putc(b, '-');
		t = -t;
	}
	sb_uint(b, t / 10);
	if (t % 10) {
		sb_putc(b, '.');
		sb_putc(b, '0' + t % 10);
	}
}

/*
 * Decodes one UTF-8 character at s (n bytes left). Returns its length, or
 * 0 for an ill-formed sequence (overlong, surrogate, beyond U+10FFFF,
 * truncated) or a character XML does not allow (controls but tab, U+FFFE,
 * U+FFFF): the caller substitutes U+FFFD so the SVG stays well-formed.
 */
static size_t utf8_char(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' ? 1 : 0;
	if (s[0] < 0xc2)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 0;
	if (!len || len > n)
		return 0;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp < 0xe000) || cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/*
 * Writes at most max_chars characters of [s, s+n) escaped for XML text;
 * returns the number of characters written.
 */
static size_t sb_xml(struct sbuf *b, const char *s, size_t n, size_t max_chars)
{
	size_t chars = 0;

	for (size_t i = 0; i < n && chars < max_chars; chars++) {
		size_t len = utf8_char((const unsigned char *)s + i, n - i);

		if (!len) {
			sb_puts(b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		if (s[i] == '&')
			sb_puts(b, "&amp;");
		else if (s[i] == '<')
			sb_puts(b, "&lt;");
		else if (s[i] == '>')
			sb_puts(b, "&gt;");
		else
			sb_put(b, s + i, len);
		i += len;
	}
	return chars;
}

static void sb_xml_str(struct sbuf *b, const char *s)
{
	sb_xml(b, s, strlen(s), SIZE_MAX);
}

/* Characters in [s, s+n), an ill-formed byte counting as one. */
static size_t utf8_count(const char *s, size_t n)
{
	size_t chars = 0;

	for (size_t i = 0; i < n; chars++) {
		size_t len = utf8_char((const unsigned char *)s + i, n - i);

		i += len ? len : 1;
	}
	return chars;
}

/* --- input lines --- */

/*
 * A line is one stack as flamegraph.pl reads it: its frames are label ids
 * (equal labels, equal ids), so stacks compare by label without building
 * the "a;b;c" strings of large profiles.
 */
struct line {
	size_t off;    /* first label id in lines.pool */
	uint32_t depth;
	double after;  /* the count (the drawn one) */
	double before; /* differential only */
	char suffix[56]; /* " count" or " before after": flamegraph.pl sorts whole lines */
};

struct lines {
	struct line *v;
	size_t n, cap;
	uint32_t *pool; /* label ids of all lines */
	size_t pool_len, pool_cap;
	/* interned labels */
	char **label;
	uint32_t *label_len;
	size_t nlabels, labels_cap;
	struct hmap set; /* over label */
};

static void lines__free(struct lines *l)
{
	for (size_t i = 0; i < l->nlabels; i++)
		free(l->label[i]);
	free(l->label);
	free(l->label_len);
	hmap__free(&l->set);
	free(l->v);
	free(l->pool);
	memset(l, 0, sizeof(*l));
}

struct label_key {
	const struct lines *l;
	const char *s;
	size_t len;
};

static bool label_equal(const void *ctx, uint32_t i)
{
	const struct label_key *k = ctx;

	return k->l->label_len[i] == k->len && !memcmp(k->l->label[i], k->s, k->len);
}

/* Interns label s (len bytes), taking ownership; returns its id or -ENOMEM. */
static long lines__intern(struct lines *l, char *s, size_t len)
{
	struct label_key key = { l, s, len };
	uint64_t h = hash_bytes(s, len, 0);
	uint32_t found;

	if (!hmap__find(&l->set, h, label_equal, &key, &found)) {
		free(s);
		return found;
	}
	if (hmap__reserve(&l->set, l->nlabels + 1))
		goto nomem;
	if (l->nlabels == l->labels_cap) {
		size_t cap = l->labels_cap ? l->labels_cap * 2 : 1024;
		char **label = realloc(l->label, cap * sizeof(*label));
		uint32_t *label_len;

		if (label)
			l->label = label;
		label_len = label ? realloc(l->label_len, cap * sizeof(*label_len)) : NULL;
		if (!label_len)
			goto nomem;
		l->label_len = label_len;
		l->labels_cap = cap;
	}
	l->label[l->nlabels] = s;
	l->label_len[l->nlabels] = len;
	hmap__insert(&l->set, h, l->nlabels); /* cannot fail: reserved */
	return l->nlabels++;
nomem:
	free(s);
	return -ENOMEM;
}

/*
 * Maps each frame of prof to the id of its label (annotated as flamegraph.pl
 * reads it). Returns a malloc'd array or NULL (-ENOMEM).
 */
static uint32_t *lines__map_frames(struct lines *l, const struct stacks *prof, unsigned flags)
{
	size_t n = stacks__frame_count(prof);
	uint32_t *map = malloc((n ? n : 1) * sizeof(*map));

	for (size_t i = 0; map && i < n; i++) {
		int len = stacks__frame_label(prof, i, flags | LABEL_ANNOTATE, NULL, 0);
		char *s = len >= 0 ? malloc(len + 1) : NULL;
		long id;

		if (!s) {
			free(map);
			return NULL;
		}
		stacks__frame_label(prof, i, flags | LABEL_ANNOTATE, s, len + 1);
		id = lines__intern(l, s, len);
		if (id < 0) {
			free(map);
			return NULL;
		}
		map[i] = id;
	}
	return map;
}

/* Appends a line for stack, its frames mapped to labels (reversed if asked). */
static int lines__add(struct lines *l, const uint32_t *map, const struct stack_entry *stack,
		      bool reverse, double after, double before)
{
	struct line *line;

	if (array_reserve(&l->v, &l->cap, l->n + 1, sizeof(*l->v)))
		return -ENOMEM;
	if (array_reserve(&l->pool, &l->pool_cap, l->pool_len + stack->depth, sizeof(*l->pool)))
		return -ENOMEM;
	line = &l->v[l->n++];
	line->off = l->pool_len;
	line->depth = stack->depth;
	line->after = after;
	line->before = before;
	line->suffix[0] = '\0';
	for (uint32_t d = 0; d < stack->depth; d++)
		l->pool[l->pool_len++] = map[stack->frames[reverse ? stack->depth - 1 - d : d]];
	return 0;
}

/* Walks the characters of "label;label;...;label" then, if asked, the suffix. */
struct line_chars {
	const struct lines *l;
	const struct line *line;
	uint32_t k, j;     /* frame, character in its label */
	const char *tail;  /* in the suffix; NULL before it */
	bool with_suffix;
};

static int line_chars__next(struct line_chars *c)
{
	const struct line *line = c->line;

	if (c->tail)
		return (unsigned char)(*c->tail ? *c->tail++ : 0);
	if (c->k < line->depth) {
		uint32_t id = c->l->pool[line->off + c->k];

		if (c->j < c->l->label_len[id])
			return (unsigned char)c->l->label[id][c->j++];
		c->j = 0;
		if (++c->k < line->depth)
			return ';';
	}
	if (!c->with_suffix)
		return 0;
	c->tail = line->suffix;
	return line_chars__next(c);
}

/*
 * Compares the lines as flamegraph.pl's sort compares its input lines:
 * bytewise on "stack" (strcmp order), or on "stack suffix" if with_suffix.
 */
static int lines__cmp(const struct lines *l, const struct line *a, const struct line *b,
		      bool with_suffix)
{
	const uint32_t *ia = l->pool + a->off, *ib = l->pool + b->off;
	struct line_chars ca = { l, a, 0, 0, NULL, with_suffix };
	uint32_t k = 0;

	while (k < a->depth && k < b->depth && ia[k] == ib[k])
		k++;
	if (k == a->depth && k == b->depth)
		return with_suffix ? strcmp(a->suffix, b->suffix) : 0;
	if (k == a->depth || k == b->depth) {
		/* One stack is a prefix of the other: "a;b SUFFIX" against "a;b;c". */
		int x = k < a->depth ? ';' : with_suffix ? (unsigned char)a->suffix[0] : 0;
		int y = k < b->depth ? ';' : with_suffix ? (unsigned char)b->suffix[0] : 0;

		return x - y;
	}
	/* Equal labels have equal lengths: both strings are at frame k. */
	uint32_t la = l->label_len[ia[k]], lb = l->label_len[ib[k]];
	int c = memcmp(l->label[ia[k]], l->label[ib[k]], la < lb ? la : lb);

	if (c)
		return c;
	ca.k = k;
	ca.j = la < lb ? la : lb;
	struct line_chars cb = ca;

	cb.line = b;
	for (;;) {
		int x = line_chars__next(&ca), y = line_chars__next(&cb);

		if (x != y || !x)
			return x - y;
	}
}

static int cmp_stack_q(const void *a, const void *b, void *l)
{
	return lines__cmp(l, a, b, false);
}

static int cmp_whole_q(const void *a, const void *b, void *l)
{
	return lines__cmp(l, a, b, true);
}

/* Perl's default number formatting ("%.15g"), integers without printf. */
static void perl_num(char *buf, size_t len, double v)
{
	if (v >= 0 && v < 1e15 && v == floor(v) && len >= 17) {
		char tmp[17];
		unsigned long long u = (unsigned long long)v;
		int n = 0, i = 0;

		do {
			tmp[n++] = '0' + u % 10;
			u /= 10;
		} while (u);
		while (n)
			buf[i++] = tmp[--n];
		buf[i] = '\0';
		return;
	}
	snprintf(buf, len, "%.15g", v);
}

/* Sorts lines by stack and merges equal stacks (two frames can share a label). */
static void lines__sort_merge(struct lines *l)
{
	size_t out = 0;

	qsort_r(l->v, l->n, sizeof(*l->v), cmp_stack_q, l);
	for (size_t i = 0; i < l->n; i++) {
		if (out && !lines__cmp(l, &l->v[out - 1], &l->v[i], false)) {
			l->v[out - 1].after += l->v[i].after;
			l->v[out - 1].before += l->v[i].before;
			continue;
		}
		l->v[out++] = l->v[i];
	}
	l->n = out;
}

/* Orders sorted lines as flamegraph.pl sorts its input, "stack count". */
static void lines__perl_order(struct lines *l, bool diff)
{
	bool sorted = true;

	for (size_t i = 0; i < l->n; i++) {
		struct line *line = &l->v[i];
		char a[26], b[26];

		perl_num(a, sizeof(a), line->after);
		perl_num(b, sizeof(b), line->before);
		if (diff)
			snprintf(line->suffix, sizeof(line->suffix), " %s %s", b, a);
		else
			snprintf(line->suffix, sizeof(line->suffix), " %s", a);
		if (i && lines__cmp(l, &l->v[i - 1], line, true) > 0)
			sorted = false;
	}
	/* Differs from the stack order only for labels holding spaces or controls. */
	if (!sorted)
		qsort_r(l->v, l->n, sizeof(*l->v), cmp_whole_q, l);
}

/*
 * Builds the input lines of a graph: prof's stacks (or seq), and in
 * differential mode before's too, merged by stack. Returns 0, -EINVAL (a
 * bad frame id in seq) or -ENOMEM.
 */
static int lines__build(struct lines *l, const struct stacks *prof,
			const struct stacks *before, bool normalize, bool reverse,
			const struct stack_entry *seq, size_t seq_len,
			enum flamegraph_order order, unsigned label_flags)
{
	uint32_t *map = lines__map_frames(l, prof, label_flags), *bmap = NULL;
	int err = map ? 0 : -ENOMEM;

	if (!err && before) {
		bmap = lines__map_frames(l, before, label_flags);
		if (!bmap)
			err = -ENOMEM;
	}
	if (!err && seq && !before) {
		for (size_t i = 0; !err && i < seq_len; i++) {
			for (uint32_t d = 0; d < seq[i].depth; d++) {
				if (seq[i].frames[d] >= stacks__frame_count(prof))
					err = -EINVAL;
			}
			if (!err && seq[i].depth)
				err = lines__add(l, map, &seq[i], reverse, seq[i].weight, 0);
		}
	} else {
		for (size_t i = 0; !err && i < stacks__stack_count(prof); i++) {
			const struct stack_entry *s = stacks__stack(prof, i);

			err = lines__add(l, map, s, reverse, s->weight, 0);
		}
	}
	for (size_t i = 0; !err && before && i < stacks__stack_count(before); i++) {
		const struct stack_entry *s = stacks__stack(before, i);

		err = lines__add(l, bmap, s, reverse, 0, s->weight);
	}
	if (!err && (before || order != ORDER_INPUT))
		lines__sort_merge(l);
	if (!err && before && normalize) {
		double ta = stacks__total(prof), tb = stacks__total(before);

		/* difffolded.pl -n: int(count1 * total2 / total1) */
		for (size_t i = 0; tb > 0 && ta != tb && i < l->n; i++)
			l->v[i].before = trunc(l->v[i].before * ta / tb);
	}
	free(map);
	free(bmap);
	return err;
}

int flamegraph__write_difffolded(const struct stacks *before, const struct stacks *after,
				 bool normalize, unsigned label_flags, FILE *out)
{
	struct lines l = { 0 };
	int err;

	err = lines__build(&l, after, before, normalize, false, NULL, 0, ORDER_ALPHA,
			   label_flags);
	for (size_t i = 0; !err && i < l.n; i++) {
		const struct line *line = &l.v[i];
		char a[26], b[26];

		for (uint32_t d = 0; d < line->depth; d++) {
			uint32_t id = l.pool[line->off + d];

			if (d)
				fputc(';', out);
			fwrite(l.label[id], 1, l.label_len[id], out);
		}
		perl_num(a, sizeof(a), line->after);
		perl_num(b, sizeof(b), line->before);
		if (fprintf(out, " %s %s\n", b, a) < 0)
			err = -EIO;
	}
	if (!err && ferror(out))
		err = -EIO;
	lines__free(&l);
	return err;
}

/* --- flow: lines to frames --- */

struct node {
	const char *name; /* label, annotation included; owned by the lines */
	uint32_t len;
	uint32_t depth;
	uint32_t label;   /* label id; UINT32_MAX for the root */
	double stime, etime;
	double delta;
	bool has_delta;
};

struct layout {
	struct node *nodes;
	size_t n, cap;
	double time;     /* total of the drawn counts */
	double maxdelta; /* largest |after - before| of a line, at least 1 */
	double minwidth_time; /* frames narrower than this are dropped */
	bool diff;
};

#define ROOT_LABEL UINT32_MAX

static int layout__open(struct layout *lay, const struct lines *l, uint32_t label,
			uint32_t depth, double delta, size_t *index)
{
	struct node *node;

	if (array_reserve(&lay->nodes, &lay->cap, lay->n + 1, sizeof(*lay->nodes)))
		return -ENOMEM;
	*index = lay->n;
	node = &lay->nodes[lay->n++];
	node->label = label;
	node->name = label == ROOT_LABEL ? "" : l->label[label];
	node->len = label == ROOT_LABEL ? 0 : l->label_len[label];
	node->depth = depth;
	node->stime = lay->time;
	node->etime = lay->time;
	node->delta = delta;
	node->has_delta = lay->diff;
	return 0;
}

/*
 * flamegraph.pl's flow() over all lines: each line's frames (after the root
 * "all" at depth 0) are compared with the previous line's; the differing
 * tail of the previous is closed, the new tail opened. Returns 0 or -ENOMEM.
 */
static int layout__flow(struct layout *lay, const struct lines *l)
{
	const uint32_t *last = NULL;
	size_t nlast = 0, open_cap = 0; /* nlast counts the root */
	size_t *open = NULL;
	int err = 0;

	lay->maxdelta = 1;
	for (size_t i = 0; i < l->n; i++) {
		const struct line *line = &l->v[i];
		const uint32_t *cur = l->pool + line->off;
		size_t ncur = line->depth + 1, same = 0;
		double d = line->after - line->before;

		/* Perl's split drops trailing empty fields. */
		while (ncur > 1 && !l->label_len[cur[ncur - 2]])
			ncur--;
		if (ncur > open_cap) {
			size_t *bigger = realloc(open, ncur * 2 * sizeof(*open));

			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			open = bigger;
			open_cap = ncur * 2;
		}
		if (lay->diff && fabs(d) > lay->maxdelta)
			lay->maxdelta = fabs(d);
		if (nlast)
			same = 1;
		while (same < nlast && same < ncur && last[same - 1] == cur[same - 1])
			same++;
		for (size_t k = nlast; k-- > same;) {
			lay->nodes[open[k]].etime = lay->time;
			/*
			 * A frame too narrow to draw has only narrower descendants,
			 * all allocated after it: drop them with it (large profiles
			 * open far more frames than can be drawn).
			 */
			if (lay->time - lay->nodes[open[k]].stime < lay->minwidth_time)
				lay->n = open[k];
		}
		for (size_t k = same; k < ncur; k++) {
			/* flamegraph.pl credits a line's delta to its leaf only */
			err = layout__open(lay, l, k ? cur[k - 1] : ROOT_LABEL, k,
					   k == ncur - 1 ? d : 0, &open[k]);
			if (err)
				break;
		}
		if (err)
			break;
		last = cur;
		nlast = ncur;
		lay->time += line->after;
	}
	for (size_t k = nlast; !err && k-- > 0;)
		lay->nodes[open[k]].etime = lay->time;
	free(open);
	return err;
}

#define NO_PARENT SIZE_MAX

static int cmp_heavier(const void *a, const void *b, void *arg)
{
	const struct node *nodes = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	double wi = nodes[i].etime - nodes[i].stime, wj = nodes[j].etime - nodes[j].stime;

	if (wi != wj)
		return wi > wj ? -1 : 1;
	return i < j ? -1 : i > j;
}

/*
 * Reorders siblings heaviest first: each child restarts at its parent's
 * start plus the widths of its heavier siblings. Fills order with the new
 * depth-first order. Returns 0 or -ENOMEM.
 */
static int layout__sort_by_weight(struct layout *lay, size_t *order)
{
	size_t n = lay->n, *parent, *first, *kids, *stack, *depth_last, maxdepth = 0, sp = 0;
	size_t norder = 0;
	int err = -ENOMEM;

	for (size_t i = 0; i < n; i++)
		if (lay->nodes[i].depth > maxdepth)
			maxdepth = lay->nodes[i].depth;
	parent = malloc(n * sizeof(*parent));
	first = calloc(n + 1, sizeof(*first));
	kids = malloc(n * sizeof(*kids));
	stack = malloc(n * sizeof(*stack));
	depth_last = malloc((maxdepth + 1) * sizeof(*depth_last));
	if (!parent || !first || !kids || !stack || !depth_last)
		goto out;
	/* In depth-first order, a node's parent is the last node one level up. */
	for (size_t i = 0; i < n; i++) {
		uint32_t d = lay->nodes[i].depth;

		parent[i] = d ? depth_last[d - 1] : NO_PARENT;
		depth_last[d] = i;
		if (parent[i] != NO_PARENT)
			first[parent[i] + 1]++;
	}
	for (size_t i = 0; i < n; i++)
		first[i + 1] += first[i];
	for (size_t i = 0; i < n; i++) {
		if (parent[i] != NO_PARENT)
			kids[first[parent[i]]++] = i;
	}
	/* first[p] now ends p's range; shift back to starts. */
	for (size_t i = n; i > 0; i--)
		first[i] = first[i - 1];
	first[0] = 0;
	for (size_t i = 0; i < n; i++)
		qsort_r(kids + first[i], first[i + 1] - first[i], sizeof(*kids), cmp_heavier,
			lay->nodes);
	for (size_t i = n; i-- > 0;) {
		if (parent[i] == NO_PARENT)
			stack[sp++] = i;
	}
	while (sp) {
		size_t p = stack[--sp];
		double at = lay->nodes[p].stime;

		order[norder++] = p;
		for (size_t k = first[p]; k < first[p + 1]; k++) {
			struct node *c = &lay->nodes[kids[k]];
			double w = c->etime - c->stime;

			c->stime = at;
			c->etime = at + w;
			at += w;
		}
		for (size_t k = first[p + 1]; k-- > first[p];)
			stack[sp++] = kids[k];
	}
	err = 0;
out:
	free(parent);
	free(first);
	free(kids);
	free(stack);
	free(depth_last);
	return err;
}

/* --- rendering --- */

struct render {
	struct sbuf *b;
	const struct flamegraph_opts *o;
	double timemax, wpt, height, top, bottom;
	double maxdelta;
	char *label; /* a frame's display name (names.h), when trimmed */
	size_t label_cap;
};

static bool annotated(const char *s, size_t len)
{
	return len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' && s[len - 1] == ']' &&
	       strchr("kwij", s[len - 2]);
}

/* "1234567" -> "1,234,567", as flamegraph.pl prints sample counts. */
static void sb_count(struct sbuf *b, double v)
{
	char digits[64];
	int n, lead;

	if (v >= 0 && v < 1e15 && v == floor(v))
		perl_num(digits, sizeof(digits), v);
	else
		snprintf(digits, sizeof(digits), "%.0f", v);
	n = strlen(digits);

	if (n < 0 || n >= (int)sizeof(digits) || digits[0] < '0' || digits[0] > '9') {
		sb_puts(b, n > 0 && n < (int)sizeof(digits) ? digits : "?");
		return;
	}
	lead = n % 3 ? n % 3 : 3;
	sb_put(b, digits, lead);
	for (int i = lead; i < n; i += 3) {
		sb_putc(b, ',');
		sb_put(b, digits + i, 3);
	}
}

/* v as printf's "%.2f" prints it (flamegraph.pl's percentages). */
static void sb_pct(struct sbuf *b, double v)
{
	double t = fabs(v) * 100;
	char buf[48];
	long long h;

	if (!(t < 1e15) || fabs(fabs(t - trunc(t)) - 0.5) <= 1e-6) {
		snprintf(buf, sizeof(buf), "%.2f", v);
		sb_puts(b, buf);
		return;
	}
	h = llround(t);
	if (v < 0)
		sb_putc(b, '-');
	sb_uint(b, h / 100);
	sb_putc(b, '.');
	sb_putc(b, '0' + h % 100 / 10);
	sb_putc(b, '0' + h % 10);
}

static void sb_color(struct sbuf *b, struct rgb c)
{
	static const char hex[] = "0123456789abcdef";
	char s[7] = { '#',
		      hex[c.r >> 4], hex[c.r & 15], hex[c.g >> 4], hex[c.g & 15], hex[c.b >> 4] };

	sb_put(b, s, 6);
	sb_putc(b, hex[c.b & 15]);
}

static void render__frame(struct render *r, const struct node *n)
{
	const struct flamegraph_opts *o = r->o;
	struct sbuf *b = r->b;
	bool root = n->depth == 0 && n->len == 0;
	double etime = root ? r->timemax : n->etime;
	double x1 = XPAD + n->stime * r->wpt, x2 = XPAD + etime * r->wpt;
	long long tx1 = to_tenths(x1), tx2 = to_tenths(x2);
	double samples = nearbyint(etime - n->stime), y1, y2;
	size_t name_len = annotated(n->name, n->len) ? n->len - 4 : n->len, shown_len = name_len;
	const char *shown = n->name;
	long chars;

	if (!o->inverted) {
		y1 = r->height - r->bottom - (n->depth + 1) * o->frame_height + FRAMEPAD;
		y2 = r->height - r->bottom - n->depth * o->frame_height;
	} else {
		y1 = r->top + n->depth * o->frame_height;
		y2 = r->top + (n->depth + 1) * o->frame_height - FRAMEPAD;
	}
	/* Labels show names without vendor prefixes (names.h); titles, which
	 * search matches, keep the full name. The script reads data-l to label
	 * the frame again when a zoom widens it. */
	if (!o->full_names && !root && memmem(n->name, name_len, "vendor/", 7) &&
	    !array_reserve(&r->label, &r->label_cap, name_len + 1, 1)) {
		shown_len = names__trim_vendor(n->name, name_len, r->label);
		shown = r->label;
	}
	sb_puts(b, "<g");
	if (etime - n->stime != samples) {
		/* Fractional counts: titles round, so give the script the exact
		 * value for its "Matched" share (integer profiles carry none). */
		char exact[32];

		snprintf(exact, sizeof(exact), "%.10g", etime - n->stime);
		sb_puts(b, " data-s=\"");
		sb_puts(b, exact);
		sb_putc(b, '"');
	}
	if (shown != n->name) {
		sb_puts(b, " data-l=\"");
		sb_xml(b, shown, shown_len, SIZE_MAX);
		sb_putc(b, '"');
	}
	sb_puts(b, "><title>");
	if (root) {
		sb_puts(b, "all (");
		sb_count(b, samples);
		sb_putc(b, ' ');
		sb_xml_str(b, o->countname);
		sb_puts(b, ", 100%)");
	} else {
		sb_xml(b, n->name, name_len, SIZE_MAX);
		sb_puts(b, " (");
		sb_count(b, samples);
		sb_putc(b, ' ');
		sb_xml_str(b, o->countname);
		sb_puts(b, ", ");
		sb_pct(b, 100 * samples / r->timemax);
		sb_putc(b, '%');
		if (n->has_delta) {
			sb_puts(b, n->delta > 0 ? "; +" : "; ");
			sb_pct(b, 100 * n->delta / r->timemax);
			sb_putc(b, '%');
		}
		sb_putc(b, ')');
	}
	sb_puts(b, "</title><rect x=\"");
	sb_tenths(b, tx1);
	sb_puts(b, "\" y=\"");
	sb_num(b, y1);
	sb_puts(b, "\" width=\"");
	sb_tenths(b, tx2 - tx1);
	sb_puts(b, "\" height=\"");
	sb_num(b, y2 - y1);
	sb_puts(b, "\" fill=\"");
	if (n->len == 2 && !memcmp(n->name, "--", 2))
		sb_puts(b, "#a0a0a0");
	else if (n->len == 1 && n->name[0] == '-')
		sb_puts(b, "#c8c8c8");
	else if (n->has_delta)
		sb_color(b, palette__diff_color(n->delta, r->maxdelta));
	else
		sb_color(b, palette__color(o->palette, n->name, n->len));
	sb_puts(b, "\"/><text x=\"");
	sb_tenths(b, tx1 + 30);
	sb_puts(b, "\" y=\"");
	sb_num(b, 3 + (y1 + y2) / 2);
	sb_puts(b, "\">");
	/* flamegraph.pl: as many characters as fit, the last two ".." if cut */
	chars = (long)((x2 - x1) / (o->font_size * FONTWIDTH));
	if (chars >= 3 && !root) {
		size_t len = utf8_count(shown, shown_len);

		if ((size_t)chars < len) {
			sb_xml(b, shown, shown_len, chars - 2);
			sb_puts(b, "..");
		} else {
			sb_xml(b, shown, shown_len, SIZE_MAX);
		}
	} else if (chars >= 3) {
		sb_puts(b, "all");
	}
	sb_puts(b, "</text></g>\n");
}

static const char *background(const char *palette, const char **stop2)
{
	if (!strcmp(palette, "mem")) {
		*stop2 = "#e0ffe0";
		return "#eef2ee";
	}
	if (!strcmp(palette, "io") || !strcmp(palette, "wakeup") || !strcmp(palette, "chain")) {
		*stop2 = "#e0e0ff";
		return "#eeeeee";
	}
	if (strstr("red green blue aqua yellow purple orange", palette)) {
		*stop2 = "#e8e8e8";
		return "#f8f8f8";
	}
	*stop2 = "#eeeeb0";
	return "#eeeeee";
}

static void sb_text(struct sbuf *b, const char *id, double x, double y, const char *text,
		    const char *extra)
{
	sb_puts(b, "<text id=\"");
	sb_puts(b, id);
	sb_puts(b, "\" x=\"");
	sb_num(b, x);
	sb_puts(b, "\" y=\"");
	sb_num(b, y);
	sb_puts(b, "\"");
	sb_puts(b, extra);
	sb_puts(b, ">");
	sb_xml_str(b, text);
	sb_puts(b, "</text>\n");
}

static void render__header(struct render *r, const char *title)
{
	const struct flamegraph_opts *o = r->o;
	struct sbuf *b = r->b;
	const char *bg2, *bg1 = background(o->palette, &bg2);
	double w = o->width, h = r->height, fs = o->font_size;

	sb_puts(b, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
		   "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
		   "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
		   "<svg version=\"1.1\" width=\"");
	sb_num(b, w);
	sb_puts(b, "\" height=\"");
	sb_num(b, h);
	sb_puts(b, "\" viewBox=\"0 0 ");
	sb_num(b, w);
	sb_putc(b, ' ');
	sb_num(b, h);
	sb_puts(b, "\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		   "<!-- Flame graph rendered by bpflame (layout of brendangregg/FlameGraph's "
		   "flamegraph.pl). -->\n"
		   "<defs><linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">"
		   "<stop stop-color=\"");
	sb_puts(b, bg1);
	sb_puts(b, "\" offset=\"5%\"/><stop stop-color=\"");
	sb_puts(b, bg2);
	sb_puts(b, "\" offset=\"95%\"/></linearGradient></defs>\n<style type=\"text/css\">\n"
		   "text{font-family:Verdana,sans-serif;font-size:");
	sb_num(b, fs);
	sb_puts(b, "px;fill:#000}\n"
		   "#title{text-anchor:middle;font-size:");
	sb_num(b, fs + 5);
	sb_puts(b, "px}\n"
		   "#subtitle{text-anchor:middle;fill:#a0a0a0}\n"
		   "#search,#ignorecase{opacity:.1;cursor:pointer}\n"
		   "#search:hover,#search.show,#ignorecase:hover,#ignorecase.show{opacity:1}\n"
		   "#unzoom{cursor:pointer}\n"
		   "#frames rect{rx:2px;ry:2px}\n"
		   "#frames>g:hover{stroke:#000;stroke-width:.5;cursor:pointer}\n"
		   "#frames text{pointer-events:none}\n"
		   ".hide{display:none}\n.parent{opacity:.5}\n</style>\n");
	if (!o->no_script) {
		sb_puts(b, "<script type=\"text/ecmascript\"><![CDATA[\nvar fgconf = {xpad: ");
		sb_num(b, XPAD);
		sb_puts(b, ", width: ");
		sb_num(b, w);
		sb_puts(b, ", frameheight: ");
		sb_num(b, o->frame_height);
		sb_puts(b, ", fontsize: ");
		sb_num(b, fs);
		sb_puts(b, ", fontwidth: 0.59, inverted: ");
		sb_puts(b, o->inverted ? "true" : "false");
		sb_puts(b, ", top: ");
		sb_num(b, r->top);
		sb_puts(b, ", bottom: ");
		sb_num(b, h - r->bottom);
		sb_puts(b, ", searchcolor: \"" SEARCH_COLOR "\"};\n");
		sb_puts(b, flamegraph_js);
		sb_puts(b, "]]></script>\n");
	}
	sb_puts(b, "<rect x=\"0\" y=\"0\" width=\"");
	sb_num(b, w);
	sb_puts(b, "\" height=\"");
	sb_num(b, h);
	sb_puts(b, "\" fill=\"url(#background)\"/>\n");
	sb_text(b, "title", floor(w / 2), fs * 2, title, "");
	if (o->subtitle && *o->subtitle)
		sb_text(b, "subtitle", floor(w / 2), fs * 4, o->subtitle, "");
	sb_text(b, "details", XPAD, h - r->bottom / 2, " ", "");
	sb_text(b, "unzoom", XPAD, fs * 2, "Reset Zoom", " class=\"hide\"");
	sb_text(b, "search", w - XPAD - 100, fs * 2, "Search", "");
	sb_text(b, "ignorecase", w - XPAD - 16, fs * 2, "ic", "");
	sb_text(b, "matched", w - XPAD - 100, h - r->bottom / 2, " ", "");
}

int flamegraph__write(const struct stacks *prof, const struct flamegraph_opts *opts, FILE *out)
{
	struct flamegraph_opts o = *opts;
	struct layout lay = { 0 };
	struct lines l = { 0 };
	struct render r = { 0 };
	struct sbuf *b = NULL;
	size_t *order = NULL;
	double minwidth_time;
	uint32_t depthmax = 0;
	const char *title;
	int err;

	if (!o.palette)
		o.palette = "go";
	if (!o.countname)
		o.countname = "samples";
	if (!(o.width > 2 * XPAD) || o.width > 1e7 || !(o.frame_height > FRAMEPAD) ||
	    o.frame_height > 1e4 || !(o.font_size > 0) || o.font_size > 1e4 ||
	    !(o.minwidth >= 0) || !palette__valid(o.palette))
		return -EINVAL;
	if (!(stacks__total(prof) > 0) && !o.before)
		return -ENODATA;
	title = o.title && *o.title ? o.title
		: o.order == ORDER_INPUT ? "Flame Chart"
		: o.inverted		 ? "Icicle Graph"
					 : "Flame Graph";
	lay.diff = o.before != NULL;
	err = lines__build(&l, prof, o.before, o.normalize, o.reverse, o.sequence, o.sequence_len,
			   o.order, o.label_flags);
	if (!err && !lay.diff && o.order != ORDER_INPUT)
		lines__perl_order(&l, false);
	if (!err && lay.diff)
		lines__perl_order(&l, true);
	if (err)
		goto out;
	/* The total first, so that the flow can drop frames too narrow to draw. */
	for (size_t i = 0; i < l.n; i++)
		r.timemax += l.v[i].after;
	if (!(r.timemax > 0)) {
		err = -ENODATA;
		goto out;
	}
	r.wpt = (o.width - 2 * XPAD) / r.timemax;
	minwidth_time = o.minwidth_pct ? r.timemax * o.minwidth / 100 : o.minwidth / r.wpt;
	lay.minwidth_time = minwidth_time;
	err = layout__flow(&lay, &l);
	if (err)
		goto out;
	if (!lay.n) {
		err = -ENODATA;
		goto out;
	}
	order = malloc(lay.n * sizeof(*order));
	b = malloc(sizeof(*b));
	if (!order || !b) {
		err = -ENOMEM;
		goto out;
	}
	if (o.order == ORDER_WEIGHT) {
		err = layout__sort_by_weight(&lay, order);
		if (err)
			goto out;
	} else {
		for (size_t i = 0; i < lay.n; i++)
			order[i] = i;
	}
	r.o = &o;
	r.b = b;
	r.maxdelta = lay.maxdelta;
	for (size_t i = 0; i < lay.n; i++) {
		const struct node *n = &lay.nodes[i];
		double etime = n->depth == 0 && !n->len ? r.timemax : n->etime;

		if (etime - n->stime >= minwidth_time && n->depth > depthmax)
			depthmax = n->depth;
	}
	r.top = o.font_size * 3;
	r.bottom = o.font_size * 2 + 10;
	r.height = (depthmax + 1) * o.frame_height + r.top + r.bottom;
	if (o.subtitle && *o.subtitle) {
		r.height += o.font_size * 2;
		r.top += o.font_size * 2;
	}
	b->out = out;
	b->len = 0;
	b->err = 0;
	render__header(&r, title);
	sb_puts(b, "<g id=\"frames\">\n");
	for (size_t i = 0; i < lay.n; i++) {
		const struct node *n = &lay.nodes[order[i]];
		double etime = n->depth == 0 && !n->len ? r.timemax : n->etime;

		if (etime - n->stime < minwidth_time)
			continue;
		render__frame(&r, n);
	}
	sb_puts(b, "</g>\n</svg>\n");
	sb_flush(b);
	err = b->err;
	if (!err && ferror(out))
		err = -EIO;
out:
	free(r.label);
	free(b);
	free(order);
	free(lay.nodes);
	lines__free(&l);
	return err;
}
