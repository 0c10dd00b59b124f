// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of elfsym.h and elffile.h on real files: this test binary and
 * libc, checked against readelf and the dynamic loader, plus corrupted
 * copies.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"
#include "tap.h"

/* A function without .size, then a sized one 16 bytes later. */
__asm__(".text\n"
	".p2align 4\n"
	".globl elfsym_nosize\n"
	".type elfsym_nosize, @function\n"
	"elfsym_nosize:\n"
	"	nop\n	nop\n	nop\n	ret\n"
	".p2align 4\n"
	".globl elfsym_after\n"
	".type elfsym_after, @function\n"
	"elfsym_after:\n"
	"	ret\n"
	".size elfsym_after, .-elfsym_after\n");
void elfsym_nosize(void);
void elfsym_after(void);

__attribute__((noinline)) int elfsym_global_fn(int x)
{
	return x * 3 + 1;
}

static __attribute__((noinline)) int elfsym_static_fn(int x)
{
	return x ^ 0x5a5a;
}

struct sym {
	uint64_t addr, size;
	char name[1024];
};

int main(void);

static char own_exe[4096]; /* not /proc/self/exe: readelf runs in another process */
static uintptr_t own_base;
static struct elf_seg own_segs[16];
static int own_nsegs;

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	own_base = info->dlpi_addr;
	for (int i = 0; i < info->dlpi_phnum && own_nsegs < 16; i++) {
		const ElfW(Phdr) *p = &info->dlpi_phdr[i];

		if (p->p_type == PT_LOAD)
			own_segs[own_nsegs++] = (struct elf_seg){ p->p_offset, p->p_vaddr,
								  p->p_filesz, p->p_memsz,
								  p->p_flags };
	}
	return 1; /* the first object is the executable */
}

static uint64_t own_vaddr(const void *fn)
{
	return (uint64_t)(uintptr_t)fn - own_base;
}

/* Function symbols as readelf lists them (.dynsym and .symtab). */
static struct sym *readelf_syms(const char *path, size_t *n)
{
	char cmd[4200], line[4096], type[32], bind[32], vis[32], ndx[32], size[32], name[1024];
	struct sym *v = NULL;
	size_t cap = 0;
	unsigned long long value;
	FILE *p;

	*n = 0;
	snprintf(cmd, sizeof(cmd), "readelf -sW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, " %*d: %llx %31s %31s %31s %31s %31s %1023s", &value, size, type,
			   bind, vis, ndx, name) != 7 ||
		    (strcmp(type, "FUNC") && strcmp(type, "IFUNC")) || !strcmp(ndx, "UND") ||
		    !value)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = realloc(v, cap * sizeof(*v));
		}
		name[strcspn(name, "@")] = '\0';
		v[*n].addr = value;
		v[*n].size = strtoull(size, NULL, 0);
		snprintf(v[*n].name, sizeof(v[*n].name), "%s", name);
		(*n)++;
	}
	if (p)
		pclose(p);
	return v;
}

static bool is_alias(const struct sym *v, size_t n, uint64_t addr, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].addr == addr && !strcmp(v[i].name, name))
			return true;
	}
	return false;
}

static struct elfsym *load_path(const char *path, int *err)
{
	struct elfsym *es = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf;

	*err = fd < 0 ? -errno : elf__open_fd(fd, &elf);
	if (!*err) {
		*err = elfsym__load(elf, &es);
		elf_end(elf);
	}
	if (fd >= 0)
		close(fd);
	return es;
}

static const char *name_at(struct elfsym *es, uint64_t vaddr)
{
	struct sym_frame f;

	return elfsym__lookup(es, vaddr, &f, 1) == 1 ? f.name : NULL;
}

/* Every sized function readelf lists resolves, at its first and last
 * byte, to itself or an alias at the same address. */
