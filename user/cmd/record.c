// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/record.c: `bpflame record`, a one-shot CPU profile of live processes.
 *
 * Order of work: validate options and outputs, check privileges and BTF,
 * resolve targets, open their binaries (so symbols survive a target's exit),
 * attach the sampler, wait (duration, signal, or every target gone),
 * DETACH, then drain, symbolize and write every output from one profile.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "flamegraph.h"
#include "folded.h"
#include "host_access.h"
#include "profile_data.h"
#include "resolve.h"
#include "sampler.h"
#include "targets.h"
#include "util.h"

#define DEFAULT_TARGET "kube-apiserver"
#define MAX_OUTPUTS 8

enum output_format { OUT_FOLDED, OUT_SVG };

struct record_opts {
	const char *pid_list;
	const char *name;
	bool all;
	long freq_hz;
	long duration_s;
	const char *outputs[MAX_OUTPUTS];
	enum output_format formats[MAX_OUTPUTS];
	int noutputs;
	bool lines;
	bool quiet;
	long counts_entries, stack_entries;
	const char *btf_path;
};

/* The first stop signal ends the recording (outputs are still written);
 * a second one while draining or writing abandons the outputs. */
static volatile sig_atomic_t stop_signal, stop_count;

static void on_signal(int sig)
{
	stop_signal = sig;
	stop_count++;
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* A closed stdout (bpflame record -o - | head) is a write error. */
	signal(SIGPIPE, SIG_IGN);
}

static const char record_usage[] =
	"Usage: bpflame record [-p PID[,PID...] | -n NAME | -a] [-F HZ] [-d SECONDS]\n"
	"                      [-o FILE]... [--lines]\n"
	"\n"
	"Samples the CPU stacks of running processes with a BPF program on the\n"
	"CPU-clock event of every CPU, counts them in the kernel, and writes\n"
	"symbolized stacks (Go pclntab, ELF symbols, kallsyms) when it stops.\n"
	"Without -p, -n or -a it profiles every process named " DEFAULT_TARGET ".\n"
	"\n"
	"Targets:\n"
	"  -p, --pid PID[,PID...]  these processes (all their threads)\n"
	"  -n, --name NAME         every process whose name or executable is NAME\n"
	"  -a, --all               every process on the machine\n"
	"\n"
	"Sampling:\n"
	"  -F, --freq HZ           samples per second per CPU (default 99; at most\n"
	"                          kernel.perf_event_max_sample_rate)\n"
	"  -d, --duration SECONDS  stop after SECONDS (default 30); also stops on\n"
	"                          Ctrl-C/SIGTERM or when every target has exited\n"
	"      --counts-map-size N\n"
	"                          distinct (process, stacks) counted in the kernel\n"
	"                          (default: rate x duration x CPUs, 4096..262144;\n"
	"                          at most 4194304)\n"
	"      --stack-map-size N  distinct stacks stored, about 1 KiB of kernel memory\n"
	"                          each (default: likewise, 4096..65536; at most 262144)\n"
	"      --btf FILE          kernel BTF to use when /sys/kernel/btf/vmlinux is absent\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE       repeatable; the format follows the extension:\n"
	"                          .folded (folded stacks), .svg (flame graph);\n"
	"                          '-' writes folded stacks to stdout (the default)\n"
	"      --lines             add :LINE to every frame (line-level graphs)\n"
	"  -q, --quiet             no progress line and no summary\n"
	"\n"
	"Examples:\n"
	"  bpflame record -o flame.svg                     # kube-apiserver, 30 s, 99 Hz\n"
	"  bpflame record -p 4242 -F 999 -d 10 -o a.folded -o a.svg\n"
	"  bpflame record -n etcd -d 60 -o - | gzip > etcd.folded.gz\n"
	"  bpflame record -a -d 5 -o node.svg\n";

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

static int output_format_of(const char *path, enum output_format *format)
{
	if (!strcmp(path, "-") || has_suffix(path, ".folded")) {
		*format = OUT_FOLDED;
		return 0;
	}
	if (has_suffix(path, ".svg")) {
		*format = OUT_SVG;
		return 0;
	}
	return -EINVAL;
}

/* Returns 0, or EXIT_USAGE after printing the error. */
static int parse_record_args(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_LINES = 256, OPT_COUNTS, OPT_STACKS, OPT_BTF };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "name", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "freq", required_argument, NULL, 'F' },
		{ "duration", required_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "counts-map-size", required_argument, NULL, OPT_COUNTS },
		{ "stack-map-size", required_argument, NULL, OPT_STACKS },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	o->freq_hz = 99;
	o->duration_s = 30;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:aF:d:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->pid_list = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'a':
			o->all = true;
			break;
		case 'F':
			if (parse_long(optarg, 1, INT_MAX, &o->freq_hz)) {
				p_err("invalid sample rate '%s': expected a positive number of Hz",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_long(optarg, 1, 365L * 24 * 3600, &o->duration_s)) {
				p_err("invalid duration '%s': expected a positive number "
				      "of seconds", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			if (o->noutputs == MAX_OUTPUTS) {
				p_err("at most %d outputs", MAX_OUTPUTS);
				return EXIT_USAGE;
			}
			if (output_format_of(optarg, &o->formats[o->noutputs])) {
				p_err("unknown output format for '%s': use FILE.folded, "
				      "FILE.svg or -", optarg);
				return EXIT_USAGE;
			}
			o->outputs[o->noutputs++] = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_LINES:
			o->lines = true;
			break;
		case OPT_COUNTS:
			if (parse_long(optarg, 1, COUNTS_ENTRIES_LIMIT, &o->counts_entries)) {
				p_err("invalid counts map size '%s': expected 1..%ld", optarg,
				      (long)COUNTS_ENTRIES_LIMIT);
				return EXIT_USAGE;
			}
			break;
		case OPT_STACKS:
			if (parse_long(optarg, 1, STACK_ENTRIES_LIMIT, &o->stack_entries)) {
				p_err("invalid stack map size '%s': expected 1..%ld", optarg,
				      (long)STACK_ENTRIES_LIMIT);
				return EXIT_USAGE;
			}
			break;
		case OPT_BTF:
			o->btf_path = optarg;
			break;
		case 'h':
			fputs(record_usage, stdout);
			exit(0);
		case ':':
			p_err("option '%s' needs a value (see bpflame record --help)",
			      argv[optind - 1]);
			return EXIT_USAGE;
		default:
			p_err("unknown option '%s' (see bpflame record --help)", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		p_err("unexpected argument '%s' (see bpflame record --help)", argv[optind]);
		return EXIT_USAGE;
	}
	if (!!o->pid_list + !!o->name + o->all > 1) {
		p_err("choose one of -p, -n and -a");
		return EXIT_USAGE;
	}
	if (!o->noutputs) {
		o->outputs[0] = "-";
		o->formats[0] = OUT_FOLDED;
		o->noutputs = 1;
	}
	return 0;
}

/* Returns 0 or EXIT_USAGE after printing one line per thing missing. */
static int check_environment(const struct record_opts *o)
{
	const char *btf = "/sys/kernel/btf/vmlinux";
	unsigned int gaps = host_access__gaps(!o->btf_path);
	long max_rate;
	FILE *f;

	/* In a container each gap is one field of the pod spec: name it. */
	if (gaps & HOST_GAP_NOT_ROOT)
		p_err("bpflame record needs root (or CAP_BPF, CAP_PERFMON and CAP_SYS_PTRACE): "
		      "run it with sudo");
	if (gaps & HOST_GAP_CAPS)
		p_err("bpflame record runs as root without CAP_BPF and CAP_PERFMON: in a "
		      "container, add securityContext.privileged: true to the pod spec "
		      "(podman, docker: --privileged)");
	if (gaps & HOST_GAP_PID_NS)
		p_err("bpflame record cannot see the host's processes from its own PID "
		      "namespace: add hostPID: true to the pod spec (podman, docker: --pid=host)");
	if (gaps & HOST_GAP_SYSFS)
		p_err("%s is missing because the host's /sys is not mounted: add a hostPath "
		      "volume /sys mounted at /sys to the pod spec (podman, docker: -v /sys:/sys)",
		      btf);
	if (gaps & HOST_GAP_BTF)
		p_err("this kernel exposes no BTF (%s is missing): it needs "
		      "CONFIG_DEBUG_INFO_BTF=y, or pass --btf FILE", btf);
	if (gaps)
		return EXIT_USAGE;
	if (o->btf_path && access(o->btf_path, R_OK)) {
		p_err("cannot read BTF file %s: %s", o->btf_path, strerror(errno));
		return EXIT_USAGE;
	}
	if (o->btf_path) {
		struct btf *parsed = btf__parse(o->btf_path, NULL);

		if (!parsed) {
			p_err("%s is not a usable BTF file: %s", o->btf_path, errstr(-errno));
			return EXIT_USAGE;
		}
		btf__free(parsed);
	}
	f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "r");
	if (f) {
		if (fscanf(f, "%ld", &max_rate) == 1 && o->freq_hz > max_rate) {
			fclose(f);
			p_err("sample rate %ld Hz is above kernel.perf_event_max_sample_rate (%ld)",
			      o->freq_hz, max_rate);
			return EXIT_USAGE;
		}
		fclose(f);
	}
	return 0;
}

/* Returns 0 or EXIT_USAGE after printing which target is missing. */
static int resolve_targets(const struct record_opts *o, struct target_set *t)
{
	pid_t bad_pid;
	int n;

	if (o->all)
		return 0;
	if (o->pid_list) {
		n = targets__add_pid_list(t, o->pid_list, &bad_pid);
		if (n == -ESRCH) {
			p_err("no process with PID %d", bad_pid);
			return EXIT_USAGE;
		}
		if (n < 0) {
			p_err("invalid PID list '%s': expected PID[,PID...]", o->pid_list);
			return EXIT_USAGE;
		}
		return 0;
	}
	n = targets__add_name(t, o->name ? o->name : DEFAULT_TARGET);
	if (n < 0) {
		p_err("cannot list processes: %s", errstr(n));
		return 1;
	}
	if (n == 0) {
		if (o->name)
			p_err("no process named '%s' is running", o->name);
		else
			p_err("no " DEFAULT_TARGET " process is running; choose a target with "
			      "-p PID, -n NAME or -a (see bpflame record --help)");
		return EXIT_USAGE;
	}
	return 0;
}

static uint32_t generation_of(void *sampler, pid_t pid)
{
	return sampler__generation(sampler, pid);
}

static int set_go_text_one(void *sampler, pid_t pid, uint64_t start, uint64_t end)
{
	sampler__set_go_text(sampler, pid, start, end); /* full map: that process goes without */
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stops sampling targets that exited, so a new process reusing a PID is
 * not profiled (and symbolized) as the old one. */
static void forget_exited(struct sampler *s, const struct target_set *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->pidfds[i] < 0)
			sampler__forget_target(s, t->pids[i]);
	}
}

