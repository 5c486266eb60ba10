/* hs_datapack: the analysis cache of hs_data (hs_datapack.h).
 *
 * A payload is native-endian (every deployment target is little-endian x86-64 or
 * arm64; a foreign one fails the magic check and is simply reloaded) and fully
 * checked on the way in: a corrupt row is a miss, never a crash. */
#include "hs_datapack.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HS_STR_(x) #x
#define HS_STR(x) HS_STR_(x)

#define CACHE_MAGIC 0x31435348u /* "HSC1" */
#define CACHE_KIND_UNITS 1u
#define CACHE_KIND_SERIES 3u /* 2 was the dense layout: such rows now miss and are rewritten */
#define CACHE_MAX_ROWS 256 /* distinct request shapes kept for the current version */

/* ---- rows of hs.analysis_cache ----------------------------------------------------- */

/* Which counter a key is valid under: unit sets (keys "units|...") follow
 * hs.data_version.units_version, everything else the data version itself. */
static const char *cache_counter(const char *key)
{
    return strncmp(key, "units|", 6) ? "version" : "units_version";
}

/* The current version (of the key's counter) and the payload stored under `key` for
 * it, if any. *version is -1 when the cache cannot be used on this connection (a
 * caller's open transaction must not be disturbed, a missing table must not fail the
 * load). */
static void cache_fetch(PGconn *c, const char *key, long long *version, PGresult **hit)
{
    *version = -1;
    *hit = NULL;
    if (PQtransactionStatus(c) != PQTRANS_IDLE)
        return;
    const char *p[1] = {key};
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT v.%s::text, c.payload FROM hs.data_version v"
             " LEFT JOIN hs.analysis_cache c ON c.key = $1 AND c.data_version = v.%s"
             " WHERE v.id = 1",
             cache_counter(key), cache_counter(key));
    PGresult *r = PQexecParams(c, sql, 1, NULL, p, NULL, NULL, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        PQclear(r);
        return;
    }
    char v[24] = {0};
    int vl = PQgetlength(r, 0, 0);
    if (vl <= 0 || vl >= (int)sizeof v) {
        PQclear(r);
        return;
    }
    memcpy(v, PQgetvalue(r, 0, 0), (size_t)vl);
    *version = strtoll(v, NULL, 10);
    if (PQgetisnull(r, 0, 1))
        PQclear(r);
    else
        *hit = r;
}

/* A connection that cannot write: a streaming replica (serve --db-read) or a read-only
 * role. Both settings are reported by the server at connect, so this costs nothing. */
static int read_only(PGconn *c)
{
    const char *hs = PQparameterStatus(c, "in_hot_standby");
    const char *ro = PQparameterStatus(c, "default_transaction_read_only");
    return (hs && !strcmp(hs, "on")) || (ro && !strcmp(ro, "on"));
}

/* Stores a payload read at `version`, only if that is still the current version of
 * its counter: every statement of the load ran after `version` was read, so a change
 * committed in between has bumped it and the possibly mixed data is not stored. Best
 * effort: any failure (no table, no INSERT right, a replica) leaves the slow path. */
static void cache_store(PGconn *c, const char *key, long long version, const hs_buf *b)
{
    if (version < 0 || b->failed || PQtransactionStatus(c) != PQTRANS_IDLE || read_only(c))
        return;
    char v[24];
    snprintf(v, sizeof v, "%lld", version);
    const char *p[3] = {key, v, (const char *)b->data};
    int len[3] = {0, 0, (int)b->len}, fmt[3] = {0, 0, 1};
    /* Two statements, each its own transaction, so concurrent writers cannot deadlock:
     * the upsert locks only its own row; the clean-up then deletes the rows of the same
     * counter at another version (stale) and the oldest beyond CACHE_MAX_ROWS, skipping
     * any row another writer holds, so it never waits. */
    const char *counter = cache_counter(key);
    int units = !strcmp(counter, "units_version");
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO hs.analysis_cache (key, data_version, payload)"
             " SELECT $1, $2::bigint, $3 WHERE (SELECT %s FROM hs.data_version WHERE id = 1)"
             "   = $2::bigint"
             " ON CONFLICT (key) DO UPDATE SET data_version = EXCLUDED.data_version,"
             "   payload = EXCLUDED.payload, created_at = now()",
             counter);
    PGresult *r = PQexecParams(c, sql, 3, NULL, p, len, fmt, 0);
    PQclear(r);
    /* Only while $2 is still current: otherwise "another version" would be the newer,
     * valid rows of a later writer. */
    snprintf(sql, sizeof sql,
             "DELETE FROM hs.analysis_cache WHERE key IN (SELECT key FROM hs.analysis_cache"
             " WHERE key <> $1 AND (SELECT %s FROM hs.data_version WHERE id = 1) = $2::bigint"
             " AND ((key %s 'units|%%' AND data_version <> $2::bigint)"
             "   OR key IN (SELECT key FROM hs.analysis_cache ORDER BY created_at DESC OFFSET "
             HS_STR(CACHE_MAX_ROWS) ")) FOR UPDATE SKIP LOCKED)",
             counter, units ? "LIKE" : "NOT LIKE");
    r = PQexecParams(c, sql, 2, NULL, p, NULL, NULL, 0);
    PQclear(r);
}

