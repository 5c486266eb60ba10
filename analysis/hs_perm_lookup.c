/* hs_perm_lookup: the tables and the draws of the lookup permutation method
 * (hs_perm.h, HS_PERM_LOOKUP; docs/statistics.md). The counting loops that read the
 * tables stay in hs_perm.c, beside the exact engine's, as they share its per-unit
 * context. */
#include "hs_perm.h"

#include <stdlib.h>

#include "hs_rng.h"

void hs_perm_table_free(hs_perm_table *t)
{
    if (!t)
        return;
    free(t->prefix);
    free(t->pos);
    free(t);
}

int hs_perm_table_build(const double *zc, int n, uint64_t seed, hs_perm_table **out,
                        hs_err *err)
{
    *out = NULL;
    if (n < 3)
        return hs_err_set(err, HS_EINVAL, "%d units: the lookup tables need at least 3", n);
    int m = 1, mshift = 0;
    while ((long long)m * n < HS_PERM_LOOKUP_MIN_ENTRIES)
        m <<= 1, mshift++;
    hs_perm_table *t = calloc(1, sizeof *t);
    int32_t *perm = malloc((size_t)n * sizeof *perm);
    if (t) {
        t->n = n;
        t->m = m;
        t->mshift = mshift;
        t->prefix = malloc((size_t)m * ((size_t)n + 1) * sizeof *t->prefix);
        t->pos = malloc((size_t)m * (size_t)n * sizeof *t->pos);
    }
    if (!t || !perm || !t->prefix || !t->pos) {
        free(perm);
        hs_perm_table_free(t);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d lookup tables of %d units", m, n);
    }
    for (int q = 0; q < m; q++) {
        for (int j = 0; j < n; j++)
            perm[j] = j;
        hs_rng r;
        hs_rng_init(&r, seed, HS_PERM_LOOKUP_UNIT, (uint64_t)q);
        for (int j = n - 1; j > 0; j--) { /* Fisher-Yates: uniform over the n! orders */
            int s = (int)hs_rng_below(&r, (uint32_t)j + 1);
            int32_t tmp = perm[j];
            perm[j] = perm[s];
            perm[s] = tmp;
        }
        /* Running sum in long double, each prefix rounded once: a window sum is then
         * the difference of two values within half an ulp of |prefix|, which stays
         * small because zc is centred (docs/statistics.md gives the bound). */
        double *pre = t->prefix + (size_t)q * ((size_t)n + 1);
        long double acc = 0;
        pre[0] = 0;
        for (int j = 0; j < n; j++) {
            acc += zc[perm[j]];
            pre[j + 1] = (double)acc;
            t->pos[(size_t)perm[j] * (size_t)m + (size_t)q] = j;
        }
    }
    free(perm);
    *out = t;
    return HS_OK;
}

void hs_perm_lookup_windows(const hs_perm_table *t, uint64_t seed, int i, int k, int R,
                            uint32_t *tab, uint32_t *off, uint8_t *skip)
{
    int n = t->n;
    uint32_t range = (uint32_t)t->m * (uint32_t)n, thr = hs_rng_threshold(range);
    hs_rng rng;
    hs_rng_init(&rng, seed, (uint64_t)i, HS_PERM_LOOKUP_STREAM);
    int r = 0;
    while (r < R) {
        uint32_t idx = hs_rng_below_t(&rng, range, thr);
        uint32_t tb = idx & (uint32_t)(t->m - 1);
        long b0 = (long)(idx >> t->mshift), c = b0;
        long p = t->pos[(size_t)i * (size_t)t->m + tb];
        if (p < b0)
            p += n; /* unrolled coordinates: the run is positions b0 .. b0 + n - 1 */
        for (; r < R; r++) {
            int e = p >= c && p < c + k; /* unit i among the next k positions */
            if (c + k + e > b0 + n)
                break; /* the run has used the whole table: a new run */
            tab[r] = tb;
            off[r] = (uint32_t)(c % n);
            skip[r] = (uint8_t)e;
            c += k + e;
        }
    }
}
