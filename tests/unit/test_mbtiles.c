/* hs_mbtiles + hs_pyramid: a small pyramid of the province fixture, rendered by a plain
 * cairo callback, written as MBTiles and as a directory; read back with SQLite, gdalinfo
 * and the files themselves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "hs_pyramid.h"
#include "hs_testgeo.h"
#include "hs_tilemath.h"

typedef struct ctx {
    hs_layer *l; /* EPSG:3857 */
    int sea;     /* paint a sea background */
    int fail_at; /* metatile count at which to fail, 0 = never */
    int calls;
} ctx;

static int render(void *user, int z, int mx, int my, int ntx, int nty, const hs_bbox *e, int w,
                  int h, unsigned char *argb, int stride, hs_err *err)
{
    ctx *c = user;
    if (c->fail_at && ++c->calls >= c->fail_at)
        return hs_err_set(err, HS_ERENDER, "test renderer fails on purpose");
    cairo_surface_t *s =
        cairo_image_surface_create_for_data(argb, CAIRO_FORMAT_ARGB32, w, h, stride);
    cairo_t *cr = cairo_create(s);
    if (c->sea) {
        cairo_set_source_rgb(cr, 0.75, 0.85, 0.95);
        cairo_paint(cr);
    }
    double res = (e->maxx - e->minx) / w;
    cairo_scale(cr, 1 / res, -1 / res);
    cairo_translate(cr, -e->minx, -e->maxy);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
    for (int i = 0; i < c->l->nfeat; i++) {
        const hs_feature *f = &c->l->feat[i];
        cairo_new_path(cr);
        for (int r = 0; r < f->nrings; r++) {
            for (int k = 0; k < f->rings[r].npts; k++)
                cairo_line_to(cr, f->rings[r].xy[2 * k], f->rings[r].xy[2 * k + 1]);
            cairo_close_path(cr);
        }
        cairo_set_source_rgb(cr, (i * 37 % 100) / 100.0, (i * 59 % 100) / 100.0, 0.3);
        cairo_fill(cr);
    }
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    (void)z; (void)mx; (void)my; (void)ntx; (void)nty;
    return HS_OK;
}

