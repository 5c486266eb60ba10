/* hs_http: the HTTP server (libmicrohttpd) around the router.
 *
 * Life cycle, all on the main thread:
 *
 *     hs_server *s;
 *     hs_server_create(&opts, &s, &err);       // services: cache, db pool, watcher
 *     hs_routes_register_all(hs_server_router(s), hs_server_services(s), &err);
 *     hs_server_start(s, &err);                 // binds, starts threads
 *     ... wait for a signal ...
 *     hs_server_shutdown(s, grace_s);           // stop accepting, finish in-flight work
 *     hs_server_destroy(s);                     // stops MHD, joins, frees
 *
 * Threading: MHD runs `threads` worker threads (MHD_USE_INTERNAL_POLLING_THREAD
 * with a thread pool); each handles its connections' requests one at a time and
 * owns one database connection (hs_dbpool). Heavy work (a cache miss in
 * hs_resp_cached, or a route with .cost = HS_COST_HEAVY) runs on `heavy_threads`
 * more threads (hs_heavy) while its connection is suspended, so the MHD threads
 * never wait for it; see docs/server.md, "Cost classes". Block SIGINT/SIGTERM/SIGPIPE before
 * hs_server_start so the worker threads inherit the mask and signals reach only
 * the thread that sigwait()s for them.
 *
 * Every request is framed the same way: method must be GET or HEAD (else 405 with
 * Allow), no request body (413), URI at most HS_HTTP_MAX_URI bytes (414), path
 * percent-decoded strictly (400), route found (404), query parsed and its names
 * checked against the route (400), then the handler runs. Errors are JSON. One
 * access-log line per request goes to stderr unless quiet.
 */
#ifndef HS_HTTP_H
#define HS_HTTP_H

#include <stddef.h>

#include "hs_err.h"
#include "hs_router.h"

#define HS_HTTP_MAX_URI 8192
#define HS_HTTP_DEFAULT_LISTEN "127.0.0.1:8138"
#define HS_HTTP_DEFAULT_HEAVY_QUEUE 64
#define HS_HTTP_DEFAULT_HEAVY_BUDGET 60.0
#define HS_HTTP_DEFAULT_SHUTDOWN_GRACE 10.0
/* Seconds hs_server_shutdown waits, after the grace period, for cancelled requests
 * to send their 503. */
#define HS_HTTP_CANCEL_WAIT 10.0
/* Retry-After (seconds) of a 503 for a full heavy queue. */
#define HS_HTTP_BUSY_RETRY_AFTER "5"

typedef struct hs_http_opts {
    const char *listen;       /* "HOST:PORT", "[V6]:PORT"; NULL = HS_HTTP_DEFAULT_LISTEN;
                                 port 0 picks a free port (see hs_server_port) */
    unsigned threads;         /* worker threads; 0 = number of CPUs */
    size_t cache_bytes;       /* response cache cap; 0 = 256 MiB */
    unsigned max_connections; /* 0 = 1024 */
    unsigned per_ip_limit;    /* concurrent connections per client IP; 0 = 256 */
    unsigned timeout_s;       /* idle connection timeout; 0 = 30 */
    const char *web_dir;      /* static files; NULL = <source dir>/web */
    const char *release_dir;  /* the current release (hotspot publish --out); NULL = none */
    const char *conninfo;     /* NULL = $HOTSPOT_DB / the embedded cluster */
    const char *read_conninfo; /* a streaming replica for the routes' read-only queries
                                  (--db-read); NULL = the primary (hs_dbpool.h) */
    int quiet;                /* no access log */
    unsigned audit_retention_days; /* 0 = 730 (two years) */
    const char *public_url;   /* http(s)://host[:port][/prefix] for TileJSON; NULL = relative */
    unsigned heavy_threads;   /* heavy-job pool workers; 0 = `threads` */
    unsigned heavy_queue;     /* heavy jobs allowed to wait; 0 = HS_HTTP_DEFAULT_HEAVY_QUEUE */
    double heavy_budget_s;    /* time budget of a heavy request from its arrival; 0 = 60 */
    int heavy_nice;           /* 0..19 added to the heavy threads' nice; 0 = same priority */
    double rate[4];           /* requests per second per client, by hs_role (public per
                                 address, the others per token); 0 = unlimited */
    const char *trusted_proxy; /* numeric address of a reverse proxy whose last
                                  X-Forwarded-For entry is the client; NULL = none */
} hs_http_opts;

typedef struct hs_server hs_server;

/* Creates the server and its services (nothing listens yet). Caller frees with
 * hs_server_destroy. */
int hs_server_create(const hs_http_opts *opts, hs_server **out, hs_err *err);
/* The router to register routes on; only before hs_server_start. */
hs_router *hs_server_router(hs_server *s);
/* The shared services (db pool, watcher, cache, metrics); borrowed. */
hs_services *hs_server_services(hs_server *s);
/* Reads the data version, starts the watcher and the HTTP threads. */
int hs_server_start(hs_server *s, hs_err *err);
/* The bound port (useful with port 0); 0 before start. */
unsigned hs_server_port(const hs_server *s);
/* Graceful stop: closes the listening socket at once, lets the requests in flight
 * finish for up to grace_s seconds (their answers say Connection: close), then
 * cancels the heavy jobs still running (503 "shutting down"). Call before
 * hs_server_destroy. */
void hs_server_shutdown(hs_server *s, double grace_s);
/* Stops accepting, finishes (or drops) connections, joins every thread, then frees
 * all services. Accepts NULL. */
void hs_server_destroy(hs_server *s);

/* The request-target stage of every request, shared with the fuzz targets: splits
 * `uri` (NUL-terminated, at most HS_HTTP_MAX_URI bytes) at '?' and '#', decodes the
 * path strictly (no %2F, control bytes, invalid UTF-8, '.' or '..' segments), finds
 * the route (fills req->path, route, ctx, param_*), parses the query and, unless the
 * route has HS_ROUTE_OWN_PARAMS, checks its names. req->arena must be set.
 * HS_EINVAL (400) or HS_ENOTFOUND (404) with a message. */
int hs_http_parse_target(const hs_router *r, const char *uri, hs_req *req, hs_err *err);

/* Parses "HOST:PORT" / "[V6]:PORT" (port 0-65535). host receives the host text. */
int hs_http_parse_listen(const char *s, char *host, size_t hostn, unsigned *port, hs_err *err);

#endif
