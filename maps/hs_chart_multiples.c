/* hs_chart_multiples: small multiples and paired horizontal bars (hs_chart_multiples.h).
 * Cairo's toy text API as in hs_chart.c: short labels, one font, UTF-8 through
 * fontconfig; DejaVu Sans has every Vietnamese glyph. */
#include "hs_chart_multiples.h"

#include "hs_cairolib.h"
#include <math.h>
#include <stdio.h>

#include "hs_text.h"

#define BAR_R 0.70
#define BAR_G 0.15
#define BAR_B 0.15

static cairo_status_t sink(void *closure, const unsigned char *data, unsigned int len)
{
    hs_err e = {0};
    return hs_buf_append(closure, data, len, &e) == 0 ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

/* A round tick step giving about `ticks` intervals up to max, and the axis top. */
static double axis(double max, int ticks, double *top)
{
    double raw = (max > 0 ? max : 1) / ticks, p = pow(10, floor(log10(raw)));
    double m = raw / p, step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
    if (step < 1)
        step = 1; /* counts: no fractional ticks */
    *top = step * ceil((max > 0 ? max : 1) / step);
    return step;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double align)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    cairo_move_to(cr, x - align * te.x_advance, y);
    cairo_show_text(cr, s);
}

static double text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t te;
    cairo_text_extents(cr, s, &te);
    return te.x_advance;
}

/* Synthetic watermark (diagonal, light), footer note, internal mark (large, centred). */
static void furniture(cairo_t *cr, double W, double H, const char *mark, const char *note)
{
    if (note) {
        cairo_save(cr);
        cairo_set_source_rgba(cr, 0.6, 0.6, 0.6, 0.18);
        cairo_set_font_size(cr, fmin(W, H) / 14);
        cairo_translate(cr, W / 2, H / 2);
        cairo_rotate(cr, -atan2(H, W));
        text_at(cr, 0, 0, note, 0.5);
        cairo_restore(cr);
        cairo_set_source_rgb(cr, 0.75, 0.1, 0.1);
        cairo_set_font_size(cr, 13);
        text_at(cr, 20, H - 14, note, 0);
    }
    if (mark) {
        cairo_set_source_rgba(cr, 0.8, 0, 0, 0.35);
        cairo_set_font_size(cr, fmin(40, W / 22));
        text_at(cr, W / 2, H / 2, mark, 0.5);
        cairo_set_source_rgb(cr, 0.8, 0, 0);
        cairo_set_font_size(cr, 15);
        text_at(cr, W - 20, 24, mark, 1); /* also in a corner, readable on a crop */
    }
}

static int finish(cairo_surface_t *s, cairo_t *cr, hs_buf *out, hs_err *err)
{
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(s, sink, out);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS
               ? HS_OK
               : hs_err_set(err, HS_ERENDER, "chart PNG: %s", cairo_status_to_string(st));
}

static cairo_t *start(int w, int h, cairo_surface_t **s, const char *title, const char *subtitle)
{
    *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(*s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, 18);
    text_at(cr, 20, 32, title ? title : "", 0);
    if (subtitle) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        cairo_set_font_size(cr, 13);
        text_at(cr, 20, 52, subtitle, 0);
    }
    return cr;
}

static const char *cell_text(const char *const *text, int k, double v, char *buf, size_t n)
{
    if (text && text[k])
        return text[k];
    hs_text_format_number(v, 0, buf, n);
    return buf;
}

/* ---- small multiples ----------------------------------------------------------------- */

