#include "hs_moran.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hs_rng.h"

/* sum_i z_i * mean_{j in N_i} z_j: the only part of I that changes under permutation. */
static double cross_sum(const hs_weights *w, const double *z)
{
    double s = 0;
    for (int i = 0; i < w->n; i++) {
        int k = hs_weights_card(w, i);
        if (k == 0)
            continue;
        double l = 0;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            l += z[w->nbr[e]];
        s += z[i] * (l / k);
    }
    return s;
}

static double row_weight(const hs_weights *w, int i, int j)
{
    int lo = w->start[i], hi = w->start[i + 1] - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (w->nbr[mid] == j)
            return 1.0 / hs_weights_card(w, i);
        if (w->nbr[mid] < j)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return 0.0;
}

typedef struct moran_job {
    const hs_weights *w;
    const double *z;
    double *sims;
    int R;
    uint64_t seed;
    atomic_int next;
    atomic_int failed;
    const atomic_int *cancel;
} moran_job;

static void *moran_worker(void *arg)
{
    moran_job *job = arg;
    int n = job->w->n;
    double *buf = malloc((size_t)n * sizeof *buf);
    if (!buf) {
        atomic_store(&job->failed, 1);
        return NULL;
    }
    for (;;) {
        int r = atomic_fetch_add(&job->next, 1);
        if (r >= job->R || hs_cancel_reason(job->cancel))
            break;
        /* Fisher–Yates from the original order, driven only by replicate r's stream. */
        memcpy(buf, job->z, (size_t)n * sizeof *buf);
        hs_rng rng;
        hs_rng_init(&rng, job->seed, HS_RNG_UNIT_GLOBAL, (uint64_t)r);
        for (int i = n - 1; i > 0; i--) {
            int j = (int)hs_rng_below(&rng, (uint32_t)(i + 1));
            double t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        job->sims[r] = cross_sum(job->w, buf);
    }
    free(buf);
    return NULL;
}

int hs_moran_global_test(const hs_weights *w, const double *x, const hs_perm_opt *opt,
                         hs_moran_global *out, hs_err *err)
{
    if (!w || !x || !opt || !out)
        return hs_err_set(err, HS_EINVAL, "weights, x, options and output must not be NULL");
    int rc = hs_perm_opt_check(opt, err);
    if (rc < 0)
        return rc;
    hs_moments m;
    if ((rc = hs_moments_compute(x, w->n, &m, err)) < 0)
        return rc;
    int n = w->n, nu = 0;
    for (int i = 0; i < n; i++)
        nu += hs_weights_card(w, i) > 0;
    if (nu < 4)
        return hs_err_set(err, HS_EINVAL, "global Moran's I needs 4 units with neighbours (%d)",
                          nu);
    memset(out, 0, sizeof *out);
    double *z = malloc((size_t)n * sizeof *z);
    if (!z)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d values", n);
    double zz = 0, z4 = 0;
    for (int i = 0; i < n; i++) {
        z[i] = x[i] - m.mean;
        zz += z[i] * z[i];
        z4 += z[i] * z[i] * z[i] * z[i];
    }
    /* Weight constants (spdep spweights.constants): S0 = rows with neighbours. */
    double S0 = nu, S1 = 0, S2 = 0;
    double *cs = calloc((size_t)n, sizeof *cs);
    if (!cs) {
        free(z);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d column sums", n);
    }
    for (int i = 0; i < n; i++) {
        int k = hs_weights_card(w, i);
        for (int e = w->start[i]; e < w->start[i + 1]; e++) {
            int j = w->nbr[e];
            double wij = 1.0 / k, wji = row_weight(w, j, i);
            S1 += wij * wij + wij * wji;
            cs[j] += wij;
        }
    }
    for (int i = 0; i < n; i++) {
        double rs = hs_weights_card(w, i) > 0 ? 1.0 : 0.0;
        S2 += (rs + cs[i]) * (rs + cs[i]);
    }
    free(cs);
    double N = nu, nn = N * N, S02 = S0 * S0;
    double K = (n * z4) / (zz * zz);
    out->n_used = nu;
    out->i = (N / S0) * (cross_sum(w, z) / zz);
    out->e = -1.0 / (N - 1);
    double vi = N * (S1 * (nn - 3 * N + 3) - N * S2 + 3 * S02);
    double tmp = K * (S1 * (nn - N) - 2 * N * S2 + 6 * S02);
    out->var_rand = (vi - tmp) / ((N - 1) * (N - 2) * (N - 3) * S02) - out->e * out->e;
    out->var_norm = (nn * S1 - N * S2 + 3 * S02) / (S02 * (nn - 1)) - out->e * out->e;
    out->z = out->var_rand > 0 ? (out->i - out->e) / sqrt(out->var_rand) : NAN;
    out->p = isfinite(out->z) ? 0.5 * erfc(out->z / sqrt(2.0)) : NAN;
    out->permutations = opt->permutations;
    out->p_sim = out->sim_mean = out->sim_sd = NAN;
    int R = opt->permutations;
    if (R > 0) {
        moran_job job;
        memset(&job, 0, sizeof job);
        job.w = w;
        job.z = z;
        job.R = R;
        job.seed = opt->seed;
        job.cancel = opt->cancel;
        job.sims = malloc((size_t)R * sizeof *job.sims);
        if (!job.sims) {
            free(z);
            return hs_err_set(err, HS_ENOMEM, "cannot allocate %d simulated values", R);
        }
        atomic_init(&job.next, 0);
        atomic_init(&job.failed, 0);
        pthread_t tid[HS_PERM_THREADS_MAX];
        int started = 0;
        for (int t = 1; t < opt->threads && t < R; t++)
            if (pthread_create(&tid[started], NULL, moran_worker, &job) == 0)
                started++;
        moran_worker(&job);
        for (int t = 0; t < started; t++)
            pthread_join(tid[t], NULL);
        if (atomic_load(&job.failed)) {
            free(job.sims);
            free(z);
            return hs_err_set(err, HS_ENOMEM, "cannot allocate permutation buffers");
        }
        if (hs_cancel_reason(opt->cancel)) {
            free(job.sims);
            free(z);
            return hs_cancel_error(opt->cancel, "the global Moran permutation test", err);
        }
        /* Same formula as the observed I; replicate order is fixed, so sums are too. */
        double obs = out->i, s = 0, s2 = 0;
        int ge = 0;
        for (int r = 0; r < R; r++) {
            double v = (N / S0) * (job.sims[r] / zz);
            ge += hs_perm_ge(v, obs);
            s += v;
            s2 += v * v;
        }
        out->p_sim = (ge + 1.0) / (R + 1.0);
        out->sim_mean = s / R;
        out->sim_sd = R > 1 ? sqrt(fmax(0.0, (s2 - s * s / R) / (R - 1))) : NAN;
        free(job.sims);
    }
    free(z);
    return HS_OK;
}