/* Waits for the end of the recording; returns why it ended. */
static const char *wait_recording(const struct record_opts *o, struct sampler *s,
				  struct target_set *t, struct resolver *r, double start)
{
	bool progress = !o->quiet && isatty(STDERR_FILENO);
	double deadline = start + o->duration_s, next_refresh = start + 1;
	bool warned_cap = false;
	const char *why = "duration reached";

	for (;;) {
		double now = now_s();
		struct sampler_stats st;

		if (stop_signal) {
			why = stop_signal == SIGINT ? "interrupted" : "terminated by a signal";
			break;
		}
		if (now >= deadline)
			break;
		if (progress && !sampler__stats(s, &st))
			fprintf(stderr, "\rbpflame: recording, %ld s left, %llu samples   ",
				(long)(deadline - now + 0.999), (unsigned long long)st.samples);
		if (!o->all) {
			double left = deadline - now;
			int ms = left < 0.25 ? (int)(left * 1000) + 1 : 250;

			if (targets__poll(t, ms) == 0) {
				why = t->n > 1 ? "every target exited" : "the target exited";
				break;
			}
		} else {
			usleep(250 * 1000);
		}
		if (now_s() >= next_refresh) {
			/* Pick up libraries loaded while recording, and with -a
			 * the processes started since, while they are alive. */
			resolver__refresh(r);
			if (o->all && resolver__attach_all(r) == -E2BIG && !warned_cap) {
				p_warn("more than %d processes: later ones are not symbolized",
				       RESOLVER_MAX_PROCS);
				warned_cap = true;
			}
			resolver__each_go_text(r, set_go_text_one, s);
			forget_exited(s, t);
			next_refresh = now_s() + 1;
		}
	}
	if (progress)
		fprintf(stderr, "\r\033[K");
	return why;
}

