#include "hs_perm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hs_rng.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Rows with at most this many neighbours draw by rejection (a repeat is redrawn,
 * checked against the few already drawn); larger rows use a partial Fisher–Yates
 * shuffle of a per-thread index array that is restored after each replicate. */
#define PERM_REJECT_MAX 48
/* Units handed to a thread at a time: small enough to balance, large enough that
 * the shared counter is not contended. */
#define PERM_BLOCK 64
/* Replicates drawn per pass of the SSE2 kernel (see run_tiny). */
#define PERM_RBLK 16

void hs_perm_opt_default(hs_perm_opt *o)
{
    o->permutations = HS_PERM_DEFAULT;
    o->seed = HS_PERM_DEFAULT_SEED;
    o->threads = 1;
    o->cancel = NULL;
    o->method = HS_PERM_EXACT;
}

const char *hs_perm_method_name(int method)
{
    return method == HS_PERM_LOOKUP ? "lookup" : "exact";
}

int hs_perm_method_parse(const char *s, int *method, hs_err *err)
{
    if (s && !strcmp(s, "exact"))
        *method = HS_PERM_EXACT;
    else if (s && !strcmp(s, "lookup"))
        *method = HS_PERM_LOOKUP;
    else
        return hs_err_set(err, HS_EINVAL, "permutation method '%s' is not one of: exact, lookup",
                          s ? s : "(null)");
    return HS_OK;
}

int hs_perm_opt_check(const hs_perm_opt *o, hs_err *err)
{
    if (o->permutations < 0 || o->permutations > HS_PERM_MAX)
        return hs_err_set(err, HS_ELIMIT, "permutations = %d is outside 0..%d", o->permutations,
                          HS_PERM_MAX);
    if (o->threads < 1 || o->threads > HS_PERM_THREADS_MAX)
        return hs_err_set(err, HS_EINVAL, "threads = %d is outside 1..%d", o->threads,
                          HS_PERM_THREADS_MAX);
    if (o->method != HS_PERM_EXACT && o->method != HS_PERM_LOOKUP)
        return hs_err_set(err, HS_EINVAL,
                          "permutation method = %d is not exact (%d) or lookup (%d)", o->method,
                          HS_PERM_EXACT, HS_PERM_LOOKUP);
    return HS_OK;
}

int hs_moments_compute(const double *x, int n, hs_moments *m, hs_err *err)
{
    if (n < 3)
        return hs_err_set(err, HS_EINVAL, "%d units: local statistics need at least 3", n);
    long double s = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return hs_err_set(err, HS_EINVAL, "value of unit %d is not finite", i);
        s += x[i];
    }
    /* Two-pass mean with R's correction step, so the mean equals R's mean() closely. */
    long double mean = s / n, corr = 0;
    for (int i = 0; i < n; i++)
        corr += x[i] - mean;
    mean += corr / n;
    long double ss = 0, q4 = 0;
    for (int i = 0; i < n; i++) {
        long double d = x[i] - mean;
        ss += d * d;
        q4 += d * d * d * d;
    }
    m->n = n;
    m->mean = (double)mean;
    m->ss = (double)ss;
    m->sd_pop = sqrt((double)(ss / n));
    m->s2 = (double)(ss / (n - 1));
    m->m2 = (double)(ss / n);
    m->m4 = (double)(q4 / n);
    return HS_OK;
}

typedef struct perm_job {
    const hs_weights *w;
    const double *zc; /* centred x */
    hs_moments mom;
    int R;
    uint64_t seed;
    int *gi_ge, *lisa_ge;
    const hs_perm_table *table; /* HS_PERM_LOOKUP: the shared tables, else NULL */
    atomic_int next; /* next block of units to take */
    atomic_int failed;
    const atomic_int *cancel; /* opt->cancel */
} perm_job;

/* Exact sequential sampler, the DEFINITION of a small row's draws: for t = 0..k-1,
 * take 32-bit values from the stream (low half of each 64-bit output first), map each
 * to [0, n-2] with Lemire's multiply-shift (a product whose low half is below thr is
 * rejected: no modulo bias), skip unit i (d += d >= i), and redraw a repeat of an
 * earlier draw. Each draw is uniform on the units not yet drawn, so the k units are a
 * uniform sample without replacement. Returns the sum of their centred values, the
 * even-numbered draws and the odd-numbered draws summed apart, then added: the fast
 * path below sums in exactly this order, so both give bit-identical sums. */
