/* hs_tilemath + hs_png: tile bounds, ranges, metatiles, slicing without seams, @2x. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cmocka.h>

#include "hs_png.h"
#include "hs_tilemath.h"

static void test_bounds(void **state)
{
    (void)state;
    hs_bbox b = hs_tile_bounds(0, 0, 0);
    assert_true(fabs(b.minx + HS_MERC_MAX) < 1e-6 && fabs(b.maxy - HS_MERC_MAX) < 1e-6);
    /* Hà Nội (105.8542, 21.0285) lies in tile 10/813/450 (the usual slippy-map formula). */
    double x, y;
    hs_merc_from_lonlat(105.8542, 21.0285, &x, &y);
    b = hs_tile_bounds(10, 813, 450);
    assert_true(x >= b.minx && x < b.maxx && y > b.miny && y <= b.maxy);
    int x0, y0, x1, y1;
    hs_bbox pt = {x, y, x, y};
    assert_int_equal(hs_tile_range(10, &pt, &x0, &y0, &x1, &y1), 1);
    assert_int_equal(x0, 813);
    assert_int_equal(y0, 450);
    /* Vietnam at z5: a handful of tiles. */
    hs_bbox vn = HS_VN_EXTENT_LONLAT;
    hs_bbox m = hs_merc_bbox_from_lonlat(&vn);
    assert_int_equal(hs_tile_range(5, &m, &x0, &y0, &x1, &y1), 1);
    assert_int_equal(x0, 25);
    assert_int_equal(x1, 26);
    assert_int_equal(y0, 13);
    assert_int_equal(y1, 15);
    double lon, lat;
    hs_merc_to_lonlat(x, y, &lon, &lat);
    assert_true(fabs(lon - 105.8542) < 1e-9 && fabs(lat - 21.0285) < 1e-9);
    assert_true(fabs(hs_tile_resolution(0, 256) - 156543.03392804097) < 1e-6);
    assert_true(fabs(hs_tile_resolution(3, 512) - hs_tile_resolution(4, 256)) < 1e-9);
    /* outside test */
    assert_int_equal(hs_tile_outside(10, 813, 450, 256, 0, &m), 0);
    assert_int_equal(hs_tile_outside(10, 0, 0, 256, 64, &m), 1);
}

static void test_check(void **state)
{
    (void)state;
    hs_err err = {0};
    assert_int_equal(hs_tile_check(22, (1 << 22) - 1, 0, &err), 0);
    assert_int_equal(hs_tile_check(23, 0, 0, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "0..22"));
    assert_int_equal(hs_tile_check(8, 256, 0, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "x=256"));
    assert_int_equal(hs_tile_check(8, 0, -1, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "y=-1"));
    hs_metatile mt;
    assert_int_equal(hs_metatile_for_tile(5, 1, 1, 8, 300, 0, &mt, &err), HS_EINVAL);
    assert_int_equal(hs_metatile_for_tile(5, 1, 1, 0, 256, 0, &mt, &err), HS_EINVAL);
    assert_int_equal(hs_metatile_for_tile(5, 1, 1, 8, 256, 9999, &mt, &err), HS_EINVAL);
    /* clipped at the zoom's edge */
    assert_int_equal(hs_metatile_for_tile(1, 1, 1, 8, 256, 16, &mt, &err), 0);
    assert_int_equal(mt.ntx, 2);
    assert_int_equal(mt.width, 2 * 256 + 32);
    assert_int_equal(hs_metatile_for_tile(4, 13, 6, 8, 512, 0, &mt, &err), 0);
    assert_int_equal(mt.x0, 8);
    assert_int_equal(mt.y0, 0);
    assert_int_equal(mt.ntx, 8);
    assert_int_equal(mt.width, 8 * 512);
}

/* Draws diagonal strokes and circles in EPSG:3857 coordinates over a metatile's raster:
 * the same world content wherever the raster is. */