struct pid_samples {
	pid_t pid;
	char comm[16];
	uint64_t samples;
};

struct drain_ctx {
	struct resolver *resolver;
	struct pid_samples *per_pid;
	size_t npids, per_pid_cap;
};

static int drain_one(void *ctx_, const struct sampler_sample *sample)
{
	struct drain_ctx *ctx = ctx_;
	size_t i;
	int err;

	if (stop_count > 1)
		return -EINTR;

	err = resolver__add(ctx->resolver, sample);
	if (err)
		return err;
	for (i = 0; i < ctx->npids && ctx->per_pid[i].pid != (pid_t)sample->tgid; i++)
		;
	if (i == ctx->npids) {
		if (array_reserve(&ctx->per_pid, &ctx->per_pid_cap, ctx->npids + 1,
				  sizeof(*ctx->per_pid)))
			return -ENOMEM;
		ctx->per_pid[i].pid = sample->tgid;
		snprintf(ctx->per_pid[i].comm, sizeof(ctx->per_pid[i].comm), "%s", sample->comm);
		/* A process names itself: keep terminal control codes off stderr. */
		for (char *c = ctx->per_pid[i].comm; *c; c++) {
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		}
		ctx->per_pid[i].samples = 0;
		ctx->npids++;
	}
	ctx->per_pid[i].samples += sample->count;
	return 0;
}

