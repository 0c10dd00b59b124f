/*
 * util.h: the one way bpflame reports errors, plus small helpers every
 * module shares.
 *
 * Functions across bpflame return 0 (or a count) on success and a negative
 * errno on failure. They do not print: the caller that knows what the user
 * can act on prints once, with p_err(), e.g.
 *   p_err("cannot open /proc/%d/maps: %s", pid, errstr(err));
 * Exit statuses: 0 success, 1 runtime failure, 2 usage or input error.
 */
#ifndef BPFLAME_UTIL_H
#define BPFLAME_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define EXIT_USAGE 2

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Prints "bpflame: error: <message>\n" on stderr. */
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "bpflame: warning: <message>\n" on stderr. */
void p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "bpflame: <message>\n" on stderr unless quiet was set. */
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void util_set_quiet(bool quiet);

/*
 * Makes room for need elements of elem bytes in the heap array *array of
 * capacity *cap (in elements), doubling so that appends are amortized O(1).
 * *array and *cap change only on success. Returns 0, or -ENOMEM (also when
 * need * elem would overflow).
 */
int array_reserve(void *array, size_t *cap, size_t need, size_t elem);

/* LEB128 varints (protobuf's, and the stack store's): at most 10 bytes. */
#define UVARINT_MAX 10
/* Writes v at p; returns the bytes written. */
size_t uvarint_put(uint8_t *p, uint64_t v);
/* Reads one varint of [p, end) into *v; returns the bytes read, 0 if it is
 * truncated or longer than 64 bits. */
size_t uvarint_get(const uint8_t *p, const uint8_t *end, uint64_t *v);

/* Sorts v[0..n) ascending and drops duplicates; returns the new length. */
size_t sort_unique_u64(uint64_t *v, size_t n);

/* strerror() for a negative (or positive) errno value. */
const char *errstr(int err);

/* Whether the len bytes at s end with the string suffix (has_suffix: s is
 * a string). */
bool mem_has_suffix(const char *s, size_t len, const char *suffix);
bool has_suffix(const char *s, const char *suffix);

/* Parses a decimal integer in [min, max]; returns 0 or -EINVAL. */
int parse_long(const char *s, long min, long max, long *out);
/* Parses a hexadecimal address, with or without 0x; returns 0 or -EINVAL. */
int parse_hex_u64(const char *s, unsigned long long *out);

/*
 * An output file that appears complete or not at all: data goes to a
 * temporary file beside the target, renamed over it by out_file__commit().
 * The path "-" means stdout, and a path that is not a regular file (a
 * device such as /dev/null, a FIFO) is written directly: renaming over it
 * would replace it. Through a symlink, the file it names is replaced.
 * out_file__abort() removes the
 * temporary file; both functions close the stream and are safe to call once.
 */
struct out_file {
	FILE *stream;
	char *path;     /* final path, NULL for stdout */
	char *tmp_path; /* temporary path, NULL for stdout */
};
int out_file__open(struct out_file *out, const char *path);
int out_file__commit(struct out_file *out);
void out_file__abort(struct out_file *out);

#endif /* BPFLAME_UTIL_H */
