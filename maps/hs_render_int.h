/* Internal to maps/ rendering (hs_render.c, hs_furniture.c, hs_text.c, hs_output.c):
 * not part of the public API. Internal names carry the hs__ prefix. */
#ifndef HS_RENDER_INT_H
#define HS_RENDER_INT_H

#include "hs_cairolib.h"

#include "hs_render.h"

struct hs_render_ctx {
    PangoFontMap *fontmap; /* per thread: pango_cairo_font_map_new() */
    PangoContext *pango;
};

/* projected (x, y) -> layout px: px = fx + (x - minx) * ppu, py = fy + (maxy - y) * ppu */
typedef struct hs__xform {
    double ppu, fx, fy, minx, maxy;
} hs__xform;

static inline double hs__px_x(const hs__xform *t, double x)
{
    return t->fx + (x - t->minx) * t->ppu;
}

static inline double hs__px_y(const hs__xform *t, double y)
{
    return t->fy + (t->maxy - y) * t->ppu;
}

/* One string drawn, in device units of the target surface (for the SVG text layer). */
typedef struct hs__text_rec {
    double x, y, size; /* baseline-left position and font size, device units */
    int bold, italic;
    char *text;
} hs__text_rec;

typedef struct hs__draw {
    hs_render_ctx *ctx;
    cairo_t *cr;
    const hs_map_spec *spec;
    int tile_mode;   /* no furniture */
    int vector;      /* PDF/SVG: text must stay text */
    hs__text_rec *texts; /* logged texts (SVG only; NULL otherwise) */
    int ntexts, captexts, log_texts;
    int oom;         /* sticky allocation failure */
    int key_light;   /* key units drawn light (small on the page): the legend follows */
    int cancelled;   /* sticky: spec->cancel was seen set; nothing more is drawn */
} hs__draw;

/* Features drawn between two looks at the cancel flag: a relaxed load is cheap, but a
 * layer of 10,000 communes needs no more than ~40 looks. One cairo fill or stroke (a
 * whole class of units) is not interruptible: that is the granularity. */
#define HS_RENDER_CANCEL_EVERY 256

/* 1 once the render must stop (spec->cancel holds a reason); sticky, so a caller
 * only has to check d->cancelled at the end. */
static inline int hs__stopped(hs__draw *d)
{
    if (!d->cancelled && d->spec && hs_cancel_reason(d->spec->cancel))
        d->cancelled = 1;
    return d->cancelled;
}

/* hs_render.c */
void hs__xform_fit(hs__xform *t, const hs_bbox *ext, double x, double y, double w, double h);
void hs__draw_layers(hs__draw *d, const hs_map_spec *spec, const hs__xform *t, const hs_bbox *ext,
                     int with_labels);
/* Appends the closed rings of every feature of l that meets ext (and has the flag
 * bits `need`) to the current path, after cairo_new_path; returns how many. */
int hs__layer_path(cairo_t *cr, const hs_layer *l, const hs__xform *t, const hs_bbox *ext, int need);
/* hs_labels.c: greedy label placement; obst = nobst rects (x0 y0 x1 y1, layout px) to avoid. */
void hs__draw_labels(hs__draw *d, const hs_map_spec *spec, const hs__xform *t, const hs_bbox *ext,
                     int tile_mode, const double *obst, int nobst);

/* hs_text.c (Pango helpers) */
typedef struct hs__font {
    double size; /* layout px */
    int bold, italic;
} hs__font;
/* Layout for NFC(text) in font f, using the ctx's font map; NULL on failure. */
PangoLayout *hs__layout(hs__draw *d, const char *text, hs__font f);
void hs__layout_size(PangoLayout *l, double *w, double *h);
/* Draws l with its top-left at (x, y) in user units; a halo of width halo_w (0 = none)
 * is stroked from the glyph path first, then the text is shown as real text. */
void hs__show_layout(hs__draw *d, PangoLayout *l, double x, double y, hs_rgba fill, hs_rgba halo,
                     double halo_w);
/* Convenience: lay out, draw at (x, y) aligned by ax (0 left, 0.5 centre, 1 right);
 * returns the height drawn (0 if text is NULL/empty). */
double hs__text(hs__draw *d, const char *text, hs__font f, double x, double y, double ax,
                hs_rgba fill);
void hs__draw_free_texts(hs__draw *d);

/* hs_furniture.c */
/* The synthetic-data mark ("DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"), two bold lines along
 * the diagonal of a W x H page, the font size_frac of the diagonal. */
void hs__draw_watermark(hs__draw *d, double W, double H, double size_frac, hs_rgba fill,
                        hs_rgba halo, double halo_w);
int hs__draw_furniture(hs__draw *d, const hs_map_spec *spec, const hs_bbox *ext, double page_w,
                       double page_h);

#endif
