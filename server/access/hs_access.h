/* hs_access: who may call what. One module, consulted once per request by the
 * HTTP dispatcher before any handler runs (server/http/hs_http.c).
 *
 *   - hs_access_authenticate: the Authorization header -> a principal (role, token
 *     id, provinces). No header = public. A malformed, unknown, expired or revoked
 *     token is 401.
 *   - hs_access_check: the role x route matrix. Each route declares what it exposes
 *     (hs_route_spec.exposes, an HS_EXPOSE_* value); routes never check roles
 *     themselves.
 *   - hs_access_audit: queues one audit row per authenticated request; a writer
 *     thread inserts the queue every second (no request waits on the database).
 *
 * The token set lives in memory and is reloaded when the database announces a
 * change (NOTIFY hs_access_changed, sent by a trigger on hs.access_token) and every
 * 30 s; expiry is checked against the clock on every request. With the database
 * down the last loaded set stays in force (revocations made meanwhile cannot be
 * seen until it is back). The same thread prunes audit rows older than the
 * retention (default 2 years) once an hour.
 */
#ifndef HS_ACCESS_H
#define HS_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "hs_err.h"
#include "hs_token.h"

/* What a route exposes. The zero value is the most restrictive one on purpose: a
 * route registered without saying is case data. */
enum {
    HS_EXPOSE_DATA = 0, /* case data by unit: commune detail unless level=province;
                           analysts only inside their provinces */
    HS_EXPOSE_PUBLIC,   /* anyone, no token: health, static files, published images */
    HS_EXPOSE_OPS,      /* operations (metrics): operator and planner */
    HS_EXPOSE_META,     /* dataset facts without counts: planner and analyst */
    HS_EXPOSE_DATA_SCOPED /* case data the route itself draws at the caller's detail scope
                             (tiles: commune level only inside an analyst's provinces,
                             province level elsewhere), so an analyst may also ask for the
                             national view at commune level; otherwise as DATA */
};

typedef struct hs_principal {
    hs_role role;
    long long token_id; /* 0 for public */
    size_t nprov;
    char provinces[HS_TOKEN_MAX_PROVINCES][HS_TOKEN_CODE_MAX + 1];
} hs_principal;

/* The outcome of a check: 0 allowed, else an HTTP status (401/403) and a message
 * that names the rule without echoing data. */
typedef struct hs_access_verdict {
    int status;
    const char *code; /* "unauthorized", "forbidden" */
    char msg[160];
} hs_access_verdict;

/* The request values the matrix looks at: raw query values, NULL when absent (level
 * defaults to commune). The handler validates them again as always. */
typedef struct hs_access_req {
    const char *level, *province;
    const char *seed;         /* only planners choose seeds (no cache filling) */
    const char *permutations; /* analysts: at most HS_ACCESS_ANALYST_MAX_PERMUTATIONS */
    const char *size;         /* WxH; analysts: each side at most HS_ACCESS_ANALYST_MAX_PX */
} hs_access_req;

#define HS_ACCESS_ANALYST_MAX_PERMUTATIONS 999
#define HS_ACCESS_ANALYST_MAX_PX 2400

/* Pure: the role x route matrix and the per-role caps. */
void hs_access_check(const hs_principal *who, int exposes, const hs_access_req *rq,
                     hs_access_verdict *v);

typedef struct hs_access hs_access;

typedef struct hs_access_opts {
    const char *conninfo;     /* NULL = $HOTSPOT_DB */
    unsigned retention_days;  /* audit rows kept; 0 = 730 */
    unsigned flush_ms;        /* audit flush interval; 0 = 1000 */
} hs_access_opts;

int hs_access_create(const hs_access_opts *o, hs_access **out, hs_err *err);
/* Loads the token set once (failure is not fatal) and starts the thread. */
int hs_access_start(hs_access *a, hs_err *err);
/* Flushes the audit queue (best effort), stops the thread, frees. Accepts NULL. */
void hs_access_destroy(hs_access *a);

/* header: the Authorization value or NULL. Fills *who (public when header is
 * NULL). On failure v->status is 401. */
void hs_access_authenticate(hs_access *a, const char *header, hs_principal *who,
                            hs_access_verdict *v);

typedef struct hs_audit_row {
    double at;            /* wall clock, seconds since the epoch */
    long long token_id;
    hs_role role;
    const char *route;    /* pattern, or "-" */
    const char *params;   /* raw query string (may be NULL) */
    const char *provinces;
    int status;
    size_t bytes;
    double duration_ms;
} hs_audit_row;

/* Copies the row into the queue (bounded: rows past 100,000 pending are dropped and
 * counted in the log). Never blocks on the database. */
void hs_access_audit(hs_access *a, const hs_audit_row *row);

/* 1 while the access thread's database connection is up. */
int hs_access_db_up(const hs_access *a);

#endif
