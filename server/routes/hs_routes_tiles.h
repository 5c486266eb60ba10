/* hs_routes_tiles: XYZ map tiles over HTTP.
 *
 *   GET /tiles/{layer}/{z}/{x}/{y}.png      256 px
 *   GET /tiles/{layer}/{z}/{x}/{y}@2x.png   512 px, same ground extent
 *   GET /tiles/{layer}.json                 TileJSON 3.0.0
 *
 * layer: base or a map type (hs_tile_layers_help). Query: the analysis window and
 * options of hs_tile_query_names (from, to, indicator, level, ...), `transparent`.
 *
 * A tile comes from its 8x8 metatile (64 px buffer, 128 at @2x): the first request
 * renders the metatile once (concurrent requests for any of its tiles merge on it in
 * hs_cache), slices and encodes its tiles, and every tile is then its own cache entry
 * with an ETag, 304 on If-None-Match and `Cache-Control: public, max-age=300`. The
 * analysis behind a layer runs once per (data version, parameters) (hs_tilesrc).
 * Tiles that cannot touch the data get one shared precomputed PNG. Synthetic data is
 * announced with `X-Data-Notice: synthetic` and in the TileJSON attribution.
 */
#ifndef HS_ROUTES_TILES_H
#define HS_ROUTES_TILES_H

#include "hs_err.h"
#include "hs_routes.h"

/* Registers the three tile routes, drawing from sh->geo (shared with the maps);
 * listed in hs_routes.c. State lives until process exit. */
int hs_routes_tiles_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err);

#endif
