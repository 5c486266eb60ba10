/* Page composition for full maps: title block, map frame, legend, scale bar, north
 * arrow, inset, footer (source, time, synthetic note) and the synthetic-data
 * watermark. All sizes are in layout px (1/96 in) scaled by the page size, so A4 and
 * A3 pages look alike. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_render_int.h"
#include "hs_text.h"

static const hs_rgba INK = {0x20, 0x20, 0x20, 255};
static const hs_rgba GREY = {0x55, 0x55, 0x55, 255};
static const hs_rgba NONE = {0, 0, 0, 0};

typedef struct frame {
    double x, y, w, h;
} frame;

static double text_width(hs__draw *d, const char *s, hs__font f, double *h)
{
    double w = 0, hh = 0;
    PangoLayout *l = s ? hs__layout(d, s, f) : NULL;
    if (l) {
        hs__layout_size(l, &w, &hh);
        g_object_unref(l);
    }
    if (h)
        *h = hh;
    return w;
}

/* ---- legend -------------------------------------------------------------------- */

typedef struct legend_row {
    const hs_class_style *cs; /* NULL for special rows */
    int kind;                 /* 0 class, 1 no data, 2 key unit, 3 province line, 4 border,
                                 5 block title (legend_groups) */
    const char *label;
} legend_row;

/* Rows a legend lists at most: the blocks of a two-level map (an analyst's communes,
 * provinces elsewhere) times their classes, plus the fixed rows. */
#define LEGEND_ROWS_MAX 96

static int any_class(const hs_map_spec *s, int c)
{
    if (!s->units || !s->unit_class)
        return c == -1 && s->units;
    for (int i = 0; i < s->units->nfeat; i++)
        if (s->unit_class[i] == c || (c == -1 && (s->unit_class[i] < 0 || s->unit_class[i] >= s->nclasses)))
            return 1;
    return 0;
}

static int any_key(const hs_map_spec *s)
{
    for (int i = 0; s->units && i < s->units->nfeat; i++)
        if (s->units->feat[i].flags & HS_FEAT_KEY_COMMUNE)
            return 1;
    return 0;
}

static void swatch(hs__draw *d, const legend_row *r, const hs_map_spec *s, double x, double y,
                   double w, double h)
{
    cairo_t *cr = d->cr;
    cairo_new_path(cr);
    if (r->kind == 3 || r->kind == 4) {
        cairo_move_to(cr, x, y + h / 2);
        cairo_line_to(cr, x + w, y + h / 2);
        hs_rgba_set_source(cr, r->kind == 3 ? s->province_line : s->border_line);
        cairo_set_line_width(cr, r->kind == 3 ? s->province_line_w : s->border_line_w);
        cairo_stroke(cr);
        return;
    }
    cairo_rectangle(cr, x, y, w, h);
    if (r->kind == 1) {
        cairo_pattern_t *p = hs_palette_hatch_pattern(hs_rgb(0xf2f2f2), hs_rgb(0xa0a0a0), 6, 0.8);
        if (p) {
            cairo_set_source(cr, p);
            cairo_fill_preserve(cr);
            cairo_pattern_destroy(p);
        }
    } else if (r->kind == 2) {
        hs_rgba_set_source(cr, hs_rgb(0xffffff));
        cairo_fill_preserve(cr);
        hs_rgba k = s->key_line;
        if (d->key_light)
            k.a = (unsigned char)(k.a * 0.7);
        hs_rgba_set_source(cr, k);
        cairo_set_line_width(cr, d->key_light ? s->key_line_w * 0.5 : s->key_line_w);
        cairo_stroke_preserve(cr);
    } else {
        hs_rgba_set_source(cr, r->cs->fill);
        cairo_fill_preserve(cr);
        if (r->cs->hatch.a) {
            cairo_pattern_t *p = hs_palette_hatch_pattern(NONE, r->cs->hatch, 5, 1.0);
            if (p) {
                cairo_set_source(cr, p);
                cairo_fill_preserve(cr);
                cairo_pattern_destroy(p);
            }
        }
        if (r->cs->outline.a) {
            hs_rgba_set_source(cr, r->cs->outline);
            cairo_set_line_width(cr, 1.2);
            cairo_stroke_preserve(cr);
        }
    }
    hs_rgba_set_source(cr, hs_rgb(0x888888));
    cairo_set_line_width(cr, 0.5);
    cairo_stroke(cr);
}

