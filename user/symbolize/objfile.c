// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "objfile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "hashmap.h"
#include "util.h"

#define KEYS_MAX (4 * OBJFILE_CACHE_MAX)

/* (dev, inode) of an opened file -> the object loaded from it. */
struct key_slot {
	dev_t dev;
	uint64_t inode;
	struct objfile *obj;
};

struct objfile_cache {
	struct objfile **objs; /* owned, in load order */
	unsigned int nobjs;
	struct key_slot *keys; /* in insertion order */
	size_t nkeys, keys_cap;
	struct hmap key_set;   /* over keys */
	struct objfile *vdso;  /* loaded on first [vdso] mapping */
	uint64_t vdso_size;
	int vdso_err;          /* why it could not be, once tried */
};

int objfile_cache__new(struct objfile_cache **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static void objfile__free(struct objfile *obj)
{
	if (!obj)
		return;
	if (obj->go)
		gopclntab__free(obj->go);
	elfsym__free(obj->elf);
	free(obj->segs);
	free(obj->name);
	free(obj->image);
	free(obj);
}

void objfile_cache__free(struct objfile_cache *cache)
{
	if (!cache)
		return;
	for (unsigned int i = 0; i < cache->nobjs; i++)
		objfile__free(cache->objs[i]);
	objfile__free(cache->vdso);
	free(cache->objs);
	free(cache->keys);
	hmap__free(&cache->key_set);
	free(cache);
}

unsigned int objfile_cache__count(const struct objfile_cache *cache)
{
	return cache->nobjs + (cache->vdso ? 1 : 0);
}

static uint64_t key_hash(dev_t dev, uint64_t inode)
{
	return hash_u64(inode, hash_u64((uint64_t)dev, 0));
}

struct key_lookup {
	const struct objfile_cache *cache;
	dev_t dev;
	uint64_t inode;
};

static bool key_equal(const void *ctx, uint32_t i)
{
	const struct key_lookup *k = ctx;

	return k->cache->keys[i].dev == k->dev && k->cache->keys[i].inode == k->inode;
}

static struct key_slot *key_find(const struct objfile_cache *cache, dev_t dev, uint64_t inode)
{
	struct key_lookup k = { cache, dev, inode };
	uint32_t i;

	return hmap__find(&cache->key_set, key_hash(dev, inode), key_equal, &k, &i)
		       ? NULL
		       : &cache->keys[i];
}

/* Adds a key (absent: key_find() said so). Returns 0, -ENOSPC, -ENOMEM. */
static int key_add(struct objfile_cache *cache, dev_t dev, uint64_t inode, struct objfile *obj)
{
	if (cache->nkeys == KEYS_MAX)
		return -ENOSPC;
	if (array_reserve(&cache->keys, &cache->keys_cap, cache->nkeys + 1, sizeof(*cache->keys)) ||
	    hmap__reserve(&cache->key_set, cache->nkeys + 1))
		return -ENOMEM;
	cache->keys[cache->nkeys] = (struct key_slot){ dev, inode, obj };
	hmap__insert(&cache->key_set, key_hash(dev, inode), (uint32_t)cache->nkeys);
	cache->nkeys++;
	return 0;
}

static int open_how(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

/*
 * Turns an O_PATH fd into a read-only one after checking what it is, so
 * that nothing but a regular file is ever really opened (opening a FIFO
 * blocks, opening a device has effects). Closes pathfd. Returns the fd,
 * -ESTALE when dev/inode differ (skipped if check is false), -EINVAL.
 */
static int reopen_regular(int pathfd, bool check, dev_t dev, uint64_t inode)
{
	char self[64];
	struct stat st;
	int fd;

	if (fstat(pathfd, &st)) {
		fd = -errno;
	} else if (!S_ISREG(st.st_mode)) {
		fd = -EINVAL;
	} else if (check && (st.st_dev != dev || st.st_ino != inode)) {
		fd = -ESTALE;
	} else {
		snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
		fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			fd = -errno;
	}
	close(pathfd);
	return fd;
}

int objfile__open_in_root(int root_fd, const char *path, dev_t dev, uint64_t inode)
{
	int fd = open_how(root_fd, path, O_PATH | O_CLOEXEC,
			  RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);

	return fd < 0 ? fd : reopen_regular(fd, true, dev, inode);
}

int objfile__open_mapping(int pid, const struct proc_map *m)
{
	char path[96];
	int fd, root;

	/*
	 * map_files needs CAP_SYS_ADMIN. Its file is the mapping's own, so no
	 * dev/inode check: on overlayfs maps shows the overlay inode while this
	 * link reaches the underlying file, and both are the right one.
	 */
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd >= 0)
		return reopen_regular(fd, false, 0, 0);
	if (m->path[0] != '/')
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = objfile__open_in_root(root, m->path, m->dev, m->inode);
	close(root);
	return fd;
}

static char *display_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 10 && !strcmp(base + len - 10, " (deleted)"))
		len -= 10;
	return strndup(base, len);
}

