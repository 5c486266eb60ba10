#include "hs_pipeline.h"

#include "hs_cancel.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_clock.h"
#include "hs_mk.h"
#include "hs_period.h"
#include "hs_rates.h"

int hs_pipeline_last_period(PGconn *c, int *last, hs_err *err)
{
    int first;
    return hs_data_period_range(c, &first, last, err);
}

void hs_run_free(hs_run *r)
{
    if (!r)
        return;
    hs_run_wait_moran(r, NULL); /* it reads r->w and r->x */
    hs_unitset_free(r->u);
    hs_series_free(r->series);
    hs_weights_free(r->w);
    free(r->count);
    free(r->rate);
    free(r->eb_rate);
    free(r->eb_local);
    free(r->eb_z);
    hs_gistar_result_free(r->gi);
    hs_lisa_result_free(r->lisa);
    free(r->trend_z);
    free(r->trend_p);
    hs_outreach_free(r->outreach);
    hs_risk_result_free(r->risk);
    free(r);
}

/* Builds the requested weights. Queen comes from hs.unit_adjacency (computed in
 * PostGIS); knn and distance bands from centroids in metres. */
static int build_weights(const hs_unitset *u, const hs_params *p, hs_weights **w, hs_err *err)
{
    int rc;
    switch (p->wkind) {
    case HS_WKIND_KNN:
        if (p->knn_k >= u->n)
            return hs_err_set(err, HS_EINVAL, "weights knn:%d needs more than %d units; there are %d",
                              p->knn_k, p->knn_k, u->n);
        rc = hs_weights_knn(u->n, u->x_m, u->y_m, p->knn_k, w, err);
        break;
    case HS_WKIND_DIST:
        rc = hs_weights_distance_band(u->n, u->x_m, u->y_m, p->dist_km * 1000.0, w, err);
        break;
    default:
        rc = hs_weights_from_pairs(u->n, u->adj_a, u->adj_b, u->nadj, w, err);
    }
    if (rc == HS_OK && p->attach_isolated)
        rc = hs_weights_attach_isolated(*w, u->x_m, u->y_m, err);
    return rc;
}

static double *dalloc(int n, hs_err *err)
{
    double *v = calloc(n > 0 ? (size_t)n : 1, sizeof *v);
    if (!v)
        hs_err_set(err, HS_ENOMEM, "cannot allocate %d values", n);
    return v;
}

/* Loads units and the indicator's series for p: the common first step. */
static int load_inputs(PGconn *c, const hs_params *p, hs_unitset **u, hs_series **s,
                       int *synthetic, hs_err *err)
{
    int rc = hs_data_load_units(c, p->level, p->province, hs_period_year(p->to), u, err);
    if (rc < 0)
        return rc;
    if ((*u)->n < 3)
        return hs_err_set(err, HS_EINVAL, "only %d units selected; local statistics need at least 3",
                          (*u)->n);
    if ((rc = hs_data_load_series(c, *u, p->indicator, p->from, p->to, s, err)) < 0)
        return rc;
    if ((*s)->total <= 0) {
        char f[8], t[8];
        hs_period_format(p->from, f, sizeof f);
        hs_period_format(p->to, t, sizeof t);
        return hs_err_set(err, HS_ENOTFOUND, "no %s recorded from %s to %s%s%s; choose another "
                          "window (see /api/meta for the periods with data)",
                          hs_indicator_name(p->indicator), f, t, p->province[0] ? " in province " : "",
                          p->province);
    }
    return hs_data_is_synthetic(c, synthetic, err);
}

