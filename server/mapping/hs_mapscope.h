/* hs_mapscope: a caller's detail scope (an analyst's provinces), the one place that
 * decides what a scoped view draws, for tiles (hs_tilesrc) and full maps (GET
 * /maps/..., hs_routes_maps.c) alike, so both show the same thing:
 *
 *   - the communes of each scope province, from an analysis of that province ALONE
 *     (nothing of another province's communes enters it, not even as a neighbour in
 *     a Gi* or LISA sum);
 *   - every other province at province level, from the national province-level
 *     analysis of the same window and options (what the caller may ask for with
 *     level=province anyway).
 *
 * Nothing else of the request's commune-level national analysis is ever computed for
 * a scoped caller, so no pixel, legend label or text of the output can depend on a
 * commune value outside the scope (docs/security.md, "Analysts: maps and tiles";
 * tests/integration/test_analyst_maps.sh changes another province's commune figures
 * and checks that every output stays byte for byte the same).
 *
 *   hs_map_scope sc;  hs_map_scope_pick(&prm, codes, n, &sc, err);
 *   hs_map_scoped s;  hs_map_scoped_build(conn, g, pc, &prm, &mo, &sc, 1, now, &s, err);
 *   hs_mapjob_render(s.prov, rctx, &buf, err);  // full map: prov is the two-level job
 *   hs_map_scoped_clear(&s);
 */
#ifndef HS_MAPSCOPE_H
#define HS_MAPSCOPE_H

#include <libpq-fe.h>
#include <stddef.h>

#include "hs_err.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_mapopts.h"
#include "hs_params.h"
#include "hs_unitcode.h"

/* Provinces one scope may hold (an analyst token's list is shorter). */
#define HS_MAP_SCOPE_MAX 16

typedef struct hs_map_scope {
    int n; /* 0: nothing to limit (level=province, the base layer, planners) */
    char code[HS_MAP_SCOPE_MAX][HS_UNIT_CODE_MAX + 1]; /* sorted, no duplicates */
} hs_map_scope;

/* The provinces of `codes` (the caller's, n of them, 1..HS_MAP_SCOPE_MAX) that a
 * request of prm keeps at commune level:
 *  - level=province: none (out->n = 0), nothing to limit;
 *  - province=P: P alone; P not in `codes` is HS_EINVAL (access control refuses it
 *    first; this is the second lock);
 *  - no province: every province of `codes`.
 * A code that is not a unit code, or n outside 1..HS_MAP_SCOPE_MAX, is HS_EINVAL. */
int hs_map_scope_pick(const hs_params *prm, const char *const *codes, size_t n,
                      hs_map_scope *out, hs_err *err);
/* Appends "/scope=A,B" to key (n bytes; HS_ELIMIT when it does not fit), so that
 * callers of different scopes never share a cached answer. Nothing when sc->n == 0. */
int hs_map_scope_key(const hs_map_scope *sc, char *key, size_t n, hs_err *err);

/* The jobs of a scoped view and their merged classes. */
typedef struct hs_map_scoped {
    /* The national (or bbox) province-level job. For full maps it is also the map:
     * hs_map_scoped_build made it two-level (hs_mapjob_two_level). */
    hs_mapjob *prov;
    int n;
    hs_mapjob *detail[HS_MAP_SCOPE_MAX]; /* commune level, province code[k] alone */
    /* Class c of detail[k] is classes[off[k] + c]; a detail job whose classes are the
     * same as an earlier job's (fixed schemes such as Gi* bins) shares its offset. */
    int off[HS_MAP_SCOPE_MAX];
    hs_class_style *classes;
    int nclasses;
    /* Legend blocks (full maps): 0 when every level shares one classification. */
    hs_legend_group groups[HS_MAP_SCOPE_MAX + 1];
    int ngroups;
    char group_title[HS_MAP_SCOPE_MAX + 1][160];
    /* Full maps: the two-level unit layer at the map's level (hs_map_scoped_mix). */
    hs_layer units, communes;
    int *cls;
} hs_map_scoped;

/* Runs the analyses through the pipeline on conn (the national province-level one,
 * then one per scope province) and builds their jobs with mo's classification and
 * page (the province job keeps mo's national or bbox extent; a province extent
 * becomes national). full_map != 0: also turns s->prov into the two-level map with
 * its legend blocks, drawn by hs_mapjob_render. generated_at as hs_mapjob_build.
 * sc->n must be >= 1. Clear *out with hs_map_scoped_clear, also after a failure. */
int hs_map_scoped_build(PGconn *conn, hs_geostore *g, hs_proj_ctx *pc, const hs_params *prm,
                        const hs_map_opts *mo, const hs_map_scope *sc, int full_map,
                        const char *generated_at, hs_map_scoped *out, hs_err *err);
void hs_map_scoped_clear(hs_map_scoped *s);

/* The two-level unit layer of level lv (of the jobs' prepared CRS): the province
 * features outside the scope with their province-level classes, then the communes of
 * each scope province in its analysis (classes into s->classes). Features are
 * shallow copies (rings and strings borrowed from lv); layer->feat and *cls are
 * malloc'ed (free both); *communes is a view of the commune tail of layer (their
 * outlines). */
int hs_map_scoped_mix(const hs_map_scoped *s, const hs_geolevel *lv, hs_layer *layer, int **cls,
                      hs_layer *communes, hs_err *err);

#endif
