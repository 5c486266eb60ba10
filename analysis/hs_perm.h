/* hs_perm: conditional randomisation engine shared by Gi* and local Moran.
 *
 * For unit i with k = |N_i| > 0 neighbours, replicate r (0 <= r < R) holds x_i fixed
 * and draws k DISTINCT units from the other n - 1 (without replacement), using only
 * the stream hs_rng(seed, i, r). The statistic is recomputed with the same inline
 * formula as the observed one (below), from the sum of the drawn centred values.
 * `ge` = #(simulated >= observed) (values within HS_PERM_TIE_REL count as ties, so
 * summation order cannot decide a tie); then folded: if R - ge < ge, ge = R - ge,
 * and p = (ge + 1) / (R + 1) (spdep's "Pr(folded) Sim").
 *
 * Work is split over pthreads by blocks of units; each unit's result depends only on
 * (seed, i, r), so 1, 2 or 16 threads give identical output. Memory is O(n) per
 * thread plus the caller's O(n) outputs: never O(n * R).
 *
 * That is the default method, HS_PERM_EXACT. HS_PERM_LOOKUP (opt-in, hs_perm_opt.method)
 * draws each replicate as a window of shared shuffled tables instead (below): each
 * replicate is still a uniform k-subset of the other units, at a fraction of the cost for
 * large n, but replicates of different units share the tables (docs/statistics.md).
 */
#ifndef HS_PERM_H
#define HS_PERM_H

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hs_cancel.h"
#include "hs_err.h"
#include "hs_rng.h"
#include "hs_weights.h"

#define HS_PERM_DEFAULT 999
#define HS_PERM_MAX 99999
#define HS_PERM_THREADS_MAX 256
#define HS_PERM_DEFAULT_SEED 138u
#define HS_PERM_TIE_REL 1e-9
/* Lookup method: m tables (a power of two) of n units, m * n >= this many entries. */
#define HS_PERM_LOOKUP_MIN_ENTRIES (1 << 20)
/* hs_rng "unit" of the lookup tables' shuffles (replicate = table number) and
 * "replicate" of each unit's offset stream: no clash with the exact engine's streams. */
#define HS_PERM_LOOKUP_UNIT (UINT64_MAX - 1)
#define HS_PERM_LOOKUP_STREAM UINT64_MAX

/* How the k units of a replicate are drawn (docs/statistics.md, "Permutation inference"). */
typedef enum hs_perm_method {
    /* The default, and the published draws (issue 3): per (unit, replicate) stream, k
     * distinct units drawn one by one. Bit-identical across versions and thread counts. */
    HS_PERM_EXACT = 0,
    /* Opt-in, for very large n (issue 11): windows of shared shuffled tables, one random
     * offset per replicate; each replicate is still a uniform k-subset of the other
     * n - 1 units, but replicates of different units share the tables (see below). */
    HS_PERM_LOOKUP = 1,
} hs_perm_method;

typedef struct hs_perm_opt {
    int permutations; /* R: 0 disables permutation inference, 1..HS_PERM_MAX */
    uint64_t seed;
    int threads; /* 1..HS_PERM_THREADS_MAX */
    /* Polled between blocks of units: once it holds a reason (hs_cancel.h) the run
     * stops and returns HS_ECANCELED. NULL = never cancelled. Borrowed. */
    const atomic_int *cancel;
    /* HS_PERM_EXACT (0, the default, so zero-initialised options stay exact) or
     * HS_PERM_LOOKUP. Local statistics only: global Moran's test ignores it. */
    int method;
} hs_perm_opt;

/* R = 999, seed = HS_PERM_DEFAULT_SEED, 1 thread, HS_PERM_EXACT. */
void hs_perm_opt_default(hs_perm_opt *o);
/* HS_EINVAL naming the field and allowed range when out of range. */
int hs_perm_opt_check(const hs_perm_opt *o, hs_err *err);

/* Global moments of x over ALL n units (isolated ones included, as spdep). */
typedef struct hs_moments {
    int n;
    double mean;
    double ss;     /* sum (x - mean)^2 */
    double sd_pop; /* sqrt(ss / n): Gi* S */
    double s2;     /* ss / (n - 1): local Moran denominator (spdep mlvar = FALSE) */
    double m2;     /* ss / n: Sokal conditional moments */
    double m4;     /* sum (x - mean)^4 / n */
} hs_moments;

/* HS_EINVAL if n < 3 or x has a non-finite value (named by index). */
int hs_moments_compute(const double *x, int n, hs_moments *m, hs_err *err);

/* The shared formulas, written as products with per-unit constants so the inner
 * permutation loop has no division; the observed statistic is computed with the very
 * same expressions. `sum_nb` is the sum of the centred values (x_j - mean) over the k
 * neighbours (observed) or over the k drawn units (simulated). */
