/* hs_bulletin_frame: what every page of the bulletin is drawn with (hs_bulletin_int.h):
 * text boxes, rules and swatches, the header band and footer of a page, section
 * headings and the tables. Each draws only when t->draw is set, and returns the height
 * it uses either way, so the pages can measure a block before placing it. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_bulletin_int.h"
#include "hs_period.h"
#include "hs_text.h"

/* Lays out text in font f, wrapped to width w (w <= 0: one line), aligned by `align`
 * (0 left, 1 centre, 2 right: within w, or around x when w <= 0); draws it at (x, y)
 * when `draw`. Returns the height (0 for NULL or empty text). */
double hs__bul_tbox(hs__draw *d, const char *text, hs__font f, double x, double y, double w,
                    int align, hs_rgba col, int draw)
{
    if (!text || !*text)
        return 0;
    PangoLayout *l = hs__layout(d, text, f);
    if (!l)
        return 0;
    if (w > 0) {
        pango_layout_set_width(l, (int)(w * PANGO_SCALE));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(l, align == 1   ? PANGO_ALIGN_CENTER
                                      : align == 2 ? PANGO_ALIGN_RIGHT
                                                   : PANGO_ALIGN_LEFT);
    }
    double tw, th;
    hs__layout_size(l, &tw, &th);
    if (draw) {
        double dx = w > 0 ? 0 : align == 1 ? -tw / 2 : align == 2 ? -tw : 0;
        hs__show_layout(d, l, x + dx, y, col, BUL_NONE, 0);
    }
    g_object_unref(l);
    return th;
}

double hs__bul_text(const hs__bul *t, const char *s, hs__font f, double x, double y, double w,
                    int align, hs_rgba col)
{
    return hs__bul_tbox(t->d, s, f, x, y, w, align, col, t->draw);
}

double hs__bul_text_w(hs__draw *d, const char *s, hs__font f)
{
    PangoLayout *l = s && *s ? hs__layout(d, s, f) : NULL;
    if (!l)
        return 0;
    double tw, th;
    hs__layout_size(l, &tw, &th);
    g_object_unref(l);
    return tw;
}

void hs__bul_num(double v, int dec, char *buf, size_t n)
{
    hs_text_format_number(v, dec, buf, n);
}

/* "07/2025" */
void hs__bul_month(int period, char *buf, size_t n)
{
    snprintf(buf, n, "%02d/%04d", hs_period_month(period), hs_period_year(period));
}

void hs__bul_rule(const hs__bul *t, double x0, double y, double x1, hs_rgba c, double w)
{
    if (!t->draw)
        return;
    cairo_t *cr = t->d->cr;
    cairo_new_path(cr);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    hs_rgba_set_source(cr, c);
    cairo_set_line_width(cr, w);
    cairo_stroke(cr);
}

void hs__bul_fill_rect(const hs__bul *t, double x, double y, double w, double h, hs_rgba c)
{
    if (!t->draw)
        return;
    cairo_t *cr = t->d->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, c);
    cairo_fill(cr);
}

/* A class swatch: fill and outline as on the map (NULL: an empty box). */
void hs__bul_swatch(const hs__bul *t, const hs_class_style *c, double x, double y, double w,
                    double h)
{
    if (!t->draw)
        return;
    cairo_t *cr = t->d->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, c && c->fill.a ? c->fill : BUL_WHITE);
    cairo_fill_preserve(cr);
    hs_rgba_set_source(cr, c && c->outline.a ? c->outline : BUL_GREY);
    cairo_set_line_width(cr, c && c->outline.a ? 1.2 : 0.6);
    cairo_stroke(cr);
}

/* "Tỉnh Nghệ An", but "TP Hà Nội": centrally run cities carry "TP" in their name. */
void hs__bul_province_title(const hs_bulletin *b, char *buf, size_t n)
{
    const char *name = b->province_name;
    snprintf(buf, n, "%s%s",
             strncmp(name, "TP ", 3) && strncmp(name, "Thành phố ", 13) ? "Tỉnh " : "", name);
}

const char *hs__bul_class_label(const hs__bul *t, int k)
{
    return k >= 0 && k < BUL_NCLS ? t->cs[k].label : "Không có xã lân cận (isolated)";
}

const hs_class_style *hs__bul_class_style(const hs__bul *t, int k)
{
    return k >= 0 && k < BUL_NCLS ? &t->cs[k] : NULL;
}

/* ---- page frame ------------------------------------------------------------------ */

/* Header band: the mark on the left, province and period on the right. Returns the
 * top of the content area. */
double hs__bul_page_head(const hs__bul *t)
{
    const hs_bulletin *b = t->b;
    if (t->draw) {
        hs_rgba_set_source(t->d->cr, BUL_WHITE);
        cairo_paint(t->d->cr);
    }
    hs__bul_fill_rect(t, BUL_M, BUL_M, BUL_CW, BUL_BAND_H, BUL_MARK);
    hs__font f = {10.5, 1, 0};
    double ty = BUL_M + (BUL_BAND_H - hs__bul_tbox(t->d, "Ag", f, 0, 0, 0, 0, BUL_WHITE, 0)) / 2;
    if (b->mark)
        hs__bul_text(t, b->mark, f, BUL_M + 8, ty, 0, 0, BUL_WHITE);
    char s[256], pt[160];
    hs__bul_province_title(b, pt, sizeof pt);
    snprintf(s, sizeof s, "Bản tin · %s · %s", pt, b->period);
    hs__bul_text(t, s, (hs__font){10, 0, 0}, BUL_PW - BUL_M - 8, ty, 0, 2, BUL_WHITE);
    return BUL_M + BUL_BAND_H + 14;
}

