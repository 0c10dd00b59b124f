// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * model.c: the pprof-shaped profile model (see model.h). Each table is an
 * array plus an index set (hashmap.h) for interning; variable-length parts
 * (a location's lines, a sample's locations and labels) live in pools.
 */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "util.h"

struct model {
	char **strings; /* NUL-terminated copies */
	uint32_t *string_len;
	size_t nstrings, strings_cap, string_len_cap;
	struct hmap string_set;

	struct model_value_type types[MODEL_MAX_VALUES];
	size_t ntypes;
	struct model_value_type period_type;
	int64_t period, time_ns, duration_ns;
	uint32_t *comments;
	size_t ncomments, comments_cap;

	struct model_mapping *mappings;
	size_t nmappings, mappings_cap;
	struct hmap mapping_set;

	struct model_function *functions;
	size_t nfunctions, functions_cap;
	struct hmap function_set;

	struct model_location *locations;
	size_t nlocations, locations_cap;
	struct hmap location_set;
	struct model_line *lines;
	size_t nlines, lines_cap;

	struct model_sample *samples;
	size_t nsamples, samples_cap;
	struct hmap sample_set;
	uint32_t *loc_pool;
	size_t nloc_pool, loc_pool_cap;
	/* Label sets, each stored once (every sample of a recording has one of a
	 * few: its process's pid and comm), and shared by the samples. */
	struct model_label *label_pool;
	size_t nlabel_pool, label_pool_cap;
	struct label_run {
		uint32_t first, n;
	} *label_runs;
	size_t nlabel_runs, label_runs_cap;
	struct hmap label_run_set;
	double *values; /* ntypes per sample */
	size_t values_cap;
};

struct model *model__new(void)
{
	struct model *m = calloc(1, sizeof(*m));
	uint32_t id;

	if (m && model__string(m, "", 0, &id)) {
		free(m);
		return NULL;
	}
	return m;
}

void model__free(struct model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->string_len);
	hmap__free(&m->string_set);
	free(m->comments);
	free(m->mappings);
	hmap__free(&m->mapping_set);
	free(m->functions);
	hmap__free(&m->function_set);
	free(m->locations);
	hmap__free(&m->location_set);
	free(m->lines);
	free(m->samples);
	hmap__free(&m->sample_set);
	free(m->loc_pool);
	free(m->label_pool);
	free(m->label_runs);
	hmap__free(&m->label_run_set);
	free(m->values);
	free(m);
}

/* --- strings --- */

struct key {
	const struct model *m;
	const void *p;
	size_t len;
	const void *p2;
	size_t len2;
};

static bool string_equal(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;

	return k->m->string_len[i] == k->len && !memcmp(k->m->strings[i], k->p, k->len);
}

