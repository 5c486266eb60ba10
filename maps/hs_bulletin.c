/* hs_bulletin: the province bulletin's pages (hs_bulletin.h).
 *
 * One cairo PDF surface, A4 portrait, user units = layout px (1/96 in) scaled to
 * points. Text goes through the maps' Pango helpers (hs_text.c), so it is real text
 * in Noto Sans; the map is the map renderer's own full-map drawing (legend, scale
 * bar, north arrow) into a frame of page 1; the charts are hs_chart_bars drawn onto
 * the page. Each section measures its rows before drawing, so nothing overlaps. */
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

/* A4 in layout px (210 x 297 mm at 96 px per inch) and the page margins. */
#define PW (210.0 / 25.4 * 96.0)
#define PH (297.0 / 25.4 * 96.0)
#define M 44.0
#define BAND_H 24.0
#define FOOT_H 34.0
#define NPAGES 3
#define NCLS 7 /* Gi* classes (hs_scheme_gistar_class 0..6) */

static const hs_rgba INK = {0x22, 0x22, 0x22, 255};
static const hs_rgba GREY = {0x66, 0x66, 0x66, 255};
static const hs_rgba RULE = {0xbb, 0xbb, 0xbb, 255};
static const hs_rgba MARK = {0x9b, 0x11, 0x1e, 255};
static const hs_rgba WHITE = {0xff, 0xff, 0xff, 255};

/* ---- text ------------------------------------------------------------------------ */

/* Lays out text in font f, wrapped to width w (w <= 0: one line), aligned by `align`
 * (0 left, 1 centre, 2 right within w); draws it at (x, y) when `draw`. Returns the
 * height (0 for NULL or empty text). */
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
        hs__show_layout(d, l, x + dx, y, col, (hs_rgba){0, 0, 0, 0}, 0);
    }
    g_object_unref(l);
    return th;
}

static double text(hs__draw *d, const char *s, hs__font f, double x, double y, double w, int align,
                   hs_rgba col)
{
    return tbox(d, s, f, x, y, w, align, col, 1);
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

static void rule(cairo_t *cr, double x0, double y, double x1, hs_rgba c, double w)
{
    cairo_new_path(cr);
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    hs_rgba_set_source(cr, c);
    cairo_set_line_width(cr, w);
    cairo_stroke(cr);
}

static void fill_rect(cairo_t *cr, double x, double y, double w, double h, hs_rgba c)
{
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, c);
    cairo_fill(cr);
}

/* A class swatch: fill, hatch and outline as on the map. */
static void swatch(cairo_t *cr, const hs_class_style *c, double x, double y, double w, double h)
{
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    if (c && c->fill.a)
        hs_rgba_set_source(cr, c->fill);
    else
        hs_rgba_set_source(cr, hs_rgb(0xffffff));
    cairo_fill_preserve(cr);
    hs_rgba_set_source(cr, c && c->outline.a ? c->outline : GREY);
    cairo_set_line_width(cr, c && c->outline.a ? 1.2 : 0.6);
    cairo_stroke(cr);
}

/* ---- page frame ------------------------------------------------------------------ */

static void draw_watermark(hs__draw *d)
{
    cairo_t *cr = d->cr;
    hs__font f = {hypot(PW, PH) * 0.05, 1, 0};
    const char *lines[2] = {"DỮ LIỆU MÔ PHỎNG", "SYNTHETIC DATA"};
    cairo_save(cr);
    cairo_translate(cr, PW / 2, PH / 2);
    cairo_rotate(cr, -atan2(PH, PW));
    for (int i = 0; i < 2; i++) {
        PangoLayout *l = hs__layout(d, lines[i], f);
        if (!l)
            continue;
        double w, h;
        hs__layout_size(l, &w, &h);
        hs__show_layout(d, l, -w / 2, i == 0 ? -h * 1.05 : h * 0.05, hs_rgba_make(0xc00000, 34),
                        (hs_rgba){0, 0, 0, 0}, 0);
        g_object_unref(l);
    }
    cairo_restore(cr);
}

