/* hs_heavy (the heavy-job pool) and hs_ratelimit (request rates per client). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hs_clock.h"
#include "hs_heavy.h"
#include "hs_ratelimit.h"

typedef struct job {
    hs_heavy_job j;
    atomic_int release;   /* the run waits for this (or for its cancel flag) */
    atomic_int ran, done; /* times run / done were called */
    atomic_int saw;       /* the cancel reason run saw on entry */
    atomic_int current;   /* 1 if hs_cancel_current() was the job's flag during run */
} job;

static void nap_ms(int ms)
{
    nanosleep(&(struct timespec){0, ms * 1000000L}, NULL);
}

static void run(hs_heavy_job *hj, void *arg)
{
    job *j = arg;
    (void)hj;
    atomic_store(&j->saw, hs_cancel_reason(&j->j.cancel));
    atomic_store(&j->current, hs_cancel_current() == &j->j.cancel);
    atomic_fetch_add(&j->ran, 1);
    /* Bounded: 20 s at most, then the test fails on the counts. */
    for (int i = 0; i < 4000 && !atomic_load(&j->release) && !hs_cancel_reason(&j->j.cancel); i++)
        nap_ms(5);
}

static void done(hs_heavy_job *hj, void *arg)
{
    (void)hj;
    atomic_fetch_add(&((job *)arg)->done, 1);
}

static void job_init(job *j)
{
    memset(j, 0, sizeof *j);
    j->j.fd = -1;
    j->j.run = run;
    j->j.done = done;
    j->j.arg = j;
}

static int wait_for(atomic_int *v, int want)
{
    for (int i = 0; i < 4000; i++) {
        if (atomic_load(v) == want)
            return 1;
        nap_ms(5);
    }
    return 0;
}

/* 2 workers + queue of 1: three jobs are taken, the fourth is refused with a message
 * naming the limit; releasing them runs each once, then done once. */
static void test_bounded_queue(void **state)
{
    (void)state;
    hs_heavy *h;
    hs_err err = {0};
    assert_int_equal(hs_heavy_create(&(hs_heavy_opts){.threads = 2, .queue_max = 1}, &h, &err), 0);
    job a[4];
    for (int i = 0; i < 4; i++)
        job_init(&a[i]);
    assert_int_equal(hs_heavy_submit(h, &a[0].j, &err), 0);
    assert_int_equal(hs_heavy_submit(h, &a[1].j, &err), 0);
    assert_true(wait_for(&a[0].ran, 1) && wait_for(&a[1].ran, 1));
    assert_int_equal(hs_heavy_submit(h, &a[2].j, &err), 0);
    assert_int_equal(hs_heavy_submit(h, &a[3].j, &err), HS_ELIMIT);
    assert_non_null(strstr(err.msg, "heavy-queue = 1"));
    hs_heavy_stats st;
    hs_heavy_stats_get(h, &st);
    assert_int_equal(st.running, 2);
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.rejected, 1);
    assert_int_equal(a[0].current, 1); /* the pipeline finds the flag as the current one */
    for (int i = 0; i < 3; i++)
        atomic_store(&a[i].release, 1);
    for (int i = 0; i < 3; i++)
        assert_true(wait_for(&a[i].done, 1));
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a[i].ran, 1);
        assert_int_equal(a[i].saw, HS_CANCEL_NONE);
    }
    assert_int_equal(a[3].ran, 0);
    hs_heavy_destroy(h);
}

/* A deadline cancels a running job (the run sees the flag and returns), and a
 * waiting job whose deadline passes leaves the queue at once, answered with the
 * reason set, without ever reaching a worker. */
