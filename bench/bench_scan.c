/* bench_scan: wall-clock timing of hs_scan_poisson on synthetic communes.
 *
 *     bench_scan [n] [replicas] [threads] [max_pop_share]
 *
 * Units are scattered uniformly over a 600 km x 1,600 km box (about Vietnam's
 * extent), populations 1,000..20,000, Poisson cases at 2 per 10,000 with one planted
 * cluster at relative risk 2. Prints one CSV line:
 *     n,replicas,threads,share,zone_entries,k_max,seconds,cpu_seconds,llr,p,members
 * (cpu_seconds = process CPU time, less sensitive than wall time to other load on a
 * shared machine). Timings belong here, never in tests. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hs_scan.h"

static uint64_t st = 88172645463325252ULL;
static double unif(void)
{
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    return ((double)(st >> 11) + 0.5) * 0x1.0p-53;
}

static double poisson(double mu)
{
    if (mu > 50) /* normal approximation is plenty for a benchmark */
        return fmax(
            0.0, floor(mu + sqrt(mu) * sqrt(-2 * log(unif())) * cos(6.283185307 * unif()) + 0.5));
    double L = exp(-mu), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= unif();
    } while (p > L);
    return k - 1;
}

static long parse(const char *s, long lo, long hi, const char *name)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "bench_scan: %s must be an integer in %ld..%ld, got '%s'\n", name, lo, hi,
                s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? (int)parse(argv[1], 10, 200000, "n") : 3300;
    int R = argc > 2 ? (int)parse(argv[2], 0, HS_SCAN_MAX_REPLICAS, "replicas") : 999;
    int T = argc > 3 ? (int)parse(argv[3], 1, HS_SCAN_MAX_THREADS, "threads") : 2;
    double share = 0.5;
    if (argc > 4) {
        char *end;
        share = strtod(argv[4], &end);
        if (*end != '\0' || !(share > 0 && share <= 1)) {
            fprintf(stderr, "bench_scan: max_pop_share must be in (0, 1]\n");
            return 2;
        }
    }
    double *x = malloc(sizeof(double) * (size_t)n), *y = malloc(sizeof(double) * (size_t)n);
    double *pop = malloc(sizeof(double) * (size_t)n), *cases = malloc(sizeof(double) * (size_t)n);
    if (!x || !y || !pop || !cases)
        return 1;
    for (int i = 0; i < n; i++) {
        x[i] = unif() * 600000;
        y[i] = unif() * 1600000;
        pop[i] = 1000 + floor(unif() * 19000);
        double dx = x[i] - 300000, dy = y[i] - 1300000;
        double rr = dx * dx + dy * dy < 40000.0 * 40000.0 ? 2.0 : 1.0;
        cases[i] = poisson(pop[i] * 2e-4 * rr);
    }
    hs_scan_opts o;
    hs_scan_opts_default(&o);
    o.replicas = R;
    o.threads = T;
    o.max_pop_share = share;
    hs_scan_result *r = NULL;
    hs_err err = {0};
    struct timespec a, b;
    clock_t c0 = clock();
    clock_gettime(CLOCK_MONOTONIC, &a);
    if (hs_scan_poisson(n, x, y, cases, pop, &o, &r, &err) < 0) {
        fprintf(stderr, "bench_scan: %s\n", err.msg);
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double cpu = (double)(clock() - c0) / CLOCKS_PER_SEC;
    double secs = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    printf("%d,%d,%d,%.2f,%ld,%d,%.3f,%.3f,%.3f,%.4f,%d\n", n, R, T, share, r->zone_entries,
           r->k_max, secs, cpu, r->n_clusters ? r->clusters[0].llr : 0.0,
           r->n_clusters ? r->clusters[0].p : 1.0, r->n_clusters ? r->clusters[0].n_members : 0);
    hs_scan_result_free(r);
    free(x);
    free(y);
    free(pop);
    free(cases);
    return 0;
}
