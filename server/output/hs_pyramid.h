/* hs_pyramid: static XYZ pyramid export (`hotspot tiles ... --out DIR|FILE.mbtiles`).
 *
 * For each zoom minzoom..maxzoom, walks the metatiles (N x N, aligned on multiples of
 * N like the tile server's, clipped at the zoom's edge) that meet the extent, asks the
 * caller to render each one into an ARGB32 raster (buffer included), slices it, encodes
 * every tile inside the extent's tile range to PNG and writes it:
 *   - DIR: DIR.tmp/{z}/{x}/{y}.png, renamed to DIR at the end (atomic publish);
 *   - *.mbtiles: hs_mbtiles (PATH.tmp renamed at the end), deduplicated.
 * Fully transparent tiles are not written by default (XYZ clients treat a 404 as an
 * empty tile, GDAL's XYZ/WMS and MBTiles readers return transparent pixels for missing
 * tiles); uniform tiles (sea, a single fill) are encoded once per colour and reused.
 * A progress line (tiles done/total, tiles/s, ETA) goes to stderr when it is a terminal.
 */
#ifndef HS_PYRAMID_H
#define HS_PYRAMID_H

#include "hs_err.h"
#include "hs_geom.h"
#include "hs_mbtiles.h"

/* Renders the metatile (z, mx, my) of ntx x nty tiles: `extent3857` is the raster's
 * extent including the buffer, w x h its pixels; argb is zeroed (transparent) on entry,
 * stride bytes per row (cairo_image_surface_create_for_data works on it directly). */
typedef int (*hs_render_metatile_fn)(void *user, int z, int mx, int my, int ntx, int nty,
                                     const hs_bbox *extent3857, int w, int h,
                                     unsigned char *argb, int stride, hs_err *err);

typedef struct hs_pyramid_opts {
    const char *out;      /* directory, or a path ending in .mbtiles */
    int minzoom, maxzoom; /* 0..22 */
    hs_bbox extent;       /* lon/lat; all zero = HS_VN_EXTENT_LONLAT */
    int metatile;         /* 0 = HS_METATILE_DEFAULT (8) */
    int buffer_px;        /* pixels rendered around each metatile (labels, strokes) */
    int tile_px;          /* 0 = 256; 512 for @2x */
    int write_empty;      /* 1: also write fully transparent tiles */
    int overwrite;        /* 1: replace an existing DIR or FILE */
    int progress;         /* -1 = when stderr is a terminal, 0 = never, 1 = always */
    long max_tiles;       /* hard cap on the total; 0 = 2,000,000 */
    hs_mbtiles_meta meta; /* MBTiles metadata (minzoom/maxzoom/bounds filled in) */
} hs_pyramid_opts;

typedef struct hs_pyramid_stats {
    long tiles_total;   /* tiles in range */
    long tiles_written;
    long tiles_empty;   /* transparent, not written */
    long metatiles;
    long png_bytes;
    double seconds;
} hs_pyramid_stats;

/* Number of tiles in range for opts (after defaults), for sizing and the cap. */
long hs_pyramid_count(const hs_pyramid_opts *opts);

int hs_pyramid_export(const hs_pyramid_opts *opts, hs_render_metatile_fn render, void *user,
                      hs_pyramid_stats *stats, hs_err *err);

#endif
