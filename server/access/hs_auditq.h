/* hs_auditq: the queue of audit rows between the request threads, which append one
 * per authenticated request (hs_access_audit), and the access thread, which writes
 * them to hs.audit in batches (hs_access.c).
 *
 * Why two batches that swap roles: requests append to one while the other is being
 * written, and each keeps its memory for the next round. The queue used to be one
 * array taken whole at every flush and grown again from 256 rows by doubling, so at
 * tens of thousands of requests a second a request thread regularly copied megabytes
 * in realloc while holding the lock every other request waited on (the cached-tile
 * p99 in bench/cached_vs_nginx.sh). Rows are compact: their three strings live in
 * the batch's byte pool, cut at the lengths the audit has always kept and made valid
 * UTF-8 (a byte that starts no sequence becomes '?'), so the database accepts every row.
 *
 * Bounded: at most `max_rows` rows wait; beyond that (or when memory runs out) a row
 * is dropped and counted, and the count is reported with the next batch taken.
 *
 * Threads: push from any thread; take/done/requeue from one thread (the writer).
 * One mutex guards the queue and is held only to append or to swap batches.
 */
#ifndef HS_AUDITQ_H
#define HS_AUDITQ_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "hs_access.h"

/* Longest strings kept, in bytes (longer ones are cut). */
#define HS_AUDITQ_ROUTE_MAX 63
#define HS_AUDITQ_PARAMS_MAX 511
#define HS_AUDITQ_PROVINCES_MAX 63

typedef struct hs_auditq_rec {
    double at;
    long long token_id;
    hs_role role;
    int status;
    size_t bytes;
    double duration_ms;
    size_t off;        /* route, params, provinces: NUL-terminated, one after another */
    uint16_t len[3];   /* their lengths */
} hs_auditq_rec;

typedef struct hs_auditq_batch {
    hs_auditq_rec *rec;
    size_t n, cap;
    char *pool;
    size_t used, pool_cap;
} hs_auditq_batch;

typedef struct hs_auditq {
    pthread_mutex_t lock; /* guards cur, spare and dropped */
    hs_auditq_batch cur;  /* where requests append */
    hs_auditq_batch spare; /* the last written batch's memory, empty */
    size_t max_rows;
    unsigned long long dropped;
} hs_auditq;

/* 0, or -1 when the mutex cannot be created. */
int hs_auditq_init(hs_auditq *q, size_t max_rows);
void hs_auditq_destroy(hs_auditq *q);

/* Appends a copy of row; drops it (counted) when max_rows wait or memory runs out. */
void hs_auditq_push(hs_auditq *q, const hs_audit_row *row);

/* Moves the waiting rows into *out, which the caller then owns and must hand back
 * with hs_auditq_done or hs_auditq_requeue. Returns the rows dropped since the last
 * take. */
unsigned long long hs_auditq_take(hs_auditq *q, hs_auditq_batch *out);
/* The batch was written: its memory becomes the spare (freed when it is far larger
 * than this batch needed, so a burst does not pin its peak). */
void hs_auditq_done(hs_auditq *q, hs_auditq_batch *b);
/* The batch was not written: its rows go back in front of those queued since, as many
 * as max_rows allows (the rest are counted as dropped). */
void hs_auditq_requeue(hs_auditq *q, hs_auditq_batch *b);

/* String k (0 route, 1 params, 2 provinces) of row i of a batch; *len its length. */
const char *hs_auditq_str(const hs_auditq_batch *b, size_t i, int k, size_t *len);

#endif
