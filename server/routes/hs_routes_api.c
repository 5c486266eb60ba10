/* The analysis API: /api/analyze, /api/priorities, /api/scan, /api/emerging and
 * /api/units.
 *
 * Answers are deterministic given (data version, canonical parameters) -- every
 * random draw derives from the seed -- so they go through hs_resp_cached: computed
 * once, merged when requested concurrently, served with an ETag, and dropped when
 * NOTIFY announces new data. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_catalog.h"
#include "hs_dbwatch.h"
#include "hs_export.h"
#include "hs_pipeline.h"
#include "hs_report.h"
#include "hs_routes_api.h"
#include "hs_unitcode.h"

typedef struct api_route {
    hs_report_kind kind;
    unsigned accept;
    const hs_routes_shared *sh; /* the period memo (set at registration) */
} api_route;

static const api_route routes[] = {
    {HS_REPORT_ANALYZE, HS_P_STATS | HS_P_OUTPUT, NULL},
    {HS_REPORT_PRIORITIES, HS_P_STATS | HS_P_OUTPUT | HS_P_TOP, NULL},
    {HS_REPORT_SCAN, HS_P_SCAN | HS_P_OUTPUT, NULL},
    {HS_REPORT_EMERGING, HS_P_EMERGING | HS_P_OUTPUT, NULL},
};

typedef struct api_job {
    hs_req *req;
    const api_route *route;
    hs_params p;
    const hs_export_format *fmt;
} api_job;

static int api_render(void *arg, hs_buf *out, hs_err *err)
{
    api_job *job = arg;
    PGconn *c;
    int rc = hs_req_db(job->req, &c, err);
    if (rc < 0)
        return rc;
    hs_table *t;
    /* One request computes with two threads: the server's worker pool already
     * spreads concurrent requests over the cores. */
    job->p.threads = 2;
    rc = hs_report_build(c, job->route->kind, &job->p, job->fmt->needs_geometry, &t, err);
    if (rc < 0)
        return rc;
    rc = job->fmt->write(t, out, err);
    hs_table_free(t);
    return rc;
}

/* Every option that changes the answer, defaults filled in, in a fixed order. */
static void canonical_key(const api_job *job, char *key, size_t n)
{
    const hs_params *p = &job->p;
    snprintf(key, n,
             "api/%s|%d|%d|%d|%d|%s|%d|%d:%d:%.3f|%d|%d:%d|%llu|%d|%d|%.4f|%d|%s",
             hs_report_name(job->route->kind), (int)p->indicator, p->from, p->to, (int)p->level,
             p->province, (int)p->variable, (int)p->wkind, p->knn_k, p->dist_km,
             p->attach_isolated, p->permutations, p->perm_method, (unsigned long long)p->seed,
             p->fdr, p->step_months, p->max_pop_share, p->top, job->fmt->name);
}

static int api_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    api_job job = {.req = req, .route = req->ctx};
    int last;
    /* The key needs the newest month; from memory for a known data version, so a
     * cached answer is served while the database is down (api_render connects). */
    int rc = hs_routes_last_period(req, job.route->sh, &last, err);
    if (rc == HS_OK)
        rc = hs_params_parse(req->query, job.route->accept, last, &job.p, err);
    if (rc == HS_OK)
        rc = hs_export_find(job.p.format, "format", &job.fmt, err);
    if (rc < 0)
        return rc;
    char key[512];
    canonical_key(&job, key, sizeof key);
    if (job.fmt->needs_geometry && !strcmp(job.fmt->name, "gpkg")) {
        char disp[96];
        snprintf(disp, sizeof disp, "attachment; filename=\"hotspot-%s.gpkg\"",
                 hs_report_name(job.route->kind));
        if ((rc = hs_resp_header(resp, "Content-Disposition", disp, err)) < 0)
            return rc;
    }
    return hs_resp_cached(req, resp, key, job.fmt->mime, "public, max-age=300", api_render, &job,
                          err);
}

