/* hs_chart: small Cairo charts for releases, in the maps' style (pure: no I/O).
 *
 * hs_chart_bars draws one bar per value with category labels, a shaded band over
 * [shade_from, shade_to] (e.g. the July-September campaign) and a title. A value
 * that is not drawable (withheld by disclosure control) is given as NAN and shown
 * as an empty slot labelled by `hidden_label`. Ticks use the Vietnamese thousands
 * separator ("1.234"). The PNG is appended to out. */
#ifndef HS_CHART_H
#define HS_CHART_H

#include "hs_cairolib.h"

#include "hs_buf.h"
#include "hs_err.h"

typedef struct hs_chart_bars {
    int n;
    const double *v;
    const char *const *label; /* n labels */
    int shade_from, shade_to; /* index range, -1 = none */
    const char *title, *y_label, *hidden_label, *mark, *note;
    int width, height;
    /* Optional (zero = as before): n flags, bar i shaded when set, in addition to
     * [shade_from, shade_to] (several campaign seasons on a multi-year axis); the
     * bars' colour as 0xRRGGBB (0 = the default dark red). */
    const unsigned char *shade_mask;
    unsigned bar_rgb;
} hs_chart_bars;

int hs_chart_bars_png(const hs_chart_bars *c, hs_buf *out, hs_err *err);

/* The same chart drawn onto cr (a PDF page, where it stays vector and its text stays
 * text): a c->width x c->height box at the current user-space origin; the caller
 * translates and scales. Paints its white background inside that box only. */
int hs_chart_bars_draw(const hs_chart_bars *c, cairo_t *cr, hs_err *err);

#endif
