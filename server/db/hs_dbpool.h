/* hs_dbpool: one libpq connection per server worker thread.
 *
 * libpq connections are not thread-safe, so each worker thread owns its own,
 * stored in thread-local storage (a pthread key) and created lazily on the
 * thread's first hs_dbpool_acquire. A connection is replaced:
 *   - when it is broken (PQstatus not OK after a failed query);
 *   - after max_lifetime_s seconds, or max_uses acquisitions once it is at least
 *     HS_DBPOOL_MIN_REUSE_S old, because long-lived
 *     backends grow (GUIDE: mod_tile's persistent connections grew ~3 GB in 7 h).
 * After a failed connect the thread waits (backoff from 250 ms doubling to 2 s)
 * before trying again, answering HS_EDB at once meanwhile, so a database outage
 * costs each request microseconds rather than a connect timeout.
 *
 * Each connection gets statement_timeout so one slow query cannot hold a worker
 * thread forever. Connections close when their thread exits (the key's destructor)
 * or in hs_dbpool_destroy.
 */
#ifndef HS_DBPOOL_H
#define HS_DBPOOL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "hs_err.h"

typedef struct hs_dbpool hs_dbpool;

/* A connection is never replaced for its use count before it is this old. */
#define HS_DBPOOL_MIN_REUSE_S 60

typedef struct hs_dbpool_opts {
    const char *conninfo;        /* NULL: hs_pg_connect() ($HOTSPOT_DB or the cluster) */
    unsigned max_lifetime_s;     /* 0 = 3600 */
    unsigned max_uses;           /* 0 = 10000 */
    unsigned statement_timeout_ms; /* 0 = 30000 */
} hs_dbpool_opts;

typedef struct hs_dbpool_stats {
    uint64_t connects;   /* successful connects, the first ones included */
    uint64_t reconnects; /* connects that replaced a broken or aged connection */
    uint64_t failures;   /* failed connect attempts */
    uint64_t open;       /* connections open now */
} hs_dbpool_stats;

/* opts may be NULL for the defaults. Caller frees with hs_dbpool_destroy. */
int hs_dbpool_create(const hs_dbpool_opts *opts, hs_dbpool **out, hs_err *err);
/* Closes every connection still open. Call after all worker threads stopped. */
void hs_dbpool_destroy(hs_dbpool *p);

/* The calling thread's connection, borrowed until hs_dbpool_release on the same
 * thread. Fails with HS_EDB when the database cannot be reached. */
int hs_dbpool_acquire(hs_dbpool *p, PGconn **out, hs_err *err);
/* Returns the connection: rolls back a transaction left open, and closes it if it is
 * broken so the next acquire reconnects. */
void hs_dbpool_release(hs_dbpool *p, PGconn *c);
/* Closes the calling thread's connection now (threads not exiting normally). */
void hs_dbpool_thread_done(hs_dbpool *p);

void hs_dbpool_stats_get(hs_dbpool *p, hs_dbpool_stats *s);

#endif
