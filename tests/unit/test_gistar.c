/* Gi*: analytic z against spdep localG(include.self, "B"), permutation p against a
 * reference R implementation of our scheme (and spdep's localG_perm, whose scheme
 * differs), properties (scale invariance, p range, thread invariance, isolated units),
 * a planted cluster and the false-positive rate under the null. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hs_gistar.h"
#include "hs_test_csv.h"
#include "hs_test_sim.h"

/* Monte Carlo tolerance for two independent pseudo-p estimates at R = 999. */
static double mc_tol(double p, int R)
{
    return 4.0 * sqrt(2.0 * p * (1.0 - p) / R) + 0.004;
}

static void check_layer(const char *units, const char *nbfile, int expect_isolated)
{
    tcsv t;
    assert_int_equal(tcsv_load(units, &t), 0);
    int n = t.nrow;
    double *x = tcsv_get(&t, "rate"), *gz = tcsv_get(&t, "gi_z");
    double *pref = tcsv_get(&t, "gi_psim_ref");
    hs_weights *w = tcsv_weights(nbfile, n);
    assert_non_null(w);
    hs_gistar_opt o;
    hs_gistar_opt_default(&o);
    hs_gistar_result *r;
    hs_err err = {0};
    assert_int_equal(hs_gistar(w, x, &o, &r, &err), 0);
    assert_int_equal(r->n_isolated, expect_isolated);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        assert_true(tclose(r->z[i], gz[i], 1e-9));
        assert_int_equal(isnan(r->z[i]), r->isolated[i]);
        if (r->isolated[i]) {
            assert_true(isnan(r->p_sim[i]) && isnan(r->p[i]) && isnan(r->p_fdr[i]));
            assert_int_equal(r->bin[i], 0);
            continue;
        }
        assert_true(r->p_sim[i] >= 1.0 / 1000 && r->p_sim[i] <= 1.0);
        assert_true(r->p[i] > 0 && r->p[i] <= 1.0);
        bad += fabs(r->p_sim[i] - pref[i]) > mc_tol(pref[i], 999);
    }
    assert_int_equal(bad, 0);
    hs_gistar_result_free(r);
    hs_weights_free(w);
    free(x), free(gz), free(pref);
    tcsv_free(&t);
}

static void test_grid_matches_spdep(void **s)
{
    (void)s;
    check_layer("grid_units.csv", "grid_nb.csv", 0);
}

static void test_irregular_with_islands(void **s)
{
    (void)s;
    check_layer("irr_units.csv", "irr_nb.csv", 2);
}

static void test_z_scale_and_style_invariant(void **s)
{
    (void)s;
    hs_weights *w = tsim_queen(12, 9);
    int n = w->n;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *z1 = malloc(n * sizeof *z1), *z2 = malloc(n * sizeof *z2);
    hs_rng rng;
    hs_rng_init(&rng, 1, 0, 0);
    for (int i = 0; i < n; i++) {
        x[i] = 50 + 10 * tsim_normal(&rng);
        y[i] = 1e4 * x[i] + 7.0;
    }
    hs_err err = {0};
    assert_int_equal(hs_gistar_z(w, x, z1, &err), 0);
    hs_weights_set_style(w, HS_W_ROW);
    assert_int_equal(hs_gistar_z(w, y, z2, &err), 0);
    for (int i = 0; i < n; i++)
        assert_true(fabs(z1[i] - z2[i]) <= 1e-9 * fmax(1, fabs(z1[i])));
    /* permutation p is also unchanged by an affine change of x */
    hs_gistar_opt o;
    hs_gistar_opt_default(&o);
    o.perm.permutations = 199;
    hs_gistar_result *a, *b;
    assert_int_equal(hs_gistar(w, x, &o, &a, &err), 0);
    assert_int_equal(hs_gistar(w, y, &o, &b, &err), 0);
    for (int i = 0; i < n; i++)
        assert_true(a->p_sim[i] == b->p_sim[i]);
    hs_gistar_result_free(a);
    hs_gistar_result_free(b);
    hs_weights_free(w);
    free(x), free(y), free(z1), free(z2);
}

static void test_threads_identical(void **s)
{
    (void)s;
    hs_weights *w = tsim_queen(23, 17);
    int n = w->n;
    double *x = malloc(n * sizeof *x);
    hs_rng rng;
    hs_rng_init(&rng, 2, 0, 0);
    for (int i = 0; i < n; i++)
        x[i] = tsim_poisson(&rng, 3.0); /* counts: many ties */
    hs_gistar_opt o;
    hs_gistar_opt_default(&o);
    o.perm.seed = 42;
    hs_gistar_result *ref = NULL;
    hs_err err = {0};
    int threads[] = {1, 2, 16};
    for (int t = 0; t < 3; t++) {
        o.perm.threads = threads[t];
        hs_gistar_result *r;
        assert_int_equal(hs_gistar(w, x, &o, &r, &err), 0);
        if (!ref) {
            ref = r;
            continue;
        }
        assert_memory_equal(r->p_sim, ref->p_sim, n * sizeof(double));
        assert_memory_equal(r->bin, ref->bin, n);
        hs_gistar_result_free(r);
    }
    /* another seed changes the draws */
    o.perm.seed = 43;
    hs_gistar_result *r;
    assert_int_equal(hs_gistar(w, x, &o, &r, &err), 0);
    assert_true(memcmp(r->p_sim, ref->p_sim, n * sizeof(double)) != 0);
    hs_gistar_result_free(r);
    hs_gistar_result_free(ref);
    hs_weights_free(w);
    free(x);
}

