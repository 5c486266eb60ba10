/* Output encoders: page presets, PNG/SVG/PDF surfaces writing into an hs_buf, and
 * the invisible text layer added to SVG (cairo's SVG backend emits glyph outlines,
 * not <text>, so names would otherwise not be searchable). */
#include "hs_cairolib.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hs_render_int.h"

int hs_format_parse(const char *s, hs_format *out, hs_err *err)
{
    static const char *names[] = {"png", "svg", "pdf"};
    for (int i = 0; s && i < 3; i++)
        if (strcasecmp(s, names[i]) == 0) {
            *out = (hs_format)i;
            return HS_OK;
        }
    return hs_err_set(err, HS_EINVAL, "format '%s': allowed png, svg, pdf", s ? s : "(null)");
}

static int check_pixels(double w, double h, double scale, hs_err *err)
{
    double px = round(w * scale) * round(h * scale);
    if (px > (double)HS_RENDER_MAX_PIXELS)
        return hs_err_set(err, HS_ELIMIT, "image of %.0fx%.0f pixels exceeds the cap of %ld pixels",
                          round(w * scale), round(h * scale), HS_RENDER_MAX_PIXELS);
    return HS_OK;
}

int hs_page_paper(const char *name, double dpi, hs_page *out, hs_err *err)
{
    static const struct {
        const char *name;
        double wmm, hmm;
    } papers[] = {
        {"a4-portrait", 210, 297},
        {"a4-landscape", 297, 210},
        {"a3-portrait", 297, 420},
        {"a3-landscape", 420, 297},
    };
    if (!(dpi >= 72 && dpi <= 600))
        return hs_err_set(err, HS_EINVAL, "dpi %g: allowed 72..600", dpi);
    for (size_t i = 0; name && i < sizeof papers / sizeof papers[0]; i++) {
        if (strcasecmp(name, papers[i].name) != 0)
            continue;
        out->width = papers[i].wmm / 25.4 * 96;
        out->height = papers[i].hmm / 25.4 * 96;
        out->scale = dpi / 96;
        return check_pixels(out->width, out->height, out->scale, err);
    }
    return hs_err_set(err, HS_EINVAL,
                      "paper '%s': allowed a4-portrait, a4-landscape, a3-portrait, a3-landscape",
                      name ? name : "(null)");
}

int hs_page_pixels(int w, int h, double scale, hs_page *out, hs_err *err)
{
    if (w < 16 || h < 16 || w > 20000 || h > 20000)
        return hs_err_set(err, HS_EINVAL, "size %dx%d: width and height must be 16..20000", w, h);
    if (!(scale >= 0.25 && scale <= 8))
        return hs_err_set(err, HS_EINVAL, "scale %g: allowed 0.25..8", scale);
    out->width = w;
    out->height = h;
    out->scale = scale;
    return check_pixels(w, h, scale, err);
}

typedef struct sink {
    hs_buf *buf;
    hs_err *err;
    int failed;
} sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    sink *s = closure;
    if (s->failed || hs_buf_append(s->buf, data, len, s->err) < 0) {
        s->failed = 1;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static int xml_escape(hs_buf *b, const char *s, hs_err *err)
{
    for (; *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '&': rep = "&amp;"; break;
        case '"': rep = "&quot;"; break;
        default: break;
        }
        int rc = rep ? hs_buf_append(b, rep, strlen(rep), err) : hs_buf_append(b, s, 1, err);
        if (rc < 0)
            return rc;
    }
    return HS_OK;
}

/* Copies cairo's SVG into out, adding <title> after the root tag and, before
 * </svg>, a transparent <text> layer holding every string at its position (like
 * the text layer of a scanned PDF): browsers can search and select it, and the
 * visible glyph outlines stay exactly as cairo drew them. */
/* First occurrence of the k bytes of `what` in the n bytes at s, or NULL. The SVG
 * buffer is not NUL-terminated: strstr read past its end (valgrind, check-leaks). */
static const char *find_bytes(const char *s, size_t n, const char *what, size_t k)
{
    for (size_t i = 0; s && k <= n && i <= n - k; i++)
        if (s[i] == what[0] && !memcmp(s + i, what, k))
            return s + i;
    return NULL;
}

static int svg_finish(const hs_buf *svg, const hs__draw *d, const char *title, hs_buf *out, hs_err *err)
{
    const char *s = (const char *)svg->data;
    size_t n = svg->len;
    const char *root = find_bytes(s, n, "<svg", 4);
    const char *root_end = root ? memchr(root, '>', n - (size_t)(root - s)) : NULL;
    const char *close = NULL;
    for (const char *p = s; p && (p = find_bytes(p, n - (size_t)(p - s), "</svg>", 6)) != NULL; p++)
        close = p;
    if (!root_end || !close || close < root_end)
        return hs_err_set(err, HS_EINTERNAL, "unexpected SVG from cairo (no root element)");
    int rc = hs_buf_append(out, s, (size_t)(root_end + 1 - s), err);
    if (rc == HS_OK && title) {
        rc = hs_buf_append(out, "\n<title>", 8, err);
        if (rc == HS_OK)
            rc = xml_escape(out, title, err);
        if (rc == HS_OK)
            rc = hs_buf_append(out, "</title>", 8, err);
    }
    if (rc == HS_OK)
        rc = hs_buf_append(out, root_end + 1, (size_t)(close - (root_end + 1)), err);
    if (rc == HS_OK)
        rc = hs_buf_printf(out, err, "<g id=\"hs-text\" fill-opacity=\"0\" stroke=\"none\" "
                                     "font-family=\"Noto Sans\">\n");
    for (int i = 0; rc == HS_OK && i < d->ntexts; i++) {
        const hs__text_rec *t = &d->texts[i];
        rc = hs_buf_printf(out, err, "<text x=\"%.2f\" y=\"%.2f\" font-size=\"%.2f\"%s%s>", t->x, t->y,
                           t->size, t->bold ? " font-weight=\"bold\"" : "",
                           t->italic ? " font-style=\"italic\"" : "");
        if (rc == HS_OK)
            rc = xml_escape(out, t->text, err);
        if (rc == HS_OK)
            rc = hs_buf_append(out, "</text>\n", 8, err);
    }
    if (rc == HS_OK)
        rc = hs_buf_printf(out, err, "</g>\n");
    if (rc == HS_OK)
        rc = hs_buf_append(out, close, n - (size_t)(close - s), err);
    return rc;
}

