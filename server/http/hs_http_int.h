/* Internal to server/http (hs_http.c, hs_http_heavy.c): the server and per-request
 * state the MHD callbacks and the heavy-job hand-off share. Not part of the API. */
#ifndef HS_HTTP_INT_H
#define HS_HTTP_INT_H

#include <microhttpd.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "hs_access.h"
#include "hs_cache.h"
#include "hs_dbpool.h"
#include "hs_heavy.h"
#include "hs_http.h"

struct hs_server {
    hs_http_opts opts;
    char web_dir[1024];
    struct sockaddr_storage addr;
    hs_router *router;
    hs_services svc;
    struct MHD_Daemon *mhd;
    hs_heavy *heavy;        /* = svc.heavy; created at start */
    unsigned port;
    atomic_ullong next_id;
    atomic_long active;  /* requests between on_uri and on_completed (for shutdown) */
    atomic_int stopping; /* shutdown began: answers close their connection */
    atomic_int cancelling; /* the grace period is over (or the server is being destroyed):
                              no new heavy job starts and no woken request runs again */
};

/* Where a request stands. A heavy one goes NEW -> HEAVY (connection suspended, job
 * queued or running on the pool) -> READY (answer in rc->resp, connection resumed;
 * MHD calls on_request again, which sends it). One whose answer another request is
 * rendering goes NEW -> PARKED (connection suspended, no thread held) -> WOKEN (the
 * render ended; on_request runs the handler again, which finds the answer cached or,
 * once, goes HEAVY). */
enum { RC_NEW = 0, RC_HEAVY, RC_READY, RC_PARKED, RC_WOKEN };

/* What running a handler on an HTTP thread decided (hs__http_run_handler). */
enum { HS_RUN_ANSWERED = 0, HS_RUN_HEAVY, HS_RUN_PARK };

/* Per-request state, created when MHD has parsed the request line and freed when
 * the request completes. */
typedef struct http_rctx {
    hs_server *srv;
    hs_arena *arena;
    size_t uri_len;                /* full length, may exceed the cap */
    double t0;
    int handled;
    int deferred; /* on_request has seen the headers once */
    int status;
    size_t bytes;
    int route_index;
    char method[16];
    hs_principal who;     /* from the Authorization header */
    const char *province; /* the request's province parameter (arena), for the audit */
    unsigned long long id; /* request id, for the log */
    double queue_s;        /* time from the request line to the handler starting (for a
                              heavy request: to its job starting on the pool) */
    struct MHD_Connection *conn;
    int phase;             /* RC_* */
    hs_req req;            /* kept here, not on a stack: a heavy request runs its handler */
    hs_resp resp;          /* again on the pool, and its answer is sent after resuming */
    hs_heavy_job job;
    hs_cache_waiter park; /* registered on the render it waits for while RC_PARKED */
    /* The pool thread's database connections while its job runs (set by job_run on
     * that thread, read by the watchdog's interrupt hook). */
    _Atomic(hs_dbpool_thread *) dbt;
    /* The raw request target, cut at HS_HTTP_MAX_URI: allocated to its length, since
     * zeroing a fixed 8 KB buffer for every request showed in the cached-tile profile. */
    char uri[];
} http_rctx;

/* hs_http_heavy.c */
/* After the handler ran (inline or on the heavy pool): gives the connection back
 * and turns an error into its JSON answer. */
void hs__http_finish_handler(hs_server *s, http_rctx *rc, int r, hs_err *err);
/* Suspends the connection and queues the request's job on the heavy pool. */
void hs__http_start_heavy(hs_server *s, http_rctx *rc, struct MHD_Connection *conn);
/* Before a request's handler runs again (on the pool, or woken from parking): drops
 * the first run's answer and hand-off state (deferral, park key, error parameter). */
void hs__http_rerun_reset(http_rctx *rc);
/* Puts the 503 `unavailable` "the server is shutting down" answer in rc->resp. */
void hs__http_answer_shutdown(http_rctx *rc);
/* Suspends the connection until the render of rc->req.park_key ends (hs_cache_watch). */
void hs__http_park(hs_server *s, http_rctx *rc, struct MHD_Connection *conn);

/* hs_http.c */
/* Runs the route's handler on this HTTP thread: HS_RUN_ANSWERED (answer in rc->resp),
 * HS_RUN_HEAVY (a cache miss, or a heavy route: the pool runs it again) or
 * HS_RUN_PARK (the answer is being rendered for another request: wait for it). */
int hs__http_run_handler(hs_server *s, http_rctx *rc);

/* Header framing checks (hs_http_target.c): 0 when the headers pass, else fills
 * resp with the 400/431 error and returns -1. */
int hs_http_check_headers(struct MHD_Connection *conn, hs_resp *resp);

#endif
