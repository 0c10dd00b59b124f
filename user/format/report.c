// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * report.c: the report engine and its text and JSON writers (report.h).
 *
 * Design: samples are kept as arrays of interned frame ids (one pool), so
 * categories can be added after the samples (presets are chosen by looking
 * at the names) and matched once per distinct frame at compute time: each
 * frame gets a 64-bit mask of the categories it belongs to, and a sample's
 * categories are the OR of its frames' masks. Frames are (name, flags);
 * functions are names, so an inlined and an outlined copy of a function are
 * one row of the top lists. Recursion counts once in totals through a
 * per-function stamp of the last sample that counted it.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "names.h"
#include "util.h"

struct rframe {
	uint32_t name; /* offset in the string pool */
	uint32_t func; /* index in funcs */
	uint8_t flags; /* REPORT_FRAME_* */
};

struct rfunc {
	uint32_t name; /* offset in the string pool */
	double self, total;
	size_t stamp; /* 1 + index of the last sample counted in total */
};

struct rsample {
	size_t off; /* first frame id in the pool */
	uint32_t depth;
	double weight;
};

struct rpattern {
	regex_t re;
	char *src;
	bool exclude;
};

struct rcategory {
	char *name;
	struct rpattern *pats;
	size_t npats, pats_cap;
	double value;
};

struct report {
	char *strs; /* NUL-terminated names, back to back */
	size_t strs_len, strs_cap;
	struct rframe *frames;
	size_t nframes, frames_cap;
	struct hmap frame_set;
	struct rfunc *funcs;
	size_t nfuncs, funcs_cap;
	struct hmap func_set;
	uint32_t *pool;
	size_t pool_len, pool_cap;
	struct rsample *samples;
	size_t nsamples, samples_cap;
	struct rcategory cats[REPORT_MAX_CATEGORIES];
	size_t ncats;
	double total, uncategorized;
	bool computed;
	char *source, *value_type, *unit, *preset;
	double duration_s, freq_hz;
};

struct report *report__new(void)
{
	return calloc(1, sizeof(struct report));
}

void report__free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncats; i++) {
		for (size_t j = 0; j < r->cats[i].npats; j++) {
			regfree(&r->cats[i].pats[j].re);
			free(r->cats[i].pats[j].src);
		}
		free(r->cats[i].pats);
		free(r->cats[i].name);
	}
	hmap__free(&r->frame_set);
	hmap__free(&r->func_set);
	free(r->strs);
	free(r->frames);
	free(r->funcs);
	free(r->pool);
	free(r->samples);
	free(r->source);
	free(r->value_type);
	free(r->unit);
	free(r->preset);
	free(r);
}

static int dup_opt(char **dst, const char *s)
{
	char *copy = NULL;

	if (s && !(copy = strdup(s)))
		return -ENOMEM;
	free(*dst);
	*dst = copy;
	return 0;
}

int report__set_meta(struct report *r, const struct report_meta *m)
{
	if (dup_opt(&r->source, m->source) || dup_opt(&r->value_type, m->value_type) ||
	    dup_opt(&r->unit, m->unit) || dup_opt(&r->preset, m->preset))
		return -ENOMEM;
	r->duration_s = m->duration_s > 0 && isfinite(m->duration_s) ? m->duration_s : 0;
	r->freq_hz = m->freq_hz > 0 && isfinite(m->freq_hz) ? m->freq_hz : 0;
	return 0;
}

/* ---- categories ---- */

