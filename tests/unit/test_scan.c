/* Tests for hs_scan: LLR against a brute-force enumeration of circles, a planted
 * cluster is found, a null pattern is not, secondary clusters are disjoint, and
 * results do not depend on the thread count. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_scan.h"

/* Test-local xorshift generator for simulated data (not the library's RNG). */
static uint64_t tstate;
static double tunif(void)
{
    tstate ^= tstate << 13;
    tstate ^= tstate >> 7;
    tstate ^= tstate << 17;
    return ((double)(tstate >> 11) + 0.5) * 0x1.0p-53;
}

static double tpoisson(double mu)
{
    /* Knuth for small means, normal approximation above (only used for mu < 60). */
    double L = exp(-mu), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= tunif();
    } while (p > L);
    return k - 1;
}

static void test_llr_formula(void **state)
{
    (void)state;
    double C = 20, c = 10, e = 4;
    double want = c * log(c / e) + (C - c) * log((C - c) / (C - e));
    assert_true(fabs(hs_scan_llr(c, e, C) - want) < 1e-12);
    assert_true(hs_scan_llr(3, 4, 20) == 0.0); /* c <= e: low rate, not scored */
    assert_true(hs_scan_llr(4, 4, 20) == 0.0);
    /* All cases inside: the second term vanishes. */
    assert_true(fabs(hs_scan_llr(20, 5, 20) - 20 * log(4.0)) < 1e-12);
}

/* Brute force: every circle (centre i, radius = distance to unit j) within the
 * population limit, membership by direct distance comparison. */
static double brute_max_llr(int n, const double *x, const double *y, const double *cases,
                            const double *pop, double share, double maxr)
{
    double C = 0, P = 0, best = 0;
    for (int i = 0; i < n; i++) {
        C += cases[i];
        P += pop[i];
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double r2 = (x[j] - x[i]) * (x[j] - x[i]) + (y[j] - y[i]) * (y[j] - y[i]);
            double c = 0, p = 0;
            for (int u = 0; u < n; u++) {
                double d2 = (x[u] - x[i]) * (x[u] - x[i]) + (y[u] - y[i]) * (y[u] - y[i]);
                if (d2 <= r2) {
                    c += cases[u];
                    p += pop[u];
                }
            }
            if (p > share * P || (maxr > 0 && r2 > maxr * maxr))
                continue;
            double e = C * p / P;
            double l = 0;
            if (c > e) {
                l = c * log(c / e);
                if (C - c > 0)
                    l += (C - c) * log((C - c) / (C - e));
            }
            if (l > best)
                best = l;
        }
    return best;
}

/* Brute-force greedy secondary clusters: the best circle sharing no unit with those
 * already picked. Returns the LLR of the k-th pick (0 when none is left). */
static double brute_kth_llr(int n, const double *x, const double *y, const double *cases,
                            const double *pop, double share, int kth)
{
    double C = 0, P = 0, l = 0;
    for (int i = 0; i < n; i++) {
        C += cases[i];
        P += pop[i];
    }
    unsigned char taken[64] = {0};
    for (int pick = 0; pick <= kth; pick++) {
        double best = 0;
        int bi = -1, bj = -1;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double r2 = (x[j] - x[i]) * (x[j] - x[i]) + (y[j] - y[i]) * (y[j] - y[i]);
                double c = 0, p = 0;
                int clash = 0;
                for (int u = 0; u < n; u++) {
                    double d2 = (x[u] - x[i]) * (x[u] - x[i]) + (y[u] - y[i]) * (y[u] - y[i]);
                    if (d2 <= r2) {
                        c += cases[u];
                        p += pop[u];
                        clash |= taken[u];
                    }
                }
                if (clash || p > share * P)
                    continue;
                double v = hs_scan_llr(c, C * p / P, C);
                if (v > best) {
                    best = v;
                    bi = i;
                    bj = j;
                }
            }
        if (bi < 0)
            return 0;
        l = best;
        double r2 = (x[bj] - x[bi]) * (x[bj] - x[bi]) + (y[bj] - y[bi]) * (y[bj] - y[bi]);
        for (int u = 0; u < n; u++)
            if ((x[u] - x[bi]) * (x[u] - x[bi]) + (y[u] - y[bi]) * (y[u] - y[bi]) <= r2)
                taken[u] = 1;
    }
    return l;
}

