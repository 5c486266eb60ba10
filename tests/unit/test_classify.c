#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_classify.h"

static void test_quantile_type7(void **state)
{
    (void)state;
    double x[10] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    hs_breaks b;
    hs_err err = {0};
    assert_int_equal(hs_classify_breaks(x, 10, HS_CLASSIFY_QUANTILE, 4, NULL, 0, &b, &err), 0);
    assert_int_equal(b.k, 4);
    /* R: quantile(1:10, c(.25,.5,.75)) = 3.25 5.50 7.75 */
    assert_float_equal(b.b[0], 1, 1e-12);
    assert_float_equal(b.b[1], 3.25, 1e-12);
    assert_float_equal(b.b[2], 5.5, 1e-12);
    assert_float_equal(b.b[3], 7.75, 1e-12);
    assert_float_equal(b.b[4], 10, 1e-12);
    int cls[10];
    hs_classify_assign(&b, x, 10, cls);
    /* 10 9 8 -> 3; 7 6 -> 2; 5 4 -> 1; 3 2 1 -> 0 */
    int want[10] = {3, 3, 3, 2, 2, 1, 1, 0, 0, 0};
    assert_memory_equal(cls, want, sizeof want);
}

static void test_quantile_ties_reduce_k(void **state)
{
    (void)state;
    double x[8] = {0, 0, 0, 0, 0, 0, 1, 2};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 8, HS_CLASSIFY_QUANTILE, 5, NULL, 0, &b, NULL), 0);
    for (int i = 1; i <= b.k; i++)
        assert_true(b.b[i] > b.b[i - 1]);
    assert_true(b.k < 5);
    double same[4] = {3, 3, 3, 3};
    assert_int_equal(hs_classify_breaks(same, 4, HS_CLASSIFY_QUANTILE, 5, NULL, 0, &b, NULL), 0);
    assert_int_equal(b.k, 1);
}

static void test_equal_interval(void **state)
{
    (void)state;
    double x[3] = {0, 100, 37};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 3, HS_CLASSIFY_EQUAL, 5, NULL, 0, &b, NULL), 0);
    assert_int_equal(b.k, 5);
    for (int i = 0; i <= 5; i++)
        assert_float_equal(b.b[i], 20.0 * i, 1e-9);
    int cls[3];
    hs_classify_assign(&b, x, 3, cls);
    assert_int_equal(cls[0], 0);
    assert_int_equal(cls[1], 4);
    assert_int_equal(cls[2], 1);
}

static double ssd(const double *s, int a, int b)
{
    double m = 0, v = 0;
    for (int i = a; i <= b; i++)
        m += s[i];
    m /= (b - a + 1);
    for (int i = a; i <= b; i++)
        v += (s[i] - m) * (s[i] - m);
    return v;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_jenks_known(void **state)
{
    (void)state;
    double x[9] = {9.3, 1, 5.1, 1.1, 9, 1.2, 5, 5.2, 9.1};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 9, HS_CLASSIFY_JENKS, 3, NULL, 0, &b, NULL), 0);
    assert_int_equal(b.k, 3);
    assert_float_equal(b.b[1], 1.2, 1e-12);
    assert_float_equal(b.b[2], 5.2, 1e-12);
    /* two classes of {4,5,9,10}: {4,5} {9,10} */
    double y[4] = {4, 5, 9, 10};
    assert_int_equal(hs_classify_breaks(y, 4, HS_CLASSIFY_JENKS, 2, NULL, 0, &b, NULL), 0);
    assert_float_equal(b.b[1], 5, 1e-12);
}

/* Exhaustive search over all 3-class partitions of 14 random values: the DP must
 * reach the same minimal total within-class SSD. */
static void test_jenks_matches_bruteforce(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int rep = 0; rep < 20; rep++) {
        double s[14];
        for (int i = 0; i < 14; i++) {
            seed = seed * 1103515245u + 12345u;
            s[i] = (double)((seed >> 8) % 1000) / 10.0;
        }
        hs_breaks b;
        assert_int_equal(hs_classify_breaks(s, 14, HS_CLASSIFY_JENKS, 3, NULL, 0, &b, NULL), 0);
        qsort(s, 14, sizeof s[0], cmpd);
        double best = INFINITY;
        for (int i = 1; i < 13; i++)
            for (int j = i + 1; j < 14; j++) {
                double v = ssd(s, 0, i - 1) + ssd(s, i, j - 1) + ssd(s, j, 13);
                if (v < best)
                    best = v;
            }
        /* total SSD of the DP's classes */
        int c1 = 0, c2 = 0;
        while (c1 < 14 && s[c1] <= b.b[1])
            c1++;
        c2 = c1;
        while (c2 < 14 && s[c2] <= b.b[2])
            c2++;
        double got = ssd(s, 0, c1 - 1) + ssd(s, c1, c2 - 1) + ssd(s, c2, 13);
        assert_float_equal(got, best, 1e-9);
    }
}

