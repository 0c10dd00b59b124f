// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/merge.c: `bpflame merge IN... -o OUT`: several profiles (folded and
 * pprof in any mix, e.g. one recording per apiserver node) into one. Every
 * input is read into a model and merged into the first (model__merge:
 * tables re-interned, values of equal sample types added).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "outputs.h"
#include "util.h"

#define MERGE_MAX_OUTPUTS 8

static const char merge_usage[] =
	"Usage: bpflame merge IN... -o OUT [-o OUT]...\n"
	"\n"
	"Merges profiles (folded and pprof in any mix) into one: equal stacks add\n"
	"up, and pprof sample types are matched by name and unit. The summary on\n"
	"stderr gives each input's total. Outputs by extension: .folded (or -),\n"
	".pb.gz / .pprof, .svg.\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  output (repeatable, at least one)\n"
	"  --value NAME       sample type for folded/SVG output and the summary\n"
	"  -q, --quiet        no summary\n"
	"\n"
	"Examples:\n"
	"  bpflame merge node1.pb.gz node2.pb.gz node3.pb.gz -o cluster.pb.gz\n"
	"  bpflame merge a.folded b.pb.gz -o all.svg -o all.folded\n";

int cmd_merge(int argc, char **argv)
{
	enum { OPT_VALUE = 256 };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "value", required_argument, NULL, OPT_VALUE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *outputs[MERGE_MAX_OUTPUTS], *value = NULL;
	enum output_format formats[MERGE_MAX_OUTPUTS];
	struct out_file outs[MERGE_MAX_OUTPUTS];
	struct output_opts oo = { .value = -1 };
	struct model *all = NULL;
	int noutputs = 0, c, ret = 0;
	bool quiet = false;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (noutputs == MERGE_MAX_OUTPUTS) {
				p_err("at most %d outputs", MERGE_MAX_OUTPUTS);
				return EXIT_USAGE;
			}
			if (output_format_of(optarg, &formats[noutputs])) {
				p_err("unknown output format for '%s': use FILE.folded, FILE.svg, "
				      "FILE.pb.gz, FILE.pprof or -", optarg);
				return EXIT_USAGE;
			}
			outputs[noutputs++] = optarg;
			break;
		case OPT_VALUE:
			value = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(merge_usage, stdout);
			return 0;
		case ':':
			p_err("option %s needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			p_err("unknown option '%s' (see bpflame merge --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || !noutputs) {
		p_err("merge needs inputs and -o OUTPUT (see bpflame merge --help)");
		return EXIT_USAGE;
	}
	util_set_quiet(quiet);
	for (int i = optind; i < argc; i++) {
		struct model *m = NULL;
		int v, err;

		ret = input__read(argv[i], false, &m);
		if (ret)
			goto out;
		v = input__value(m, value, argv[i]);
		if (v < 0) {
			model__free(m);
			ret = EXIT_USAGE;
			goto out;
		}
		p_info("%s: %.10g %s", argv[i], model__total(m, v),
		       model__str(m, model__sample_type(m, v).type));
		if (!all) {
			all = m;
			continue;
		}
		err = model__merge(all, m);
		model__free(m);
		if (err) {
			p_err("cannot merge %s: %s", argv[i], errstr(err));
			ret = 1;
			goto out;
		}
	}
	oo.value = input__value(all, value, "the merged profile");
	if (oo.value < 0) {
		ret = EXIT_USAGE;
		goto out;
	}
	for (int i = 0; i < noutputs; i++) {
		if (out_file__open(&outs[i], outputs[i])) {
			p_err("cannot create %s", outputs[i]);
			while (i-- > 0)
				out_file__abort(&outs[i]);
			ret = 1;
			goto out;
		}
	}
	p_info("merged: %.10g %s", model__total(all, oo.value),
	       model__str(all, model__sample_type(all, oo.value).type));
	ret = outputs__write(all, &oo, outputs, formats, noutputs, outs);
out:
	model__free(all);
	return ret;
}
