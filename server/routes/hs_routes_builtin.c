/* The built-in routes: /healthz, /metrics, /api/meta and the static dashboard. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_dbpool.h"
#include "hs_dbwatch.h"
#include "hs_metrics.h"
#include "hs_pg.h"
#include "hs_routes.h"

#ifndef HS_VERSION
#define HS_VERSION "0.1.0"
#endif


/* 200 when a query on this thread's connection works, 503 with the reason when not.
 * The version is the one requests use (the watcher's), so a NOTIFY shows up here. */
static int healthz(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_dbwatch_stats ws;
    hs_dbwatch_stats_get(req->svc->watch, &ws);
    PGconn *c;
    hs_err dberr = {0};
    int rc = hs_req_db(req, &c, &dberr);
    if (rc == HS_OK)
        rc = hs_pg_exec(c, "SELECT 1", &dberr);
    hs_resp_header(resp, "Cache-Control", "no-store", NULL);
    if (rc < 0) {
        char reason[512];
        hs_query_show(reason, sizeof reason, dberr.msg, 400);
        return hs_resp_json(resp, 503,
                            json_pack("{s:s, s:s, s:s, s:I, s:s}", "status", "unavailable", "db",
                                      "down", "reason", reason, "data_version",
                                      (json_int_t)ws.version, "listener",
                                      ws.connected ? "ok" : "down"),
                            err);
    }
    return hs_resp_json(resp, 200,
                        json_pack("{s:s, s:s, s:I, s:s}", "status", "ok", "db", "ok",
                                  "data_version", (json_int_t)ws.version, "listener",
                                  ws.connected ? "ok" : "down"),
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
         "Requests that waited for an identical in-flight render instead of rendering.", cs.merged},
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

static json_t *text_or_null(PGresult *r, int col)
{
    return PQgetisnull(r, 0, col) ? json_null() : json_string(PQgetvalue(r, 0, col));
}

/* Renders /api/meta. Every sub-select copes with empty tables (count 0, NULL). */
static int meta_render(void *arg, hs_buf *out, hs_err *err)
{
    hs_req *req = arg;
    PGconn *c;
    int rc = hs_req_db(req, &c, err);
    if (rc < 0)
        return rc;
    PGresult *r;
    rc = hs_pg_query(c,
                     "SELECT (SELECT value FROM hs.dataset_meta WHERE key = 'synthetic'),"
                     " (SELECT count(*) FROM hs.unit WHERE level = 'province'),"
                     " (SELECT count(*) FROM hs.unit WHERE level = 'commune'),"
                     " (SELECT to_char(min(period), 'YYYY-MM') FROM hs.case_month),"
                     " (SELECT to_char(max(period), 'YYYY-MM') FROM hs.case_month),"
                     " (SELECT to_char(min(period), 'YYYY-MM') FROM hs.outreach_month),"
                     " (SELECT to_char(max(period), 'YYYY-MM') FROM hs.outreach_month)",
                     0, NULL, &r, err);
    if (rc < 0)
        return rc;
    const char *syn = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
    json_t *j = json_pack(
        "{s:s, s:I, s:b, s:{s:I, s:I}, s:{s:o, s:o}, s:{s:o, s:o}}", "version", HS_VERSION,
        "data_version", (json_int_t)req->data_version, "synthetic",
        !strcmp(syn, "true") || !strcmp(syn, "1"), "units", "province",
        (json_int_t)strtoll(PQgetvalue(r, 0, 1), NULL, 10), "commune",
        (json_int_t)strtoll(PQgetvalue(r, 0, 2), NULL, 10), "case_periods", "min",
        text_or_null(r, 3), "max", text_or_null(r, 4), "outreach_periods", "min",
        text_or_null(r, 5), "max", text_or_null(r, 6));
    PQclear(r);
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

int hs_routes_register_builtin(hs_router *r, hs_services *svc, hs_err *err)
{
    (void)svc;
    const hs_route_spec specs[] = {
        {.method = "GET", .pattern = "/healthz", .handle = healthz},
        {.method = "GET", .pattern = "/metrics", .handle = metrics},
        {.method = "GET", .pattern = "/api/meta", .handle = meta},
        {.method = "GET", .pattern = "/", .handle = hs_static_handle},
        {.method = "GET", .pattern = "/web/{path*}", .handle = hs_static_handle},
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        int rc = hs_router_add(r, &specs[i], err);
        if (rc < 0)
            return rc;
    }
    return HS_OK;
}
