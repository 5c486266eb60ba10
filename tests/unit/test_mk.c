/* Tests for hs_mk against hand-computed Mann-Kendall values (formulas in hs_mk.h;
 * the tied example is checked term by term in the comments). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "hs_mk.h"

static void close_to(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fmax(1.0, fabs(want))))
        fail_msg("got %.15g, want %.15g", got, want);
}

static void test_monotone_increasing(void **state)
{
    (void)state;
    double x[10];
    for (int i = 0; i < 10; i++)
        x[i] = i + 1;
    hs_mk m;
    hs_err err = {0};
    assert_int_equal(hs_mk_test(x, 10, &m, &err), 0);
    /* S = 45 pairs, Var = 10*9*25/18 = 125, z = 44/sqrt(125). */
    assert_int_equal(m.n, 10);
    close_to(m.s, 45, 1e-15);
    close_to(m.var_s, 125, 1e-15);
    close_to(m.z, 44 / sqrt(125.0), 1e-12);
    close_to(m.p, 8.303070332644999e-05, 1e-9);
    close_to(m.tau, 1.0, 1e-15);
}

static void test_ties(void **state)
{
    (void)state;
    /* n = 12: Var = 12*11*29/18 - [2*1*9 (two 3s) + 3*2*11 (three 4s)]/18
     *             = 212.667 - 4.667 = 208; S = 10; z = 9/sqrt(208);
     * tau-b = 10 / sqrt(66 * (66 - 1 - 3)). */
    double x[12] = {5, 3, 3, 8, 1, 4, 4, 4, 9, 7, 2, 6};
    hs_mk m;
    assert_int_equal(hs_mk_test(x, 12, &m, NULL), 0);
    close_to(m.s, 10, 1e-15);
    close_to(m.var_s, 208, 1e-12);
    close_to(m.z, 9 / sqrt(208.0), 1e-12);
    close_to(m.z, 0.6240377207533828, 1e-12);
    close_to(m.p, 0.5326028129364742, 1e-9);
    close_to(m.tau, 10 / sqrt(66.0 * 62.0), 1e-12);
}

static void test_decreasing_and_nan(void **state)
{
    (void)state;
    /* NAN steps are skipped: the same as the 8 finite values alone. */
    double x[10] = {3.2, NAN, 2.9, 2.1, 2.5, 1.7, INFINITY, 1.2, 1.4, 0.8};
    hs_mk m;
    assert_int_equal(hs_mk_test(x, 10, &m, NULL), 0);
    assert_int_equal(m.n, 8);
    close_to(m.s, -24, 1e-15);
    close_to(m.var_s, 8 * 7 * 21 / 18.0, 1e-12);
    close_to(m.z, -2.8455120410060126, 1e-12);
    close_to(m.p, 0.00443400830310066, 1e-9);
    close_to(m.tau, -24 / 28.0, 1e-12);
}

static void test_degenerate(void **state)
{
    (void)state;
    hs_mk m;
    double one = 1.0, flat[5] = {2, 2, 2, 2, 2};
    assert_int_equal(hs_mk_test(&one, 1, &m, NULL), 0);
    assert_true(m.s == 0 && m.z == 0 && m.p == 1 && isnan(m.tau));
    assert_int_equal(hs_mk_test(flat, 5, &m, NULL), 0);
    assert_true(m.s == 0 && m.var_s == 0 && m.z == 0 && m.p == 1 && isnan(m.tau));
    assert_int_equal(hs_mk_test(NULL, 0, &m, NULL), 0);
    hs_err err = {0};
    assert_int_equal(hs_mk_test(flat, -1, &m, &err), HS_EINVAL);
    assert_int_equal(hs_mk_test(flat, HS_MK_MAX_N + 1, &m, &err), HS_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_monotone_increasing),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_decreasing_and_nan),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
