/* hs_mk: Mann–Kendall monotonic trend test of one time series.
 *
 *     S = sum_{i<j} sign(x_j - x_i)
 *     Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18   (t_g: size of tie group g)
 *     z = (S-1)/sqrt(Var) if S > 0, (S+1)/sqrt(Var) if S < 0, else 0   (continuity correction)
 *     p = two-sided normal p of z
 *     tau = S / sqrt(D * (D - sum_g t_g(t_g-1)/2)),  D = n(n-1)/2   (Kendall tau-b against time)
 * These are the normal-approximation formulas of ArcGIS, pymannkendall and R
 * Kendall::MannKendall (whose tau is the same tau-b). Non-finite values (NAN: no
 * statistic at that time step) are skipped, keeping the time order of the rest.
 */
#ifndef HS_MK_H
#define HS_MK_H

#include "hs_err.h"

#define HS_MK_MAX_N 100000 /* O(n^2): a monthly series is tens to hundreds long */

typedef struct hs_mk {
    int n;        /* finite values used */
    double s;     /* S */
    double var_s; /* Var(S) with the tie correction */
    double z;     /* continuity-corrected z; 0 when Var(S) = 0 */
    double p;     /* two-sided p; 1 when Var(S) = 0 */
    double tau;   /* Kendall tau-b; NAN when undefined (fewer than 2 values or all tied) */
} hs_mk;

/* Fills *out. Fewer than 2 finite values is not an error: S = 0, z = 0, p = 1. */
int hs_mk_test(const double *x, int n, hs_mk *out, hs_err *err);

#endif
