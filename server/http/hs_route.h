/* hs_route: the route table and the API every HTTP handler is written against.
 *
 * A handler is one function:
 *
 *     static int tile_handle(hs_req *req, hs_resp *resp, hs_err *err)
 *     {
 *         long z;
 *         if (hs_query_int(req->query, "z", 0, 22, 0, &z, err) < 0)
 *             return err->code;              // becomes a 400 JSON error naming "z"
 *         ...
 *         return hs_resp_json(resp, 200, json_pack("{s:i}", "z", z), err);
 *     }
 *
 * registered before the server starts:
 *
 *     static const char *const tile_params[] = {"indicator", "from", "to", NULL};
 *     hs_router_add(r, &(hs_route_spec){.method = "GET",
 *                       .pattern = "/tiles/{layer}/{z}/{x}/{y}.png",
 *                       .params = tile_params, .handle = tile_handle, .ctx = app}, err);
 *
 * Returning a negative HS_E* code with err filled makes the framework answer
 * {"error": {"code": "invalid_argument", "message": "...", "parameter": "..."}} with
 * the status hs_err_http_status(code); anything already put in resp is discarded.
 *
 * Patterns: segments separated by '/'. A segment is a literal, or one `{name}` with
 * an optional literal prefix and suffix (`{y}.png`, `{y}@2x.png`, `v{n}`), or, as
 * the last segment only, `{name*}` which takes the rest of the path (slashes
 * included). A parameter matches one or more bytes other than '/'. When several
 * routes match, the one with the most literal bytes wins (so `{y}@2x.png` beats
 * `{y}.png` for "3@2x.png"); ties go to the first registered.
 *
 * Threads: the router is built before hs_server_start and read-only afterwards.
 * A handler runs on one of the server's worker threads; hs_req and hs_resp belong to
 * that request only. `ctx` is shared by all threads: anything mutable behind it needs
 * its own lock.
 */
#ifndef HS_ROUTE_H
#define HS_ROUTE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_arena.h"
#include "hs_buf.h"
#include "hs_cache.h"
#include "hs_err.h"
#include "hs_query.h"

typedef struct hs_dbpool hs_dbpool;
typedef struct hs_dbwatch hs_dbwatch;
typedef struct hs_metrics hs_metrics;
typedef struct hs_router hs_router;
typedef struct hs_route hs_route;

/* The shared services of a running server. Created at start-up and immutable
 * afterwards (each service has its own lock); borrowed by every request. */
typedef struct hs_services {
    hs_dbpool *db;      /* per-thread connections: use hs_req_db() */
    hs_dbwatch *watch;  /* LISTEN hs_data_changed; current data version */
    hs_cache *cache;    /* rendered responses: use hs_resp_cached() */
    hs_metrics *metrics;
    struct hs_access *access; /* tokens, role matrix, audit queue */
    const hs_router *router;
    const char *web_dir; /* static files for / and /web/ (may not exist) */
    const char *release_dir; /* the current release for /release/ (NULL = none) */
    const char *public_url; /* base URL for absolute links (TileJSON), no trailing '/';
                               NULL: root-relative links */
    double started;      /* CLOCK_MONOTONIC seconds at start, for uptime */
} hs_services;

#define HS_ROUTE_MAX_PARAMS 8
#define HS_ROUTER_MAX_ROUTES 64
#define HS_RESP_MAX_HEADERS 16
/* Hard cap on one response body (a print-size PDF or PNG fits well below it). */
#define HS_RESP_BODY_MAX ((size_t)128 << 20)

typedef struct hs_req {
    const char *method;    /* "GET" or "HEAD" (HEAD runs the GET route; no body is sent) */
    const char *path;      /* percent-decoded path, valid UTF-8, starts with '/' */
    hs_query *query;       /* parsed query; already checked against the route's params */
    hs_arena *arena;       /* per-request memory, freed when the request ends */
    uint64_t data_version; /* snapshot taken when the request started: use it (not a
                              fresh read) in cache keys so one request is consistent */
    void *ctx;             /* the route's ctx from hs_route_spec */
    const hs_route *route;
    const hs_services *svc;
    size_t nparams;        /* path parameters from {name} segments */
    const char *param_name[HS_ROUTE_MAX_PARAMS];
    const char *param_value[HS_ROUTE_MAX_PARAMS];
    /* A handler may set this to name the parameter an error is about (for errors not
     * raised by an hs_query getter, which records it by itself). */
    const char *error_param;
    /* The caller, as the access module resolved it (hs_access.h); never NULL in a
     * handler. Routes do not check roles with it: the matrix already ran. */
    const struct hs_principal *who;
    /* Private to the framework. */
    const char *(*header_fn)(void *hctx, const char *name);
    void *header_ctx;
    PGconn *conn;
} hs_req;

typedef struct hs_resp {
    int status;               /* default 200 */
    const char *content_type; /* static string or arena; default application/json */
    hs_buf body;              /* owned body, capped at HS_RESP_BODY_MAX */
    hs_cache_entry *entry;    /* or: a shared cached body (one reference owned) */
    size_t nheaders;
    const char *hname[HS_RESP_MAX_HEADERS];
    const char *hvalue[HS_RESP_MAX_HEADERS];
    hs_arena *arena;
} hs_resp;

