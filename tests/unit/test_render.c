/* Rendering tests: golden images for each map type, PDF/SVG text, no seams between
 * neighbouring units, metatile slices equal to direct tiles, size limits.
 *
 * Goldens live in tests/golden/<name>.png. To (re)create them after an intended
 * change: HS_UPDATE_GOLDEN=1 ./tests/test_render, then LOOK at every image before
 * committing. On a mismatch the test writes <name>.actual.png and <name>.diff.png
 * into the current directory. HS_RENDER_OUT=DIR also writes A4 PNG/SVG/PDF of every
 * map type there for review. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <fontconfig/fontconfig.h>

#include "hs_png.h"
#include "hs_render.h"
#include "hs_testgeo.h"

typedef struct fx {
    hs_layer *units, *provinces, *countries, *border;
    hs_render_ctx *ctx;
} fx;

static fx F;

static hs_layer *load(const char *file, const char *name, const char *code)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", HS_FIXTURE_DIR, file);
    hs_layer *l = tg_load(path, name, code);
    if (!l)
        fail_msg("cannot load fixture %s", path);
    return l;
}

static int setup(void **state)
{
    (void)state;
    F.units = load("vn_provinces_34_s01.geojson", "ten_tinh", "code");
    F.provinces = load("vn_provinces_34_s01.geojson", "ten_tinh", "code");
    F.countries = load("ne_countries_s02.geojson", "country", NULL);
    F.border = load("vn_land_border_s01.geojson", "country", NULL);
    /* Vietnam itself is drawn by the units layer: drop it from the background. */
    for (int i = 0; i < F.countries->nfeat; i++)
        if (F.countries->feat[i].name && !strcmp(F.countries->feat[i].name, "Vietnam"))
            F.countries->feat[i].nrings = 0;
    /* two "key" units for the highlight */
    for (int i = 0; i < F.units->nfeat; i++)
        if (!strcmp(F.units->feat[i].name, "Lạng Sơn") || !strcmp(F.units->feat[i].name, "Tây Ninh"))
            F.units->feat[i].flags |= HS_FEAT_KEY_COMMUNE;
    hs_err err = {0};
    F.ctx = hs_render_ctx_new(&err);
    return F.ctx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    /* restore ring counts hidden above so hs_layer_free frees every ring */
    hs_layer_free(F.units), hs_layer_free(F.provinces), hs_layer_free(F.border);
    for (int i = 0; i < F.countries->nfeat; i++) {
        int n = 0;
        for (int p = 0; p < F.countries->feat[i].nparts; p++)
            n += F.countries->feat[i].part_rings[p];
        F.countries->feat[i].nrings = n;
    }
    hs_layer_free(F.countries);
    hs_render_ctx_free(F.ctx);
    return 0;
}

/* deterministic pseudo-random in [0,1) per (unit, salt) */
static double urand(int i, int salt)
{
    uint32_t h = (uint32_t)(i * 2654435761u) ^ (uint32_t)(salt * 40503u);
    h ^= h >> 15, h *= 2246822519u, h ^= h >> 13, h *= 3266489917u, h ^= h >> 16;
    return (h & 0xffffff) / (double)0x1000000;
}

static double lat_of(const hs_feature *f)
{
    return f->label_y / (TG_R * TG_DEG);
}

static const hs_map_label ISLANDS[2] = {
    {0, 0, "QĐ. Hoàng Sa\n(TP Đà Nẵng)", 1},
    {0, 0, "QĐ. Trường Sa\n(Khánh Hoà)", 1},
};

typedef struct map_case {
    const char *name;
    hs_class_style classes[HS_SCHEME_MAX_CLASSES];
    int nclasses;
    int cls[64];
    hs_map_label labels[2];
    hs_map_spec spec;
} map_case;