/* Loads segments, symbols and (for a file) the Go table from an open Elf. */
static int objfile__load(struct objfile *obj, Elf *elf, int fd)
{
	int err;

	obj->nsegs = elf__segments(elf, &obj->segs);
	if (obj->nsegs <= 0)
		return obj->nsegs ? obj->nsegs : -EINVAL;
	err = elfsym__load(elf, &obj->elf);
	if (err && err != -ENOENT)
		return err;
	if (elf__go_build_id(elf, obj->go_build_id, sizeof(obj->go_build_id)) < 0)
		obj->go_build_id[0] = '\0';
	/* Any failure of the Go reader means "not Go": ELF symbols remain. */
	if (fd >= 0 && gopclntab__open(fd, &obj->go))
		obj->go = NULL;
	if (obj->go)
		obj->sources[obj->nsources++] = gopclntab__symbolizer(obj->go);
	if (obj->elf)
		obj->sources[obj->nsources++] = elfsym__symbolizer(obj->elf);
	return 0;
}

static int load_vdso(struct objfile **out, uint64_t *size)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	const struct proc_map *m;
	struct proc_maps maps;
	struct objfile *obj;
	Elf *elf;
	int err;

	if (!base)
		return -ENOENT;
	err = procmaps__read(getpid(), &maps);
	if (err < 0)
		return err;
	m = procmaps__find(&maps, base);
	obj = calloc(1, sizeof(*obj));
	if (!m || strcmp(m->path, "[vdso]") || !obj) {
		err = obj ? -ENOENT : -ENOMEM;
		goto out;
	}
	obj->name = strdup("[vdso]");
	obj->image = malloc(m->end - base);
	if (!obj->name || !obj->image) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(obj->image, (const void *)base, m->end - base);
	*size = m->end - m->start;
	err = elf__open_mem(obj->image, m->end - base, &elf);
	if (err)
		goto out;
	obj->build_id_len = elf__build_id(elf, obj->build_id, sizeof(obj->build_id));
	if (obj->build_id_len < 0)
		obj->build_id_len = 0;
	err = objfile__load(obj, elf, -1);
	elf_end(elf);
out:
	procmaps__free(&maps);
	if (err) {
		objfile__free(obj);
		return err;
	}
	*out = obj;
	return 0;
}

static struct objfile *find_build_id(const struct objfile_cache *cache, const uint8_t *id,
				     int len)
{
	for (unsigned int i = 0; len > 0 && i < cache->nobjs; i++) {
		struct objfile *o = cache->objs[i];

		if (o->build_id_len == len && !memcmp(o->build_id, id, (size_t)len))
			return o;
	}
	return NULL;
}

static int64_t timespec_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/*
 * True if elf (of size bytes) is the image obj was loaded from: a build id
 * is only what the file says, so a file claiming another's build id must
 * also match its size and PT_LOAD headers to share its symbols.
 */
static bool same_image(const struct objfile *obj, Elf *elf, uint64_t size)
{
	struct elf_seg *segs = NULL;
	int n = elf__segments(elf, &segs);
	bool same = n == obj->nsegs && size == obj->size;

	for (int i = 0; same && i < n; i++) {
		const struct elf_seg *a = &segs[i], *b = &obj->segs[i];

		same = a->offset == b->offset && a->vaddr == b->vaddr &&
		       a->filesz == b->filesz && a->memsz == b->memsz && a->flags == b->flags;
	}
	free(segs);
	return same;
}

