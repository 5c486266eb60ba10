/* hs_tilesrc: what one tile layer draws, prepared once per (data version, layer,
 * analysis parameters) and shared by every tile of it.
 *
 * A source holds the geostore (a reference), the EPSG:3857 preparation and, for the
 * map types, the hs_mapjob with every unit's class: the analysis runs ONCE per source,
 * never per tile. Rendering a metatile then only picks the simplification level of
 * the zoom, fills a spec (hs_mapjob_tile_spec) and calls hs_metarender, which culls
 * units with the level's spatial index. Used by the tile server (hs_routes_tiles.c),
 * `hotspot tiles` (hs_cli_tiles.c) and bench/bench_tiles.c: one code path.
 *
 * Layers: the map types of hs_mapopts (gistar, lisa, rate, eb_rate, risk,
 * outreach_gap, emerging, scan, count) and `base` (units outlined, no data, no
 * analysis).
 *
 * hs_tilesrc_cache keeps the few sources in use, keyed by (data version, canonical
 * key), with in-flight merging: when many tile requests need the same missing source,
 * one thread runs the analysis and the others wait for it. One mutex (`lock`) and one
 * condition variable guard it; neither is held while an analysis runs.
 */
#ifndef HS_TILESRC_H
#define HS_TILESRC_H

#include <libpq-fe.h>
#include <stdint.h>

#include "hs_err.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_mapscope.h"
#include "hs_mapopts.h"
#include "hs_params.h"
#include "hs_query.h"
#include "hs_render.h"
#include "hs_tilemath.h"
#include "hs_unitcode.h"

#define HS_TILE_LAYER_BASE (-1)
#define HS_TILESRC_KEY_MAX 512
/* Metatile buffer, layout px: half the longest province label (~110 px wide in bold
 * 10.5 px Noto Sans) plus 8 px, rounded up. Times the scale in device px. */
#define HS_TILE_BUFFER_1X 64
/* Provinces a scoped tile request may draw at commune level (an analyst's list). */
#define HS_TILE_DETAIL_MAX HS_MAP_SCOPE_MAX

/* "base" or a map type name; HS_EINVAL naming the allowed layers otherwise. */
int hs_tile_layer_parse(const char *name, int *layer, hs_err *err);
const char *hs_tile_layer_name(int layer);
/* The analysis a map-type layer needs (from the map type table). */
hs_analysis_kind hs_tile_layer_needs(int layer);
/* Help text listing the layers ("base, gistar, lisa, ..."). */
const char *hs_tile_layers_help(void);

/* The path parameters of /tiles/{layer}/{z}/{x}/{y}.png (and {layer}.json: z, x, y
 * all NULL). Coordinates are plain decimal (no sign, space or hex), z in
 * [0, HS_TILE_MAXZOOM], x and y in [0, 2^z - 1]. An unknown layer is HS_ENOTFOUND
 * (404), a bad coordinate HS_EINVAL; bad_param names the parameter at fault. */
typedef struct hs_tile_path {
    int layer;
    int z, x, y;
    const char *bad_param;
} hs_tile_path;
int hs_tile_path_parse(const char *layer, const char *z, const char *x, const char *y,
                       hs_tile_path *out, hs_err *err);

/* Everything a tile layer depends on besides the data version. */
typedef struct hs_tile_req {
    int layer;        /* HS_TILE_LAYER_BASE or an hs_map_type */
    hs_params prm;    /* analysis window and options (normalised) */
    hs_map_opts mo;   /* classification, public mode; crs forced to EPSG:3857 */
    int transparent;  /* overlay: no sea, no neighbouring countries */
    /* Detail scope (hs_tile_req_scope): when ndetail > 0 only these provinces are
     * drawn at commune level, each from an analysis of that province alone, and
     * every other province at province level (from the national province-level
     * analysis of the same window and options). 0: no scope (planners, the CLI). */
    int ndetail;
    char detail[HS_TILE_DETAIL_MAX][HS_UNIT_CODE_MAX + 1];
    char key[HS_TILESRC_KEY_MAX]; /* canonical: layer, analysis, map options, transparent,
                                     detail scope */
    const char *error_param; /* after a failed parse: the option at fault */
} hs_tile_req;

/* Query names a tile layer accepts (NULL-terminated): the analysis window and
 * statistics options, classes, k, public, transparent. */
extern const char *const hs_tile_query_names[];

/* Parses and validates the options of a tile layer from q (the CLI's argv or the
 * HTTP query). Names outside hs_tile_query_names and `extra` (the caller's own, may
 * be NULL) are rejected by name. last_period = the newest month with data (the
 * default window's end). */
