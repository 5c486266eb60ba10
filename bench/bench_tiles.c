/* bench_tiles: uncached tile throughput of the tile server's code path (hs_tilesrc ->
 * hs_metarender -> slice -> hs_png), for bench/mapserver_compare.sh.
 *
 *   bench_tiles --layer risk [analysis options] --list TILES [--threads N]
 *               [--mode meta|single] [--export-classes FILE.csv] [--print-list Z0-Z1]
 *
 * --print-list Z0-Z1  prints every tile "z x y" covering Vietnam at those zooms and exits
 * --export-classes    writes "code,fill" (#rrggbb, empty = no data) of every commune
 * --mode meta         (default) renders the 8x8 metatiles (64 px buffer) that hold the
 *                     listed tiles, slices and encodes the listed tiles: what the server
 *                     and `hotspot tiles` do on a cache miss
 * --mode single       renders each tile alone as a 1x1 metatile with the same buffer
 * Geometry is loaded and the analysis runs once before timing (the server does that
 * once per data version). Prints one line:
 *   mode=meta threads=1 tiles=2990 seconds=... tiles_per_s=... png_s=... png_tiles_per_s=...
 * Database: $HOTSPOT_DB. Built with the project (bench/CMakeLists.txt); use a Release
 * build (cmake -DCMAKE_BUILD_TYPE=Release) for figures.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_arena.h"
#include "hs_geostore.h"
#include "hs_pg.h"
#include "hs_pipeline.h"
#include "hs_png.h"
#include "hs_threadctx.h"
#include "hs_tilesrc.h"

typedef struct tile3 {
    int z, x, y;
} tile3;

typedef struct job {
    int z, mx, my, n;      /* metatile (n = side in tiles; 1 in single mode) */
    int first, count;      /* its tiles in the sorted list */
} job;

typedef struct shared {
    hs_tilesrc *src;
    tile3 *t;
    job *jobs;
    int njobs;
    atomic_int next;
    atomic_long bytes;
    atomic_int uniform;
    int failed;
} shared;

typedef struct worker {
    shared *sh;
    pthread_t th;
    double png_s, render_s;
} worker;