/* Builds the spec of one map type from synthetic values on the 34 provinces. */
static void build_case(map_case *mc, const char *type)
{
    memset(mc, 0, sizeof *mc);
    mc->name = type;
    int n = F.units->nfeat;
    hs_err err = {0};
    if (!strcmp(type, "gistar")) {
        mc->nclasses = hs_scheme_styles(HS_SCHEME_GISTAR, mc->classes, &err);
        for (int i = 0; i < n; i++) {
            double lat = lat_of(&F.units->feat[i]);
            int bin = lat > 21.8 ? 3 : lat > 21.0 ? 2 : lat > 20.3 ? 1 : lat > 11.5 ? 0 : lat > 10.4 ? -1
                                                                                       : (i % 2 ? -2 : -3);
            mc->cls[i] = hs_scheme_gistar_class(bin);
        }
    } else if (!strcmp(type, "lisa")) {
        mc->nclasses = hs_scheme_styles(HS_SCHEME_LISA, mc->classes, &err);
        for (int i = 0; i < n; i++) {
            double lat = lat_of(&F.units->feat[i]);
            int code = lat > 21.5 ? HS_LISA_HH : lat < 10.5 ? HS_LISA_LL : HS_LISA_NS;
            if (i == 5)
                code = HS_LISA_LH;
            if (i == 12)
                code = HS_LISA_HL;
            if (i == 20)
                code = HS_LISA_ISOLATED;
            mc->cls[i] = hs_scheme_lisa_class(code);
        }
    } else if (!strcmp(type, "emerging")) {
        mc->nclasses = hs_scheme_styles(HS_SCHEME_EMERGING, mc->classes, &err);
        static const int codes[] = {1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8, 0};
        for (int i = 0; i < n; i++)
            mc->cls[i] = hs_scheme_emerging_class(i < 17 ? codes[i] : 0);
    } else if (!strcmp(type, "scan")) {
        mc->nclasses = hs_scheme_styles(HS_SCHEME_SCAN, mc->classes, &err);
        for (int i = 0; i < n; i++) {
            double lat = lat_of(&F.units->feat[i]);
            int rank = (lat > 20.6 && lat < 21.6) ? 1 : (lat > 10.2 && lat < 11.3) ? 2 : 0;
            mc->cls[i] = hs_scheme_scan_class(rank);
        }
    } else {
        double v[64];
        hs_classify_method m = HS_CLASSIFY_JENKS;
        int k = 5, dec = 1;
        for (int i = 0; i < n; i++)
            v[i] = 40 * urand(i, 7) * urand(i, 3) + 0.5;
        if (!strcmp(type, "risk")) {
            m = HS_CLASSIFY_QUANTILE, dec = 2;
            for (int i = 0; i < n; i++)
                v[i] = urand(i, 11);
        } else if (!strcmp(type, "outreach_gap")) {
            m = HS_CLASSIFY_EQUAL, k = 4, dec = 0;
            for (int i = 0; i < n; i++)
                v[i] = i % 11 == 3 ? NAN : 2500 * urand(i, 5);
        }
        hs_breaks br;
        assert_int_equal(hs_classify_breaks(v, n, m, k, NULL, 0, &br, &err), 0);
        hs_classify_assign(&br, v, n, mc->cls);
        assert_int_equal(hs_classify_legend(&br, hs_style_palette_for(type), dec, mc->classes, &err), 0);
        mc->nclasses = br.k;
    }
    assert_true(mc->nclasses > 0);
    memcpy(mc->labels, ISLANDS, sizeof ISLANDS);
    tg_project(112.0, 15.3, &mc->labels[0].x, &mc->labels[0].y);
    tg_project(114.3, 10.6, &mc->labels[1].x, &mc->labels[1].y);
    hs_map_spec *s = &mc->spec;
    s->countries = F.countries;
    s->units = F.units;
    s->unit_class = mc->cls;
    s->classes = mc->classes;
    s->nclasses = mc->nclasses;
    s->provinces = F.provinces;
    s->border = F.border;
    s->draw_unit_outlines = 1;
    s->highlight_key = 1;
    s->label_provinces = 1;
    s->labels = mc->labels;
    s->nlabels = 2;
    s->title = !strcmp(type, "gistar")   ? "Điểm nóng mua bán người (Gi*)"
               : !strcmp(type, "lisa")   ? "Cụm không gian (LISA)"
               : !strcmp(type, "rate")   ? "Tỷ lệ vụ việc trên 100.000 dân"
               : !strcmp(type, "risk")   ? "Chỉ số nguy cơ"
               : !strcmp(type, "emerging") ? "Xu hướng điểm nóng"
               : !strcmp(type, "scan")   ? "Cụm Kulldorff"
                                         : "Khoảng trống truyền thông";
    s->subtitle = "Cấp tỉnh · 01/2024 – 12/2024";
    s->legend_title = !strcmp(type, "rate") ? "Vụ / 100.000 dân" : NULL;
    s->source = "Nguồn: Ban Chỉ đạo 138 (dữ liệu mô phỏng)";
    s->generated_at = "2026-01-15 09:30";
    s->synthetic = 1;
    s->scale_bar = 1;
    s->north_arrow = 1;
    s->ground_m_per_unit = 1.0;
    s->has_inset = 1;
    /* Hoàng Sa fits in the main frame (mainland() reaches 114 E); Trường Sa goes
     * into the inset, over the sea east of the southern coast. */
    s->inset_extent = tg_bbox(111.0, 6.6, 117.6, 12.3);
    s->inset_title = "Quần đảo Trường Sa";
}

