/* hs_labels: placement of province names and point labels (see docs/maps.md, "Labels").
 *
 * Tiles: one position per label (its anchor), greedy by priority over ALL labels of
 * the layer at this map scale, so every metatile of a zoom level makes the same
 * choices and labels are never cut at tile edges.
 *
 * Full maps (print): every province is named. Each name tries, in order, its anchor,
 * eight positions around it, the same at a smaller size, and finally a place over
 * the sea (or a neighbouring country) as close as possible, joined to its anchor by
 * a leader line. Small provinces are placed first: large ones have room to move. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_render_int.h"

#define px_x hs__px_x
#define px_y hs__px_y

typedef struct label_cand {
    double x, y; /* anchor, map units */
    const char *text;
    int italic, extra, idx;
    double prio;
} label_cand;

typedef struct placed {
    PangoLayout *lay;
    double x, y, w, h; /* text box, layout px (top-left, size) */
    int leader, extra;
    double ax, ay;     /* anchor, layout px (leader lines) */
} placed;

static int cmp_cand(const void *a, const void *b)
{
    const label_cand *x = a, *y = b;
    if (x->prio != y->prio)
        return x->prio < y->prio ? 1 : -1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Box of a layout: the logical box united with the ink box (stacked Vietnamese marks
 * such as "Ễ" reach above the logical box), so two names never touch. */
static void layout_box(PangoLayout *l, double *x0, double *y0, double *w, double *h)
{
    PangoRectangle ink, lg;
    pango_layout_get_extents(l, &ink, &lg);
    double a = fmin(ink.x, lg.x), b = fmin(ink.y, lg.y);
    double c = fmax(ink.x + ink.width, lg.x + lg.width), e = fmax(ink.y + ink.height, lg.y + lg.height);
    *x0 = a / PANGO_SCALE, *y0 = b / PANGO_SCALE;
    *w = (c - a) / PANGO_SCALE, *h = (e - b) / PANGO_SCALE;
}

/* ---- full-map placement ---------------------------------------------------------- */

typedef struct ctx {
    double fx0, fy0, fx1, fy1; /* frame, layout px */
    const double *obst;
    int nobst;
    placed *p;
    int np;
    const double *anch;  /* province anchors (x y, layout px): names keep clear of them */
    int nanch, self;     /* self: the anchor of the label being placed (-1 none) */
    unsigned char *mask; /* land (provinces) at MASK_S device px per layout px */
    int mw, mh, mstride;
} ctx;

#define MASK_S 0.5
#define PAD 3.0

static int box_free(const ctx *c, double x0, double y0, double x1, double y1)
{
    if (x0 < c->fx0 || y0 < c->fy0 || x1 > c->fx1 || y1 > c->fy1)
        return 0;
    for (int j = 0; j < c->nobst; j++) {
        const double *o = &c->obst[4 * j];
        if (x0 < o[2] && x1 > o[0] && y0 < o[3] && y1 > o[1])
            return 0;
    }
    for (int j = 0; j < c->nanch; j++) {
        double x = c->anch[2 * j], y = c->anch[2 * j + 1];
        if (j != c->self && x > x0 - 2 && x < x1 + 2 && y > y0 - 2 && y < y1 + 2)
            return 0;
    }
    for (int j = 0; j < c->np; j++) {
        const placed *q = &c->p[j];
        if (x0 < q->x + q->w + PAD && x1 > q->x - PAD && y0 < q->y + q->h + PAD &&
            y1 > q->y - PAD)
            return 0;
    }
    return 1;
}

static int land_at(const ctx *c, double x, double y)
{
    int i = (int)((x - c->fx0) * MASK_S), j = (int)((y - c->fy0) * MASK_S);
    if (!c->mask || i < 0 || j < 0 || i >= c->mw || j >= c->mh)
        return 0;
    return c->mask[(size_t)j * (size_t)c->mstride + (size_t)i] > 0;
}

/* Any land under the box (sampled every 4 layout px)? */
static int box_on_land(const ctx *c, double x0, double y0, double x1, double y1)
{
    for (double y = y0; y <= y1 + 0.01; y += fmin(4.0, (y1 - y0) / 2 + 0.01))
        for (double x = x0; x <= x1 + 0.01; x += 4.0)
            if (land_at(c, fmin(x, x1), fmin(y, y1)))
                return 1;
    return 0;
}

/* Does the segment (ax, ay)-(bx, by) cross a placed label? */
static int segment_hits_labels(const ctx *c, double ax, double ay, double bx, double by)
{
    double len = hypot(bx - ax, by - ay);
    int n = (int)(len / 2) + 1;
    for (int k = 0; k <= n; k++) {
        double x = ax + (bx - ax) * k / n, y = ay + (by - ay) * k / n;
        for (int j = 0; j < c->np; j++) {
            const placed *q = &c->p[j];
            if (x > q->x - 1 && x < q->x + q->w + 1 && y > q->y - 1 && y < q->y + q->h + 1)
                return 1;
        }
    }
    return 0;
}

/* Land mask of the provinces (or units) inside the frame, for leader placement. */
static void build_mask(hs__draw *d, const hs_map_spec *s, const hs__xform *t, const hs_bbox *ext,
                       ctx *c)
{
    const hs_layer *l = s->provinces ? s->provinces : s->units;
    c->mw = (int)ceil((c->fx1 - c->fx0) * MASK_S) + 1;
    c->mh = (int)ceil((c->fy1 - c->fy0) * MASK_S) + 1;
    if (!l || c->mw < 1 || c->mh < 1 || (long)c->mw * c->mh > 4000000L)
        return;
    cairo_surface_t *sf = cairo_image_surface_create(CAIRO_FORMAT_A8, c->mw, c->mh);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(sf);
        d->oom = 1;
        return;
    }
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, MASK_S, MASK_S);
    cairo_translate(cr, -c->fx0, -c->fy0);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    if (hs__layer_path(cr, l, t, ext, 0))
        cairo_fill_preserve(cr);
    cairo_set_line_width(cr, 6.0); /* keep leader labels clear of the coast */
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_surface_flush(sf);
    int st = cairo_image_surface_get_stride(sf);
    c->mask = malloc((size_t)st * (size_t)c->mh);
    if (c->mask) {
        memcpy(c->mask, cairo_image_surface_get_data(sf), (size_t)st * (size_t)c->mh);
        c->mstride = st;
    } else {
        d->oom = 1;
    }
    cairo_surface_destroy(sf);
}

