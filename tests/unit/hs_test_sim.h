/* Simulated layers for the property tests: queen grids, planted clusters, null data.
 * Test-only helpers (static). Uses hs_rng so the data are the same on every machine. */
#ifndef HS_TEST_SIM_H
#define HS_TEST_SIM_H

#include <math.h>
#include <stdlib.h>

#include "hs_rng.h"
#include "hs_weights.h"

/* Queen contiguity on an nr x nc grid, unit = r * nc + c. */
static inline hs_weights *tsim_queen(int nr, int nc)
{
    int n = nr * nc, m = 0;
    int *a = malloc((size_t)n * 4 * sizeof *a), *b = malloc((size_t)n * 4 * sizeof *b);
    for (int r = 0; r < nr; r++)
        for (int c = 0; c < nc; c++) {
            int i = r * nc + c;
            int dr[] = {0, 1, 1, 1}, dc[] = {1, -1, 0, 1};
            for (int t = 0; t < 4; t++) {
                int rr = r + dr[t], cc = c + dc[t];
                if (rr < nr && cc >= 0 && cc < nc) {
                    a[m] = i;
                    b[m++] = rr * nc + cc;
                }
            }
        }
    hs_weights *w = NULL;
    hs_err err = {0};
    hs_weights_from_pairs(n, a, b, (size_t)m, &w, &err);
    free(a);
    free(b);
    return w;
}

/* Standard normal from two uniforms (Box–Muller). */
static inline double tsim_normal(hs_rng *r)
{
    double u = hs_rng_uniform(r), v = hs_rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* Poisson by inversion (small means). */
static inline double tsim_poisson(hs_rng *r, double mu)
{
    double L = exp(-mu), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= hs_rng_uniform(r);
    } while (p > L && k < 10000);
    return k - 1;
}

#endif
