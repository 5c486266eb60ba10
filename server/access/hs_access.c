#include "hs_access.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hs_clock.h"
#include "hs_auditq.h"
#include "hs_pg.h"
#include "hs_pgcopy.h"

#define AUDIT_QUEUE_MAX 100000
#define RELOAD_EVERY_S 30
#define PRUNE_EVERY_S 3600

typedef struct {
    long long id;
    hs_role role;
    double expires; /* epoch seconds; 0 = never */
    unsigned char hash[HS_TOKEN_HASH_LEN];
    size_t nprov;
    char provinces[HS_TOKEN_MAX_PROVINCES][HS_TOKEN_CODE_MAX + 1];
} token_rec;

struct hs_access {
    hs_access_opts o;
    char *conninfo;
    pthread_rwlock_t tlock; /* guards tokens/ntokens */
    token_rec *tokens;
    size_t ntokens;
    hs_auditq q; /* rows waiting for the access thread (hs_auditq.h) */
    PGconn *conn;
    atomic_int connected;
    int stop_pipe[2];
    pthread_t thread;
    int started;
};

static double now_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int province_in(const hs_principal *who, const char *p)
{
    for (size_t i = 0; i < who->nprov; i++)
        if (!strcmp(who->provinces[i], p))
            return 1;
    return 0;
}

static int too_big(const char *size)
{
    /* Anything unparsable is left to the handler's validator (a 400). */
    unsigned long w = 0, h = 0;
    char x = 0;
    if (!size || sscanf(size, "%lux%lu%c", &w, &h, &x) != 2)
        return 0;
    return w > HS_ACCESS_ANALYST_MAX_PX || h > HS_ACCESS_ANALYST_MAX_PX;
}

void hs_access_check(const hs_principal *who, int exposes, const hs_access_req *rq,
                     hs_access_verdict *v)
{
    const char *level = rq->level, *province = rq->province;
    v->status = 0;
    v->code = NULL;
    v->msg[0] = '\0';
    if (exposes == HS_EXPOSE_PUBLIC || who->role == HS_ROLE_PLANNER)
        return;
    if (who->role == HS_ROLE_PUBLIC) {
        v->status = 401;
        v->code = "unauthorized";
        snprintf(v->msg, sizeof v->msg,
                 "this resource needs a token: send 'Authorization: Bearer <token>'");
        return;
    }
    int allowed = 0;
    switch (exposes) {
    case HS_EXPOSE_OPS:
        allowed = who->role == HS_ROLE_OPERATOR;
        break;
    case HS_EXPOSE_META:
        allowed = who->role == HS_ROLE_ANALYST;
        break;
    default: /* HS_EXPOSE_DATA */
        if (who->role != HS_ROLE_ANALYST)
            break;
        if (rq->seed) {
            v->status = 403;
            v->code = "forbidden";
            snprintf(v->msg, sizeof v->msg, "only planners choose the seed");
            return;
        }
        if (rq->permutations &&
            strtol(rq->permutations, NULL, 10) > HS_ACCESS_ANALYST_MAX_PERMUTATIONS) {
            v->status = 403;
            v->code = "forbidden";
            snprintf(v->msg, sizeof v->msg, "analysts may ask for at most %d permutations",
                     HS_ACCESS_ANALYST_MAX_PERMUTATIONS);
            return;
        }
        if (too_big(rq->size)) {
            v->status = 403;
            v->code = "forbidden";
            snprintf(v->msg, sizeof v->msg, "analysts may ask for images up to %dx%d px",
                     HS_ACCESS_ANALYST_MAX_PX, HS_ACCESS_ANALYST_MAX_PX);
            return;
        }
        if (level && !strcmp(level, "province") && !(province && *province)) {
            allowed = 1; /* national output at province level */
        } else if (exposes == HS_EXPOSE_DATA_SCOPED && !(province && *province)) {
            allowed = 1; /* national view: the route limits detail to their provinces */
        } else if (province && *province && province_in(who, province)) {
            allowed = 1; /* commune detail of one of their provinces */
        } else {
            v->status = 403;
            v->code = "forbidden";
            snprintf(v->msg, sizeof v->msg,
                     "analysts see commune detail only for their provinces: add "
                     "province=CODE (one of yours) or use level=province");
            return;
        }
        break;
    }
    if (!allowed) {
        v->status = 403;
        v->code = "forbidden";
        snprintf(v->msg, sizeof v->msg, "the %s role may not use this resource",
                 hs_role_name(who->role));
    }
}

