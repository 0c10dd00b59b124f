// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * test_flamegraph.c: the palette and the renderer through their headers.
 * Expected flamegraph.pl colors were read off flamegraph.pl's own output
 * (FlameGraph at its 2024 master) for the same names.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "palette.h"
#include "stacks.h"
#include "tap.h"

static int is_rgb(struct rgb c, int r, int g, int b, const char *what)
{
	return ok(c.r == r && c.g == g && c.b == b, "%s: rgb(%d,%d,%d), want rgb(%d,%d,%d)", what,
		  c.r, c.g, c.b, r, g, b);
}

static struct rgb color(const char *palette, const char *label)
{
	return palette__color(palette, label, strlen(label));
}

static double hue_of(struct rgb c)
{
	double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
	double max = fmax(r, fmax(g, b)), min = fmin(r, fmin(g, b)), d = max - min, h;

	if (d == 0)
		return -1;
	if (max == r)
		h = fmod((g - b) / d, 6);
	else if (max == g)
		h = (b - r) / d + 2;
	else
		h = (r - g) / d + 4;
	h *= 60;
	return h < 0 ? h + 360 : h;
}

static double hue_distance(double a, double b)
{
	double d = fabs(a - b);

	return d > 180 ? 360 - d : d;
}

static void test_go_package(void)
{
	static const struct {
		const char *name, *pkg;
	} cases[] = {
		{ "net/http.(*conn).serve", "net/http" },
		{ "runtime.mallocgc", "runtime" },
		{ "encoding/json.Marshal", "encoding/json" },
		{ "k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP",
		  "k8s.io/apiserver/pkg/server" },
		{ "github.com/a/b.c.d.(*T).M.func1", "github.com/a/b" },
		{ "encoding/json.Marshal[go.shape.*k8s.io/api/core/v1.Pod]", "encoding/json" },
		{ "malloc", "" },
		{ "[unknown]", "" },
		{ "std::vector<int>::push_back", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = palette__go_package(cases[i].name, strlen(cases[i].name));

		ok(n == strlen(cases[i].pkg) && !strncmp(cases[i].name, cases[i].pkg, n),
		   "go package of %s is '%s' (got '%.*s')", cases[i].name, cases[i].pkg, (int)n,
		   cases[i].name);
	}
}

static void test_go_palette(void)
{
	static const char *const names[] = {
		"runtime.mallocgc",
		"net/http.(*conn).serve",
		"encoding/json.Marshal",
		"crypto/tls.(*Conn).Read",
		"k8s.io/apiserver/pkg/server.(*APIServerHandler).ServeHTTP",
	};
	double hues[5];
	struct rgb a, b, c;

	for (size_t i = 0; i < 5; i++)
		hues[i] = hue_of(color("go", names[i]));
	for (size_t i = 0; i < 5; i++) {
		for (size_t j = i + 1; j < 5; j++)
			ok(hue_distance(hues[i], hues[j]) >= 45, "%s and %s: hues %.0f and %.0f",
			   names[i], names[j], hues[i], hues[j]);
	}
	/* same package, same hue family; deterministic */
	a = color("go", "runtime.mallocgc");
	b = color("go", "runtime.gcDrain");
	ok(hue_distance(hue_of(a), hue_of(b)) < 10, "runtime functions share a hue");
	c = color("go", "runtime.mallocgc");
	ok(a.r == c.r && a.g == c.g && a.b == c.b, "colors are deterministic");
	/* kernel: orange; inlined: teal; unknown: grey */
	a = color("go", "do_syscall_64_[k]");
	ok(hue_of(a) >= 20 && hue_of(a) <= 45, "kernel frame is orange (hue %.0f)", hue_of(a));
	a = color("go", "encoding/json.(*encodeState).marshal_[i]");
	ok(hue_of(a) >= 170 && hue_of(a) <= 195, "inlined frame is teal (hue %.0f)", hue_of(a));
	a = color("go", "[unknown]");
	ok(a.r == a.g && a.g == a.b, "[unknown] is grey");
	a = color("go", "?");
	ok(a.r == a.g && a.g == a.b, "? is grey");
	a = color("go", "[...]");
	ok(a.r == a.g && a.g == a.b, "[...] is grey");
}

static void test_perl_palettes(void)
{
	/* flamegraph.pl --colors hot, same names */
	is_rgb(color("hot", "runtime.mallocgc"), 241, 169, 40, "hot runtime.mallocgc");
	is_rgb(color("hot", "do_syscall_64_[k]"), 215, 50, 12, "hot do_syscall_64_[k]");
	is_rgb(color("hot", "net/http.(*conn).serve"), 240, 162, 38, "hot net/http");
	is_rgb(color("hot", ""), 213, 39, 9, "hot root");
	is_rgb(palette__diff_color(30, 30), 255, 0, 0, "diff: largest growth is red");
	is_rgb(palette__diff_color(-30, 30), 0, 0, 255, "diff: largest shrink is blue");
	is_rgb(palette__diff_color(10, 30), 255, 140, 140, "diff: +10 of 30");
	is_rgb(palette__diff_color(0, 30), 255, 255, 255, "diff: no change is white");
	ok(palette__valid("go") && palette__valid("hot") && palette__valid("orange") &&
		   palette__valid("java") && !palette__valid("ho") && !palette__valid("") &&
		   !palette__valid("go hot"),
	   "palette__valid");
}

static struct stacks *make_profile(const char *const *stacks, const double *weights, size_t n)
{
	struct stacks *prof = stacks__new();

	for (size_t i = 0; prof && i < n; i++) {
		uint32_t ids[16], depth = 0;
		char *copy = strdup(stacks[i]), *save = NULL;

		for (char *t = strtok_r(copy, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
			struct stack_frame f = { .name = t };

			stacks__intern_frame(prof, &f, &ids[depth++]);
		}
		stacks__add_stack(prof, ids, depth, weights[i]);
		free(copy);
	}
	return prof;
}

/* Renders prof; returns the malloc'd SVG text or NULL, *err set. */
static char *render(const struct stacks *prof, const struct flamegraph_opts *o, int *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	*err = flamegraph__write(prof, o, out);
	fclose(out);
	if (*err) {
		free(text);
		return NULL;
	}
	return text;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void test_render(void)
{
	static const char *const stacks[] = { "a;b", "a;c", "a;b" };
	static const double weights[] = { 3, 1, 2 };
	static const char *const before_stacks[] = { "a;b", "a;c" };
	static const double before_weights[] = { 1, 3 };
	struct stacks *prof = make_profile(stacks, weights, 3), *empty = stacks__new();
	struct stacks *before = make_profile(before_stacks, before_weights, 2);
	struct flamegraph_opts o;
	char *svg;
	int err;

	flamegraph_opts__init(&o);
	svg = render(prof, &o, &err);
	ok(svg && !err, "renders");
	if (svg) {
		ok(count(svg, "<g><title>") == 4, "4 frames: all, a, b, c");
		ok(strstr(svg, "<title>all (6 samples, 100%)</title>") != NULL, "root title");
		ok(strstr(svg, "<title>b (5 samples, 83.33%)</title><rect x=\"10\" y=\"") != NULL,
		   "b merged, first, at x 10");
		ok(strstr(svg, "<title>c (1 samples, 16.67%)</title><rect x=\"993.3\"") != NULL,
		   "c after b: 10 + 1180 * 5 / 6");
		ok(strstr(svg, "<g id=\"frames\">") && strstr(svg, "id=\"matched\"") &&
			   strstr(svg, "id=\"search\"") && strstr(svg, "id=\"unzoom\"") &&
			   strstr(svg, "id=\"details\"") && strstr(svg, "id=\"ignorecase\"") &&
			   strstr(svg, "<script"),
		   "ids of the contract and the script");
		ok(!strstr(svg, "onclick") && !strstr(svg, "onmouseover"),
		   "no per-frame handlers");
		free(svg);
	}
	o.no_script = true;
	svg = render(prof, &o, &err);
	ok(svg && !strstr(svg, "<script"), "--no-script leaves the script out");
	free(svg);

	o.before = before;
	svg = render(prof, &o, &err);
	ok(svg && strstr(svg, "<title>b (5 samples, 83.33%; +66.67%)</title>") &&
		   strstr(svg, "<title>c (1 samples, 16.67%; -33.33%)</title>"),
	   "differential titles carry the delta");
	/* b grew by 4 (the largest change): red; c shrank by 2 of 4 */
	ok(svg && strstr(svg, "fill=\"#ff0000\"") && strstr(svg, "fill=\"#6969ff\""),
	   "differential colors");
	free(svg);
	o.before = NULL;

	svg = render(empty, &o, &err);
	ok(!svg && err == -ENODATA, "empty profile: -ENODATA");
	o.palette = "nope";
	svg = render(prof, &o, &err);
	ok(!svg && err == -EINVAL, "unknown palette: -EINVAL");
	stacks__free(prof);
	stacks__free(before);
	stacks__free(empty);
}

int main(void)
{
	test_go_package();
	test_go_palette();
	test_perl_palettes();
	test_render();
	return done_testing();
}