static hs_layer *provinces(void)
{
    hs_layer *l = testgeo_load(HS_FIXTURE_DIR "/vn_provinces_simpl.geojson", "code");
    assert_non_null(l);
    for (int i = 0; i < l->nfeat; i++)
        for (int r = 0; r < l->feat[i].nrings; r++)
            for (int k = 0; k < l->feat[i].rings[r].npts; k++) {
                double *p = l->feat[i].rings[r].xy + 2 * k;
                hs_merc_from_lonlat(p[0], p[1], &p[0], &p[1]);
            }
    hs_layer_update_bbox(l);
    return l;
}

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hs_test_mbtiles.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static long sql_long(sqlite3 *db, const char *q)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void test_mbtiles_pyramid(void **state)
{
    (void)state;
    ctx c = {provinces(), 1, 0, 0};
    char out[512], dir[512];
    snprintf(out, sizeof out, "%s/vn.mbtiles", tmpdir);
    snprintf(dir, sizeof dir, "%s/xyz", tmpdir);
    hs_pyramid_opts o = {.out = out, .minzoom = 3, .maxzoom = 7, .buffer_px = 16,
                         .progress = 0};
    o.meta.name = "test";
    o.meta.synthetic = 1;
    o.meta.attribution = "Hotspot138";
    hs_pyramid_stats st;
    hs_err err = {0};
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), 0);
    assert_int_equal(st.tiles_total, hs_pyramid_count(&o));
    assert_int_equal(st.tiles_written, st.tiles_total); /* sea everywhere: nothing empty */
    struct stat sb;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_int_equal(stat(tmp, &sb), -1); /* renamed away */

    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(out, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sql_long(db, "SELECT count(*) FROM tiles"), st.tiles_written);
    assert_true(sql_long(db, "SELECT count(*) FROM images") < st.tiles_written); /* dedupe */
    assert_int_equal(sql_long(db, "SELECT count(*) FROM metadata WHERE name IN ('name','format',"
                                  "'bounds','center','minzoom','maxzoom','type','version',"
                                  "'description','attribution')"), 10);
    assert_int_equal(sql_long(db, "SELECT value FROM metadata WHERE name='maxzoom'"), 7);
    assert_int_equal(sql_long(db, "SELECT count(*) FROM metadata WHERE name='description' AND "
                                  "value LIKE '%SYNTHETIC DATA%'"), 1);
    /* TMS rows: Hà Nội's tile 7/101/56 (XYZ) is row 127-56 = 71. */
    assert_int_equal(sql_long(db, "SELECT count(*) FROM tiles WHERE zoom_level=7 AND "
                                  "tile_column=101 AND tile_row=71"), 1);
    assert_int_equal(sql_long(db, "SELECT count(*) FROM tiles WHERE zoom_level=7 AND "
                                  "tile_column=101 AND tile_row=56"), 0);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT tile_data FROM tiles WHERE zoom_level=7 "
                                            "AND tile_column=101 AND tile_row=71", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    size_t n = (size_t)sqlite3_column_bytes(q, 0);
    unsigned char *blob = malloc(n);
    memcpy(blob, sqlite3_column_blob(q, 0), n);
    sqlite3_finalize(q);
    sqlite3_close(db);

    /* gdalinfo opens it (when GDAL's tools are installed). */
    if (access("/usr/bin/gdalinfo", X_OK) == 0) {
        char cmd[700], line[512];
        snprintf(cmd, sizeof cmd, "gdalinfo '%s' 2>&1", out);
        FILE *p = popen(cmd, "r");
        int driver = 0, size = 0;
        while (fgets(line, sizeof line, p)) {
            driver |= strstr(line, "Driver: MBTiles") != NULL;
            size |= strncmp(line, "Size is", 7) == 0;
        }
        assert_int_equal(pclose(p), 0);
        assert_true(driver && size);
    }

    /* The same pyramid as a directory: same bytes for the same tile. */
    o.out = dir;
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), 0);
    char f[700];
    snprintf(f, sizeof f, "%s/7/101/56.png", dir);
    FILE *fp = fopen(f, "rb");
    assert_non_null(fp);
    unsigned char *buf = malloc(n + 16);
    size_t got = fread(buf, 1, n + 16, fp);
    fclose(fp);
    assert_int_equal(got, n);
    assert_memory_equal(buf, blob, n);
    free(buf);
    free(blob);
    /* An existing output is refused unless overwrite. */
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "exists"));
    o.overwrite = 1;
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), 0);
    hs_layer_free(c.l);
}

static void test_empty_and_errors(void **state)
{
    (void)state;
    ctx c = {provinces(), 0, 0, 0};
    char dir[512];
    snprintf(dir, sizeof dir, "%s/empty", tmpdir);
    hs_pyramid_opts o = {.out = dir, .minzoom = 6, .maxzoom = 6, .tile_px = 512,
                         .progress = 0};
    hs_pyramid_stats st;
    hs_err err = {0};
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), 0);
    assert_true(st.tiles_empty > 0); /* open sea in the extent, transparent, not written */
    assert_int_equal(st.tiles_empty + st.tiles_written, st.tiles_total);
    /* A failing renderer leaves nothing behind and says where it failed. */
    snprintf(dir, sizeof dir, "%s/fail", tmpdir);
    o.out = dir;
    c.fail_at = 1;
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), HS_ERENDER);
    assert_non_null(strstr(err.msg, "metatile 6/"));
    struct stat sb;
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    assert_int_equal(stat(dir, &sb), -1);
    assert_int_equal(stat(tmp, &sb), -1);
    /* Bad options and the tile cap. */
    o.minzoom = 5;
    o.maxzoom = 23;
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), HS_EINVAL);
    o.maxzoom = 12;
    o.max_tiles = 1000;
    assert_int_equal(hs_pyramid_export(&o, render, &c, &st, &err), HS_ELIMIT);
    assert_non_null(strstr(err.msg, "limit"));
    hs_layer_free(c.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mbtiles_pyramid),
        cmocka_unit_test(test_empty_and_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
