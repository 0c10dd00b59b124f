// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/svg.c: `bpflame svg` (folded stacks to an interactive flame graph) and
 * `bpflame diff` (differential flame graph, or difffolded.pl's two-column
 * folded form).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "flamegraph.h"
#include "outputs.h"
#include "folded.h"
#include "palette.h"
#include "model.h"
#include "pprof.h"
#include "stacks.h"
#include "util.h"

enum {
	OPT_WIDTH = 256,
	OPT_MINWIDTH,
	OPT_TITLE,
	OPT_SUBTITLE,
	OPT_COUNTNAME,
	OPT_COLORS,
	OPT_INVERTED,
	OPT_REVERSE,
	OPT_FLAMECHART,
	OPT_SORT_WEIGHT,
	OPT_STRICT,
	OPT_NO_SCRIPT,
	OPT_NORMALIZE,
	OPT_FOLDED,
	OPT_VALUE,
	OPT_FULL_NAMES,
};

static const struct option svg_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "width", required_argument, NULL, OPT_WIDTH },
	{ "minwidth", required_argument, NULL, OPT_MINWIDTH },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "subtitle", required_argument, NULL, OPT_SUBTITLE },
	{ "countname", required_argument, NULL, OPT_COUNTNAME },
	{ "colors", required_argument, NULL, OPT_COLORS },
	{ "inverted", no_argument, NULL, OPT_INVERTED },
	{ "reverse", no_argument, NULL, OPT_REVERSE },
	{ "flamechart", no_argument, NULL, OPT_FLAMECHART },
	{ "sort-by-weight", no_argument, NULL, OPT_SORT_WEIGHT },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "no-script", no_argument, NULL, OPT_NO_SCRIPT },
	{ "normalize", no_argument, NULL, OPT_NORMALIZE },
	{ "folded", no_argument, NULL, OPT_FOLDED },
	{ "value", required_argument, NULL, OPT_VALUE },
	{ "full-names", no_argument, NULL, OPT_FULL_NAMES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void svg_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpflame svg [OPTIONS] [FILE.folded|FILE.pb.gz|-] [-o OUT.svg]\n"
		"\n"
		"Renders folded stacks (flamegraph.pl's input: \"frame;frame;... count\",\n"
		"fractional counts accepted) or a pprof profile (gzipped or not: Go's\n"
		"/debug/pprof/profile, go test -cpuprofile, bpflame record -o X.pb.gz)\n"
		"as one self-contained interactive SVG: details\n"
		"on hover, click to zoom, Ctrl-F regex search, zoom and search kept in the\n"
		"URL. The layout is flamegraph.pl's. Input defaults to stdin, output to stdout.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE    write the SVG to FILE (\"-\": stdout)\n"
		"  --width PX           image width (default 1200)\n"
		"  --minwidth PX[%%]     omit frames narrower than PX pixels, or than a\n"
		"                       percentage of the total (default 0.1)\n"
		"  --title TEXT         title (default \"Flame Graph\")\n"
		"  --subtitle TEXT      second title line\n"
		"  --countname NAME     what the counts are (default \"samples\")\n"
		"  --colors PALETTE     go (default: hue by Go package), or flamegraph.pl's\n"
		"                       hot mem io wakeup chain java js perl red green blue\n"
		"                       aqua yellow purple orange\n"
		"  --inverted           icicle graph (roots at the top)\n"
		"  --reverse            reverse each stack before merging\n"
		"  --flamechart         x is input order (time): no sorting, only adjacent\n"
		"                       equal stacks merged\n"
		"  --sort-by-weight     heaviest sibling first instead of alphabetical order\n"
		"  --strict             fail on a malformed line instead of skipping it\n"
		"  --value NAME         pprof input: the sample type to draw (default\n"
		"                       samples, else cpu, else the first)\n"
		"  --full-names         labels keep vendor prefixes (k8s.io/kubernetes/vendor/...;\n"
		"                       trimmed by default; titles and search use full names)\n"
		"  -h, --help           this help\n"
		"\n"
		"Examples:\n"
		"  bpflame svg out.folded -o flame.svg\n"
		"  bpflame record -o - | bpflame svg --title apiserver -o flame.svg\n"
		"  bpflame svg --colors hot --inverted perf.folded -o icicle.svg\n"
		"  stackcollapse-perf.pl perf.script | bpflame svg - > flame.svg\n");
}

