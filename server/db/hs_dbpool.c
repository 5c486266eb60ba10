#include "hs_dbpool.h"
#include "hs_clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_pg.h"

/* One thread's connection. Linked into the pool so hs_dbpool_destroy can close the
 * connections of threads that never exited through the key destructor. */
typedef struct db_slot {
    struct db_slot *prev, *next;
    struct hs_dbpool *pool;
    PGconn *conn;
    double opened;     /* monotonic seconds */
    unsigned uses;
    int ever_connected;
    double retry_at;   /* no connect attempt before this time after a failure */
    double backoff;
    char last_error[256];
} db_slot;

struct hs_dbpool {
    pthread_key_t key;
    char *conninfo;
    unsigned max_lifetime_s, max_uses, statement_timeout_ms;
    pthread_mutex_t slots_lock; /* guards the slot list only (slot create/destroy) */
    db_slot *slots;
    atomic_uint_fast64_t connects, reconnects, failures, open;
};


/* libpq prints server notices (e.g. "FATAL: terminating connection due to
 * administrator command" when the database shuts down) straight to stderr; give
 * them our prefix so the log says where they come from. */
static void on_notice(void *arg, const char *msg)
{
    (void)arg;
    size_t n = strcspn(msg, "\n");
    fprintf(stderr, "hotspot: database: %.*s\n", (int)n, msg);
}

static void slot_close(db_slot *s)
{
    if (s->conn) {
        PQfinish(s->conn);
        s->conn = NULL;
        atomic_fetch_sub(&s->pool->open, 1);
    }
}

static void slot_destroy(db_slot *s)
{
    hs_dbpool *p = s->pool;
    slot_close(s);
    pthread_mutex_lock(&p->slots_lock);
    if (s->prev)
        s->prev->next = s->next;
    else
        p->slots = s->next;
    if (s->next)
        s->next->prev = s->prev;
    pthread_mutex_unlock(&p->slots_lock);
    free(s);
}

/* pthread key destructor: runs when a worker thread exits. */
static void slot_key_destructor(void *v)
{
    if (v)
        slot_destroy(v);
}

int hs_dbpool_create(const hs_dbpool_opts *opts, hs_dbpool **out, hs_err *err)
{
    *out = NULL;
    hs_dbpool *p = calloc(1, sizeof *p);
    if (!p)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the connection pool");
    hs_dbpool_opts o = opts ? *opts : (hs_dbpool_opts){0};
    p->max_lifetime_s = o.max_lifetime_s ? o.max_lifetime_s : 3600;
    p->max_uses = o.max_uses ? o.max_uses : 10000;
    p->statement_timeout_ms = o.statement_timeout_ms ? o.statement_timeout_ms : 30000;
    if (o.conninfo && !(p->conninfo = strdup(o.conninfo))) {
        free(p);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the connection pool");
    }
    if (pthread_key_create(&p->key, slot_key_destructor)) {
        free(p->conninfo);
        free(p);
        return hs_err_set(err, HS_ENOMEM, "cannot create a thread-local key");
    }
    pthread_mutex_init(&p->slots_lock, NULL);
    *out = p;
    return HS_OK;
}

void hs_dbpool_destroy(hs_dbpool *p)
{
    if (!p)
        return;
    /* Close what threads left behind, then the key itself. */
    for (;;) {
        pthread_mutex_lock(&p->slots_lock);
        db_slot *s = p->slots;
        pthread_mutex_unlock(&p->slots_lock);
        if (!s)
            break;
        slot_destroy(s);
    }
    pthread_setspecific(p->key, NULL);
    pthread_key_delete(p->key);
    pthread_mutex_destroy(&p->slots_lock);
    free(p->conninfo);
    free(p);
}

static db_slot *thread_slot(hs_dbpool *p, hs_err *err)
{
    db_slot *s = pthread_getspecific(p->key);
    if (s)
        return s;
    s = calloc(1, sizeof *s);
    if (!s) {
        hs_err_set(err, HS_ENOMEM, "cannot allocate a connection slot");
        return NULL;
    }
    s->pool = p;
    if (pthread_setspecific(p->key, s)) {
        free(s);
        hs_err_set(err, HS_ENOMEM, "cannot store a connection slot");
        return NULL;
    }
    pthread_mutex_lock(&p->slots_lock);
    s->next = p->slots;
    if (p->slots)
        p->slots->prev = s;
    p->slots = s;
    pthread_mutex_unlock(&p->slots_lock);
    return s;
}

