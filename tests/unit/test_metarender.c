/* hs_metarender: the tile path (hs_topo per zoom -> hs_sindex culling -> renderer ->
 * metatile slicing) on the province fixtures.
 *
 *  - seams: two neighbouring metatiles, rendered separately as the server does, give
 *    exactly the tiles cut from one raster spanning both, so tiles agree pixel for
 *    pixel along every shared edge, metatile boundaries included (labels, outlines,
 *    the land border and class fills all cross them somewhere in the country);
 *  - culling: the index-culled render equals the unculled one byte for byte;
 *  - no gaps: every unit filled in one colour over magenta, z5-z10 through hs_topo's
 *    per-zoom simplification: no magenta pixel inside the country.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fontconfig/fontconfig.h>

#include "hs_metarender.h"
#include "hs_palette.h"
#include "hs_testgeo.h"
#include "hs_tilemath.h"
#include "hs_topo.h"

/* tg_load projects with its own equirectangular transform: back to lon/lat, then to
 * EPSG:3857, for features, label anchors and the bbox. */
static void to_merc(hs_layer *l)
{
    const double kx = TG_R * TG_DEG * cos(TG_LAT0 * TG_DEG), ky = TG_R * TG_DEG;
    for (int i = 0; i < l->nfeat; i++) {
        hs_feature *f = &l->feat[i];
        for (int r = 0; r < f->nrings; r++)
            for (int k = 0; k < f->rings[r].npts; k++) {
                double *p = &f->rings[r].xy[2 * k];
                hs_merc_from_lonlat(p[0] / kx, p[1] / ky, &p[0], &p[1]);
            }
        hs_merc_from_lonlat(f->label_x / kx, f->label_y / ky, &f->label_x, &f->label_y);
        hs_bbox b = {1e300, 1e300, -1e300, -1e300};
        for (int r = 0; r < f->nrings; r++)
            for (int k = 0; k < f->rings[r].npts; k++) {
                double x = f->rings[r].xy[2 * k], y = f->rings[r].xy[2 * k + 1];
                b.minx = x < b.minx ? x : b.minx, b.maxx = x > b.maxx ? x : b.maxx;
                b.miny = y < b.miny ? y : b.miny, b.maxy = y > b.maxy ? y : b.maxy;
            }
        f->bbox = b;
    }
    hs_layer_update_bbox(l);
}

static hs_layer *load_merc(const char *file, const char *name, const char *code)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", HS_FIXTURE_DIR, file);
    hs_layer *l = tg_load(path, name, code);
    assert_non_null(l);
    to_merc(l);
    return l;
}

typedef struct fixture {
    hs_render_ctx *rc;
    hs_layer *prov;   /* 34 provinces with names, EPSG:3857 */
    hs_layer *border; /* land border lines */
    hs_topo *topo;
    hs_class_style cls[5];
    int *klass;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    hs_err err = {0};
    f->rc = hs_render_ctx_new(&err);
    assert_non_null(f->rc);
    f->prov = load_merc("vn_provinces_34_s01.geojson", "ten_tinh", "code");
    f->border = load_merc("vn_land_border_s01.geojson", NULL, "country");
    f->topo = hs_topo_build(f->prov, &err);
    assert_non_null(f->topo);
    const unsigned int col[5] = {0xfee5d9, 0xfcae91, 0xfb6a4a, 0xde2d26, 0xa50f15};
    for (int c = 0; c < 5; c++)
        f->cls[c].fill = hs_rgb(col[c]);
    f->cls[3].outline = hs_rgb(0x000000);
    f->klass = malloc((size_t)f->prov->nfeat * sizeof(int));
    for (int i = 0; i < f->prov->nfeat; i++)
        f->klass[i] = i % 7 == 6 ? -1 : i % 5; /* some "no data" hatching too */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    hs_render_ctx_free(f->rc);
    hs_topo_free(f->topo);
    hs_layer_free(f->prov);
    hs_layer_free(f->border);
    free(f->klass);
    free(f);
    return 0;
}

