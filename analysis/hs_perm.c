#include "hs_perm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hs_rng.h"

/* Rows with at most this many neighbours draw by rejection (a repeat is redrawn,
 * checked against the few already drawn); larger rows use a partial Fisher–Yates
 * shuffle of a per-thread index array that is restored after each replicate. */
#define PERM_REJECT_MAX 48
/* Units handed to a thread at a time: small enough to balance, large enough that
 * the shared counter is not contended. */
#define PERM_BLOCK 64

void hs_perm_opt_default(hs_perm_opt *o)
{
    o->permutations = HS_PERM_DEFAULT;
    o->seed = HS_PERM_DEFAULT_SEED;
    o->threads = 1;
}

int hs_perm_opt_check(const hs_perm_opt *o, hs_err *err)
{
    if (o->permutations < 0 || o->permutations > HS_PERM_MAX)
        return hs_err_set(err, HS_ELIMIT, "permutations = %d is outside 0..%d", o->permutations,
                          HS_PERM_MAX);
    if (o->threads < 1 || o->threads > HS_PERM_THREADS_MAX)
        return hs_err_set(err, HS_EINVAL, "threads = %d is outside 1..%d", o->threads,
                          HS_PERM_THREADS_MAX);
    return HS_OK;
}

int hs_moments_compute(const double *x, int n, hs_moments *m, hs_err *err)
{
    if (n < 3)
        return hs_err_set(err, HS_EINVAL, "%d units: local statistics need at least 3", n);
    long double s = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return hs_err_set(err, HS_EINVAL, "value of unit %d is not finite", i);
        s += x[i];
    }
    /* Two-pass mean with R's correction step, so the mean equals R's mean() closely. */
    long double mean = s / n, corr = 0;
    for (int i = 0; i < n; i++)
        corr += x[i] - mean;
    mean += corr / n;
    long double ss = 0, q4 = 0;
    for (int i = 0; i < n; i++) {
        long double d = x[i] - mean;
        ss += d * d;
        q4 += d * d * d * d;
    }
    m->n = n;
    m->mean = (double)mean;
    m->ss = (double)ss;
    m->sd_pop = sqrt((double)(ss / n));
    m->s2 = (double)(ss / (n - 1));
    m->m2 = (double)(ss / n);
    m->m4 = (double)(q4 / n);
    return HS_OK;
}

typedef struct perm_job {
    const hs_weights *w;
    const double *zc; /* centred x */
    hs_moments mom;
    int R;
    uint64_t seed;
    int *gi_ge, *lisa_ge;
    atomic_int next; /* next block of units to take */
    atomic_int failed;
} perm_job;

/* Draws k distinct indices from {0..n-1} \ {i} (rows with small k) and returns the
 * sum of their centred values. Each draw is uniform on the n - 1 others; a repeat of
 * an earlier draw is redrawn. Repeats are rare (about k^2 / 2n), so a 64-bit mask of
 * (index mod 64) screens them and only a mask hit scans the earlier draws. */
static inline double draw_reject_sum(hs_rng *r, int n, int i, int k, uint32_t thr, int *out,
                                     const double *zc)
{
    uint64_t mask = 0;
    double s[2] = {0, 0}; /* two partial sums halve the chain of dependent additions */
    for (int t = 0; t < k; t++) {
        int d;
        for (;;) {
            d = (int)hs_rng_below_t(r, (uint32_t)(n - 1), thr);
            d += d >= i; /* skip unit i itself */
            uint64_t bit = 1ull << (d & 63);
            if (mask & bit) {
                int dup = 0;
                for (int q = 0; q < t; q++)
                    dup |= out[q] == d;
                if (dup)
                    continue;
            }
            mask |= bit;
            break;
        }
        out[t] = d;
        s[t & 1] += zc[d];
    }
    return s[0] + s[1];
}

