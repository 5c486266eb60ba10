/* Test helpers for geometry tests (header-only, static inline; not a test program).
 *
 * - testgeo_read / testgeo_load / tg_load: the one fixture loader (OGR) into an
 *   hs_layer, in lon/lat or in the simple tg_project plane of the rendering tests.
 * - testgeo_partition: a synthetic commune-like partition (jittered grid with wiggly
 *   shared edges), optionally with T-junctions like PostGIS-clipped Voronoi cells.
 * - testgeo_fill / testgeo_enclosed_gaps: fills every unit in one colour with plain
 *   cairo (no dependency on maps/ rendering code) and counts background pixels that
 *   are not connected to the image border, i.e. holes inside the country.
 */
#ifndef HS_TESTGEO_H
#define HS_TESTGEO_H

#include <cairo.h>
#include <math.h>
#include <ogr_api.h>
#include <stdlib.h>
#include <string.h>

#include "hs_geom.h"

/* The fixtures' planar transform (tg_load): equirectangular scaled by cos(16°), in
 * metres, true scale at 16° N -- simple enough that tests can invert it. */
#define TG_R 6378137.0
#define TG_LAT0 16.0
#define TG_DEG (M_PI / 180.0)

static inline void tg_project(double lon, double lat, double *x, double *y)
{
    *x = TG_R * lon * TG_DEG * cos(TG_LAT0 * TG_DEG);
    *y = TG_R * lat * TG_DEG;
}

static inline hs_bbox tg_bbox(double lon0, double lat0, double lon1, double lat1)
{
    hs_bbox b;
    tg_project(lon0, lat0, &b.minx, &b.miny);
    tg_project(lon1, lat1, &b.maxx, &b.maxy);
    return b;
}

static inline double testgeo_ring_area(const hs_ring *r, double *cx, double *cy)
{
    double a = 0, sx = 0, sy = 0;
    for (int i = 0; i < r->npts; i++) {
        int j = (i + 1) % r->npts;
        double x0 = r->xy[2 * i], y0 = r->xy[2 * i + 1], x1 = r->xy[2 * j], y1 = r->xy[2 * j + 1];
        double c = x0 * y1 - x1 * y0;
        a += c;
        sx += (x0 + x1) * c;
        sy += (y0 + y1) * c;
    }
    if (a != 0) {
        *cx = sx / (3 * a);
        *cy = sy / (3 * a);
    }
    return fabs(a / 2);
}

/* Appends one part to f: the rings of a polygon, or a line as one open "ring". */
static inline int testgeo_add_part(hs_feature *f, OGRGeometryH g, int project)
{
    int line = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbLineString;
    int nr = line ? 1 : OGR_G_GetGeometryCount(g);
    int *pr = realloc(f->part_rings, (size_t)(f->nparts + 1) * sizeof(int));
    if (!pr)
        return -1;
    f->part_rings = pr;
    hs_ring *rings = realloc(f->rings, (size_t)(f->nrings + nr) * sizeof(hs_ring));
    if (!rings)
        return -1;
    f->rings = rings;
    f->part_rings[f->nparts++] = nr;
    for (int r = 0; r < nr; r++) {
        OGRGeometryH ring = line ? g : OGR_G_GetGeometryRef(g, r);
        int n = OGR_G_GetPointCount(ring);
        /* GeoJSON rings repeat the first point; hs_ring closes implicitly. */
        if (!line && n > 1 && OGR_G_GetX(ring, 0) == OGR_G_GetX(ring, n - 1) &&
            OGR_G_GetY(ring, 0) == OGR_G_GetY(ring, n - 1))
            n--;
        hs_ring *hr = &f->rings[f->nrings++];
        hr->npts = n;
        hr->xy = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof(double));
        if (!hr->xy)
            return -1;
        for (int k = 0; k < n; k++) {
            double x = OGR_G_GetX(ring, k), y = OGR_G_GetY(ring, k);
            if (project)
                tg_project(x, y, &x, &y);
            hr->xy[2 * k] = x;
            hr->xy[2 * k + 1] = y;
        }
    }
    return 0;
}