/* The house tile style: classes, unit outlines, province outlines and labels, border. */
static hs_map_spec tile_spec(const fixture *f, const hs_layer *units)
{
    hs_map_spec s;
    memset(&s, 0, sizeof s);
    s.units = units;
    s.unit_class = f->klass;
    s.classes = f->cls;
    s.nclasses = 5;
    s.provinces = units;
    s.border = f->border;
    s.draw_unit_outlines = 1;
    s.label_provinces = 1;
    hs_style_defaults(&s);
    return s;
}

static unsigned char *render_meta(const fixture *f, const hs_map_spec *s, const hs_sindex *ix,
                                  const hs_metatile *m, double scale)
{
    unsigned char *px = calloc((size_t)m->width * m->height, 4);
    hs_err err = {0};
    int rc = hs_metarender(f->rc, s, ix, m, scale, px, m->width * 4, NULL, &err);
    if (rc < 0)
        fail_msg("metarender: %s", err.msg);
    return px;
}

/* Pixels of tile (x,y) that differ between two metatile rasters holding it; *edge
 * counts those on the tile's side `side` (0 left, 1 right, 2 top, 3 bottom), *maxd the
 * largest channel difference. */
static long tile_diff(const hs_metatile *a, const unsigned char *pa, const hs_metatile *b,
                      const unsigned char *pb, int x, int y, int side, long *edge, int *maxd_out)
{
    int t = a->tile_px;
    unsigned char *ta = malloc((size_t)t * t * 4), *tb = malloc((size_t)t * t * 4);
    hs_err err = {0};
    assert_int_equal(hs_metatile_slice(a, pa, a->width * 4, x, y, ta, t * 4, &err), 0);
    assert_int_equal(hs_metatile_slice(b, pb, b->width * 4, x, y, tb, t * 4, &err), 0);
    long d = 0;
    int maxd = 0;
    for (long i = 0; i < (long)t * t; i++) {
        if (!memcmp(ta + 4 * i, tb + 4 * i, 4))
            continue;
        d++;
        long px_ = i % t, py_ = i / t;
        *edge += (side == 0 && px_ == 0) || (side == 1 && px_ == t - 1) ||
                 (side == 2 && py_ == 0) || (side == 3 && py_ == t - 1);
        for (int c = 0; c < 4; c++) {
            int e = abs(ta[4 * i + c] - tb[4 * i + c]);
            maxd = e > maxd ? e : maxd;
        }
        if (getenv("HS_TEST_VERBOSE"))
            print_message("  px %ld,%ld: %08x vs %08x\n", i % t, i / t,
                          ((unsigned *)(void *)ta)[i], ((unsigned *)(void *)tb)[i]);
    }
    if (d && getenv("HS_TEST_VERBOSE"))
        print_message("  tile %d/%d: %ld px differ, max %d levels\n", x, y, d, maxd);
    *maxd_out = maxd > *maxd_out ? maxd : *maxd_out;
    free(ta);
    free(tb);
    return d;
}

/* Every pair of horizontally and vertically neighbouring metatiles over Vietnam at
 * z6-z8: the tiles on both sides of their shared boundary equal the same tiles cut
 * from one raster spanning both (a 2n x n or n x 2n metatile). */
