// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * pprof.c: profile.proto encoder and decoder over the model (see pprof.h).
 * Field numbers are profile.proto's (github.com/google/pprof/proto).
 */
#include "pprof.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hashmap.h"
#include "util.h"

enum {
	WIRE_VARINT = 0,
	WIRE_FIXED64 = 1,
	WIRE_LEN = 2,
	WIRE_FIXED32 = 5,
};

/* Profile */
enum {
	P_SAMPLE_TYPE = 1, P_SAMPLE, P_MAPPING, P_LOCATION, P_FUNCTION, P_STRING,
	P_DROP_FRAMES, P_KEEP_FRAMES, P_TIME, P_DURATION, P_PERIOD_TYPE, P_PERIOD,
	P_COMMENT, P_DEFAULT_SAMPLE_TYPE,
};

/* --- encoder --- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	int err;
};

static void put_raw(struct buf *b, const void *data, size_t len)
{
	if (!len)
		return;
	if (b->err || array_reserve(&b->p, &b->cap, b->len + len, 1)) {
		b->err = -ENOMEM;
		return;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put_varint(struct buf *b, uint64_t v)
{
	uint8_t tmp[UVARINT_MAX];

	put_raw(b, tmp, uvarint_put(tmp, v));
}

static void put_tag(struct buf *b, unsigned field, unsigned wire)
{
	put_varint(b, (uint64_t)field << 3 | wire);
}

/* A scalar field; zero is the default and is not written. */
static void put_uint(struct buf *b, unsigned field, uint64_t v)
{
	if (!v)
		return;
	put_tag(b, field, WIRE_VARINT);
	put_varint(b, v);
}

static void put_bytes(struct buf *b, unsigned field, const void *data, size_t len)
{
	put_tag(b, field, WIRE_LEN);
	put_varint(b, len);
	put_raw(b, data, len);
}

/* Appends sub as a length-delimited field of b and empties sub. */
static void put_message(struct buf *b, unsigned field, struct buf *sub)
{
	if (sub->err)
		b->err = sub->err;
	put_bytes(b, field, sub->p, sub->len);
	sub->len = 0;
}

static int64_t round_value(double v)
{
	if (!(v > -9.2e18 && v < 9.2e18))
		return 0;
	return llround(v);
}

static void encode_value_type(struct buf *b, unsigned field, struct model_value_type vt,
			      struct buf *sub)
{
	put_uint(sub, 1, vt.type);
	put_uint(sub, 2, vt.unit);
	put_message(b, field, sub);
}

static void encode_samples(const struct model *m, struct buf *b, struct buf *sub,
			   struct buf *packed)
{
	size_t nvalues = model__value_count(m);

	for (size_t i = 0; i < model__sample_count(m); i++) {
		const struct model_sample *s = model__get_sample(m, i);
		const uint32_t *locs = model__sample_locs(m, s);
		const struct model_label *labels = model__sample_labels(m, s);
		const double *values = model__sample_values(m, i);

		for (uint32_t d = 0; d < s->nlocs; d++)
			put_varint(packed, (uint64_t)locs[d] + 1);
		put_message(sub, 1, packed);
		for (size_t v = 0; v < nvalues; v++)
			put_varint(packed, (uint64_t)round_value(values[v]));
		put_message(sub, 2, packed);
		for (uint32_t l = 0; l < s->nlabels; l++) {
			put_uint(packed, 1, labels[l].key);
			put_uint(packed, 2, labels[l].str);
			put_uint(packed, 3, (uint64_t)labels[l].num);
			put_uint(packed, 4, labels[l].num_unit);
			put_message(sub, 3, packed);
		}
		put_message(b, P_SAMPLE, sub);
	}
}

