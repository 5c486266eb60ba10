/* hs_pvalue: normal-theory p-values, written once for every statistic in analysis/. */
#ifndef HS_PVALUE_H
#define HS_PVALUE_H

/* Two-sided p of a standard normal z: P(|Z| >= |z|) = erfc(|z| / sqrt 2).
 * Non-finite z gives NAN (no statistic). */
double hs_p_two_sided(double z);

#endif
