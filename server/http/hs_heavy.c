/* POLLRDHUP (peer closed its end) is a Linux extension. */
#define _GNU_SOURCE
#include "hs_heavy.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hs_clock.h"

#ifndef POLLRDHUP
#define POLLRDHUP 0 /* not Linux: POLLHUP still reports a closed socket */
#endif

#define HEAVY_MAX_THREADS 256
#define WATCH_PERIOD_NS 50000000L /* 50 ms: the reaction time to a gone client or a budget */
/* Workers run at a lower CPU priority (opts.nice; Linux nice values are per thread,
 * and the threads a job starts inherit it), so a cheap request is scheduled before
 * heavy work, not behind it. */

struct hs_heavy {
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t work;  /* a job was queued, or stopping */
    pthread_cond_t unpinned; /* the interrupter left a job's interrupt hook */
    pthread_cond_t intr_work; /* a job was pinned for the interrupter, or stopping */
    /* Jobs pinned for their interrupt hook, waiting for the interrupter thread. Its own
     * thread, not the watchdog: PQcancel to a host that stopped answering blocks for
     * the TCP connect timeout (libpq 15 has no timeout for it), and budgets must
     * still be enforced meanwhile. */
    hs_heavy_job *intr[HEAVY_MAX_THREADS];
    unsigned nintr;
    pthread_t intr_tid;
    int intr_started;
    hs_heavy_job *head, *tail;
    size_t nq;
    hs_heavy_job *running[HEAVY_MAX_THREADS]; /* per worker: its job, or NULL */
    unsigned threads, queue_max, started;
    int nice;
    int stopping;
    int watch_stop; /* set after the workers are joined: the watchdog interrupts the
                       queries of jobs cancelled at shutdown until then */
    hs_heavy_stats st;
    pthread_t tid[HEAVY_MAX_THREADS];
    pthread_t watch;
    int watch_started;
};

typedef struct worker_arg {
    hs_heavy *h;
    unsigned idx;
} worker_arg;

/* Sets the first reason only (later ones do not overwrite it); counts it. Lock held. */
static void cancel_locked(hs_heavy *h, hs_heavy_job *j, int reason)
{
    int none = HS_CANCEL_NONE;
    if (!atomic_compare_exchange_strong(&j->cancel, &none, reason))
        return;
    if (reason == HS_CANCEL_BUDGET)
        h->st.cancelled_budget++;
    else if (reason == HS_CANCEL_CLIENT)
        h->st.cancelled_client++;
    else
        h->st.cancelled_shutdown++;
}

/* 1 when the peer closed (or reset) the connection. Pipelined bytes from a client
 * still there only make the socket readable, which is not looked at. */
static int client_gone(int fd)
{
    if (fd < 0)
        return 0;
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    int n = poll(&p, 1, 0);
    return n > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

static void check_job(hs_heavy *h, hs_heavy_job *j, double now)
{
    if (j->deadline > 0 && now >= j->deadline)
        cancel_locked(h, j, HS_CANCEL_BUDGET);
    else if (client_gone(j->fd))
        cancel_locked(h, j, HS_CANCEL_CLIENT);
}

/* Runs a job that will never reach a worker (cancelled while waiting, or at
 * shutdown): `run` sees the flag and only answers. No lock held. */
static void answer_cancelled(hs_heavy_job *j)
{
    j->run(j, j->arg);
    j->done(j, j->arg);
}

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    hs_heavy *h = wa->h;
    unsigned idx = wa->idx;
    free(wa);
#ifdef __linux__
    /* Relative to the process's nice value; raising it needs no privilege. Best
     * effort: if it fails the pool still works, only without the priority edge. */
    errno = 0;
    int cur = getpriority(PRIO_PROCESS, (id_t)gettid());
    if (h->nice > 0 && errno == 0 && cur < 19)
        (void)setpriority(PRIO_PROCESS, (id_t)gettid(), cur + h->nice > 19 ? 19 : cur + h->nice);
#endif
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->head && !h->stopping)
            pthread_cond_wait(&h->work, &h->lock);
        hs_heavy_job *j = h->head;
        if (!j)
            break; /* stopping and nothing left */
        h->head = j->next;
        if (!h->head)
            h->tail = NULL;
        h->nq--;
        j->next = NULL;
        j->running = 1;
        j->started_at = hs_clock_now();
        h->running[idx] = j;
        h->st.running++;
        pthread_mutex_unlock(&h->lock);

        hs_cancel_set_current(&j->cancel);
        j->run(j, j->arg);
        hs_cancel_set_current(NULL);

        /* The job leaves the running list before `done` hands the answer back
         * (after which its owner may free it), so the watchdog never polls a job
         * or a socket that is no longer ours. */
        pthread_mutex_lock(&h->lock);
        while (j->pinned)
            pthread_cond_wait(&h->unpinned, &h->lock);
        h->running[idx] = NULL;
        h->st.running--;
        h->st.done++;
        pthread_mutex_unlock(&h->lock);
        j->done(j, j->arg);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