int report__add_pattern(struct report *r, const char *name, const char *regex, bool exclude,
			char *err, size_t errlen)
{
	struct rcategory *c = NULL;
	struct rpattern *p;
	char *src;
	regex_t re;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (r->computed)
		return -EINVAL;
	if (!*name) {
		if (err)
			snprintf(err, errlen, "empty category name for regex '%s'", regex);
		return -EINVAL;
	}
	if (!*regex) {
		if (err)
			snprintf(err, errlen, "category '%s': empty regex", name);
		return -EINVAL;
	}
	for (size_t i = 0; i < r->ncats; i++) {
		if (!strcmp(r->cats[i].name, name))
			c = &r->cats[i];
	}
	if (!c && r->ncats == REPORT_MAX_CATEGORIES) {
		if (err)
			snprintf(err, errlen, "category '%s': at most %d categories", name,
				 REPORT_MAX_CATEGORIES);
		return -E2BIG;
	}
	/* Compile first: a bad regex leaves the report as it was. */
	rc = regcomp(&re, regex, REG_EXTENDED | REG_NOSUB);
	if (rc) {
		char why[128];

		regerror(rc, &re, why, sizeof(why));
		if (err)
			snprintf(err, errlen, "category '%s': invalid regex '%s': %s", name, regex,
				 why);
		return rc == REG_ESPACE ? -ENOMEM : -EINVAL;
	}
	src = strdup(regex);
	if (!c) {
		c = &r->cats[r->ncats];
		memset(c, 0, sizeof(*c));
		c->name = strdup(name);
		if (c->name)
			r->ncats++;
	}
	if (!src || !c->name ||
	    array_reserve(&c->pats, &c->pats_cap, c->npats + 1, sizeof(*c->pats))) {
		regfree(&re);
		free(src);
		return -ENOMEM;
	}
	p = &c->pats[c->npats];
	p->re = re;
	p->src = src;
	p->exclude = exclude;
	c->npats++;
	return 0;
}

int report__add_spec(struct report *r, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	bool exclude;
	char *name;
	int ret;

	if (!eq || eq == spec || (eq == spec + 1 && spec[0] == '!')) {
		if (err)
			snprintf(err, errlen, "expected NAME=REGEX or NAME!=REGEX, not '%s'", spec);
		return -EINVAL;
	}
	exclude = eq[-1] == '!';
	name = strndup(spec, eq - spec - exclude);
	if (!name)
		return -ENOMEM;
	ret = report__add_pattern(r, name, eq + 1, exclude, err, errlen);
	free(name);
	return ret;
}

size_t report__category_count(const struct report *r)
{
	return r->ncats;
}

/* ---- samples ---- */

struct name_key {
	const struct report *r;
	const char *name;
	size_t len;
	uint8_t flags;
};

static bool func_equal(const void *ctx, uint32_t index)
{
	const struct name_key *k = ctx;
	const char *s = k->r->strs + k->r->funcs[index].name;

	return !strncmp(s, k->name, k->len) && s[k->len] == '\0';
}

static bool frame_equal(const void *ctx, uint32_t index)
{
	const struct name_key *k = ctx;
	const struct rframe *f = &k->r->frames[index];
	const char *s = k->r->strs + f->name;

	return f->flags == k->flags && !strncmp(s, k->name, k->len) && s[k->len] == '\0';
}

/* Returns the pool offset of a copy of name, or -ENOMEM. */
static long long store_name(struct report *r, const char *name, size_t len)
{
	size_t off = r->strs_len;

	if (off + len + 1 > UINT32_MAX || array_reserve(&r->strs, &r->strs_cap, off + len + 1, 1))
		return -ENOMEM;
	memcpy(r->strs + off, name, len);
	r->strs[off + len] = '\0';
	r->strs_len += len + 1;
	return off;
}

static int intern_func(struct report *r, const char *name, size_t len, uint64_t h, uint32_t *id)
{
	struct name_key k = {r, name, len, 0};
	long long off;

	if (!hmap__find(&r->func_set, h, func_equal, &k, id))
		return 0;
	if (array_reserve(&r->funcs, &r->funcs_cap, r->nfuncs + 1, sizeof(*r->funcs)) ||
	    hmap__reserve(&r->func_set, r->nfuncs + 1))
		return -ENOMEM;
	off = store_name(r, name, len);
	if (off < 0)
		return -ENOMEM;
	r->funcs[r->nfuncs] = (struct rfunc){.name = (uint32_t)off};
	*id = r->nfuncs;
	hmap__insert(&r->func_set, h, r->nfuncs++);
	return 0;
}