static int compute_rates(hs_run *r, hs_err *err)
{
    int n = r->u->n;
    if (!(r->count = dalloc(n, err)) || !(r->rate = dalloc(n, err)) ||
        !(r->eb_rate = dalloc(n, err)) || !(r->eb_local = dalloc(n, err)) ||
        !(r->eb_z = dalloc(n, err)))
        return err->code;
    hs_series_totals(r->series, r->count);
    int rc = hs_rates_crude(n, r->count, r->u->population, r->rate, err);
    if (rc == HS_OK)
        rc = hs_rates_eb_global(n, r->count, r->u->population, r->eb_rate, r->eb_z, NULL, err);
    if (rc == HS_OK)
        rc = hs_rates_eb_local(r->w, r->count, r->u->population, r->eb_local, err);
    if (rc < 0)
        return rc;
    switch (r->prm.variable) {
    case HS_VAR_COUNT: r->x = r->count; break;
    /* A unit without population has no crude rate; it enters Gi* at the global
     * rate so it neither creates nor hides a hot spot. */
    case HS_VAR_RATE: {
        double tot_c = 0, tot_p = 0;
        for (int i = 0; i < n; i++)
            if (r->u->population[i] > 0) {
                tot_c += r->count[i];
                tot_p += r->u->population[i];
            }
        for (int i = 0; i < n; i++)
            if (!isfinite(r->rate[i]))
                r->rate[i] = tot_p > 0 ? 1e5 * tot_c / tot_p : 0;
        r->x = r->rate;
        break;
    }
    case HS_VAR_EB_Z: r->x = r->eb_z; break;
    default: r->x = r->eb_rate;
    }
    return HS_OK;
}

static int compute_local(hs_run *r, hs_err *err)
{
    hs_gistar_opt gopt;
    hs_gistar_opt_default(&gopt);
    gopt.perm.permutations = r->prm.permutations;
    gopt.perm.seed = r->prm.seed;
    gopt.perm.method = r->prm.perm_method;
    gopt.perm.threads = r->prm.threads;
    gopt.perm.cancel = hs_cancel_current(); /* a heavy HTTP job's flag, or NULL */
    gopt.bin_fdr = r->prm.fdr;
    hs_lisa_opt lopt;
    hs_lisa_opt_default(&lopt);
    lopt.perm = gopt.perm;
    lopt.sig_fdr = r->prm.fdr;
    if (r->prm.permutations == 0)
        lopt.sig_p = HS_P_ANALYTIC;
    return hs_local_both(r->w, r->x, &gopt, &lopt, &r->gi, &r->lisa, err);
}

/* The global Moran test reads only the weights and x and writes only r->moran, so
 * it runs on a thread of its own beside what follows the local statistics: trend,
 * risk and the caller's table are single-threaded, and the second core was idle for
 * them (about 10 ms of `hotspot analyze` at n = 10,609). Its own threads
 * (prm.threads) still share its replicates; the seeds are per replicate, so the
 * result does not depend on how they are shared. */
struct hs_moran_task {
    hs_run *r;
    const atomic_int *cancel; /* the caller's flag: hs_cancel_current is per thread */
    pthread_t tid;
    int started, rc;
    double ms;
    hs_err err;
};

static void *moran_run(void *arg)
{
    hs_moran_task *m = arg;
    double t0 = hs_clock_now();
    hs_perm_opt mopt;
    hs_perm_opt_default(&mopt);
    mopt.permutations = m->r->prm.permutations;
    mopt.seed = m->r->prm.seed;
    mopt.threads = m->r->prm.threads;
    mopt.cancel = m->cancel;
    m->rc = hs_moran_global_test(m->r->w, m->r->x, &mopt, &m->r->moran, &m->err);
    m->ms = 1e3 * (hs_clock_now() - t0);
    return NULL;
}

static int moran_start(hs_run *r, hs_err *err)
{
    hs_moran_task *m = calloc(1, sizeof *m);
    if (!m)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the global Moran test");
    *m = (hs_moran_task){.r = r, .cancel = hs_cancel_current()};
    m->started = pthread_create(&m->tid, NULL, moran_run, m) == 0;
    if (!m->started)
        moran_run(m); /* no thread: the same work, in line */
    r->moran_task = m;
    return HS_OK;
}

