/*
 * hashmap.h: bpflame's one hash table, and its one hash function.
 *
 * An index set: the table stores no keys or values, only indexes into an
 * array the caller owns (strings, functions, locations, cached objects...),
 * with each entry's hash beside it. The caller keeps its entries in that
 * array, where every other module can address them by index, and asks the
 * set "which index holds an entry equal to this one?". Interning, caches
 * and maps from a key to a value are all this pattern: a map is an array of
 * (key, value) records plus an index set over it.
 *
 *   uint32_t idx;
 *   uint64_t h = hash_bytes(name, len, 0);
 *   if (hmap__find(&set, h, name_equal, &ctx, &idx) == -ENOENT) {
 *           idx = append the entry to the caller's array;
 *           err = hmap__insert(&set, h, idx);
 *   }
 *
 * The functions are named hmap__*, not hashmap__*: libbpf's static archive
 * defines hashmap__clear() and hashmap__free() of its own, and `make static`
 * links both.
 *
 * Entries cannot be removed one by one (no caller needs it; hmap__clear()
 * empties the set). Memory: 12 bytes a slot, at most twice the entries.
 */
#ifndef BPFLAME_HASHMAP_H
#define BPFLAME_HASHMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
	uint64_t hash;
	uint32_t index1; /* caller's index + 1; 0 is an empty slot */
} __attribute__((packed));

struct hmap {
	struct hmap_slot *slots;
	size_t cap; /* a power of two, or 0 before the first insert */
	size_t count;
};

#define HMAP_INIT { 0 }

/* Tells whether the caller's entry at index equals the key being looked up. */
typedef bool (*hmap_equal_fn)(const void *ctx, uint32_t index);

/*
 * Finds the entry with this hash for which equal(ctx, index) is true.
 * Returns 0 and *index, or -ENOENT.
 */
int hmap__find(const struct hmap *map, uint64_t hash, hmap_equal_fn equal,
		  const void *ctx, uint32_t *index);

/*
 * Adds index under hash (the caller has checked with hmap__find() that
 * no equal entry is present). Returns 0, or -ENOMEM (the set is unchanged).
 */
int hmap__insert(struct hmap *map, uint64_t hash, uint32_t index);

/* Makes room for count entries in all, so inserts up to there cannot fail. */
int hmap__reserve(struct hmap *map, size_t count);

void hmap__clear(struct hmap *map);
void hmap__free(struct hmap *map);

/*
 * The one hash of bytes: 64-bit FNV-1a over data, then a final mix so that
 * every bit of the result depends on every input byte (FNV alone leaves the
 * low bits weak, and the set uses the low bits). seed chains calls: pass the
 * previous result to hash several fields as one key.
 */
uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
/* hash_bytes() of one 64-bit word, faster. */
uint64_t hash_u64(uint64_t value, uint64_t seed);

#endif /* BPFLAME_HASHMAP_H */