static int get_vdso(struct objfile_cache *cache, const struct proc_map *m, struct objfile **out)
{
	if (!cache->vdso && !cache->vdso_err)
		cache->vdso_err = load_vdso(&cache->vdso, &cache->vdso_size);
	if (!cache->vdso)
		return cache->vdso_err;
	/* Another size means another ABI's vDSO (a 32-bit process). */
	if (m->end - m->start != cache->vdso_size)
		return -ENOENT;
	*out = cache->vdso;
	return 0;
}

int objfile_cache__get(struct objfile_cache *cache, int pid, const struct proc_map *m,
		       struct objfile **out)
{
	uint8_t id[ELF_BUILD_ID_MAX];
	struct objfile *obj = NULL, **objs;
	bool shared = false;
	struct key_slot *k;
	struct stat st;
	dev_t key_dev;
	uint64_t key_ino;
	int fd, id_len, err;
	Elf *elf;

	if (!strcmp(m->path, "[vdso]"))
		return get_vdso(cache, m, out);
	if (!m->inode)
		return -ENOENT;
	/*
	 * Always open and look at the file itself: the maps line may name
	 * another file than the one mapped now (overlayfs, a range remapped
	 * since), and an inode number can be reused by a new file during a
	 * run. The key is the opened file's (dev, inode), valid only while
	 * its size and mtime are those the object was loaded from.
	 */
	fd = objfile__open_mapping(pid, m);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return err;
	}
	key_dev = st.st_dev;
	key_ino = st.st_ino;
	k = key_find(cache, key_dev, key_ino);
	if (k && k->obj->size == (uint64_t)st.st_size &&
	    k->obj->mtime_ns == timespec_ns(&st.st_mtim)) {
		close(fd);
		*out = k->obj;
		return 0;
	}
	if (cache->nobjs == OBJFILE_CACHE_MAX) {
		close(fd);
		return -ENOSPC;
	}
	err = elf__open_fd(fd, &elf);
	if (err) {
		close(fd);
		return err;
	}
	id_len = elf__build_id(elf, id, sizeof(id));
	obj = find_build_id(cache, id, id_len);
	if (obj && same_image(obj, elf, (uint64_t)st.st_size)) {
		/* The same image under another (dev, inode): share it. */
		shared = true;
		err = k ? (k->obj = obj, 0) : key_add(cache, key_dev, key_ino, obj);
		goto out;
	}
	obj = NULL;
	obj = calloc(1, sizeof(*obj));
	objs = realloc(cache->objs, (cache->nobjs + 1) * sizeof(*objs));
	if (objs)
		cache->objs = objs;
	if (!obj || !objs || !(obj->name = display_name(m->path))) {
		err = -ENOMEM;
		goto out;
	}
	obj->dev = key_dev;
	obj->inode = key_ino;
	obj->size = (uint64_t)st.st_size;
	obj->mtime_ns = timespec_ns(&st.st_mtim);
	if (id_len > 0) {
		memcpy(obj->build_id, id, (size_t)id_len);
		obj->build_id_len = id_len;
	}
	err = objfile__load(obj, elf, fd);
	if (!err) /* a reused inode: the key now names the new file */
		err = k ? (k->obj = obj, 0) : key_add(cache, key_dev, key_ino, obj);
	if (!err)
		cache->objs[cache->nobjs++] = obj;
out:
	elf_end(elf);
	close(fd);
	if (err) {
		if (!shared)
			objfile__free(obj);
		return err;
	}
	*out = obj;
	return 0;
}

int objfile__vaddr(const struct objfile *obj, const struct proc_map *m, uint64_t addr,
		   uint64_t *vaddr)
{
	uint64_t off;

	if (addr < m->start || addr >= m->end)
		return -ENOENT;
	off = addr - m->start + m->offset;
	for (int i = 0; i < obj->nsegs; i++) {
		const struct elf_seg *s = &obj->segs[i];

		if (off >= s->offset && off - s->offset < s->filesz) {
			*vaddr = off - s->offset + s->vaddr;
			return 0;
		}
	}
	return -ENOENT;
}

int objfile__lookup(const struct objfile *obj, uint64_t vaddr, struct sym_frame *out, int max)
{
	int n = 0;

	for (int i = 0; i < obj->nsources && n <= 0; i++)
		n = symbolizer_lookup(obj->sources[i], vaddr, out, max);
	/* unresolved is newer than some symbolizers: never leave it unset. */
	for (int i = 0; i < n; i++)
		out[i].unresolved = false;
	return n < 0 ? 0 : n;
}