static void run_seams(fixture *f, int tile_px, double scale, int zmin, int zmax)
{
    hs_err err = {0};
    hs_bbox vn = HS_VN_EXTENT_LONLAT, m3857 = hs_merc_bbox_from_lonlat(&vn);
    const int n = 4, buf = 64 * (int)scale;
    long pairs = 0, tiles = 0, ndiff = 0;
    int maxdiff = 0;
    for (int z = zmin; z <= zmax; z++) {
        hs_layer *s = hs_topo_simplify(f->topo, 0.5 * hs_tile_resolution(z, 256), &err);
        assert_non_null(s);
        hs_sindex *ix = hs_sindex_build_layer(s, &err);
        hs_map_spec sp = tile_spec(f, s);
        int x0, y0, x1, y1;
        assert_true(hs_tile_range(z, &m3857, &x0, &y0, &x1, &y1));
        for (int my = y0 / n; my <= y1 / n; my++)
            for (int mx = x0 / n; mx <= x1 / n; mx++)
                for (int dir = 0; dir < 2; dir++) {
                    int mx2 = mx + (dir == 0), my2 = my + (dir == 1);
                    hs_metatile a, b, big;
                    if (hs_metatile_at(z, mx, my, n, tile_px, buf, &a, &err) < 0 ||
                        hs_metatile_at(z, mx2, my2, n, tile_px, buf, &b, &err) < 0 ||
                        mx2 * n > x1 || my2 * n > y1)
                        continue;
                    /* the spanning raster: the 2n x 2n metatile holding both (2n
                     * metatiles are aligned on multiples of 2n) */
                    if ((dir == 0 ? mx : my) % 2 ||
                        hs_metatile_at(z, mx / 2, my / 2, 2 * n, tile_px, buf, &big, &err) < 0)
                        continue;
                    if (!(big.x0 <= a.x0 && big.y0 <= a.y0 && big.x0 + big.ntx >= b.x0 + b.ntx &&
                          big.y0 + big.nty >= b.y0 + b.nty))
                        continue;
                    unsigned char *pa = render_meta(f, &sp, ix, &a, scale);
                    unsigned char *pb = render_meta(f, &sp, ix, &b, scale);
                    unsigned char *pg = render_meta(f, &sp, ix, &big, scale);
                    /* the tiles along the shared boundary, on both sides */
                    int len = dir == 0 ? a.nty : a.ntx;
                    for (int k = 0; k < len; k++) {
                        int ax = dir == 0 ? a.x0 + a.ntx - 1 : a.x0 + k;
                        int ay = dir == 0 ? a.y0 + k : a.y0 + a.nty - 1;
                        int bx = dir == 0 ? b.x0 : b.x0 + k, by = dir == 0 ? b.y0 + k : b.y0;
                        if (dir == 0 && k >= b.nty)
                            break;
                        long ea = 0, eb = 0;
                        int md = 0;
                        long da = tile_diff(&a, pa, &big, pg, ax, ay, dir == 0 ? 1 : 3, &ea, &md);
                        long db = tile_diff(&b, pb, &big, pg, bx, by, dir == 0 ? 0 : 2, &eb, &md);
                        if (ea || eb || da || db)
                            fail_msg("z%d %dpx: tiles %d/%d and %d/%d differ from the spanning "
                                     "raster: %ld and %ld boundary px, %ld and %ld in all, by up "
                                     "to %d levels", z, tile_px, ax, ay, bx, by, ea, eb, da, db, md);
                        ndiff += da + db;
                        maxdiff = md > maxdiff ? md : maxdiff;
                        tiles += 2;
                    }
                    free(pa), free(pb), free(pg);
                    pairs++;
                }
        hs_sindex_free(ix);
        hs_layer_free(s);
    }
    print_message("%ld metatile pairs, %ld boundary tiles (%d px): boundary rows identical; "
                  "%ld other px off (max %d levels)\n", pairs, tiles, tile_px, ndiff, maxdiff);
    assert_true(pairs >= 4);
}

static void test_seams(void **state)
{
    run_seams(*state, 256, 1.0, 6, 8);
}

static void test_seams_2x(void **state)
{
    run_seams(*state, 512, 2.0, 6, 6);
}

/* Culling through the index changes nothing: same bytes as the renderer's own scan. */
static void test_cull_identical(void **state)
{
    fixture *f = *state;
    hs_err err = {0};
    hs_layer *s = hs_topo_simplify(f->topo, 0.5 * hs_tile_resolution(8, 256), &err);
    hs_sindex *ix = hs_sindex_build_layer(s, &err);
    hs_map_spec sp = tile_spec(f, s);
    double hx, hy;
    hs_merc_from_lonlat(105.85, 21.03, &hx, &hy); /* Hà Nội */
    int z = 8, n2 = 1 << z;
    int tx = (int)((hx + HS_MERC_MAX) / (2 * HS_MERC_MAX) * n2);
    int ty = (int)((HS_MERC_MAX - hy) / (2 * HS_MERC_MAX) * n2);
    hs_metatile m;
    assert_int_equal(hs_metatile_for_tile(z, tx, ty, 8, 256, 64, &m, &err), 0);
    unsigned char *a = render_meta(f, &sp, ix, &m, 1.0);
    unsigned char *b = render_meta(f, &sp, NULL, &m, 1.0);
    assert_memory_equal(a, b, (size_t)m.width * m.height * 4);
    hs_metarender_stats st;
    unsigned char *c = calloc((size_t)m.width * m.height, 4);
    assert_int_equal(hs_metarender(f->rc, &sp, ix, &m, 1.0, c, m.width * 4, &st, &err), 0);
    assert_true(st.units_drawn > 0 && st.units_drawn < s->nfeat);
    free(a), free(b), free(c);
    hs_sindex_free(ix);
    hs_layer_free(s);
}

