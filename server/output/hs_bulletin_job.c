/* hs_bulletin_job: gathers a province bulletin's figures and renders it (hs_bulletin_job.h). */
#include "hs_bulletin_job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_bulletin.h"
#include "hs_classify.h"
#include "hs_data.h"
#include "hs_mapjob.h"
#include "hs_period.h"
#include "hs_perm.h"
#include "hs_pipeline.h"
#include "hs_publish.h" /* HS_PUBLISH_INTERNAL_MARK: one spelling of the internal mark */

#define PERIOD_FORMS "expected YYYY-QN (a quarter, N 1..4), YYYY (a year), YYYY-MM or YYYY-MM..YYYY-MM"

/* 1 when s[0..n) is exactly one "YYYY-MM" month; its message is not needed (the
 * caller names every accepted form). */
static int month_of(const char *s, size_t n, int *out)
{
    char buf[16];
    if (n != 7)
        return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    hs_err e = {0};
    return hs_period_parse(buf, "--period", out, &e) == HS_OK;
}

int hs_bulletin_period_parse(const char *s, int *from, int *to, hs_err *err)
{
    int y = 0, q = 0;
    char tail = 0;
    if (!s || !*s)
        return hs_err_set(err, HS_EINVAL, "--period is required: " PERIOD_FORMS);
    size_t n = strlen(s);
    const char *dots = strstr(s, "..");
    if (n == 7 && sscanf(s, "%4d-Q%1d%c", &y, &q, &tail) == 2) {
        if (q < 1 || q > 4)
            return hs_err_set(err, HS_EINVAL, "--period %s: quarter %d does not exist; " PERIOD_FORMS,
                              s, q);
        *from = HS_PERIOD(y, 3 * q - 2);
        *to = *from + 2;
    } else if (n == 4 && sscanf(s, "%4d%c", &y, &tail) == 1) {
        *from = HS_PERIOD(y, 1);
        *to = HS_PERIOD(y, 12);
    } else if (dots && month_of(s, (size_t)(dots - s), from) &&
               month_of(dots + 2, strlen(dots + 2), to)) {
        if (*from > *to)
            return hs_err_set(err, HS_EINVAL, "--period %s: the first month is after the last", s);
    } else if (n == 7 && month_of(s, n, from)) {
        *to = *from;
    } else {
        return hs_err_set(err, HS_EINVAL, "--period '%.40s': " PERIOD_FORMS, s);
    }
    y = hs_period_year(*from);
    if (y < HS_PERIOD_MIN_YEAR || hs_period_year(*to) > HS_PERIOD_MAX_YEAR)
        return hs_err_set(err, HS_EINVAL, "--period %s: year out of range (%d..%d)", s,
                          HS_PERIOD_MIN_YEAR, HS_PERIOD_MAX_YEAR);
    /* The trend chart holds the whole window: its bar cap bounds the window. */
    if (*to - *from + 1 > HS_BULLETIN_MAX_MONTHS)
        return hs_err_set(err, HS_EINVAL, "--period %s: %d months; a bulletin covers at most %d",
                          s, *to - *from + 1, HS_BULLETIN_MAX_MONTHS);
    return HS_OK;
}

/* The province itself (one unit) and the period inside the data, each error naming
 * its parameter. */
static int check_inputs(PGconn *c, const hs_params *p, const char *period, hs_unitset **prov,
                        int *first, hs_err *err)
{
    int last = 0;
    int rc = hs_data_load_units(c, HS_LEVEL_PROVINCE, p->province, hs_period_year(p->to), prov, err);
    if (rc == HS_ENOTFOUND)
        return hs_err_set(err, HS_ENOTFOUND, "--province %s: not a province code in the database "
                          "(list them with `hotspot analyze --level province`)", p->province);
    if (rc < 0)
        return rc;
    if ((rc = hs_data_period_range(c, first, &last, err)) < 0)
        return rc;
    if (p->from < *first || p->to > last) {
        char a[8], b[8];
        hs_period_format(*first, a, sizeof a);
        hs_period_format(last, b, sizeof b);
        return hs_err_set(err, HS_ENOTFOUND, "--period %s is not inside the data (%s to %s)",
                          period, a, b);
    }
    return HS_OK;
}

