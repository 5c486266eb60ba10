/* hs_topo: shared borders stay identical on both sides, and no gaps open at any
 * tolerance, on synthetic partitions and on the real province layer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "hs_testgeo.h"
#include "hs_tilemath.h"
#include "hs_topo.h"

typedef struct dedge {
    double ax, ay, bx, by;
} dedge;

static int dedge_cmp(const void *p, const void *q)
{
    const dedge *a = p, *b = q;
    if (a->ax != b->ax) return a->ax < b->ax ? -1 : 1;
    if (a->ay != b->ay) return a->ay < b->ay ? -1 : 1;
    if (a->bx != b->bx) return a->bx < b->bx ? -1 : 1;
    if (a->by != b->by) return a->by < b->by ? -1 : 1;
    return 0;
}

/* Every directed edge of the output either has its exact reverse in another ring (a
 * shared border, identical on both sides) or joins two points of the outer frame.
 * Returns the number of edges violating that. */
static long unmatched_edges(const hs_layer *l, const hs_bbox *frame)
{
    long n = testgeo_vertices(l), ne = 0, bad = 0;
    dedge *e = malloc((size_t)(n + 1) * sizeof *e);
    for (int i = 0; i < l->nfeat; i++)
        for (int r = 0; r < l->feat[i].nrings; r++) {
            const hs_ring *rg = &l->feat[i].rings[r];
            for (int k = 0; k < rg->npts; k++) {
                int k2 = (k + 1) % rg->npts;
                e[ne++] = (dedge){rg->xy[2 * k], rg->xy[2 * k + 1], rg->xy[2 * k2],
                                  rg->xy[2 * k2 + 1]};
            }
        }
    qsort(e, (size_t)ne, sizeof *e, dedge_cmp);
    for (long i = 0; i < ne; i++) {
        dedge rev = {e[i].bx, e[i].by, e[i].ax, e[i].ay};
        if (bsearch(&rev, e, (size_t)ne, sizeof *e, dedge_cmp))
            continue;
        /* the outer frame is simplified too (corners get cut): both ends on the frame */
        int a = e[i].ax == frame->minx || e[i].ax == frame->maxx || e[i].ay == frame->miny ||
                e[i].ay == frame->maxy;
        int b = e[i].bx == frame->minx || e[i].bx == frame->maxx || e[i].by == frame->miny ||
                e[i].by == frame->maxy;
        if (!a || !b)
            bad++;
    }
    free(e);
    return bad;
}

static long gaps_of(const hs_layer *l, const hs_bbox *view, int w, int h)
{
    cairo_surface_t *s = testgeo_fill(l, view, w, h);
    long g = testgeo_enclosed_gaps(s);
    const char *dbg = getenv("HS_TEST_DEBUG_PNG");
    if (dbg && *dbg)
        cairo_surface_write_to_png(s, dbg);
    cairo_surface_destroy(s);
    return g;
}

/* Simplifies each feature on its own (what the topology avoids), for comparison. */
static hs_layer *naive_simplify(const hs_layer *l, double tol)
{
    hs_layer *out = hs_layer_new(l->kind, l->nfeat, NULL);
    for (int i = 0; i < l->nfeat; i++) {
        hs_layer one = {l->kind, 1, &l->feat[i], l->feat[i].bbox};
        hs_topo_opts o = {.snap = -1};
        hs_topo *t = hs_topo_build_opts(&one, &o, NULL);
        hs_layer *s = hs_topo_simplify(t, tol, NULL);
        out->feat[out->nfeat++] = s->feat[0];
        s->nfeat = 0;
        hs_layer_free(s);
        hs_topo_free(t);
    }
    hs_layer_update_bbox(out);
    return out;
}

