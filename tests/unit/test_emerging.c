/* Tests for hs_emerging: every category from a constructed z series, and the full
 * pipeline (Gi* per step + Mann-Kendall) on a small grid with planted patterns. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_emerging.h"
#include "hs_gistar.h"

#define T10 10

/* Classifies a z series using analytic two-sided p and MK on z, as hs_emerging does. */
static hs_emerging_cat cls(const double *z, int T)
{
    double p[64];
    for (int t = 0; t < T; t++)
        p[t] = isfinite(z[t]) ? erfc(fabs(z[t]) / sqrt(2.0)) : NAN;
    hs_mk mk;
    assert_int_equal(hs_mk_test(z, T, &mk, NULL), 0);
    return hs_emerging_classify(T, z, p, &mk, NULL);
}

/* Checks the series and its mirror image (negated z) against hot and cold categories. */
static void check_pair(const double *z, hs_emerging_cat hot, hs_emerging_cat cold)
{
    double neg[T10];
    for (int t = 0; t < T10; t++)
        neg[t] = -z[t];
    hs_emerging_cat a = cls(z, T10), b = cls(neg, T10);
    if (a != hot || b != cold)
        fail_msg("got %s / %s, want %s / %s", hs_emerging_code(a), hs_emerging_code(b),
                 hs_emerging_code(hot), hs_emerging_code(cold));
}

#define H 3.0  /* significant at 99% */
#define N0 0.5 /* not significant */
#define C (-3.0)

static void test_each_category(void **state)
{
    (void)state;
    double new_[T10] = {N0, N0, N0, N0, N0, N0, N0, N0, N0, H};
    check_pair(new_, HS_EM_NEW_HOT, HS_EM_NEW_COLD);
    double consec[T10] = {N0, N0, N0, N0, N0, N0, N0, H, H, H};
    check_pair(consec, HS_EM_CONSECUTIVE_HOT, HS_EM_CONSECUTIVE_COLD);
    double inten[T10] = {2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6, 3.8};
    check_pair(inten, HS_EM_INTENSIFYING_HOT, HS_EM_INTENSIFYING_COLD);
    double persist[T10] = {3.0, 2.5, 3.1, 2.4, 3.0, 2.6, 2.9, 2.5, 3.0, 2.7};
    check_pair(persist, HS_EM_PERSISTENT_HOT, HS_EM_PERSISTENT_COLD);
    double dimin[T10] = {3.8, 3.6, 3.4, 3.2, 3.0, 2.8, 2.6, 2.4, 2.2, 2.0};
    check_pair(dimin, HS_EM_DIMINISHING_HOT, HS_EM_DIMINISHING_COLD);
    /* 90% is enough: 9 of 10 steps, including the final one. */
    double ninety[T10] = {N0, 2.0, 2.2, 2.4, 2.6, 2.8, 3.0, 3.2, 3.4, 3.6};
    check_pair(ninety, HS_EM_INTENSIFYING_HOT, HS_EM_INTENSIFYING_COLD);
    double spor[T10] = {H, N0, H, N0, N0, H, N0, N0, N0, H};
    check_pair(spor, HS_EM_SPORADIC_HOT, HS_EM_SPORADIC_COLD);
    /* Two separate runs ending at the final step are sporadic, not consecutive. */
    double spor2[T10] = {N0, H, N0, N0, N0, N0, N0, N0, H, H};
    check_pair(spor2, HS_EM_SPORADIC_HOT, HS_EM_SPORADIC_COLD);
    double osc[T10] = {C, N0, H, N0, C, N0, N0, N0, N0, H};
    check_pair(osc, HS_EM_OSCILLATING_HOT, HS_EM_OSCILLATING_COLD);
    /* A prior opposite spot outranks "new": documented precedence. */
    double osc_new[T10] = {C, N0, N0, N0, N0, N0, N0, N0, N0, H};
    check_pair(osc_new, HS_EM_OSCILLATING_HOT, HS_EM_OSCILLATING_COLD);
    double hist[T10] = {H, H, H, H, H, H, H, H, H, N0};
    check_pair(hist, HS_EM_HISTORICAL_HOT, HS_EM_HISTORICAL_COLD);
    double none[T10] = {N0, N0, N0, N0, N0, N0, N0, N0, N0, N0};
    check_pair(none, HS_EM_NO_PATTERN, HS_EM_NO_PATTERN);
    double once[T10] = {H, N0, N0, N0, N0, N0, N0, N0, N0, N0};
    check_pair(once, HS_EM_NO_PATTERN, HS_EM_NO_PATTERN);
    /* 90% threshold at z = 1.7 (p = 0.089 < 0.10) but not at 1.6 (p = 0.11). */
    double weak[T10] = {N0, N0, N0, N0, N0, N0, N0, N0, N0, 1.7};
    check_pair(weak, HS_EM_NEW_HOT, HS_EM_NEW_COLD);
    weak[T10 - 1] = 1.6;
    check_pair(weak, HS_EM_NO_PATTERN, HS_EM_NO_PATTERN);
    /* A missing statistic (NAN) is simply not significant. */
    double gap[T10] = {N0, N0, N0, N0, N0, N0, N0, NAN, H, H};
    check_pair(gap, HS_EM_CONSECUTIVE_HOT, HS_EM_CONSECUTIVE_COLD);
}