static void test_llr_matches_brute_force(void **state)
{
    (void)state;
    enum { N = 40 };
    double x[N], y[N], cases[N], pop[N];
    for (int trial = 0; trial < 20; trial++) {
        tstate = 0x1234567ULL + (uint64_t)trial * 7919;
        for (int i = 0; i < N; i++) {
            x[i] = floor(tunif() * 100000);
            y[i] = floor(tunif() * 100000);
            pop[i] = 500 + floor(tunif() * 5000);
            cases[i] = floor(tunif() * 8);
        }
        if (trial % 4 == 0) { /* ties: units on a lattice */
            for (int i = 0; i < N; i++) {
                x[i] = (i % 6) * 1000.0;
                y[i] = (i / 6) * 1000.0;
            }
        }
        double share = trial % 2 ? 0.5 : 0.3;
        double maxr = trial % 3 == 2 ? (trial % 4 == 0 ? 2000.0 : 30000.0) : 0.0;
        hs_scan_opts o;
        hs_scan_opts_default(&o);
        o.max_pop_share = share;
        o.max_radius_m = maxr;
        o.replicas = 0;
        hs_scan_result *r = NULL;
        hs_err err = {0};
        assert_int_equal(hs_scan_poisson(N, x, y, cases, pop, &o, &r, &err), 0);
        double want = brute_max_llr(N, x, y, cases, pop, share, maxr);
        if (want > 0) {
            assert_true(r->n_clusters >= 1);
            assert_true(fabs(r->clusters[0].llr - want) <= 1e-9 * want);
            /* The reported counts reproduce the reported LLR. */
            const hs_scan_cluster *cl = &r->clusters[0];
            double c = 0, p = 0;
            for (int m = 0; m < cl->n_members; m++) {
                c += cases[cl->members[m]];
                p += pop[cl->members[m]];
            }
            assert_true(c == cl->observed);
            assert_true(fabs(p - cl->population) < 1e-9);
            assert_true(fabs(hs_scan_llr(c, r->total_cases * p / r->total_pop, r->total_cases) -
                             cl->llr) < 1e-9);
            assert_true(isnan(cl->p));
            if (maxr == 0.0)
                for (int k = 1; k < 3; k++) {
                    double want_k = brute_kth_llr(N, x, y, cases, pop, share, k);
                    double got_k = k < r->n_clusters ? r->clusters[k].llr : 0.0;
                    assert_true(fabs(got_k - want_k) <= 1e-9 * (want_k > 1 ? want_k : 1));
                }
        } else {
            assert_int_equal(r->n_clusters, 0);
        }
        hs_scan_result_free(r);
    }
}

/* A 24 x 24 grid of units 2 km apart with a planted relative risk of 3 in the
 * units within 5 km of (20 km, 30 km). */
enum { G = 24, NG = G * G };
static void make_grid(double *x, double *y, double *pop, double *cases, double rr, uint64_t seed,
                      int *planted, int *nplanted)
{
    tstate = seed;
    *nplanted = 0;
    for (int i = 0; i < NG; i++) {
        x[i] = (i % G) * 2000.0;
        y[i] = (i / G) * 2000.0;
        pop[i] = 2000 + floor(tunif() * 8000);
    }
    for (int i = 0; i < NG; i++) {
        double dx = x[i] - 20000, dy = y[i] - 30000;
        int in = dx * dx + dy * dy <= 5000.0 * 5000.0;
        if (in && planted)
            planted[(*nplanted)++] = i;
        double mu = pop[i] * 2e-4 * (in ? rr : 1.0);
        cases[i] = tpoisson(mu);
    }
}

