/* bench_analysis: times Gi* + local Moran with permutation inference on a queen grid.
 *
 *   bench_analysis --side S [--perms R] [--threads T] [--seed N] [--repeat K]
 *
 * Prints one CSV line: side,n,perms,threads,analytic_s,perm_wall_s,perm_cpu_s (best of K
 * runs), where perm_* time hs_local_both (Gi* + LISA, analytic and permutation p, FDR,
 * bins, quadrants; one set of draws shared by both). CPU time (all threads) is printed
 * too because a shared machine inflates wall time.
 * The data are Poisson-like rates with a planted cluster, generated with hs_rng so
 * every machine times the same input. Used by bench/spdep_compare.sh. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_lisa.h"
#include "hs_rng.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int parse_int(const char *name, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "bench_analysis: %s must be an integer in %ld..%ld (got '%s')\n", name,
                lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static hs_weights *queen(int side, hs_err *err)
{
    int n = side * side;
    size_t m = 0;
    int *a = malloc((size_t)n * 4 * sizeof *a), *b = malloc((size_t)n * 4 * sizeof *b);
    if (!a || !b) {
        free(a);
        free(b);
        return NULL;
    }
    for (int r = 0; r < side; r++)
        for (int c = 0; c < side; c++) {
            int dr[] = {0, 1, 1, 1}, dc[] = {1, -1, 0, 1};
            for (int t = 0; t < 4; t++) {
                int rr = r + dr[t], cc = c + dc[t];
                if (rr < side && cc >= 0 && cc < side) {
                    a[m] = r * side + c;
                    b[m++] = rr * side + cc;
                }
            }
        }
    hs_weights *w = NULL;
    hs_weights_from_pairs(n, a, b, m, &w, err);
    free(a);
    free(b);
    return w;
}

int main(int argc, char **argv)
{
    long side = 103, perms = 999, threads = 1, seed = 138, repeat = 1;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "";
        int rc = 0;
        if (!strcmp(argv[i], "--side"))
            rc = parse_int("--side", v, 3, 2000, &side);
        else if (!strcmp(argv[i], "--perms"))
            rc = parse_int("--perms", v, 0, HS_PERM_MAX, &perms);
        else if (!strcmp(argv[i], "--threads"))
            rc = parse_int("--threads", v, 1, HS_PERM_THREADS_MAX, &threads);
        else if (!strcmp(argv[i], "--seed"))
            rc = parse_int("--seed", v, 0, 2147483647, &seed);
        else if (!strcmp(argv[i], "--repeat"))
            rc = parse_int("--repeat", v, 1, 100, &repeat);
        else {
            fprintf(stderr, "bench_analysis: unknown argument '%s' (allowed: --side --perms "
                            "--threads --seed --repeat)\n", argv[i]);
            return 2;
        }
        if (rc < 0)
            return 2;
        i++;
    }
    hs_err err = {0};
    hs_weights *w = queen((int)side, &err);
    if (!w) {
        fprintf(stderr, "bench_analysis: %s\n", err.msg);
        return 1;
    }
    int n = w->n;
    double *x = malloc((size_t)n * sizeof *x), *z = malloc((size_t)n * sizeof *z);
    if (!x || !z)
        return 1;
    for (int i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, 1, (uint64_t)i, 0);
        int row = i / (int)side, col = i % (int)side;
        double mu = 20.0 * ((row > side / 3 && row < side / 2 && col > side / 3 && col < side / 2)
                                ? 2.0 : 1.0);
        x[i] = mu + sqrt(mu) * (hs_rng_uniform(&r) - 0.5) * 3.4;
    }
    hs_gistar_opt go;
    hs_lisa_opt lo;
    hs_gistar_opt_default(&go);
    hs_lisa_opt_default(&lo);
    go.perm.permutations = lo.perm.permutations = (int)perms;
    go.perm.seed = lo.perm.seed = (uint64_t)seed;
    go.perm.threads = lo.perm.threads = (int)threads;
    if (perms == 0)
        lo.sig_p = HS_P_ANALYTIC;
    double best_an = INFINITY, best_all = INFINITY, best_cpu = INFINITY;
    for (long k = 0; k < repeat; k++) {
        double t0 = now();
        hs_gistar_opt ga = go;
        hs_lisa_opt la = lo;
        ga.perm.permutations = la.perm.permutations = 0;
        la.sig_p = HS_P_ANALYTIC;
        hs_gistar_result *g;
        hs_lisa_result *l;
        if (hs_local_both(w, x, &ga, &la, &g, &l, &err) < 0)
            goto fail;
        hs_gistar_result_free(g);
        hs_lisa_result_free(l);
        double t1 = now(), c1 = cpu_now();
        if (hs_local_both(w, x, &go, &lo, &g, &l, &err) < 0)
            goto fail;
        double t2 = now(), c2 = cpu_now();
        hs_gistar_result_free(g);
        hs_lisa_result_free(l);
        best_an = fmin(best_an, t1 - t0);
        best_all = fmin(best_all, t2 - t1);
        best_cpu = fmin(best_cpu, c2 - c1);
    }
    printf("%ld,%d,%ld,%ld,%.4f,%.4f,%.4f\n", side, n, perms, threads, best_an, best_all,
           best_cpu);
    hs_weights_free(w);
    free(x);
    free(z);
    return 0;
fail:
    fprintf(stderr, "bench_analysis: %s\n", err.msg);
    return 1;
}