/* Tries the anchor and 8 positions around it; fills *out on success. */
static int try_near(const ctx *c, PangoLayout *lay, double ax, double ay, placed *out)
{
    double ox, oy, w, h;
    layout_box(lay, &ox, &oy, &w, &h);
    static const double dx[9] = {0, 0, 0, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5};
    static const double dy[9] = {0, -0.6, 0.6, 0, 0, -0.6, -0.6, 0.6, 0.6};
    for (int k = 0; k < 9; k++) {
        double x0 = ax - w / 2 + dx[k] * w, y0 = ay - h / 2 + dy[k] * h;
        if (box_free(c, x0 - PAD, y0 - PAD, x0 + w + PAD, y0 + h + PAD)) {
            *out = (placed){lay, x0, y0, w, h, 0, 0, ax, ay};
            (void)ox, (void)oy;
            return 1;
        }
    }
    return 0;
}

/* A free spot off the land, nearest first, on rays around the anchor. */
static int try_leader(const ctx *c, PangoLayout *lay, double ax, double ay, placed *out)
{
    double ox, oy, w, h;
    layout_box(lay, &ox, &oy, &w, &h);
    (void)ox, (void)oy;
    for (double r = 14; r < 400; r += 6) {
        for (int k = 0; k < 24; k++) {
            double a = k * (2 * M_PI / 24);
            /* the point of the box nearest the anchor sits at distance r */
            double ex = ax + r * cos(a), ey = ay - r * sin(a);
            double x0 = cos(a) >= 0 ? ex : ex - w, y0 = sin(a) >= 0 ? ey - h : ey;
            if (fabs(cos(a)) < 0.3)
                x0 = ex - w / 2;
            if (fabs(sin(a)) < 0.3)
                y0 = ey - h / 2;
            if (!box_free(c, x0 - PAD, y0 - PAD, x0 + w + PAD, y0 + h + PAD))
                continue;
            if (box_on_land(c, x0 - 1, y0 - 1, x0 + w + 1, y0 + h + 1))
                continue;
            double bx = fmin(fmax(ax, x0), x0 + w), by = fmin(fmax(ay, y0), y0 + h);
            if (segment_hits_labels(c, ax, ay, bx, by))
                continue;
            *out = (placed){lay, x0, y0, w, h, 1, 0, ax, ay};
            return 1;
        }
    }
    return 0;
}