/* ---- payloads -------------------------------------------------------------------- */

typedef struct cache_hdr {
    uint32_t magic, kind;
    int32_t n, a, b, c; /* units: level, 0, 0; series: T, from, 0 */
    uint64_t m;         /* units: adjacency pairs; series: cells stored (not +0) */
    uint64_t strings;   /* units: bytes of strings; series: 0 */
    double total;       /* series: sum of v */
} cache_hdr;

/* Reads len bytes at *pos from a payload of size end; 0 when it would overrun. */
static int take(const unsigned char *p, size_t end, size_t *pos, void *dst, size_t len)
{
    if (len > end - *pos)
        return 0;
    memcpy(dst, p + *pos, len);
    *pos += len;
    return 1;
}

void hs_datapack_units(const hs_unitset *u, hs_buf *b)
{
    hs_err e = {0};
    size_t n = (size_t)u->n, sl = 0;
    char **strs[5] = {u->code, u->name, u->parent_code, u->parent_name, u->border_country};
    for (int f = 0; f < 5; f++)
        for (size_t i = 0; i < n; i++)
            sl += strlen(strs[f][i]) + 1;
    cache_hdr h = {CACHE_MAGIC, CACHE_KIND_UNITS, u->n, (int32_t)u->level, 0, 0, u->nadj, sl, 0};
    hs_buf_append(b, &h, sizeof h, &e);
    const double *d[6] = {u->population, u->x_m, u->y_m, u->lon, u->lat, u->border_km};
    for (int f = 0; f < 6; f++)
        hs_buf_append(b, d[f], n * sizeof *d[f], &e);
    hs_buf_append(b, u->key_commune, n, &e);
    hs_buf_append(b, u->border_province, n, &e);
    hs_buf_append(b, u->adj_a, u->nadj * sizeof *u->adj_a, &e);
    hs_buf_append(b, u->adj_b, u->nadj * sizeof *u->adj_b, &e);
    for (int f = 0; f < 5; f++)
        for (size_t i = 0; i < n; i++)
            hs_buf_append(b, strs[f][i], strlen(strs[f][i]) + 1, &e);
}

hs_unitset *hs_datapack_units_read(const unsigned char *p, size_t len, hs_level level)
{
    cache_hdr h;
    size_t pos = 0;
    if (!take(p, len, &pos, &h, sizeof h) || h.magic != CACHE_MAGIC || h.kind != CACHE_KIND_UNITS ||
        h.n < 1 || h.n > HS_DATA_MAX_UNITS || h.a != (int32_t)level || h.m > (uint64_t)len ||
        h.strings > (uint64_t)len)
        return NULL;
    size_t n = (size_t)h.n, m = (size_t)h.m;
    hs_unitset *u = NULL;
    hs_err e = {0};
    if (hs_unitset_alloc(h.n, &u, &e) < 0)
        return NULL;
    u->level = level;
    u->adj_a = malloc((m ? m : 1) * sizeof *u->adj_a);
    u->adj_b = malloc((m ? m : 1) * sizeof *u->adj_b);
    u->strings = malloc(h.strings ? h.strings : 1);
    double *d[6] = {u->population, u->x_m, u->y_m, u->lon, u->lat, u->border_km};
    int ok = u->adj_a && u->adj_b && u->strings;
    for (int f = 0; ok && f < 6; f++)
        ok = take(p, len, &pos, d[f], n * sizeof *d[f]);
    ok = ok && take(p, len, &pos, u->key_commune, n) && take(p, len, &pos, u->border_province, n) &&
         take(p, len, &pos, u->adj_a, m * sizeof *u->adj_a) &&
         take(p, len, &pos, u->adj_b, m * sizeof *u->adj_b) &&
         take(p, len, &pos, u->strings, (size_t)h.strings) && pos == len;
    u->nadj = m;
    for (size_t k = 0; ok && k < m; k++)
        ok = u->adj_a[k] >= 0 && u->adj_a[k] < h.n && u->adj_b[k] >= 0 && u->adj_b[k] < h.n;
    /* Five NUL-terminated strings per unit, exactly filling the block. */
    char **strs[5] = {u->code, u->name, u->parent_code, u->parent_name, u->border_country};
    char *s = u->strings, *end = u->strings + h.strings;
    for (int f = 0; ok && f < 5; f++)
        for (size_t i = 0; ok && i < n; i++) {
            char *z = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
            ok = z != NULL;
            strs[f][i] = s;
            s = z ? z + 1 : end;
        }
    ok = ok && s == end;
    /* hs_unitset_find needs ascending codes. */
    for (size_t i = 1; ok && i < n; i++)
        ok = strcmp(u->code[i - 1], u->code[i]) < 0;
    u->n = h.n;
    if (!ok) { /* string pointers are NULL or into u->strings, which the free releases */
        hs_unitset_free(u);
        return NULL;
    }
    return u;
}

