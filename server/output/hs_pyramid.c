/* nftw() needs the X/Open extensions. */
#define _XOPEN_SOURCE 700

#include "hs_pyramid.h"
#include "hs_clock.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hs_buf.h"
#include "hs_png.h"
#include "hs_tilemath.h"

#define PYR_DEFAULT_MAX_TILES 2000000L
#define PYR_UNIFORM_CACHE 16

typedef struct uniform_png {
    unsigned int value;
    unsigned char *png;
    size_t len;
} uniform_png;

typedef struct pyr {
    hs_pyramid_opts o;
    int is_mbtiles;
    char tmp[4096];
    hs_mbtiles *mb;
    uniform_png uni[PYR_UNIFORM_CACHE];
    int nuni;
    hs_pyramid_stats *st;
    double t0, last_print;
    int progress;
} pyr;


static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

static void normalise(hs_pyramid_opts *o)
{
    if (o->extent.minx == 0 && o->extent.maxx == 0 && o->extent.miny == 0 && o->extent.maxy == 0)
        o->extent = HS_VN_EXTENT_LONLAT;
    if (o->metatile == 0)
        o->metatile = HS_METATILE_DEFAULT;
    if (o->tile_px == 0)
        o->tile_px = HS_TILE_PX;
    if (o->max_tiles == 0)
        o->max_tiles = PYR_DEFAULT_MAX_TILES;
}

long hs_pyramid_count(const hs_pyramid_opts *opts)
{
    hs_pyramid_opts o = *opts;
    normalise(&o);
    hs_bbox m = hs_merc_bbox_from_lonlat(&o.extent);
    long total = 0;
    for (int z = o.minzoom; z <= o.maxzoom && z <= HS_TILE_MAXZOOM; z++) {
        int x0, y0, x1, y1;
        if (z >= 0 && hs_tile_range(z, &m, &x0, &y0, &x1, &y1))
            total += (long)(x1 - x0 + 1) * (y1 - y0 + 1);
    }
    return total;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb; (void)flag; (void)f;
    return remove(path);
}

static int rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return errno == ENOENT ? 0 : -1;
    return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p1(const char *path, hs_err *err)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST)
        return hs_err_set(err, HS_EIO, "cannot create directory %s: %s", path, strerror(errno));
    return HS_OK;
}

static int write_tile(pyr *p, int z, int x, int y, const unsigned char *png, size_t len,
                      hs_err *err)
{
    p->st->tiles_written++;
    p->st->png_bytes += (long)len;
    if (p->is_mbtiles)
        return hs_mbtiles_put(p->mb, z, x, y, png, len, err);
    char path[4200];
    snprintf(path, sizeof path, "%s/%d/%d", p->tmp, z, x);
    int rc = mkdir_p1(path, err);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof path, "%s/%d/%d/%d.png", p->tmp, z, x, y);
    FILE *f = fopen(path, "wb");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot create %s: %s", path, strerror(errno));
    size_t n = fwrite(png, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return hs_err_set(err, HS_EIO, "cannot write %s: %s", path, strerror(errno));
    return HS_OK;
}