static void draw_placed(hs__draw *d, const placed *q)
{
    cairo_t *cr = d->cr;
    double ox, oy, w, h;
    layout_box(q->lay, &ox, &oy, &w, &h);
    double lx = q->x - ox, ly = q->y - oy;
    hs_rgba col = q->extra ? hs_rgb(0x1f4e79) : hs_rgb(0x202020);
    if (!d->vector) {
        cairo_user_to_device(cr, &lx, &ly);
        lx = floor(lx + 0.5), ly = floor(ly + 0.5);
        cairo_device_to_user(cr, &lx, &ly);
    }
    hs__show_layout(d, q->lay, lx, ly, col, hs_rgba_make(0xffffff, 230), 2.6);
}

static void draw_leader(hs__draw *d, const placed *q)
{
    cairo_t *cr = d->cr;
    double bx = fmin(fmax(q->ax, q->x), q->x + q->w), by = fmin(fmax(q->ay, q->y), q->y + q->h);
    cairo_new_path(cr);
    cairo_move_to(cr, q->ax, q->ay);
    cairo_line_to(cr, bx, by);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    hs_rgba_set_source(cr, hs_rgba_make(0xffffff, 200));
    cairo_set_line_width(cr, 2.0);
    cairo_stroke_preserve(cr);
    hs_rgba_set_source(cr, hs_rgb(0x303030));
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    cairo_arc(cr, q->ax, q->ay, 1.6, 0, 2 * M_PI);
    cairo_fill(cr);
}

/* Candidates: extra labels first (fixed), then provinces. */
static int collect(const hs_map_spec *s, label_cand *c, int small_first)
{
    int np = (s->label_provinces && s->provinces) ? s->provinces->nfeat : 0;
    int n = 0;
    for (int i = 0; s->labels && i < s->nlabels; i++) {
        if (!s->labels[i].text)
            continue;
        c[n] = (label_cand){s->labels[i].x, s->labels[i].y, s->labels[i].text, s->labels[i].italic,
                              1, n, 1e300};
        n++;
    }
    for (int i = 0; i < np; i++) {
        const hs_feature *f = &s->provinces->feat[i];
        if (!f->name || !*f->name)
            continue;
        double area = (f->bbox.maxx - f->bbox.minx) * (f->bbox.maxy - f->bbox.miny);
        c[n] = (label_cand){f->label_x, f->label_y, f->name, 0, 0, n, small_first ? 1 / (area + 1e-300) : area};
        n++;
    }
    qsort(c, (size_t)n, sizeof *c, cmp_cand);
    return n;
}

static void labels_full(hs__draw *d, const hs_map_spec *s, const hs__xform *t, const hs_bbox *ext,
                        const double *obst, int nobst, label_cand *cand, int n)
{
    ctx c = {px_x(t, ext->minx), px_y(t, ext->maxy), px_x(t, ext->maxx), px_y(t, ext->miny),
             obst, nobst, calloc((size_t)n, sizeof(placed)), 0, NULL, 0, -1, NULL, 0, 0, 0};
    int *pending = calloc((size_t)n, sizeof *pending);
    double *anch = calloc((size_t)n * 2, sizeof *anch);
    if (!c.p || !pending || !anch) {
        free(c.p), free(pending), free(anch);
        d->oom = 1;
        return;
    }
    for (int i = 0; i < n; i++)
        if (!cand[i].extra) {
            anch[2 * c.nanch] = px_x(t, cand[i].x), anch[2 * c.nanch + 1] = px_y(t, cand[i].y);
            cand[i].idx = c.nanch++; /* idx now: the anchor's slot */
        }
    c.anch = anch;
    int npend = 0;
    /* pass 1: at or near the anchor, normal size then smaller */
    for (int i = 0; i < n; i++) {
        double ax = px_x(t, cand[i].x), ay = px_y(t, cand[i].y);
        if (cand[i].x < ext->minx || cand[i].x > ext->maxx || cand[i].y < ext->miny ||
            cand[i].y > ext->maxy)
            continue;
        c.self = cand[i].extra ? -1 : cand[i].idx;
        static const double sizes[2] = {10.5, 8.5};
        int done = 0;
        for (int z = 0; z < (cand[i].extra ? 1 : 2) && !done; z++) {
            hs__font f = {cand[i].extra ? 10.0 : sizes[z], !cand[i].extra, cand[i].italic};
            PangoLayout *lay = hs__layout(d, cand[i].text, f);
            if (!lay)
                break;
            placed q;
            if (cand[i].extra) {
                /* archipelago labels: at their anchor, always (the caller placed them) */
                double ox, oy, w, h;
                layout_box(lay, &ox, &oy, &w, &h);
                q = (placed){lay, ax - w / 2, ay - h / 2, w, h, 0, 1, ax, ay};
                done = 1;
            } else {
                done = try_near(&c, lay, ax, ay, &q);
            }
            if (done)
                c.p[c.np++] = q;
            else
                g_object_unref(lay);
        }
        if (!done && !cand[i].extra)
            pending[npend++] = i;
    }
    /* pass 2: leader lines to a free spot off the land */
    if (npend)
        build_mask(d, s, t, ext, &c);
    for (int k = 0; k < npend; k++) {
        int i = pending[k];
        double ax = px_x(t, cand[i].x), ay = px_y(t, cand[i].y);
        c.self = cand[i].idx;
        hs__font f = {9.5, 1, 0};
        PangoLayout *lay = hs__layout(d, cand[i].text, f);
        placed q;
        if (lay && try_leader(&c, lay, ax, ay, &q))
            c.p[c.np++] = q;
        else if (lay)
            g_object_unref(lay);
    }
    for (int j = 0; j < c.np; j++)
        if (c.p[j].leader)
            draw_leader(d, &c.p[j]);
    for (int j = 0; j < c.np; j++) {
        draw_placed(d, &c.p[j]);
        g_object_unref(c.p[j].lay);
    }
    free(c.mask);
    free(c.p);
    free(pending);
    free(anch);
}