static hs_bbox mainland(void)
{
    return tg_bbox(102.0, 8.3, 114.0, 23.5);
}

/* ---- PNG helpers ---------------------------------------------------------------- */

static cairo_status_t read_buf(void *closure, unsigned char *data, unsigned int len)
{
    hs_buf *b = closure;
    static __thread size_t pos;
    if (data == NULL) {
        pos = 0;
        return CAIRO_STATUS_SUCCESS;
    }
    if (pos + len > b->len)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, b->data + pos, len);
    pos += len;
    return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *decode(hs_buf *b)
{
    read_buf(b, NULL, 0);
    return cairo_image_surface_create_from_png_stream(read_buf, b);
}

/* Golden comparison: a pixel differs if any channel differs by more than 8; at most
 * 0.5% of pixels may differ (font rasterisation and cairo versions vary a little). */
static void compare_golden(const char *name, hs_buf *png)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/%s.png", HS_SOURCE_DIR, name);
    cairo_surface_t *act = decode(png);
    assert_int_equal(cairo_surface_status(act), CAIRO_STATUS_SUCCESS);
    if (getenv("HS_UPDATE_GOLDEN")) {
        assert_int_equal(cairo_surface_write_to_png(act, path), CAIRO_STATUS_SUCCESS);
        print_message("updated golden %s\n", path);
        cairo_surface_destroy(act);
        return;
    }
    cairo_surface_t *gold = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(gold) != CAIRO_STATUS_SUCCESS)
        fail_msg("missing golden %s (run with HS_UPDATE_GOLDEN=1 and look at it)", path);
    int w = cairo_image_surface_get_width(act), h = cairo_image_surface_get_height(act);
    assert_int_equal(w, cairo_image_surface_get_width(gold));
    assert_int_equal(h, cairo_image_surface_get_height(gold));
    cairo_surface_flush(act);
    cairo_surface_flush(gold);
    cairo_surface_t *diff = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    unsigned char *a = cairo_image_surface_get_data(act), *g = cairo_image_surface_get_data(gold);
    unsigned char *dd = cairo_image_surface_get_data(diff);
    int sa = cairo_image_surface_get_stride(act), sg = cairo_image_surface_get_stride(gold);
    int sd = cairo_image_surface_get_stride(diff);
    long bad = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int m = 0;
            for (int c = 0; c < 4; c++) {
                int v = abs(a[y * sa + 4 * x + c] - g[y * sg + 4 * x + c]);
                if (v > m)
                    m = v;
            }
            uint32_t *o = (uint32_t *)(dd + y * sd + 4 * x);
            *o = m > 8 ? 0xffff0000u : 0xff000000u | (uint32_t)(0x40 + (a[y * sa + 4 * x] >> 2)) * 0x010101u;
            bad += m > 8;
        }
    cairo_surface_mark_dirty(diff);
    double frac = (double)bad / ((double)w * h);
    if (frac > 0.005) {
        char p1[512], p2[512];
        snprintf(p1, sizeof p1, "%s.actual.png", name);
        snprintf(p2, sizeof p2, "%s.diff.png", name);
        cairo_surface_write_to_png(act, p1);
        cairo_surface_write_to_png(diff, p2);
        print_error("%s: %.3f%% pixels differ; wrote %s and %s\n", name, 100 * frac, p1, p2);
    }
    cairo_surface_destroy(diff);
    cairo_surface_destroy(gold);
    cairo_surface_destroy(act);
    assert_true(frac <= 0.005);
}

