/* hs_dbwatch: follows the data version so caches refresh without a restart.
 *
 * One dedicated thread holds its own connection, runs `LISTEN hs_data_changed`
 * and waits with poll() on the connection's socket. On a notification it re-reads
 * hs.data_version (the table is the truth; the payload is not trusted) and, when the
 * version changed, publishes it (an atomic every request reads once) and calls the
 * registered callbacks. It also re-reads the version every `poll_s` seconds, which
 * doubles as a liveness check of the connection.
 *
 * When the database goes away the thread reconnects with backoff (250 ms doubling
 * to 2 s) and re-reads the version after reconnecting, so changes made while it
 * was disconnected are not missed. Until the first successful read the version is 0.
 *
 * The watcher always follows the primary (`hotspot serve --db`), also when reads go
 * to a replica (--db-read): NOTIFY is not replicated to standbys, and the primary is
 * where a new version first exists. A read then waits for the replica to reach this
 * version or goes to the primary (hs_dbpool_acquire_read), so the version announced
 * is never ahead of the data answered.
 */
#ifndef HS_DBWATCH_H
#define HS_DBWATCH_H

#include <stdint.h>

#include "hs_err.h"

typedef struct hs_dbwatch hs_dbwatch;

#define HS_DBWATCH_CHANNEL "hs_data_changed"
#define HS_DBWATCH_MAX_CALLBACKS 8
/* The one query of the data version (hs_dbpool asks a replica the same). */
#define HS_DBWATCH_VERSION_SQL "SELECT version FROM hs.data_version WHERE id = 1"

/* Called on the watcher thread after the version changed (never concurrently with
 * itself). Keep it short or hand the work off: notifications wait meanwhile. */
typedef void (*hs_dbwatch_fn)(uint64_t new_version, void *ctx);

typedef struct hs_dbwatch_stats {
    uint64_t version;
    uint64_t notifications; /* NOTIFY messages received */
    uint64_t changes;       /* version changes published */
    uint64_t reconnects;    /* connects after the first */
    int connected;          /* 1 while the LISTEN connection is up */
} hs_dbwatch_stats;

/* conninfo NULL: hs_pg_connect() ($HOTSPOT_DB or the cluster). poll_s 0 = 30.
 * Caller frees with hs_dbwatch_destroy. */
int hs_dbwatch_create(const char *conninfo, unsigned poll_s, hs_dbwatch **out, hs_err *err);
/* Registers a callback; only before hs_dbwatch_start. ctx is borrowed. */
int hs_dbwatch_on_change(hs_dbwatch *w, hs_dbwatch_fn fn, void *ctx, hs_err *err);
/* Reads the version once (failure is not fatal: the thread keeps trying), then
 * starts the thread. */
int hs_dbwatch_start(hs_dbwatch *w, hs_err *err);
/* Stops and joins the thread (within about a second), then frees. Accepts NULL. */
void hs_dbwatch_destroy(hs_dbwatch *w);

/* The current data version (0 before the first successful read). Lock-free. */
uint64_t hs_dbwatch_version(const hs_dbwatch *w);
void hs_dbwatch_stats_get(const hs_dbwatch *w, hs_dbwatch_stats *s);

#endif
