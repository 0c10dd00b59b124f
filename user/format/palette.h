/*
 * palette.h: deterministic frame colors for flame graphs.
 *
 * A color depends only on the palette, the frame label (with its _[k]/_[i]/
 * _[j] annotation, as flamegraph.pl sees it) and nothing else, so the same
 * function keeps its color across graphs and runs. The flamegraph.pl palettes
 * (hot, mem, io, wakeup, chain, java, js, perl, red, green, blue, aqua,
 * yellow, purple, orange) reproduce flamegraph.pl's default colors exactly:
 * it seeds Perl's drand48 with the sum of the name's characters, and so do we.
 * "go" (the default) picks a hue per Go package, with kernel frames in an
 * orange family, inlined frames in a teal family and unknown frames grey.
 */
#ifndef BPFLAME_PALETTE_H
#define BPFLAME_PALETTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rgb {
	uint8_t r, g, b;
};

/* True if name is a palette palette__color() knows. */
bool palette__valid(const char *name);

/* The names palette__valid() accepts, space separated (for --help). */
extern const char palette__names[];

/*
 * Color of the frame label [label, label+len) (annotation suffix included)
 * in palette. An unknown palette gives black, like flamegraph.pl.
 */
struct rgb palette__color(const char *palette, const char *label, size_t len);

/*
 * Differential color of flamegraph.pl: white for 0, red for growth, blue for
 * shrinkage, saturated at |delta| == maxdelta (maxdelta > 0).
 */
struct rgb palette__diff_color(double delta, double maxdelta);

/*
 * The Go package of a frame name: the path up to the last '/' plus the first
 * '.'-separated element after it ("net/http.(*conn).serve" -> "net/http",
 * "runtime.mallocgc" -> "runtime"). Returns its length; 0 when the name does
 * not look like a Go symbol (no '.' after the last '/').
 */
size_t palette__go_package(const char *name, size_t len);

#endif /* BPFLAME_PALETTE_H */
