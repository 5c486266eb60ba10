/* Local Moran against spdep localmoran(mlvar = FALSE, conditional = TRUE), permutation
 * p against the reference scheme, quadrants, thread invariance, isolated units, a
 * planted cluster, the null false-positive rate, hs_local_both and global Moran. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hs_lisa.h"
#include "hs_moran.h"
#include "hs_test_csv.h"
#include "hs_test_sim.h"

static double mc_tol(double p, int R)
{
    return 4.0 * sqrt(2.0 * p * (1.0 - p) / R) + 0.004;
}

static void check_layer(const char *units, const char *nbfile, const char *global, int niso)
{
    tcsv t;
    assert_int_equal(tcsv_load(units, &t), 0);
    int n = t.nrow;
    double *x = tcsv_get(&t, "rate");
    double *I = tcsv_get(&t, "lisa_i"), *E = tcsv_get(&t, "lisa_e");
    double *V = tcsv_get(&t, "lisa_var"), *Z = tcsv_get(&t, "lisa_z");
    double *pref = tcsv_get(&t, "lisa_psim_ref"), *pspd = tcsv_get(&t, "lisa_psim_spdep");
    hs_weights *w = tcsv_weights(nbfile, n);
    assert_non_null(w);
    hs_lisa_result *r;
    hs_err err = {0};
    assert_int_equal(hs_lisa(w, x, NULL, &r, &err), 0);
    assert_int_equal(r->n_isolated, niso);
    int bad = 0, bad_spdep = 0;
    for (int i = 0; i < n; i++) {
        assert_true(tclose(r->i[i], I[i], 1e-9));
        assert_true(tclose(r->e[i], E[i], 1e-9));
        assert_true(tclose(r->var[i], V[i], 1e-9));
        assert_true(tclose(r->z[i], Z[i], 1e-9));
        if (r->isolated[i]) {
            assert_int_equal(r->quadrant[i], HS_LISA_ISOLATED);
            assert_true(isnan(r->p_sim[i]) && isnan(r->p_fdr[i]));
            continue;
        }
        assert_true(r->p_sim[i] >= 1.0 / 1000 && r->p_sim[i] <= 1.0);
        bad += fabs(r->p_sim[i] - pref[i]) > mc_tol(pref[i], 999);
        /* spdep 1.2-7 draws with replacement: nearly the same distribution here */
        bad_spdep += fabs(r->p_sim[i] - pspd[i]) > mc_tol(pspd[i], 999);
    }
    assert_int_equal(bad, 0);
    assert_true(bad_spdep <= n / 20);
    /* global Moran */
    hs_perm_opt po;
    hs_perm_opt_default(&po);
    hs_moran_global g;
    assert_int_equal(hs_moran_global_test(w, x, &po, &g, &err), 0);
    assert_true(tclose(g.i, tcsv_value(global, "moran_i"), 1e-9));
    assert_true(tclose(g.e, tcsv_value(global, "moran_e"), 1e-9));
    assert_true(tclose(g.var_rand, tcsv_value(global, "moran_var_rand"), 1e-9));
    assert_true(tclose(g.var_norm, tcsv_value(global, "moran_var_norm"), 1e-9));
    assert_true(tclose(g.z, tcsv_value(global, "moran_z"), 1e-9));
    assert_true(tclose(g.p, tcsv_value(global, "moran_p"), 1e-9));
    double pmc = tcsv_value(global, "moran_mc_p");
    assert_true(fabs(g.p_sim - pmc) <= mc_tol(pmc, 999) + 1.0 / 1000);
    hs_lisa_result_free(r);
    hs_weights_free(w);
    free(x), free(I), free(E), free(V), free(Z), free(pref), free(pspd);
    tcsv_free(&t);
}

static void test_grid_matches_spdep(void **s)
{
    (void)s;
    check_layer("grid_units.csv", "grid_nb.csv", "grid_global.csv", 0);
}

static void test_irregular_with_islands(void **s)
{
    (void)s;
    check_layer("irr_units.csv", "irr_nb.csv", "irr_global.csv", 2);
}

static void test_threads_and_both(void **s)
{
    (void)s;
    hs_weights *w = tsim_queen(21, 19);
    int n = w->n;
    double *x = malloc(n * sizeof *x);
    hs_rng rng;
    hs_rng_init(&rng, 3, 0, 0);
    for (int i = 0; i < n; i++)
        x[i] = tsim_poisson(&rng, 2.0);
    hs_lisa_opt o;
    hs_lisa_opt_default(&o);
    hs_err err = {0};
    hs_lisa_result *ref, *r;
    assert_int_equal(hs_lisa(w, x, &o, &ref, &err), 0);
    int threads[] = {2, 16};
    for (int t = 0; t < 2; t++) {
        o.perm.threads = threads[t];
        assert_int_equal(hs_lisa(w, x, &o, &r, &err), 0);
        assert_memory_equal(r->p_sim, ref->p_sim, n * sizeof(double));
        assert_memory_equal(r->quadrant, ref->quadrant, n);
        hs_lisa_result_free(r);
    }
    /* one shared set of draws gives the same p as separate calls */
    hs_gistar_opt go;
    hs_gistar_opt_default(&go);
    hs_gistar_result *g1, *g2;
    assert_int_equal(hs_gistar(w, x, &go, &g1, &err), 0);
    go.perm.threads = 2;
    assert_int_equal(hs_local_both(w, x, &go, &o, &g2, &r, &err), 0);
    assert_memory_equal(g1->p_sim, g2->p_sim, n * sizeof(double));
    assert_memory_equal(r->p_sim, ref->p_sim, n * sizeof(double));
    hs_gistar_result_free(g1);
    hs_gistar_result_free(g2);
    hs_lisa_result_free(r);
    hs_lisa_result_free(ref);
    /* global Moran permutations are thread-invariant too */
    hs_perm_opt po;
    hs_perm_opt_default(&po);
    hs_moran_global m1, m2;
    assert_int_equal(hs_moran_global_test(w, x, &po, &m1, &err), 0);
    po.threads = 16;
    assert_int_equal(hs_moran_global_test(w, x, &po, &m2, &err), 0);
    assert_true(m1.p_sim == m2.p_sim && m1.sim_mean == m2.sim_mean);
    hs_weights_free(w);
    free(x);
}