int hs_run_wait_moran(hs_run *r, hs_err *err)
{
    hs_moran_task *m = r->moran_task;
    if (!m)
        return r->moran_rc;
    if (m->started)
        pthread_join(m->tid, NULL);
    if (r->prm.timing)
        fprintf(stderr, "hotspot timing: %-8s %8.2f ms (on its own thread)\n", "moran", m->ms);
    r->moran_rc = m->rc;
    if (m->rc < 0 && err)
        *err = m->err;
    free(m);
    r->moran_task = NULL;
    return r->moran_rc;
}

static int compute_trend(hs_run *r, hs_err *err)
{
    int n = r->u->n, T = r->series->T;
    if (!(r->trend_z = dalloc(n, err)) || !(r->trend_p = dalloc(n, err)))
        return err->code;
    for (int i = 0; i < n; i++) {
        hs_mk mk;
        int rc = hs_mk_test(r->series->v + (size_t)i * (size_t)T, T, &mk, err);
        if (rc < 0)
            return rc;
        r->trend_z[i] = mk.z;
        r->trend_p[i] = mk.p;
    }
    return HS_OK;
}

static int compute_risk(hs_run *r, PGconn *c, hs_err *err)
{
    int rc = hs_data_load_outreach(c, r->u, r->prm.from, r->prm.to, &r->outreach, err);
    if (rc < 0)
        return rc;
    int n = r->u->n;
    double *months = dalloc(n, err);
    if (!months)
        return err->code;
    for (int i = 0; i < n; i++)
        months[i] = r->outreach->months_since_event[i] < 0 ? NAN : r->outreach->months_since_event[i];
    hs_risk_input in = {
        .n = n,
        .eb_rate = r->eb_rate,
        .population = r->u->population,
        .gi_z = r->gi->z,
        .gi_p = r->prm.fdr ? r->gi->p_fdr : r->gi->p,
        .border_km = r->u->border_km,
        .border_country = (const char *const *)r->u->border_country,
        .trend_z = r->trend_z,
        .trend_p = r->trend_p,
        .outreach_events = r->outreach->events,
        .outreach_participants = r->outreach->participants,
        .months_since_outreach = months,
    };
    hs_risk_opts ropt;
    hs_risk_opts_default(&ropt);
    ropt.top_k = r->prm.top;
    ropt.window_months = r->prm.to - r->prm.from + 1;
    rc = hs_risk(&in, &ropt, &r->risk, err);
    free(months);
    return rc;
}

/* --timing: one line per stage on stderr, so a slow stage is found without a profiler. */
static void stage_done(const hs_params *p, const char *stage, double *t)
{
    double now = hs_clock_now();
    if (p->timing)
        fprintf(stderr, "hotspot timing: %-8s %8.2f ms\n", stage, 1e3 * (now - *t));
    *t = now;
}

int hs_run_analysis(PGconn *c, const hs_params *p, unsigned extras, hs_run **out, hs_err *err)
{
    *out = NULL;
    hs_run *r = calloc(1, sizeof *r);
    if (!r)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate an analysis");
    r->prm = *p;
    double t = hs_clock_now();
    int rc = load_inputs(c, p, &r->u, &r->series, &r->synthetic, err);
    if (rc == HS_OK)
        rc = hs_data_version(c, &r->data_version, err);
    stage_done(p, "data", &t);
    if (rc == HS_OK)
        rc = build_weights(r->u, p, &r->w, err);
    stage_done(p, "weights", &t);
    if (rc == HS_OK)
        rc = compute_rates(r, err);
    stage_done(p, "rates", &t);
    if (rc == HS_OK)
        rc = compute_local(r, err);
    stage_done(p, "local", &t);
    if (rc == HS_OK && (extras & HS_RUN_MORAN))
        rc = moran_start(r, err);
    if (rc == HS_OK)
        rc = compute_trend(r, err);
    stage_done(p, "trend", &t);
    if (rc == HS_OK)
        rc = compute_risk(r, c, err);
    stage_done(p, "risk", &t);
    if (rc < 0) {
        hs_run_free(r);
        return rc;
    }
    *out = r;
    return HS_OK;
}