static int cmp_per_pid(const void *a, const void *b)
{
	uint64_t x = ((const struct pid_samples *)a)->samples;
	uint64_t y = ((const struct pid_samples *)b)->samples;

	return x < y ? 1 : x > y ? -1 : 0;
}

static void print_summary(const struct record_opts *o, const struct sampler *s,
			  const struct sampler_stats *st, struct drain_ctx *d, double seconds,
			  const char *why, const struct resolver *r)
{
	static const char *const drop_names[STAT_NR] = {
		[STAT_DROP_USER_FAULT] = "user stack unreadable",
		[STAT_DROP_KERN_FAULT] = "kernel stack unreadable",
		[STAT_DROP_STACK_FULL] = "stack map full",
		[STAT_DROP_COUNTS_FULL] = "counts map full",
	};
	uint64_t dropped = 0;
	uint32_t counts_entries, stack_entries;
	size_t shown;

	if (o->quiet)
		return;
	p_info("recorded %.1f s at %ld Hz (%s): %llu samples", seconds, o->freq_hz, why,
	       (unsigned long long)st->samples);
	qsort(d->per_pid, d->npids, sizeof(*d->per_pid), cmp_per_pid);
	shown = d->npids < 10 ? d->npids : 10;
	for (size_t i = 0; i < shown; i++)
		fprintf(stderr, "  %8llu  %s [%d]\n", (unsigned long long)d->per_pid[i].samples,
			d->per_pid[i].comm[0] ? d->per_pid[i].comm : "?", d->per_pid[i].pid);
	if (d->npids > shown)
		fprintf(stderr, "  ... and %zu more processes\n", d->npids - shown);
	for (int i = 1; i < STAT_NR; i++)
		dropped += st->drops[i];
	sampler__sizes(s, &counts_entries, &stack_entries);
	if (dropped) {
		fprintf(stderr, "  lost samples: %llu (", (unsigned long long)dropped);
		for (int i = 1, first = 1; i < STAT_NR; i++) {
			if (!st->drops[i])
				continue;
			fprintf(stderr, "%s%s %llu", first ? "" : ", ", drop_names[i],
				(unsigned long long)st->drops[i]);
			first = 0;
		}
		fprintf(stderr, ")\n");
		if (st->drops[STAT_DROP_STACK_FULL])
			fprintf(stderr, "  hint: raise --stack-map-size (now %u)\n", stack_entries);
		if (st->drops[STAT_DROP_COUNTS_FULL])
			fprintf(stderr, "  hint: raise --counts-map-size (now %u)\n",
				counts_entries);
	} else {
		fprintf(stderr, "  lost samples: 0\n");
	}
	if (resolver__kernel_warning(r))
		p_warn("%s", resolver__kernel_warning(r));
}

/*
 * Creates every output's temporary file before recording, so an unusable
 * path fails at once instead of after the whole recording. Returns 0 or
 * EXIT_USAGE after printing the error (files opened so far are removed).
 */