static void test_names(void **state)
{
    (void)state;
    for (int c = 0; c < HS_EM_N_CATEGORIES; c++) {
        assert_non_null(hs_emerging_code((hs_emerging_cat)c));
        assert_true(strlen(hs_emerging_label_vi((hs_emerging_cat)c)) > 0);
    }
    assert_string_equal(hs_emerging_code(HS_EM_NEW_HOT), "new_hot_spot");
    assert_string_equal(hs_emerging_label_vi(HS_EM_NEW_HOT), "Điểm nóng mới");
    assert_string_equal(hs_emerging_code((hs_emerging_cat)99), "unknown");
}

/* 6 x 6 rook grid plus one isolated unit (index 36). */
enum { GS = 6, NU = GS * GS + 1, TS = 12 };
static hs_weights *grid_weights(void)
{
    int a[200], b[200];
    size_t m = 0;
    for (int r = 0; r < GS; r++)
        for (int c = 0; c < GS; c++) {
            int i = r * GS + c;
            if (c + 1 < GS) {
                a[m] = i;
                b[m++] = i + 1;
            }
            if (r + 1 < GS) {
                a[m] = i;
                b[m++] = i + GS;
            }
        }
    hs_weights *w = NULL;
    assert_int_equal(hs_weights_from_pairs(NU, a, b, m, &w, NULL), 0);
    return w;
}

static void test_pipeline_on_grid(void **state)
{
    (void)state;
    hs_weights *w = grid_weights();
    static double x[NU * TS];
    /* Background without trend; block A (rows 0-2, cols 0-2) is high at every step;
     * block B (rows 3-5, cols 3-5) only at the final step. */
    for (int i = 0; i < NU; i++)
        for (int t = 0; t < TS; t++) {
            int r = i / GS, c = i % GS;
            double v = ((i * 7 + t * 3) % 5) * 0.2;
            if (i < GS * GS && r < 3 && c < 3)
                v += 10;
            if (i < GS * GS && r >= 3 && c >= 3 && t == TS - 1)
                v += 10;
            x[i * TS + t] = v;
        }
    hs_emerging_result *res = NULL;
    hs_err err = {0};
    assert_int_equal(hs_emerging(w, TS, x, NULL, &res, &err), 0);
    int a_centre = 1 * GS + 1, b_centre = 4 * GS + 4;
    print_message("A centre: %s (trend z %.2f), B centre: %s\n",
                  hs_emerging_code(res->category[a_centre]), res->trend[a_centre].z,
                  hs_emerging_code(res->category[b_centre]));
    hs_emerging_cat ca = res->category[a_centre];
    assert_true(ca == HS_EM_PERSISTENT_HOT || ca == HS_EM_INTENSIFYING_HOT ||
                ca == HS_EM_DIMINISHING_HOT);
    assert_int_equal(res->category[b_centre], HS_EM_NEW_HOT);
    assert_int_equal(res->category[NU - 1], HS_EM_ISOLATED);
    assert_true(isnan(res->z[(NU - 1) * TS]));
    /* z per step equals hs_gistar_z on that step's column. */
    double col[NU], z[NU];
    for (int t = 0; t < TS; t += 5) {
        for (int i = 0; i < NU; i++)
            col[i] = x[i * TS + t];
        assert_int_equal(hs_gistar_z(w, col, z, NULL), 0);
        for (int i = 0; i < NU - 1; i++)
            assert_true(z[i] == res->z[i * TS + t]);
    }
    int total = 0;
    for (int c = 0; c < HS_EM_N_CATEGORIES; c++)
        total += res->counts[c];
    assert_int_equal(total, NU);
    hs_emerging_result_free(res);

    /* BH-adjusted bins can only be fewer or weaker. */
    hs_emerging_opts o;
    hs_emerging_opts_default(&o);
    o.bin_fdr = 1;
    assert_int_equal(hs_emerging(w, TS, x, &o, &res, &err), 0);
    assert_int_equal(res->opts.bin_fdr, 1);
    hs_emerging_result_free(res);

    assert_int_equal(hs_emerging(w, 1, x, NULL, &res, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "time steps"));
    o.alpha_bin = 0;
    assert_int_equal(hs_emerging(w, TS, x, &o, &res, &err), HS_EINVAL);
    assert_null(res);
    hs_weights_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_category),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_pipeline_on_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
