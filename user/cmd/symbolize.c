// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/symbolize.c: `bpflame symbolize`, Go addresses to function and
 * file:line from the pclntab, in the output format of `go tool addr2line`.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "gopclntab.h"
#include "util.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bpflame symbolize -e FILE [-i] [ADDR...]\n"
		"\n"
		"Resolves addresses of a Go binary (any Go version, stripped or not, PIE or\n"
		"not) from its pclntab, without executing it. Addresses are hexadecimal ELF\n"
		"virtual addresses, as arguments or one per line on standard input.\n"
		"\n"
		"For each address it prints two lines, like `go tool addr2line FILE`: the\n"
		"function's name and the file:line of the address (\"?\" and \"?:0\" when no\n"
		"function covers it, \":-1\" for padding inside a function). With -i it\n"
		"prints the inline chain instead, innermost frame first, two lines (name,\n"
		"file:line) per frame and a blank line after each address.\n"
		"\n"
		"Options:\n"
		"  -e, --exe FILE   the Go binary (required)\n"
		"  -i, --inlines    print every inlined frame\n"
		"  -v, --verbose    describe the table found on standard error\n"
		"  -h, --help       this help\n"
		"\n"
		"Examples:\n"
		"  bpflame symbolize -e ./kube-apiserver 0x4a2f10 4a2f18\n"
		"  bpflame symbolize -e /usr/bin/etcd -i 0x4023e0\n"
		"  go tool nm -n ./app | awk '$2 == \"T\" {print $1}' |\n"
		"      bpflame symbolize -e ./app\n");
}

/*
 * Addresses are resolved in batches sorted by address, and their text is
 * formatted right away (while the strings are in cache) into an arena, then
 * written in input order: neighbouring lookups touch neighbouring functab
 * entries, _func records and pc tables, which for a table of tens of MB is
 * most of the cost (gopclntab.c bounds the pages of the table it keeps
 * resident as it goes).
 */
#define BATCH 32768

struct batch {
	struct item {
		uint64_t pc;
		uint32_t idx; /* position in the input */
	} item[BATCH], tmp[BATCH];
	size_t off[BATCH]; /* output text of input i: len[i] bytes at arena + off[i] */
	uint32_t len[BATCH];
	char *arena;
	size_t used, cap;
	unsigned n;
};

/*
 * Sorts the batch by pc: an LSD radix sort, a byte per pass, skipping the
 * bytes where every pc agrees (most of them: pcs share their high bytes).
 * tmp has room for n items.
 */
static void items__sort(struct item *a, struct item *tmp, unsigned n)
{
	uint64_t all_or = 0, all_and = ~(uint64_t)0;

	for (unsigned i = 0; i < n; i++) {
		all_or |= a[i].pc;
		all_and &= a[i].pc;
	}
	for (unsigned shift = 0; shift < 64; shift += 8) {
		unsigned count[257] = { 0 };

		if (!(((all_or ^ all_and) >> shift) & 0xFF))
			continue;
		for (unsigned i = 0; i < n; i++)
			count[((a[i].pc >> shift) & 0xFF) + 1]++;
		for (unsigned d = 1; d < 257; d++)
			count[d] += count[d - 1];
		for (unsigned i = 0; i < n; i++)
			tmp[count[(a[i].pc >> shift) & 0xFF]++] = a[i];
		memcpy(a, tmp, n * sizeof(*a));
	}
}

static int arena__put(struct batch *b, const char *s, size_t n)
{
	if (b->cap - b->used < n) {
		size_t cap = b->cap ? b->cap : 1 << 20;
		char *a;

		while (cap - b->used < n)
			cap *= 2;
		a = realloc(b->arena, cap);
		if (!a)
			return -ENOMEM;
		b->arena = a;
		b->cap = cap;
	}
	memcpy(b->arena + b->used, s, n);
	b->used += n;
	return 0;
}

/*
 * Appends one frame as go tool addr2line prints it: name, then file:line; a
 * pc its function covers but its tables do not (alignment padding) gives
 * ":-1".
 */
static int arena__frame(struct batch *b, const struct sym_frame *f)
{
	char num[16], *p = num + sizeof(num);
	uint32_t line = f->line;
	size_t n;

	*--p = '\n';
	if (!line) {
		*--p = '1';
		*--p = '-';
	}
	for (; line; line /= 10)
		*--p = (char)('0' + line % 10);
	*--p = ':';
	n = (size_t)(num + sizeof(num) - p);
	if (arena__put(b, f->name, strlen(f->name)) < 0 || arena__put(b, "\n", 1) < 0 ||
	    (f->file && arena__put(b, f->file, strlen(f->file)) < 0) ||
	    arena__put(b, p, n) < 0)
		return -ENOMEM;
	return 0;
}

/* Resolves and prints the batch, then empties it; returns 0 or -ENOMEM. */
static int batch__flush(struct batch *b, struct gopclntab *tab, bool inlines)
{
	struct sym_frame frames[SYM_MAX_INLINE];
	int max = inlines ? SYM_MAX_INLINE : 1;

	items__sort(b->item, b->tmp, b->n);
	b->used = 0;
	for (unsigned k = 0; k < b->n; k++) {
		int n = gopclntab__lookup(tab, b->item[k].pc, frames, max);
		size_t start = b->used;
		int err = 0;

		if (n <= 0) {
			/* addr2line's answer for an address no function covers. */
			err = arena__put(b, "?\n?:0\n", 6);
		} else if (!inlines) {
			/* The physical function, with pc's own file:line. */
			err = arena__frame(b, &frames[0]);
		} else {
			for (int j = 0; j < n && !err; j++)
				err = arena__frame(b, &frames[j]);
		}
		if (!err && inlines)
			err = arena__put(b, "\n", 1);
		if (err)
			return err;
		b->off[b->item[k].idx] = start;
		b->len[b->item[k].idx] = (uint32_t)(b->used - start);
	}
	for (unsigned i = 0; i < b->n; i++)
		fwrite(b->arena + b->off[i], 1, b->len[i], stdout);
	b->n = 0;
	return 0;
}