static inline double hs_gistar_den(const hs_moments *m, int k)
{
    double W = (double)k + 1.0; /* binary weights with self: W_i = S1_i */
    return m->sd_pop * sqrt(((double)m->n * W - W * W) / ((double)m->n - 1.0));
}
/* z_i = (zc_i + sum_nb) / den, as (zc_i + sum_nb) * (1 / den). */
static inline double hs_gistar_stat(double zc_i, double sum_nb, double inv_den)
{
    return (zc_i + sum_nb) * inv_den;
}
/* Local Moran, row-standardised weights 1/k: I_i = (z_i / s2) * (sum_nb / k)
 * = c_i * sum_nb with c_i = hs_lisa_coef(). */
static inline double hs_lisa_coef(double zc_i, int k, double s2)
{
    return zc_i / s2 / (double)k;
}
static inline double hs_lisa_stat(double coef, double sum_nb)
{
    return coef * sum_nb;
}
/* The smallest simulated value that counts as >= obs (ties within HS_PERM_TIE_REL). */
static inline double hs_perm_threshold(double obs)
{
    return obs - HS_PERM_TIE_REL * fmax(1.0, fabs(obs));
}
static inline int hs_perm_ge(double sim, double obs)
{
    return sim >= hs_perm_threshold(obs);
}
static inline double hs_perm_folded_p(int ge, int R)
{
    if (R - ge < ge)
        ge = R - ge;
    return (ge + 1.0) / (R + 1.0);
}

/* "exact" / "lookup" (static strings); hs_perm_method_parse returns HS_EINVAL naming the
 * allowed values for anything else. */
const char *hs_perm_method_name(int method);
int hs_perm_method_parse(const char *s, int *method, hs_err *err);

/* The lookup method's tables: m independent uniform shuffles of all n units
 * (Fisher-Yates from the stream (seed, HS_PERM_LOOKUP_UNIT, t)), m the smallest power of
 * two with m * n >= HS_PERM_LOOKUP_MIN_ENTRIES. Table t is kept as prefix sums of the
 * centred values in shuffled order, so the sum over a window of consecutive positions is
 * one subtraction, and pos says where each unit sits.
 *
 * Unit i (k neighbours) reads its R replicates as consecutive windows of k positions,
 * in "runs". A run starts at idx = hs_rng_below(m * n) from the stream
 * (seed, i, HS_PERM_LOOKUP_STREAM) (one stream per unit, read in order): table
 * t = idx mod m, position b = idx div m, and goes round the table once, cyclically
 * (positions b, b + 1, ..., n - 1, 0, ..., b - 1). Each window is the next k positions;
 * if unit i sits among them the window takes k + 1 positions and drops i. When the next
 * window would pass the run's end, a new run starts. Every window holds k distinct units
 * other than i and, the shuffle being uniform (and the positions chosen independently
 * of it, given where i is), is a uniform k-subset of the other n - 1 units: each
 * replicate is exactly a conditional permutation draw, and going round cyclically covers
 * every position of a table equally. What differs from HS_PERM_EXACT is the JOINT law:
 * the windows of one run are disjoint, and all units read the same m * n entries, so
 * replicates of different units are not independent (docs/statistics.md measures it).
 * Cost: one random access per run (about one per unit at large n) and one sequential
 * read per replicate, whatever k. */
typedef struct hs_perm_table {
    int n, m, mshift; /* m = 1 << mshift */
    double *prefix;   /* m * (n + 1): prefix[t * (n + 1) + j] = sum of zc at positions < j */
    int32_t *pos;     /* n * m: pos[i * m + t] = position of unit i in table t */
} hs_perm_table;

/* zc: n centred values (n >= 3). Memory 12 * m * n bytes, about 3 MB or 12 n. */
int hs_perm_table_build(const double *zc, int n, uint64_t seed, hs_perm_table **out,
                        hs_err *err);
void hs_perm_table_free(hs_perm_table *t);

/* The R windows of unit i (k neighbours), by the plain definition above: window r is
 * table tab[r], positions off[r] .. off[r] + k - 1 + skip[r] (mod n), skip[r] = 1 when unit
 * i lies there (and is dropped). For tests; the engine computes the same sums faster. */
void hs_perm_lookup_windows(const hs_perm_table *t, uint64_t seed, int i, int k, int R,
                            uint32_t *tab, uint32_t *off, uint8_t *skip);

/* Runs the randomisation for every unit with at least one neighbour. x has w->n
 * finite values. gi_ge and lisa_ge (n ints each, either may be NULL) receive the
 * unfolded counts #(sim >= obs), or -1 for isolated units and units whose observed
 * statistic is not finite. Only w's structure is used. */
int hs_perm_local(const hs_weights *w, const double *x, const hs_perm_opt *opt, int *gi_ge,
                  int *lisa_ge, hs_err *err);

/* Allocates and fills the unfolded counts of ONE statistic (gi != 0: Gi*, else local
 * Moran) with hs_perm_local; *ge is NULL when opt->permutations is 0. Caller frees
 * *ge with free(). */
int hs_perm_counts(const hs_weights *w, const double *x, const hs_perm_opt *opt, int gi,
                   int **ge, hs_err *err);

#endif