static int slot_connect(hs_dbpool *p, db_slot *s, hs_err *err)
{
    double t = hs_clock_now();
    if (t < s->retry_at)
        return hs_err_set(err, HS_EDB, "database unavailable (%s); retrying in %.1f s",
                          s->last_error, s->retry_at - t);
    PGconn *c = NULL;
    hs_err cerr = {0};
    int rc = p->conninfo ? hs_pg_connect_to(p->conninfo, &c, &cerr) : hs_pg_connect(&c, &cerr);
    if (rc == HS_OK)
        PQsetNoticeProcessor(c, on_notice, NULL);
    if (rc == HS_OK) {
        char sql[96];
        snprintf(sql, sizeof sql, "SET statement_timeout = %u", p->statement_timeout_ms);
        rc = hs_pg_exec(c, sql, &cerr);
        if (rc < 0)
            PQfinish(c);
    }
    if (rc < 0) {
        atomic_fetch_add(&p->failures, 1);
        s->backoff = s->backoff ? s->backoff * 2 : 0.25;
        /* Capped at 2 s: after an outage every worker is back within about 2 s of
         * the database (the 5 s recovery goal, docs/reliability.md). */
        if (s->backoff > 2)
            s->backoff = 2;
        s->retry_at = t + s->backoff;
        /* Truncation is fine: this only repeats the cause in later messages. */
        size_t l = strnlen(cerr.msg, sizeof s->last_error - 1);
        memcpy(s->last_error, cerr.msg, l);
        s->last_error[l] = '\0';
        if (err)
            *err = cerr;
        return rc;
    }
    atomic_fetch_add(&p->connects, 1);
    if (s->ever_connected)
        atomic_fetch_add(&p->reconnects, 1);
    atomic_fetch_add(&p->open, 1);
    s->ever_connected = 1;
    s->conn = c;
    s->opened = t;
    s->uses = 0;
    s->backoff = 0;
    s->retry_at = 0;
    return HS_OK;
}

int hs_dbpool_acquire(hs_dbpool *p, PGconn **out, hs_err *err)
{
    *out = NULL;
    db_slot *s = thread_slot(p, err);
    if (!s)
        return err ? err->code : HS_ENOMEM;
    if (s->conn) {
        /* max_uses bounds backend growth from many queries, but cached answers
         * acquire without querying: at 20k req/s a use cap alone reconnected each
         * thread every second, stalling its connections (p99 of 200 ms). So a
         * use-count replacement waits until the connection is a minute old. */
        double age = hs_clock_now() - s->opened;
        int aged = (s->uses >= p->max_uses && age >= HS_DBPOOL_MIN_REUSE_S) ||
                   age >= p->max_lifetime_s;
        if (aged || PQstatus(s->conn) != CONNECTION_OK) {
            slot_close(s);
            /* An aged connection is a planned replacement: no backoff applies. */
            if (aged)
                s->retry_at = 0;
        }
    }
    if (!s->conn) {
        int rc = slot_connect(p, s, err);
        if (rc < 0)
            return rc;
    }
    s->uses++;
    *out = s->conn;
    return HS_OK;
}

void hs_dbpool_release(hs_dbpool *p, PGconn *c)
{
    db_slot *s = pthread_getspecific(p->key);
    if (!s || !c || s->conn != c)
        return;
    if (PQstatus(c) != CONNECTION_OK) {
        slot_close(s);
        return;
    }
    PGTransactionStatusType ts = PQtransactionStatus(c);
    if (ts == PQTRANS_UNKNOWN || ts == PQTRANS_ACTIVE) {
        slot_close(s); /* mid-query or lost: cannot be reused safely */
    } else if (ts != PQTRANS_IDLE) {
        hs_pg_rollback(c);
        if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE)
            slot_close(s);
    }
}

void hs_dbpool_thread_done(hs_dbpool *p)
{
    db_slot *s = pthread_getspecific(p->key);
    if (s) {
        pthread_setspecific(p->key, NULL);
        slot_destroy(s);
    }
}

void hs_dbpool_stats_get(hs_dbpool *p, hs_dbpool_stats *s)
{
    s->connects = atomic_load(&p->connects);
    s->reconnects = atomic_load(&p->reconnects);
    s->failures = atomic_load(&p->failures);
    s->open = atomic_load(&p->open);
}
