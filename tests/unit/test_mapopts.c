/* hs_mapopts: map options shared by `hotspot render` and GET /maps/...: defaults,
 * pages, classes, errors naming the option, canonical keys and file names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_mapopts.h"
#include "hs_period.h"

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

/* Parses s as a query, then hs_params (HS_P_MAP) and hs_mapopts. */
static int parse(const char *s, hs_params *p, hs_map_opts *o, hs_err *err)
{
    hs_query *q = NULL;
    int rc = hs_query_parse(A, s, strlen(s), &q, err);
    if (rc == HS_OK)
        rc = hs_params_parse(q, HS_P_MAP, HS_PERIOD(2026, 10), p, err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(q, p, 0, HS_MAP_GISTAR, o, err);
    return rc;
}

static void test_defaults(void **state)
{
    (void)state;
    hs_params p;
    hs_map_opts o;
    hs_err err = {0};
    assert_int_equal(parse("", &p, &o, &err), 0);
    assert_int_equal(o.type, HS_MAP_GISTAR);
    assert_int_equal(o.extent, HS_EXTENT_NATIONAL);
    assert_int_equal(o.format, HS_FORMAT_PNG);
    assert_true(o.page.width == 1200 && o.page.height == 1600 && o.page.scale == 1);
    assert_string_equal(o.crs, "national");
    assert_int_equal(o.public_mode, 0);
    assert_int_equal(p.from, HS_PERIOD(2025, 11));
    char name[128];
    hs_map_filename(&p, &o, name, sizeof name);
    assert_string_equal(name, "gistar_cases_2025-11_2026-10.png");
}

static void test_pages_and_classes(void **state)
{
    (void)state;
    hs_params p;
    hs_map_opts o;
    hs_err err = {0};
    assert_int_equal(parse("map=rate&paper=a4-portrait&dpi=300&format=pdf&classes=fixed:1,2.5,5"
                           "&province=VN17&public=yes",
                           &p, &o, &err),
                     0);
    assert_int_equal(o.type, HS_MAP_RATE);
    assert_int_equal(o.format, HS_FORMAT_PDF);
    assert_int_equal(o.extent, HS_EXTENT_PROVINCE);
    assert_true(o.page.scale > 3.12 && o.page.scale < 3.13);
    assert_int_equal(o.method, HS_CLASSIFY_FIXED);
    assert_int_equal(o.nfixed, 3);
    assert_true(o.fixed[1] == 2.5);
    assert_int_equal(o.public_mode, 1);
    assert_int_equal(parse("map=risk&size=800x600&scale=2&classes=quantile&k=7&bbox=104,18,106,20",
                           &p, &o, &err),
                     0);
    assert_int_equal(o.extent, HS_EXTENT_BBOX);
    assert_true(o.page.width == 800 && o.page.scale == 2);
    assert_int_equal(o.k, 7);
}

static void expect_bad(const char *q, const char *param, const char *text)
{
    hs_params p;
    hs_map_opts o;
    hs_err err = {0};
    assert_true(parse(q, &p, &o, &err) < 0);
    if (param)
        assert_string_equal(o.error_param, param);
    if (!strstr(err.msg, text))
        fail_msg("'%s': message '%s' lacks '%s'", q, err.msg, text);
}

static void test_errors(void **state)
{
    (void)state;
    expect_bad("size=abc", "size", "WIDTHxHEIGHT");
    expect_bad("size=20000x20000", "size", "exceeds the cap");
    expect_bad("size=800x600&paper=a4-portrait", "size", "exclude each other");
    expect_bad("dpi=100&scale=2", "dpi", "exclude each other");
    expect_bad("map=lisa&classes=jenks", "classes", "numeric maps");
    expect_bad("map=gistar&k=5", "k", "numeric maps");
    expect_bad("map=rate&classes=fixed:5,2", "classes", "increase strictly");
    expect_bad("map=rate&classes=fixed:1,2&k=4", "k", "fixed classes");
    expect_bad("map=rate&classes=natural", "classes", "quantile, equal");
    expect_bad("map=rate&k=12", "k", "k");
    expect_bad("map=heat", "map", "gistar");
    expect_bad("bbox=104,18,106,20&province=VN17", "bbox", "exclude each other");
    expect_bad("format=csv", NULL, "png");
}

static void test_keys(void **state)
{
    (void)state;
    hs_params p;
    hs_map_opts o;
    hs_err err = {0};
    char a[4096], b[4096], c[4096];
    assert_int_equal(parse("map=rate&size=800x600", &p, &o, &err), 0);
    assert_true(hs_map_key(&p, &o, a, sizeof a, &err) > 0);
    assert_int_equal(parse("size=800x600&map=rate&public=false", &p, &o, &err), 0);
    assert_true(hs_map_key(&p, &o, b, sizeof b, &err) > 0);
    assert_string_equal(a, b); /* defaults filled in, order irrelevant */
    assert_int_equal(parse("map=rate&size=800x600&public=1", &p, &o, &err), 0);
    assert_true(hs_map_key(&p, &o, c, sizeof c, &err) > 0);
    assert_string_not_equal(a, c);
    assert_true(hs_map_key(&p, &o, c, 16, &err) < 0);
    /* Permutations only matter to lisa and scan. */
    assert_int_equal(parse("map=gistar", &p, &o, &err), 0);
    hs_map_params_normalise(&p, &o);
    assert_int_equal(p.permutations, 0);
    assert_int_equal(parse("map=lisa", &p, &o, &err), 0);
    hs_map_params_normalise(&p, &o);
    assert_int_equal(p.permutations, 999);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_pages_and_classes),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
