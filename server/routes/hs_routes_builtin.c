/* The built-in routes: /healthz, /metrics, /api/meta and the static dashboard. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_dbpool.h"
#include "hs_dbwatch.h"
#include "hs_heavy.h"
#include "hs_metrics.h"
#include "hs_ratelimit.h"
#include "hs_catalog.h"
#include "hs_pg.h"
#include "hs_access.h"
#include "hs_routes_builtin.h"
#include "hs_static.h"

#ifndef HS_VERSION
#define HS_VERSION "0.1.0"
#endif


/* Liveness only: the process answers. Public, so it says nothing else (no version,
 * no database state: that is /readyz). */
static int healthz(hs_req *req, hs_resp *resp, hs_err *err)
{
    (void)req;
    hs_resp_header(resp, "Cache-Control", "no-store", NULL);
    return hs_resp_json(resp, 200, json_pack("{s:s}", "status", "ok"), err);
}

/* Readiness = this instance can answer fresh reads: 200 when a query on this
 * thread's read connection works (the replica with --db-read, else the primary), 503
 * when it does not. The LISTEN connection (on the primary) only keeps caches in step
 * with data changes: with it down (the primary down while a replica serves, or the
 * listener reconnecting) reads are still answered, so the instance stays ready but
 * says "degraded", as an orchestrator should not pull an instance whose answers are
 * fine (docs/deploy.md). Public, so only states: the cause goes to the log. */
static int readyz(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_dbwatch_stats ws;
    hs_dbwatch_stats_get(req->svc->watch, &ws);
    PGconn *c;
    hs_err dberr = {0};
    int rc = hs_req_db(req, &c, &dberr);
    if (rc == HS_OK)
        rc = hs_pg_ping(c, &dberr);
    if (rc < 0) { /* once more on a new connection: this one may have died while idle */
        dberr = (hs_err){0};
        rc = hs_req_db_again(req, &c, &dberr);
        if (rc == HS_OK)
            rc = hs_pg_ping(c, &dberr);
    }
    hs_resp_header(resp, "Cache-Control", "no-store", NULL);
    int ready = rc == HS_OK;
    if (rc < 0)
        fprintf(stderr, "hotspot: /readyz: %s\n", dberr.msg);
    const char *status = !ready ? "unavailable" : ws.connected ? "ok" : "degraded";
    json_t *j = json_pack("{s:s, s:s, s:s, s:I}", "status", status, "db",
                          rc == HS_OK ? "ok" : "down", "listener", ws.connected ? "ok" : "down",
                          "data_version", (json_int_t)ws.version);
    if (j && ready && !ws.connected)
        json_object_set_new(j, "reason",
                            json_string("data changes are not heard: answers come from the "
                                        "data version above, cached ones may be older than "
                                        "the data"));
    return hs_resp_json(resp, ready ? 200 : 503, j, err);
}

/* Who the caller is (role and provinces), so the viewer can offer what the role may
 * see. Public: a caller learns only about their own token. */
static int whoami(hs_req *req, hs_resp *resp, hs_err *err)
{
    const hs_principal *w = req->who;
    json_t *prov = json_array();
    for (size_t i = 0; prov && i < w->nprov; i++)
        json_array_append_new(prov, json_string(w->provinces[i]));
    hs_resp_header(resp, "Cache-Control", "no-store", NULL);
    return hs_resp_json(resp, 200,
                        prov ? json_pack("{s:s, s:o}", "role", hs_role_name(w->role), "provinces",
                                         prov)
                             : NULL,
                        err);
}

