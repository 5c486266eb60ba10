/* hs_mbtiles: an MBTiles 1.3 writer (SQLite). Every SQLite error becomes an hs_err here.
 *
 * The file is written as PATH.tmp and renamed onto PATH by hs_mbtiles_close, so a
 * reader never sees a half-written file. Journal mode is DELETE (no WAL: a single
 * self-contained file to publish) with synchronous=OFF during the build; tiles are
 * committed in batches of HS_MBTILES_BATCH.
 *
 * Layout (dedupe = 1, the default): identical tiles (sea, empty) are stored once.
 *   map(zoom_level, tile_column, tile_row, tile_id)   -- one row per tile
 *   images(tile_data BLOB, tile_id TEXT)              -- one row per distinct PNG
 *   VIEW tiles(zoom_level, tile_column, tile_row, tile_data)  -- what MBTiles readers use
 * With dedupe = 0, a plain `tiles` table. tile_row is TMS (y flipped: 2^z - 1 - y);
 * callers pass XYZ y.
 */
#ifndef HS_MBTILES_H
#define HS_MBTILES_H

#include <stddef.h>

#include "hs_err.h"
#include "hs_geom.h"

#define HS_MBTILES_BATCH 512

typedef struct hs_mbtiles hs_mbtiles;

typedef struct hs_mbtiles_meta {
    const char *name;        /* required */
    const char *description; /* may be NULL */
    const char *attribution; /* may be NULL */
    hs_bbox bounds;          /* lon/lat */
    int minzoom, maxzoom;
    int center_zoom;         /* center = middle of bounds at this zoom */
    const char *type;        /* "overlay" (default when NULL) or "baselayer" */
    const char *version;     /* of the tileset, e.g. the data version; NULL = "1" */
    int synthetic;           /* 1: adds the DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA note */
} hs_mbtiles_meta;

/* Creates PATH.tmp (replacing a stale one). Fails if PATH exists unless overwrite. */
int hs_mbtiles_open(const char *path, const hs_mbtiles_meta *meta, int dedupe, int overwrite,
                    hs_mbtiles **out, hs_err *err);
/* Stores a PNG for XYZ tile (z,x,y). */
int hs_mbtiles_put(hs_mbtiles *m, int z, int x, int y, const unsigned char *png, size_t len,
                   hs_err *err);
/* Commits, indexes, closes and renames PATH.tmp onto PATH; frees m in every case. */
int hs_mbtiles_close(hs_mbtiles *m, hs_err *err);
/* Discards everything (removes PATH.tmp) and frees m. */
void hs_mbtiles_abort(hs_mbtiles *m);

#endif
