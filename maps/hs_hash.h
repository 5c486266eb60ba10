/* hs_hash: tiny containers shared by the geometry code (no I/O).
 *
 * hs_u64map: open-addressing map from uint64 keys to non-negative ints, linear probing,
 * fixed capacity chosen at init (callers size it for the worst case, so it never
 * rehashes). Keys that are hashes rather than exact values (coordinates, grid cells)
 * are resolved by the caller through its own collision chains.
 */
#ifndef HS_HASH_H
#define HS_HASH_H

#include <stddef.h>
#include <stdint.h>

typedef struct hs_u64map {
    uint64_t *key;
    int *val; /* -1 = empty slot */
    size_t mask;
} hs_u64map;

uint64_t hs_mix64(uint64_t x);
/* Room for n keys. Returns 0, or -1 when out of memory (free with hs_u64map_free). */
int hs_u64map_init(hs_u64map *m, size_t n);
void hs_u64map_free(hs_u64map *m);
/* The slot for `k`: m->val[slot] is -1 when absent (the caller then sets key and val). */
size_t hs_u64map_slot(const hs_u64map *m, uint64_t k);
/* Bit pattern of a double with -0.0 folded onto 0.0. */
uint64_t hs_dbl_bits(double d);
/* A hash of the point (x,y): equal points give equal keys, others rarely do. */
uint64_t hs_xy_key(double x, double y);
/* Grows *p (elements of `elem` bytes, capacity *cap) to hold `need` elements, doubling.
 * Returns 0, or -1 when out of memory (*p is then unchanged). */
int hs_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