static unsigned char *render_meta(const hs_metatile *m, int *stride)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, m->width, m->height);
    cairo_t *cr = cairo_create(s);
    double res = (m->extent.maxx - m->extent.minx) / m->width;
    cairo_scale(cr, 1.0 / res, -1.0 / res);
    cairo_translate(cr, -m->extent.minx, -m->extent.maxy);
    cairo_set_line_width(cr, 3 * res);
    hs_bbox world = hs_tile_bounds(m->z, 0, 0);
    double step = (world.maxx - world.minx) / 5.3;
    for (int i = -40; i < 40; i++) {
        cairo_set_source_rgba(cr, (i & 1) ? 0.8 : 0.1, 0.3, (i & 2) ? 0.9 : 0.2, 0.85);
        cairo_move_to(cr, -HS_MERC_MAX + i * step, -HS_MERC_MAX);
        cairo_line_to(cr, -HS_MERC_MAX + (i + 20) * step, HS_MERC_MAX);
        cairo_stroke(cr);
        cairo_arc(cr, -HS_MERC_MAX + i * step * 1.7, i * step * 0.3, step * 0.4, 0, 2 * M_PI);
        cairo_stroke(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(s);
    *stride = cairo_image_surface_get_stride(s);
    size_t n = (size_t)*stride * m->height;
    unsigned char *px = malloc(n);
    memcpy(px, cairo_image_surface_get_data(s), n);
    cairo_surface_destroy(s);
    return px;
}

static void tile_px(int z, int x, int y, int tile, int buffer, unsigned char *dst)
{
    hs_metatile m;
    hs_err err = {0};
    assert_int_equal(hs_metatile_for_tile(z, x, y, 4, tile, buffer, &m, &err), 0);
    int stride;
    unsigned char *px = render_meta(&m, &stride);
    assert_int_equal(hs_metatile_slice(&m, px, stride, x, y, dst, tile * 4, &err), 0);
    free(px);
}

/* Slices of one metatile tile the plane seamlessly, and a tile cut from a neighbouring
 * metatile (rendered separately, with a buffer) matches the same world pixels. */
static void check_seams(int tile)
{
    const int z = 6, buffer = 32;
    size_t n = (size_t)tile * tile * 4;
    unsigned char *a = malloc(n), *b = malloc(n), *big = NULL;
    /* Tiles (15,20) and (16,20) sit in different 4x4 metatiles (x 12..15 and 16..19). */
    tile_px(z, 15, 20, tile, buffer, a);
    tile_px(z, 16, 20, tile, buffer, b);
    /* Reference: one raster covering both tiles (a 2x1 "metatile" not on the grid). */
    hs_metatile m8;
    hs_err err = {0};
    assert_int_equal(hs_metatile_for_tile(z, 15, 20, 1, tile, buffer, &m8, &err), 0);
    m8.ntx = 2;
    m8.width += tile;
    m8.extent.maxx += hs_tile_resolution(z, tile) * tile;
    int stride;
    big = render_meta(&m8, &stride);
    unsigned char *ra = malloc(n), *rb = malloc(n);
    assert_int_equal(hs_metatile_slice(&m8, big, stride, 15, 20, ra, tile * 4, &err), 0);
    assert_int_equal(hs_metatile_slice(&m8, big, stride, 16, 20, rb, tile * 4, &err), 0);
    assert_memory_equal(a, ra, n);
    assert_memory_equal(b, rb, n);
    /* And the shared edge columns continue across: a's last column vs b's first column
     * differ only as the drawing does; check they were cut from adjacent raster columns. */
    for (int r = 0; r < tile; r++) {
        const unsigned char *row = big + (size_t)(m8.buffer_px + (20 - m8.y0) * tile + r) * stride;
        size_t xa = (size_t)(m8.buffer_px + (15 - m8.x0) * tile + tile - 1) * 4;
        assert_memory_equal(a + (size_t)r * tile * 4 + (size_t)(tile - 1) * 4, row + xa, 4);
        assert_memory_equal(b + (size_t)r * tile * 4, row + xa + 4, 4);
    }
    assert_int_equal(hs_metatile_slice(&m8, big, stride, 30, 20, ra, tile * 4, &err), HS_EINVAL);
    free(a); free(b); free(ra); free(rb); free(big);
}

static void test_slicing(void **state)
{
    (void)state;
    check_seams(HS_TILE_PX);
    check_seams(HS_TILE_PX_2X);
}

static void test_png(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_buf b;
    hs_buf_init(&b, 0);
    assert_int_equal(hs_png_empty(256, &b, &err), 0);
    assert_true(b.len > 50 && b.len < 2000);
    assert_memory_equal(b.data, "\x89PNG\r\n\x1a\n", 8);
    /* width and height in IHDR */
    assert_int_equal(b.data[16] << 24 | b.data[17] << 16 | b.data[18] << 8 | b.data[19], 256);
    hs_buf_free(&b);
    hs_buf_init(&b, 100); /* too small a cap fails cleanly */
    unsigned char *px = malloc(64 * 64 * 4);
    for (int i = 0; i < 64 * 64 * 4; i++)
        px[i] = (unsigned char)(i * 7919 % 251);
    assert_int_equal(hs_png_encode_argb(px, 64, 64, 256, &b, &err), HS_ELIMIT);
    assert_int_equal(b.len, 0);
    hs_buf_free(&b);
    hs_buf_init(&b, 0);
    assert_int_equal(hs_png_encode_argb(px, 64, 64, 255, &b, &err), HS_EINVAL);
    assert_int_equal(hs_png_encode_argb(px, 0, 64, 256, &b, &err), HS_ELIMIT);
    unsigned int v;
    memset(px, 0, 64 * 64 * 4);
    assert_int_equal(hs_argb_uniform(px, 64, 64, 256, &v), 1);
    assert_int_equal(v, 0);
    px[100] = 1;
    assert_int_equal(hs_argb_uniform(px, 64, 64, 256, &v), 0);
    free(px);
    hs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_slicing),
        cmocka_unit_test(test_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
