/* hs_utf8: the one validator behind queries, CSV fields and error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hs_utf8.h"

static size_t seq(const char *s, size_t n)
{
    return hs_utf8_seq((const unsigned char *)s, n);
}

static void test_seq_lengths(void **state)
{
    (void)state;
    assert_int_equal(seq("a", 1), 1);
    assert_int_equal(seq("\xC3\xA1", 2), 2);         /* á */
    assert_int_equal(seq("\xE1\xBB\x87", 3), 3);     /* ệ */
    assert_int_equal(seq("\xF0\x9F\x98\x80", 4), 4); /* U+1F600 */
    assert_int_equal(seq("\xE1\xBB", 2), 0);         /* truncated */
    assert_int_equal(seq("", 0), 0);
}

static void test_seq_rejects_ill_formed(void **state)
{
    (void)state;
    assert_int_equal(seq("\x80", 1), 0);             /* stray continuation */
    assert_int_equal(seq("\xC0\xAF", 2), 0);         /* overlong '/' */
    assert_int_equal(seq("\xC1\xBF", 2), 0);
    assert_int_equal(seq("\xE0\x80\xAF", 3), 0);     /* overlong, 3 bytes */
    assert_int_equal(seq("\xED\xA0\x80", 3), 0);     /* surrogate U+D800 */
    assert_int_equal(seq("\xF0\x80\x80\xAF", 4), 0); /* overlong, 4 bytes */
    assert_int_equal(seq("\xF4\x90\x80\x80", 4), 0); /* U+110000 */
    assert_int_equal(seq("\xF5\x80\x80\x80", 4), 0);
    assert_int_equal(seq("\xC3(", 2), 0);            /* bad continuation */
}

static void test_check_reports_offset(void **state)
{
    (void)state;
    const char *vn = "Hà Giang, Lạng Sơn";
    size_t bad = 99;
    assert_int_equal(hs_utf8_check((const unsigned char *)vn, strlen(vn), &bad), 1);
    assert_int_equal(bad, 99);
    assert_int_equal(hs_utf8_check((const unsigned char *)"ab\xFF" "c", 4, &bad), 0);
    assert_int_equal(bad, 2);
    assert_int_equal(hs_utf8_check((const unsigned char *)"\xC3\xA1\xE1\xBB", 4, &bad), 0);
    assert_int_equal(bad, 2);
    assert_int_equal(hs_utf8_check((const unsigned char *)"", 0, NULL), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_lengths),
        cmocka_unit_test(test_seq_rejects_ill_formed),
        cmocka_unit_test(test_check_reports_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
