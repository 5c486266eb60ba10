#include "hs_hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t hs_mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

int hs_u64map_init(hs_u64map *m, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 16)
        cap <<= 1;
    m->key = malloc(cap * sizeof *m->key);
    m->val = malloc(cap * sizeof *m->val);
    m->mask = cap - 1;
    if (!m->key || !m->val)
        return -1;
    for (size_t i = 0; i < cap; i++)
        m->val[i] = -1;
    return 0;
}

void hs_u64map_free(hs_u64map *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

/* Returns the slot for `k`: m->val[slot] is -1 when absent (caller may set it). */
size_t hs_u64map_slot(const hs_u64map *m, uint64_t k)
{
    size_t i = (size_t)hs_mix64(k) & m->mask;
    while (m->val[i] >= 0 && m->key[i] != k)
        i = (i + 1) & m->mask;
    return i;
}

uint64_t hs_dbl_bits(double d)
{
    uint64_t u;
    if (d == 0)
        d = 0; /* -0.0 and 0.0 are the same point */
    memcpy(&u, &d, sizeof u);
    return u;
}

uint64_t hs_xy_key(double x, double y)
{
    return hs_mix64(hs_dbl_bits(x)) ^ (hs_dbl_bits(y) * 0x9E3779B97F4A7C15ULL);
}

int hs_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap : 1024;
    while (nc < need)
        nc *= 2;
    void *q = realloc(*p, nc * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = nc;
    return 0;
}

