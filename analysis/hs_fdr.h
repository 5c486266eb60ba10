/* hs_fdr: Benjamini–Hochberg false discovery rate adjustment.
 *
 * q_(i) = min_{j >= i} min(1, m * p_(j) / j) over the p sorted ascending, i.e.
 * R's p.adjust(p, "BH"). Units whose p is NaN (isolated units, no statistic) are
 * excluded from m and get q = NaN. p and q may be the same array.
 */
#ifndef HS_FDR_H
#define HS_FDR_H

#include "hs_err.h"

int hs_fdr_bh(const double *p, int n, double *q, hs_err *err);

#endif
