/* hs_chart: bar charts with Cairo (see hs_chart.h). Cairo's simple text API is
 * enough here: short labels, one font, UTF-8 through fontconfig. */
#include "hs_chart.h"

#include "hs_cairolib.h"
#include <math.h>
#include <stdio.h>

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int len)
{
    hs_err e = {0};
    return hs_buf_append(closure, data, len, &e) == 0 ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

/* 12345 -> "12.345" (Vietnamese grouping). */
static void vn_number(double v, char *buf, size_t n)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%.0f", v);
    size_t len = 0, digits = 0;
    for (const char *p = raw; *p; p++)
        digits += *p >= '0' && *p <= '9';
    for (const char *p = raw; *p && len + 2 < n; p++) {
        buf[len++] = *p;
        if (*p >= '0' && *p <= '9' && --digits > 0 && digits % 3 == 0)
            buf[len++] = '.';
    }
    buf[len] = 0;
}

static double nice_step(double max)
{
    double raw = max / 5, p = pow(10, floor(log10(raw > 0 ? raw : 1)));
    double m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static int check_size(const hs_chart_bars *c, hs_err *err)
{
    if (c->n < 1 || c->n > 400 || c->width < 200 || c->width > 4000 || c->height < 150 ||
        c->height > 4000)
        return hs_err_set(err, HS_ELIMIT, "chart of %d bars, %dx%d px is out of range", c->n,
                          c->width, c->height);
    return HS_OK;
}

static void shade_bar(cairo_t *cr, double x, double y, double w, double h)
{
    cairo_set_source_rgb(cr, 1.0, 0.93, 0.80);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
}

int hs_chart_bars_draw(const hs_chart_bars *c, cairo_t *cr, hs_err *err)
{
    int rc = check_size(c, err);
    if (rc < 0)
        return rc;
    cairo_save(cr);
    double W = c->width, H = c->height, L = 80, R = 20, T = 60, B = 70;
    double pw = W - L - R, ph = H - T - B, max = 0;
    for (int i = 0; i < c->n; i++)
        if (isfinite(c->v[i]) && c->v[i] > max)
            max = c->v[i];
    double step = nice_step(max), top = step * ceil((max > 0 ? max : 1) / step);
    /* A rectangle, not cairo_paint: on a shared page only the chart's box is ours. */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, W, H);
    cairo_fill(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    double bw = pw / c->n;
    if (c->shade_from >= 0 && c->shade_to >= c->shade_from && c->shade_to < c->n)
        shade_bar(cr, L + bw * c->shade_from, T, bw * (c->shade_to - c->shade_from + 1), ph);
    for (int i = 0; c->shade_mask && i < c->n; i++)
        if (c->shade_mask[i])
            shade_bar(cr, L + bw * i, T, bw, ph);
    cairo_set_font_size(cr, 13);
    char buf[64];
    for (double y = 0; y <= top + 1e-9; y += step) {
        double py = T + ph - y / top * ph;
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_move_to(cr, L, py);
        cairo_line_to(cr, L + pw, py);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        vn_number(y, buf, sizeof buf);
        cairo_text_extents_t te;
        cairo_text_extents(cr, buf, &te);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, L - 8 - te.x_advance, py + 4);
        cairo_show_text(cr, buf);
    }
    for (int i = 0; i < c->n; i++) {
        double x0 = L + bw * i + bw * 0.15, w = bw * 0.7;
        if (isfinite(c->v[i])) {
            double h = c->v[i] / top * ph;
            if (c->bar_rgb)
                cairo_set_source_rgb(cr, (c->bar_rgb >> 16 & 255) / 255.0,
                                     (c->bar_rgb >> 8 & 255) / 255.0, (c->bar_rgb & 255) / 255.0);
            else
                cairo_set_source_rgb(cr, 0.70, 0.15, 0.15);
            cairo_rectangle(cr, x0, T + ph - h, w, h);
            cairo_fill(cr);
        } else if (c->hidden_label) {
            cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
            cairo_move_to(cr, x0, T + ph - 6);
            cairo_show_text(cr, c->hidden_label);
        }
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_text_extents_t te;
        cairo_text_extents(cr, c->label[i], &te);
        cairo_move_to(cr, L + bw * (i + 0.5) - te.x_advance / 2, T + ph + 18);
        cairo_show_text(cr, c->label[i]);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 18);
    cairo_move_to(cr, L, 32);
    cairo_show_text(cr, c->title ? c->title : "");
    cairo_set_font_size(cr, 13);
    if (c->y_label) {
        cairo_move_to(cr, L, T - 8);
        cairo_show_text(cr, c->y_label);
    }
    if (c->note) {
        cairo_set_source_rgb(cr, 0.75, 0.1, 0.1);
        cairo_move_to(cr, L, H - 20);
        cairo_show_text(cr, c->note);
    }
    if (c->mark) {
        cairo_set_source_rgba(cr, 0.8, 0, 0, 0.35);
        cairo_set_font_size(cr, 40);
        cairo_text_extents_t te;
        cairo_text_extents(cr, c->mark, &te);
        cairo_move_to(cr, (W - te.x_advance) / 2, H / 2);
        cairo_show_text(cr, c->mark);
    }
    cairo_restore(cr);
    cairo_status_t st = cairo_status(cr);
    return st == CAIRO_STATUS_SUCCESS
               ? HS_OK
               : hs_err_set(err, HS_ERENDER, "chart: %s", cairo_status_to_string(st));
}

int hs_chart_bars_png(const hs_chart_bars *c, hs_buf *out, hs_err *err)
{
    int rc = check_size(c, err);
    if (rc < 0)
        return rc;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, c->width, c->height);
    cairo_t *cr = cairo_create(s);
    rc = hs_chart_bars_draw(c, cr, err);
    cairo_destroy(cr);
    if (rc < 0) {
        cairo_surface_destroy(s);
        return rc;
    }
    cairo_status_t st = cairo_surface_write_to_png_stream(s, sink, out);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS ? HS_OK
                                      : hs_err_set(err, HS_ERENDER, "chart PNG: %s",
                                                   cairo_status_to_string(st));
}
