// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of kallsyms.h: a synthetic kallsyms file and the real one. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kallsyms.h"
#include "tap.h"

/* The synthetic kallsyms files: a memfd, by its /proc path, so that nothing
 * is left in /tmp when a test aborts (a sanitizer report ends it at once). */
static char tmp_path[64];

static int load_text(const char *text, struct ksyms **ks)
{
	FILE *f = fopen(tmp_path, "w");

	fputs(text, f);
	fclose(f);
	return ksyms__load(tmp_path, ks);
}

static const char synthetic[] =
	"0000000000000000 A fixed_percpu_data\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 t startup_64\n"
	"ffffffff81000100 T do_syscall_64\n"
	"ffffffff81000180 D some_data\n" /* data: ignored */
	"ffffffff81000200 t local_helper\n"
	"ffffffff81000300 W weak_fn\n"
	"ffffffff81000300 T strong_alias\n"
	"ffffffff81000400 T _etext\n"
	"ffffffffc0a00000 t ext4_fill_super\t[ext4]\n"
	"ffffffffc0a00080 T ext4_iget\t[ext4]\n"
	"ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_handle\t[bpf]\n";

static void expect(struct ksyms *ks, uint64_t addr, const char *name, const char *module)
{
	struct ksym s = { 0 };
	int err = ksyms__find(ks, addr, &s);

	ok(!err && s.name && !strcmp(s.name, name) &&
		   (module ? s.module && !strcmp(s.module, module) : !s.module),
	   "0x%llx -> %s%s%s", (unsigned long long)addr, name, module ? " in " : "",
	   module ? module : "");
	if (err || !s.name)
		printf("#   err %d\n", err);
	else if (strcmp(s.name, name))
		printf("#   got %s\n", s.name);
}

static void test_synthetic(void)
{
	struct ksyms *ks = NULL;
	struct ksym s;

	is_int(load_text(synthetic, &ks), 0, "synthetic file loads");
	if (!ks)
		return;
	is_int(ksyms__count(ks), 8, "8 text addresses (aliases merged, data and 0 skipped)");
	expect(ks, 0xffffffff81000000, "_text", NULL);
	expect(ks, 0xffffffff81000050, "_text", NULL);
	expect(ks, 0xffffffff81000100, "do_syscall_64", NULL);
	expect(ks, 0xffffffff810001ff, "do_syscall_64", NULL);
	expect(ks, 0xffffffff81000234, "local_helper", NULL);
	expect(ks, 0xffffffff81000300, "strong_alias", NULL);
	expect(ks, 0xffffffffc0a00010, "ext4_fill_super", "ext4");
	expect(ks, 0xffffffffc0a00080, "ext4_iget", "ext4");
	expect(ks, 0xffffffffc0b00004, "bpf_prog_6deef7357e7b4530_handle", "bpf");
	is_int(ksyms__find(ks, 0xffffffff80ffffff, &s), -ENOENT, "below the first symbol");
	is_int(ksyms__find(ks, 0, &s), -ENOENT, "address 0");
	ksyms__free(ks);

	is_int(load_text("0000000000000000 T _text\n0000000000000000 t foo\n"
			 "0000000000000000 D bar\n", &ks),
	       -EPERM, "all addresses zero (kptr_restrict): -EPERM");
	is_int(load_text("ffffffff81000000 D only_data\n", &ks), -ENOENT,
	       "no text symbol: -ENOENT");
	is_int(load_text("ffffffff81000000 T good\nzzzz T bad\n", &ks), -EINVAL,
	       "malformed address: -EINVAL");
	is_int(load_text("ffffffff81000000 T x\t[unterminated\n", &ks), -EINVAL,
	       "malformed module: -EINVAL");
	is_int(load_text("ffffffff81000000 T\n", &ks), -EINVAL, "missing name: -EINVAL");
	ok(ks == NULL, "nothing returned on error");
	is_int(ksyms__load("/nonexistent/kallsyms", &ks), -ENOENT, "missing file: -ENOENT");
}

/* The synthetic file's lines in reverse: kallsyms promises no order. */
static const char synthetic_reversed[] =
	"ffffffffc0b00000 t bpf_prog_6deef7357e7b4530_handle\t[bpf]\n"
	"ffffffffc0a00080 T ext4_iget\t[ext4]\n"
	"ffffffffc0a00000 t ext4_fill_super\t[ext4]\n"
	"ffffffff81000400 T _etext\n"
	"ffffffff81000300 T strong_alias\n"
	"ffffffff81000300 W weak_fn\n"
	"ffffffff81000200 t local_helper\n"
	"ffffffff81000180 D some_data\n"
	"ffffffff81000100 T do_syscall_64\n"
	"ffffffff81000000 t startup_64\n"
	"ffffffff81000000 T _text\n"
	"0000000000000000 A fixed_percpu_data\n";

static int load_text_for(const char *text, const uint64_t *addrs, size_t n, struct ksyms **ks)
{
	FILE *f = fopen(tmp_path, "w");

	fputs(text, f);
	fclose(f);
	return ksyms__load_for(tmp_path, addrs, n, ks);
}

