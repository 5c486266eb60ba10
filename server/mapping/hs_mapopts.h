/* hs_mapopts: the map options shared by `hotspot render`, GET /maps/... and the
 * dashboard presets: map type, extent, page, format, CRS, classification, public
 * mode. Parsed from an hs_query after hs_params_parse(..., HS_P_MAP, ...), so the
 * CLI and HTTP accept the same names and reject the same mistakes with the same
 * messages. Also the canonical cache key and a file name for a map request.
 */
#ifndef HS_MAPOPTS_H
#define HS_MAPOPTS_H

#include <stddef.h>

#include "hs_classify.h"
#include "hs_err.h"
#include "hs_geom.h"
#include "hs_maptypes.h"
#include "hs_params.h"
#include "hs_query.h"
#include "hs_render.h"

/* Smallest count a public image may reveal (see docs/publication.md). A constant on
 * purpose: a threshold that can be lowered per request is no threshold. */
#define HS_PUBLIC_MIN_COUNT 5


/* "gistar", "lisa", ... ; parse fails naming `what` (e.g. "--map") and the allowed words. */
const char *hs_map_type_name(hs_map_type t);
int hs_map_type_parse(const char *s, const char *what, hs_map_type *out, hs_err *err);

typedef enum { HS_EXTENT_NATIONAL = 0, HS_EXTENT_PROVINCE, HS_EXTENT_BBOX } hs_extent_kind;

#define HS_MAP_MAX_FIXED 8

typedef struct hs_map_opts {
    hs_map_type type;
    hs_extent_kind extent; /* PROVINCE when prm.province is set, BBOX with `bbox` */
    hs_bbox bbox;          /* lon/lat, when extent == HS_EXTENT_BBOX */
    hs_page page;
    hs_format format;
    char page_desc[48]; /* canonical "paper:a4-landscape@150" or "size:1200x1600@1" */
    const char *crs;    /* borrowed; default "national" */
    int method_given;   /* classes= given (else the type's default) */
    hs_classify_method method;
    int k; /* 0 = the type's default */
    double fixed[HS_MAP_MAX_FIXED];
    int nfixed;
    int public_mode;
    const char *error_param; /* after a failed parse: the option at fault (static) */
} hs_map_opts;

/* The options render/maps add to hs_params (HS_P_MAP), all optional:
 *   map (required when need_map), bbox, size WxH (layout px, default 1200x1600),
 *   paper a4-landscape|a4-portrait|a3-landscape|a3-portrait (excludes size),
 *   dpi 72..600 (paper; default 150) or scale 0.25..8 (size; default 1),
 *   crs (default national), classes quantile|equal|jenks|fixed:1,2,5, k 3..9, public.
 * The format comes from prm->format (png|svg|pdf with HS_P_MAP). Fills o->type with
 * `type` when need_map is 0. Errors name the option and the allowed values. */
int hs_map_opts_parse(hs_query *q, const hs_params *prm, int need_map, hs_map_type type,
                      hs_map_opts *o, hs_err *err);

/* Drops what cannot change the map from *prm, so equal maps share one cache entry
 * and do not pay for unused work: permutations only matter to the types whose table
 * entry says uses_permutations (lisa, scan; Gi* bins, emerging categories and the
 * risk score use analytic p-values). */
void hs_map_params_normalise(hs_params *prm, const hs_map_opts *o);

/* Canonical cache key of (prm, o): every option that changes the bytes, defaults
 * filled in, fixed order. Returns the length, or a negative HS_E* when n is too small. */
int hs_map_key(const hs_params *prm, const hs_map_opts *o, char *buf, size_t n, hs_err *err);

/* A file name for Content-Disposition and --out defaults: "gistar_cases_2025-01_2025-12.png". */
void hs_map_filename(const hs_params *prm, const hs_map_opts *o, char *buf, size_t n);

#endif