static int intern_frame(struct report *r, const char *name, uint8_t flags, uint32_t *id)
{
	size_t len = strlen(name);
	uint64_t h = hash_bytes(name, len, 0);
	struct name_key k = {r, name, len, flags};
	uint32_t func;
	int err;

	if (!hmap__find(&r->frame_set, hash_u64(flags, h), frame_equal, &k, id))
		return 0;
	err = intern_func(r, name, len, h, &func);
	if (err)
		return err;
	if (array_reserve(&r->frames, &r->frames_cap, r->nframes + 1, sizeof(*r->frames)) ||
	    hmap__reserve(&r->frame_set, r->nframes + 1))
		return -ENOMEM;
	/* The frame shares the function's copy of the name. */
	r->frames[r->nframes] = (struct rframe){
		.name = r->funcs[func].name,
		.func = func,
		.flags = flags,
	};
	*id = r->nframes;
	hmap__insert(&r->frame_set, hash_u64(flags, h), r->nframes++);
	return 0;
}

int report__frame_id(struct report *r, const char *name, uint8_t flags, uint32_t *id)
{
	if (r->computed)
		return -EINVAL;
	return intern_frame(r, name, flags & (REPORT_FRAME_KERNEL | REPORT_FRAME_INLINED), id);
}

int report__add_sample_ids(struct report *r, const uint32_t *ids, size_t depth, double weight)
{
	size_t off = r->pool_len;

	if (r->computed || !depth || depth > UINT32_MAX || !isfinite(weight) || weight < 0)
		return -EINVAL;
	for (size_t i = 0; i < depth; i++) {
		if (ids[i] >= r->nframes)
			return -EINVAL;
	}
	if (array_reserve(&r->pool, &r->pool_cap, off + depth, sizeof(*r->pool)) ||
	    array_reserve(&r->samples, &r->samples_cap, r->nsamples + 1, sizeof(*r->samples)))
		return -ENOMEM;
	memcpy(r->pool + off, ids, depth * sizeof(*ids));
	r->pool_len += depth;
	r->samples[r->nsamples++] = (struct rsample){
		.off = off,
		.depth = (uint32_t)depth,
		.weight = weight,
	};
	return 0;
}

int report__add_sample(struct report *r, const char *const *names, const uint8_t *flags,
		       size_t depth, double weight)
{
	size_t off = r->pool_len;
	int err;

	if (r->computed || !depth || depth > UINT32_MAX || !isfinite(weight) || weight < 0)
		return -EINVAL;
	/* Interned at the end of the pool, which then becomes the sample. */
	if (array_reserve(&r->pool, &r->pool_cap, off + depth, sizeof(*r->pool)))
		return -ENOMEM;
	for (size_t i = 0; i < depth; i++) {
		err = report__frame_id(r, names[i], flags ? flags[i] : 0, &r->pool[off + i]);
		if (err)
			return err;
	}
	if (array_reserve(&r->samples, &r->samples_cap, r->nsamples + 1, sizeof(*r->samples)))
		return -ENOMEM;
	r->pool_len += depth;
	r->samples[r->nsamples++] = (struct rsample){
		.off = off,
		.depth = (uint32_t)depth,
		.weight = weight,
	};
	return 0;
}

/* ---- matching ---- */

/*
 * The folded label of a frame: the name, then _[k] or _[i]; NULL when it is
 * the name itself (or out of memory: *oom is set).
 */
static const char *frame_label(const struct report *r, const struct rframe *f, char **buf,
			       size_t *cap, bool *oom)
{
	const char *name = r->strs + f->name;
	const char *suffix = f->flags & REPORT_FRAME_KERNEL    ? "_[k]"
			     : f->flags & REPORT_FRAME_INLINED ? "_[i]"
							       : NULL;
	size_t len;

	if (!suffix)
		return NULL;
	len = strlen(name);
	if (array_reserve(buf, cap, len + 5, 1)) {
		*oom = true;
		return NULL;
	}
	memcpy(*buf, name, len);
	memcpy(*buf + len, suffix, 5);
	return *buf;
}

