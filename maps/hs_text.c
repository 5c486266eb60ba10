#include "hs_text.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_render_int.h"

char *hs_text_nfc(const char *s)
{
    if (!s)
        return NULL;
    gchar *g = g_utf8_normalize(s, -1, G_NORMALIZE_NFC);
    if (!g)
        return NULL;
    /* Copy into malloc memory so callers free with free(), never g_free(). */
    size_t n = strlen(g);
    char *out = malloc(n + 1);
    if (out)
        memcpy(out, g, n + 1);
    g_free(g);
    return out;
}

size_t hs_text_format_number(double v, int decimals, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (!isfinite(v)) {
        snprintf(out, cap, "%s", isnan(v) ? "–" : (v > 0 ? "∞" : "-∞"));
        return strlen(out);
    }
    char raw[400];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
    /* "-0,0" would be misleading: the sign is shown only if the rounded value is non-zero. */
    int nonzero = 0;
    for (const char *p = raw; *p; p++)
        nonzero |= (*p >= '1' && *p <= '9');
    const char *dot = strchr(raw, '.');
    size_t nint = dot ? (size_t)(dot - raw) : strlen(raw);
    char buf[600];
    size_t o = 0;
    if (v < 0 && nonzero)
        buf[o++] = '-';
    for (size_t i = 0; i < nint; i++) {
        if (i > 0 && (nint - i) % 3 == 0)
            buf[o++] = '.';
        buf[o++] = raw[i];
    }
    if (dot) {
        buf[o++] = ',';
        for (const char *p = dot + 1; *p; p++)
            buf[o++] = *p;
    }
    buf[o] = '\0';
    snprintf(out, cap, "%s", buf);
    return strlen(out);
}

/* ---- Pango helpers ------------------------------------------------------------ */

PangoLayout *hs__layout(hs__draw *d, const char *text, hs__font f)
{
    char *nfc = hs_text_nfc(text);
    if (!nfc) {
        d->oom = 1;
        return NULL;
    }
    /* The context follows the current CTM so that glyphs are shaped for the actual
     * transform (rotated watermark, device scale). */
    pango_cairo_update_context(d->cr, d->ctx->pango);
    PangoLayout *l = pango_layout_new(d->ctx->pango);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, "Noto Sans");
    pango_font_description_set_absolute_size(fd, f.size * PANGO_SCALE);
    pango_font_description_set_weight(fd, f.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, f.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(l, nfc, -1);
    free(nfc);
    return l;
}

void hs__layout_size(PangoLayout *l, double *w, double *h)
{
    PangoRectangle logical;
    pango_layout_get_extents(l, NULL, &logical);
    *w = (double)logical.width / PANGO_SCALE;
    *h = (double)logical.height / PANGO_SCALE;
}

static void log_text(hs__draw *d, PangoLayout *l, double x, double y)
{
    if (!d->log_texts)
        return;
    if (d->ntexts == d->captexts) {
        int nc = d->captexts ? 2 * d->captexts : 64;
        hs__text_rec *t = realloc(d->texts, (size_t)nc * sizeof *t);
        if (!t) {
            d->oom = 1;
            return;
        }
        d->texts = t;
        d->captexts = nc;
    }
    const PangoFontDescription *fd = pango_layout_get_font_description(l);
    double size = fd ? (double)pango_font_description_get_size(fd) / PANGO_SCALE : 10;
    double bx = x, by = y + (double)pango_layout_get_baseline(l) / PANGO_SCALE;
    double sx = 0, sy = size;
    cairo_user_to_device(d->cr, &bx, &by);
    cairo_user_to_device_distance(d->cr, &sx, &sy);
    const char *s = pango_layout_get_text(l);
    size_t n = strlen(s);
    char *copy = malloc(n + 1);
    if (!copy) {
        d->oom = 1;
        return;
    }
    memcpy(copy, s, n + 1);
    hs__text_rec *r = &d->texts[d->ntexts++];
    r->x = bx;
    r->y = by;
    r->size = hypot(sx, sy);
    r->bold = fd && pango_font_description_get_weight(fd) >= PANGO_WEIGHT_BOLD;
    r->italic = fd && pango_font_description_get_style(fd) == PANGO_STYLE_ITALIC;
    r->text = copy;
}

void hs__show_layout(hs__draw *d, PangoLayout *l, double x, double y, hs_rgba fill, hs_rgba halo,
                     double halo_w)
{
    cairo_t *cr = d->cr;
    if (halo.a && halo_w > 0) {
        cairo_new_path(cr);
        cairo_move_to(cr, x, y);
        pango_cairo_layout_path(cr, l);
        hs_rgba_set_source(cr, halo);
        cairo_set_line_width(cr, halo_w);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    }
    cairo_new_path(cr);
    cairo_move_to(cr, x, y);
    hs_rgba_set_source(cr, fill);
    pango_cairo_show_layout(cr, l);
    cairo_new_path(cr);
    log_text(d, l, x, y);
}

double hs__text(hs__draw *d, const char *text, hs__font f, double x, double y, double ax,
                hs_rgba fill)
{
    if (!text || !*text)
        return 0;
    PangoLayout *l = hs__layout(d, text, f);
    if (!l)
        return 0;
    double w, h;
    hs__layout_size(l, &w, &h);
    hs__show_layout(d, l, x - ax * w, y, fill, (hs_rgba){0, 0, 0, 0}, 0);
    g_object_unref(l);
    return h;
}

void hs__draw_free_texts(hs__draw *d)
{
    for (int i = 0; i < d->ntexts; i++)
        free(d->texts[i].text);
    free(d->texts);
    d->texts = NULL;
    d->ntexts = d->captexts = 0;
}