static void write_file(const char *path, const hs_buf *b)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    fclose(f);
}

static void test_golden_map_types(void **state)
{
    (void)state;
    static const char *types[] = {"gistar", "lisa", "rate", "risk", "outreach_gap", "emerging", "scan"};
    const char *outdir = getenv("HS_RENDER_OUT");
    for (size_t t = 0; t < sizeof types / sizeof *types; t++) {
        map_case *mc = calloc(1, sizeof *mc);
        build_case(mc, types[t]);
        hs_page page;
        hs_err err = {0};
        assert_int_equal(hs_page_pixels(520, 720, 1.0, &page, &err), 0);
        hs_buf png;
        hs_buf_init(&png, 0);
        hs_bbox ext = mainland();
        int rc = hs_render_map(F.ctx, &mc->spec, &ext, &page, HS_FORMAT_PNG, &png, &err);
        if (rc)
            fail_msg("%s: %s", types[t], err.msg);
        char name[64];
        snprintf(name, sizeof name, "map_%s", types[t]);
        compare_golden(name, &png);
        hs_buf_free(&png);
        for (int fmt = 0; outdir && fmt < 3; fmt++) {
            hs_page a4;
            assert_int_equal(hs_page_paper("a4-portrait", 150, &a4, &err), 0);
            hs_buf b;
            hs_buf_init(&b, 0);
            assert_int_equal(hs_render_map(F.ctx, &mc->spec, &ext, &a4, (hs_format)fmt, &b, &err), 0);
            char p[1024];
            snprintf(p, sizeof p, "%s/%s.%s", outdir, types[t], fmt == 0 ? "png" : fmt == 1 ? "svg" : "pdf");
            write_file(p, &b);
            hs_buf_free(&b);
        }
        free(mc);
    }
}

static void test_pdf_keeps_text(void **state)
{
    (void)state;
    if (system("command -v pdftotext >/dev/null 2>&1") != 0)
        skip();
    map_case *mc = calloc(1, sizeof *mc);
    build_case(mc, "gistar");
    hs_page page;
    hs_err err = {0};
    assert_int_equal(hs_page_paper("a3-portrait", 150, &page, &err), 0);
    hs_buf pdf;
    hs_buf_init(&pdf, 0);
    hs_bbox ext = mainland();
    assert_int_equal(hs_render_map(F.ctx, &mc->spec, &ext, &page, HS_FORMAT_PDF, &pdf, &err), 0);
    char tmpl[] = "/tmp/hs_test_pdf_XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pdf.data, pdf.len), (ssize_t)pdf.len);
    close(fd);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "pdftotext -raw -enc UTF-8 %s -", tmpl);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    hs_buf txt;
    hs_buf_init(&txt, 0);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        hs_buf_append(&txt, chunk, got, NULL);
    pclose(p);
    unlink(tmpl);
    hs_buf_terminate(&txt, NULL);
    const char *want[] = {"Quảng Ninh", "Điện Biên", "Hà Tĩnh", "Điểm nóng mua bán người", "Chú giải",
                          "SYNTHETIC DATA"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr((const char *)txt.data, want[i]))
            fail_msg("pdftotext output lacks '%s'", want[i]);
    hs_buf_free(&txt);
    hs_buf_free(&pdf);
    free(mc);
}

static void test_svg_text_layer(void **state)
{
    (void)state;
    map_case *mc = calloc(1, sizeof *mc);
    build_case(mc, "lisa");
    hs_page page;
    hs_err err = {0};
    assert_int_equal(hs_page_paper("a4-landscape", 96, &page, &err), 0);
    hs_buf svg;
    hs_buf_init(&svg, 0);
    hs_bbox ext = mainland();
    assert_int_equal(hs_render_map(F.ctx, &mc->spec, &ext, &page, HS_FORMAT_SVG, &svg, &err), 0);
    hs_buf_terminate(&svg, NULL);
    const char *s = (const char *)svg.data;
    assert_non_null(strstr(s, "<title>Cụm không gian (LISA)</title>"));
    assert_non_null(strstr(s, "<g id=\"hs-text\""));
    assert_non_null(strstr(s, ">Điện Biên</text>"));
    assert_non_null(strstr(s, ">Cao – Cao (HH)</text>"));
    assert_non_null(strstr(s, "</svg>"));
    hs_buf_free(&svg);
    free(mc);
}

