/* hs_bulletin: the province bulletin's pages (hs_bulletin.h).
 *
 * One cairo PDF surface, A4 portrait, user units = layout px (1/96 in) scaled to
 * points. Text goes through the maps' Pango helpers (hs_text.c), so it is real text
 * in Noto Sans; the Gi* map is the map renderer's own full-map drawing (legend, scale
 * bar, north arrow) into a frame of page 1, the locator map its layers in a frame of
 * page 2; the charts are hs_chart_bars drawn onto the page. Every block is measured
 * (the same code with drawing off) before it is placed, so nothing overlaps and the
 * page count (3, or 4 when the last sections do not fit one page) is known before
 * the first footer says "Trang 1/N". */
#include "hs_bulletin.h"

#include <cairo-pdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_chart.h"
#include "hs_classify.h"
#include "hs_period.h"
#include "hs_render_int.h"
#include "hs_text.h"

/* A4 in layout px (210 x 297 mm at 96 px per inch) and the page frame. */
#define PW (210.0 / 25.4 * 96.0)
#define PH (297.0 / 25.4 * 96.0)
#define M 44.0
#define BAND_H 24.0
#define FOOT_H 34.0
#define BOTTOM (PH - M - FOOT_H - 10) /* content ends here */
#define CW (PW - 2 * M)               /* content width */
#define NCLS 7                        /* Gi* classes (hs_scheme_gistar_class 0..6) */
#define CHART_W 1000                  /* hs_chart_bars box, scaled to CW on the page */
#define CHART_H 320
#define LOCATOR_MIN_H 260
#define DISC_R 8.5 /* rank discs of the locator map */

static const hs_rgba INK = {0x22, 0x22, 0x22, 255};
static const hs_rgba GREY = {0x66, 0x66, 0x66, 255};
static const hs_rgba RULE = {0xbb, 0xbb, 0xbb, 255};
static const hs_rgba MARK = {0x9b, 0x11, 0x1e, 255};
static const hs_rgba WHITE = {0xff, 0xff, 0xff, 255};
static const hs_rgba NONE = {0, 0, 0, 0};

typedef struct class_sum {
    int units, reached, never;
    double cases, events, pop;
} class_sum;

/* What every block needs; `draw` 0 = measure only. */
typedef struct bt {
    hs__draw *d;
    const hs_bulletin *b;
    const hs_class_style *cs; /* the Gi* scheme, legend order */
    const class_sum *s;       /* by class: 0..NCLS-1, NCLS isolated, NCLS+1 the province */
    int draw, npages;
    double chart_h; /* hs_chart_bars box height, chart units (grows into spare room) */
    hs_err *err;
} bt;

/* ---- drawing primitives ---------------------------------------------------------- */

/* Lays out text in font f, wrapped to width w (w <= 0: one line), aligned by `align`
 * (0 left, 1 centre, 2 right: within w, or around x when w <= 0); draws it at (x, y)
 * when `draw`. Returns the height (0 for NULL or empty text). */
static double tbox(hs__draw *d, const char *text, hs__font f, double x, double y, double w,
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
        hs__show_layout(d, l, x + dx, y, col, NONE, 0);
    }
    g_object_unref(l);
    return th;
}

static double text(const bt *t, const char *s, hs__font f, double x, double y, double w, int align,
                   hs_rgba col)
{
    return tbox(t->d, s, f, x, y, w, align, col, t->draw);
}

static double text_w(hs__draw *d, const char *s, hs__font f)
{
    PangoLayout *l = s && *s ? hs__layout(d, s, f) : NULL;
    if (!l)
        return 0;
    double tw, th;
    hs__layout_size(l, &tw, &th);
    g_object_unref(l);
    return tw;
}

static void num(double v, int dec, char *buf, size_t n)
{
    hs_text_format_number(v, dec, buf, n);
}

/* "07/2025" */
static void month_vi(int period, char *buf, size_t n)
{
    snprintf(buf, n, "%02d/%04d", hs_period_month(period), hs_period_year(period));
}

static void rule(const bt *t, double x0, double y, double x1, hs_rgba c, double w)
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

static void fill_rect(const bt *t, double x, double y, double w, double h, hs_rgba c)
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
static void swatch(const bt *t, const hs_class_style *c, double x, double y, double w, double h)
{
    if (!t->draw)
        return;
    cairo_t *cr = t->d->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, c && c->fill.a ? c->fill : WHITE);
    cairo_fill_preserve(cr);
    hs_rgba_set_source(cr, c && c->outline.a ? c->outline : GREY);
    cairo_set_line_width(cr, c && c->outline.a ? 1.2 : 0.6);
    cairo_stroke(cr);
}

/* "Tỉnh Nghệ An", but "TP Hà Nội": centrally run cities carry "TP" in their name. */
static void province_title(const hs_bulletin *b, char *buf, size_t n)
{
    const char *name = b->province_name;
    snprintf(buf, n, "%s%s", strncmp(name, "TP ", 3) && strncmp(name, "Thành phố ", 13) ? "Tỉnh " : "",
             name);
}

static const char *class_label(const bt *t, int k)
{
    return k >= 0 && k < NCLS ? t->cs[k].label : "Không có xã lân cận (isolated)";
}

static const hs_class_style *class_style(const bt *t, int k)
{
    return k >= 0 && k < NCLS ? &t->cs[k] : NULL;
}

/* ---- page frame ------------------------------------------------------------------ */