static void diff_usage(FILE *out)
{
	fprintf(out,
		"Usage: bpflame diff [OPTIONS] BEFORE AFTER [-o OUT.svg]   (folded or pprof)\n"
		"       bpflame diff --folded [--normalize] BEFORE AFTER [-o OUT.folded]\n"
		"\n"
		"Draws AFTER's flame graph colored by the change from BEFORE, as\n"
		"difffolded.pl | flamegraph.pl do: each frame's color is the change of the\n"
		"samples of the stacks ending in it, red where they grew and blue where they\n"
		"shrank, the most saturated for the largest change; the tooltip shows the\n"
		"change as a percentage of AFTER's total. Stacks are compared by their frame\n"
		"labels.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE    output file (\"-\": stdout, the default)\n"
		"  --normalize          scale BEFORE's counts to AFTER's total first\n"
		"  --folded             write difffolded.pl's \"stack before after\" lines\n"
		"                       instead of an SVG\n"
		"  --strict             fail on a malformed input line\n"
		"  --value NAME         pprof inputs: the sample type to compare\n"
		"  and the layout options of bpflame svg: --width --minwidth --title\n"
		"  --subtitle --countname --inverted --reverse --sort-by-weight --full-names\n"
		"\n"
		"Examples:\n"
		"  bpflame diff before.folded after.folded -o diff.svg\n"
		"  bpflame diff --normalize before.folded after.folded -o diff.svg\n"
		"  bpflame diff --folded before.folded after.folded > diff.folded\n");
}

struct svg_args {
	struct flamegraph_opts fg;
	const char *output;
	const char *value; /* --value: pprof sample type */
	const char *inputs[2];
	int ninputs;
	bool strict, folded, help;
};

