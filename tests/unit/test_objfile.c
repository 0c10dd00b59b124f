// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of objfile.h and procsyms.h on live processes: this PIE test
 * binary, libc, the vDSO, a shared library built and dlopen'd at run time
 * (then deleted), a child that exits, and openat2 confinement in a fake
 * container root.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "objfile.h"
#include "procsyms.h"
#include "tap.h"

/*
 * objtest_a ends exactly where objtest_b starts, as a function ending in a
 * call to a noreturn function does: the return address is objtest_b.
 * objtest_pad is followed by alignment padding that no symbol covers.
 */
__asm__(".text\n"
	".p2align 6\n"
	".globl objtest_a\n"
	".type objtest_a, @function\n"
	"objtest_a:\n"
	"	nop\n"
	"	nop\n"
	".size objtest_a, .-objtest_a\n"
	".globl objtest_b\n"
	".type objtest_b, @function\n"
	"objtest_b:\n"
	"	ret\n"
	".size objtest_b, .-objtest_b\n"
	".p2align 6\n"
	".globl objtest_pad\n"
	".type objtest_pad, @function\n"
	"objtest_pad:\n"
	"	ret\n"
	".size objtest_pad, .-objtest_pad\n"
	".p2align 6\n"
	".globl objtest_pad_next\n"
	".type objtest_pad_next, @function\n"
	"objtest_pad_next:\n"
	"	ret\n"
	".size objtest_pad_next, .-objtest_pad_next\n");
void objtest_a(void);
void objtest_b(void);
void objtest_pad(void);
void objtest_pad_next(void);

__attribute__((noinline)) int objtest_fn(int x)
{
	return x * 7 + 3;
}

int main(void);

static void *libc; /* not RTLD_DEFAULT: sanitizers interpose strlen */
static char own_exe[4096];
static const char *own_base_name;
static uintptr_t own_base;
static char tmpdir[] = "/tmp/test_objfile.XXXXXX";

static int phdr_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	own_base = info->dlpi_addr;
	return 1;
}

static uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* Looks addr up and checks the name and that it is resolved. */
static void expect(struct proc_syms *ps, uint64_t addr, bool ret, const char *want,
		   const char *what)
{
	struct sym_frame f[SYM_MAX_INLINE];
	int n = proc_syms__lookup(ps, addr, ret, f, SYM_MAX_INLINE, NULL);

	ok(n >= 1 && !strcmp(f[0].name, want) && !f[0].unresolved, "%s: %s", what, want);
	if (n >= 1 && strcmp(f[0].name, want))
		printf("#   got %s%s\n", f[0].name, f[0].unresolved ? " (unresolved)" : "");
}

static void expect_unresolved(struct proc_syms *ps, uint64_t addr, const char *want,
			      const char *what)
{
	struct sym_frame f[4];
	int n = proc_syms__lookup(ps, addr, false, f, 4, NULL);

	ok(n == 1 && !strcmp(f[0].name, want) && f[0].unresolved, "%s: %s, unresolved", what,
	   want);
	if (n >= 1 && strcmp(f[0].name, want))
		printf("#   got %s\n", f[0].name);
}

