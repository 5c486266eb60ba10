#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "hs_cache.h"
#include "hs_cancel.h"

typedef struct {
    size_t size;   /* bytes to render */
    char fill;
    atomic_int calls;
    int fail;
    hs_cache *wait_cache; /* when set: block until `wait_merged` requests merged */
    uint64_t wait_merged;  /* ...and `wait_parked` parked */
    uint64_t wait_parked;
} render_arg;

static int render(void *v, hs_buf *out, hs_err *err)
{
    render_arg *a = v;
    atomic_fetch_add(&a->calls, 1);
    if (a->wait_cache) {
        /* Bounded: 20 s at most, then the test fails on the counts. */
        for (int i = 0; i < 4000; i++) {
            hs_cache_stats s;
            hs_cache_stats_get(a->wait_cache, &s);
            if (s.merged >= a->wait_merged && s.parked >= a->wait_parked)
                break;
            nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
        }
    }
    if (a->fail)
        return hs_err_set(err, HS_ERENDER, "render failed on purpose");
    for (size_t i = 0; i < a->size; i++)
        if (hs_buf_append(out, &a->fill, 1, err) < 0)
            return err->code;
    return 0;
}

static hs_cache_entry *fetch(hs_cache *c, uint64_t ver, const char *key, render_arg *a,
                             hs_cache_outcome *how)
{
    hs_cache_entry *e = NULL;
    hs_err err = {0};
    int rc = hs_cache_fetch(c, ver, key, "image/png", 1 << 20, render, a, &e, how, &err);
    if (rc)
        fail_msg("fetch %s: %s", key, err.msg);
    return e;
}

static void test_hit_miss_and_etag(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_create(1 << 20);
    render_arg a = {.size = 100, .fill = 'x'};
    hs_cache_outcome how;
    hs_cache_entry *e1 = fetch(c, 1, "tiles/a/0/0/0", &a, &how);
    assert_int_equal(how, HS_CACHE_MISS);
    hs_cache_entry *e2 = fetch(c, 1, "tiles/a/0/0/0", &a, &how);
    assert_int_equal(how, HS_CACHE_HIT);
    assert_ptr_equal(e1, e2);
    assert_int_equal(atomic_load(&a.calls), 1);
    size_t len;
    const unsigned char *d = hs_cache_entry_data(e1, &len);
    assert_int_equal(len, 100);
    assert_int_equal(d[99], 'x');
    assert_string_equal(hs_cache_entry_type(e1), "image/png");
    /* ETag: quoted FNV-1a 64 hex of the bytes, equal for equal bytes. */
    const char *etag = hs_cache_entry_etag(e1);
    assert_int_equal(strlen(etag), 18);
    assert_int_equal(etag[0], '"');
    char direct[24];
    hs_etag_of(d, len, direct);
    assert_string_equal(direct, etag);
    hs_etag_of("", 0, direct);
    assert_string_equal(direct, "\"cbf29ce484222325\""); /* FNV-1a 64 offset basis */
    /* Another version is another entry. */
    hs_cache_entry *e3 = fetch(c, 2, "tiles/a/0/0/0", &a, &how);
    assert_int_equal(how, HS_CACHE_MISS);
    assert_ptr_not_equal(e1, e3);
    hs_cache_stats s;
    hs_cache_stats_get(c, &s);
    assert_int_equal(s.hits, 1);
    assert_int_equal(s.misses, 2);
    assert_int_equal(s.entries, 2);
    hs_cache_entry_release(e1);
    hs_cache_entry_release(e2);
    hs_cache_entry_release(e3);
    assert_null(hs_cache_lookup(c, 3, "tiles/a/0/0/0", NULL));
    hs_cache_entry *l = hs_cache_lookup(c, 2, "tiles/a/0/0/0", NULL);
    assert_non_null(l);
    hs_cache_entry_release(l);
    hs_cache_destroy(c);
}

static void test_lru_eviction_by_bytes(void **state)
{
    (void)state;
    /* Entries cost their bytes plus bookkeeping: 10 KiB bodies in a 64 KiB cache. */
    hs_cache *c = hs_cache_create(64 << 10);
    render_arg a = {.size = 10 << 10, .fill = 'y'};
    char key[32];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "k%d", i);
        hs_cache_entry_release(fetch(c, 1, key, &a, NULL));
    }
    /* Touch k0 so k1 becomes the least recently used. */
    hs_cache_entry_release(fetch(c, 1, "k0", &a, NULL));
    for (int i = 5; i < 7; i++) {
        snprintf(key, sizeof key, "k%d", i);
        hs_cache_entry_release(fetch(c, 1, key, &a, NULL));
    }
    hs_cache_stats s;
    hs_cache_stats_get(c, &s);
    assert_true(s.bytes <= 64 << 10);
    assert_int_equal(s.entries, 6);
    assert_int_equal(s.evictions, 1);
    hs_cache_entry *gone = hs_cache_lookup(c, 1, "k1", NULL);
    assert_null(gone);
    hs_cache_entry *kept = hs_cache_lookup(c, 1, "k0", NULL);
    assert_non_null(kept);
    hs_cache_entry_release(kept);
    /* Too large for a quarter of the cap: returned but not kept. */
    render_arg big = {.size = 20 << 10, .fill = 'z'};
    hs_cache_entry *b = fetch(c, 1, "big", &big, NULL);
    size_t len;
    hs_cache_entry_data(b, &len);
    assert_int_equal(len, 20 << 10);
    hs_cache_entry_release(b);
    hs_cache_stats_get(c, &s);
    assert_int_equal(s.uncacheable, 1);
    assert_null(hs_cache_lookup(c, 1, "big", NULL));
    /* Purging old versions frees their entries. */
    hs_cache_purge_before(c, 2);
    hs_cache_stats_get(c, &s);
    assert_int_equal(s.entries, 0);
    assert_int_equal(s.bytes, 0);
    hs_cache_destroy(c);
}