int hs_chart_multiples_png(const hs_chart_multiples *c, hs_buf *out, hs_err *err)
{
    if (c->npanels < 0 || c->npanels > HS_CHART_MAX_PANELS || c->n < 1 || c->n > 60 ||
        c->cols < 1 || c->cols > 8 || c->width < 300 || c->width > 4000 || c->height < 200 ||
        c->height > 4000)
        return hs_err_set(err, HS_ELIMIT,
                          "small multiples of %d panels x %d bars, %d columns, %dx%d px is out "
                          "of range", c->npanels, c->n, c->cols, c->width, c->height);
    cairo_surface_t *s;
    cairo_t *cr = start(c->width, c->height, &s, c->title, c->subtitle);
    double W = c->width, H = c->height, top0 = c->subtitle ? 70 : 50, foot = 40;
    if (c->npanels == 0) {
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_font_size(cr, 16);
        text_at(cr, W / 2, H / 2 - 30, c->empty_text ? c->empty_text : "", 0.5);
        furniture(cr, W, H, c->mark, c->note);
        return finish(s, cr, out, err);
    }
    double max = 0;
    for (int p = 0; p < c->npanels; p++)
        for (int i = 0; i < c->n; i++)
            if (isfinite(c->panel[p].v[i]) && c->panel[p].v[i] > max)
                max = c->panel[p].v[i];
    double top, step = axis(max, 3, &top);
    int rows = (c->npanels + c->cols - 1) / c->cols;
    double cw = (W - 20) / c->cols, ch = (H - top0 - foot) / rows;
    char buf[48];
    for (int p = 0; p < c->npanels; p++) {
        double px = 10 + cw * (p % c->cols), py = top0 + ch * (p / c->cols);
        double L = px + 56, R = px + cw - 14, T = py + 28, B = py + ch - 30;
        double pw = R - L, ph = B - T, bw = pw / c->n;
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_font_size(cr, 14);
        text_at(cr, L, py + 18, c->panel[p].title ? c->panel[p].title : "", 0);
        cairo_set_font_size(cr, 11);
        for (double y = 0; y <= top + 1e-9; y += step) {
            double yy = B - y / top * ph;
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_set_line_width(cr, 1);
            cairo_move_to(cr, L, yy);
            cairo_line_to(cr, R, yy);
            cairo_stroke(cr);
            hs_text_format_number(y, 0, buf, sizeof buf);
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
            text_at(cr, L - 6, yy + 4, buf, 1);
        }
        for (int i = 0; i < c->n; i++) {
            double v = c->panel[p].v[i], x0 = L + bw * i + bw * 0.18, w = bw * 0.64;
            const char *t = cell_text(c->panel[p].text, i, v, buf, sizeof buf);
            if (isfinite(v)) {
                double h = v / top * ph;
                cairo_set_source_rgb(cr, BAR_R, BAR_G, BAR_B);
                cairo_rectangle(cr, x0, B - h, w, h);
                cairo_fill(cr);
                cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
                text_at(cr, x0 + w / 2, B - h - 4, t, 0.5);
            } else {
                cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
                text_at(cr, x0 + w / 2, B - 5, t, 0.5);
            }
            cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
            text_at(cr, L + bw * (i + 0.5), B + 15, c->label[i], 0.5);
        }
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_move_to(cr, L, B);
        cairo_line_to(cr, R, B);
        cairo_stroke(cr);
    }
    if (c->y_label) {
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_font_size(cr, 12);
        text_at(cr, W - 20, H - 14, c->y_label, 1);
    }
    furniture(cr, W, H, c->mark, c->note);
    return finish(s, cr, out, err);
}

/* ---- paired horizontal bars ------------------------------------------------------------ */

