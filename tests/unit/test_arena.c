#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hs_arena.h"

static void test_alloc_aligned_and_distinct(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(1 << 20);
    assert_non_null(a);
    char *p = hs_arena_alloc(a, 3, NULL);
    char *q = hs_arena_alloc(a, 5, NULL);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t)p % 16, 0);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_true(q >= p + 3);
    assert_int_equal(hs_arena_used(a), 32);
    hs_arena_destroy(a);
}

static void test_grows_across_blocks(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(1 << 20);
    char *ptrs[200];
    for (int i = 0; i < 200; i++) {
        ptrs[i] = hs_arena_alloc(a, 100, NULL);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], i, 100);
    }
    for (int i = 0; i < 200; i++)
        assert_int_equal((unsigned char)ptrs[i][99], (unsigned char)i);
    /* A large allocation gets a block of its own. */
    char *big = hs_arena_alloc(a, 100000, NULL);
    assert_non_null(big);
    memset(big, 1, 100000);
    hs_arena_destroy(a);
}

static void test_cap_enforced(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(4096);
    hs_err err = {0};
    assert_non_null(hs_arena_alloc(a, 4000, &err));
    assert_null(hs_arena_alloc(a, 200, &err));
    assert_int_equal(err.code, HS_ELIMIT);
    assert_non_null(strstr(err.msg, "4096"));
    hs_err_clear(&err);
    assert_null(hs_arena_alloc(a, SIZE_MAX, &err));
    assert_int_equal(err.code, HS_ELIMIT);
    hs_err_clear(&err);
    assert_null(hs_arena_calloc(a, SIZE_MAX / 2, 4, &err));
    assert_int_equal(err.code, HS_ELIMIT);
    /* Reset makes the whole cap available again. */
    hs_arena_reset(a);
    assert_int_equal(hs_arena_used(a), 0);
    assert_non_null(hs_arena_alloc(a, 4000, NULL));
    hs_arena_destroy(a);
}

static void test_strings(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(0);
    char *s = hs_arena_strndup(a, "hello world", 5, NULL);
    assert_string_equal(s, "hello");
    assert_string_equal(hs_arena_strdup(a, "Quảng Ninh", NULL), "Quảng Ninh");
    assert_string_equal(hs_arena_printf(a, NULL, "%d/%s", 7, "x"), "7/x");
    char *z = hs_arena_calloc(a, 10, 4, NULL);
    for (int i = 0; i < 40; i++)
        assert_int_equal(z[i], 0);
    assert_non_null(hs_arena_alloc(a, 0, NULL));
    hs_arena_destroy(a);
}

static void test_reset_reuses(void **state)
{
    (void)state;
    hs_arena *a = hs_arena_create(1 << 20);
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 100; i++)
            assert_non_null(hs_arena_alloc(a, 1000, NULL));
        hs_arena_reset(a);
    }
    hs_arena_destroy(a);
    hs_arena_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_aligned_and_distinct),
        cmocka_unit_test(test_grows_across_blocks),
        cmocka_unit_test(test_cap_enforced),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_reset_reuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