/* Header band: the mark on the left, province and period on the right. Returns the
 * top of the content area. */
static double page_head(const bt *t)
{
    const hs_bulletin *b = t->b;
    if (t->draw) {
        hs_rgba_set_source(t->d->cr, WHITE);
        cairo_paint(t->d->cr);
    }
    fill_rect(t, M, M, CW, BAND_H, MARK);
    hs__font f = {10.5, 1, 0};
    double ty = M + (BAND_H - tbox(t->d, "Ag", f, 0, 0, 0, 0, WHITE, 0)) / 2;
    if (b->mark)
        text(t, b->mark, f, M + 8, ty, 0, 0, WHITE);
    char s[256], pt[160];
    province_title(b, pt, sizeof pt);
    snprintf(s, sizeof s, "Bản tin · %s · %s", pt, b->period);
    text(t, s, (hs__font){10, 0, 0}, PW - M - 8, ty, 0, 2, WHITE);
    return M + BAND_H + 14;
}

/* Footer: data version and time, the mark, the page number; the synthetic line and
 * watermark last, over everything. */
static void page_foot(const bt *t, int page)
{
    const hs_bulletin *b = t->b;
    double y = PH - M - FOOT_H;
    rule(t, M, y, PW - M, RULE, 0.8);
    hs__font f = {8.5, 0, 0};
    char s[256];
    snprintf(s, sizeof s, "Hotspot138 · phiên bản dữ liệu (data version) %lld · tạo lúc %s",
             b->data_version, b->generated_at ? b->generated_at : "");
    double lw = text_w(t->d, s, f);
    text(t, s, f, M, y + 5, 0, 0, GREY);
    snprintf(s, sizeof s, "Trang %d/%d", page, t->npages);
    double pw = text_w(t->d, s, f);
    text(t, s, f, PW - M, y + 5, 0, 2, GREY);
    /* The mark centred in the space between the two. */
    if (b->mark)
        text(t, b->mark, (hs__font){8.5, 1, 0}, 0.5 * (M + lw + PW - M - pw), y + 5, 0, 1, MARK);
    if (b->synthetic) {
        text(t, "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA – không phản ánh số liệu thực tế (not real data)",
             (hs__font){9, 1, 0}, M, y + 18, 0, 0, hs_rgb(0xb00000));
        if (t->draw)
            hs__draw_watermark(t->d, PW, PH, 0.05, hs_rgba_make(0xc00000, 34), NONE, 0);
    }
    if (t->draw)
        cairo_show_page(t->d->cr);
}

/* Section heading with a rule under it; returns the height used. */
static double heading(const bt *t, const char *vi, const char *en, double y)
{
    hs__font fv = {14, 1, 0}, fe = {10, 0, 1};
    double h = text(t, vi, fv, M, y, 0, 0, INK);
    if (en) {
        double eh = tbox(t->d, en, fe, 0, 0, 0, 0, GREY, 0);
        text(t, en, fe, M + text_w(t->d, vi, fv) + 10, y + h - eh - 1, 0, 0, GREY);
    }
    rule(t, M, y + h + 3, PW - M, MARK, 1.2);
    return h + 10;
}

/* ---- tables ---------------------------------------------------------------------- */

typedef struct col {
    const char *head;
    double w;    /* 0: the rest of the content width */
    int align;   /* 0 left, 2 right */
    double pad;  /* left indent of the cells (room for a swatch) */
} col;

static void fit_cols(col *c, int nc)
{
    double used = 0;
    for (int k = 0; k < nc; k++)
        used += c[k].w;
    for (int k = 0; k < nc; k++)
        if (c[k].w == 0)
            c[k].w = CW - used;
}

/* Header row; returns its height. */
static double table_head(const bt *t, const col *c, int nc, double y)
{
    hs__font f = {8.5, 1, 0};
    double h = 0, cx = M;
    for (int k = 0; k < nc; k++) {
        h = fmax(h, text(t, c[k].head, f, cx + 3 + c[k].pad, y + 3, c[k].w - 6 - c[k].pad,
                         c[k].align, INK));
        cx += c[k].w;
    }
    rule(t, M, y + h + 6, cx, INK, 0.8);
    return h + 8;
}

/* One row of cells (NULL = empty), wrapped to the column widths, with an optional
 * second, smaller grey line per cell (`sub`, may be NULL); returns its height. */
static double table_row(const bt *t, const col *c, int nc, const char *const *cell,
                        const char *const *sub, double y, int bold)
{
    hs__font f = {9, bold, 0}, fs = {7.5, 0, 1};
    double h = 0, cx = M;
    for (int k = 0; k < nc; k++) {
        double x = cx + 3 + c[k].pad, w = c[k].w - 6 - c[k].pad;
        double ch = text(t, cell[k], f, x, y + 3, w, c[k].align, INK);
        if (sub && sub[k] && *sub[k])
            ch += 1 + text(t, sub[k], fs, x, y + 4 + ch, w, c[k].align, GREY);
        h = fmax(h, ch);
        cx += c[k].w;
    }
    rule(t, M, y + h + 6, cx, RULE, 0.5);
    return h + 6;
}

/* ---- figures by class ------------------------------------------------------------ */