static void test_self(struct objfile_cache *cache)
{
	struct sym_frame f[SYM_MAX_INLINE];
	struct sym_location loc;
	struct proc_syms *ps;
	void *anon, *vdso, *vfn = NULL;
	const char *vname;
	Dl_info info;
	int n, err;

	anon = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	err = proc_syms__open(cache, getpid(), &ps);
	is_int(err, 0, "proc_syms__open on own pid");
	if (err)
		return;
	is_int(proc_syms__errors(ps, NULL), 0, "every object opened");

	ok(own_base != 0, "test binary is PIE (load base 0x%llx)", (unsigned long long)own_base);
	expect(ps, addr_of(objtest_fn), false, "objtest_fn", "own function (PIE load bias)");
	n = proc_syms__lookup(ps, addr_of(objtest_fn) + 2, false, f, SYM_MAX_INLINE, &loc);
	ok(n == 1 && loc.obj && !strcmp(loc.obj->name, own_base_name), "location: object %s",
	   own_base_name);
	ok(loc.vaddr == addr_of(objtest_fn) + 2 - own_base, "location: file vaddr = addr - base");
	ok(loc.map && loc.map->start <= addr_of(objtest_fn) && addr_of(objtest_fn) < loc.map->end,
	   "location: mapping holds the address");
	ok(f[0].entry == addr_of(objtest_fn) - own_base, "frame entry is the function's vaddr");
	ok(loc.obj && loc.obj->build_id_len == 20, "own build id: %d bytes",
	   loc.obj ? loc.obj->build_id_len : -1);
	expect(ps, addr_of(main), false, "main", "main");

	expect(ps, addr_of(objtest_b), false, "objtest_b", "leaf pc at a function start");
	expect(ps, addr_of(objtest_b), true, "objtest_a", "return address: looked up as pc - 1");
	n = proc_syms__lookup(ps, addr_of(objtest_pad_next) - 4, false, f, 4, &loc);
	{
		char want[300];

		snprintf(want, sizeof(want), "[%s]", own_base_name);
		ok(n == 1 && f[0].unresolved && !strcmp(f[0].name, want) && loc.obj,
		   "no symbol in a known module: %s", want);
	}

	expect(ps, addr_of(dlsym(libc, "getpid")), false, "getpid", "libc getpid");
	proc_syms__lookup(ps, addr_of(dlsym(libc, "getpid")), false, f, 4, &loc);
	ok(dladdr(dlsym(libc, "getpid"), &info) && loc.obj &&
		   !strcmp(loc.obj->name, strrchr(info.dli_fname, '/') + 1),
	   "libc object named %s", loc.obj ? loc.obj->name : "?");
	expect(ps, addr_of(dlsym(libc, "getpid")) + 1, true, "getpid",
	       "return address one past getpid's entry");
	/* strlen is an IFUNC: the implementation it resolves to has no symbol
	 * in Debian's libc (.symtab stripped), so only the module is known. */
	expect_unresolved(ps, addr_of(dlsym(libc, "strlen")) + 1, "[libc.so.6]",
			  "libc code without a symbol");

	vdso = dlopen("linux-vdso.so.1", RTLD_LAZY | RTLD_NOLOAD);
	vname = "__vdso_clock_gettime";
	if (vdso && !(vfn = dlsym(vdso, vname))) {
		vname = "__kernel_clock_gettime"; /* arm64 */
		vfn = dlsym(vdso, vname);
	}
	ok(vfn != NULL, "vDSO clock_gettime found by the dynamic loader");
	if (vfn) {
		n = proc_syms__lookup(ps, addr_of(vfn), false, f, 4, &loc);
		ok(n == 1 && !f[0].unresolved &&
			   (!strcmp(f[0].name, vname) || !strcmp(f[0].name, "clock_gettime")),
		   "vDSO function resolves: %s", f[0].name);
		ok(loc.obj && !strcmp(loc.obj->name, "[vdso]"), "vDSO object");
	}

	expect_unresolved(ps, addr_of(anon) + 16, "[unknown]", "anonymous executable memory");
	n = proc_syms__lookup(ps, 0x10, false, f, 4, &loc);
	ok(n == 1 && f[0].unresolved && !strcmp(f[0].name, "[unknown]") && !loc.map && !loc.obj,
	   "no mapping: [unknown], no location");
	is_int(proc_syms__lookup(ps, 0x10, false, f, 0, NULL), 0, "max 0: nothing written");
	proc_syms__free(ps);
	munmap(anon, 4096);
}

