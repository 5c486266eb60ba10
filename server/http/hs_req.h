/* hs_req: the request a handler receives, and the server services behind it.
 *
 * A handler reads its path parameters (hs_req_param), headers (hs_req_header), query
 * (req->query, with the hs_query getters), its per-request memory (req->arena) and its
 * route's context (req->ctx). A database connection comes from hs_req_db and is only
 * passed on to server/data and server/pipeline: handlers hold no SQL
 * (docs/architecture.md). Nothing here includes libpq: the connection is an opaque
 * `struct pg_conn` (libpq's own name for PGconn).
 *
 * Threads: hs_req belongs to one request on one worker thread. `svc` and `ctx` are
 * shared by all threads: anything mutable behind them has its own lock.
 */
#ifndef HS_REQ_H
#define HS_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "hs_arena.h"
#include "hs_err.h"
#include "hs_query.h"

struct pg_conn; /* = PGconn */
typedef struct hs_cache hs_cache;
typedef struct hs_dbpool hs_dbpool;
typedef struct hs_dbwatch hs_dbwatch;
typedef struct hs_metrics hs_metrics;
typedef struct hs_router hs_router;
typedef struct hs_route hs_route;
struct hs_access;
struct hs_heavy;
struct hs_ratelimit;
struct hs_principal;

/* The shared services of a running server. Created at start-up and immutable
 * afterwards (each service has its own lock); borrowed by every request. */
typedef struct hs_services {
    hs_dbpool *db;      /* per-thread connections (reads: replica or primary): hs_req_db() */
    hs_dbwatch *watch;  /* LISTEN hs_data_changed; current data version */
    hs_cache *cache;    /* rendered responses: use hs_resp_cached() */
    hs_metrics *metrics;
    struct hs_access *access; /* tokens, role matrix, audit queue */
    struct hs_heavy *heavy;   /* the heavy-job pool (hs_heavy.h); NULL = run inline */
    struct hs_ratelimit *ratelimit; /* per-client request rates (hs_ratelimit.h) */
    const hs_router *router;
    const char *web_dir; /* static files for / and /web/ (may not exist) */
    const char *release_dir; /* the current release for /release/ (NULL = none) */
    const char *public_url; /* base URL for absolute links (TileJSON), no trailing '/';
                               NULL: root-relative links */
    double started;      /* CLOCK_MONOTONIC seconds at start, for uptime */
} hs_services;

#define HS_ROUTE_MAX_PARAMS 8

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
    /* Private to the framework (hs_http.c fills them; handlers use the functions). */
    const char *(*header_fn)(void *hctx, const char *name);
    void *header_ctx;
    struct pg_conn *conn;
    /* Set on an HTTP thread when a cache miss may move to the heavy-job pool:
     * hs_resp_cached then only looks the key up, and on a miss sets `deferred` and
     * returns without rendering; the framework runs the handler again on the pool. */
    int defer_ok;
    int deferred;
    /* Set with `deferred` when the missing key is being rendered by another request
     * (arena copy): the framework then parks this one on that render (hs_cache_watch)
     * instead of giving it a heavy thread of its own. */
    const char *park_key;
    /* Set by the framework on a request woken from parking: its answer says MERGED,
     * and it is not parked twice. */
    int parked;
} hs_req;

/* A path parameter by name, NULL if the route has none of that name. Borrowed. */
const char *hs_req_param(const hs_req *req, const char *name);
/* A request header (case-insensitive name), NULL when absent. Borrowed. */
const char *hs_req_header(const hs_req *req, const char *name);
/* This worker thread's database connection for read-only queries, connecting (or
 * reconnecting) as needed: the replica of --db-read when it has reached
 * req->data_version, else the primary (hs_dbpool_acquire_read). Borrowed until the
 * handler returns; the framework rolls back an open transaction and drops a broken
 * connection afterwards. Fails with HS_EDB (503). */
int hs_req_db(hs_req *req, struct pg_conn **out, hs_err *err);
/* Gives the connection back and takes this thread's again: for a caller whose query
 * failed on a connection the server dropped while it was idle (found only by using
 * it), e.g. the readiness probe, which must not report "down" for that. */
int hs_req_db_again(hs_req *req, struct pg_conn **out, hs_err *err);

#endif
