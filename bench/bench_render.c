/* Rough tile-mode throughput of hs_render_raster + PNG encoding on a synthetic
 * 3,200-triangle mesh (a stand-in for the ~3,300-commune layer; the real tile
 * benchmark against MapServer belongs to the tiles work).
 *
 *   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && make -C build-rel hs_maps hs_common
 *   gcc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Imaps -Icommon bench/bench_render.c \
 *       build-rel/libhs_maps.a build-rel/libhs_common.a \
 *       $(pkg-config --cflags --libs pangocairo libpng zlib) -lm \
 *       -o build-rel/bench_render && build-rel/bench_render
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_png.h"
#include "hs_render.h"


static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 65536.0;
}

int main(void)
{
    int n = 40;
    double size = 1000;
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, 2 * n * n, NULL);
    double *vx = malloc(sizeof(double) * (n + 1) * (n + 1)), *vy = malloc(sizeof(double) * (n + 1) * (n + 1));
    unsigned seed = 1;
    for (int j = 0; j <= n; j++)
        for (int i = 0; i <= n; i++) {
            int e = i == 0 || j == 0 || i == n || j == n;
            vx[j * (n + 1) + i] = size * (i + (e ? 0 : 0.6 * (urand(&seed) - 0.5))) / n;
            vy[j * (n + 1) + i] = size * (j + (e ? 0 : 0.6 * (urand(&seed) - 0.5))) / n;
        }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            int a = j * (n + 1) + i, b = a + 1, c = a + n + 2, d = a + n + 1;
            int tri[2][3] = {{a, b, c}, {a, c, d}};
            for (int t = 0; t < 2; t++) {
                hs_feature *f = &l->feat[l->nfeat++];
                f->nparts = f->nrings = 1;
                f->part_rings = malloc(sizeof(int));
                f->part_rings[0] = 1;
                f->rings = malloc(sizeof(hs_ring));
                f->rings[0].npts = 3;
                f->rings[0].xy = malloc(6 * sizeof(double));
                for (int k = 0; k < 3; k++)
                    f->rings[0].xy[2 * k] = vx[tri[t][k]], f->rings[0].xy[2 * k + 1] = vy[tri[t][k]];
            }
        }
    hs_layer_update_bbox(l);
    int *cls = malloc(sizeof(int) * l->nfeat);
    for (int i = 0; i < l->nfeat; i++)
        cls[i] = (int)(urand(&seed) * 5);
    hs_class_style st[5];
    memset(st, 0, sizeof st);
    hs_rgba col[5];
    hs_palette_get("YlOrRd", 5, col, NULL);
    for (int i = 0; i < 5; i++)
        st[i].fill = col[i];
    hs_map_spec s;
    memset(&s, 0, sizeof s);
    s.units = l, s.unit_class = cls, s.classes = st, s.nclasses = 5, s.draw_unit_outlines = 1;
    hs_err err = {0};
    hs_render_ctx *ctx = hs_render_ctx_new(&err);
    /* one 2048x2048 metatile (8x8 tiles of 256) covering the whole layer, then a
     * zoomed-in one covering 1/16 of it */
    for (int zoom = 0; zoom < 2; zoom++) {
        double half = zoom ? 125 : 500;
        hs_bbox ext = {500 - half, 500 - half, 500 + half, 500 + half};
        int reps = 5;
        double t0 = hs_clock_now(), tpng = 0;
        size_t bytes = 0;
        for (int r = 0; r < reps; r++) {
            unsigned char *px;
            int stride;
            if (hs_render_raster(ctx, &s, &ext, 2048, 2048, 1, &px, &stride, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return 1;
            }
            double t1 = hs_clock_now();
            for (int ty = 0; ty < 8; ty++)
                for (int tx = 0; tx < 8; tx++) {
                    hs_buf b;
                    hs_buf_init(&b, 0);
                    hs_png_encode_argb(px + ty * 256 * stride + tx * 256 * 4, 256, 256, stride, &b, &err);
                    bytes += b.len;
                    hs_buf_free(&b);
                }
            tpng += hs_clock_now() - t1;
            free(px);
        }
        double total = hs_clock_now() - t0;
        printf("%s: %.1f ms per 2048^2 metatile render, %.2f ms per 256 tile PNG encode, %.0f tiles/s "
               "(render+encode, 1 thread), avg PNG %zu B\n",
               zoom ? "zoomed (1/16 of layer)" : "whole layer", (total - tpng) / reps * 1e3,
               tpng / (reps * 64) * 1e3, reps * 64 / total, bytes / (reps * 64));
    }
    hs_render_ctx_free(ctx);
    hs_layer_free(l);
    free(cls), free(vx), free(vy);
    return 0;
}