/* Header band: the mark on the left, province and period on the right. Returns the
 * top of the content area. */
static double page_head(hs__draw *d, const hs_bulletin *b)
{
    cairo_t *cr = d->cr;
    hs_rgba_set_source(cr, WHITE);
    cairo_paint(cr);
    fill_rect(cr, M, M, PW - 2 * M, BAND_H, MARK);
    hs__font f = {10.5, 1, 0};
    double th = tbox(d, "Ag", f, 0, 0, 0, 0, WHITE, 0);
    double ty = M + (BAND_H - th) / 2;
    if (b->mark)
        text(d, b->mark, f, M + 8, ty, 0, 0, WHITE);
    char s[256];
    snprintf(s, sizeof s, "Bản tin tỉnh %s · %s", b->province_name, b->period);
    text(d, s, (hs__font){10, 0, 0}, PW - M - 8, ty, 0, 2, WHITE);
    return M + BAND_H + 14;
}

/* Footer: source and data version, the mark, the page number; the synthetic line. */
static void page_foot(hs__draw *d, const hs_bulletin *b, int page)
{
    cairo_t *cr = d->cr;
    double y = PH - M - FOOT_H;
    rule(cr, M, y, PW - M, RULE, 0.8);
    hs__font f = {8.5, 0, 0};
    char s[256];
    snprintf(s, sizeof s, "Hotspot138 · phiên bản dữ liệu (data version) %lld · tạo lúc %s",
             b->data_version, b->generated_at ? b->generated_at : "");
    text(d, s, f, M, y + 5, 0, 0, GREY);
    snprintf(s, sizeof s, "Trang %d/%d", page, NPAGES);
    text(d, s, f, PW - M, y + 5, 0, 2, GREY);
    if (b->mark)
        text(d, b->mark, (hs__font){8.5, 1, 0}, PW / 2 + 60, y + 5, 0, 1, MARK);
    if (b->synthetic) {
        text(d, "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA – không phản ánh số liệu thực tế (not real data)",
             (hs__font){9, 1, 0}, M, y + 18, 0, 0, hs_rgb(0xb00000));
        draw_watermark(d);
    }
}

/* Section heading with a rule under it; returns the height used. */
static double heading(hs__draw *d, const char *vi, const char *en, double y)
{
    double h = text(d, vi, (hs__font){14, 1, 0}, M, y, 0, 0, INK);
    double w = text_w(d, vi, (hs__font){14, 1, 0});
    if (en) {
        double eh = tbox(d, en, (hs__font){10, 0, 1}, 0, 0, 0, 0, GREY, 0);
        text(d, en, (hs__font){10, 0, 1}, M + w + 10, y + h - eh - 1, 0, 0, GREY);
    }
    rule(d->cr, M, y + h + 3, PW - M, MARK, 1.2);
    return h + 10;
}

/* ---- tables ---------------------------------------------------------------------- */

typedef struct col {
    const char *head;
    double w;
    int align; /* 0 left, 2 right */
} col;

/* Header row of a table; returns its height. */
static double table_head(hs__draw *d, const col *c, int nc, double x, double y)
{
    hs__font f = {8.5, 1, 0};
    double h = 0;
    for (int k = 0; k < nc; k++) {
        double th = tbox(d, c[k].head, f, 0, 0, c[k].w - 6, c[k].align, INK, 0);
        h = fmax(h, th);
    }
    double cx = x;
    for (int k = 0; k < nc; k++) {
        text(d, c[k].head, f, cx + 3, y + 3, c[k].w - 6, c[k].align, INK);
        cx += c[k].w;
    }
    double tw = cx - x;
    rule(d->cr, x, y + h + 6, x + tw, INK, 0.8);
    return h + 8;
}

