/* ColorBrewer tables (Apache License 2.0): "This product includes color
 * specifications and designs developed by Cynthia Brewer (http://colorbrewer.org/)."
 * Each k-class ramp is stored as 6*k hex digits, transcribed from the
 * ColorBrewer RGB specifications; the test compares spot values. */
#include "hs_palette.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct pal_def {
    const char *name;
    hs_palette_kind kind;
    const char *ramp[7]; /* k = 3..9 */
} pal_def;

static const pal_def PALETTES[] = {
    {"RdBu", HS_PAL_DIVERGING,
     {"ef8a62f7f7f767a9cf",
      "ca0020f4a58292c5de0571b0",
      "ca0020f4a582f7f7f792c5de0571b0",
      "b2182bef8a62fddbc7d1e5f067a9cf2166ac",
      "b2182bef8a62fddbc7f7f7f7d1e5f067a9cf2166ac",
      "b2182bd6604df4a582fddbc7d1e5f092c5de4393c32166ac",
      "b2182bd6604df4a582fddbc7f7f7f7d1e5f092c5de4393c32166ac"}},
    {"PuOr", HS_PAL_DIVERGING,
     {"f1a340f7f7f7998ec3",
      "e66101fdb863b2abd25e3c99",
      "e66101fdb863f7f7f7b2abd25e3c99",
      "b35806f1a340fee0b6d8daeb998ec3542788",
      "b35806f1a340fee0b6f7f7f7d8daeb998ec3542788",
      "b35806e08214fdb863fee0b6d8daebb2abd28073ac542788",
      "b35806e08214fdb863fee0b6f7f7f7d8daebb2abd28073ac542788"}},
    {"RdYlBu", HS_PAL_DIVERGING,
     {"fc8d59ffffbf91bfdb",
      "d7191cfdae61abd9e92c7bb6",
      "d7191cfdae61ffffbfabd9e92c7bb6",
      "d73027fc8d59fee090e0f3f891bfdb4575b4",
      "d73027fc8d59fee090ffffbfe0f3f891bfdb4575b4",
      "d73027f46d43fdae61fee090e0f3f8abd9e974add14575b4",
      "d73027f46d43fdae61fee090ffffbfe0f3f8abd9e974add14575b4"}},
    {"OrRd", HS_PAL_SEQUENTIAL,
     {"fee8c8fdbb84e34a33",
      "fef0d9fdcc8afc8d59d7301f",
      "fef0d9fdcc8afc8d59e34a33b30000",
      "fef0d9fdd49efdbb84fc8d59e34a33b30000",
      "fef0d9fdd49efdbb84fc8d59ef6548d7301f990000",
      "fff7ecfee8c8fdd49efdbb84fc8d59ef6548d7301f990000",
      "fff7ecfee8c8fdd49efdbb84fc8d59ef6548d7301fb300007f0000"}},
    {"PuBu", HS_PAL_SEQUENTIAL,
     {"ece7f2a6bddb2b8cbe",
      "f1eef6bdc9e174a9cf0570b0",
      "f1eef6bdc9e174a9cf2b8cbe045a8d",
      "f1eef6d0d1e6a6bddb74a9cf2b8cbe045a8d",
      "f1eef6d0d1e6a6bddb74a9cf3690c00570b0034e7b",
      "fff7fbece7f2d0d1e6a6bddb74a9cf3690c00570b0034e7b",
      "fff7fbece7f2d0d1e6a6bddb74a9cf3690c00570b0045a8d023858"}},
    {"Reds", HS_PAL_SEQUENTIAL,
     {"fee0d2fc9272de2d26",
      "fee5d9fcae91fb6a4acb181d",
      "fee5d9fcae91fb6a4ade2d26a50f15",
      "fee5d9fcbba1fc9272fb6a4ade2d26a50f15",
      "fee5d9fcbba1fc9272fb6a4aef3b2ccb181d99000d",
      "fff5f0fee0d2fcbba1fc9272fb6a4aef3b2ccb181d99000d",
      "fff5f0fee0d2fcbba1fc9272fb6a4aef3b2ccb181da50f1567000d"}},
    {"Blues", HS_PAL_SEQUENTIAL,
     {"deebf79ecae13182bd",
      "eff3ffbdd7e76baed62171b5",
      "eff3ffbdd7e76baed63182bd08519c",
      "eff3ffc6dbef9ecae16baed63182bd08519c",
      "eff3ffc6dbef9ecae16baed64292c62171b5084594",
      "f7fbffdeebf7c6dbef9ecae16baed64292c62171b5084594",
      "f7fbffdeebf7c6dbef9ecae16baed64292c62171b508519c08306b"}},
    {"YlGnBu", HS_PAL_SEQUENTIAL,
     {"edf8b17fcdbb2c7fb8",
      "ffffcca1dab441b6c4225ea8",
      "ffffcca1dab441b6c42c7fb8253494",
      "ffffccc7e9b47fcdbb41b6c42c7fb8253494",
      "ffffccc7e9b47fcdbb41b6c41d91c0225ea80c2c84",
      "ffffd9edf8b1c7e9b47fcdbb41b6c41d91c0225ea80c2c84",
      "ffffd9edf8b1c7e9b47fcdbb41b6c41d91c0225ea8253494081d58"}},
    {"Purples", HS_PAL_SEQUENTIAL,
     {"efedf5bcbddc756bb1",
      "f2f0f7cbc9e29e9ac86a51a3",
      "f2f0f7cbc9e29e9ac8756bb154278f",
      "f2f0f7dadaebbcbddc9e9ac8756bb154278f",
      "f2f0f7dadaebbcbddc9e9ac8807dba6a51a34a1486",
      "fcfbfdefedf5dadaebbcbddc9e9ac8807dba6a51a34a1486",
      "fcfbfdefedf5dadaebbcbddc9e9ac8807dba6a51a354278f3f007d"}},
    {"YlOrRd", HS_PAL_SEQUENTIAL,
     {"ffeda0feb24cf03b20",
      "ffffb2fecc5cfd8d3ce31a1c",
      "ffffb2fecc5cfd8d3cf03b20bd0026",
      "ffffb2fed976feb24cfd8d3cf03b20bd0026",
      "ffffb2fed976feb24cfd8d3cfc4e2ae31a1cb10026",
      "ffffccffeda0fed976feb24cfd8d3cfc4e2ae31a1cb10026",
      "ffffccffeda0fed976feb24cfd8d3cfc4e2ae31a1cbd0026800026"}},
};

