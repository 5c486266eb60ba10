/* hs_perm, method HS_PERM_LOOKUP (opt-in; the exact engine is test_perm.c):
 * - the tables are permutations and their prefix sums match the values;
 * - every window holds k distinct units, never unit i, for k = 1 .. 13 and k = n - 1;
 * - each other unit is drawn with frequency k / (n - 1) (uniform k-subsets);
 * - the engine's counts equal a plain count over hs_perm_lookup_windows' windows, for
 *   1 and 3 threads, and the same seed gives the same counts (another seed does not);
 * - pseudo-p within Monte Carlo tolerance of the exact engine on the spdep fixtures and
 *   on a 2,000-point KNN-10 layer;
 * - the method's name, parsing and validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_lisa.h"
#include "hs_perm.h"
#include "hs_rng.h"
#include "hs_test_csv.h"
#include "hs_weights.h"

/* unit[t * n + p] = the unit at position p of table t (the inverse of pos). */
static int *table_units(const hs_perm_table *t)
{
    int n = t->n, m = t->m;
    int *unit = malloc((size_t)n * (size_t)m * sizeof *unit);
    assert_non_null(unit);
    for (int q = 0; q < n * m; q++)
        unit[q] = -1;
    for (int i = 0; i < n; i++)
        for (int q = 0; q < m; q++) {
            int p = t->pos[(size_t)i * (size_t)m + (size_t)q];
            assert_true(p >= 0 && p < n);
            assert_int_equal(unit[q * n + p], -1); /* a bijection: no position twice */
            unit[q * n + p] = i;
        }
    return unit;
}

static double *centred(int n, uint64_t seed, int integer)
{
    double *zc = malloc((size_t)n * sizeof *zc), mean = 0;
    assert_non_null(zc);
    for (int i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, seed, (uint64_t)i, 0);
        zc[i] = integer ? (double)hs_rng_below(&r, 4) : hs_rng_uniform(&r) * 10;
        mean += zc[i];
    }
    mean /= n;
    for (int i = 0; i < n; i++)
        zc[i] -= mean;
    return zc;
}

static void check_windows(int n, int k, int R)
{
    double *zc = centred(n, 11, 0);
    hs_perm_table *t = NULL;
    hs_err err = {0};
    assert_int_equal(hs_perm_table_build(zc, n, 77, &t, &err), 0);
    assert_true((long long)t->m * n >= HS_PERM_LOOKUP_MIN_ENTRIES);
    assert_int_equal(t->m, 1 << t->mshift);
    int *unit = table_units(t);
    for (int q = 0; q < t->m; q++) { /* prefix sums of the values in table order */
        const double *P = t->prefix + (size_t)q * ((size_t)n + 1);
        assert_true(P[0] == 0.0);
        for (int p = 0; p < n; p++)
            assert_true(fabs(P[p + 1] - P[p] - zc[unit[q * n + p]]) < 1e-12);
    }
    uint32_t *tab = malloc((size_t)R * sizeof *tab), *off = malloc((size_t)R * sizeof *off);
    uint8_t *skip = malloc((size_t)R);
    long *hits = calloc((size_t)n, sizeof *hits);
    char *seen = calloc((size_t)n, 1);
    assert_true(tab && off && skip && hits && seen);
    long windows = 0;
    for (int i = 0; i < n; i++) {
        hs_perm_lookup_windows(t, 5, i, k, R, tab, off, skip);
        for (int r = 0; r < R; r++) {
            assert_true(tab[r] < (uint32_t)t->m);
            assert_true(off[r] < (uint32_t)n);
            memset(seen, 0, (size_t)n);
            int got = 0, self = 0;
            for (uint32_t p = off[r]; p < off[r] + (uint32_t)k + skip[r]; p++) {
                int j = unit[tab[r] * (uint32_t)n + p % (uint32_t)n];
                if (j == i) {
                    self++;
                    continue;
                }
                assert_false(seen[j]); /* distinct */
                seen[j] = 1;
                hits[j]++;
                got++;
            }
            if (self != skip[r] || got != k)
                fail_msg("n=%d k=%d unit %d replicate %d: %d units, self %d, skip %d", n, k, i,
                         r, got, self, skip[r]);
        }
        windows += R;
    }
    /* Uniform k-subsets: every unit is drawn about windows * k / (n - 1) times in all
     * (each unit is "other" for n - 1 of the n units). 6 binomial sd, plus 1%. */
    double expect = (double)windows * k / n, sd = sqrt(expect * (1.0 - (double)k / (n - 1)));
    for (int j = 0; j < n; j++)
        if (fabs(hits[j] - expect) > 6 * sd + 0.01 * expect)
            fail_msg("n=%d k=%d: unit %d drawn %ld times, expected %.0f", n, k, j, hits[j],
                     expect);
    hs_perm_table_free(t);
    free(unit), free(zc), free(tab), free(off), free(skip), free(hits), free(seen);
}