int hs_chart_hbars_png(const hs_chart_hbars *c, hs_buf *out, hs_err *err)
{
    if (c->nrows < 0 || c->nrows > HS_CHART_MAX_ROWS || c->npanels < 1 || c->npanels > 4 ||
        c->width < 400 || c->width > 4000)
        return hs_err_set(err, HS_ELIMIT, "bar chart of %d rows x %d panels, %d px wide is out of "
                          "range", c->nrows, c->npanels, c->width);
    double rowh = 24, T = c->subtitle ? 100 : 80, foot = c->footnote ? 62 : 44;
    int H = (int)(T + rowh * (c->nrows > 0 ? c->nrows : 1) + foot + 20);
    double W = c->width;
    cairo_surface_t *s;
    cairo_t *cr = start(c->width, H, &s, c->title, c->subtitle);
    cairo_set_font_size(cr, 13);
    double lw = 0;
    for (int r = 0; r < c->nrows; r++)
        lw = fmax(lw, text_w(cr, c->row_label[r] ? c->row_label[r] : ""));
    double L0 = 20 + lw + 12, gap = 36, pw = (W - L0 - 20 - gap * (c->npanels - 1)) / c->npanels;
    double B = T + rowh * c->nrows;
    char buf[48];
    for (int r = 0; r < c->nrows; r++) {
        if (r % 2) {
            cairo_set_source_rgb(cr, 0.965, 0.965, 0.965);
            cairo_rectangle(cr, 16, T + rowh * r, W - 32, rowh);
            cairo_fill(cr);
        }
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_font_size(cr, 13);
        text_at(cr, L0 - 10, T + rowh * r + rowh * 0.68, c->row_label[r] ? c->row_label[r] : "", 1);
    }
    for (int p = 0; p < c->npanels; p++) {
        const double *v = c->v + (size_t)p * c->nrows;
        double max = 0, top;
        for (int r = 0; r < c->nrows; r++)
            if (isfinite(v[r]) && v[r] > max)
                max = v[r];
        double step = axis(max, 4, &top), L = L0 + p * (pw + gap), tw = pw - 40;
        if (max <= 0)
            step = 2 * top; /* nothing drawable (all withheld): the 0 tick only */
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_font_size(cr, 14);
        text_at(cr, L, T - 24, c->panel_title[p] ? c->panel_title[p] : "", 0);
        cairo_set_font_size(cr, 11);
        for (double x = 0; x <= top + 1e-9; x += step) {
            double xx = L + x / top * tw;
            cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
            cairo_set_line_width(cr, 1);
            cairo_move_to(cr, xx, T - 4);
            cairo_line_to(cr, xx, B);
            cairo_stroke(cr);
            hs_text_format_number(x, 0, buf, sizeof buf);
            cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
            text_at(cr, xx, B + 15, buf, 0.5);
        }
        cairo_set_font_size(cr, 12);
        for (int r = 0; r < c->nrows; r++) {
            double y = T + rowh * r, bh = rowh * 0.62;
            const char *t = cell_text(c->text ? c->text + (size_t)p * c->nrows : NULL, r, v[r], buf,
                                      sizeof buf);
            double w = isfinite(v[r]) ? v[r] / top * tw : 0;
            if (w > 0) {
                if (p == 0)
                    cairo_set_source_rgb(cr, BAR_R, BAR_G, BAR_B);
                else
                    cairo_set_source_rgb(cr, 0.16, 0.42, 0.62); /* outreach: the map's blue */
                cairo_rectangle(cr, L, y + (rowh - bh) / 2, w, bh);
                cairo_fill(cr);
            }
            cairo_set_source_rgb(cr, isfinite(v[r]) ? 0.15 : 0.45, isfinite(v[r]) ? 0.15 : 0.45,
                                 isfinite(v[r]) ? 0.15 : 0.45);
            text_at(cr, L + w + 4, y + rowh * 0.68, t, 0);
        }
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_move_to(cr, L, T - 4);
        cairo_line_to(cr, L, B);
        cairo_stroke(cr);
    }
    if (c->footnote) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        cairo_set_font_size(cr, 12);
        text_at(cr, 20, B + 38, c->footnote, 0);
    }
    furniture(cr, W, H, c->mark, c->note);
    return finish(s, cr, out, err);
}

/* ---- internal mark on tiles --------------------------------------------------------------- */

void hs_chart_stamp_tiles(unsigned char *argb, int w, int h, int stride, int buffer_px,
                          int tile_px, int ntx, int nty, const char *text, double yfrac)
{
    cairo_surface_t *s =
        cairo_image_surface_create_for_data(argb, CAIRO_FORMAT_ARGB32, w, h, stride);
    cairo_t *cr = cairo_create(s);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, tile_px / 18.0);
    double tw = text_w(cr, text);
    if (tw > 0.9 * tile_px) /* the whole text inside each tile */
        cairo_set_font_size(cr, tile_px / 18.0 * 0.9 * tile_px / tw);
    for (int ty = 0; ty < nty; ty++)
        for (int tx = 0; tx < ntx; tx++) {
            double cx = buffer_px + (tx + 0.5) * tile_px, cy = buffer_px + (ty + yfrac) * tile_px;
            cairo_set_source_rgba(cr, 0.8, 0, 0, 0.55);
            text_at(cr, cx, cy, text, 0.5);
        }
    cairo_destroy(cr);
    cairo_surface_flush(s);
    cairo_surface_destroy(s);
}
