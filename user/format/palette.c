// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "palette.h"

#include <math.h>
#include <string.h>

#include "util.h"

const char palette__names[] = "go hot mem io wakeup chain java js perl red green blue aqua "
			      "yellow purple orange";

bool palette__valid(const char *name)
{
	size_t len = strlen(name);

	for (const char *p = palette__names; *p;) {
		size_t n = strcspn(p, " ");

		if (n == len && !memcmp(p, name, n))
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

/* --- helpers --- */


static bool contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

static struct rgb rgb(int r, int g, int b)
{
	return (struct rgb){ (uint8_t)r, (uint8_t)g, (uint8_t)b };
}

/*
 * flamegraph.pl's per-name random value: srand(sum of the characters'
 * code points) then rand(1). Perl's rand is drand48, so the first value
 * after seeding is one step of the 48-bit LCG from (seed << 16) + 0x330e.
 */
static double perl_name_rand(const char *s, size_t len)
{
	const uint64_t mask = (1ULL << 48) - 1;
	uint32_t sum = 0;
	uint64_t x;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		uint32_t cp = c;
		size_t n = 1;

		/* Decode UTF-8 (flamegraph.pl reads its input as UTF-8). */
		if (c >= 0xc2 && c < 0xe0)
			n = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			n = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf5)
			n = 4, cp = c & 0x07;
		if (n > 1) {
			size_t k = 1;

			for (; k < n && i + k < len && (s[i + k] & 0xc0) == 0x80; k++)
				cp = cp << 6 | (s[i + k] & 0x3f);
			if (k < n)
				n = 1, cp = c;
		}
		sum += cp;
		i += n;
	}
	x = (((uint64_t)sum << 16) + 0x330e) & mask;
	x = (0x5deece66dULL * x + 0xb) & mask;
	return (double)x / (double)(1ULL << 48);
}

/* FNV-1a; seeded so the named Go packages land on well-separated hues. */
static uint32_t fnv32(const char *s, size_t len, uint32_t h)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static struct rgb hsl(double h, double s, double l)
{
	double c = (1 - fabs(2 * l - 1)) * s, hp = fmod(h, 360) / 60;
	double x = c * (1 - fabs(fmod(hp, 2) - 1)), m = l - c / 2, r = 0, g = 0, b = 0;

	if (hp < 1)
		r = c, g = x;
	else if (hp < 2)
		r = x, g = c;
	else if (hp < 3)
		g = c, b = x;
	else if (hp < 4)
		g = x, b = c;
	else if (hp < 5)
		r = x, b = c;
	else
		r = c, b = x;
	return rgb((int)lround((r + m) * 255), (int)lround((g + m) * 255),
		   (int)lround((b + m) * 255));
}

/* --- flamegraph.pl palettes --- */

/* The flat palettes, v in [0, 1). Returns false for an unknown name. */
static bool flat_color(const char *type, double v, struct rgb *out)
{
	if (!strcmp(type, "red"))
		*out = rgb(200 + (int)(55 * v), 50 + (int)(80 * v), 50 + (int)(80 * v));
	else if (!strcmp(type, "green"))
		*out = rgb(50 + (int)(60 * v), 200 + (int)(55 * v), 50 + (int)(60 * v));
	else if (!strcmp(type, "blue"))
		*out = rgb(80 + (int)(60 * v), 80 + (int)(60 * v), 205 + (int)(50 * v));
	else if (!strcmp(type, "yellow"))
		*out = rgb(175 + (int)(55 * v), 175 + (int)(55 * v), 50 + (int)(20 * v));
	else if (!strcmp(type, "purple"))
		*out = rgb(190 + (int)(65 * v), 80 + (int)(60 * v), 190 + (int)(65 * v));
	else if (!strcmp(type, "aqua"))
		*out = rgb(50 + (int)(60 * v), 165 + (int)(55 * v), 165 + (int)(55 * v));
	else if (!strcmp(type, "orange"))
		*out = rgb(190 + (int)(65 * v), 90 + (int)(65 * v), 0);
	else
		return false;
	return true;
}

static bool java_path(const char *s, size_t len)
{
	static const char *const prefixes[] = { "java/", "javax/", "jdk/", "net/",
						"org/",  "com/",   "io/",  "sun/" };

	if (len && s[0] == 'L')
		s++, len--;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (len >= n && !memcmp(s, prefixes[i], n))
			return true;
	}
	return false;
}

/* "/" followed somewhere later by ".js" (flamegraph.pl's m:/.*\.js:). */
static bool js_path(const char *s, size_t len)
{
	const char *slash = memchr(s, '/', len);

	return slash && contains(slash, len - (slash - s), ".js");
}