static int cmp_tile(const void *a, const void *b)
{
    const tile3 *p = a, *q = b;
    int ka[3] = {p->z, p->y / 8, p->x / 8}, kb[3] = {q->z, q->y / 8, q->x / 8};
    for (int i = 0; i < 3; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return p->y != q->y ? (p->y < q->y ? -1 : 1) : (p->x > q->x) - (p->x < q->x);
}

static void *run(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    hs_err err = {0};
    hs_render_ctx *rc = hs_render_ctx_new(&err);
    unsigned char *tile = malloc(256 * 256 * 4);
    hs_buf png;
    hs_buf_init(&png, 1 << 24);
    for (int k; rc && (k = atomic_fetch_add(&sh->next, 1)) < sh->njobs;) {
        const job *jb = &sh->jobs[k];
        hs_metatile m;
        if (hs_metatile_at(jb->z, jb->mx, jb->my, jb->n, 256, HS_TILE_BUFFER_1X, &m, &err) < 0)
            goto fail;
        double tr0 = hs_clock_now();
        unsigned char *argb = hs_tilesrc_raster(sh->src, &m);
        int rrc = argb ? hs_tilesrc_render(sh->src, rc, &m, argb, m.width * 4, NULL, &err) : -1;
        w->render_s += hs_clock_now() - tr0;
        if (rrc < 0) {
            free(argb);
            goto fail;
        }
        /* As the server (meta_render) and hs_pyramid do: a uniform tile (open sea, the
         * inside of a large unit) is encoded once per colour per metatile. */
        unsigned int uval[16];
        size_t ulen[16];
        int nu = 0;
        for (int i = jb->first; i < jb->first + jb->count; i++) {
            if (hs_metatile_slice(&m, argb, m.width * 4, sh->t[i].x, sh->t[i].y, tile, 256 * 4,
                                  &err) < 0) {
                free(argb);
                goto fail;
            }
            double t0 = hs_clock_now();
            unsigned int v;
            int uni = hs_argb_uniform(tile, 256, 256, 256 * 4, &v), hit = -1;
            for (int u = 0; uni && u < nu && hit < 0; u++)
                hit = uval[u] == v ? u : -1;
            if (hit >= 0) {
                w->png_s += hs_clock_now() - t0;
                atomic_fetch_add(&sh->bytes, (long)ulen[hit]);
                atomic_fetch_add(&sh->uniform, 1);
                continue;
            }
            png.len = 0;
            if (hs_png_encode_argb(tile, 256, 256, 256 * 4, &png, &err) < 0) {
                free(argb);
                goto fail;
            }
            if (uni && nu < 16)
                uval[nu] = v, ulen[nu++] = png.len;
            w->png_s += hs_clock_now() - t0;
            atomic_fetch_add(&sh->bytes, (long)png.len);
        }
        free(argb);
    }
    goto done;
fail:
    fprintf(stderr, "bench_tiles: %s\n", err.msg);
    sh->failed = 1;
done:
    hs_buf_free(&png);
    free(tile);
    hs_render_ctx_free(rc);
    return NULL;
}

static int print_list(const char *zr)
{
    int z0, z1;
    if (sscanf(zr, "%d-%d", &z0, &z1) != 2 || z0 < 0 || z1 > 22 || z0 > z1)
        return fprintf(stderr, "bench_tiles: --print-list Z0-Z1\n"), 2;
    hs_bbox vn = HS_VN_EXTENT_LONLAT, m = hs_merc_bbox_from_lonlat(&vn);
    for (int z = z0; z <= z1; z++) {
        int x0, y0, x1, y1;
        if (hs_tile_range(z, &m, &x0, &y0, &x1, &y1))
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                    printf("%d %d %d\n", z, x, y);
    }
    return 0;
}

static int export_classes(hs_tilesrc *src, const char *path, hs_geostore *g, hs_err *err)
{
    hs_map_spec sp;
    int *owned;
    const hs_sindex *ix;
    int rc = hs_tilesrc_spec(src, 10, 256, &sp, &owned, &ix, err);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path, "w");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot create %s", path);
    const hs_layer *ll = hs_geostore_lonlat(g, HS_GS_COMMUNE);
    fprintf(f, "code,fill\n");
    for (int i = 0; i < sp.units->nfeat && i < ll->nfeat; i++) {
        int c = sp.unit_class ? sp.unit_class[i] : -1;
        if (c >= 0 && c < sp.nclasses)
            fprintf(f, "%s,#%02x%02x%02x\n", ll->feat[i].code, sp.classes[c].fill.r,
                    sp.classes[c].fill.g, sp.classes[c].fill.b);
        else
            fprintf(f, "%s,\n", ll->feat[i].code);
    }
    free(owned);
    return fclose(f) == 0 ? HS_OK : hs_err_set(err, HS_EIO, "cannot write %s", path);
}