static void test_refcount_outlives_eviction(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_create(16 << 10);
    render_arg a = {.size = 3000, .fill = 'q'};
    hs_cache_entry *held = fetch(c, 1, "held", &a, NULL);
    /* Push it out of the cache while we still hold it (as MHD does while sending). */
    char key[16];
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof key, "o%d", i);
        hs_cache_entry_release(fetch(c, 1, key, &a, NULL));
    }
    assert_null(hs_cache_lookup(c, 1, "held", NULL));
    size_t len;
    const unsigned char *d = hs_cache_entry_data(held, &len);
    assert_int_equal(len, 3000);
    assert_int_equal(d[0], 'q'); /* still valid: ASan would flag a use after free */
    /* And it survives the cache itself. */
    hs_cache_entry_ref(held);
    hs_cache_destroy(c);
    assert_int_equal(hs_cache_entry_data(held, &len)[2999], 'q');
    hs_cache_entry_release(held);
    hs_cache_entry_release(held);
    hs_cache_entry_release(NULL);
}

typedef struct {
    hs_cache *c;
    render_arg *a;
    int rc;
    hs_cache_outcome how;
    hs_cache_entry *e;
    hs_err err;
} worker;

static void *worker_main(void *v)
{
    worker *w = v;
    w->rc = hs_cache_fetch(w->c, 7, "tiles/gistar/5/25/14", "image/png", 1 << 20, render, w->a,
                           &w->e, &w->how, &w->err);
    return NULL;
}