static void sum_by_class(const hs_bulletin *b, class_sum s[NCLS + 2])
{
    memset(s, 0, (NCLS + 2) * sizeof *s);
    for (int i = 0; i < b->n_units; i++) {
        int k = b->gi_class[i] >= 0 && b->gi_class[i] < NCLS ? b->gi_class[i] : NCLS;
        class_sum *r[2] = {&s[k], &s[NCLS + 1]};
        for (int j = 0; j < 2; j++) {
            r[j]->units++;
            r[j]->cases += isfinite(b->cases[i]) ? b->cases[i] : 0;
            r[j]->events += isfinite(b->events[i]) ? b->events[i] : 0;
            r[j]->pop += isfinite(b->population[i]) ? b->population[i] : 0;
            r[j]->reached += b->events[i] > 0;
            r[j]->never += b->months_since[i] < 0;
        }
    }
}

/* ---- page 1: title, key figures, the Gi* map, communes by class ------------------ */

static double key_box(const bt *t, double x, double y, double w, const char *label,
                      const char *value, const char *note)
{
    double h = 8;
    h += text(t, label, (hs__font){8.5, 0, 0}, x + 8, y + h, w - 16, 0, GREY);
    h += 2 + text(t, value, (hs__font){18, 1, 0}, x + 8, y + h + 2, w - 16, 0, INK);
    h += 2 + text(t, note, (hs__font){8, 0, 0}, x + 8, y + h + 2, w - 16, 0, GREY);
    return h + 8;
}

static double key_figures(bt *t, double y)
{
    const hs_bulletin *b = t->b;
    const class_sum *s = t->s, *all = &s[NCLS + 1];
    char v[4][64], n[4][160], a[64], c[64];
    num(all->cases, 0, v[0], sizeof v[0]);
    if (isfinite(b->cases_prev) && b->cases_prev > 0) {
        num(b->cases_prev, 0, a, sizeof a);
        num(100.0 * (all->cases - b->cases_prev) / b->cases_prev, 0, c, sizeof c);
        snprintf(n[0], sizeof n[0], "kỳ trước: %s (%s%s%%)", a, all->cases >= b->cases_prev ? "+" : "",
                 c);
    } else if (isfinite(b->cases_prev)) {
        snprintf(n[0], sizeof n[0], "kỳ trước: 0");
    } else {
        snprintf(n[0], sizeof n[0], "kỳ trước: chưa có số liệu");
    }
    snprintf(v[1], sizeof v[1], "%d / %d", s[0].units + s[1].units + s[2].units, all->units);
    snprintf(n[1], sizeof n[1], "trong đó tin cậy 99%%: %d xã", s[0].units);
    num(all->events, 0, v[2], sizeof v[2]);
    snprintf(n[2], sizeof n[2], "xã được tiếp cận: %d / %d", all->reached, all->units);
    snprintf(v[3], sizeof v[3], "%d", all->units - all->reached);
    snprintf(n[3], sizeof n[3], "chưa từng có hoạt động: %d xã", all->never);
    const char *lab[4] = {"Số vụ trong kỳ (cases)", "Xã điểm nóng Gi* ≥ 90% (hot-spot communes)",
                          "Hoạt động truyền thông (outreach events)",
                          "Xã chưa có truyền thông trong kỳ (not reached)"};
    double gap = 10, w = (CW - 3 * gap) / 4, h = 0;
    int draw = t->draw;
    t->draw = 0;
    for (int k = 0; k < 4; k++)
        h = fmax(h, key_box(t, 0, 0, w, lab[k], v[k], n[k]));
    t->draw = draw;
    for (int k = 0; k < 4; k++) {
        double x = M + k * (w + gap);
        fill_rect(t, x, y, w, h, hs_rgb(0xf4f1ec));
        fill_rect(t, x, y, 3, h, k == 1 ? hs_rgb(0xd62f27) : MARK);
        key_box(t, x, y, w, lab[k], v[k], n[k]);
    }
    return h;
}

/* The renderer's own full map (legend, scale bar, north arrow, labels) in a frame of
 * the page: translated and clipped, its white background paint stops at the frame. */
static int full_map(bt *t, double x, double y, double w, double h)
{
    if (!t->b->map || !t->draw)
        return HS_OK;
    cairo_t *cr = t->d->cr;
    hs_map_spec ms = *t->b->map;
    hs_style_defaults(&ms);
    ms.title = NULL;        /* the section heading names the map */
    ms.synthetic = 0;       /* the page carries the watermark and the footer line */
    ms.generated_at = NULL; /* the footer has the time */
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_new_path(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_clip(cr);
    hs__draw md = *t->d;
    md.spec = &ms;
    int rc = hs__draw_furniture(&md, &ms, &t->b->map_extent, w, h);
    t->d->oom |= md.oom;
    cairo_restore(cr);
    if (rc < 0)
        return hs_err_set(t->err, HS_ERENDER, "bulletin page 1: the map does not fit its %.0fx%.0f frame",
                          w, h);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, RULE);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    return HS_OK;
}