/* A regex matches a frame when it matches its name or its folded label, so
 * "^runtime\.mallocgc$" finds inlined copies too and "_\[k\]$" kernel frames. */
static bool frame_matches(const regex_t *re, const char *name, const char *label)
{
	return !regexec(re, name, 0, NULL, 0) || (label && !regexec(re, label, 0, NULL, 0));
}

static bool category_matches(const struct rcategory *c, const char *name, const char *label)
{
	bool in = false;

	for (size_t i = 0; i < c->npats; i++) {
		if (!frame_matches(&c->pats[i].re, name, label))
			continue;
		if (c->pats[i].exclude)
			return false;
		in = true;
	}
	return in;
}

int report__any_frame_matches(const struct report *r, const char *regex)
{
	char *buf = NULL;
	size_t cap = 0;
	bool oom = false;
	regex_t re;
	int found = 0;

	if (regcomp(&re, regex, REG_EXTENDED | REG_NOSUB))
		return -EINVAL;
	for (size_t i = 0; i < r->nframes && !found && !oom; i++) {
		const char *label = frame_label(r, &r->frames[i], &buf, &cap, &oom);

		found = frame_matches(&re, r->strs + r->frames[i].name, label);
	}
	regfree(&re);
	free(buf);
	return oom ? -ENOMEM : found;
}

int report__compute(struct report *r)
{
	uint64_t *mask = calloc(r->nframes ? r->nframes : 1, sizeof(*mask));
	char *buf = NULL;
	size_t cap = 0;
	bool oom = false;

	if (!mask)
		return -ENOMEM;
	for (size_t i = 0; i < r->nframes && r->ncats && !oom; i++) {
		const char *label = frame_label(r, &r->frames[i], &buf, &cap, &oom);
		const char *name = r->strs + r->frames[i].name;

		for (size_t c = 0; c < r->ncats; c++) {
			if (category_matches(&r->cats[c], name, label))
				mask[i] |= 1ULL << c;
		}
	}
	free(buf);
	if (oom) {
		free(mask);
		return -ENOMEM;
	}
	r->total = r->uncategorized = 0;
	for (size_t c = 0; c < r->ncats; c++)
		r->cats[c].value = 0;
	for (size_t f = 0; f < r->nfuncs; f++)
		r->funcs[f] = (struct rfunc){.name = r->funcs[f].name};
	for (size_t s = 0; s < r->nsamples; s++) {
		const struct rsample *smp = &r->samples[s];
		const uint32_t *ids = r->pool + smp->off;
		double w = smp->weight;
		uint64_t m = 0;

		r->total += w;
		r->funcs[r->frames[ids[smp->depth - 1]].func].self += w;
		for (uint32_t d = 0; d < smp->depth; d++) {
			struct rfunc *fn = &r->funcs[r->frames[ids[d]].func];

			if (fn->stamp != s + 1) {
				fn->stamp = s + 1;
				fn->total += w;
			}
			m |= mask[ids[d]];
		}
		if (!m)
			r->uncategorized += w;
		for (size_t c = 0; m; c++, m >>= 1) {
			if (m & 1)
				r->cats[c].value += w;
		}
	}
	free(mask);
	r->computed = true;
	return r->total > 0 ? 0 : -ENODATA;
}

double report__total(const struct report *r)
{
	return r->total;
}

double report__category_value(const struct report *r, size_t i)
{
	return i < r->ncats ? r->cats[i].value : r->uncategorized;
}

const char *report__category_name(const struct report *r, size_t i)
{
	return i < r->ncats ? r->cats[i].name : "uncategorized";
}

/* ---- shared by the writers ---- */

static double pct(double v, double total)
{
	return total > 0 ? 100.0 * v / total : 0;
}

static const char *func_name(const struct report *r, size_t f)
{
	return r->strs + r->funcs[f].name;
}

struct sort_ctx {
	const struct report *r;
	bool by_total;
};