static void encode_tables(const struct model *m, struct buf *b, struct buf *sub,
			  struct buf *line)
{
	for (uint32_t i = 0; i < model__mapping_count(m); i++) {
		const struct model_mapping *map = model__get_mapping(m, i);

		put_uint(sub, 1, i + 1);
		put_uint(sub, 2, map->start);
		put_uint(sub, 3, map->limit);
		put_uint(sub, 4, map->offset);
		put_uint(sub, 5, map->file);
		put_uint(sub, 6, map->build_id);
		put_uint(sub, 7, map->has_functions);
		put_uint(sub, 8, map->has_filenames);
		put_uint(sub, 9, map->has_line_numbers);
		put_uint(sub, 10, map->has_inline_frames);
		put_message(b, P_MAPPING, sub);
	}
	for (uint32_t i = 0; i < model__location_count(m); i++) {
		const struct model_location *loc = model__get_location(m, i);
		const struct model_line *lines = model__lines(m, loc);

		put_uint(sub, 1, i + 1);
		put_uint(sub, 2, loc->mapping);
		put_uint(sub, 3, loc->addr);
		for (uint32_t l = 0; l < loc->nlines; l++) {
			put_uint(line, 1, (uint64_t)lines[l].function + 1);
			put_uint(line, 2, (uint64_t)lines[l].line);
			put_message(sub, 4, line);
		}
		put_message(b, P_LOCATION, sub);
	}
	for (uint32_t i = 0; i < model__function_count(m); i++) {
		const struct model_function *fn = model__get_function(m, i);

		put_uint(sub, 1, i + 1);
		put_uint(sub, 2, fn->name);
		put_uint(sub, 3, fn->system_name);
		put_uint(sub, 4, fn->file);
		put_uint(sub, 5, (uint64_t)fn->start_line);
		put_message(b, P_FUNCTION, sub);
	}
}

int pprof__encode(const struct model *m, uint8_t **data, size_t *len)
{
	struct buf b = { 0 }, sub = { 0 }, inner = { 0 };
	size_t nvalues = model__value_count(m);

	for (size_t v = 0; v < nvalues; v++)
		encode_value_type(&b, P_SAMPLE_TYPE, model__sample_type(m, v), &sub);
	encode_samples(m, &b, &sub, &inner);
	encode_tables(m, &b, &sub, &inner);
	for (size_t i = 0; i < model__string_count(m); i++) {
		const char *s = model__str(m, i);

		put_bytes(&b, P_STRING, s, strlen(s));
	}
	put_uint(&b, P_TIME, (uint64_t)model__time(m));
	put_uint(&b, P_DURATION, (uint64_t)model__duration(m));
	if (model__period_type(m).type)
		encode_value_type(&b, P_PERIOD_TYPE, model__period_type(m), &sub);
	put_uint(&b, P_PERIOD, (uint64_t)model__period(m));
	for (size_t i = 0; i < model__comment_count(m); i++) {
		uint32_t id;

		if (!model__find_string(m, model__comment(m, i), strlen(model__comment(m, i)),
					&id))
			put_uint(&b, P_COMMENT, id);
	}
	if (nvalues) {
		/* go tool pprof shows this one first: CPU time when there is some. */
		int cpu = model__find_sample_type(m, "cpu");

		put_uint(&b, P_DEFAULT_SAMPLE_TYPE,
			 model__sample_type(m, cpu >= 0 ? (size_t)cpu
						 : model__default_sample_type(m)).type);
	}
	free(sub.p);
	free(inner.p);
	if (b.err || sub.err || inner.err) {
		free(b.p);
		return -ENOMEM;
	}
	*data = b.p;
	*len = b.len;
	return 0;
}