/* A 16x16 mesh of triangles with shared, jittered vertices (boundary kept
 * straight), all in one colour over magenta: no magenta may show inside, at any
 * scale from the whole mesh down to a 1/32 crop (zoom levels 5..10 apart). */
static hs_layer *mesh_layer(int n, double size)
{
    hs_layer *l = hs_layer_new(HS_LAYER_POLYGON, 2 * n * n, NULL);
    double *vx = malloc(sizeof(double) * (size_t)((n + 1) * (n + 1)));
    double *vy = malloc(sizeof(double) * (size_t)((n + 1) * (n + 1)));
    for (int j = 0; j <= n; j++)
        for (int i = 0; i <= n; i++) {
            int edge = i == 0 || j == 0 || i == n || j == n;
            vx[j * (n + 1) + i] = size * (i + (edge ? 0 : 0.6 * (urand(i * 97 + j, 1) - 0.5))) / n;
            vy[j * (n + 1) + i] = size * (j + (edge ? 0 : 0.6 * (urand(i * 97 + j, 2) - 0.5))) / n;
        }
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            int a = j * (n + 1) + i, b = a + 1, c = a + n + 2, d = a + n + 1;
            int tri[2][3] = {{a, b, c}, {a, c, d}};
            if ((i + j) % 2) {
                int t2[2][3] = {{a, b, d}, {b, c, d}};
                memcpy(tri, t2, sizeof tri);
            }
            for (int t = 0; t < 2; t++) {
                hs_feature *f = &l->feat[l->nfeat++];
                f->nparts = f->nrings = 1;
                f->part_rings = malloc(sizeof(int));
                f->part_rings[0] = 1;
                f->rings = malloc(sizeof(hs_ring));
                f->rings[0].npts = 3;
                f->rings[0].xy = malloc(6 * sizeof(double));
                for (int k = 0; k < 3; k++) {
                    f->rings[0].xy[2 * k] = vx[tri[t][k]];
                    f->rings[0].xy[2 * k + 1] = vy[tri[t][k]];
                }
            }
        }
    free(vx), free(vy);
    hs_layer_update_bbox(l);
    return l;
}

/* mode 0: every unit in one colour (the test); mode 1: neighbours alternate
 * between two close blues, so each shared edge is an edge between two different
 * fills (the case where anti-aliasing seams appear). */
static void check_no_gaps(int mode)
{
    hs_layer *mesh = mesh_layer(16, 1000);
    int *cls = calloc((size_t)mesh->nfeat, sizeof *cls);
    for (int i = 0; mode && i < mesh->nfeat; i++)
        cls[i] = (i / 2 + i) % 2;
    hs_class_style two[2];
    memset(two, 0, sizeof two);
    two[0].fill = hs_rgb(0x3182bd);
    two[1].fill = hs_rgb(0x2a7ab5);
    hs_map_spec s;
    memset(&s, 0, sizeof s);
    s.units = mesh;
    s.unit_class = cls;
    s.classes = two;
    s.nclasses = 2;
    s.sea = hs_rgb(0xff00ff);
    for (int z = 0; z <= 5; z++) {
        double half = 500.0 / (1 << z), cx = z ? 437 : 500, cy = z ? 611 : 500;
        hs_bbox ext = {cx - half, cy - half, cx + half, cy + half};
        if (z == 0) /* whole mesh plus a margin of sea */
            ext = (hs_bbox){-20, -20, 1020, 1020};
        for (int sc = 1; sc <= 2; sc++) {
            unsigned char *px;
            int stride;
            hs_err err = {0};
            int W = 256 * sc;
            assert_int_equal(hs_render_raster(F.ctx, &s, &ext, W, W, sc, &px, &stride, &err), 0);
            /* pixels whose centre lies 1.5 px inside the mesh must lie between the two
             * fills (3 levels of slack): any magenta bleeding through is a seam */
            double ppu = W / (ext.maxx - ext.minx);
            long badpx = 0;
            for (int y = 0; y < W; y++)
                for (int x = 0; x < W; x++) {
                    double mx = ext.minx + (x + 0.5) / ppu, my = ext.maxy - (y + 0.5) / ppu;
                    double m = 1.5 / ppu;
                    if (mx < m || my < m || mx > 1000 - m || my > 1000 - m)
                        continue;
                    const unsigned char *p = px + y * stride + 4 * x; /* B G R A */
                    if (p[2] < 0x2a - 3 || p[2] > 0x31 + 3 || p[1] < 0x7a - 3 || p[1] > 0x82 + 3 ||
                        p[0] < 0xb5 - 3 || p[0] > 0xbd + 3)
                        badpx++;
                }
            if (badpx)
                fail_msg("mode %d zoom step %d scale %d: %ld seam pixels inside the mesh", mode, z, sc, badpx);
            free(px);
        }
    }
    free(cls);
    hs_layer_free(mesh);
}

