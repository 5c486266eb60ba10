/* hs_routes_tiles: XYZ tiles and TileJSON over HTTP (see hs_routes_tiles.h). */
#include "hs_routes_tiles.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_access.h"
#include "hs_dbwatch.h"
#include "hs_geostore.h"
#include "hs_period.h"
#include "hs_png.h"
#include "hs_threadctx.h"
#include "hs_tilemath.h"
#include "hs_tilesrc.h"

#define TILE_CACHE_CONTROL "public, max-age=300"
#define META_TYPE "application/x-hotspot-metatile"
#define META_MAGIC 0x544d5348u /* "HSMT" */
#define TILEJSON_MAXZOOM 16
/* Distinct layer/parameter combinations whose analysis stays in memory at once. */
#define SOURCES_KEPT 16

typedef struct empty_png {
    unsigned char *png;
    size_t len;
    char etag[24];
} empty_png;

typedef struct tiles_app {
    hs_services *svc;
    hs_geoholder *geo;
    const hs_routes_shared *sh; /* the period memo: tile keys without the database */
    hs_tilesrc_cache *srcs;
    empty_png empty[2][2]; /* [transparent][@2x]: a tile with nothing on it */
} tiles_app;

/* Everything one tile request needs down to the metatile render. The database, the
 * thread's contexts and the current store (conn, pc, rc, g) are taken only when a
 * render runs (render_ctx): a tile in the response cache is answered without them,
 * also while the database is down. */
typedef struct tile_job {
    tiles_app *app;
    hs_req *req;
    hs_geostore *held; /* the store held now (hs_geoholder_peek), may be NULL */
    PGconn *conn;
    hs_geostore *g;
    hs_proj_ctx *pc;
    hs_render_ctx *rc;
    hs_tile_req tr;
    int z, x, y, px;
} tile_job;

/* ---- helpers ------------------------------------------------------------------ */

/* The layer (and z/x/y for a tile) from the path; names the parameter at fault. */
static int parse_path(hs_req *req, int coords, hs_tile_path *tp, hs_err *err)
{
    int rc = coords ? hs_tile_path_parse(hs_req_param(req, "layer"), hs_req_param(req, "z"),
                                         hs_req_param(req, "x"), hs_req_param(req, "y"), tp, err)
                    : hs_tile_path_parse(hs_req_param(req, "layer"), NULL, NULL, NULL, tp, err);
    if (rc < 0)
        req->error_param = tp->bad_param;
    return rc;
}

/* The newest month (from the memo) and the parsed options: all the cache key needs. */
static int prepare(tiles_app *app, hs_req *req, int layer, tile_job *j, hs_err *err)
{
    j->app = app;
    j->req = req;
    int last, rc = hs_routes_last_period(req, app->sh, &last, err);
    if (rc < 0)
        return rc;
    rc = hs_tile_req_parse(req->query, layer, NULL, last, &j->tr, err);
    if (rc < 0 && j->tr.error_param)
        req->error_param = j->tr.error_param;
    /* A caller limited to provinces (an analyst) gets commune detail only there and
     * province level elsewhere: a scope of its own in the key, so no cache entry is
     * shared with a caller of another scope (docs/security.md). */
    const hs_principal *who = req->who;
    if (rc == HS_OK && who && who->role == HS_ROLE_ANALYST && who->nprov > 0) {
        const char *codes[HS_TOKEN_MAX_PROVINCES];
        size_t n = who->nprov < HS_TOKEN_MAX_PROVINCES ? who->nprov : HS_TOKEN_MAX_PROVINCES;
        for (size_t i = 0; i < n; i++)
            codes[i] = who->provinces[i];
        rc = hs_tile_req_scope(&j->tr, codes, n, err);
    }
    if (rc == HS_OK)
        j->held = hs_geoholder_peek(app->geo);
    return rc;
}

/* What a render needs beyond the key: the connection, this thread's contexts and the
 * current store (loaded on first use). Taken on a cache miss only. */
static int render_ctx(tile_job *j, hs_err *err)
{
    if (j->g)
        return HS_OK;
    int rc = hs_req_db(j->req, &j->conn, err);
    if (rc < 0)
        return rc;
    if (!(j->pc = hs_threadctx_proj(err)) || !(j->rc = hs_threadctx_render(err)))
        return err->code;
    return hs_geoholder_get(j->app->geo, j->conn, j->pc, &j->g, err);
}