void hs_access_authenticate(hs_access *a, const char *header, hs_principal *who,
                            hs_access_verdict *v)
{
    memset(who, 0, sizeof *who);
    v->status = 0;
    v->code = NULL;
    v->msg[0] = '\0';
    if (!header)
        return;
    const char *tok;
    size_t len;
    hs_err e = {0};
    v->status = 401;
    v->code = "unauthorized";
    if (hs_auth_parse_bearer(header, strlen(header), &tok, &len, &e) < 0) {
        snprintf(v->msg, sizeof v->msg, "%.150s", e.msg);
        return;
    }
    unsigned char h[HS_TOKEN_HASH_LEN];
    hs_token_hash(tok, len, h);
    double now = now_wall();
    const token_rec *hit = NULL;
    pthread_rwlock_rdlock(&a->tlock);
    /* Every record is compared, in constant time each, so timing says nothing about
     * which or how many bytes matched. */
    for (size_t i = 0; i < a->ntokens; i++)
        if (hs_token_hash_equal(a->tokens[i].hash, h))
            hit = &a->tokens[i];
    if (hit && (hit->expires == 0 || hit->expires > now)) {
        who->role = hit->role;
        who->token_id = hit->id;
        who->nprov = hit->nprov;
        memcpy(who->provinces, hit->provinces, sizeof who->provinces);
        v->status = 0;
        v->code = NULL;
    }
    pthread_rwlock_unlock(&a->tlock);
    if (v->status)
        snprintf(v->msg, sizeof v->msg, "the token is unknown, expired or revoked");
}

void hs_access_audit(hs_access *a, const hs_audit_row *row)
{
    if (a)
        hs_auditq_push(&a->q, row);
}

int hs_access_db_up(const hs_access *a)
{
    return a && atomic_load(&a->connected);
}

/* ---- the access thread ---- */

static void drop_conn(hs_access *a)
{
    if (a->conn)
        PQfinish(a->conn);
    a->conn = NULL;
    atomic_store(&a->connected, 0);
}

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int load_tokens(hs_access *a, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(a->conn,
                         "SELECT id, role, coalesce(extract(epoch FROM expires_at), 0), "
                         "encode(hash, 'hex'), array_to_string(provinces, ',') "
                         "FROM hs.access_token WHERE revoked_at IS NULL "
                         "AND (expires_at IS NULL OR expires_at > now())",
                         0, NULL, &r, err);
    if (rc < 0)
        return rc;
    size_t n = (size_t)PQntuples(r);
    token_rec *t = calloc(n ? n : 1, sizeof *t);
    if (!t) {
        PQclear(r);
        return hs_err_set(err, HS_ENOMEM, "cannot hold %zu tokens", n);
    }
    for (size_t i = 0; i < n; i++) {
        t[i].id = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
        t[i].role = (hs_role)hs_role_parse(PQgetvalue(r, (int)i, 1));
        t[i].expires = strtod(PQgetvalue(r, (int)i, 2), NULL);
        const char *hx = PQgetvalue(r, (int)i, 3);
        for (size_t k = 0; k < HS_TOKEN_HASH_LEN && hx[2 * k]; k++) {
            unsigned v = 0;
            sscanf(hx + 2 * k, "%2x", &v);
            t[i].hash[k] = (unsigned char)v;
        }
        hs_err pe = {0};
        if ((int)t[i].role < 0 ||
            hs_token_parse_provinces(PQgetvalue(r, (int)i, 4), t[i].provinces, &t[i].nprov, &pe) < 0)
            memset(&t[i], 0, sizeof t[i]); /* an unusable row matches nothing (zero hash
                                              is not a SHA-256 of any token we make) */
    }
    PQclear(r);
    pthread_rwlock_wrlock(&a->tlock);
    token_rec *old = a->tokens;
    a->tokens = t;
    a->ntokens = n;
    pthread_rwlock_unlock(&a->tlock);
    free(old);
    return HS_OK;
}

static int connect_db(hs_access *a, hs_err *err)
{
    PGconn *c = NULL;
    int rc = a->conninfo ? hs_pg_connect_to(a->conninfo, &c, err) : hs_pg_connect(&c, err);
    if (rc < 0)
        return rc;
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    a->conn = c;
    if ((rc = hs_pg_exec(c, "LISTEN hs_access_changed", err)) < 0 || (rc = load_tokens(a, err)) < 0) {
        drop_conn(a);
        return rc;
    }
    atomic_store(&a->connected, 1);
    return HS_OK;
}

/* Formats rows as COPY text lines without printf (tens of thousands of rows a second
 * on a busy server); the date part is formatted once per second. */
typedef struct {
    time_t sec;
    char day[32]; /* "YYYY-MM-DD HH:MM:SS" of sec */
} audit_fmt;