static void perm_unit(perm_job *job, int i, int *idx, int *drawn)
{
    const hs_weights *w = job->w;
    const double *zc = job->zc;
    int n = w->n, k = hs_weights_card(w, i), R = job->R;
    if (k == 0) {
        if (job->gi_ge)
            job->gi_ge[i] = -1;
        if (job->lisa_ge)
            job->lisa_ge[i] = -1;
        return;
    }
    double obs_sum = 0;
    for (int e = w->start[i]; e < w->start[i + 1]; e++)
        obs_sum += zc[w->nbr[e]];
    double zi = zc[i];
    double inv_den = 1.0 / hs_gistar_den(&job->mom, k);
    double coef = hs_lisa_coef(zi, k, job->mom.s2);
    double gi_obs = hs_gistar_stat(zi, obs_sum, inv_den);
    double li_obs = hs_lisa_stat(coef, obs_sum);
    int do_gi = job->gi_ge && isfinite(gi_obs);
    int do_li = job->lisa_ge && isfinite(li_obs);
    double gi_thr = hs_perm_threshold(gi_obs), li_thr = hs_perm_threshold(li_obs);
    int gi_ge = 0, li_ge = 0;
    uint32_t thr = hs_rng_threshold((uint32_t)(n - 1));
    uint64_t key = hs_rng_unit_key(job->seed, (uint64_t)i);
    if (!do_gi && !do_li)
        R = 0;
    for (int r = 0; r < R; r++) {
        hs_rng rng;
        hs_rng_init_key(&rng, key, (uint64_t)r);
        double s = 0;
        if (k <= PERM_REJECT_MAX) {
            s = draw_reject_sum(&rng, n, i, k, thr, drawn, zc);
        } else {
            /* idx is the identity permutation except that unit i sits at n-1,
             * so positions 0..n-2 hold exactly the other units. */
            for (int t = 0; t < k; t++) {
                int p = t + (int)hs_rng_below(&rng, (uint32_t)(n - 1 - t));
                int tmp = idx[t];
                idx[t] = idx[p];
                idx[p] = tmp;
                drawn[t] = p;
                s += zc[idx[t]];
            }
            for (int t = k - 1; t >= 0; t--) { /* undo the swaps in reverse order */
                int p = drawn[t], tmp = idx[t];
                idx[t] = idx[p];
                idx[p] = tmp;
            }
        }
        /* Both statistics come from the same draw: Gi* and LISA share the work. */
        gi_ge += hs_gistar_stat(zi, s, inv_den) >= gi_thr;
        li_ge += hs_lisa_stat(coef, s) >= li_thr;
    }
    if (job->gi_ge)
        job->gi_ge[i] = do_gi ? gi_ge : -1;
    if (job->lisa_ge)
        job->lisa_ge[i] = do_li ? li_ge : -1;
}

static void *perm_worker(void *arg)
{
    perm_job *job = arg;
    int n = job->w->n, maxk = 0;
    for (int i = 0; i < n; i++)
        if (hs_weights_card(job->w, i) > maxk)
            maxk = hs_weights_card(job->w, i);
    int *idx = NULL;
    int *drawn = malloc(((size_t)maxk + 1) * sizeof *drawn);
    if (maxk > PERM_REJECT_MAX)
        idx = malloc((size_t)n * sizeof *idx);
    if (!drawn || (maxk > PERM_REJECT_MAX && !idx)) {
        atomic_store(&job->failed, 1);
        free(drawn);
        free(idx);
        return NULL;
    }
    if (idx)
        for (int j = 0; j < n; j++)
            idx[j] = j;
    for (;;) {
        int b = atomic_fetch_add(&job->next, PERM_BLOCK);
        if (b >= n)
            break;
        int e = b + PERM_BLOCK < n ? b + PERM_BLOCK : n;
        for (int i = b; i < e; i++) {
            /* Park unit i at position n-1 (and restore afterwards) so that
             * positions 0..n-2 hold exactly the other units. */
            int big = idx && hs_weights_card(job->w, i) > PERM_REJECT_MAX;
            if (big) {
                idx[i] = n - 1;
                idx[n - 1] = i;
            }
            perm_unit(job, i, idx, drawn);
            if (big) {
                idx[i] = i;
                idx[n - 1] = n - 1;
            }
        }
    }
    free(drawn);
    free(idx);
    return NULL;
}

int hs_perm_local(const hs_weights *w, const double *x, const hs_perm_opt *opt, int *gi_ge,
                  int *lisa_ge, hs_err *err)
{
    int rc = hs_perm_opt_check(opt, err);
    if (rc < 0)
        return rc;
    perm_job job;
    memset(&job, 0, sizeof job);
    rc = hs_moments_compute(x, w->n, &job.mom, err);
    if (rc < 0)
        return rc;
    int n = w->n;
    double *zc = malloc((size_t)n * sizeof *zc);
    if (!zc)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d centred values", n);
    for (int i = 0; i < n; i++)
        zc[i] = x[i] - job.mom.mean;
    job.w = w;
    job.zc = zc;
    job.R = opt->permutations;
    job.seed = opt->seed;
    job.gi_ge = gi_ge;
    job.lisa_ge = lisa_ge;
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, 0);

    int nt = opt->threads;
    if (nt > (n + PERM_BLOCK - 1) / PERM_BLOCK)
        nt = (n + PERM_BLOCK - 1) / PERM_BLOCK;
    pthread_t tid[HS_PERM_THREADS_MAX];
    int started = 0;
    for (int t = 1; t < nt; t++) {
        if (pthread_create(&tid[started], NULL, perm_worker, &job) != 0)
            break; /* fewer threads only changes speed, never results */
        started++;
    }
    perm_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    free(zc);
    if (atomic_load(&job.failed))
        return hs_err_set(err, HS_ENOMEM, "cannot allocate permutation work space for %d units",
                          n);
    return HS_OK;
}
