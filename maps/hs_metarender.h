/* hs_metarender: renders one metatile (or any EPSG:3857 window) of a choropleth layer
 * into a caller's ARGB32 raster: the single code path behind the tile server
 * (server/hs_routes_tiles.c), `hotspot tiles` (server/hs_cli_tiles.c) and
 * bench/bench_tiles.c, so what is benchmarked is what is served.
 *
 * On top of hs_render_raster_into it only narrows the work: the units that can reach
 * the window are found with the spatial index (hs_sindex) and handed to the renderer
 * as a borrowed sub-layer with the matching slice of the class array, so a z10
 * metatile touches a few hundred communes instead of all of them. Province outlines
 * and labels always get the WHOLE province layer: label placement is global (see
 * hs_render.h), which is what keeps labels whole across tile and metatile edges.
 *
 * No I/O, no allocation kept after the call; layers, indexes and classes are
 * read-only, so any number of threads may render at once (one hs_render_ctx each).
 */
#ifndef HS_METARENDER_H
#define HS_METARENDER_H

#include "hs_err.h"
#include "hs_geom.h"
#include "hs_render.h"
#include "hs_sindex.h"
#include "hs_style.h"
#include "hs_tilemath.h"

/* Margin, in layout px, added around the window before culling: covers the widest
 * stroke the renderer draws (border + key casing) with room to spare. */
#define HS_METARENDER_CULL_PX 32.0

typedef struct hs_metarender_stats {
    int units_drawn; /* units handed to the renderer after culling */
} hs_metarender_stats;

/* Draws `spec` (its units already simplified for this zoom, in EPSG:3857) over the
 * metatile m (buffer included) onto argb (m->width x m->height, stride bytes per row;
 * zero it for a transparent background) at `scale` (m->tile_px / 256: 1, or 2 for
 * @2x). Placement is on the zoom's global pixel grid (hs_render_raster_grid), so
 * neighbouring metatiles rasterise their common area identically. `units_ix` indexes
 * spec->units (NULL = let the renderer scan every unit). `stats` may be NULL. */
int hs_metarender(hs_render_ctx *rc, const hs_map_spec *spec, const hs_sindex *units_ix,
                  const hs_metatile *m, double scale, unsigned char *argb, int stride,
                  hs_metarender_stats *stats, hs_err *err);

#endif