/* GET /api/units?level=province|commune[&province=CODE]: codes and names, for pickers. */
static int units_render(void *arg, hs_buf *out, hs_err *err)
{
    hs_req *req = arg;
    static const char *const levels[] = {"province", "commune", NULL};
    int lvl;
    const char *prov;
    PGconn *c;
    int rc = hs_query_enum(req->query, "level", levels, 0, &lvl, err);
    if (rc == HS_OK)
        rc = hs_query_str(req->query, "province", 32, "", &prov, err);
    /* Codes are checked as the schema checks them: anything else is a typo or an attack. */
    if (rc == HS_OK && *prov && !hs_unit_code_ok(prov, strlen(prov))) {
        req->error_param = "province";
        rc = hs_err_set(err, HS_EINVAL, "province must be a unit code (letters, digits, '_', '.', "
                        "'-'; at most %d)", HS_UNIT_CODE_MAX);
    }
    if (rc == HS_OK)
        rc = hs_req_db(req, &c, err);
    if (rc < 0)
        return rc;
    hs_catalog_units units;
    rc = hs_catalog_units_list(c, levels[lvl], prov, &units, err);
    json_t *arr = rc == HS_OK ? json_array() : NULL;
    for (size_t i = 0; arr && i < units.n; i++) {
        const hs_catalog_unit *u = &units.u[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:b}", "code", u->code, "name",
                                             u->name, "parent_code", u->parent_code,
                                             "border_province", u->border_province,
                                             "key_commune", u->key_commune));
    }
    hs_catalog_units_free(&units);
    if (rc < 0)
        return rc;
    char *s = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot build the unit list");
    rc = hs_buf_append(out, s, strlen(s), err);
    free(s);
    return rc;
}

static int units_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    const char *level = NULL, *prov = NULL;
    hs_query_str(req->query, "level", 16, "province", &level, NULL);
    hs_query_str(req->query, "province", 32, "", &prov, NULL);
    char key[96];
    snprintf(key, sizeof key, "api/units|%.16s|%.32s", level ? level : "", prov ? prov : "");
    return hs_resp_cached(req, resp, key, "application/json; charset=utf-8", "public, max-age=300",
                          units_render, req, err);
}

/* The route contexts, made once at registration; kept here only to be freed at exit
 * after the server threads are gone. No handler reads it. */
static api_route *registered_routes;

static void routes_free_at_exit(void)
{
    free(registered_routes);
    registered_routes = NULL;
}

int hs_routes_api_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err)
{
    (void)svc;
    if (registered_routes)
        return hs_err_set(err, HS_EINTERNAL, "api routes registered twice");
    enum { NR = sizeof routes / sizeof routes[0] };
    api_route *rt = calloc(NR, sizeof *rt);
    if (!rt)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the api routes");
    for (size_t i = 0; i < NR; i++) {
        rt[i] = routes[i];
        rt[i].sh = sh;
    }
    registered_routes = rt;
    atexit(routes_free_at_exit);
    static const char *const units_params[] = {"level", "province", NULL};
    const hs_route_spec specs[] = {
        {.method = "GET", .pattern = "/api/analyze", .handle = api_handle,
         .ctx = &rt[0], .flags = HS_ROUTE_OWN_PARAMS},
        {.method = "GET", .pattern = "/api/priorities", .handle = api_handle,
         .ctx = &rt[1], .flags = HS_ROUTE_OWN_PARAMS},
        {.method = "GET", .pattern = "/api/scan", .handle = api_handle,
         .ctx = &rt[2], .flags = HS_ROUTE_OWN_PARAMS},
        {.method = "GET", .pattern = "/api/emerging", .handle = api_handle,
         .ctx = &rt[3], .flags = HS_ROUTE_OWN_PARAMS},
        /* One catalogue query: a miss is cheap enough to render inline. */
        {.method = "GET", .pattern = "/api/units", .handle = units_handle, .params = units_params,
         .cost = HS_COST_CHEAP},
    };
    hs_export_init();
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        int rc = hs_router_add(r, &specs[i], err);
        if (rc < 0)
            return rc;
    }
    return HS_OK;
}