static void *intr_main(void *arg)
{
    hs_heavy *h = arg;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        while (!h->nintr && !h->watch_stop)
            pthread_cond_wait(&h->intr_work, &h->lock);
        if (!h->nintr)
            break; /* stopping and nothing pinned */
        hs_heavy_job *j = h->intr[--h->nintr];
        pthread_mutex_unlock(&h->lock);
        j->interrupt(j, j->arg);
        pthread_mutex_lock(&h->lock);
        j->pinned = 0;
        pthread_cond_broadcast(&h->unpinned);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

static void *watch_main(void *arg)
{
    hs_heavy *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->watch_stop) {
        double now = hs_clock_now();
        /* Waiting jobs: a cancelled one leaves the queue now and is answered here,
         * so clients that gave up never hold queue places. */
        hs_heavy_job *gone = NULL, **pp = &h->head, *prev = NULL;
        while (*pp) {
            hs_heavy_job *j = *pp;
            check_job(h, j, now);
            if (hs_cancel_reason(&j->cancel)) {
                *pp = j->next;
                h->nq--;
                if (h->tail == j)
                    h->tail = prev;
                j->next = gone;
                gone = j;
            } else {
                prev = j;
                pp = &j->next;
            }
        }
        /* Running jobs: a cancelled one with an interrupt hook is pinned (its worker
         * cannot finish it) and handed to the interrupter, which runs the hook
         * without the lock. */
        for (unsigned i = 0; i < h->threads; i++) {
            hs_heavy_job *j = h->running[i];
            if (!j)
                continue;
            check_job(h, j, now);
            if (hs_cancel_reason(&j->cancel) && j->interrupt && !j->pinned &&
                (j->interrupted_at == 0 || now - j->interrupted_at >= HS_HEAVY_REINTERRUPT_S)) {
                if (j->interrupted_at == 0)
                    h->st.interrupted++;
                j->interrupted_at = now;
                j->pinned = 1;
                h->intr[h->nintr++] = j; /* at most one entry per worker: never full */
                pthread_cond_signal(&h->intr_work);
            }
        }
        if (gone) {
            pthread_mutex_unlock(&h->lock);
            while (gone) {
                hs_heavy_job *n = gone->next;
                gone->next = NULL;
                answer_cancelled(gone);
                gone = n;
            }
            pthread_mutex_lock(&h->lock);
        }
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        pthread_mutex_unlock(&h->lock);
        ts.tv_nsec += WATCH_PERIOD_NS;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int hs_heavy_create(const hs_heavy_opts *o, hs_heavy **out, hs_err *err)
{
    *out = NULL;
    if (o->threads < 1 || o->threads > HEAVY_MAX_THREADS)
        return hs_err_set(err, HS_EINVAL, "heavy-threads must be from 1 to %d (got %u)",
                          HEAVY_MAX_THREADS, o->threads);
    hs_heavy *h = calloc(1, sizeof *h);
    if (!h)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the heavy-job pool");
    h->threads = o->threads;
    h->queue_max = o->queue_max;
    h->nice = o->nice < 0 ? 0 : o->nice > 19 ? 19 : o->nice;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->work, NULL);
    pthread_cond_init(&h->unpinned, NULL);
    pthread_cond_init(&h->intr_work, NULL);
    for (unsigned i = 0; i < h->threads; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa || (wa->h = h, wa->idx = i, pthread_create(&h->tid[i], NULL, worker_main, wa))) {
            free(wa);
            hs_heavy_destroy(h);
            return hs_err_set(err, HS_ENOMEM, "cannot start heavy-job worker %u of %u", i + 1,
                              o->threads);
        }
        h->started++;
    }
    if (pthread_create(&h->watch, NULL, watch_main, h)) {
        hs_heavy_destroy(h);
        return hs_err_set(err, HS_ENOMEM, "cannot start the heavy-job watchdog");
    }
    h->watch_started = 1;
    if (pthread_create(&h->intr_tid, NULL, intr_main, h)) {
        hs_heavy_destroy(h);
        return hs_err_set(err, HS_ENOMEM, "cannot start the heavy-job interrupter");
    }
    h->intr_started = 1;
    *out = h;
    return HS_OK;
}

