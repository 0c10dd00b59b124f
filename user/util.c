// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "util.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool quiet_info; /* set once from main before any work */

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "bpflame: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void p_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("error: ", fmt, ap);
	va_end(ap);
}

void p_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint("warning: ", fmt, ap);
	va_end(ap);
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet_info)
		return;
	va_start(ap, fmt);
	vprint("", fmt, ap);
	va_end(ap);
}

void util_set_quiet(bool quiet)
{
	quiet_info = quiet;
}

const char *errstr(int err)
{
	static char libbpf_msg[128]; /* libbpf's codes have no strerror() text */

	err = err < 0 ? -err : err;
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END) {
		libbpf_strerror(err, libbpf_msg, sizeof(libbpf_msg));
		return libbpf_msg;
	}
	return strerror(err);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

size_t uvarint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	return n;
}

size_t uvarint_get(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (size_t i = 0; i < UVARINT_MAX && p + i < end; i++) {
		if (i == UVARINT_MAX - 1 && p[i] > 1)
			return 0; /* more than 64 bits */
		x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80)) {
			*v = x;
			return i + 1;
		}
	}
	return 0;
}

size_t sort_unique_u64(uint64_t *v, size_t n)
{
	size_t j = 0;

	if (n < 2)
		return n;
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < n; i++)
		if (!j || v[i] != v[j - 1])
			v[j++] = v[i];
	return j;
}

int array_reserve(void *array, size_t *cap, size_t need, size_t elem)
{
	void **v = array, *p;
	size_t ncap;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 16;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / elem)
		return -ENOMEM;
	p = realloc(*v, ncap * elem);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = ncap;
	return 0;
}

bool mem_has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

bool has_suffix(const char *s, const char *suffix)
{
	return mem_has_suffix(s, strlen(s), suffix);
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_hex_u64(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (!s)
		return -EINVAL;
	while (*s == ' ' || *s == '\t')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 16);
	while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')
		end++;
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int out_file__open(struct out_file *out, const char *path)
{
	struct stat st;
	char *real = NULL;
	int fd, err;

	memset(out, 0, sizeof(*out));
	if (strcmp(path, "-") == 0) {
		out->stream = stdout;
		return 0;
	}
	if (stat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			/* A device, FIFO or /dev/stdout: write to it directly;
			 * renaming over it would replace the device node. */
			out->stream = fopen(path, "w");
			return out->stream ? 0 : -errno;
		}
		/* Through a symlink: replace the file it names, not the link. */
		real = realpath(path, NULL);
	}
	out->path = real ? real : strdup(path);
	if (!out->path || asprintf(&out->tmp_path, "%s.tmp.XXXXXX", out->path) < 0) {
		free(out->path);
		out->path = NULL;
		out->tmp_path = NULL;
		return -ENOMEM;
	}
	fd = mkstemp(out->tmp_path);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	/* mkstemp creates 0600: give the file the mode a plain create would. */
	mode_t mask = umask(0);

	umask(mask);
	fchmod(fd, 0666 & ~mask);
	out->stream = fdopen(fd, "w");
	if (!out->stream) {
		err = -errno;
		close(fd);
		unlink(out->tmp_path);
		goto fail;
	}
	return 0;
fail:
	free(out->path);
	free(out->tmp_path);
	memset(out, 0, sizeof(*out));
	return err;
}

int out_file__commit(struct out_file *out)
{
	int err = 0;

	if (!out->stream)
		return -EBADF;
	if (fflush(out->stream) != 0 || ferror(out->stream))
		err = errno ? -errno : -EIO;
	if (out->stream != stdout && fclose(out->stream) != 0 && !err)
		err = -errno;
	out->stream = NULL;
	if (!out->path) /* stdout or a device: nothing to rename */
		return err;
	if (!err && rename(out->tmp_path, out->path) != 0)
		err = -errno;
	if (err)
		unlink(out->tmp_path);
	free(out->path);
	free(out->tmp_path);
	out->path = out->tmp_path = NULL;
	return err;
}

void out_file__abort(struct out_file *out)
{
	if (!out->stream)
		return;
	if (out->stream != stdout)
		fclose(out->stream);
	if (out->tmp_path)
		unlink(out->tmp_path);
	free(out->path);
	free(out->tmp_path);
	memset(out, 0, sizeof(*out));
}
