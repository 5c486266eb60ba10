#include "hs_dbwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs_pg.h"

struct hs_dbwatch {
    char *conninfo;
    unsigned poll_s;
    struct {
        hs_dbwatch_fn fn;
        void *ctx;
    } cb[HS_DBWATCH_MAX_CALLBACKS];
    size_t ncb;
    int stop_pipe[2]; /* writing a byte wakes the thread for shutdown */
    pthread_t thread;
    int started;
    PGconn *conn; /* owned by the watcher thread once started */
    atomic_uint_fast64_t version, notifications, changes, reconnects;
    atomic_int connected;
    int ever_connected;
};

int hs_dbwatch_create(const char *conninfo, unsigned poll_s, hs_dbwatch **out, hs_err *err)
{
    *out = NULL;
    hs_dbwatch *w = calloc(1, sizeof *w);
    if (!w)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the data-version watcher");
    w->poll_s = poll_s ? poll_s : 30;
    if ((conninfo && !(w->conninfo = strdup(conninfo))) || pipe(w->stop_pipe)) {
        free(w->conninfo);
        free(w);
        return hs_err_set(err, HS_ENOMEM, "cannot set up the data-version watcher");
    }
    fcntl(w->stop_pipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(w->stop_pipe[1], F_SETFD, FD_CLOEXEC);
    *out = w;
    return HS_OK;
}

int hs_dbwatch_on_change(hs_dbwatch *w, hs_dbwatch_fn fn, void *ctx, hs_err *err)
{
    if (w->started)
        return hs_err_set(err, HS_EINTERNAL, "callbacks must be registered before the watcher starts");
    if (w->ncb >= HS_DBWATCH_MAX_CALLBACKS)
        return hs_err_set(err, HS_ELIMIT, "more than %d data-change callbacks",
                          HS_DBWATCH_MAX_CALLBACKS);
    w->cb[w->ncb].fn = fn;
    w->cb[w->ncb].ctx = ctx;
    w->ncb++;
    return HS_OK;
}

uint64_t hs_dbwatch_version(const hs_dbwatch *w)
{
    return atomic_load(&((hs_dbwatch *)w)->version);
}

void hs_dbwatch_stats_get(const hs_dbwatch *cw, hs_dbwatch_stats *s)
{
    hs_dbwatch *w = (hs_dbwatch *)cw;
    s->version = atomic_load(&w->version);
    s->notifications = atomic_load(&w->notifications);
    s->changes = atomic_load(&w->changes);
    s->reconnects = atomic_load(&w->reconnects);
    s->connected = atomic_load(&w->connected);
}

/* libpq prints server notices (e.g. "FATAL: terminating connection due to
 * administrator command" when the database shuts down) straight to stderr; give
 * them our prefix so the log says where they come from. */
static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    size_t n = strcspn(msg, "\n");
    fprintf(stderr, "hotspot: database: %.*s\n", (int)n, msg);
}

static void drop_conn(hs_dbwatch *w)
{
    if (w->conn) {
        PQfinish(w->conn);
        w->conn = NULL;
    }
    atomic_store(&w->connected, 0);
}

/* Connects and subscribes. LISTEN comes before the first read so a change committed
 * in between is seen either by the read or as a notification. */
static int watch_connect(hs_dbwatch *w, hs_err *err)
{
    PGconn *c = NULL;
    int rc = w->conninfo ? hs_pg_connect_to(w->conninfo, &c, err) : hs_pg_connect(&c, err);
    if (rc < 0)
        return rc;
    PQsetNoticeProcessor(c, on_notice, NULL);
    rc = hs_pg_exec(c, "LISTEN " HS_DBWATCH_CHANNEL, err);
    if (rc < 0) {
        PQfinish(c);
        return rc;
    }
    w->conn = c;
    atomic_store(&w->connected, 1);
    if (w->ever_connected)
        atomic_fetch_add(&w->reconnects, 1);
    w->ever_connected = 1;
    return HS_OK;
}