static void check_against_readelf(const char *path, struct elfsym *es)
{
	size_t n, bad_start = 0, bad_end = 0, checked = 0;
	struct sym *v = readelf_syms(path, &n);

	for (size_t i = 0; i < n; i++) {
		struct sym_frame f;

		if (!v[i].size)
			continue;
		checked++;
		if (elfsym__lookup(es, v[i].addr, &f, 1) != 1 || f.entry != v[i].addr ||
		    !is_alias(v, n, v[i].addr, f.name)) {
			if (!bad_start++)
				printf("# %s at 0x%llx: got %s\n", v[i].name,
				       (unsigned long long)v[i].addr, f.name);
		}
		if (elfsym__lookup(es, v[i].addr + v[i].size - 1, &f, 1) != 1 ||
		    f.entry > v[i].addr + v[i].size - 1)
			bad_end++;
	}
	ok(checked > 10, "%s: %zu sized functions in readelf", path, checked);
	is_int(bad_start, 0, "%s: every function start resolves to its name", path);
	is_int(bad_end, 0, "%s: every function's last byte resolves", path);
	free(v);
}

static void test_own_binary(void)
{
	struct elfsym *es;
	const char *s;
	int err;

	es = load_path("/proc/self/exe", &err);
	is_int(err, 0, "own executable loads");
	if (!es)
		return;
	is_str(name_at(es, own_vaddr(elfsym_global_fn)), "elfsym_global_fn", "global function");
	is_str(name_at(es, own_vaddr(elfsym_global_fn) + 3), "elfsym_global_fn",
	       "inside a global function");
	is_str(name_at(es, own_vaddr(elfsym_static_fn)), "elfsym_static_fn",
	       "static function (.symtab)");
	is_str(name_at(es, own_vaddr(main)), "main", "main");
	is_str(name_at(es, own_vaddr(elfsym_nosize) + 3), "elfsym_nosize",
	       "size-0 symbol extends to the next symbol");
	is_str(name_at(es, own_vaddr(elfsym_after)), "elfsym_after", "next symbol after it");
	s = name_at(es, own_vaddr(elfsym_after) + 1);
	ok(s == NULL || strcmp(s, "elfsym_after"), "sized symbol ends at its size (got %s)",
	   s ? s : "nothing");
	ok(name_at(es, 0) == NULL, "address 0: no symbol");
	check_against_readelf(own_exe, es);
	elfsym__free(es);
}

static void test_libc(void)
{
	struct elfsym *es;
	uint64_t strlen_addr = 0;
	const char *libc;
	struct sym *v;
	Dl_info info;
	size_t n;
	int err;

	ok(dladdr((void *)getpid, &info) && info.dli_fname, "dladdr finds libc");
	libc = info.dli_fname;
	v = readelf_syms(libc, &n);
	ok(n > 1000, "readelf lists %zu functions in %s", n, libc);
	es = load_path(libc, &err);
	is_int(err, 0, "libc loads (Debian strips its .symtab: .dynsym only)");
	if (!es) {
		free(v);
		return;
	}
	check_against_readelf(libc, es);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "strlen"))
			strlen_addr = v[i].addr;
	}
	is_str(name_at(es, strlen_addr), "strlen", "IFUNC symbol (strlen) is kept");
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "getpid"))
			is_str(name_at(es, v[i].addr), "getpid",
			       "alias with fewest underscores wins (getpid, not __getpid)");
	}
	ok(elfsym__count(es) < n, "aliases merged: %u symbols for %zu names", elfsym__count(es),
	   n);
	free(v);
	elfsym__free(es);
}