static int series_total(PGconn *c, const hs_unitset *u, hs_indicator ind, int from, int to,
                        double *total, hs_err *err)
{
    hs_series *s = NULL;
    int rc = hs_data_load_series(c, u, ind, from, to, &s, err);
    if (rc == HS_OK)
        *total = s->total;
    hs_series_free(s);
    return rc;
}

/* Monthly cases and outreach events of the province (one unit) from tf to tt. */
static int trend(PGconn *c, const hs_unitset *prov, int tf, int tt, double *cases, double *events,
                 hs_err *err)
{
    hs_series *s = NULL;
    int rc = hs_data_load_series(c, prov, HS_IND_CASES, tf, tt, &s, err);
    for (int t = 0; rc == HS_OK && t < s->T; t++)
        cases[t] = s->v[t];
    hs_series_free(s);
    s = NULL;
    if (rc == HS_OK)
        rc = hs_data_load_series(c, prov, HS_IND_OUTREACH_EVENTS, tf, tt, &s, err);
    for (int t = 0; rc == HS_OK && t < s->T; t++)
        events[t] = s->v[t];
    hs_series_free(s);
    return rc;
}

typedef struct gathered {
    int *gi_class, *months_since;
    hs_bulletin_priority prio[HS_BULLETIN_MAX_PRIORITIES];
    double cases[HS_BULLETIN_MAX_MONTHS], events[HS_BULLETIN_MAX_MONTHS];
} gathered;

/* Per-commune arrays and the priority list out of the run (borrowing its strings). */
static int from_run(const hs_run *r, gathered *g, hs_bulletin *b, hs_err *err)
{
    const hs_unitset *u = r->u;
    if (u->n > HS_BULLETIN_MAX_UNITS)
        return hs_err_set(err, HS_ELIMIT, "--province %s has %d communes; a bulletin takes at "
                          "most %d", r->prm.province, u->n, HS_BULLETIN_MAX_UNITS);
    g->gi_class = malloc((size_t)u->n * sizeof *g->gi_class);
    g->months_since = malloc((size_t)u->n * sizeof *g->months_since);
    if (!g->gi_class || !g->months_since)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d communes", u->n);
    for (int i = 0; i < u->n; i++) {
        g->gi_class[i] = r->gi->isolated[i] ? -1 : hs_scheme_gistar_class(r->gi->bin[i]);
        g->months_since[i] = r->outreach->months_since_event[i];
    }
    b->n_units = u->n;
    b->gi_class = g->gi_class;
    b->cases = r->count;
    b->events = r->outreach->events;
    b->population = u->population;
    b->months_since = g->months_since;
    int np = r->risk->n_priorities;
    if (np > HS_BULLETIN_MAX_PRIORITIES)
        np = HS_BULLETIN_MAX_PRIORITIES;
    for (int k = 0; k < np; k++) {
        const hs_priority *pr = &r->risk->priorities[k];
        int i = pr->unit;
        g->prio[k] = (hs_bulletin_priority){
            .rank = pr->rank, .code = u->code[i], .name = u->name[i],
            .gi_class = g->gi_class[i], .score = pr->score, .eb_rate = r->eb_rate[i],
            .cases = r->count[i], .events = r->outreach->events[i],
            .months_since = r->outreach->months_since_event[i],
            .reason_vi = pr->reason_vi, .reason_en = pr->reason_en};
    }
    b->n_priorities = np;
    b->priorities = g->prio;
    const hs_risk_weights *w = &r->risk->opts.w;
    double sw = w->rate + w->gi + w->border + w->trend;
    if (sw <= 0)
        sw = 1;
    b->risk_w[0] = w->rate / sw;
    b->risk_w[1] = w->gi / sw;
    b->risk_w[2] = w->border / sw;
    b->risk_w[3] = w->trend / sw;
    b->window_months = r->risk->opts.window_months;
    b->variable = hs_variable_name(r->prm.variable);
    b->permutations = r->prm.permutations;
    b->perm_lookup = r->prm.perm_method == HS_PERM_LOOKUP;
    b->seed = r->prm.seed;
    b->fdr = r->prm.fdr;
    b->synthetic = r->synthetic;
    b->data_version = r->data_version;
    return HS_OK;
}

