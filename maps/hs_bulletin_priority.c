/* hs_bulletin_priority: page 2 of the bulletin (hs_bulletin_int.h): the priority
 * communes with their reasons, as the pipeline ranked them, and a locator map with each
 * commune's rank in a disc. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_bulletin_int.h"

#define LOCATOR_MIN_H 260
#define DISC_R 8.5 /* rank discs of the locator map */

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
static void locator_map(hs__bul *t, double x, double y, double w, double h)
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
            hs_rgba_set_source(cr, BUL_MARK);
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
        hs_rgba_set_source(cr, BUL_WHITE);
        cairo_fill_preserve(cr);
        hs_rgba_set_source(cr, BUL_MARK);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
        double th = hs__bul_tbox(t->d, r, f, 0, 0, 0, 0, BUL_INK, 0);
        hs__bul_tbox(t->d, r, f, px, py - th / 2, 0, 1, BUL_INK, 1);
    }
    cairo_restore(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, w, h);
    hs_rgba_set_source(cr, BUL_RULE);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
}

int hs__bul_page_two(hs__bul *t)
{
    const hs_bulletin *b = t->b;
    double y = hs__bul_page_head(t);
    char h[160];
    snprintf(h, sizeof h, "2. %d xã ưu tiên truyền thông", b->n_priorities);
    y += hs__bul_heading(t, h, "Priority communes for outreach", y);
    y += 8 + hs__bul_text(t,
                          "Xếp theo khoảng trống truyền thông: điểm rủi ro tổng hợp (0–100) nhân "
                          "với phần chưa được truyền thông bao phủ; cùng danh sách với `hotspot "
                          "priorities` và /api/priorities cho tỉnh này. Cột “Truyền thông”: số "
                          "hoạt động trong kỳ và hoạt động gần nhất. Ranked by outreach gap = "
                          "risk × (1 − coverage).",
                          (hs__font){8.5, 0, 0}, BUL_M, y, BUL_CW, 0, BUL_INK);
    hs__bul_col c[] = {{"#", 20, 2, 0},
                       {"Xã (commune)", 116, 0, 0},
                       {"Lớp Gi*", 100, 0, 16},
                       {"Rủi ro", 40, 2, 0},
                       {"Tỷ lệ EB /100.000", 52, 2, 0},
                       {"Số vụ", 34, 2, 0},
                       {"Truyền thông", 88, 2, 0},
                       {"Lý do (reasons)", 0, 0, 0}};
    int nc = (int)(sizeof c / sizeof *c);
    hs__bul_fit_cols(c, nc);
    y += hs__bul_table_head(t, c, nc, y);
    for (int k = 0; k < b->n_priorities; k++) {
        const hs_bulletin_priority *p = &b->priorities[k];
        char rank[16], sc[32], eb[32], ca[32], ev[64], last[64];
        snprintf(rank, sizeof rank, "%d", p->rank);
        hs__bul_num(p->score, 0, sc, sizeof sc);
        hs__bul_num(p->eb_rate, 2, eb, sizeof eb);
        hs__bul_num(p->cases, 0, ca, sizeof ca);
        hs__bul_num(p->events, 0, ev, sizeof ev);
        snprintf(ev + strlen(ev), sizeof ev - strlen(ev), " hoạt động");
        if (p->months_since < 0)
            snprintf(last, sizeof last, "chưa từng có");
        else if (p->months_since == 0)
            snprintf(last, sizeof last, "gần nhất: tháng cuối kỳ");
        else
            snprintf(last, sizeof last, "gần nhất: %d tháng trước", p->months_since);
        const char *cell[] = {rank, p->name,     hs__bul_class_label(t, p->gi_class), sc, eb, ca,
                              ev,   p->reason_vi};
        const char *sub[] = {NULL, p->code, NULL, NULL, NULL, NULL, last, p->reason_en};
        int draw = t->draw;
        t->draw = 0;
        double rh = hs__bul_table_row(t, c, nc, cell, sub, y, 0);
        t->draw = draw;
        if (y + rh > BUL_BOTTOM)
            return hs_err_set(t->err, HS_ERENDER, "bulletin page 2: priority %d does not fit",
                              p->rank);
        hs__bul_table_row(t, c, nc, cell, sub, y, 0);
        hs__bul_swatch(t, hs__bul_class_style(t, p->gi_class), BUL_M + c[0].w + c[1].w + 4, y + 4,
                       11, 11);
        y += rh;
    }
    if (b->n_priorities == 0)
        y += 4 + hs__bul_text(t, "Không có xã nào được xếp hạng (no commune ranked).",
                              (hs__font){9, 0, 1}, BUL_M, y + 4, 0, 0, BUL_GREY);
    y += 18;
    /* Where they are: the rest of the page, when there is room for a useful map. */
    if (b->map && BUL_BOTTOM - y >= LOCATOR_MIN_H + 30) {
        y += hs__bul_heading(t, "Vị trí các xã ưu tiên",
                             "Where the priority communes are (rank numbers)", y);
        locator_map(t, BUL_M, y, BUL_CW, BUL_BOTTOM - y);
    }
    hs__bul_page_foot(t, 2);
    return HS_OK;
}
