/* hs_table + hs_export: every format carries the synthetic notice and the variable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_export.h"

/* A unit square as WKB MultiPolygon (little endian). */
static const unsigned char square_wkb[] = {
    1, 6, 0, 0, 0, 1, 0, 0, 0, 1, 3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 240, 63,
    0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 240, 63,
    0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static hs_table *sample(void)
{
    const char *cols[] = {"unit_code:s", "unit_name:s", "count:i", "gi_z:r"};
    hs_table *t = NULL;
    hs_err err = {0};
    assert_int_equal(hs_table_new(cols, 4, &t, &err), 0);
    int r = hs_table_add_row(t, &err);
    hs_table_set_str(t, r, 0, "VN01-0001", &err);
    hs_table_set_str(t, r, 1, "Xã \"Bản\", Lũng", &err);
    hs_table_set_int(t, r, 2, 7);
    hs_table_set_real(t, r, 3, 2.5);
    assert_int_equal(hs_table_set_wkb(t, r, square_wkb, sizeof square_wkb, &err), 0);
    r = hs_table_add_row(t, &err);
    hs_table_set_str(t, r, 0, "VN01-0002", &err);
    hs_table_set_real(t, r, 3, NAN); /* isolated unit: no statistic */
    t->synthetic = 1;
    snprintf(t->variable, sizeof t->variable, "eb_rate");
    snprintf(t->title, sizeof t->title, "test");
    return t;
}

/* hs_export_g10 must give printf's "%.10g" bytes for every double: random bit patterns
 * (all exponents), values in the ranges the tables hold, ties and their neighbours,
 * powers of ten and the edges of %g's fixed/exponent switch. */
static void g10_check(double v)
{
    char want[64], got[32];
    snprintf(want, sizeof want, "%.10g", v);
    size_t n = hs_export_g10(v, got);
    if (n != strlen(want) || memcmp(got, want, n))
        fail_msg("%a: printf %s, hs_export_g10 %.*s", v, want, (int)n, got);
}

static void test_g10_matches_printf(void **state)
{
    (void)state;
    uint64_t x = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        uint64_t bits = x;
        memcpy(&v, &bits, sizeof v);
        g10_check(v);                                              /* any bit pattern */
        g10_check((double)(x >> 11) * 0x1.0p-53 * 200 - 100);       /* z scores, rates */
        g10_check((double)(x >> 11) * 0x1.0p-53);                   /* p-values */
        g10_check(ldexp((double)(x >> 11) * 0x1.0p-53, (int)(x % 120) - 60));
        double t = (double)(x % 100000000000ull) + 0.5;            /* 11-digit ties */
        g10_check(t);
        g10_check(nextafter(t, 0));
        g10_check(nextafter(t, 1e300));
        g10_check((double)(x % 10000000000ull) / 1e13);           /* short decimals */
    }
    for (int e = -20; e <= 40; e++) {
        double p = pow(10, e);
        g10_check(p);
        g10_check(-p);
        g10_check(nextafter(p, 0));
        g10_check(nextafter(p, 1e300));
        g10_check(p * 9.9999999995);
        g10_check(p * 9.99999999949);
        g10_check(p * 1.23456789012345);
    }
    const double edge[] = {0.0, -0.0, 0.0001, 0.00009999999999, 9999999999.5, 9999999999.4,
                           1e10, 123456789.05, 0.5, -2.5, 1e-300, 4.9e-324, 1.7e308, NAN,
                           INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++)
        g10_check(edge[i]);
}

static void test_csv_quotes_and_notice(void **state)
{
    (void)state;
    hs_table *t = sample();
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_err err = {0};
    assert_int_equal(hs_export_csv(t, &b, &err), 0);
    hs_buf_terminate(&b, &err);
    const char *s = (const char *)b.data;
    assert_non_null(strstr(s, "unit_code,unit_name,count,gi_z,variable,p_basis,data_note\r\n"));
    assert_non_null(strstr(s, "\"Xã \"\"Bản\"\", Lũng\",7,2.5,eb_rate,raw," HS_SYNTHETIC_NOTICE));
    assert_non_null(strstr(s, "VN01-0002,,,,eb_rate")); /* NaN and NULL are empty */
    hs_buf_free(&b);
    hs_table_free(t);
}

static void test_json_meta(void **state)
{
    (void)state;
    hs_table *t = sample();
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_err err = {0};
    assert_int_equal(hs_export_json(t, &b, &err), 0);
    json_t *root = json_loadb((const char *)b.data, b.len, 0, NULL);
    assert_non_null(root);
    json_t *meta = json_object_get(root, "meta");
    assert_true(json_is_true(json_object_get(meta, "synthetic")));
    assert_string_equal(json_string_value(json_object_get(meta, "notice")), HS_SYNTHETIC_NOTICE);
    json_t *rows = json_object_get(root, "rows");
    assert_int_equal(json_array_size(rows), 2);
    assert_true(json_is_null(json_object_get(json_array_get(rows, 1), "gi_z")));
    json_decref(root);
    hs_buf_free(&b);
    hs_table_free(t);
}

static void test_geojson_and_gpkg(void **state)
{
    (void)state;
    hs_export_init();
    hs_table *t = sample();
    hs_err err = {0};
    hs_buf b;
    hs_buf_init(&b, 0);
    assert_int_equal(hs_export_geojson(t, &b, &err), 0);
    json_t *root = json_loadb((const char *)b.data, b.len, 0, NULL);
    assert_non_null(root);
    json_t *f0 = json_array_get(json_object_get(root, "features"), 0);
    json_t *geom = json_object_get(f0, "geometry");
    assert_string_equal(json_string_value(json_object_get(geom, "type")), "MultiPolygon");
    json_t *props = json_object_get(f0, "properties");
    assert_string_equal(json_string_value(json_object_get(props, "data_note")),
                        HS_SYNTHETIC_NOTICE);
    json_decref(root);
    hs_buf_free(&b);
    assert_int_equal(hs_export_gpkg(t, &b, &err), 0);
    assert_true(b.len > 1000);
    assert_memory_equal(b.data, "SQLite format 3", 15);
    hs_buf_free(&b);
    hs_table_free(t);
}

static void test_format_lookup(void **state)
{
    (void)state;
    const hs_export_format *f;
    hs_err err = {0};
    assert_int_equal(hs_export_find("gpkg", "--format", &f, &err), 0);
    assert_true(f->needs_geometry);
    assert_int_equal(hs_export_find("xls", "--format", &f, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "--format 'xls' is not a format; use csv, json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_g10_matches_printf),
        cmocka_unit_test(test_csv_quotes_and_notice),
        cmocka_unit_test(test_json_meta),
        cmocka_unit_test(test_geojson_and_gpkg),
        cmocka_unit_test(test_format_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
