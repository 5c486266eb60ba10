/* hs_render: the map layers (fills, outlines, border, highlights, labels) and the
 * tile-mode entry point. Furniture is in hs_furniture.c, output encoders in
 * hs_output.c, Pango helpers in hs_text.c. */
#include "hs_render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cairolib.h"

#include "hs_render_int.h"

hs_render_ctx *hs_render_ctx_new(hs_err *err)
{
    if (hs_cairolib_load(err) < 0)
        return NULL;
    hs_render_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        hs_err_set(err, HS_ENOMEM, "render context: out of memory");
        return NULL;
    }
    /* Load fontconfig's configuration here, synchronously. Otherwise the font map
     * starts a thread that loads it in the background, and a process that fails
     * early (before that thread is done) runs FcFini under it at exit: the config
     * leaks or fontconfig aborts (found by tests/fault/test_alloc_faults.sh). After
     * the first call FcInit only checks that the config is there. */
    if (!FcInit()) {
        free(c);
        hs_err_set(err, HS_ERENDER, "cannot load the fontconfig configuration");
        return NULL;
    }
    /* A private font map per thread: the default one is shared process-wide and
     * Pango font maps are not thread-safe. */
    c->fontmap = pango_cairo_font_map_new();
    /* Wait for Pango's own fontconfig-init thread (started by the first font map):
     * pango_fc_font_map_get_config blocks until that thread's FcInit is done, so it
     * can never run after this process's FcFini and load (and leak) the config anew. */
    if (c->fontmap && PANGO_IS_FC_FONT_MAP(c->fontmap))
        (void)pango_fc_font_map_get_config(PANGO_FC_FONT_MAP(c->fontmap));
    c->pango = c->fontmap ? pango_font_map_create_context(c->fontmap) : NULL;
    if (!c->pango) {
        hs_render_ctx_free(c);
        hs_err_set(err, HS_ERENDER, "cannot create a Pango font map/context");
        return NULL;
    }
    /* Unhinted outlines and metrics: text lays out identically at every scale and in
     * every format (PNG, SVG, PDF), so a 2x tile is the 1x tile enlarged. */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    pango_cairo_context_set_font_options(c->pango, fo);
    cairo_font_options_destroy(fo);
    return c;
}

void hs_render_ctx_free(hs_render_ctx *c)
{
    if (!c)
        return;
    if (c->pango)
        g_object_unref(c->pango);
    if (c->fontmap) {
        /* Pango may still hold the font map (its fontconfig thread); shut it down so
         * the fonts it cached, and their cairo scaled fonts, go now. Otherwise a render
         * that stopped half-way (out of memory) left a scaled font alive and
         * cairo_debug_reset_static_data aborted at exit (tests/fault). */
        if (PANGO_IS_FC_FONT_MAP(c->fontmap))
            pango_fc_font_map_shutdown(PANGO_FC_FONT_MAP(c->fontmap));
        /* The process's first font map is also held by the GTask of Pango's fontconfig
         * thread, whose completion waits in the default main context, which nothing
         * here runs: the map (and the fontconfig caches it refers to) would outlive
         * FcFini, which then asserts. Dispatch it, waiting at most ~0.2 s. */
        for (int i = 0; i < 200 && G_OBJECT(c->fontmap)->ref_count > 1; i++) {
            if (!g_main_context_iteration(NULL, FALSE))
                g_usleep(1000);
        }
        g_object_unref(c->fontmap);
    }
    free(c);
}

void hs__xform_fit(hs__xform *t, const hs_bbox *e, double x, double y, double w, double h)
{
    double bw = e->maxx - e->minx, bh = e->maxy - e->miny;
    double sx = w / bw, sy = h / bh;
    t->ppu = sx < sy ? sx : sy;
    t->fx = x + (w - bw * t->ppu) / 2;
    t->fy = y + (h - bh * t->ppu) / 2;
    t->minx = e->minx;
    t->maxy = e->maxy;
}

