/* hs_cli_tiles: the tile pyramid of one layer, shared by `hotspot tiles` and
 * `hotspot publish` (the release's z0-z9 pyramid), so both take one code path. */
#ifndef HS_CLI_TILES_H
#define HS_CLI_TILES_H

#include <libpq-fe.h>

#include "hs_geostore.h"
#include "hs_pyramid.h"
#include "hs_tilesrc.h"

/* Runs the layer's analysis once (hs_pipeline_run_kind), makes a tile source and
 * exports the pyramid with hs_pyramid_export, each metatile drawn by
 * hs_tilesrc_render. `o` gives out, zooms, tile_px, metatile, flags and
 * meta.name/description/type; the buffer, attribution, version and synthetic flag are
 * filled in here. `stamp` (NULL, or NULL-terminated) is printed in every tile, one
 * text under the other: the internal mark, the synthetic-data note of a release. */
int hs_tiles_export(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                    const hs_tile_req *tr, hs_pyramid_opts *o, const char *const *stamp,
                    hs_pyramid_stats *ps, hs_err *err);

#endif