/* Series are sparse: about 6% of commune-months have a case (the 10,609-unit bench
 * grid; fewer in the demo). So only the cells that are not +0 are stored, as their
 * flat indexes (uint32, ascending) and then their values: a tenth of the dense bytes,
 * and the server sends and decompresses that much less on every hit. -0 and NaN
 * are stored like any other value, so the series comes back bit-identical. */
static int stored_cell(double v)
{
    return v != 0 || signbit(v);
}

void hs_datapack_series(const hs_series *s, hs_buf *b)
{
    hs_err e = {0};
    size_t cells = (size_t)s->n * (size_t)s->T, m = 0;
    for (size_t k = 0; k < cells; k++)
        m += stored_cell(s->v[k]);
    cache_hdr h = {CACHE_MAGIC, CACHE_KIND_SERIES, s->n, s->T, s->from, 0, m, 0, s->total};
    hs_buf_append(b, &h, sizeof h, &e);
    for (size_t k = 0; k < cells; k++)
        if (stored_cell(s->v[k])) {
            uint32_t idx = (uint32_t)k;
            hs_buf_append(b, &idx, sizeof idx, &e);
        }
    for (size_t k = 0; k < cells; k++)
        if (stored_cell(s->v[k]))
            hs_buf_append(b, &s->v[k], sizeof s->v[k], &e);
}

hs_series *hs_datapack_series_read(const unsigned char *p, size_t len, int n, int T, int from)
{
    cache_hdr h;
    size_t pos = 0, cells = (size_t)n * (size_t)T;
    if (n < 0 || T < 0 || cells > UINT32_MAX || !take(p, len, &pos, &h, sizeof h) ||
        h.magic != CACHE_MAGIC || h.kind != CACHE_KIND_SERIES || h.n != n || h.a != T ||
        h.b != from || h.m > cells || len - pos != h.m * (sizeof(uint32_t) + sizeof(double)))
        return NULL;
    hs_series *s = calloc(1, sizeof *s);
    if (s)
        s->v = calloc(cells ? cells : 1, sizeof *s->v);
    if (!s || !s->v) {
        hs_series_free(s);
        return NULL;
    }
    const unsigned char *idx = p + pos, *val = idx + h.m * sizeof(uint32_t);
    uint32_t prev = 0;
    for (size_t k = 0; k < h.m; k++) {
        uint32_t i;
        memcpy(&i, idx + k * sizeof i, sizeof i);
        if (i >= cells || (k > 0 && i <= prev)) { /* not what hs_datapack_series wrote */
            hs_series_free(s);
            return NULL;
        }
        memcpy(&s->v[i], val + k * sizeof(double), sizeof(double));
        prev = i;
    }
    s->n = n;
    s->T = T;
    s->from = from;
    s->total = h.total;
    return s;
}

/* ---- a lookup and a store: what hs_data calls ----------------------------------- */

hs_unitset *hs_datapack_get_units(PGconn *c, const char *key, hs_level level, long long *version)
{
    PGresult *r;
    cache_fetch(c, key, version, &r);
    if (!r)
        return NULL;
    hs_unitset *u = hs_datapack_units_read((const unsigned char *)PQgetvalue(r, 0, 1),
                                           (size_t)PQgetlength(r, 0, 1), level);
    PQclear(r);
    return u;
}

hs_series *hs_datapack_get_series(PGconn *c, const char *key, int n, int T, int from,
                                  long long *version)
{
    PGresult *r;
    cache_fetch(c, key, version, &r);
    if (!r)
        return NULL;
    hs_series *s = hs_datapack_series_read((const unsigned char *)PQgetvalue(r, 0, 1),
                                           (size_t)PQgetlength(r, 0, 1), n, T, from);
    PQclear(r);
    return s;
}

void hs_datapack_put_units(PGconn *c, const char *key, long long version, const hs_unitset *u)
{
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_datapack_units(u, &b);
    cache_store(c, key, version, &b);
    hs_buf_free(&b);
}

void hs_datapack_put_series(PGconn *c, const char *key, long long version, const hs_series *s)
{
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_datapack_series(s, &b);
    cache_store(c, key, version, &b);
    hs_buf_free(&b);
}