static void test_no_gaps(void **state)
{
    (void)state;
    check_no_gaps(0);
    check_no_gaps(1);
}

/* A 512x512 metatile sliced into four 256 tiles equals the four tiles rendered on
 * their own (labels included: placement does not depend on the tile), up to
 * anti-aliasing noise on a few pixels. */
static void test_metatile_slices(void **state)
{
    (void)state;
    map_case *mc = calloc(1, sizeof *mc);
    build_case(mc, "rate");
    hs_bbox meta = tg_bbox(104.0, 19.0, 108.0, 23.0);
    /* square in projected units */
    double side = meta.maxy - meta.miny;
    meta.maxx = meta.minx + side;
    unsigned char *big;
    int sbig;
    hs_err err = {0};
    assert_int_equal(hs_render_raster(F.ctx, &mc->spec, &meta, 512, 512, 1, &big, &sbig, &err), 0);
    for (int ty = 0; ty < 2; ty++)
        for (int tx = 0; tx < 2; tx++) {
            hs_bbox e = {meta.minx + tx * side / 2, meta.maxy - (ty + 1) * side / 2, meta.minx + (tx + 1) * side / 2,
                         meta.maxy - ty * side / 2};
            unsigned char *t;
            int st;
            assert_int_equal(hs_render_raster(F.ctx, &mc->spec, &e, 256, 256, 1, &t, &st, &err), 0);
            long bad = 0;
            int maxd = 0;
            for (int y = 0; y < 256; y++)
                for (int x = 0; x < 256; x++)
                    for (int c = 0; c < 4; c++) {
                        int d = abs(t[y * st + 4 * x + c] - big[(ty * 256 + y) * sbig + 4 * (tx * 256 + x) + c]);
                        if (d > maxd)
                            maxd = d;
                        if (d > 2 && getenv("HS_DEBUG_TILES"))
                            print_message("diff %d at %d,%d c%d\n", d, x, y, c);
                        bad += d > 2;
                    }
            if (bad && getenv("HS_DEBUG_TILES")) {
                cairo_surface_t *a = cairo_image_surface_create_for_data(t, CAIRO_FORMAT_ARGB32, 256, 256, st);
                cairo_surface_t *b = cairo_image_surface_create_for_data(big, CAIRO_FORMAT_ARGB32, 512, 512, sbig);
                cairo_surface_write_to_png(a, "tile_debug.png");
                cairo_surface_write_to_png(b, "meta_debug.png");
                cairo_surface_destroy(a), cairo_surface_destroy(b);
            }
            /* Cairo's stroker/rasteriser is not exactly translation-invariant in
             * floating point: a handful of anti-aliased join pixels may differ by a few
             * levels. Anything more (a missing/cut label, a culled feature) fails. */
            if (bad > 40 || maxd > 16)
                fail_msg("tile %d,%d differs from its metatile slice: %ld channel values (max diff %d)", tx,
                         ty, bad, maxd);
            free(t);
        }
    free(big);
    free(mc);
}

/* The tile PNG encoder round-trips: opaque rasters exactly (as RGB), translucent
 * ones within premultiplication rounding; slices of a larger raster use its stride. */
