/* hs_lisa: local Moran's I (LISA) and global Moran's I.
 *
 * Local: I_i = (z_i / s2) * sum_j w_ij z_j with z = x - mean(x), s2 = sum z^2 / (n - 1)
 * and ROW-STANDARDISED weights w_ij = 1 / |N_i| built from w's neighbour structure
 * (w->wt is ignored, so the result never depends on the style the caller chose).
 * This equals spdep::localmoran(x, nb2listw(nb, style = "W"), mlvar = FALSE) and
 * GeoDa/esda. Analytic moments are Sokal et al. (1998) conditional ones, as spdep
 * conditional = TRUE (m2 = sum z^2 / n):
 *     E_i   = -z_i^2 W_i / ((n - 1) m2)
 *     Var_i = (z_i / m2)^2 (n / (n - 2)) (W2_i - W_i^2 / (n - 1)) (m2 - z_i^2 / (n - 1))
 *     Z_i   = (I_i - E_i) / sqrt(Var_i),  p = two-sided normal.
 * Permutation pseudo-p: hs_perm (conditional randomisation, folded).
 * Quadrant (GeoDa): H/L by sign of z_i (> 0 is H) then of the spatial lag of z,
 * when the chosen p <= alpha; otherwise "not significant"; "isolated" when |N_i| = 0.
 * Global Moran's I: hs_moran.h.
 */
#ifndef HS_LISA_H
#define HS_LISA_H

#include <stdint.h>

#include "hs_gistar.h"
#include "hs_lisa_codes.h"

/* The same codes are declared by maps/hs_classify.h (maps/ does not depend on
 * analysis/); the guard lets a file include both. Keep the two lists identical. */
typedef int hs_lisa_quadrant; /* HS_LISA_* */

/* "HH", "LL", "LH", "HL", "not significant", "isolated" (static strings). */
const char *hs_lisa_quadrant_name(int q);

typedef struct hs_lisa_opt {
    hs_perm_opt perm;  /* permutations, seed, threads */
    hs_p_source sig_p; /* default HS_P_PERMUTATION (GeoDa); ANALYTIC uses Z_i */
    int sig_fdr;       /* 1: significance from the BH-adjusted p; default 0 */
    double alpha;      /* significant when p <= alpha; default 0.05, in (0, 1) */
} hs_lisa_opt;

void hs_lisa_opt_default(hs_lisa_opt *o);

typedef struct hs_lisa_result {
    int n;
    double *i, *e, *var, *z; /* I_i, E(I_i), Var(I_i), Z(I_i); NAN when isolated */
    double *p;               /* two-sided normal p of z */
    double *p_sim;           /* folded permutation pseudo-p; NAN if R = 0 or isolated */
    double *p_fdr;           /* BH-adjusted p of the source named by sig_p */
    uint8_t *quadrant;       /* hs_lisa_quadrant */
    uint8_t *isolated;
    int n_isolated;
    hs_p_source sig_p;
    int sig_fdr;
    double alpha;
    int permutations;
} hs_lisa_result;

/* opt may be NULL (defaults). *out: caller frees with hs_lisa_result_free(). */
int hs_lisa(const hs_weights *w, const double *x, const hs_lisa_opt *opt, hs_lisa_result **out,
            hs_err *err);
/* With counts from hs_perm_local (ge may be NULL: no permutation p). */
int hs_lisa_with_counts(const hs_weights *w, const double *x, const hs_lisa_opt *opt,
                        const int *ge, hs_lisa_result **out, hs_err *err);
void hs_lisa_result_free(hs_lisa_result *r);

/* Gi* and LISA on the same x with ONE set of permutation draws (the sum of the drawn
 * values serves both statistics): same p_sim as separate calls, about half the time.
 * gopt->perm and lopt->perm must agree on permutations, seed and method; threads = max. */
int hs_local_both(const hs_weights *w, const double *x, const hs_gistar_opt *gopt,
                  const hs_lisa_opt *lopt, hs_gistar_result **gi, hs_lisa_result **li,
                  hs_err *err);

#endif