/* Footer: data version and time, the mark, the page number; the synthetic line and
 * watermark last, over everything. */
void hs__bul_page_foot(const hs__bul *t, int page)
{
    const hs_bulletin *b = t->b;
    double y = BUL_PH - BUL_M - BUL_FOOT_H;
    hs__bul_rule(t, BUL_M, y, BUL_PW - BUL_M, BUL_RULE, 0.8);
    hs__font f = {8.5, 0, 0};
    char s[256];
    snprintf(s, sizeof s, "Hotspot138 · phiên bản dữ liệu (data version) %lld · tạo lúc %s",
             b->data_version, b->generated_at ? b->generated_at : "");
    double lw = hs__bul_text_w(t->d, s, f);
    hs__bul_text(t, s, f, BUL_M, y + 5, 0, 0, BUL_GREY);
    snprintf(s, sizeof s, "Trang %d/%d", page, t->npages);
    double pw = hs__bul_text_w(t->d, s, f);
    hs__bul_text(t, s, f, BUL_PW - BUL_M, y + 5, 0, 2, BUL_GREY);
    /* The mark centred in the space between the two. */
    if (b->mark)
        hs__bul_text(t, b->mark, (hs__font){8.5, 1, 0}, 0.5 * (BUL_M + lw + BUL_PW - BUL_M - pw),
                     y + 5, 0, 1, BUL_MARK);
    if (b->synthetic) {
        hs__bul_text(
            t, "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA – không phản ánh số liệu thực tế (not real data)",
            (hs__font){9, 1, 0}, BUL_M, y + 18, 0, 0, hs_rgb(0xb00000));
        if (t->draw)
            hs__draw_watermark(t->d, BUL_PW, BUL_PH, 0.05, hs_rgba_make(0xc00000, 34), BUL_NONE, 0);
    }
    if (t->draw)
        cairo_show_page(t->d->cr);
}

/* Section heading with a rule under it; returns the height used. */
double hs__bul_heading(const hs__bul *t, const char *vi, const char *en, double y)
{
    hs__font fv = {14, 1, 0}, fe = {10, 0, 1};
    double h = hs__bul_text(t, vi, fv, BUL_M, y, 0, 0, BUL_INK);
    if (en) {
        double eh = hs__bul_tbox(t->d, en, fe, 0, 0, 0, 0, BUL_GREY, 0);
        hs__bul_text(t, en, fe, BUL_M + hs__bul_text_w(t->d, vi, fv) + 10, y + h - eh - 1, 0, 0,
                     BUL_GREY);
    }
    hs__bul_rule(t, BUL_M, y + h + 3, BUL_PW - BUL_M, BUL_MARK, 1.2);
    return h + 10;
}

/* ---- tables ---------------------------------------------------------------------- */

void hs__bul_fit_cols(hs__bul_col *c, int nc)
{
    double used = 0;
    for (int k = 0; k < nc; k++)
        used += c[k].w;
    for (int k = 0; k < nc; k++)
        if (c[k].w == 0)
            c[k].w = BUL_CW - used;
}

/* Header row; returns its height. */
double hs__bul_table_head(const hs__bul *t, const hs__bul_col *c, int nc, double y)
{
    hs__font f = {8.5, 1, 0};
    double h = 0, cx = BUL_M;
    for (int k = 0; k < nc; k++) {
        h = fmax(h, hs__bul_text(t, c[k].head, f, cx + 3 + c[k].pad, y + 3, c[k].w - 6 - c[k].pad,
                                 c[k].align, BUL_INK));
        cx += c[k].w;
    }
    hs__bul_rule(t, BUL_M, y + h + 6, cx, BUL_INK, 0.8);
    return h + 8;
}

/* One row of cells (NULL = empty), wrapped to the column widths, with an optional
 * second, smaller grey line per cell (`sub`, may be NULL); returns its height. */
double hs__bul_table_row(const hs__bul *t, const hs__bul_col *c, int nc, const char *const *cell,
                         const char *const *sub, double y, int bold)
{
    hs__font f = {9, bold, 0}, fs = {7.5, 0, 1};
    double h = 0, cx = BUL_M;
    for (int k = 0; k < nc; k++) {
        double x = cx + 3 + c[k].pad, w = c[k].w - 6 - c[k].pad;
        double ch = hs__bul_text(t, cell[k], f, x, y + 3, w, c[k].align, BUL_INK);
        if (sub && sub[k] && *sub[k])
            ch += 1 + hs__bul_text(t, sub[k], fs, x, y + 4 + ch, w, c[k].align, BUL_GREY);
        h = fmax(h, ch);
        cx += c[k].w;
    }
    hs__bul_rule(t, BUL_M, y + h + 6, cx, BUL_RULE, 0.5);
    return h + 6;
}
