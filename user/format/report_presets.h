/*
 * report_presets.h: named sets of report categories for known programs
 * (`bpflame report --preset NAME`), kept in one documented table in
 * report_presets.c. A preset may name a detect regex: a profile with a
 * frame matching it is taken to be of that program when no categories are
 * given (so `record -o out.txt` of kube-apiserver gets its categories).
 */
#ifndef BPFLAME_REPORT_PRESETS_H
#define BPFLAME_REPORT_PRESETS_H

#include <stdbool.h>
#include <stddef.h>

#include "report.h"

struct report_pattern {
	const char *category;
	const char *regex;
	bool exclude; /* frames matching regex never belong to category */
};

struct report_preset {
	const char *name;
	const char *summary;
	const char *detect; /* NULL: never chosen automatically */
	const struct report_pattern *patterns;
	size_t npatterns;
};

size_t report_presets__count(void);
const struct report_preset *report_presets__get(size_t i);
/* The preset called name, or NULL. */
const struct report_preset *report_presets__find(const char *name);

/* Adds every pattern of p to r. Returns as report__add_pattern(). */
int report_presets__apply(const struct report_preset *p, struct report *r, char *err,
			  size_t errlen);

/*
 * The first preset whose detect regex matches a frame of r, or NULL when
 * none does (or on error).
 */
const struct report_preset *report_presets__detect(const struct report *r);

#endif /* BPFLAME_REPORT_PRESETS_H */