/* Draws the legend with its bottom-left corner at (x, ybot); returns its width and
 * stores its box in rect (x0 y0 x1 y1). With measure != 0 it only stores the box. */
static double draw_legend(hs__draw *d, const hs_map_spec *s, double x, double ybot, double u, double *rect,
                          int measure)
{
    legend_row rows[LEGEND_ROWS_MAX];
    int n = 0;
    /* One block of every class, or the spec's blocks each under its title. */
    hs_legend_group all = {NULL, 0, s->nclasses};
    const hs_legend_group *g = s->nlegend_groups > 0 ? s->legend_groups : &all;
    int ng = s->nlegend_groups > 0 ? s->nlegend_groups : 1;
    for (int k = 0; s->classes && k < ng; k++) {
        /* Long categorical schemes (emerging: 17 classes) list only the classes present. */
        int only_present = g[k].n > 9;
        if (g[k].title && n < LEGEND_ROWS_MAX - 5)
            rows[n++] = (legend_row){NULL, 5, g[k].title};
        for (int c = g[k].first; c >= 0 && c < g[k].first + g[k].n && c < s->nclasses &&
                                 n < LEGEND_ROWS_MAX - 4;
             c++)
            if (!only_present || any_class(s, c))
                rows[n++] = (legend_row){&s->classes[c], 0, s->classes[c].label};
    }
    if (any_class(s, -1))
        rows[n++] = (legend_row){NULL, 1, s->nodata_label ? s->nodata_label : "Không có dữ liệu"};
    if (s->highlight_key && any_key(s))
        rows[n++] = (legend_row){NULL, 2, s->key_label ? s->key_label : "Xã trọng điểm"};
    if (s->provinces)
        rows[n++] = (legend_row){NULL, 3, "Ranh giới tỉnh"};
    if (s->border)
        rows[n++] = (legend_row){NULL, 4, "Biên giới quốc gia"};
    if (!n)
        return 0;
    hs__font ft = {12 * u, 1, 0}, fi = {10 * u, 0, 0}, fg = {10 * u, 1, 1};
    const char *title = s->legend_title ? s->legend_title : "Chú giải";
    double th, rh = 17 * u, sw = 22 * u, shh = 12 * u, pad = 8 * u;
    double w = text_width(d, title, ft, &th);
    for (int i = 0; i < n; i++) {
        double lw = rows[i].kind == 5 ? text_width(d, rows[i].label, fg, NULL)
                                      : sw + 6 * u + text_width(d, rows[i].label, fi, NULL);
        if (lw > w)
            w = lw;
    }
    double bw = w + 2 * pad, bh = th + 4 * u + n * rh + 2 * pad;
    double y = ybot - bh;
    rect[0] = x, rect[1] = y, rect[2] = x + bw, rect[3] = ybot;
    if (measure)
        return bw;
    cairo_t *cr = d->cr;
    cairo_new_path(cr);
    cairo_rectangle(cr, x, y, bw, bh);
    hs_rgba_set_source(cr, hs_rgba_make(0xffffff, 235));
    cairo_fill_preserve(cr);
    hs_rgba_set_source(cr, hs_rgb(0x999999));
    cairo_set_line_width(cr, 0.6);
    cairo_stroke(cr);
    hs__text(d, title, ft, x + pad, y + pad, 0, INK);
    double ry = y + pad + th + 4 * u;
    for (int i = 0; i < n; i++, ry += rh) {
        if (rows[i].kind == 5) { /* a block's title, bottom-aligned: air above it */
            double gh;
            text_width(d, rows[i].label, fg, &gh);
            hs__text(d, rows[i].label, fg, x + pad, ry + rh - gh - 1 * u, 0, INK);
            continue;
        }
        swatch(d, &rows[i], s, x + pad, ry + (rh - shh) / 2, sw, shh);
        double lh;
        text_width(d, rows[i].label, fi, &lh);
        hs__text(d, rows[i].label, fi, x + pad + sw + 6 * u, ry + (rh - lh) / 2, 0, INK);
    }
    return bw;
}

