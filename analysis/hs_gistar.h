/* hs_gistar: Getis–Ord Gi* hot spot statistic (the ArcGIS "Hot Spot Analysis" z).
 *
 * z_i equals spdep::localG(x, nb2listw(include.self(nb), style = "B")):
 *     z_i = (sum_{j in N_i + i} x_j - xbar * W_i) / (S * sqrt((n * S1_i - W_i^2) / (n - 1)))
 * with binary weights including the unit itself (W_i = S1_i = |N_i| + 1), xbar the
 * mean and S the population standard deviation (divide by n) of x over all n units.
 * Only the neighbour STRUCTURE of `w` is used; w->wt and w->style are ignored, so
 * binary and row-standardised weights give the same z (as in spdep and ArcGIS).
 *
 * Units with no neighbours ("isolated": island communes) get no statistic: z, p and
 * the p-values are NAN, gi_bin is 0 and isolated[i] = 1. x must be finite.
 * See docs/statistics.md for every convention.
 */
#ifndef HS_GISTAR_H
#define HS_GISTAR_H

#include <stdint.h>

#include "hs_err.h"
#include "hs_perm.h"
#include "hs_weights.h"

/* Analytic Gi* z-scores (spdep localG with include.self, style "B"); isolated units get NAN.
 * z has n = w->n entries, caller-owned. Also NAN for every unit when x is constant
 * (S = 0) and for a unit linked to all others (zero variance). */
int hs_gistar_z(const hs_weights *w, const double *x, double *z, hs_err *err);

/* Which p-value drives gi_bin (and LISA significance) and the FDR adjustment. */
typedef enum { HS_P_ANALYTIC = 0, HS_P_PERMUTATION = 1 } hs_p_source;

typedef struct hs_gistar_opt {
    hs_perm_opt perm;  /* permutations (0 = none), seed, threads */
    hs_p_source bin_p; /* default HS_P_ANALYTIC, as ArcGIS */
    int bin_fdr;       /* 1: bins from the BH-adjusted p; default 0 */
} hs_gistar_opt;

/* Defaults: 999 permutations, seed HS_PERM_DEFAULT_SEED, 1 thread, analytic p, raw p. */
void hs_gistar_opt_default(hs_gistar_opt *o);

typedef struct hs_gistar_result {
    int n;
    double *z;      /* analytic z (NAN when isolated) */
    double *p;      /* two-sided normal p of z */
    double *p_sim;  /* folded permutation pseudo-p (larger+1)/(R+1); NAN if R = 0 or isolated */
    double *p_fdr;  /* Benjamini–Hochberg adjusted p of the source named by bin_p */
    int8_t *bin;    /* HS_GI_BIN_MIN..HS_GI_BIN_MAX (common/hs_gistar_codes.h), 0 = not significant */
    uint8_t *isolated;
    int n_isolated;
    hs_p_source bin_p; /* what the bins were computed from, to be stated in outputs */
    int bin_fdr;
    int permutations;
} hs_gistar_result;

/* Full Gi*: z, p, permutation p, FDR p, bins. opt may be NULL (defaults).
 * On success *out is owned by the caller: free with hs_gistar_result_free(). */
int hs_gistar(const hs_weights *w, const double *x, const hs_gistar_opt *opt,
              hs_gistar_result **out, hs_err *err);
void hs_gistar_result_free(hs_gistar_result *r);

/* As hs_gistar, with permutation counts already computed by hs_perm_local (ge may be
 * NULL: no permutation p). Lets hs_local_both share one set of draws with LISA. */
int hs_gistar_with_counts(const hs_weights *w, const double *x, const hs_gistar_opt *opt,
                          const int *ge, hs_gistar_result **out, hs_err *err);

/* ArcGIS Gi_Bin for one unit: sign(z) * confidence level from p (NAN p or z -> 0). */
int hs_gistar_bin(double z, double p);

#endif