static int cmp_funcs(const void *pa, const void *pb, void *ctx)
{
	const struct sort_ctx *c = ctx;
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	const struct rfunc *fa = &c->r->funcs[a], *fb = &c->r->funcs[b];
	double va = c->by_total ? fa->total : fa->self, vb = c->by_total ? fb->total : fb->self;

	if (va != vb)
		return va > vb ? -1 : 1;
	return strcmp(func_name(c->r, a), func_name(c->r, b));
}

/* Indexes of the top n functions by self (or total) weight, heaviest first,
 * ties by name; zero rows left out. Returns a malloc'd array or NULL. */
static uint32_t *top_funcs(const struct report *r, bool by_total, size_t n, size_t *count)
{
	struct sort_ctx c = {r, by_total};
	uint32_t *idx = malloc((r->nfuncs ? r->nfuncs : 1) * sizeof(*idx));
	size_t k = 0;

	if (!idx)
		return NULL;
	for (size_t f = 0; f < r->nfuncs; f++) {
		if (by_total ? r->funcs[f].total > 0 : r->funcs[f].self > 0)
			idx[k++] = f;
	}
	qsort_r(idx, k, sizeof(*idx), cmp_funcs, &c);
	*count = k < n ? k : n;
	return idx;
}

static size_t top_of(const struct report_output_opts *o)
{
	return o && o->top ? o->top : REPORT_DEFAULT_TOP;
}

/* A weight as text: integers without decimals, fractions with two. */
static void fmt_weight(char *buf, size_t len, double w)
{
	if (w == floor(w) && w < 1e15)
		snprintf(buf, len, "%.0f", w);
	else
		snprintf(buf, len, "%.2f", w);
}

/* Writes name in at most width columns (or whole), then a newline. */
static void put_name(FILE *out, const char *name, size_t width, const struct report_output_opts *o)
{
	char *buf;

	if (o && o->full_names) {
		fprintf(out, "%s\n", name);
		return;
	}
	buf = malloc(strlen(name) + 1);
	if (!buf) {
		fprintf(out, "%s\n", name);
		return;
	}
	names__display(name, width, buf);
	fprintf(out, "%s\n", buf);
	free(buf);
}

static size_t name_width(const struct report *r)
{
	size_t w = strlen("uncategorized");

	for (size_t c = 0; c < r->ncats; c++) {
		size_t l = strlen(r->cats[c].name);

		if (l > w)
			w = l;
	}
	return w > 40 ? 40 : w;
}

/* ---- text ---- */

static void text_header(const struct report *r, FILE *out)
{
	char tw[32];

	fmt_weight(tw, sizeof(tw), r->total);
	fprintf(out, "Profile: %s\n", r->source ? r->source : "(unnamed)");
	fprintf(out, "Total: %s %s (unit %s)", tw, r->value_type ? r->value_type : "samples",
		r->unit ? r->unit : "count");
	if (r->freq_hz)
		fprintf(out, ", %g Hz", r->freq_hz);
	if (r->duration_s)
		fprintf(out, ", %.1f s", r->duration_s);
	fprintf(out, "; %zu stacks, %zu functions\n", r->nsamples, r->nfuncs);
}

static void text_categories(const struct report *r, FILE *out)
{
	size_t nw = name_width(r);

	if (!r->ncats) {
		fprintf(out, "\nNo categories (add --category NAME=REGEX or --preset NAME).\n");
		return;
	}
	fprintf(out, "\nCategories%s%s%s: share of samples whose stack holds a matching frame.\n",
		r->preset ? " (preset " : "", r->preset ? r->preset : "", r->preset ? ")" : "");
	fprintf(out, "Each sample counts once per category; a stack can be in several, "
		     "so shares overlap.\n");
	fprintf(out, "  %-*s %12s %8s\n", (int)nw, "category", "samples", "share");
	for (size_t c = 0; c <= r->ncats; c++) {
		char v[32];
		double value = report__category_value(r, c);

		fmt_weight(v, sizeof(v), value);
		fprintf(out, "  %-*.*s %12s %7.2f%%\n", (int)nw, (int)nw,
			report__category_name(r, c), v, pct(value, r->total));
	}
}