static void test_deadline(void **state)
{
    (void)state;
    hs_heavy *h;
    hs_err err = {0};
    assert_int_equal(hs_heavy_create(&(hs_heavy_opts){.threads = 1, .queue_max = 4}, &h, &err), 0);
    job a, b;
    job_init(&a);
    job_init(&b);
    double t0 = hs_clock_now();
    a.j.deadline = t0 + 0.2;
    b.j.deadline = t0 + 0.1;
    assert_int_equal(hs_heavy_submit(h, &a.j, &err), 0);
    assert_true(wait_for(&a.ran, 1));
    assert_int_equal(hs_heavy_submit(h, &b.j, &err), 0);
    assert_true(wait_for(&b.done, 1));
    assert_int_equal(b.saw, HS_CANCEL_BUDGET); /* answered from the queue */
    assert_true(wait_for(&a.done, 1));
    assert_int_equal(hs_cancel_reason(&a.j.cancel), HS_CANCEL_BUDGET);
    assert_true(hs_clock_now() - t0 < 10.0);
    hs_heavy_stats st;
    hs_heavy_stats_get(h, &st);
    assert_int_equal(st.cancelled_budget, 2);
    hs_heavy_destroy(h);
}

/* Work that cannot poll (a query in flight) is stopped by the interrupt hook: the
 * watchdog calls it once the flag is set, and the job is not finished (done not
 * called, so its owner cannot free it) while the hook still runs. */
typedef struct blocked {
    job base;
    atomic_int hooks;          /* interrupt calls */
    atomic_int hook_running;   /* 1 inside the hook */
    atomic_int done_in_hook;   /* done was called while the hook ran: a race */
} blocked;

static void blocked_run(hs_heavy_job *hj, void *arg)
{
    blocked *b = arg;
    (void)hj;
    atomic_fetch_add(&b->base.ran, 1);
    /* Ignores the flag, like a query: only the hook's release ends it. */
    for (int i = 0; i < 4000 && !atomic_load(&b->base.release); i++)
        nap_ms(5);
}

static void blocked_interrupt(hs_heavy_job *hj, void *arg)
{
    blocked *b = arg;
    (void)hj;
    atomic_store(&b->hook_running, 1);
    atomic_fetch_add(&b->hooks, 1);
    atomic_store(&b->base.release, 1);
    nap_ms(150); /* the run returns meanwhile; done must wait for us */
    atomic_store(&b->hook_running, 0);
}

static void blocked_done(hs_heavy_job *hj, void *arg)
{
    blocked *b = arg;
    (void)hj;
    if (atomic_load(&b->hook_running))
        atomic_store(&b->done_in_hook, 1);
    atomic_fetch_add(&b->base.done, 1);
}

static void test_interrupt(void **state)
{
    (void)state;
    hs_heavy *h;
    hs_err err = {0};
    assert_int_equal(hs_heavy_create(&(hs_heavy_opts){.threads = 1, .queue_max = 4}, &h, &err), 0);
    blocked b;
    memset(&b, 0, sizeof b);
    b.base.j.fd = -1;
    b.base.j.run = blocked_run;
    b.base.j.done = blocked_done;
    b.base.j.interrupt = blocked_interrupt;
    b.base.j.arg = &b;
    double t0 = hs_clock_now();
    b.base.j.deadline = t0 + 0.2;
    assert_int_equal(hs_heavy_submit(h, &b.base.j, &err), 0);
    assert_true(wait_for(&b.base.done, 1));
    double took = hs_clock_now() - t0;
    assert_true(took < 5.0); /* not the run's own 20 s */
    assert_int_equal(atomic_load(&b.hooks), 1);
    assert_int_equal(atomic_load(&b.done_in_hook), 0);
    assert_int_equal(hs_cancel_reason(&b.base.j.cancel), HS_CANCEL_BUDGET);
    hs_heavy_stats st;
    hs_heavy_stats_get(h, &st);
    assert_int_equal(st.interrupted, 1);
    hs_heavy_destroy(h);
}