static void job_release(tile_job *j)
{
    hs_geostore_unref(j->g);
    hs_geostore_unref(j->held);
    j->g = j->held = NULL;
}

static int notice(hs_resp *resp, const hs_geostore *g, hs_err *err)
{
    return g && hs_geostore_synthetic(g) ? hs_resp_header(resp, "X-Data-Notice", "synthetic", err)
                                         : HS_OK;
}

/* EPSG:3857 box of everything tiles draw: communes, provinces, neighbouring countries. */
static hs_bbox data_area(const hs_geostore *g)
{
    hs_bbox a = {1, 1, 0, 0};
    for (int l = HS_GS_COMMUNE; l <= HS_GS_COUNTRY; l++) {
        const hs_bbox *b = &hs_geostore_lonlat(g, (hs_gs_layer)l)->bbox;
        if (!(b->maxx >= b->minx))
            continue;
        if (!(a.maxx >= a.minx)) {
            a = *b;
            continue;
        }
        a.minx = b->minx < a.minx ? b->minx : a.minx, a.miny = b->miny < a.miny ? b->miny : a.miny;
        a.maxx = b->maxx > a.maxx ? b->maxx : a.maxx, a.maxy = b->maxy > a.maxy ? b->maxy : a.maxy;
    }
    return hs_merc_bbox_from_lonlat(&a);
}

/* ---- metatiles ------------------------------------------------------------------ */

typedef struct meta_entry {
    int32_t x, y;
    uint32_t off, len;
} meta_entry;

/* Renders the metatile of j's tile, slices and encodes every tile, and packs them
 * as: magic, count, count x meta_entry, PNG bytes. Uniform tiles share one PNG. */
static int meta_render(void *arg, hs_buf *out, hs_err *err)
{
    tile_job *j = arg;
    hs_metatile m;
    int buffer = HS_TILE_BUFFER_1X * j->px / HS_TILE_PX;
    int rc = hs_metatile_for_tile(j->z, j->x, j->y, HS_METATILE_DEFAULT, j->px, buffer, &m, err);
    if (rc < 0)
        return rc;
    /* The layer's analysis already made (and the geometry held is current): drawn
     * without the database, so new tiles of a known layer also survive an outage. */
    hs_tilesrc *src = NULL;
    uint64_t hv = j->held ? hs_geostore_data_version(j->held) : 0;
    if (j->held && hv >= j->req->data_version && (j->pc = hs_threadctx_proj(err)) &&
        (j->rc = hs_threadctx_render(err)))
        src = hs_tilesrc_find(j->app->srcs, hv, &j->tr);
    if (!src && (rc = render_ctx(j, err)) == HS_OK)
        rc = hs_tilesrc_get(j->app->srcs, j->conn, j->g, j->pc, &j->tr, &src, err);
    if (rc < 0)
        return rc;
    int stride = m.width * 4, t = m.tile_px, n = m.ntx * m.nty;
    unsigned char *argb = src ? hs_tilesrc_raster(src, &m) : NULL;
    unsigned char *tile = malloc((size_t)t * t * 4);
    meta_entry *ent = calloc((size_t)n, sizeof *ent);
    unsigned int uval[16];
    int uidx[16], nu = 0;
    hs_buf data;
    hs_buf_init(&data, HS_RESP_BODY_MAX / 2);
    if (!argb || !tile || !ent)
        rc = hs_err_set(err, HS_ENOMEM, "metatile %dx%d: out of memory", m.width, m.height);
    if (rc == HS_OK)
        rc = hs_tilesrc_render(src, j->rc, &m, argb, stride, NULL, err);
    for (int k = 0; rc == HS_OK && k < n; k++) {
        int tx = m.x0 + k % m.ntx, ty = m.y0 + k / m.ntx;
        ent[k].x = tx, ent[k].y = ty;
        rc = hs_metatile_slice(&m, argb, stride, tx, ty, tile, t * 4, err);
        unsigned int v;
        int same = -1;
        if (rc == HS_OK && hs_argb_uniform(tile, t, t, t * 4, &v)) {
            for (int u = 0; u < nu && same < 0; u++)
                if (uval[u] == v)
                    same = uidx[u];
            if (same < 0 && nu < 16)
                uval[nu] = v, uidx[nu++] = k;
        }
        if (rc < 0)
            break;
        if (same >= 0) {
            ent[k].off = ent[same].off, ent[k].len = ent[same].len;
            continue;
        }
        ent[k].off = (uint32_t)data.len;
        rc = hs_png_encode_argb(tile, t, t, t * 4, &data, err);
        ent[k].len = (uint32_t)(data.len - ent[k].off);
    }
    uint32_t hdr[2] = {META_MAGIC, (uint32_t)n};
    if (rc == HS_OK)
        rc = hs_buf_append(out, hdr, sizeof hdr, err);
    if (rc == HS_OK)
        rc = hs_buf_append(out, ent, (size_t)n * sizeof *ent, err);
    if (rc == HS_OK)
        rc = hs_buf_append(out, data.data, data.len, err);
    hs_buf_free(&data);
    free(ent);
    free(tile);
    free(argb);
    hs_tilesrc_release(src);
    return rc;
}