static double draw_exact_sum(uint64_t state, int n, int i, int k, uint32_t thr, int32_t *out,
                             const double *zc)
{
    hs_rng r = {.state = state, .spare = 0, .has_spare = 0};
    double s[2] = {0, 0};
    for (int t = 0; t < k; t++) {
        int d;
        for (;;) {
            d = (int)hs_rng_below_t(&r, (uint32_t)(n - 1), thr);
            d += d >= i;
            int dup = 0;
            for (int q = 0; q < t; q++)
                dup |= out[q] == d;
            if (!dup)
                break;
        }
        out[t] = d;
        s[t & 1] += zc[d];
    }
    return s[0] + s[1];
}

/* GCC/Clang vector extension: four int32 lanes (SSE2 on any x86-64, NEON on arm64). */
typedef int32_t perm_v4 __attribute__((vector_size(16)));
/* lanes a, b, c, d of v (GCC >= 12 also knows __builtin_shufflevector; older GCC only this) */
#ifdef __clang__
#define V4_SHUF(v, a, b, c, d) __builtin_shufflevector((v), (v), a, b, c, d)
#else
#define V4_SHUF(v, a, b, c, d) __builtin_shuffle((v), (perm_v4){a, b, c, d})
#endif

static inline int v4_any(perm_v4 v)
{
#ifdef __SSE2__
    return _mm_movemask_epi8((__m128i)v) != 0;
#else
    uint64_t h[2];
    memcpy(h, &v, sizeof h);
    return (h[0] | h[1]) != 0;
#endif
}

/* 1 if two of d[0 .. 4*nblk-1] are equal. Lanes past the row's k hold distinct negative
 * sentinels, so only real repeats count. Each block of four is compared with itself
 * rotated by one and two lanes (all 6 pairs) and with each later block rotated by 0..3
 * lanes (all 16 pairs): for k <= 8, 8 vector compares instead of a branch per draw. */
static inline int has_repeat(const int32_t *d, int nblk)
{
    perm_v4 acc = {0, 0, 0, 0};
    for (int p = 0; p < nblk; p++) {
        perm_v4 a, b;
        memcpy(&a, d + 4 * p, sizeof a);
        acc |= (a == V4_SHUF(a, 1, 2, 3, 0)) |
               (a == V4_SHUF(a, 2, 3, 0, 1));
        for (int q = p + 1; q < nblk; q++) {
            memcpy(&b, d + 4 * q, sizeof b);
            acc |= (a == b) | (a == V4_SHUF(b, 1, 2, 3, 0)) |
                   (a == V4_SHUF(b, 2, 3, 0, 1)) |
                   (a == V4_SHUF(b, 3, 0, 1, 2));
        }
    }
    return v4_any(acc);
}

/* Per-unit constants of the replicate loop. */
typedef struct unit_ctx {
    const double *zc;
    int32_t *drawn; /* k draws, padded to whole blocks of four with distinct sentinels */
    uint64_t key;   /* hs_rng_unit_key(seed, i) */
    int n, i, R;
    uint32_t bound, thr; /* n - 1 and its Lemire threshold */
    double zi, inv_den, coef, gi_thr, li_thr;
} unit_ctx;

/* One fast-path draw from 32-bit value u: Lemire's product, no rejection test here
 * (the smallest low half is tracked instead), then the shift past unit i. */
#define FAST_DRAW(u, d, sum)                                                                   \
    do {                                                                                       \
        uint64_t m_ = (uint64_t)(u) * bound;                                                   \
        lo_min = (uint32_t)m_ < lo_min ? (uint32_t)m_ : lo_min;                                \
        uint32_t d_ = (uint32_t)(m_ >> 32);                                                    \
        d_ += d_ >= iu;                                                                        \
        (d) = (int32_t)d_;                                                                     \
        (sum) += zc[d_];                                                                       \
    } while (0)

/* Draws t and t+1 (if below k) from one 64-bit output, low half first. */
#define FAST_PAIR(t, da, db)                                                                   \
    do {                                                                                       \
        if ((t) < k) {                                                                         \
            state += HS_RNG_GAMMA;                                                             \
            uint64_t v_ = hs_rng_mix64(state);                                                 \
            FAST_DRAW((uint32_t)v_, da, s0);                                                   \
            if ((t) + 1 < k)                                                                   \
                FAST_DRAW(v_ >> 32, db, s1);                                                   \
        }                                                                                      \
    } while (0)