static int open_outputs(const struct record_opts *o, struct out_file *outs)
{
	for (int i = 0; i < o->noutputs; i++) {
		int err = out_file__open(&outs[i], o->outputs[i]);

		if (err) {
			p_err("cannot create %s: %s", o->outputs[i], errstr(err));
			while (i-- > 0)
				out_file__abort(&outs[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Writes and commits every output; returns 0 or 1 after printing the error. */
static int write_outputs(const struct record_opts *o, const struct profile *prof,
			 struct out_file *outs)
{
	unsigned flags = o->lines ? LABEL_LINES : 0;
	char title[128];
	int ret = 0;

	snprintf(title, sizeof(title), "CPU profile: %s, %ld Hz",
		 o->all ? "all processes" : o->pid_list ? o->pid_list
			 : o->name ? o->name : DEFAULT_TARGET, o->freq_hz);
	for (int i = 0; i < o->noutputs; i++) {
		int err;

		if (ret) {
			out_file__abort(&outs[i]);
			continue;
		}
		if (o->formats[i] == OUT_FOLDED) {
			err = folded__write(prof, flags | LABEL_ANNOTATE, outs[i].stream);
		} else {
			struct flamegraph_opts fg;

			flamegraph_opts__init(&fg);
			fg.title = title;
			fg.label_flags = flags;
			err = flamegraph__write(prof, &fg, outs[i].stream);
		}
		if (!err)
			err = out_file__commit(&outs[i]);
		else
			out_file__abort(&outs[i]);
		if (err) {
			p_err("cannot write %s: %s", o->outputs[i], errstr(err));
			ret = 1;
			continue;
		}
		if (strcmp(o->outputs[i], "-"))
			p_info("wrote %s", o->outputs[i]);
	}
	return ret;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct target_set targets = { 0 };
	struct sampler_opts so = { 0 };
	struct sampler_stats st = { 0 };
	struct drain_ctx drain = { 0 };
	struct sampler *sampler = NULL;
	struct resolver *resolver = NULL;
	struct profile *prof = NULL;
	struct out_file outs[MAX_OUTPUTS];
	bool outputs_open = false;
	const char *why;
	double start, seconds;
	int ret, err;

	ret = parse_record_args(argc, argv, &o);
	if (ret)
		return ret;
	util_set_quiet(o.quiet);
	ret = check_environment(&o);
	if (ret)
		return ret;
	ret = resolve_targets(&o, &targets);
	if (ret)
		goto cleanup;
	ret = open_outputs(&o, outs);
	if (ret)
		goto cleanup;
	outputs_open = true;
	catch_stop_signals();

	ret = 1;
	prof = profile__new();
	if (!prof || resolver__new(prof, &resolver)) {
		p_err("out of memory");
		goto cleanup;
	}
	/* Open every target's binaries before sampling: a target that exits
	 * mid-run keeps its symbols. */
	if (o.all)
		resolver__attach_all(resolver);
	for (size_t i = 0; i < targets.n; i++) {
		err = resolver__attach(resolver, targets.pids[i]);
		if (err)
			p_warn("cannot read the memory map of PID %d (%s): its user frames "
			       "will show as [unknown]", targets.pids[i], errstr(err));
	}
	err = targets__watch(&targets);
	if (err) {
		p_err("cannot watch the target processes: %s", errstr(err));
		goto cleanup;
	}

	so.pids = targets.pids;
	so.npids = targets.n;
	so.all = o.all;
	so.freq_hz = o.freq_hz;
	so.duration_s = o.duration_s;
	so.counts_entries = o.counts_entries;
	so.stack_entries = o.stack_entries;
	so.btf_path = o.btf_path;
	err = sampler__start(&so, &sampler, &why);
	if (err) {
		p_err("%s: %s", why, errstr(err));
		goto cleanup;
	}
	resolver__set_generations(resolver, generation_of, sampler);
	/* Where each target's Go code is, so frameless Go leaves keep their caller. */
	resolver__each_go_text(resolver, set_go_text_one, sampler);
	start = now_s();
	why = wait_recording(&o, sampler, &targets, resolver, start);

	sampler__detach(sampler);
	seconds = now_s() - start;
	if (sampler__stats(sampler, &st))
		p_warn("cannot read the sample counters: the summary is incomplete");
	drain.resolver = resolver;
	err = sampler__drain(sampler, drain_one, &drain);
	if (err == -EINTR) {
		p_err("interrupted again while reading the recording: no output written");
		goto cleanup;
	}
	if (err) {
		p_err("cannot read the recorded stacks: %s", errstr(err));
		goto cleanup;
	}
	print_summary(&o, sampler, &st, &drain, seconds, why, resolver);
	if (!profile__stack_count(prof)) {
		p_err("no samples were recorded: the targets used no CPU time");
		goto cleanup;
	}
	ret = write_outputs(&o, prof, outs);
	outputs_open = false;
cleanup:
	for (int i = 0; outputs_open && i < o.noutputs; i++)
		out_file__abort(&outs[i]);
	sampler__free(sampler);
	resolver__free(resolver);
	profile__free(prof);
	targets__free(&targets);
	free(drain.per_pid);
	return ret;
}