static void test_jenks_large_is_deterministic(void **state)
{
    (void)state;
    int n = HS_JENKS_MAX_N * 2 + 17;
    double *x = malloc((size_t)n * sizeof *x);
    for (int i = 0; i < n; i++)
        x[i] = (i % 3 == 0) ? 1000 + (i % 97) : (i % 89);
    hs_breaks a, b;
    assert_int_equal(hs_classify_breaks(x, n, HS_CLASSIFY_JENKS, 5, NULL, 0, &a, NULL), 0);
    assert_int_equal(hs_classify_breaks(x, n, HS_CLASSIFY_JENKS, 5, NULL, 0, &b, NULL), 0);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(a.k, 5);
    for (int i = 1; i <= a.k; i++)
        assert_true(a.b[i] > a.b[i - 1]);
    /* the big gap between ~88 and 1000 must be a break */
    int found = 0;
    for (int i = 1; i < a.k; i++)
        found |= a.b[i] >= 88 && a.b[i] < 1000;
    assert_true(found);
    free(x);
}

static void test_nan_is_no_data(void **state)
{
    (void)state;
    double x[6] = {NAN, 1, 2, NAN, 3, 4};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 6, HS_CLASSIFY_EQUAL, 2, NULL, 0, &b, NULL), 0);
    assert_float_equal(b.b[0], 1, 0);
    assert_float_equal(b.b[2], 4, 0);
    int cls[6];
    hs_classify_assign(&b, x, 6, cls);
    int want[6] = {-1, 0, 0, -1, 1, 1};
    assert_memory_equal(cls, want, sizeof want);
    double all[2] = {NAN, NAN};
    assert_int_equal(hs_classify_breaks(all, 2, HS_CLASSIFY_JENKS, 3, NULL, 0, &b, NULL), 0);
    assert_int_equal(b.k, 0);
    hs_classify_assign(&b, all, 2, cls);
    assert_int_equal(cls[0], -1);
}

static void test_fixed(void **state)
{
    (void)state;
    double x[5] = {-5, 10, 10.5, 20, 99};
    double cuts[2] = {10, 20};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 5, HS_CLASSIFY_FIXED, 0, cuts, 2, &b, NULL), 0);
    assert_int_equal(b.k, 3);
    int cls[5];
    hs_classify_assign(&b, x, 5, cls);
    int want[5] = {0, 0, 1, 1, 2};
    assert_memory_equal(cls, want, sizeof want);
    double bad[2] = {20, 10};
    hs_err err = {0};
    assert_int_equal(hs_classify_breaks(x, 5, HS_CLASSIFY_FIXED, 0, bad, 2, &b, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "increasing"));
}

static void test_bad_args(void **state)
{
    (void)state;
    double x[1] = {1};
    hs_breaks b;
    hs_err err = {0};
    assert_int_equal(hs_classify_breaks(x, 1, HS_CLASSIFY_EQUAL, 12, NULL, 0, &b, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "k=12"));
    hs_classify_method m;
    assert_int_equal(hs_classify_method_parse("Jenks", &m, NULL), 0);
    assert_int_equal(m, HS_CLASSIFY_JENKS);
    assert_int_equal(hs_classify_method_parse("natural", &m, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "quantile, equal, jenks, fixed"));
}

static void test_legend_labels(void **state)
{
    (void)state;
    double x[4] = {0, 1234.5, 2000, 10000};
    double cuts[2] = {1234.5, 2000};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 4, HS_CLASSIFY_FIXED, 0, cuts, 2, &b, NULL), 0);
    hs_class_style st[HS_CLASSIFY_MAX_K];
    assert_int_equal(hs_classify_legend(&b, "YlOrRd", 1, st, NULL), 0);
    assert_string_equal(st[0].label, "0,0 – 1.234,5");
    assert_string_equal(st[1].label, "1.234,5 – 2.000,0");
    assert_string_equal(st[2].label, "2.000,0 – 10.000,0");
    assert_int_equal(st[0].fill.r, 0xff);
    assert_int_equal(st[2].fill.b, 0x20); /* YlOrRd 3: f03b20 */
}