static int audit_copy_row(hs_buf *b, audit_fmt *fm, const hs_auditq_batch *q, size_t i,
                          hs_err *err)
{
    const hs_auditq_rec *r = &q->rec[i];
    double whole = floor(r->at);
    long usec = lround((r->at - whole) * 1e6);
    time_t t = (time_t)whole;
    if (usec >= 1000000) {
        t++;
        usec -= 1000000;
    }
    if (t != fm->sec || !fm->day[0]) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(fm->day, sizeof fm->day, "%Y-%m-%d %H:%M:%S", &tm);
        fm->sec = t;
    }
    const char *f[9];
    size_t fl[9];
    /* at: the day, then ".uuuuuu+00" */
    char at[48], tid[HS_BUF_ITOA_MAX], st[HS_BUF_ITOA_MAX], by[HS_BUF_ITOA_MAX], du[32];
    size_t n = strlen(fm->day);
    memcpy(at, fm->day, n);
    at[n++] = '.';
    for (int k = 5; k >= 0; k--, usec /= 10)
        at[n + (size_t)k] = (char)('0' + usec % 10);
    memcpy(at + n + 6, "+00", 4);
    f[0] = at, fl[0] = n + 9;
    f[1] = tid, fl[1] = hs_buf_itoa(r->token_id, tid);
    f[2] = hs_role_name(r->role), fl[2] = strlen(f[2]);
    for (int k = 0; k < 3; k++)
        f[3 + k] = hs_auditq_str(q, i, k, &fl[3 + k]);
    f[6] = st, fl[6] = hs_buf_itoa(r->status, st);
    f[7] = by, fl[7] = hs_buf_itoa((long long)r->bytes, by);
    /* milliseconds with three decimals, as %.3f (durations are never negative) */
    double us = r->duration_ms > 0 && r->duration_ms < 1e15 ? r->duration_ms * 1e3 : 0;
    long long u = llround(us);
    size_t dn = hs_buf_itoa(u / 1000, du);
    du[dn++] = '.';
    for (int k = 2; k >= 0; k--, u /= 10)
        du[dn + (size_t)k] = (char)('0' + u % 10);
    f[8] = du, fl[8] = dn + 3;
    int rc = HS_OK;
    for (int k = 0; rc == HS_OK && k < 9; k++)
        rc = hs_pgcopy_field(b, k == 0, f[k], fl[k], err);
    return rc == HS_OK ? hs_pgcopy_eol(b, err) : rc;
}

/* Writes the pending audit rows in one transaction, with one COPY: an INSERT per
 * row cost a round trip each and, at a busy server's tens of thousands of
 * authenticated requests a second, more than half a core of PostgreSQL (bench/
 * cached_vs_nginx.sh). Rows stay queued when the database is away (up to the
 * queue cap). */
static int flush_audit(hs_access *a, hs_err *err)
{
    hs_auditq_batch rows;
    unsigned long long dropped = hs_auditq_take(&a->q, &rows);
    if (dropped)
        fprintf(stderr, "hotspot: audit: %llu rows dropped (queue full)\n", dropped);
    if (rows.n == 0) {
        hs_auditq_done(&a->q, &rows);
        return HS_OK;
    }
    hs_buf b;
    hs_buf_init(&b, 0);
    audit_fmt fm = {0};
    int rc = hs_pg_begin(a->conn, err);
    if (rc == HS_OK)
        rc = hs_pgcopy_begin(a->conn,
                             "COPY hs.audit (at, token_id, role, route, params, provinces, "
                             "status, bytes, duration_ms) FROM STDIN",
                             err);
    int copying = rc == HS_OK;
    for (size_t i = 0; rc == HS_OK && i < rows.n; i++) {
        rc = audit_copy_row(&b, &fm, &rows, i, err);
        if (rc == HS_OK)
            rc = hs_pgcopy_flush(a->conn, &b, HS_PGCOPY_CHUNK, err);
    }
    if (rc == HS_OK) {
        copying = 0;
        rc = hs_pgcopy_end(a->conn, &b, err);
    }
    if (rc < 0 && copying)
        hs_pgcopy_abort(a->conn, "audit flush failed");
    hs_buf_free(&b);
    if (rc == HS_OK)
        rc = hs_pg_commit(a->conn, err);
    if (rc < 0) {
        hs_pg_rollback(a->conn);
        hs_auditq_requeue(&a->q, &rows); /* in front of anything queued meanwhile */
    } else {
        hs_auditq_done(&a->q, &rows);
    }
    return rc;
}