/* One row of cells (NULL = empty), wrapped to the column widths; returns its height.
 * With `draw` 0 only measures. `sub` (may be NULL) holds an optional second,
 * smaller italic line per cell. */
static double table_row(hs__draw *d, const col *c, int nc, const char *const *cell,
                        const char *const *sub, double x, double y, int bold, int draw)
{
    hs__font f = {9, bold, 0}, fs = {7.5, 0, 1};
    double h = 0, cx = x;
    for (int k = 0; k < nc; k++) {
        double ch = tbox(d, cell[k], f, cx + 3, y + 3, c[k].w - 6, c[k].align, INK, draw);
        if (sub && sub[k] && *sub[k])
            ch += 1 + tbox(d, sub[k], fs, cx + 3, y + 4 + ch, c[k].w - 6, c[k].align, GREY, draw);
        h = fmax(h, ch);
        cx += c[k].w;
    }
    if (draw)
        rule(d->cr, x, y + h + 6, cx, RULE, 0.5);
    return h + 6;
}

/* ---- figures by class ------------------------------------------------------------ */

typedef struct class_sum {
    int units, reached, never;
    double cases, events, pop;
} class_sum;

/* Sums by Gi* class: rows 0..NCLS-1, NCLS = isolated, NCLS + 1 = the province. */
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

static const char *class_label(const hs_class_style *cs, int k)
{
    return k >= 0 && k < NCLS ? cs[k].label : "Không có xã lân cận (isolated)";
}

/* ---- page 1: title, key figures, map, classes ------------------------------------ */

static double key_box(hs__draw *d, double x, double y, double w, const char *label,
                      const char *value, const char *note, int draw)
{
    double h = 8;
    h += tbox(d, label, (hs__font){8.5, 0, 0}, x + 8, y + h, w - 16, 0, GREY, draw);
    h += 2 + tbox(d, value, (hs__font){18, 1, 0}, x + 8, y + h + 2, w - 16, 0, INK, draw);
    h += 2 + tbox(d, note, (hs__font){8, 0, 0}, x + 8, y + h + 2, w - 16, 0, GREY, draw);
    return h + 8;
}

static double key_figures(hs__draw *d, const hs_bulletin *b, const class_sum *s, double y)
{
    const class_sum *all = &s[NCLS + 1];
    char v[4][64], n[4][160], a[64], c[64];
    num(all->cases, 0, v[0], sizeof v[0]);
    if (isfinite(b->cases_prev)) {
        num(b->cases_prev, 0, a, sizeof a);
        if (b->cases_prev > 0) {
            num(100.0 * (all->cases - b->cases_prev) / b->cases_prev, 0, c, sizeof c);
            snprintf(n[0], sizeof n[0], "kỳ trước: %s (%s%s%%)", a,
                     all->cases >= b->cases_prev ? "+" : "", c);
        } else {
            snprintf(n[0], sizeof n[0], "kỳ trước: %s", a);
        }
    } else {
        snprintf(n[0], sizeof n[0], "kỳ trước: chưa có số liệu");
    }
    int hot = s[0].units + s[1].units + s[2].units;
    snprintf(v[1], sizeof v[1], "%d / %d", hot, all->units);
    snprintf(n[1], sizeof n[1], "trong đó tin cậy 99%%: %d xã", s[0].units);
    num(all->events, 0, v[2], sizeof v[2]);
    snprintf(n[2], sizeof n[2], "xã được tiếp cận: %d / %d", all->reached, all->units);
    snprintf(v[3], sizeof v[3], "%d", all->units - all->reached);
    snprintf(n[3], sizeof n[3], "chưa từng có hoạt động: %d xã", all->never);
    const char *lab[4] = {"Số vụ trong kỳ (cases)", "Xã điểm nóng Gi* ≥ 90% (hot-spot communes)",
                          "Hoạt động truyền thông (outreach events)",
                          "Xã chưa có truyền thông trong kỳ (not reached)"};
    double gap = 10, w = (PW - 2 * M - 3 * gap) / 4, h = 0;
    for (int k = 0; k < 4; k++)
        h = fmax(h, key_box(d, 0, 0, w, lab[k], v[k], n[k], 0));
    for (int k = 0; k < 4; k++) {
        double x = M + k * (w + gap);
        fill_rect(d->cr, x, y, w, h, hs_rgb(0xf4f1ec));
        fill_rect(d->cr, x, y, 3, h, k == 1 ? hs_rgb(0xd62f27) : MARK);
        key_box(d, x, y, w, lab[k], v[k], n[k], 1);
    }
    return h;
}

