#include "hs_mbtiles.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hs_mbtiles {
    sqlite3 *db;
    sqlite3_stmt *put_tile;  /* tiles or map */
    sqlite3_stmt *get_image; /* dedupe only */
    sqlite3_stmt *put_image; /* dedupe only */
    int dedupe;
    int pending; /* tiles in the open transaction */
    char *path, *tmp;
};

static int sql_fail(sqlite3 *db, hs_err *err, const char *what)
{
    return hs_err_set(err, HS_EIO, "MBTiles: %s: %s", what, db ? sqlite3_errmsg(db) : "no db");
}

static int exec(sqlite3 *db, const char *sql, hs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = hs_err_set(err, HS_EIO, "MBTiles: %.60s...: %s", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return rc;
    }
    return HS_OK;
}

static int put_meta(sqlite3 *db, const char *k, const char *v, hs_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO metadata(name, value) VALUES (?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return sql_fail(db, err, "metadata");
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? HS_OK : sql_fail(db, err, "metadata");
    sqlite3_finalize(st);
    return rc;
}

static int write_meta(sqlite3 *db, const hs_mbtiles_meta *m, hs_err *err)
{
    char b[256], c[128], mn[16], mx[16], desc[1024];
    const hs_bbox *bb = &m->bounds;
    snprintf(b, sizeof b, "%.6f,%.6f,%.6f,%.6f", bb->minx, bb->miny, bb->maxx, bb->maxy);
    snprintf(c, sizeof c, "%.6f,%.6f,%d", (bb->minx + bb->maxx) / 2, (bb->miny + bb->maxy) / 2,
             m->center_zoom);
    snprintf(mn, sizeof mn, "%d", m->minzoom);
    snprintf(mx, sizeof mx, "%d", m->maxzoom);
    snprintf(desc, sizeof desc, "%s%s%s", m->description ? m->description : "",
             m->description && m->synthetic ? " " : "",
             m->synthetic ? "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA: not real case data." : "");
    struct { const char *k, *v; } kv[] = {
        {"name", m->name},
        {"format", "png"},
        {"bounds", b},
        {"center", c},
        {"minzoom", mn},
        {"maxzoom", mx},
        {"type", m->type ? m->type : "overlay"},
        {"version", m->version ? m->version : "1"},
        {"description", desc},
        {"attribution", m->attribution ? m->attribution : ""},
    };
    for (size_t i = 0; i < sizeof kv / sizeof *kv; i++) {
        int rc = put_meta(db, kv[i].k, kv[i].v, err);
        if (rc < 0)
            return rc;
    }
    return HS_OK;
}

static const char *schema_dedupe =
    "CREATE TABLE metadata (name TEXT, value TEXT);"
    "CREATE TABLE map (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_id TEXT);"
    "CREATE TABLE images (tile_data BLOB, tile_id TEXT);"
    "CREATE VIEW tiles AS SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column,"
    " map.tile_row AS tile_row, images.tile_data AS tile_data FROM map"
    " JOIN images ON images.tile_id = map.tile_id;";
static const char *schema_plain =
    "CREATE TABLE metadata (name TEXT, value TEXT);"
    "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
    " tile_data BLOB);";

int hs_mbtiles_open(const char *path, const hs_mbtiles_meta *meta, int dedupe, int overwrite,
                    hs_mbtiles **out, hs_err *err)
{
    *out = NULL;
    if (!meta || !meta->name || meta->minzoom < 0 || meta->maxzoom > 22 ||
        meta->minzoom > meta->maxzoom)
        return hs_err_set(err, HS_EINVAL, "MBTiles %s: metadata needs a name and 0 <= minzoom "
                          "<= maxzoom <= 22", path);
    struct stat sb;
    if (!overwrite && stat(path, &sb) == 0)
        return hs_err_set(err, HS_EINVAL, "%s already exists (remove it or overwrite)", path);
    hs_mbtiles *m = calloc(1, sizeof *m);
    size_t n = strlen(path) + 5;
    if (!m || !(m->path = strdup(path)) || !(m->tmp = malloc(n))) {
        if (m)
            free(m->path);
        free(m);
        return hs_err_set(err, HS_ENOMEM, "out of memory opening %s", path);
    }
    snprintf(m->tmp, n, "%s.tmp", path);
    m->dedupe = dedupe;
    if (unlink(m->tmp) < 0 && errno != ENOENT) {
        int rc = hs_err_set(err, HS_EIO, "cannot remove stale %s: %s", m->tmp, strerror(errno));
        hs_mbtiles_abort(m);
        return rc;
    }
    if (sqlite3_open_v2(m->tmp, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = sql_fail(m->db, err, m->tmp);
        hs_mbtiles_abort(m);
        return rc;
    }
    int rc = exec(m->db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF;"
                         "PRAGMA application_id=0x4d504258; PRAGMA page_size=4096;", err);
    if (rc == HS_OK)
        rc = exec(m->db, dedupe ? schema_dedupe : schema_plain, err);
    if (rc == HS_OK)
        rc = write_meta(m->db, meta, err);
    const char *ins = dedupe ? "INSERT INTO map VALUES (?, ?, ?, ?)"
                             : "INSERT INTO tiles VALUES (?, ?, ?, ?)";
    if (rc == HS_OK && sqlite3_prepare_v2(m->db, ins, -1, &m->put_tile, NULL) != SQLITE_OK)
        rc = sql_fail(m->db, err, "prepare");
    if (rc == HS_OK && dedupe &&
        (sqlite3_prepare_v2(m->db, "SELECT tile_data FROM images WHERE tile_id = ?", -1,
                            &m->get_image, NULL) != SQLITE_OK ||
         sqlite3_prepare_v2(m->db, "INSERT INTO images VALUES (?, ?)", -1, &m->put_image,
                            NULL) != SQLITE_OK))
        rc = sql_fail(m->db, err, "prepare");
    if (rc == HS_OK && dedupe)
        rc = exec(m->db, "CREATE INDEX images_id ON images (tile_id);", err);
    if (rc == HS_OK)
        rc = exec(m->db, "BEGIN", err);
    if (rc < 0) {
        hs_mbtiles_abort(m);
        return rc;
    }
    *out = m;
    return HS_OK;
}

/* FNV-1a 64 of the bytes: the tile_id, with a suffix when two different PNGs collide. */
static uint64_t fnv64(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int image_id(hs_mbtiles *m, const unsigned char *png, size_t len, char *id, size_t idn,
                    hs_err *err)
{
    uint64_t h = fnv64(png, len);
    for (int k = 0; k < 100; k++) {
        snprintf(id, idn, "%016llx-%zu-%d", (unsigned long long)h, len, k);
        sqlite3_reset(m->get_image);
        sqlite3_bind_text(m->get_image, 1, id, -1, SQLITE_TRANSIENT);
        int s = sqlite3_step(m->get_image);
        if (s == SQLITE_ROW) {
            const void *d = sqlite3_column_blob(m->get_image, 0);
            size_t dn = (size_t)sqlite3_column_bytes(m->get_image, 0);
            if (dn == len && memcmp(d, png, len) == 0)
                return HS_OK; /* already stored */
            continue;         /* a hash collision: next suffix */
        }
        if (s != SQLITE_DONE)
            return sql_fail(m->db, err, "images lookup");
        sqlite3_reset(m->put_image);
        sqlite3_bind_blob(m->put_image, 1, png, (int)len, SQLITE_STATIC);
        sqlite3_bind_text(m->put_image, 2, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(m->put_image) != SQLITE_DONE)
            return sql_fail(m->db, err, "images insert");
        return HS_OK;
    }
    return hs_err_set(err, HS_EINTERNAL, "MBTiles: 100 colliding tile hashes");
}

int hs_mbtiles_put(hs_mbtiles *m, int z, int x, int y, const unsigned char *png, size_t len,
                   hs_err *err)
{
    if (z < 0 || z > 22 || x < 0 || y < 0 || x >= (1 << z) || y >= (1 << z))
        return hs_err_set(err, HS_EINVAL, "MBTiles: tile %d/%d/%d out of range", z, x, y);
    if (len > INT32_MAX)
        return hs_err_set(err, HS_ELIMIT, "MBTiles: tile of %zu bytes", len);
    int tms_y = (1 << z) - 1 - y;
    char id[64];
    sqlite3_reset(m->put_tile);
    sqlite3_bind_int(m->put_tile, 1, z);
    sqlite3_bind_int(m->put_tile, 2, x);
    sqlite3_bind_int(m->put_tile, 3, tms_y);
    if (m->dedupe) {
        int rc = image_id(m, png, len, id, sizeof id, err);
        if (rc < 0)
            return rc;
        sqlite3_bind_text(m->put_tile, 4, id, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_blob(m->put_tile, 4, png, (int)len, SQLITE_STATIC);
    }
    if (sqlite3_step(m->put_tile) != SQLITE_DONE)
        return sql_fail(m->db, err, "tile insert");
    if (++m->pending >= HS_MBTILES_BATCH) {
        m->pending = 0;
        return exec(m->db, "COMMIT; BEGIN", err);
    }
    return HS_OK;
}

static void finalize_all(hs_mbtiles *m)
{
    sqlite3_finalize(m->put_tile);
    sqlite3_finalize(m->get_image);
    sqlite3_finalize(m->put_image);
    m->put_tile = m->get_image = m->put_image = NULL;
}

int hs_mbtiles_close(hs_mbtiles *m, hs_err *err)
{
    finalize_all(m);
    int rc = exec(m->db, "COMMIT", err);
    if (rc == HS_OK)
        rc = exec(m->db, m->dedupe
                             ? "CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column,"
                               " tile_row); CREATE UNIQUE INDEX name ON metadata (name);"
                             : "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column,"
                               " tile_row); CREATE UNIQUE INDEX name ON metadata (name);",
                  err);
    if (rc == HS_OK && sqlite3_close(m->db) != SQLITE_OK)
        rc = sql_fail(m->db, err, "close");
    else if (rc == HS_OK)
        m->db = NULL;
    if (rc == HS_OK && rename(m->tmp, m->path) < 0)
        rc = hs_err_set(err, HS_EIO, "cannot rename %s to %s: %s", m->tmp, m->path,
                        strerror(errno));
    if (rc < 0) {
        hs_mbtiles_abort(m);
        return rc;
    }
    free(m->path);
    free(m->tmp);
    free(m);
    return HS_OK;
}

void hs_mbtiles_abort(hs_mbtiles *m)
{
    if (!m)
        return;
    finalize_all(m);
    if (m->db)
        sqlite3_close(m->db);
    if (m->tmp)
        unlink(m->tmp);
    free(m->path);
    free(m->tmp);
    free(m);
}
