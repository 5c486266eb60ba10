/* hs_rng: counter-based random numbers, so results never depend on thread count.
 *
 * Every random draw is a pure function of (seed, unit, replicate, draw index): a
 * stream key is hashed from (seed, unit, replicate) with the SplitMix64 finaliser
 * (Stafford's "mix13"), and the stream's t-th 64-bit output is mix64(key + (t+1)*gamma),
 * i.e. a SplitMix64 sequence started at that key. No state is shared between units
 * or replicates, so any thread may compute any (unit, replicate) in any order and
 * obtain bit-identical draws (GeoDa's results change with core count; ours do not).
 *
 * "unit" is the spatial unit index for local statistics; global procedures (global
 * Moran's I, the scan) use HS_RNG_UNIT_GLOBAL or their own documented unit values.
 * All functions are static inline: the permutation loops call them ~10^9 times.
 */
#ifndef HS_RNG_H
#define HS_RNG_H

#include <stdint.h>

#define HS_RNG_GAMMA 0x9e3779b97f4a7c15ull
#define HS_RNG_UNIT_GLOBAL UINT64_MAX

typedef struct hs_rng {
    uint64_t state; /* key + t*gamma */
    uint32_t spare; /* high half of the last 64-bit output, not yet used */
    int has_spare;
} hs_rng;

static inline uint64_t hs_rng_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Key of the (seed, unit) pair; hoisted out of replicate loops by callers. */
static inline uint64_t hs_rng_unit_key(uint64_t seed, uint64_t unit)
{
    uint64_t k = hs_rng_mix64(seed + HS_RNG_GAMMA);
    return hs_rng_mix64(k ^ ((unit + 1) * 0xd1b54a32d192ed03ull));
}

static inline void hs_rng_init_key(hs_rng *r, uint64_t unit_key, uint64_t replicate)
{
    r->state = hs_rng_mix64(unit_key ^ ((replicate + 1) * 0xaf251af3b0f025b5ull));
    r->spare = 0;
    r->has_spare = 0;
}

/* Starts the stream of (seed, unit, replicate). */
static inline void hs_rng_init(hs_rng *r, uint64_t seed, uint64_t unit, uint64_t replicate)
{
    hs_rng_init_key(r, hs_rng_unit_key(seed, unit), replicate);
}

static inline uint64_t hs_rng_next64(hs_rng *r)
{
    r->state += HS_RNG_GAMMA;
    return hs_rng_mix64(r->state);
}

/* 32-bit outputs use both halves of each 64-bit output (low half first). */
static inline uint32_t hs_rng_next32(hs_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    uint64_t v = hs_rng_next64(r);
    r->spare = (uint32_t)(v >> 32);
    r->has_spare = 1;
    return (uint32_t)v;
}

/* Rejection threshold of hs_rng_below for `bound` (2^32 mod bound); loops that draw
 * many values below the same bound compute it once. */
static inline uint32_t hs_rng_threshold(uint32_t bound)
{
    return (uint32_t)(-bound) % bound;
}

/* Uniform integer in [0, bound) given threshold = hs_rng_threshold(bound): Lemire's
 * (2019) multiply-shift, redrawing the few products whose low half is below threshold,
 * so there is no modulo bias. */
static inline uint32_t hs_rng_below_t(hs_rng *r, uint32_t bound, uint32_t threshold)
{
    uint64_t m = (uint64_t)hs_rng_next32(r) * bound;
    while ((uint32_t)m < threshold)
        m = (uint64_t)hs_rng_next32(r) * bound;
    return (uint32_t)(m >> 32);
}

/* Uniform integer in [0, bound), bound >= 1 (same stream use as hs_rng_below_t). */
static inline uint32_t hs_rng_below(hs_rng *r, uint32_t bound)
{
    uint64_t m = (uint64_t)hs_rng_next32(r) * bound;
    if ((uint32_t)m < bound) {
        uint32_t threshold = hs_rng_threshold(bound);
        while ((uint32_t)m < threshold)
            m = (uint64_t)hs_rng_next32(r) * bound;
    }
    return (uint32_t)(m >> 32);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double hs_rng_uniform(hs_rng *r)
{
    return (double)(hs_rng_next64(r) >> 11) * 0x1.0p-53;
}

/* The t-th 64-bit output of stream (seed, unit, replicate), t = 0, 1, ...: a pure function. */
static inline uint64_t hs_rng_at(uint64_t seed, uint64_t unit, uint64_t replicate, uint64_t t)
{
    hs_rng r;
    hs_rng_init(&r, seed, unit, replicate);
    r.state += t * HS_RNG_GAMMA;
    return hs_rng_next64(&r);
}

#endif
