/* bench_analysis: times Gi* + local Moran with permutation inference on a queen grid
 * or on a layer read from CSV files.
 *
 *   bench_analysis --side S [--perms R] [--threads T] [--seed N] [--repeat K]
 *   bench_analysis --values X.csv --pairs P.csv [--perms R] [--threads T] ...
 *   bench_analysis --points N [--knn K] [--perms R] [--threads T] ...   (see knn_points)
 *   ... --perm-method exact|lookup   (hs_perm_opt.method; default exact)
 *   ... --quality SEED2   (grid, CSV or --points layer: lookup vs exact p, see quality_report)
 *
 * Prints one CSV line: side,n,perms,threads,analytic_s,perm_wall_s,perm_cpu_s (best of K
 * runs; side is 0 for CSV input), where perm_* time hs_local_both (Gi* + LISA, analytic
 * and permutation p, FDR, bins, quadrants; one set of draws shared by both). CPU time
 * (all threads) is printed too because a shared machine inflates wall time.
 * Grid data are Poisson-like rates with a planted cluster, generated with hs_rng so
 * every machine times the same input. CSV input (used for the demo communes): X.csv has
 * a header line and one value per line, unit i on data line i (0-based); P.csv has a
 * header line and lines "a,b" of 0-based unit indices, each neighbour pair at least
 * once (made symmetric). Used by bench/spdep_compare.sh. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_lisa.h"
#include "hs_rng.h"


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

/* Reads the next line of f into buf (without the newline); 0 at end of file. */
static int read_line(FILE *f, char *buf, size_t cap)
{
    if (!fgets(buf, (int)cap, f))
        return 0;
    buf[strcspn(buf, "\r\n")] = 0;
    return 1;
}

/* Values file: header, then one finite number per line. Returns n or -1. */
static int read_values(const char *path, double **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_analysis: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[256];
    size_t n = 0, cap = 1024;
    double *x = malloc(cap * sizeof *x);
    int ln = 1, ok = x && read_line(f, line, sizeof line); /* header */
    while (ok && read_line(f, line, sizeof line)) {
        ln++;
        char *end;
        errno = 0;
        double v = strtod(line, &end);
        if (errno || end == line || *end || !isfinite(v) || n >= 10000000) {
            fprintf(stderr, "bench_analysis: %s line %d: expected one finite number, got '%s'\n",
                    path, ln, line);
            ok = 0;
            break;
        }
        if (n == cap) {
            double *y = realloc(x, 2 * cap * sizeof *x);
            if (!y) {
                ok = 0;
                break;
            }
            x = y;
            cap *= 2;
        }
        x[n++] = v;
    }
    fclose(f);
    if (!ok || n < 3) {
        if (ok)
            fprintf(stderr, "bench_analysis: %s: need at least 3 values\n", path);
        free(x);
        return -1;
    }
    *out = x;
    return (int)n;
}

/* Pairs file: header, then "a,b" per line (0-based indices below n). */
static hs_weights *read_pairs(const char *path, int n, hs_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_analysis: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char line[256];
    size_t m = 0, cap = 4096;
    int *a = malloc(cap * sizeof *a), *b = malloc(cap * sizeof *b);
    int ln = 1, ok = a && b && read_line(f, line, sizeof line);
    while (ok && read_line(f, line, sizeof line)) {
        ln++;
        char *e1, *e2;
        errno = 0;
        long u = strtol(line, &e1, 10);
        long v = *e1 == ',' ? strtol(e1 + 1, &e2, 10) : -1;
        if (errno || *e1 != ',' || *e2 || u < 0 || u >= n || v < 0 || v >= n) {
            fprintf(stderr, "bench_analysis: %s line %d: expected 'a,b' with indices in 0..%d, got '%s'\n",
                    path, ln, n - 1, line);
            ok = 0;
            break;
        }
        if (m == cap) {
            int *a2 = realloc(a, 2 * cap * sizeof *a), *b2 = a2 ? realloc(b, 2 * cap * sizeof *b) : NULL;
            if (a2)
                a = a2;
            if (!a2 || !b2) {
                ok = 0;
                break;
            }
            b = b2;
            cap *= 2;
        }
        a[m] = (int)u;
        b[m++] = (int)v;
    }
    fclose(f);
    hs_weights *w = NULL;
    if (ok && hs_weights_from_pairs(n, a, b, m, &w, err) < 0)
        fprintf(stderr, "bench_analysis: %s: %s\n", path, err->msg);
    free(a);
    free(b);
    return w;
}

