/*
 * pprof.h: the model (model.h) as pprof's profile.proto, gzipped, and back.
 *
 * Writing: every table of the model as it is (ids are index + 1), values
 * rounded to integers, gzip (zlib) around the protobuf. Reading accepts
 * gzipped or plain protobuf, as go tool pprof does, and checks everything
 * a hostile file could get wrong: varints longer than 10 bytes, lengths past
 * the end, string, function, mapping and location references out of range,
 * value counts that differ from the sample types, more than
 * PPROF_MAX_DECOMPRESSED bytes after gunzip. Nested messages are at most
 * three deep in profile.proto and the decoder never recurses further, so no
 * input can make it recurse; unknown fields are skipped.
 *
 * Why a small encoder/decoder of our own rather than protobuf-c: the format
 * needs only varints, packed varints and length-delimited fields; protobuf-c
 * would add a code generator to the build and unpack the whole file into
 * one allocation per message (several times the file's size) before any
 * check of ours could run, while this decoder streams over the buffer and
 * allocates only the model.
 */
#ifndef BPFLAME_PPROF_H
#define BPFLAME_PPROF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

/* Bound on a profile's size after gunzip (a "zip bomb" fails with -EFBIG). */
#define PPROF_MAX_DECOMPRESSED (64UL << 20)

/* Writes m gzipped to out. Returns 0, -ENOMEM or -EIO. */
int pprof__write(const struct model *m, FILE *out);

/* Encodes m as uncompressed protobuf into a malloc'd buffer. Returns 0 or -ENOMEM. */
int pprof__encode(const struct model *m, uint8_t **data, size_t *len);

/*
 * Decodes a profile (gzipped or not) from data into a new model. Returns 0
 * and *out, or: -EILSEQ corrupt gzip data, -EFBIG more than
 * PPROF_MAX_DECOMPRESSED bytes, -EBADMSG malformed protobuf (bad varint,
 * truncated field), -EINVAL a reference out of range or inconsistent
 * values, -ENODATA no sample types, -ENOMEM.
 */
int pprof__decode(const uint8_t *data, size_t len, struct model **out);

/* Reads all of in (at most PPROF_MAX_DECOMPRESSED bytes) and decodes it.
 * Returns as pprof__decode(), and -EIO. */
int pprof__read(FILE *in, struct model **out);

/* A short description of a pprof__decode() error, for the caller's error line. */
const char *pprof__strerror(int err);

/* True when the first bytes are gzip's magic (folded text never starts so). */
static inline int pprof__is_gzip(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

#endif /* BPFLAME_PPROF_H */
