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
 */
#ifndef HS_PERM_H
#define HS_PERM_H

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>

#include "hs_cancel.h"
#include "hs_err.h"
#include "hs_weights.h"

#define HS_PERM_DEFAULT 999
#define HS_PERM_MAX 99999
#define HS_PERM_THREADS_MAX 256
#define HS_PERM_DEFAULT_SEED 138u
#define HS_PERM_TIE_REL 1e-9

typedef struct hs_perm_opt {
    int permutations; /* R: 0 disables permutation inference, 1..HS_PERM_MAX */
    uint64_t seed;
    int threads; /* 1..HS_PERM_THREADS_MAX */
    /* Polled between blocks of units: once it holds a reason (hs_cancel.h) the run
     * stops and returns HS_ECANCELED. NULL = never cancelled. Borrowed. */
    const atomic_int *cancel;
} hs_perm_opt;

/* R = 999, seed = HS_PERM_DEFAULT_SEED, 1 thread. */
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