static int page_one(hs__draw *d, const hs_bulletin *b, const hs_class_style *cs,
                    const class_sum *s, hs_err *err)
{
    cairo_t *cr = d->cr;
    double y = page_head(d, b);
    y += text(d, "Bản tin điểm nóng mua bán người", (hs__font){22, 1, 0}, M, y, 0, 0, INK);
    char line[400], f[16], t[16];
    month_vi(b->from, f, sizeof f);
    month_vi(b->to, t, sizeof t);
    snprintf(line, sizeof line, "Tỉnh %s (%s) · kỳ %s: %s – %s", b->province_name,
             b->province_code, b->period, f, t);
    y += 2 + text(d, line, (hs__font){14, 0, 0}, M, y + 2, 0, 0, INK);
    y += 2 + text(d, "Province bulletin: human trafficking hot spots, priorities and outreach "
                     "— for the provincial meeting, internal use only",
                  (hs__font){9.5, 0, 1}, M, y + 2, 0, 0, GREY);
    y += 12;
    y += key_figures(d, b, s, y) + 16;
    y += heading(d, "1. Các xã theo lớp điểm nóng", "Communes by hot-spot class (Gi*)", y);

    /* The class table and its note go under the map; measure them first. */
    col c[] = {{"", 22, 0}, {"Lớp điểm nóng (Gi* class)", 210, 0}, {"Số xã", 52, 2},
               {"Số vụ", 52, 2}, {"Xã có truyền thông", 70, 2}};
    int nc = (int)(sizeof c / sizeof *c);
    double tw = 0;
    for (int k = 0; k < nc; k++)
        tw += c[k].w;
    int rows = NCLS + (s[NCLS].units > 0) + 1;
    double rh = table_row(d, c, nc, (const char *const[]){"", "Ag", "1", "1", "1"}, NULL, 0, 0, 0, 0);
    double table_h = 22 + rows * rh;
    double foot_top = PH - M - FOOT_H - 10;
    double map_h = foot_top - y - table_h - 12;
    if (map_h < 200)
        return hs_err_set(err, HS_ERENDER, "bulletin page 1: no room for the map");
    if (b->map) {
        /* The renderer's own full map (legend, scale bar, north arrow, labels) in a
         * frame of the page: its white background paint stops at the clip. */
        hs_map_spec ms = *b->map;
        hs_style_defaults(&ms);
        ms.title = NULL;      /* the section heading names the map */
        ms.synthetic = 0;     /* the page carries the watermark and the footer line */
        ms.generated_at = NULL;
        cairo_save(cr);
        cairo_translate(cr, M, y);
        cairo_new_path(cr);
        cairo_rectangle(cr, 0, 0, PW - 2 * M, map_h);
        cairo_clip(cr);
        hs__draw md = *d;
        md.spec = &ms;
        int rc = hs__draw_furniture(&md, &ms, &b->map_extent, PW - 2 * M, map_h);
        d->oom |= md.oom;
        cairo_restore(cr);
        if (rc < 0)
            return hs_err_set(err, rc, "bulletin page 1: the map does not fit its frame");
        cairo_new_path(cr);
        cairo_rectangle(cr, M, y, PW - 2 * M, map_h);
        hs_rgba_set_source(cr, RULE);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
    }
    y += map_h + 12;

    double ty = y + table_head(d, c, nc, M, y);
    for (int k = 0; k <= NCLS + 1; k++) {
        if (k == NCLS && s[NCLS].units == 0)
            continue;
        char u[32], cs_[32], r[48];
        snprintf(u, sizeof u, "%d", s[k].units);
        num(s[k].cases, 0, cs_, sizeof cs_);
        snprintf(r, sizeof r, "%d", s[k].reached);
        const char *lab = k == NCLS + 1 ? "Toàn tỉnh (province)" : class_label(cs, k);
        const char *cell[] = {"", lab, u, cs_, r};
        double h = table_row(d, c, nc, cell, NULL, M, ty, k == NCLS + 1, 1);
        if (k < NCLS)
            swatch(cr, &cs[k], M + 5, ty + 3, 13, h - 6);
        else if (k == NCLS)
            swatch(cr, NULL, M + 5, ty + 3, 13, h - 6);
        ty += h;
    }
    /* Beside the table: how to read the classes. */
    double nx = M + tw + 18, nw = PW - M - nx;
    double ny = y + 2;
    ny += text(d, "Cách đọc", (hs__font){9.5, 1, 0}, nx, ny, nw, 0, INK) + 3;
    ny += text(d, "Điểm nóng: xã mà cùng các xã giáp ranh có tỷ lệ vụ việc cao hơn hẳn mức chung "
                  "của tỉnh (Getis–Ord Gi*); độ tin cậy 90/95/99% cho biết mức chắc chắn. "
                  "Điểm lạnh: ngược lại. Viền đậm: xã trọng điểm.",
               (hs__font){8.5, 0, 0}, nx, ny, nw, 0, INK) + 4;
    text(d, "Hot spot: a commune whose neighbourhood has a markedly higher rate than the "
            "province as a whole; cold spot: the reverse. Bold outline: key commune.",
         (hs__font){8, 0, 1}, nx, ny, nw, 0, GREY);
    page_foot(d, b, 1);
    return HS_OK;
}