/* The one fixture loader: the first layer of any OGR-readable file (GeoJSON here)
 * into an hs_layer, polygons or lines, with names and codes from the given fields
 * (NULL: none; a missing code becomes "?"), in lon/lat or, with `project`, the
 * tg_project plane. Label anchor: the centroid of the largest exterior ring (the real
 * anchors come from PostGIS/hs_topo; this is good enough for fixtures). NULL when the
 * file cannot be read. The maps library itself never reads files. */
static inline hs_layer *testgeo_read(const char *path, const char *name_field,
                                     const char *code_field, int project)
{
    OGRRegisterAll();
    OGRDataSourceH ds = OGROpen(path, 0, NULL);
    if (!ds)
        return NULL;
    OGRLayerH ly = OGR_DS_GetLayer(ds, 0);
    int n = (int)OGR_L_GetFeatureCount(ly, 1);
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, n, NULL);
    OGRFeatureH ft;
    OGR_L_ResetReading(ly);
    while (l && l->nfeat < n && (ft = OGR_L_GetNextFeature(ly)) != NULL) {
        hs_feature *f = &l->feat[l->nfeat++];
        int fi = name_field ? OGR_F_GetFieldIndex(ft, name_field) : -1;
        if (fi >= 0 && OGR_F_IsFieldSetAndNotNull(ft, fi))
            f->name = strdup(OGR_F_GetFieldAsString(ft, fi));
        fi = code_field ? OGR_F_GetFieldIndex(ft, code_field) : -1;
        if (code_field)
            f->code = strdup(fi >= 0 && OGR_F_IsFieldSetAndNotNull(ft, fi)
                                 ? OGR_F_GetFieldAsString(ft, fi) : "?");
        OGRGeometryH g = OGR_F_GetGeometryRef(ft);
        OGRwkbGeometryType t = g ? wkbFlatten(OGR_G_GetGeometryType(g)) : wkbNone;
        if (t == wkbLineString || t == wkbMultiLineString)
            l->kind = HS_LAYER_LINE;
        if (t == wkbPolygon || t == wkbLineString) {
            testgeo_add_part(f, g, project);
        } else if (t == wkbMultiPolygon || t == wkbMultiLineString) {
            for (int p = 0; p < OGR_G_GetGeometryCount(g); p++)
                testgeo_add_part(f, OGR_G_GetGeometryRef(g, p), project);
        }
        double best = -1;
        int ri = 0;
        for (int p = 0; p < f->nparts; p++) {
            double cx = 0, cy = 0, a = testgeo_ring_area(&f->rings[ri], &cx, &cy);
            if (a > best) {
                best = a;
                f->label_x = cx;
                f->label_y = cy;
            }
            ri += f->part_rings[p];
        }
        OGR_F_Destroy(ft);
    }
    OGR_DS_Destroy(ds);
    if (l)
        hs_layer_update_bbox(l);
    return l;
}

/* Lon/lat, codes only (topology, tiles, benchmarks). */
static inline hs_layer *testgeo_load(const char *path, const char *code_field)
{
    return testgeo_read(path, NULL, code_field, 0);
}

/* Projected with tg_project, names and codes (rendering tests). */
static inline hs_layer *tg_load(const char *path, const char *name_field, const char *code_field)
{
    return testgeo_read(path, name_field, code_field, 1);
}