#define NPAL ((int)(sizeof PALETTES / sizeof PALETTES[0]))

hs_rgba hs_rgb(uint32_t rgb)
{
    return hs_rgba_make(rgb, 255);
}

hs_rgba hs_rgba_make(uint32_t rgb, unsigned char a)
{
    hs_rgba c = {(unsigned char)(rgb >> 16), (unsigned char)(rgb >> 8), (unsigned char)rgb, a};
    return c;
}

void hs_rgba_set_source(cairo_t *cr, hs_rgba c)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, c.a / 255.0);
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

int hs_palette_count(void)
{
    return NPAL;
}

const char *hs_palette_name(int i)
{
    return i >= 0 && i < NPAL ? PALETTES[i].name : NULL;
}

hs_palette_kind hs_palette_kind_of(int i)
{
    return i >= 0 && i < NPAL ? PALETTES[i].kind : HS_PAL_SEQUENTIAL;
}

int hs_palette_get(const char *name, int k, hs_rgba *out, hs_err *err)
{
    if (k < HS_PALETTE_MIN_K || k > HS_PALETTE_MAX_K)
        return hs_err_set(err, HS_EINVAL, "palette classes k=%d: allowed 3..9", k);
    for (int i = 0; name && i < NPAL; i++) {
        if (strcasecmp(name, PALETTES[i].name) != 0)
            continue;
        const char *s = PALETTES[i].ramp[k - 3];
        if (strlen(s) != (size_t)(6 * k))
            return hs_err_set(err, HS_EINTERNAL, "palette %s/%d table is malformed", name, k);
        for (int c = 0; c < k; c++) {
            unsigned char v[3];
            for (int j = 0; j < 3; j++) {
                int hi = hexval(s[6 * c + 2 * j]), lo = hexval(s[6 * c + 2 * j + 1]);
                if (hi < 0 || lo < 0)
                    return hs_err_set(err, HS_EINTERNAL, "palette %s/%d table is malformed", name, k);
                v[j] = (unsigned char)(16 * hi + lo);
            }
            out[c] = (hs_rgba){v[0], v[1], v[2], 255};
        }
        return HS_OK;
    }
    char names[256] = "";
    size_t used = 0;
    for (int i = 0; i < NPAL && used < sizeof names; i++) {
        int w = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", PALETTES[i].name);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return hs_err_set(err, HS_EINVAL, "unknown palette '%s': allowed %s", name ? name : "(null)", names);
}

/* The tile is drawn once into a small surface and repeated; its size is a whole
 * number of line periods so the diagonals join seamlessly across tiles. */
cairo_pattern_t *hs_palette_hatch_pattern(hs_rgba bg, hs_rgba line, double spacing, double width)
{
    if (!(spacing >= 1.0))
        spacing = 1.0;
    int n = (int)ceil(spacing * 4);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, n, n);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    hs_rgba_set_source(cr, bg);
    cairo_paint(cr);
    hs_rgba_set_source(cr, line);
    cairo_set_line_width(cr, width);
    /* Lines x - y = c for c = -n..2n step n/4 cover the tile including its corners. */
    double step = n / 4.0;
    for (double c = -n; c <= 2.0 * n; c += step) {
        cairo_move_to(cr, c - 1, -1);
        cairo_line_to(cr, c + n + 1, n + 1);
    }
    cairo_stroke(cr);
    cairo_destroy(cr);
    cairo_pattern_t *p = cairo_pattern_create_for_surface(s);
    cairo_surface_destroy(s);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    return p;
}