#define px_x hs__px_x
#define px_y hs__px_y

static int bbox_hit(const hs_bbox *a, const hs_bbox *b)
{
    return a->minx <= b->maxx && a->maxx >= b->minx && a->miny <= b->maxy && a->maxy >= b->miny;
}

static double ring_area2(const hs_ring *r)
{
    double a = 0;
    for (int k = 0, j = r->npts - 1; k < r->npts; j = k++)
        a += (r->xy[2 * j] - r->xy[2 * k]) * (r->xy[2 * j + 1] + r->xy[2 * k + 1]);
    return a; /* twice the signed area, > 0 counter-clockwise (map axes, y up) */
}

/* Appends the feature's rings to the current path. Every vertex is kept: dropping
 * "sub-pixel" vertices per ring would treat the two sides of a shared edge
 * differently and open slivers between neighbours. Geometry is simplified per zoom
 * beforehand, once for both sides of each shared boundary (hs_topo).
 *
 * Polygons are filled with the NONZERO rule (docs/geometry.md): exteriors are walked
 * counter-clockwise and holes clockwise whatever the input's orientation (hs_topo
 * output already is; GeoJSON fixtures may not be), so a hole cancels its exterior
 * and every shared border is walked once each way. */
static void feature_path(cairo_t *cr, const hs_feature *f, const hs__xform *t, int closed)
{
    int part = 0, first = 0; /* ring index where the current part starts */
    for (int r = 0; r < f->nrings; r++) {
        while (closed && f->part_rings && part < f->nparts && r >= first + f->part_rings[part])
            first += f->part_rings[part++];
        const hs_ring *ring = &f->rings[r];
        if (ring->npts < 2)
            continue;
        int rev = 0;
        if (closed && f->part_rings) {
            double a = ring_area2(ring);
            rev = r == first ? a < 0 : a > 0;
        }
        for (int k = 0; k < ring->npts; k++) {
            int q = rev ? ring->npts - 1 - k : k;
            double x = px_x(t, ring->xy[2 * q]), y = px_y(t, ring->xy[2 * q + 1]);
            if (k == 0)
                cairo_move_to(cr, x, y);
            else
                cairo_line_to(cr, x, y);
        }
        if (closed)
            cairo_close_path(cr);
    }
}

/* Builds one path of every feature of `l` inside `ext` (optionally only those with
 * flag bits `need`), returns how many were added. */
static int layer_path(cairo_t *cr, const hs_layer *l, const hs__xform *t, const hs_bbox *ext, int need)
{
    return hs__layer_path(cr, l, t, ext, need);
}

int hs__layer_path(cairo_t *cr, const hs_layer *l, const hs__xform *t, const hs_bbox *ext, int need)
{
    int n = 0;
    cairo_new_path(cr);
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        if ((need && !(f->flags & need)) || !bbox_hit(&f->bbox, ext))
            continue;
        feature_path(cr, f, t, l->kind == HS_LAYER_POLYGON);
        n++;
    }
    return n;
}

/* Mean of the class colours: the underpaint below the class fills. */
static hs_rgba underpaint_colour(const hs_map_spec *s)
{
    double r = 0, g = 0, b = 0;
    int n = 0;
    for (int c = 0; s->classes && c < s->nclasses; c++) {
        if (!s->classes[c].fill.a)
            continue;
        r += s->classes[c].fill.r, g += s->classes[c].fill.g, b += s->classes[c].fill.b;
        n++;
    }
    if (!n)
        return hs_rgb(0xdddddd);
    return (hs_rgba){(unsigned char)(r / n + 0.5), (unsigned char)(g / n + 0.5), (unsigned char)(b / n + 0.5),
                     255};
}