static int page_one(bt *t)
{
    const hs_bulletin *b = t->b;
    const class_sum *s = t->s;
    double y = page_head(t);
    y += text(t, "Bản tin điểm nóng mua bán người", (hs__font){22, 1, 0}, M, y, 0, 0, INK);
    char line[400], f[16], to[16], pt[160];
    month_vi(b->from, f, sizeof f);
    month_vi(b->to, to, sizeof to);
    province_title(b, pt, sizeof pt);
    snprintf(line, sizeof line, "%s (%s) · kỳ %s: %s – %s", pt, b->province_code, b->period, f, to);
    y += 2 + text(t, line, (hs__font){14, 0, 0}, M, y + 2, 0, 0, INK);
    y += 2 + text(t, "Province bulletin: human trafficking hot spots, priorities and outreach "
                     "— for the provincial meeting, internal use only",
                  (hs__font){9.5, 0, 1}, M, y + 2, 0, 0, GREY);
    y += 12;
    y += key_figures(t, y) + 16;
    y += heading(t, "1. Các xã theo lớp điểm nóng", "Communes by hot-spot class (Gi*)", y);

    /* The class table goes under the map: measure it, the map takes the rest. */
    col c[] = {{"Lớp điểm nóng (Gi* class)", 232, 0, 20}, {"Số xã", 52, 2, 0},
               {"Số vụ", 52, 2, 0}, {"Xã có truyền thông", 70, 2, 0}};
    int nc = (int)(sizeof c / sizeof *c);
    double tw = 0;
    for (int k = 0; k < nc; k++)
        tw += c[k].w;
    int draw = t->draw;
    t->draw = 0;
    double table_h = table_head(t, c, nc, 0);
    for (int k = 0; k <= NCLS + 1; k++)
        if (k != NCLS || s[NCLS].units > 0)
            table_h += table_row(t, c, nc, (const char *const[]){class_label(t, k), "1", "1", "1"},
                                 NULL, 0, k == NCLS + 1);
    t->draw = draw;
    double map_h = BOTTOM - y - table_h - 12;
    if (map_h < 250)
        return hs_err_set(t->err, HS_ERENDER, "bulletin page 1: %.0f px left for the map", map_h);
    int rc = full_map(t, M, y, CW, map_h);
    if (rc < 0)
        return rc;
    y += map_h + 12;

    double ty = y + table_head(t, c, nc, y);
    for (int k = 0; k <= NCLS + 1; k++) {
        if (k == NCLS && s[NCLS].units == 0)
            continue;
        char u[32], cs[32], r[48];
        snprintf(u, sizeof u, "%d", s[k].units);
        num(s[k].cases, 0, cs, sizeof cs);
        snprintf(r, sizeof r, "%d", s[k].reached);
        const char *lab = k == NCLS + 1 ? "Toàn tỉnh (province)" : class_label(t, k);
        const char *cell[] = {lab, u, cs, r};
        double h = table_row(t, c, nc, cell, NULL, ty, k == NCLS + 1);
        if (k <= NCLS)
            swatch(t, class_style(t, k), M + 4, ty + 3, 13, h - 8);
        ty += h;
    }
    /* Beside the table: how to read the classes. */
    double nx = M + tw + 18, nw = PW - M - nx, ny = y + 2;
    ny += text(t, "Cách đọc", (hs__font){9.5, 1, 0}, nx, ny, nw, 0, INK) + 3;
    ny += text(t, "Điểm nóng: xã mà cùng các xã giáp ranh có tỷ lệ vụ việc cao hơn hẳn mức chung "
                  "của tỉnh (Getis–Ord Gi*); độ tin cậy 90/95/99% cho biết mức chắc chắn. "
                  "Điểm lạnh: ngược lại. Viền đậm: xã trọng điểm. Số liệu chính xác, nội bộ.",
               (hs__font){8.5, 0, 0}, nx, ny, nw, 0, INK) + 4;
    text(t, "Hot spot: a commune whose neighbourhood has a markedly higher rate than the "
            "province as a whole; cold spot: the reverse. Bold outline: key commune. Exact "
            "internal figures.",
         (hs__font){8, 0, 1}, nx, ny, nw, 0, GREY);
    page_foot(t, 1);
    return HS_OK;
}

/* ---- page 2: the priority list and where the communes are ------------------------ */

/* The priority communes' label points on the map: the feature of the same code. */
static int find_feature(const hs_layer *l, const char *code)
{
    for (int i = 0; l && code && i < l->nfeat; i++)
        if (l->feat[i].code && !strcmp(l->feat[i].code, code))
            return i;
    return -1;
}

/* The map's layers in a frame (no legend: the numbers are the point) with each
 * priority commune's rank in a disc at its label point. */
