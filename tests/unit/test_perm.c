/* hs_perm: the optimised engine (branch-free fast path, SSE2 kernels, exact fallback,
 * Fisher–Yates for large rows) must give EXACTLY the counts of a plain, slow
 * implementation of the documented scheme (docs/statistics.md, "Permutation inference"):
 * for unit i and replicate r, stream hs_rng(seed, i, r); rows with k <= 48 draw
 * d = hs_rng_below(n - 1), d += d >= i, and redraw a repeat; larger rows take a
 * partial Fisher–Yates shuffle of the other units (i parked at position n-1).
 * Small n makes repeats (the fallback path) frequent; every k from 1 to 13 is covered,
 * plus 20, 48 (largest rejection row) and 49, 60 (Fisher–Yates), with 1 and 3 threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "hs_perm.h"
#include "hs_rng.h"
#include "hs_weights.h"

#define REJECT_MAX 48 /* PERM_REJECT_MAX of hs_perm.c */

/* Sum of the centred values of the k units drawn for (unit i, replicate r). */
static double ref_draw_sum(const double *zc, int n, int i, int k, uint64_t seed, int r, int *idx,
                           int *drawn)
{
    hs_rng rng;
    hs_rng_init(&rng, seed, (uint64_t)i, (uint64_t)r);
    if (k <= REJECT_MAX) {
        double s[2] = {0, 0}; /* even- and odd-numbered draws, as the engine sums them */
        for (int t = 0; t < k; t++) {
            int d, again;
            do {
                d = (int)hs_rng_below(&rng, (uint32_t)(n - 1));
                d += d >= i;
                again = 0;
                for (int q = 0; q < t; q++)
                    again |= drawn[q] == d;
            } while (again);
            drawn[t] = d;
            s[t & 1] += zc[d];
        }
        return s[0] + s[1];
    }
    for (int j = 0; j < n; j++)
        idx[j] = j;
    idx[i] = n - 1;
    idx[n - 1] = i;
    double s = 0;
    for (int t = 0; t < k; t++) {
        int p = t + (int)hs_rng_below(&rng, (uint32_t)(n - 1 - t));
        int tmp = idx[t];
        idx[t] = idx[p];
        idx[p] = tmp;
        s += zc[idx[t]];
    }
    return s;
}

static void ref_counts(const hs_weights *w, const double *x, int R, uint64_t seed, int *gi,
                       int *li)
{
    hs_moments m;
    hs_err err = {0};
    assert_int_equal(hs_moments_compute(x, w->n, &m, &err), 0);
    int n = w->n;
    double *zc = malloc((size_t)n * sizeof *zc);
    int *idx = malloc((size_t)n * sizeof *idx), *drawn = malloc((size_t)n * sizeof *drawn);
    assert_true(zc && idx && drawn);
    for (int i = 0; i < n; i++)
        zc[i] = x[i] - m.mean;
    for (int i = 0; i < n; i++) {
        int k = hs_weights_card(w, i);
        double obs = 0;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            obs += zc[w->nbr[e]];
        double inv_den = 1.0 / hs_gistar_den(&m, k), coef = hs_lisa_coef(zc[i], k, m.s2);
        double gthr = hs_perm_threshold(hs_gistar_stat(zc[i], obs, inv_den));
        double lthr = hs_perm_threshold(hs_lisa_stat(coef, obs));
        gi[i] = li[i] = 0;
        for (int r = 0; r < R; r++) {
            double s = ref_draw_sum(zc, n, i, k, seed, r, idx, drawn);
            gi[i] += hs_gistar_stat(zc[i], s, inv_den) >= gthr;
            li[i] += hs_lisa_stat(coef, s) >= lthr;
        }
    }
    free(zc);
    free(idx);
    free(drawn);
}

static void check_layer(int n, int k, int R, int integer)
{
    double *px = malloc((size_t)n * sizeof *px), *py = malloc((size_t)n * sizeof *py);
    double *x = malloc((size_t)n * sizeof *x);
    int *gi = malloc((size_t)n * sizeof *gi), *li = malloc((size_t)n * sizeof *li);
    int *rg = malloc((size_t)n * sizeof *rg), *rl = malloc((size_t)n * sizeof *rl);
    assert_true(px && py && x && gi && li && rg && rl);
    for (int i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, 5, (uint64_t)i, 0);
        px[i] = hs_rng_uniform(&r) * 1000;
        py[i] = hs_rng_uniform(&r) * 1000;
        x[i] = integer ? (double)hs_rng_below(&r, 4) : hs_rng_uniform(&r) * 10;
    }
    hs_weights *w = NULL;
    hs_err err = {0};
    assert_int_equal(hs_weights_knn(n, px, py, k, &w, &err), 0);
    uint64_t seed = 1000u + (uint64_t)k;
    ref_counts(w, x, R, seed, rg, rl);
    for (int threads = 1; threads <= 3; threads += 2) {
        hs_perm_opt o;
        hs_perm_opt_default(&o);
        o.permutations = R;
        o.seed = seed;
        o.threads = threads;
        assert_int_equal(hs_perm_local(w, x, &o, gi, li, &err), 0);
        for (int i = 0; i < n; i++) {
            if (gi[i] != rg[i] || li[i] != rl[i])
                fail_msg("n=%d k=%d unit %d threads %d: engine %d/%d, reference %d/%d", n, k, i,
                         threads, gi[i], li[i], rg[i], rl[i]);
        }
    }
    hs_weights_free(w);
    free(px), free(py), free(x), free(gi), free(li), free(rg), free(rl);
}

static void test_small_rows_many_repeats(void **s)
{
    (void)s;
    /* n = 16: a repeat in most replicates once k >= 5, so the fallback runs constantly */
    for (int k = 1; k <= 13; k++)
        check_layer(16, k, 199, k & 1);
}

static void test_rows_of_every_kernel(void **s)
{
    (void)s;
    int ks[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 20, 48, 49, 60};
    for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++)
        check_layer(300, ks[q], 99, (int)(q & 1));
}

/* A set cancel flag stops the run with HS_ECANCELED and a message naming the reason;
 * an unset one changes nothing (covered by the tests above, which pass NULL). */
static void test_cancel(void **s)
{
    (void)s;
    int n = 200;
    double px[200], py[200], x[200];
    int gi[200];
    for (int i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, 9, (uint64_t)i, 0);
        px[i] = hs_rng_uniform(&r) * 1000;
        py[i] = hs_rng_uniform(&r) * 1000;
        x[i] = hs_rng_uniform(&r);
    }
    hs_weights *w = NULL;
    hs_err err = {0};
    assert_int_equal(hs_weights_knn(n, px, py, 6, &w, &err), 0);
    atomic_int flag = HS_CANCEL_BUDGET;
    for (int threads = 1; threads <= 2; threads++) {
        hs_perm_opt o;
        hs_perm_opt_default(&o);
        o.permutations = 9999;
        o.threads = threads;
        o.cancel = &flag;
        assert_int_equal(hs_perm_local(w, x, &o, gi, NULL, &err), HS_ECANCELED);
        assert_non_null(strstr(err.msg, "time budget"));
    }
    atomic_store(&flag, HS_CANCEL_NONE);
    hs_perm_opt o;
    hs_perm_opt_default(&o);
    o.permutations = 99;
    o.cancel = &flag;
    assert_int_equal(hs_perm_local(w, x, &o, gi, NULL, &err), 0);
    hs_weights_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_small_rows_many_repeats),
        cmocka_unit_test(test_rows_of_every_kernel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