int hs_run_scan(PGconn *c, const hs_params *p, hs_unitset **units, hs_scan_result **out,
                int *synthetic, hs_err *err)
{
    *units = NULL;
    *out = NULL;
    hs_series *s = NULL;
    int rc = load_inputs(c, p, units, &s, synthetic, err);
    double *cases = rc == HS_OK ? dalloc((*units)->n, err) : NULL;
    if (rc == HS_OK && !cases)
        rc = err->code;
    if (rc == HS_OK) {
        hs_series_totals(s, cases);
        hs_scan_opts opt;
        hs_scan_opts_default(&opt);
        opt.max_pop_share = p->max_pop_share;
        opt.replicas = p->permutations;
        opt.seed = p->seed;
        opt.threads = p->threads;
        opt.cancel = hs_cancel_current(); /* a heavy HTTP job's flag, or NULL */
        rc = hs_scan_poisson((*units)->n, (*units)->x_m, (*units)->y_m, cases,
                             (*units)->population, &opt, out, err);
    }
    free(cases);
    hs_series_free(s);
    if (rc < 0) {
        hs_unitset_free(*units);
        *units = NULL;
    }
    return rc;
}

/* Sums months into quarters (step 3) or keeps months (step 1); per-capita rates
 * would add little here since population is constant over the window. */
static int step_matrix(const hs_series *s, int step, double **out, int *T_out, hs_err *err)
{
    int T = (s->T + step - 1) / step;
    double *x = calloc((size_t)s->n * (size_t)T, sizeof *x);
    if (!x)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d x %d steps", s->n, T);
    for (int i = 0; i < s->n; i++)
        for (int t = 0; t < s->T; t++)
            x[(size_t)i * (size_t)T + (size_t)(t / step)] += s->v[(size_t)i * (size_t)s->T + (size_t)t];
    *out = x;
    *T_out = T;
    return HS_OK;
}

int hs_run_emerging(PGconn *c, const hs_params *p, hs_unitset **units, hs_emerging_result **out,
                    int *synthetic, hs_err *err)
{
    *units = NULL;
    *out = NULL;
    hs_series *s = NULL;
    hs_weights *w = NULL;
    double *x = NULL;
    int T = 0;
    int rc = load_inputs(c, p, units, &s, synthetic, err);
    if (rc == HS_OK && s->T / p->step_months < 4)
        rc = hs_err_set(err, HS_EINVAL, "emerging hot spots need at least 4 time steps; the window "
                        "from..to holds %d %s", s->T / p->step_months,
                        p->step_months == 3 ? "quarters" : "months");
    if (rc == HS_OK)
        rc = build_weights(*units, p, &w, err);
    if (rc == HS_OK)
        rc = step_matrix(s, p->step_months, &x, &T, err);
    if (rc == HS_OK) {
        hs_emerging_opts opt;
        hs_emerging_opts_default(&opt);
        opt.bin_fdr = p->fdr;
        rc = hs_emerging(w, T, x, &opt, out, err);
    }
    free(x);
    hs_weights_free(w);
    hs_series_free(s);
    if (rc < 0) {
        hs_unitset_free(*units);
        *units = NULL;
    }
    return rc;
}

int hs_pipeline_run_kind(PGconn *c, hs_analysis_kind kind, const hs_params *p,
                         hs_analysis_result *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    out->kind = kind;
    int rc;
    if (kind == HS_ANALYSIS_SCAN)
        rc = hs_run_scan(c, p, &out->units, &out->scan, &out->synthetic, err);
    else if (kind == HS_ANALYSIS_EMERGING)
        rc = hs_run_emerging(c, p, &out->units, &out->emerging, &out->synthetic, err);
    else if ((rc = hs_run_analysis(c, p, 0, &out->run, err)) == HS_OK)
        out->synthetic = out->run->synthetic;
    return rc;
}

void hs_analysis_result_clear(hs_analysis_result *r)
{
    if (!r)
        return;
    hs_run_free(r->run);
    hs_unitset_free(r->units);
    hs_scan_result_free(r->scan);
    hs_emerging_result_free(r->emerging);
    memset(r, 0, sizeof *r);
}