static void test_filtered(const char *what, const char *text)
{
	/* Unsorted, with a duplicate and one address below every symbol. */
	static const uint64_t addrs[] = {
		0xffffffffc0a00010, 0xffffffff81000234, 0xffffffff81000050,
		0xffffffff81000234, 0xffffffff80000000, 0xffffffff81000300,
	};
	struct ksyms *ks = NULL;
	struct ksym s;

	is_int(load_text_for(text, addrs, sizeof(addrs) / sizeof(addrs[0]), &ks), 0,
	       "%s: loads for 6 addresses", what);
	if (!ks)
		return;
	is_int(ksyms__count(ks), 4, "%s: only the 4 symbols they fall in are kept", what);
	expect(ks, 0xffffffff81000050, "_text", NULL);
	expect(ks, 0xffffffff81000000, "_text", NULL);
	expect(ks, 0xffffffff81000234, "local_helper", NULL);
	expect(ks, 0xffffffff81000300, "strong_alias", NULL);
	expect(ks, 0xffffffffc0a00010, "ext4_fill_super", "ext4");
	/* Past a kept symbol, where another one starts: no symbol, never the
	 * kept neighbour. */
	is_int(ksyms__find(ks, 0xffffffff81000100, &s), -ENOENT,
	       "%s: an address of a symbol not kept resolves to nothing", what);
	is_int(ksyms__find(ks, 0xffffffffc0a00080, &s), -ENOENT,
	       "%s: same in a module", what);
	is_int(ksyms__find(ks, 0xffffffff80000000, &s), -ENOENT, "%s: below every symbol", what);
	ksyms__free(ks);
}

static void test_filtered_errors(void)
{
	static const uint64_t one = 0xffffffff81000050;
	struct ksyms *ks = NULL;
	struct ksym s;

	is_int(load_text_for(synthetic, NULL, 0, &ks), 0, "no addresses: loads");
	if (ks) {
		is_int(ksyms__count(ks), 0, "no addresses: an empty table");
		is_int(ksyms__find(ks, one, &s), -ENOENT, "no addresses: nothing resolves");
		ksyms__free(ks);
		ks = NULL;
	}
	is_int(load_text_for("0000000000000000 T _text\n0000000000000000 t foo\n", &one, 1, &ks),
	       -EPERM, "for addresses, all addresses zero: -EPERM");
	is_int(load_text_for("ffffffff81000000 T good\nzzzz T bad\n", &one, 1, &ks), -EINVAL,
	       "for addresses, malformed line: -EINVAL");
	ok(ks == NULL, "for addresses: nothing returned on error");
	is_int(ksyms__load_for("/nonexistent/kallsyms", &one, 1, &ks), -ENOENT,
	       "for addresses, missing file: -ENOENT");
}

/* The address of a T symbol, read here without the module under test. */
static uint64_t addr_of(const char *name)
{
	char line[1024], sym[512], type;
	unsigned long long addr, found = 0;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &addr, &type, sym) == 3 &&
		    (type == 'T' || type == 't') && !strcmp(sym, name) && !strchr(line, '[')) {
			found = addr;
			break;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static void test_real(void)
{
	static const char *const names[] = { "schedule", "do_syscall_64", "vfs_read" };
	struct ksyms *ks = NULL;
	int err = ksyms__load(NULL, &ks);

	if (geteuid() != 0 && err == -EPERM) {
		ok(1, "# SKIP /proc/kallsyms hidden from non-root (kptr_restrict)");
		return;
	}
	is_int(err, 0, "/proc/kallsyms loads");
	if (!ks)
		return;
	ok(ksyms__count(ks) > 10000, "real kernel: %u symbols", ksyms__count(ks));
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint64_t a = addr_of(names[i]);

		ok(a != 0, "%s found in /proc/kallsyms", names[i]);
		if (!a)
			continue;
		expect(ks, a, names[i], NULL);
		expect(ks, a + 1, names[i], NULL);
	}
	ksyms__free(ks);
}

/* ksyms__load_for against the whole table on the real kernel: every 50th
 * core text symbol (as this test reads the file), at its start and 1 byte
 * in, resolves to the same name both ways, with a small fraction kept. */
static void test_real_filtered(void)
{
	char line[1024], sym[512], type;
	unsigned long long addr;
	uint64_t *addrs = NULL;
	size_t n = 0, cap = 0, seen = 0, same = 0;
	struct ksyms *all = NULL, *some = NULL;
	FILE *f = fopen("/proc/kallsyms", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %511s", &addr, &type, sym) != 3 || !addr ||
		    (type != 'T' && type != 't') || strchr(line, '[') || seen++ % 50)
			continue;
		if (n + 2 > cap) {
			cap = cap ? 2 * cap : 1024;
			addrs = realloc(addrs, cap * sizeof(*addrs));
		}
		addrs[n++] = addr;
		addrs[n++] = addr + 1;
	}
	if (f)
		fclose(f);
	if (!n) {
		ok(1, "# SKIP /proc/kallsyms hidden from this user");
		free(addrs);
		return;
	}
	is_int(ksyms__load(NULL, &all), 0, "real kernel: whole table");
	is_int(ksyms__load_for(NULL, addrs, n, &some), 0, "real kernel: for %zu addresses", n);
	if (all && some) {
		for (size_t i = 0; i < n; i++) {
			struct ksym a = { 0 }, b = { 0 };

			same += !ksyms__find(all, addrs[i], &a) && !ksyms__find(some, addrs[i], &b) &&
				a.addr == b.addr && !strcmp(a.name, b.name);
		}
		is_int((long long)same, (long long)n, "real kernel: all %zu resolve as with the whole table", n);
		ok(ksyms__count(some) * 10 < ksyms__count(all),
		   "real kernel: %u symbols kept of %u", ksyms__count(some), ksyms__count(all));
	}
	ksyms__free(all);
	ksyms__free(some);
	free(addrs);
}

int main(void)
{
	int fd = memfd_create("test_kallsyms", 0);

	if (fd < 0)
		return 1;
	snprintf(tmp_path, sizeof(tmp_path), "/proc/self/fd/%d", fd);
	test_synthetic();
	test_filtered("file order", synthetic);
	test_filtered("reversed file", synthetic_reversed);
	test_filtered_errors();
	test_real();
	test_real_filtered();
	close(fd);
	return done_testing();
}
