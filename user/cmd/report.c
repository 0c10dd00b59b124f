// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/report.c: `bpflame report`, the top functions and category shares of
 * a profile as text or JSON, and `--base` comparisons of two profiles.
 *
 * Input goes through read_input(), which reads a folded file into today's
 * profile model and feeds the report through the one adapter
 * (report_profile.h); other formats get their reader there.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "folded.h"
#include "model.h"
#include "outputs.h"
#include "stacks.h"
#include "report.h"
#include "report_presets.h"
#include "report_profile.h"
#include "util.h"

static const char report_usage[] =
	"Usage: bpflame report [OPTIONS] FILE\n"
	"       bpflame report [OPTIONS] --base BEFORE AFTER\n"
	"\n"
	"Answers what a flame graph is read for: the top functions by self and by total\n"
	"(cumulative) share, and the share of samples in categories of code. A sample\n"
	"counts in a category when its stack holds a frame matching one of the\n"
	"category's regexes, once however many frames match; a stack can count in\n"
	"several categories, so shares overlap; \"uncategorized\" is the rest. A\n"
	"function that recurs in a stack counts once in its total. FILE is folded\n"
	"stacks (\"-\": stdin), e.g. from bpflame record.\n"
	"\n"
	"Options:\n"
	"  --category NAME=REGEX  add REGEX (POSIX extended) to category NAME;\n"
	"                         repeatable, NAME!=REGEX excludes matching frames\n"
	"  --preset NAME          add a built-in set of categories (see --list-presets)\n"
	"  --preset-file FILE     add categories from FILE: NAME=REGEX or NAME!=REGEX\n"
	"                         per line, # comments\n"
	"                         (without any of the three: the preset that\n"
	"                         recognizes the program, if one does)\n"
	"  --list-presets         print the presets and their regexes\n"
	"  --base BEFORE          compare: each category's share in BEFORE and FILE and\n"
	"                         the change in points, and the functions whose self\n"
	"                         share moved most\n"
	"  -n, --top N            rows of each function list (default 20)\n"
	"  --json                 JSON (docs/report.schema.json) instead of text\n"
	"  --full-names           text: print function names whole (by default vendor\n"
	"                         prefixes are trimmed and long names shortened)\n"
	"  -o, --output FILE      write to FILE instead of stdout\n"
	"  -h, --help             this help\n"
	"\n"
	"A regex matches a frame by its name or its folded label (name_[k] in the\n"
	"kernel, name_[i] inlined): '_\\[k\\]$' is the kernel.\n"
	"\n"
	"Examples:\n"
	"  bpflame report apiserver.folded              # kube-apiserver: preset apiserver\n"
	"  bpflame report --preset apiserver --json apiserver.folded > report.json\n"
	"  bpflame report --category 'json=^encoding/json\\.' --category 'gc=^runtime\\.gc' "
	"x.folded\n"
	"  bpflame report --base idle.folded load.folded\n";

enum cat_source_kind { SRC_CATEGORY, SRC_PRESET, SRC_FILE };

struct cat_source {
	enum cat_source_kind kind;
	const char *value;
};

struct report_args {
	struct cat_source *sources;
	size_t nsources, sources_cap;
	const char *base, *input, *output;
	struct report_output_opts out;
	bool json, list;
};

static int add_source(struct report_args *a, enum cat_source_kind kind, const char *value)
{
	if (array_reserve(&a->sources, &a->sources_cap, a->nsources + 1, sizeof(*a->sources))) {
		p_err("out of memory");
		return 1;
	}
	a->sources[a->nsources++] = (struct cat_source){kind, value};
	return 0;
}