static int text_top(const struct report *r, bool by_total, const struct report_output_opts *o,
		    FILE *out)
{
	size_t n;
	uint32_t *idx = top_funcs(r, by_total, top_of(o), &n);
	/* "  " + 12 + " " + 7 + " " + 7 + "  " = 32 columns before the name */
	size_t width = REPORT_WIDTH - 32;

	if (!idx)
		return -ENOMEM;
	fprintf(out, "\nTop %zu functions by %s\n", top_of(o), by_total ? "total" : "self");
	fprintf(out, "  %12s %7s %7s  %s\n", by_total ? "total" : "self", "self%", "total%",
		"function");
	for (size_t i = 0; i < n; i++) {
		const struct rfunc *f = &r->funcs[idx[i]];
		char v[32];

		fmt_weight(v, sizeof(v), by_total ? f->total : f->self);
		fprintf(out, "  %12s %6.2f%% %6.2f%%  ", v, pct(f->self, r->total),
			pct(f->total, r->total));
		put_name(out, func_name(r, idx[i]), width, o);
	}
	free(idx);
	return 0;
}

int report__write_text(const struct report *r, const struct report_output_opts *o, FILE *out)
{
	text_header(r, out);
	text_categories(r, out);
	if (text_top(r, false, o, out) || text_top(r, true, o, out))
		return -ENOMEM;
	return ferror(out) ? -EIO : 0;
}

/* ---- JSON ---- */

static void json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_str_or_null(FILE *out, const char *s)
{
	if (s)
		json_str(out, s);
	else
		fputs("null", out);
}

static void json_num(FILE *out, double v)
{
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(out, "%.0f", v);
	else
		fprintf(out, "%.10g", v);
}

static void json_num_or_null(FILE *out, double v)
{
	if (v)
		json_num(out, v);
	else
		fputs("null", out);
}

static int json_top(const struct report *r, bool by_total, const struct report_output_opts *o,
		    FILE *out)
{
	size_t n;
	uint32_t *idx = top_funcs(r, by_total, top_of(o), &n);

	if (!idx)
		return -ENOMEM;
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		const struct rfunc *f = &r->funcs[idx[i]];

		fputs(i ? ",\n      {\"name\": " : "\n      {\"name\": ", out);
		json_str(out, func_name(r, idx[i]));
		fputs(", \"self\": ", out);
		json_num(out, f->self);
		fputs(", \"self_percent\": ", out);
		json_num(out, pct(f->self, r->total));
		fputs(", \"total\": ", out);
		json_num(out, f->total);
		fputs(", \"total_percent\": ", out);
		json_num(out, pct(f->total, r->total));
		fputc('}', out);
	}
	fputs(n ? "\n    ]" : "]", out);
	free(idx);
	return 0;
}

static void json_patterns(const struct rcategory *c, bool exclude, FILE *out)
{
	bool first = true;

	fputc('[', out);
	for (size_t i = 0; i < c->npats; i++) {
		if (c->pats[i].exclude != exclude)
			continue;
		if (!first)
			fputs(", ", out);
		json_str(out, c->pats[i].src);
		first = false;
	}
	fputc(']', out);
}

