/* hs_sindex: a static, packed Hilbert R-tree over feature bboxes (the Flatbush layout).
 *
 * Built once per prepared layer (per projection), then read-only: any number of
 * render threads may query one index at the same time. Items are sorted by the
 * Hilbert value of their bbox centre and packed 16 to a node, level by level, so the
 * whole tree is two flat arrays and a query touches only nodes that intersect it.
 */
#ifndef HS_SINDEX_H
#define HS_SINDEX_H

#include "hs_err.h"
#include "hs_geom.h"

#define HS_SINDEX_NODE 16
#define HS_SINDEX_MAX_ITEMS 10000000

typedef struct hs_sindex hs_sindex;

/* Index of n boxes; item i is boxes[i] (the array is copied). Empty boxes (minx >
 * maxx, e.g. a feature with no rings) are stored but never returned. Caller frees
 * with hs_sindex_free(). */
hs_sindex *hs_sindex_build(const hs_bbox *boxes, int n, hs_err *err);
/* Convenience: index a layer's feature bboxes (feature index = item index). */
hs_sindex *hs_sindex_build_layer(const hs_layer *l, hs_err *err);
void hs_sindex_free(hs_sindex *s);
int hs_sindex_count(const hs_sindex *s);

/* Writes the indices of items whose bbox intersects *q (touching counts) into
 * out[0..cap-1] in ascending order (= the layer's draw order) and returns how many.
 * Fails with HS_ELIMIT (and writes nothing useful) when more than cap items match:
 * pass cap >= hs_sindex_count() to never fail. */
int hs_sindex_query(const hs_sindex *s, const hs_bbox *q, int *out, int cap, hs_err *err);

#endif