static void test_png_encode_roundtrip(void **state)
{
    (void)state;
    map_case *mc = calloc(1, sizeof *mc);
    build_case(mc, "gistar");
    hs_bbox ext = tg_bbox(104.0, 19.0, 108.0, 23.0);
    for (int transparent = 0; transparent < 2; transparent++) {
        mc->spec.transparent_background = transparent;
        unsigned char *px;
        int st;
        hs_err err = {0};
        assert_int_equal(hs_render_raster(F.ctx, &mc->spec, &ext, 512, 512, 1, &px, &st, &err), 0);
        hs_buf png;
        hs_buf_init(&png, 0);
        /* the bottom-right 256 slice */
        const unsigned char *slice = px + 256 * st + 256 * 4;
        assert_int_equal(hs_png_encode_argb(slice, 256, 256, st, &png, &err), 0);
        assert_memory_equal(png.data + 25, transparent ? "\x06" : "\x02", 1); /* IHDR colour type */
        cairo_surface_t *dec = decode(&png);
        assert_int_equal(cairo_surface_status(dec), CAIRO_STATUS_SUCCESS);
        cairo_surface_flush(dec);
        const unsigned char *d = cairo_image_surface_get_data(dec);
        int sd = cairo_image_surface_get_stride(dec), maxd = 0;
        for (int y = 0; y < 256; y++)
            for (int x = 0; x < 256 * 4; x++) {
                int v = abs(d[y * sd + x] - slice[y * st + x]);
                if (v > maxd)
                    maxd = v;
            }
        assert_true(transparent ? maxd <= 1 : maxd == 0);
        cairo_surface_destroy(dec);
        hs_buf_free(&png);
        free(px);
    }
    free(mc);
}

static void test_limits_and_presets(void **state)
{
    (void)state;
    hs_page p;
    hs_err err = {0};
    assert_int_equal(hs_page_paper("a4-landscape", 300, &p, &err), 0);
    assert_int_equal((int)lround(p.width * p.scale), 3508);
    assert_int_equal((int)lround(p.height * p.scale), 2480);
    assert_int_equal(hs_page_paper("a5-portrait", 150, &p, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "a4-landscape"));
    assert_int_equal(hs_page_pixels(20000, 20000, 1, &p, &err), HS_ELIMIT);
    assert_int_equal(hs_page_pixels(5000, 5000, 4, &p, &err), HS_ELIMIT);
    assert_int_equal(hs_page_pixels(800, 600, 2, &p, &err), 0);
    unsigned char *px = NULL;
    int st;
    hs_map_spec s;
    memset(&s, 0, sizeof s);
    hs_bbox e = {0, 0, 1, 1};
    assert_int_equal(hs_render_raster(F.ctx, &s, &e, 20000, 20000, 1, &px, &st, &err), HS_ELIMIT);
    assert_null(px);
    /* the output buffer's cap is honoured */
    map_case *mc = calloc(1, sizeof *mc);
    build_case(mc, "scan");
    hs_buf small;
    hs_buf_init(&small, 1000);
    hs_err_clear(&err);
    assert_int_equal(hs_render_map(F.ctx, &mc->spec, NULL, &p, HS_FORMAT_PNG, &small, &err), HS_ELIMIT);
    hs_buf_free(&small);
    hs_format f;
    assert_int_equal(hs_format_parse("PDF", &f, &err), 0);
    assert_int_equal(f, HS_FORMAT_PDF);
    assert_int_equal(hs_format_parse("gif", &f, &err), HS_EINVAL);
    free(mc);
}

/* A one-ring polygon feature (copies xy). */
static void add_poly(hs_layer *l, const double *xy, int npts, int nholes, const double *hole, int hpts)
{
    hs_feature *f = &l->feat[l->nfeat++];
    f->nparts = 1;
    f->nrings = 1 + nholes;
    f->part_rings = malloc(sizeof(int));
    f->part_rings[0] = f->nrings;
    f->rings = calloc((size_t)f->nrings, sizeof(hs_ring));
    for (int r = 0; r < f->nrings; r++) {
        const double *src = r ? hole : xy;
        int n = r ? hpts : npts;
        f->rings[r].npts = n;
        f->rings[r].xy = malloc(2 * (size_t)n * sizeof(double));
        memcpy(f->rings[r].xy, src, 2 * (size_t)n * sizeof(double));
    }
}

static int is_magenta(const unsigned char *p) { return p[2] > 0xe0 && p[0] > 0xe0 && p[1] < 0x40; }

