/* hs_heavy: the bounded pool that runs heavy requests, apart from the HTTP threads.
 *
 * Why: libmicrohttpd's worker threads run handlers inline, so two long scans used to
 * hold both workers and /healthz waited behind them. Heavy work (a cache miss of an
 * analysis, scan, map or metatile) now runs here while its connection is suspended,
 * and the HTTP threads keep answering cheap requests (health, cache hits, static
 * files). See docs/server.md, "Cost classes".
 *
 *  - `threads` workers take jobs from one FIFO queue. At most `queue_max` jobs wait;
 *    hs_heavy_submit refuses more (HS_ELIMIT) and the caller answers 503 with
 *    Retry-After.
 *  - A watchdog thread checks every waiting and running job about every 50 ms and
 *    sets its cancel flag (hs_cancel.h) when its deadline passes (HS_CANCEL_BUDGET)
 *    or its client's socket reports end of stream / hang-up (HS_CANCEL_CLIENT). The
 *    computation polls the flag and stops; a job cancelled while still waiting is
 *    taken out of the queue at once, so gone clients do not hold queue places.
 *  - While a worker runs a job, the job's flag is the thread's current flag
 *    (hs_cancel_set_current), which is how the pipeline finds it.
 *  - Work that cannot poll (a database query in flight) is stopped by the job's
 *    `interrupt` hook: once the flag of a running job is set, the pool calls it
 *    on a thread of its own (the interrupter, so a hook that blocks does not stop
 *    the watchdog), and again every HS_HEAVY_REINTERRUPT_S while the job still
 *    runs (a query begun after the first call is stopped too), without the pool's
 *    lock (it may block: PQcancel). The job stays in the running list until the
 *    hook returned, so the worker's `done` (and the owner freeing the job) never
 *    races it.
 *
 * Contract: for every accepted job, `run` is called exactly once and then `done`
 * once. `run` does the work on a worker thread; for a job cancelled while it was
 * still waiting it is called on the watchdog thread instead, so it must first check
 * hs_cancel_reason(&job->cancel) and, when set, only prepare the error. `done`
 * hands the answer back (resumes the connection); once it is called the pool never
 * touches the job again, so its owner may free it.
 *
 * Threads: every function is thread-safe; one mutex (`lock`) guards the queue and
 * the running list, and is never held while a job runs.
 */
#ifndef HS_HEAVY_H
#define HS_HEAVY_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_buf.h"
#include "hs_cancel.h"
#include "hs_err.h"

typedef struct hs_heavy hs_heavy;
typedef struct hs_heavy_job hs_heavy_job;

/* Seconds between two calls of a cancelled job's interrupt hook. */
#define HS_HEAVY_REINTERRUPT_S 0.5

typedef void (*hs_heavy_run_fn)(hs_heavy_job *job, void *arg);

/* Embedded in the caller's request state; must stay valid until `run` returns. */
struct hs_heavy_job {
    atomic_int cancel;   /* HS_CANCEL_*: set by the watchdog, read by the computation */
    double deadline;     /* hs_clock_now() seconds after which the job is cancelled; 0 = none */
    int fd;              /* client socket watched for end of stream; -1 = none */
    hs_heavy_run_fn run;  /* the work (see the contract above) */
    hs_heavy_run_fn done; /* hands the answer back */
    hs_heavy_run_fn interrupt; /* optional: stops what `run` is blocked in (see above) */
    void *arg;
    double queued_at, started_at; /* filled by the pool (hs_clock_now seconds) */
    /* private */
    hs_heavy_job *next;
    int running;
    double interrupted_at; /* hs_clock_now() of the last hook call; 0 = never */
    int pinned;      /* handed to the interrupter or inside the hook: the worker waits */
};

typedef struct hs_heavy_opts {
    unsigned threads;   /* workers, 1..256 */
    unsigned queue_max; /* jobs allowed to wait beyond the running ones, 0..100000 */
    int nice;           /* 0..19: added to the workers' nice value (lower CPU priority) */
} hs_heavy_opts;

typedef struct hs_heavy_stats {
    size_t queued, running;
    uint64_t accepted, rejected, done;
    uint64_t cancelled_budget, cancelled_client, cancelled_shutdown;
    uint64_t interrupted; /* running jobs whose interrupt hook was called */
} hs_heavy_stats;

/* Starts the workers and the watchdog. Caller frees with hs_heavy_destroy. */
int hs_heavy_create(const hs_heavy_opts *o, hs_heavy **out, hs_err *err);
/* Sets job->cancel to 0 and queues it. HS_ELIMIT (with a message naming the limit)
 * when queue_max jobs already wait; HS_ECANCELED once the pool is stopping. */
int hs_heavy_submit(hs_heavy *h, hs_heavy_job *job, hs_err *err);
/* Sets `reason` on every waiting and running job (shutdown after the grace period). */
void hs_heavy_cancel_all(hs_heavy *h, int reason);
/* Jobs waiting or running now. */
size_t hs_heavy_pending(hs_heavy *h);
void hs_heavy_stats_get(hs_heavy *h, hs_heavy_stats *s);
/* Appends the pool's Prometheus series (hotspot_heavy_*). */
void hs_heavy_metrics_write(hs_heavy *h, hs_buf *o, hs_err *err);
/* Cancels every job (HS_CANCEL_SHUTDOWN), lets each `run` answer, joins the threads
 * and frees. Accepts NULL. */
void hs_heavy_destroy(hs_heavy *h);

#endif
