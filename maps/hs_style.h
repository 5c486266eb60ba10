/* hs_style: WHAT a map shows. A plain struct the caller fills (server/ or tests);
 * hs_render draws it. Everything is borrowed: the spec never owns or frees anything,
 * and layers are read-only, so many threads may render the same layers at once.
 *
 * Coordinates of every layer, extent and label anchor are in the map CRS (already
 * projected by hs_proj). The renderer maps a projected bbox onto the frame with one
 * affine transform (aspect kept, centred).
 */
#ifndef HS_STYLE_H
#define HS_STYLE_H

#include "hs_cancel.h"
#include "hs_classify.h"
#include "hs_geom.h"
#include "hs_palette.h"

/* A point label in map coordinates (e.g. "Quần đảo Hoàng Sa"). */
typedef struct hs_map_label {
    double x, y;
    const char *text; /* UTF-8; normalised to NFC before shaping */
    int italic;       /* water/archipelago names are set in italics by convention */
} hs_map_label;

/* A block of the legend (full maps with units of two levels, e.g. an analyst's own
 * communes and every other province at province level): `title` over the classes
 * first .. first + n - 1 of the spec's class list. */
typedef struct hs_legend_group {
    const char *title;
    int first, n;
} hs_legend_group;

typedef struct hs_map_spec {
    /* ---- layers, drawn in this order (any may be NULL) ---- */
    const hs_layer *countries;  /* neighbouring countries, grey */
    const hs_layer *units;      /* communes (or provinces): filled by class */
    const int *unit_class;      /* units->nfeat entries: index into classes, -1 = no data */
    const hs_class_style *classes;
    int nclasses;
    const hs_layer *provinces;  /* stronger outlines + labels (name) */
    const hs_layer *border;     /* land border (HS_LAYER_LINE), emphasised */
    int draw_unit_outlines;     /* thin outlines around each unit */
    const hs_layer *unit_outlines; /* with draw_unit_outlines: outline only these features
                                      (NULL = every unit), e.g. the communes of a tile
                                      whose other units are whole provinces */
    int highlight_key;          /* outline units with HS_FEAT_KEY_COMMUNE */
    int label_provinces;        /* province names at their label anchors */
    const hs_map_label *labels; /* extra point labels (archipelagos, seas) */
    int nlabels;

    int transparent_background; /* tiles for overlays: do not paint the sea */

    /* ---- colours and widths (0/zero-alpha = defaults, see hs_style_defaults) ---- */
    hs_rgba sea, country_fill, country_line, unit_line, province_line, border_line, key_line;
    double unit_line_w, province_line_w, border_line_w, key_line_w; /* layout px (1/96 in) */

    /* ---- furniture (full maps only; ignored by hs_render_raster) ---- */
    const char *title;        /* "Điểm nóng mua bán người (Gi*)" */
    const char *subtitle;     /* indicator, period, level */
    const char *legend_title; /* "Số vụ / 100.000 dân" */
    /* nlegend_groups > 0: the legend lists the classes of these blocks, each under
     * its title (classes in no block are not listed); 0: every class, one block. */
    const hs_legend_group *legend_groups;
    int nlegend_groups;
    const char *nodata_label; /* legend text for class -1; NULL = "Không có dữ liệu" */
    const char *key_label;    /* legend text for key units; NULL = "Xã trọng điểm" */
    const char *source;       /* "Nguồn: ..." */
    const char *generated_at; /* caller formats the time: the library reads no clock */
    int synthetic;            /* watermark + footer note "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" */
    int scale_bar, north_arrow;
    /* 0: legend at the bottom left of the frame (scale bar beside it). 1: in the frame
     * corner that hides the fewest unit pixels (bottom-left preferred on near ties;
     * bottom-right sits above the inset); the scale bar then goes bottom-left. */
    int legend_auto;
    /* Ground metres per projected unit at the map centre, for the scale bar:
     * EPSG:3857 -> cos(lat_centre); a metre-based conformal CRS (UTM, VN-2000) -> ~1.
     * <= 0 disables the scale bar. */
    double ground_m_per_unit;

    /* ---- inset (e.g. Hoàng Sa and Trường Sa when the main frame leaves them out) ---- */
    int has_inset;
    hs_bbox inset_extent;    /* projected bbox drawn in the inset box */
    const char *inset_title; /* e.g. "Quần đảo Hoàng Sa và Trường Sa" */

    /* ---- stopping ---- */
    /* Polled between layers and every HS_RENDER_CANCEL_EVERY features: once it holds a
     * reason (hs_cancel.h) drawing stops and the render returns HS_ECANCELED. NULL =
     * never cancelled. Borrowed (a heavy HTTP job's flag, as analysis/hs_perm's). */
    const atomic_int *cancel;
} hs_map_spec;

/* Fills colours/widths left at zero with the house style. Does not touch layers or
 * text. Call after memset(spec, 0) and before setting your overrides, or after:
 * it only replaces zero-alpha colours and non-positive widths. */
void hs_style_defaults(hs_map_spec *spec);

/* Default palette for a numeric map type ("rate", "eb_rate", "risk", "outreach_gap",
 * "count"); NULL for unknown types. */
const char *hs_style_palette_for(const char *map_type);

#endif
