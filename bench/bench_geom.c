/* Geometry and PNG-encode micro-benchmarks (not a test; no timed assertions).
 * Build and run from the repository root:
 *   cc -O2 -std=c17 -D_DEFAULT_SOURCE -Icommon -Imaps -Itests/unit \
 *      $(pkg-config --cflags gdal cairo proj) bench/bench_geom.c maps/*.c common/*.c \
 *      $(pkg-config --libs gdal cairo proj) -lm -o /tmp/bench_geom
 *   /tmp/bench_geom tests/fixtures/vn_provinces_simpl.geojson   (or any polygon GeoJSON)
 */
#include <stdio.h>
#include <time.h>

#include "hs_clock.h"
#include "hs_png.h"
#include "hs_sindex.h"
#include "hs_testgeo.h"
#include "hs_tilemath.h"
#include "hs_topo.h"


int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    hs_layer *l = testgeo_load(argv[1], "code");
    if (!l)
        return 1;
    for (int i = 0; i < l->nfeat; i++)
        for (int r = 0; r < l->feat[i].nrings; r++)
            for (int k = 0; k < l->feat[i].rings[r].npts; k++) {
                double *p = l->feat[i].rings[r].xy + 2 * k;
                hs_merc_from_lonlat(p[0], p[1], &p[0], &p[1]);
            }
    hs_layer_update_bbox(l);
    double t0 = hs_clock_now();
    hs_topo *t = hs_topo_build(l, NULL);
    double t1 = hs_clock_now();
    hs_topo_stats st;
    hs_topo_get_stats(t, &st);
    printf("topo build: %ld vertices in, %ld arcs (%ld shared), %.1f ms\n", st.vertices_in,
           st.arcs, st.shared_arcs, (t1 - t0) * 1e3);
    for (int z = 5; z <= 10; z++) {
        t0 = hs_clock_now();
        hs_layer *s = hs_topo_simplify(t, 0.5 * hs_tile_resolution(z, 256), NULL);
        t1 = hs_clock_now();
        printf("  z%-2d tolerance %.0f m: %ld vertices, %.2f ms\n", z,
               0.5 * hs_tile_resolution(z, 256), testgeo_vertices(s), (t1 - t0) * 1e3);
        hs_layer_free(s);
    }
    hs_sindex *ix = hs_sindex_build_layer(l, NULL);
    int out[64];
    t0 = hs_clock_now();
    long hits = 0;
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            hs_bbox b = hs_tile_bounds(10, 790 + x, 440 + y);
            hits += hs_sindex_query(ix, &b, out, 64, NULL);
        }
    t1 = hs_clock_now();
    printf("sindex: 4096 tile queries, %ld hits, %.3f us/query\n", hits, (t1 - t0) * 1e6 / 4096);
    /* PNG encoding alone: a 256 px tile of real content (z7 around Hà Nội). */
    hs_bbox v = hs_tile_bounds(7, 101, 56);
    cairo_surface_t *s = testgeo_fill(l, &v, 256, 256);
    const unsigned char *px = cairo_image_surface_get_data(s);
    hs_buf b;
    hs_buf_init(&b, 0);
    int n = 2000;
    t0 = hs_clock_now();
    for (int i = 0; i < n; i++) {
        b.len = 0;
        hs_png_encode_argb(px, 256, 256, cairo_image_surface_get_stride(s), &b, NULL);
    }
    t1 = hs_clock_now();
    printf("png encode 256x256 (two-colour tile): %.3f ms/tile, %zu bytes -> %.0f tiles/s\n",
           (t1 - t0) * 1e3 / n, b.len, n / (t1 - t0));
    hs_buf_free(&b);
    cairo_surface_destroy(s);
    hs_sindex_free(ix);
    hs_topo_free(t);
    hs_layer_free(l);
    return 0;
}
