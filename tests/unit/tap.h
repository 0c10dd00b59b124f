/*
 * tap.h: a minimal TAP producer for the C unit tests, run through prove.
 *
 *   ok(cond, "name %d", i);      one test point
 *   is_str(got, want, "name");   string equality, prints both on failure
 *   is_int(got, want, "name");   integer equality
 *   return done_testing();       prints the plan; exit status 1 on failure
 */
#ifndef BPFLAME_TAP_H
#define BPFLAME_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline int tap_vok(int pass, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return pass;
}

static inline __attribute__((format(printf, 2, 3))) int ok(int pass, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = tap_vok(pass, fmt, ap);
	va_end(ap);
	return r;
}

#define is_str(got, want, ...)                                                         \
	do {                                                                           \
		const char *g_ = (got), *w_ = (want);                                  \
		if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__))       \
			printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)");                                    \
	} while (0)

#define is_int(got, want, ...)                                                     \
	do {                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);           \
		if (!ok(g_ == w_, __VA_ARGS__))                                    \
			printf("#   got:  %lld\n#   want: %lld\n", g_, w_);        \
	} while (0)

static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif /* BPFLAME_TAP_H */
