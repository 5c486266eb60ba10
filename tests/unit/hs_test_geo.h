/* Test-only helpers shared by test_render.c and test_text.c: load a GeoJSON
 * fixture with jansson into an hs_layer, projected with a simple equirectangular
 * transform scaled by cos(16°) (metres, true scale at 16° N). The maps library
 * itself never reads files. */
#ifndef HS_TEST_GEO_H
#define HS_TEST_GEO_H

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_geom.h"

#define TG_R 6378137.0
#define TG_LAT0 16.0
#define TG_DEG (M_PI / 180.0)

static inline void tg_project(double lon, double lat, double *x, double *y)
{
    *x = TG_R * lon * TG_DEG * cos(TG_LAT0 * TG_DEG);
    *y = TG_R * lat * TG_DEG;
}

static inline double tg_ring_area(const hs_ring *r, double *cx, double *cy)
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

/* Appends the rings of one GeoJSON polygon (array of rings) to f. */
static inline void tg_add_polygon(hs_feature *f, json_t *poly, int closed_input)
{
    size_t nr = json_array_size(poly);
    f->part_rings = realloc(f->part_rings, (size_t)(f->nparts + 1) * sizeof *f->part_rings);
    f->part_rings[f->nparts++] = (int)nr;
    f->rings = realloc(f->rings, (size_t)(f->nrings + (int)nr) * sizeof *f->rings);
    for (size_t r = 0; r < nr; r++) {
        json_t *ring = json_array_get(poly, r);
        int n = (int)json_array_size(ring);
        if (closed_input && n > 1)
            n--; /* GeoJSON repeats the first vertex; hs_ring does not */
        hs_ring *hr = &f->rings[f->nrings++];
        hr->npts = n;
        hr->xy = malloc((size_t)(2 * (n > 0 ? n : 1)) * sizeof(double));
        for (int k = 0; k < n; k++) {
            json_t *pt = json_array_get(ring, (size_t)k);
            tg_project(json_number_value(json_array_get(pt, 0)), json_number_value(json_array_get(pt, 1)),
                       &hr->xy[2 * k], &hr->xy[2 * k + 1]);
        }
    }
}

/* Loads path; name_field/code_field may be NULL. Returns NULL on failure. */
static inline hs_layer *tg_load(const char *path, const char *name_field, const char *code_field)
{
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root)
        return NULL;
    json_t *feats = json_object_get(root, "features");
    int n = (int)json_array_size(feats);
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, n, NULL);
    for (int i = 0; i < n; i++) {
        json_t *jf = json_array_get(feats, (size_t)i);
        json_t *props = json_object_get(jf, "properties"), *g = json_object_get(jf, "geometry");
        const char *type = json_string_value(json_object_get(g, "type"));
        json_t *coords = json_object_get(g, "coordinates");
        hs_feature *f = &l->feat[l->nfeat++];
        if (name_field && json_string_value(json_object_get(props, name_field)))
            f->name = strdup(json_string_value(json_object_get(props, name_field)));
        if (code_field && json_string_value(json_object_get(props, code_field)))
            f->code = strdup(json_string_value(json_object_get(props, code_field)));
        if (!strcmp(type, "Polygon")) {
            tg_add_polygon(f, coords, 1);
        } else if (!strcmp(type, "MultiPolygon")) {
            for (size_t p = 0; p < json_array_size(coords); p++)
                tg_add_polygon(f, json_array_get(coords, p), 1);
        } else if (!strcmp(type, "LineString")) {
            json_t *wrap = json_pack("[O]", coords);
            tg_add_polygon(f, wrap, 0);
            json_decref(wrap);
            l->kind = HS_LAYER_LINE;
        } else if (!strcmp(type, "MultiLineString")) {
            tg_add_polygon(f, coords, 0);
            l->kind = HS_LAYER_LINE;
        }
        /* label anchor: centroid of the largest exterior ring (the real anchors come
         * from PostGIS/hs_topo; this is good enough for fixtures) */
        double best = -1;
        int ri = 0;
        for (int p = 0; p < f->nparts; p++) {
            double cx = 0, cy = 0, a = tg_ring_area(&f->rings[ri], &cx, &cy);
            if (a > best) {
                best = a;
                f->label_x = cx;
                f->label_y = cy;
            }
            ri += f->part_rings[p];
        }
    }
    json_decref(root);
    hs_layer_update_bbox(l);
    return l;
}

static inline hs_bbox tg_bbox(double lon0, double lat0, double lon1, double lat1)
{
    hs_bbox b;
    tg_project(lon0, lat0, &b.minx, &b.miny);
    tg_project(lon1, lat1, &b.maxx, &b.maxy);
    return b;
}

#endif