/* One tile's PNG: taken from its metatile, which is rendered at most once however
 * many requests for its tiles arrive together (hs_cache merges them on its key). */
static int tile_render(void *arg, hs_buf *out, hs_err *err)
{
    tile_job *j = arg;
    int mx = j->x / HS_METATILE_DEFAULT, my = j->y / HS_METATILE_DEFAULT;
    char key[HS_CACHE_KEY_MAX];
    int kl = snprintf(key, sizeof key, "%s/meta/%d/%d/%d@%d", j->tr.key, j->z, mx, my, j->px);
    if (kl < 0 || (size_t)kl >= sizeof key)
        return hs_err_set(err, HS_ELIMIT, "metatile key too long");
    hs_cache_entry *e = NULL;
    int rc = hs_cache_fetch(j->req->svc->cache, j->req->data_version, key, META_TYPE,
                            HS_RESP_BODY_MAX, meta_render, j, &e, NULL, err);
    if (rc < 0)
        return rc;
    size_t len;
    const unsigned char *d = hs_cache_entry_data(e, &len);
    uint32_t hdr[2];
    rc = hs_err_set(err, HS_EINTERNAL, "tile %d/%d/%d missing from its metatile", j->z, j->x, j->y);
    if (len >= sizeof hdr) {
        memcpy(hdr, d, sizeof hdr);
        size_t base = sizeof hdr + (size_t)hdr[1] * sizeof(meta_entry);
        for (uint32_t k = 0; hdr[0] == META_MAGIC && base <= len && k < hdr[1]; k++) {
            meta_entry me;
            memcpy(&me, d + sizeof hdr + k * sizeof me, sizeof me);
            if (me.x != j->x || me.y != j->y)
                continue;
            if (base + me.off + me.len <= len)
                rc = hs_buf_append(out, d + base + me.off, me.len, err);
            break;
        }
    }
    hs_cache_entry_release(e);
    return rc;
}

static int tile_handle(hs_req *req, hs_resp *resp, hs_err *err, int px)
{
    tiles_app *app = req->ctx;
    hs_tile_path tp = {0};
    int rc = parse_path(req, 1, &tp, err);
    if (rc < 0)
        return rc;
    tile_job j;
    memset(&j, 0, sizeof j);
    j.z = tp.z, j.x = tp.x, j.y = tp.y, j.px = px;
    rc = prepare(app, req, tp.layer, &j, err);
    /* Without any store yet (first request after start-up) the extent comes from a
     * load; with one held, even a stale one, its extent is good enough for "nothing
     * to draw here" (boundaries do not move across data versions in practice). */
    const hs_geostore *g = j.held;
    if (rc == HS_OK && !g && (rc = render_ctx(&j, err)) == HS_OK)
        g = j.g;
    if (rc == HS_OK) {
        hs_bbox area = data_area(g);
        int buffer = HS_TILE_BUFFER_1X * px / HS_TILE_PX;
        if (hs_tile_outside(j.z, j.x, j.y, px, buffer, &area)) {
            /* Nothing to draw: one precomputed PNG, no render, no cache entry. */
            const empty_png *e = &app->empty[j.tr.transparent][px > HS_TILE_PX];
            rc = hs_resp_bytes(resp, 200, "image/png", e->png, e->len, err);
            if (rc == HS_OK)
                rc = hs_resp_header(resp, "Cache-Control", TILE_CACHE_CONTROL, err);
            if (rc == HS_OK && hs_resp_etag(req, resp, e->etag, err) == 1)
                hs_buf_free(&resp->body);
        } else {
            /* The cache first: tile_render takes the database only on a miss. */
            char key[HS_CACHE_KEY_MAX];
            int kl = snprintf(key, sizeof key, "%s/%d/%d/%d@%d", j.tr.key, j.z, j.x, j.y, px);
            rc = kl > 0 && (size_t)kl < sizeof key
                     ? hs_resp_cached(req, resp, key, "image/png", TILE_CACHE_CONTROL,
                                      tile_render, &j, err)
                     : hs_err_set(err, HS_ELIMIT, "tile key too long");
        }
    }
    if (rc == HS_OK)
        rc = notice(resp, j.g ? j.g : g, err);
    job_release(&j);
    return rc;
}