/* Parses the options of svg or diff; returns 0 or EXIT_USAGE (printed). */
static int parse_args(int argc, char **argv, struct svg_args *a, bool diff)
{
	int c;

	memset(a, 0, sizeof(*a));
	flamegraph_opts__init(&a->fg);
	a->output = "-";
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", svg_options, NULL)) != -1) {
		char *end;

		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case OPT_WIDTH:
			a->fg.width = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(a->fg.width) || a->fg.width < 100 ||
			    a->fg.width > 1000000) {
				p_err("--width: expected pixels from 100 to 1000000, not '%s'",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_MINWIDTH:
			a->fg.minwidth = strtod(optarg, &end);
			if (end != optarg && *end == '%' && !end[1]) {
				a->fg.minwidth_pct = true;
				end++;
			}
			if (end == optarg || *end || !isfinite(a->fg.minwidth) ||
			    a->fg.minwidth < 0 || !isdigit((unsigned char)optarg[0])) {
				p_err("--minwidth: expected pixels or a percentage, not '%s'",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_TITLE:
			a->fg.title = optarg;
			break;
		case OPT_SUBTITLE:
			a->fg.subtitle = optarg;
			break;
		case OPT_COUNTNAME:
			a->fg.countname = optarg;
			break;
		case OPT_COLORS:
			if (!palette__valid(optarg)) {
				p_err("--colors: unknown palette '%s' (known: %s)", optarg,
				      palette__names);
				return EXIT_USAGE;
			}
			a->fg.palette = optarg;
			break;
		case OPT_INVERTED:
			a->fg.inverted = true;
			break;
		case OPT_REVERSE:
			a->fg.reverse = true;
			break;
		case OPT_FLAMECHART:
			a->fg.order = ORDER_INPUT;
			break;
		case OPT_SORT_WEIGHT:
			a->fg.order = ORDER_WEIGHT;
			break;
		case OPT_STRICT:
			a->strict = true;
			break;
		case OPT_VALUE:
			a->value = optarg;
			break;
		case OPT_NO_SCRIPT:
			a->fg.no_script = true;
			break;
		case OPT_FULL_NAMES:
			a->fg.full_names = true;
			break;
		case OPT_NORMALIZE:
		case OPT_FOLDED:
			if (!diff) {
				p_err("%s is an option of bpflame diff", argv[optind - 1]);
				return EXIT_USAGE;
			}
			if (c == OPT_NORMALIZE)
				a->fg.normalize = true;
			else
				a->folded = true;
			break;
		case 'h':
			a->help = true;
			return 0;
		case ':':
			p_err("option %s needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			p_err("unknown option '%s' (see bpflame %s --help)", argv[optind - 1],
			      diff ? "diff" : "svg");
			return EXIT_USAGE;
		}
	}
	for (; optind < argc; optind++) {
		if (a->ninputs == (diff ? 2 : 1)) {
			p_err("unexpected argument '%s' (see bpflame %s --help)", argv[optind],
			      diff ? "diff" : "svg");
			return EXIT_USAGE;
		}
		a->inputs[a->ninputs++] = argv[optind];
	}
	if (diff && a->ninputs != 2) {
		p_err("diff needs two folded files, BEFORE and AFTER (see bpflame diff --help)");
		return EXIT_USAGE;
	}
	if (diff && a->fg.order == ORDER_INPUT) {
		p_err("--flamechart is not available for differential graphs");
		return EXIT_USAGE;
	}
	if (!a->ninputs)
		a->inputs[a->ninputs++] = "-";
	return 0;
}

static FILE *open_input(const char *path)
{
	return strcmp(path, "-") ? fopen(path, "r") : stdin;
}

static const char *input_name(const char *path)
{
	return strcmp(path, "-") ? path : "stdin";
}

/* Exit status for a read error, printed here (folded__read printed line errors). */
static int read_error(const char *path, int err)
{
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
	p_err("cannot read %s: %s", input_name(path), errstr(err));
	return 1;
}

static bool is_pprof_name(const char *path)
{
	size_t n = strlen(path);

	return (n > 6 && !strcmp(path + n - 6, ".pb.gz")) ||
	       (n > 3 && !strcmp(path + n - 3, ".pb")) ||
	       (n > 6 && !strcmp(path + n - 6, ".pprof"));
}

/*
 * Reads a pprof profile from in into prof, as the label view of sample type
 * value (NULL: the default). Returns 0 or an exit status (printed).
 */
static int read_pprof(const char *path, FILE *in, const char *value, struct stacks *prof)
{
	struct model *m = NULL;
	int err = pprof__read(in, &m), v;

	if (err) {
		p_err("%s: not a usable pprof profile: %s", input_name(path), pprof__strerror(err));
		return err == -ENOMEM || err == -EIO ? 1 : EXIT_USAGE;
	}
	v = input__value(m, value, path);
	err = v < 0 ? -EINVAL : model__label_view(m, v, prof);
	model__free(m);
	if (err == -EINVAL)
		return EXIT_USAGE;
	if (err) {
		p_err("cannot read %s: %s", input_name(path), errstr(err));
		return 1;
	}
	if (!stacks__stack_count(prof)) {
		p_err("%s: no samples in the profile", input_name(path));
		return EXIT_USAGE;
	}
	return 0;
}

/* Reads the folded or pprof file path (- for stdin) into prof; returns 0 or
 * an exit status (printed). */
static int read_with(const char *path, const struct folded_read_opts *ro, const char *value,
		     struct stacks *prof)
{
	FILE *in = open_input(path);
	int err, c;

	if (!in) {
		p_err("cannot open %s: %s", path, errstr(errno));
		return EXIT_USAGE;
	}
	/* gzip's first byte never starts a folded line. */
	c = getc(in);
	if (c != EOF)
		ungetc(c, in);
	if (c == 0x1f || is_pprof_name(path)) {
		int status = read_pprof(path, in, value, prof);

		if (in != stdin)
			fclose(in);
		return status;
	}
	err = folded__read(prof, in, ro);
	if (in != stdin)
		fclose(in);
	return err ? read_error(path, err) : 0;
}

/*
 * Reads one folded file into prof; two-count lines ("stack before after",
 * difffolded.pl's output) put their first count into before when it is not
 * NULL. Returns 0 or an exit status (printed).
 */
static int read_profile(const char *path, const struct svg_args *a, struct stacks *prof,
			struct stacks *before)
{
	struct folded_read_opts ro = {
		.source = input_name(path), .strict = a->strict, .before = before,
	};

	return read_with(path, &ro, a->value, prof);
}

/*
 * Flame charts need the stacks in input order, unmerged, which a profile
 * does not keep: this reads folded lines like folded__read (same count and
 * annotation rules; a two-count line contributes its last count) into prof
 * and records each line as a stack in *seq. Returns 0 or -errno; *seq and
 * each stack's frames are malloc'd, freed with free_sequence().
 */
struct sequence {
	struct stack_entry *v;
	size_t n, cap;
};

static void free_sequence(struct sequence *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((void *)s->v[i].frames);
	free(s->v);
}

/* Records one stack of the input, in order (folded_read_opts.on_stack). */
static int append_to_sequence(void *ctx, const uint32_t *ids, uint32_t depth, double weight)
{
	struct sequence *seq = ctx;
	uint32_t *copy;

	if (array_reserve(&seq->v, &seq->cap, seq->n + 1, sizeof(*seq->v)))
		return -ENOMEM;
	copy = malloc(depth * sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	memcpy(copy, ids, depth * sizeof(*copy));
	seq->v[seq->n++] = (struct stack_entry){ .frames = copy, .depth = depth, .weight = weight };
	return 0;
}

static int read_sequence(const char *path, const struct svg_args *a, struct stacks *prof,
			 struct sequence *seq)
{
	struct folded_read_opts ro = {
		.source = input_name(path), .strict = a->strict,
		.on_stack = append_to_sequence, .ctx = seq,
	};

	return read_with(path, &ro, a->value, prof);
}

/* Renders to a.output atomically; returns the exit status. */
static int write_output(const struct svg_args *a, const struct stacks *prof,
			const struct stacks *before, bool folded)
{
	struct out_file out;
	int err = out_file__open(&out, a->output);

	if (err) {
		p_err("cannot create %s: %s", a->output, errstr(err));
		return 1;
	}
	if (folded)
		err = flamegraph__write_difffolded(before, prof, a->fg.normalize, 0, out.stream);
	else
		err = flamegraph__write(prof, &a->fg, out.stream);
	if (err) {
		out_file__abort(&out);
		if (err == -ENODATA) {
			p_err("no samples to draw: every count is zero");
			return EXIT_USAGE;
		}
		p_err("cannot write %s: %s", strcmp(a->output, "-") ? a->output : "stdout",
		      errstr(err));
		return err == -EINVAL ? EXIT_USAGE : 1;
	}
	err = out_file__commit(&out);
	if (err) {
		p_err("cannot write %s: %s", a->output, errstr(err));
		return 1;
	}
	return 0;
}

int cmd_svg(int argc, char **argv)
{
	struct sequence seq = { 0 };
	struct stacks *prof, *before = NULL;
	struct svg_args a;
	int status;

	status = parse_args(argc, argv, &a, false);
	if (status || a.help) {
		if (a.help)
			svg_usage(stdout);
		return status;
	}
	prof = stacks__new();
	if (!prof) {
		p_err("out of memory");
		return 1;
	}
	if (a.fg.order == ORDER_INPUT) {
		status = read_sequence(a.inputs[0], &a, prof, &seq);
		a.fg.sequence = seq.v;
		a.fg.sequence_len = seq.n;
	} else {
		/* Two-count input is drawn as a differential graph, as
		 * flamegraph.pl does with difffolded.pl's output. */
		before = stacks__new();
		if (!before) {
			p_err("out of memory");
			stacks__free(prof);
			return 1;
		}
		status = read_profile(a.inputs[0], &a, prof, before);
		if (!status && stacks__stack_count(before))
			a.fg.before = before;
	}
	if (!status)
		status = write_output(&a, prof, a.fg.before, false);
	free_sequence(&seq);
	stacks__free(before);
	stacks__free(prof);
	return status;
}

int cmd_diff(int argc, char **argv)
{
	struct stacks *before = NULL, *after = NULL;
	struct svg_args a;
	int status;

	status = parse_args(argc, argv, &a, true);
	if (status || a.help) {
		if (a.help)
			diff_usage(stdout);
		return status;
	}
	if (!strcmp(a.inputs[0], "-") && !strcmp(a.inputs[1], "-")) {
		p_err("BEFORE and AFTER cannot both be stdin");
		return EXIT_USAGE;
	}
	before = stacks__new();
	after = stacks__new();
	if (!before || !after) {
		p_err("out of memory");
		status = 1;
		goto out;
	}
	status = read_profile(a.inputs[0], &a, before, NULL);
	if (!status)
		status = read_profile(a.inputs[1], &a, after, NULL);
	if (status)
		goto out;
	a.fg.before = before;
	status = write_output(&a, after, before, a.folded);
out:
	stacks__free(before);
	stacks__free(after);
	return status;
}
