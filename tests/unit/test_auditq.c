/* hs_auditq: rows and their strings come out as they went in (cut at the audit's
 * lengths), in order; the queue is bounded and counts what it drops; a written
 * batch's memory is reused, a failed one goes back in front of newer rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_auditq.h"

static void push(hs_auditq *q, int i, const char *route, const char *params)
{
    hs_audit_row r = {.at = 1700000000.25 + i, .token_id = 40 + i, .role = HS_ROLE_PLANNER,
                      .route = route, .params = params, .provinces = i % 2 ? "VN13" : NULL,
                      .status = 200 + i, .bytes = (size_t)(1000 * i), .duration_ms = 0.5 * i};
    hs_auditq_push(q, &r);
}

static void expect_row(const hs_auditq_batch *b, size_t i, int id, const char *route,
                       const char *params)
{
    size_t len;
    assert_int_equal(b->rec[i].token_id, 40 + id);
    assert_int_equal(b->rec[i].status, 200 + id);
    assert_true(b->rec[i].at == 1700000000.25 + id);
    assert_string_equal(hs_auditq_str(b, i, 0, &len), route);
    assert_int_equal(len, strlen(route));
    assert_string_equal(hs_auditq_str(b, i, 1, &len), params);
    assert_string_equal(hs_auditq_str(b, i, 2, &len), id % 2 ? "VN13" : "");
}

static void test_rows_round_trip(void **state)
{
    (void)state;
    hs_auditq q;
    assert_int_equal(hs_auditq_init(&q, 1000), 0);
    char longp[900];
    memset(longp, 'p', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    push(&q, 0, "/tiles/{layer}/{z}/{x}/{y}.png", "level=commune");
    push(&q, 1, NULL, NULL);
    push(&q, 2, "/api/units", longp);
    hs_auditq_batch b;
    assert_int_equal(hs_auditq_take(&q, &b), 0);
    assert_int_equal(b.n, 3);
    expect_row(&b, 0, 0, "/tiles/{layer}/{z}/{x}/{y}.png", "level=commune");
    expect_row(&b, 1, 1, "-", "");
    size_t len;
    hs_auditq_str(&b, 2, 1, &len);
    assert_int_equal(len, HS_AUDITQ_PARAMS_MAX); /* cut, as the audit always kept */
    hs_auditq_done(&q, &b);
    hs_auditq_take(&q, &b);
    assert_int_equal(b.n, 0);
    hs_auditq_done(&q, &b);
    hs_auditq_destroy(&q);
}

/* The raw query string reaches the audit unchecked: rows must still be text the
 * database takes, or one request would block every later write of the audit. */
static void test_strings_made_utf8(void **state)
{
    (void)state;
    hs_auditq q;
    assert_int_equal(hs_auditq_init(&q, 10), 0);
    push(&q, 0, "/api/units", "a=\xC3%A9&b=\xff&c=\xc3\xa9");
    char cut[HS_AUDITQ_PARAMS_MAX + 8];
    memset(cut, 'p', HS_AUDITQ_PARAMS_MAX - 1);
    memcpy(cut + HS_AUDITQ_PARAMS_MAX - 1, "\xc3\xa9", 3); /* an e-acute across the cut */
    push(&q, 1, "/api/units", cut);
    hs_auditq_batch b;
    hs_auditq_take(&q, &b);
    size_t len;
    assert_string_equal(hs_auditq_str(&b, 0, 1, &len), "a=?%A9&b=?&c=\xc3\xa9");
    const char *p = hs_auditq_str(&b, 1, 1, &len);
    assert_int_equal(len, HS_AUDITQ_PARAMS_MAX - 1); /* the split sequence is left out */
    assert_int_equal(p[len - 1], 'p');
    hs_auditq_done(&q, &b);
    hs_auditq_destroy(&q);
}

static void test_bounded_and_counted(void **state)
{
    (void)state;
    hs_auditq q;
    assert_int_equal(hs_auditq_init(&q, 5), 0);
    for (int i = 0; i < 8; i++)
        push(&q, i, "/r", "a=1");
    hs_auditq_batch b;
    assert_int_equal(hs_auditq_take(&q, &b), 3); /* 8 pushed, 5 kept */
    assert_int_equal(b.n, 5);
    hs_auditq_done(&q, &b);
    hs_auditq_take(&q, &b);
    assert_int_equal(b.n, 0);
    hs_auditq_done(&q, &b);
    hs_auditq_destroy(&q);
}

/* The steady state of a busy server: each written batch's memory comes back as the
 * next queue, so no round reallocates. */
static void test_memory_reused(void **state)
{
    (void)state;
    hs_auditq q;
    assert_int_equal(hs_auditq_init(&q, 100000), 0);
    hs_auditq_rec *seen[2] = {NULL, NULL};
    for (int round = 0; round < 6; round++) {
        for (int i = 0; i < 3000; i++)
            push(&q, i, "/tiles/{layer}/{z}/{x}/{y}.png", "x=1");
        hs_auditq_batch b;
        hs_auditq_take(&q, &b);
        assert_int_equal(b.n, 3000);
        expect_row(&b, 2999, 2999, "/tiles/{layer}/{z}/{x}/{y}.png", "x=1");
        if (round >= 2)
            assert_ptr_equal(b.rec, seen[round % 2]); /* the same two buffers, alternating */
        seen[round % 2] = b.rec;
        hs_auditq_done(&q, &b);
    }
    hs_auditq_destroy(&q);
}

static void test_requeue_in_front(void **state)
{
    (void)state;
    hs_auditq q;
    assert_int_equal(hs_auditq_init(&q, 6), 0);
    for (int i = 0; i < 4; i++)
        push(&q, i, "/old", "o=1");
    hs_auditq_batch b;
    hs_auditq_take(&q, &b);
    for (int i = 10; i < 13; i++) /* queued while the write failed */
        push(&q, i, "/new", "n=1");
    hs_auditq_requeue(&q, &b); /* 4 old + 3 new > 6: one old row dropped */
    hs_auditq_batch c;
    assert_int_equal(hs_auditq_take(&q, &c), 1);
    assert_int_equal(c.n, 6);
    for (int i = 0; i < 3; i++)
        expect_row(&c, (size_t)i, i, "/old", "o=1");
    for (int i = 0; i < 3; i++)
        expect_row(&c, (size_t)(3 + i), 10 + i, "/new", "n=1");
    hs_auditq_done(&q, &c);
    hs_auditq_destroy(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_round_trip),
        cmocka_unit_test(test_strings_made_utf8),
        cmocka_unit_test(test_bounded_and_counted),
        cmocka_unit_test(test_memory_reused),
        cmocka_unit_test(test_requeue_in_front),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