static void progress(pyr *p, int z, int final)
{
    if (!p->progress)
        return;
    double t = hs_clock_now();
    if (!final && t - p->last_print < 0.25)
        return;
    p->last_print = t;
    long done = p->st->tiles_written + p->st->tiles_empty, total = p->st->tiles_total;
    double rate = t > p->t0 ? done / (t - p->t0) : 0;
    long eta = rate > 0 ? (long)((total - done) / rate) : 0;
    fprintf(stderr, "\rtiles z%-2d %ld/%ld (%3.0f%%)  %.0f tiles/s  ETA %ld:%02ld   ", z, done,
            total, total ? 100.0 * done / total : 100.0, rate, eta / 60, eta % 60);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Encodes (or reuses, for a uniform tile) and writes one tile. */
static int emit(pyr *p, int z, int x, int y, const unsigned char *px, hs_buf *buf, hs_err *err)
{
    int t = p->o.tile_px;
    unsigned int v;
    int uniform = hs_argb_uniform(px, t, t, t * 4, &v);
    if (uniform && v == 0 && !p->o.write_empty) {
        p->st->tiles_empty++;
        return HS_OK;
    }
    if (uniform) {
        for (int i = 0; i < p->nuni; i++)
            if (p->uni[i].value == v)
                return write_tile(p, z, x, y, p->uni[i].png, p->uni[i].len, err);
    }
    buf->len = 0;
    int rc = hs_png_encode_argb(px, t, t, t * 4, buf, err);
    if (rc < 0)
        return rc;
    if (uniform && p->nuni < PYR_UNIFORM_CACHE) {
        unsigned char *c = malloc(buf->len);
        if (c) {
            memcpy(c, buf->data, buf->len);
            p->uni[p->nuni++] = (uniform_png){v, c, buf->len};
        }
    }
    return write_tile(p, z, x, y, buf->data, buf->len, err);
}

static int run(pyr *p, hs_render_metatile_fn render, void *user, hs_err *err)
{
    const hs_pyramid_opts *o = &p->o;
    int n = o->metatile, t = o->tile_px;
    size_t stride = ((size_t)n * t + 2 * (size_t)o->buffer_px) * 4;
    size_t maxh = (size_t)n * t + 2 * (size_t)o->buffer_px;
    unsigned char *meta = malloc(stride * maxh), *tile = malloc((size_t)t * t * 4);
    hs_buf buf;
    hs_buf_init(&buf, (size_t)64 << 20);
    int rc = HS_OK;
    if (!meta || !tile)
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate a %zux%zu metatile", stride / 4, maxh);
    hs_bbox m = hs_merc_bbox_from_lonlat(&o->extent);
    for (int z = o->minzoom; z <= o->maxzoom && rc == HS_OK; z++) {
        int x0, y0, x1, y1;
        if (!hs_tile_range(z, &m, &x0, &y0, &x1, &y1))
            continue;
        if (!p->is_mbtiles) {
            char path[4200];
            snprintf(path, sizeof path, "%s/%d", p->tmp, z);
            rc = mkdir_p1(path, err);
        }
        for (int my = y0 / n; my <= y1 / n && rc == HS_OK; my++)
            for (int mx = x0 / n; mx <= x1 / n && rc == HS_OK; mx++) {
                hs_metatile mt;
                rc = hs_metatile_at(z, mx, my, n, t, o->buffer_px, &mt, err);
                if (rc < 0)
                    break;
                memset(meta, 0, stride * (size_t)mt.height);
                rc = render(user, z, mx, my, mt.ntx, mt.nty, &mt.extent, mt.width, mt.height,
                            meta, (int)stride, err);
                if (rc < 0) {
                    hs_err_prefix(err, "metatile %d/%d/%d: ", z, mx, my);
                    break;
                }
                p->st->metatiles++;
                for (int y = mt.y0; y < mt.y0 + mt.nty && rc == HS_OK; y++)
                    for (int x = mt.x0; x < mt.x0 + mt.ntx && rc == HS_OK; x++) {
                        if (x < x0 || x > x1 || y < y0 || y > y1)
                            continue; /* rendered for seamlessness, outside the extent */
                        rc = hs_metatile_slice(&mt, meta, (int)stride, x, y, tile, t * 4, err);
                        if (rc == HS_OK)
                            rc = emit(p, z, x, y, tile, &buf, err);
                    }
                progress(p, z, 0);
            }
        progress(p, z, z == o->maxzoom || rc < 0);
    }
    free(meta);
    free(tile);
    hs_buf_free(&buf);
    return rc;
}

static int finish_dir(pyr *p, hs_err *err)
{
    struct stat sb;
    char old[4200] = "";
    if (stat(p->o.out, &sb) == 0) {
        snprintf(old, sizeof old, "%s.old.%ld", p->o.out, (long)getpid());
        if (rename(p->o.out, old) < 0)
            return hs_err_set(err, HS_EIO, "cannot move the old %s aside: %s", p->o.out,
                              strerror(errno));
    }
    if (rename(p->tmp, p->o.out) < 0)
        return hs_err_set(err, HS_EIO, "cannot rename %s to %s: %s", p->tmp, p->o.out,
                          strerror(errno));
    if (old[0])
        rm_tree(old);
    return HS_OK;
}

int hs_pyramid_export(const hs_pyramid_opts *opts, hs_render_metatile_fn render, void *user,
                      hs_pyramid_stats *stats, hs_err *err)
{
    pyr *p = calloc(1, sizeof *p);
    if (!p)
        return hs_err_set(err, HS_ENOMEM, "out of memory");
    p->o = *opts;
    normalise(&p->o);
    hs_pyramid_stats local = {0};
    p->st = stats ? stats : &local;
    memset(p->st, 0, sizeof *p->st);
    hs_pyramid_opts *o = &p->o;
    int rc = HS_OK;
    if (!o->out || !*o->out || strlen(o->out) > 4000)
        rc = hs_err_set(err, HS_EINVAL, "--out needs a directory or a .mbtiles path");
    else if (o->minzoom < 0 || o->maxzoom > HS_TILE_MAXZOOM || o->minzoom > o->maxzoom)
        rc = hs_err_set(err, HS_EINVAL, "--zoom %d-%d: need 0 <= min <= max <= %d", o->minzoom,
                        o->maxzoom, HS_TILE_MAXZOOM);
    else if (o->metatile < 1 || o->metatile > HS_METATILE_MAX ||
             (o->tile_px != HS_TILE_PX && o->tile_px != HS_TILE_PX_2X) || o->buffer_px < 0 ||
             o->buffer_px > HS_TILE_BUFFER_MAX)
        rc = hs_err_set(err, HS_EINVAL, "metatile %d (1..%d), tile %d px (256 or 512), buffer "
                        "%d px (0..%d)", o->metatile, HS_METATILE_MAX, o->tile_px, o->buffer_px,
                        HS_TILE_BUFFER_MAX);
    if (rc == HS_OK) {
        p->st->tiles_total = hs_pyramid_count(o);
        if (p->st->tiles_total > o->max_tiles)
            rc = hs_err_set(err, HS_ELIMIT, "zooms %d-%d over the extent make %ld tiles, more "
                            "than the limit of %ld", o->minzoom, o->maxzoom,
                            p->st->tiles_total, o->max_tiles);
    }
    struct stat sb;
    if (rc == HS_OK && !o->overwrite && stat(o->out, &sb) == 0)
        rc = hs_err_set(err, HS_EINVAL, "%s already exists (remove it, or overwrite)", o->out);
    p->is_mbtiles = o->out && ends_with(o->out, ".mbtiles");
    if (rc == HS_OK && p->is_mbtiles) {
        hs_mbtiles_meta mm = o->meta;
        if (!mm.name)
            mm.name = "hotspot138";
        mm.minzoom = o->minzoom;
        mm.maxzoom = o->maxzoom;
        mm.bounds = o->extent;
        if (mm.center_zoom == 0)
            mm.center_zoom = o->minzoom + (o->maxzoom - o->minzoom) / 2;
        rc = hs_mbtiles_open(o->out, &mm, 1, o->overwrite, &p->mb, err);
    } else if (rc == HS_OK) {
        snprintf(p->tmp, sizeof p->tmp, "%s.tmp", o->out);
        if (rm_tree(p->tmp) < 0)
            rc = hs_err_set(err, HS_EIO, "cannot remove stale %s: %s", p->tmp, strerror(errno));
        if (rc == HS_OK)
            rc = mkdir_p1(p->tmp, err);
    }
    p->progress = o->progress < 0 ? isatty(2) : o->progress;
    p->t0 = hs_clock_now();
    if (rc == HS_OK)
        rc = run(p, render, user, err);
    if (p->is_mbtiles && p->mb) {
        if (rc == HS_OK)
            rc = hs_mbtiles_close(p->mb, err);
        else
            hs_mbtiles_abort(p->mb);
    } else if (p->tmp[0]) {
        if (rc == HS_OK)
            rc = finish_dir(p, err);
        if (rc < 0)
            rm_tree(p->tmp);
    }
    p->st->seconds = hs_clock_now() - p->t0;
    for (int i = 0; i < p->nuni; i++)
        free(p->uni[i].png);
    free(p);
    return rc;
}
