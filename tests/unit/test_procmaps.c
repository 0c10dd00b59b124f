// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of procmaps.h: /proc/PID/maps parsing. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procmaps.h"
#include "tap.h"

static const char sample[] =
	"55d0c6a00000-55d0c6a02000 r--p 00000000 fd:01 1835271                    "
	"/usr/bin/cat\n"
	"55d0c6a02000-55d0c6a07000 r-xp 00002000 fd:01 1835271                    "
	"/usr/bin/cat\n"
	"55d0c7b1e000-55d0c7b3f000 rw-p 00000000 00:00 0                          [heap]\n"
	"7f1c2a000000-7f1c2a021000 rw-p 00000000 00:00 0 \n"
	"7f1c2a400000-7f1c2a422000 r-xp 00028000 103:02 42                        "
	"/opt/my app/lib/libfoo bar.so\n"
	"7f1c2a500000-7f1c2a501000 r-xs 00001000 08:11 77                         "
	"/tmp/gone.so (deleted)\n"
	"7ffd1c1f0000-7ffd1c1f2000 r-xp 00000000 00:00 0                          [vdso]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  "
	"[vsyscall]\n";

static void test_sample(void)
{
	struct proc_maps maps;
	const struct proc_map *m;
	int n = procmaps__parse_str(sample, &maps);

	is_int(n, 8, "sample: 8 mappings");
	if (n != 8)
		return;
	m = &maps.v[1];
	ok(m->start == 0x55d0c6a02000 && m->end == 0x55d0c6a07000, "range of cat text");
	is_int(m->offset, 0x2000, "offset is hex");
	ok(major(m->dev) == 0xfd && minor(m->dev) == 1, "dev fd:01");
	is_int(m->inode, 1835271, "inode is decimal");
	is_int(m->perms, PROC_MAP_R | PROC_MAP_X, "r-xp");
	is_str(m->path, "/usr/bin/cat", "path after the padding");
	is_str(maps.v[2].path, "[heap]", "[heap]");
	is_str(maps.v[3].path, "", "anonymous: empty path");
	is_int(maps.v[3].inode, 0, "anonymous: inode 0");
	is_str(maps.v[4].path, "/opt/my app/lib/libfoo bar.so", "path with spaces kept whole");
	ok(major(maps.v[4].dev) == 0x103 && minor(maps.v[4].dev) == 2, "3-digit major");
	is_str(maps.v[5].path, "/tmp/gone.so (deleted)", "deleted path kept as printed");
	ok(proc_map__deleted(&maps.v[5]) && !proc_map__deleted(&maps.v[4]), "deleted flag");
	is_int(maps.v[5].perms, PROC_MAP_R | PROC_MAP_X | PROC_MAP_SHARED, "r-xs");
	is_str(maps.v[6].path, "[vdso]", "[vdso]");
	is_int(maps.v[7].perms, PROC_MAP_X, "--xp");
	ok(maps.v[7].end == 0xffffffffff601000ull, "64-bit addresses");

	m = procmaps__find(&maps, 0x55d0c6a02000);
	ok(m == &maps.v[1], "find: start is inside");
	ok(procmaps__find(&maps, 0x55d0c6a06fff) == &maps.v[1], "find: last byte");
	ok(procmaps__find(&maps, 0x55d0c6a07000) == NULL, "find: end is outside (gap)");
	ok(procmaps__find(&maps, 0x1000) == NULL, "find: below the first");
	ok(procmaps__find(&maps, 0x7f1c2a400123) == &maps.v[4], "find: spaced library");
	procmaps__free(&maps);
}

static void test_order_and_errors(void)
{
	struct proc_maps maps;
	char *big;

	is_int(procmaps__parse_str("2000-3000 r-xp 0 00:00 0\n1000-2000 r-xp 0 00:00 0 /a\n",
				   &maps),
	       2, "unsorted input parses");
	ok(maps.n == 2 && maps.v[0].start == 0x1000 && !strcmp(maps.v[0].path, "/a"),
	   "sorted by start");
	ok(procmaps__find(&maps, 0x2000) == &maps.v[1], "adjacent: start belongs to the next");
	procmaps__free(&maps);

	is_int(procmaps__parse_str("", &maps), 0, "empty input: no mappings");
	is_int(procmaps__parse_str("1000-2000 r-xp 0 00:00 0", &maps), 1,
	       "last line without newline");
	procmaps__free(&maps);

	static const char *const bad[] = {
		"1000-2000 r-xp 0 00:00\n",                  /* no inode */
		"1000 r-xp 0 00:00 0\n",                     /* no end */
		"2000-1000 r-xp 0 00:00 0\n",                /* end < start */
		"1000-2000 rwxq 0 00:00 0\n",                /* bad perms */
		"1000-2000 r-xp 0 0000 0\n",                 /* no colon */
		"1000-2000 r-xp 0 00:00 12x\n",              /* junk after inode */
		"10000000000000000-2 r-xp 0 00:00 0\n",      /* 17 hex digits */
		"1000-2000 r-xp 0 00:00 99999999999999999999\n", /* inode overflow */
		"ok\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = procmaps__parse_str(bad[i], &maps);

		is_int(n, -EINVAL, "malformed line %zu rejected", i);
		ok(maps.n == 0 && maps.v == NULL, "nothing returned on error %zu", i);
	}

	big = malloc(PROC_MAPS_LINE_MAX + 64);
	strcpy(big, "1000-2000 r-xp 0 00:00 1 /");
	memset(big + strlen(big), 'a', PROC_MAPS_LINE_MAX);
	strcpy(big + PROC_MAPS_LINE_MAX + 20, "\n");
	is_int(procmaps__parse_str(big, &maps), -E2BIG, "overlong line rejected");
	free(big);
}

static void test_self_and_dead(void)
{
	char exe[4096];
	struct proc_maps maps;
	const struct proc_map *m;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int n, status;
	pid_t child;

	exe[len > 0 ? len : 0] = '\0';
	n = procmaps__read(getpid(), &maps);
	ok(n > 5, "own maps: %d mappings", n);
	m = procmaps__find(&maps, (uint64_t)(uintptr_t)&test_self_and_dead);
	ok(m != NULL, "own text mapping found");
	if (m) {
		is_str(m->path, exe, "own text maps to /proc/self/exe");
		ok(m->perms & PROC_MAP_X, "own text is executable");
	}
	procmaps__free(&maps);

	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, &status, 0);
	is_int(procmaps__read(child, &maps), -ESRCH, "reaped process: -ESRCH");
}

int main(void)
{
	test_sample();
	test_order_and_errors();
	test_self_and_dead();
	return done_testing();
}