/* --points N --knn K (issue 11, the GeoDa paper's n = 321,701 with KNN-10): N points,
 * uniform over a square of side sqrt(N) km (so about one point per km2, like a dense
 * layer of small units), drawn with hs_rng so every machine uses the same ones; x is
 * Poisson-like around 20 with a doubled patch in one corner. Times hs_weights_knn and
 * LISA alone (hs_lisa: local Moran with row-standardised weights and 999-permutation
 * pseudo-p), best of `repeat`. Prints
 * points,n,k,perms,threads,knn_wall_s,knn_cpu_s,lisa_wall_s,lisa_cpu_s. */
/* The --points layer: n points and values (see above); 0, or -1 when out of memory. */
static int knn_data(long n, double *x, double *px, double *py)
{
    double span = sqrt((double)n) * 1000.0;
    for (long i = 0; i < n; i++) {
        hs_rng r;
        hs_rng_init(&r, 7, (uint64_t)i, 0);
        px[i] = hs_rng_uniform(&r) * span;
        py[i] = hs_rng_uniform(&r) * span;
        double mu = (px[i] < span / 4 && py[i] < span / 4) ? 40.0 : 20.0;
        x[i] = mu + sqrt(mu) * (hs_rng_uniform(&r) - 0.5) * 3.4;
    }
    return 0;
}

/* The --points layer with its KNN weights, for --quality. */
static hs_weights *knn_layer(long n, long k, double **xout, hs_err *err)
{
    double *x = malloc((size_t)n * sizeof *x), *px = malloc((size_t)n * sizeof *px),
           *py = malloc((size_t)n * sizeof *py);
    hs_weights *w = NULL;
    if (x && px && py) {
        knn_data(n, x, px, py);
        hs_weights_knn((int)n, px, py, (int)k, &w, err);
    } else
        hs_err_set(err, HS_ENOMEM, "cannot allocate %ld points", n);
    free(px);
    free(py);
    if (!w)
        free(x);
    else
        *xout = x;
    return w;
}

static int knn_points(long n, long k, long perms, long threads, long seed, long repeat,
                      int method)
{
    double *x = malloc((size_t)n * sizeof *x), *px = malloc((size_t)n * sizeof *px),
           *py = malloc((size_t)n * sizeof *py);
    if (!x || !px || !py) {
        fprintf(stderr, "bench_analysis: cannot allocate %ld points\n", n);
        return 1;
    }
    knn_data(n, x, px, py);
    hs_err err = {0};
    hs_lisa_opt lo;
    hs_lisa_opt_default(&lo);
    lo.perm.permutations = (int)perms;
    lo.perm.seed = (uint64_t)seed;
    lo.perm.threads = (int)threads;
    lo.perm.method = method;
    if (perms == 0)
        lo.sig_p = HS_P_ANALYTIC;
    double best_knn = INFINITY, best_knn_cpu = INFINITY, best_wall = INFINITY, best_cpu = INFINITY;
    int rc = 0;
    for (long rep = 0; rep < repeat && rc == 0; rep++) {
        double t0 = hs_clock_now(), c0 = cpu_now();
        hs_weights *w = NULL;
        if (hs_weights_knn((int)n, px, py, (int)k, &w, &err) < 0) {
            rc = 1;
            break;
        }
        double t1 = hs_clock_now(), c1 = cpu_now();
        hs_lisa_result *l = NULL;
        if (hs_lisa(w, x, &lo, &l, &err) < 0)
            rc = 1;
        double t2 = hs_clock_now(), c2 = cpu_now();
        hs_lisa_result_free(l);
        hs_weights_free(w);
        best_knn = fmin(best_knn, t1 - t0);
        best_knn_cpu = fmin(best_knn_cpu, c1 - c0);
        best_wall = fmin(best_wall, t2 - t1);
        best_cpu = fmin(best_cpu, c2 - c1);
    }
    if (rc)
        fprintf(stderr, "bench_analysis: %s\n", err.msg);
    else
        printf("points,%ld,%ld,%ld,%ld,%.4f,%.4f,%.4f,%.4f\n", n, k, perms, threads, best_knn,
               best_knn_cpu, best_wall, best_cpu);
    free(x);
    free(px);
    free(py);
    return rc;
}

