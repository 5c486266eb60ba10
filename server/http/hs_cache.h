/* hs_cache: an in-memory cache of rendered responses (tiles, map images, JSON).
 *
 * - Keyed by (data version, key string). When the data changes the version does,
 *   so old entries are never served again; hs_cache_purge_before frees them at once.
 * - Byte-capped LRU: inserting past the cap evicts least recently used entries.
 *   An entry larger than a quarter of the cap is returned but not kept.
 * - Entries are reference-counted: eviction only drops the cache's reference, so a
 *   body still being sent to a client stays valid until its sender releases it.
 * - In-flight merging: when several threads ask for the same missing key, one
 *   renders and the others wait on that key's condition variable, then share the
 *   result (or its error) instead of rendering the same thing again.
 * - Parking: a caller that must not block (an HTTP thread) can instead register a
 *   waiter on a key's render in flight (hs_cache_watch) and be woken when it ends;
 *   it then looks the key up again. So identical requests hold one render thread,
 *   not one each.
 * - ETag: FNV-1a 64 of the bytes, as a quoted hex string.
 *
 * Threads: every function is thread-safe. All cache state sits behind one mutex,
 * `lock`, which is never held while rendering.
 */
#ifndef HS_CACHE_H
#define HS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "hs_buf.h"
#include "hs_err.h"

typedef struct hs_cache hs_cache;
typedef struct hs_cache_entry hs_cache_entry;

#define HS_CACHE_KEY_MAX 1024
/* How long a merged request waits for another thread's render before giving up. */
#define HS_CACHE_WAIT_SECONDS 120

/* Renders the bytes for a key into `out` (already initialised with the body cap).
 * Runs without any cache lock held. Returns 0 or a negative HS_E* with err filled. */
typedef int (*hs_cache_render_fn)(void *arg, hs_buf *out, hs_err *err);

typedef enum { HS_CACHE_HIT, HS_CACHE_MISS, HS_CACHE_MERGED } hs_cache_outcome;

typedef struct hs_cache_stats {
    uint64_t hits, misses, merged, parked, evictions, uncacheable, render_errors;
    size_t bytes, entries, inflight, max_bytes;
} hs_cache_stats;

/* Creates a cache holding at most max_bytes (bodies plus keys and bookkeeping).
 * Returns NULL when out of memory. Caller frees with hs_cache_destroy. */
hs_cache *hs_cache_create(size_t max_bytes);
/* Destroys the cache. No fetch may be running. Entries still referenced by callers
 * stay valid until their last hs_cache_entry_release. */
void hs_cache_destroy(hs_cache *c);

/* Returns in *out a reference to the entry for (version, key), rendering it with
 * render(arg, ...) when absent (see the merging rule above). `body_cap` bounds the
 * rendered size. The caller owns one reference: release with hs_cache_entry_release.
 * *outcome (may be NULL) tells whether it was a hit, a render here, or a merge.
 * A failed render is not cached; the waiters merged on it get its error. */
int hs_cache_fetch(hs_cache *c, uint64_t version, const char *key, const char *content_type,
                   size_t body_cap, hs_cache_render_fn render, void *arg, hs_cache_entry **out,
                   hs_cache_outcome *outcome, hs_err *err);
/* A reference to the entry if present (counted as a hit), else NULL (not a miss).
 * in_flight (may be NULL) is set to 1 when, on a miss, the key is being rendered. */
hs_cache_entry *hs_cache_lookup(hs_cache *c, uint64_t version, const char *key, int *in_flight);

/* A parked caller, embedded in the caller's state (no allocation, so parking cannot
 * fail for memory). `wake(arg)` is called once, on the rendering thread without the
 * cache lock, after the render ended: its entry is in the cache by then, unless it
 * failed or was too large to keep, so the woken caller must be ready to miss. */
typedef struct hs_cache_waiter {
    void (*wake)(void *arg);
    void *arg;
    struct hs_cache_waiter *next; /* private */
} hs_cache_waiter;
/* Registers w on the render of (version, key) now in flight and returns 1; returns 0,
 * registering nothing, when no such render runs (it may have just ended: look again). */
int hs_cache_watch(hs_cache *c, uint64_t version, const char *key, hs_cache_waiter *w);
/* Drops every entry whose version is below `version`. */
void hs_cache_purge_before(hs_cache *c, uint64_t version);
void hs_cache_stats_get(hs_cache *c, hs_cache_stats *s);

/* Adds a reference (for a second holder). */
void hs_cache_entry_ref(hs_cache_entry *e);
/* Drops one reference; the last one frees the entry. Safe from any thread, also
 * after hs_cache_destroy. Accepts NULL. */
void hs_cache_entry_release(hs_cache_entry *e);
/* Borrowed views, valid while the caller holds a reference. */
const unsigned char *hs_cache_entry_data(const hs_cache_entry *e, size_t *len);
const char *hs_cache_entry_etag(const hs_cache_entry *e);
const char *hs_cache_entry_type(const hs_cache_entry *e);

/* FNV-1a 64 of the bytes as a quoted ETag: out receives "\"%016llx\"" (19 bytes). */
void hs_etag_of(const void *data, size_t n, char out[24]);

#endif
