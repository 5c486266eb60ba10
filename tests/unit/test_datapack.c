/* server/data/hs_datapack: the analysis cache's payloads without the database. A unit
 * set and a series come back bit-identical; a payload cut short, grown, of the other
 * kind or shape, or with a bad index or unsorted codes is a miss (NULL), never a crash.
 * The table side (versions, stale rows, read-only connections) is
 * tests/integration/test_analysis_cache.sh. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_datapack.h"

static hs_unitset *three_units(void)
{
    hs_unitset *u = NULL;
    hs_err e = {0};
    assert_int_equal(hs_unitset_alloc(3, &u, &e), HS_OK);
    const char *code[3] = {"VN01-0001", "VN01-0002", "VN02-0001"};
    const char *name[3] = {"Xã Thuận Thịnh", "Xã Tiên Lộc", "Phường Hà Giang"};
    for (int i = 0; i < 3; i++, u->n++) {
        u->code[i] = strdup(code[i]);
        u->name[i] = strdup(name[i]);
        u->parent_code[i] = strdup(i < 2 ? "VN01" : "VN02");
        u->parent_name[i] = strdup(i < 2 ? "An Giang" : "Hà Giang");
        u->border_country[i] = strdup(i ? "" : "Cambodia");
        u->population[i] = 30000 + i;
        u->x_m[i] = -1e5 * i, u->y_m[i] = 2e5 + i, u->lon[i] = 105 + i, u->lat[i] = 10.5 + i;
        u->border_km[i] = i == 2 ? NAN : 54.98 * i;
        u->key_commune[i] = i == 1;
        u->border_province[i] = i < 2;
    }
    u->level = HS_LEVEL_COMMUNE;
    u->adj_a = malloc(2 * sizeof *u->adj_a);
    u->adj_b = malloc(2 * sizeof *u->adj_b);
    assert_non_null(u->adj_a);
    assert_non_null(u->adj_b);
    u->adj_a[0] = 0, u->adj_b[0] = 1, u->adj_a[1] = 1, u->adj_b[1] = 2;
    u->nadj = 2;
    return u;
}

static void same_doubles(const double *a, const double *b, int n)
{
    assert_memory_equal(a, b, (size_t)n * sizeof *a); /* bit-identical, NAN included */
}

static void test_units_round_trip(void **state)
{
    (void)state;
    hs_unitset *u = three_units();
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_datapack_units(u, &b);
    assert_false(b.failed);
    hs_unitset *v = hs_datapack_units_read(b.data, b.len, HS_LEVEL_COMMUNE);
    assert_non_null(v);
    assert_int_equal(v->n, 3);
    assert_int_equal(v->level, HS_LEVEL_COMMUNE);
    assert_non_null(v->strings); /* one block, no allocation per unit */
    for (int i = 0; i < 3; i++) {
        assert_string_equal(v->code[i], u->code[i]);
        assert_string_equal(v->name[i], u->name[i]);
        assert_string_equal(v->parent_code[i], u->parent_code[i]);
        assert_string_equal(v->parent_name[i], u->parent_name[i]);
        assert_string_equal(v->border_country[i], u->border_country[i]);
    }
    same_doubles(v->population, u->population, 3);
    same_doubles(v->x_m, u->x_m, 3);
    same_doubles(v->y_m, u->y_m, 3);
    same_doubles(v->lon, u->lon, 3);
    same_doubles(v->lat, u->lat, 3);
    same_doubles(v->border_km, u->border_km, 3);
    assert_memory_equal(v->key_commune, u->key_commune, 3);
    assert_memory_equal(v->border_province, u->border_province, 3);
    assert_int_equal(v->nadj, 2);
    assert_memory_equal(v->adj_a, u->adj_a, 2 * sizeof *u->adj_a);
    assert_memory_equal(v->adj_b, u->adj_b, 2 * sizeof *u->adj_b);
    assert_int_equal(hs_unitset_find(v, "VN01-0002"), 1);
    hs_unitset_free(v);
    hs_buf_free(&b);
    hs_unitset_free(u);
}

