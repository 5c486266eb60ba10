/* hs_chart_multiples: release charts made of several panels (pure: no I/O).
 *
 * Two kinds, both drawn with Cairo in the style of hs_chart (DejaVu Sans, the
 * release's dark red bars, Vietnamese number format on every tick):
 *   - hs_chart_multiples: small multiples, a grid of panels (one per province) that
 *     share the category axis (quarters) and one y scale, so that panels compare;
 *   - hs_chart_hbars: horizontal bars, one row per category (province names stay
 *     readable) and one panel per indicator (cases | outreach events), each panel with
 *     its own scale.
 * Every value is a published figure: `v` holds what may be drawn (NAN for a withheld
 * figure: no bar) and `text` the published text of the same figure ("12", "<5",
 * "x"), printed next to the bar, so the image shows exactly what data.csv holds.
 * `mark` (internal releases) is printed large across every panel, `note` (synthetic
 * data) as a diagonal watermark and a red footer line. The PNG is appended to out. */
#ifndef HS_CHART_MULTIPLES_H
#define HS_CHART_MULTIPLES_H

#include "hs_buf.h"
#include "hs_err.h"

#define HS_CHART_MAX_PANELS 36
#define HS_CHART_MAX_ROWS 80

typedef struct hs_chart_panel {
    const char *title;       /* e.g. the province name */
    const double *v;         /* n values, NAN = withheld (no bar) */
    const char *const *text; /* n published texts, or NULL (then the number itself) */
} hs_chart_panel;

typedef struct hs_chart_multiples {
    int npanels, n, cols; /* panels in a grid of `cols` columns, n bars each */
    const hs_chart_panel *panel;
    const char *const *label; /* n category labels, shared */
    const char *title, *subtitle, *y_label, *mark, *note;
    const char *empty_text; /* printed when npanels == 0 */
    int width, height;
} hs_chart_multiples;

int hs_chart_multiples_png(const hs_chart_multiples *c, hs_buf *out, hs_err *err);

typedef struct hs_chart_hbars {
    int nrows, npanels;
    const char *const *row_label;   /* nrows */
    const char *const *panel_title; /* npanels */
    const double *v;                /* npanels * nrows, panel after panel; NAN = withheld */
    const char *const *text;        /* same layout, or NULL */
    const char *title, *subtitle, *footnote, *mark, *note;
    int width; /* the height follows from nrows */
} hs_chart_hbars;

int hs_chart_hbars_png(const hs_chart_hbars *c, hs_buf *out, hs_err *err);

/* Prints `text` (the internal mark, the synthetic-data note) across every tile of a
 * metatile raster (ARGB32, `buffer_px` margin, ntx x nty tiles of tile_px) at height
 * `yfrac` of each tile, so that each tile cut from it carries the whole text. */
void hs_chart_stamp_tiles(unsigned char *argb, int w, int h, int stride, int buffer_px,
                          int tile_px, int ntx, int nty, const char *text, double yfrac);

#endif
