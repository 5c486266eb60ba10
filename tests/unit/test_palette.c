#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hs_palette.h"

/* Spot values from the ColorBrewer specification. */
static void test_known_colours(void **state)
{
    (void)state;
    hs_rgba c[9];
    assert_int_equal(hs_palette_get("YlOrRd", 9, c, NULL), 0);
    assert_int_equal(c[0].r, 255), assert_int_equal(c[0].g, 255), assert_int_equal(c[0].b, 204);
    assert_int_equal(c[8].r, 128), assert_int_equal(c[8].g, 0), assert_int_equal(c[8].b, 38);
    assert_int_equal(hs_palette_get("rdbu", 5, c, NULL), 0);
    assert_int_equal(c[0].r, 202), assert_int_equal(c[0].g, 0), assert_int_equal(c[0].b, 32);
    assert_int_equal(c[2].r, 247), assert_int_equal(c[2].g, 247), assert_int_equal(c[2].b, 247);
    assert_int_equal(c[4].r, 5), assert_int_equal(c[4].g, 113), assert_int_equal(c[4].b, 176);
    assert_int_equal(hs_palette_get("PuBu", 3, c, NULL), 0);
    assert_int_equal(c[2].r, 43), assert_int_equal(c[2].g, 140), assert_int_equal(c[2].b, 190);
    assert_int_equal(c[0].a, 255);
}

/* Every table entry parses, and sequential ramps get darker monotonically. */
static void test_all_tables(void **state)
{
    (void)state;
    assert_true(hs_palette_count() >= 10);
    for (int p = 0; p < hs_palette_count(); p++) {
        for (int k = 3; k <= 9; k++) {
            hs_rgba c[9];
            hs_err err = {0};
            assert_int_equal(hs_palette_get(hs_palette_name(p), k, c, &err), 0);
            if (hs_palette_kind_of(p) != HS_PAL_SEQUENTIAL)
                continue;
            for (int i = 1; i < k; i++) {
                int l0 = 299 * c[i - 1].r + 587 * c[i - 1].g + 114 * c[i - 1].b;
                int l1 = 299 * c[i].r + 587 * c[i].g + 114 * c[i].b;
                assert_true(l1 < l0);
            }
        }
    }
}

static void test_errors(void **state)
{
    (void)state;
    hs_rgba c[12];
    hs_err err = {0};
    assert_int_equal(hs_palette_get("YlOrRd", 10, c, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "3..9"));
    assert_int_equal(hs_palette_get("Viridis", 5, c, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "YlOrRd"));
}

static void test_hatch(void **state)
{
    (void)state;
    cairo_pattern_t *p = hs_palette_hatch_pattern(hs_rgb(0xffffff), hs_rgb(0x000000), 6, 1);
    assert_non_null(p);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 64, 64);
    cairo_t *cr = cairo_create(s);
    cairo_set_source(cr, p);
    cairo_paint(cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    /* both background and line pixels occur */
    const unsigned char *d = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s), white = 0, dark = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            uint32_t v = *(const uint32_t *)(d + y * stride + 4 * x);
            white += (v & 0xff) == 0xff;
            dark += (v & 0xff) < 0x40;
        }
    assert_true(white > 64 * 64 / 3);
    assert_true(dark > 64);
    cairo_surface_destroy(s);
    cairo_pattern_destroy(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_colours),
        cmocka_unit_test(test_all_tables),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hatch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