/* One profile's object of the schema (docs/report.schema.json), indented by 2. */
static int json_profile(const struct report *r, const struct report_output_opts *o, FILE *out)
{
	fputs("{\n    \"source\": ", out);
	json_str_or_null(out, r->source);
	fputs(",\n    \"value_type\": {\"type\": ", out);
	json_str(out, r->value_type ? r->value_type : "samples");
	fputs(", \"unit\": ", out);
	json_str(out, r->unit ? r->unit : "count");
	fputs("},\n    \"total\": ", out);
	json_num(out, r->total);
	fputs(",\n    \"duration_seconds\": ", out);
	json_num_or_null(out, r->duration_s);
	fputs(",\n    \"frequency_hz\": ", out);
	json_num_or_null(out, r->freq_hz);
	fprintf(out, ",\n    \"stacks\": %zu,\n    \"functions\": %zu", r->nsamples, r->nfuncs);
	fputs(",\n    \"preset\": ", out);
	json_str_or_null(out, r->preset);
	fputs(",\n    \"categories_overlap\": true,\n    \"categories\": [", out);
	for (size_t c = 0; c < r->ncats; c++) {
		fputs(c ? ",\n      {\"name\": " : "\n      {\"name\": ", out);
		json_str(out, r->cats[c].name);
		fputs(", \"value\": ", out);
		json_num(out, r->cats[c].value);
		fputs(", \"percent\": ", out);
		json_num(out, pct(r->cats[c].value, r->total));
		fputs(", \"regexes\": ", out);
		json_patterns(&r->cats[c], false, out);
		fputs(", \"excludes\": ", out);
		json_patterns(&r->cats[c], true, out);
		fputc('}', out);
	}
	fputs(r->ncats ? "\n    ],\n    \"uncategorized\": {\"value\": "
		       : "],\n    \"uncategorized\": {\"value\": ",
	      out);
	json_num(out, r->uncategorized);
	fputs(", \"percent\": ", out);
	json_num(out, pct(r->uncategorized, r->total));
	fprintf(out, "},\n    \"top\": %zu,\n    \"top_self\": ", top_of(o));
	if (json_top(r, false, o, out))
		return -ENOMEM;
	fputs(",\n    \"top_total\": ", out);
	if (json_top(r, true, o, out))
		return -ENOMEM;
	fputs("\n  }", out);
	return 0;
}

int report__write_json(const struct report *r, const struct report_output_opts *o, FILE *out)
{
	fputs("{\n  \"schema_version\": 1,\n  \"kind\": \"report\",\n  \"profile\": ", out);
	if (json_profile(r, o, out))
		return -ENOMEM;
	fputs("\n}\n", out);
	return ferror(out) ? -EIO : 0;
}

/* ---- comparison ---- */

struct moved {
	const char *name;
	double base, now; /* self percent */
};

static int cmp_moved(const void *a, const void *b)
{
	const struct moved *ma = a, *mb = b;
	double da = fabs(ma->now - ma->base), db = fabs(mb->now - mb->base);

	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(ma->name, mb->name);
}

static int find_func(const struct report *r, const char *name, uint32_t *id)
{
	size_t len = strlen(name);
	struct name_key k = {r, name, len, 0};

	return hmap__find(&r->func_set, hash_bytes(name, len, 0), func_equal, &k, id);
}

/* Every function whose self share differs, most moved first; *n rows. */
static struct moved *moved_funcs(const struct report *base, const struct report *r, size_t *n)
{
	struct moved *m = malloc((base->nfuncs + r->nfuncs + 1) * sizeof(*m));
	size_t k = 0;
	uint32_t id;

	if (!m)
		return NULL;
	for (size_t f = 0; f < r->nfuncs; f++) {
		double b = 0;

		if (!find_func(base, func_name(r, f), &id))
			b = pct(base->funcs[id].self, base->total);
		m[k] = (struct moved){func_name(r, f), b, pct(r->funcs[f].self, r->total)};
		if (m[k].now != m[k].base)
			k++;
	}
	for (size_t f = 0; f < base->nfuncs; f++) {
		if (!find_func(r, func_name(base, f), &id) || !base->funcs[f].self)
			continue;
		m[k++] = (struct moved){func_name(base, f), pct(base->funcs[f].self, base->total),
					0};
	}
	qsort(m, k, sizeof(*m), cmp_moved);
	*n = k;
	return m;
}

static bool same_categories(const struct report *a, const struct report *b)
{
	if (a->ncats != b->ncats)
		return false;
	for (size_t c = 0; c < a->ncats; c++) {
		if (strcmp(a->cats[c].name, b->cats[c].name))
			return false;
	}
	return true;
}

