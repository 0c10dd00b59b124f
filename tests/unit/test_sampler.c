// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of sampler.h's map clearing, on real BPF hash maps (root).
 *
 * An interval's counts map holds tens of thousands of keys; clearing it
 * once stopped part way through when the key list grew past a few hundred
 * KB (the previous key was passed to the kernel through a pointer into the
 * array's old block), leaving counts to be drained again later.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "sampler.h"
#include "tap.h"

/* A key like struct sample_key's size class: 32 bytes. */
struct key32 {
	uint64_t a, b, c, d;
};

static int count_keys(int fd)
{
	struct key32 k, next;
	int n = 0;

	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &k, n++)
		k = next;
	return n;
}

static void test_clear(unsigned int nkeys)
{
	int fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bft_clear", sizeof(struct key32),
				sizeof(uint64_t), nkeys, NULL);
	unsigned int filled = 0;
	uint64_t one = 1;

	if (fd < 0) {
		ok(0, "%u keys: bpf_map_create: %s", nkeys, strerror(errno));
		return;
	}
	for (unsigned int i = 0; i < nkeys; i++) {
		struct key32 k = { i, i * 7ull, ~(uint64_t)i, 42 };

		filled += !bpf_map_update_elem(fd, &k, &one, BPF_NOEXIST);
	}
	is_int(filled, nkeys, "%u keys: the map is filled", nkeys);
	is_int(sampler__clear_map(fd, sizeof(struct key32)), 0, "%u keys: cleared without error",
	       nkeys);
	is_int(count_keys(fd), 0, "%u keys: none left", nkeys);
	close(fd);
}

int main(void)
{
	if (geteuid() != 0) {
		printf("1..0 # SKIP BPF maps need root\n");
		return 0;
	}
	test_clear(1);
	test_clear(1000);
	/* 64k keys of 32 bytes: a 2 MB key list, grown through several
	 * reallocations of an mmapped block. */
	test_clear(65536);
	return done_testing();
}