static void run_merge(int fail)
{
    enum { N = 8 };
    hs_cache *c = hs_cache_create(1 << 20);
    render_arg a = {.size = 500, .fill = 'm', .fail = fail, .wait_cache = c, .wait_merged = N - 1};
    worker w[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
        w[i] = (worker){.c = c, .a = &a};
        assert_int_equal(pthread_create(&t[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&a.calls), 1); /* rendered once for all eight */
    int misses = 0, merged = 0;
    for (int i = 0; i < N; i++) {
        misses += w[i].how == HS_CACHE_MISS;
        merged += w[i].how == HS_CACHE_MERGED;
        if (fail) {
            assert_int_equal(w[i].rc, HS_ERENDER);
            assert_string_equal(w[i].err.msg, "render failed on purpose");
            assert_null(w[i].e);
        } else {
            assert_int_equal(w[i].rc, 0);
            assert_ptr_equal(w[i].e, w[0].e);
            hs_cache_entry_release(w[i].e);
        }
    }
    assert_int_equal(misses, 1);
    assert_int_equal(merged, N - 1);
    hs_cache_stats s;
    hs_cache_stats_get(c, &s);
    assert_int_equal(s.merged, N - 1);
    assert_int_equal(s.inflight, 0);
    assert_int_equal(s.entries, fail ? 0 : 1);
    assert_int_equal(s.render_errors, fail ? 1 : 0);
    hs_cache_destroy(c);
}

static void test_concurrent_merging(void **state)
{
    (void)state;
    run_merge(0);
}

static void test_concurrent_merging_error(void **state)
{
    (void)state;
    run_merge(1);
}

/* A merged waiter stops waiting once its heavy job's flag is set (budget spent,
 * client gone), and the renderer's result is still whole for the others. */
typedef struct {
    worker w;
    atomic_int flag;
} cancel_worker;

static void *cancel_worker_main(void *v)
{
    cancel_worker *cw = v;
    hs_cancel_set_current(&cw->flag);
    worker_main(&cw->w);
    hs_cancel_set_current(NULL);
    return NULL;
}

static void test_merged_waiter_cancelled(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_create(1 << 20);
    /* The renderer blocks until two requests merged (the waiter, then the probe). */
    render_arg a = {.size = 100, .fill = 'c', .wait_cache = c, .wait_merged = 2};
    worker r = {.c = c, .a = &a};
    cancel_worker cw = {.w = {.c = c, .a = &a}};
    pthread_t tr, tw;
    assert_int_equal(pthread_create(&tr, NULL, worker_main, &r), 0);
    for (int i = 0; i < 4000 && atomic_load(&a.calls) == 0; i++)
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    assert_int_equal(pthread_create(&tw, NULL, cancel_worker_main, &cw), 0);
    hs_cache_stats s;
    for (int i = 0; i < 4000; i++) {
        hs_cache_stats_get(c, &s);
        if (s.merged >= 1)
            break;
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    }
    atomic_store(&cw.flag, HS_CANCEL_BUDGET);
    pthread_join(tw, NULL); /* returns although the render has not finished */
    assert_int_equal(cw.w.rc, HS_ECANCELED);
    assert_non_null(strstr(cw.w.err.msg, "time budget"));
    assert_null(cw.w.e);
    worker p = {.c = c, .a = &a}; /* the second merge lets the renderer finish */
    worker_main(&p);
    pthread_join(tr, NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(p.rc, 0);
    assert_ptr_equal(r.e, p.e);
    hs_cache_entry_release(r.e);
    hs_cache_entry_release(p.e);
    assert_int_equal(atomic_load(&a.calls), 1);
    hs_cache_destroy(c);
}

/* Parked callers hold no thread: each is woken once after the render ended, when the
 * entry is already in the cache (or, for a failed render, is not). */
typedef struct {
    hs_cache_waiter w;
    hs_cache *c;
    atomic_int woken;
    hs_cache_entry *seen; /* what a lookup found at wake-up */
} parker;

static void park_wake(void *arg)
{
    parker *p = arg;
    p->seen = hs_cache_lookup(p->c, 7, "tiles/gistar/5/25/14", NULL);
    atomic_fetch_add(&p->woken, 1);
}

static void run_park(int fail)
{
    hs_cache *c = hs_cache_create(1 << 20);
    render_arg a = {.size = 300, .fill = 'p', .fail = fail, .wait_cache = c, .wait_parked = 2};
    worker r = {.c = c, .a = &a};
    int in_flight = -1;
    assert_null(hs_cache_lookup(c, 7, "tiles/gistar/5/25/14", &in_flight));
    assert_int_equal(in_flight, 0); /* nothing renders yet: a plain miss */
    pthread_t tr;
    assert_int_equal(pthread_create(&tr, NULL, worker_main, &r), 0);
    for (int i = 0; i < 4000 && atomic_load(&a.calls) == 0; i++)
        nanosleep(&(struct timespec){0, 5 * 1000 * 1000}, NULL);
    assert_null(hs_cache_lookup(c, 7, "tiles/gistar/5/25/14", &in_flight));
    assert_int_equal(in_flight, 1);
    parker p[2];
    for (int i = 0; i < 2; i++) {
        p[i] = (parker){.w = {.wake = park_wake, .arg = &p[i]}, .c = c};
        assert_int_equal(hs_cache_watch(c, 7, "tiles/gistar/5/25/14", &p[i].w), 1);
    }
    parker none = {.w = {.wake = park_wake, .arg = &none}, .c = c};
    assert_int_equal(hs_cache_watch(c, 8, "tiles/gistar/5/25/14", &none.w), 0);
    pthread_join(tr, NULL); /* the wakes ran on the renderer's thread, before it returned */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(atomic_load(&p[i].woken), 1);
        if (fail) {
            assert_null(p[i].seen); /* not cached: the woken caller renders itself */
        } else {
            assert_ptr_equal(p[i].seen, r.e);
            hs_cache_entry_release(p[i].seen);
        }
    }
    assert_int_equal(atomic_load(&none.woken), 0);
    assert_int_equal(r.rc, fail ? HS_ERENDER : 0);
    hs_cache_entry_release(r.e);
    hs_cache_stats s;
    hs_cache_stats_get(c, &s);
    assert_int_equal(s.parked, 2);
    assert_int_equal(s.merged, 0);
    assert_int_equal(s.inflight, 0);
    assert_int_equal(atomic_load(&a.calls), 1);
    hs_cache_destroy(c);
}

static void test_parked_waiters(void **state)
{
    (void)state;
    run_park(0);
}

static void test_parked_waiters_error(void **state)
{
    (void)state;
    run_park(1);
}

static void test_caps(void **state)
{
    (void)state;
    hs_cache *c = hs_cache_create(1 << 20);
    render_arg a = {.size = 2000, .fill = 'c'};
    hs_cache_entry *e = NULL;
    hs_err err = {0};
    assert_int_equal(hs_cache_fetch(c, 1, "k", "x", 1000, render, &a, &e, NULL, &err), HS_ELIMIT);
    assert_null(e);
    char key[HS_CACHE_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_int_equal(hs_cache_fetch(c, 1, key, "x", 1 << 20, render, &a, &e, NULL, &err), HS_ELIMIT);
    hs_cache_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hit_miss_and_etag),
        cmocka_unit_test(test_lru_eviction_by_bytes),
        cmocka_unit_test(test_refcount_outlives_eviction),
        cmocka_unit_test(test_concurrent_merging),
        cmocka_unit_test(test_concurrent_merging_error),
        cmocka_unit_test(test_merged_waiter_cancelled),
        cmocka_unit_test(test_parked_waiters),
        cmocka_unit_test(test_parked_waiters_error),
        cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
