/* hs_render: HOW a map is drawn (cairo + Pango), into PNG/SVG/PDF bytes or raw
 * ARGB pixels for tiles. No I/O: output goes to a caller-owned hs_buf.
 *
 * Threads: an hs_render_ctx owns a Pango font map and context. One ctx belongs to
 * one thread (Pango font maps are not thread-safe); create one per worker thread at
 * start-up and reuse it for every render on that thread. Layers and specs are
 * read-only and may be shared by all threads.
 *
 * Units: page layouts are in "layout px" = 1/96 inch (CSS px). PNG output is
 * rasterised at `scale` device px per layout px (dpi / 96); PDF and SVG use
 * points (0.75 pt per layout px). Fonts: "Noto Sans" (Debian fonts-noto-core).
 */
#ifndef HS_RENDER_H
#define HS_RENDER_H

#include "hs_buf.h"
#include "hs_err.h"
#include "hs_geom.h"
#include "hs_style.h"

/* Hard cap on raster size (device pixels), checked before any allocation. */
#define HS_RENDER_MAX_PIXELS 100000000L

typedef struct hs_render_ctx hs_render_ctx;

/* Creates a per-thread rendering context. Free with hs_render_ctx_free. */
hs_render_ctx *hs_render_ctx_new(hs_err *err);
void hs_render_ctx_free(hs_render_ctx *ctx);

typedef enum {
    HS_FORMAT_PNG = 0,
    HS_FORMAT_SVG = 1,
    HS_FORMAT_PDF = 2
} hs_format;

/* "png" | "svg" | "pdf" */
int hs_format_parse(const char *s, hs_format *out, hs_err *err);

typedef struct hs_page {
    double width, height; /* layout px (1/96 in) */
    double scale;         /* PNG device px per layout px (1 = 96 dpi, 3.125 = 300 dpi) */
} hs_page;

/* Paper presets: "a4-portrait", "a4-landscape", "a3-portrait", "a3-landscape".
 * dpi (72..600) sets the PNG scale (dpi/96); vector outputs keep the paper size. */
int hs_page_paper(const char *name, double dpi, hs_page *out, hs_err *err);
/* A w x h layout-px page rendered at `scale` (PNG: w*scale x h*scale pixels).
 * Checks the pixel cap (HS_ELIMIT) and bounds (w, h 16..20000, scale 0.25..8). */
int hs_page_pixels(int w, int h, double scale, hs_page *out, hs_err *err);

/* Renders a full map with furniture (title, legend, scale bar, north arrow, source,
 * time, watermark, inset) of `extent` (projected bbox; NULL = spec->units bbox) onto
 * `page`, encoded as `fmt`, appended to `out` (caller-initialised hs_buf; its limit
 * caps the encoded size -> HS_ELIMIT). PDF keeps text as text (searchable, with
 * ToUnicode maps); SVG from cairo draws glyphs as outlines, so an invisible <text>
 * layer with every string at its position is added (see docs/maps.md). */
int hs_render_map(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *extent,
                  const hs_page *page, hs_format fmt, hs_buf *out, hs_err *err);

/* Tile mode: draws `extent` (projected bbox, typically a metatile plus buffer)
 * onto a w x h premultiplied ARGB32 raster (cairo native byte order) with no
 * furniture. `scale` multiplies line widths and font sizes (2 for @2x tiles).
 * Province labels are placed by a greedy collision pass over ALL labels of the
 * layer at this map scale, so the decision does not depend on which tile is being
 * drawn: adjacent metatiles agree and labels are never cut at tile edges as long as
 * the caller's buffer is at least half the longest label (see docs/maps.md).
 * On success *argb is malloc'ed (caller frees with free()), *stride = bytes/row. */
int hs_render_raster(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *extent, int w,
                     int h, double scale, unsigned char **argb, int *stride, hs_err *err);
/* The same into a caller-owned raster (w x h ARGB32, `stride` bytes per row, at least
 * cairo_format_stride_for_width), drawn over what it holds: zero it first for a
 * transparent background. Lets a metatile exporter render straight into its buffer. */
int hs_render_raster_into(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *extent,
                          int w, int h, double scale, unsigned char *argb, int stride,
                          hs_err *err);

/* Tile-grid placement for hs_render_raster_grid: map point (x, y) is drawn at layout px
 * ((x - origin_x) * ppu - off_x, (origin_y - y) * ppu - off_y). With a fixed origin and
 * ppu per zoom (e.g. the EPSG:3857 world corner and 256 * 2^z / world width) and
 * whole-pixel offsets, a map point gets bit-identical coordinates in every raster of
 * the grid, so two metatiles rasterise the area they share identically (fitting each
 * metatile's extent instead rounds differently in the last bits: stray 1-8 level
 * anti-aliasing differences where metatiles meet). */
typedef struct hs_raster_grid {
    double origin_x, origin_y; /* map units */
    double ppu;                /* layout px per map unit */
    double off_x, off_y;       /* the raster's top-left, layout px from the origin (whole device px) */
} hs_raster_grid;
int hs_render_raster_grid(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_raster_grid *grid,
                          int w, int h, double scale, unsigned char *argb, int stride,
                          hs_err *err);


#endif
