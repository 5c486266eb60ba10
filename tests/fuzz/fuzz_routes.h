/* The request-target stage of the real server, without a database: every route the
 * server registers (same patterns, same query names) with handlers that run only
 * the route's own validators (hs_params, hs_map_opts, hs_tile_path/hs_tile_req,
 * /api/units' getters), then stop before touching the database or the files.
 *
 * Shared by fuzz_route (any request target) and fuzz_tile (targets under /tiles/).
 * Header-only so that each target stays one file for the CMake glob; included once
 * per program. Keep the table in step with the route families of server/routes/hs_routes.c
 * (docs/reliability.md); test_fuzz_routes checks the patterns match. */
#ifndef HS_FUZZ_ROUTES_H
#define HS_FUZZ_ROUTES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_export.h"
#include "hs_http.h"
#include "hs_mapopts.h"
#include "hs_params.h"
#include "hs_render.h"
#include "hs_tilesrc.h"

/* The newest month the validators see (the default window's end): 2025-06. */
#define FUZZ_LAST_PERIOD (2025 * 12 + 5)

static int fz_none(hs_req *req, hs_resp *resp, hs_err *err)
{
    return HS_OK;
}

static int fz_api(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_params p;
    const hs_export_format *fmt;
    unsigned accept = (unsigned)(uintptr_t)req->ctx;
    int rc = hs_params_parse(req->query, accept, FUZZ_LAST_PERIOD, &p, err);
    if (rc == HS_OK)
        rc = hs_export_find(p.format, "format", &fmt, err);
    return rc;
}

static int fz_units(hs_req *req, hs_resp *resp, hs_err *err)
{
    static const char *const levels[] = {"province", "commune", NULL};
    int lvl;
    const char *prov;
    int rc = hs_query_enum(req->query, "level", levels, 0, &lvl, err);
    if (rc == HS_OK)
        rc = hs_query_str(req->query, "province", 32, "", &prov, err);
    return rc;
}