/* Replicates of a unit with k <= PERM_REJECT_MAX. Each replicate first takes the fast
 * path: draw t is simply the t-th 32-bit value of the stream mapped to [0, n-2] and
 * shifted past i, with no branch per draw. That equals draw_exact_sum's result whenever
 * no Lemire product was rejected and no unit repeats; otherwise (probability below
 * (n-1)/2^32 per draw, resp. about k^2/(2n) per replicate) the replicate is redone with
 * draw_exact_sum. The even- and odd-numbered draws are summed apart, as there, so the
 * sums are bit-identical. always_inline + a literal k from the caller's switch make the
 * k <= 8 kernels straight-line code whose draws stay in registers (a vector load right
 * after scalar stores would stall store forwarding). */
static inline __attribute__((always_inline)) void run_small(const unit_ctx *u, int k,
                                                             int *gi_out, int *li_out)
{
    const double *zc = u->zc;
    int32_t *out = u->drawn;
    const int nblk = (k + 3) / 4;
    const uint32_t bound = u->bound, thr = u->thr, iu = (uint32_t)u->i;
    int gi_ge = 0, li_ge = 0;
    for (int r = 0; r < u->R; r++) {
        hs_rng rng;
        hs_rng_init_key(&rng, u->key, (uint64_t)r);
        uint64_t state = rng.state;
        double s0 = 0, s1 = 0;
        uint32_t lo_min = UINT32_MAX; /* the smallest low half: rejected iff < thr */
        int rep;
        if (k <= 8) {
            /* lanes past k keep distinct negative sentinels */
            int32_t d0 = -1, d1 = -2, d2 = -3, d3 = -4, d4 = -5, d5 = -6, d6 = -7, d7 = -8;
            FAST_PAIR(0, d0, d1);
            FAST_PAIR(2, d2, d3);
            FAST_PAIR(4, d4, d5);
            FAST_PAIR(6, d6, d7);
            perm_v4 a = {d0, d1, d2, d3}, b = {d4, d5, d6, d7};
            perm_v4 acc = (a == V4_SHUF(a, 1, 2, 3, 0)) |
                          (a == V4_SHUF(a, 2, 3, 0, 1));
            if (k > 4)
                acc |= (b == V4_SHUF(b, 1, 2, 3, 0)) |
                       (b == V4_SHUF(b, 2, 3, 0, 1)) | (a == b) |
                       (a == V4_SHUF(b, 1, 2, 3, 0)) |
                       (a == V4_SHUF(b, 2, 3, 0, 1)) |
                       (a == V4_SHUF(b, 3, 0, 1, 2));
            rep = v4_any(acc);
        } else {
            for (int t = 0; t < k; t += 2) {
                state += HS_RNG_GAMMA;
                uint64_t v = hs_rng_mix64(state);
                FAST_DRAW((uint32_t)v, out[t], s0);
                if (t + 1 < k)
                    FAST_DRAW(v >> 32, out[t + 1], s1);
            }
            rep = has_repeat(out, nblk);
        }
        double s = s0 + s1;
        if (__builtin_expect((lo_min < thr) | rep, 0))
            s = draw_exact_sum(rng.state, u->n, u->i, k, thr, out, zc);
        /* Both statistics come from the same draw: Gi* and LISA share the work. */
        gi_ge += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
        li_ge += hs_lisa_stat(u->coef, s) >= u->li_thr;
    }
    *gi_out = gi_ge;
    *li_out = li_ge;
}
#undef FAST_PAIR
#undef FAST_DRAW

#if defined(__SSE2__) && !defined(HS_PERM_SCALAR)
/* run_small for k <= 12 with SSE2 (part of every x86-64 CPU, so this is the generic
 * build, not a machine-specific one). Same draws, same fast-path condition, same
 * summation order, hence bit-identical counts; only the per-draw integer work (Lemire's
 * product, rejection test, shift past i, repeat test) moves from the scalar ALUs, which
 * the SplitMix hashing keeps busy, to the vector units. */

/* Constants of one unit's vector draws. Lanes t >= k are not drawn: they hold the
 * distinct negative sentinels -1 - t, so they never look like a repeat. */