int hs_tile_req_parse(hs_query *q, int layer, const char *const *extra, int last_period,
                      hs_tile_req *out, hs_err *err);

/* Limits r's commune detail to the caller's provinces (`codes`, n of them: an
 * analyst's; access control already refused any other province= and national
 * commune requests outside the scope):
 *  - level=province: nothing to limit, r is unchanged;
 *  - province=P (commune level): P's communes, the rest at province level;
 *  - no province (commune level): the communes of every province in `codes`, the
 *    rest at province level.
 * The scope goes into r->key, so callers of different scopes never share a source,
 * a metatile or a tile. A province= outside `codes`, or n outside
 * 1..HS_TILE_DETAIL_MAX, is HS_EINVAL. The rule is hs_map_scope_pick's, shared
 * with full maps. */
int hs_tile_req_scope(hs_tile_req *r, const char *const *codes, size_t n, hs_err *err);

typedef struct hs_tilesrc hs_tilesrc;

/* Builds the source for r from the store g (a reference is taken) and, for map-type
 * layers, the analysis result the pipeline computed for them
 * (hs_pipeline_run_kind(c, hs_tile_layer_needs(r->layer), &r->prm, ...); NULL for
 * base; nothing of it is kept). The generation time is not part of tiles. Free with
 * hs_tilesrc_free (or through the cache). */
int hs_tilesrc_create(hs_geostore *g, hs_proj_ctx *pc, const hs_tile_req *r,
                      const hs_analysis_result *res, hs_tilesrc **out, hs_err *err);
void hs_tilesrc_free(hs_tilesrc *s);

int hs_tilesrc_synthetic(const hs_tilesrc *s);
uint64_t hs_tilesrc_data_version(const hs_tilesrc *s);
/* EPSG:3857 extent of everything the layer draws (tiles outside it are uniform). */
hs_bbox hs_tilesrc_area(const hs_tilesrc *s);
/* The colour of a tile with nothing on it (sea, or transparent 0), as ARGB32. */
unsigned int hs_tilesrc_background(const hs_tilesrc *s);
/* Legend entries (borrowed): classes and their count. */
const hs_class_style *hs_tilesrc_classes(const hs_tilesrc *s, int *n);

/* The spec a tile of zoom z draws (layers of the zoom's simplification level, classes,
 * house style) and the index of its units. *owned (free() it) is set when the spec
 * needed a class array of its own. Thread-safe. */
int hs_tilesrc_spec(hs_tilesrc *s, int z, int tile_px, hs_map_spec *spec, int **owned,
                    const hs_sindex **units_ix, hs_err *err);

/* A raster for metatile m (m->width * 4 bytes per row; free() it): zeroed for
 * transparent layers, left uninitialised when the sea is painted over every pixel
 * anyway (zeroing 19 MB per 8x8 metatile was a measurable share of its render). */
unsigned char *hs_tilesrc_raster(const hs_tilesrc *s, const hs_metatile *m);

/* Renders metatile m into argb (m->width x m->height, from hs_tilesrc_raster or zeroed,
 * `stride` bytes per row)
 * with the calling thread's render context. `units_drawn` may be NULL. Thread-safe. */
int hs_tilesrc_render(hs_tilesrc *s, hs_render_ctx *rc, const hs_metatile *m,
                      unsigned char *argb, int stride, int *units_drawn, hs_err *err);

/* ---- the cache of sources ---- */

typedef struct hs_tilesrc_cache hs_tilesrc_cache;

/* Keeps at most `cap` sources (1..64). Caller frees with hs_tilesrc_cache_destroy
 * once no request uses it. */
hs_tilesrc_cache *hs_tilesrc_cache_create(int cap, hs_err *err);
void hs_tilesrc_cache_destroy(hs_tilesrc_cache *c);

/* The source for (store's data version, r->key), built when absent: the analysis
 * runs through the pipeline on c (a scoped request: one per detail province plus
 * the national province-level one), then hs_tilesrc_create (merged with concurrent
 * builds of the same key). Returns a reference:
 * release with hs_tilesrc_release. Sources of older data versions are dropped. */
int hs_tilesrc_get(hs_tilesrc_cache *cache, PGconn *c, hs_geostore *g, hs_proj_ctx *pc,
                   const hs_tile_req *r, hs_tilesrc **out, hs_err *err);
void hs_tilesrc_release(hs_tilesrc *s);
/* The source for (version, r->key) when the cache holds it ready (a new reference),
 * else NULL. Never builds and never waits for a build: lets a tile of an analysis
 * already made be drawn without the database. */
hs_tilesrc *hs_tilesrc_find(hs_tilesrc_cache *cache, uint64_t version, const hs_tile_req *r);

#endif