/* Returns 0, or an exit status after printing the error; -1 after --help. */
static int parse_args(int argc, char **argv, struct report_args *a)
{
	enum {
		OPT_CATEGORY = 256,
		OPT_PRESET,
		OPT_PRESET_FILE,
		OPT_LIST,
		OPT_BASE,
		OPT_JSON,
		OPT_FULL
	};
	static const struct option longopts[] = {
		{"category", required_argument, NULL, OPT_CATEGORY},
		{"preset", required_argument, NULL, OPT_PRESET},
		{"preset-file", required_argument, NULL, OPT_PRESET_FILE},
		{"list-presets", no_argument, NULL, OPT_LIST},
		{"base", required_argument, NULL, OPT_BASE},
		{"top", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, OPT_JSON},
		{"full-names", no_argument, NULL, OPT_FULL},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	long top;
	int c;

	a->output = "-";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_CATEGORY:
		case OPT_PRESET:
		case OPT_PRESET_FILE:
			if (c == OPT_PRESET && !report_presets__find(optarg)) {
				p_err("--preset: unknown preset '%s' (see bpflame report "
				      "--list-presets)",
				      optarg);
				return EXIT_USAGE;
			}
			if (add_source(a,
				       c == OPT_CATEGORY ? SRC_CATEGORY
				       : c == OPT_PRESET ? SRC_PRESET
							 : SRC_FILE,
				       optarg))
				return 1;
			break;
		case OPT_LIST:
			a->list = true;
			break;
		case OPT_BASE:
			a->base = optarg;
			break;
		case 'n':
			if (parse_long(optarg, 1, 100000, &top)) {
				p_err("--top: expected a number of rows from 1 to 100000, not '%s'",
				      optarg);
				return EXIT_USAGE;
			}
			a->out.top = top;
			break;
		case OPT_JSON:
			a->json = true;
			break;
		case OPT_FULL:
			a->out.full_names = true;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			return -1;
		case ':':
			p_err("option '%s' needs a value (see bpflame report --help)",
			      argv[optind - 1]);
			return EXIT_USAGE;
		default:
			p_err("unknown option '%s' (see bpflame report --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (a->list)
		return 0;
	if (optind == argc) {
		p_err("report needs a profile: bpflame report FILE (see bpflame report --help)");
		return EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		p_err("unexpected argument '%s' (see bpflame report --help)", argv[optind + 1]);
		return EXIT_USAGE;
	}
	a->input = argv[optind];
	if (a->base && !strcmp(a->base, "-") && !strcmp(a->input, "-")) {
		p_err("BEFORE and AFTER cannot both be stdin");
		return EXIT_USAGE;
	}
	return 0;
}

static void list_presets(void)
{
	for (size_t i = 0; i < report_presets__count(); i++) {
		const struct report_preset *p = report_presets__get(i);

		printf("%s: %s\n", p->name, p->summary);
		for (size_t j = 0; j < p->npatterns; j++)
			printf("  %s%s=%s\n", p->patterns[j].category,
			       p->patterns[j].exclude ? "!" : "", p->patterns[j].regex);
	}
}

static const char *input_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

/*
 * Looks at the first byte: folded stacks are text, and a profile in another
 * format (gzip-compressed pprof, any binary) must get one clear line rather
 * than a complaint about its first "line". Returns 0 or an exit status.
 */
static int check_text(FILE *in, const char *name)
{
	struct stat st;
	int c;

	if (!fstat(fileno(in), &st) && S_ISDIR(st.st_mode)) {
		p_err("%s is a directory", name);
		return EXIT_USAGE;
	}
	c = getc(in);
	if (c == EOF && ferror(in)) {
		p_err("cannot read %s: %s", name, errstr(errno));
		return 1;
	}
	if (c == EOF)
		return 0; /* empty: the reader says so */
	if (ungetc(c, in) == EOF) {
		p_err("cannot read %s", name);
		return 1;
	}
	if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
		p_err("%s: binary data, not folded stacks", name);
		return EXIT_USAGE;
	}
	return 0;
}


/* pprof input (bpflame's, Go's /debug/pprof/profile): the model's label
 * view of its default sample type. Returns 0 or an exit status (printed). */
static int read_pprof(const char *path, struct report *r)
{
	struct report_meta meta = { .source = input_name(path) };
	struct stacks *view = NULL;
	struct model *m = NULL;
	int status, value;

	status = input__read(path, true, &m);
	if (status)
		return status;
	value = input__value(m, NULL, path);
	view = value < 0 ? NULL : stacks__new();
	if (value < 0) {
		status = EXIT_USAGE;
	} else if (!view || model__label_view(m, value, view) ||
		   report_profile__add(r, view) || report__set_meta(r, &meta)) {
		p_err("out of memory");
		status = 1;
	} else if (!stacks__stack_count(view)) {
		p_err("%s: empty profile (no samples)", meta.source);
		status = EXIT_USAGE;
	}
	stacks__free(view);
	model__free(m);
	return status;
}

/*
 * Reads the profile at path ("-": stdin) into r. This is the input adapter:
 * folded stacks through today's profile model and report_profile__add().
 * Returns 0 or an exit status after printing the error.
 */
static int read_input(const char *path, struct report *r)
{
	const char *name = input_name(path);
	struct folded_read_opts ro = {.source = name, .strict = true};
	struct report_meta meta = {.source = name};
	FILE *in = strcmp(path, "-") ? fopen(path, "r") : stdin;
	struct stacks *prof;
	int err, status;

	if (!in) {
		p_err("cannot open %s: %s", path, errstr(errno));
		return EXIT_USAGE;
	}
	if (input__is_pprof(path, in)) {
		if (in != stdin)
			fclose(in);
		return read_pprof(path, r);
	}
	status = check_text(in, name);
	prof = status ? NULL : stacks__new();
	if (!status && !prof) {
		p_err("out of memory");
		status = 1;
	}
	if (!status) {
		err = folded__read(prof, in, &ro);
		if (err == -ENODATA) {
			p_err("%s: empty profile (no stacks)", name);
			status = EXIT_USAGE;
		} else if (err == -EINVAL) {
			status = EXIT_USAGE; /* the reader named the line */
		} else if (err == -EISDIR) {
			p_err("%s is a directory", name);
			status = EXIT_USAGE;
		} else if (err) {
			p_err("cannot read %s: %s", name, errstr(err));
			status = 1;
		}
	}
	if (!status && (report_profile__add(r, prof) || report__set_meta(r, &meta))) {
		p_err("out of memory");
		status = 1;
	}
	stacks__free(prof);
	if (in != stdin)
		fclose(in);
	return status;
}

/* Adds the categories of a preset file; returns 0 or an exit status (printed). */
static int add_preset_file(struct report *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, err[512];
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int status = 0, ret;

	if (!f) {
		p_err("cannot open preset file %s: %s", path, errstr(errno));
		return EXIT_USAGE;
	}
	while (!status && (n = getline(&line, &cap, f)) >= 0) {
		char *s = line;

		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '#')
			continue;
		ret = report__add_spec(r, s, err, sizeof(err));
		if (ret) {
			if (ret == -ENOMEM)
				p_err("out of memory");
			else
				p_err("%s:%zu: %s", path, lineno, err);
			status = ret == -ENOMEM ? 1 : EXIT_USAGE;
		}
	}
	if (!status && ferror(f)) {
		p_err("cannot read preset file %s: %s", path, errstr(errno));
		status = EXIT_USAGE;
	}
	if (!status && !lineno) {
		p_err("preset file %s is empty", path);
		status = EXIT_USAGE;
	}
	free(line);
	fclose(f);
	return status;
}