static int tile_1x(hs_req *req, hs_resp *resp, hs_err *err)
{
    return tile_handle(req, resp, err, HS_TILE_PX);
}

static int tile_2x(hs_req *req, hs_resp *resp, hs_err *err)
{
    return tile_handle(req, resp, err, HS_TILE_PX_2X);
}

/* ---- TileJSON ------------------------------------------------------------------- */

/* Appends the request's query, percent-encoded, to buf ("" when empty). */
static void query_string(const hs_query *q, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < hs_query_count(q) && o + 4 < n; i++) {
        for (int part = 0; part < 2; part++) {
            const char *s = part ? hs_query_value(q, i) : hs_query_key(q, i);
            if (o + 1 < n)
                buf[o++] = part ? '=' : (i ? '&' : '?');
            for (; *s && o + 4 < n; s++) {
                unsigned char c = (unsigned char)*s;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == ',')
                    buf[o++] = (char)c;
                else
                    o += (size_t)snprintf(buf + o, n - o, "%%%02X", c);
            }
        }
    }
    buf[o < n ? o : n - 1] = '\0';
}

static int tilejson(hs_req *req, hs_resp *resp, hs_err *err)
{
    tiles_app *app = req->ctx;
    hs_tile_path tp = {0};
    int rc = parse_path(req, 0, &tp, err);
    int layer = tp.layer;
    tile_job j;
    memset(&j, 0, sizeof j);
    if (rc == HS_OK)
        rc = prepare(app, req, layer, &j, err);
    /* The version and the synthetic flag of the store held; the database only when
     * none was ever loaded. */
    const hs_geostore *g = j.held;
    if (rc == HS_OK && !g && (rc = render_ctx(&j, err)) == HS_OK)
        g = j.g;
    if (rc < 0) {
        job_release(&j);
        return rc;
    }
    int synthetic = hs_geostore_synthetic(g);
    /* The base URL is configured (--public-url), never taken from the Host header: a
     * reflected Host would let anyone who can poison a cache point clients elsewhere.
     * Without it the tile URLs are root-relative. */
    char hostbuf[256] = "";
    if (req->svc->public_url)
        snprintf(hostbuf, sizeof hostbuf, "%s", req->svc->public_url);
    char qs[2048], url[2600], url2[2600];
    query_string(req->query, qs, sizeof qs);
    const char *name = hs_tile_layer_name(layer);
    snprintf(url, sizeof url, "%s/tiles/%s/{z}/{x}/{y}.png%s", hostbuf, name, qs);
    snprintf(url2, sizeof url2, "%s/tiles/%s/{z}/{x}/{y}@2x.png%s", hostbuf, name, qs);
    char desc[512], attrib[512], ver[32];
    char f[8] = "", t[8] = "";
    hs_period_format(j.tr.prm.from, f, sizeof f);
    hs_period_format(j.tr.prm.to, t, sizeof t);
    snprintf(desc, sizeof desc, "Hotspot138 %s tiles, %s %s..%s%s", name,
             hs_indicator_name(j.tr.prm.indicator), f, t,
             synthetic ? ". DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA: not real case data." : "");
    snprintf(attrib, sizeof attrib, "%sBan Chỉ đạo 138 / Hotspot138; boundaries: Talia Cao "
             "(MIT), Natural Earth", synthetic ? "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA — " : "");
    snprintf(ver, sizeof ver, "%llu", (unsigned long long)hs_geostore_data_version(g));
    hs_bbox vn = HS_VN_EXTENT_LONLAT;
    json_t *doc = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:i, s:i, s:[f,f,f,f], s:[f,f,i], s:b, "
        "s:s}",
        "tilejson", "3.0.0", "name", name, "description", desc, "attribution", attrib,
        "version", ver, "scheme", "xyz", "tiles", url, "tiles_2x", url2, "minzoom", 0,
        "maxzoom", TILEJSON_MAXZOOM, "bounds", vn.minx, vn.miny, vn.maxx, vn.maxy, "center",
        (vn.minx + vn.maxx) / 2, (vn.miny + vn.maxy) / 2, 5, "synthetic", synthetic,
        "data_notice", synthetic ? "synthetic" : "none");
    if (doc)
        json_object_set_new(doc, "vector_layers", json_array()); /* raster: none */
    rc = hs_resp_json(resp, 200, doc, err);
    if (rc == HS_OK)
        rc = hs_resp_header(resp, "Cache-Control", "no-cache", err);
    if (rc == HS_OK) {
        char etag[24];
        hs_etag_of(resp->body.data, resp->body.len, etag);
        if ((rc = hs_resp_etag(req, resp, etag, err)) == 1) {
            hs_buf_free(&resp->body);
            rc = HS_OK;
        }
    }
    if (rc == HS_OK)
        rc = notice(resp, g, err);
    job_release(&j);
    return rc;
}