static int prune_audit(hs_access *a, hs_err *err)
{
    char days[32];
    snprintf(days, sizeof days, "%u", a->o.retention_days);
    const char *p[1] = {days};
    PGresult *r = NULL;
    int rc = hs_pg_query(a->conn,
                         "DELETE FROM hs.audit WHERE at < now() - make_interval(days => $1::int)",
                         1, p, &r, err);
    PQclear(r);
    return rc;
}

static void *access_main(void *arg)
{
    hs_access *a = arg;
    double last_reload = hs_clock_now(), last_prune = -PRUNE_EVERY_S; /* prune at start */
    for (;;) {
        hs_err err = {0};
        if (!a->conn && connect_db(a, &err) == HS_OK)
            last_reload = hs_clock_now();
        struct pollfd pf[2] = {{.fd = a->stop_pipe[0], .events = POLLIN},
                               {.fd = a->conn ? PQsocket(a->conn) : -1, .events = POLLIN}};
        /* Reconnect attempts every half second keep recovery well under 5 s. */
        int r = poll(pf, 2, a->conn ? (int)a->o.flush_ms : 500);
        if (r < 0 && errno != EINTR)
            drop_conn(a);
        if (pf[0].revents)
            break;
        if (!a->conn)
            continue;
        int reload = 0;
        if (pf[1].revents) {
            if (!PQconsumeInput(a->conn)) {
                drop_conn(a);
                continue;
            }
            PGnotify *nt;
            while ((nt = PQnotifies(a->conn))) {
                reload = 1;
                PQfreemem(nt);
            }
        }
        double t = hs_clock_now();
        if (t - last_reload >= RELOAD_EVERY_S)
            reload = 1;
        if (reload) {
            if (load_tokens(a, &err) < 0) {
                drop_conn(a);
                continue;
            }
            last_reload = t;
        }
        if (flush_audit(a, &err) < 0) {
            fprintf(stderr, "hotspot: audit: %s\n", err.msg);
            drop_conn(a);
            continue;
        }
        if (t - last_prune >= PRUNE_EVERY_S) {
            if (prune_audit(a, &err) < 0)
                fprintf(stderr, "hotspot: audit prune: %s\n", err.msg);
            last_prune = t;
        }
    }
    hs_err err = {0};
    if (a->conn || connect_db(a, &err) == HS_OK)
        if (flush_audit(a, &err) < 0)
            fprintf(stderr, "hotspot: audit: final flush failed: %s\n", err.msg);
    drop_conn(a);
    return NULL;
}

int hs_access_create(const hs_access_opts *o, hs_access **out, hs_err *err)
{
    *out = NULL;
    hs_access *a = calloc(1, sizeof *a);
    if (!a)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the access module");
    if (o)
        a->o = *o;
    if (!a->o.retention_days)
        a->o.retention_days = 730;
    if (!a->o.flush_ms)
        a->o.flush_ms = 1000;
    if (a->o.conninfo && !(a->conninfo = strdup(a->o.conninfo))) {
        free(a);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the access module");
    }
    a->o.conninfo = NULL;
    pthread_rwlock_init(&a->tlock, NULL);
    if (hs_auditq_init(&a->q, AUDIT_QUEUE_MAX) < 0) {
        pthread_rwlock_destroy(&a->tlock);
        free(a->conninfo);
        free(a);
        return hs_err_set(err, HS_ENOMEM, "cannot create the audit queue lock");
    }
    if (pipe(a->stop_pipe) < 0) {
        hs_auditq_destroy(&a->q);
        pthread_rwlock_destroy(&a->tlock);
        free(a->conninfo);
        free(a);
        return hs_err_set(err, HS_EIO, "pipe: %s", strerror(errno));
    }
    *out = a;
    return HS_OK;
}

int hs_access_start(hs_access *a, hs_err *err)
{
    hs_err e = {0};
    if (connect_db(a, &e) < 0)
        fprintf(stderr, "hotspot: access: tokens not loaded yet (%s); retrying\n",
                "database unavailable");
    a->started = 1;
    if (pthread_create(&a->thread, NULL, access_main, a)) {
        a->started = 0;
        return hs_err_set(err, HS_ENOMEM, "cannot start the access thread");
    }
    return HS_OK;
}

void hs_access_destroy(hs_access *a)
{
    if (!a)
        return;
    if (a->started) {
        ssize_t w;
        do
            w = write(a->stop_pipe[1], "x", 1);
        while (w < 0 && errno == EINTR);
        pthread_join(a->thread, NULL);
    }
    drop_conn(a);
    close(a->stop_pipe[0]);
    close(a->stop_pipe[1]);
    pthread_rwlock_destroy(&a->tlock);
    hs_auditq_destroy(&a->q);
    free(a->tokens);
    free(a->conninfo);
    free(a);
}
