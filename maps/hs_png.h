/* hs_png: PNG encoding of ARGB32 rasters into a capped hs_buf (no files).
 *
 * Pixels are cairo's CAIRO_FORMAT_ARGB32: native-endian 32-bit words, premultiplied
 * alpha. They are written as 8-bit RGB when fully opaque, else un-premultiplied RGBA,
 * with libpng tuned for flat map colours (see hs_png.c).
 */
#ifndef HS_PNG_H
#define HS_PNG_H

#include "hs_buf.h"
#include "hs_err.h"

#define HS_PNG_MAX_SIDE 16384

/* Appends the PNG encoding of the w x h image at `argb` (stride bytes per row) to
 * `out`. The pixels are not modified. Fails with HS_ELIMIT when out's cap is hit. */
int hs_png_encode_argb(const unsigned char *argb, int w, int h, int stride, hs_buf *out,
                       hs_err *err);

/* A fully transparent side x side PNG (the "cheap empty tile"). */
int hs_png_empty(int side, hs_buf *out, hs_err *err);

#endif
