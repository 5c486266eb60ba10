/* hs_arena: a per-request bump allocator with a hard cap.
 *
 * Every request owns one arena (hs_req.arena). Strings and small structures that
 * live exactly as long as the request (decoded path, query pairs, header values)
 * come from it and are released all at once when the request ends, so handlers
 * never free them one by one and cannot leak them. Anything that must outlive the
 * request (a cached tile) is NOT arena memory: see hs_cache.
 *
 * The cap bounds what one request can make the server allocate; an allocation past
 * it fails with HS_ELIMIT. An arena is used by one thread at a time.
 */
#ifndef HS_ARENA_H
#define HS_ARENA_H

#include <stddef.h>

#include "hs_err.h"

typedef struct hs_arena hs_arena;

#define HS_ARENA_DEFAULT_CAP ((size_t)4 << 20)

/* Creates an arena allowing at most `cap` bytes in total (0 = HS_ARENA_DEFAULT_CAP).
 * Returns NULL when out of memory. Caller frees with hs_arena_destroy. */
hs_arena *hs_arena_create(size_t cap);
void hs_arena_destroy(hs_arena *a);

/* Returns `n` bytes aligned to 16, valid until hs_arena_reset/destroy. On failure
 * returns NULL and fills err (HS_ELIMIT past the cap, HS_ENOMEM). n == 0 is allowed. */
void *hs_arena_alloc(hs_arena *a, size_t n, hs_err *err);
/* Same, zero-filled; checks count * size for overflow. */
void *hs_arena_calloc(hs_arena *a, size_t count, size_t size, hs_err *err);
/* NUL-terminated copy of the first n bytes of s (s need not be terminated). */
char *hs_arena_strndup(hs_arena *a, const char *s, size_t n, hs_err *err);
char *hs_arena_strdup(hs_arena *a, const char *s, hs_err *err);
/* printf into the arena. */
char *hs_arena_printf(hs_arena *a, hs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Releases everything allocated so far but keeps the first block for reuse. */
void hs_arena_reset(hs_arena *a);
/* Bytes handed out since the last reset (what counts against the cap). */
size_t hs_arena_used(const hs_arena *a);

#endif
