/* hs_topo: topology-preserving simplification of a coverage (units that share borders).
 *
 * Simplifying each polygon on its own moves a shared border differently on its two
 * sides and opens gaps and slivers between neighbours. hs_topo instead
 *   1. cleans the rings: merges vertices closer than `snap` (PostGIS clipping leaves
 *      near-identical copies) and nodes T-junctions (a vertex of one ring lying within
 *      `snap` of another ring's edge is inserted into that edge: commune cells clipped
 *      separately on each side of a province border have different vertices);
 *   2. orients every exterior ring counter-clockwise and every hole clockwise;
 *   3. finds junctions (vertices with other than two distinct neighbours, line ends,
 *      plus one canonical anchor on rings that have none) and cuts rings into arcs
 *      between junctions; an arc shared by two rings is stored ONCE;
 *   4. ranks every arc vertex once with Douglas-Peucker (the largest tolerance at which
 *      the vertex survives).
 * hs_topo_simplify(tolerance) then rebuilds every ring from its arcs, keeping vertices
 * ranked above the tolerance: both sides of a border get the very same vertices, so
 * the sum over units of their winding numbers at any point equals the winding number
 * of the (simplified) outer boundary; with the nonzero fill rule no point inside the
 * country is left unpainted, whatever the tolerance. See docs/geometry.md.
 *
 * RENDERERS: fill each feature's rings as one path with CAIRO_FILL_RULE_WINDING
 * (nonzero); even-odd filling loses the no-gap guarantee where arcs cross after heavy
 * simplification.
 *
 * No I/O; build once per projected layer, then read-only and shareable by threads.
 */
#ifndef HS_TOPO_H
#define HS_TOPO_H

#include "hs_err.h"
#include "hs_geom.h"

#define HS_TOPO_MAX_VERTICES 50000000

typedef struct hs_topo hs_topo;

typedef struct hs_topo_opts {
    /* Merge/node distance in projected units. 0 = automatic: 1e-9 of the layer's
     * largest side (about 2 mm for Vietnam in metres), far below a pixel and far above
     * floating-point noise from clipping. Negative = no merging or noding. */
    double snap;
} hs_topo_opts;

typedef struct hs_topo_stats {
    long vertices_in;   /* vertices of the input layer */
    long vertices;      /* distinct vertices after cleaning */
    long merged;        /* vertices moved onto a nearby vertex */
    long noded;         /* T-junction vertices inserted into other rings' edges */
    long junctions;
    long arcs;
    long shared_arcs;   /* arcs used by two or more rings */
    long arc_vertices;  /* vertices stored in arcs (shared borders counted once) */
} hs_topo_stats;

/* Builds the topology of a projected polygon (or line) layer. Caller frees with
 * hs_topo_free(). `projected` is not referenced after the call. */
hs_topo *hs_topo_build(const hs_layer *projected, hs_err *err);
hs_topo *hs_topo_build_opts(const hs_layer *projected, const hs_topo_opts *opts, hs_err *err);
void hs_topo_free(hs_topo *t);
void hs_topo_get_stats(const hs_topo *t, hs_topo_stats *out);

/* A new layer (caller frees with hs_layer_free) with the same features (codes, names,
 * flags, label points) and rings rebuilt from arcs simplified to `tolerance`
 * projected units (use about 0.5 x hs_tile_resolution(z, tile_px) for tiles).
 * tolerance 0 returns the cleaned, noded, oriented geometry with every vertex.
 * Rings that collapse (fewer than 3 points or no area) are dropped, and so are rings
 * smaller than the tolerance that share no arc with any other ring (islets), which
 * cannot open a gap. A feature may end up with no rings at all. */
hs_layer *hs_topo_simplify(const hs_topo *t, double tolerance, hs_err *err);

#endif