int hs_bulletin_job_build(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                          const hs_params *p, const hs_map_opts *o, const char *period,
                          const char *now, hs_buf *pdf, hs_bulletin_info *info, hs_err *err)
{
    memset(info, 0, sizeof *info);
    if (!p->province[0] || p->level != HS_LEVEL_COMMUNE)
        return hs_err_set(err, HS_EINVAL, "--province is required: a bulletin covers the "
                          "communes of one province");
    hs_unitset *prov = NULL;
    hs_analysis_result res = {0};
    hs_mapjob *job = NULL;
    gathered *ga = calloc(1, sizeof *ga);
    int first = 0;
    int rc = ga ? check_inputs(c, p, period, &prov, &first, err)
                : hs_err_set(err, HS_ENOMEM, "cannot allocate a bulletin");
    if (rc == HS_OK && (rc = hs_pipeline_run_kind(c, HS_ANALYSIS_MAIN, p, &res, err)) == HS_ENOTFOUND) {
        /* The province exists (checked above): what is missing is cases in the window.
         * Gi* and the priority list are undefined there, as for /api/priorities. */
        hs_err why = *err;
        rc = hs_err_set(err, HS_ENOTFOUND, "--period %s: %s", period, why.msg);
    }
    if (rc == HS_OK)
        rc = hs_mapjob_build(g, pc, p, o, &res, now, &job, err);
    hs_bulletin b = {.province_code = p->province, .period = period, .from = p->from,
                     .to = p->to, .generated_at = now, .mark = HS_PUBLISH_INTERNAL_MARK,
                     .cases_prev = NAN};
    if (rc == HS_OK) {
        b.province_name = prov->name[0];
        b.map = hs_mapjob_spec(job);
        b.map_extent = *hs_mapjob_extent(job);
        rc = from_run(res.run, ga, &b, err);
    }
    /* The trend: 24 months ending with the period (all of a longer period: at most
     * 36 months, hs_bulletin_period_parse), never before the data start. */
    int len = p->to - p->from + 1;
    int tf = p->to - (HS_BULLETIN_TREND_MONTHS - 1);
    if (tf > p->from)
        tf = p->from;
    if (tf < first)
        tf = first;
    if (rc == HS_OK) {
        b.trend_from = tf;
        b.trend_n = p->to - tf + 1;
        b.trend_cases = ga->cases;
        b.trend_events = ga->events;
        rc = trend(c, prov, tf, p->to, ga->cases, ga->events, err);
    }
    if (rc == HS_OK && p->from - len >= first)
        rc = series_total(c, prov, HS_IND_CASES, p->from - len, p->from - 1, &b.cases_prev, err);
    int pages = 0;
    if (rc == HS_OK)
        rc = hs_bulletin_pdf(rctx, &b, pdf, &pages, err);
    if (rc == HS_OK) {
        info->pages = pages;
        info->synthetic = b.synthetic;
        info->data_version = b.data_version;
        snprintf(info->province_name, sizeof info->province_name, "%s", b.province_name);
    }
    hs_mapjob_free(job);
    hs_analysis_result_clear(&res);
    hs_unitset_free(prov);
    if (ga) {
        free(ga->gi_class);
        free(ga->months_since);
        free(ga);
    }
    return rc;
}