int hs_render_map(hs_render_ctx *ctx, const hs_map_spec *spec, const hs_bbox *extent, const hs_page *page,
                  hs_format fmt, hs_buf *out, hs_err *err)
{
    if (!ctx || !spec || !page || !out)
        return hs_err_set(err, HS_EINVAL, "render_map: ctx, spec, page and out are required");
    hs_bbox ext;
    if (extent)
        ext = *extent;
    else if (spec->units)
        ext = spec->units->bbox;
    else if (spec->provinces)
        ext = spec->provinces->bbox;
    else
        return hs_err_set(err, HS_EINVAL, "render_map: no extent and no units/provinces layer");
    if (!(ext.maxx > ext.minx && ext.maxy > ext.miny))
        return hs_err_set(err, HS_EINVAL, "empty extent (%g %g, %g %g)", ext.minx, ext.miny, ext.maxx,
                          ext.maxy);
    if (!(page->width >= 16 && page->height >= 16 && page->width <= 20000 && page->height <= 20000))
        return hs_err_set(err, HS_EINVAL, "page %gx%g: width and height must be 16..20000", page->width,
                          page->height);
    if ((int)fmt < 0 || (int)fmt > 2)
        return hs_err_set(err, HS_EINVAL, "unknown output format %d", (int)fmt);
    hs_map_spec s = *spec;
    hs_style_defaults(&s);
    hs_buf svgbuf;
    hs_buf_init(&svgbuf, out->limit);
    sink sk = {fmt == HS_FORMAT_SVG ? &svgbuf : out, err, 0};
    cairo_surface_t *sf;
    double k; /* surface units per layout px */
    if (fmt == HS_FORMAT_PNG) {
        int rc = check_pixels(page->width, page->height, page->scale, err);
        if (rc < 0)
            return rc;
        k = page->scale;
        /* A4 at 300 dpi is 3508 x 2480: round, do not ceil, the 0.3 px remainder */
        sf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)lround(page->width * k),
                                        (int)lround(page->height * k));
    } else {
        k = 0.75; /* layout px -> pt */
        sf = fmt == HS_FORMAT_PDF
                 ? cairo_pdf_surface_create_for_stream(sink_write, &sk, page->width * k, page->height * k)
                 : cairo_svg_surface_create_for_stream(sink_write, &sk, page->width * k, page->height * k);
        if (fmt == HS_FORMAT_PDF && cairo_surface_status(sf) == CAIRO_STATUS_SUCCESS) {
            if (s.title)
                cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, s.title);
            cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Hotspot138");
        }
    }
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t st = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        hs_buf_free(&svgbuf);
        return hs_err_set(err, HS_ERENDER, "cannot create the %s surface: %s",
                          fmt == HS_FORMAT_PNG ? "PNG" : fmt == HS_FORMAT_PDF ? "PDF" : "SVG",
                          cairo_status_to_string(st));
    }
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, k, k);
    hs__draw d = {.ctx = ctx, .cr = cr, .spec = &s, .vector = fmt != HS_FORMAT_PNG,
                  .log_texts = fmt == HS_FORMAT_SVG};
    int rc = hs__draw_furniture(&d, &s, &ext, page->width, page->height);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (rc == HS_OK && hs__stopped(&d)) /* the layers stopped early: no PNG encoding */
        rc = hs_cancel_error(s.cancel, "map render", err);
    if (rc == HS_OK && st == CAIRO_STATUS_SUCCESS && fmt == HS_FORMAT_PNG)
        st = cairo_surface_write_to_png_stream(sf, sink_write, &sk);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (rc == HS_OK && sk.failed)
        rc = err && err->code ? err->code : HS_ELIMIT;
    else if (rc == HS_OK && d.oom)
        rc = hs_err_set(err, HS_ENOMEM, "render_map: out of memory");
    else if (rc == HS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = hs_err_set(err, HS_ERENDER, "render_map: cairo: %s", cairo_status_to_string(st));
    else if (rc < 0 && err && !err->code && d.oom)
        rc = hs_err_set(err, HS_ENOMEM, "render_map: out of memory");
    else if (rc < 0 && err && !err->code)
        rc = hs_err_set(err, rc, "render_map: page %gx%g is too small for a map", page->width, page->height);
    if (rc == HS_OK && fmt == HS_FORMAT_SVG)
        rc = svg_finish(&svgbuf, &d, s.title, out, err);
    hs__draw_free_texts(&d);
    hs_buf_free(&svgbuf);
    return rc;
}