/* ---- page 2: priorities, coverage ------------------------------------------------ */

static int page_two(hs__draw *d, const hs_bulletin *b, const hs_class_style *cs,
                    const class_sum *s, hs_err *err)
{
    cairo_t *cr = d->cr;
    double y = page_head(d, b);
    char h[160];
    snprintf(h, sizeof h, "2. %d xã ưu tiên truyền thông", b->n_priorities);
    y += heading(d, h, "Priority communes for outreach", y);
    char intro[600];
    snprintf(intro, sizeof intro,
             "Xếp theo khoảng trống truyền thông: điểm rủi ro tổng hợp (0–100) nhân với phần "
             "chưa được truyền thông bao phủ; cùng danh sách với `hotspot priorities` và "
             "/api/priorities cho tỉnh này. Cột “Truyền thông”: số hoạt động trong kỳ và số "
             "tháng kể từ hoạt động gần nhất. Ranked by outreach gap = risk × (1 − coverage).");
    y += text(d, intro, (hs__font){8.5, 0, 0}, M, y, PW - 2 * M, 0, INK) + 8;
    col c[] = {{"#", 22, 2},
               {"Xã (commune)", 128, 0},
               {"Lớp Gi*", 92, 0},
               {"Điểm rủi ro", 46, 2},
               {"Tỷ lệ EB /100.000", 56, 2},
               {"Số vụ", 38, 2},
               {"Truyền thông", 64, 2},
               {"Lý do (reasons)", 0, 0}};
    int nc = (int)(sizeof c / sizeof *c);
    double used = 0;
    for (int k = 0; k < nc - 1; k++)
        used += c[k].w;
    c[nc - 1].w = PW - 2 * M - used;
    y += table_head(d, c, nc, M, y);
    double limit = PH - M - FOOT_H - 10;
    for (int k = 0; k < b->n_priorities; k++) {
        const hs_bulletin_priority *p = &b->priorities[k];
        char rank[16], sc[32], eb[32], ca[32], ev[64], evn[64];
        snprintf(rank, sizeof rank, "%d", p->rank);
        num(p->score, 0, sc, sizeof sc);
        num(p->eb_rate, 2, eb, sizeof eb);
        num(p->cases, 0, ca, sizeof ca);
        num(p->events, 0, ev, sizeof ev);
        if (p->months_since < 0)
            snprintf(evn, sizeof evn, "chưa từng");
        else
            snprintf(evn, sizeof evn, "%d tháng trước", p->months_since);
        const char *cell[] = {rank, p->name, class_label(cs, p->gi_class), sc, eb, ca, ev,
                              p->reason_vi};
        const char *sub[] = {NULL, p->code, NULL, NULL, NULL, NULL, evn, p->reason_en};
        double rh = table_row(d, c, nc, cell, sub, M, y, 0, 0);
        if (y + rh > limit)
            return hs_err_set(err, HS_ERENDER, "bulletin page 2: priority %d does not fit", p->rank);
        table_row(d, c, nc, cell, sub, M, y, 0, 1);
        if (p->gi_class >= 0 && p->gi_class < NCLS) {
            double sx = M + c[0].w + c[1].w - 14;
            swatch(cr, &cs[p->gi_class], sx, y + 4, 10, 10);
        }
        y += rh;
    }
    if (b->n_priorities == 0)
        y += text(d, "Không có xã nào được xếp hạng (no commune ranked).", (hs__font){9, 0, 1}, M, y,
                  0, 0, GREY);
    y += 22;

    y += heading(d, "3. Độ phủ truyền thông theo lớp điểm nóng", "Outreach coverage by class", y);
    col o[] = {{"", 22, 0},
               {"Lớp điểm nóng", 190, 0},
               {"Số xã", 48, 2},
               {"Xã có truyền thông trong kỳ", 92, 2},
               {"Hoạt động", 62, 2},
               {"Hoạt động /10.000 dân", 84, 2},
               {"Xã chưa từng có hoạt động", 0, 2}};
    int no = (int)(sizeof o / sizeof *o);
    used = 0;
    for (int k = 0; k < no - 1; k++)
        used += o[k].w;
    o[no - 1].w = PW - 2 * M - used;
    double rh = 0;
    y += table_head(d, o, no, M, y);
    for (int k = 0; k <= NCLS + 1; k++) {
        if (k < NCLS + 1 && s[k].units == 0)
            continue;
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
        const char *lab = k == NCLS + 1 ? "Toàn tỉnh (province)" : class_label(cs, k);
        const char *cell[] = {"", lab, u, r, e, per, nv};
        rh = table_row(d, o, no, cell, NULL, M, y, 0, 0);
        if (y + rh > limit)
            return hs_err_set(err, HS_ERENDER, "bulletin page 2: coverage table does not fit");
        table_row(d, o, no, cell, NULL, M, y, k == NCLS + 1, 1);
        if (k <= NCLS)
            swatch(cr, k < NCLS ? &cs[k] : NULL, M + 5, y + 3, 13, rh - 6);
        y += rh;
    }
    y += 8;
    text(d, "Chỉ hiện các lớp có xã. Rows list only the classes that hold communes.",
         (hs__font){8, 0, 1}, M, y, PW - 2 * M, 0, GREY);
    page_foot(d, b, 2);
    return HS_OK;
}

