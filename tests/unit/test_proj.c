/* hs_proj: known coordinates, round trips, errors, per-context caching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_proj.h"
#include "hs_tilemath.h"

static void test_hanoi_3857(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_proj_ctx *c = hs_proj_ctx_new(&err);
    assert_non_null(c);
    double xy[2] = {105.8542, 21.0285};
    assert_int_equal(hs_proj_fwd(c, "EPSG:3857", xy, 1, &err), 0);
    /* x = R*lon*pi/180, y = R*ln(tan(pi/4 + lat/2)) with R = 6378137 */
    assert_true(fabs(xy[0] - 11783635.642) < 0.01);
    assert_true(fabs(xy[1] - 2395277.233) < 0.01);
    double ex, ey;
    hs_merc_from_lonlat(105.8542, 21.0285, &ex, &ey);
    assert_true(fabs(xy[0] - ex) < 1e-6 && fabs(xy[1] - ey) < 1e-6);
    assert_int_equal(hs_proj_inv(c, "3857", xy, 1, &err), 0); /* bare code, same CRS */
    assert_true(fabs(xy[0] - 105.8542) < 1e-9 && fabs(xy[1] - 21.0285) < 1e-9);
    hs_proj_ctx_free(c);
}

static void test_national_and_utm(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_proj_ctx *c = hs_proj_ctx_new(&err);
    /* UTM 48N: Hà Nội is near the zone's central meridian 105 E. */
    double xy[2] = {105.8542, 21.0285};
    assert_int_equal(hs_proj_fwd(c, "EPSG:32648", xy, 1, &err), 0);
    assert_true(xy[0] > 580000 && xy[0] < 590000);
    assert_true(xy[1] > 2320000 && xy[1] < 2330000);
    /* National LCC: scale error within 1% from 6.8 to 23.5 N, 102 to 117 E. */
    const double pts[][2] = {{102.1, 22.5}, {105.85, 21.03}, {106.7, 10.8}, {112.0, 16.5},
                             {114.3, 8.6}, {104.8, 8.6}, {117.0, 23.4}};
    for (size_t i = 0; i < sizeof pts / sizeof *pts; i++) {
        double p[2] = {pts[i][0], pts[i][1]};
        assert_int_equal(hs_proj_fwd(c, "national", p, 1, &err), 0);
        double m;
        assert_int_equal(hs_proj_ground_per_unit(c, "national", p[0], p[1], &m, &err), 0);
        assert_true(fabs(m - 1.0) < 0.01);
    }
    /* EPSG:3857 at 21 N: ground metres per unit = cos(lat) on the sphere (ellipsoid: ~). */
    double h[2] = {105.85, 21.03}, m;
    hs_proj_fwd(c, "EPSG:3857", h, 1, &err);
    assert_int_equal(hs_proj_ground_per_unit(c, "EPSG:3857", h[0], h[1], &m, &err), 0);
    assert_true(fabs(m - cos(21.03 * M_PI / 180)) < 0.005);
    hs_proj_ctx_free(c);
}

static void test_errors(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_proj_ctx *c = hs_proj_ctx_new(&err);
    double xy[2] = {105, 21};
    assert_int_equal(hs_proj_fwd(c, "EPSG:999999", xy, 1, &err), HS_EGEO);
    assert_non_null(strstr(err.msg, "EPSG:999999"));
    assert_int_equal(hs_proj_check(c, "+proj=nonsense", &err), HS_EGEO);
    assert_non_null(strstr(err.msg, "nonsense"));
    assert_int_equal(hs_proj_check(c, "", &err), HS_EINVAL);
    /* After errors the context still works, and many CRSs cycle through the cache. */
    const char *crs[] = {"EPSG:3857", "EPSG:32648", "EPSG:32649", "national", "EPSG:4326",
                         "EPSG:3405", "EPSG:4756", "EPSG:32647", "EPSG:3857", "EPSG:32648"};
    for (size_t i = 0; i < sizeof crs / sizeof *crs; i++)
        assert_int_equal(hs_proj_check(c, crs[i], &err), 0);
    /* A point the projection cannot take is reported, not returned as HUGE_VAL. */
    double bad[4] = {105, 21, 0, 100};
    assert_int_equal(hs_proj_fwd(c, "EPSG:32648", bad, 2, &err), HS_EGEO);
    assert_non_null(strstr(err.msg, "point 1"));
    hs_proj_ctx_free(c);
}

static void test_layer(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_proj_ctx *c = hs_proj_ctx_new(&err);
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, 1, &err);
    hs_feature *f = &l->feat[l->nfeat++];
    f->code = strdup("VN01");
    f->name = strdup("Hà Nội");
    f->nparts = f->nrings = 1;
    f->part_rings = malloc(sizeof(int));
    f->part_rings[0] = 1;
    f->rings = calloc(1, sizeof(hs_ring));
    double sq[] = {105, 20, 106, 20, 106, 21, 105, 21};
    f->rings[0].npts = 4;
    f->rings[0].xy = malloc(sizeof sq);
    memcpy(f->rings[0].xy, sq, sizeof sq);
    f->label_x = 105.5;
    f->label_y = 20.5;
    hs_layer_update_bbox(l);
    hs_layer *p = NULL;
    assert_int_equal(hs_proj_layer(c, l, "EPSG:3857", &p, &err), 0);
    assert_string_equal(p->feat[0].name, "Hà Nội");
    double x, y;
    hs_merc_from_lonlat(106, 21, &x, &y);
    assert_true(fabs(p->bbox.maxx - x) < 1e-6 && fabs(p->bbox.maxy - y) < 1e-6);
    hs_merc_from_lonlat(105.5, 20.5, &x, &y);
    assert_true(fabs(p->feat[0].label_x - x) < 1e-6);
    hs_layer_free(p);
    assert_int_equal(hs_proj_layer(c, l, "EPSG:0", &p, &err), HS_EGEO);
    assert_null(p);
    hs_layer_free(l);
    hs_proj_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hanoi_3857),
        cmocka_unit_test(test_national_and_utm),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