static void locator_map(bt *t, double x, double y, double w, double h)
{
    const hs_bulletin *b = t->b;
    if (!b->map || !t->draw)
        return;
    cairo_t *cr = t->d->cr;
    hs_map_spec ms = *b->map;
    hs_style_defaults(&ms);
    hs__xform xf;
    hs__xform_fit(&xf, &b->map_extent, x, y, w, h);
    hs_bbox full = {xf.minx - (xf.fx - x) / xf.ppu, xf.maxy - (y + h - xf.fy) / xf.ppu,
                    xf.minx + (x + w - xf.fx) / xf.ppu, xf.maxy + (xf.fy - y) / xf.ppu};
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    cairo_clip(cr);
    hs_rgba_set_source(cr, ms.sea);
    cairo_paint(cr);
    hs__draw md = *t->d;
    md.spec = &ms;
    hs__draw_layers(&md, &ms, &xf, &full, 0); /* no place names: the discs are the labels */
    t->d->oom |= md.oom;
    /* Discs in rank order; one that would cover an earlier disc moves to the nearest
     * free spot around its commune (8 directions, 1 then 2 disc widths away) and
     * keeps a thin leader to it. */
    double pos[HS_BULLETIN_MAX_PRIORITIES][4]; /* disc x, y; commune x, y */
    int placed[HS_BULLETIN_MAX_PRIORITIES] = {0};
    for (int k = 0; k < b->n_priorities; k++) {
        int i = find_feature(ms.units, b->priorities[k].code);
        if (i < 0)
            continue;
        const hs_feature *ft = &ms.units->feat[i];
        double cx = hs__px_x(&xf, ft->label_x), cy = hs__px_y(&xf, ft->label_y);
        double px = cx, py = cy;
        for (int tr = 0; tr <= 16; tr++) {
            if (tr > 0) {
                double a = (tr - 1) % 8 * M_PI / 4, r = (tr <= 8 ? 1 : 2) * 2 * DISC_R + 1;
                px = cx + r * cos(a), py = cy + r * sin(a);
            }
            int clash = 0;
            for (int j = 0; j < k && !clash; j++)
                clash = placed[j] && hypot(px - pos[j][0], py - pos[j][1]) < 2 * DISC_R + 1;
            if (!clash)
                break;
        }
        pos[k][0] = px, pos[k][1] = py, pos[k][2] = cx, pos[k][3] = cy;
        placed[k] = 1;
    }
    hs__font f = {9, 1, 0};
    for (int k = b->n_priorities - 1; k >= 0; k--) { /* rank 1 drawn last, on top */
        if (!placed[k])
            continue;
        double px = pos[k][0], py = pos[k][1];
        if (hypot(px - pos[k][2], py - pos[k][3]) > 0.5) {
            cairo_new_path(cr);
            cairo_move_to(cr, pos[k][2], pos[k][3]);
            cairo_line_to(cr, px, py);
            hs_rgba_set_source(cr, MARK);
            cairo_set_line_width(cr, 0.9);
            cairo_stroke(cr);
            cairo_new_path(cr);
            cairo_arc(cr, pos[k][2], pos[k][3], 1.8, 0, 2 * M_PI);
            cairo_fill(cr);
        }
        char r[8];
        snprintf(r, sizeof r, "%d", b->priorities[k].rank);
        cairo_new_path(cr);
        cairo_arc(cr, px, py, DISC_R, 0, 2 * M_PI);
        hs_rgba_set_source(cr, WHITE);
        cairo_fill_preserve(cr);
        hs_rgba_set_source(cr, MARK);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
        double th = tbox(t->d, r, f, 0, 0, 0, 0, INK, 0);
        tbox(t->d, r, f, px, py - th / 2, 0, 1, INK, 1);
    }
    cairo_restore(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, RULE);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
}

static int page_two(bt *t)
{
    const hs_bulletin *b = t->b;
    double y = page_head(t);
    char h[160];
    snprintf(h, sizeof h, "2. %d xã ưu tiên truyền thông", b->n_priorities);
    y += heading(t, h, "Priority communes for outreach", y);
    y += text(t, "Xếp theo khoảng trống truyền thông: điểm rủi ro tổng hợp (0–100) nhân với phần "
                 "chưa được truyền thông bao phủ; cùng danh sách với `hotspot priorities` và "
                 "/api/priorities cho tỉnh này. Cột “Truyền thông”: số hoạt động trong kỳ và "
                 "hoạt động gần nhất. Ranked by outreach gap = risk × (1 − coverage).",
              (hs__font){8.5, 0, 0}, M, y, CW, 0, INK) + 8;
    col c[] = {{"#", 20, 2, 0},          {"Xã (commune)", 116, 0, 0},
               {"Lớp Gi*", 100, 0, 16},  {"Rủi ro", 40, 2, 0},
               {"Tỷ lệ EB /100.000", 52, 2, 0}, {"Số vụ", 34, 2, 0},
               {"Truyền thông", 88, 2, 0}, {"Lý do (reasons)", 0, 0, 0}};
    int nc = (int)(sizeof c / sizeof *c);
    fit_cols(c, nc);
    y += table_head(t, c, nc, y);
    for (int k = 0; k < b->n_priorities; k++) {
        const hs_bulletin_priority *p = &b->priorities[k];
        char rank[16], sc[32], eb[32], ca[32], ev[64], last[64];
        snprintf(rank, sizeof rank, "%d", p->rank);
        num(p->score, 0, sc, sizeof sc);
        num(p->eb_rate, 2, eb, sizeof eb);
        num(p->cases, 0, ca, sizeof ca);
        num(p->events, 0, ev, sizeof ev);
        snprintf(ev + strlen(ev), sizeof ev - strlen(ev), " hoạt động");
        if (p->months_since < 0)
            snprintf(last, sizeof last, "chưa từng có");
        else if (p->months_since == 0)
            snprintf(last, sizeof last, "gần nhất: tháng cuối kỳ");
        else
            snprintf(last, sizeof last, "gần nhất: %d tháng trước", p->months_since);
        const char *cell[] = {rank, p->name, class_label(t, p->gi_class), sc, eb, ca, ev,
                              p->reason_vi};
        const char *sub[] = {NULL, p->code, NULL, NULL, NULL, NULL, last, p->reason_en};
        int draw = t->draw;
        t->draw = 0;
        double rh = table_row(t, c, nc, cell, sub, y, 0);
        t->draw = draw;
        if (y + rh > BOTTOM)
            return hs_err_set(t->err, HS_ERENDER, "bulletin page 2: priority %d does not fit", p->rank);
        table_row(t, c, nc, cell, sub, y, 0);
        swatch(t, class_style(t, p->gi_class), M + c[0].w + c[1].w + 4, y + 4, 11, 11);
        y += rh;
    }
    if (b->n_priorities == 0)
        y += text(t, "Không có xã nào được xếp hạng (no commune ranked).", (hs__font){9, 0, 1}, M,
                  y + 4, 0, 0, GREY) + 4;
    y += 18;
    /* Where they are: the rest of the page, when there is room for a useful map. */
    if (b->map && BOTTOM - y >= LOCATOR_MIN_H + 30) {
        y += heading(t, "Vị trí các xã ưu tiên", "Where the priority communes are (rank numbers)", y);
        locator_map(t, M, y, CW, BOTTOM - y);
    }
    page_foot(t, 2);
    return HS_OK;
}

