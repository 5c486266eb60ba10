/* hs_weights: knn and distance band against spdep knearneigh/dnearneigh on the
 * irregular fixture, knn against brute force on random sets with ties, deterministic
 * ties, attach_isolated, styles, bad input, and a
 * 100,000-unit build that must finish quickly (no O(n^2); not a timed assertion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hs_test_csv.h"

static int same_rows(const hs_weights *a, const hs_weights *b)
{
    if (a->n != b->n)
        return 0;
    for (int i = 0; i <= a->n; i++)
        if (a->start[i] != b->start[i])
            return 0;
    return memcmp(a->nbr, b->nbr, (size_t)a->start[a->n] * sizeof(int)) == 0;
}

/* Directed pairs file -> CSR (rows ascending). */
static hs_weights *directed(const char *name, int n)
{
    tcsv t;
    if (tcsv_load(name, &t) < 0)
        return NULL;
    hs_weights *w = calloc(1, sizeof *w);
    w->n = n;
    w->start = calloc((size_t)n + 1, sizeof(int));
    w->nbr = malloc((size_t)t.nrow * sizeof(int) + 1);
    w->wt = malloc((size_t)t.nrow * sizeof(double) + 1);
    for (int r = 0; r < t.nrow; r++)
        w->start[(int)t.v[r * 2] + 1]++;
    for (int i = 0; i < n; i++)
        w->start[i + 1] += w->start[i];
    int *pos = malloc(((size_t)n + 1) * sizeof *pos);
    memcpy(pos, w->start, ((size_t)n + 1) * sizeof *pos);
    for (int r = 0; r < t.nrow; r++)
        w->nbr[pos[(int)t.v[r * 2]]++] = (int)t.v[r * 2 + 1];
    for (int i = 0; i < n; i++)
        for (int a = w->start[i]; a < w->start[i + 1]; a++)
            for (int b = a + 1; b < w->start[i + 1]; b++)
                if (w->nbr[b] < w->nbr[a]) {
                    int tmp = w->nbr[a];
                    w->nbr[a] = w->nbr[b];
                    w->nbr[b] = tmp;
                }
    free(pos);
    tcsv_free(&t);
    return w;
}

static void test_knn_and_band_match_spdep(void **s)
{
    (void)s;
    tcsv t;
    assert_int_equal(tcsv_load("irr_points.csv", &t), 0);
    int n = t.nrow;
    double *x = tcsv_get(&t, "x"), *y = tcsv_get(&t, "y");
    hs_err err = {0};
    hs_weights *w, *ref = directed("irr_knn4.csv", n);
    assert_int_equal(hs_weights_knn(n, x, y, 4, &w, &err), 0);
    assert_true(same_rows(w, ref));
    hs_weights_free(w);
    hs_weights_free(ref);
    ref = directed("irr_dband25km.csv", n);
    assert_int_equal(hs_weights_distance_band(n, x, y, 25000.0, &w, &err), 0);
    assert_true(same_rows(w, ref));
    assert_int_equal(hs_weights_card(w, 60), 0);
    assert_int_equal(hs_weights_card(w, 61), 0);
    /* attach the two islands to their nearest units, both ways */
    assert_int_equal(hs_weights_attach_isolated(w, x, y, &err), 0);
    for (int i = 0; i < n; i++)
        assert_true(hs_weights_card(w, i) > 0);
    for (int isl = 60; isl < 62; isl++) {
        int j = w->nbr[w->start[isl]], best = -1;
        double bd = INFINITY;
        for (int k = 0; k < n; k++) {
            double d = hypot(x[k] - x[isl], y[k] - y[isl]);
            if (k != isl && d < bd)
                bd = d, best = k;
        }
        assert_int_equal(j, best);
        int back = 0;
        for (int e = w->start[j]; e < w->start[j + 1]; e++)
            back |= w->nbr[e] == isl;
        assert_true(back);
    }
    hs_weights_free(w);
    hs_weights_free(ref);
    free(x);
    free(y);
    tcsv_free(&t);
}

static void test_ties_and_styles(void **s)
{
    (void)s;
    /* 3 x 3 lattice, spacing 1: the centre has 4 neighbours at distance 1, so k = 2
     * takes the two lowest indices among them (1 and 3). */
    double x[9], y[9];
    for (int i = 0; i < 9; i++)
        x[i] = i % 3, y[i] = i / 3;
    hs_weights *w;
    hs_err err = {0};
    assert_int_equal(hs_weights_knn(9, x, y, 2, &w, &err), 0);
    assert_int_equal(w->nbr[w->start[4]], 1);
    assert_int_equal(w->nbr[w->start[4] + 1], 3);
    hs_weights_set_style(w, HS_W_ROW);
    assert_true(w->wt[0] == 0.5);
    hs_weights_free(w);
    assert_int_equal(hs_weights_distance_band(9, x, y, 1.5, &w, &err), 0);
    assert_int_equal(hs_weights_card(w, 4), 8); /* queen-like */
    assert_int_equal(hs_weights_card(w, 0), 3);
    hs_weights_free(w);
    assert_int_equal(hs_weights_knn(9, x, y, 9, &w, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "knn"));
    assert_int_equal(hs_weights_distance_band(9, x, y, -1, &w, &err), HS_EINVAL);
    x[2] = NAN;
    assert_int_equal(hs_weights_knn(9, x, y, 2, &w, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "unit 2"));
}

