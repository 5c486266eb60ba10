/* hs_bulletin_cover: page 1 of the bulletin (hs_bulletin_int.h): the title, four key
 * figures, the province's Gi* map (the map renderer's own full map in a frame) and the
 * communes by class, with how to read the classes beside the table. */
#include <math.h>
#include <stdio.h>

#include "hs_bulletin_int.h"

static double key_box(const hs__bul *t, double x, double y, double w, const char *label,
                      const char *value, const char *note)
{
    double h = 8;
    h += hs__bul_text(t, label, (hs__font){8.5, 0, 0}, x + 8, y + h, w - 16, 0, BUL_GREY);
    h += 2 + hs__bul_text(t, value, (hs__font){18, 1, 0}, x + 8, y + h + 2, w - 16, 0, BUL_INK);
    h += 2 + hs__bul_text(t, note, (hs__font){8, 0, 0}, x + 8, y + h + 2, w - 16, 0, BUL_GREY);
    return h + 8;
}

static double key_figures(hs__bul *t, double y)
{
    const hs_bulletin *b = t->b;
    const hs__bul_sums *s = t->s, *all = &s[BUL_NCLS + 1];
    char v[4][64], n[4][160], a[64], c[64];
    hs__bul_num(all->cases, 0, v[0], sizeof v[0]);
    if (isfinite(b->cases_prev) && b->cases_prev > 0) {
        hs__bul_num(b->cases_prev, 0, a, sizeof a);
        hs__bul_num(100.0 * (all->cases - b->cases_prev) / b->cases_prev, 0, c, sizeof c);
        snprintf(n[0], sizeof n[0], "kỳ trước: %s (%s%s%%)", a,
                 all->cases >= b->cases_prev ? "+" : "", c);
    } else if (isfinite(b->cases_prev)) {
        snprintf(n[0], sizeof n[0], "kỳ trước: 0");
    } else {
        snprintf(n[0], sizeof n[0], "kỳ trước: chưa có số liệu");
    }
    snprintf(v[1], sizeof v[1], "%d / %d", s[0].units + s[1].units + s[2].units, all->units);
    snprintf(n[1], sizeof n[1], "trong đó tin cậy 99%%: %d xã", s[0].units);
    hs__bul_num(all->events, 0, v[2], sizeof v[2]);
    snprintf(n[2], sizeof n[2], "xã được tiếp cận: %d / %d", all->reached, all->units);
    snprintf(v[3], sizeof v[3], "%d", all->units - all->reached);
    snprintf(n[3], sizeof n[3], "chưa từng có hoạt động: %d xã", all->never);
    const char *lab[4] = {"Số vụ trong kỳ (cases)", "Xã điểm nóng Gi* ≥ 90% (hot-spot communes)",
                          "Hoạt động truyền thông (outreach events)",
                          "Xã chưa có truyền thông trong kỳ (not reached)"};
    double gap = 10, w = (BUL_CW - 3 * gap) / 4, h = 0;
    int draw = t->draw;
    t->draw = 0;
    for (int k = 0; k < 4; k++)
        h = fmax(h, key_box(t, 0, 0, w, lab[k], v[k], n[k]));
    t->draw = draw;
    for (int k = 0; k < 4; k++) {
        double x = BUL_M + k * (w + gap);
        hs__bul_fill_rect(t, x, y, w, h, hs_rgb(0xf4f1ec));
        hs__bul_fill_rect(t, x, y, 3, h, k == 1 ? hs_rgb(0xd62f27) : BUL_MARK);
        key_box(t, x, y, w, lab[k], v[k], n[k]);
    }
    return h;
}

/* The renderer's own full map (legend, scale bar, north arrow, labels) in a frame of
 * the page: translated and clipped, its white background paint stops at the frame. */
static int full_map(hs__bul *t, double x, double y, double w, double h)
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
        return hs_err_set(t->err, HS_ERENDER,
                          "bulletin page 1: the map does not fit its %.0fx%.0f frame", w, h);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, BUL_RULE);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
    return HS_OK;
}