/* The watchdog notices a client that closed its end of the socket. */
static void test_client_gone(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    hs_heavy *h;
    hs_err err = {0};
    assert_int_equal(hs_heavy_create(&(hs_heavy_opts){.threads = 1, .queue_max = 1}, &h, &err), 0);
    job a;
    job_init(&a);
    a.j.fd = sv[0];
    assert_int_equal(hs_heavy_submit(h, &a.j, &err), 0);
    assert_true(wait_for(&a.ran, 1));
    nap_ms(150); /* a few watchdog rounds with the client still there */
    assert_int_equal(hs_cancel_reason(&a.j.cancel), HS_CANCEL_NONE);
    close(sv[1]);
    assert_true(wait_for(&a.done, 1));
    assert_int_equal(hs_cancel_reason(&a.j.cancel), HS_CANCEL_CLIENT);
    hs_heavy_destroy(h);
    close(sv[0]);
}

/* Destroying the pool answers every job it holds (cancelled, reason shutdown). */
static void test_destroy_answers_all(void **state)
{
    (void)state;
    hs_heavy *h;
    hs_err err = {0};
    assert_int_equal(hs_heavy_create(&(hs_heavy_opts){.threads = 1, .queue_max = 4}, &h, &err), 0);
    job a[3];
    for (int i = 0; i < 3; i++) {
        job_init(&a[i]);
        assert_int_equal(hs_heavy_submit(h, &a[i].j, &err), 0);
    }
    assert_true(wait_for(&a[0].ran, 1));
    assert_int_equal(hs_heavy_pending(h), 3);
    hs_heavy_destroy(h);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(a[i].done, 1);
        assert_int_equal(hs_cancel_reason(&a[i].j.cancel), HS_CANCEL_SHUTDOWN);
    }
    assert_int_equal(a[1].saw, HS_CANCEL_SHUTDOWN);
}

/* Token buckets: a burst of 2r, then one request per 1/r seconds; clients and roles
 * are apart; 0 = unlimited. */
static void test_ratelimit(void **state)
{
    (void)state;
    hs_ratelimit *rl;
    hs_err err = {0};
    double rates[4] = {2, 0, 1, 5}; /* public, planner, analyst, operator */
    assert_int_equal(hs_ratelimit_create(rates, &rl, &err), 0);
    double retry, rate, now = 100.0;
    for (int i = 0; i < 4; i++) /* burst 4 */
        assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, "addr:1", now, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, "addr:1", now, &retry, &rate), 0);
    assert_true(retry > 0.49 && retry < 0.51); /* one token at 2/s */
    assert_true(rate == 2.0);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, "addr:2", now, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, "addr:1", now + 0.5, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, "addr:1", now + 0.5, &retry, &rate), 0);
    for (int i = 0; i < 1000; i++) /* planner: unlimited */
        assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PLANNER, "token:1", now, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_ANALYST, "token:2", now, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_ANALYST, "token:2", now, &retry, &rate), 1);
    assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_ANALYST, "token:2", now, &retry, &rate), 0);
    /* Many clients: the table stays bounded and a new client always starts full. */
    char key[32];
    for (int i = 0; i < 3 * HS_RATELIMIT_SLOTS; i++) {
        snprintf(key, sizeof key, "addr:10.%d", i);
        assert_int_equal(hs_ratelimit_take(rl, HS_ROLE_PUBLIC, key, now + 1, &retry, &rate), 1);
    }
    hs_buf o;
    hs_buf_init(&o, 1 << 16);
    hs_ratelimit_metrics_write(rl, &o, &err);
    hs_buf_append(&o, "", 1, &err);
    assert_non_null(strstr((const char *)o.data, "hotspot_rate_limited_total{role=\"public\"} 2"));
    hs_buf_free(&o);
    hs_ratelimit_destroy(rl);
    double bad[4] = {-1, 0, 0, 0};
    assert_int_equal(hs_ratelimit_create(bad, &rl, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "rate-public"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded_queue),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_client_gone),
        cmocka_unit_test(test_destroy_answers_all),
        cmocka_unit_test(test_ratelimit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