/* The flat palette flamegraph.pl's multi palettes choose for a name. */
static const char *multi_type(const char *type, const char *s, size_t len)
{
	if (!strcmp(type, "java")) {
		if (mem_has_suffix(s, len, "_[j]"))
			return "green";
		if (mem_has_suffix(s, len, "_[i]"))
			return "aqua";
		if (java_path(s, len) || contains(s, len, ":::"))
			return "green";
		if (contains(s, len, "::"))
			return "yellow";
		if (mem_has_suffix(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(type, "perl")) {
		if (contains(s, len, "::"))
			return "yellow";
		if (contains(s, len, "Perl") || contains(s, len, ".pl"))
			return "green";
		if (mem_has_suffix(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(type, "js")) {
		if (mem_has_suffix(s, len, "_[j]"))
			return memchr(s, '/', len) ? "green" : "aqua";
		if (contains(s, len, "::"))
			return "yellow";
		if (js_path(s, len))
			return "green";
		if (memchr(s, ':', len))
			return "aqua";
		if (len == 1 && s[0] == ' ')
			return "green";
		if (contains(s, len, "_[k]"))
			return "orange";
		return "red";
	}
	if (!strcmp(type, "wakeup"))
		return "aqua";
	if (!strcmp(type, "chain"))
		return contains(s, len, "_[w]") ? "aqua" : "blue";
	return type;
}

/* --- the Go palette --- */

size_t palette__go_package(const char *name, size_t len)
{
	size_t end = len, slash = 0;
	const char *dot;

	/* Type parameters and receivers come after the package: cut there. */
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '(' || name[i] == '[' || name[i] == ' ') {
			end = i;
			break;
		}
	}
	for (size_t i = 0; i < end; i++) {
		if (name[i] == '/')
			slash = i + 1;
	}
	dot = memchr(name + slash, '.', end - slash);
	if (!dot || dot == name + slash)
		return 0;
	return dot - name;
}

/*
 * The module of a Go package: the repository for hosted code
 * ("github.com/a/b/c" -> "github.com/a/b", "k8s.io/apiserver/pkg/x" ->
 * "k8s.io/apiserver", "golang.org/x/net/http2" -> "golang.org/x/net"), the
 * whole package for the standard library ("net/http"), whose packages are
 * each worth telling apart.
 */
static size_t go_module(const char *pkg, size_t len)
{
	static const char *const hosts[] = { "github.com/", "gitlab.com/", "bitbucket.org/",
					      "golang.org/x/" };
	const char *slash = memchr(pkg, '/', len);
	size_t parts = 2, n = 0;

	if (!slash || !memchr(pkg, '.', slash - pkg))
		return len;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (len > strlen(hosts[i]) && !memcmp(pkg, hosts[i], strlen(hosts[i])))
			parts = 3;
	}
	for (size_t i = 0; i < len; i++) {
		if (pkg[i] == '/' && ++n == parts)
			return i;
	}
	return len;
}

/*
 * Hues for Go modules: the circle minus red (native code), orange (kernel)
 * and teal (inlined), in 15 degree steps.
 */
static const double go_hues[] = { 60,  75,  90,  105, 120, 135, 150, 215,
				  230, 245, 260, 275, 290, 305, 320, 335 };

/* Final mixing of a hash, so its low bits depend on every input byte. */
static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	return h ^ (h >> 13);
}

/*
 * Chosen (by a search over seeds) so that runtime, net/http, encoding/json,
 * crypto/tls and k8s.io/apiserver are at least 60 degrees apart.
 */
#define GO_SEED 46079u

static bool unknown_name(const char *s, size_t len)
{
	return !len || (len == 1 && s[0] == '?') || (s[0] == '[' && s[len - 1] == ']');
}

static struct rgb go_color(const char *s, size_t len)
{
	double v = perl_name_rand(s, len);
	size_t pkg, mod;
	uint32_t hm, hp, hf;

	if (mem_has_suffix(s, len, "_[k]"))
		return hsl(28 + 10 * v, 0.85, 0.55 + 0.12 * v);
	if (mem_has_suffix(s, len, "_[i]"))
		return hsl(178 + 8 * v, 0.45, 0.58 + 0.12 * v);
	if (mem_has_suffix(s, len, "_[j]"))
		len -= 4;
	if (unknown_name(s, len))
		return hsl(0, 0, 0.70 + 0.1 * v);
	pkg = palette__go_package(s, len);
	if (!pkg) /* native code: flamegraph.pl's red for system code */
		return hsl(4 + 8 * v, 0.70, 0.62 + 0.1 * v);
	mod = go_module(s, pkg);
	hm = mix32(fnv32(s, mod, GO_SEED));
	hp = mix32(fnv32(s, pkg, 2166136261u));
	hf = mix32(fnv32(s, len, 2166136261u));
	/* hue by module; lightness by package and function, saturation by function */
	return hsl(go_hues[hm % (sizeof(go_hues) / sizeof(go_hues[0]))] + (double)(hp % 7) - 3,
		   0.50 + 0.03 * (hf % 8), 0.57 + 0.03 * (hp % 4) + 0.012 * (hf / 8 % 4));
}

struct rgb palette__color(const char *palette, const char *label, size_t len)
{
	double v;
	struct rgb c;

	if (!strcmp(palette, "go"))
		return go_color(label, len);
	v = perl_name_rand(label, len);
	if (!strcmp(palette, "hot"))
		return rgb(205 + (int)(50 * v), (int)(230 * v), (int)(55 * v));
	if (!strcmp(palette, "mem"))
		return rgb(0, 190 + (int)(50 * v), (int)(210 * v));
	if (!strcmp(palette, "io")) {
		int x = 80 + (int)(60 * v);

		return rgb(x, x, 190 + (int)(55 * v));
	}
	if (flat_color(multi_type(palette, label, len), v, &c))
		return c;
	return rgb(0, 0, 0);
}

struct rgb palette__diff_color(double delta, double maxdelta)
{
	int r = 255, g = 255, b = 255;

	if (delta > 0)
		g = b = (int)(210 * (maxdelta - delta) / maxdelta);
	else if (delta < 0)
		r = g = (int)(210 * (maxdelta + delta) / maxdelta);
	return rgb(r, g, b);
}