/* ---- page 3: trends, method ------------------------------------------------------ */

/* One monthly bar chart of the province, drawn in a box of w layout px. */
static double monthly_chart(hs__draw *d, const hs_bulletin *b, const double *v, const char *title,
                            const char *y_label, unsigned rgb, double y, double w, hs_err *err,
                            int *rc)
{
    char lab[HS_BULLETIN_MAX_MONTHS][16];
    const char *labels[HS_BULLETIN_MAX_MONTHS];
    unsigned char shade[HS_BULLETIN_MAX_MONTHS];
    for (int t = 0; t < b->trend_n; t++) {
        int p = b->trend_from + t, m = hs_period_month(p);
        /* The year is named on January and on the first bar; other bars: the month. */
        if (t == 0 || m == 1)
            snprintf(lab[t], sizeof lab[t], "%d/%02d", m, hs_period_year(p) % 100);
        else
            snprintf(lab[t], sizeof lab[t], "%d", m);
        labels[t] = lab[t];
        shade[t] = m >= 7 && m <= 9;
    }
    hs_chart_bars c = {.n = b->trend_n, .v = v, .label = labels, .shade_from = -1, .shade_to = -1,
                       .title = title, .y_label = y_label, .width = 1000, .height = 330,
                       .shade_mask = shade, .bar_rgb = rgb};
    double k = w / c.width;
    cairo_save(d->cr);
    cairo_translate(d->cr, M, y);
    cairo_scale(d->cr, k, k);
    *rc = hs_chart_bars_draw(&c, d->cr, err);
    cairo_restore(d->cr);
    /* The bulletin's window: a bracket under the axis labels. */
    double L = 80 * k, pw = (c.width - 100) * k, bw = pw / c.n;
    int a = b->from - b->trend_from, z = b->to - b->trend_from;
    if (a >= 0 && z < c.n && a <= z) {
        double x0 = M + L + bw * a, x1 = M + L + bw * (z + 1), yb = y + (c.height - 40) * k;
        fill_rect(d->cr, x0, yb, x1 - x0, 3, MARK);
        text(d, "kỳ bản tin", (hs__font){7.5, 0, 1}, (x0 + x1) / 2, yb + 4, 0, 1, MARK);
    }
    return c.height * k;
}