typedef struct tiny_consts {
    __m128i bound, im1, sign, thrx, lo32; /* n-1; i-1; 2^31; thr ^ 2^31; low-half mask */
    __m128i keep[3], sent[3];             /* lanes < k of draws 0-3 / 4-7 / 8-11; sentinels */
} tiny_consts;

/* Draws 4h..4h+3 from the 64-bit outputs oa (draws 4h, 4h+1: low half first) and ob.
 * pe/po are the Lemire products of the even/odd draws; a draw is rejected iff the low
 * half of its product is below thr (unsigned; compared signed after flipping the sign
 * bit), and bad collects that for the lanes below k. */
static inline __attribute__((always_inline)) __m128i tiny_draw4(const tiny_consts *c, int h,
                                                                 int partial, uint64_t oa,
                                                                 uint64_t ob, __m128i *bad)
{
    __m128i v = _mm_set_epi64x((long long)ob, (long long)oa);
    __m128i pe = _mm_mul_epu32(v, c->bound), po = _mm_mul_epu32(_mm_srli_epi64(v, 32), c->bound);
    __m128i D = _mm_or_si128(_mm_srli_epi64(pe, 32), _mm_andnot_si128(c->lo32, po));
    __m128i L = _mm_or_si128(_mm_and_si128(pe, c->lo32), _mm_slli_epi64(po, 32));
    __m128i rej = _mm_cmpgt_epi32(c->thrx, _mm_xor_si128(L, c->sign));
    *bad = _mm_or_si128(*bad, _mm_and_si128(rej, c->keep[h]));
    D = _mm_sub_epi32(D, _mm_cmpgt_epi32(D, c->im1)); /* d += d >= i */
    if (partial)
        D = _mm_or_si128(_mm_and_si128(D, c->keep[h]), c->sent[h]);
    return D;
}

/* Replicates are handled in blocks of PERM_RBLK, in two passes: pass 1 computes every
 * replicate's draws (hashing and vector work, independent chains), pass 2 gathers their
 * centred values and counts. Every gather of pass 2 then has its address ready, so the
 * cache misses overlap instead of each replicate waiting for its own chain
 * hash -> product -> load (about 10% faster). Pass 1 also flags the replicates that
 * need draw_exact_sum (a rejected product or a repeat). */