int model__string(struct model *m, const char *s, size_t len, uint32_t *id)
{
	struct key k = { m, s, len, NULL, 0 };
	uint64_t h = hash_bytes(s, len, 0);
	char *copy;

	if (len > UINT32_MAX)
		return -E2BIG;
	if (!hmap__find(&m->string_set, h, string_equal, &k, id))
		return 0;
	if (array_reserve(&m->strings, &m->strings_cap, m->nstrings + 1, sizeof(*m->strings)) ||
	    array_reserve(&m->string_len, &m->string_len_cap, m->nstrings + 1,
			  sizeof(*m->string_len)) ||
	    hmap__reserve(&m->string_set, m->nstrings + 1))
		return -ENOMEM;
	copy = malloc(len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	hmap__insert(&m->string_set, h, m->nstrings);
	m->strings[m->nstrings] = copy;
	m->string_len[m->nstrings] = len;
	*id = m->nstrings++;
	return 0;
}

int model__find_string(const struct model *m, const char *s, size_t len, uint32_t *id)
{
	struct key k = { m, s, len, NULL, 0 };

	return hmap__find(&m->string_set, hash_bytes(s, len, 0), string_equal, &k, id);
}

int model__cstring(struct model *m, const char *s, uint32_t *id)
{
	if (!s)
		s = "";
	return model__string(m, s, strlen(s), id);
}

const char *model__str(const struct model *m, uint32_t id)
{
	return id < m->nstrings ? m->strings[id] : "";
}

size_t model__string_count(const struct model *m)
{
	return m->nstrings;
}

/* --- metadata --- */

int model__add_sample_type(struct model *m, const char *type, const char *unit)
{
	struct model_value_type vt;
	int err;

	if (m->nsamples)
		return -EBUSY;
	if (m->ntypes == MODEL_MAX_VALUES)
		return -E2BIG;
	err = model__cstring(m, type, &vt.type);
	if (!err)
		err = model__cstring(m, unit, &vt.unit);
	if (err)
		return err;
	m->types[m->ntypes] = vt;
	return m->ntypes++;
}

size_t model__value_count(const struct model *m)
{
	return m->ntypes;
}

struct model_value_type model__sample_type(const struct model *m, size_t i)
{
	return i < m->ntypes ? m->types[i] : (struct model_value_type){ 0 };
}

int model__find_sample_type(const struct model *m, const char *type)
{
	for (size_t i = 0; i < m->ntypes; i++) {
		if (!strcmp(model__str(m, m->types[i].type), type))
			return i;
	}
	return -ENOENT;
}

size_t model__default_sample_type(const struct model *m)
{
	int i = model__find_sample_type(m, "samples");

	if (i < 0)
		i = model__find_sample_type(m, "cpu");
	return i < 0 ? 0 : (size_t)i;
}

int model__set_period(struct model *m, const char *type, const char *unit, int64_t period)
{
	int err = model__cstring(m, type, &m->period_type.type);

	if (!err)
		err = model__cstring(m, unit, &m->period_type.unit);
	m->period = period;
	return err;
}

struct model_value_type model__period_type(const struct model *m)
{
	return m->period_type;
}

int64_t model__period(const struct model *m)
{
	return m->period;
}

void model__set_time(struct model *m, int64_t time_ns, int64_t duration_ns)
{
	m->time_ns = time_ns;
	m->duration_ns = duration_ns;
}

int64_t model__time(const struct model *m)
{
	return m->time_ns;
}

int64_t model__duration(const struct model *m)
{
	return m->duration_ns;
}

int model__add_comment(struct model *m, const char *text)
{
	uint32_t id;
	int err = model__cstring(m, text, &id);

	if (!err)
		err = array_reserve(&m->comments, &m->comments_cap, m->ncomments + 1,
				    sizeof(*m->comments));
	if (!err)
		m->comments[m->ncomments++] = id;
	return err;
}

size_t model__comment_count(const struct model *m)
{
	return m->ncomments;
}

const char *model__comment(const struct model *m, size_t i)
{
	return i < m->ncomments ? model__str(m, m->comments[i]) : "";
}

/* --- mappings, functions, locations --- */

static bool mapping_equal(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct model_mapping *a = &k->m->mappings[i], *b = k->p;

	return a->start == b->start && a->limit == b->limit && a->offset == b->offset &&
	       a->file == b->file && a->build_id == b->build_id && a->kind == b->kind &&
	       a->has_functions == b->has_functions && a->has_filenames == b->has_filenames &&
	       a->has_line_numbers == b->has_line_numbers &&
	       a->has_inline_frames == b->has_inline_frames;
}

int model__mapping(struct model *m, const struct model_mapping *map, uint32_t *id)
{
	struct key k = { m, map, 0, NULL, 0 };
	uint64_t h = hash_u64(map->start, hash_u64(map->limit, hash_u64(map->offset, 0)));

	if (map->file >= m->nstrings || map->build_id >= m->nstrings)
		return -EINVAL;
	h = hash_u64(((uint64_t)map->file << 32) | map->build_id, h);
	if (!hmap__find(&m->mapping_set, h, mapping_equal, &k, id))
		return 0;
	if (array_reserve(&m->mappings, &m->mappings_cap, m->nmappings + 1,
			  sizeof(*m->mappings)) ||
	    hmap__insert(&m->mapping_set, h, m->nmappings))
		return -ENOMEM;
	m->mappings[m->nmappings] = *map;
	*id = m->nmappings++;
	return 0;
}

static bool function_equal(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct model_function *a = &k->m->functions[i], *b = k->p;

	return a->name == b->name && a->system_name == b->system_name && a->file == b->file &&
	       a->start_line == b->start_line;
}

int model__function(struct model *m, const struct model_function *fn, uint32_t *id)
{
	struct key k = { m, fn, 0, NULL, 0 };
	uint64_t h = hash_u64(((uint64_t)fn->name << 32) | fn->file,
			      hash_u64((uint64_t)fn->start_line, fn->system_name));

	if (fn->name >= m->nstrings || fn->system_name >= m->nstrings ||
	    fn->file >= m->nstrings)
		return -EINVAL;
	if (!hmap__find(&m->function_set, h, function_equal, &k, id))
		return 0;
	if (array_reserve(&m->functions, &m->functions_cap, m->nfunctions + 1,
			  sizeof(*m->functions)) ||
	    hmap__insert(&m->function_set, h, m->nfunctions))
		return -ENOMEM;
	m->functions[m->nfunctions] = *fn;
	*id = m->nfunctions++;
	return 0;
}

struct loc_key {
	uint32_t mapping;
	uint64_t addr;
};

static bool location_equal(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct model_location *a = &k->m->locations[i];
	const struct loc_key *b = k->p;

	return a->mapping == b->mapping && a->addr == b->addr && a->nlines == k->len2 &&
	       (!k->len2 || !memcmp(&k->m->lines[a->first_line], k->p2,
				    k->len2 * sizeof(struct model_line)));
}

static uint64_t lines_hash(const struct model_line *lines, uint32_t n, uint64_t h)
{
	for (uint32_t i = 0; i < n; i++)
		h = hash_u64(((uint64_t)lines[i].function << 32) ^ (uint64_t)lines[i].line, h);
	return h;
}

int model__location(struct model *m, uint32_t mapping, uint64_t addr,
		    const struct model_line *lines, uint32_t nlines, uint32_t *id)
{
	struct loc_key lk = { mapping, addr };
	struct key k = { m, &lk, 0, lines, nlines };
	uint64_t h = lines_hash(lines, nlines, hash_u64(addr, mapping));

	if (mapping > m->nmappings)
		return -EINVAL;
	for (uint32_t i = 0; i < nlines; i++) {
		if (lines[i].function >= m->nfunctions)
			return -EINVAL;
	}
	if (!hmap__find(&m->location_set, h, location_equal, &k, id))
		return 0;
	if (m->nlines + nlines > UINT32_MAX ||
	    array_reserve(&m->locations, &m->locations_cap, m->nlocations + 1,
			  sizeof(*m->locations)) ||
	    array_reserve(&m->lines, &m->lines_cap, m->nlines + nlines, sizeof(*m->lines)) ||
	    hmap__insert(&m->location_set, h, m->nlocations))
		return -ENOMEM;
	if (nlines)
		memcpy(&m->lines[m->nlines], lines, nlines * sizeof(*lines));
	m->locations[m->nlocations] = (struct model_location){
		.addr = addr, .mapping = mapping, .first_line = m->nlines, .nlines = nlines,
	};
	m->nlines += nlines;
	*id = m->nlocations++;
	return 0;
}

/* --- samples --- */

static bool label_equal(const struct model_label *a, const struct model_label *b)
{
	return a->key == b->key && a->str == b->str && a->num == b->num &&
	       a->num_unit == b->num_unit;
}

static bool label_run_equal(const void *ctx, uint32_t i)
{
	const struct key *k = ctx;
	const struct label_run *r = &k->m->label_runs[i];
	const struct model_label *labels = k->p;

	if (r->n != k->len)
		return false;
	for (uint32_t d = 0; d < r->n; d++) {
		if (!label_equal(&k->m->label_pool[r->first + d], &labels[d]))
			return false;
	}
	return true;
}

/* The pool position of this label set, added if new. Returns 0 or -ENOMEM. */
static int intern_labels(struct model *m, const struct model_label *labels, uint32_t n,
			 uint64_t h, uint32_t *first)
{
	struct key k = { m, labels, n, NULL, 0 };
	uint32_t i;

	if (!hmap__find(&m->label_run_set, h, label_run_equal, &k, &i)) {
		*first = m->label_runs[i].first;
		return 0;
	}
	if (m->nlabel_pool + n > UINT32_MAX ||
	    array_reserve(&m->label_pool, &m->label_pool_cap, m->nlabel_pool + n,
			  sizeof(*m->label_pool)) ||
	    array_reserve(&m->label_runs, &m->label_runs_cap, m->nlabel_runs + 1,
			  sizeof(*m->label_runs)) ||
	    hmap__insert(&m->label_run_set, h, (uint32_t)m->nlabel_runs))
		return -ENOMEM;
	for (uint32_t d = 0; d < n; d++) {
		m->label_pool[m->nlabel_pool + d] = (struct model_label){
			.key = labels[d].key, .str = labels[d].str,
			.num = labels[d].num, .num_unit = labels[d].num_unit,
		};
	}
	*first = (uint32_t)m->nlabel_pool;
	m->label_runs[m->nlabel_runs++] = (struct label_run){ *first, n };
	m->nlabel_pool += n;
	return 0;
}

/* A sample being added: equal to a stored one with the same locations and
 * the same label set, which is stored once, so its position says it. */
struct sample_lookup {
	const struct model *m;
	const uint32_t *locs;
	uint32_t nlocs, first_label, nlabels;
};

static bool sample_equal(const void *ctx, uint32_t i)
{
	const struct sample_lookup *k = ctx;
	const struct model_sample *s = &k->m->samples[i];

	return s->nlocs == k->nlocs && s->nlabels == k->nlabels &&
	       (!k->nlocs || !memcmp(&k->m->loc_pool[s->first_loc], k->locs,
				     k->nlocs * sizeof(uint32_t))) &&
	       (!k->nlabels || s->first_label == k->first_label);
}

int model__add_sample(struct model *m, const uint32_t *locs, uint32_t nlocs,
		      const struct model_label *labels, uint32_t nlabels, const double *values)
{
	uint64_t h = hash_bytes(locs, nlocs * sizeof(*locs), nlocs), hl = nlabels;
	struct sample_lookup k = { m, locs, nlocs, 0, nlabels };
	uint32_t i;

	if (!m->ntypes)
		return -EINVAL;
	for (uint32_t d = 0; d < nlocs; d++) {
		if (locs[d] >= m->nlocations)
			return -EINVAL;
	}
	for (uint32_t d = 0; d < nlabels; d++) {
		const struct model_label *l = &labels[d];

		if (l->key >= m->nstrings || l->str >= m->nstrings || l->num_unit >= m->nstrings)
			return -EINVAL;
		hl = hash_u64(((uint64_t)l->key << 32) ^ l->str, hash_u64(l->num ^ l->num_unit, hl));
	}
	if (nlabels && intern_labels(m, labels, nlabels, hl, &k.first_label))
		return -ENOMEM;
	h = hash_u64(h, hl);
	if (!hmap__find(&m->sample_set, h, sample_equal, &k, &i)) {
		for (size_t v = 0; v < m->ntypes; v++)
			m->values[i * m->ntypes + v] += values[v];
		return 0;
	}
	if (m->nloc_pool + nlocs > UINT32_MAX ||
	    array_reserve(&m->samples, &m->samples_cap, m->nsamples + 1, sizeof(*m->samples)) ||
	    array_reserve(&m->values, &m->values_cap, (m->nsamples + 1) * m->ntypes,
			  sizeof(*m->values)) ||
	    array_reserve(&m->loc_pool, &m->loc_pool_cap, m->nloc_pool + nlocs,
			  sizeof(*m->loc_pool)) ||
	    hmap__insert(&m->sample_set, h, m->nsamples))
		return -ENOMEM;
	if (nlocs)
		memcpy(&m->loc_pool[m->nloc_pool], locs, nlocs * sizeof(*locs));
	memcpy(&m->values[m->nsamples * m->ntypes], values, m->ntypes * sizeof(*values));
	m->samples[m->nsamples] = (struct model_sample){
		.first_loc = m->nloc_pool, .nlocs = nlocs,
		.first_label = k.first_label, .nlabels = nlabels,
	};
	m->nloc_pool += nlocs;
	m->nsamples++;
	return 0;
}

/* --- accessors --- */

size_t model__mapping_count(const struct model *m)
{
	return m->nmappings;
}

const struct model_mapping *model__get_mapping(const struct model *m, uint32_t i)
{
	return i < m->nmappings ? &m->mappings[i] : NULL;
}

size_t model__function_count(const struct model *m)
{
	return m->nfunctions;
}

const struct model_function *model__get_function(const struct model *m, uint32_t i)
{
	return i < m->nfunctions ? &m->functions[i] : NULL;
}

size_t model__location_count(const struct model *m)
{
	return m->nlocations;
}

const struct model_location *model__get_location(const struct model *m, uint32_t i)
{
	return i < m->nlocations ? &m->locations[i] : NULL;
}

const struct model_line *model__lines(const struct model *m, const struct model_location *loc)
{
	return m->lines ? &m->lines[loc->first_line] : NULL;
}

size_t model__sample_count(const struct model *m)
{
	return m->nsamples;
}

const struct model_sample *model__get_sample(const struct model *m, size_t i)
{
	return i < m->nsamples ? &m->samples[i] : NULL;
}

const uint32_t *model__sample_locs(const struct model *m, const struct model_sample *s)
{
	return m->loc_pool ? &m->loc_pool[s->first_loc] : NULL;
}

const struct model_label *model__sample_labels(const struct model *m,
					       const struct model_sample *s)
{
	return m->label_pool ? &m->label_pool[s->first_label] : NULL;
}

const double *model__sample_values(const struct model *m, size_t i)
{
	return &m->values[i * m->ntypes];
}

double model__total(const struct model *m, size_t value)
{
	double total = 0;

	if (value >= m->ntypes)
		return 0;
	for (size_t i = 0; i < m->nsamples; i++)
		total += m->values[i * m->ntypes + value];
	return total;
}

/* --- merge --- */

/* Maps of src's table indexes to dst's, filled lazily (UINT32_MAX: not yet). */
struct remap {
	uint32_t *strings, *mappings, *functions, *locations;
};

static int remap_string(struct model *dst, const struct model *src, struct remap *r,
			uint32_t id, uint32_t *out)
{
	int err = 0;

	if (r->strings[id] == UINT32_MAX)
		err = model__string(dst, src->strings[id], src->string_len[id], &r->strings[id]);
	*out = r->strings[id];
	return err;
}

static int remap_location(struct model *dst, const struct model *src, struct remap *r,
			  uint32_t id, uint32_t *out)
{
	const struct model_location *loc = &src->locations[id];
	struct model_line lines[MODEL_MAX_LINES];
	uint32_t mapping = 0, n = loc->nlines < MODEL_MAX_LINES ? loc->nlines : MODEL_MAX_LINES;
	int err = 0;

	if (r->locations[id] != UINT32_MAX) {
		*out = r->locations[id];
		return 0;
	}
	if (loc->mapping && r->mappings[loc->mapping - 1] == UINT32_MAX) {
		struct model_mapping map = src->mappings[loc->mapping - 1];

		err = remap_string(dst, src, r, map.file, &map.file);
		if (!err)
			err = remap_string(dst, src, r, map.build_id, &map.build_id);
		if (!err)
			err = model__mapping(dst, &map, &r->mappings[loc->mapping - 1]);
	}
	if (loc->mapping)
		mapping = r->mappings[loc->mapping - 1] + 1;
	for (uint32_t i = 0; !err && i < n; i++) {
		uint32_t f = src->lines[loc->first_line + i].function;

		if (r->functions[f] == UINT32_MAX) {
			struct model_function fn = src->functions[f];

			err = remap_string(dst, src, r, fn.name, &fn.name);
			if (!err)
				err = remap_string(dst, src, r, fn.system_name, &fn.system_name);
			if (!err)
				err = remap_string(dst, src, r, fn.file, &fn.file);
			if (!err)
				err = model__function(dst, &fn, &r->functions[f]);
		}
		lines[i].function = r->functions[f];
		lines[i].line = src->lines[loc->first_line + i].line;
	}
	if (!err)
		err = model__location(dst, mapping, loc->addr, lines, n, &r->locations[id]);
	*out = r->locations[id];
	return err;
}

static int merge_types(struct model *dst, const struct model *src, size_t *src_of)
{
	if (!dst->ntypes) {
		for (size_t i = 0; i < src->ntypes; i++) {
			int err = model__add_sample_type(dst, model__str(src, src->types[i].type),
							 model__str(src, src->types[i].unit));

			if (err < 0)
				return err;
		}
		if (!dst->period && src->period)
			model__set_period(dst, model__str(src, src->period_type.type),
					  model__str(src, src->period_type.unit), src->period);
	}
	for (size_t i = 0; i < dst->ntypes; i++) {
		src_of[i] = SIZE_MAX;
		for (size_t j = 0; j < src->ntypes; j++) {
			if (!strcmp(model__str(dst, dst->types[i].type),
				    model__str(src, src->types[j].type)) &&
			    !strcmp(model__str(dst, dst->types[i].unit),
				    model__str(src, src->types[j].unit))) {
				src_of[i] = j;
				break;
			}
		}
	}
	return 0;
}

int model__merge(struct model *dst, const struct model *src)
{
	struct remap r = { 0 };
	size_t src_of[MODEL_MAX_VALUES];
	uint32_t *locs = NULL;
	size_t locs_cap = 0;
	struct model_label *labels = NULL;
	size_t labels_cap = 0;
	int err = merge_types(dst, src, src_of);

	if (err)
		return err;
	r.strings = malloc((src->nstrings + 1) * sizeof(uint32_t));
	r.mappings = malloc((src->nmappings + 1) * sizeof(uint32_t));
	r.functions = malloc((src->nfunctions + 1) * sizeof(uint32_t));
	r.locations = malloc((src->nlocations + 1) * sizeof(uint32_t));
	if (!r.strings || !r.mappings || !r.functions || !r.locations) {
		err = -ENOMEM;
		goto out;
	}
	memset(r.strings, 0xff, src->nstrings * sizeof(uint32_t));
	memset(r.mappings, 0xff, src->nmappings * sizeof(uint32_t));
	memset(r.functions, 0xff, src->nfunctions * sizeof(uint32_t));
	memset(r.locations, 0xff, src->nlocations * sizeof(uint32_t));
	for (size_t i = 0; !err && i < src->ncomments; i++)
		err = model__add_comment(dst, model__comment(src, i));
	for (size_t i = 0; !err && i < src->nsamples; i++) {
		const struct model_sample *s = &src->samples[i];
		double values[MODEL_MAX_VALUES];

		if (array_reserve(&locs, &locs_cap, s->nlocs + 1, sizeof(*locs)) ||
		    array_reserve(&labels, &labels_cap, s->nlabels + 1, sizeof(*labels))) {
			err = -ENOMEM;
			break;
		}
		for (uint32_t d = 0; !err && d < s->nlocs; d++)
			err = remap_location(dst, src, &r, src->loc_pool[s->first_loc + d],
					     &locs[d]);
		for (uint32_t d = 0; !err && d < s->nlabels; d++) {
			struct model_label l = src->label_pool[s->first_label + d];

			err = remap_string(dst, src, &r, l.key, &l.key);
			if (!err)
				err = remap_string(dst, src, &r, l.str, &l.str);
			if (!err)
				err = remap_string(dst, src, &r, l.num_unit, &l.num_unit);
			labels[d] = l;
		}
		for (size_t v = 0; v < dst->ntypes; v++)
			values[v] = src_of[v] == SIZE_MAX ? 0
				    : src->values[i * src->ntypes + src_of[v]];
		if (!err)
			err = model__add_sample(dst, locs, s->nlocs, labels, s->nlabels, values);
	}
	if (!err) {
		if (src->time_ns && (!dst->time_ns || src->time_ns < dst->time_ns))
			dst->time_ns = src->time_ns;
		/* A hostile profile's duration can be anything: saturate. */
		if (__builtin_add_overflow(dst->duration_ns, src->duration_ns, &dst->duration_ns))
			dst->duration_ns = src->duration_ns < 0 ? INT64_MIN : INT64_MAX;
	}
out:
	free(r.strings);
	free(r.mappings);
	free(r.functions);
	free(r.locations);
	free(locs);
	free(labels);
	return err;
}
