#include "hs_mk.h"

#include "hs_pvalue.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Monthly series are short (24-72 values) and the test runs once per unit, so qsort's
 * call per comparison and a malloc per series were most of the trend stage: short
 * series are sorted by insertion in a stack buffer. Only the sorted values are used,
 * so both sorts give the same result. */
#define MK_SHORT 128

static void sort_short(double *v, int m)
{
    for (int i = 1; i < m; i++) {
        double x = v[i];
        int j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

int hs_mk_test(const double *x, int n, hs_mk *out, hs_err *err)
{
    if (!out || (n > 0 && !x))
        return hs_err_set(err, HS_EINVAL, "x and out must not be NULL");
    if (n < 0 || n > HS_MK_MAX_N)
        return hs_err_set(err, n < 0 ? HS_EINVAL : HS_ELIMIT,
                          "Mann-Kendall series length %d must be in 0..%d", n, HS_MK_MAX_N);
    *out = (hs_mk){.z = 0.0, .p = 1.0, .tau = NAN};
    double buf[MK_SHORT];
    double *v = n <= MK_SHORT ? buf : malloc(((size_t)n + 1) * sizeof *v);
    if (!v)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a series of %d values", n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]))
            v[m++] = x[i];
    out->n = m;
    if (m < 2) {
        if (v != buf)
            free(v);
        return HS_OK;
    }
    /* S in exact integer arithmetic; |S| <= m(m-1)/2 < 2^53. */
    long long s = 0;
    for (int i = 0; i < m - 1; i++)
        for (int j = i + 1; j < m; j++)
            s += (v[j] > v[i]) - (v[j] < v[i]);
    /* Tie groups from the sorted copy. */
    if (m <= MK_SHORT)
        sort_short(v, m);
    else
        qsort(v, (size_t)m, sizeof *v, cmp_double);
    double tie_var = 0.0, tie_pairs = 0.0;
    for (int i = 0; i < m;) {
        int j = i + 1;
        while (j < m && v[j] == v[i])
            j++;
        double t = j - i;
        tie_var += t * (t - 1) * (2 * t + 5);
        tie_pairs += t * (t - 1) / 2;
        i = j;
    }
    if (v != buf)
        free(v);
    double dm = m;
    double var = (dm * (dm - 1) * (2 * dm + 5) - tie_var) / 18.0;
    double D = dm * (dm - 1) / 2;
    out->s = (double)s;
    out->var_s = var;
    if (var > 0.0) {
        if (s > 0)
            out->z = ((double)s - 1.0) / sqrt(var);
        else if (s < 0)
            out->z = ((double)s + 1.0) / sqrt(var);
        out->p = hs_p_two_sided(out->z);
        if (out->p > 1.0)
            out->p = 1.0;
    }
    if (D - tie_pairs > 0.0)
        out->tau = (double)s / sqrt(D * (D - tie_pairs));
    return HS_OK;
}
