/* maps/hs_bulletin (the bulletin's pages from figures, no database), the --period
 * forms of server/output/hs_bulletin_job and hs_chart_bars_draw. The bulletin from
 * real data, its text and its pages are tests/integration/test_bulletin.sh. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fontconfig/fontconfig.h>

#include "hs_bulletin.h"
#include "hs_bulletin_job.h"
#include "hs_chart.h"
#include "hs_period.h"

/* ---- --period ------------------------------------------------------------------ */

static void expect_window(const char *s, int from, int to)
{
    int f = 0, t = 0;
    hs_err e = {0};
    assert_int_equal(hs_bulletin_period_parse(s, &f, &t, &e), HS_OK);
    assert_int_equal(f, from);
    assert_int_equal(t, to);
}

static void expect_refused(const char *s, const char *in_msg)
{
    int f = 0, t = 0;
    hs_err e = {0};
    assert_int_equal(hs_bulletin_period_parse(s, &f, &t, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "--period"));
    if (in_msg && !strstr(e.msg, in_msg))
        fail_msg("'%s': message '%s' lacks '%s'", s, e.msg, in_msg);
}

static void test_period_forms(void **state)
{
    (void)state;
    expect_window("2025-Q3", HS_PERIOD(2025, 7), HS_PERIOD(2025, 9));
    expect_window("2025-Q1", HS_PERIOD(2025, 1), HS_PERIOD(2025, 3));
    expect_window("2025", HS_PERIOD(2025, 1), HS_PERIOD(2025, 12));
    expect_window("2025-11", HS_PERIOD(2025, 11), HS_PERIOD(2025, 11));
    expect_window("2025-11..2026-02", HS_PERIOD(2025, 11), HS_PERIOD(2026, 2));
    expect_refused("2025-Q5", "quarter 5");
    expect_refused("2025-Q0", "quarter 0");
    expect_refused("25-Q1", "expected YYYY-QN");
    expect_refused("2025-13", "expected");
    expect_refused("2025-Q3x", "expected");
    expect_refused("2025-09..2025-01", "after");
    expect_refused("2020-01..2024-12", "at most 36");
    expect_refused("2025-01..", "expected");
    expect_refused("", "required");
}

/* ---- the pages from figures ----------------------------------------------------- */

#define N 12
typedef struct fig {
    int cls[N], since[N];
    double cases[N], events[N], pop[N];
    hs_bulletin_priority prio[10];
    double tc[24], te[24];
    char names[10][32], codes[10][16];
    hs_bulletin b;
} fig;

static void make_figures(fig *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < N; i++) {
        f->cls[i] = i < 3 ? i : i == N - 1 ? -1 : 3; /* hot 99/95/90, ns, one isolated */
        f->cases[i] = i % 4;
        f->events[i] = i % 3;
        f->pop[i] = 10000 + 1000 * i;
        f->since[i] = i == 5 ? -1 : i % 7;
    }
    for (int k = 0; k < 10; k++) {
        snprintf(f->names[k], sizeof f->names[k], "Xã Đồng Thử %d", k + 1);
        snprintf(f->codes[k], sizeof f->codes[k], "VN99-%04d", k + 1);
        f->prio[k] = (hs_bulletin_priority){
            .rank = k + 1, .code = f->codes[k], .name = f->names[k], .gi_class = k % 4,
            .score = 80 - 5 * k, .eb_rate = 1.25, .cases = k % 3, .events = k % 2,
            .months_since = k - 1,
            .reason_vi = "điểm nóng (99%), cách biên giới Lào 18 km, không có hoạt động truyền thông "
                         "trong 3 tháng",
            .reason_en = "hot spot (99%), 18 km from the Laos border, no outreach event in 3 months"};
    }
    for (int t = 0; t < 24; t++) {
        f->tc[t] = t % 5;
        f->te[t] = 10 + t % 7;
    }
    f->b = (hs_bulletin){
        .province_code = "VN99", .province_name = "Thử Nghiệm", .period = "2025-Q3",
        .from = HS_PERIOD(2025, 7), .to = HS_PERIOD(2025, 9), .data_version = 7,
        .generated_at = "2026-01-02 03:04", .mark = "NỘI BỘ — KHÔNG CÔNG BỐ", .synthetic = 1,
        .map = NULL, .n_units = N, .gi_class = f->cls, .cases = f->cases, .events = f->events,
        .population = f->pop, .months_since = f->since, .n_priorities = 10,
        .priorities = f->prio, .trend_from = HS_PERIOD(2023, 10), .trend_n = 24,
        .trend_cases = f->tc, .trend_events = f->te, .cases_prev = 4, .variable = "eb_rate",
        .risk_w = {0.35, 0.30, 0.20, 0.15}, .window_months = 3, .permutations = 999, .seed = 138};
}

