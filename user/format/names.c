// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * names.c: vendor-prefix trimming and width-bounded display names (names.h).
 * Everything works on bytes; Go symbol names are ASCII in practice, and a
 * cut never splits a UTF-8 sequence because only the start is cut, at a
 * character boundary found by skipping continuation bytes.
 */
#include "names.h"

#include <stdbool.h>
#include <string.h>

static bool is_delim(char c)
{
	return c == '[' || c == ']' || c == '(' || c == ')' || c == ',' || c == '*' || c == ';' ||
	       c == ' ';
}

size_t names__trim_vendor(const char *name, size_t len, char *out)
{
	static const char vendor[] = "vendor/";
	const size_t vlen = sizeof(vendor) - 1;
	size_t i = 0, o = 0;

	while (i < len) {
		size_t start = i, end, cut = start;

		if (is_delim(name[i])) {
			out[o++] = name[i++];
			continue;
		}
		for (end = start; end < len && !is_delim(name[end]); end++)
			;
		/* The token's last "vendor/" at its start or after a '/'. */
		for (size_t p = start; p + vlen <= end; p++) {
			if ((p == start || name[p - 1] == '/') && !memcmp(name + p, vendor, vlen))
				cut = p + vlen;
		}
		memcpy(out + o, name + cut, end - cut);
		o += end - cut;
		i = end;
	}
	out[o] = '\0';
	return o;
}

/* Replaces the contents of every outermost [...] with "...", in place. */
static size_t collapse_generics(char *s, size_t len)
{
	size_t o = 0;
	int depth = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '[') {
			if (depth++ == 0) {
				s[o++] = '[';
				memcpy(s + o, "...", 3);
				o += 3;
			}
			continue;
		}
		if (c == ']' && depth > 0) {
			if (--depth == 0)
				s[o++] = ']';
			continue;
		}
		if (depth == 0)
			s[o++] = c;
	}
	s[o] = '\0';
	return o;
}

/*
 * "a.io/b/c/d.F" -> "a.io/.../d.F": keeps the first element of the import
 * path and the last (the package name), in place. The path ends at the last
 * '/' before the first '[' (generic arguments hold paths of their own).
 */
static size_t elide_path(char *s, size_t len)
{
	const char *bracket = memchr(s, '[', len);
	size_t plen = bracket ? (size_t)(bracket - s) : len, first, last;
	char *slash = memchr(s, '/', plen);

	if (!slash)
		return len;
	first = slash - s;
	for (last = plen; last > first && s[last - 1] != '/'; last--)
		;
	last--; /* the last '/' */
	if (last <= first + 4)
		return len; /* "a/.../b" would be no shorter */
	memmove(s + first + 4, s + last, len - last + 1);
	memcpy(s + first + 1, "...", 3);
	return len - (last - first - 4);
}

size_t names__display(const char *name, size_t width, char *out)
{
	size_t len = names__trim_vendor(name, strlen(name), out), start;

	if (len > width)
		len = collapse_generics(out, len);
	if (len > width)
		len = elide_path(out, len);
	if (len <= width)
		return len;
	start = len - (width - 3);
	while (start < len && ((unsigned char)out[start] & 0xc0) == 0x80)
		start++;
	memmove(out + 3, out + start, len - start + 1);
	memcpy(out, "...", 3);
	return 3 + len - start;
}