/* ---- tile placement ------------------------------------------------------------ */

static void labels_tile(hs__draw *d, const hs__xform *t, const hs_bbox *ext, label_cand *c, int n)
{
    double *pl = calloc((size_t)n * 4, sizeof *pl);
    if (!pl) {
        d->oom = 1;
        return;
    }
    const double pad = 2.0;
    int nplaced = 0;
    for (int i = 0; i < n; i++) {
        double ax = c[i].x, ay = c[i].y;
        hs__font f = {c[i].extra ? 10.0 : 10.5, !c[i].extra, c[i].italic};
        PangoLayout *lay = hs__layout(d, c[i].text, f);
        if (!lay)
            continue;
        double w, h;
        hs__layout_size(lay, &w, &h);
        /* box in map units (tile-independent), padded */
        double hw = (w / 2 + pad) / t->ppu, hh = (h / 2 + pad) / t->ppu;
        double b[4] = {ax - hw, ay - hh, ax + hw, ay + hh};
        int clash = 0;
        for (int j = 0; j < nplaced && !clash; j++) {
            const double *p = &pl[4 * j];
            clash = b[0] < p[2] && b[2] > p[0] && b[1] < p[3] && b[3] > p[1];
        }
        if (clash) {
            g_object_unref(lay);
            continue;
        }
        memcpy(&pl[4 * nplaced++], b, sizeof b);
        /* Stacked Vietnamese marks and the halo reach beyond the logical box: test
         * visibility with a margin so a tile draws every label whose ink reaches it. */
        double im = (h / 2 + 4) / t->ppu;
        hs_bbox lb = {b[0] - im, b[1] - im, b[2] + im, b[3] + im};
        if (ext->minx <= lb.maxx && ext->maxx >= lb.minx && ext->miny <= lb.maxy &&
            ext->maxy >= lb.miny) {
            hs_rgba col = c[i].extra ? hs_rgb(0x1f4e79) : hs_rgb(0x202020);
            double lx = px_x(t, ax) - w / 2, ly = px_y(t, ay) - h / 2;
            if (!d->vector) {
                /* Whole device pixels: glyph rasterisation then depends only on the
                 * label, not on the sub-pixel offset of the tile, so metatiles agree. */
                cairo_user_to_device(d->cr, &lx, &ly);
                lx = floor(lx + 0.5), ly = floor(ly + 0.5);
                cairo_device_to_user(d->cr, &lx, &ly);
            }
            hs__show_layout(d, lay, lx, ly, col, hs_rgba_make(0xffffff, 230), 2.6);
        }
        g_object_unref(lay);
    }
    free(pl);
}

void hs__draw_labels(hs__draw *d, const hs_map_spec *s, const hs__xform *t, const hs_bbox *ext,
                     int tile_mode, const double *obst, int nobst)
{
    int np = (s->label_provinces && s->provinces) ? s->provinces->nfeat : 0;
    int nc = np + (s->labels ? s->nlabels : 0);
    if (nc <= 0)
        return;
    label_cand *c = calloc((size_t)nc, sizeof *c);
    if (!c) {
        d->oom = 1;
        return;
    }
    int n = collect(s, c, !tile_mode);
    if (tile_mode)
        labels_tile(d, t, ext, c, n);
    else
        labels_full(d, s, t, ext, obst, nobst, c, n);
    free(c);
}