int main(int argc, char **argv)
{
    const char *list = NULL, *mode = "meta", *classes = NULL;
    int threads = 1;
    /* our options out, the rest (layer + analysis) to the shared validator */
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--print-list") && i + 1 < argc)
            return print_list(argv[i + 1]);
        if (!strcmp(argv[i], "--list") && i + 1 < argc)
            list = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            threads = (int)strtol(argv[++i], NULL, 10); /* out of range: 1 below */
        else if (!strcmp(argv[i], "--mode") && i + 1 < argc)
            mode = argv[++i];
        else if (!strcmp(argv[i], "--export-classes") && i + 1 < argc)
            classes = argv[++i];
        else
            rest[nrest++] = argv[i];
    }
    if (threads < 1 || threads > 64)
        threads = 1;
    int single = !strcmp(mode, "single");
    hs_err err = {0};
    hs_arena *a = hs_arena_create(1 << 20);
    hs_query *q;
    PGconn *c = NULL;
    hs_geostore *g = NULL;
    hs_tile_req tr;
    hs_tilesrc *src = NULL;
    int last, layer = 0;
    const char *lname = NULL;
    static const char *const own[] = {"layer", NULL};
    hs_proj_ctx *pc = hs_threadctx_proj(&err);
    if (!pc || hs_query_from_argv(a, nrest, rest, &q, &err) < 0 ||
        hs_query_str(q, "layer", 32, "risk", &lname, &err) < 0 ||
        hs_tile_layer_parse(lname, &layer, &err) < 0 || hs_pg_connect(&c, &err) < 0 ||
        hs_pipeline_last_period(c, &last, &err) < 0 ||
        hs_tile_req_parse(q, layer, own, last, &tr, &err) < 0 ||
        hs_geostore_load(c, pc, &g, &err) < 0) {
        fprintf(stderr, "bench_tiles: %s\n", err.msg);
        return 1;
    }
    hs_analysis_result res = {0};
    int base = layer == HS_TILE_LAYER_BASE;
    int brc = base ? HS_OK
                   : hs_pipeline_run_kind(c, hs_tile_layer_needs(layer), &tr.prm, &res, &err);
    if (brc == HS_OK)
        brc = hs_tilesrc_create(g, pc, &tr, base ? NULL : &res, &src, &err);
    hs_analysis_result_clear(&res);
    if (brc < 0) {
        fprintf(stderr, "bench_tiles: %s\n", err.msg);
        return 1;
    }
    if (classes) {
        int rc = export_classes(src, classes, g, &err);
        if (rc < 0)
            fprintf(stderr, "bench_tiles: %s\n", err.msg);
        return rc < 0;
    }
    if (!list)
        return fprintf(stderr, "bench_tiles: --list FILE is required\n"), 2;
    FILE *f = fopen(list, "r");
    if (!f)
        return fprintf(stderr, "bench_tiles: cannot open %s\n", list), 1;
    int cap = 1 << 16, n = 0;
    tile3 *t = malloc((size_t)cap * sizeof *t);
    while (n < cap && fscanf(f, "%d %d %d", &t[n].z, &t[n].x, &t[n].y) == 3)
        n++;
    fclose(f);
    qsort(t, (size_t)n, sizeof *t, cmp_tile);
    job *jobs = malloc((size_t)(n ? n : 1) * sizeof *jobs);
    int nj = 0;
    for (int i = 0; i < n; i++) {
        if (single) {
            jobs[nj++] = (job){t[i].z, t[i].x, t[i].y, 1, i, 1};
        } else if (nj && jobs[nj - 1].z == t[i].z && jobs[nj - 1].mx == t[i].x / 8 &&
                   jobs[nj - 1].my == t[i].y / 8) {
            jobs[nj - 1].count++;
        } else {
            jobs[nj++] = (job){t[i].z, t[i].x / 8, t[i].y / 8, 8, i, 1};
        }
    }
    /* Warm-up outside the timing: the per-zoom simplification levels are built once per
     * data version in the server, not per tile. */
    for (int z = 0; z <= 16; z++) {
        hs_map_spec sp;
        int *owned;
        const hs_sindex *ix;
        if (hs_tilesrc_spec(src, z, 256, &sp, &owned, &ix, &err) == HS_OK)
            free(owned);
    }
    shared sh = {.src = src, .t = t, .jobs = jobs, .njobs = nj};
    atomic_init(&sh.next, 0);
    atomic_init(&sh.bytes, 0);
    atomic_init(&sh.uniform, 0);
    worker *w = calloc((size_t)threads, sizeof *w);
    double t0 = hs_clock_now();
    for (int i = 0; i < threads; i++) {
        w[i].sh = &sh;
        pthread_create(&w[i].th, NULL, run, &w[i]);
    }
    double png_s = 0, render_s = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].th, NULL);
        png_s += w[i].png_s;
        render_s += w[i].render_s;
    }
    double secs = hs_clock_now() - t0;
    if (sh.failed)
        return 1;
    printf("mode=%s threads=%d tiles=%d metatiles=%d seconds=%.3f tiles_per_s=%.1f "
           "render_s=%.3f png_s=%.3f png_tiles_per_s_per_thread=%.1f reused_uniform=%d mean_png_bytes=%.0f\n",
           mode, threads, n, nj, secs, n / secs, render_s, png_s, n / (png_s > 0 ? png_s : 1e-9),
           atomic_load(&sh.uniform),
           n ? (double)atomic_load(&sh.bytes) / n : 0.0);
    hs_tilesrc_free(src);
    hs_geostore_unref(g);
    hs_threadctx_release();
    PQfinish(c);
    hs_arena_destroy(a);
    free(w), free(jobs), free(t), free(rest);
    return 0;
}