/* ---- pages 3 (and 4): trends, coverage, method ----------------------------------- */

/* One monthly bar chart of the province across the content width; returns its height. */
static double monthly_chart(bt *t, const double *v, const char *title, const char *y_label,
                            unsigned rgb, double y, int *rc)
{
    const hs_bulletin *b = t->b;
    double k = CW / CHART_W, ch = t->chart_h > 0 ? t->chart_h : CHART_H;
    if (!t->draw)
        return ch * k;
    char lab[HS_BULLETIN_MAX_MONTHS][16];
    const char *labels[HS_BULLETIN_MAX_MONTHS];
    unsigned char shade[HS_BULLETIN_MAX_MONTHS];
    for (int i = 0; i < b->trend_n; i++) {
        int p = b->trend_from + i, m = hs_period_month(p);
        /* The year is named on January and on the first bar; other bars: the month,
         * beyond 24 bars only every third one (the labels would touch). */
        if (i == 0 || m == 1)
            snprintf(lab[i], sizeof lab[i], "%d/%02d", m, hs_period_year(p) % 100);
        else if (b->trend_n <= 24 || m % 3 == 1)
            snprintf(lab[i], sizeof lab[i], "%d", m);
        else
            lab[i][0] = 0;
        if (i == 1 && b->trend_n > 24 && m != 1)
            lab[i][0] = 0; /* keep the first bar's "m/yy" clear */
        labels[i] = lab[i];
        shade[i] = m >= 7 && m <= 9;
    }
    hs_chart_bars c = {.n = b->trend_n, .v = v, .label = labels, .shade_from = -1, .shade_to = -1,
                       .title = title, .y_label = y_label, .width = CHART_W, .height = (int)ch,
                       .shade_mask = shade, .bar_rgb = rgb};
    cairo_t *cr = t->d->cr;
    cairo_save(cr);
    cairo_translate(cr, M, y);
    cairo_scale(cr, k, k);
    *rc = hs_chart_bars_draw(&c, cr, t->err);
    cairo_restore(cr);
    /* The bulletin's window: a bar under the axis labels (hs_chart's plot area is
     * 80 units from the left, 20 from the right, 70 from the bottom). */
    double L = 80 * k, bw = (CHART_W - 100) * k / c.n;
    int a = b->from - b->trend_from, z = b->to - b->trend_from;
    if (a >= 0 && z < c.n && a <= z) {
        double x0 = M + L + bw * a, x1 = M + L + bw * (z + 1), yb = y + (c.height - 42) * k;
        fill_rect(t, x0, yb, x1 - x0, 3, MARK);
        text(t, "kỳ bản tin", (hs__font){7.5, 0, 1}, (x0 + x1) / 2, yb + 4, 0, 1, MARK);
    }
    return c.height * k;
}

static double sec_trends(bt *t, double y, int *rc)
{
    const hs_bulletin *b = t->b;
    double y0 = y;
    y += heading(t, "3. Xu hướng và độ phủ truyền thông", "Monthly trends and outreach coverage", y);
    if (b->trend_n == 0)
        return y - y0;
    char t1[200], t2[200];
    snprintf(t1, sizeof t1, "Số vụ theo tháng — %s (cases per month)", b->province_name);
    snprintf(t2, sizeof t2, "Hoạt động truyền thông theo tháng — %s (outreach events)",
             b->province_name);
    y += monthly_chart(t, b->trend_cases, t1, "Số vụ (cases)", 0, y, rc) + 6;
    if (*rc == HS_OK)
        y += monthly_chart(t, b->trend_events, t2, "Số hoạt động (events)", 0x2c7fb8, y, rc) + 4;
    fill_rect(t, M, y + 2, 14, 9, hs_rgb(0xffedcc));
    y += text(t, "Nền màu cam: tháng 7–9, đợt cao điểm phòng, chống mua bán người (ngày 30/7). "
                 "Shaded: July–September, the anti-trafficking campaign.",
              (hs__font){8.5, 0, 0}, M + 20, y, CW - 20, 0, INK);
    return y - y0 + 16;
}