/* ---- no gaps ------------------------------------------------------------------- */

#define FILL 0xff2e7d32u   /* opaque ARGB: the one class colour */

/* Reference mask of the unsimplified layer over m's extent, without antialiasing,
 * with its coast (edges that have no reverse edge in a neighbour) cleared by
 * tol + 1 px: simplification may move the coast, never open a shared border. */
static cairo_surface_t *interior_mask(const hs_layer *ref, const hs_metatile *m, double tol_px)
{
    cairo_surface_t *a = testgeo_fill(ref, &m->extent, m->width, m->height);
    cairo_t *cr = cairo_create(a);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_set_line_width(cr, 2 * (tol_px + 1));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    const hs_bbox *v = &m->extent;
    double sx = m->width / (v->maxx - v->minx), sy = m->height / (v->maxy - v->miny);
    /* an edge is shared when some ring walks it the other way: quadratic but the
     * fixture is small (5,800 vertices) and only edges near the window are tested */
    for (int i = 0; i < ref->nfeat; i++)
        for (int r = 0; r < ref->feat[i].nrings; r++) {
            const hs_ring *rg = &ref->feat[i].rings[r];
            for (int k = 0; k < rg->npts; k++) {
                const double *p = &rg->xy[2 * k], *q = &rg->xy[2 * ((k + 1) % rg->npts)];
                double ex0 = p[0] < q[0] ? p[0] : q[0], ex1 = p[0] < q[0] ? q[0] : p[0];
                double ey0 = p[1] < q[1] ? p[1] : q[1], ey1 = p[1] < q[1] ? q[1] : p[1];
                if (ex1 < v->minx || ex0 > v->maxx || ey1 < v->miny || ey0 > v->maxy)
                    continue;
                int shared = 0;
                for (int j = 0; j < ref->nfeat && !shared; j++) {
                    if (j == i)
                        continue;
                    const hs_bbox *b = &ref->feat[j].bbox;
                    if (p[0] < b->minx || p[0] > b->maxx || p[1] < b->miny || p[1] > b->maxy)
                        continue;
                    for (int r2 = 0; r2 < ref->feat[j].nrings && !shared; r2++) {
                        const hs_ring *g = &ref->feat[j].rings[r2];
                        for (int k2 = 0; k2 < g->npts && !shared; k2++) {
                            const double *a2 = &g->xy[2 * k2], *b2 = &g->xy[2 * ((k2 + 1) % g->npts)];
                            shared = a2[0] == q[0] && a2[1] == q[1] && b2[0] == p[0] && b2[1] == p[1];
                        }
                    }
                }
                if (shared)
                    continue;
                cairo_move_to(cr, (p[0] - v->minx) * sx, (v->maxy - p[1]) * sy);
                cairo_line_to(cr, (q[0] - v->minx) * sx, (v->maxy - q[1]) * sy);
                cairo_stroke(cr);
            }
        }
    cairo_destroy(cr);
    cairo_surface_flush(a);
    return a;
}

