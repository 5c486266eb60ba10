#include "hs_auditq.h"

#include <stdlib.h>
#include <string.h>

#include "hs_utf8.h"

#define FIRST_ROWS 256
#define FIRST_POOL ((size_t)16 << 10)
/* A written batch keeps its memory unless it holds more than this many times what it
 * used (and more than the first sizes): then it is freed and grows again on demand. */
#define SHRINK_FACTOR 4

int hs_auditq_init(hs_auditq *q, size_t max_rows)
{
    memset(q, 0, sizeof *q);
    q->max_rows = max_rows;
    return pthread_mutex_init(&q->lock, NULL) ? -1 : 0;
}

static void batch_free(hs_auditq_batch *b)
{
    free(b->rec);
    free(b->pool);
    memset(b, 0, sizeof *b);
}

void hs_auditq_destroy(hs_auditq *q)
{
    batch_free(&q->cur);
    batch_free(&q->spare);
    pthread_mutex_destroy(&q->lock);
}

/* Bytes a row's three strings take in the pool, their NULs included. */
static size_t rec_bytes(const hs_auditq_rec *r)
{
    return (size_t)r->len[0] + r->len[1] + r->len[2] + 3;
}

/* Lock held: an emptied batch's memory becomes the spare, unless there is one. */
static void keep_spare(hs_auditq *q, hs_auditq_batch *b)
{
    b->n = 0;
    b->used = 0;
    if (!q->spare.rec && !q->spare.pool)
        q->spare = *b;
    else
        batch_free(b); /* not reached with one writer; never leak */
    memset(b, 0, sizeof *b);
}

/* Room for one more row whose strings take `need` bytes; 0 when memory runs out. */
static int batch_reserve(hs_auditq_batch *b, size_t need)
{
    if (b->n == b->cap) {
        size_t nc = b->cap ? 2 * b->cap : FIRST_ROWS;
        hs_auditq_rec *r = realloc(b->rec, nc * sizeof *r);
        if (!r)
            return 0;
        b->rec = r;
        b->cap = nc;
    }
    if (b->pool_cap - b->used < need) {
        size_t nc = b->pool_cap ? b->pool_cap : FIRST_POOL;
        while (nc - b->used < need)
            nc *= 2;
        char *p = realloc(b->pool, nc);
        if (!p)
            return 0;
        b->pool = p;
        b->pool_cap = nc;
    }
    return 1;
}

/* Appends rec (its off ignored) and its strings s[3] of lengths rec->len. */
static int batch_append(hs_auditq_batch *b, const hs_auditq_rec *rec, const char *const s[3])
{
    if (!batch_reserve(b, rec_bytes(rec)))
        return 0;
    hs_auditq_rec *r = &b->rec[b->n++];
    *r = *rec;
    r->off = b->used;
    for (int k = 0; k < 3; k++) {
        memcpy(b->pool + b->used, s[k], rec->len[k]);
        b->used += rec->len[k];
        b->pool[b->used++] = '\0';
    }
    return 1;
}

/* Copies at most `cut` bytes of src into dst as well-formed UTF-8: a byte that starts
 * no valid sequence becomes '?', and a sequence the cut would split is left out. The
 * raw query string is not checked anywhere else (only its decoded values are), and one
 * row the database refuses as text would fail every later COPY of the audit: a token
 * holder could switch off their own audit trail with one request. */
static uint16_t copy_utf8(char *dst, const char *src, size_t cut)
{
    size_t n = strnlen(src, cut + 4), o = 0;
    const unsigned char *u = (const unsigned char *)src;
    for (size_t i = 0; i < n && o < cut;) {
        size_t l = hs_utf8_seq(u + i, n - i);
        if (l == 0) {
            dst[o++] = '?';
            i++;
        } else if (o + l <= cut) {
            memcpy(dst + o, src + i, l);
            o += l;
            i += l;
        } else {
            break;
        }
    }
    dst[o] = '\0';
    return (uint16_t)o;
}

void hs_auditq_push(hs_auditq *q, const hs_audit_row *row)
{
    const char *raw[3] = {row->route ? row->route : "-", row->params ? row->params : "",
                          row->provinces ? row->provinces : ""};
    static const size_t cut[3] = {HS_AUDITQ_ROUTE_MAX, HS_AUDITQ_PARAMS_MAX,
                                  HS_AUDITQ_PROVINCES_MAX};
    char route[HS_AUDITQ_ROUTE_MAX + 1], params[HS_AUDITQ_PARAMS_MAX + 1],
        provinces[HS_AUDITQ_PROVINCES_MAX + 1];
    char *s[3] = {route, params, provinces};
    hs_auditq_rec rec = {.at = row->at, .token_id = row->token_id, .role = row->role,
                         .status = row->status, .bytes = row->bytes,
                         .duration_ms = row->duration_ms};
    for (int k = 0; k < 3; k++)
        rec.len[k] = copy_utf8(s[k], raw[k], cut[k]);
    pthread_mutex_lock(&q->lock);
    if (q->cur.n >= q->max_rows || !batch_append(&q->cur, &rec, (const char *const *)s))
        q->dropped++;
    pthread_mutex_unlock(&q->lock);
}

unsigned long long hs_auditq_take(hs_auditq *q, hs_auditq_batch *out)
{
    pthread_mutex_lock(&q->lock);
    *out = q->cur;
    q->cur = q->spare;
    memset(&q->spare, 0, sizeof q->spare);
    unsigned long long d = q->dropped;
    q->dropped = 0;
    pthread_mutex_unlock(&q->lock);
    return d;
}

void hs_auditq_done(hs_auditq *q, hs_auditq_batch *b)
{
    if ((b->cap > FIRST_ROWS && b->cap > SHRINK_FACTOR * b->n) ||
        (b->pool_cap > FIRST_POOL && b->pool_cap > SHRINK_FACTOR * b->used))
        batch_free(b);
    pthread_mutex_lock(&q->lock);
    keep_spare(q, b);
    pthread_mutex_unlock(&q->lock);
}

void hs_auditq_requeue(hs_auditq *q, hs_auditq_batch *b)
{
    pthread_mutex_lock(&q->lock);
    /* b's rows first, then the ones queued since, within max_rows. */
    size_t room = q->max_rows > q->cur.n ? q->max_rows - q->cur.n : 0;
    if (b->n > room) {
        q->dropped += b->n - room;
        b->n = room;
        b->used = room ? b->rec[room - 1].off + rec_bytes(&b->rec[room - 1]) : 0;
    }
    for (size_t i = 0; i < q->cur.n; i++) {
        size_t len;
        const char *s[3];
        for (int k = 0; k < 3; k++)
            s[k] = hs_auditq_str(&q->cur, i, k, &len);
        if (!batch_append(b, &q->cur.rec[i], s))
            q->dropped++;
    }
    /* b becomes the queue; the old queue's memory becomes the spare. */
    hs_auditq_batch old = q->cur;
    q->cur = *b;
    keep_spare(q, &old);
    pthread_mutex_unlock(&q->lock);
    memset(b, 0, sizeof *b);
}

const char *hs_auditq_str(const hs_auditq_batch *b, size_t i, int k, size_t *len)
{
    const hs_auditq_rec *r = &b->rec[i];
    size_t off = r->off;
    for (int j = 0; j < k; j++)
        off += (size_t)r->len[j] + 1;
    *len = r->len[k];
    return b->pool + off;
}