static double sec_coverage(bt *t, double y)
{
    const class_sum *s = t->s;
    double y0 = y;
    y += text(t, "Độ phủ truyền thông theo lớp điểm nóng (outreach coverage by class)",
              (hs__font){10.5, 1, 0}, M, y, CW, 0, INK) + 4;
    col o[] = {{"Lớp điểm nóng", 0, 0, 20},
               {"Số xã", 48, 2, 0},
               {"Xã có truyền thông trong kỳ", 100, 2, 0},
               {"Hoạt động", 62, 2, 0},
               {"Hoạt động /10.000 dân", 84, 2, 0},
               {"Xã chưa từng có hoạt động", 96, 2, 0}};
    int no = (int)(sizeof o / sizeof *o);
    fit_cols(o, no);
    y += table_head(t, o, no, y);
    for (int k = 0; k <= NCLS + 1; k++) {
        if (k < NCLS + 1 && s[k].units == 0)
            continue; /* only the classes that hold communes */
        char u[32], r[64], e[32], per[32], nv[32], pc[32];
        snprintf(u, sizeof u, "%d", s[k].units);
        num(100.0 * s[k].reached / s[k].units, 0, pc, sizeof pc);
        snprintf(r, sizeof r, "%d (%s%%)", s[k].reached, pc);
        num(s[k].events, 0, e, sizeof e);
        if (s[k].pop > 0)
            num(1e4 * s[k].events / s[k].pop, 2, per, sizeof per);
        else
            snprintf(per, sizeof per, "–");
        snprintf(nv, sizeof nv, "%d", s[k].never);
        const char *lab = k == NCLS + 1 ? "Toàn tỉnh (province)" : class_label(t, k);
        const char *cell[] = {lab, u, r, e, per, nv};
        double rh = table_row(t, o, no, cell, NULL, y, k == NCLS + 1);
        if (k <= NCLS)
            swatch(t, class_style(t, k), M + 4, y + 3, 13, rh - 8);
        y += rh;
    }
    return y - y0 + 18;
}

static const char *variable_vi(const char *v)
{
    if (v && !strcmp(v, "count"))
        return "số vụ";
    if (v && !strcmp(v, "rate"))
        return "tỷ lệ thô trên 100.000 dân";
    if (v && !strcmp(v, "eb_z"))
        return "tỷ lệ EB chuẩn hoá (Assunção–Reis)";
    return "tỷ lệ Bayes thực nghiệm (EB) trên 100.000 dân";
}

static double sec_method(bt *t, double y)
{
    const hs_bulletin *b = t->b;
    double y0 = y;
    y += heading(t, "4. Phương pháp và số liệu", "Method and data", y);
    char f[16], to[16], para[2000], en[1400], w[4][16];
    month_vi(b->from, f, sizeof f);
    month_vi(b->to, to, sizeof to);
    for (int k = 0; k < 4; k++)
        snprintf(w[k], sizeof w[k], "%.0f%%", 100 * b->risk_w[k]);
    snprintf(para, sizeof para,
             "Điểm nóng được xác định bằng thống kê Getis–Ord Gi* trên %s của từng xã trong "
             "tỉnh, kỳ %s – %s, với quan hệ giáp ranh kiểu queen giữa các xã; độ tin cậy "
             "90/95/99%% theo giá trị p của z (phân phối chuẩn, như ArcGIS)%s. Điểm rủi ro tổng "
             "hợp (0–100) gộp thứ hạng tỷ lệ EB (%s), Gi* (%s), khoảng cách tới biên giới (%s) "
             "và xu hướng Mann–Kendall của số vụ theo tháng (%s); độ phủ truyền thông là thứ "
             "hạng số hoạt động và số người tham gia trên 10.000 dân trong %d tháng của kỳ. "
             "Danh sách ưu tiên xếp theo khoảng trống = rủi ro × (1 − độ phủ), đúng như "
             "/api/priorities (%d hoán vị, hạt giống %llu cho các kiểm định hoán vị). Số liệu "
             "trong bản tin là số nội bộ chính xác, chưa qua kiểm soát công bố "
             "(docs/publication.md): không công bố, không trích dẫn ra ngoài.",
             variable_vi(b->variable), f, to, b->fdr ? ", hiệu chỉnh FDR" : "", w[0], w[1], w[2],
             w[3], b->window_months, b->permutations, (unsigned long long)b->seed);
    y += text(t, para, (hs__font){9.5, 0, 0}, M, y, CW, 0, INK) + 6;
    snprintf(en, sizeof en,
             "Method: Getis–Ord Gi* on the communes' %s over the window, queen contiguity, "
             "confidence bins from the normal p-value of z%s; risk score from the ranks of the "
             "EB rate, Gi*, border distance and the Mann–Kendall trend; priorities ranked by the "
             "outreach gap, as /api/priorities. Exact internal figures, not disclosure-controlled: "
             "do not publish.",
             b->variable ? b->variable : "eb_rate", b->fdr ? " (FDR-adjusted)" : "");
    y += text(t, en, (hs__font){8.5, 0, 1}, M, y, CW, 0, GREY) + 12;
    char dv[400];
    snprintf(dv, sizeof dv,
             "Phiên bản dữ liệu (data version): %lld · kỳ %s (%s – %s) · tạo lúc %s · "
             "Nguồn: Hotspot138; ranh giới: Talia Cao (MIT), Natural Earth",
             b->data_version, b->period, f, to, b->generated_at ? b->generated_at : "");
    y += text(t, dv, (hs__font){9, 1, 0}, M, y, CW, 0, INK);
    return y - y0;
}

/* Trends, coverage and method from page 3 on; the method moves to page 4 when the
 * three do not fit one page. The charts grow into room left on page 3 (at most 90 px
 * each). Returns the number of the last page, or a negative HS_E*. */