/* Reads hs.data_version and publishes a change. */
static int read_version(hs_dbwatch *w, int notify, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(w->conn, HS_DBWATCH_VERSION_SQL, 0, NULL, &r, err);
    if (rc < 0)
        return rc;
    uint64_t v = 0;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
        char *end = NULL;
        unsigned long long x = strtoull(PQgetvalue(r, 0, 0), &end, 10);
        if (end && !*end)
            v = (uint64_t)x;
    }
    PQclear(r);
    uint64_t old = atomic_exchange(&w->version, v);
    if (old != v && notify) {
        atomic_fetch_add(&w->changes, 1);
        for (size_t i = 0; i < w->ncb; i++)
            w->cb[i].fn(v, w->cb[i].ctx);
    }
    return HS_OK;
}

/* Waits up to `seconds` for the stop pipe; returns 1 if asked to stop. */
static int wait_stop(hs_dbwatch *w, double seconds)
{
    struct pollfd pf = {.fd = w->stop_pipe[0], .events = POLLIN};
    int r = poll(&pf, 1, (int)(seconds * 1000));
    return r > 0;
}

static void *watch_main(void *arg)
{
    hs_dbwatch *w = arg;
    double backoff = 0.25;
    for (;;) {
        hs_err err = {0};
        if (!w->conn) {
            if (watch_connect(w, &err) < 0 || read_version(w, 1, &err) < 0) {
                drop_conn(w);
                if (wait_stop(w, backoff))
                    break;
                /* Capped at 2 s so LISTEN is back within a few seconds of the
                 * database (docs/reliability.md); a failed local connect is cheap. */
                backoff = backoff * 2 > 2 ? 2 : backoff * 2;
                continue;
            }
            backoff = 0.25;
        }
        struct pollfd pf[2] = {{.fd = w->stop_pipe[0], .events = POLLIN},
                               {.fd = PQsocket(w->conn), .events = POLLIN}};
        int r = poll(pf, 2, (int)w->poll_s * 1000);
        if (r < 0 && errno != EINTR) {
            drop_conn(w);
            continue;
        }
        if (pf[0].revents)
            break;
        if (r == 0) {
            /* Periodic re-read: a safety net for lost notifications and a check that
             * the connection still works. */
            if (read_version(w, 1, &err) < 0)
                drop_conn(w);
            continue;
        }
        if (pf[1].revents) {
            if (!PQconsumeInput(w->conn)) {
                drop_conn(w);
                continue;
            }
            int got = 0;
            PGnotify *n;
            while ((n = PQnotifies(w->conn))) {
                got++;
                PQfreemem(n);
            }
            if (got) {
                atomic_fetch_add(&w->notifications, (uint64_t)got);
                if (read_version(w, 1, &err) < 0)
                    drop_conn(w);
            } else if (PQstatus(w->conn) != CONNECTION_OK) {
                drop_conn(w);
            }
        }
    }
    drop_conn(w);
    return NULL;
}

int hs_dbwatch_start(hs_dbwatch *w, hs_err *err)
{
    hs_err e = {0};
    /* First read on the caller's thread so requests start with the right version;
     * callbacks are not called for it. */
    if (watch_connect(w, &e) == HS_OK && read_version(w, 0, &e) < 0)
        drop_conn(w);
    w->started = 1;
    if (pthread_create(&w->thread, NULL, watch_main, w)) {
        w->started = 0;
        drop_conn(w);
        return hs_err_set(err, HS_ENOMEM, "cannot start the data-version watcher thread");
    }
    return HS_OK;
}

void hs_dbwatch_destroy(hs_dbwatch *w)
{
    if (!w)
        return;
    if (w->started) {
        ssize_t wr;
        do
            wr = write(w->stop_pipe[1], "x", 1);
        while (wr < 0 && errno == EINTR);
        pthread_join(w->thread, NULL);
    }
    drop_conn(w);
    close(w->stop_pipe[0]);
    close(w->stop_pipe[1]);
    free(w->conninfo);
    free(w);
}
