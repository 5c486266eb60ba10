/* hs_sdc: labels, complementary cells, the steps over time, the audit, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_sdc.h"

/* Months that add up to the national quarters of x (nrow x ncol): each quarter's
 * total spread over its 3 months, the remainder on the first. */
static void months_of(int nrow, int ncol, int nq, const double *x, double *m)
{
    for (int q = 0; q < nq; q++) {
        double s = 0;
        for (int i = 0; i < nrow; i++)
            s += x[i * ncol + q];
        double each = floor(s / 3);
        m[3 * q] = s - 2 * each, m[3 * q + 1] = m[3 * q + 2] = each;
    }
}

/* Every 0..4 shows "<5", every 1..4 is withheld, and nothing shown is 1..4. */
static void assert_labels(int n, const double *x, const unsigned char *f)
{
    for (int k = 0; k < n; k++) {
        if (x[k] < HS_SDC_MIN_SHOWN)
            assert_int_equal(f[k], HS_SDC_SMALL);
        else
            assert_true(f[k] == HS_SDC_SHOWN || f[k] == HS_SDC_HIDDEN);
    }
}

/* A column with one small cell: a "<5" alone next to published cells would be the
 * national total minus the others, so at least one more cell is withheld, and the
 * cheapest (the smaller province) is chosen. */
static void test_one_small_gets_a_complement(void **s)
{
    (void)s;
    double x[] = {2, 40, 9, 300};
    double m[3];
    months_of(4, 1, 1, x, m);
    unsigned char f[4], nf[1], mf[3];
    hs_sdc_stats st;
    hs_err err = {0};
    hs_sdc_table t = {.nrow = 4, .nq = 1, .x = x, .month = m};
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, &st, &err), 0);
    assert_labels(4, x, f);
    assert_int_equal(f[2], HS_SDC_HIDDEN);
    assert_int_equal(f[1], HS_SDC_SHOWN);
    assert_int_equal(f[3], HS_SDC_SHOWN);
    assert_int_equal(nf[0], HS_SDC_SHOWN);
    assert_int_equal(st.primary, 1);
    assert_int_equal(st.secondary, 1);
    assert_int_equal(st.province_shown, 2);
    assert_true(st.min_feasible >= HS_SDC_MIN_FEASIBLE);
}

/* Many small cells protect each other: nothing more is withheld. */
static void test_small_cells_protect_each_other(void **s)
{
    (void)s;
    double x[] = {1, 3, 2, 0, 4, 25};
    double m[3];
    months_of(6, 1, 1, x, m);
    unsigned char f[6], nf[1], mf[3];
    hs_sdc_stats st;
    hs_err err = {0};
    hs_sdc_table t = {.nrow = 6, .nq = 1, .x = x, .month = m};
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, &st, &err), 0);
    assert_labels(6, x, f);
    assert_int_equal(f[5], HS_SDC_SHOWN);
    assert_int_equal(st.secondary, 0);
    assert_int_equal(st.primary, 4);
}

/* The year: a row whose quarters 12, 8, 5 were published in the quarter releases
 * and whose 4th quarter is 1 cannot show its year (26 - 25 = 1): the year is
 * withheld and another year with it, while the published quarters stay published
 * (they are public already). */
static void test_year_keeps_quarters_published(void **s)
{
    (void)s;
    enum { R = 4, C = 5 };
    double x[R * C] = {12, 8, 5, 1, 26, /**/ 2, 1, 3, 2, 8, /**/ 3, 3, 2, 4, 12,
                       /**/ 20, 30, 25, 40, 115};
    double m[12];
    months_of(R, C, 4, x, m);
    unsigned char f[R * C], nf[C], mf[12], fq[R * 4], nfq[4], mfq[12];
    double xq[R * 4];
    for (int i = 0; i < R; i++)
        memcpy(xq + i * 4, x + i * C, 4 * sizeof *x);
    hs_sdc_stats st, stq;
    hs_err err = {0};
    hs_sdc_table ty = {.nrow = R, .nq = 4, .has_year = 1, .x = x, .month = m};
    hs_sdc_table tq = {.nrow = R, .nq = 4, .x = xq, .month = m};
    assert_int_equal(hs_sdc_protect(&ty, f, nf, mf, &st, &err), 0);
    assert_int_equal(hs_sdc_protect(&tq, fq, nfq, mfq, &stq, &err), 0);
    assert_labels(R * C, x, f);
    assert_int_equal(f[0], HS_SDC_SHOWN);
    assert_int_equal(f[1], HS_SDC_SHOWN);
    assert_int_equal(f[2], HS_SDC_SHOWN);
    assert_int_equal(f[4], HS_SDC_HIDDEN);
    /* Monotone: the quarter release's figures are the year release's figures. */
    for (int i = 0; i < R; i++)
        assert_memory_equal(f + i * C, fq + i * 4, 4);
    assert_memory_equal(nf, nfq, 4);
    assert_memory_equal(mf, mfq, 12);
    assert_true(st.min_feasible >= HS_SDC_MIN_FEASIBLE);
    /* The year column cannot hold one withheld cell alone. */
    int hidden = 0;
    for (int i = 0; i < R; i++)
        hidden += f[i * C + 4] != HS_SDC_SHOWN;
    assert_true(hidden >= 2);
}