/* Anchors a repeating hatch pattern to the map's origin (x = 0, y = 0 in map units)
 * instead of the raster's corner, rounded to whole device pixels: metatiles start at
 * arbitrary multiples of 256 px, and a pattern anchored at each raster's corner would
 * show a phase jump where two metatiles meet. */
static void anchor_pattern(cairo_t *cr, cairo_pattern_t *p, const hs__xform *t)
{
    cairo_surface_t *sf = NULL;
    if (cairo_pattern_get_surface(p, &sf) != CAIRO_STATUS_SUCCESS || !sf)
        return;
    double n = cairo_image_surface_get_width(sf);
    if (!(n > 0))
        return;
    double ox = px_x(t, 0), oy = px_y(t, 0);
    cairo_user_to_device(cr, &ox, &oy);
    ox = floor(ox + 0.5), oy = floor(oy + 0.5);
    cairo_device_to_user(cr, &ox, &oy);
    cairo_matrix_t m;
    cairo_matrix_init_translate(&m, -fmod(ox, n), -fmod(oy, n));
    cairo_pattern_set_matrix(p, &m);
}

/* Fills the current path (kept for the outline) with hatch pattern p, anchored to the
 * map's origin on tiles, and releases p; p NULL (out of memory) leaves the fill out. */
static void fill_hatch(cairo_t *cr, cairo_pattern_t *p, int tile_mode, const hs__xform *t)
{
    if (!p)
        return;
    if (tile_mode)
        anchor_pattern(cr, p, t);
    cairo_set_source(cr, p);
    cairo_fill_preserve(cr);
    cairo_pattern_destroy(p);
}

/* Fills every unit by class, without seams.
 *
 * Two anti-aliased polygons sharing an edge each cover a fraction of the edge
 * pixels, and composited one after the other they let the background bleed
 * through ("conflation seams": a faint sea-coloured web over the map). Instead of
 * stroking every polygon (measured 3.5x the cost of the fills), all units are first
 * filled as ONE path in a neutral underpaint: coverage of a single path is computed
 * in one pass, so shared edges are fully covered and no background survives inside
 * the country. Each class is then ONE path (same-class neighbours have no seam at
 * all). Between two different classes the edge pixel keeps at most 25% underpaint,
 * which is the mean class colour: invisible next to the class boundary itself.
 * Nonzero fill (feature_path orients the rings): where heavy simplification makes
 * two neighbours' arcs cross, the overlap is still painted (even-odd would leave it
 * as a hole in the one-path underpaint); see docs/geometry.md. */
static void draw_units(hs__draw *d, const hs_map_spec *s, const hs__xform *t, const hs_bbox *ext)
{
    cairo_t *cr = d->cr;
    const hs_layer *l = s->units;
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    if (layer_path(cr, l, t, ext, 0)) {
        hs_rgba_set_source(cr, underpaint_colour(s));
        cairo_fill(cr);
    }
    hs_rgba nd_bg = hs_rgb(0xf2f2f2), nd_line = hs_rgb(0xa0a0a0);
    for (int c = -1; c < s->nclasses && !hs__stopped(d); c++) {
        const hs_class_style *cs = c >= 0 ? &s->classes[c] : NULL;
        int n = 0;
        cairo_new_path(cr);
        for (int i = 0; i < l->nfeat; i++) {
            if (i % HS_RENDER_CANCEL_EVERY == 0 && hs__stopped(d))
                break;
            int uc = s->unit_class ? s->unit_class[i] : -1;
            if (uc < -1 || uc >= s->nclasses)
                uc = -1;
            if (uc != c || !bbox_hit(&l->feat[i].bbox, ext))
                continue;
            feature_path(cr, &l->feat[i], t, 1);
            n++;
        }
        if (!n || d->cancelled)
            continue;
        if (cs && cs->fill.a) {
            hs_rgba_set_source(cr, cs->fill);
            cairo_fill_preserve(cr);
        } else if (!cs) {
            fill_hatch(cr, hs_palette_hatch_pattern(nd_bg, nd_line, 6, 0.8), d->tile_mode, t);
        }
        if (cs && cs->hatch.a)
            fill_hatch(cr, hs_palette_hatch_pattern((hs_rgba){0, 0, 0, 0}, cs->hatch, 5, 1.0),
                       d->tile_mode, t);
        cairo_new_path(cr);
    }
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
}

