// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* outputs.c: every output of one model, and any input into one (see outputs.h). */
#include "outputs.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flamegraph.h"
#include "folded.h"
#include "pprof.h"
#include "report_profile.h"
#include "stacks.h"


int output_format_of(const char *path, enum output_format *format)
{
	if (!strcmp(path, "-") || has_suffix(path, ".folded"))
		*format = OUT_FOLDED;
	else if (has_suffix(path, ".svg"))
		*format = OUT_SVG;
	else if (has_suffix(path, ".pb.gz") || has_suffix(path, ".pprof"))
		*format = OUT_PPROF;
	else if (has_suffix(path, ".txt"))
		*format = OUT_REPORT;
	else
		return -EINVAL;
	return 0;
}

static int write_one(const struct model *m, const struct output_opts *o,
		     enum output_format format, struct stacks **view, FILE *out)
{
	struct flamegraph_opts fg;
	int err;

	if (format == OUT_PPROF)
		return pprof__write(m, out);
	if (!*view) {
		size_t value = o->value >= 0 ? (size_t)o->value : model__default_sample_type(m);

		*view = stacks__new();
		if (!*view)
			return -ENOMEM;
		err = model__label_view(m, value, *view);
		if (err)
			return err;
	}
	if (format == OUT_FOLDED)
		return folded__write(*view, o->label_flags | LABEL_ANNOTATE, out);
	if (format == OUT_REPORT) {
		struct report_meta meta = { .source = o->title, .duration_s = o->duration_s };

		return report_profile__write_text(*view, &meta, out);
	}
	flamegraph_opts__init(&fg);
	if (o->title)
		fg.title = o->title;
	fg.label_flags = o->label_flags;
	return flamegraph__write(*view, &fg, out);
}

int outputs__write(const struct model *m, const struct output_opts *o, const char *const *paths,
		   const enum output_format *formats, int n, struct out_file *outs)
{
	struct stacks *view = NULL;
	int ret = 0;

	/* Files first, stdout ("-") last: a pod's log (kubectl logs) holds both
	 * streams, cut into chunks as the runtime reads them, so a "wrote" line
	 * on stderr after stdout's data began could land inside a folded line. */
	for (int k = 0; k < 2 * n; k++) {
		int i = k % n, err;
		bool to_stdout = !strcmp(paths[i], "-");

		if (to_stdout != (k >= n)) /* first pass: files; second: stdout */
			continue;
		if (ret) {
			out_file__abort(&outs[i]);
			continue;
		}
		err = write_one(m, o, formats[i], &view, outs[i].stream);
		if (!err)
			err = out_file__commit(&outs[i]);
		else
			out_file__abort(&outs[i]);
		if (err) {
			if (err == -ENODATA)
				p_err("cannot write %s: no samples (every count is zero)", paths[i]);
			else
				p_err("cannot write %s: %s", paths[i], errstr(err));
			ret = 1;
			continue;
		}
		if (strcmp(paths[i], "-"))
			p_info("wrote %s", paths[i]);
	}
	stacks__free(view);
	return ret;
}

static const char *input_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

static int read_folded(const char *path, FILE *in, bool strict, struct model **out)
{
	struct folded_read_opts ro = { .source = input_name(path), .strict = strict };
	struct stacks *view = stacks__new();
	int err = view ? folded__read(view, in, &ro) : -ENOMEM;

	if (!err)
		err = model__from_stacks(view, out);
	stacks__free(view);
	if (err == -ENODATA) {
		p_err("%s: no stacks in the input (empty, or no valid folded line)",
		      input_name(path));
		return EXIT_USAGE;
	}
	if (err == -EINVAL)
		return EXIT_USAGE; /* --strict: the line was reported */
	if (err == -EISDIR) {
		p_err("%s is a directory", input_name(path));
		return EXIT_USAGE;
	}
	if (err) {
		p_err("cannot read %s: %s", input_name(path), errstr(err));
		return 1;
	}
	return 0;
}

int input__read(const char *path, bool strict, struct model **out)
{
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct stat st;
	int err;

	if (!in) {
		p_err("cannot open %s: %s", path, errstr(errno));
		return EXIT_USAGE;
	}
	if (!fstat(fileno(in), &st) && S_ISDIR(st.st_mode)) {
		if (in != stdin)
			fclose(in);
		p_err("%s is a directory", path);
		return EXIT_USAGE;
	}
	if (input__is_pprof(path, in)) {
		err = pprof__read(in, out);
		if (in != stdin)
			fclose(in);
		if (err == -ENOMEM || err == -EIO) {
			p_err("cannot read %s: %s", input_name(path), errstr(err));
			return 1;
		}
		if (err) {
			p_err("%s: not a usable pprof profile: %s", input_name(path),
			      pprof__strerror(err));
			return EXIT_USAGE;
		}
		return 0;
	}
	err = read_folded(path, in, strict, out);
	if (in != stdin)
		fclose(in);
	return err;
}

bool input__is_pprof(const char *path, FILE *in)
{
	/* gzip's first byte never starts a folded line. */
	int c = getc(in);

	if (c != EOF)
		ungetc(c, in);
	return c == 0x1f || has_suffix(path, ".pb") || has_suffix(path, ".pprof") ||
	       has_suffix(path, ".pb.gz");
}

int input__value(const struct model *m, const char *name, const char *path)
{
	char known[512] = "";
	size_t len = 0;
	int i;

	if (!name)
		return (int)model__default_sample_type(m);
	i = model__find_sample_type(m, name);
	if (i >= 0)
		return i;
	for (size_t v = 0; v < model__value_count(m) && len < sizeof(known); v++)
		len += snprintf(known + len, sizeof(known) - len, "%s%s", v ? ", " : "",
				model__str(m, model__sample_type(m, v).type));
	p_err("%s has no sample type '%s' (it has: %s)", input_name(path), name, known);
	return -1;
}