/* hs_weights_knn (grid index) against a brute-force scan of all pairs, with the same
 * order on (squared distance, index): random sets with many exact ties (integer
 * coordinates on a small lattice, duplicate points), clustered sets with empty grid
 * cells, and a line (all points on one row of cells). */
static void brute_knn(int n, const double *x, const double *y, int k, int *out)
{
    for (int i = 0; i < n; i++) {
        int *row = out + (size_t)i * k, have = 0;
        double *d = malloc((size_t)k * sizeof *d);
        for (int j = 0; j < n; j++) {
            if (j == i)
                continue;
            double dd = (x[j] - x[i]) * (x[j] - x[i]) + (y[j] - y[i]) * (y[j] - y[i]);
            if (have == k && !(dd < d[k - 1]))
                continue; /* j ascending: an equal distance keeps the lower index */
            int p = have < k ? have++ : k - 1;
            while (p > 0 && dd < d[p - 1]) {
                d[p] = d[p - 1];
                row[p] = row[p - 1];
                p--;
            }
            d[p] = dd;
            row[p] = j;
        }
        free(d);
        for (int a = 0; a < k; a++) /* CSR rows are ascending by index */
            for (int b = a + 1; b < k; b++)
                if (row[b] < row[a]) {
                    int t = row[a];
                    row[a] = row[b];
                    row[b] = t;
                }
    }
}

static void test_knn_matches_brute_force(void **s)
{
    (void)s;
    uint64_t st = 138;
    for (int trial = 0; trial < 24; trial++) {
        int n = 20 + trial * 37, k = 1 + trial % 12;
        double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
        for (int i = 0; i < n; i++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            unsigned a = (unsigned)(st >> 33), b = (unsigned)(st >> 13) & 0xfffff;
            switch (trial % 4) {
            case 0: /* lattice: ties everywhere, some duplicate points */
                x[i] = a % 17;
                y[i] = b % 13;
                break;
            case 1: /* uniform */
                x[i] = a / 65536.0;
                y[i] = b / 16.0;
                break;
            case 2: /* two tight clusters far apart: most grid cells empty */
                x[i] = (i % 2 ? 1e6 : 0) + a % 1000 / 10.0;
                y[i] = (i % 2 ? 5e5 : 0) + b % 1000 / 10.0;
                break;
            default: /* a line */
                x[i] = a % 5000;
                y[i] = 42;
            }
        }
        hs_weights *w;
        hs_err err = {0};
        assert_int_equal(hs_weights_knn(n, x, y, k, &w, &err), 0);
        int *ref = malloc((size_t)n * k * sizeof *ref);
        brute_knn(n, x, y, k, ref);
        for (int i = 0; i < n; i++) {
            assert_int_equal(hs_weights_card(w, i), k);
            for (int t = 0; t < k; t++)
                if (w->nbr[w->start[i] + t] != ref[(size_t)i * k + t])
                    fail_msg("trial %d (n %d, k %d): unit %d neighbour %d is %d, brute force %d",
                             trial, n, k, i, t, w->nbr[w->start[i] + t], ref[(size_t)i * k + t]);
        }
        free(ref);
        hs_weights_free(w);
        free(x);
        free(y);
    }
}

static void test_large_layer(void **s)
{
    (void)s;
    /* 100,000 jittered points over 400 km: knn and band must be near-linear. */
    int n = 100000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    uint64_t st = 12345;
    for (int i = 0; i < n; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (i % 316) * 1265.0 + (double)(st >> 40) / (1 << 24) * 600.0;
        y[i] = (i / 316) * 1265.0 + (double)((st >> 16) & 0xffffff) / (1 << 24) * 600.0;
    }
    hs_weights *w;
    hs_err err = {0};
    assert_int_equal(hs_weights_knn(n, x, y, 6, &w, &err), 0);
    assert_int_equal(w->start[n], 6 * n);
    hs_weights_free(w);
    assert_int_equal(hs_weights_distance_band(n, x, y, 2000.0, &w, &err), 0);
    for (int i = 0; i < n; i += 997)
        assert_true(hs_weights_card(w, i) >= 3);
    hs_weights_free(w);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_knn_and_band_match_spdep),
        cmocka_unit_test(test_ties_and_styles),
        cmocka_unit_test(test_knn_matches_brute_force),
        cmocka_unit_test(test_large_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