static void stroke_path(cairo_t *cr, hs_rgba c, double w)
{
    hs_rgba_set_source(cr, c);
    cairo_set_line_width(cr, w);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
}

/* Per-class outlines (LISA isolated units, new hot spots...), after all fills so
 * that no neighbour's fill covers them. */
static void draw_class_outlines(hs__draw *d, const hs_map_spec *s, const hs__xform *t,
                                const hs_bbox *ext)
{
    for (int c = 0; c < s->nclasses && !hs__stopped(d); c++) {
        if (!s->classes[c].outline.a)
            continue;
        int n = 0;
        cairo_new_path(d->cr);
        for (int i = 0; i < s->units->nfeat; i++) {
            if (!s->unit_class || s->unit_class[i] != c || !bbox_hit(&s->units->feat[i].bbox, ext))
                continue;
            feature_path(d->cr, &s->units->feat[i], t, 1);
            n++;
        }
        if (n)
            stroke_path(d->cr, s->classes[c].outline, 0.9);
        cairo_new_path(d->cr);
    }
}

/* The land border, drawn along the country's own edge where it faces a neighbour.
 *
 * Natural Earth's border line and the province boundaries disagree by up to 8 km:
 * drawn as given, the border runs beside the province edge with a sliver of
 * neighbour (or sea) between them. Instead the outline of the provinces is stroked
 * at twice the border width and clipped to the OUTSIDE of the country, so the line
 * sits on the country's edge, and masked by the neighbour countries widened by
 * HS_BORDER_REACH px, intersected with the given border line widened by 10 km (the
 * largest mismatch measured is 8 km), so only edges facing a neighbour get it, not
 * the coast, even where a coarse neighbour polygon overlaps the coast. A
 * sliver narrower than the border width between a neighbour and the provinces is
 * covered by the line itself (test_render: test_border_no_gap). */
