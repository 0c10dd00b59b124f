// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * main.c: bpflame's entry point; dispatches to one subcommand.
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "util.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "profile running processes into folded stacks, pprof or a flame graph" },
	{ "svg", cmd_svg, "render folded stacks as an interactive SVG flame graph" },
	{ "diff", cmd_diff, "render a differential flame graph of two profiles" },
	{ "merge", cmd_merge, "merge profiles (folded and pprof, any mix) into one" },
	{ "convert", cmd_convert, "convert a profile between folded, pprof and SVG" },
	{ "report", cmd_report, "top functions and category shares (authn, JSON, etcd...) of a profile" },
	{ "symbolize", cmd_symbolize, "resolve addresses of a Go binary (like go tool addr2line)" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bpflame COMMAND [OPTIONS]\n"
		"       bpflame COMMAND --help\n"
		"       bpflame --version\n"
		"\n"
		"A CPU profiler for Go services: BPF sampling aggregated in the kernel,\n"
		"Go symbols from the pclntab (stripped binaries included), flame graphs\n"
		"rendered without Perl.\n"
		"\n"
		"Commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Examples:\n"
		"  bpflame record -o flame.svg              # kube-apiserver, 30 s at 99 Hz\n"
		"  bpflame record -p 1234 -F 999 -d 10 -o out.folded -o out.svg\n"
		"  bpflame record -n etcd -o - | bpflame svg - -o etcd.svg\n"
		"  bpflame report --base idle.folded load.folded\n"
		"  bpflame symbolize -e ./kube-apiserver 0x4a2f10\n");
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* libbpf's own messages only with BPFLAME_DEBUG set: a user sees one
	 * error line from the caller instead. */
	if (getenv("BPFLAME_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	libbpf_set_print(libbpf_print);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("bpflame %s\n", BPFLAME_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	}
	p_err("unknown command '%s' (see bpflame --help)", argv[1]);
	return EXIT_USAGE;
}