static void test_isolated_and_degenerate(void **s)
{
    (void)s;
    /* 0-1-2 chain, 3 and 4 isolated */
    int a[] = {0, 1}, b[] = {1, 2};
    hs_weights *w;
    hs_err err = {0};
    assert_int_equal(hs_weights_from_pairs(5, a, b, 2, &w, &err), 0);
    double x[] = {1, 5, 2, 9, 4}, c[] = {3, 3, 3, 3, 3};
    hs_gistar_result *r;
    assert_int_equal(hs_gistar(w, x, NULL, &r, &err), 0);
    assert_int_equal(r->n_isolated, 2);
    assert_true(isnan(r->z[3]) && isnan(r->z[4]) && r->bin[3] == 0);
    for (int i = 0; i < 3; i++)
        assert_true(isfinite(r->z[i]) && isfinite(r->p_sim[i]));
    hs_gistar_result_free(r);
    /* constant x: no statistic anywhere, no division by zero */
    assert_int_equal(hs_gistar(w, c, NULL, &r, &err), 0);
    for (int i = 0; i < 5; i++)
        assert_true(isnan(r->z[i]) && isnan(r->p_sim[i]) && r->bin[i] == 0);
    hs_gistar_result_free(r);
    /* non-finite input and bad options are named */
    double bad[] = {1, NAN, 2, 3, 4};
    assert_int_equal(hs_gistar(w, bad, NULL, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "unit 1"));
    hs_gistar_opt o;
    hs_gistar_opt_default(&o);
    o.perm.permutations = HS_PERM_MAX + 1;
    assert_int_equal(hs_gistar(w, x, &o, &r, &err), HS_ELIMIT);
    assert_non_null(strstr(err.msg, "permutations"));
    hs_weights_free(w);
}

static void test_bins(void **s)
{
    (void)s;
    assert_int_equal(hs_gistar_bin(3.0, 0.005), 3);
    assert_int_equal(hs_gistar_bin(-2.0, 0.03), -2);
    assert_int_equal(hs_gistar_bin(1.7, 0.09), 1);
    assert_int_equal(hs_gistar_bin(1.0, 0.3), 0);
    assert_int_equal(hs_gistar_bin(NAN, 0.001), 0);
}

static void test_planted_cluster_and_null(void **s)
{
    (void)s;
    int nr = 30, nc = 30;
    hs_weights *w = tsim_queen(nr, nc);
    int n = w->n;
    double *x = malloc(n * sizeof *x);
    hs_err err = {0};
    hs_gistar_opt o;
    hs_gistar_opt_default(&o);
    o.perm.threads = 2;
    o.bin_fdr = 1;
    /* Planted: a 5 x 5 block with mean 3 sd above the rest. */
    hs_rng rng;
    hs_rng_init(&rng, 7, 0, 0);
    for (int i = 0; i < n; i++) {
        int r = i / nc, c = i % nc;
        x[i] = tsim_normal(&rng) + ((r >= 10 && r < 15 && c >= 10 && c < 15) ? 3.0 : 0.0);
    }
    hs_gistar_result *res;
    assert_int_equal(hs_gistar(w, x, &o, &res, &err), 0);
    int centre_hot = 0, far_hot = 0;
    for (int i = 0; i < n; i++) {
        int r = i / nc, c = i % nc;
        if (r >= 11 && r < 14 && c >= 11 && c < 14)
            centre_hot += res->bin[i] >= 2;
        else if (r < 7 || r > 17 || c < 7 || c > 17)
            far_hot += res->bin[i] > 0;
    }
    assert_int_equal(centre_hot, 9);
    assert_true(far_hot <= 5);
    hs_gistar_result_free(res);
    /* Null: iid data; under FDR at most a few percent of units are significant. */
    int sig = 0;
    for (uint64_t seed = 100; seed < 104; seed++) {
        hs_rng_init(&rng, seed, 0, 0);
        for (int i = 0; i < n; i++)
            x[i] = tsim_normal(&rng);
        o.perm.seed = seed;
        assert_int_equal(hs_gistar(w, x, &o, &res, &err), 0);
        for (int i = 0; i < n; i++)
            sig += res->bin[i] != 0;
        hs_gistar_result_free(res);
    }
    assert_true(sig <= (int)(0.05 * 4 * n));
    hs_weights_free(w);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_matches_spdep),
        cmocka_unit_test(test_irregular_with_islands),
        cmocka_unit_test(test_z_scale_and_style_invariant),
        cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_isolated_and_degenerate),
        cmocka_unit_test(test_bins),
        cmocka_unit_test(test_planted_cluster_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