#define HS_BORDER_REACH 4.0
#define HS_BORDER_MISMATCH_M 10000.0
static void draw_land_border(hs__draw *d, const hs_map_spec *s, const hs__xform *t,
                             const hs_bbox *ext)
{
    cairo_t *cr = d->cr;
    const hs_layer *land = s->provinces ? s->provinces : s->units;
    double bw = s->border_line_w;
    if (d->vector) {
        /* PDF/SVG: clips only (cairo's vector backends leak or rasterise with groups
         * and masks here): outside the country AND inside a neighbour. A sliver
         * between them stays uncovered in vector output. */
        cairo_save(cr);
        if (layer_path(cr, land, t, ext, 0)) {
            cairo_path_t *outline = cairo_copy_path(cr);
            double x0, y0, x1, y1;
            cairo_clip_extents(cr, &x0, &y0, &x1, &y1);
            cairo_new_path(cr);
            cairo_rectangle(cr, x0 - 1, y0 - 1, x1 - x0 + 2, y1 - y0 + 2);
            cairo_append_path(cr, outline);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            cairo_clip(cr);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
            if (layer_path(cr, s->countries, t, ext, 0))
                cairo_clip(cr);
            cairo_new_path(cr);
            cairo_append_path(cr, outline);
            stroke_path(cr, s->border_line, 2 * bw);
            cairo_path_destroy(outline);
        }
        cairo_restore(cr);
        cairo_new_path(cr);
        return;
    }
    /* The mask: near the given border line (HS_BORDER_MISMATCH_M map units, metres
     * in the national CRS and EPSG:3857) AND on a widened neighbour. Only OVER and
     * masks: other operators make cairo's PDF/SVG backends rasterise the page (and
     * the names on it would no longer be text). */
    double reach = fmax(2 * (bw + HS_BORDER_REACH), 2 * HS_BORDER_MISMATCH_M * t->ppu);
    cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
    if (layer_path(cr, s->countries, t, ext, 0)) {
        cairo_set_source_rgba(cr, 0, 0, 0, 1);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_fill_preserve(cr);
        cairo_set_line_width(cr, 2 * (bw + HS_BORDER_REACH));
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    }
    cairo_pattern_t *near_nb = cairo_pop_group(cr);
    cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
    if (layer_path(cr, s->border, t, ext, 0)) {
        cairo_push_group_with_content(cr, CAIRO_CONTENT_ALPHA);
        cairo_set_source_rgba(cr, 0, 0, 0, 1);
        cairo_set_line_width(cr, reach);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_pop_group_to_source(cr);
        cairo_mask(cr, near_nb);
    }
    cairo_pattern_t *mask = cairo_pop_group(cr);
    cairo_pattern_destroy(near_nb);
    /* The country's outline, outside half only: stroked at twice the width, then the
     * country's interior removed by DEST_OUT (translation-invariant, so metatiles
     * agree; an even-odd clip differed by more between tiles). */
    cairo_save(cr);
    if (layer_path(cr, land, t, ext, 0)) {
        cairo_path_t *outline = cairo_copy_path(cr);
        cairo_push_group(cr);
        stroke_path(cr, s->border_line, 2 * bw);
        cairo_append_path(cr, outline);
        cairo_set_operator(cr, CAIRO_OPERATOR_DEST_OUT);
        cairo_set_source_rgba(cr, 0, 0, 0, 1);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_fill(cr);
        cairo_set_operator(cr, CAIRO_OPERATOR_OVER);
        cairo_pop_group_to_source(cr);
        cairo_mask(cr, mask);
        cairo_path_destroy(outline);
    }
    cairo_restore(cr);
    cairo_pattern_destroy(mask);
    cairo_new_path(cr);
}

/* Key units average under HS_KEY_LIGHT_PX layout px across at this scale (national
 * maps, low-zoom tiles)? Depends on the layer and the scale only, never on the
 * tile, so metatiles agree. */
#define HS_KEY_LIGHT_PX 24.0
static int key_units_small(const hs_layer *l, const hs__xform *t)
{
    double sum = 0;
    int n = 0;
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        if (!(f->flags & HS_FEAT_KEY_COMMUNE))
            continue;
        sum += hypot(f->bbox.maxx - f->bbox.minx, f->bbox.maxy - f->bbox.miny);
        n++;
    }
    return n && sum / n * t->ppu < HS_KEY_LIGHT_PX;
}

/* Draws all map layers of `ext` through transform t, clipped by the caller.
 * with_labels: 0 none, 1 full-map placement (inside the frame), 2 tile placement. */