static void test_windows_exclude_self(void **s)
{
    (void)s;
    for (int k = 1; k <= 13; k++) {
        check_windows(16, k, 199);
        check_windows(300, k, 99);
    }
    check_windows(16, 15, 199); /* k = n - 1: the window is the whole table */
    check_windows(3, 2, 99);
    check_windows(40, 30, 99);
}

/* Reference counts from the plain window definition, summing the units directly. */
static void ref_counts(const hs_weights *w, const double *x, int R, uint64_t seed, int *gi,
                       int *li)
{
    hs_moments m;
    hs_err err = {0};
    int n = w->n;
    assert_int_equal(hs_moments_compute(x, n, &m, &err), 0);
    double *zc = malloc((size_t)n * sizeof *zc);
    for (int i = 0; i < n; i++)
        zc[i] = x[i] - m.mean;
    hs_perm_table *t = NULL;
    assert_int_equal(hs_perm_table_build(zc, n, seed, &t, &err), 0);
    int *unit = table_units(t);
    uint32_t *tab = malloc((size_t)R * sizeof *tab), *off = malloc((size_t)R * sizeof *off);
    uint8_t *skip = malloc((size_t)R);
    for (int i = 0; i < n; i++) {
        int k = hs_weights_card(w, i);
        double obs = 0;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            obs += zc[w->nbr[e]];
        double inv_den = 1.0 / hs_gistar_den(&m, k), coef = hs_lisa_coef(zc[i], k, m.s2);
        double gobs = hs_gistar_stat(zc[i], obs, inv_den), lobs = hs_lisa_stat(coef, obs);
        double gthr = hs_perm_threshold(gobs), lthr = hs_perm_threshold(lobs);
        hs_perm_lookup_windows(t, seed, i, k, R, tab, off, skip);
        gi[i] = li[i] = 0;
        for (int r = 0; r < R; r++) {
            double sum = 0;
            for (uint32_t p = off[r]; p < off[r] + (uint32_t)k + skip[r]; p++) {
                int j = unit[tab[r] * (uint32_t)n + p % (uint32_t)n];
                if (j != i)
                    sum += zc[j];
            }
            gi[i] += hs_gistar_stat(zc[i], sum, inv_den) >= gthr;
            li[i] += hs_lisa_stat(coef, sum) >= lthr;
        }
        if (!isfinite(gobs)) /* k = n - 1: Gi*'s variance is 0, the engine gives -1 */
            gi[i] = -1;
        if (!isfinite(lobs))
            li[i] = -1;
    }
    hs_perm_table_free(t);
    free(unit), free(zc), free(tab), free(off), free(skip);
}