static void test_units_refused(void **state)
{
    (void)state;
    hs_unitset *u = three_units();
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_datapack_units(u, &b);
    unsigned char *p = malloc(b.len + 1);
    assert_non_null(p);
    memcpy(p, b.data, b.len);
    /* Another level, every length short of the whole, one byte more. */
    assert_null(hs_datapack_units_read(p, b.len, HS_LEVEL_PROVINCE));
    for (size_t n = 0; n < b.len; n++)
        assert_null(hs_datapack_units_read(p, n, HS_LEVEL_COMMUNE));
    p[b.len] = 0;
    assert_null(hs_datapack_units_read(p, b.len + 1, HS_LEVEL_COMMUNE));
    /* Every single byte flipped: a miss or a valid set, never a crash (ASan). A flip in
     * the magic, an adjacency index or a code's order is a miss. */
    for (size_t k = 0; k < b.len; k++) {
        p[k] ^= 0xff;
        hs_unitset_free(hs_datapack_units_read(p, b.len, HS_LEVEL_COMMUNE));
        p[k] ^= 0xff;
    }
    p[0] ^= 1;
    assert_null(hs_datapack_units_read(p, b.len, HS_LEVEL_COMMUNE));
    p[0] ^= 1;
    u->adj_b[1] = 3; /* no unit 3 */
    hs_buf_free(&b);
    hs_buf_init(&b, 0);
    hs_datapack_units(u, &b);
    assert_null(hs_datapack_units_read(b.data, b.len, HS_LEVEL_COMMUNE));
    u->adj_b[1] = 2;
    u->code[2][0] = 'A'; /* "AN02-0001" sorts first: hs_unitset_find would miss */
    hs_buf_free(&b);
    hs_buf_init(&b, 0);
    hs_datapack_units(u, &b);
    assert_null(hs_datapack_units_read(b.data, b.len, HS_LEVEL_COMMUNE));
    /* A series payload is not a unit set. */
    hs_series s = {.n = 3, .T = 1, .from = 24300, .v = (double[]){1, 2, 3}, .total = 6};
    hs_buf_free(&b);
    hs_buf_init(&b, 0);
    hs_datapack_series(&s, &b);
    assert_null(hs_datapack_units_read(b.data, b.len, HS_LEVEL_COMMUNE));
    free(p);
    hs_buf_free(&b);
    hs_unitset_free(u);
}

static void test_series(void **state)
{
    (void)state;
    double v[6] = {0, 1.5, NAN, 3, -0.0, 1e-300}; /* -0 and NaN are stored too */
    hs_series s = {.n = 3, .T = 2, .from = 24300, .v = v, .total = 4.5};
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_datapack_series(&s, &b);
    hs_series *r = hs_datapack_series_read(b.data, b.len, 3, 2, 24300);
    assert_non_null(r);
    assert_int_equal(r->n, 3);
    assert_int_equal(r->T, 2);
    assert_int_equal(r->from, 24300);
    assert_true(r->total == 4.5);
    same_doubles(r->v, v, 6);
    hs_series_free(r);
    /* Another shape (units, months, first month), or cut short: a miss. */
    assert_null(hs_datapack_series_read(b.data, b.len, 2, 2, 24300));
    assert_null(hs_datapack_series_read(b.data, b.len, 3, 3, 24300));
    assert_null(hs_datapack_series_read(b.data, b.len, 3, 2, 24301));
    for (size_t n = 0; n < b.len; n++)
        assert_null(hs_datapack_series_read(b.data, n, 3, 2, 24300));
    /* Sparse layout: 5 stored cells of 6 (the +0 is left out); indexes out of order or
     * past the end are refused, not scattered. */
    size_t hdr = b.len - 5 * (sizeof(uint32_t) + sizeof(double));
    uint32_t idx[5];
    memcpy(idx, b.data + hdr, sizeof idx);
    assert_int_equal(idx[0], 1);
    assert_int_equal(idx[4], 5);
    uint32_t bad = 6;
    memcpy(b.data + hdr + 4 * sizeof bad, &bad, sizeof bad);
    assert_null(hs_datapack_series_read(b.data, b.len, 3, 2, 24300));
    bad = 2;
    memcpy(b.data + hdr + 4 * sizeof bad, &bad, sizeof bad);
    assert_null(hs_datapack_series_read(b.data, b.len, 3, 2, 24300));
    hs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_round_trip),
        cmocka_unit_test(test_units_refused),
        cmocka_unit_test(test_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
