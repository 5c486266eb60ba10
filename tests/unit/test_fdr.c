/* Benjamini–Hochberg against R's p.adjust(p, "BH") (values from R 4.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "hs_fdr.h"

static void test_matches_p_adjust(void **s)
{
    (void)s;
    double p[] = {0.01, 0.04, 0.03, 0.2, NAN, 0.5, 0.005, 0.04};
    double want[] = {0.035, 0.056, 0.056, 0.23333333333333336, NAN, 0.5, 0.035, 0.056};
    double q[8];
    hs_err err = {0};
    assert_int_equal(hs_fdr_bh(p, 8, q, &err), 0);
    for (int i = 0; i < 8; i++) {
        if (isnan(want[i]))
            assert_true(isnan(q[i])); /* excluded from m = 7 */
        else
            assert_true(fabs(q[i] - want[i]) < 1e-12);
    }
    /* in place */
    assert_int_equal(hs_fdr_bh(p, 8, p, &err), 0);
    assert_true(fabs(p[3] - want[3]) < 1e-12);
}

static void test_monotone_capped(void **s)
{
    (void)s;
    int n = 500;
    double *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
    for (int i = 0; i < n; i++)
        p[i] = fmod(i * 0.6180339887, 1.0) * (i % 3 ? 1.0 : 0.01);
    hs_err err = {0};
    assert_int_equal(hs_fdr_bh(p, n, q, &err), 0);
    for (int i = 0; i < n; i++) {
        assert_true(q[i] >= p[i] && q[i] <= 1.0);
        for (int j = 0; j < n; j++)
            if (p[j] < p[i])
                assert_true(q[j] <= q[i]);
    }
    free(p);
    free(q);
}

static void test_edge_cases(void **s)
{
    (void)s;
    double q[3], allnan[] = {NAN, NAN, NAN}, bad[] = {0.1, 1.5, 0.2}, one[] = {0.3};
    hs_err err = {0};
    assert_int_equal(hs_fdr_bh(allnan, 3, q, &err), 0);
    assert_true(isnan(q[0]) && isnan(q[2]));
    assert_int_equal(hs_fdr_bh(one, 1, q, &err), 0);
    assert_true(q[0] == 0.3);
    assert_int_equal(hs_fdr_bh(bad, 3, q, &err), HS_EINVAL);
    assert_int_equal(hs_fdr_bh(NULL, 0, NULL, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_p_adjust),
        cmocka_unit_test(test_monotone_capped),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