static inline __attribute__((always_inline)) void run_tiny(const unit_ctx *u, int k,
                                                            int *gi_out, int *li_out)
{
    const double *zc = u->zc;
    tiny_consts c;
    c.bound = _mm_set1_epi32((int32_t)u->bound);
    c.im1 = _mm_set1_epi32(u->i - 1);
    c.sign = _mm_set1_epi32(INT32_MIN);
    c.thrx = _mm_set1_epi32((int32_t)(u->thr ^ 0x80000000u));
    c.lo32 = _mm_set_epi32(0, -1, 0, -1);
    c.keep[0] = _mm_set_epi32(-(k > 3), -(k > 2), -(k > 1), -(k > 0));
    c.keep[1] = _mm_set_epi32(-(k > 7), -(k > 6), -(k > 5), -(k > 4));
    c.sent[0] = _mm_andnot_si128(c.keep[0], _mm_set_epi32(-4, -3, -2, -1));
    c.sent[1] = _mm_andnot_si128(c.keep[1], _mm_set_epi32(-8, -7, -6, -5));
    c.keep[2] = _mm_set_epi32(-(k > 11), -(k > 10), -(k > 9), -(k > 8));
    c.sent[2] = _mm_andnot_si128(c.keep[2], _mm_set_epi32(-12, -11, -10, -9));
    int gi_ge = 0, li_ge = 0;
    int32_t dbuf[PERM_RBLK][12];
    int flag[PERM_RBLK];
    for (int r0 = 0; r0 < u->R; r0 += PERM_RBLK) {
        int nb = u->R - r0 < PERM_RBLK ? u->R - r0 : PERM_RBLK;
        for (int j = 0; j < nb; j++) { /* pass 1 */
            hs_rng rng;
            hs_rng_init_key(&rng, u->key, (uint64_t)(r0 + j));
            uint64_t st = rng.state;
            __m128i bad = _mm_setzero_si128();
            /* output t of the stream is mix64(state + (t + 1) * gamma), as hs_rng_next64 */
            uint64_t o0 = hs_rng_mix64(st + HS_RNG_GAMMA);
            uint64_t o1 = k > 2 ? hs_rng_mix64(st + 2 * HS_RNG_GAMMA) : 0;
            __m128i D0 = tiny_draw4(&c, 0, k < 4, o0, o1, &bad);
            /* D0 with itself rotated by 1 and 2 lanes: all 6 pairs */
            __m128i dup = _mm_or_si128(_mm_cmpeq_epi32(D0, _mm_shuffle_epi32(D0, 0x39)),
                                       _mm_cmpeq_epi32(D0, _mm_shuffle_epi32(D0, 0x4e)));
            _mm_storeu_si128((__m128i *)dbuf[j], D0);
            __m128i D1 = _mm_setzero_si128();
            if (k > 4) {
                uint64_t o2 = hs_rng_mix64(st + 3 * HS_RNG_GAMMA);
                uint64_t o3 = k > 6 ? hs_rng_mix64(st + 4 * HS_RNG_GAMMA) : 0;
                D1 = tiny_draw4(&c, 1, k < 8, o2, o3, &bad);
                /* D1 with itself (6 pairs), D0 with D1 rotated by 0..3 lanes (16 pairs) */
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D1, _mm_shuffle_epi32(D1, 0x39)));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D1, _mm_shuffle_epi32(D1, 0x4e)));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D0, D1));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D0, _mm_shuffle_epi32(D1, 0x39)));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D0, _mm_shuffle_epi32(D1, 0x4e)));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D0, _mm_shuffle_epi32(D1, 0x93)));
                _mm_storeu_si128((__m128i *)(dbuf[j] + 4), D1);
            }
            if (k > 8) {
                uint64_t o4 = hs_rng_mix64(st + 5 * HS_RNG_GAMMA);
                uint64_t o5 = k > 10 ? hs_rng_mix64(st + 6 * HS_RNG_GAMMA) : 0;
                __m128i D2 = tiny_draw4(&c, 2, k < 12, o4, o5, &bad);
                /* D2 with itself (6 pairs), D0 and D1 with D2 rotated by 0..3 (32 pairs) */
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D2, _mm_shuffle_epi32(D2, 0x39)));
                dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D2, _mm_shuffle_epi32(D2, 0x4e)));
                for (int rot = 0; rot < 4; rot++) {
                    __m128i R = rot == 0 ? D2
                              : rot == 1 ? _mm_shuffle_epi32(D2, 0x39)
                              : rot == 2 ? _mm_shuffle_epi32(D2, 0x4e)
                                         : _mm_shuffle_epi32(D2, 0x93);
                    dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D0, R));
                    dup = _mm_or_si128(dup, _mm_cmpeq_epi32(D1, R));
                }
                _mm_storeu_si128((__m128i *)(dbuf[j] + 8), D2);
            }
            flag[j] = _mm_movemask_epi8(_mm_or_si128(dup, bad));
        }
        for (int j = 0; j < nb; j++) { /* pass 2 */
            const int32_t *d = dbuf[j];
            /* even / odd draws summed apart, as draw_exact_sum; written out because -O2
             * does not unroll a loop here (k is a literal: the dead terms drop) */
            double s0 = 0, s1 = 0;
            s0 += zc[d[0]];
            if (k > 1)
                s1 += zc[d[1]];
            if (k > 2)
                s0 += zc[d[2]];
            if (k > 3)
                s1 += zc[d[3]];
            if (k > 4)
                s0 += zc[d[4]];
            if (k > 5)
                s1 += zc[d[5]];
            if (k > 6)
                s0 += zc[d[6]];
            if (k > 7)
                s1 += zc[d[7]];
            if (k > 8)
                s0 += zc[d[8]];
            if (k > 9)
                s1 += zc[d[9]];
            if (k > 10)
                s0 += zc[d[10]];
            if (k > 11)
                s1 += zc[d[11]];
            double s = s0 + s1;
            if (__builtin_expect(flag[j] != 0, 0)) {
                hs_rng rng;
                hs_rng_init_key(&rng, u->key, (uint64_t)(r0 + j));
                s = draw_exact_sum(rng.state, u->n, u->i, k, u->thr, u->drawn, zc);
            }
            /* Both statistics come from the same draw: Gi* and LISA share the work. */
            gi_ge += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
            li_ge += hs_lisa_stat(u->coef, s) >= u->li_thr;
        }
    }
    *gi_out = gi_ge;
    *li_out = li_ge;
}
#else
#define run_tiny run_small
#endif

