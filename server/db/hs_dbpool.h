/* hs_dbpool: the server's database connections, one set per worker thread.
 *
 * libpq connections are not thread-safe, so each worker thread owns its own,
 * stored in thread-local storage (a pthread key) and created lazily on the
 * thread's first acquire. Each thread has up to two:
 *   - the primary connection (opts.conninfo): hs_dbpool_acquire. Writes and
 *     anything that must see the newest data go here;
 *   - the read connection (opts.read_conninfo, a streaming replica; `hotspot serve
 *     --db-read`): hs_dbpool_acquire_read. Without a read conninfo, reads use the
 *     primary connection and nothing below about replicas applies.
 * (The audit and token writers and the LISTEN connection are not in this pool: they
 * are single connections of hs_access and hs_dbwatch, both on the primary, because
 * NOTIFY is not replicated to standbys.)
 *
 * Replica lag: a read asks for data at least as new as the data version the
 * request runs under (hs_dbwatch reads it from the primary). The read connection
 * remembers the highest hs.data_version it has seen, so while that is new enough a
 * read costs no extra query; when the version moved on, the replica is asked once.
 * When it is still behind, the read waits for it (polling every 10 ms) up to
 * lag_wait_ms, once per lag episode and thread, then goes to the primary; while the
 * replica stays behind, further reads go to the primary at once. When the replica
 * cannot be reached, reads go to the primary; when neither can, HS_EDB (503). So an
 * instance never answers with data older than a version it already served
 * (a replica's replay only moves forward, and the primary is the source of the
 * version).
 *
 * A connection is replaced:
 *   - when it is broken (PQstatus not OK after a failed query);
 *   - after max_lifetime_s seconds, or max_uses acquisitions once it is at least
 *     HS_DBPOOL_MIN_REUSE_S old, because long-lived
 *     backends grow (GUIDE: mod_tile's persistent connections grew ~3 GB in 7 h).
 * After a failed connect the thread waits (backoff from 250 ms doubling to 2 s)
 * before trying that server again, answering at once meanwhile (HS_EDB, or the
 * primary for a read whose replica is down), so an outage costs each request
 * microseconds rather than a connect timeout.
 *
 * Each connection gets statement_timeout so one slow query cannot hold a worker
 * thread forever. A query can also be stopped sooner from another thread:
 * hs_dbpool_interrupt sends the server a cancel request (PQcancel) for whatever the
 * thread's connections are running, which is how a heavy HTTP job whose budget ran
 * out or whose client left stops its query at once (server/http/hs_http_heavy.c).
 * The query fails with SQLSTATE 57014; the connection stays open and idle (an open
 * transaction is rolled back by hs_dbpool_release), so it goes on serving the pool. Connections close when their thread exits (the key's destructor)
 * or in hs_dbpool_destroy.
 */
#ifndef HS_DBPOOL_H
#define HS_DBPOOL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "hs_err.h"

typedef struct hs_dbpool hs_dbpool;
/* One thread's connections, as a handle another thread may interrupt. */
typedef struct hs_dbpool_thread hs_dbpool_thread;

/* A connection is never replaced for its use count before it is this old. */
#define HS_DBPOOL_MIN_REUSE_S 60

typedef struct hs_dbpool_opts {
    const char *conninfo;        /* the primary; NULL: hs_pg_connect() ($HOTSPOT_DB or the cluster) */
    const char *read_conninfo;   /* a replica for reads; NULL: reads use the primary */
    unsigned lag_wait_ms;        /* longest wait for a lagging replica; 0 = 1000 */
    unsigned max_lifetime_s;     /* 0 = 3600 */
    unsigned max_uses;           /* 0 = 10000 */
    unsigned statement_timeout_ms; /* 0 = 30000 */
} hs_dbpool_opts;

typedef struct hs_dbpool_stats {
    uint64_t connects;   /* successful connects, the first ones included (both servers) */
    uint64_t reconnects; /* connects that replaced a broken or aged connection */
    uint64_t failures;   /* failed connect attempts */
    uint64_t open;       /* connections open now */
    uint64_t replica_reads;   /* reads answered through the replica */
    uint64_t read_fallbacks;  /* reads sent to the primary: replica down or behind */
    uint64_t lag_waits;       /* reads that waited for the replica to catch up */
    uint64_t interrupts;      /* cancel requests sent (hs_dbpool_interrupt) */
} hs_dbpool_stats;

/* opts may be NULL for the defaults. Caller frees with hs_dbpool_destroy. */
int hs_dbpool_create(const hs_dbpool_opts *opts, hs_dbpool **out, hs_err *err);
/* Closes every connection still open. Call after all worker threads stopped. */
void hs_dbpool_destroy(hs_dbpool *p);

/* The calling thread's primary connection, borrowed until hs_dbpool_release on the
 * same thread. Fails with HS_EDB when the database cannot be reached. */
int hs_dbpool_acquire(hs_dbpool *p, PGconn **out, hs_err *err);
/* A connection for read-only queries whose hs.data_version is at least min_version:
 * the replica when it has caught up, else the primary (see the top of this file).
 * Borrowed until hs_dbpool_release. HS_EDB when no server can answer. */
int hs_dbpool_acquire_read(hs_dbpool *p, uint64_t min_version, PGconn **out, hs_err *err);
/* Returns a connection from either acquire: rolls back a transaction left open, and
 * closes it if it is broken so the next acquire reconnects. */
void hs_dbpool_release(hs_dbpool *p, PGconn *c);
/* The calling thread's handle (created on first use; NULL when out of memory). Valid
 * until the thread exits or hs_dbpool_thread_done: the caller must make sure nobody
 * interrupts it after that (hs_heavy pins a job while its hook runs). */
hs_dbpool_thread *hs_dbpool_thread_self(hs_dbpool *p);
/* From any thread: asks the server to cancel the query each of t's connections is
 * running now (none: nothing happens; a request that arrives between two queries
 * is ignored by the server). Blocks for the cancel round trip (a local socket:
 * well under a millisecond). NULL-safe. */
void hs_dbpool_interrupt(hs_dbpool_thread *t);
/* Closes the calling thread's connections now (threads not exiting normally). */
void hs_dbpool_thread_done(hs_dbpool *p);

void hs_dbpool_stats_get(hs_dbpool *p, hs_dbpool_stats *s);

#endif
