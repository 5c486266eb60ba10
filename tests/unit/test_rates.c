/* hs_rates against spdep 1.2-7 EBest / EBlocal(geoda = TRUE) fixtures, plus the
 * zero-population and truncation rules of docs/statistics.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hs_rates.h"
#include "hs_test_csv.h"

static void check_layer(const char *units, const char *nbfile, const char *global)
{
    tcsv t;
    assert_int_equal(tcsv_load(units, &t), 0);
    int n = t.nrow;
    double *pop = tcsv_get(&t, "pop"), *cases = tcsv_get(&t, "cases");
    double *rate = tcsv_get(&t, "rate"), *ebg = tcsv_get(&t, "eb_global");
    double *ebz = tcsv_get(&t, "eb_z"), *ebl = tcsv_get(&t, "eb_local");
    double *out = malloc((size_t)n * sizeof *out), *z = malloc((size_t)n * sizeof *z);
    hs_err err = {0};
    assert_int_equal(hs_rates_crude(n, cases, pop, out, &err), 0);
    for (int i = 0; i < n; i++)
        assert_true(tclose(out[i], rate[i], 1e-9));
    hs_eb_params par;
    assert_int_equal(hs_rates_eb_global(n, cases, pop, out, z, &par, &err), 0);
    assert_true(tclose(par.a, tcsv_value(global, "eb_a"), 1e-9));
    assert_true(tclose(par.b, tcsv_value(global, "eb_b"), 1e-9));
    for (int i = 0; i < n; i++) {
        assert_true(tclose(out[i], ebg[i], 1e-9));
        assert_true(tclose(z[i], ebz[i], 1e-9));
    }
    hs_weights *w = tcsv_weights(nbfile, n);
    assert_non_null(w);
    assert_int_equal(hs_rates_eb_local(w, cases, pop, out, &err), 0);
    for (int i = 0; i < n; i++) {
        if (!tclose(out[i], ebl[i], 1e-9))
            fprintf(stderr, "unit %d: local EB %.17g, spdep %.17g\n", i, out[i], ebl[i]);
        assert_true(tclose(out[i], ebl[i], 1e-9));
    }
    hs_weights_free(w);
    free(pop), free(cases), free(rate), free(ebg), free(ebz), free(ebl), free(out), free(z);
    tcsv_free(&t);
}

static void test_grid_matches_spdep(void **s)
{
    (void)s;
    check_layer("grid_units.csv", "grid_nb.csv", "grid_global.csv");
}

static void test_irregular_with_islands_matches_spdep(void **s)
{
    (void)s;
    check_layer("irr_units.csv", "irr_nb.csv", "irr_global.csv");
}

static void test_zero_population(void **s)
{
    (void)s;
    double cases[] = {0, 3, 5, 0, 2}, pop[] = {0, 1000, 2000, 1500, 900};
    double r[5], eb[5], z[5], ebl[5];
    hs_err err = {0};
    assert_int_equal(hs_rates_crude(5, cases, pop, r, &err), 0);
    assert_true(isnan(r[0]));
    assert_true(tclose(r[1], 300.0, 1e-12));
    hs_eb_params par;
    assert_int_equal(hs_rates_eb_global(5, cases, pop, eb, z, &par, &err), 0);
    assert_int_equal(par.m, 4);
    assert_true(tclose(par.b, 10.0 / 5400.0, 1e-12));
    assert_true(tclose(eb[0], HS_RATE_PER * par.b, 1e-12)); /* prior mean */
    assert_true(z[0] == 0.0);
    for (int i = 0; i < 5; i++)
        assert_true(isfinite(eb[i]) && isfinite(z[i]));
    int a[] = {0, 1, 2, 3}, b[] = {1, 2, 3, 0};
    hs_weights *w;
    assert_int_equal(hs_weights_from_pairs(5, a, b, 4, &w, &err), 0); /* unit 4 isolated */
    assert_int_equal(hs_rates_eb_local(w, cases, pop, ebl, &err), 0);
    for (int i = 0; i < 5; i++)
        assert_true(isfinite(ebl[i]));
    assert_true(tclose(ebl[4], r[4], 1e-12)); /* an island is its own reference area */
    hs_weights_free(w);
    /* cases without population is a data error naming the unit */
    double bad_c[] = {1, 2}, bad_p[] = {0, 10};
    assert_int_equal(hs_rates_crude(2, bad_c, bad_p, r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "unit 0"));
}

static void test_no_cases_anywhere(void **s)
{
    (void)s;
    double cases[] = {0, 0, 0}, pop[] = {10, 20, 30}, eb[3], z[3];
    hs_err err = {0};
    hs_eb_params par;
    assert_int_equal(hs_rates_eb_global(3, cases, pop, eb, z, &par, &err), 0);
    for (int i = 0; i < 3; i++)
        assert_true(eb[i] == 0.0 && z[i] == 0.0);
}

static void test_negative_prior_variance_truncated(void **s)
{
    (void)s;
    /* Identical rates: s2 = 0 so a = -b / mean(P) < 0, truncated: every EB = b. */
    double cases[] = {1, 2, 3}, pop[] = {1000, 2000, 3000}, eb[3];
    hs_err err = {0};
    hs_eb_params par;
    assert_int_equal(hs_rates_eb_global(3, cases, pop, eb, NULL, &par, &err), 0);
    assert_int_equal(par.a_truncated, 1);
    assert_true(par.a == 0.0);
    for (int i = 0; i < 3; i++)
        assert_true(tclose(eb[i], 100.0, 1e-12));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_matches_spdep),
        cmocka_unit_test(test_irregular_with_islands_matches_spdep),
        cmocka_unit_test(test_zero_population),
        cmocka_unit_test(test_no_cases_anywhere),
        cmocka_unit_test(test_negative_prior_variance_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