static void test_pdf_from_figures(void **state)
{
    (void)state;
    hs_err e = {0};
    hs_render_ctx *ctx = hs_render_ctx_new(&e);
    assert_non_null(ctx);
    fig *f = malloc(sizeof *f);
    assert_non_null(f);
    make_figures(f);
    hs_buf out;
    hs_buf_init(&out, 0);
    int pages = 0;
    int rc = hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e);
    if (rc != HS_OK)
        fail_msg("hs_bulletin_pdf: %s", e.msg);
    assert_int_equal(pages, 3);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "%PDF-", 5);

    /* Real data (no watermark), no mark: the same pages. */
    f->b.synthetic = 0;
    f->b.mark = NULL;
    out.len = 0;
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_OK);
    assert_int_equal(pages, 3);

    /* Every class present and a method too long for what page 3 has left: the method
     * moves to a page 4 (and every footer says so). */
    for (int i = 0; i < N; i++)
        f->cls[i] = i < 7 ? i : -1;
    static char longv[1300];
    memset(longv, 'v', sizeof longv - 1);
    longv[sizeof longv - 1] = 0;
    f->b.variable = longv;
    out.len = 0;
    rc = hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e);
    if (rc != HS_OK)
        fail_msg("hs_bulletin_pdf (4 pages): %s", e.msg);
    assert_int_equal(pages, 4);
    f->b.variable = "eb_rate";

    /* Without trend months or priorities it still lays out (a new province). */
    f->b.trend_n = 0;
    f->b.n_priorities = 0;
    f->b.cases_prev = NAN;
    out.len = 0;
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_OK);
    assert_int_equal(pages, 3);
    hs_buf_free(&out);
    free(f);
    hs_render_ctx_free(ctx);
}

static void test_pdf_refusals(void **state)
{
    (void)state;
    hs_err e = {0};
    hs_render_ctx *ctx = hs_render_ctx_new(&e);
    fig *f = malloc(sizeof *f);
    make_figures(f);
    hs_buf out;
    int pages = -1;

    /* Figures out of their bounds: refused before any drawing, nothing appended. */
    hs_buf_init(&out, 0);
    f->b.n_units = 0;
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_EINVAL);
    assert_int_equal(out.len, 0);
    assert_int_equal(pages, 0);
    f->b.n_units = N;
    f->b.trend_n = HS_BULLETIN_MAX_MONTHS + 1;
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_EINVAL);
    f->b.trend_n = 24;
    f->b.n_priorities = HS_BULLETIN_MAX_PRIORITIES + 1;
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_EINVAL);
    f->b.n_priorities = 10;
    hs_buf_free(&out);

    /* The buffer's cap: HS_ELIMIT and the buffer back to where it was. */
    hs_buf_init(&out, 4096);
    e = (hs_err){0};
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_ELIMIT);
    assert_int_equal(out.len, 0);
    hs_buf_free(&out);

    /* Reasons too long for page 2: a layout error naming the rank, no partial PDF. */
    static char longr[2400];
    longr[0] = 0;
    while (strlen(longr) + 16 < sizeof longr)
        strcat(longr, "lý do rất dài. ");
    for (int k = 0; k < 10; k++)
        f->prio[k].reason_vi = f->prio[k].reason_en = longr;
    hs_buf_init(&out, 0);
    e = (hs_err){0};
    assert_int_equal(hs_bulletin_pdf(ctx, &f->b, &out, &pages, &e), HS_ERENDER);
    assert_non_null(strstr(e.msg, "page 2"));
    assert_int_equal(out.len, 0);
    hs_buf_free(&out);
    free(f);
    hs_render_ctx_free(ctx);
}

/* ---- hs_chart_bars_draw --------------------------------------------------------- */

static void test_chart_draw(void **state)
{
    (void)state;
    double v[4] = {1, NAN, 3, 2};
    const char *lab[4] = {"T1", "T2", "T3", "T4"};
    unsigned char shade[4] = {0, 1, 1, 0};
    hs_chart_bars c = {.n = 4, .v = v, .label = lab, .shade_from = -1, .shade_to = -1,
                       .title = "Số vụ", .hidden_label = "<5", .width = 400, .height = 200,
                       .shade_mask = shade, .bar_rgb = 0x2c7fb8};
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 800, 400);
    cairo_t *cr = cairo_create(s);
    /* Paint the surface black: the chart must paint only its own box. */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_paint(cr);
    cairo_translate(cr, 400, 200);
    hs_err e = {0};
    assert_int_equal(hs_chart_bars_draw(&c, cr, &e), HS_OK);
    cairo_surface_flush(s);
    const unsigned char *px = cairo_image_surface_get_data(s);
    int st = cairo_image_surface_get_stride(s);
    const uint32_t *outside = (const uint32_t *)(px + 100 * st) + 100;
    const uint32_t *inside = (const uint32_t *)(px + 205 * st) + 405; /* white corner */
    assert_int_equal(*outside & 0xffffff, 0x000000);
    assert_int_equal(*inside & 0xffffff, 0xffffff);
    c.n = 0;
    assert_int_equal(hs_chart_bars_draw(&c, cr, &e), HS_ELIMIT);
    cairo_destroy(cr);
    cairo_surface_destroy(s);

    /* The PNG entry point still works through the same drawing. */
    c.n = 4;
    hs_buf b;
    hs_buf_init(&b, 0);
    assert_int_equal(hs_chart_bars_png(&c, &b, &e), HS_OK);
    assert_memory_equal(b.data, "\x89PNG", 4);
    hs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_forms),
        cmocka_unit_test(test_pdf_from_figures),
        cmocka_unit_test(test_pdf_refusals),
        cmocka_unit_test(test_chart_draw),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* release fontconfig's process-wide caches so LeakSanitizer sees only our leaks */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
