#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_query.h"

static hs_arena *A;

static int setup(void **state)
{
    (void)state;
    A = hs_arena_create(0);
    return A ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hs_arena_destroy(A);
    return 0;
}

static hs_query *parse_ok(const char *s)
{
    hs_query *q = NULL;
    hs_err err = {0};
    int rc = hs_query_parse(A, s, strlen(s), &q, &err);
    if (rc)
        fail_msg("parse '%s': %s", s, err.msg);
    return q;
}

/* Parses s expecting failure; checks the message contains `want`. */
static void parse_bad(const char *s, size_t len, const char *want)
{
    hs_query *q = NULL;
    hs_err err = {0};
    assert_int_equal(hs_query_parse(A, s, len, &q, &err), HS_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("parse '%s': message '%s' lacks '%s'", s, err.msg, want);
}

/* Asserts err names the parameter and includes `want`, and the query records it. */
static void expect_err(hs_query *q, int rc, const hs_err *err, const char *param, const char *want)
{
    assert_int_equal(rc, HS_EINVAL);
    char quoted[80];
    snprintf(quoted, sizeof quoted, "'%s'", param);
    if (!strstr(err->msg, quoted) || !strstr(err->msg, want))
        fail_msg("message '%s' should name %s and contain '%s'", err->msg, quoted, want);
    assert_string_equal(hs_query_error_param(q), param);
}

static void test_decoding(void **state)
{
    (void)state;
    hs_query *q = parse_ok("a=1&b=hello+world&c=%C4%90i%E1%BB%87n%20Bi%C3%AAn&d&e=&&f=a%2Bb%26c%3D");
    assert_int_equal(hs_query_count(q), 6);
    assert_string_equal(hs_query_key(q, 0), "a");
    assert_string_equal(hs_query_value(q, 1), "hello world");
    assert_string_equal(hs_query_value(q, 2), "Điện Biên");
    assert_string_equal(hs_query_value(q, 3), "");
    assert_string_equal(hs_query_value(q, 4), "");
    assert_string_equal(hs_query_value(q, 5), "a+b&c=");
    assert_null(hs_query_key(q, 6));
    q = parse_ok("");
    assert_int_equal(hs_query_count(q), 0);
    hs_err err = {0};
    assert_int_equal(hs_query_parse(A, NULL, 5, &q, &err), 0);
    assert_int_equal(hs_query_count(q), 0);
    /* Not NUL-terminated input: only len bytes are read. */
    q = NULL;
    assert_int_equal(hs_query_parse(A, "z=1GARBAGE", 3, &q, &err), 0);
    assert_string_equal(hs_query_value(q, 0), "1");
}

static void test_malformed(void **state)
{
    (void)state;
    parse_bad("z=%", 3, "parameter 'z': malformed percent-encoding");
    parse_bad("z=%4", 4, "'%4'");
    parse_bad("z=%G1", 5, "'%G1'");
    parse_bad("z=ab%zz", 7, "two hex digits");
    parse_bad("%zz=1", 5, "parameter name");
    parse_bad("=1", 2, "empty parameter name");
    parse_bad("a=1&=2", 6, "empty parameter name in query pair 2");
    parse_bad("z=%00", 5, "parameter 'z'");
    parse_bad("z=%0A", 5, "control characters");
    parse_bad("z=%FF", 5, "not valid UTF-8");
    parse_bad("z=%C0%AF", 8, "not valid UTF-8");       /* overlong '/' */
    parse_bad("z=%ED%A0%80", 11, "not valid UTF-8");   /* surrogate */
    parse_bad("z=%F4%90%80%80", 14, "not valid UTF-8"); /* > U+10FFFF */
    parse_bad("z=\xC3", 3, "not valid UTF-8");         /* truncated sequence */
}

static void test_caps(void **state)
{
    (void)state;
    char big[HS_QUERY_MAX_LEN + 16];
    memset(big, 'a', sizeof big);
    parse_bad(big, sizeof big, "limit is 4096");
    /* Too many pairs. */
    char many[HS_QUERY_MAX_LEN];
    size_t o = 0;
    for (int i = 0; i < HS_QUERY_MAX_PARAMS + 1; i++)
        o += (size_t)snprintf(many + o, sizeof many - o, "%sk%d=1", i ? "&" : "", i);
    parse_bad(many, o, "more than 64 query parameters");
    /* Overlong key and value. */
    char key[HS_QUERY_MAX_KEY + 10];
    memset(key, 'k', sizeof key - 3);
    memcpy(key + sizeof key - 3, "=1", 3);
    parse_bad(key, strlen(key), "limit is 64");
    char val[HS_QUERY_MAX_VALUE + 10];
    memcpy(val, "v=", 2);
    memset(val + 2, 'x', sizeof val - 3);
    val[sizeof val - 1] = '\0';
    parse_bad(val, strlen(val), "parameter 'v': value is");
}

static void test_int(void **state)
{
    (void)state;
    hs_query *q = parse_ok("z=5&neg=-3&bad=5x&sp=+5&big=99999999999999999999&empty=&dup=1&dup=2");
    hs_err err = {0};
    long v = 0;
    assert_int_equal(hs_query_int(q, "z", 0, 22, 0, &v, &err), 0);
    assert_int_equal(v, 5);
    assert_int_equal(hs_query_int(q, "neg", -10, 10, 0, &v, &err), 0);
    assert_int_equal(v, -3);
    assert_int_equal(hs_query_int(q, "absent", 0, 10, 7, &v, &err), 0);
    assert_int_equal(v, 7);
    expect_err(q, hs_query_int(q, "z", 6, 22, 0, &v, &err), &err, "z", "from 6 to 22 (got '5')");
    expect_err(q, hs_query_int(q, "bad", 0, 9, 0, &v, &err), &err, "bad", "an integer");
    expect_err(q, hs_query_int(q, "sp", 0, 9, 0, &v, &err), &err, "sp", "an integer");
    expect_err(q, hs_query_int(q, "big", 0, 9, 0, &v, &err), &err, "big", "an integer");
    expect_err(q, hs_query_int(q, "empty", 0, 9, 0, &v, &err), &err, "empty", "an integer");
    expect_err(q, hs_query_int(q, "dup", 0, 9, 0, &v, &err), &err, "dup", "given 2 times");
}

static void test_double_bool_str(void **state)
{
    (void)state;
    hs_query *q = parse_ok("r=2.5&inf=inf&nan=nan&hex=0x10&t=true&f=0&y=yes&m=maybe&s=abc");
    hs_err err = {0};
    double d;
    assert_int_equal(hs_query_double(q, "r", 0, 10, 1, &d, &err), 0);
    assert_true(d == 2.5);
    expect_err(q, hs_query_double(q, "r", 3, 10, 1, &d, &err), &err, "r", "a number from 3 to 10");
    expect_err(q, hs_query_double(q, "inf", -1e300, 1e300, 1, &d, &err), &err, "inf", "a number");
    expect_err(q, hs_query_double(q, "nan", -1, 1, 1, &d, &err), &err, "nan", "a number");
    expect_err(q, hs_query_double(q, "hex", 0, 100, 1, &d, &err), &err, "hex", "a number");
    int b;
    assert_int_equal(hs_query_bool(q, "t", 0, &b, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(hs_query_bool(q, "f", 1, &b, &err), 0);
    assert_int_equal(b, 0);
    assert_int_equal(hs_query_bool(q, "y", 0, &b, &err), 0);
    assert_int_equal(b, 1);
    assert_int_equal(hs_query_bool(q, "absent", 1, &b, &err), 0);
    assert_int_equal(b, 1);
    expect_err(q, hs_query_bool(q, "m", 0, &b, &err), &err, "m", "one of true, false");
    const char *s;
    assert_int_equal(hs_query_str(q, "s", 10, "d", &s, &err), 0);
    assert_string_equal(s, "abc");
    assert_int_equal(hs_query_str(q, "absent", 10, "d", &s, &err), 0);
    assert_string_equal(s, "d");
    expect_err(q, hs_query_str(q, "s", 2, "d", &s, &err), &err, "s", "limit is 2");
}

static void test_enum(void **state)
{
    (void)state;
    static const char *const ind[] = {"cases", "victims", "suspects", "outreach_events", NULL};
    hs_query *q = parse_ok("indicator=victims&bad=Cases");
    hs_err err = {0};
    int i;
    assert_int_equal(hs_query_enum(q, "indicator", ind, 0, &i, &err), 0);
    assert_int_equal(i, 1);
    assert_int_equal(hs_query_enum(q, "absent", ind, -1, &i, &err), 0);
    assert_int_equal(i, -1);
    expect_err(q, hs_query_enum(q, "bad", ind, 0, &i, &err), &err, "bad",
               "one of cases, victims, suspects, outreach_events (got 'Cases')");
}

static void test_period(void **state)
{
    (void)state;
    hs_query *q = parse_ok("from=2021-01&to=2026-10&m13=2024-13&short=2024-1&y=1899-12&t=2024-01x");
    hs_err err = {0};
    int p;
    assert_int_equal(hs_query_period(q, "from", 0, &p, &err), 0);
    assert_int_equal(p, HS_PERIOD(2021, 1));
    assert_int_equal(hs_query_period(q, "to", 0, &p, &err), 0);
    assert_int_equal(p, HS_PERIOD(2026, 10));
    char buf[8];
    hs_period_format(p, buf, sizeof buf);
    assert_string_equal(buf, "2026-10");
    assert_int_equal(HS_PERIOD(2022, 1) - HS_PERIOD(2021, 12), 1);
    assert_int_equal(hs_query_period(q, "absent", 42, &p, &err), 0);
    assert_int_equal(p, 42);
    const char *bad[] = {"m13", "short", "y", "t"};
    for (size_t k = 0; k < 4; k++)
        expect_err(q, hs_query_period(q, bad[k], 0, &p, &err), &err, bad[k], "YYYY-MM");
}

static void test_bbox(void **state)
{
    (void)state;
    hs_query *q = parse_ok("b=102.1,8.5,109.5,23.4&neg=-1e1,-5,5,5&inv=109,8,102,23&few=1,2,3"
                           "&out=100,8,190,23&junk=1,2,3,4,5&sp=1,%202,3,4");
    hs_err err = {0};
    hs_bbox b;
    int present;
    assert_int_equal(hs_query_bbox(q, "b", &present, &b, &err), 0);
    assert_int_equal(present, 1);
    assert_true(b.minx == 102.1 && b.miny == 8.5 && b.maxx == 109.5 && b.maxy == 23.4);
    assert_int_equal(hs_query_bbox(q, "neg", &present, &b, &err), 0);
    assert_true(b.minx == -10);
    assert_int_equal(hs_query_bbox(q, "absent", &present, &b, &err), 0);
    assert_int_equal(present, 0);
    const char *bad[] = {"inv", "few", "out", "junk", "sp"};
    for (size_t k = 0; k < 5; k++)
        expect_err(q, hs_query_bbox(q, bad[k], &present, &b, &err), &err, bad[k], "minlon,minlat");
}

static void test_allowed_and_require(void **state)
{
    (void)state;
    static const char *const allowed[] = {"indicator", "from", "to", NULL};
    hs_query *q = parse_ok("indicater=cases&from=2021-01&zoom=3&zoom=4");
    hs_err err = {0};
    assert_int_equal(hs_query_check_allowed(q, allowed, &err), HS_EINVAL);
    assert_string_equal(err.msg, "unknown parameters 'indicater', 'zoom' (allowed: indicator, from, to)");
    assert_string_equal(hs_query_error_param(q), "indicater");
    q = parse_ok("x=1");
    assert_int_equal(hs_query_check_allowed(q, NULL, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "unknown parameter 'x' (allowed: none)"));
    q = parse_ok("from=2021-01");
    assert_int_equal(hs_query_check_allowed(q, allowed, &err), 0);
    assert_null(hs_query_error_param(q));
    assert_int_equal(hs_query_require(q, "from", &err), 0);
    expect_err(q, hs_query_require(q, "to", &err), &err, "to", "missing required parameter");
    q = parse_ok("u=a&u=b&u=c");
    const char *const *vals;
    size_t n;
    assert_int_equal(hs_query_values(q, "u", &vals, &n, &err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(vals[2], "c");
    assert_int_equal(hs_query_has(q, "u"), 3);
}

static void test_helpers(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(hs_url_decode("a%41+b", 6, 1, out), 4);
    assert_memory_equal(out, "aA b", 4);
    assert_int_equal(hs_url_decode("a+b", 3, 0, out), 3);
    assert_memory_equal(out, "a+b", 3);
    assert_int_equal(hs_url_decode("ab%4", 4, 0, out), -1 - 2);
    assert_true(hs_utf8_valid((const unsigned char *)"Quảng", strlen("Quảng")));
    assert_false(hs_utf8_valid((const unsigned char *)"\xE1\xBA", 2));
    char shown[32];
    hs_query_show(shown, sizeof shown, "ảảảảảảảả", 7); /* cut inside a character */
    assert_true(hs_utf8_valid((const unsigned char *)shown, strlen(shown)));
    assert_non_null(strstr(shown, "..."));
    hs_query_show(shown, sizeof shown, "a\nb", 10);
    assert_string_equal(shown, "a?b");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoding),       cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_caps),           cmocka_unit_test(test_int),
        cmocka_unit_test(test_double_bool_str), cmocka_unit_test(test_enum),
        cmocka_unit_test(test_period),         cmocka_unit_test(test_bbox),
        cmocka_unit_test(test_allowed_and_require), cmocka_unit_test(test_helpers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