static const char *variable_vi(const char *v)
{
    if (!v)
        return "tỷ lệ Bayes thực nghiệm (EB)";
    if (!strcmp(v, "count"))
        return "số vụ";
    if (!strcmp(v, "rate"))
        return "tỷ lệ thô trên 100.000 dân";
    if (!strcmp(v, "eb_z"))
        return "tỷ lệ EB chuẩn hoá (Assunção–Reis)";
    return "tỷ lệ Bayes thực nghiệm (EB) trên 100.000 dân";
}

static int page_three(hs__draw *d, const hs_bulletin *b, hs_err *err)
{
    double y = page_head(d, b);
    y += heading(d, "4. Xu hướng theo tháng", "Monthly trends of the province", y);
    int rc = HS_OK;
    double w = PW - 2 * M;
    if (b->trend_n > 0) {
        char t1[200], t2[200];
        snprintf(t1, sizeof t1, "Số vụ theo tháng — %s (cases per month)", b->province_name);
        snprintf(t2, sizeof t2, "Hoạt động truyền thông theo tháng — %s (outreach events)",
                 b->province_name);
        y += monthly_chart(d, b, b->trend_cases, t1, "Số vụ (cases)", 0, y, w, err, &rc) + 8;
        if (rc == HS_OK)
            y += monthly_chart(d, b, b->trend_events, t2, "Số hoạt động (events)", 0x2c7fb8, y, w,
                               err, &rc) + 6;
        if (rc < 0)
            return rc;
        fill_rect(d->cr, M, y + 2, 14, 9, hs_rgb(0xffedcc));
        y += text(d, "Nền màu cam: tháng 7–9, đợt cao điểm phòng, chống mua bán người (ngày 30/7). "
                     "Shaded: July–September, the anti-trafficking campaign.",
                  (hs__font){8.5, 0, 0}, M + 20, y, w - 20, 0, INK) + 18;
    }
    y += heading(d, "5. Phương pháp và số liệu", "Method and data", y);
    char f[16], t[16], para[2000], en[1400], wts[4][16];
    month_vi(b->from, f, sizeof f);
    month_vi(b->to, t, sizeof t);
    for (int k = 0; k < 4; k++)
        snprintf(wts[k], sizeof wts[k], "%.0f%%", 100 * b->risk_w[k]);
    snprintf(para, sizeof para,
             "Điểm nóng được xác định bằng thống kê Getis–Ord Gi* trên %s của từng xã trong "
             "tỉnh, kỳ %s – %s, với quan hệ giáp ranh kiểu queen giữa các xã; độ tin cậy "
             "90/95/99%% theo kiểm định hoán vị (%d hoán vị, hạt giống %llu%s). Điểm rủi ro "
             "tổng hợp (0–100) gộp thứ hạng tỷ lệ EB (%s), Gi* (%s), khoảng cách tới biên giới "
             "(%s) và xu hướng Mann–Kendall của số vụ theo tháng (%s); độ phủ truyền thông là "
             "thứ hạng số hoạt động và số người tham gia trên 10.000 dân trong %d tháng. Danh "
             "sách ưu tiên xếp theo khoảng trống = rủi ro × (1 − độ phủ), đúng như "
             "/api/priorities. Số liệu trong bản tin là số nội bộ chính xác, chưa qua kiểm soát "
             "công bố (docs/publication.md): không công bố, không trích dẫn ra ngoài.",
             variable_vi(b->variable), f, t, b->permutations, (unsigned long long)b->seed,
             b->fdr ? ", hiệu chỉnh FDR" : "", wts[0], wts[1], wts[2], wts[3], b->window_months);
    y += text(d, para, (hs__font){9.5, 0, 0}, M, y, w, 0, INK) + 6;
    snprintf(en, sizeof en,
             "Method: Getis–Ord Gi* on the communes' %s over the window, queen contiguity, "
             "permutation inference (%d permutations, seed %llu%s); risk score from the EB rate "
             "rank, Gi*, border distance and the Mann–Kendall trend; priorities ranked by the "
             "outreach gap, as /api/priorities. Exact internal figures, not disclosure-controlled: "
             "do not publish.",
             b->variable ? b->variable : "eb_rate", b->permutations, (unsigned long long)b->seed,
             b->fdr ? ", FDR" : "");
    y += text(d, en, (hs__font){8.5, 0, 1}, M, y, w, 0, GREY) + 12;
    char dv[400];
    snprintf(dv, sizeof dv,
             "Phiên bản dữ liệu (data version): %lld · kỳ %s (%s – %s) · tạo lúc %s · "
             "Nguồn: Hotspot138; ranh giới: Talia Cao (MIT), Natural Earth",
             b->data_version, b->period, f, t, b->generated_at ? b->generated_at : "");
    y += text(d, dv, (hs__font){9, 1, 0}, M, y, w, 0, INK);
    if (y > PH - M - FOOT_H - 6)
        return hs_err_set(err, HS_ERENDER, "bulletin page 3: the method does not fit");
    page_foot(d, b, 3);
    return HS_OK;
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
    rc = page_one(&d, b, cs, s, err);
    if (rc == HS_OK) {
        cairo_show_page(cr);
        rc = page_two(&d, b, cs, s, err);
    }
    if (rc == HS_OK) {
        cairo_show_page(cr);
        rc = page_three(&d, b, err);
    }
    if (rc == HS_OK)
        cairo_show_page(cr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (rc < 0 && err && !err->code)
        rc = hs_err_set(err, rc, "bulletin: a section does not fit its page (layout)");
    else if (rc == HS_OK && d.oom)
        rc = hs_err_set(err, HS_ENOMEM, "bulletin: out of memory");
    else if (rc == HS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = hs_err_set(err, st == CAIRO_STATUS_WRITE_ERROR ? HS_ELIMIT : HS_ERENDER,
                        "bulletin PDF: %s", cairo_status_to_string(st));
    if (rc < 0)
        out->len = start;
    else if (pages)
        *pages = NPAGES;
    return rc;
}