/* Deterministic pseudo-random numbers in [0,1). */
static inline double testgeo_rand(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

/* An nx x ny partition of [0,nx*cell] x [0,ny*cell]: grid nodes jittered by up to 30%,
 * each cell edge a polyline of `wiggle` random interior points shared exactly by the
 * two cells. With tjunctions != 0 the cells of odd columns also get extra vertices on
 * their left edge that the neighbouring cell lacks (on the segment, up to rounding),
 * like Voronoi cells clipped separately on each side of a border. */
static inline hs_layer *testgeo_partition(int nx, int ny, double cell, int wiggle,
                                          int tjunctions, unsigned long long seed)
{
    int np = wiggle + 2;
    double *gx = malloc((size_t)(nx + 1) * (ny + 1) * 2 * sizeof(double));
    /* Horizontal edges h[j][i] from node (i,j) to (i+1,j); vertical v[j][i] (i,j)->(i,j+1). */
    double *h = malloc((size_t)nx * (ny + 1) * np * 2 * sizeof(double));
    double *v = malloc((size_t)(nx + 1) * ny * np * 2 * sizeof(double));
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i <= nx; i++) {
            double jx = (i == 0 || i == nx) ? 0 : (testgeo_rand(&seed) - 0.5) * 0.6 * cell;
            double jy = (j == 0 || j == ny) ? 0 : (testgeo_rand(&seed) - 0.5) * 0.6 * cell;
            gx[2 * (j * (nx + 1) + i)] = i * cell + jx;
            gx[2 * (j * (nx + 1) + i) + 1] = j * cell + jy;
        }
#define NODE(i, j) (gx + 2 * ((j) * (nx + 1) + (i)))
    for (int j = 0; j <= ny; j++)
        for (int i = 0; i < nx; i++) {
            double *e = h + (size_t)(j * nx + i) * np * 2;
            const double *a = NODE(i, j), *b = NODE(i + 1, j);
            for (int k = 0; k < np; k++) {
                double t = (double)k / (np - 1);
                double off = (k == 0 || k == np - 1 || j == 0 || j == ny)
                                 ? 0 : (testgeo_rand(&seed) - 0.5) * 0.15 * cell;
                e[2 * k] = a[0] + t * (b[0] - a[0]);
                e[2 * k + 1] = a[1] + t * (b[1] - a[1]) + off;
            }
        }
    for (int j = 0; j < ny; j++)
        for (int i = 0; i <= nx; i++) {
            double *e = v + (size_t)(j * (nx + 1) + i) * np * 2;
            const double *a = NODE(i, j), *b = NODE(i, j + 1);
            for (int k = 0; k < np; k++) {
                double t = (double)k / (np - 1);
                double off = (k == 0 || k == np - 1 || i == 0 || i == nx)
                                 ? 0 : (testgeo_rand(&seed) - 0.5) * 0.15 * cell;
                e[2 * k] = a[0] + t * (b[0] - a[0]) + off;
                e[2 * k + 1] = a[1] + t * (b[1] - a[1]);
            }
        }
#undef NODE
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, nx * ny, NULL);
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            hs_feature *f = &l->feat[l->nfeat++];
            char code[32];
            snprintf(code, sizeof code, "C%03d_%03d", i, j);
            f->code = strdup(code);
            f->nparts = f->nrings = 1;
            f->part_rings = malloc(sizeof(int));
            f->part_rings[0] = 1;
            f->rings = calloc(1, sizeof(hs_ring));
            int extra = (tjunctions && (i % 2) == 1 && wiggle > 0) ? np - 1 : 0;
            int n = 4 * (np - 1) + extra;
            double *xy = malloc((size_t)n * 2 * sizeof(double));
            int m = 0;
            const double *bot = h + (size_t)(j * nx + i) * np * 2;
            const double *right = v + (size_t)(j * (nx + 1) + i + 1) * np * 2;
            const double *top = h + (size_t)((j + 1) * nx + i) * np * 2;
            const double *left = v + (size_t)(j * (nx + 1) + i) * np * 2;
            for (int k = 0; k < np - 1; k++, m++) /* bottom, west to east */
                memcpy(xy + 2 * m, bot + 2 * k, 2 * sizeof(double));
            for (int k = 0; k < np - 1; k++, m++) /* right, south to north */
                memcpy(xy + 2 * m, right + 2 * k, 2 * sizeof(double));
            for (int k = np - 1; k > 0; k--, m++) /* top, east to west */
                memcpy(xy + 2 * m, top + 2 * k, 2 * sizeof(double));
            for (int k = np - 1; k > 0; k--) { /* left, north to south */
                memcpy(xy + 2 * m, left + 2 * k, 2 * sizeof(double));
                m++;
                if (extra) { /* a point 40% along the next segment, computed independently */
                    const double *a = left + 2 * k, *b = left + 2 * (k - 1);
                    xy[2 * m] = a[0] + 0.4 * (b[0] - a[0]);
                    xy[2 * m + 1] = a[1] + 0.4 * (b[1] - a[1]);
                    m++;
                }
            }
            f->rings[0].xy = xy;
            f->rings[0].npts = m;
        }
    free(gx);
    free(h);
    free(v);
    hs_layer_update_bbox(l);
    return l;
}