/* --quality SEED2: how far the lookup method's pseudo-p are from the exact engine's,
 * against the exact engine's own Monte Carlo noise (exact with seed vs exact with SEED2).
 * For LISA and Gi*, prints one line per pair of runs:
 *   quality,stat,pair,n,max_abs_dp,mean_abs_dp,mean_dp,class_changes_005,sig_a,sig_b,nb_corr
 * class_changes_005 counts units on different sides of p = 0.05; nb_corr is the
 * correlation of dp_i and dp_j over neighbour pairs (i, j): shared Monte Carlo error of
 * neighbouring units shows up there. */
static void quality_line(const char *stat, const char *pair, const hs_weights *w,
                         const double *pa, const double *pb)
{
    int n = w->n, cnt = 0, changes = 0, sa = 0, sb = 0;
    double mx = 0, sabs = 0, sd = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(pa[i]) || !isfinite(pb[i]))
            continue;
        double d = pb[i] - pa[i];
        cnt++;
        mx = fmax(mx, fabs(d));
        sabs += fabs(d);
        sd += d;
        sa += pa[i] <= 0.05;
        sb += pb[i] <= 0.05;
        changes += (pa[i] <= 0.05) != (pb[i] <= 0.05);
    }
    double mean = cnt ? sd / cnt : 0;
    double sxy = 0, sxx = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(pa[i]) || !isfinite(pb[i]))
            continue;
        double di = pb[i] - pa[i] - mean;
        sxx += di * di * (w->start[i + 1] - w->start[i]);
        for (int e = w->start[i]; e < w->start[i + 1]; e++) {
            int j = w->nbr[e];
            if (isfinite(pa[j]) && isfinite(pb[j]))
                sxy += di * (pb[j] - pa[j] - mean);
        }
    }
    printf("quality,%s,%s,%d,%.4f,%.5f,%+.5f,%d,%d,%d,%.3f\n", stat, pair, cnt, mx,
           cnt ? sabs / cnt : 0, mean, changes, sa, sb, sxx > 0 ? sxy / sxx : 0);
}

