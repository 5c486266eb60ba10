#include "hs_png.h"

#include <cairo.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct png_sink {
    hs_buf *out;
    hs_err *err;
} png_sink;

static cairo_status_t png_write(void *closure, const unsigned char *data, unsigned int len)
{
    png_sink *s = closure;
    return hs_buf_append(s->out, data, len, s->err) < 0 ? CAIRO_STATUS_WRITE_ERROR
                                                        : CAIRO_STATUS_SUCCESS;
}

int hs_png_encode_argb(const unsigned char *argb, int w, int h, int stride, hs_buf *out,
                       hs_err *err)
{
    if (w <= 0 || h <= 0 || w > HS_PNG_MAX_SIDE || h > HS_PNG_MAX_SIDE)
        return hs_err_set(err, HS_ELIMIT, "PNG size %dx%d is outside 1..%d per side", w, h,
                          HS_PNG_MAX_SIDE);
    int cstride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, w);
    if (stride < w * 4)
        return hs_err_set(err, HS_EINVAL, "stride %d is less than 4 x width %d", stride, w);
    /* cairo wants its own stride alignment (4 bytes, always true for ARGB32 rows of
     * w*4 bytes); a larger caller stride is fine as long as it is a multiple of 4. */
    if (stride % 4 != 0 || cstride > stride)
        return hs_err_set(err, HS_EINVAL, "stride %d is not usable by cairo (needs %d)", stride,
                          cstride);
    size_t len0 = out->len;
    /* cairo only reads the pixels when writing PNG; the cast drops const for its API. */
    cairo_surface_t *s = cairo_image_surface_create_for_data((unsigned char *)(uintptr_t)argb,
                                                             CAIRO_FORMAT_ARGB32, w, h, stride);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t st = cairo_surface_status(s);
        cairo_surface_destroy(s);
        return hs_err_set(err, HS_ERENDER, "cairo surface %dx%d: %s", w, h,
                          cairo_status_to_string(st));
    }
    hs_err inner = {0};
    png_sink sink = {out, &inner};
    cairo_status_t st = cairo_surface_write_to_png_stream(s, png_write, &sink);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        out->len = len0;
        if (inner.code)
            return hs_err_set(err, inner.code, "PNG %dx%d: %s", w, h, inner.msg);
        return hs_err_set(err, HS_ERENDER, "PNG %dx%d: %s", w, h, cairo_status_to_string(st));
    }
    return HS_OK;
}

int hs_png_empty(int side, hs_buf *out, hs_err *err)
{
    if (side <= 0 || side > HS_PNG_MAX_SIDE)
        return hs_err_set(err, HS_ELIMIT, "PNG side %d is outside 1..%d", side, HS_PNG_MAX_SIDE);
    unsigned char *px = calloc((size_t)side * side, 4);
    if (!px)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a %dx%d tile", side, side);
    int rc = hs_png_encode_argb(px, side, side, side * 4, out, err);
    free(px);
    return rc;
}