/* Interior pixels of the mask that the tile render did not paint in the fill colour. */
static long gaps_in(cairo_surface_t *mask, const unsigned char *px, const hs_metatile *m)
{
    const unsigned char *a = cairo_image_surface_get_data(mask);
    int st = cairo_image_surface_get_stride(mask);
    long gaps = 0;
    /* only the tiles proper: the buffer is thrown away */
    for (int y = m->buffer_px; y < m->height - m->buffer_px; y++)
        for (int x = m->buffer_px; x < m->width - m->buffer_px; x++) {
            if (((const unsigned int *)(a + (size_t)y * st))[x] == 0)
                continue;
            unsigned int v = ((const unsigned int *)(px + (size_t)y * m->width * 4))[x];
            gaps += v != FILL;
        }
    return gaps;
}

static void test_no_gaps(void **state)
{
    fixture *f = *state;
    hs_err err = {0};
    hs_layer *ref = load_merc("vn_provinces_simpl.geojson", NULL, "code");
    hs_topo *t = hs_topo_build(ref, &err);
    assert_non_null(t);
    hs_layer *ref0 = hs_topo_simplify(t, 0, &err); /* cleaned, noded: the reference */
    hs_class_style one = {.fill = hs_rgb(FILL & 0xffffff)};
    int *cls = calloc((size_t)ref->nfeat, sizeof(int));
    hs_bbox vn = HS_VN_EXTENT_LONLAT, m3857 = hs_merc_bbox_from_lonlat(&vn);
    /* windows for z8-z10: Hà Nội, Huế, the Mekong delta, the northern border */
    const double ll[][2] = {{105.85, 21.03}, {107.6, 16.45}, {105.8, 10.0}, {104.0, 22.3}};
    long checked = 0;
    for (int z = 5; z <= 10; z++) {
        double tol = 0.5 * hs_tile_resolution(z, 256);
        hs_layer *s = hs_topo_simplify(t, tol, &err);
        hs_sindex *ix = hs_sindex_build_layer(s, &err);
        hs_map_spec sp;
        memset(&sp, 0, sizeof sp);
        sp.units = s;
        sp.unit_class = cls;
        sp.classes = &one;
        sp.nclasses = 1;
        sp.sea = hs_rgb(0xff00ff);
        hs_style_defaults(&sp);
        int x0, y0, x1, y1;
        assert_true(hs_tile_range(z, &m3857, &x0, &y0, &x1, &y1));
        int nmeta = z <= 7 ? 1 << 12 : (int)(sizeof ll / sizeof *ll);
        for (int i = 0; i < nmeta; i++) {
            hs_metatile m;
            if (z <= 7) { /* every metatile over the country */
                int mx = x0 / 8 + i % 64, my = y0 / 8 + i / 64;
                if (mx > x1 / 8 || my > y1 / 8)
                    continue;
                assert_int_equal(hs_metatile_at(z, mx, my, 8, 256, 64, &m, &err), 0);
            } else {
                double cx, cy;
                hs_merc_from_lonlat(ll[i][0], ll[i][1], &cx, &cy);
                int n2 = 1 << z;
                int tx = (int)((cx + HS_MERC_MAX) / (2 * HS_MERC_MAX) * n2);
                int ty = (int)((HS_MERC_MAX - cy) / (2 * HS_MERC_MAX) * n2);
                assert_int_equal(hs_metatile_for_tile(z, tx, ty, 8, 256, 64, &m, &err), 0);
            }
            unsigned char *px = render_meta(f, &sp, ix, &m, 1.0);
            cairo_surface_t *mask = interior_mask(ref0, &m, 0.5);
            long g = gaps_in(mask, px, &m);
            if (g)
                fail_msg("z%d metatile %d/%d: %ld interior pixels not filled", z, m.mx, m.my, g);
            checked++;
            cairo_surface_destroy(mask);
            free(px);
        }
        hs_sindex_free(ix);
        hs_layer_free(s);
    }
    print_message("%ld metatiles z5-z10 without a gap\n", checked);
    assert_true(checked >= 10);
    free(cls);
    hs_layer_free(ref0);
    hs_topo_free(t);
    hs_layer_free(ref);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cull_identical),
        cmocka_unit_test(test_seams),
        cmocka_unit_test(test_seams_2x),
        cmocka_unit_test(test_no_gaps),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    cairo_debug_reset_static_data(); /* fontconfig's caches, for the leak checker */
    FcFini();
    return rc;
}
