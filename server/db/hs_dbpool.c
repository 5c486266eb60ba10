#include "hs_dbpool.h"
#include "hs_clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_dbwatch.h"
#include "hs_pg.h"

enum { LINK_PRIMARY, LINK_REPLICA, NLINKS };

struct hs_dbpool_thread;

/* One connection of one thread, to one server. */
typedef struct db_link {
    struct hs_dbpool_thread *slot; /* the thread's slot holding this link */
    int which;                     /* LINK_* */
    PGconn *conn;
    double opened;     /* monotonic seconds */
    unsigned uses;
    int ever_connected;
    double retry_at;   /* no connect attempt before this time after a failure */
    double backoff;
    uint64_t failed_up; /* the pool's up[which] when the last attempt failed */
    char last_error[256];
    /* Replica only. seen: the highest hs.data_version read on this connection (a
     * standby's replay only moves forward, so it stays true until a reconnect).
     * behind: set once a read waited in vain, so later reads do not wait again
     * until the replica is seen caught up. */
    uint64_t seen;
    int behind;
} db_link;

/* One thread's connections. Linked into the pool so hs_dbpool_destroy can close the
 * connections of threads that never exited through the key destructor. */
typedef struct hs_dbpool_thread {
    struct hs_dbpool_thread *prev, *next;
    struct hs_dbpool *pool;
    db_link link[NLINKS];
    /* Cancel objects of link[i].conn (PQgetCancel), for hs_dbpool_interrupt from
     * another thread. cancel_lock guards only these: the owner takes it to create
     * or free one (connect, close), the interrupter to use them. */
    pthread_mutex_t cancel_lock;
    PGcancel *cancel[NLINKS];
} db_slot;