static hs_weights *knn_layer(int n, int k, int integer, double *x)
{
    double *px = malloc((size_t)n * sizeof *px), *py = malloc((size_t)n * sizeof *py);
    assert_true(px && py);
    for (int i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, 5, (uint64_t)i, 0);
        px[i] = hs_rng_uniform(&r) * 1000;
        py[i] = hs_rng_uniform(&r) * 1000;
        x[i] = integer ? (double)hs_rng_below(&r, 4) : hs_rng_uniform(&r) * 10 +
                                                           (px[i] < 300 ? 5.0 : 0.0);
    }
    hs_weights *w = NULL;
    hs_err err = {0};
    assert_int_equal(hs_weights_knn(n, px, py, k, &w, &err), 0);
    free(px);
    free(py);
    return w;
}

static void run_lookup(const hs_weights *w, const double *x, int R, uint64_t seed, int threads,
                       int *gi, int *li)
{
    hs_perm_opt o;
    hs_perm_opt_default(&o);
    o.permutations = R;
    o.seed = seed;
    o.threads = threads;
    o.method = HS_PERM_LOOKUP;
    hs_err err = {0};
    assert_int_equal(hs_perm_local(w, x, &o, gi, li, &err), 0);
}

static void check_engine(int n, int k, int R)
{
    double *x = malloc((size_t)n * sizeof *x);
    int *gi = malloc((size_t)n * sizeof *gi), *li = malloc((size_t)n * sizeof *li);
    int *rg = malloc((size_t)n * sizeof *rg), *rl = malloc((size_t)n * sizeof *rl);
    int *l2 = malloc((size_t)n * sizeof *l2);
    assert_true(x && gi && li && rg && rl && l2);
    hs_weights *w = knn_layer(n, k, 0, x);
    uint64_t seed = 300u + (uint64_t)k;
    ref_counts(w, x, R, seed, rg, rl);
    for (int threads = 1; threads <= 3; threads += 2) {
        run_lookup(w, x, R, seed, threads, gi, li);
        for (int i = 0; i < n; i++)
            if (gi[i] != rg[i] || li[i] != rl[i])
                fail_msg("n=%d k=%d unit %d threads %d: engine %d/%d, reference %d/%d", n, k, i,
                         threads, gi[i], li[i], rg[i], rl[i]);
    }
    /* LISA alone (the Gi* compare is skipped) gives the same LISA counts */
    hs_perm_opt o;
    hs_perm_opt_default(&o);
    o.permutations = R;
    o.seed = seed;
    o.method = HS_PERM_LOOKUP;
    hs_err err = {0};
    assert_int_equal(hs_perm_local(w, x, &o, NULL, l2, &err), 0);
    assert_memory_equal(l2, rl, (size_t)n * sizeof *l2);
    /* another seed draws other windows */
    run_lookup(w, x, R, seed + 1, 1, gi, li);
    if (k < n - 1) /* with k = n - 1 every window is all the other units */
        assert_true(memcmp(li, rl, (size_t)n * sizeof *li) != 0);
    hs_weights_free(w);
    free(x), free(gi), free(li), free(rg), free(rl), free(l2);
}

static void test_engine_matches_definition(void **s)
{
    (void)s;
    for (int k = 1; k <= 13; k++)
        check_engine(16, k, 199); /* windows often hold unit i: the skip path runs a lot */
    check_engine(16, 15, 99);
    int ks[] = {1, 4, 8, 10, 13, 49};
    for (size_t q = 0; q < sizeof ks / sizeof ks[0]; q++)
        check_engine(300, ks[q], 999); /* several runs per unit: R * k > n */
}

static double mc_tol(double p, int R)
{
    return 4.0 * sqrt(2.0 * p * (1.0 - p) / R) + 0.004;
}

/* p_sim of hs_lisa with the given method. */
static double *lisa_p(const hs_weights *w, const double *x, int method, int R)
{
    hs_lisa_opt o;
    hs_lisa_opt_default(&o);
    o.perm.permutations = R;
    o.perm.method = method;
    hs_lisa_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_lisa(w, x, &o, &r, &err), 0);
    double *p = malloc((size_t)w->n * sizeof *p);
    memcpy(p, r->p_sim, (size_t)w->n * sizeof *p);
    hs_lisa_result_free(r);
    return p;
}

