/* hs_router: the route table, and the shape of a handler.
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
 * The request is hs_req.h, the response and its helpers hs_resp.h. Routes are added
 * by their family's register function, listed once in server/routes/hs_routes.c.
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
#ifndef HS_ROUTER_H
#define HS_ROUTER_H

#include <stddef.h>

#include "hs_err.h"
#include "hs_req.h"
#include "hs_resp.h"

#define HS_ROUTER_MAX_ROUTES 64

typedef int (*hs_handle_fn)(hs_req *req, hs_resp *resp, hs_err *err);

enum {
    /* The handler checks query parameter names itself (hs_query_check_allowed);
     * without it, any name not in `params` is a 400 before the handler runs. */
    HS_ROUTE_OWN_PARAMS = 1,
    /* Not subject to the per-client request rate (health probes: constant work,
     * and a monitor must never be told to slow down). */
    HS_ROUTE_UNLIMITED = 2
};

/* Cost classes (docs/server.md): where a route's work runs. */
enum {
    /* The default: the handler runs on an HTTP thread; a cache miss in
     * hs_resp_cached (the render) moves the request to the heavy-job pool, so a
     * cache hit never waits behind heavy work and never queues for it. */
    HS_COST_AUTO = 0,
    /* Always on the HTTP thread, a cache miss included: answers that are cheap to
     * compute (health, metrics, /api/meta, static files). */
    HS_COST_CHEAP,
    /* Always on the heavy-job pool, cached or not (work that is heavy before any
     * cache lookup). */
    HS_COST_HEAVY
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
    int cost;                  /* HS_COST_*; 0 = HS_COST_AUTO */
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

#endif
