#include "hs_arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN 16
#define ARENA_FIRST_BLOCK ((size_t)8 << 10)

typedef struct arena_block {
    struct arena_block *next;
    size_t size; /* usable bytes after the header */
    size_t used;
    /* Keeps data[] 16-byte aligned whatever the header size. */
    _Alignas(ARENA_ALIGN) unsigned char data[];
} arena_block;

struct hs_arena {
    arena_block *head; /* current block; older blocks follow via next */
    size_t cap;
    size_t used; /* bytes handed out (rounded), checked against cap */
};

static arena_block *block_new(size_t size)
{
    if (size > SIZE_MAX - sizeof(arena_block))
        return NULL;
    arena_block *b = malloc(sizeof(arena_block) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

hs_arena *hs_arena_create(size_t cap)
{
    hs_arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->cap = cap ? cap : HS_ARENA_DEFAULT_CAP;
    a->head = block_new(ARENA_FIRST_BLOCK < a->cap ? ARENA_FIRST_BLOCK : a->cap);
    if (!a->head) {
        free(a);
        return NULL;
    }
    return a;
}

void hs_arena_destroy(hs_arena *a)
{
    if (!a)
        return;
    arena_block *b = a->head;
    while (b) {
        arena_block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *hs_arena_alloc(hs_arena *a, size_t n, hs_err *err)
{
    size_t rounded = (n + (ARENA_ALIGN - 1)) & ~(size_t)(ARENA_ALIGN - 1);
    if (n > a->cap || rounded < n || rounded > a->cap - a->used) {
        hs_err_set(err, HS_ELIMIT, "request memory limit of %zu bytes exceeded", a->cap);
        return NULL;
    }
    arena_block *b = a->head;
    if (b->size - b->used < rounded) {
        /* Grow geometrically so a request with many small strings allocates a few
         * blocks, not hundreds; a large allocation gets a block of its own size. */
        size_t want = b->size * 2;
        if (want < rounded)
            want = rounded;
        if (want > a->cap)
            want = a->cap;
        arena_block *nb = block_new(want);
        if (!nb) {
            hs_err_set(err, HS_ENOMEM, "cannot allocate %zu bytes of request memory", want);
            return NULL;
        }
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += rounded;
    a->used += rounded;
    return p;
}

void *hs_arena_calloc(hs_arena *a, size_t count, size_t size, hs_err *err)
{
    if (size && count > SIZE_MAX / size) {
        hs_err_set(err, HS_ELIMIT, "request memory: %zu x %zu bytes overflows", count, size);
        return NULL;
    }
    void *p = hs_arena_alloc(a, count * size, err);
    if (p && count * size != 0)
        memset(p, 0, count * size);
    return p;
}

char *hs_arena_strndup(hs_arena *a, const char *s, size_t n, hs_err *err)
{
    if (n == SIZE_MAX) {
        hs_err_set(err, HS_ELIMIT, "string too long");
        return NULL;
    }
    char *p = hs_arena_alloc(a, n + 1, err);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *hs_arena_strdup(hs_arena *a, const char *s, hs_err *err)
{
    return hs_arena_strndup(a, s, strlen(s), err);
}

char *hs_arena_printf(hs_arena *a, hs_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        hs_err_set(err, HS_EINTERNAL, "bad format string");
        return NULL;
    }
    char *p = hs_arena_alloc(a, (size_t)n + 1, err);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void hs_arena_reset(hs_arena *a)
{
    /* Keep the oldest (first, smallest) block: most requests fit in it, so a reused
     * arena then costs no malloc at all. */
    arena_block *b = a->head;
    while (b->next) {
        arena_block *n = b->next;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
    a->used = 0;
}

size_t hs_arena_used(const hs_arena *a)
{
    return a->used;
}
