/* test_hashmap.c: the index set, through hashmap.h only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hashmap.h"
#include "tap.h"

struct strings {
	char (*items)[16];
	const char *key;
};

static bool string_equal(const void *ctx, uint32_t index)
{
	const struct strings *s = ctx;

	return strcmp(s->items[index], s->key) == 0;
}

/* Every hash equal: each lookup must fall back on the equality function. */
static bool always_false(const void *ctx, uint32_t index)
{
	return false;
}

int main(void)
{
	enum { N = 50000 };
	struct hmap set = HMAP_INIT;
	struct strings s = { .items = calloc(N, sizeof(*s.items)) };
	uint32_t idx = 0;
	int err = 0, found = 0, wrong = 0;

	s.key = "absent";
	is_int(hmap__find(&set, hash_bytes("absent", 6, 0), string_equal, &s, &idx), -ENOENT,
	       "empty set finds nothing");

	for (int i = 0; i < N && !err; i++) {
		snprintf(s.items[i], sizeof(s.items[i]), "name%d", i);
		err = hmap__insert(&set, hash_bytes(s.items[i], strlen(s.items[i]), 0), i);
	}
	is_int(err, 0, "%d inserts", N);
	is_int(set.count, N, "count");
	ok(set.cap >= 2 * N && (set.cap & (set.cap - 1)) == 0, "load factor at most 1/2, power of two");

	for (int i = 0; i < N; i++) {
		char key[16];

		snprintf(key, sizeof(key), "name%d", i);
		s.key = key;
		if (hmap__find(&set, hash_bytes(key, strlen(key), 0), string_equal, &s, &idx))
			continue;
		found++;
		wrong += idx != (uint32_t)i;
	}
	is_int(found, N, "every entry found after growing");
	is_int(wrong, 0, "each under its own index");

	/* Same hash, different entries: collisions resolve by equality. */
	struct hmap coll = HMAP_INIT;
	char items[3][16] = { "a", "b", "c" };
	struct strings cs = { .items = items };

	for (int i = 0; i < 3; i++)
		hmap__insert(&coll, 42, i);
	cs.key = "c";
	ok(!hmap__find(&coll, 42, string_equal, &cs, &idx) && idx == 2, "collision: c found");
	is_int(hmap__find(&coll, 42, always_false, NULL, &idx), -ENOENT,
	       "collision: no false match");
	hmap__clear(&coll);
	cs.key = "a";
	is_int(hmap__find(&coll, 42, string_equal, &cs, &idx), -ENOENT, "clear empties");
	hmap__free(&coll);

	/* The hash: stable, seed-dependent, low bits spread. */
	ok(hash_bytes("abc", 3, 0) == hash_bytes("abc", 3, 0), "hash is deterministic");
	ok(hash_bytes("abc", 3, 0) != hash_bytes("abc", 3, 1), "seed changes the hash");
	ok(hash_bytes("", 0, 0) != hash_bytes("\0", 1, 0), "length is part of the hash");
	unsigned buckets[16] = { 0 }, worst = 0;
	for (uint64_t v = 0; v < 16000; v++)
		buckets[hash_u64(v * 4096, 0) & 15]++;
	for (int i = 0; i < 16; i++)
		worst = buckets[i] > worst ? buckets[i] : worst;
	ok(worst < 1200, "aligned keys spread over the low bits (worst bucket %u of 1000)", worst);

	hmap__free(&set);
	free(s.items);
	return done_testing();
}
