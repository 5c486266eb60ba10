/* hs_geom: the prepared geometry that maps/ draws.
 *
 * server/ reads units from PostGIS once (and again when the data version changes),
 * fills an hs_layer in lon/lat, and hands it to maps/. maps/ projects it (PROJ),
 * simplifies shared boundaries once for both sides, indexes it, and from then on
 * treats it as read-only: many render threads may share one layer.
 *
 * A polygon is a list of rings; ring 0 of each part is the exterior. Coordinates are
 * stored flat: x0 y0 x1 y1 ... Rings are closed implicitly (the last vertex is not a
 * repeat of the first).
 */
#ifndef HS_GEOM_H
#define HS_GEOM_H

#include <stddef.h>

#include "hs_err.h"

typedef struct hs_bbox {
    double minx, miny, maxx, maxy;
} hs_bbox;

/* Grows `a` to cover `b`. An empty box (maxx < minx, or NaN) is the identity on
 * either side, so a union can start from {1, 1, 0, 0} or an empty layer's box. */
void hs_bbox_union(hs_bbox *a, const hs_bbox *b);

typedef struct hs_ring {
    int npts;
    double *xy; /* 2 * npts doubles */
} hs_ring;

/* One feature: a multipolygon (or multilinestring for border lines), with
 * a label anchor computed from the whole geometry (so tiles never cut labels). */
typedef struct hs_feature {
    char *code;      /* unit code, NFC UTF-8 */
    char *name;      /* display name, NFC UTF-8 */
    int nparts;      /* polygons */
    int *part_rings; /* rings per part */
    int nrings;      /* total rings */
    hs_ring *rings;  /* all rings, part by part */
    double label_x, label_y;
    hs_bbox bbox;
    int flags; /* HS_FEAT_* */
} hs_feature;

enum {
    HS_FEAT_KEY_COMMUNE = 1 << 0,
    HS_FEAT_BORDER_PROVINCE = 1 << 1,
    HS_FEAT_ISLAND = 1 << 2
};

typedef enum {
    HS_LAYER_POLYGON = 0,
    HS_LAYER_LINE = 1
} hs_layer_kind;

typedef struct hs_layer {
    hs_layer_kind kind;
    int nfeat;
    hs_feature *feat;
    hs_bbox bbox;
} hs_layer;

/* Allocation helpers: the layer owns all features, rings and strings. */
hs_layer *hs_layer_new(hs_layer_kind kind, int nfeat_cap, hs_err *err);
void hs_layer_free(hs_layer *l);
void hs_layer_update_bbox(hs_layer *l);

#endif
