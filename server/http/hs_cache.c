#include "hs_cache.h"
#include "hs_cancel.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hs_cache_entry {
    atomic_uint refs;
    int in_cache; /* the cache holds one of the refs; guarded by the cache lock */
    uint64_t version;
    uint64_t hash;
    struct hs_cache_entry *chain;            /* hash bucket chain */
    struct hs_cache_entry *newer, *older;    /* LRU list */
    size_t cost;                             /* bytes charged against the cap */
    unsigned char *data;
    size_t len;
    char etag[24];
    char ctype[64];
    char key[]; /* NUL-terminated */
};

typedef struct inflight {
    struct inflight *next;
    uint64_t version;
    uint64_t hash;
    char *key;
    pthread_cond_t done_cv; /* signalled once, when the render finished */
    int done;
    int waiters;
    int rc;
    hs_err err;
    hs_cache_entry *result; /* one reference reserved for each waiter */
    hs_cache_waiter *parked; /* woken after the render, without a reference */
} inflight;

struct hs_cache {
    pthread_mutex_t lock; /* guards everything below */
    hs_cache_entry **buckets;
    size_t nbuckets; /* power of two */
    hs_cache_entry *newest, *oldest;
    inflight *flights;
    size_t bytes, entries, max_bytes, ninflight;
    uint64_t hits, misses, merged, parked, evictions, uncacheable, render_errors;
};

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV_OFFSET 14695981039346656037ULL

static uint64_t key_hash(uint64_t version, const char *key)
{
    uint64_t h = fnv1a(FNV_OFFSET, &version, sizeof version);
    return fnv1a(h, key, strlen(key));
}

void hs_etag_of(const void *data, size_t n, char out[24])
{
    snprintf(out, 24, "\"%016llx\"", (unsigned long long)fnv1a(FNV_OFFSET, data, n));
}

hs_cache *hs_cache_create(size_t max_bytes)
{
    hs_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = 4096;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets || pthread_mutex_init(&c->lock, NULL)) {
        free(c->buckets);
        free(c);
        return NULL;
    }
    c->max_bytes = max_bytes;
    return c;
}

static void entry_free(hs_cache_entry *e)
{
    free(e->data);
    free(e);
}

void hs_cache_entry_ref(hs_cache_entry *e)
{
    atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
}

void hs_cache_entry_release(hs_cache_entry *e)
{
    if (e && atomic_fetch_sub_explicit(&e->refs, 1, memory_order_acq_rel) == 1)
        entry_free(e);
}

const unsigned char *hs_cache_entry_data(const hs_cache_entry *e, size_t *len)
{
    *len = e->len;
    return e->data;
}

const char *hs_cache_entry_etag(const hs_cache_entry *e)
{
    return e->etag;
}

const char *hs_cache_entry_type(const hs_cache_entry *e)
{
    return e->ctype;
}

/* ---- everything below runs with c->lock held unless it says otherwise ---- */