struct hs_dbpool {
    pthread_key_t key;
    char *conninfo[NLINKS]; /* [LINK_PRIMARY] NULL = hs_pg_connect(); [LINK_REPLICA] NULL = none */
    unsigned max_lifetime_s, max_uses, statement_timeout_ms, lag_wait_ms;
    pthread_mutex_t slots_lock; /* guards the slot list only (slot create/destroy) */
    db_slot *slots;
    atomic_uint_fast64_t connects, reconnects, failures, open;
    atomic_uint_fast64_t replica_reads, read_fallbacks, lag_waits, interrupts;
    atomic_int on_primary; /* reads currently fall back (for logging the change once) */
    /* Successful connects per server. A thread's backoff holds only while this is
     * unchanged: once any thread has reached the server again, the others retry at
     * once instead of waiting out up to 2 s of their own backoff, which after a
     * replica restart sent their reads to the primary (or, with the primary down
     * too, made /readyz answer 503 on some threads). */
    atomic_uint_fast64_t up[NLINKS];
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

/* Installs (c) or frees (NULL) the cancel object of s's link `which`. */
static void set_cancel(db_slot *s, int which, PGconn *c)
{
    PGcancel *nc = c ? PQgetCancel(c) : NULL; /* NULL on failure: not interruptible */
    pthread_mutex_lock(&s->cancel_lock);
    PGcancel *old = s->cancel[which];
    s->cancel[which] = nc;
    pthread_mutex_unlock(&s->cancel_lock);
    if (old)
        PQfreeCancel(old);
}

static void link_close(hs_dbpool *p, db_link *l)
{
    if (l->conn) {
        set_cancel(l->slot, l->which, NULL);
        PQfinish(l->conn);
        l->conn = NULL;
        l->seen = 0;
        l->behind = 0;
        atomic_fetch_sub(&p->open, 1);
    }
}

static void slot_destroy(db_slot *s)
{
    hs_dbpool *p = s->pool;
    for (int i = 0; i < NLINKS; i++)
        link_close(p, &s->link[i]);
    pthread_mutex_destroy(&s->cancel_lock);
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
    p->lag_wait_ms = o.lag_wait_ms ? o.lag_wait_ms : 1000;
    if ((o.conninfo && !(p->conninfo[LINK_PRIMARY] = strdup(o.conninfo))) ||
        (o.read_conninfo && !(p->conninfo[LINK_REPLICA] = strdup(o.read_conninfo)))) {
        free(p->conninfo[LINK_PRIMARY]);
        free(p);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the connection pool");
    }
    if (pthread_key_create(&p->key, slot_key_destructor)) {
        for (int i = 0; i < NLINKS; i++)
            free(p->conninfo[i]);
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
    for (int i = 0; i < NLINKS; i++)
        free(p->conninfo[i]);
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
    for (int i = 0; i < NLINKS; i++)
        s->link[i].slot = s, s->link[i].which = i;
    pthread_mutex_init(&s->cancel_lock, NULL);
    if (pthread_setspecific(p->key, s)) {
        pthread_mutex_destroy(&s->cancel_lock);
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

static int link_connect(hs_dbpool *p, int which, db_link *l, hs_err *err)
{
    const char *what = which == LINK_REPLICA ? "read replica" : "database";
    double t = hs_clock_now();
    uint64_t up = atomic_load(&p->up[which]);
    if (t < l->retry_at && l->failed_up == up)
        return hs_err_set(err, HS_EDB, "%s unavailable (%s); retrying in %.1f s", what,
                          l->last_error, l->retry_at - t);
    PGconn *c = NULL;
    hs_err cerr = {0};
    const char *ci = p->conninfo[which];
    int rc = ci ? hs_pg_connect_to(ci, &c, &cerr) : hs_pg_connect(&c, &cerr);
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
        l->backoff = l->backoff ? l->backoff * 2 : 0.25;
        /* Capped at 2 s: after an outage every worker is back within about 2 s of
         * the database (the 5 s recovery goal, docs/reliability.md). */
        if (l->backoff > 2)
            l->backoff = 2;
        l->retry_at = t + l->backoff;
        l->failed_up = up;
        /* Truncation is fine: this only repeats the cause in later messages. */
        size_t n = strnlen(cerr.msg, sizeof l->last_error - 1);
        memcpy(l->last_error, cerr.msg, n);
        l->last_error[n] = '\0';
        if (err) {
            *err = cerr;
            if (which == LINK_REPLICA)
                hs_err_prefix(err, "read replica: ");
        }
        return rc;
    }
    atomic_fetch_add(&p->connects, 1);
    atomic_fetch_add(&p->up[which], 1);
    if (l->ever_connected)
        atomic_fetch_add(&p->reconnects, 1);
    atomic_fetch_add(&p->open, 1);
    l->ever_connected = 1;
    l->conn = c;
    set_cancel(l->slot, which, c);
    l->opened = t;
    l->uses = 0;
    l->backoff = 0;
    l->retry_at = 0;
    l->seen = 0;
    l->behind = 0;
    return HS_OK;
}

/* Makes l usable: replaces an aged or broken connection, connects when needed. */
static int link_ready(hs_dbpool *p, int which, db_link *l, hs_err *err)
{
    if (l->conn) {
        /* max_uses bounds backend growth from many queries, but cached answers
         * acquire without querying: at 20k req/s a use cap alone reconnected each
         * thread every second, stalling its connections (p99 of 200 ms). So a
         * use-count replacement waits until the connection is a minute old. */
        double age = hs_clock_now() - l->opened;
        int aged = (l->uses >= p->max_uses && age >= HS_DBPOOL_MIN_REUSE_S) ||
                   age >= p->max_lifetime_s;
        if (aged || PQstatus(l->conn) != CONNECTION_OK) {
            link_close(p, l);
            /* An aged connection is a planned replacement: no backoff applies. */
            if (aged)
                l->retry_at = 0;
        }
    }
    if (!l->conn) {
        int rc = link_connect(p, which, l, err);
        if (rc < 0)
            return rc;
    }
    l->uses++;
    return HS_OK;
}

int hs_dbpool_acquire(hs_dbpool *p, PGconn **out, hs_err *err)
{
    *out = NULL;
    db_slot *s = thread_slot(p, err);
    if (!s)
        return err ? err->code : HS_ENOMEM;
    db_link *l = &s->link[LINK_PRIMARY];
    int rc = link_ready(p, LINK_PRIMARY, l, err);
    if (rc == HS_OK)
        *out = l->conn;
    return rc;
}

/* The replica's hs.data_version, read on l (which must be connected). */
static int replica_version(db_link *l, uint64_t *v, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(l->conn, HS_DBWATCH_VERSION_SQL, 0, NULL, &r, err);
    if (rc < 0)
        return rc;
    char *end = NULL;
    unsigned long long x = 0;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        x = strtoull(PQgetvalue(r, 0, 0), &end, 10);
    int good = end && !*end;
    PQclear(r);
    if (!good)
        return hs_err_set(err, HS_EDB, "read replica: hs.data_version has no row 1");
    *v = (uint64_t)x;
    if (*v > l->seen)
        l->seen = *v;
    return HS_OK;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Is the replica connection at min_version? 1 yes, 0 no (behind: why says how far),
 * negative when the connection failed. Waits for it at most once per lag episode. */
static int replica_fresh(hs_dbpool *p, db_link *l, uint64_t min_version, char *why, size_t whyn,
                         hs_err *err)
{
    if (l->seen >= min_version)
        return 1;
    uint64_t v = 0;
    int rc = replica_version(l, &v, err);
    if (rc < 0)
        return rc;
    if (v < min_version && !l->behind) {
        /* Usually a NOTIFY from the primary arrived before the standby replayed
         * the commit: milliseconds. Wait for it rather than load the primary. */
        atomic_fetch_add(&p->lag_waits, 1);
        double until = hs_clock_now() + p->lag_wait_ms / 1000.0;
        while (v < min_version && hs_clock_now() < until) {
            sleep_ms(10);
            if ((rc = replica_version(l, &v, err)) < 0)
                return rc;
        }
        l->behind = v < min_version;
    }
    if (v >= min_version) {
        l->behind = 0;
        return 1;
    }
    snprintf(why, whyn, "read replica is at data version %llu, the primary at %llu",
             (unsigned long long)v, (unsigned long long)min_version);
    return 0;
}

int hs_dbpool_acquire_read(hs_dbpool *p, uint64_t min_version, PGconn **out, hs_err *err)
{
    *out = NULL;
    if (!p->conninfo[LINK_REPLICA])
        return hs_dbpool_acquire(p, out, err);
    db_slot *s = thread_slot(p, err);
    if (!s)
        return err ? err->code : HS_ENOMEM;
    db_link *l = &s->link[LINK_REPLICA];
    hs_err rerr = {0};
    char why[sizeof rerr.msg] = "";
    /* A connection the replica dropped while idle (a restart) is found broken only by
     * its first query: then one new connection is tried before the primary. */
    for (int attempt = 0; attempt < 2; attempt++) {
        rerr = (hs_err){0};
        why[0] = '\0';
        int rc = link_ready(p, LINK_REPLICA, l, &rerr);
        if (rc < 0)
            break;
        rc = replica_fresh(p, l, min_version, why, sizeof why, &rerr);
        if (rc == 1) {
            atomic_fetch_add(&p->replica_reads, 1);
            if (atomic_exchange(&p->on_primary, 0))
                fprintf(stderr, "hotspot: read replica back (data version %llu): reads go to "
                        "the replica again\n", (unsigned long long)l->seen);
            *out = l->conn;
            return HS_OK;
        }
        if (rc >= 0 || PQstatus(l->conn) == CONNECTION_OK)
            break; /* answered, but lagging or failing: not a dead connection */
        link_close(p, l);
    }
    if (!why[0])
        snprintf(why, sizeof why, "%s", rerr.msg);
    /* The primary holds the version the request runs under: never stale. */
    atomic_fetch_add(&p->read_fallbacks, 1);
    if (!atomic_exchange(&p->on_primary, 1))
        fprintf(stderr, "hotspot: %s: reads go to the primary\n", why);
    hs_err perr = {0};
    int rc = hs_dbpool_acquire(p, out, &perr);
    if (rc < 0 && err)
        hs_err_set(err, rc, "%s; and the primary: %s", why, perr.msg);
    return rc;
}

void hs_dbpool_release(hs_dbpool *p, PGconn *c)
{
    db_slot *s = pthread_getspecific(p->key);
    if (!s || !c)
        return;
    db_link *l = NULL;
    for (int i = 0; i < NLINKS; i++)
        if (s->link[i].conn == c)
            l = &s->link[i];
    if (!l)
        return;
    if (PQstatus(c) != CONNECTION_OK) {
        link_close(p, l);
        return;
    }
    PGTransactionStatusType ts = PQtransactionStatus(c);
    if (ts == PQTRANS_UNKNOWN || ts == PQTRANS_ACTIVE) {
        link_close(p, l); /* mid-query or lost: cannot be reused safely */
    } else if (ts != PQTRANS_IDLE) {
        hs_pg_rollback(c);
        if (PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE)
            link_close(p, l);
    }
}

hs_dbpool_thread *hs_dbpool_thread_self(hs_dbpool *p)
{
    return thread_slot(p, NULL);
}

void hs_dbpool_interrupt(hs_dbpool_thread *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->cancel_lock);
    for (int i = 0; i < NLINKS; i++) {
        if (!t->cancel[i])
            continue;
        char why[256];
        if (PQcancel(t->cancel[i], why, (int)sizeof why))
            atomic_fetch_add(&t->pool->interrupts, 1);
        else /* the query then runs on until statement_timeout */
            fprintf(stderr, "hotspot: database: cannot cancel a query: %s\n", why);
    }
    pthread_mutex_unlock(&t->cancel_lock);
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
    s->replica_reads = atomic_load(&p->replica_reads);
    s->read_fallbacks = atomic_load(&p->read_fallbacks);
    s->lag_waits = atomic_load(&p->lag_waits);
    s->interrupts = atomic_load(&p->interrupts);
}
