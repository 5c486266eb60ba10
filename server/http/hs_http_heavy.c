/* The heavy-job hand-off of the HTTP server: a request whose work is heavy leaves
 * its HTTP thread (connection suspended), runs on the pool (server/http/hs_heavy) and
 * comes back with its answer; a request whose answer another one is rendering waits
 * for it parked, holding no thread; and the error answers of any handler,
 * cancellations included. Split from hs_http.c, which keeps framing, dispatch and the MHD
 * callbacks. */
#include "hs_http_int.h"

#include <stdio.h>
#include <string.h>

#include "hs_cancel.h"
#include "hs_clock.h"
#include "hs_dbpool.h"
/* After the handler ran (inline or on the heavy pool): gives the connection back
 * and turns an error into its JSON answer. */
void hs__http_finish_handler(hs_server *s, http_rctx *rc, int r, hs_err *err)
{
    hs_req *req = &rc->req;
    hs_resp *resp = &rc->resp;
    if (req->conn)
        hs_dbpool_release(s->svc.db, req->conn);
    req->conn = NULL;
    if (r >= 0)
        return;
    const char *route = req->route ? hs_route_pattern(req->route) : "?";
    /* A job whose flag is set failed because it was stopped, whatever the error says:
     * its query cancelled by the interrupt hook fails as a database error. */
    if (err->code == HS_ECANCELED || hs_cancel_reason(&rc->job.cancel)) {
        /* Stopped on purpose: say why, in words that name no internals. */
        int why = hs_cancel_reason(&rc->job.cancel);
        char msg[300];
        const char *code = "cancelled", *retry = NULL;
        if (why == HS_CANCEL_BUDGET) {
            code = "timeout";
            snprintf(msg, sizeof msg,
                     "the request was stopped after its time budget of %g s for heavy work "
                     "(setting heavy-budget); ask for less (fewer permutations, a shorter "
                     "window, a smaller area) or retry when the server is less busy",
                     s->opts.heavy_budget_s);
        } else if (why == HS_CANCEL_CLIENT) {
            snprintf(msg, sizeof msg, "the client closed the connection; the work was stopped");
        } else if (why == HS_CANCEL_SHUTDOWN) {
            code = "unavailable";
            retry = "5";
            snprintf(msg, sizeof msg, "the server is shutting down; retry");
        } else {
            retry = "1";
            snprintf(msg, sizeof msg, "an identical request computing the same answer was "
                                      "stopped; retry");
        }
        fprintf(stderr, "hotspot: %s %s: %s (%s)\n", rc->method, route, code, err->msg);
        /* 504 for a spent budget: retrying elsewhere would only spend another one (nginx
         * retries 503 on the next instance, docs/deploy.md), and Retry-After would not
         * help either. */
        hs_resp_error_status(resp, why == HS_CANCEL_BUDGET ? 504 : 503, code, msg, NULL);
        if (retry)
            hs_resp_header(resp, "Retry-After", retry, NULL);
        return;
    }
    const char *param = req->error_param ? req->error_param
                                         : (err->code == HS_EINVAL ? hs_query_error_param(req->query) : NULL);
    if (hs_err_http_status(err->code) >= 500) {
        fprintf(stderr, "hotspot: %s %s: %s (in %s)\n", rc->method, route, err->msg, err->where);
        /* The details (socket paths, hosts, library text) are for the log only. */
        hs_err_set(err, err->code, "%s", err->code == HS_EDB ? "database unavailable"
                                                               : "internal error");
        err->where[0] = '\0';
        param = NULL;
    }
    hs_resp_error(resp, err, param);
}

void hs__http_rerun_reset(http_rctx *rc)
{
    hs_resp_clear(&rc->resp);
    hs_req *req = &rc->req;
    req->defer_ok = 0;
    req->deferred = 0;
    req->park_key = NULL;
    req->error_param = NULL;
    req->conn = NULL;
}

/* ---- heavy jobs (hs_heavy) ---- */

/* On a pool worker (or the watchdog, for a job cancelled while it waited): runs the
 * handler again, rendering this time. */
