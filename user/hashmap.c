/*
 * hashmap.c: open addressing with linear probing over (hash, index) slots.
 *
 * The full 64-bit hash is kept in each slot, so a probe compares hashes
 * first and calls the caller's equality function only on a real candidate,
 * and growing never calls back into the caller to rehash its entries.
 */
#include "hashmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define WORD_PRIME 0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */

/* The finalizer of MurmurHash3 (fmix64): spreads every bit to the low ones. */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/*
 * Eight bytes a step (a byte-at-a-time FNV-1a was a third of `bpflame svg`'s
 * time on a 29 MB folded profile of long Go names): each step is a
 * bijection of the state for a given word, and mix64 spreads the result.
 * The values depend on byte order; nothing stores or prints them.
 */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = FNV_OFFSET ^ seed ^ ((uint64_t)len * WORD_PRIME), w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * WORD_PRIME;
		h ^= h >> 32;
	}
	if (len) {
		w = 0;
		memcpy(&w, p, len);
		h = (h ^ w) * WORD_PRIME;
		h ^= h >> 32;
	}
	return mix64(h);
}

uint64_t hash_u64(uint64_t value, uint64_t seed)
{
	return mix64(value ^ mix64(seed ^ FNV_OFFSET));
}

int hmap__find(const struct hmap *map, uint64_t hash, hmap_equal_fn equal,
		  const void *ctx, uint32_t *index)
{
	size_t mask, i;

	if (!map->cap)
		return -ENOENT;
	mask = map->cap - 1;
	for (i = hash & mask; map->slots[i].index1; i = (i + 1) & mask) {
		if (map->slots[i].hash == hash && equal(ctx, map->slots[i].index1 - 1)) {
			*index = map->slots[i].index1 - 1;
			return 0;
		}
	}
	return -ENOENT;
}

static void place(struct hmap_slot *slots, size_t cap, uint64_t hash, uint32_t index1)
{
	size_t mask = cap - 1, i;

	for (i = hash & mask; slots[i].index1; i = (i + 1) & mask)
		;
	slots[i].hash = hash;
	slots[i].index1 = index1;
}

int hmap__reserve(struct hmap *map, size_t count)
{
	struct hmap_slot *slots;
	size_t cap = map->cap ? map->cap : 16;

	/* Load factor at most 1/2: probes stay short. */
	while (cap / 2 < count) {
		if (cap > SIZE_MAX / 2 / sizeof(*slots))
			return -ENOMEM;
		cap *= 2;
	}
	if (cap == map->cap)
		return 0;
	slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < map->cap; i++) {
		if (map->slots[i].index1)
			place(slots, cap, map->slots[i].hash, map->slots[i].index1);
	}
	free(map->slots);
	map->slots = slots;
	map->cap = cap;
	return 0;
}

int hmap__insert(struct hmap *map, uint64_t hash, uint32_t index)
{
	int err;

	if (index == UINT32_MAX)
		return -ENOMEM; /* index + 1 would wrap to "empty" */
	err = hmap__reserve(map, map->count + 1);
	if (err)
		return err;
	place(map->slots, map->cap, hash, index + 1);
	map->count++;
	return 0;
}

void hmap__clear(struct hmap *map)
{
	if (map->cap)
		memset(map->slots, 0, map->cap * sizeof(*map->slots));
	map->count = 0;
}

void hmap__free(struct hmap *map)
{
	free(map->slots);
	map->slots = NULL;
	map->cap = map->count = 0;
}