/* Rows with k > PERM_REJECT_MAX: partial Fisher–Yates shuffle of idx, which is the
 * identity permutation except that unit i sits at n-1, so positions 0..n-2 hold
 * exactly the other units. The swaps are undone after each replicate. */
static void run_large(const unit_ctx *u, int k, int *idx, int *gi_out, int *li_out)
{
    const double *zc = u->zc;
    int n = u->n, gi_ge = 0, li_ge = 0;
    for (int r = 0; r < u->R; r++) {
        hs_rng rng;
        hs_rng_init_key(&rng, u->key, (uint64_t)r);
        double s = 0;
        for (int t = 0; t < k; t++) {
            int p = t + (int)hs_rng_below(&rng, (uint32_t)(n - 1 - t));
            int tmp = idx[t];
            idx[t] = idx[p];
            idx[p] = tmp;
            u->drawn[t] = p;
            s += zc[idx[t]];
        }
        for (int t = k - 1; t >= 0; t--) { /* undo the swaps in reverse order */
            int p = u->drawn[t], tmp = idx[t];
            idx[t] = idx[p];
            idx[p] = tmp;
        }
        gi_ge += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
        li_ge += hs_lisa_stat(u->coef, s) >= u->li_thr;
    }
    *gi_out = gi_ge;
    *li_out = li_ge;
}

/* Prefix sum at unrolled position c in [0, 2n] of the table P (positions n .. 2n - 1 are
 * positions 0 .. n - 1 again). */
static inline double lookup_prefix(const double *P, long n, long c)
{
    return c <= n ? P[c] : P[n] + P[c - n];
}

/* Counts `cnt` consecutive windows of k positions from unrolled position c of table P.
 * do_gi is a literal (always_inline): LISA alone skips the Gi* compare. The windows
 * before and after position n are tight loops (one sequential load, a subtraction and
 * the compares per replicate); only the one window across n uses lookup_prefix. */
static inline __attribute__((always_inline)) void lookup_windows(const double *P, long n, long c,
                                                                  int k, long cnt,
                                                                  const unit_ctx *u, int do_gi,
                                                                  int *gi, int *li)
{
    int g = 0, l = 0;
    while (cnt > 0) {
        long seg; /* windows from c that stay on one side of n */
        const double *q;
        if (c + k <= n) {
            seg = (n - c) / k;
            q = P + c;
        } else if (c >= n) {
            seg = cnt;
            q = P + (c - n);
        } else { /* the window across n */
            double s = lookup_prefix(P, n, c + k) - P[c];
            if (do_gi)
                g += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
            l += hs_lisa_stat(u->coef, s) >= u->li_thr;
            c += k;
            cnt--;
            continue;
        }
        seg = seg < cnt ? seg : cnt;
        double prev = *q;
        for (long w = 0; w < seg; w++) {
            q += k;
            double nxt = *q, s = nxt - prev;
            prev = nxt;
            if (do_gi)
                g += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
            l += hs_lisa_stat(u->coef, s) >= u->li_thr;
        }
        c += seg * k;
        cnt -= seg;
    }
    *gi += g;
    *li += l;
}

/* HS_PERM_LOOKUP, any k: the walk of hs_perm_lookup_windows in three stretches per run
 * (windows before unit i's position, the window holding it, windows after it). */
static inline __attribute__((always_inline)) void run_lookup_t(const perm_job *job,
                                                                const unit_ctx *u, int k,
                                                                int do_gi, int *gi_out,
                                                                int *li_out)
{
    const hs_perm_table *t = job->table;
    const long n = t->n;
    const uint32_t range = (uint32_t)t->m * (uint32_t)n, thr = hs_rng_threshold(range);
    const int32_t *pos = t->pos + (size_t)u->i * (size_t)t->m;
    hs_rng rng;
    hs_rng_init_key(&rng, u->key, HS_PERM_LOOKUP_STREAM);
    long left = u->R;
    int gi = 0, li = 0;
    while (left > 0) {
        uint32_t idx = hs_rng_below_t(&rng, range, thr);
        uint32_t tb = idx & (uint32_t)(t->m - 1);
        long b0 = (long)(idx >> t->mshift), c = b0, end = b0 + n;
        const double *P = t->prefix + (size_t)tb * ((size_t)n + 1);
        long p = pos[tb];
        if (p < b0)
            p += n;
        long cnt = (p - c) / k; /* windows ending before p */
        cnt = cnt < left ? cnt : left;
        lookup_windows(P, n, c, k, cnt, u, do_gi, &gi, &li);
        c += cnt * k;
        left -= cnt;
        if (left == 0)
            break;
        if (c + k + 1 > end)
            continue; /* the window holding i does not fit: a new run */
        /* positions c .. c + k without i (whose value is zi) */
        double s = lookup_prefix(P, n, c + k + 1) - lookup_prefix(P, n, c) - u->zi;
        if (do_gi)
            gi += hs_gistar_stat(u->zi, s, u->inv_den) >= u->gi_thr;
        li += hs_lisa_stat(u->coef, s) >= u->li_thr;
        c += k + 1;
        left--;
        cnt = (end - c) / k;
        cnt = cnt < left ? cnt : left;
        lookup_windows(P, n, c, k, cnt, u, do_gi, &gi, &li);
        left -= cnt;
    }
    *gi_out = gi;
    *li_out = li;
}