/*
 * Gives r the categories the command line asked for, in its order; with
 * none, those of the preset that recognizes ref's program. *preset names the
 * preset for the header. Returns 0 or an exit status (printed).
 */
static int add_categories(struct report *r, const struct report *ref, const struct report_args *a,
			  const char **preset)
{
	char err[512];
	int ret = 0;

	if (!a->nsources) {
		const struct report_preset *p = report_presets__detect(ref);

		*preset = p ? p->name : NULL;
		ret = p ? report_presets__apply(p, r, err, sizeof(err)) : 0;
	}
	for (size_t i = 0; i < a->nsources && !ret; i++) {
		const struct cat_source *s = &a->sources[i];

		if (s->kind == SRC_FILE) {
			int status = add_preset_file(r, s->value);

			if (status)
				return status;
		} else if (s->kind == SRC_PRESET) {
			*preset = *preset ? "several" : s->value;
			ret = report_presets__apply(report_presets__find(s->value), r, err,
						    sizeof(err));
		} else {
			ret = report__add_spec(r, s->value, err, sizeof(err));
			if (ret && ret != -ENOMEM) {
				p_err("--category: %s", err);
				return EXIT_USAGE;
			}
		}
	}
	if (ret == -ENOMEM) {
		p_err("out of memory");
		return 1;
	}
	if (ret) {
		p_err("%s", err);
		return EXIT_USAGE;
	}
	return 0;
}

/* Sets the preset name and computes; returns 0 or an exit status (printed). */
static int finish(struct report *r, const char *preset, const char *path)
{
	struct report_meta meta = {.source = input_name(path), .preset = preset};
	int err = report__set_meta(r, &meta);

	if (!err)
		err = report__compute(r);
	if (err == -ENODATA) {
		p_err("%s: empty profile (every count is zero)", input_name(path));
		return EXIT_USAGE;
	}
	if (err) {
		p_err("out of memory");
		return 1;
	}
	return 0;
}

static int write_report(const struct report_args *a, const struct report *base,
			const struct report *r)
{
	struct out_file out;
	int err = out_file__open(&out, a->output);

	if (err) {
		p_err("cannot create %s: %s", a->output, errstr(err));
		return 1;
	}
	if (base)
		err = a->json ? report__write_compare_json(base, r, &a->out, out.stream)
			      : report__write_compare_text(base, r, &a->out, out.stream);
	else
		err = a->json ? report__write_json(r, &a->out, out.stream)
			      : report__write_text(r, &a->out, out.stream);
	if (!err)
		err = out_file__commit(&out);
	else
		out_file__abort(&out);
	if (err) {
		p_err("cannot write %s: %s", strcmp(a->output, "-") ? a->output : "stdout",
		      errstr(err));
		return 1;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = {0};
	struct report *r = NULL, *base = NULL;
	const char *preset = NULL, *base_preset = NULL;
	int status;

	status = parse_args(argc, argv, &a);
	if (status) {
		free(a.sources);
		return status < 0 ? 0 : status;
	}
	if (a.list) {
		list_presets();
		free(a.sources);
		return 0;
	}
	r = report__new();
	base = a.base ? report__new() : NULL;
	if (!r || (a.base && !base)) {
		p_err("out of memory");
		status = 1;
		goto out;
	}
	status = read_input(a.input, r);
	if (!status && base)
		status = read_input(a.base, base);
	if (!status)
		status = add_categories(r, r, &a, &preset);
	/* The base gets the categories chosen for the profile, to compare like with like. */
	if (!status && base)
		status = add_categories(base, r, &a, &base_preset);
	if (!status && base)
		status = finish(base, base_preset, a.base);
	if (!status)
		status = finish(r, preset, a.input);
	if (!status)
		status = write_report(&a, base, r);
out:
	report__free(base);
	report__free(r);
	free(a.sources);
	return status;
}