static int fz_map(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_map_type type;
    hs_params p;
    hs_map_opts o;
    int rc = hs_map_type_parse(hs_req_param(req, "map"), "map", &type, err);
    if (rc == HS_OK)
        rc = hs_params_parse(req->query, HS_P_MAP, FUZZ_LAST_PERIOD, &p, err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(req->query, &p, 0, type, &o, err);
    if (rc == HS_OK)
        rc = hs_format_parse(req->ctx, &o.format, err);
    if (rc == HS_OK) {
        char key[4096];
        hs_map_params_normalise(&p, &o);
        rc = hs_map_key(&p, &o, key, sizeof key, err);
        if (rc > 0)
            rc = HS_OK;
    }
    return rc;
}

static int fz_dashboard(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_params p;
    hs_map_opts o;
    int rc = hs_params_parse(req->query, HS_P_MAP, FUZZ_LAST_PERIOD, &p, err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(req->query, &p, 0, HS_MAP_GISTAR, &o, err);
    return rc;
}

static int fz_tile(hs_req *req, hs_resp *resp, hs_err *err)
{
    hs_tile_path tp = {0};
    int coords = req->ctx != NULL;
    int rc = coords ? hs_tile_path_parse(hs_req_param(req, "layer"), hs_req_param(req, "z"),
                                         hs_req_param(req, "x"), hs_req_param(req, "y"), &tp, err)
                    : hs_tile_path_parse(hs_req_param(req, "layer"), NULL, NULL, NULL, &tp, err);
    if (rc < 0)
        return rc;
    if (coords && (tp.z < 0 || tp.z > HS_TILE_MAXZOOM || tp.x < 0 || tp.y < 0 ||
                   tp.x >= (1 << tp.z) || tp.y >= (1 << tp.z)))
        __builtin_trap();
    static hs_tile_req tr; /* large; static keeps it off the fuzzer's stack */
    memset(&tr, 0, sizeof tr);
    rc = hs_tile_req_parse(req->query, tp.layer, NULL, FUZZ_LAST_PERIOD, &tr, err);
    if (rc == HS_OK && !memchr(tr.key, '\0', sizeof tr.key))
        __builtin_trap();
    return rc;
}

static const char *const fz_units_params[] = {"level", "province", NULL};
static const char *const fz_map_params[] = {"from",    "to",   "indicator", "level", "province",
                                            "bbox",    "size", "paper",     "dpi",   "scale",
                                            "classes", "k",    "public",    NULL};

/* Builds the router once; it is read-only afterwards, as in the server. */
static hs_router *fz_router(void)
{
    static hs_router *r;
    if (r)
        return r;
    hs_export_init();
    const hs_route_spec specs[] = {
        {.method = "GET", .pattern = "/healthz", .handle = fz_none},
        {.method = "GET", .pattern = "/readyz", .handle = fz_none},
        {.method = "GET", .pattern = "/api/whoami", .handle = fz_none},
        {.method = "GET", .pattern = "/release", .handle = fz_none},
        {.method = "GET", .pattern = "/release/{path*}", .handle = fz_none},
        {.method = "GET", .pattern = "/metrics", .handle = fz_none},
        {.method = "GET", .pattern = "/api/meta", .handle = fz_none},
        {.method = "GET", .pattern = "/", .handle = fz_none},
        {.method = "GET", .pattern = "/web/{path*}", .handle = fz_none},
        {.method = "GET", .pattern = "/api/analyze", .handle = fz_api, .flags = HS_ROUTE_OWN_PARAMS,
         .ctx = (void *)(uintptr_t)(HS_P_STATS | HS_P_OUTPUT)},
        {.method = "GET", .pattern = "/api/priorities", .handle = fz_api,
         .flags = HS_ROUTE_OWN_PARAMS, .ctx = (void *)(uintptr_t)(HS_P_STATS | HS_P_OUTPUT | HS_P_TOP)},
        {.method = "GET", .pattern = "/api/scan", .handle = fz_api, .flags = HS_ROUTE_OWN_PARAMS,
         .ctx = (void *)(uintptr_t)(HS_P_SCAN | HS_P_OUTPUT)},
        {.method = "GET", .pattern = "/api/emerging", .handle = fz_api,
         .flags = HS_ROUTE_OWN_PARAMS, .ctx = (void *)(uintptr_t)(HS_P_EMERGING | HS_P_OUTPUT)},
        {.method = "GET", .pattern = "/api/units", .handle = fz_units, .params = fz_units_params},
        {.method = "GET", .pattern = "/maps/{map}.png", .handle = fz_map, .params = fz_map_params,
         .ctx = (void *)"png"},
        {.method = "GET", .pattern = "/maps/{map}.svg", .handle = fz_map, .params = fz_map_params,
         .ctx = (void *)"svg"},
        {.method = "GET", .pattern = "/maps/{map}.pdf", .handle = fz_map, .params = fz_map_params,
         .ctx = (void *)"pdf"},
        {.method = "GET", .pattern = "/dashboard/{name}.png", .handle = fz_dashboard},
        {.method = "GET", .pattern = "/tiles/{layer}/{z}/{x}/{y}.png", .handle = fz_tile,
         .params = hs_tile_query_names, .ctx = (void *)1},
        {.method = "GET", .pattern = "/tiles/{layer}/{z}/{x}/{y}@2x.png", .handle = fz_tile,
         .params = hs_tile_query_names, .ctx = (void *)1},
        {.method = "GET", .pattern = "/tiles/{layer}.json", .handle = fz_tile,
         .params = hs_tile_query_names},
    };
    hs_err err = {0};
    r = hs_router_create();
    for (size_t i = 0; r && i < sizeof specs / sizeof specs[0]; i++)
        if (hs_router_add(r, &specs[i], &err) < 0)
            abort();
    if (!r)
        abort();
    return r;
}

static void fz_check_msg(const hs_err *err)
{
    /* Error messages quote input and go into JSON: never empty, always UTF-8. */
    size_t n = strnlen(err->msg, sizeof err->msg);
    if (n == 0 || n >= sizeof err->msg ||
        !hs_utf8_valid((const unsigned char *)err->msg, n))
        __builtin_trap();
}

/* Runs prefix + data (cut at HS_HTTP_MAX_URI, as on_uri does) through the request
 * target stage and the route's validators. */
static __attribute__((unused)) int fz_run(const char *prefix, const uint8_t *data, size_t size)
{
    hs_router *r = fz_router();
    size_t pl = strlen(prefix);
    if (size > HS_HTTP_MAX_URI - pl)
        size = HS_HTTP_MAX_URI - pl;
    char *uri = malloc(pl + size + 1);
    if (!uri)
        return 0;
    memcpy(uri, prefix, pl);
    memcpy(uri + pl, data, size);
    uri[pl + size] = '\0'; /* MHD hands over a C string: an embedded NUL ends it */
    hs_req req = {0};
    hs_err err = {0};
    req.method = "GET";
    req.arena = hs_arena_create(0);
    if (!req.arena)
        abort();
    int rc = hs_http_parse_target(r, uri, &req, &err);
    if (rc == HS_OK) {
        size_t n = strlen(req.path);
        if (req.path[0] != '/' || !hs_utf8_valid((const unsigned char *)req.path, n))
            __builtin_trap();
        for (size_t i = 0; i < req.nparams; i++)
            if (!req.param_value[i][0])
                __builtin_trap();
        hs_resp resp;
        hs_resp_init(&resp, req.arena);
        rc = hs_route_spec_of(req.route)->handle(&req, &resp, &err);
        hs_resp_clear(&resp);
    }
    if (rc < 0) {
        if (rc != HS_EINVAL && rc != HS_ENOTFOUND && rc != HS_ELIMIT)
            __builtin_trap();
        fz_check_msg(&err);
    }
    hs_arena_destroy(req.arena);
    free(uri);
    return 0;
}

#endif