static void run_lookup(const perm_job *job, const unit_ctx *u, int k, int do_gi, int *gi_out,
                       int *li_out)
{
    if (do_gi)
        run_lookup_t(job, u, k, 1, gi_out, li_out);
    else
        run_lookup_t(job, u, k, 0, gi_out, li_out);
}

static void perm_unit(perm_job *job, int i, int *idx, int32_t *drawn)
{
    const hs_weights *w = job->w;
    const double *zc = job->zc;
    int n = w->n, k = hs_weights_card(w, i);
    if (k == 0) {
        if (job->gi_ge)
            job->gi_ge[i] = -1;
        if (job->lisa_ge)
            job->lisa_ge[i] = -1;
        return;
    }
    double obs_sum = 0;
    for (int e = w->start[i]; e < w->start[i + 1]; e++)
        obs_sum += zc[w->nbr[e]];
    unit_ctx u = {.zc = zc, .drawn = drawn, .n = n, .i = i, .R = job->R};
    u.zi = zc[i];
    u.inv_den = 1.0 / hs_gistar_den(&job->mom, k);
    u.coef = hs_lisa_coef(u.zi, k, job->mom.s2);
    double gi_obs = hs_gistar_stat(u.zi, obs_sum, u.inv_den);
    double li_obs = hs_lisa_stat(u.coef, obs_sum);
    int do_gi = job->gi_ge && isfinite(gi_obs);
    int do_li = job->lisa_ge && isfinite(li_obs);
    u.gi_thr = hs_perm_threshold(gi_obs);
    u.li_thr = hs_perm_threshold(li_obs);
    u.bound = (uint32_t)(n - 1);
    u.thr = hs_rng_threshold(u.bound);
    u.key = hs_rng_unit_key(job->seed, (uint64_t)i);
    if (!do_gi && !do_li)
        u.R = 0;
    for (int t = k; t < 4 * ((k + 3) / 4); t++)
        drawn[t] = -1 - t;
    int gi_ge = 0, li_ge = 0;
    if (job->table)
        run_lookup(job, &u, k, do_gi, &gi_ge, &li_ge);
    else
        switch (k) { /* literal k: fully unrolled kernels for the usual contiguity rows */
        case 1: run_tiny(&u, 1, &gi_ge, &li_ge); break;
        case 2: run_tiny(&u, 2, &gi_ge, &li_ge); break;
        case 3: run_tiny(&u, 3, &gi_ge, &li_ge); break;
        case 4: run_tiny(&u, 4, &gi_ge, &li_ge); break;
        case 5: run_tiny(&u, 5, &gi_ge, &li_ge); break;
        case 6: run_tiny(&u, 6, &gi_ge, &li_ge); break;
        case 7: run_tiny(&u, 7, &gi_ge, &li_ge); break;
        case 8: run_tiny(&u, 8, &gi_ge, &li_ge); break;
        /* 9..12: knn:10 and the larger contiguity rows; three vectors of draws */
        case 9: run_tiny(&u, 9, &gi_ge, &li_ge); break;
        case 10: run_tiny(&u, 10, &gi_ge, &li_ge); break;
        case 11: run_tiny(&u, 11, &gi_ge, &li_ge); break;
        case 12: run_tiny(&u, 12, &gi_ge, &li_ge); break;
        default:
            if (k <= PERM_REJECT_MAX)
                run_small(&u, k, &gi_ge, &li_ge);
            else
                run_large(&u, k, idx, &gi_ge, &li_ge);
        }
    if (job->gi_ge)
        job->gi_ge[i] = do_gi ? gi_ge : -1;
    if (job->lisa_ge)
        job->lisa_ge[i] = do_li ? li_ge : -1;
}

