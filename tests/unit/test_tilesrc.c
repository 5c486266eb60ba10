/* hs_tilesrc: the detail scope of a tile request (hs_tile_req_scope): which provinces
 * keep commune detail, and that the scope is part of the cache key, so two scopes
 * never share a source, metatile or tile. (Rendering of scoped tiles is checked on
 * real PNGs by tests/integration/test_analyst_tiles.sh.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_period.h"
#include "hs_tilesrc.h"

static hs_arena *A;

static int setup(void **state)
{
    (void)state;
    A = hs_arena_create(0);
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hs_arena_destroy(A);
    return 0;
}

static void req(const char *layer, const char *qs, hs_tile_req *r)
{
    hs_err err = {0};
    hs_query *q = NULL;
    int l;
    assert_int_equal(hs_tile_layer_parse(layer, &l, &err), 0);
    assert_int_equal(hs_query_parse(A, qs, strlen(qs), &q, &err), 0);
    int rc = hs_tile_req_parse(q, l, NULL, HS_PERIOD(2026, 10), r, &err);
    if (rc)
        fail_msg("%s?%s: %s", layer, qs, err.msg);
}

static void test_national_scope(void **state)
{
    (void)state;
    hs_tile_req r, plain;
    hs_err err = {0};
    req("gistar", "", &plain);
    req("gistar", "", &r);
    const char *codes[] = {"VN13", "VN11", "VN13"};
    assert_int_equal(hs_tile_req_scope(&r, codes, 3, &err), 0);
    /* sorted, without the duplicate */
    assert_int_equal(r.ndetail, 2);
    assert_string_equal(r.detail[0], "VN11");
    assert_string_equal(r.detail[1], "VN13");
    assert_string_not_equal(r.key, plain.key);
    assert_non_null(strstr(r.key, "/scope=VN11,VN13"));
    /* the order of the token's provinces does not matter */
    hs_tile_req r2;
    req("gistar", "", &r2);
    const char *swapped[] = {"VN11", "VN13"};
    assert_int_equal(hs_tile_req_scope(&r2, swapped, 2, &err), 0);
    assert_string_equal(r.key, r2.key);
}

static void test_province_scope(void **state)
{
    (void)state;
    hs_tile_req a, b;
    hs_err err = {0};
    const char *codes[] = {"VN11", "VN13"};
    req("rate", "province=VN11", &a);
    assert_int_equal(hs_tile_req_scope(&a, codes, 2, &err), 0);
    assert_int_equal(a.ndetail, 1); /* only the province asked for */
    assert_string_equal(a.detail[0], "VN11");
    /* analysts of other provinces asking the same URL get another key */
    const char *other[] = {"VN12"};
    req("rate", "", &b);
    assert_int_equal(hs_tile_req_scope(&b, other, 1, &err), 0);
    hs_tile_req c;
    req("rate", "", &c);
    const char *mine[] = {"VN11"};
    assert_int_equal(hs_tile_req_scope(&c, mine, 1, &err), 0);
    assert_string_not_equal(b.key, c.key);
    /* a province outside the scope is refused (access control already said 403) */
    req("rate", "province=VN12", &a);
    assert_int_equal(hs_tile_req_scope(&a, codes, 2, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "VN12"));
}

static void test_unscoped_cases(void **state)
{
    (void)state;
    hs_tile_req r, plain;
    hs_err err = {0};
    const char *codes[] = {"VN11"};
    /* level=province shows no commune: nothing to limit, same key as everyone's */
    req("gistar", "level=province", &plain);
    req("gistar", "level=province", &r);
    assert_int_equal(hs_tile_req_scope(&r, codes, 1, &err), 0);
    assert_int_equal(r.ndetail, 0);
    assert_string_equal(r.key, plain.key);
    /* the base layer shows no data */
    req("base", "", &r);
    assert_int_equal(hs_tile_req_scope(&r, codes, 1, &err), 0);
    assert_int_equal(r.ndetail, 0);
    /* bad scopes */
    req("gistar", "", &r);
    assert_int_equal(hs_tile_req_scope(&r, codes, 0, &err), HS_EINVAL);
    const char *bad[] = {"VN'11"};
    assert_int_equal(hs_tile_req_scope(&r, bad, 1, &err), HS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_national_scope),
        cmocka_unit_test(test_province_scope),
        cmocka_unit_test(test_unscoped_cases),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
