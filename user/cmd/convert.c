// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/convert.c: `bpflame convert IN -o OUT`, any input format to any
 * output format (by extension): folded, pprof (.pb.gz, .pprof), SVG. The
 * input is read into the model and the output written from it, as record
 * does.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "outputs.h"
#include "util.h"

static const char convert_usage[] =
	"Usage: bpflame convert [--value NAME] [--lines] IN -o OUT\n"
	"\n"
	"Converts a profile between formats, chosen by extension: .folded (or -),\n"
	".pb.gz / .pprof (pprof, gzipped), .svg. IN may be folded stacks or any pprof\n"
	"profile (Go's /debug/pprof/profile, go test -cpuprofile, bpflame record).\n"
	"\n"
	"Options:\n"
	"  -o, --output FILE  output file (required; - is folded on stdout)\n"
	"  --value NAME       pprof sample type drawn in folded/SVG output (default:\n"
	"                     samples, else cpu, else the first)\n"
	"  --lines            add :LINE to frames in folded/SVG output\n"
	"\n"
	"Examples:\n"
	"  bpflame convert cpu.pb.gz -o cpu.folded\n"
	"  bpflame convert old.folded -o old.pb.gz\n"
	"  bpflame convert --value samples cpu.pprof -o cpu.svg\n";

int cmd_convert(int argc, char **argv)
{
	enum { OPT_VALUE = 256, OPT_LINES };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "value", required_argument, NULL, OPT_VALUE },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct output_opts oo = { .value = -1 };
	const char *output = NULL, *value = NULL;
	enum output_format format;
	struct model *m = NULL;
	struct out_file out;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case OPT_VALUE:
			value = optarg;
			break;
		case OPT_LINES:
			oo.label_flags |= LABEL_LINES;
			break;
		case 'h':
			fputs(convert_usage, stdout);
			return 0;
		case ':':
			p_err("option %s needs a value", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			p_err("unknown option '%s' (see bpflame convert --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || !output) {
		p_err("convert needs one input and -o OUTPUT (see bpflame convert --help)");
		return EXIT_USAGE;
	}
	if (output_format_of(output, &format)) {
		p_err("unknown output format for '%s': use FILE.folded, FILE.svg, FILE.pb.gz, "
		      "FILE.pprof or -", output);
		return EXIT_USAGE;
	}
	ret = input__read(argv[optind], false, &m);
	if (ret)
		return ret;
	oo.value = input__value(m, value, argv[optind]);
	if (oo.value < 0) {
		model__free(m);
		return EXIT_USAGE;
	}
	if (out_file__open(&out, output)) {
		p_err("cannot create %s", output);
		model__free(m);
		return 1;
	}
	util_set_quiet(true); /* no "wrote" line: convert is a filter */
	ret = outputs__write(m, &oo, &output, &format, 1, &out);
	model__free(m);
	return ret;
}