static void check_partition(int tjunctions, double snap)
{
    const double cell = 100.0;
    hs_layer *l = testgeo_partition(20, 20, cell, 12, tjunctions, 42);
    hs_bbox frame = {0, 0, 20 * cell, 20 * cell};
    hs_topo_opts o = {.snap = snap};
    hs_err err = {0};
    hs_topo *t = hs_topo_build_opts(l, &o, &err);
    assert_non_null(t);
    hs_topo_stats st;
    hs_topo_get_stats(t, &st);
    assert_true(st.shared_arcs > 0);
    if (tjunctions)
        assert_true(st.noded > 0);
    hs_bbox view = {-50, -50, 20 * cell + 50, 20 * cell + 50};
    long prev = testgeo_vertices(l) + 1000000;
    const double tols[] = {0, 1, 5, 20, 60, 200};
    for (size_t i = 0; i < sizeof tols / sizeof *tols; i++) {
        hs_layer *s = hs_topo_simplify(t, tols[i], &err);
        assert_non_null(s);
        assert_int_equal(unmatched_edges(s, &frame), 0);
        /* 2100 units over 700 px: 3 units per pixel; tolerances up to 66 px. */
        assert_int_equal(gaps_of(s, &view, 700, 700), 0);
        long nv = testgeo_vertices(s);
        assert_true(nv <= prev);
        prev = nv;
        hs_layer_free(s);
    }
    assert_true(prev < testgeo_vertices(l) / 4);
    hs_topo_free(t);
    hs_layer_free(l);
}

static void test_partition_shared(void **state)
{
    (void)state;
    check_partition(0, 0);
}

static void test_partition_tjunctions(void **state)
{
    (void)state;
    check_partition(1, 0);
}

/* The tests above would catch gaps: simplifying each unit alone opens them, and so does
 * skipping the noding of T-junctions. */
static void test_gaps_detected_without_topology(void **state)
{
    (void)state;
    hs_layer *l = testgeo_partition(20, 20, 100.0, 12, 0, 42);
    hs_bbox view = {-50, -50, 2050, 2050};
    hs_layer *n = naive_simplify(l, 20);
    assert_true(gaps_of(n, &view, 700, 700) > 0);
    hs_layer_free(n);
    hs_layer_free(l);

    l = testgeo_partition(20, 20, 100.0, 12, 1, 42);
    hs_topo_opts o = {.snap = -1};
    hs_topo *t = hs_topo_build_opts(l, &o, NULL);
    hs_layer *s = hs_topo_simplify(t, 0, NULL); /* T-points are collinear: DP drops them */
    hs_bbox frame = {0, 0, 2000, 2000};
    assert_true(unmatched_edges(s, &frame) > 0);
    hs_layer_free(s);
    hs_topo_free(t);
    hs_layer_free(l);
}

static hs_layer *provinces_3857(void)
{
    hs_layer *l = testgeo_load(HS_FIXTURE_DIR "/vn_provinces_simpl.geojson", "code");
    assert_non_null(l);
    assert_int_equal(l->nfeat, 34);
    for (int i = 0; i < l->nfeat; i++)
        for (int r = 0; r < l->feat[i].nrings; r++) {
            hs_ring *rg = &l->feat[i].rings[r];
            for (int k = 0; k < rg->npts; k++)
                hs_merc_from_lonlat(rg->xy[2 * k], rg->xy[2 * k + 1], &rg->xy[2 * k],
                                    &rg->xy[2 * k + 1]);
        }
    hs_layer_update_bbox(l);
    return l;
}

/* Background pixels in the simplified rendering that the unsimplified one paints, away
 * from its coast: the reference is filled, then every unshared edge (coast, lake, no
 * reverse edge in a neighbour) is cleared with a stroke tol + 1 px on each side, since
 * simplification may legitimately move the coast by the tolerance (also where a river
 * mouth too thin to show closes up). Shared borders are not cleared: a gap there counts.
 * The source data has real holes (lakes, sea enclosed by islands at low zoom), so
 * "enclosed" alone cannot be the criterion here. */
