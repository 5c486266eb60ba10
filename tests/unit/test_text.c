#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fontconfig/fontconfig.h>

#include "hs_render.h"
#include "hs_text.h"

static void test_number_format(void **state)
{
    (void)state;
    char b[64];
    hs_text_format_number(1234.5, 1, b, sizeof b);
    assert_string_equal(b, "1.234,5");
    hs_text_format_number(1234567, 0, b, sizeof b);
    assert_string_equal(b, "1.234.567");
    hs_text_format_number(999.96, 1, b, sizeof b);
    assert_string_equal(b, "1.000,0");
    hs_text_format_number(-12.5, 1, b, sizeof b);
    assert_string_equal(b, "-12,5");
    hs_text_format_number(-0.004, 2, b, sizeof b);
    assert_string_equal(b, "0,00"); /* no "-0,00" */
    hs_text_format_number(123, 0, b, sizeof b);
    assert_string_equal(b, "123");
    hs_text_format_number(0.25, 2, b, sizeof b);
    assert_string_equal(b, "0,25");
    hs_text_format_number(NAN, 1, b, sizeof b);
    assert_string_equal(b, "–");
    char small[4];
    hs_text_format_number(1234567, 0, small, sizeof small);
    assert_int_equal(strlen(small), 3);
}

/* decomposed spellings (base letter + combining marks) */
#define QN_DECOMP "Qua\xcc\x89ng Ninh"              /* a + U+0309 hook above */
#define DB_DECOMP "\xc4\x90ie\xcc\xa3\xcc\x82n Bie\xcc\x82n" /* e + U+0323 + U+0302 */
#define HT_DECOMP "Ha\xcc\x80 Ti\xcc\x83nh"          /* a + U+0300, i + U+0303 */

static void test_nfc(void **state)
{
    (void)state;
    char *a = hs_text_nfc(QN_DECOMP), *b = hs_text_nfc(DB_DECOMP), *c = hs_text_nfc(HT_DECOMP);
    assert_string_equal(a, "Quảng Ninh");
    assert_string_equal(b, "Điện Biên");
    assert_string_equal(c, "Hà Tĩnh");
    free(a), free(b), free(c);
    assert_null(hs_text_nfc("\xff\xfe bad"));
    assert_null(hs_text_nfc(NULL));
}

/* Renders one label through the public tile-mode entry point. */
static unsigned char *render_label(hs_render_ctx *ctx, const char *text, int *stride)
{
    hs_map_label lab = {50, 20, text, 0};
    hs_map_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.labels = &lab;
    spec.nlabels = 1;
    spec.sea = hs_rgb(0xffffff);
    hs_bbox ext = {0, 0, 100, 40};
    unsigned char *px = NULL;
    hs_err err = {0};
    assert_int_equal(hs_render_raster(ctx, &spec, &ext, 200, 80, 2.0, &px, stride, &err), 0);
    return px;
}

static void test_decomposed_renders_identically(void **state)
{
    (void)state;
    hs_err err = {0};
    hs_render_ctx *ctx = hs_render_ctx_new(&err);
    assert_non_null(ctx);
    const char *pairs[3][2] = {{QN_DECOMP, "Quảng Ninh"}, {DB_DECOMP, "Điện Biên"}, {HT_DECOMP, "Hà Tĩnh"}};
    for (int i = 0; i < 3; i++) {
        int s1, s2;
        unsigned char *a = render_label(ctx, pairs[i][0], &s1);
        unsigned char *b = render_label(ctx, pairs[i][1], &s2);
        assert_int_equal(s1, s2);
        assert_memory_equal(a, b, (size_t)s1 * 80);
        /* and something was drawn */
        int ink = 0;
        for (int k = 0; k < s1 * 80; k += 4)
            ink += a[k] < 0x80;
        assert_true(ink > 50);
        free(a), free(b);
    }
    /* a different mark must render differently (the comparison is not vacuous) */
    int s1, s2;
    unsigned char *a = render_label(ctx, "Quảng Ninh", &s1);
    unsigned char *b = render_label(ctx, "Quáng Ninh", &s2);
    assert_true(memcmp(a, b, (size_t)s1 * 80) != 0);
    free(a), free(b);
    hs_render_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_format),
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_decomposed_renders_identically),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* release fontconfig's process-wide caches so LeakSanitizer sees only our leaks */
    cairo_debug_reset_static_data();
    FcFini();
    return rc;
}