int hs__bul_page_one(hs__bul *t)
{
    const hs_bulletin *b = t->b;
    const hs__bul_sums *s = t->s;
    double y = hs__bul_page_head(t);
    y += hs__bul_text(t, "Bản tin điểm nóng mua bán người", (hs__font){22, 1, 0}, BUL_M, y, 0, 0,
                      BUL_INK);
    char line[400], f[16], to[16], pt[160];
    hs__bul_month(b->from, f, sizeof f);
    hs__bul_month(b->to, to, sizeof to);
    hs__bul_province_title(b, pt, sizeof pt);
    snprintf(line, sizeof line, "%s (%s) · kỳ %s: %s – %s", pt, b->province_code, b->period, f, to);
    y += 2 + hs__bul_text(t, line, (hs__font){14, 0, 0}, BUL_M, y + 2, 0, 0, BUL_INK);
    y += 2 + hs__bul_text(t,
                          "Province bulletin: human trafficking hot spots, priorities and outreach "
                          "— for the provincial meeting, internal use only",
                          (hs__font){9.5, 0, 1}, BUL_M, y + 2, 0, 0, BUL_GREY);
    y += 12;
    y += key_figures(t, y) + 16;
    y += hs__bul_heading(t, "1. Các xã theo lớp điểm nóng", "Communes by hot-spot class (Gi*)", y);

    /* The class table goes under the map: measure it, the map takes the rest. */
    hs__bul_col c[] = {{"Lớp điểm nóng (Gi* class)", 232, 0, 20},
                       {"Số xã", 52, 2, 0},
                       {"Số vụ", 52, 2, 0},
                       {"Xã có truyền thông", 70, 2, 0}};
    int nc = (int)(sizeof c / sizeof *c);
    double tw = 0;
    for (int k = 0; k < nc; k++)
        tw += c[k].w;
    int draw = t->draw;
    t->draw = 0;
    double table_h = hs__bul_table_head(t, c, nc, 0);
    for (int k = 0; k <= BUL_NCLS + 1; k++)
        if (k != BUL_NCLS || s[BUL_NCLS].units > 0)
            table_h += hs__bul_table_row(
                t, c, nc, (const char *const[]){hs__bul_class_label(t, k), "1", "1", "1"}, NULL, 0,
                k == BUL_NCLS + 1);
    t->draw = draw;
    double map_h = BUL_BOTTOM - y - table_h - 12;
    if (map_h < 250)
        return hs_err_set(t->err, HS_ERENDER, "bulletin page 1: %.0f px left for the map", map_h);
    int rc = full_map(t, BUL_M, y, BUL_CW, map_h);
    if (rc < 0)
        return rc;
    y += map_h + 12;

    double ty = y + hs__bul_table_head(t, c, nc, y);
    for (int k = 0; k <= BUL_NCLS + 1; k++) {
        if (k == BUL_NCLS && s[BUL_NCLS].units == 0)
            continue;
        char u[32], cs[32], r[48];
        snprintf(u, sizeof u, "%d", s[k].units);
        hs__bul_num(s[k].cases, 0, cs, sizeof cs);
        snprintf(r, sizeof r, "%d", s[k].reached);
        const char *lab = k == BUL_NCLS + 1 ? "Toàn tỉnh (province)" : hs__bul_class_label(t, k);
        const char *cell[] = {lab, u, cs, r};
        double h = hs__bul_table_row(t, c, nc, cell, NULL, ty, k == BUL_NCLS + 1);
        if (k <= BUL_NCLS)
            hs__bul_swatch(t, hs__bul_class_style(t, k), BUL_M + 4, ty + 3, 13, h - 8);
        ty += h;
    }
    /* Beside the table: how to read the classes. */
    double nx = BUL_M + tw + 18, nw = BUL_PW - BUL_M - nx, ny = y + 2;
    ny += hs__bul_text(t, "Cách đọc", (hs__font){9.5, 1, 0}, nx, ny, nw, 0, BUL_INK) + 3;
    ny += 4 + hs__bul_text(t,
                           "Điểm nóng: xã mà cùng các xã giáp ranh có tỷ lệ vụ việc cao hơn hẳn "
                           "mức chung của tỉnh (Getis–Ord Gi*); độ tin cậy 90/95/99% cho biết mức "
                           "chắc chắn. Điểm lạnh: ngược lại. Viền đậm: xã trọng điểm. Số liệu "
                           "chính xác, nội bộ.",
                           (hs__font){8.5, 0, 0}, nx, ny, nw, 0, BUL_INK);
    hs__bul_text(t,
                 "Hot spot: a commune whose neighbourhood has a markedly higher rate than the "
                 "province as a whole; cold spot: the reverse. Bold outline: key commune. Exact "
                 "internal figures.",
                 (hs__font){8, 0, 1}, nx, ny, nw, 0, BUL_GREY);
    hs__bul_page_foot(t, 1);
    return HS_OK;
}
