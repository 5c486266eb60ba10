#include "hs_fdr.h"

#include <math.h>
#include <stdlib.h>

typedef struct fdr_item {
    double p;
    int i;
} fdr_item;

/* Sort by p, then by index so the order (and any equal-p handling) is deterministic. */
static int cmp_item(const void *a, const void *b)
{
    const fdr_item *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

int hs_fdr_bh(const double *p, int n, double *q, hs_err *err)
{
    if (n < 0 || (n > 0 && (!p || !q)))
        return hs_err_set(err, HS_EINVAL, "invalid p-value array (n = %d)", n);
    fdr_item *it = malloc((n > 0 ? (size_t)n : 1) * sizeof *it);
    if (!it)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate FDR work space for %d p-values", n);
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (isnan(p[i]))
            continue;
        if (p[i] < 0 || p[i] > 1) {
            free(it);
            return hs_err_set(err, HS_EINVAL, "p-value %g of unit %d is outside [0, 1]", p[i], i);
        }
        it[m].p = p[i];
        it[m].i = i;
        m++;
    }
    for (int i = 0; i < n; i++)
        if (isnan(p[i]))
            q[i] = NAN;
    qsort(it, (size_t)m, sizeof *it, cmp_item);
    double run = 1.0;
    for (int r = m - 1; r >= 0; r--) {
        double v = (double)m / (r + 1) * it[r].p;
        if (v < run)
            run = v;
        q[it[r].i] = run;
    }
    free(it);
    return HS_OK;
}