static void lru_unlink(hs_cache *c, hs_cache_entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(hs_cache *c, hs_cache_entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

static hs_cache_entry *find(hs_cache *c, uint64_t version, uint64_t h, const char *key)
{
    for (hs_cache_entry *e = c->buckets[h & (c->nbuckets - 1)]; e; e = e->chain)
        if (e->hash == h && e->version == version && !strcmp(e->key, key))
            return e;
    return NULL;
}

/* Removes e from the table and LRU and drops the cache's reference. */
static void remove_entry(hs_cache *c, hs_cache_entry *e)
{
    hs_cache_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->chain;
    if (*pp)
        *pp = e->chain;
    lru_unlink(c, e);
    c->bytes -= e->cost;
    c->entries--;
    e->in_cache = 0;
    hs_cache_entry_release(e);
}

static void grow_table(hs_cache *c)
{
    size_t n = c->nbuckets * 2;
    hs_cache_entry **nb = calloc(n, sizeof *nb);
    if (!nb)
        return; /* longer chains, still correct */
    for (size_t i = 0; i < c->nbuckets; i++) {
        hs_cache_entry *e = c->buckets[i];
        while (e) {
            hs_cache_entry *next = e->chain;
            e->chain = nb[e->hash & (n - 1)];
            nb[e->hash & (n - 1)] = e;
            e = next;
        }
    }
    free(c->buckets);
    c->buckets = nb;
    c->nbuckets = n;
}

/* Takes a reference for the cache when e fits; evicts from the old end to make room. */
static void insert(hs_cache *c, hs_cache_entry *e)
{
    if (e->cost > c->max_bytes / 4) {
        c->uncacheable++;
        return;
    }
    while (c->oldest && c->bytes + e->cost > c->max_bytes) {
        remove_entry(c, c->oldest);
        c->evictions++;
    }
    if (c->entries >= c->nbuckets)
        grow_table(c);
    size_t b = e->hash & (c->nbuckets - 1);
    e->chain = c->buckets[b];
    c->buckets[b] = e;
    lru_push(c, e);
    c->bytes += e->cost;
    c->entries++;
    e->in_cache = 1;
    hs_cache_entry_ref(e);
}

static void inflight_free(inflight *f)
{
    pthread_cond_destroy(&f->done_cv);
    free(f->key);
    free(f);
}

static void inflight_unlink(hs_cache *c, inflight *f)
{
    for (inflight **pp = &c->flights; *pp; pp = &(*pp)->next) {
        if (*pp == f) {
            *pp = f->next;
            c->ninflight--;
            return;
        }
    }
}

/* The one hit path, lock held: finds the entry, marks it most recently used and takes
 * a reference for the caller. NULL on a miss. */
static hs_cache_entry *hit_locked(hs_cache *c, uint64_t version, uint64_t h, const char *key)
{
    hs_cache_entry *e = find(c, version, h, key);
    if (e) {
        lru_unlink(c, e);
        lru_push(c, e);
        hs_cache_entry_ref(e);
        c->hits++;
    }
    return e;
}

static inflight *flight_find(hs_cache *c, uint64_t version, uint64_t h, const char *key)
{
    inflight *f = c->flights;
    while (f && !(f->hash == h && f->version == version && !strcmp(f->key, key)))
        f = f->next;
    return f;
}

/* ---- public, locking ---- */

hs_cache_entry *hs_cache_lookup(hs_cache *c, uint64_t version, const char *key, int *in_flight)
{
    uint64_t h = key_hash(version, key);
    pthread_mutex_lock(&c->lock);
    hs_cache_entry *e = hit_locked(c, version, h, key);
    if (in_flight)
        *in_flight = !e && flight_find(c, version, h, key) != NULL;
    pthread_mutex_unlock(&c->lock);
    return e;
}

int hs_cache_watch(hs_cache *c, uint64_t version, const char *key, hs_cache_waiter *w)
{
    uint64_t h = key_hash(version, key);
    pthread_mutex_lock(&c->lock);
    inflight *f = flight_find(c, version, h, key);
    if (f) {
        w->next = f->parked;
        f->parked = w;
        c->parked++;
    }
    pthread_mutex_unlock(&c->lock);
    return f != NULL;
}

/* Outside the lock: runs the render and packs the bytes into a new entry. */
static int render_entry(uint64_t version, uint64_t h, const char *key, const char *ctype,
                        size_t body_cap, hs_cache_render_fn render, void *arg,
                        hs_cache_entry **out, hs_err *err)
{
    size_t klen = strlen(key);
    hs_buf b;
    hs_buf_init(&b, body_cap);
    int rc = render(arg, &b, err);
    if (rc >= 0 && b.failed)
        rc = hs_err_set(err, HS_ELIMIT, "rendered output exceeds the %zu-byte limit", body_cap);
    if (rc < 0) {
        hs_buf_free(&b);
        return rc;
    }
    hs_cache_entry *e = calloc(1, sizeof *e + klen + 1);
    if (!e) {
        hs_buf_free(&b);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a cache entry");
    }
    atomic_init(&e->refs, 1);
    e->version = version;
    e->hash = h;
    memcpy(e->key, key, klen + 1);
    snprintf(e->ctype, sizeof e->ctype, "%s", ctype ? ctype : "application/octet-stream");
    e->data = hs_buf_steal(&b, &e->len);
    hs_etag_of(e->data, e->len, e->etag);
    e->cost = e->len + sizeof *e + klen + 1;
    *out = e;
    return HS_OK;
}

int hs_cache_fetch(hs_cache *c, uint64_t version, const char *key, const char *content_type,
                   size_t body_cap, hs_cache_render_fn render, void *arg, hs_cache_entry **out,
                   hs_cache_outcome *outcome, hs_err *err)
{
    *out = NULL;
    size_t klen = strlen(key);
    if (klen > HS_CACHE_KEY_MAX)
        return hs_err_set(err, HS_ELIMIT, "cache key is %zu bytes; the limit is %d", klen,
                          HS_CACHE_KEY_MAX);
    uint64_t h = key_hash(version, key);
    pthread_mutex_lock(&c->lock);
    hs_cache_entry *e = hit_locked(c, version, h, key);
    if (e) {
        pthread_mutex_unlock(&c->lock);
        *out = e;
        if (outcome)
            *outcome = HS_CACHE_HIT;
        return HS_OK;
    }
    inflight *f = flight_find(c, version, h, key);
    if (f) {
        /* Someone is rendering this key: wait for it instead of rendering twice. */
        c->merged++;
        f->waiters++;
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += HS_CACHE_WAIT_SECONDS;
        /* In slices, so a heavy job's flag (its budget, its client) ends the wait
         * too: a waiter that leaves early is one the renderer reserves nothing for. */
        const atomic_int *stop = hs_cancel_current();
        int w = 0;
        while (!f->done && w != ETIMEDOUT && !hs_cancel_reason(stop)) {
            struct timespec slice;
            clock_gettime(CLOCK_MONOTONIC, &slice);
            slice.tv_nsec += 50000000L;
            if (slice.tv_nsec >= 1000000000L)
                slice.tv_sec++, slice.tv_nsec -= 1000000000L;
            if (slice.tv_sec > deadline.tv_sec ||
                (slice.tv_sec == deadline.tv_sec && slice.tv_nsec > deadline.tv_nsec))
                slice = deadline;
            w = pthread_cond_timedwait(&f->done_cv, &c->lock, &slice);
            if (w == ETIMEDOUT && (slice.tv_sec != deadline.tv_sec || slice.tv_nsec != deadline.tv_nsec))
                w = 0; /* a slice ended, not the whole wait */
        }
        int rc;
        if (!f->done && hs_cancel_reason(stop)) {
            rc = hs_cancel_error(stop, "waiting for an identical request's render", err);
        } else if (!f->done) {
            rc = hs_err_set(err, HS_ELIMIT, "gave up after %d s waiting for another request to render '%s'",
                            HS_CACHE_WAIT_SECONDS, key);
        } else if (f->rc < 0) {
            rc = f->rc;
            if (err)
                *err = f->err;
        } else {
            rc = HS_OK;
            *out = f->result; /* the renderer reserved this reference for us */
        }
        f->waiters--;
        /* The renderer has unlinked f when done; the last waiter out frees it. */
        if (f->done && f->waiters == 0)
            inflight_free(f);
        pthread_mutex_unlock(&c->lock);
        if (outcome)
            *outcome = HS_CACHE_MERGED;
        return rc;
    }
    c->misses++;
    if (outcome)
        *outcome = HS_CACHE_MISS;
    f = calloc(1, sizeof *f);
    char *fkey = f ? strdup(key) : NULL;
    pthread_condattr_t ca;
    int cv_ok = 0;
    if (f && fkey && !pthread_condattr_init(&ca)) {
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        cv_ok = !pthread_cond_init(&f->done_cv, &ca);
        pthread_condattr_destroy(&ca);
    }
    if (!cv_ok) {
        pthread_mutex_unlock(&c->lock);
        free(fkey);
        free(f);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate an in-flight render record");
    }
    f->key = fkey;
    f->version = version;
    f->hash = h;
    f->next = c->flights;
    c->flights = f;
    c->ninflight++;
    pthread_mutex_unlock(&c->lock);

    hs_err rerr = {0};
    int rc = render_entry(version, h, key, content_type, body_cap, render, arg, &e, &rerr);

    pthread_mutex_lock(&c->lock);
    inflight_unlink(c, f);
    f->done = 1;
    f->rc = rc;
    f->err = rerr;
    if (rc >= 0) {
        insert(c, e);
        if (f->waiters) {
            atomic_fetch_add_explicit(&e->refs, (unsigned)f->waiters, memory_order_relaxed);
            f->result = e;
        }
    } else {
        c->render_errors++;
    }
    int waiters = f->waiters;
    hs_cache_waiter *parked = f->parked;
    f->parked = NULL;
    if (waiters)
        pthread_cond_broadcast(&f->done_cv);
    pthread_mutex_unlock(&c->lock);
    if (!waiters)
        inflight_free(f);
    /* After the insert and outside the lock: a woken caller looks the key up again,
     * maybe at once on another thread, and may be gone the moment it is woken. */
    while (parked) {
        hs_cache_waiter *next = parked->next;
        parked->wake(parked->arg);
        parked = next;
    }
    if (rc < 0) {
        if (err)
            *err = rerr;
        return rc;
    }
    *out = e;
    return HS_OK;
}

void hs_cache_purge_before(hs_cache *c, uint64_t version)
{
    pthread_mutex_lock(&c->lock);
    hs_cache_entry *e = c->oldest;
    while (e) {
        hs_cache_entry *next = e->newer;
        if (e->version < version)
            remove_entry(c, e);
        e = next;
    }
    pthread_mutex_unlock(&c->lock);
}

void hs_cache_stats_get(hs_cache *c, hs_cache_stats *s)
{
    pthread_mutex_lock(&c->lock);
    s->hits = c->hits;
    s->misses = c->misses;
    s->merged = c->merged;
    s->parked = c->parked;
    s->evictions = c->evictions;
    s->uncacheable = c->uncacheable;
    s->render_errors = c->render_errors;
    s->bytes = c->bytes;
    s->entries = c->entries;
    s->inflight = c->ninflight;
    s->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
}

void hs_cache_destroy(hs_cache *c)
{
    if (!c)
        return;
    while (c->oldest)
        remove_entry(c, c->oldest);
    /* No fetch may run now, so no in-flight records remain. */
    pthread_mutex_destroy(&c->lock);
    free(c->buckets);
    free(c);
}