int pprof__write(const struct model *m, FILE *out)
{
	uint8_t chunk[65536];
	z_stream z = { 0 };
	uint8_t *data;
	size_t len;
	int err = pprof__encode(m, &data, &len), zret;

	if (err)
		return err;
	/* windowBits 15 + 16: a gzip wrapper, as go tool pprof expects. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(data);
		return -ENOMEM;
	}
	z.next_in = data;
	z.avail_in = len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zret = deflate(&z, Z_FINISH);
		if (zret == Z_STREAM_ERROR) {
			err = -ENOMEM;
			break;
		}
		if (fwrite(chunk, 1, sizeof(chunk) - z.avail_out, out) !=
		    sizeof(chunk) - z.avail_out) {
			err = -EIO;
			break;
		}
	} while (zret != Z_STREAM_END);
	deflateEnd(&z);
	free(data);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}

/* --- decoder --- */

struct rd {
	const uint8_t *p, *end;
};

static int get_varint(struct rd *r, uint64_t *v)
{
	size_t n = uvarint_get(r->p, r->end, v);

	if (!n)
		return -EBADMSG;
	r->p += n;
	return 0;
}

/* One field: its number, and either a varint value or a sub-reader. */
struct field {
	unsigned num, wire;
	uint64_t v;
	struct rd sub; /* WIRE_LEN */
};

/* Reads the next field of r; returns 1 with *f, 0 at the end, or -EBADMSG. */
static int next_field(struct rd *r, struct field *f)
{
	uint64_t tag, len;

	if (r->p == r->end)
		return 0;
	if (get_varint(r, &tag) || (tag >> 3) == 0 || (tag >> 3) > UINT32_MAX)
		return -EBADMSG;
	f->num = tag >> 3;
	f->wire = tag & 7;
	switch (f->wire) {
	case WIRE_VARINT:
		return get_varint(r, &f->v) ? -EBADMSG : 1;
	case WIRE_FIXED64:
	case WIRE_FIXED32:
		len = f->wire == WIRE_FIXED64 ? 8 : 4;
		if ((size_t)(r->end - r->p) < len)
			return -EBADMSG;
		f->v = 0;
		memcpy(&f->v, r->p, len); /* little-endian hosts only read these to skip them */
		r->p += len;
		return 1;
	case WIRE_LEN:
		if (get_varint(r, &len) || len > (uint64_t)(r->end - r->p))
			return -EBADMSG;
		f->sub = (struct rd){ r->p, r->p + len };
		r->p += len;
		return 1;
	default:
		return -EBADMSG; /* groups (3, 4) are not in profile.proto */
	}
}

/*
 * Calls each(ctx, value) for a repeated varint field, packed (WIRE_LEN) or
 * not. Returns 0, -EBADMSG, or each's error.
 */
static int each_varint(const struct field *f, int (*each)(void *ctx, uint64_t v), void *ctx)
{
	struct rd r = f->sub;
	uint64_t v;
	int err;

	if (f->wire == WIRE_VARINT)
		return each(ctx, f->v);
	if (f->wire != WIRE_LEN)
		return -EBADMSG;
	while (r.p < r.end) {
		err = get_varint(&r, &v);
		if (!err)
			err = each(ctx, v);
		if (err)
			return err;
	}
	return 0;
}

/* pprof ids (any uint64 but 0) to model indexes. */
struct idmap {
	uint64_t *ids;
	uint32_t *index;
	size_t n, cap, index_cap;
	struct hmap set;
};

static bool id_equal(const void *ctx, uint32_t i)
{
	const struct idmap *m = ((const void *const *)ctx)[0];
	const uint64_t *id = ((const void *const *)ctx)[1];

	return m->ids[i] == *id;
}

static int idmap_add(struct idmap *m, uint64_t id, uint32_t index)
{
	const void *ctx[2] = { m, &id };
	uint64_t h = hash_u64(id, 0);
	uint32_t i;

	if (!id || !hmap__find(&m->set, h, id_equal, ctx, &i))
		return -EINVAL; /* id 0 or a duplicate id */
	if (array_reserve(&m->ids, &m->cap, m->n + 1, sizeof(*m->ids)) ||
	    array_reserve(&m->index, &m->index_cap, m->n + 1, sizeof(*m->index)) ||
	    hmap__insert(&m->set, h, m->n))
		return -ENOMEM;
	m->ids[m->n] = id;
	m->index[m->n++] = index;
	return 0;
}

static int idmap_get(const struct idmap *m, uint64_t id, uint32_t *index)
{
	const void *ctx[2] = { m, &id };
	uint32_t i;

	if (hmap__find(&m->set, hash_u64(id, 0), id_equal, ctx, &i))
		return -EINVAL;
	*index = m->index[i];
	return 0;
}

static void idmap_free(struct idmap *m)
{
	free(m->ids);
	free(m->index);
	hmap__free(&m->set);
}

struct dec {
	struct model *m;
	uint32_t *str; /* pprof string index -> model string id */
	size_t nstr, str_cap;
	const uint8_t **str_p;
	size_t *str_len;
	size_t str_p_cap, str_len_cap;
	struct idmap mappings, functions, locations;

	/* the sample being decoded */
	uint32_t *locs;
	size_t nlocs, locs_cap;
	double values[MODEL_MAX_VALUES];
	size_t nvalues;
	bool values_overflow;
	struct model_label *labels;
	size_t nlabels, labels_cap;
};

static int string_ref(const struct dec *d, uint64_t idx, uint32_t *id)
{
	if (idx >= d->nstr)
		return -EINVAL;
	*id = d->str[idx];
	return 0;
}

static int decode_strings(struct dec *d, struct rd top)
{
	struct field f;
	int ret;

	while ((ret = next_field(&top, &f)) > 0) {
		if (f.num != P_STRING)
			continue;
		if (f.wire != WIRE_LEN)
			return -EBADMSG;
		if (array_reserve(&d->str_p, &d->str_p_cap, d->nstr + 1, sizeof(*d->str_p)) ||
		    array_reserve(&d->str_len, &d->str_len_cap, d->nstr + 1, sizeof(*d->str_len)))
			return -ENOMEM;
		d->str_p[d->nstr] = f.sub.p;
		d->str_len[d->nstr++] = f.sub.end - f.sub.p;
	}
	if (ret < 0)
		return ret;
	if (!d->nstr || d->str_len[0])
		return -EINVAL; /* string_table[0] must be "" */
	d->str = malloc(d->nstr * sizeof(*d->str));
	if (!d->str)
		return -ENOMEM;
	for (size_t i = 0; i < d->nstr; i++) {
		/* A name with a NUL cannot be printed: it ends there. */
		const uint8_t *nul = memchr(d->str_p[i], 0, d->str_len[i]);
		size_t len = nul ? (size_t)(nul - d->str_p[i]) : d->str_len[i];
		int err = model__string(d->m, (const char *)d->str_p[i], len, &d->str[i]);

		if (err)
			return err;
	}
	return 0;
}

/* Reads a ValueType message into strings of the model. */
static int decode_value_type(const struct dec *d, struct rd r, const char **type,
			     const char **unit)
{
	uint64_t t = 0, u = 0;
	uint32_t tid, uid;
	struct field f;
	int ret;

	while ((ret = next_field(&r, &f)) > 0) {
		if (f.wire != WIRE_VARINT)
			continue;
		if (f.num == 1)
			t = f.v;
		else if (f.num == 2)
			u = f.v;
	}
	if (ret < 0)
		return ret;
	if (string_ref(d, t, &tid) || string_ref(d, u, &uid))
		return -EINVAL;
	*type = model__str(d->m, tid);
	*unit = model__str(d->m, uid);
	return 0;
}

static int decode_header(struct dec *d, struct rd top)
{
	int64_t time_ns = 0, duration_ns = 0, period = 0;
	struct field f;
	int ret, err = 0;

	while (!err && (ret = next_field(&top, &f)) > 0) {
		const char *type, *unit;
		uint32_t id;

		switch (f.num) {
		case P_SAMPLE_TYPE:
			if (f.wire != WIRE_LEN)
				return -EBADMSG;
			err = decode_value_type(d, f.sub, &type, &unit);
			if (!err && model__add_sample_type(d->m, type, unit) < 0)
				err = -EINVAL; /* more than MODEL_MAX_VALUES */
			break;
		case P_PERIOD_TYPE:
			if (f.wire != WIRE_LEN)
				return -EBADMSG;
			err = decode_value_type(d, f.sub, &type, &unit);
			if (!err)
				err = model__set_period(d->m, type, unit, period);
			break;
		case P_TIME:
			time_ns = f.v;
			break;
		case P_DURATION:
			duration_ns = f.v;
			break;
		case P_PERIOD:
			period = f.v;
			break;
		case P_COMMENT:
			if (f.wire != WIRE_VARINT)
				break;
			err = string_ref(d, f.v, &id);
			if (!err)
				err = model__add_comment(d->m, model__str(d->m, id));
			break;
		}
	}
	if (err)
		return err;
	if (ret < 0)
		return ret;
	model__set_time(d->m, time_ns, duration_ns);
	if (period) {
		struct model_value_type pt = model__period_type(d->m);
		char type[256], unit[256];

		snprintf(type, sizeof(type), "%s", model__str(d->m, pt.type));
		snprintf(unit, sizeof(unit), "%s", model__str(d->m, pt.unit));
		err = model__set_period(d->m, type, unit, period);
	}
	return err ? err : model__value_count(d->m) ? 0 : -ENODATA;
}

static int decode_mapping(struct dec *d, struct rd r)
{
	struct model_mapping map = { 0 };
	uint64_t id = 0;
	struct field f;
	uint32_t index;
	int ret, err = 0;

	while (!err && (ret = next_field(&r, &f)) > 0) {
		if (f.wire != WIRE_VARINT)
			continue;
		switch (f.num) {
		case 1: id = f.v; break;
		case 2: map.start = f.v; break;
		case 3: map.limit = f.v; break;
		case 4: map.offset = f.v; break;
		case 5: err = string_ref(d, f.v, &map.file); break;
		case 6: err = string_ref(d, f.v, &map.build_id); break;
		case 7: map.has_functions = f.v; break;
		case 8: map.has_filenames = f.v; break;
		case 9: map.has_line_numbers = f.v; break;
		case 10: map.has_inline_frames = f.v; break;
		}
	}
	if (err || ret < 0)
		return err ? err : ret;
	if (!strcmp(model__str(d->m, map.file), "[kernel.kallsyms]") ||
	    !strncmp(model__str(d->m, map.file), "[kernel.kallsyms]", 17))
		map.kind = MAPPING_KERNEL;
	else if (!strcmp(model__str(d->m, map.file), "[jit]"))
		map.kind = MAPPING_JIT;
	err = model__mapping(d->m, &map, &index);
	return err ? err : idmap_add(&d->mappings, id, index);
}

static int decode_function(struct dec *d, struct rd r)
{
	struct model_function fn = { 0 };
	uint64_t id = 0;
	struct field f;
	uint32_t index;
	int ret, err = 0;

	while (!err && (ret = next_field(&r, &f)) > 0) {
		if (f.wire != WIRE_VARINT)
			continue;
		switch (f.num) {
		case 1: id = f.v; break;
		case 2: err = string_ref(d, f.v, &fn.name); break;
		case 3: err = string_ref(d, f.v, &fn.system_name); break;
		case 4: err = string_ref(d, f.v, &fn.file); break;
		case 5: fn.start_line = (int64_t)f.v; break;
		}
	}
	if (err || ret < 0)
		return err ? err : ret;
	err = model__function(d->m, &fn, &index);
	return err ? err : idmap_add(&d->functions, id, index);
}

static int decode_line(struct dec *d, struct rd r, struct model_line *line)
{
	uint64_t fid = 0;
	struct field f;
	int ret;

	line->line = 0;
	while ((ret = next_field(&r, &f)) > 0) {
		if (f.wire != WIRE_VARINT)
			continue;
		if (f.num == 1)
			fid = f.v;
		else if (f.num == 2)
			line->line = (int64_t)f.v;
	}
	if (ret < 0)
		return ret;
	return idmap_get(&d->functions, fid, &line->function);
}

static int decode_location(struct dec *d, struct rd r)
{
	struct model_line lines[MODEL_MAX_LINES];
	uint64_t id = 0, addr = 0, mapping_id = 0;
	uint32_t nlines = 0, mapping = 0, index;
	struct field f;
	int ret, err = 0;

	while (!err && (ret = next_field(&r, &f)) > 0) {
		if (f.num == 4 && f.wire == WIRE_LEN) {
			if (nlines == MODEL_MAX_LINES)
				return -EINVAL;
			err = decode_line(d, f.sub, &lines[nlines++]);
			continue;
		}
		if (f.wire != WIRE_VARINT)
			continue;
		if (f.num == 1)
			id = f.v;
		else if (f.num == 2)
			mapping_id = f.v;
		else if (f.num == 3)
			addr = f.v;
	}
	if (err || ret < 0)
		return err ? err : ret;
	if (mapping_id) {
		err = idmap_get(&d->mappings, mapping_id, &mapping);
		mapping++;
	}
	if (!err)
		err = model__location(d->m, mapping, addr, lines, nlines, &index);
	return err ? err : idmap_add(&d->locations, id, index);
}

static int add_loc(void *ctx, uint64_t id)
{
	struct dec *d = ctx;

	if (array_reserve(&d->locs, &d->locs_cap, d->nlocs + 1, sizeof(*d->locs)))
		return -ENOMEM;
	return idmap_get(&d->locations, id, &d->locs[d->nlocs++]);
}

static int add_value(void *ctx, uint64_t v)
{
	struct dec *d = ctx;

	if (d->nvalues == MODEL_MAX_VALUES) {
		d->values_overflow = true;
		return 0;
	}
	d->values[d->nvalues++] = (double)(int64_t)v;
	return 0;
}

static int decode_label(struct dec *d, struct rd r)
{
	struct model_label l = { 0 };
	struct field f;
	int ret, err = 0;

	while (!err && (ret = next_field(&r, &f)) > 0) {
		if (f.wire != WIRE_VARINT)
			continue;
		switch (f.num) {
		case 1: err = string_ref(d, f.v, &l.key); break;
		case 2: err = string_ref(d, f.v, &l.str); break;
		case 3: l.num = (int64_t)f.v; break;
		case 4: err = string_ref(d, f.v, &l.num_unit); break;
		}
	}
	if (err || ret < 0)
		return err ? err : ret;
	if (array_reserve(&d->labels, &d->labels_cap, d->nlabels + 1, sizeof(*d->labels)))
		return -ENOMEM;
	d->labels[d->nlabels++] = l;
	return 0;
}

static int decode_sample(struct dec *d, struct rd r)
{
	struct field f;
	int ret, err = 0;

	d->nlocs = d->nvalues = d->nlabels = 0;
	d->values_overflow = false;
	while (!err && (ret = next_field(&r, &f)) > 0) {
		if (f.num == 1)
			err = each_varint(&f, add_loc, d);
		else if (f.num == 2)
			err = each_varint(&f, add_value, d);
		else if (f.num == 3 && f.wire == WIRE_LEN)
			err = decode_label(d, f.sub);
	}
	if (err || ret < 0)
		return err ? err : ret;
	if (d->values_overflow || d->nvalues != model__value_count(d->m))
		return -EINVAL;
	return model__add_sample(d->m, d->locs, d->nlocs, d->labels, d->nlabels, d->values);
}

/* One pass over the top-level fields numbered num, each decoded by fn. */
static int decode_each(struct dec *d, struct rd top, unsigned num,
		       int (*fn)(struct dec *d, struct rd r))
{
	struct field f;
	int ret, err = 0;

	while (!err && (ret = next_field(&top, &f)) > 0) {
		if (f.num != num)
			continue;
		if (f.wire != WIRE_LEN)
			return -EBADMSG;
		err = fn(d, f.sub);
	}
	return err ? err : ret;
}

static int decode_protobuf(const uint8_t *data, size_t len, struct model *m)
{
	struct rd top = { data, data + len };
	struct dec d = { .m = m };
	int err;

	/* Tables reference each other by id in any field order: strings first,
	 * then what references only strings, then locations, then samples. */
	err = decode_strings(&d, top);
	if (!err)
		err = decode_header(&d, top);
	if (!err)
		err = decode_each(&d, top, P_MAPPING, decode_mapping);
	if (!err)
		err = decode_each(&d, top, P_FUNCTION, decode_function);
	if (!err)
		err = decode_each(&d, top, P_LOCATION, decode_location);
	if (!err)
		err = decode_each(&d, top, P_SAMPLE, decode_sample);
	free(d.str);
	free(d.str_p);
	free(d.str_len);
	idmap_free(&d.mappings);
	idmap_free(&d.functions);
	idmap_free(&d.locations);
	free(d.locs);
	free(d.labels);
	return err;
}

/* Inflates gzip (or zlib) data, concatenated members too, into *out. */
static int gunzip(const uint8_t *data, size_t len, uint8_t **out, size_t *out_len)
{
	struct buf b = { 0 };
	z_stream z = { 0 };
	int zret = Z_OK, err = 0;

	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return -ENOMEM;
	z.next_in = (uint8_t *)data;
	z.avail_in = len;
	while (!err) {
		if (b.cap - b.len < 65536) {
			if (b.len >= PPROF_MAX_DECOMPRESSED) {
				err = -EFBIG;
				break;
			}
			if (array_reserve(&b.p, &b.cap, b.len + 65536, 1)) {
				err = -ENOMEM;
				break;
			}
		}
		z.next_out = b.p + b.len;
		z.avail_out = b.cap - b.len;
		zret = inflate(&z, Z_NO_FLUSH);
		b.len = b.cap - z.avail_out;
		if (b.len > PPROF_MAX_DECOMPRESSED)
			err = -EFBIG;
		else if (zret == Z_STREAM_END && z.avail_in)
			inflateReset(&z); /* another gzip member follows */
		else if (zret == Z_STREAM_END)
			break;
		else if (zret == Z_BUF_ERROR && !z.avail_in)
			err = -EILSEQ; /* truncated */
		else if (zret != Z_OK && zret != Z_BUF_ERROR)
			err = zret == Z_MEM_ERROR ? -ENOMEM : -EILSEQ;
	}
	inflateEnd(&z);
	if (err) {
		free(b.p);
		return err;
	}
	*out = b.p;
	*out_len = b.len;
	return 0;
}

int pprof__decode(const uint8_t *data, size_t len, struct model **out)
{
	uint8_t *plain = NULL;
	struct model *m;
	int err = 0;

	if (pprof__is_gzip(data, len)) {
		err = gunzip(data, len, &plain, &len);
		if (err)
			return err;
		data = plain;
	}
	m = model__new();
	err = m ? decode_protobuf(data, len, m) : -ENOMEM;
	free(plain);
	if (err) {
		model__free(m);
		return err;
	}
	*out = m;
	return 0;
}

int pprof__read(FILE *in, struct model **out)
{
	struct buf b = { 0 };
	size_t got;
	int err = 0;

	do {
		if (b.len >= PPROF_MAX_DECOMPRESSED) {
			err = -EFBIG;
			break;
		}
		if (array_reserve(&b.p, &b.cap, b.len + 65536, 1)) {
			err = -ENOMEM;
			break;
		}
		got = fread(b.p + b.len, 1, b.cap - b.len, in);
		b.len += got;
	} while (got);
	if (!err && ferror(in))
		err = -EIO;
	if (!err)
		err = pprof__decode(b.p, b.len, out);
	free(b.p);
	return err;
}

const char *pprof__strerror(int err)
{
	switch (err) {
	case -EILSEQ:
		return "corrupt or truncated gzip data";
	case -EFBIG:
		return "larger than 64 MiB uncompressed (PPROF_MAX_DECOMPRESSED)";
	case -EBADMSG:
		return "malformed protobuf (bad varint or truncated field)";
	case -EINVAL:
		return "inconsistent profile (a reference out of range, a duplicate id, "
		       "or values that do not match the sample types)";
	case -ENODATA:
		return "no sample types";
	default:
		return errstr(err);
	}
}