static int quality_report(const hs_weights *w, const double *x, const hs_gistar_opt *go,
                          const hs_lisa_opt *lo, uint64_t seed2)
{
    /* runs: exact seed, exact seed2, lookup seed, lookup seed2 */
    hs_gistar_result *g[4] = {0};
    hs_lisa_result *l[4] = {0};
    hs_err err = {0};
    int rc = 0;
    for (int q = 0; q < 4 && rc == 0; q++) {
        hs_gistar_opt ga = *go;
        hs_lisa_opt la = *lo;
        ga.perm.method = la.perm.method = q < 2 ? HS_PERM_EXACT : HS_PERM_LOOKUP;
        if (q & 1)
            ga.perm.seed = la.perm.seed = seed2;
        double c0 = cpu_now();
        if (hs_local_both(w, x, &ga, &la, &g[q], &l[q], &err) < 0) {
            fprintf(stderr, "bench_analysis: %s\n", err.msg);
            rc = 1;
        }
        fprintf(stderr, "run %s seed %llu: %.3f cpu s\n", hs_perm_method_name(ga.perm.method),
                (unsigned long long)ga.perm.seed, cpu_now() - c0);
    }
    if (rc == 0) {
        const char *pairs[3] = {"exact-vs-exact(seed2)", "exact-vs-lookup",
                                "lookup-vs-lookup(seed2)"};
        int a[3] = {0, 0, 2}, b[3] = {1, 2, 3};
        for (int t = 0; t < 3; t++)
            quality_line("lisa", pairs[t], w, l[a[t]]->p_sim, l[b[t]]->p_sim);
        for (int t = 0; t < 3; t++)
            quality_line("gistar", pairs[t], w, g[a[t]]->p_sim, g[b[t]]->p_sim);
    }
    for (int q = 0; q < 4; q++) {
        hs_gistar_result_free(g[q]);
        hs_lisa_result_free(l[q]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    long side = 103, perms = 999, threads = 1, seed = 138, repeat = 1, points = 0, knn = 10;
    long quality = 0;
    int method = HS_PERM_EXACT;
    const char *values_path = NULL, *pairs_path = NULL;
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
        else if (!strcmp(argv[i], "--values"))
            values_path = v;
        else if (!strcmp(argv[i], "--pairs"))
            pairs_path = v;
        else if (!strcmp(argv[i], "--points"))
            rc = parse_int("--points", v, 20, 2000000, &points);
        else if (!strcmp(argv[i], "--knn"))
            rc = parse_int("--knn", v, 1, 50, &knn);
        else if (!strcmp(argv[i], "--quality"))
            rc = parse_int("--quality", v, 0, 2147483647, &quality);
        else if (!strcmp(argv[i], "--perm-method")) {
            hs_err e = {0};
            if (hs_perm_method_parse(v, &method, &e) < 0) {
                fprintf(stderr, "bench_analysis: --perm-method: %s\n", e.msg);
                rc = -1;
            }
        } else {
            fprintf(stderr, "bench_analysis: unknown argument '%s' (allowed: --side --values "
                            "--pairs --points --knn --perms --threads --seed --repeat "
                            "--perm-method --quality)\n",
                    argv[i]);
            return 2;
        }
        if (rc < 0)
            return 2;
        i++;
    }
    if (points && !quality)
        return knn_points(points, knn, perms, threads, seed, repeat, method);
    hs_err err = {0};
    if (!values_path != !pairs_path) {
        fprintf(stderr, "bench_analysis: --values and --pairs go together\n");
        return 2;
    }
    hs_weights *w;
    double *x = NULL;
    if (values_path) {
        side = 0;
        int nv = read_values(values_path, &x);
        if (nv < 0)
            return 1;
        if (!(w = read_pairs(pairs_path, nv, &err)))
            return 1;
    } else if (points) {
        side = 0;
        if (!(w = knn_layer(points, knn, &x, &err))) {
            fprintf(stderr, "bench_analysis: %s\n", err.msg);
            return 1;
        }
    } else if (!(w = queen((int)side, &err))) {
        fprintf(stderr, "bench_analysis: %s\n", err.msg);
        return 1;
    }
    int n = w->n;
    if (!x && !(x = malloc((size_t)n * sizeof *x)))
        return 1;
    for (int i = 0; i < n && !values_path && !points; i++) {
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
    go.perm.method = lo.perm.method = method;
    if (perms == 0)
        lo.sig_p = HS_P_ANALYTIC;
    if (quality) {
        int rc = quality_report(w, x, &go, &lo, (uint64_t)quality);
        hs_weights_free(w);
        free(x);
        return rc;
    }
    double best_an = INFINITY, best_all = INFINITY, best_cpu = INFINITY;
    for (long k = 0; k < repeat; k++) {
        double t0 = hs_clock_now();
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
        double t1 = hs_clock_now(), c1 = cpu_now();
        if (hs_local_both(w, x, &go, &lo, &g, &l, &err) < 0)
            goto fail;
        double t2 = hs_clock_now(), c2 = cpu_now();
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
    return 0;
fail:
    fprintf(stderr, "bench_analysis: %s\n", err.msg);
    return 1;
}
