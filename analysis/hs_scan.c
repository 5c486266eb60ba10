#include "hs_scan.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hs_rng.h"

#define HS_SCAN_MAX_UNITS 1000000
/* Replicas are simulated in batches of SCAN_BATCH so each centre's neighbour order
 * is streamed from memory once per batch instead of once per replica. */
#define SCAN_BATCH 16
/* The scan's random stream is (seed, SCAN_RNG_UNIT, replicate): one stream per
 * replica, distinct from the global-statistics stream for the same seed. */
#define SCAN_RNG_UNIT (HS_RNG_UNIT_GLOBAL - 1)

void hs_scan_opts_default(hs_scan_opts *opt)
{
    opt->max_pop_share = 0.5;
    opt->max_radius_m = 0.0;
    opt->replicas = 999;
    opt->seed = 138;
    opt->threads = 1;
    opt->max_clusters = 10;
    opt->cancel = NULL;
}

double hs_scan_llr(double c, double e, double C)
{
    if (!(c > e) || !(e > 0.0))
        return 0.0;
    double v = c * log(c / e);
    if (C - c > 0.0)
        v += (C - c) * log((C - c) / (C - e));
    return v;
}

/* One centre's windows: order[k] is its k-th nearest unit (the centre first unless
 * another centroid coincides); the window {order[0..k]} is a real circle only when
 * valid[k] (the next unit is strictly farther). cmin[k] is the smallest case count
 * that can reach the reporting threshold in window k, INT_MAX when none can. */
typedef struct centre_zones {
    int len;
    int *order;
    int *cmin; /* before the replicas: the window's LLR as a float (see best_window) */
    unsigned char *valid;
} centre_zones;

typedef struct scan_ctx {
    int n;
    const double *x, *y, *cases, *pop;
    double C, P;
    double limit_pop, max_r2;
    centre_zones *cz;
    double *cumpop; /* prefix sums of pop, for the multinomial draw */
    int threads, replicas;
    uint64_t seed;
    double threshold; /* LLR below which replica maxima are not needed exactly */
    double *rep_max;  /* replicas */
    atomic_long entries;
    atomic_int failed; /* 1 = cap exceeded, 2 = out of memory */
    const atomic_int *cancel;
} scan_ctx;

typedef struct scan_job {
    scan_ctx *ctx;
    int tid;
} scan_job;

static double zone_expected(double cpop, const scan_ctx *s)
{
    return s->C * (cpop / s->P);
}

/* ---- neighbour order -------------------------------------------------------- */

typedef struct dist_idx {
    double d2;
    int idx;
} dist_idx;

static inline int di_less(dist_idx a, dist_idx b)
{
    return a.d2 < b.d2 || (a.d2 == b.d2 && a.idx < b.idx);
}

