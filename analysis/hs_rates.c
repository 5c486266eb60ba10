#include "hs_rates.h"

#include <math.h>
#include <stdlib.h>

/* Rejects values that no rate can be computed from, naming the unit. */
static int check_inputs(int n, const double *cases, const double *pop, hs_err *err)
{
    if (n < 1 || !cases || !pop)
        return hs_err_set(err, HS_EINVAL, "rates need n >= 1 and cases/population arrays");
    for (int i = 0; i < n; i++) {
        if (!isfinite(cases[i]) || cases[i] < 0)
            return hs_err_set(err, HS_EINVAL, "unit %d: count %g is not a finite value >= 0", i,
                              cases[i]);
        if (!isfinite(pop[i]) || pop[i] < 0)
            return hs_err_set(err, HS_EINVAL, "unit %d: population %g is not a finite value >= 0",
                              i, pop[i]);
        if (pop[i] == 0 && cases[i] > 0)
            return hs_err_set(err, HS_EINVAL, "unit %d: count %g with zero population", i,
                              cases[i]);
    }
    return HS_OK;
}

int hs_rates_crude(int n, const double *cases, const double *pop, double *rate, hs_err *err)
{
    int rc = check_inputs(n, cases, pop, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        rate[i] = pop[i] > 0 ? HS_RATE_PER * cases[i] / pop[i] : NAN;
    return HS_OK;
}

int hs_rates_eb_global(int n, const double *cases, const double *pop, double *eb, double *z,
                       hs_eb_params *par, hs_err *err)
{
    int rc = check_inputs(n, cases, pop, err);
    if (rc < 0)
        return rc;
    double esum = 0, psum = 0;
    int m = 0;
    for (int i = 0; i < n; i++)
        if (pop[i] > 0) {
            esum += cases[i];
            psum += pop[i];
            m++;
        }
    if (m == 0)
        return hs_err_set(err, HS_EINVAL, "no unit has a population > 0");
    double b = esum / psum, s2 = 0;
    for (int i = 0; i < n; i++)
        if (pop[i] > 0) {
            double d = cases[i] / pop[i] - b;
            s2 += pop[i] * (d * d / psum); /* spdep's order of operations */
        }
    double a = s2 - b / (psum / m);
    int trunc = a < 0;
    if (trunc)
        a = 0;
    for (int i = 0; i < n; i++) {
        double est, zi;
        if (pop[i] > 0) {
            double r = cases[i] / pop[i], v = a + b / pop[i];
            est = v > 0 ? b + (a * (r - b)) / v : b;
            zi = v > 0 ? (r - b) / sqrt(v) : 0.0;
        } else {
            est = b; /* the P -> 0 limit: all weight on the prior */
            zi = 0.0;
        }
        if (eb)
            eb[i] = HS_RATE_PER * est;
        if (z)
            z[i] = zi;
    }
    if (par) {
        par->a = a;
        par->b = b;
        par->m = m;
        par->a_truncated = trunc;
    }
    return HS_OK;
}

int hs_rates_eb_local(const hs_weights *w, const double *cases, const double *pop, double *eb,
                      hs_err *err)
{
    if (!w)
        return hs_err_set(err, HS_EINVAL, "weights must not be NULL");
    int n = w->n;
    int rc = check_inputs(n, cases, pop, err);
    if (rc < 0)
        return rc;
    hs_eb_params gp;
    if ((rc = hs_rates_eb_global(n, cases, pop, NULL, NULL, &gp, err)) < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        /* Reference area J_i: the unit itself, then its neighbours; units without
         * population are skipped (they hold no cases and no people). */
        double esum = 0, psum = 0;
        int cnt = 0;
        for (int e = w->start[i] - 1; e < w->start[i + 1]; e++) {
            int j = e < w->start[i] ? i : w->nbr[e];
            if (pop[j] > 0) {
                esum += cases[j];
                psum += pop[j];
                cnt++;
            }
        }
        if (cnt == 0) {
            eb[i] = HS_RATE_PER * gp.b;
            continue;
        }
        double mi = esum / psum, pbar = psum / cnt, C = 0;
        for (int e = w->start[i] - 1; e < w->start[i + 1]; e++) {
            int j = e < w->start[i] ? i : w->nbr[e];
            if (pop[j] > 0) {
                double d = cases[j] / pop[j] - mi;
                C += pop[j] * (d * d);
            }
        }
        double ai = C / psum - mi / pbar;
        if (ai < 0)
            ai = 0;
        double est;
        if (pop[i] > 0) {
            double r = cases[i] / pop[i], v = ai + mi / pop[i];
            est = v > 0 ? mi + (r - mi) * (ai / v) : mi;
        } else {
            est = mi;
        }
        eb[i] = HS_RATE_PER * est;
    }
    return HS_OK;
}