int report__write_compare_text(const struct report *base, const struct report *r,
			       const struct report_output_opts *o, FILE *out)
{
	size_t nw = name_width(r), n;
	struct moved *m;
	char bw[32], aw[32];

	if (!same_categories(base, r))
		return -EINVAL;
	m = moved_funcs(base, r, &n);
	if (!m)
		return -ENOMEM;
	fmt_weight(bw, sizeof(bw), base->total);
	fmt_weight(aw, sizeof(aw), r->total);
	fprintf(out, "Base:    %s (%s %s)\n", base->source ? base->source : "(unnamed)", bw,
		base->value_type ? base->value_type : "samples");
	fprintf(out, "Profile: %s (%s %s)\n", r->source ? r->source : "(unnamed)", aw,
		r->value_type ? r->value_type : "samples");
	if (r->ncats) {
		fprintf(out,
			"\nCategories%s%s%s: share of each profile's samples, and the change "
			"in points.\n",
			r->preset ? " (preset " : "", r->preset ? r->preset : "",
			r->preset ? ")" : "");
		fprintf(out, "Shares overlap: a stack can be in several categories.\n");
		fprintf(out, "  %-*s %8s %8s %9s\n", (int)nw, "category", "base", "now", "points");
		for (size_t c = 0; c <= r->ncats; c++) {
			double pb = pct(report__category_value(base, c), base->total);
			double pa = pct(report__category_value(r, c), r->total);

			fprintf(out, "  %-*.*s %7.2f%% %7.2f%% %+9.2f\n", (int)nw, (int)nw,
				report__category_name(r, c), pb, pa, pa - pb);
		}
	}
	fprintf(out, "\nTop %zu functions by change of self share\n", top_of(o));
	fprintf(out, "  %7s %7s %9s  %s\n", "base", "now", "points", "function");
	/* "  " + 7 + " " + 7 + " " + 9 + "  " = 29 columns before the name */
	for (size_t i = 0; i < n && i < top_of(o); i++) {
		fprintf(out, "  %6.2f%% %6.2f%% %+9.2f  ", m[i].base, m[i].now,
			m[i].now - m[i].base);
		put_name(out, m[i].name, REPORT_WIDTH - 29, o);
	}
	free(m);
	return ferror(out) ? -EIO : 0;
}

int report__write_compare_json(const struct report *base, const struct report *r,
			       const struct report_output_opts *o, FILE *out)
{
	struct moved *m;
	size_t n;

	if (!same_categories(base, r))
		return -EINVAL;
	m = moved_funcs(base, r, &n);
	if (!m)
		return -ENOMEM;
	fputs("{\n  \"schema_version\": 1,\n  \"kind\": \"comparison\",\n  \"base\": ", out);
	if (json_profile(base, o, out))
		goto nomem;
	fputs(",\n  \"profile\": ", out);
	if (json_profile(r, o, out))
		goto nomem;
	fputs(",\n  \"categories\": [", out);
	for (size_t c = 0; c <= r->ncats; c++) {
		double pb = pct(report__category_value(base, c), base->total);
		double pa = pct(report__category_value(r, c), r->total);

		fputs(c ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		json_str(out, report__category_name(r, c));
		fputs(", \"base_percent\": ", out);
		json_num(out, pb);
		fputs(", \"percent\": ", out);
		json_num(out, pa);
		fputs(", \"diff_points\": ", out);
		json_num(out, pa - pb);
		fputc('}', out);
	}
	fputs("\n  ],\n  \"moved\": [", out);
	for (size_t i = 0; i < n && i < top_of(o); i++) {
		fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
		json_str(out, m[i].name);
		fputs(", \"base_self_percent\": ", out);
		json_num(out, m[i].base);
		fputs(", \"self_percent\": ", out);
		json_num(out, m[i].now);
		fputs(", \"diff_points\": ", out);
		json_num(out, m[i].now - m[i].base);
		fputc('}', out);
	}
	fputs(n ? "\n  ]\n}\n" : "]\n}\n", out);
	free(m);
	return ferror(out) ? -EIO : 0;
nomem:
	free(m);
	return -ENOMEM;
}