static void test_segments_build_id(void)
{
	char line[4200], want[2 * ELF_BUILD_ID_MAX + 1] = "", got[2 * ELF_BUILD_ID_MAX + 1] = "";
	uint8_t id[ELF_BUILD_ID_MAX];
	struct elf_seg *segs;
	int fd = open("/proc/self/exe", O_RDONLY), nsegs, len;
	bool same;
	Elf *elf;
	FILE *p;

	if (elf__open_fd(fd, &elf)) {
		ok(0, "own executable opens");
		return;
	}
	nsegs = elf__segments(elf, &segs);
	is_int(nsegs, own_nsegs, "PT_LOAD count matches the loader's");
	same = nsegs == own_nsegs;
	for (int i = 0; same && i < nsegs; i++)
		same = segs[i].offset == own_segs[i].offset &&
		       segs[i].vaddr == own_segs[i].vaddr &&
		       segs[i].filesz == own_segs[i].filesz && segs[i].flags == own_segs[i].flags;
	ok(same, "PT_LOAD offsets, addresses, sizes, flags match the loader's");
	free(segs);

	snprintf(line, sizeof(line), "readelf -n '%s'", own_exe);
	p = popen(line, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, " Build ID: %128s", want) == 1)
			break;
	}
	if (p)
		pclose(p);
	len = elf__build_id(elf, id, sizeof(id));
	for (int i = 0; i < len; i++)
		sprintf(got + 2 * i, "%02x", id[i]);
	ok(want[0] != '\0', "readelf shows a build id");
	is_str(got, want, "GNU build id matches readelf -n");
	is_int(elf__build_id(elf, id, 4), -E2BIG, "build id longer than the buffer: -E2BIG");
	elf_end(elf);
	close(fd);
}

/* A pointer the dynamic loader fills in: a RELATIVE relocation in a PIE. */
static int (*volatile relocated_ptr)(int) = elfsym_global_fn;

struct reloc_find {
	uint64_t offset, addend;
	unsigned count;
	bool found;
};

static int count_reloc(uint64_t offset, uint64_t addend, void *arg)
{
	struct reloc_find *rf = arg;

	rf->count++;
	if (offset == rf->offset && addend == rf->addend)
		rf->found = true;
	return 0;
}

static int stop_at_first(uint64_t offset, uint64_t addend, void *arg)
{
	(*(unsigned *)arg)++;
	return 7;
}

/* Sections, named symbols and relocations of this binary, against readelf
 * and the loader's own addresses. */
static void test_container(void)
{
	static const char *const names[] = { "elfsym_global_fn", "elfsym_after", "no_such_sym" };
	char cmd[4200], line[4096], name[64];
	unsigned long long addr = 0, off = 0, size = 0;
	unsigned readelf_relocs = 0, stops = 0;
	struct elf_section sec;
	GElf_Ehdr eh;
	struct reloc_find rf = { .offset = own_vaddr((const void *)&relocated_ptr),
				  .addend = own_vaddr(elfsym_global_fn) };
	uint64_t v[3];
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *elf;
	FILE *p;

	if (elf__open_fd(fd, &elf)) {
		ok(0, "own executable opens");
		return;
	}
	ok(gelf_getehdr(elf, &eh) && eh.e_type == ET_DYN,
	   "the test binary is a PIE (Debian's default), so it has relocations to check");
	snprintf(cmd, sizeof(cmd), "readelf -SW '%s'", own_exe);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		char *b = strchr(line, ']');

		if (b && sscanf(b + 1, " %63s %*s %llx %llx %llx", name, &addr, &off, &size) == 4 &&
		    !strcmp(name, ".text"))
			break;
	}
	if (p)
		pclose(p);
	ok(elf__section(elf, ".text", &sec) == 0 && sec.type == SHT_PROGBITS && sec.addr == addr &&
		   sec.offset == off && sec.size == size,
	   ".text section: address, offset and size as readelf -S shows");
	is_int(elf__section(elf, ".no_such_section", &sec), -ENOENT, "absent section: -ENOENT");

	ok(elf__symbol_values(elf, names, 3, v, 1u << 20) == 0 &&
		   v[0] == own_vaddr(elfsym_global_fn) && v[1] == own_vaddr(elfsym_after) && !v[2],
	   "symbol values of .symtab: the loader's addresses, 0 for an absent name");
	is_int(elf__symbol_values(elf, names, 3, v, 1), -E2BIG,
	       "a symbol table above the bound: -E2BIG");

	snprintf(cmd, sizeof(cmd), "readelf -rW '%s'", own_exe);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p))
		readelf_relocs += strstr(line, "_RELATIVE") != NULL;
	if (p)
		pclose(p);
	is_int(elf__relative_relocs(elf, count_reloc, &rf), 0, "relocations: all visited");
	ok(readelf_relocs > 0 && rf.count == readelf_relocs,
	   "RELATIVE relocations: %u, readelf -r shows %u", rf.count, readelf_relocs);
	ok(rf.found, "the relocation of a function pointer: its address and the function's");
	is_int(elf__relative_relocs(elf, stop_at_first, &stops), 7,
	       "a visitor's non-zero return stops the walk and is returned");
	is_int((int)stops, 1, "no relocation visited after the stop");
	elf_end(elf);
	close(fd);
}