void hs__draw_layers(hs__draw *d, const hs_map_spec *s, const hs__xform *t, const hs_bbox *view,
                     int with_labels)
{
    cairo_t *cr = d->cr;
    /* Cull with a margin: strokes (seams, outlines, the 2 px border, the key casing)
     * of features just outside the view still reach into it, and a tile must get
     * exactly the pixels of the same area of its metatile. */
    double mg = (s->border_line_w + s->key_line_w + s->province_line_w + 8.0) / t->ppu;
    hs_bbox cull = {view->minx - mg, view->miny - mg, view->maxx + mg, view->maxy + mg};
    const hs_bbox *ext = &cull;
    if (s->countries && layer_path(cr, s->countries, t, ext, 0)) {
        hs_rgba_set_source(cr, s->country_fill);
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
        cairo_fill_preserve(cr);
        stroke_path(cr, s->country_line, 0.5);
    }
    cairo_new_path(cr);
    if (s->units && !hs__stopped(d)) {
        draw_units(d, s, t, ext);
        if (s->draw_unit_outlines &&
            layer_path(cr, s->unit_outlines ? s->unit_outlines : s->units, t, ext, 0))
            stroke_path(cr, s->unit_line, s->unit_line_w);
        cairo_new_path(cr);
        if (s->classes && !hs__stopped(d))
            draw_class_outlines(d, s, t, ext);
    }
    /* Stopped: the layers left are cheap, but a map whose units were cut short is
     * thrown away anyway, so nothing more is drawn. */
    if (hs__stopped(d))
        return;
    if (s->provinces && layer_path(cr, s->provinces, t, ext, 0))
        stroke_path(cr, s->province_line, s->province_line_w);
    cairo_new_path(cr);
    if (s->border && s->countries && (s->provinces || s->units))
        draw_land_border(d, s, t, ext);
    else if (s->border && layer_path(cr, s->border, t, ext, 0))
        stroke_path(cr, s->border_line, s->border_line_w);
    cairo_new_path(cr);
    if (s->highlight_key && s->units && layer_path(cr, s->units, t, ext, HS_FEAT_KEY_COMMUNE)) {
        /* White casing under the black line keeps it visible on dark classes. Where
         * key communes are small on the page (national maps), the full-weight outline
         * would cover the class colours it surrounds: thinner and translucent. */
        int light = key_units_small(s->units, t);
        if (with_labels != 1) /* the main frame (not the inset) sets the legend's style */
            d->key_light = light;
        hs_rgba line = s->key_line, casing = hs_rgb(0xffffff);
        double w = s->key_line_w, cw = s->key_line_w + 1.4;
        if (light) {
            w *= 0.5, cw = w + 0.6;
            line.a = (unsigned char)(line.a * 0.7);
            casing.a = 150;
        }
        cairo_path_t *p = cairo_copy_path(cr);
        stroke_path(cr, casing, cw);
        cairo_append_path(cr, p);
        cairo_path_destroy(p);
        stroke_path(cr, line, w);
    }
    cairo_new_path(cr);
    if (with_labels && !hs__stopped(d))
        hs__draw_labels(d, s, t, view, with_labels == 2, NULL, 0);
}

static int check_raster(hs_render_ctx *ctx, const hs_map_spec *spec, int w, int h, double scale,
                        const unsigned char *buf, int st, hs_err *err)
{
    if (!ctx || !spec || !buf)
        return hs_err_set(err, HS_EINVAL, "render_raster: ctx, spec and raster are required");
    if (w < 1 || h < 1 || (long)w * (long)h > HS_RENDER_MAX_PIXELS)
        return hs_err_set(err, HS_ELIMIT, "raster %dx%d: must be 1..%ld pixels", w, h,
                          HS_RENDER_MAX_PIXELS);
    if (st < cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w) || st % 4)
        return hs_err_set(err, HS_EINVAL, "raster stride %d too small for width %d", st, w);
    if (!(scale >= 0.25 && scale <= 8))
        return hs_err_set(err, HS_EINVAL, "scale %g: allowed 0.25..8", scale);
    return HS_OK;
}