/* Fraction of units whose lookup p is within mc_tol of the exact p; *mean_dp the mean
 * signed difference (a shared shift would show there). */
static double agreement(const hs_weights *w, const double *x, int R, double *mean_dp)
{
    double *pe = lisa_p(w, x, HS_PERM_EXACT, R), *pl = lisa_p(w, x, HS_PERM_LOOKUP, R);
    int ok = 0, cnt = 0;
    double sd = 0;
    for (int i = 0; i < w->n; i++) {
        if (isnan(pe[i])) {
            assert_true(isnan(pl[i])); /* isolated units: no p either way */
            continue;
        }
        cnt++;
        sd += pl[i] - pe[i];
        ok += fabs(pl[i] - pe[i]) <= mc_tol(pe[i], R);
    }
    free(pe);
    free(pl);
    *mean_dp = sd / cnt;
    return (double)ok / cnt;
}

static void test_p_close_to_exact(void **s)
{
    (void)s;
    const char *layers[][2] = {{"grid_units.csv", "grid_nb.csv"}, {"irr_units.csv", "irr_nb.csv"}};
    for (size_t q = 0; q < 2; q++) {
        tcsv t;
        assert_int_equal(tcsv_load(layers[q][0], &t), 0);
        hs_weights *w = tcsv_weights(layers[q][1], t.nrow);
        assert_non_null(w);
        double *rate = tcsv_get(&t, "rate"), mean_dp, frac = agreement(w, rate, 999, &mean_dp);
        free(rate);
        /* every unit within tolerance on these small fixtures */
        if (frac < 1.0)
            fail_msg("%s: only %.3f of units within Monte Carlo tolerance", layers[q][0], frac);
        hs_weights_free(w);
        tcsv_free(&t);
    }
    int n = 2000;
    double *x = malloc((size_t)n * sizeof *x), mean_dp;
    hs_weights *w = knn_layer(n, 10, 0, x);
    double frac = agreement(w, x, 999, &mean_dp);
    if (frac < 0.99 || fabs(mean_dp) > 0.003)
        fail_msg("KNN-10 n=2000: %.4f of units within tolerance, mean dp %+.4f", frac, mean_dp);
    hs_weights_free(w);
    /* integer data: many exact ties between simulated and observed sums */
    w = knn_layer(n, 6, 1, x);
    frac = agreement(w, x, 999, &mean_dp);
    if (frac < 0.99 || fabs(mean_dp) > 0.003)
        fail_msg("integer KNN-6 n=2000: %.4f of units within tolerance, mean dp %+.4f", frac,
                 mean_dp);
    hs_weights_free(w);
    free(x);
}

static void test_method_names(void **s)
{
    (void)s;
    int m = -1;
    hs_err err = {0};
    assert_int_equal(hs_perm_method_parse("exact", &m, &err), 0);
    assert_int_equal(m, HS_PERM_EXACT);
    assert_int_equal(hs_perm_method_parse("lookup", &m, &err), 0);
    assert_int_equal(m, HS_PERM_LOOKUP);
    assert_int_equal(hs_perm_method_parse("table", &m, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "'table'"));
    assert_non_null(strstr(err.msg, "exact, lookup"));
    assert_string_equal(hs_perm_method_name(HS_PERM_LOOKUP), "lookup");
    assert_string_equal(hs_perm_method_name(HS_PERM_EXACT), "exact");
    hs_perm_opt o;
    hs_perm_opt_default(&o);
    assert_int_equal(o.method, HS_PERM_EXACT); /* the default stays exact */
    o.method = 7;
    assert_int_equal(hs_perm_opt_check(&o, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "method"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_method_names),
        cmocka_unit_test(test_windows_exclude_self),
        cmocka_unit_test(test_engine_matches_definition),
        cmocka_unit_test(test_p_close_to_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