static long gaps_vs_ref(const hs_layer *ref, const hs_layer *s, const hs_bbox *v, int w, int h,
                        double tol_px)
{
    cairo_surface_t *a = testgeo_fill(ref, v, w, h), *b = testgeo_fill(s, v, w, h);
    long n = testgeo_vertices(ref), ne = 0;
    dedge *e = malloc((size_t)(n + 1) * sizeof *e);
    for (int i = 0; i < ref->nfeat; i++)
        for (int r = 0; r < ref->feat[i].nrings; r++) {
            const hs_ring *rg = &ref->feat[i].rings[r];
            for (int k = 0; k < rg->npts; k++) {
                int k2 = (k + 1) % rg->npts;
                e[ne++] = (dedge){rg->xy[2 * k], rg->xy[2 * k + 1], rg->xy[2 * k2],
                                  rg->xy[2 * k2 + 1]};
            }
        }
    qsort(e, (size_t)ne, sizeof *e, dedge_cmp);
    cairo_t *cr = cairo_create(a);
    cairo_set_operator(cr, CAIRO_OPERATOR_CLEAR);
    cairo_set_line_width(cr, 2 * (tol_px + 1));
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    double sx = w / (v->maxx - v->minx), sy = h / (v->maxy - v->miny);
    for (long i = 0; i < ne; i++) {
        dedge rev = {e[i].bx, e[i].by, e[i].ax, e[i].ay};
        if (bsearch(&rev, e, (size_t)ne, sizeof *e, dedge_cmp))
            continue;
        cairo_move_to(cr, (e[i].ax - v->minx) * sx, (v->maxy - e[i].ay) * sy);
        cairo_line_to(cr, (e[i].bx - v->minx) * sx, (v->maxy - e[i].by) * sy);
        cairo_stroke(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(a);
    free(e);
    long g = testgeo_gaps_vs(a, b, 0);
    cairo_surface_destroy(a);
    cairo_surface_destroy(b);
    return g;
}

/* Renders the province layer at zooms 5-10 with the tile tolerance (and 4x it): the
 * whole country up to z7, windows of 1024 px above; no gap opens inside the country. */
static void test_provinces_no_gaps(void **state)
{
    (void)state;
    hs_layer *l = provinces_3857();
    hs_err err = {0};
    hs_topo *t = hs_topo_build(l, &err);
    assert_non_null(t);
    hs_topo_stats st;
    hs_topo_get_stats(t, &st);
    assert_true(st.shared_arcs >= 50);
    /* Window centres: Hà Nội, Huế, the Mekong delta, the northern border. */
    const double ll[][2] = {{105.85, 21.03}, {107.6, 16.45}, {105.8, 10.0}, {104.0, 22.3}};
    long prev_nv = 0;
    for (int z = 5; z <= 10; z++) {
        double res = hs_tile_resolution(z, 256);
        hs_layer *s = hs_topo_simplify(t, 0.5 * res, &err);
        hs_layer *s4 = hs_topo_simplify(t, 2.0 * res, &err);
        assert_non_null(s);
        assert_non_null(s4);
        long nv = testgeo_vertices(s);
        if (z > 5)
            assert_true(nv >= prev_nv);
        prev_nv = nv;
        assert_true(testgeo_vertices(s4) <= nv);
        if (z <= 7) { /* the whole country fits: at most 1,400 x 2,500 px */
            hs_bbox v = l->bbox;
            v.minx -= 8 * res; v.maxx += 8 * res; v.miny -= 8 * res; v.maxy += 8 * res;
            int w = (int)((v.maxx - v.minx) / res), h = (int)((v.maxy - v.miny) / res);
            assert_int_equal(gaps_vs_ref(l, s, &v, w, h, 0.5), 0);
            assert_int_equal(gaps_vs_ref(l, s4, &v, w, h, 2.0), 0);
        }
        for (size_t c = 0; c < sizeof ll / sizeof *ll; c++) {
            double cx, cy;
            hs_merc_from_lonlat(ll[c][0], ll[c][1], &cx, &cy);
            hs_bbox v = {cx - 512 * res, cy - 512 * res, cx + 512 * res, cy + 512 * res};
            assert_int_equal(gaps_vs_ref(l, s, &v, 1024, 1024, 0.5), 0);
            assert_int_equal(gaps_vs_ref(l, s4, &v, 1024, 1024, 2.0), 0);
        }
        hs_layer_free(s);
        hs_layer_free(s4);
    }
    assert_true(prev_nv <= testgeo_vertices(l));
    /* The same check catches per-unit simplification. */
    double res = hs_tile_resolution(7, 256);
    hs_layer *n = naive_simplify(l, 2.0 * res);
    hs_bbox v = l->bbox;
    int w = (int)((v.maxx - v.minx) / res), h = (int)((v.maxy - v.miny) / res);
    assert_true(gaps_vs_ref(l, n, &v, w, h, 2.0) > 0);
    hs_layer_free(n);
    hs_topo_free(t);
    hs_layer_free(l);
}

/* An enclave (a unit filling another's hole) and an islet. */
static void test_enclave_and_islet(void **state)
{
    (void)state;
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, 2, NULL);
    /* Outer unit: square 0..100 with a hole (a 40-gon circle); inner unit fills the hole;
     * the outer unit also has an islet 2 units wide at (150,150). */
    double circ[80];
    for (int k = 0; k < 40; k++) {
        circ[2 * k] = 50 + 20 * cos(2 * M_PI * k / 40);
        circ[2 * k + 1] = 50 + 20 * sin(2 * M_PI * k / 40);
    }
    double sq[] = {0, 0, 100, 0, 100, 100, 0, 100};
    double islet[] = {150, 150, 152, 150, 152, 152, 150, 152};
    hs_feature *o = &l->feat[l->nfeat++];
    o->code = strdup("OUT");
    o->nparts = 2;
    o->part_rings = malloc(2 * sizeof(int));
    o->part_rings[0] = 2;
    o->part_rings[1] = 1;
    o->nrings = 3;
    o->rings = calloc(3, sizeof(hs_ring));
    o->rings[0] = (hs_ring){4, malloc(sizeof sq)};
    memcpy(o->rings[0].xy, sq, sizeof sq);
    o->rings[1] = (hs_ring){40, malloc(sizeof circ)};
    memcpy(o->rings[1].xy, circ, sizeof circ);
    o->rings[2] = (hs_ring){4, malloc(sizeof islet)};
    memcpy(o->rings[2].xy, islet, sizeof islet);
    hs_feature *in = &l->feat[l->nfeat++];
    in->code = strdup("IN");
    in->nparts = 1;
    in->part_rings = malloc(sizeof(int));
    in->part_rings[0] = 1;
    in->nrings = 1;
    in->rings = calloc(1, sizeof(hs_ring));
    in->rings[0] = (hs_ring){40, malloc(sizeof circ)};
    memcpy(in->rings[0].xy, circ, sizeof circ);
    hs_layer_update_bbox(l);
    hs_err err = {0};
    hs_topo *t = hs_topo_build(l, &err);
    assert_non_null(t);
    for (double tol = 0; tol <= 50; tol += 5) {
        hs_layer *s = hs_topo_simplify(t, tol, &err);
        assert_non_null(s);
        /* the hole and the enclave stay identical (reversed) and at least a triangle */
        assert_true(s->feat[0].nrings >= 2);
        assert_int_equal(s->feat[1].nrings, 1);
        assert_int_equal(s->feat[0].rings[1].npts, s->feat[1].rings[0].npts);
        assert_true(s->feat[1].rings[0].npts >= 3);
        /* the islet (2 units) goes once the tolerance exceeds it, with its part */
        assert_int_equal(s->feat[0].nrings, tol > 2 ? 2 : 3);
        assert_int_equal(s->feat[0].nparts, tol > 2 ? 1 : 2);
        hs_bbox v = {-10, -10, 110, 110};
        assert_int_equal(gaps_of(s, &v, 240, 240), 0);
        hs_layer_free(s);
    }
    assert_null(hs_topo_simplify(t, -1, &err));
    assert_int_equal(err.code, HS_EINVAL);
    hs_topo_free(t);
    /* A parts list that does not add up is refused with the feature's code. */
    l->feat[1].part_rings[0] = 2;
    assert_null(hs_topo_build(l, &err));
    assert_non_null(strstr(err.msg, "IN"));
    l->feat[1].part_rings[0] = 1;
    hs_layer_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_shared),
        cmocka_unit_test(test_partition_tjunctions),
        cmocka_unit_test(test_gaps_detected_without_topology),
        cmocka_unit_test(test_enclave_and_islet),
        cmocka_unit_test(test_provinces_no_gaps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
