/* hs_moran: global Moran's I, the summary figure of spatial autocorrelation.
 *
 * I = (n' / S0) * sum_i z_i lag(z)_i / sum_i z_i^2 with row-standardised weights from
 * w's structure, z = x - mean(x) over all units, and moments as
 * spdep::moran.test(x, nb2listw(nb, style = "W", zero.policy = TRUE),
 *                   randomisation = TRUE, adjust.n = TRUE)
 * where n' = units with at least one neighbour. The permutation test shuffles x over
 * all units (total randomisation, as spdep::moran.mc / esda).
 */
#ifndef HS_MORAN_H
#define HS_MORAN_H

#include "hs_err.h"
#include "hs_perm.h"
#include "hs_weights.h"

typedef struct hs_moran_global {
    double i;         /* Moran's I, row-standardised weights */
    double e;         /* -1 / (n' - 1), n' = units with neighbours (adjust.n) */
    double var_rand;  /* variance under randomisation */
    double var_norm;  /* variance under normality */
    double z;         /* (I - E) / sqrt(var_rand) */
    double p;         /* one-sided (positive autocorrelation): P(Z >= z) */
    double p_sim;     /* (#{sim >= I} + 1) / (R + 1); NAN if R = 0 */
    double sim_mean, sim_sd;
    int n_used;       /* n' */
    int permutations;
} hs_moran_global;

/* Needs at least 4 units with neighbours. Replicate r shuffles x with
 * hs_rng(seed, HS_RNG_UNIT_GLOBAL, r); threads split replicates, results identical. */
int hs_moran_global_test(const hs_weights *w, const double *x, const hs_perm_opt *opt,
                         hs_moran_global *out, hs_err *err);

#endif