static int batch__add(struct batch *b, struct gopclntab *tab, uint64_t pc, bool inlines)
{
	b->item[b->n].pc = pc;
	b->item[b->n].idx = b->n;
	b->n++;
	return b->n == BATCH ? batch__flush(b, tab, inlines) : 0;
}

/*
 * Reads addresses from stdin until EOF. On a terminal each line is answered
 * at once; otherwise in batches. Returns 0, EXIT_USAGE on a bad line, or 1.
 */
static int symbolize_stdin(struct batch *b, struct gopclntab *tab, bool inlines)
{
	bool interactive = isatty(STDIN_FILENO);
	char *line = NULL;
	size_t cap = 0;
	unsigned long lineno = 0;
	int ret = 0;

	while (getline(&line, &cap, stdin) > 0) {
		unsigned long long pc;
		char *s = line;

		lineno++;
		s += strspn(s, " \t\r\n");
		if (!*s)
			continue;
		if (parse_hex_u64(s, &pc) < 0) {
			/* What came before the bad line is still answered. */
			if (batch__flush(b, tab, inlines) < 0) {
				p_err("out of memory");
				ret = 1;
				break;
			}
			fflush(stdout);
			s[strcspn(s, "\r\n")] = '\0';
			p_err("line %lu: bad address '%s' (want hexadecimal, e.g. 0x4a2f10)",
			      lineno, s);
			ret = EXIT_USAGE;
			break;
		}
		if (batch__add(b, tab, pc, inlines) < 0 ||
		    (interactive && batch__flush(b, tab, inlines) < 0)) {
			p_err("out of memory");
			ret = 1;
			break;
		}
		if (interactive)
			fflush(stdout);
	}
	free(line);
	return ret;
}

int cmd_symbolize(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exe", required_argument, NULL, 'e' },
		{ "inlines", no_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *exe = NULL;
	bool inlines = false, verbose = false;
	struct gopclntab *tab = NULL;
	struct stat st;
	unsigned long long *pcs = NULL;
	struct batch *b = NULL;
	int c, fd, err, nargs, ret = 0;

	optind = 1;
	opterr = 0; /* errors go through p_err */
	while ((c = getopt_long(argc, argv, ":e:ivh", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			exe = optarg;
			break;
		case 'i':
			inlines = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			p_err("option '%s' needs an argument (see bpflame symbolize --help)",
			      argv[optind - 1]);
			return EXIT_USAGE;
		default:
			if (optopt)
				p_err("unknown option '-%c' (see bpflame symbolize --help)",
				      optopt);
			else
				p_err("unknown option '%s' (see bpflame symbolize --help)",
				      argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (!exe) {
		p_err("symbolize needs the binary: -e FILE (see bpflame symbolize --help)");
		return EXIT_USAGE;
	}
	/* Check every address before printing anything. */
	nargs = argc - optind;
	if (nargs > 0) {
		pcs = calloc((size_t)nargs, sizeof(*pcs));
		if (!pcs) {
			p_err("out of memory");
			return 1;
		}
	}
	for (int i = 0; i < nargs; i++) {
		if (parse_hex_u64(argv[optind + i], &pcs[i]) < 0) {
			p_err("bad address '%s' (want hexadecimal, e.g. 0x4a2f10)",
			      argv[optind + i]);
			free(pcs);
			return EXIT_USAGE;
		}
	}

	/* O_NONBLOCK: a FIFO must not hang the open; only regular files pass. */
	fd = open(exe, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		p_err("cannot open %s: %s", exe, errstr(errno));
		free(pcs);
		return EXIT_USAGE;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		p_err("%s: not a regular file", exe);
		close(fd);
		free(pcs);
		return EXIT_USAGE;
	}
	err = gopclntab__open(fd, &tab);
	close(fd);
	if (err == -ENOENT) {
		p_err("%s: not a Go binary (no pclntab found)", exe);
		ret = EXIT_USAGE;
	} else if (err == -EINVAL) {
		p_err("%s: corrupt or unsupported Go symbol table", exe);
		ret = EXIT_USAGE;
	} else if (err) {
		/* -ENOMEM, -EIO (the file shrank while we read it): the input
		 * may be fine, we failed. */
		p_err("cannot read %s: %s", exe, errstr(err));
		ret = 1;
	}
	if (err)
		goto cleanup;
	if (verbose)
		fprintf(stderr, "bpflame: %s: %s\n", exe, gopclntab__describe(tab));

	b = calloc(1, sizeof(*b));
	if (!b) {
		p_err("out of memory");
		ret = 1;
		goto cleanup;
	}
	if (nargs > 0) {
		for (int i = 0; i < nargs && !ret; i++)
			if (batch__add(b, tab, pcs[i], inlines) < 0)
				ret = -1;
	} else {
		ret = symbolize_stdin(b, tab, inlines);
	}
	if ((!ret && batch__flush(b, tab, inlines) < 0) || ret < 0) {
		p_err("out of memory");
		ret = 1;
	}
	if (fflush(stdout) != 0 && !ret) {
		p_err("cannot write output: %s", errstr(errno));
		ret = 1;
	}
cleanup:
	if (b)
		free(b->arena);
	free(b);
	gopclntab__free(tab);
	free(pcs);
	return ret;
}