static void job_run(hs_heavy_job *job, void *arg)
{
    http_rctx *rc = arg;
    hs_server *s = rc->srv;
    hs_err err = {0};
    rc->queue_s = (job->started_at > 0 ? job->started_at : hs_clock_now()) - rc->t0;
    hs__http_rerun_reset(rc);
    int r;
    if (hs_cancel_reason(&job->cancel))
        r = hs_cancel_error(&job->cancel, "the request", &err);
    else {
        /* From here the watchdog may interrupt this thread's queries (job_interrupt). */
        atomic_store(&rc->dbt, hs_dbpool_thread_self(s->svc.db));
        r = hs_route_spec_of(rc->req.route)->handle(&rc->req, &rc->resp, &err);
        if (r < 0 && !err.code)
            hs_err_set(&err, r, "the handler failed without a message");
    }
    hs__http_finish_handler(s, rc, r, &err);
}

/* On the watchdog, once the flag of the running job is set: a query the handler is
 * blocked in (a lock wait, a long scan of the data) cannot poll the flag, so the
 * server is asked to cancel it; it fails at once and the handler unwinds. The
 * connection stays usable (hs_dbpool.h). The pool keeps the job, and so this
 * thread's slot, alive until this returns. */
static void job_interrupt(hs_heavy_job *job, void *arg)
{
    (void)job;
    http_rctx *rc = arg;
    hs_dbpool_interrupt(atomic_load(&rc->dbt));
}

/* Hands the answer back: MHD calls on_request again, which sends it. */
static void job_done(hs_heavy_job *job, void *arg)
{
    (void)job;
    http_rctx *rc = arg;
    rc->phase = RC_READY;
    MHD_resume_connection(rc->conn);
}

void hs__http_answer_shutdown(http_rctx *rc)
{
    hs_resp_clear(&rc->resp);
    hs_resp_error_status(&rc->resp, 503, "unavailable", "the server is shutting down; retry", NULL);
    hs_resp_header(&rc->resp, "Retry-After", "5", NULL);
}

/* Suspends the connection and queues its job; a full queue answers 503 at once
 * (through the same resume path, so there is one way answers leave). */
void hs__http_start_heavy(hs_server *s, http_rctx *rc, struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    memset(&rc->job, 0, sizeof rc->job);
    rc->job.deadline = rc->t0 + s->opts.heavy_budget_s;
    rc->job.fd = ci ? ci->connect_fd : -1;
    rc->job.run = job_run;
    rc->job.done = job_done;
    rc->job.interrupt = job_interrupt;
    rc->job.arg = rc;
    rc->phase = RC_HEAVY;
    MHD_suspend_connection(conn);
    hs_err err = {0};
    /* After the grace period a job submitted now (a keep-alive request, a parked one
     * woken by its renderer's cancellation) would run uncancelled until the pool stops. */
    int r = atomic_load(&s->cancelling)
                ? hs_err_set(&err, HS_ECANCELED, "the server is shutting down")
                : hs_heavy_submit(s->heavy, &rc->job, &err);
    if (r < 0) {
        if (err.code == HS_ELIMIT) {
            hs_resp_error_status(&rc->resp, 503, "overloaded", err.msg, NULL);
            hs_resp_header(&rc->resp, "Retry-After", HS_HTTP_BUSY_RETRY_AFTER, NULL);
        } else {
            hs__http_answer_shutdown(rc);
        }
        rc->phase = RC_READY;
        MHD_resume_connection(conn);
    }
}

/* ---- parking (hs_cache_watch) ---- */

/* On the thread whose render ended (the cache lock not held): back to on_request,
 * which runs the handler again. */
static void park_wake(void *arg)
{
    http_rctx *rc = arg;
    rc->phase = RC_WOKEN;
    MHD_resume_connection(rc->conn);
}

/* Why park rather than merge on the pool: a merged request holds a heavy thread for
 * as long as the render it waits for, so a dashboard's identical requests used to
 * fill the pool with waiting and queue everyone else behind them. A parked one holds
 * only its connection. It needs no watchdog of its own: the render it waits for
 * started earlier under the same heavy-budget, so it ends (or is stopped) first; a
 * client that leaves meanwhile is noticed when the answer is sent. */
void hs__http_park(hs_server *s, http_rctx *rc, struct MHD_Connection *conn)
{
    rc->park = (hs_cache_waiter){.wake = park_wake, .arg = rc};
    rc->phase = RC_PARKED;
    /* Suspended before the waiter is registered, so a wake cannot come first. */
    MHD_suspend_connection(conn);
    if (!hs_cache_watch(s->svc.cache, rc->req.data_version, rc->req.park_key, &rc->park)) {
        /* The render ended in between: look again at once. */
        rc->phase = RC_WOKEN;
        MHD_resume_connection(conn);
    }
}