/* Country edges (issue 12): a neighbour that stops 1.3 px short of the country (the
 * Natural Earth / province mismatch) leaves no sea between them, the land border sits
 * on the country's edge (not on the offset border line), and the coast gets no
 * border. Also the fill rule: a hole given with the SAME orientation as its exterior
 * stays a hole (nonzero fill with rings oriented by the renderer). */
static void test_border_no_gap(void **state)
{
    (void)state;
    hs_layer *vn = hs_layer_new(HS_LAYER_POLYGON, 1, NULL);
    double sq[8] = {0, 0, 100, 0, 100, 100, 0, 100};
    double hole[8] = {60, 40, 80, 40, 80, 60, 60, 60}; /* counter-clockwise, like the exterior */
    add_poly(vn, sq, 4, 1, hole, 4);
    hs_layer_update_bbox(vn);
    hs_layer *nb = hs_layer_new(HS_LAYER_POLYGON, 1, NULL);
    double g = 0.8; /* map units; ppu 1.6 below: 1.28 px */
    double rect[8] = {-60, -20, -g, -20, -g, 120, -60, 120};
    add_poly(nb, rect, 4, 0, NULL, 0);
    hs_layer_update_bbox(nb);
    hs_layer *line = hs_layer_new(HS_LAYER_LINE, 1, NULL);
    double bl[4] = {-g - 4, -20, -g - 4, 120}; /* the disagreeing border line */
    add_poly(line, bl, 2, 0, NULL, 0);
    line->feat[0].part_rings[0] = 1;
    hs_layer_update_bbox(line);
    int cls = 0;
    hs_class_style one;
    memset(&one, 0, sizeof one);
    one.fill = hs_rgb(0x3182bd);
    hs_map_spec s;
    memset(&s, 0, sizeof s);
    s.countries = nb, s.units = vn, s.provinces = vn, s.border = line;
    s.unit_class = &cls, s.classes = &one, s.nclasses = 1;
    s.sea = hs_rgb(0xff00ff);
    hs_bbox ext = {-50, -30, 110, 130}; /* 160 units on 256 px: ppu 1.6 */
    unsigned char *px;
    int st;
    hs_err err = {0};
    assert_int_equal(hs_render_raster(F.ctx, &s, &ext, 256, 256, 1, &px, &st, &err), 0);
    double ppu = 256 / 160.0;
    int col_edge = (int)((0 - ext.minx) * ppu); /* first pixel column of the country */
    long sea_in_gap = 0, line_off = 0, coast_border = 0, hole_filled = 0;
    for (int y = (int)((130 - 90) * ppu); y < (int)((130 - 10) * ppu); y++) {
        for (int x = col_edge - 6; x < col_edge + 2; x++)
            sea_in_gap += is_magenta(px + y * st + 4 * x);
        /* the offset line (x = -4.8 units, 7.7 px left of the edge) is not drawn */
        const unsigned char *o = px + y * st + 4 * (col_edge - 8);
        line_off += o[1] < 0x80;
        /* just outside the coast (x = 100): sea, no border */
        coast_border += !is_magenta(px + y * st + 4 * ((int)((100 - ext.minx) * ppu) + 2));
    }
    for (int y = (int)((130 - 58) * ppu); y < (int)((130 - 42) * ppu); y++)
        for (int x = (int)((62 - ext.minx) * ppu); x < (int)((78 - ext.minx) * ppu); x++)
            hole_filled += !is_magenta(px + y * st + 4 * x);
    /* the border is dark just outside the edge */
    const unsigned char *b = px + (int)(80 * ppu) * st + 4 * (col_edge - 1);
    assert_true(b[0] < 0x60 && b[1] < 0x60 && b[2] < 0x60);
    free(px);
    hs_layer_free(vn), hs_layer_free(nb), hs_layer_free(line);
    assert_int_equal(sea_in_gap, 0);
    assert_int_equal(line_off, 0);
    assert_int_equal(coast_border, 0);
    assert_int_equal(hole_filled, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_map_types), cmocka_unit_test(test_pdf_keeps_text),
        cmocka_unit_test(test_svg_text_layer),   cmocka_unit_test(test_no_gaps),
        cmocka_unit_test(test_metatile_slices),  cmocka_unit_test(test_png_encode_roundtrip),
        cmocka_unit_test(test_limits_and_presets), cmocka_unit_test(test_border_no_gap),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
