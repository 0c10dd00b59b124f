// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_report.c: the report engine through report.h alone (no profile model,
 * no files): the sample stream, categories with exclusions, kernel and
 * inlined frames, recursion, many distinct frames, errors; and names.h's
 * display names.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "report.h"
#include "tap.h"

static int add(struct report *r, const char *stack, double w)
{
	const char *names[32];
	uint8_t flags[32];
	char *copy = strdup(stack), *save = NULL;
	size_t n = 0;
	int err;

	for (char *tok = strtok_r(copy, ";", &save); tok && n < 32;
	     tok = strtok_r(NULL, ";", &save)) {
		size_t len = strlen(tok);

		flags[n] = 0;
		if (len > 4 && !strcmp(tok + len - 4, "_[k]"))
			flags[n] = REPORT_FRAME_KERNEL;
		if (len > 4 && !strcmp(tok + len - 4, "_[i]"))
			flags[n] = REPORT_FRAME_INLINED;
		if (flags[n])
			tok[len - 4] = '\0';
		names[n++] = tok;
	}
	err = report__add_sample(r, names, flags, n, w);
	free(copy);
	return err;
}

static double share(const struct report *r, size_t i)
{
	return report__category_value(r, i) / report__total(r);
}

int main(void)
{
	struct report *r = report__new();
	char err[256], buf[256];
	size_t n;

	ok(r != NULL, "report__new");
	/* Categories before and after samples both work. */
	ok(!report__add_pattern(r, "gc", "^runtime\\.mallocgc$", false, err, sizeof(err)),
	   "a category before the samples");
	ok(!add(r, "main;f;runtime.mallocgc_[i];runtime.mallocgc 2", 2), "sample 1");
	ok(!add(r, "main;g;sys_read_[k];copy_to_user_[k]", 3), "sample 2");
	ok(!add(r, "main;rec;rec;rec", 5), "sample 3: recursion");
	ok(!report__add_spec(r, "kernel=_\\[k\\]$", err, sizeof(err)), "kernel by its label");
	ok(!report__add_spec(r, "fg=^(f|g)$", err, sizeof(err)) &&
		   !report__add_spec(r, "fg!=^g$", err, sizeof(err)),
	   "a category with an exclusion");
	ok(report__add_spec(r, "bad=(", err, sizeof(err)) == -EINVAL && strstr(err, "'bad'") &&
		   strstr(err, "'('"),
	   "an invalid regex names category and regex: %s", err);
	ok(report__add_spec(r, "=x", err, sizeof(err)) == -EINVAL, "no name: -EINVAL");
	ok(report__add_sample(r, NULL, NULL, 0, 1) == -EINVAL, "depth 0: -EINVAL");
	{
		const char *one[] = {"x"};

		ok(report__add_sample(r, one, NULL, 1, -1) == -EINVAL, "negative weight: -EINVAL");
		ok(report__add_sample(r, one, NULL, 1, NAN) == -EINVAL, "NaN weight: -EINVAL");
	}
	ok(report__any_frame_matches(r, "^sys_read$") == 1, "any_frame_matches finds a frame");
	ok(report__any_frame_matches(r, "^nothing$") == 0, "and says when none matches");
	ok(report__category_count(r) == 3, "three categories");
	ok(!report__compute(r), "compute");
	ok(report__total(r) == 10, "total 10");
	ok(fabs(share(r, 0) - 0.2) < 1e-12, "gc: the inlined and the outlined frame, once: 2/10");
	ok(fabs(share(r, 1) - 0.3) < 1e-12, "kernel: 3/10");
	ok(fabs(share(r, 2) - 0.2) < 1e-12, "fg minus g: 2/10");
	ok(fabs(share(r, 3) - 0.5) < 1e-12, "uncategorized: the recursion, 5/10");
	ok(!strcmp(report__category_name(r, 3), "uncategorized"), "the last row's name");
	ok(report__add_spec(r, "late=x", err, sizeof(err)) == -EINVAL,
	   "no categories after compute");
	report__free(r);

	/* Every sample of zero weight: -ENODATA. */
	r = report__new();
	ok(!add(r, "a;b", 0) && report__compute(r) == -ENODATA, "zero total: -ENODATA");
	report__free(r);

	/* Many distinct frames: interning and masks stay right past table growth. */
	r = report__new();
	report__add_spec(r, "odd=[13579]$", err, sizeof(err));
	for (int i = 0; i < 20000; i++) {
		char s[64];

		snprintf(s, sizeof(s), "root;fn%d", i);
		add(r, s, 1);
		add(r, s, 1); /* the same names again: interned once */
	}
	ok(!report__compute(r) && report__total(r) == 40000 && fabs(share(r, 0) - 0.5) < 1e-12,
	   "20000 distinct frames: half end in an odd digit");
	report__free(r);

	/* names.h */
	{
		const char *v = "k8s.io/kubernetes/vendor/k8s.io/api/core/v1.(*Pod).Size";

		n = names__trim_vendor(v, strlen(v), buf);
	}
	ok(!strcmp(buf, "k8s.io/api/core/v1.(*Pod).Size") && n == strlen(buf),
	   "trim: k8s.io/kubernetes/vendor/ (%s)", buf);
	names__trim_vendor("vendor/golang.org/x/net/http2.F", 31, buf);
	ok(!strcmp(buf, "golang.org/x/net/http2.F"), "trim: Go's vendor/ (%s)", buf);
	names__trim_vendor("a/vendor/b.F[a/vendor/c.T,*x/vendor/d.U]", 40, buf);
	ok(!strcmp(buf, "b.F[c.T,*d.U]"), "trim: every token, generics too (%s)", buf);
	names__trim_vendor("myvendor/x.F", 12, buf);
	ok(!strcmp(buf, "myvendor/x.F"), "trim: only a whole path element (%s)", buf);
	n = names__display("k8s.io/apiserver/pkg/endpoints/handlers.ListResource.func1", 40, buf);
	ok(!strcmp(buf, "k8s.io/.../handlers.ListResource.func1") && n <= 40,
	   "display: the middle of the path elided (%s)", buf);
	names__display("pkg.F[go.shape.struct { A int; B string }]", 20, buf);
	ok(!strcmp(buf, "pkg.F[...]"), "display: generic arguments collapsed (%s)", buf);
	n = names__display("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.Function", 20,
			   buf);
	ok(n == 20 && !strncmp(buf, "...", 3) && strstr(buf, ".Function"),
	   "display: the start cut, the end kept (%s)", buf);
	names__display("short.F", 20, buf);
	ok(!strcmp(buf, "short.F"), "display: a short name unchanged");
	return done_testing();
}