static int last_pages(bt *t)
{
    int rc = HS_OK, draw = t->draw;
    t->draw = 0;
    t->chart_h = CHART_H;
    double y = page_head(t), top = y;
    double h3 = sec_trends(t, y, &rc) + sec_coverage(t, 0), mh = sec_method(t, 0);
    int four = top + h3 + mh > BOTTOM;
    double spare = BOTTOM - top - h3 - (four ? 0 : mh);
    if (t->b->trend_n > 0 && spare > 8)
        t->chart_h = CHART_H + fmin(spare / 2 - 4, 90) / (CW / CHART_W);
    t->draw = draw;
    y = page_head(t);
    y += sec_trends(t, y, &rc);
    if (rc < 0)
        return rc;
    y += sec_coverage(t, y);
    int page = 3;
    if (four || y + mh > BOTTOM) {
        page_foot(t, page++);
        y = page_head(t);
        if (y + mh > BOTTOM)
            return hs_err_set(t->err, HS_ERENDER, "bulletin page 4: the method does not fit");
    }
    sec_method(t, y);
    page_foot(t, page);
    return page;
}

/* ---- the document ---------------------------------------------------------------- */

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    hs_err e = {0};
    return hs_buf_append(closure, data, len, &e) == HS_OK ? CAIRO_STATUS_SUCCESS
                                                         : CAIRO_STATUS_WRITE_ERROR;
}

static int check(const hs_bulletin *b, hs_err *err)
{
    if (!b->province_code || !b->province_name || !b->period)
        return hs_err_set(err, HS_EINVAL, "bulletin: province and period are required");
    if (b->n_units < 1 || b->n_units > HS_BULLETIN_MAX_UNITS || !b->gi_class || !b->cases ||
        !b->events || !b->population || !b->months_since)
        return hs_err_set(err, HS_EINVAL, "bulletin: %d communes (1..%d, with every per-commune "
                          "array)", b->n_units, HS_BULLETIN_MAX_UNITS);
    if (b->n_priorities < 0 || b->n_priorities > HS_BULLETIN_MAX_PRIORITIES ||
        (b->n_priorities && !b->priorities))
        return hs_err_set(err, HS_EINVAL, "bulletin: %d priorities (0..%d)", b->n_priorities,
                          HS_BULLETIN_MAX_PRIORITIES);
    if (b->trend_n < 0 || b->trend_n > HS_BULLETIN_MAX_MONTHS ||
        (b->trend_n && (!b->trend_cases || !b->trend_events)))
        return hs_err_set(err, HS_EINVAL, "bulletin: %d trend months (0..%d)", b->trend_n,
                          HS_BULLETIN_MAX_MONTHS);
    return HS_OK;
}

int hs_bulletin_pdf(hs_render_ctx *ctx, const hs_bulletin *b, hs_buf *out, int *pages,
                    hs_err *err)
{
    if (pages)
        *pages = 0;
    if (!ctx || !b || !out)
        return hs_err_set(err, HS_EINVAL, "bulletin: ctx, figures and out are required");
    int rc = check(b, err);
    if (rc < 0)
        return rc;
    hs_class_style cs[HS_SCHEME_MAX_CLASSES];
    if ((rc = hs_scheme_styles(HS_SCHEME_GISTAR, cs, err)) < 0)
        return rc;
    class_sum s[NCLS + 2];
    sum_by_class(b, s);

    size_t start = out->len;
    cairo_surface_t *sf = cairo_pdf_surface_create_for_stream(sink_write, out, PW * 0.75, PH * 0.75);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t st = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        return hs_err_set(err, HS_ERENDER, "cannot create the PDF surface: %s",
                          cairo_status_to_string(st));
    }
    char title[300];
    snprintf(title, sizeof title, "Bản tin điểm nóng — %s — %s", b->province_name, b->period);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Hotspot138");
    if (b->mark)
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, b->mark);
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, 0.75, 0.75); /* layout px -> pt */
    hs__draw d = {.ctx = ctx, .cr = cr, .vector = 1};
    bt t = {.d = &d, .b = b, .cs = cs, .s = s, .draw = 0, .npages = 3, .err = err};
    /* A measuring pass of the last pages gives the page count for every footer. */
    rc = last_pages(&t);
    if (rc > 0) {
        t.npages = rc;
        t.draw = 1;
        rc = page_one(&t);
    }
    if (rc == HS_OK)
        rc = page_two(&t);
    if (rc == HS_OK)
        rc = last_pages(&t) > 0 ? HS_OK : (err && err->code ? err->code : HS_ERENDER);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    /* The sink refusing bytes (out's cap) surfaces as a cairo write error, maybe in the
     * middle of a page that then reports a cairo failure of its own: the cap is the cause. */
    if (st == CAIRO_STATUS_WRITE_ERROR) {
        if (err)
            *err = (hs_err){0};
        rc = hs_err_set(err, HS_ELIMIT, "bulletin PDF: more than the output cap of %zu bytes",
                        out->limit);
    } else if (rc < 0 && err && !err->code)
        rc = hs_err_set(err, rc, "bulletin: a section does not fit its page (layout)");
    else if (rc == HS_OK && d.oom)
        rc = hs_err_set(err, HS_ENOMEM, "bulletin: out of memory");
    else if (rc == HS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = hs_err_set(err, HS_ERENDER, "bulletin PDF: %s", cairo_status_to_string(st));
    if (rc < 0)
        out->len = start;
    else if (pages)
        *pages = t.npages;
    return rc;
}