/* Runs a shell command; returns its exit status. */
static __attribute__((format(printf, 1, 2))) int run(const char *fmt, ...)
{
	char cmd[20000];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* A library built now, dlopen'd after proc_syms__open, found by refresh,
 * then deleted; a copy of it (same build id, new inode) shares its object. */
static void test_dlopen_deleted(struct objfile_cache *cache)
{
	char src[4200], lib[4200], copy[4200];
	struct sym_frame f[4];
	struct sym_location loc, loc2;
	struct objfile_cache *cache2;
	struct proc_syms *ps, *ps2;
	void *h, *h2, *fn, *fn2;
	unsigned int before;
	FILE *s;

	snprintf(src, sizeof(src), "%s/lib.c", tmpdir);
	snprintf(lib, sizeof(lib), "%s/libobjtest.so", tmpdir);
	snprintf(copy, sizeof(copy), "%s/libobjtest-copy.so", tmpdir);
	s = fopen(src, "w");
	fputs("int objtest_lib_fn(int x) { return x * 5 + 1; }\n"
	      "static int objtest_lib_static(int x) { return x - 9; }\n"
	      "int (*objtest_lib_ptr)(int) = objtest_lib_static;\n",
	      s);
	fclose(s);
	if (run("cc -shared -fPIC -O1 -Wl,--build-id -o '%s' '%s' && cp '%s' '%s'", lib, src, lib,
		copy) != 0) {
		ok(0, "cc builds a shared library");
		return;
	}
	if (proc_syms__open(cache, getpid(), &ps)) {
		ok(0, "proc_syms__open");
		return;
	}
	h = dlopen(lib, RTLD_NOW);
	fn = h ? dlsym(h, "objtest_lib_fn") : NULL;
	ok(fn != NULL, "library dlopen'd");
	if (!fn) {
		proc_syms__free(ps);
		return;
	}
	expect_unresolved(ps, addr_of(fn), "[unknown]", "before refresh");
	is_int(proc_syms__refresh(ps), 0, "refresh");
	expect(ps, addr_of(fn), false, "objtest_lib_fn", "dlopen'd library after refresh");
	expect(ps, addr_of(*(void **)dlsym(h, "objtest_lib_ptr")), false, "objtest_lib_static",
	       "static function of the library (.symtab)");

	before = objfile_cache__count(cache);
	h2 = dlopen(copy, RTLD_NOW);
	fn2 = h2 ? dlsym(h2, "objtest_lib_fn") : NULL;
	ok(fn2 && fn2 != fn, "copy loaded at its own address");
	proc_syms__refresh(ps);
	proc_syms__lookup(ps, addr_of(fn), false, f, 4, &loc);
	proc_syms__lookup(ps, addr_of(fn2), false, f, 4, &loc2);
	ok(fn2 && loc.obj && loc.obj == loc2.obj && loc.map->inode != loc2.map->inode,
	   "same build id, other inode: one shared object");
	is_int(objfile_cache__count(cache), before, "no object added for the copy");
	expect(ps, addr_of(fn2), false, "objtest_lib_fn", "copy resolves");

	unlink(lib);
	objfile_cache__new(&cache2);
	is_int(proc_syms__open(cache2, getpid(), &ps2), 0, "reopen after unlinking the library");
	proc_syms__lookup(ps2, addr_of(fn), false, f, 4, &loc);
	ok(loc.map && proc_map__deleted(loc.map), "maps says (deleted): %s",
	   loc.map ? loc.map->path : "?");
	expect(ps2, addr_of(fn), false, "objtest_lib_fn", "deleted library (map_files)");
	proc_syms__free(ps2);
	objfile_cache__free(cache2);
	proc_syms__free(ps);
	dlclose(h2);
	dlclose(h);
	unlink(copy);
	unlink(src);
}

static const char go_src[] =
	"package main\n"
	"\n"
	"/*\n"
	"int objtest_cadd(int a, int b) { return a + b; }\n"
	"*/\n"
	"import \"C\"\n"
	"\n"
	"import (\n"
	"\t\"fmt\"\n"
	"\t\"time\"\n"
	")\n"
	"\n"
	"//go:noinline\n"
	"func spin(n int) int {\n"
	"\ts := 0\n"
	"\tfor i := 0; i < n; i++ {\n"
	"\t\ts += i\n"
	"\t}\n"
	"\treturn s\n"
	"}\n"
	"\n"
	"func main() {\n"
	"\tfmt.Println(spin(10), C.objtest_cadd(1, 2))\n"
	"\ttime.Sleep(time.Hour)\n"
	"}\n";

/* The address `go tool nm` gives name in exe, 0 if absent. */
static uint64_t go_nm(const char *go, const char *exe, const char *name)
{
	char cmd[9000], line[1024], sym[512], type;
	unsigned long long addr, found = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "'%s' tool nm '%s'", go, exe);
	p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		if (sscanf(line, " %llx %c %511s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			found = addr;
	}
	if (p)
		pclose(p);
	return found;
}

/* A Go program with cgo: Go code resolves through the pclntab (with file and
 * line), C code through ELF symbols. */
static void test_go_cgo(struct objfile_cache *cache)
{
	static const char *const gos[] = { "/usr/lib/go-1.22/bin/go", "/usr/lib/go-1.21/bin/go",
					   "/usr/lib/go-1.23/bin/go", "/usr/bin/go" };
	const char *go = NULL;
	char dir[64], exe[96], src[96], buf[64];
	struct sym_frame f[SYM_MAX_INLINE];
	struct sym_location loc;
	struct proc_syms *ps;
	uint64_t spin, cadd;
	int out[2], n;
	pid_t child;
	FILE *s;

	for (size_t i = 0; i < sizeof(gos) / sizeof(gos[0]) && !go; i++)
		go = access(gos[i], X_OK) ? NULL : gos[i];
	if (!go) {
		ok(1, "# SKIP no Go toolchain");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/go", tmpdir);
	snprintf(exe, sizeof(exe), "%s/gocgo", dir);
	snprintf(src, sizeof(src), "%s/main.go", dir);
	mkdir(dir, 0755);
	s = fopen(src, "w");
	fputs(go_src, s);
	fclose(s);
	if (!getenv("HOME") && !getenv("GOCACHE"))
		setenv("GOCACHE", dir, 1); /* go refuses to build without a cache */
	if (run("cd '%s' && printf 'module gocgo\\ngo 1.19\\n' > go.mod && GOTOOLCHAIN=local "
		"CGO_ENABLED=1 '%s' build -buildmode=exe -o '%s' . >&2", dir, go, exe)) {
		ok(0, "%s builds a cgo program", go);
		return;
	}
	spin = go_nm(go, exe, "main.spin");
	cadd = go_nm(go, exe, "objtest_cadd");
	ok(spin && cadd, "go tool nm: main.spin at 0x%llx, objtest_cadd at 0x%llx",
	   (unsigned long long)spin, (unsigned long long)cadd);
	if (pipe(out))
		return;
	child = fork();
	if (child == 0) {
		dup2(out[1], 1);
		execl(exe, exe, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	ok(read(out[0], buf, sizeof(buf)) > 0, "Go program running"); /* it printed */
	close(out[0]);
	if (!proc_syms__open(cache, child, &ps)) {
		/* -buildmode=exe: runtime addresses are the link addresses. */
		n = proc_syms__lookup(ps, spin + 1, false, f, SYM_MAX_INLINE, &loc);
		ok(n >= 1 && !strcmp(f[0].name, "main.spin") && !f[0].unresolved && f[0].file &&
			   strstr(f[0].file, "main.go") && f[0].line >= 14 && f[0].line <= 20,
		   "Go function through the pclntab: %s %s:%u", f[0].name,
		   f[0].file ? f[0].file : "-", f[0].line);
		ok(loc.obj && loc.obj->go, "object has a Go table");
		expect(ps, cadd, false, "objtest_cadd", "cgo C function through ELF symbols");
		proc_syms__free(ps);
	} else {
		ok(0, "proc_syms__open on the Go program");
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	run("rm -rf '%s'", dir);
}

/* A child's symbols stay usable after it exits. */
static void test_exited_child(struct objfile_cache *cache)
{
	struct proc_syms *ps = NULL;
	pid_t child = fork();
	int st, err;

	if (child == 0) {
		pause();
		_exit(0);
	}
	err = proc_syms__open(cache, child, &ps);
	is_int(err, 0, "open a live child");
	kill(child, SIGKILL);
	waitpid(child, &st, 0);
	if (err)
		return;
	is_int(proc_syms__refresh(ps), -ESRCH, "refresh after exit: -ESRCH");
	expect(ps, addr_of(objtest_fn), false, "objtest_fn", "exited child keeps its symbols");
	expect(ps, addr_of(dlsym(libc, "getpid")), false, "getpid",
	       "exited child keeps libc symbols");
	proc_syms__free(ps);

	is_int(proc_syms__open(cache, child, &ps), -ESRCH, "open a reaped pid: -ESRCH");
}

/* Without CAP_SYS_ADMIN map_files is refused: the file is found through
 * /proc/PID/root instead, and still resolves. */
static void test_root_fallback(void)
{
	struct proc_maps maps;
	const struct proc_map *m;
	pid_t child;
	int st;

	if (geteuid() != 0) {
		ok(1, "# SKIP needs root to drop privileges");
		return;
	}
	procmaps__read(getpid(), &maps);
	m = procmaps__find(&maps, addr_of(objtest_fn));
	child = fork();
	if (child == 0) {
		struct stat sb;
		int fd;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		prctl(PR_SET_DUMPABLE, 1);
		if (access(own_exe, R_OK))
			_exit(20); /* a directory above is closed to "nobody" */
		fd = objfile__open_mapping(getpid(), m);
		if (fd < 0)
			_exit(11);
		_exit(!fstat(fd, &sb) && sb.st_dev == m->dev && sb.st_ino == m->inode ? 0 : 12);
	}
	waitpid(child, &st, 0);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 20)
		ok(1, "# SKIP the test binary is not readable by an unprivileged user");
	else
		ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		   "unprivileged: opened through /proc/PID/root (status %d)",
		   WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	procmaps__free(&maps);
}

static int make_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void stat_of(const char *path, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	stat(path, st);
}

/* A fake container root whose symlinks point outside it. */
static void test_confinement(void)
{
	char root[4200], outside[4200], p[8400];
	struct stat out_st, in_st, fake_st, got;
	int rootfd, fd;

	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(outside, sizeof(outside), "%s/secret", tmpdir);
	mkdir(root, 0755);
	make_file(outside, "outside the root\n");
	stat_of(outside, &out_st);
	snprintf(p, sizeof(p), "%s/inside", root);
	make_file(p, "inside the root\n");
	stat_of(p, &in_st);
	/* The same absolute path as the outside file, recreated inside the root. */
	run("mkdir -p '%s%s'", root, tmpdir);
	snprintf(p, sizeof(p), "%s%s", root, outside);
	make_file(p, "decoy inside the root\n");
	stat_of(p, &fake_st);
	snprintf(p, sizeof(p), "%s/abs_link", root);
	ok(!symlink(outside, p), "symlink to an absolute path outside");
	snprintf(p, sizeof(p), "%s/rel_link", root);
	ok(!symlink("../secret", p), "symlink to ../secret");
	snprintf(p, sizeof(p), "%s/in_link", root);
	ok(!symlink("/inside", p), "symlink within the root");
	snprintf(p, sizeof(p), "%s/proc_link", root);
	ok(!symlink("/proc/self/root/etc/passwd", p), "symlink through /proc");
	snprintf(p, sizeof(p), "%s/fifo", root);
	ok(!mkfifo(p, 0600), "fifo");

	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fd = objfile__open_in_root(rootfd, "/abs_link", out_st.st_dev, out_st.st_ino);
	ok(fd < 0, "absolute symlink to the outside file: refused (%d)", fd);
	fd = objfile__open_in_root(rootfd, "/abs_link", fake_st.st_dev, fake_st.st_ino);
	ok(fd >= 0 && !fstat(fd, &got) && got.st_ino == fake_st.st_ino,
	   "absolute symlink resolves inside the root");
	if (fd >= 0)
		close(fd);
	fd = objfile__open_in_root(rootfd, "/rel_link", out_st.st_dev, out_st.st_ino);
	is_int(fd, -ENOENT, "../ symlink stops at the root");
	fd = objfile__open_in_root(rootfd, "/../../../../secret", out_st.st_dev, out_st.st_ino);
	is_int(fd, -ENOENT, "../ in the path stops at the root");
	fd = objfile__open_in_root(rootfd, "/proc_link", 0, 0);
	ok(fd < 0, "symlink into /proc: refused (%d)", fd);
	fd = objfile__open_in_root(rootfd, "/in_link", in_st.st_dev, in_st.st_ino);
	ok(fd >= 0, "symlink within the root: opened");
	if (fd >= 0) {
		char buf[32] = "";

		ok(read(fd, buf, sizeof(buf) - 1) > 0 && !strcmp(buf, "inside the root\n"),
		   "opened read-only, content is the inside file");
		close(fd);
	}
	is_int(objfile__open_in_root(rootfd, "/inside", in_st.st_dev, in_st.st_ino + 1), -ESTALE,
	       "inode differs from maps: -ESTALE");
	is_int(objfile__open_in_root(rootfd, "/fifo", 0, 0), -EINVAL,
	       "fifo: refused without blocking");
	is_int(objfile__open_in_root(rootfd, "/", 0, 0), -EINVAL, "directory: refused");
	close(rootfd);
	rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	is_int(objfile__open_in_root(rootfd, "/proc/self/exe", 0, 0), -ELOOP,
	       "magic link (/proc/self/exe): refused");
	close(rootfd);
	run("rm -rf '%s'", root);
	unlink(outside);
}

/*
 * A process can remap a range after its maps were read: the file found
 * through map_files is then not the one the maps line names. It must be
 * cached under its own (dev, inode), never under the other file's, or one
 * process could make every process's copy of, say, libc show its symbols.
 */
static void test_remapped(struct objfile_cache *cache)
{
	char src[PATH_MAX], named[PATH_MAX], actual[PATH_MAX];
	struct objfile *got = NULL, *real = NULL;
	struct proc_map fake, genuine;
	struct stat st_named, st_actual;
	void *a = MAP_FAILED, *b = MAP_FAILED;
	int fa = -1, fb = -1;
	FILE *s;

	snprintf(src, sizeof(src), "%s/swap.c", tmpdir);
	snprintf(named, sizeof(named), "%s/libnamed.so", tmpdir);
	snprintf(actual, sizeof(actual), "%s/libactual.so", tmpdir);
	s = fopen(src, "w");
	fputs("int swap_fn(int x) { return x + 1; }\n"
	      "#ifdef X\nint swap_other(int x) { return x * 7 + X; }\n#endif\n", s);
	fclose(s);
	if (run("cc -shared -fPIC -O1 -o '%s' '%s' && cc -shared -fPIC -O1 -DX=1 -o '%s' '%s'",
		named, src, actual, src) != 0) {
		ok(0, "cc builds two libraries");
		return;
	}
	fa = open(actual, O_RDONLY);
	fb = open(named, O_RDONLY);
	if (fa < 0 || fb < 0 || fstat(fa, &st_actual) || fstat(fb, &st_named)) {
		ok(0, "open the libraries");
		goto out;
	}
	a = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fa, 0);
	b = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fb, 0);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		ok(0, "map the libraries");
		goto out;
	}
	/* A maps line that names libnamed.so for the range holding libactual.so. */
	fake = (struct proc_map){
		.start = (uintptr_t)a, .end = (uintptr_t)a + 4096, .offset = 0,
		.dev = st_named.st_dev, .inode = st_named.st_ino,
		.perms = PROC_MAP_R | PROC_MAP_X, .path = named,
	};
	genuine = fake;
	genuine.start = (uintptr_t)b;
	genuine.end = (uintptr_t)b + 4096;
	is_int(objfile_cache__get(cache, getpid(), &fake, &got), 0, "remapped range opens");
	if (!ok(got && got->inode == (uint64_t)st_actual.st_ino,
		"it is cached under the file actually mapped, not the one maps named"))
		printf("#   got inode %llu, actual %llu, named %llu\n",
		       got ? (unsigned long long)got->inode : 0ULL,
		       (unsigned long long)st_actual.st_ino, (unsigned long long)st_named.st_ino);
	is_int(objfile_cache__get(cache, getpid(), &genuine, &real), 0, "the named file opens");
	ok(real && real != got && real->inode == (uint64_t)st_named.st_ino,
	   "the named file gets its own object: no poisoning");
out:
	if (a != MAP_FAILED)
		munmap(a, 4096);
	if (b != MAP_FAILED)
		munmap(b, 4096);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
}

/* The scratch directory goes whatever a test left in it, at any exit. */
static void remove_tmpdir(void)
{
	run("rm -rf '%s'", tmpdir);
}

int main(void)
{
	struct objfile_cache *cache;
	ssize_t len = readlink("/proc/self/exe", own_exe, sizeof(own_exe) - 1);

	own_exe[len > 0 ? len : 0] = '\0';
	own_base_name = strrchr(own_exe, '/') ? strrchr(own_exe, '/') + 1 : own_exe;
	dl_iterate_phdr(phdr_cb, NULL);
	libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	if (!libc || !mkdtemp(tmpdir))
		return 1;
	atexit(remove_tmpdir);
	objtest_fn(1);
	if (objfile_cache__new(&cache))
		return 1;
	test_self(cache);
	test_dlopen_deleted(cache);
	test_remapped(cache);
	test_exited_child(cache);
	test_go_cgo(cache);
	test_root_fallback();
	test_confinement();
	objfile_cache__free(cache);
	return done_testing();
}
