/* `hotspot tiles`: a static XYZ pyramid of one tile layer, to a directory or an
 * MBTiles file, for publishing on any web server.
 *
 * Options go through the same validator as GET /tiles/... (hs_tile_req_parse), the
 * layer's analysis runs once (hs_tilesrc), and hs_pyramid walks the metatiles, calling
 * back into the same hs_tilesrc_render the server uses. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_arena.h"
#include "hs_chart_multiples.h"
#include "hs_cli_args.h"
#include "hs_cli.h"
#include "hs_cli_tiles.h"
#include "hs_geostore.h"
#include "hs_pg.h"
#include "hs_pipeline.h"
#include "hs_pyramid.h"
#include "hs_threadctx.h"
#include "hs_tilesrc.h"

static const char HELP[] =
    "usage: hotspot tiles --layer LAYER --zoom MIN-MAX --out DIR|FILE.mbtiles [OPTIONS]\n\n"
    "A static XYZ tile pyramid over Vietnam (Hoàng Sa and Trường Sa included).\n\n"
    "  --layer L           base, gistar, lisa, rate, eb_rate, risk, outreach_gap, emerging,\n"
    "                      scan, count\n"
    "  --zoom MIN-MAX      zoom levels, e.g. 0-10 (or one level: 7); 0..16\n"
    "  --out PATH          a directory ({z}/{x}/{y}.png) or FILE.mbtiles (MBTiles 1.3);\n"
    "                      written to PATH.tmp and renamed at the end\n"
    "  --2x                512 px tiles (@2x) instead of 256 px\n"
    "  --overwrite         replace an existing PATH\n"
    "  --transparent       overlay tiles: no sea, no neighbouring countries\n"
    "  --write-empty       also write fully transparent tiles\n"
    "  --metatile N        tiles per metatile side, 1..16 (default 8)\n"
    "  --progress          progress line even when stderr is not a terminal\n"
    "  --classes, --k, --public   as for `hotspot render`\n\n"
    "analysis options:\n";

static const char *const own_names[] = {"layer", "zoom", "out", "2x", "overwrite", "write-empty",
                                        "metatile", "progress", NULL};

typedef struct cli_state {
    hs_tilesrc *src;
    hs_render_ctx *rc;
    int n, buffer, tile_px;
    long units;
    const char *const *stamp;
} cli_state;

static int render_cb(void *user, int z, int mx, int my, int ntx, int nty,
                     const hs_bbox *extent3857, int w, int h, unsigned char *argb, int stride,
                     hs_err *err)
{
    (void)ntx, (void)nty, (void)extent3857;
    cli_state *s = user;
    hs_metatile m;
    int rc = hs_metatile_at(z, mx, my, s->n, s->tile_px, s->buffer, &m, err);
    if (rc < 0)
        return rc;
    if (m.width != w || m.height != h)
        return hs_err_set(err, HS_EINTERNAL, "metatile %d/%d/%d: %dx%d, expected %dx%d", z, mx,
                          my, w, h, m.width, m.height);
    int drawn = 0;
    rc = hs_tilesrc_render(s->src, s->rc, &m, argb, stride, &drawn, err);
    s->units += drawn;
    for (int i = 0; rc == HS_OK && s->stamp && s->stamp[i]; i++)
        hs_chart_stamp_tiles(argb, w, h, stride, m.buffer_px, m.tile_px, m.ntx, m.nty,
                             s->stamp[i], 0.5 + 0.3 * i);
    return rc;
}

int hs_tiles_export(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                    const hs_tile_req *tr, hs_pyramid_opts *o, const char *const *stamp,
                    hs_pyramid_stats *ps, hs_err *err)
{
    cli_state st = {.rc = rctx, .stamp = stamp};
    /* pipeline -> result -> tile source (base layers need no analysis) */
    hs_analysis_result res = {0};
    int base = tr->layer == HS_TILE_LAYER_BASE, rc = HS_OK;
    if (!base)
        rc = hs_pipeline_run_kind(c, hs_tile_layer_needs(tr->layer), &tr->prm, &res, err);
    if (rc == HS_OK)
        rc = hs_tilesrc_create(g, pc, tr, base ? NULL : &res, &st.src, err);
    hs_analysis_result_clear(&res);
    if (rc == HS_OK) {
        st.tile_px = o->tile_px ? o->tile_px : HS_TILE_PX;
        st.n = o->metatile ? o->metatile : HS_METATILE_DEFAULT;
        st.buffer = HS_TILE_BUFFER_1X * st.tile_px / HS_TILE_PX;
        int synthetic = hs_tilesrc_synthetic(st.src);
        char ver[32];
        snprintf(ver, sizeof ver, "%llu", (unsigned long long)hs_tilesrc_data_version(st.src));
        o->tile_px = st.tile_px;
        o->metatile = st.n;
        o->buffer_px = st.buffer;
        o->meta.attribution = synthetic ? "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — Hotspot138"
                                        : "Ban Chỉ đạo 138 / Hotspot138";
        o->meta.version = ver;
        o->meta.synthetic = synthetic;
        rc = hs_pyramid_export(o, render_cb, &st, ps, err);
        o->meta.version = NULL; /* was local */
        if (rc == HS_OK && synthetic)
            fprintf(stderr, "hotspot tiles: note: DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA -- the tiles "
                            "show generated demo data\n");
    }
    hs_tilesrc_free(st.src);
    return rc;
}