/* Draws the layers through transform t over `view` (map units) into buf. */
static int raster_draw(hs_render_ctx *ctx, const hs_map_spec *spec, const hs__xform *t,
                       const hs_bbox *view, int w, int h, double scale, unsigned char *buf,
                       int st, int grid, hs_err *err)
{
    cairo_surface_t *sf = cairo_image_surface_create_for_data(buf, CAIRO_FORMAT_ARGB32, w, h, st);
    cairo_t *cr = cairo_create(sf);
    hs_map_spec s = *spec;
    hs_style_defaults(&s);
    hs__draw d = {.ctx = ctx, .cr = cr, .spec = &s, .tile_mode = 1};
    /* Tiles: cairo's default rasteriser chooses, per pixel row, between exact area
     * coverage and 15 sub-rows depending on every edge crossing that row, so an
     * anti-aliased pixel could differ by a few levels between two metatiles of
     * different content. FAST (4x4 supersampling on a fixed grid) depends only on the
     * geometry at that pixel: neighbouring metatiles agree exactly (test_metarender),
     * and it is cheaper. It needs the grid placement (bit-identical coordinates);
     * fitted extents keep the default. Glyphs keep their own grey antialiasing. */
    if (grid)
        cairo_set_antialias(cr, CAIRO_ANTIALIAS_FAST);
    cairo_scale(cr, scale, scale);
    if (!s.transparent_background) {
        hs_rgba_set_source(cr, s.sea);
        cairo_paint(cr);
    }
    hs__draw_layers(&d, &s, t, view, 2);
    cairo_status_t cst = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_flush(sf);
    cairo_surface_destroy(sf);
    if (d.cancelled)
        return hs_cancel_error(s.cancel, "tile render", err);
    if (cst != CAIRO_STATUS_SUCCESS || d.oom)
        return hs_err_set(err, d.oom ? HS_ENOMEM : HS_ERENDER, "raster render failed: %s",
                          d.oom ? "out of memory" : cairo_status_to_string(cst));
    return HS_OK;
}

int hs_render_raster_into(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *ext, int w,
                          int h, double scale, unsigned char *buf, int st, hs_err *err)
{
    int rc = check_raster(ctx, spec, w, h, scale, buf, st, err);
    if (rc < 0)
        return rc;
    if (!ext || !(ext->maxx > ext->minx && ext->maxy > ext->miny))
        return hs_err_set(err, HS_EINVAL, "empty extent");
    hs__xform t;
    hs__xform_fit(&t, ext, 0, 0, w / scale, h / scale);
    return raster_draw(ctx, spec, &t, ext, w, h, scale, buf, st, 0, err);
}

int hs_render_raster_grid(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_raster_grid *g,
                          int w, int h, double scale, unsigned char *buf, int st, hs_err *err)
{
    int rc = check_raster(ctx, spec, w, h, scale, buf, st, err);
    if (rc < 0)
        return rc;
    if (!g || !(g->ppu > 0) || !isfinite(g->origin_x) || !isfinite(g->origin_y))
        return hs_err_set(err, HS_EINVAL, "raster grid: ppu must be positive");
    /* px = fx + (x - minx) * ppu: (x - origin) * ppu is the same double in every
     * raster of the grid, and subtracting a whole-pixel offset from it is exact. */
    hs__xform t = {.ppu = g->ppu, .fx = -g->off_x, .fy = -g->off_y, .minx = g->origin_x,
                   .maxy = g->origin_y};
    hs_bbox view = {g->origin_x + g->off_x / g->ppu, g->origin_y - (g->off_y + h / scale) / g->ppu,
                    g->origin_x + (g->off_x + w / scale) / g->ppu, g->origin_y - g->off_y / g->ppu};
    return raster_draw(ctx, spec, &t, &view, w, h, scale, buf, st, 1, err);
}

int hs_render_raster(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *ext, int w, int h,
                     double scale, unsigned char **argb, int *stride, hs_err *err)
{
    *argb = NULL;
    if (w < 1 || h < 1 || (long)w * (long)h > HS_RENDER_MAX_PIXELS)
        return hs_err_set(err, HS_ELIMIT, "raster %dx%d: must be 1..%ld pixels", w, h,
                          HS_RENDER_MAX_PIXELS);
    int st = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
    unsigned char *buf = calloc((size_t)st * (size_t)h, 1);
    if (!buf)
        return hs_err_set(err, HS_ENOMEM, "raster %dx%d: out of memory", w, h);
    int rc = hs_render_raster_into(ctx, spec, ext, w, h, scale, buf, st, err);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *argb = buf;
    *stride = st;
    return HS_OK;
}