int hs_heavy_submit(hs_heavy *h, hs_heavy_job *job, hs_err *err)
{
    atomic_store(&job->cancel, HS_CANCEL_NONE);
    job->next = NULL;
    job->running = 0;
    job->interrupted_at = 0;
    job->pinned = 0;
    job->started_at = 0;
    job->queued_at = hs_clock_now();
    pthread_mutex_lock(&h->lock);
    int rc = HS_OK;
    /* Idle workers take a job at once, so only jobs beyond them count as waiting. */
    size_t idle = h->threads - h->st.running;
    if (h->stopping) {
        rc = hs_err_set(err, HS_ECANCELED, "the server is shutting down");
    } else if (h->nq >= idle + h->queue_max) {
        h->st.rejected++;
        rc = hs_err_set(err, HS_ELIMIT,
                        "the heavy-work queue is full (%u running, %zu waiting, limit "
                        "heavy-queue = %u)", h->threads, h->nq, h->queue_max);
    } else {
        if (h->tail)
            h->tail->next = job;
        else
            h->head = job;
        h->tail = job;
        h->nq++;
        h->st.accepted++;
        pthread_cond_signal(&h->work);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

void hs_heavy_cancel_all(hs_heavy *h, int reason)
{
    pthread_mutex_lock(&h->lock);
    for (hs_heavy_job *j = h->head; j; j = j->next)
        cancel_locked(h, j, reason);
    for (unsigned i = 0; i < h->threads; i++)
        if (h->running[i])
            cancel_locked(h, h->running[i], reason);
    pthread_mutex_unlock(&h->lock);
}

size_t hs_heavy_pending(hs_heavy *h)
{
    pthread_mutex_lock(&h->lock);
    size_t n = h->nq + h->st.running;
    pthread_mutex_unlock(&h->lock);
    return n;
}

void hs_heavy_stats_get(hs_heavy *h, hs_heavy_stats *s)
{
    pthread_mutex_lock(&h->lock);
    *s = h->st;
    s->queued = h->nq;
    pthread_mutex_unlock(&h->lock);
}

void hs_heavy_metrics_write(hs_heavy *h, hs_buf *o, hs_err *err)
{
    if (!h)
        return;
    hs_heavy_stats s;
    hs_heavy_stats_get(h, &s);
    hs_buf_printf(o, err,
                  "# HELP hotspot_heavy_queued Heavy jobs waiting for a worker.\n"
                  "# TYPE hotspot_heavy_queued gauge\nhotspot_heavy_queued %zu\n"
                  "# HELP hotspot_heavy_running Heavy jobs running.\n"
                  "# TYPE hotspot_heavy_running gauge\nhotspot_heavy_running %zu\n"
                  "# HELP hotspot_heavy_accepted_total Heavy jobs queued.\n"
                  "# TYPE hotspot_heavy_accepted_total counter\nhotspot_heavy_accepted_total %llu\n"
                  "# HELP hotspot_heavy_rejected_total Heavy requests refused with 503 (queue full).\n"
                  "# TYPE hotspot_heavy_rejected_total counter\nhotspot_heavy_rejected_total %llu\n"
                  "# HELP hotspot_heavy_cancelled_total Heavy jobs stopped, by reason.\n"
                  "# TYPE hotspot_heavy_cancelled_total counter\n"
                  "hotspot_heavy_cancelled_total{reason=\"budget\"} %llu\n"
                  "hotspot_heavy_cancelled_total{reason=\"client\"} %llu\n"
                  "hotspot_heavy_cancelled_total{reason=\"shutdown\"} %llu\n"
                  "# HELP hotspot_heavy_interrupted_total Running heavy jobs whose blocking "
                  "work (a database query) was interrupted.\n"
                  "# TYPE hotspot_heavy_interrupted_total counter\n"
                  "hotspot_heavy_interrupted_total %llu\n",
                  s.queued, s.running, (unsigned long long)s.accepted,
                  (unsigned long long)s.rejected, (unsigned long long)s.cancelled_budget,
                  (unsigned long long)s.cancelled_client, (unsigned long long)s.cancelled_shutdown,
                  (unsigned long long)s.interrupted);
}

void hs_heavy_destroy(hs_heavy *h)
{
    if (!h)
        return;
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    for (hs_heavy_job *j = h->head; j; j = j->next)
        cancel_locked(h, j, HS_CANCEL_SHUTDOWN);
    for (unsigned i = 0; i < h->threads; i++)
        if (h->running[i])
            cancel_locked(h, h->running[i], HS_CANCEL_SHUTDOWN);
    pthread_cond_broadcast(&h->work);
    pthread_mutex_unlock(&h->lock);
    /* Workers drain the queue (each job sees its flag and only answers), then exit. */
    for (unsigned i = 0; i < h->started; i++)
        pthread_join(h->tid[i], NULL);
    pthread_mutex_lock(&h->lock);
    h->watch_stop = 1;
    pthread_cond_broadcast(&h->intr_work);
    pthread_mutex_unlock(&h->lock);
    if (h->intr_started)
        pthread_join(h->intr_tid, NULL);
    if (h->watch_started)
        pthread_join(h->watch, NULL);
    pthread_cond_destroy(&h->work);
    pthread_cond_destroy(&h->unpinned);
    pthread_cond_destroy(&h->intr_work);
    pthread_mutex_destroy(&h->lock);
    free(h);
}
