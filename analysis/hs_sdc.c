/* hs_sdc: row-level complementary suppression for a release (see hs_sdc.h and
 * docs/publication.md for the method and why it resists differencing). */
#include "hs_sdc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int is_small(double v) { return v >= 1 && v < HS_SDC_MIN_SHOWN; }

static void withhold_row(int ncol, const double *x, unsigned char *f)
{
    for (int j = 0; j < ncol; j++)
        f[j] = x[j] < HS_SDC_MIN_SHOWN ? HS_SDC_SMALL : HS_SDC_HIDDEN;
}

static int check_counts(size_t n, const double *x, const char *what, hs_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] >= 0) || x[i] != floor(x[i]))
            return hs_err_set(err, HS_EINVAL, "%s[%zu] = %g is not a non-negative integer count",
                              what, i, x[i]);
    return HS_OK;
}

int hs_sdc_protect_table(int nrow, int ncol, const double *x, const double *weight,
                         unsigned char *flags, unsigned char *nat_flags, hs_sdc_stats *stats,
                         hs_err *err)
{
    hs_sdc_stats st = {0};
    if (nrow < 0 || ncol < 1 || (size_t)nrow * (size_t)ncol > HS_SDC_MAX_CELLS)
        return hs_err_set(err, HS_ELIMIT, "table of %d x %d cells exceeds %d", nrow, ncol,
                          HS_SDC_MAX_CELLS);
    int rc = check_counts((size_t)nrow * ncol, x, "count", err);
    if (rc < 0)
        return rc;
    /* The nation: column sums. Shown unless 1..4 (then every province row goes). */
    int nat_small = 0;
    for (int j = 0; j < ncol; j++) {
        double s = 0;
        for (int i = 0; i < nrow; i++)
            s += x[(size_t)i * ncol + j];
        nat_flags[j] = s < HS_SDC_MIN_SHOWN && s > 0 ? HS_SDC_SMALL : HS_SDC_SHOWN;
        if (is_small(s)) {
            nat_small = 1;
            st.primary++;
        }
    }
    unsigned char *withheld = calloc((size_t)nrow + 1, 1);
    if (!withheld)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d row flags", nrow);
    for (int i = 0; i < nrow; i++) {
        const double *r = x + (size_t)i * ncol;
        for (int j = 0; j < ncol; j++)
            if (is_small(r[j])) {
                st.primary++;
                withheld[i] = 1;
            }
        st.rows_small += withheld[i];
    }
    int all = nat_small;
    if (st.rows_small > 0 && !all) {
        /* Partners: largest weight first among rows whose every cell has slack. */
        for (int k = 0; k < HS_SDC_PARTNERS; k++) {
            int best = -1;
            for (int i = 0; i < nrow; i++) {
                if (withheld[i])
                    continue;
                int ok = 1;
                for (int j = 0; j < ncol && ok; j++)
                    ok = x[(size_t)i * ncol + j] >= HS_SDC_PARTNER_MIN;
                if (ok && (best < 0 || weight[i] > weight[best]))
                    best = i;
            }
            if (best < 0) {
                all = 1;
                break;
            }
            withheld[best] = 2;
            st.partners++;
        }
    }
    for (int i = 0; i < nrow; i++) {
        unsigned char *f = flags + (size_t)i * ncol;
        if (all || withheld[i])
            withhold_row(ncol, x + (size_t)i * ncol, f);
        else
            for (int j = 0; j < ncol; j++)
                f[j] = HS_SDC_SHOWN;
    }
    st.all_rows = all && nrow > 0;
    free(withheld);
    if (stats)
        *stats = st;
    return HS_OK;
}

int hs_sdc_protect_series(int n, const double *x, unsigned char *flags, hs_err *err)
{
    if (n < 0 || n > HS_SDC_MAX_CELLS)
        return hs_err_set(err, HS_ELIMIT, "series of %d values exceeds %d", n, HS_SDC_MAX_CELLS);
    int rc = check_counts((size_t)n, x, "series", err);
    if (rc < 0)
        return rc;
    int any = 0;
    for (int i = 0; i < n; i++)
        any |= is_small(x[i]);
    for (int i = 0; i < n; i++)
        flags[i] = !any ? HS_SDC_SHOWN : x[i] < HS_SDC_MIN_SHOWN ? HS_SDC_SMALL : HS_SDC_HIDDEN;
    return HS_OK;
}

const char *hs_sdc_format(double x, unsigned char flag, char *buf, size_t n)
{
    if (flag == HS_SDC_SMALL)
        snprintf(buf, n, "<%d", HS_SDC_MIN_SHOWN);
    else if (flag == HS_SDC_HIDDEN)
        snprintf(buf, n, "x");
    else
        snprintf(buf, n, "%.0f", x);
    return buf;
}

double hs_sdc_rate(double x, unsigned char flag, double pop)
{
    if (flag != HS_SDC_SHOWN || !(pop > 0))
        return NAN;
    return x / pop * 100000.0;
}