/* Fills every feature (nonzero rule, no antialiasing) in opaque black over transparent
 * and returns the w x h ARGB32 surface (caller destroys). */
static inline cairo_surface_t *testgeo_fill(const hs_layer *l, const hs_bbox *view, int w, int h)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    double sx = w / (view->maxx - view->minx), sy = h / (view->maxy - view->miny);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        cairo_new_path(cr);
        for (int r = 0; r < f->nrings; r++) {
            const hs_ring *rg = &f->rings[r];
            for (int k = 0; k < rg->npts; k++) {
                double x = (rg->xy[2 * k] - view->minx) * sx;
                double y = (view->maxy - rg->xy[2 * k + 1]) * sy;
                if (k == 0)
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
            }
            cairo_close_path(cr);
        }
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    cairo_surface_flush(s);
    return s;
}

/* Transparent pixels not 4-connected to the image border: gaps inside the coverage. */
static inline long testgeo_enclosed_gaps(cairo_surface_t *s)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    unsigned char *seen = calloc((size_t)w * h, 1);
    int *stack = malloc((size_t)w * h * sizeof(int));
    long sp = 0;
#define EMPTY(x, y) (((const unsigned int *)(d + (size_t)(y) * stride))[x] == 0)
#define PUSH(x, y)                                                                             \
    do {                                                                                       \
        if (!seen[(size_t)(y) * w + (x)] && EMPTY(x, y)) {                                     \
            seen[(size_t)(y) * w + (x)] = 1;                                                   \
            stack[sp++] = (y) * w + (x);                                                       \
        }                                                                                      \
    } while (0)
    for (int x = 0; x < w; x++) {
        PUSH(x, 0);
        PUSH(x, h - 1);
    }
    for (int y = 0; y < h; y++) {
        PUSH(0, y);
        PUSH(w - 1, y);
    }
    while (sp > 0) {
        int p = stack[--sp], x = p % w, y = p / w;
        if (x > 0) PUSH(x - 1, y);
        if (x < w - 1) PUSH(x + 1, y);
        if (y > 0) PUSH(x, y - 1);
        if (y < h - 1) PUSH(x, y + 1);
    }
    long gaps = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (EMPTY(x, y) && !seen[(size_t)y * w + x])
                gaps++;
#undef PUSH
#undef EMPTY
    free(seen);
    free(stack);
    return gaps;
}

/* Pixels painted in `ref` together with their whole (2r+1)^2 neighbourhood (so at least
 * r pixels from any boundary of the reference: coast, lake or enclosed sea) but empty
 * in `s`: gaps opened by simplification, which may move boundaries by the tolerance but
 * must never uncover the inside of the coverage. */
static inline long testgeo_gaps_vs(cairo_surface_t *ref, cairo_surface_t *s, int r)
{
    int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
    int st = cairo_image_surface_get_stride(s);
    const unsigned char *a = cairo_image_surface_get_data(ref), *b = cairo_image_surface_get_data(s);
    long gaps = 0;
    for (int y = r; y < h - r; y++)
        for (int x = r; x < w - r; x++) {
            if (((const unsigned int *)(b + (size_t)y * st))[x] != 0)
                continue;
            int inside = 1;
            for (int dy = -r; dy <= r && inside; dy++)
                for (int dx = -r; dx <= r && inside; dx++)
                    inside = ((const unsigned int *)(a + (size_t)(y + dy) * st))[x + dx] != 0;
            gaps += inside;
        }
    return gaps;
}

static inline long testgeo_vertices(const hs_layer *l)
{
    long n = 0;
    for (int i = 0; i < l->nfeat; i++)
        for (int r = 0; r < l->feat[i].nrings; r++)
            n += l->feat[i].rings[r].npts;
    return n;
}

#endif
