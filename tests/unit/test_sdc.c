/* hs_sdc: row withholding, partners, fallbacks, formatting and rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "hs_sdc.h"

/* 4 provinces x (Q1, Q2, year). Row 1 holds a 2; rows 0 and 3 have slack, row 3 is
 * heavier, row 2 has a 6 (< partner minimum) and stays shown. */
static void test_rows_and_partners(void **s)
{
    (void)s;
    double x[] = {10, 20, 30, /**/ 2, 9, 11, /**/ 6, 40, 46, /**/ 50, 60, 110};
    double w[] = {100, 50, 500, 300};
    unsigned char f[12], nf[3];
    hs_sdc_stats st;
    hs_err err = {0};
    assert_int_equal(hs_sdc_protect_table(4, 3, x, w, f, nf, &st, &err), 0);
    unsigned char want[] = {2, 2, 2, 1, 2, 2, 0, 0, 0, 2, 2, 2};
    assert_memory_equal(f, want, 12);
    assert_int_equal(st.primary, 1);
    assert_int_equal(st.rows_small, 1);
    assert_int_equal(st.partners, 2);
    assert_int_equal(st.all_rows, 0);
    for (int j = 0; j < 3; j++)
        assert_int_equal(nf[j], HS_SDC_SHOWN);
}

static void test_no_small_nothing_withheld(void **s)
{
    (void)s;
    double x[] = {0, 5, 5, 7, 0, 7};
    double w[] = {1, 2};
    unsigned char f[6], nf[3];
    hs_err err = {0};
    assert_int_equal(hs_sdc_protect_table(2, 3, x, w, f, nf, NULL, &err), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(f[i], HS_SDC_SHOWN);
}

static void test_fallback_withholds_all(void **s)
{
    (void)s;
    /* No row can be a partner: everything is withheld. */
    double x[] = {1, 5, 6, 6, 5, 11};
    double w[] = {1, 2};
    unsigned char f[6], nf[3];
    hs_sdc_stats st;
    hs_err err = {0};
    assert_int_equal(hs_sdc_protect_table(2, 3, x, w, f, nf, &st, &err), 0);
    assert_int_equal(st.all_rows, 1);
    unsigned char want[] = {1, 2, 2, 2, 2, 2};
    assert_memory_equal(f, want, 6);
    /* A national cell 1..4 withholds every row too. */
    double y[] = {0, 9, 1, 9};
    assert_int_equal(hs_sdc_protect_table(2, 2, y, w, f, nf, &st, &err), 0);
    assert_int_equal(nf[0], HS_SDC_SMALL);
    assert_int_equal(st.all_rows, 1);
}

static void test_bad_input(void **s)
{
    (void)s;
    double x[] = {1.5};
    double w[] = {1};
    unsigned char f[1], nf[1];
    hs_err err = {0};
    assert_int_equal(hs_sdc_protect_table(1, 1, x, w, f, nf, NULL, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "count[0]"));
    assert_int_equal(hs_sdc_protect_table(1000, 1000, x, w, f, nf, NULL, &err), HS_ELIMIT);
}

static void test_series_format_rate(void **s)
{
    (void)s;
    double x[] = {12, 3, 40, 0};
    unsigned char f[4];
    hs_err err = {0};
    assert_int_equal(hs_sdc_protect_series(4, x, f, &err), 0);
    unsigned char want[] = {2, 1, 2, 1};
    assert_memory_equal(f, want, 4);
    double y[] = {12, 0, 40};
    assert_int_equal(hs_sdc_protect_series(3, y, f, &err), 0);
    assert_int_equal(f[0] + f[1] + f[2], 0);
    char b[16];
    assert_string_equal(hs_sdc_format(3, HS_SDC_SMALL, b, sizeof b), "<5");
    assert_string_equal(hs_sdc_format(30, HS_SDC_HIDDEN, b, sizeof b), "x");
    assert_string_equal(hs_sdc_format(30, HS_SDC_SHOWN, b, sizeof b), "30");
    assert_true(isnan(hs_sdc_rate(30, HS_SDC_HIDDEN, 1000)));
    assert_true(isnan(hs_sdc_rate(30, HS_SDC_SHOWN, 0)));
    assert_true(fabs(hs_sdc_rate(30, HS_SDC_SHOWN, 1e6) - 3.0) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(test_rows_and_partners), cmocka_unit_test(test_no_small_nothing_withheld),
        cmocka_unit_test(test_fallback_withholds_all), cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_series_format_rate)};
    return cmocka_run_group_tests(t, NULL, NULL);
}
