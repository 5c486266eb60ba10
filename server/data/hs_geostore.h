/* hs_geostore: unit geometry loaded from PostGIS once per data version, prepared
 * once per CRS, shared read-only by every render thread.
 *
 *   hs_geostore (lon/lat layers: communes, provinces, countries, land border)
 *     -> hs_geoprep per CRS (EPSG:3857 and "national" built at load; others on demand):
 *          projected layers + one hs_topo per layer (shared borders ranked once)
 *       -> hs_geolevel per simplification level (built lazily, cached):
 *            simplified layers + one hs_sindex per layer
 *
 * Geometry is never read per request. A store is immutable once built (the lazily
 * built CRSs and levels are added under the store's own `prep_lock` and never change
 * or move afterwards) and reference-counted (atomic), so a request keeps using the
 * store it started with while a newer one is swapped in. hs_geoholder is the slot
 * the server keeps: it swaps in a new store under one mutex (`swap_lock`) after the
 * data version changed (hs_geoholder_invalidate from an hs_dbwatch_on_change
 * callback), loading it on a background thread of its own (hs_geoholder_background;
 * without it, on the next request's connection). The CLI just loads once.
 *
 * Feature order: communes and provinces are ordered by code COLLATE "C", the same
 * order as hs_data's hs_unitset, so per-unit arrays map by binary search on code
 * (hs_geostore_find). Features carry name, label point (hs.unit_derived.label_pt)
 * and flags HS_FEAT_KEY_COMMUNE, HS_FEAT_BORDER_PROVINCE, HS_FEAT_ISLAND (no
 * neighbour in hs.unit_adjacency). Countries exclude Vietnam itself.
 */
#ifndef HS_GEOSTORE_H
#define HS_GEOSTORE_H

#include <libpq-fe.h>
#include <stdint.h>

#include "hs_err.h"
#include "hs_geom.h"
#include "hs_proj.h"
#include "hs_sindex.h"
#include "hs_topo.h"

typedef enum {
    HS_GS_COMMUNE = 0,
    HS_GS_PROVINCE = 1,
    HS_GS_COUNTRY = 2, /* neighbouring countries (polygons) */
    HS_GS_BORDER = 3,  /* land border (lines), one feature per neighbour */
    HS_GS_NLAYERS = 4
} hs_gs_layer;

/* Simplification levels 0..HS_GS_MAX_LEVEL. Level z has tolerance T0 / 2^z where, in
 * EPSG:3857, T0 = 0.5 * hs_tile_resolution(0, 256): level z is exactly the
 * half-pixel tolerance of 256 px tiles at zoom z (and one pixel at @2x). Other CRSs
 * scale T0 by the ratio of the communes' projected extent to their 3857 extent, so a
 * level means about the same on the ground in every CRS. */
#define HS_GS_MAX_LEVEL 16
/* CRSs kept prepared in one store besides EPSG:3857 and national; further CRSs are
 * prepared for the caller alone and freed when released. */
#define HS_GS_MAX_CACHED_PREPS 6
#define HS_GS_NATIONAL "national"

typedef struct hs_geostore hs_geostore;
typedef struct hs_geoprep hs_geoprep;

/* One simplification level of one CRS. Read-only; valid while the store (or, for an
 * uncached CRS, the prep) is referenced. */
typedef struct hs_geolevel {
    int level;
    double tolerance; /* projected units */
    const hs_layer *layer[HS_GS_NLAYERS];
    const hs_sindex *index[HS_GS_NLAYERS]; /* feature index = item index */
} hs_geolevel;

/* ---- the store ---- */

/* Loads every layer from `c` (in one REPEATABLE READ snapshot, with the data version
 * and synthetic flag) and prepares EPSG:3857 and national with `pc` (the caller's
 * per-thread PROJ context). Returns a store holding one reference for the caller. */
int hs_geostore_load(PGconn *c, hs_proj_ctx *pc, hs_geostore **out, hs_err *err);
/* Adds a reference (returns g; NULL-safe). Thread-safe. */
hs_geostore *hs_geostore_ref(hs_geostore *g);
/* Drops a reference; the last one frees everything. NULL-safe. Thread-safe. */
void hs_geostore_unref(hs_geostore *g);