/* ---- scale bar and north arrow -------------------------------------------------- */

static void draw_scale_bar(hs__draw *d, const hs_map_spec *s, double ppu, double x, double ybot, double u,
                           double maxw)
{
    if (!(s->ground_m_per_unit > 0) || !(ppu > 0))
        return;
    double m_per_px = s->ground_m_per_unit / ppu;
    double target = maxw * m_per_px; /* metres that fit */
    double p10 = pow(10, floor(log10(target)));
    double nice = p10;
    if (5 * p10 <= target)
        nice = 5 * p10;
    else if (2 * p10 <= target)
        nice = 2 * p10;
    double len = nice / m_per_px, bh = 5 * u;
    cairo_t *cr = d->cr;
    double y = ybot - bh - 16 * u;
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, x + i * len / 4, y, len / 4, bh);
        hs_rgba_set_source(cr, i % 2 ? hs_rgb(0xffffff) : hs_rgb(0x202020));
        cairo_fill_preserve(cr);
        hs_rgba_set_source(cr, hs_rgb(0x202020));
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
    }
    int km = nice >= 1000;
    double unit = km ? 1000 : 1;
    char a[48], b[48], c[64];
    hs_text_format_number(0, 0, a, sizeof a);
    hs_text_format_number(nice / 2 / unit, fmod(nice / 2, unit * 1.0) != 0 && nice / 2 / unit < 10 ? 1 : 0, b,
                          sizeof b);
    char num[48];
    hs_text_format_number(nice / unit, 0, num, sizeof num);
    snprintf(c, sizeof c, "%s %s", num, km ? "km" : "m");
    hs__font f = {9 * u, 0, 0};
    hs__text(d, a, f, x, y + bh + 2 * u, 0.5, INK);
    hs__text(d, b, f, x + len / 2, y + bh + 2 * u, 0.5, INK);
    hs__text(d, c, f, x + len, y + bh + 2 * u, 0.3, INK);
}

static void draw_north_arrow(hs__draw *d, double cx, double top, double u)
{
    cairo_t *cr = d->cr;
    double h = 30 * u, w = 10 * u;
    double lh = hs__text(d, "B", (hs__font){12 * u, 1, 0}, cx, top, 0.5, INK); /* Bắc = north */
    double y0 = top + lh + 1 * u;
    cairo_new_path(cr);
    cairo_move_to(cr, cx, y0);
    cairo_line_to(cr, cx - w / 2, y0 + h);
    cairo_line_to(cr, cx, y0 + h * 0.72);
    cairo_close_path(cr);
    hs_rgba_set_source(cr, INK);
    cairo_fill(cr);
    cairo_move_to(cr, cx, y0);
    cairo_line_to(cr, cx + w / 2, y0 + h);
    cairo_line_to(cr, cx, y0 + h * 0.72);
    cairo_close_path(cr);
    hs_rgba_set_source(cr, hs_rgb(0xffffff));
    cairo_fill_preserve(cr);
    hs_rgba_set_source(cr, INK);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
}

/* ---- frames -------------------------------------------------------------------- */

/* Draws the layers of ext fitted into frame f; returns the transform and the
 * projected bbox of the whole frame so that labels can be placed afterwards. */