/* ---- registration --------------------------------------------------------------- */

static int make_empty(empty_png *e, int transparent, int px, hs_err *err)
{
    hs_map_spec sp;
    memset(&sp, 0, sizeof sp);
    hs_style_defaults(&sp);
    unsigned int v = transparent ? 0 : 0xff000000u | (unsigned)sp.sea.r << 16 |
                                           (unsigned)sp.sea.g << 8 | sp.sea.b;
    unsigned int *raster = malloc((size_t)px * px * 4);
    if (!raster)
        return hs_err_set(err, HS_ENOMEM, "empty tile: out of memory");
    for (long i = 0; i < (long)px * px; i++)
        raster[i] = v;
    hs_buf b;
    hs_buf_init(&b, 1 << 20);
    int rc = hs_png_encode_argb((const unsigned char *)raster, px, px, px * 4, &b, err);
    free(raster);
    if (rc < 0) {
        hs_buf_free(&b);
        return rc;
    }
    e->png = (unsigned char *)b.data; /* kept for the life of the process */
    e->len = b.len;
    hs_etag_of(e->png, e->len, e->etag);
    return HS_OK;
}

/* The one tiles app of this process: set at registration (start-up), released at
 * exit after the server threads are gone, so leak checkers see it freed. */
static tiles_app *the_tiles;

static void tiles_free_at_exit(void)
{
    tiles_app *app = the_tiles;
    if (!app)
        return;
    hs_tilesrc_cache_destroy(app->srcs);
    for (int t = 0; t < 2; t++)
        for (int s = 0; s < 2; s++)
            free(app->empty[t][s].png);
    free(app);
    the_tiles = NULL;
}

int hs_routes_tiles_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err)
{
    hs_geoholder *geo = sh->geo;
    if (the_tiles)
        return hs_err_set(err, HS_EINTERNAL, "tile routes registered twice");
    tiles_app *app = calloc(1, sizeof *app);
    if (!app)
        return hs_err_set(err, HS_ENOMEM, "tiles: out of memory");
    the_tiles = app;
    atexit(tiles_free_at_exit);
    app->svc = svc;
    app->geo = geo;
    app->sh = sh;
    int rc = HS_OK;
    if (!(app->srcs = hs_tilesrc_cache_create(SOURCES_KEPT, err)))
        rc = err->code;
    for (int t = 0; rc == HS_OK && t < 2; t++)
        for (int s = 0; rc == HS_OK && s < 2; s++)
            rc = make_empty(&app->empty[t][s], t, s ? HS_TILE_PX_2X : HS_TILE_PX, err);
    const char *const *own = hs_tile_query_names;
    if (rc == HS_OK)
        rc = hs_router_add(r, &(hs_route_spec){.method = "GET",
                               .pattern = "/tiles/{layer}/{z}/{x}/{y}.png", .params = own,
                               .handle = tile_1x, .ctx = app, .exposes = HS_EXPOSE_DATA_SCOPED}, err);
    if (rc == HS_OK)
        rc = hs_router_add(r, &(hs_route_spec){.method = "GET",
                               .pattern = "/tiles/{layer}/{z}/{x}/{y}@2x.png", .params = own,
                               .handle = tile_2x, .ctx = app, .exposes = HS_EXPOSE_DATA_SCOPED}, err);
    if (rc == HS_OK)
        rc = hs_router_add(r, &(hs_route_spec){.method = "GET", .pattern = "/tiles/{layer}.json",
                               .params = own, .handle = tilejson, .ctx = app,
                               .exposes = HS_EXPOSE_DATA_SCOPED}, err);
    return rc;
}
