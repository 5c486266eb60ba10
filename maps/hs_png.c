/* Fast PNG encoding of ARGB32 rasters with libpng, for tiles.
 *
 * cairo_surface_write_to_png uses libpng's default zlib settings and always writes
 * RGBA; for map tiles that is the dominant cost. Here: RGB when the raster is fully
 * opaque (the usual case, the sea is painted), zlib level 2 with the Z_RLE strategy
 * and the "sub" filter: flat choropleth areas compress almost as well as with the
 * defaults at a fraction of the time (figures in docs/maps.md). */
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "hs_png.h"

#include "hs_render.h" /* HS_RENDER_MAX_PIXELS */

typedef struct png_sink {
    hs_buf *buf;
    hs_err *err;
    int failed;
} png_sink;

static void sink_write(png_structp png, png_bytep data, png_size_t len)
{
    png_sink *s = png_get_io_ptr(png);
    if (s->failed || hs_buf_append(s->buf, data, len, s->err) < 0) {
        s->failed = 1;
        png_error(png, "output buffer limit");
    }
}

static void sink_flush(png_structp png)
{
    (void)png;
}

/* One row of cairo ARGB32 (native-endian, premultiplied) to RGB or straight RGBA. */
static void convert_row(const unsigned char *src, unsigned char *dst, int w, int alpha)
{
    const uint32_t *p = (const uint32_t *)(const void *)src;
    for (int x = 0; x < w; x++) {
        uint32_t v = p[x];
        unsigned a = v >> 24, r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;
        if (alpha) {
            if (a != 0 && a != 255) {
                r = (r * 255 + a / 2) / a;
                g = (g * 255 + a / 2) / a;
                b = (b * 255 + a / 2) / a;
            }
            dst[4 * x] = (unsigned char)r, dst[4 * x + 1] = (unsigned char)g;
            dst[4 * x + 2] = (unsigned char)b, dst[4 * x + 3] = (unsigned char)a;
        } else {
            dst[3 * x] = (unsigned char)r, dst[3 * x + 1] = (unsigned char)g, dst[3 * x + 2] = (unsigned char)b;
        }
    }
}

/* Palette of an opaque image with at most 256 colours: fills pal (RGB triplets) and
 * idx (one byte per pixel) and returns the colour count, or 0 when there are more
 * colours (or a translucent pixel). Choropleth tiles are flat fills plus a limited
 * set of anti-aliased edge and glyph shades, so most fit; an 8-bit palette image is a
 * third of the bytes to filter and deflate, and smaller. Open addressing over 1024
 * slots keyed by the 24-bit colour; the last hit is cached because runs are long. */
__attribute__((noinline)) static int palette_of(const unsigned char *argb, int w, int h, int stride, png_color *pal,
                      unsigned char *idx)
{
    uint32_t key[1024];
    short slot[1024];
    memset(slot, -1, sizeof slot);
    int n = 0;
    uint32_t last = 0xffffffffu;
    unsigned char last_i = 0;
    for (int y = 0; y < h; y++) {
        const uint32_t *p = (const uint32_t *)(const void *)(argb + (size_t)y * stride);
        unsigned char *o = idx + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            uint32_t v = p[x];
            if (v == last) {
                o[x] = last_i;
                continue;
            }
            if ((v >> 24) != 0xff)
                return 0;
            uint32_t k = v & 0xffffff, hsh = (k * 2654435761u) >> 22;
            while (slot[hsh] >= 0 && key[hsh] != k)
                hsh = (hsh + 1) & 1023;
            if (slot[hsh] < 0) {
                if (n == 256)
                    return 0;
                key[hsh] = k;
                slot[hsh] = (short)n;
                pal[n].red = (png_byte)(k >> 16), pal[n].green = (png_byte)(k >> 8);
                pal[n].blue = (png_byte)k;
                n++;
            }
            last = v;
            last_i = (unsigned char)slot[hsh];
            o[x] = last_i;
        }
    }
    return n;
}

int hs_png_encode_argb(const unsigned char *argb, int w, int h, int stride, hs_buf *out,
                       hs_err *err)
{
    if (w < 1 || h < 1 || w > HS_PNG_MAX_SIDE || h > HS_PNG_MAX_SIDE ||
        (long)w * h > HS_RENDER_MAX_PIXELS)
        return hs_err_set(err, HS_ELIMIT, "PNG size %dx%d is outside 1..%d per side", w, h,
                          HS_PNG_MAX_SIDE);
    if (!argb || stride < 4 * w)
        return hs_err_set(err, HS_EINVAL, "PNG raster %dx%d has stride %d, less than 4 x width",
                          w, h, stride);
    size_t len0 = out->len; /* restored on failure: nothing half-written stays in out */
    int alpha = 0;
    for (int y = 0; y < h && !alpha; y++) {
        const uint32_t *p = (const uint32_t *)(const void *)(argb + (size_t)y * stride);
        for (int x = 0; x < w; x++)
            if ((p[x] >> 24) != 0xff) {
                alpha = 1;
                break;
            }
    }
    png_color pal[256];
    int npal = 0;
    unsigned char *idx = NULL;
    /* Palette for tile-sized opaque images (the index buffer is w*h bytes). */
    if (!alpha && (long)w * h <= 1024L * 1024 && (idx = malloc((size_t)w * h)) != NULL) {
        npal = palette_of(argb, w, h, stride, pal, idx);
        if (!npal) {
            free(idx);
            idx = NULL;
        }
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *row = malloc((size_t)w * 4);
    if (!png || !info || !row) {
        png_destroy_write_struct(&png, &info);
        free(row);
        free(idx);
        return hs_err_set(err, HS_ENOMEM, "png_encode: out of memory");
    }
    png_sink sk = {out, err, 0};
    /* libpng reports errors by longjmp; nothing below changes locals that are read
     * after the jump except through sk (not a register variable: its address is taken). */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        free(idx);
        out->len = len0;
        out->failed = 0;
        if (sk.failed)
            return err && err->code ? err->code : HS_ELIMIT;
        return hs_err_set(err, HS_ERENDER, "png_encode: libpng error");
    }
    png_set_write_fn(png, &sk, sink_write, sink_flush);
    int type = npal ? PNG_COLOR_TYPE_PALETTE : alpha ? PNG_COLOR_TYPE_RGBA : PNG_COLOR_TYPE_RGB;
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (npal)
        png_set_PLTE(png, info, pal, npal);
    png_set_compression_level(png, 2);
    png_set_compression_strategy(png, Z_RLE);
    /* palette indices are not a gradient: filtering them does not help */
    png_set_filter(png, PNG_FILTER_TYPE_BASE, npal ? PNG_FILTER_NONE : PNG_FILTER_SUB);
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        if (npal) {
            png_write_row(png, idx + (size_t)y * w);
            continue;
        }
        convert_row(argb + (size_t)y * stride, row, w, alpha);
        png_write_row(png, row);
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(row);
    free(idx);
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
