/* hs_palette: colours for maps.
 *
 * Sequential and diverging ColorBrewer palettes (3..9 classes) embedded as tables,
 * so that classed maps use colour-blind-safe, print-tested ramps, plus the hatch
 * used for "no data". Colours are plain values; nothing here allocates except
 * hs_palette_hatch_pattern() (caller destroys the pattern).
 *
 * ColorBrewer colour specifications and designs are by Cynthia A. Brewer,
 * Geography, Pennsylvania State University (http://colorbrewer.org/), under the
 * Apache License 2.0. See docs/maps.md.
 */
#ifndef HS_PALETTE_H
#define HS_PALETTE_H

#include "hs_cairolib.h"
#include <stdint.h>

#include "hs_err.h"

typedef struct hs_rgba {
    unsigned char r, g, b, a; /* a = 0 means "do not draw" */
} hs_rgba;

typedef enum {
    HS_PAL_SEQUENTIAL = 0,
    HS_PAL_DIVERGING = 1
} hs_palette_kind;

#define HS_PALETTE_MIN_K 3
#define HS_PALETTE_MAX_K 9

/* 0xRRGGBB -> opaque colour. */
hs_rgba hs_rgb(uint32_t rgb);
/* 0xRRGGBB and an alpha 0..255. */
hs_rgba hs_rgba_make(uint32_t rgb, unsigned char a);
/* Sets the cairo source to c. */
void hs_rgba_set_source(cairo_t *cr, hs_rgba c);

/* Copies the k colours of palette `name` (case-insensitive: "YlOrRd", "OrRd", "Reds",
 * "Blues", "PuBu", "YlGnBu", "Purples", "RdBu", "PuOr", "RdYlBu") into out[0..k-1],
 * light to dark (sequential) or red/orange end first (diverging).
 * k outside 3..9 or an unknown name -> HS_EINVAL naming the allowed values. */
int hs_palette_get(const char *name, int k, hs_rgba *out, hs_err *err);

/* Number of embedded palettes and their names/kinds, for listings and docs. */
int hs_palette_count(void);
const char *hs_palette_name(int i);
hs_palette_kind hs_palette_kind_of(int i);

/* A repeating diagonal hatch: background `bg` with lines of colour `line`, spaced
 * `spacing` device-independent units apart (scaled with the current CTM when used
 * as a source). Used for "no data" and for hatched categories. Caller destroys it
 * with cairo_pattern_destroy(). Returns NULL if cairo fails. */
cairo_pattern_t *hs_palette_hatch_pattern(hs_rgba bg, hs_rgba line, double spacing, double width);

#endif