static void draw_frame(hs__draw *d, const hs_map_spec *s, const hs_bbox *ext, frame f, int labels,
                       hs__xform *tout, hs_bbox *fullout)
{
    cairo_t *cr = d->cr;
    hs__xform t;
    hs__xform_fit(&t, ext, f.x, f.y, f.w, f.h);
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    cairo_clip(cr);
    hs_rgba_set_source(cr, s->sea);
    cairo_paint(cr);
    /* The frame shows the whole fitted area, not just ext: widen ext to the frame so
     * layers reach the frame edges when the aspect ratios differ. */
    hs_bbox full = {t.minx - (t.fx - f.x) / t.ppu, t.maxy - (f.y + f.h - t.fy) / t.ppu,
                    t.minx + (f.x + f.w - t.fx) / t.ppu, t.maxy + (t.fy - f.y) / t.ppu};
    hs__draw_layers(d, s, &t, &full, labels);
    cairo_restore(cr);
    if (tout)
        *tout = t;
    if (fullout)
        *fullout = full;
    cairo_new_path(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    hs_rgba_set_source(cr, GREY);
    cairo_set_line_width(cr, 0.8);
    cairo_stroke(cr);
}

void hs__draw_watermark(hs__draw *d, double W, double H, double size_frac, hs_rgba fill,
                        hs_rgba halo, double halo_w)
{
    cairo_t *cr = d->cr;
    hs__font f = {hypot(W, H) * size_frac, 1, 0};
    const char *lines[2] = {"DỮ LIỆU MÔ PHỎNG", "SYNTHETIC DATA"};
    cairo_save(cr);
    cairo_translate(cr, W / 2, H / 2);
    cairo_rotate(cr, -atan2(H, W));
    for (int i = 0; i < 2; i++) {
        PangoLayout *l = hs__layout(d, lines[i], f);
        if (!l)
            continue;
        double w, h;
        hs__layout_size(l, &w, &h);
        double y = i == 0 ? -h * 1.05 : h * 0.05;
        hs__show_layout(d, l, -w / 2, y, fill, halo, halo_w);
        g_object_unref(l);
    }
    cairo_restore(cr);
}

/* ---- automatic legend corner (spec->legend_auto) ----------------------------------- */

#define OCC_W 240 /* occupancy mask width in pixels */

/* A coarse A8 mask of the frame where the units are drawn, to find the corner where
 * the legend hides the least of them. NULL when cairo fails (then: bottom-left). */
static cairo_surface_t *occupancy(const hs_map_spec *s, const hs__xform *t, frame f, double *k)
{
    if (!s->units || f.w <= 0 || f.h <= 0)
        return NULL;
    *k = OCC_W / f.w;
    int mh = (int)ceil(f.h * *k);
    cairo_surface_t *m = cairo_image_surface_create(CAIRO_FORMAT_A8, OCC_W, mh > 1 ? mh : 1);
    cairo_t *cr = cairo_create(m);
    cairo_scale(cr, *k, *k);
    cairo_translate(cr, -f.x, -f.y);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    cairo_new_path(cr);
    for (int i = 0; i < s->units->nfeat; i++) {
        const hs_feature *ft = &s->units->feat[i];
        for (int r = 0; r < ft->nrings; r++) {
            const hs_ring *ring = &ft->rings[r];
            for (int p = 0; p < ring->npts; p++) {
                double x = t->fx + (ring->xy[2 * p] - t->minx) * t->ppu;
                double y = t->fy + (t->maxy - ring->xy[2 * p + 1]) * t->ppu;
                if (p == 0)
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
            }
            cairo_close_path(cr);
        }
    }
    cairo_set_source_rgba(cr, 0, 0, 0, 1);
    cairo_fill(cr);
    cairo_destroy(cr);
    cairo_surface_flush(m);
    if (cairo_surface_status(m) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(m);
        return NULL;
    }
    return m;
}

/* Sum of mask coverage inside a page rectangle (x0 y0 x1 y1). */
static double covered(cairo_surface_t *m, frame f, double k, const double *r)
{
    int w = cairo_image_surface_get_width(m), h = cairo_image_surface_get_height(m);
    int st = cairo_image_surface_get_stride(m);
    const unsigned char *px = cairo_image_surface_get_data(m);
    int x0 = (int)floor((r[0] - f.x) * k), x1 = (int)ceil((r[2] - f.x) * k);
    int y0 = (int)floor((r[1] - f.y) * k), y1 = (int)ceil((r[3] - f.y) * k);
    double sum = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
            sum += px[(size_t)y * st + x];
    return sum;
}

int hs__draw_furniture(hs__draw *d, const hs_map_spec *s, const hs_bbox *ext, double W, double H)
{
    cairo_t *cr = d->cr;
    double u = fmin(W, H) / 800.0;
    if (u < 0.5)
        u = 0.5;
    double m = 18 * u;
    hs_rgba_set_source(cr, hs_rgb(0xffffff));
    cairo_paint(cr);
    /* title block */
    double y = m;
    y += hs__text(d, s->title, (hs__font){20 * u, 1, 0}, m, y, 0, INK);
    y += hs__text(d, s->subtitle, (hs__font){13 * u, 0, 0}, m, y + 2 * u, 0, GREY) + 8 * u;
    /* footer: measured first so the frame knows its height */
    hs__font ff = {9 * u, 0, 0}, fs = {10 * u, 1, 0};
    double fh1 = 0, fh2 = 0;
    text_width(d, "Ag", ff, &fh1);
    if (s->synthetic)
        text_width(d, "Ag", fs, &fh2);
    double footer = fh1 + (s->synthetic ? fh2 + 2 * u : 0) + 6 * u;
    frame f = {m, y, W - 2 * m, H - y - footer - m};
    if (f.w < 20 || f.h < 20)
        return hs_err_set(NULL, HS_EINVAL, "page too small");
    hs__xform t;
    hs_bbox full;
    draw_frame(d, s, ext, f, 0, &t, &full);
    double obst[4 * 4] = {0};
    int nobst = 0;
    /* inset, bottom-right inside the frame */
    if (s->has_inset && s->inset_extent.maxx > s->inset_extent.minx &&
        s->inset_extent.maxy > s->inset_extent.miny) {
        double aw = s->inset_extent.maxx - s->inset_extent.minx;
        double ah = s->inset_extent.maxy - s->inset_extent.miny;
        double iw = f.w * 0.26, ih = iw * ah / aw;
        if (ih > f.h * 0.5) {
            ih = f.h * 0.5;
            iw = ih * aw / ah;
        }
        double th = 0;
        if (s->inset_title)
            text_width(d, s->inset_title, (hs__font){8.5 * u, 0, 1}, &th);
        frame in = {f.x + f.w - iw - 8 * u, f.y + f.h - ih - 8 * u, iw, ih};
        cairo_new_path(cr);
        cairo_rectangle(cr, in.x - 2 * u, in.y - th - 4 * u, iw + 4 * u, ih + th + 6 * u);
        hs_rgba_set_source(cr, hs_rgb(0xffffff));
        cairo_fill(cr);
        if (s->inset_title)
            hs__text(d, s->inset_title, (hs__font){8.5 * u, 0, 1}, in.x + iw / 2, in.y - th - 2 * u, 0.5,
                     INK);
        draw_frame(d, s, &s->inset_extent, in, 1, NULL, NULL);
        double *o = &obst[4 * nobst++];
        o[0] = in.x - 2 * u, o[1] = in.y - th - 4 * u, o[2] = in.x + iw + 2 * u, o[3] = in.y + ih + 2 * u;
    }
    /* Legend: bottom-left, or with legend_auto the corner (bottom-left, top-right,
     * top-left, or bottom-right above the inset) that hides the fewest unit pixels. */
    double lr[4], lx = f.x + 8 * u, lybot = f.y + f.h - 8 * u;
    double lw = draw_legend(d, s, lx, lybot, u, lr, 1);
    /* A legend taller than the frame (blocks of several provinces' communes on a
     * landscape page) is set smaller to fit: every row stays on the page. */
    double lu = u;
    if (lw > 0 && lr[3] - lr[1] > 0.94 * f.h - 16 * u) {
        lu = u * (0.94 * f.h - 16 * u) / (lr[3] - lr[1]);
        lw = draw_legend(d, s, lx, lybot, lu, lr, 1);
    }
    int corner = 0; /* 0 BL, 1 TR, 2 TL, 3 BR */
    double k = 1;
    cairo_surface_t *occ = s->legend_auto && lw > 0 ? occupancy(s, &t, f, &k) : NULL;
    if (occ) {
        double bw = lr[2] - lr[0], bh = lr[3] - lr[1], best = -1;
        double inset_top = nobst ? obst[1] - 6 * u : f.y + f.h - 8 * u;
        double cand[4][2] = {{f.x + 8 * u, f.y + f.h - 8 * u},
                             {f.x + f.w - 8 * u - bw, f.y + 8 * u + bh},
                             {f.x + 8 * u, f.y + 8 * u + bh},
                             {f.x + f.w - 8 * u - bw, inset_top}};
        for (int c = 0; c < 4; c++) {
            double r[4] = {cand[c][0], cand[c][1] - bh, cand[c][0] + bw, cand[c][1]};
            if (r[1] < f.y)
                continue;
            /* Only a clear improvement moves the legend from its usual place. */
            double v = covered(occ, f, k, r) * (c == 0 ? 0.8 : 1.0);
            if (best < 0 || v < best)
                best = v, corner = c;
        }
        lx = cand[corner][0];
        lybot = cand[corner][1];
        cairo_surface_destroy(occ);
    }
    if (s->north_arrow) {
        /* Top-right, or just left of a legend placed there. */
        double ax = corner == 1 ? lx - 22 * u : f.x + f.w - 22 * u;
        draw_north_arrow(d, ax, f.y + 10 * u, u);
        double *o = &obst[4 * nobst++];
        o[0] = ax - 12 * u, o[1] = f.y + 8 * u, o[2] = ax + 12 * u, o[3] = f.y + 60 * u;
    }
    lw = draw_legend(d, s, lx, lybot, lu, &obst[4 * nobst], 0);
    if (lw > 0)
        nobst++;
    if (s->scale_bar && s->ground_m_per_unit > 0) {
        double sx = (corner == 0 ? f.x + 8 * u + lw + 18 * u : f.x + 14 * u), maxw = f.w * 0.18;
        draw_scale_bar(d, s, t.ppu, sx, f.y + f.h - 4 * u, u, maxw);
        double *o = &obst[4 * nobst++];
        o[0] = sx - 6 * u, o[1] = f.y + f.h - 40 * u, o[2] = sx + maxw + 30 * u, o[3] = f.y + f.h;
    }
    /* Labels last, avoiding every box drawn over the map. */
    cairo_save(cr);
    cairo_new_path(cr);
    cairo_rectangle(cr, f.x, f.y, f.w, f.h);
    cairo_clip(cr);
    hs__draw_labels(d, s, &t, &full, 0, obst, nobst);
    cairo_restore(cr);
    /* footer */
    double fy = f.y + f.h + 4 * u;
    char line[1024];
    hs__text(d, s->source, ff, m, fy, 0, GREY);
    if (s->generated_at) {
        snprintf(line, sizeof line, "Thời gian tạo: %s", s->generated_at);
        hs__text(d, line, ff, W - m, fy, 1, GREY);
    }
    if (s->synthetic) {
        hs__text(d, "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA – không phản ánh số liệu thực tế (not real data)",
                 fs, m, fy + fh1 + 2 * u, 0, hs_rgb(0xb00000));
        hs__draw_watermark(d, W, H, 0.045, hs_rgba_make(0xc00000, 56),
                           hs_rgba_make(0xffffff, 40), 3);
    }
    return d->oom ? HS_ENOMEM : HS_OK;
}