static inline void di_swap(dist_idx *a, int i, int j)
{
    dist_idx t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* Hoare partition around the median of three; returns `left` with a[0..left-1] <=
 * pivot <= a[left..n-1] and 0 < left < n. Keys are distinct (idx breaks ties), so
 * repeated distances cannot degrade it. */
static int di_partition(dist_idx *a, int n)
{
    int m = n / 2;
    if (di_less(a[m], a[0]))
        di_swap(a, m, 0);
    if (di_less(a[n - 1], a[0]))
        di_swap(a, n - 1, 0);
    if (di_less(a[n - 1], a[m]))
        di_swap(a, n - 1, m);
    dist_idx pivot = a[m];
    int i = 0, j = n - 1;
    for (;;) {
        while (di_less(a[i], pivot))
            i++;
        while (di_less(pivot, a[j]))
            j--;
        if (i >= j)
            break;
        di_swap(a, i, j);
        i++;
        j--;
    }
    return j + 1;
}

static void di_insertion(dist_idx *a, int n)
{
    for (int i = 1; i < n; i++) {
        dist_idx v = a[i];
        int j = i - 1;
        while (j >= 0 && di_less(v, a[j])) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Quicksort with an inlined comparison (qsort's callback dominated the set-up). */
static void sort_dist_idx(dist_idx *a, int n)
{
    while (n > 16) {
        int left = di_partition(a, n);
        if (left < n - left) {
            sort_dist_idx(a, left);
            a += left;
            n -= left;
        } else {
            sort_dist_idx(a + left, n - left);
            n = left;
        }
    }
    di_insertion(a, n);
}

/* Sorts only as much of a[0..n-1] as the windows need: the prefix up to the first
 * unit that breaks the population or radius limit, plus that unit itself (needed to
 * detect ties). A right partition that lies wholly past the limit is left unsorted
 * except for its minimum, moved to its front. The population test has a relative
 * margin so float rounding can only make us sort more, never less. */
static void sort_needed_prefix(const scan_ctx *s, dist_idx *a, int n)
{
    double before = 0.0;
    while (n > 16) {
        int left = di_partition(a, n);
        double sum = 0.0, maxd = 0.0;
        for (int k = 0; k < left; k++) {
            sum += s->pop[a[k].idx];
            if (a[k].d2 > maxd)
                maxd = a[k].d2;
        }
        if (before + sum > s->limit_pop * (1.0 + 1e-9) + 1e-9 || maxd > s->max_r2) {
            int mi = left;
            for (int k = left + 1; k < n; k++)
                if (di_less(a[k], a[mi]))
                    mi = k;
            di_swap(a, left, mi);
            n = left;
        } else {
            sort_dist_idx(a, left);
            before += sum;
            a += left;
            n -= left;
        }
    }
    di_insertion(a, n);
}

static void build_centre(scan_ctx *s, int i, dist_idx *tmp)
{
    int n = s->n;
    for (int j = 0; j < n; j++) {
        double dx = s->x[j] - s->x[i], dy = s->y[j] - s->y[i];
        tmp[j].d2 = dx * dx + dy * dy;
        tmp[j].idx = j;
    }
    sort_needed_prefix(s, tmp, n);
    int len = 0;
    double cpop = 0.0;
    while (len < n) {
        cpop += s->pop[tmp[len].idx];
        if (cpop > s->limit_pop || tmp[len].d2 > s->max_r2)
            break;
        len++;
    }
    /* A tie group that crosses the limit is not a circle: drop its partial part. */
    while (len > 0 && len < n && !(tmp[len - 1].d2 < tmp[len].d2))
        len--;
    centre_zones *z = &s->cz[i];
    z->len = len;
    if (len == 0)
        return;
    if (atomic_fetch_add(&s->entries, len) + len > HS_SCAN_MAX_ZONE_ENTRIES) {
        atomic_store(&s->failed, 1);
        z->len = 0;
        return;
    }
    z->order = malloc((size_t)len * sizeof *z->order);
    z->cmin = malloc((size_t)len * sizeof *z->cmin);
    z->valid = malloc((size_t)len);
    if (!z->order || !z->cmin || !z->valid) {
        atomic_store(&s->failed, 2);
        return;
    }
    for (int k = 0; k < len; k++) {
        z->order[k] = tmp[k].idx;
        z->valid[k] = (unsigned char)(k == n - 1 || tmp[k].d2 < tmp[k + 1].d2);
        z->cmin[k] = INT_MAX;
    }
}

static void *build_worker(void *arg)
{
    scan_job *job = arg;
    scan_ctx *s = job->ctx;
    dist_idx *tmp = malloc((size_t)s->n * sizeof *tmp);
    if (!tmp) {
        atomic_store(&s->failed, 2);
        return NULL;
    }
    for (int i = job->tid; i < s->n && !atomic_load(&s->failed) && !hs_cancel_reason(s->cancel);
         i += s->threads)
        build_centre(s, i, tmp);
    free(tmp);
    return NULL;
}

/* ---- reporting thresholds per window ------------------------------------------ */

/* Smallest integer c in [lo, C] with LLR(c, e) >= L, by galloping then bisection;
 * LLR grows with c once c > e. Returns INT_MAX when even c = C falls short. */
static int min_cases_for(double e, double C, double L, int lo)
{
    int Ci = (int)C;
    if (lo > Ci || hs_scan_llr(C, e, C) < L)
        return INT_MAX;
    if (hs_scan_llr(lo, e, C) >= L)
        return lo;
    int good = Ci, bad = lo, step = 1;
    while (bad + step < Ci) {
        if (hs_scan_llr(bad + step, e, C) >= L) {
            good = bad + step;
            break;
        }
        bad += step;
        step *= 2;
    }
    while (good - bad > 1) {
        int mid = bad + (good - bad) / 2;
        if (hs_scan_llr(mid, e, C) >= L)
            good = mid;
        else
            bad = mid;
    }
    return good;
}

static void *cmin_worker(void *arg)
{
    scan_job *job = arg;
    scan_ctx *s = job->ctx;
    for (int i = job->tid; i < s->n && !hs_cancel_reason(s->cancel); i += s->threads) {
        centre_zones *z = &s->cz[i];
        double cpop = 0.0;
        int prev = 0;
        for (int k = 0; k < z->len; k++) {
            cpop += s->pop[z->order[k]];
            if (!z->valid[k])
                continue;
            double e = zone_expected(cpop, s);
            int lo = (int)floor(e) + 1;
            if (lo < prev)
                lo = prev; /* e never decreases along the walk, so neither does cmin */
            int c = min_cases_for(e, s->C, s->threshold, lo);
            z->cmin[k] = c;
            if (c == INT_MAX) {
                /* Larger windows have larger e: none can reach L either. Overwrite the
                 * LLR cache left in cmin by best_window so no stale value remains. */
                for (int r = k + 1; r < z->len; r++)
                    z->cmin[r] = INT_MAX;
                break;
            }
            prev = c;
        }
    }
    return NULL;
}

/* ---- Monte Carlo replicas -------------------------------------------------------- */

/* Spreads C cases over the units in proportion to population (a multinomial draw)
 * into column b of cnt. The C sorted uniform positions are normalised cumulative sums
 * of C+1 exponentials, so one merge pass against the cumulative population suffices:
 * O(C + n), exact. The counter-based generator lets us regenerate the exponentials
 * for the second pass instead of storing them. */
static void draw_replica(const scan_ctx *s, int r, int *cnt, int b)
{
    int C = (int)s->C, n = s->n;
    uint64_t key = hs_rng_unit_key(s->seed, SCAN_RNG_UNIT);
    hs_rng g;
    hs_rng_init_key(&g, key, (uint64_t)r);
    double total = 0.0;
    for (int k = 0; k <= C; k++)
        total += -log(1.0 - hs_rng_uniform(&g)); /* Exp(1); 1-u is in (0, 1] */
    double scale = total / s->P;
    hs_rng_init_key(&g, key, (uint64_t)r); /* replay the same stream */
    double acc = 0.0;
    int u = 0;
    for (int k = 0; k < C; k++) {
        acc += -log(1.0 - hs_rng_uniform(&g));
        while (u < n - 1 && acc >= s->cumpop[u] * scale)
            u++;
        cnt[(size_t)u * SCAN_BATCH + b]++;
    }
}

static void *replica_worker(void *arg)
{
    scan_job *job = arg;
    scan_ctx *s = job->ctx;
    int n = s->n;
    int *cnt = malloc((size_t)n * SCAN_BATCH * sizeof *cnt);
    if (!cnt) {
        atomic_store(&s->failed, 2);
        return NULL;
    }
    int nbatch = (s->replicas + SCAN_BATCH - 1) / SCAN_BATCH;
    for (int bt = job->tid; bt < nbatch && !hs_cancel_reason(s->cancel); bt += s->threads) {
        memset(cnt, 0, (size_t)n * SCAN_BATCH * sizeof *cnt);
        int r0 = bt * SCAN_BATCH;
        for (int b = 0; b < SCAN_BATCH && r0 + b < s->replicas; b++)
            draw_replica(s, r0 + b, cnt, b);
        double mx[SCAN_BATCH];
        for (int b = 0; b < SCAN_BATCH; b++)
            mx[b] = 0.0;
        for (int i = 0; i < n; i++) {
            const centre_zones *z = &s->cz[i];
            int cum[SCAN_BATCH] = {0};
            double cpop = 0.0;
            for (int k = 0; k < z->len; k++) {
                int u = z->order[k];
                const int *row = cnt + (size_t)u * SCAN_BATCH;
                cpop += s->pop[u];
                int any = 0, th = z->cmin[k];
                for (int b = 0; b < SCAN_BATCH; b++) {
                    cum[b] += row[b];
                    any |= cum[b] >= th;
                }
                if (!any)
                    continue;
                double e = zone_expected(cpop, s);
                for (int b = 0; b < SCAN_BATCH; b++)
                    if (cum[b] >= th) {
                        double l = hs_scan_llr(cum[b], e, s->C);
                        if (l > mx[b])
                            mx[b] = l;
                    }
            }
        }
        for (int b = 0; b < SCAN_BATCH && r0 + b < s->replicas; b++)
            s->rep_max[r0 + b] = mx[b];
    }
    free(cnt);
    return NULL;
}

/* Runs fn on `threads` workers (inline when 1); results never depend on the split. */
static int run_workers(scan_ctx *s, void *(*fn)(void *), hs_err *err)
{
    scan_job jobs[HS_SCAN_MAX_THREADS];
    pthread_t tids[HS_SCAN_MAX_THREADS];
    for (int t = 0; t < s->threads; t++)
        jobs[t] = (scan_job){s, t};
    if (s->threads == 1) {
        fn(&jobs[0]);
        return HS_OK;
    }
    int started = 0;
    for (; started < s->threads; started++)
        if (pthread_create(&tids[started], NULL, fn, &jobs[started]) != 0)
            break;
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    if (started < s->threads) {
        /* Finish the missing shares inline so the result stays complete. */
        for (int t = started; t < s->threads; t++)
            fn(&jobs[t]);
    }
    (void)err;
    return HS_OK;
}

/* ---- observed clusters ------------------------------------------------------------ */

/* Best window sharing no unit with `taken`; returns its LLR (0 if none has c > e).
 * The first pass evaluates every window exactly and caches each LLR as a float in
 * the (not yet used) cmin slot; later passes compute the exact LLR only for windows
 * whose cached value comes within float rounding of the best so far, so the choice
 * stays exact while the logarithms are paid for once. */
static double best_window(const scan_ctx *s, const unsigned char *taken, int first, int *bi,
                          int *bk)
{
    double best = 0.0;
    for (int i = 0; i < s->n; i++) {
        centre_zones *z = &s->cz[i];
        double cpop = 0.0, c = 0.0;
        for (int k = 0; k < z->len; k++) {
            int u = z->order[k];
            if (taken[u])
                break; /* every larger window from this centre contains u too */
            cpop += s->pop[u];
            c += s->cases[u];
            if (!z->valid[k])
                continue;
            if (!first) {
                float f;
                memcpy(&f, &z->cmin[k], sizeof f);
                if ((double)f < best * (1.0 - 1e-6) || f <= 0.0f)
                    continue;
            }
            double l = hs_scan_llr(c, zone_expected(cpop, s), s->C);
            if (first) {
                float f = (float)l;
                memcpy(&z->cmin[k], &f, sizeof f);
            }
            if (l > best) {
                best = l;
                *bi = i;
                *bk = k;
            }
        }
    }
    return best;
}

static int make_cluster(const scan_ctx *s, int i, int k, double llr, hs_scan_cluster *cl,
                        unsigned char *taken, hs_err *err)
{
    const centre_zones *z = &s->cz[i];
    cl->members = malloc((size_t)(k + 1) * sizeof *cl->members);
    if (!cl->members)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a scan cluster of %d units", k + 1);
    double cpop = 0.0, c = 0.0, r2 = 0.0;
    for (int m = 0; m <= k; m++) {
        int u = z->order[m];
        cl->members[m] = u;
        taken[u] = 1;
        cpop += s->pop[u];
        c += s->cases[u];
        double dx = s->x[u] - s->x[i], dy = s->y[u] - s->y[i];
        if (dx * dx + dy * dy > r2)
            r2 = dx * dx + dy * dy;
    }
    double e = zone_expected(cpop, s);
    cl->centre = i;
    cl->n_members = k + 1;
    cl->radius_m = sqrt(r2);
    cl->population = cpop;
    cl->observed = c;
    cl->expected = e;
    cl->rr = (s->C - c > 0.0) ? (c / e) / ((s->C - c) / (s->C - e)) : INFINITY;
    cl->llr = llr;
    cl->p = NAN;
    return HS_OK;
}

/* ---- driver ---------------------------------------------------------------------- */

static int check_inputs(int n, const double *x, const double *y, const double *cases,
                        const double *pop, const hs_scan_opts *o, hs_err *err)
{
    if (n < 1 || n > HS_SCAN_MAX_UNITS)
        return hs_err_set(err, n < 1 ? HS_EINVAL : HS_ELIMIT, "scan needs 1..%d units, got %d",
                          HS_SCAN_MAX_UNITS, n);
    if (!x || !y || !cases || !pop)
        return hs_err_set(err, HS_EINVAL, "scan inputs x, y, cases and pop must not be NULL");
    if (!(o->max_pop_share > 0.0 && o->max_pop_share <= 1.0))
        return hs_err_set(err, HS_EINVAL, "max_pop_share %g must be in (0, 1] (default 0.5)",
                          o->max_pop_share);
    if (!(o->max_radius_m >= 0.0))
        return hs_err_set(err, HS_EINVAL, "max_radius_m %g must be >= 0 (0 = no limit)",
                          o->max_radius_m);
    if (o->replicas < 0 || o->replicas > HS_SCAN_MAX_REPLICAS)
        return hs_err_set(err, o->replicas < 0 ? HS_EINVAL : HS_ELIMIT,
                          "replicas %d must be in 0..%d", o->replicas, HS_SCAN_MAX_REPLICAS);
    if (o->threads < 1 || o->threads > HS_SCAN_MAX_THREADS)
        return hs_err_set(err, HS_EINVAL, "threads %d must be in 1..%d", o->threads,
                          HS_SCAN_MAX_THREADS);
    if (o->max_clusters < 1 || o->max_clusters > HS_SCAN_MAX_CLUSTERS)
        return hs_err_set(err, HS_EINVAL, "max_clusters %d must be in 1..%d", o->max_clusters,
                          HS_SCAN_MAX_CLUSTERS);
    double C = 0.0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return hs_err_set(err, HS_EINVAL, "unit %d has a non-finite centroid", i);
        if (!(pop[i] >= 0.0) || !isfinite(pop[i]))
            return hs_err_set(err, HS_EINVAL, "unit %d has population %g (must be >= 0)", i,
                              pop[i]);
        if (!(cases[i] >= 0.0) || !isfinite(cases[i]) || cases[i] != floor(cases[i]))
            return hs_err_set(err, HS_EINVAL,
                              "unit %d has case count %g (must be a non-negative integer)", i,
                              cases[i]);
        if (pop[i] == 0.0 && cases[i] > 0.0)
            return hs_err_set(err, HS_EINVAL, "unit %d has %g cases but zero population", i,
                              cases[i]);
        C += cases[i];
    }
    if (C > HS_SCAN_MAX_CASES)
        return hs_err_set(err, HS_ELIMIT, "total cases %.0f exceed the scan cap of %d", C,
                          HS_SCAN_MAX_CASES);
    return HS_OK;
}

static void free_zones(centre_zones *cz, int n)
{
    if (!cz)
        return;
    for (int i = 0; i < n; i++) {
        free(cz[i].order);
        free(cz[i].cmin);
        free(cz[i].valid);
    }
    free(cz);
}

int hs_scan_poisson(int n, const double *x, const double *y, const double *cases, const double *pop,
                    const hs_scan_opts *opt, hs_scan_result **out, hs_err *err)
{
    hs_scan_opts o;
    if (opt)
        o = *opt;
    else
        hs_scan_opts_default(&o);
    if (!out)
        return hs_err_set(err, HS_EINVAL, "out must not be NULL");
    *out = NULL;
    int rc = check_inputs(n, x, y, cases, pop, &o, err);
    if (rc < 0)
        return rc;

    scan_ctx s = {.n = n,
                  .x = x,
                  .y = y,
                  .cases = cases,
                  .pop = pop,
                  .threads = o.threads,
                  .replicas = o.replicas,
                  .seed = o.seed,
                  .cancel = o.cancel};
    atomic_init(&s.entries, 0);
    atomic_init(&s.failed, 0);
    for (int i = 0; i < n; i++) {
        s.C += cases[i];
        s.P += pop[i];
    }
    if (!(s.P > 0.0))
        return hs_err_set(err, HS_EINVAL, "total population is zero");
    s.limit_pop = o.max_pop_share * s.P;
    s.max_r2 = o.max_radius_m > 0.0 ? o.max_radius_m * o.max_radius_m : INFINITY;

    hs_scan_result *res = calloc(1, sizeof *res);
    s.cz = calloc((size_t)n, sizeof *s.cz);
    s.cumpop = malloc((size_t)n * sizeof *s.cumpop);
    s.rep_max = malloc(((size_t)o.replicas + 1) * sizeof *s.rep_max);
    unsigned char *taken = calloc((size_t)n, 1);
    if (!res || !s.cz || !s.cumpop || !s.rep_max || !taken) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate the scan of %d units", n);
        goto fail;
    }
    res->replicas = o.replicas;
    res->seed = o.seed;
    res->total_cases = s.C;
    res->total_pop = s.P;
    double acc = 0.0;
    for (int i = 0; i < n; i++)
        s.cumpop[i] = (acc += pop[i]);

    run_workers(&s, build_worker, err);
    if (atomic_load(&s.failed) == 1) {
        rc = hs_err_set(err, HS_ELIMIT,
                        "scan windows need more than %ld (centre, neighbour) pairs for %d "
                        "units at max_pop_share %.2f: lower max_pop_share or set max_radius_m",
                        HS_SCAN_MAX_ZONE_ENTRIES, n, o.max_pop_share);
        goto fail;
    }
    if (atomic_load(&s.failed)) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate scan windows for %d units", n);
        goto fail;
    }
    if (hs_cancel_reason(o.cancel)) {
        rc = hs_cancel_error(o.cancel, "the scan's window building", err);
        goto fail;
    }
    res->zone_entries = atomic_load(&s.entries);
    for (int i = 0; i < n; i++)
        if (s.cz[i].len > res->k_max)
            res->k_max = s.cz[i].len;

    /* Most likely cluster, then the best windows disjoint from those reported. */
    res->clusters = calloc((size_t)o.max_clusters, sizeof *res->clusters);
    if (!res->clusters) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate scan clusters");
        goto fail;
    }
    while (res->n_clusters < o.max_clusters) {
        if (hs_cancel_reason(o.cancel)) {
            rc = hs_cancel_error(o.cancel, "the scan's cluster search", err);
            goto fail;
        }
        int bi = -1, bk = -1;
        double l = best_window(&s, taken, res->n_clusters == 0, &bi, &bk);
        if (!(l > 0.0))
            break;
        rc = make_cluster(&s, bi, bk, l, &res->clusters[res->n_clusters], taken, err);
        if (rc < 0)
            goto fail;
        res->n_clusters++;
    }

    if (res->n_clusters > 0 && o.replicas > 0) {
        double lmin = res->clusters[res->n_clusters - 1].llr;
        /* Slightly below the smallest reported LLR so rounding in cmin can only make
         * us evaluate more windows, never skip one that matters. */
        s.threshold = lmin - 1e-9 * (lmin > 1.0 ? lmin : 1.0);
        run_workers(&s, cmin_worker, err);
        run_workers(&s, replica_worker, err);
        if (atomic_load(&s.failed)) {
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate scan replicas");
            goto fail;
        }
        if (hs_cancel_reason(o.cancel)) {
            rc = hs_cancel_error(o.cancel, "the scan's Monte Carlo replicas", err);
            goto fail;
        }
        for (int c = 0; c < res->n_clusters; c++) {
            long larger = 0;
            for (int r = 0; r < o.replicas; r++)
                larger += s.rep_max[r] >= res->clusters[c].llr;
            res->clusters[c].p = (double)(larger + 1) / (double)(o.replicas + 1);
        }
    }
    free_zones(s.cz, n);
    free(s.cumpop);
    free(s.rep_max);
    free(taken);
    *out = res;
    return HS_OK;

fail:
    free_zones(s.cz, n);
    free(s.cumpop);
    free(s.rep_max);
    free(taken);
    hs_scan_result_free(res);
    return rc;
}

void hs_scan_result_free(hs_scan_result *r)
{
    if (!r)
        return;
    if (r->clusters)
        for (int c = 0; c < r->n_clusters; c++)
            free(r->clusters[c].members);
    free(r->clusters);
    free(r);
}