typedef int (*hs_handle_fn)(hs_req *req, hs_resp *resp, hs_err *err);

enum {
    /* The handler checks query parameter names itself (hs_query_check_allowed);
     * without it, any name not in `params` is a 400 before the handler runs. */
    HS_ROUTE_OWN_PARAMS = 1
};

typedef struct hs_route_spec {
    const char *method;        /* only "GET" (HEAD is answered by GET routes) */
    const char *pattern;       /* copied */
    const char *const *params; /* allowed query parameter names, NULL-terminated; NULL =
                                  none. Borrowed: must outlive the router (use static). */
    hs_handle_fn handle;
    void *ctx;                 /* borrowed; must outlive the server */
    int flags;                 /* HS_ROUTE_* */
    int exposes;               /* HS_EXPOSE_* (hs_access.h): what the route reveals, for
                                  the access matrix; 0 = case data (the strictest) */
} hs_route_spec;

/* Router. Caller frees with hs_router_destroy. */
hs_router *hs_router_create(void);
void hs_router_destroy(hs_router *r);
/* Adds a route; fails on a malformed pattern, a duplicate pattern, or more than
 * HS_ROUTER_MAX_ROUTES routes. */
int hs_router_add(hs_router *r, const hs_route_spec *spec, hs_err *err);
size_t hs_router_count(const hs_router *r);
const hs_route *hs_router_get(const hs_router *r, size_t i);
/* Finds the route for a decoded path and fills req->route, ctx, nparams, param_*
 * (values in req->arena). HS_ENOTFOUND when nothing matches. */
int hs_router_match(const hs_router *r, const char *path, hs_req *req, hs_err *err);

const char *hs_route_pattern(const hs_route *rt);
size_t hs_route_index(const hs_route *rt);
const hs_route_spec *hs_route_spec_of(const hs_route *rt);

/* ---- request helpers (hs_resp.c) ---- */

/* A path parameter by name, NULL if the route has none of that name. Borrowed. */
const char *hs_req_param(const hs_req *req, const char *name);
/* A request header (case-insensitive name), NULL when absent. Borrowed. */
const char *hs_req_header(const hs_req *req, const char *name);
/* This worker thread's database connection, connecting (or reconnecting) as needed.
 * Borrowed until the handler returns; the framework rolls back an open transaction
 * and drops a broken connection afterwards. Fails with HS_EDB (503). */
int hs_req_db(hs_req *req, PGconn **out, hs_err *err);

/* ---- response helpers (hs_resp.c) ---- */

void hs_resp_init(hs_resp *resp, hs_arena *arena);
/* Frees the body and releases a cached entry; the response can be reused. */
void hs_resp_clear(hs_resp *resp);
/* Sets (or replaces) a header; name and value are copied. Rejects names that are not
 * HTTP tokens and values with control characters (no header injection). Content-Type
 * and Content-Length are set by the framework, not here. */
int hs_resp_header(hs_resp *resp, const char *name, const char *value, hs_err *err);
/* Copies n bytes as the body. */
int hs_resp_bytes(hs_resp *resp, int status, const char *content_type, const void *data,
                  size_t n, hs_err *err);
/* Serialises j as the body (application/json; charset=utf-8). STEALS the reference
 * to j, and accepts j == NULL (a failed json_pack) as HS_ENOMEM, so handlers can
 * write `return hs_resp_json(resp, 200, json_pack(...), err);`. */
struct json_t;
int hs_resp_json(hs_resp *resp, int status, struct json_t *j, hs_err *err);
/* Replaces the response with the JSON error for `e` (status hs_err_http_status),
 * naming `param` when not NULL. Never fails (falls back to a fixed body). */
void hs_resp_error(hs_resp *resp, const hs_err *e, const char *param);
/* The same with an explicit status and code name, for statuses no HS_E* code maps
 * to (405 method_not_allowed, 414 uri_too_long...). */
void hs_resp_error_status(hs_resp *resp, int status, const char *code_name, const char *msg,
                          const char *param);

/* The cached-render helper for anything expensive and deterministic given
 * (data version, key): tiles, map images, analysis JSON.
 *  - a hit answers from memory;
 *  - a miss calls render(arg, out, err) once, even when many threads ask for the same
 *    key at the same time (the others wait for it: in-flight merging);
 *  - sets ETag (content hash) and Cache-Control (`cache_control`, e.g.
 *    "public, max-age=300"), and answers 304 when If-None-Match matches.
 * `key` must identify everything the bytes depend on except the data version
 * (layer, z/x/y, scale, query values...): keep it canonical (fixed parameter order,
 * defaults filled in) so equal requests share an entry. */
int hs_resp_cached(hs_req *req, hs_resp *resp, const char *key, const char *content_type,
                   const char *cache_control, hs_cache_render_fn render, void *arg, hs_err *err);
/* Sets ETag to `etag` (already quoted) and turns the response into a 304 when the
 * request's If-None-Match lists it (or is "*"). Returns 1 if it did, else 0. */
int hs_resp_etag(hs_req *req, hs_resp *resp, const char *etag, hs_err *err);

#endif