static void *perm_worker(void *arg)
{
    perm_job *job = arg;
    int n = job->w->n, maxk = 0;
    for (int i = 0; i < n; i++)
        if (hs_weights_card(job->w, i) > maxk)
            maxk = hs_weights_card(job->w, i);
    int *idx = NULL;
    int32_t *drawn = malloc(((size_t)maxk + 4) * sizeof *drawn);
    if (maxk > PERM_REJECT_MAX && !job->table)
        idx = malloc((size_t)n * sizeof *idx);
    if (!drawn || (maxk > PERM_REJECT_MAX && !job->table && !idx)) {
        atomic_store(&job->failed, 1);
        free(drawn);
        free(idx);
        return NULL;
    }
    if (idx)
        for (int j = 0; j < n; j++)
            idx[j] = j;
    for (;;) {
        /* A cancelled job stops within one block (a few ms even at R = 99,999). */
        if (hs_cancel_reason(job->cancel))
            break;
        int b = atomic_fetch_add(&job->next, PERM_BLOCK);
        if (b >= n)
            break;
        int e = b + PERM_BLOCK < n ? b + PERM_BLOCK : n;
        for (int i = b; i < e; i++) {
            /* Park unit i at position n-1 (and restore afterwards) so that
             * positions 0..n-2 hold exactly the other units. */
            int big = idx && hs_weights_card(job->w, i) > PERM_REJECT_MAX;
            if (big) {
                idx[i] = n - 1;
                idx[n - 1] = i;
            }
            perm_unit(job, i, idx, drawn);
            if (big) {
                idx[i] = i;
                idx[n - 1] = n - 1;
            }
        }
    }
    free(drawn);
    free(idx);
    return NULL;
}

int hs_perm_local(const hs_weights *w, const double *x, const hs_perm_opt *opt, int *gi_ge,
                  int *lisa_ge, hs_err *err)
{
    int rc = hs_perm_opt_check(opt, err);
    if (rc < 0)
        return rc;
    perm_job job;
    memset(&job, 0, sizeof job);
    rc = hs_moments_compute(x, w->n, &job.mom, err);
    if (rc < 0)
        return rc;
    int n = w->n;
    double *zc = malloc((size_t)n * sizeof *zc);
    if (!zc)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d centred values", n);
    for (int i = 0; i < n; i++)
        zc[i] = x[i] - job.mom.mean;
    job.w = w;
    job.zc = zc;
    job.R = opt->permutations;
    job.seed = opt->seed;
    job.gi_ge = gi_ge;
    job.lisa_ge = lisa_ge;
    job.cancel = opt->cancel;
    hs_perm_table *table = NULL;
    if (opt->method == HS_PERM_LOOKUP && opt->permutations > 0) {
        if ((rc = hs_perm_table_build(zc, n, opt->seed, &table, err)) < 0) {
            free(zc);
            return rc;
        }
        job.table = table;
    }
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);

    int nt = opt->threads;
    if (nt > (n + PERM_BLOCK - 1) / PERM_BLOCK)
        nt = (n + PERM_BLOCK - 1) / PERM_BLOCK;
    pthread_t tid[HS_PERM_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < nt; t++) {
        if (pthread_create(&tid[started], NULL, perm_worker, &job) != 0)
            break; /* fewer threads only changes speed, never results */
        started++;
    }
    perm_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    hs_perm_table_free(table);
    free(zc);
    if (atomic_load(&job.failed))
        return hs_err_set(err, HS_ENOMEM, "cannot allocate permutation work space for %d units",
                          n);
    if (hs_cancel_reason(opt->cancel))
        return hs_cancel_error(opt->cancel, "the permutation test", err);
    return HS_OK;
}

int hs_perm_counts(const hs_weights *w, const double *x, const hs_perm_opt *opt, int gi,
                   int **ge, hs_err *err)
{
    *ge = NULL;
    if (opt->permutations <= 0)
        return HS_OK;
    int *c = malloc(((size_t)w->n + 1) * sizeof *c);
    if (!c)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate counts for %d units", w->n);
    int rc = hs_perm_local(w, x, opt, gi ? c : NULL, gi ? NULL : c, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *ge = c;
    return HS_OK;
}