/* A national month 1..4 next to published siblings is protected inside its quarter. */
static void test_months(void **s)
{
    (void)s;
    double x[] = {30, 25};
    double m[] = {1, 30, 24};
    unsigned char f[2], nf[1], mf[3];
    hs_sdc_stats st;
    hs_err err = {0};
    hs_sdc_table t = {.nrow = 2, .nq = 1, .x = x, .month = m};
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, &st, &err), 0);
    assert_int_equal(mf[0], HS_SDC_SMALL);
    assert_true(mf[1] == HS_SDC_HIDDEN || mf[2] == HS_SDC_HIDDEN);
    assert_int_equal(nf[0], HS_SDC_SHOWN);
    assert_int_equal(f[0] + f[1], 0);
    assert_true(st.min_feasible >= HS_SDC_MIN_FEASIBLE);
}

/* Random sparse tables like the demo's (and dense ones): the audit's verdict holds,
 * the labels are right, and the year release keeps the quarter release's figures. */
static void test_random_tables(void **s)
{
    (void)s;
    enum { R = 34, C = 5 };
    unsigned seed = 138;
    for (int rep = 0; rep < 6; rep++) {
        double x[R * C], xq[R * 4], m[12];
        for (int i = 0; i < R; i++) {
            double y = 0;
            for (int q = 0; q < 4; q++) {
                seed = seed * 1103515245u + 12345u;
                int scale = rep < 3 ? 5 : 40;
                double v = (seed >> 16) % (unsigned)scale;
                x[i * C + q] = xq[i * 4 + q] = v;
                y += v;
            }
            x[i * C + 4] = y;
        }
        months_of(R, C, 4, x, m);
        unsigned char f[R * C], nf[C], mf[12], fq[R * 4], nfq[4], mfq[12];
        hs_sdc_stats st;
        hs_err err = {0};
        hs_sdc_table ty = {.nrow = R, .nq = 4, .has_year = 1, .x = x, .month = m};
        hs_sdc_table tq = {.nrow = R, .nq = 4, .x = xq, .month = m};
        assert_int_equal(hs_sdc_protect(&ty, f, nf, mf, &st, &err), 0);
        assert_int_equal(hs_sdc_protect(&tq, fq, nfq, mfq, NULL, &err), 0);
        assert_labels(R * C, x, f);
        for (int i = 0; i < R; i++)
            assert_memory_equal(f + i * C, fq + i * 4, 4);
        if (st.primary > 0)
            assert_true(st.min_feasible >= HS_SDC_MIN_FEASIBLE);
        assert_true(st.province_shown > 0);
    }
}

static void test_bad_input(void **s)
{
    (void)s;
    double x[] = {1.5}, m[3] = {0};
    unsigned char f[1], nf[1], mf[3];
    hs_err err = {0};
    hs_sdc_table t = {.nrow = 1, .nq = 1, .x = x, .month = m};
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, NULL, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "count[0]"));
    x[0] = 2;
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, NULL, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "months of quarter 1"));
    t.nrow = HS_SDC_MAX_ROWS + 1;
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, NULL, &err), HS_ELIMIT);
    t.nrow = 1, t.nq = 3, t.has_year = 1;
    assert_int_equal(hs_sdc_protect(&t, f, nf, mf, NULL, &err), HS_EINVAL);
}

static void test_format_rate(void **s)
{
    (void)s;
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
        cmocka_unit_test(test_one_small_gets_a_complement),
        cmocka_unit_test(test_small_cells_protect_each_other),
        cmocka_unit_test(test_year_keeps_quarters_published),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_random_tables),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_format_rate)};
    return cmocka_run_group_tests(t, NULL, NULL);
}
