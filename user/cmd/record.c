// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * cmd/record.c: `bpflame record`, a profile of live processes.
 *
 * Order of work: validate options and outputs, check privileges and BTF,
 * resolve targets, open their binaries (so symbols survive a target's exit),
 * attach the sampler, wait (duration, signal, or every target gone) while
 * moving new stacks out of the kernel, DETACH, then drain, symbolize and
 * write every output from one profile (emit_profile()). In continuous mode
 * (--interval) the sampler stays attached: at each interval boundary its
 * counts are swapped atomically and emit_profile() writes that interval's
 * outputs, named after the interval's UTC start.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "host_access.h"
#include "model.h"
#include "outputs.h"
#include "resolve.h"
#include "sampler.h"
#include "targets.h"
#include "util.h"

#define DEFAULT_TARGET "kube-apiserver"
#define MAX_OUTPUTS 8

struct record_opts {
	const char *pid_list;
	const char *name;
	bool all;
	long freq_hz;
	long period;          /* -c */
	bool freq_set;
	enum sampler_event event;
	bool unwinder_kernel;
	long duration_s;      /* 0: until a signal (continuous mode only) */
	bool duration_set;
	long interval_s;      /* 0: one-shot */
	const char *outputs[MAX_OUTPUTS];
	enum output_format formats[MAX_OUTPUTS];
	int noutputs;
	bool lines;
	bool quiet;
	long counts_entries, max_stacks, map_mb;
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
	"Usage: bpflame record [-p PID[,PID...] | -n NAME | -a] [-e EVENT] [-F HZ | -c N]\n"
	"                      [-d SECONDS] [--interval SECONDS] [-o FILE]... [--lines]\n"
	"\n"
	"Samples the stacks of running processes with a BPF program on a perf\n"
	"event of every CPU (the CPU clock by default), counts them in the kernel,\n"
	"and writes symbolized stacks (Go pclntab, ELF symbols, kallsyms) when it\n"
	"stops, or once per interval.\n"
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
	"  -c, --count N           one sample every N events instead of -F (for the\n"
	"                          clocks N is nanoseconds)\n"
	"  -e, --event EVENT       cpu-clock (default), task-clock, page-faults,\n"
	"                          context-switches, cpu-migrations, or the hardware\n"
	"                          events cycles, instructions, cache-misses,\n"
	"                          branch-misses (where the machine has a PMU)\n"
	"  -d, --duration SECONDS  stop after SECONDS (default 30; with --interval,\n"
	"                          until a signal); also stops on Ctrl-C/SIGTERM or\n"
	"                          when every target has exited\n"
	"      --interval SECONDS  continuous mode: write every output once per\n"
	"                          interval, FILE.EXT as FILE-YYYYMMDDTHHMMSSZ.EXT\n"
	"                          (the interval's UTC start), without detaching\n"
	"      --unwinder fp|kernel\n"
	"                          user stack walker: fp (default) walks frame pointers\n"
	"                          in the BPF program over one copy of the stack;\n"
	"                          kernel uses the kernel's walker (bpf_get_stack)\n"
	"      --max-stacks N      distinct stacks kept (default 32768, at most\n"
	"                          1048576; about 100 bytes of kernel memory each)\n"
	"      --counts-map-size N\n"
	"                          distinct (process, stacks) counted per interval in\n"
	"                          the kernel (default 32768, at most 1048576)\n"
	"      --map-memory MB     BPF map memory the default sizes above fit in\n"
	"                          (default 16; sizes given are kept)\n"
	"      --btf FILE          kernel BTF to use when /sys/kernel/btf/vmlinux is absent\n"
	"\n"
	"Output:\n"
	"  -o, --output FILE       repeatable; the format follows the extension:\n"
	"                          .folded (folded stacks), .svg (flame graph),\n"
	"                          .pb.gz or .pprof (pprof: go tool pprof, PGO),\n"
	"                          .txt (bpflame report's text); '-' writes folded\n"
	"                          stacks to stdout (the default)\n"
	"      --report            write the report on stdout (as -o FILE.txt does)\n"
	"      --lines             add :LINE to every frame (line-level graphs)\n"
	"  -q, --quiet             no progress line and no summary\n"
	"\n"
	"Examples:\n"
	"  bpflame record -o flame.svg                     # kube-apiserver, 30 s, 99 Hz\n"
	"  bpflame record -p 4242 -F 999 -d 10 -o a.folded -o a.svg\n"
	"  bpflame record -n etcd -d 60 -o - | gzip > etcd.folded.gz\n"
	"  bpflame record -a -d 5 -o node.svg\n"
	"  bpflame record -p 4242 -e context-switches -c 1 -d 5 -o cs.svg\n"
	"  bpflame record -n etcd --interval 60 -o /var/tmp/etcd.svg   # until Ctrl-C\n";

/* Returns 0, or EXIT_USAGE after printing the error. */
static int parse_record_args(int argc, char **argv, struct record_opts *o)
{
	enum { OPT_LINES = 256, OPT_COUNTS, OPT_STACKS, OPT_BTF, OPT_INTERVAL, OPT_UNWINDER,
	       OPT_REPORT, OPT_MAP_MEMORY };
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
		{ "max-stacks", required_argument, NULL, OPT_STACKS },
		{ "map-memory", required_argument, NULL, OPT_MAP_MEMORY },
		{ "stack-map-size", required_argument, NULL, OPT_STACKS }, /* old name */
		{ "event", required_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "unwinder", required_argument, NULL, OPT_UNWINDER },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "report", no_argument, NULL, OPT_REPORT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	o->freq_hz = 99;
	o->duration_s = 30;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:n:aF:d:o:qhe:c:", longopts, NULL)) != -1) {
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
			o->freq_set = true;
			break;
		case 'c':
			if (parse_long(optarg, 1, LONG_MAX, &o->period)) {
				p_err("invalid count '%s': expected a positive number of events",
				      optarg);
				return EXIT_USAGE;
			}
			break;
		case 'e':
			if (sampler_event__parse(optarg, &o->event)) {
				p_err("unknown event '%s': expected cpu-clock, task-clock, "
				      "page-faults, context-switches, cpu-migrations, cycles, "
				      "instructions, cache-misses or branch-misses", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_UNWINDER:
			if (strcmp(optarg, "fp") && strcmp(optarg, "kernel")) {
				p_err("unknown unwinder '%s': expected fp or kernel", optarg);
				return EXIT_USAGE;
			}
			o->unwinder_kernel = !strcmp(optarg, "kernel");
			break;
		case OPT_INTERVAL:
			if (parse_long(optarg, 1, 365L * 24 * 3600, &o->interval_s)) {
				p_err("invalid interval '%s': expected a positive number "
				      "of seconds", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			if (parse_long(optarg, 1, 365L * 24 * 3600, &o->duration_s)) {
				p_err("invalid duration '%s': expected a positive number "
				      "of seconds", optarg);
				return EXIT_USAGE;
			}
			o->duration_set = true;
			break;
		case 'o':
		case OPT_REPORT:
			if (o->noutputs == MAX_OUTPUTS) {
				p_err("at most %d outputs", MAX_OUTPUTS);
				return EXIT_USAGE;
			}
			if (c == OPT_REPORT) {
				o->formats[o->noutputs] = OUT_REPORT;
				optarg = "-";
			} else if (output_format_of(optarg, &o->formats[o->noutputs])) {
				p_err("unknown output format for '%s': use FILE.folded, "
				      "FILE.svg, FILE.pb.gz, FILE.pprof, FILE.txt or -", optarg);
				return EXIT_USAGE;
			}
			for (int i = 0; !strcmp(optarg, "-") && i < o->noutputs; i++) {
				if (!strcmp(o->outputs[i], "-")) {
					p_err("only one output can go to stdout (-o - or --report)");
					return EXIT_USAGE;
				}
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
			if (parse_long(optarg, 1, MAX_STACKS_LIMIT, &o->max_stacks)) {
				p_err("invalid stack count '%s': expected 1..%ld", optarg,
				      (long)MAX_STACKS_LIMIT);
				return EXIT_USAGE;
			}
			break;
		case OPT_MAP_MEMORY:
			if (parse_long(optarg, 2, 4096, &o->map_mb)) {
				p_err("invalid map memory '%s': expected 2..4096 (MB)", optarg);
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
	if (o->freq_set && o->period) {
		p_err("choose one of -F and -c");
		return EXIT_USAGE;
	}
	if (!o->noutputs) {
		o->outputs[0] = "-";
		o->formats[0] = OUT_FOLDED;
		o->noutputs = 1;
	}
	if (o->interval_s) {
		for (int i = 0; i < o->noutputs; i++) {
			if (!strcmp(o->outputs[i], "-")) {
				p_err("--interval writes files: give -o FILE.folded or "
				      "-o FILE.svg, not -");
				return EXIT_USAGE;
			}
		}
		if (!o->duration_set)
			o->duration_s = 0;
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
		if (fscanf(f, "%ld", &max_rate) == 1 && !o->period && o->freq_hz > max_rate) {
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

/* Waits until `until` (monotonic seconds: the next interval boundary or the
 * end), moving new stacks out of the kernel meanwhile. Returns NULL at
 * `until` if that is an interval boundary, else why the recording ended. */
static const char *wait_recording(const struct record_opts *o, struct sampler *s,
				  struct target_set *t, struct resolver *r, double until,
				  double deadline, double *next_refresh, bool *warned_cap)
{
	bool progress = !o->quiet && isatty(STDERR_FILENO);
	const char *why = NULL;

	for (;;) {
		double now = now_s();
		struct sampler_stats st;
		int err, ms;

		if (stop_signal) {
			why = stop_signal == SIGINT ? "interrupted" : "terminated by a signal";
			break;
		}
		if (now >= deadline) {
			why = "duration reached";
			break;
		}
		if (now >= until)
			break;
		if (progress && !sampler__stats(s, &st)) {
			if (deadline < INFINITY)
				fprintf(stderr, "\rbpflame: recording, %ld s left, %llu samples   ",
					(long)(deadline - now + 0.999),
					(unsigned long long)st.samples);
			else
				fprintf(stderr, "\rbpflame: recording, %llu samples   ",
					(unsigned long long)st.samples);
		}
		ms = until - now < 0.25 ? (int)((until - now) * 1000) + 1 : 250;
		err = sampler__poll(s, ms);
		if (err)
			p_warn("cannot read new stacks from the kernel: %s", errstr(err));
		if (!o->all && targets__poll(t, 0) == 0) {
			why = t->n > 1 ? "every target exited" : "the target exited";
			break;
		}
		if (now_s() >= *next_refresh) {
			/* Pick up libraries loaded while recording, and with -a
			 * the processes started since, while they are alive. */
			images__refresh(resolver__images(r));
			if (o->all && images__attach_all(resolver__images(r)) == -E2BIG &&
			    !*warned_cap) {
				p_warn("more than %d processes: later ones are not symbolized",
				       IMAGES_MAX_PROCS);
				*warned_cap = true;
			}
			images__each_go_text(resolver__images(r), set_go_text_one, s);
			forget_exited(s, t);
			*next_refresh = now_s() + 1;
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

	/* Values of the model's sample types: samples/count, then the event's
	 * own (cpu/nanoseconds for the clocks): the sum of the sampled periods. */
	double values[2] = { sample->count, (double)sample->period_sum };

	err = resolver__add(ctx->resolver, sample, values);
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

static uint64_t lost_total(const struct sampler_stats *st)
{
	uint64_t lost = st->undelivered;

	for (int i = 0; i < STAT_NR; i++) {
		if (i != STAT_SAMPLES && i != STAT_EVENTS)
			lost += st->drops[i];
	}
	return lost;
}

static long max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "r");
	long rate = -1;

	if (f) {
		if (fscanf(f, "%ld", &rate) != 1)
			rate = -1;
		fclose(f);
	}
	return rate;
}

/* The event and its rate, as the summary and the titles say it. */
static void describe_sampling(const struct record_opts *o, char *buf, size_t len)
{
	const char *ev = sampler_event__name(o->event);
	int n = 0;

	if (o->event != EVENT_CPU_CLOCK)
		n = snprintf(buf, len, "%s ", ev);
	if (o->period)
		snprintf(buf + n, len - n, "every %ld %s", o->period,
			 sampler_event__is_clock(o->event) ? "ns" : "events");
	else
		snprintf(buf + n, len - n, "at %ld Hz", o->freq_hz);
}

/* Says when the kernel sampled the clock slower than asked (throttling, or a
 * lowered kernel.perf_event_max_sample_rate), with the rate achieved. */
static void print_throttling(const struct record_opts *o, const struct sampler_stats *st,
			     double seconds)
{
	double asked, achieved;
	long max_rate = max_sample_rate();

	if (!sampler_event__is_clock(o->event) || o->event != EVENT_CPU_CLOCK || !st->nevents ||
	    seconds < 1)
		return;
	asked = o->period ? 1e9 / o->period : (double)o->freq_hz;
	achieved = st->events / seconds / st->nevents;
	/* A loaded machine delays clock interrupts by some percent; a halved
	 * rate, or a maximum below the rate asked, is the kernel throttling. */
	if (achieved < 0.5 * asked || (max_rate > 0 && max_rate < asked))
		fprintf(stderr, "  throttled: %.0f samples per second per CPU of the %.0f asked "
			"(kernel.perf_event_max_sample_rate is %ld)\n", achieved, asked, max_rate);
	else
		fprintf(stderr, "  rate: %.0f samples per second per CPU (%.0f asked)\n", achieved,
			asked);
}

static void print_summary(const struct record_opts *o, const struct sampler *s,
			  const struct sampler_stats *st, struct drain_ctx *d, double seconds,
			  const char *why, const struct resolver *r)
{
	static const char *const drop_names[STAT_NR] = {
		[STAT_DROP_USER_FAULT] = "user stack unreadable",
		[STAT_DROP_KERN_FAULT] = "kernel stack unreadable",
		[STAT_DROP_STACK_FULL] = "stack store full",
		[STAT_DROP_RINGBUF_FULL] = "ring buffer full",
		[STAT_DROP_COUNTS_FULL] = "counts map full",
	};
	uint64_t dropped = lost_total(st);
	uint32_t counts_entries, max_stacks;
	uint64_t map_budget;
	char sampling[96];
	size_t shown;

	if (o->quiet)
		return;
	describe_sampling(o, sampling, sizeof(sampling));
	p_info("recorded %.1f s %s (%s): %llu samples", seconds, sampling, why,
	       (unsigned long long)st->samples);
	qsort(d->per_pid, d->npids, sizeof(*d->per_pid), cmp_per_pid);
	shown = d->npids < 10 ? d->npids : 10;
	for (size_t i = 0; i < shown; i++)
		fprintf(stderr, "  %8llu  %s [%d]\n", (unsigned long long)d->per_pid[i].samples,
			d->per_pid[i].comm[0] ? d->per_pid[i].comm : "?", d->per_pid[i].pid);
	if (d->npids > shown)
		fprintf(stderr, "  ... and %zu more processes\n", d->npids - shown);
	sampler__sizes(s, &counts_entries, &max_stacks, &map_budget);
	if (dropped) {
		fprintf(stderr, "  lost samples: %llu (", (unsigned long long)dropped);
		for (int i = 1, first = 1; i <= STAT_NR; i++) {
			uint64_t n = i < STAT_NR ? st->drops[i] : st->undelivered;

			if (i == STAT_EVENTS || !n)
				continue;
			fprintf(stderr, "%s%s %llu", first ? "" : ", ",
				i < STAT_NR ? drop_names[i] : "stack not delivered",
				(unsigned long long)n);
			first = 0;
		}
		fprintf(stderr, ")\n");
		if (st->drops[STAT_DROP_STACK_FULL] || st->undelivered)
			fprintf(stderr, "  hint: raise --max-stacks (now %u)\n", max_stacks);
		if (st->drops[STAT_DROP_COUNTS_FULL])
			fprintf(stderr, "  hint: raise --counts-map-size (now %u)\n",
				counts_entries);
	} else {
		fprintf(stderr, "  lost samples: 0\n");
	}
	fprintf(stderr, "  memory: %.1f MB of BPF maps (of %.0f, --map-memory); %u distinct "
		"stacks kept of %u (--max-stacks), %u counts per interval (--counts-map-size)\n",
		st->map_bytes / 1e6, map_budget / 1e6, st->stacks, max_stacks, counts_entries);
	print_throttling(o, st, seconds);
	if (resolver__kernel_warning(r))
		p_warn("%s", resolver__kernel_warning(r));
}

/*
 * Creates every output's temporary file before recording, so an unusable
 * path fails at once instead of after the whole recording. Returns 0 or
 * EXIT_USAGE after printing the error (files opened so far are removed).
 */
static int open_outputs(const struct record_opts *o, const char *const *paths,
			struct out_file *outs)
{
	for (int i = 0; i < o->noutputs; i++) {
		int err = out_file__open(&outs[i], paths[i]);

		if (err) {
			p_err("cannot create %s: %s", paths[i], errstr(err));
			while (i-- > 0)
				out_file__abort(&outs[i]);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Writes and commits every output; returns 0 or 1 after printing the error. */
static int write_outputs(const struct record_opts *o, const struct model *m,
			 struct out_file *outs, const char *const *paths)
{
	struct output_opts oo = { .label_flags = o->lines ? LABEL_LINES : 0 };
	char title[192], sampling[96];

	describe_sampling(o, sampling, sizeof(sampling));
	snprintf(title, sizeof(title), "%s profile: %s, %s",
		 o->event == EVENT_CPU_CLOCK ? "CPU" : sampler_event__name(o->event),
		 o->all ? "all processes" : o->pid_list ? o->pid_list
			 : o->name ? o->name : DEFAULT_TARGET, sampling);
	oo.title = title;
	return outputs__write(m, &oo, paths, o->formats, o->noutputs, outs);
}

/* The path of output i for the interval that started at wall time t:
 * FILE.EXT becomes FILE-YYYYMMDDTHHMMSSZ.EXT. Returns 0 or -ENOMEM. */
static int interval_name(const char *path, time_t t, char **out)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	char stamp[32];
	struct tm tm;

	if (!dot || (slash && dot < slash))
		dot = path + strlen(path);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (asprintf(out, "%.*s-%s%s", (int)(dot - path), path, stamp, dot) < 0)
		return -ENOMEM;
	return 0;
}

/* What one recording keeps between intervals. */
struct recording {
	const struct record_opts *o;
	struct sampler *sampler;
	struct resolver *resolver;
	struct drain_ctx drain;
	struct out_file outs[MAX_OUTPUTS];
	char *paths[MAX_OUTPUTS]; /* this interval's output paths */
	bool outputs_open;
	time_t interval_start;    /* wall clock, for the names */
	double interval_t0;       /* monotonic clock at the interval's start */
};

static void free_paths(struct recording *rec)
{
	for (int i = 0; i < MAX_OUTPUTS; i++) {
		free(rec->paths[i]);
		rec->paths[i] = NULL;
	}
}

/* Computes this interval's output paths and creates their temporary files
 * (so an unusable path fails before recording). Returns 0 or EXIT_USAGE. */
static int open_interval_outputs(struct recording *rec)
{
	const struct record_opts *o = rec->o;

	free_paths(rec);
	for (int i = 0; i < o->noutputs; i++) {
		int err = o->interval_s ? interval_name(o->outputs[i], rec->interval_start,
						       &rec->paths[i])
					: (rec->paths[i] = strdup(o->outputs[i])) ? 0 : -ENOMEM;

		if (err) {
			p_err("out of memory");
			return EXIT_USAGE;
		}
	}
	if (open_outputs(o, (const char *const *)rec->paths, rec->outs))
		return EXIT_USAGE;
	rec->outputs_open = true;
	return 0;
}

/*
 * Drained samples -> resolver -> profile -> every output: called once per
 * interval in continuous mode, and once at the end. Returns 0, or 1 after
 * printing the error.
 */
static int emit_profile(struct recording *rec, bool final, const char *why, double seconds)
{
	struct model *m = model__new();
	const char *type, *unit;
	uint64_t *kernel_addrs;
	size_t nkernel_addrs;
	int err, ret = 1;

	sampler__value_type(rec->sampler, &type, &unit);
	if (!m || model__add_sample_type(m, "samples", "count") < 0 ||
	    model__add_sample_type(m, type, unit) < 0 ||
	    model__set_period(m, type, unit, (int64_t)sampler__period(rec->sampler)) ||
	    resolver__set_model(rec->resolver, m)) {
		p_err("out of memory");
		model__free(m);
		return 1;
	}
	model__set_time(m, (int64_t)rec->interval_start * 1000000000,
			(int64_t)((now_s() - rec->interval_t0) * 1e9));
	/* The kernel symbols of this drain's stacks only, not all of kallsyms. */
	err = sampler__kernel_addrs(rec->sampler, &kernel_addrs, &nkernel_addrs);
	err = err ?: resolver__load_kernel_symbols(rec->resolver, kernel_addrs, nkernel_addrs);
	free(kernel_addrs);
	if (err) {
		p_err("out of memory");
		goto out;
	}
	err = sampler__drain(rec->sampler, drain_one, &rec->drain);
	if (err == -EINTR) {
		p_err("interrupted again while reading the recording: no output written");
		goto out;
	}
	if (err) {
		p_err("cannot read the recorded stacks: %s", errstr(err));
		goto out;
	}
	if (final) {
		struct sampler_stats st;

		if (sampler__stats(rec->sampler, &st)) {
			p_warn("cannot read the sample counters: the summary is incomplete");
			memset(&st, 0, sizeof(st));
		}
		print_summary(rec->o, rec->sampler, &st, &rec->drain, seconds, why,
			      rec->resolver);
		/* Nothing reads the kernel side, the stack store or the symbol
		 * tables any more (the model holds copies): release them before
		 * the writers run, so their memory peaks are not added together
		 * (kube-apiserver: the mapped pclntab alone is 8 MB resident). */
		sampler__free(rec->sampler);
		rec->sampler = NULL;
		resolver__free(rec->resolver);
		rec->resolver = NULL;
		rec->drain.resolver = NULL;
	}
	if (!model__sample_count(m) && !rec->o->interval_s) {
		if (rec->o->event == EVENT_CPU_CLOCK || rec->o->event == EVENT_TASK_CLOCK)
			p_err("no samples were recorded: the targets used no CPU time");
		else
			p_err("no samples were recorded: the targets caused no %s",
			      sampler_event__name(rec->o->event));
		goto out;
	}
	ret = write_outputs(rec->o, m, rec->outs, (const char *const *)rec->paths);
	rec->outputs_open = false;
out:
	model__free(m);
	return ret;
}

/* Reports what the hardware lacks, or the step that failed. Returns the
 * exit status. */
static int start_failed(const struct record_opts *o, enum sampler_step step, int err)
{
	if (step == STEP_EVENT && sampler_event__is_hardware(o->event) &&
	    (err == -ENOENT || err == -EOPNOTSUPP || err == -ENODEV || err == -EINVAL)) {
		p_err("this machine has no '%s' counter (no hardware PMU available: "
		      "perf_event_open says %s); software events such as cpu-clock work",
		      sampler_event__name(o->event), errstr(err));
		return EXIT_USAGE;
	}
	p_err("%s: %s", sampler_step__describe(step), errstr(err));
	return 1;
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct target_set targets = { 0 };
	struct sampler_opts so = { 0 };
	struct recording rec = { .o = &o };
	const char *why;
	enum sampler_step step;
	double start, seconds, deadline, next_interval, next_refresh, next_t0;
	bool warned_cap = false;
	time_t next_start;
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
	rec.interval_start = time(NULL);
	ret = open_interval_outputs(&rec);
	if (ret)
		goto cleanup;
	catch_stop_signals();

	/* Large arrays in their own mappings, returned when freed and grown in
	 * place (mremap): glibc otherwise raises its mmap threshold after the
	 * first large free and serves later large arrays from the heap, which
	 * then stays at its high-water mark. A 10-minute soak (make soak) grew
	 * by 37% this way, in one step, with no live memory growing; a one-shot
	 * recording's peak holds the symbol tables freed before the writers. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	ret = 1;
	if (resolver__new(NULL, &rec.resolver)) {
		p_err("out of memory");
		goto cleanup;
	}
	/* Open every target's binaries before sampling: a target that exits
	 * mid-run keeps its symbols. */
	if (o.all)
		images__attach_all(resolver__images(rec.resolver));
	for (size_t i = 0; i < targets.n; i++) {
		err = images__attach(resolver__images(rec.resolver), targets.pids[i]);
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
	so.event = o.event;
	so.freq_hz = o.freq_hz;
	so.period = o.period;
	so.unwinder_kernel = o.unwinder_kernel;
	so.intervals = o.interval_s > 0;
	so.counts_entries = o.counts_entries;
	so.max_stacks = o.max_stacks;
	so.map_budget = (uint64_t)o.map_mb * 1000000;
	so.btf_path = o.btf_path;
	err = sampler__start(&so, &rec.sampler, &step);
	if (err) {
		ret = start_failed(&o, step, err);
		goto cleanup;
	}
	for (const char *const *n = sampler__notices(rec.sampler); *n; n++)
		p_warn("%s", *n);
	images__set_generations(resolver__images(rec.resolver), generation_of, rec.sampler);
	/* Where each target's Go code is, so frameless Go leaves keep their caller. */
	images__each_go_text(resolver__images(rec.resolver), set_go_text_one, rec.sampler);
	rec.drain.resolver = rec.resolver;
	start = now_s();
	rec.interval_t0 = start;
	if (o.interval_s) {
		/* The first interval starts now, not when the outputs were
		 * checked: name its files after this moment. */
		for (int i = 0; i < o.noutputs; i++)
			out_file__abort(&rec.outs[i]);
		rec.outputs_open = false;
		rec.interval_start = time(NULL);
		if (open_interval_outputs(&rec))
			goto cleanup;
	}
	deadline = o.duration_s ? start + o.duration_s : INFINITY;
	next_interval = o.interval_s ? start + o.interval_s : INFINITY;
	next_refresh = start + 1;
	for (;;) {
		why = wait_recording(&o, rec.sampler, &targets, rec.resolver, next_interval,
				     deadline, &next_refresh, &warned_cap);
		if (why)
			break;
		/* An interval boundary: swap the counts, write the closed interval. */
		err = sampler__rotate(rec.sampler);
		if (err) {
			p_err("cannot swap the interval's counts: %s", errstr(err));
			goto cleanup;
		}
		next_start = time(NULL); /* the new interval began at the swap */
		next_t0 = now_s();
		ret = emit_profile(&rec, false, NULL, 0);
		if (ret)
			goto cleanup;
		malloc_trim(0); /* the interval's model is gone: give its pages back */
		ret = 1;
		rec.interval_start = next_start;
		rec.interval_t0 = next_t0;
		if (open_interval_outputs(&rec))
			goto cleanup;
		next_interval += o.interval_s;
	}

	sampler__detach(rec.sampler);
	seconds = now_s() - start;
	ret = emit_profile(&rec, true, why, seconds);
cleanup:
	for (int i = 0; rec.outputs_open && i < o.noutputs; i++)
		out_file__abort(&rec.outs[i]);
	free_paths(&rec);
	sampler__free(rec.sampler);
	resolver__free(rec.resolver);
	targets__free(&targets);
	free(rec.drain.per_pid);
	return ret;
}