static uint8_t *read_all(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY);

	if (fd >= 0 && !fstat(fd, &st) && (buf = malloc((size_t)st.st_size)) &&
	    read(fd, buf, (size_t)st.st_size) == st.st_size)
		*size = (size_t)st.st_size;
	else
		*size = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Runs every entry point on an image; returns the number of symbols. */
static int exercise(uint8_t *img, size_t size)
{
	struct elf_seg *segs;
	struct elfsym *es;
	struct sym_frame f;
	uint8_t id[ELF_BUILD_ID_MAX];
	static const char *const names[] = { "main", "elfsym_after" };
	uint64_t values[2];
	struct elf_section sec;
	struct reloc_find rf = { .count = 0 };
	int n = 0;
	Elf *elf;

	if (elf__open_mem(img, size, &elf))
		return -1;
	if (elf__segments(elf, &segs) >= 0)
		free(segs);
	elf__build_id(elf, id, sizeof(id));
	elf__section(elf, ".text", &sec);
	elf__symbol_values(elf, names, 2, values, 1u << 20);
	elf__relative_relocs(elf, count_reloc, &rf);
	if (!elfsym__load(elf, &es)) {
		n = (int)elfsym__count(es);
		for (uint64_t a = 0; a < 0x100000; a += 0x1001)
			elfsym__lookup(es, a, &f, 1);
		elfsym__free(es);
	}
	elf_end(elf);
	return n;
}

static void test_hostile(void)
{
	size_t size, runs = 0;
	uint8_t *orig = read_all("/proc/self/exe", &size), *img;
	char path[] = "/tmp/test_elfsym.XXXXXX";
	struct elfsym *es;
	int fd, err;

	ok(orig && size > 4096, "own image read (%zu bytes)", size);
	if (!orig || size <= 4096)
		return;
	img = malloc(size);
	ok(exercise(memcpy(img, orig, size), size) > 0, "intact image has symbols");
	for (size_t cut = 0; cut < size; cut += size / 97 + 1, runs++)
		exercise(memcpy(img, orig, cut), cut);
	srand(1);
	for (int i = 0; i < 2000; i++, runs++) {
		memcpy(img, orig, size);
		for (int j = 0; j < 1 + i % 8; j++) {
			/* Headers and the section header table are where damage matters. */
			size_t at = rand() % 2 ? (size_t)rand() % 256
					       : size - 1 - (size_t)rand() % 4096;

			img[at] = (uint8_t)rand();
		}
		exercise(img, size);
	}
	ok(1, "%zu truncated or corrupted images: no crash", runs);

	fd = mkstemp(path);
	ok(fd >= 0 && write(fd, orig, size / 2) == (ssize_t)(size / 2), "half file written");
	es = load_path(path, &err);
	ok(err != 0 || es != NULL, "truncated file: error %d or partial symbols, no crash", err);
	elfsym__free(es);
	close(fd);

	fd = open(path, O_WRONLY | O_TRUNC);
	ok(fd >= 0 && write(fd, "#!/bin/sh\n", 10) == 10, "script written");
	close(fd);
	load_path(path, &err);
	is_int(err, -EINVAL, "not an ELF file: -EINVAL");
	unlink(path);
	free(img);
	free(orig);
}

int main(void)
{
	ssize_t len = readlink("/proc/self/exe", own_exe, sizeof(own_exe) - 1);

	own_exe[len > 0 ? len : 0] = '\0';
	dl_iterate_phdr(phdr_cb, NULL);
	elfsym_global_fn(elfsym_static_fn(1));
	test_own_binary();
	test_libc();
	test_segments_build_id();
	test_container();
	test_hostile();
	return done_testing();
}