static int parse_zoom(const char *v, int *lo, int *hi, hs_err *err)
{
    char *end = NULL;
    errno = 0;
    long a = v && *v >= '0' && *v <= '9' ? strtol(v, &end, 10) : -1, b = a;
    if (end && *end == '-') {
        const char *p = end + 1;
        b = *p >= '0' && *p <= '9' ? strtol(p, &end, 10) : -1;
    }
    if (a < 0 || !end || *end || errno || b < a || b > HS_GS_MAX_LEVEL)
        return hs_err_set(err, HS_EINVAL, "option --zoom must be MIN-MAX with 0 <= MIN <= MAX "
                          "<= %d, e.g. 0-10 (got '%.32s')", HS_GS_MAX_LEVEL, v ? v : "");
    *lo = (int)a, *hi = (int)b;
    return HS_OK;
}

int hs_cli_tiles(int argc, char **argv)
{
    if (hs_cli_wants_help(argc, argv)) {
        printf("%s%s", HELP, hs_params_help());
        return 0;
    }
    hs_err err = {0};
    hs_arena *arena = NULL;
    hs_query *q = NULL;
    PGconn *c = NULL;
    hs_geostore *g = NULL;
    hs_render_ctx *rctx = NULL;
    hs_tile_req tr;
    hs_pyramid_stats ps = {0};
    int status = 2, layer = 0, zlo = 0, zhi = 0, two = 0, over = 0, empty = 0, prog = 0;
    long meta = HS_METATILE_DEFAULT;
    const char *lname = NULL, *zoom = NULL, *out = NULL;
    int rc = hs_cli_query(argc, argv, &arena, &q, &err);
    /* Everything that needs no database first, so a typo fails at once. */
    if (rc == HS_OK && (rc = hs_query_require(q, "layer", &err)) == HS_OK &&
        (rc = hs_query_require(q, "zoom", &err)) == HS_OK)
        rc = hs_query_require(q, "out", &err);
    if (rc == HS_OK && (rc = hs_query_str(q, "layer", 32, NULL, &lname, &err)) == HS_OK)
        rc = hs_tile_layer_parse(lname, &layer, &err);
    if (rc == HS_OK && (rc = hs_query_str(q, "zoom", 32, NULL, &zoom, &err)) == HS_OK)
        rc = parse_zoom(zoom, &zlo, &zhi, &err);
    if (rc == HS_OK)
        rc = hs_query_str(q, "out", 4096, NULL, &out, &err);
    if (rc == HS_OK && (rc = hs_query_bool(q, "2x", 0, &two, &err)) == HS_OK &&
        (rc = hs_query_bool(q, "overwrite", 0, &over, &err)) == HS_OK &&
        (rc = hs_query_bool(q, "write-empty", 0, &empty, &err)) == HS_OK &&
        (rc = hs_query_bool(q, "progress", 0, &prog, &err)) == HS_OK)
        rc = hs_query_int(q, "metatile", 1, HS_METATILE_MAX, HS_METATILE_DEFAULT, &meta, &err);
    int last = 0;
    if (rc == HS_OK) {
        status = 1;
        rc = hs_cli_connect(&c, &last, &err);
    }
    if (rc == HS_OK) {
        status = 2;
        rc = hs_tile_req_parse(q, layer, own_names, last, &tr, &err);
    }
    hs_proj_ctx *pc = NULL;
    if (rc == HS_OK) {
        status = 1;
        pc = hs_threadctx_proj(&err);
        rctx = pc ? hs_threadctx_render(&err) : NULL;
        rc = rctx ? hs_geostore_load(c, pc, &g, &err) : err.code;
    }
    if (rc == HS_OK) {
        char desc[256], f[8], t[8];
        hs_period_format(tr.prm.from, f, sizeof f);
        hs_period_format(tr.prm.to, t, sizeof t);
        snprintf(desc, sizeof desc, "Hotspot138 %s tiles%s, %s %s..%s", lname, two ? " @2x" : "",
                 hs_indicator_name(tr.prm.indicator), f, t);
        hs_pyramid_opts o = {.out = out, .minzoom = zlo, .maxzoom = zhi, .metatile = (int)meta,
                             .tile_px = two ? HS_TILE_PX_2X : HS_TILE_PX,
                             .write_empty = empty, .overwrite = over, .progress = prog ? 1 : -1,
                             .meta = {.name = lname, .description = desc,
                                      .type = tr.transparent ? "overlay" : "baselayer"}};
        rc = hs_tiles_export(c, g, pc, rctx, &tr, &o, NULL, &ps, &err);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND)
            status = 2;
    }
    if (rc == HS_OK) {
        status = 0;
        fprintf(stderr, "hotspot tiles: wrote %s: z%d-%d, %ld tiles (%ld written, %ld empty), "
                        "%ld metatiles, %.1f MB, %.1f s\n", out, zlo, zhi, ps.tiles_total,
                ps.tiles_written, ps.tiles_empty, ps.metatiles, ps.png_bytes / 1e6, ps.seconds);
    } else {
        fprintf(stderr, "hotspot tiles: %s\n", err.msg);
    }
    hs_geostore_unref(g);
    hs_threadctx_release();
    hs_threadctx_process_cleanup();
    if (c)
        PQfinish(c);
    hs_arena_destroy(arena);
    return status;
}