static int metrics(hs_req *req, hs_resp *resp, hs_err *err)
{
    const hs_services *svc = req->svc;
    hs_buf *o = &resp->body;
    int rc = hs_metrics_write(svc->metrics, svc->router, o, err);
    if (rc < 0)
        return rc;
    hs_cache_stats cs;
    hs_cache_stats_get(svc->cache, &cs);
    hs_dbpool_stats ps;
    hs_dbpool_stats_get(svc->db, &ps);
    hs_dbwatch_stats ws;
    hs_dbwatch_stats_get(svc->watch, &ws);
    struct {
        const char *name, *type, *help;
        unsigned long long v;
    } rows[] = {
        {"hotspot_cache_hits_total", "counter", "Cache lookups answered from memory.", cs.hits},
        {"hotspot_cache_misses_total", "counter", "Cache lookups that rendered.", cs.misses},
        {"hotspot_cache_merged_total", "counter",
         "Requests that waited on a heavy thread for an identical in-flight render instead "
         "of rendering.", cs.merged},
        {"hotspot_cache_parked_total", "counter",
         "Requests that waited for an identical in-flight render holding no thread.", cs.parked},
        {"hotspot_cache_evictions_total", "counter", "Entries evicted to stay under the cap.",
         cs.evictions},
        {"hotspot_cache_uncacheable_total", "counter", "Renders too large to keep.",
         cs.uncacheable},
        {"hotspot_cache_render_errors_total", "counter", "Renders that failed.", cs.render_errors},
        {"hotspot_cache_bytes", "gauge", "Bytes held by the cache.", cs.bytes},
        {"hotspot_cache_max_bytes", "gauge", "Cache byte cap.", cs.max_bytes},
        {"hotspot_cache_entries", "gauge", "Entries held by the cache.", cs.entries},
        {"hotspot_cache_inflight", "gauge", "Renders in progress.", cs.inflight},
        {"hotspot_db_connects_total", "counter", "Worker database connects.", ps.connects},
        {"hotspot_db_reconnects_total", "counter",
         "Worker connects replacing a broken or aged connection.", ps.reconnects},
        {"hotspot_db_connect_failures_total", "counter", "Failed worker connects.", ps.failures},
        {"hotspot_db_connections", "gauge", "Open worker database connections.", ps.open},
        {"hotspot_db_replica_reads_total", "counter",
         "Reads answered by the --db-read replica.", ps.replica_reads},
        {"hotspot_db_read_fallbacks_total", "counter",
         "Reads sent to the primary because the replica was down or behind.", ps.read_fallbacks},
        {"hotspot_db_replica_lag_waits_total", "counter",
         "Reads that waited for the replica to reach the data version.", ps.lag_waits},
        {"hotspot_db_query_cancels_total", "counter",
         "Queries of heavy jobs cancelled (budget spent or client gone).", ps.interrupts},
        {"hotspot_db_listener_up", "gauge", "1 while the LISTEN connection is up.",
         (unsigned long long)ws.connected},
        {"hotspot_db_listener_reconnects_total", "counter", "LISTEN connection reconnects.",
         ws.reconnects},
        {"hotspot_db_notifications_total", "counter", "hs_data_changed notifications received.",
         ws.notifications},
        {"hotspot_data_version", "gauge", "Current data version (hs.data_version).", ws.version},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        hs_buf_printf(o, err, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", rows[i].name, rows[i].help,
                      rows[i].name, rows[i].type, rows[i].name, rows[i].v);
    hs_heavy_metrics_write(svc->heavy, o, err);
    hs_ratelimit_metrics_write(svc->ratelimit, o, err);
    hs_buf_printf(o, err,
                  "# HELP hotspot_uptime_seconds Seconds since the server started.\n"
                  "# TYPE hotspot_uptime_seconds gauge\nhotspot_uptime_seconds %.3f\n"
                  "# HELP hotspot_build_info Build version.\n# TYPE hotspot_build_info gauge\n"
                  "hotspot_build_info{version=\"%s\"} 1\n",
                  hs_clock_now() - svc->started, HS_VERSION);
    if (o->failed)
        return hs_err_set(err, HS_ELIMIT, "metrics output too large");
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return hs_resp_header(resp, "Cache-Control", "no-store", err);
}

static json_t *month_or_null(const char *m)
{
    return *m ? json_string(m) : json_null();
}

/* Renders /api/meta from the catalog (hs_catalog: the query lives in data/). */
static int meta_render(void *arg, hs_buf *out, hs_err *err)
{
    hs_req *req = arg;
    PGconn *c;
    hs_catalog_meta m;
    int rc = hs_req_db(req, &c, err);
    if (rc == HS_OK)
        rc = hs_catalog_meta_get(c, &m, err);
    if (rc < 0)
        return rc;
    json_t *j = json_pack(
        "{s:s, s:I, s:b, s:{s:I, s:I}, s:{s:o, s:o}, s:{s:o, s:o}}", "version", HS_VERSION,
        "data_version", (json_int_t)req->data_version, "synthetic", m.synthetic, "units",
        "province", (json_int_t)m.provinces, "commune", (json_int_t)m.communes, "case_periods",
        "min", month_or_null(m.case_min), "max", month_or_null(m.case_max), "outreach_periods",
        "min", month_or_null(m.outreach_min), "max", month_or_null(m.outreach_max));
    if (!j)
        return hs_err_set(err, HS_ENOMEM, "cannot build /api/meta");
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot serialise /api/meta");
    rc = hs_buf_append(out, s, strlen(s), err);
    if (rc == HS_OK)
        rc = hs_buf_append(out, "\n", 1, err);
    free(s);
    return rc;
}

/* Cached per data version: the facts only change when the data does. */
static int meta(hs_req *req, hs_resp *resp, hs_err *err)
{
    return hs_resp_cached(req, resp, "api/meta", "application/json; charset=utf-8", "no-cache",
                          meta_render, req, err);
}

int hs_routes_builtin_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err)
{
    (void)svc;
    (void)sh;
    const hs_route_spec specs[] = {
        /* Health probes: cheap, never rate-limited (a monitor must always get through). */
        {.method = "GET", .pattern = "/healthz", .handle = healthz, .exposes = HS_EXPOSE_PUBLIC,
         .flags = HS_ROUTE_UNLIMITED, .cost = HS_COST_CHEAP},
        {.method = "GET", .pattern = "/readyz", .handle = readyz, .exposes = HS_EXPOSE_PUBLIC,
         .flags = HS_ROUTE_UNLIMITED, .cost = HS_COST_CHEAP},
        {.method = "GET", .pattern = "/api/whoami", .handle = whoami, .exposes = HS_EXPOSE_PUBLIC,
         .cost = HS_COST_CHEAP},
        {.method = "GET", .pattern = "/metrics", .handle = metrics, .exposes = HS_EXPOSE_OPS,
         .cost = HS_COST_CHEAP},
        /* One small query per data version: a miss is cheap enough to render inline. */
        {.method = "GET", .pattern = "/api/meta", .handle = meta, .exposes = HS_EXPOSE_META,
         .cost = HS_COST_CHEAP},
        {.method = "GET", .pattern = "/", .handle = hs_static_handle, .exposes = HS_EXPOSE_PUBLIC},
        {.method = "GET", .pattern = "/web/{path*}", .handle = hs_static_handle,
         .exposes = HS_EXPOSE_PUBLIC},
        /* Public: the release is the public surface (docs/publication.md). */
        {.method = "GET", .pattern = "/release", .handle = hs_release_handle,
         .exposes = HS_EXPOSE_PUBLIC},
        {.method = "GET", .pattern = "/release/{path*}", .handle = hs_release_handle,
         .exposes = HS_EXPOSE_PUBLIC},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        int rc = hs_router_add(r, &specs[i], err);
        if (rc < 0)
            return rc;
    }
    return HS_OK;
}