uint64_t hs_geostore_data_version(const hs_geostore *g);
int hs_geostore_synthetic(const hs_geostore *g);
/* Seconds the load took (for logs and benchmarks). */
double hs_geostore_load_seconds(const hs_geostore *g);
/* The lon/lat layer (EPSG:4326, x = lon). Borrowed from g. */
const hs_layer *hs_geostore_lonlat(const hs_geostore *g, hs_gs_layer which);
/* Index of the feature with `code` in a unit layer (binary search), -1 if absent. */
int hs_geostore_find(const hs_geostore *g, hs_gs_layer which, const char *code);

/* ---- prepared per CRS ---- */

/* The prepared geometry of `crs` (any text hs_proj accepts, "national" included),
 * projecting and building the topology with the caller's PROJ context `pc` when it is
 * not prepared yet. Returns a reference: release with hs_geoprep_release. A bad CRS
 * is HS_EINVAL naming it. Thread-safe. */
int hs_geostore_prep(hs_geostore *g, hs_proj_ctx *pc, const char *crs, hs_geoprep **out,
                     hs_err *err);
void hs_geoprep_release(hs_geoprep *p);

const char *hs_geoprep_crs(const hs_geoprep *p);
/* Projected layer at full resolution (every vertex). Borrowed. */
const hs_layer *hs_geoprep_layer(const hs_geoprep *p, hs_gs_layer which);
/* Tolerance (projected units) of a level, level clamped to 0..HS_GS_MAX_LEVEL. */
double hs_geoprep_level_tolerance(const hs_geoprep *p, int level);
/* The coarsest level whose tolerance is <= `tolerance` (HS_GS_MAX_LEVEL if none). */
int hs_geoprep_level_for(const hs_geoprep *p, double tolerance);
/* Level `level` (clamped), simplifying and indexing on first use. Thread-safe. */
int hs_geoprep_level(hs_geoprep *p, int level, const hs_geolevel **out, hs_err *err);

/* ---- the server's slot ---- */

typedef struct hs_geoholder hs_geoholder;

/* Caller frees with hs_geoholder_destroy (after every user released its stores). */
int hs_geoholder_create(hs_geoholder **out, hs_err *err);
void hs_geoholder_destroy(hs_geoholder *h);
/* The current store (a new reference for the caller). Loads it with `c` and `pc`
 * when there is none yet, or when hs_geoholder_invalidate announced a newer version
 * than the store's. One thread loads at a time; while it loads, other threads keep
 * getting the previous store when there is one. A failed load is not kept: the next
 * call tries again. */
int hs_geoholder_get(hs_geoholder *h, PGconn *c, hs_proj_ctx *pc, hs_geostore **out, hs_err *err);
/* The store held now, current or stale (a new reference), or NULL when none was ever
 * loaded. Never loads: for answers that need only the geometry's extent and flags
 * (e.g. from the response cache while the database is down). */
hs_geostore *hs_geoholder_peek(hs_geoholder *h);
/* Marks stores older than `version` stale (cheap; for hs_dbwatch_on_change). */
void hs_geoholder_invalidate(hs_geoholder *h, uint64_t version);
/* Installs a store (takes the caller's reference), e.g. one loaded at start-up. */
void hs_geoholder_set(hs_geoholder *h, hs_geostore *g);
/* Starts a thread that reloads a stale store in the background, on a connection of
 * its own (hs_pg_connect: the primary), as soon as hs_geoholder_invalidate announces
 * a newer version; hs_geoholder_get then never loads a stale store on a request's
 * thread: the previous store is served until the new one is swapped in. (A missing
 * store, never loaded, is still loaded by the first request.) The thread stops in
 * hs_geoholder_destroy, cancelling a load in progress. */
int hs_geoholder_background(hs_geoholder *h, hs_err *err);
/* At server start-up: loads the geometry on a connection of its own when the
 * database answers, so the first map is quick; otherwise logs why and leaves the
 * load to the first request. */
void hs_geoholder_preload(hs_geoholder *h);

#endif