static void test_planted_cluster_found(void **state)
{
    (void)state;
    static double x[NG], y[NG], pop[NG], cases[NG];
    int planted[NG], np;
    make_grid(x, y, pop, cases, 3.0, 42, planted, &np);
    hs_scan_opts o;
    hs_scan_opts_default(&o);
    o.threads = 2;
    hs_scan_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_scan_poisson(NG, x, y, cases, pop, &o, &r, &err), 0);
    assert_true(r->n_clusters >= 1);
    const hs_scan_cluster *cl = &r->clusters[0];
    int inter = 0;
    for (int m = 0; m < cl->n_members; m++)
        for (int k = 0; k < np; k++)
            inter += cl->members[m] == planted[k];
    double jaccard = (double)inter / (cl->n_members + np - inter);
    print_message("planted %d units, found %d, overlap %d, jaccard %.2f, p %.4f, rr %.2f\n", np,
                  cl->n_members, inter, jaccard, cl->p, cl->rr);
    assert_true(jaccard >= 0.6);
    assert_true(cl->p <= 0.01);
    assert_true(cl->rr > 1.5);
    /* p values lie in [1/(R+1), 1] and do not decrease with rank. */
    for (int c = 0; c < r->n_clusters; c++) {
        assert_true(r->clusters[c].p >= 1.0 / 1000 && r->clusters[c].p <= 1.0);
        if (c > 0) {
            assert_true(r->clusters[c].p >= r->clusters[c - 1].p);
            assert_true(r->clusters[c].llr <= r->clusters[c - 1].llr);
        }
    }
    /* Secondary clusters share no unit with any other reported cluster. */
    static int owner[NG];
    for (int i = 0; i < NG; i++)
        owner[i] = -1;
    for (int c = 0; c < r->n_clusters; c++)
        for (int m = 0; m < r->clusters[c].n_members; m++) {
            assert_int_equal(owner[r->clusters[c].members[m]], -1);
            owner[r->clusters[c].members[m]] = c;
        }
    hs_scan_result_free(r);
}

static void test_null_pattern_not_significant(void **state)
{
    (void)state;
    static double x[NG], y[NG], pop[NG], cases[NG];
    int np, above = 0;
    for (int t = 0; t < 5; t++) {
        make_grid(x, y, pop, cases, 1.0, 1000 + (uint64_t)t, NULL, &np);
        hs_scan_opts o;
        hs_scan_opts_default(&o);
        o.replicas = 199;
        o.max_clusters = 1;
        o.seed = 7 + (uint64_t)t;
        o.threads = 2;
        hs_scan_result *r = NULL;
        hs_err err = {0};
        assert_int_equal(hs_scan_poisson(NG, x, y, cases, pop, &o, &r, &err), 0);
        print_message("null %d: llr %.2f p %.3f\n", t, r->clusters[0].llr, r->clusters[0].p);
        above += r->clusters[0].p > 0.05;
        hs_scan_result_free(r);
    }
    assert_true(above >= 4);
}

static void test_thread_invariance(void **state)
{
    (void)state;
    static double x[NG], y[NG], pop[NG], cases[NG];
    int planted[NG], np;
    make_grid(x, y, pop, cases, 1.6, 99, planted, &np);
    hs_scan_result *ref = NULL;
    int threads[] = {1, 2, 3, 7};
    for (size_t t = 0; t < sizeof threads / sizeof *threads; t++) {
        hs_scan_opts o;
        hs_scan_opts_default(&o);
        o.replicas = 99;
        o.threads = threads[t];
        o.seed = 2024;
        hs_scan_result *r = NULL;
        hs_err err = {0};
        assert_int_equal(hs_scan_poisson(NG, x, y, cases, pop, &o, &r, &err), 0);
        if (!ref) {
            ref = r;
            continue;
        }
        assert_int_equal(r->n_clusters, ref->n_clusters);
        for (int c = 0; c < r->n_clusters; c++) {
            assert_true(r->clusters[c].p == ref->clusters[c].p);
            assert_true(r->clusters[c].llr == ref->clusters[c].llr);
            assert_int_equal(r->clusters[c].n_members, ref->clusters[c].n_members);
            assert_memory_equal(r->clusters[c].members, ref->clusters[c].members,
                                sizeof(int) * (size_t)r->clusters[c].n_members);
        }
        hs_scan_result_free(r);
    }
    /* A different seed changes some p-value (the draws really depend on it). */
    hs_scan_opts o;
    hs_scan_opts_default(&o);
    o.replicas = 99;
    o.seed = 2025;
    hs_scan_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_scan_poisson(NG, x, y, cases, pop, &o, &r, &err), 0);
    int differs = 0;
    for (int c = 0; c < r->n_clusters; c++)
        differs |= r->clusters[c].p != ref->clusters[c].p;
    assert_true(differs);
    hs_scan_result_free(r);
    hs_scan_result_free(ref);
}