/* Close breaks get enough decimals that both ends of each class differ. */
static void test_legend_decimals(void **state)
{
    (void)state;
    double x[2] = {0.12, 0.9};
    double cuts[3] = {0.2, 0.24, 0.2405};
    hs_breaks b;
    assert_int_equal(hs_classify_breaks(x, 2, HS_CLASSIFY_FIXED, 0, cuts, 3, &b, NULL), 0);
    assert_int_equal(hs_classify_legend_decimals(&b, 1), 4);
    hs_class_style st[HS_CLASSIFY_MAX_K];
    assert_int_equal(hs_classify_legend(&b, "OrRd", 1, st, NULL), 0);
    assert_string_equal(st[0].label, "0,1200 – 0,2000");
    assert_string_equal(st[1].label, "0,2000 – 0,2400");
    assert_string_equal(st[2].label, "0,2400 – 0,2405");
    for (int i = 0; i < b.k; i++) {
        const char *dash = strstr(st[i].label, " – ");
        assert_non_null(dash);
        assert_true(strncmp(st[i].label, dash + strlen(" – "), (size_t)(dash - st[i].label)) != 0 ||
                    strlen(dash + strlen(" – ")) != (size_t)(dash - st[i].label));
    }
    /* well-separated breaks keep the caller's decimals; 0 stays 0 for counts */
    double y[2] = {0, 100};
    double c2[2] = {10, 50};
    assert_int_equal(hs_classify_breaks(y, 2, HS_CLASSIFY_FIXED, 0, c2, 2, &b, NULL), 0);
    assert_int_equal(hs_classify_legend_decimals(&b, 0), 0);
    assert_int_equal(hs_classify_legend_decimals(&b, 1), 1);
    /* 0,24 vs 0,25 at 1 decimal both read "0,2": 2 decimals */
    double z[2] = {0.1, 0.3};
    double c3[2] = {0.24, 0.25};
    assert_int_equal(hs_classify_breaks(z, 2, HS_CLASSIFY_FIXED, 0, c3, 2, &b, NULL), 0);
    assert_int_equal(hs_classify_legend_decimals(&b, 1), 2);
}

static void test_categorical(void **state)
{
    (void)state;
    hs_class_style st[HS_SCHEME_MAX_CLASSES];
    assert_int_equal(hs_scheme_styles(HS_SCHEME_GISTAR, st, NULL), 7);
    assert_int_equal(hs_scheme_gistar_class(3), 0);
    assert_int_equal(hs_scheme_gistar_class(0), 3);
    assert_int_equal(hs_scheme_gistar_class(-3), 6);
    assert_int_equal(hs_scheme_gistar_class(4), -1);
    assert_true(st[0].fill.r > 200 && st[0].fill.b < 60);  /* hot 99: red */
    assert_true(st[6].fill.b > 150 && st[6].fill.r < 100); /* cold 99: blue */
    assert_true(st[3].fill.r == st[3].fill.g && st[3].fill.g == st[3].fill.b); /* grey */
    assert_int_equal(hs_scheme_styles(HS_SCHEME_LISA, st, NULL), 6);
    assert_int_equal(hs_scheme_lisa_class(HS_LISA_HH), 0);
    assert_int_equal(hs_scheme_lisa_class(HS_LISA_ISOLATED), 5);
    assert_true(st[5].outline.a == 255); /* isolated: outlined */
    assert_int_equal(hs_scheme_styles(HS_SCHEME_EMERGING, st, NULL), 17);
    assert_int_equal(hs_scheme_emerging_class(HS_EHS_NEW), 0);
    assert_int_equal(hs_scheme_emerging_class(-HS_EHS_HISTORICAL), 15);
    assert_int_equal(hs_scheme_emerging_class(HS_EHS_NO_PATTERN), 16);
    assert_int_equal(hs_scheme_styles(HS_SCHEME_SCAN, st, NULL), 3);
    assert_int_equal(hs_scheme_scan_class(1), 0);
    assert_int_equal(hs_scheme_scan_class(3), 1);
    assert_int_equal(hs_scheme_scan_class(0), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_type7),    cmocka_unit_test(test_quantile_ties_reduce_k),
        cmocka_unit_test(test_equal_interval),    cmocka_unit_test(test_jenks_known),
        cmocka_unit_test(test_jenks_matches_bruteforce), cmocka_unit_test(test_jenks_large_is_deterministic),
        cmocka_unit_test(test_nan_is_no_data),    cmocka_unit_test(test_fixed),
        cmocka_unit_test(test_bad_args),          cmocka_unit_test(test_legend_labels),
        cmocka_unit_test(test_legend_decimals),
        cmocka_unit_test(test_categorical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
