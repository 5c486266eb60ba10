/* hs_rates: crude and Empirical Bayes rates per 100,000 population.
 *
 * Formulas (docs/statistics.md; spdep 1.2-7 EBest, EBlocal(geoda = TRUE), EBImoran):
 *   crude     r_i = e_i / P_i                        (reported x 100,000)
 *   global EB b = sum e / sum P,  s2 = sum P_i (r_i - b)^2 / sum P,
 *             a = s2 - b / (sum P / m), truncated at 0,
 *             EB_i = b + a / (a + b / P_i) * (r_i - b)
 *   EB-standardised (Assunção & Reis 1999): z_i = (r_i - b) / sqrt(a + b / P_i)
 *   local EB  over J_i = N_i + {i}:  m_i = sum_J e / sum_J P,  Pbar_i = sum_J P / |J_i|,
 *             C_i = sum_J P_j (r_j - m_i)^2,  a_i = C_i / sum_J P - m_i / Pbar_i (>= 0),
 *             EB_i = m_i + (r_i - m_i) * a_i / (a_i + m_i / P_i)
 *
 * Zero population. A unit with P_i = 0 has no crude rate (NAN). It carries no
 * information, so it is left out of every sum and of m (spdep refuses such data),
 * and its EB estimate is the limit of the formula as P_i -> 0: the prior mean
 * (b globally, m_i locally) and z_i = 0, so no NAN reaches Gi* or LISA. Cases > 0
 * with P = 0, negative or non-finite values are rejected (HS_EINVAL names the unit).
 * Where the shrinkage weight is 0/0 (no cases anywhere in the reference area),
 * spdep yields NaN; we return the prior mean (then 0) and z_i = 0.
 *
 * All output arrays have n entries and are caller-owned.
 */
#ifndef HS_RATES_H
#define HS_RATES_H

#include "hs_err.h"
#include "hs_weights.h"

#define HS_RATE_PER 100000.0

typedef struct hs_eb_params {
    double a; /* prior variance of the rate (per person), after truncation */
    double b; /* prior mean rate (per person) */
    int m;    /* units with population > 0 */
    int a_truncated; /* 1 when the moment estimate of a was negative and set to 0 */
} hs_eb_params;

int hs_rates_crude(int n, const double *cases, const double *pop, double *rate, hs_err *err);

/* Global EB rate per 100,000 (eb may be NULL), EB-standardised z (z may be NULL),
 * and the prior parameters (par may be NULL). */
int hs_rates_eb_global(int n, const double *cases, const double *pop, double *eb, double *z,
                       hs_eb_params *par, hs_err *err);

/* Local EB rate per 100,000 using w's neighbour structure plus the unit itself.
 * Isolated units get their own crude rate (the reference area is the unit alone);
 * a unit whose whole reference area has no population gets the global b. */
int hs_rates_eb_local(const hs_weights *w, const double *cases, const double *pop, double *eb,
                      hs_err *err);

#endif