static void test_edge_cases_and_errors(void **state)
{
    (void)state;
    double x[3] = {0, 1000, 5000}, y[3] = {0, 0, 0}, pop[3] = {100, 200, 300};
    double none[3] = {0, 0, 0};
    hs_scan_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_scan_poisson(3, x, y, none, pop, NULL, &r, &err), 0);
    assert_int_equal(r->n_clusters, 0); /* no cases: nothing to report, no crash */
    hs_scan_result_free(r);

    double bad[3] = {1, -1, 0};
    assert_int_equal(hs_scan_poisson(3, x, y, bad, pop, NULL, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "unit 1"));
    double frac[3] = {1, 0.5, 0};
    assert_int_equal(hs_scan_poisson(3, x, y, frac, pop, NULL, &r, &err), HS_EINVAL);
    double zp[3] = {0, 200, 300}, one[3] = {1, 0, 0};
    assert_int_equal(hs_scan_poisson(3, x, y, one, zp, NULL, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "zero population"));

    hs_scan_opts o;
    hs_scan_opts_default(&o);
    o.max_pop_share = 0;
    assert_int_equal(hs_scan_poisson(3, x, y, one, pop, &o, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "max_pop_share"));
    hs_scan_opts_default(&o);
    o.replicas = HS_SCAN_MAX_REPLICAS + 1;
    assert_int_equal(hs_scan_poisson(3, x, y, one, pop, &o, &r, &err), HS_ELIMIT);
    hs_scan_opts_default(&o);
    o.threads = 0;
    assert_int_equal(hs_scan_poisson(3, x, y, one, pop, &o, &r, &err), HS_EINVAL);
    assert_null(r);

    /* One unit over half the population can still be the centre of nothing. */
    double big[3] = {100, 100, 10000}, c3[3] = {0, 0, 5};
    assert_int_equal(hs_scan_poisson(3, x, y, c3, big, NULL, &r, &err), 0);
    for (int c = 0; c < r->n_clusters; c++)
        for (int m = 0; m < r->clusters[c].n_members; m++)
            assert_int_not_equal(r->clusters[c].members[m], 2);
    hs_scan_result_free(r);
}

/* A set cancel flag stops the scan with HS_ECANCELED naming the reason. */
static void test_cancel(void **state)
{
    (void)state;
    static double x[NG], y[NG], pop[NG], cases[NG];
    int planted[NG], np;
    make_grid(x, y, pop, cases, 3.0, 42, planted, &np);
    atomic_int flag = HS_CANCEL_CLIENT;
    hs_scan_opts o;
    hs_scan_opts_default(&o);
    o.cancel = &flag;
    hs_scan_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_scan_poisson(NG, x, y, cases, pop, &o, &r, &err), HS_ECANCELED);
    assert_null(r);
    assert_non_null(strstr(err.msg, "client closed the connection"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_llr_formula),
        cmocka_unit_test(test_llr_matches_brute_force),
        cmocka_unit_test(test_planted_cluster_found),
        cmocka_unit_test(test_null_pattern_not_significant),
        cmocka_unit_test(test_thread_invariance),
        cmocka_unit_test(test_edge_cases_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
