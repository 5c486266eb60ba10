/* hs_tilemath: the XYZ tile scheme in EPSG:3857 and metatile plumbing.
 *
 * Tiles are the usual "slippy map" XYZ scheme: zoom z has 2^z x 2^z tiles, x grows
 * east and y grows SOUTH from the top-left corner (-20037508.34, +20037508.34).
 * (MBTiles stores y flipped, TMS style; hs_mbtiles does that flip, nothing here does.)
 *
 * Metatiles group N x N tiles (default 8) aligned on multiples of N, clipped at the
 * zoom's edge (z0..z2 have fewer than 8 tiles per side). A metatile is rendered once
 * into one buffer of (ntx*tile_px + 2*buffer) x (nty*tile_px + 2*buffer) pixels, then
 * sliced: every tile of the metatile comes from the same raster, so neighbouring tiles
 * agree pixel for pixel along their shared edge. Across metatile boundaries, the buffer
 * (pixels rendered past the edge and thrown away) makes strokes and labels that cross
 * the edge identical on both sides, as long as they are narrower than the buffer.
 *
 * Pure arithmetic: no allocation except where stated, no I/O, thread-safe.
 */
#ifndef HS_TILEMATH_H
#define HS_TILEMATH_H

#include "hs_err.h"
#include "hs_geom.h"

#define HS_TILE_MAXZOOM 22
#define HS_TILE_PX 256           /* standard tile */
#define HS_TILE_PX_2X 512        /* @2x (retina) tile: same ground extent, twice the pixels */
#define HS_METATILE_DEFAULT 8
#define HS_METATILE_MAX 16
#define HS_TILE_BUFFER_MAX 512   /* pixels */
#define HS_MERC_MAX 20037508.342789244 /* half the EPSG:3857 world width, metres */
#define HS_MERC_MAX_LAT 85.0511287798066

/* Vietnam's extent in lon/lat including Hoàng Sa and Trường Sa (data extent
 * 102.14-116.95 E, 6.95-23.39 N, padded by about 10 km). */
#define HS_VN_EXTENT_LONLAT ((hs_bbox){102.0, 6.8, 117.1, 23.5})

/* Checks z in 0..22 and x, y in 0..2^z-1. The message names the bad value and the
 * allowed range ("tile x=300 is outside 0..255 at zoom 8"). */
int hs_tile_check(int z, int x, int y, hs_err *err);

/* The tile's extent in EPSG:3857 metres (no validation: call hs_tile_check first). */
hs_bbox hs_tile_bounds(int z, int x, int y);

/* Ground metres per pixel at the equator for a tile_px-wide tile at zoom z (the
 * EPSG:3857 unit per pixel; simplification tolerances are expressed in it). */
double hs_tile_resolution(int z, int tile_px);

/* Spherical Mercator, exact for EPSG:3857 (no PROJ needed). Latitudes are clamped to
 * +-HS_MERC_MAX_LAT. */
void hs_merc_from_lonlat(double lon, double lat, double *x, double *y);
void hs_merc_to_lonlat(double x, double y, double *lon, double *lat);
hs_bbox hs_merc_bbox_from_lonlat(const hs_bbox *lonlat);

/* The inclusive range of tiles [*x0..*x1] x [*y0..*y1] at zoom z that intersect an
 * EPSG:3857 bbox (clamped to the world). Returns 0 when the bbox touches no tile. */
int hs_tile_range(int z, const hs_bbox *merc, int *x0, int *y0, int *x1, int *y1);

/* 1 when tile (z,x,y), grown by buffer_px pixels of a tile_px tile, does not meet
 * `area` (EPSG:3857): the caller can answer with a cheap empty tile. */
int hs_tile_outside(int z, int x, int y, int tile_px, int buffer_px, const hs_bbox *area);

typedef struct hs_metatile {
    int z;
    int mx, my;       /* metatile index: tiles x0 = mx*n, y0 = my*n */
    int n;            /* metatile size in tiles (before clipping) */
    int x0, y0;       /* first tile */
    int ntx, nty;     /* tiles across and down after clipping at the zoom's edge */
    int tile_px;      /* 256 or 512 */
    int buffer_px;    /* rendered margin on every side */
    int width, height;/* raster size = nt*tile_px + 2*buffer_px */
    hs_bbox extent;   /* EPSG:3857 extent of the whole raster, buffer included */
} hs_metatile;

/* The metatile containing tile (z,x,y). n in 1..HS_METATILE_MAX, tile_px 256 or 512,
 * buffer_px in 0..HS_TILE_BUFFER_MAX. */
int hs_metatile_for_tile(int z, int x, int y, int n, int tile_px, int buffer_px,
                         hs_metatile *out, hs_err *err);
/* The metatile with index (mx,my) at zoom z. */
int hs_metatile_at(int z, int mx, int my, int n, int tile_px, int buffer_px,
                   hs_metatile *out, hs_err *err);

/* Copies tile (x,y) (absolute tile indices, inside the metatile) out of the metatile's
 * ARGB32 raster `src` (stride in bytes) into `dst` (tile_px*tile_px pixels, dst_stride
 * bytes per row). */
int hs_metatile_slice(const hs_metatile *m, const unsigned char *src, int src_stride, int x,
                      int y, unsigned char *dst, int dst_stride, hs_err *err);

/* 1 when every pixel of the w x h ARGB32 image is the same 32-bit value; stores it. */
int hs_argb_uniform(const unsigned char *p, int w, int h, int stride, unsigned int *value);

#endif