static void test_isolated_and_options(void **s)
{
    (void)s;
    int a[] = {0, 1, 2}, b[] = {1, 2, 0};
    hs_weights *w;
    hs_err err = {0};
    assert_int_equal(hs_weights_from_pairs(5, a, b, 3, &w, &err), 0);
    double x[] = {1, 4, 2, 8, 3}, c[] = {2, 2, 2, 2, 2};
    hs_lisa_result *r;
    assert_int_equal(hs_lisa(w, x, NULL, &r, &err), 0);
    assert_int_equal(r->n_isolated, 2);
    assert_int_equal(r->quadrant[3], HS_LISA_ISOLATED);
    assert_string_equal(hs_lisa_quadrant_name(r->quadrant[4]), "isolated");
    for (int i = 0; i < 3; i++)
        assert_true(isfinite(r->i[i]) && isfinite(r->p_sim[i]));
    hs_lisa_result_free(r);
    assert_int_equal(hs_lisa(w, c, NULL, &r, &err), 0); /* constant x */
    for (int i = 0; i < 5; i++)
        assert_true(isnan(r->z[i]) && r->quadrant[i] != HS_LISA_HH);
    hs_lisa_result_free(r);
    hs_lisa_opt o;
    hs_lisa_opt_default(&o);
    o.alpha = 1.5;
    assert_int_equal(hs_lisa(w, x, &o, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "alpha"));
    hs_lisa_opt_default(&o);
    o.perm.threads = 0;
    assert_int_equal(hs_lisa(w, x, &o, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "threads"));
    hs_moran_global g;
    assert_int_equal(hs_moran_global_test(w, x, &o.perm, &g, &err), HS_EINVAL);
    hs_weights_free(w);
}

static void test_planted_cluster_and_null(void **s)
{
    (void)s;
    int nr = 30, nc = 30;
    hs_weights *w = tsim_queen(nr, nc);
    int n = w->n;
    double *x = malloc(n * sizeof *x);
    hs_err err = {0};
    hs_lisa_opt o;
    hs_lisa_opt_default(&o);
    o.perm.threads = 2;
    o.sig_fdr = 1;
    hs_rng rng;
    hs_rng_init(&rng, 9, 0, 0);
    for (int i = 0; i < n; i++) {
        int r = i / nc, c = i % nc;
        x[i] = tsim_normal(&rng) + ((r >= 10 && r < 15 && c >= 10 && c < 15) ? 3.0 : 0.0);
    }
    hs_lisa_result *res;
    assert_int_equal(hs_lisa(w, x, &o, &res, &err), 0);
    int hh = 0;
    for (int r = 11; r < 14; r++)
        for (int c = 11; c < 14; c++)
            hh += res->quadrant[r * nc + c] == HS_LISA_HH;
    assert_true(hh >= 8);
    hs_lisa_result_free(res);
    hs_perm_opt po = o.perm;
    hs_moran_global g;
    assert_int_equal(hs_moran_global_test(w, x, &po, &g, &err), 0);
    assert_true(g.p_sim <= 0.002 && g.z > 3);
    /* Null: the folded pseudo-p is one-sided in the observed direction, so p_sim <= 0.05
     * flags ~10% of units (two tails of 5%, as GeoDa); FDR flags far fewer. */
    int sig_raw = 0, sig_fdr = 0;
    for (uint64_t seed = 200; seed < 204; seed++) {
        hs_rng_init(&rng, seed, 0, 0);
        for (int i = 0; i < n; i++)
            x[i] = tsim_normal(&rng);
        o.perm.seed = seed;
        assert_int_equal(hs_lisa(w, x, &o, &res, &err), 0);
        for (int i = 0; i < n; i++) {
            sig_raw += res->p_sim[i] <= 0.05;
            sig_fdr += res->quadrant[i] != HS_LISA_NS;
        }
        hs_lisa_result_free(res);
    }
    double frac = sig_raw / (4.0 * n);
    assert_true(frac > 0.06 && frac < 0.14);
    assert_true(sig_fdr <= (int)(0.05 * 4 * n));
    hs_weights_free(w);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_matches_spdep),
        cmocka_unit_test(test_irregular_with_islands),
        cmocka_unit_test(test_threads_and_both),
        cmocka_unit_test(test_isolated_and_options),
        cmocka_unit_test(test_planted_cluster_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
