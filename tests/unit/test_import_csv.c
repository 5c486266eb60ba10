/* Tests of the monthly CSV parser: hs_csv (tokenizer, field parsers), hs_monthly
 * (validation with line/column messages) and hs_errlist (bounded error list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hs_csv.h"
#include "hs_errlist.h"
#include "hs_monthly.h"

/* ---- hs_csv tokenizer ---- */

static void expect_record(hs_csv *c, unsigned long line, size_t n, const char *const *want)
{
    hs_csv_record r;
    hs_err err = {0};
    assert_int_equal(hs_csv_next(c, &r, &err), 1);
    assert_int_equal(r.line, line);
    assert_int_equal(r.nfields, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(r.len[i], strlen(want[i]));
        assert_memory_equal(r.field[i], want[i], r.len[i]);
        assert_int_equal(r.field[i][r.len[i]], '\0');
    }
}

static void expect_eof(hs_csv *c)
{
    hs_csv_record r;
    hs_err err = {0};
    assert_int_equal(hs_csv_next(c, &r, &err), 0);
}

static void test_csv_plain_lf(void **state)
{
    (void)state;
    const char *in = "a,b,c\n1,2,3\n";
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    expect_record(&c, 1, 3, (const char *[]){"a", "b", "c"});
    expect_record(&c, 2, 3, (const char *[]){"1", "2", "3"});
    expect_eof(&c);
    hs_csv_free(&c);
}

static void test_csv_crlf_bom_no_final_eol(void **state)
{
    (void)state;
    const char *in = "\xEF\xBB\xBFunit_code,x\r\nA,\r\n\r\nB,2";
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    assert_int_equal(c.had_bom, 1);
    expect_record(&c, 1, 2, (const char *[]){"unit_code", "x"});
    expect_record(&c, 2, 2, (const char *[]){"A", ""});
    /* line 3 is blank and skipped, but still counted */
    expect_record(&c, 4, 2, (const char *[]){"B", "2"});
    expect_eof(&c);
    hs_csv_free(&c);
}

static void test_csv_lone_cr(void **state)
{
    (void)state;
    const char *in = "a\rb\r";
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    expect_record(&c, 1, 1, (const char *[]){"a"});
    expect_record(&c, 2, 1, (const char *[]){"b"});
    expect_eof(&c);
    hs_csv_free(&c);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char *in = "\"a,b\",\"say \"\"hi\"\"\",\"\"\n"
                     "\"two\nlines\",x\r\n"
                     "\"crlf\r\ninside\",y\n"
                     "z,\"\"\"\"\n";
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    expect_record(&c, 1, 3, (const char *[]){"a,b", "say \"hi\"", ""});
    expect_record(&c, 2, 2, (const char *[]){"two\nlines", "x"});
    expect_record(&c, 4, 2, (const char *[]){"crlf\r\ninside", "y"});
    expect_record(&c, 6, 2, (const char *[]){"z", "\""});
    expect_eof(&c);
    hs_csv_free(&c);
}

static void expect_syntax_error(hs_csv *c, unsigned long line, size_t field, const char *needle)
{
    hs_csv_record r;
    hs_err err = {0};
    assert_int_equal(hs_csv_next(c, &r, &err), HS_EINVAL);
    assert_int_equal(r.line, line);
    assert_int_equal(r.bad_field, field);
    assert_non_null(strstr(err.msg, needle));
}

static void test_csv_syntax_errors_and_recovery(void **state)
{
    (void)state;
    const char *in = "a,b\"c,d\n" /* quote inside unquoted field 1 */
                     "ok,1\n"
                     "\"x\"y,2\n" /* text after closing quote, field 0 */
                     "ok,2\n"
                     "q,\"never closed\nmore\n";
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    expect_syntax_error(&c, 1, 1, "quote inside an unquoted field");
    expect_record(&c, 2, 2, (const char *[]){"ok", "1"});
    expect_syntax_error(&c, 3, 0, "after a closing quote");
    expect_record(&c, 4, 2, (const char *[]){"ok", "2"});
    expect_syntax_error(&c, 5, 1, "never closed");
    expect_eof(&c);
    hs_csv_free(&c);
}

static void test_csv_record_cap(void **state)
{
    (void)state;
    size_t n = HS_CSV_MAX_RECORD + 10;
    char *in = malloc(n + 8);
    assert_non_null(in);
    memset(in, 'x', n);
    memcpy(in + n, "\nok\n", 5);
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    expect_syntax_error(&c, 1, 0, "longer than");
    expect_record(&c, 2, 1, (const char *[]){"ok"});
    hs_csv_free(&c);
    free(in);
}

static void test_csv_many_fields_counted(void **state)
{
    (void)state;
    char in[512] = "";
    for (int i = 0; i < 100; i++)
        strcat(in, i ? ",f" : "f");
    hs_csv c;
    hs_csv_init(&c, in, strlen(in));
    hs_csv_record r;
    hs_err err = {0};
    assert_int_equal(hs_csv_next(&c, &r, &err), 1);
    assert_int_equal(r.nfields, 100);
    hs_csv_free(&c);
}

/* ---- field parsers ---- */

static void test_utf8(void **state)
{
    (void)state;
    size_t bad = 99;
    const char *vn = "Xã Đồng Tâm 𝄞";
    assert_int_equal(hs_csv_check_utf8(vn, strlen(vn), &bad), 0);
    assert_int_equal(hs_csv_check_utf8("ab\xFF", 3, &bad), -1);
    assert_int_equal(bad, 2);
    assert_int_equal(hs_csv_check_utf8("\xC0\xAF", 2, &bad), -1);     /* overlong '/' */
    assert_int_equal(hs_csv_check_utf8("\xED\xA0\x80", 3, &bad), -1); /* surrogate */
    assert_int_equal(hs_csv_check_utf8("a\0b", 3, &bad), -1);
    assert_int_equal(bad, 1);
    assert_int_equal(hs_csv_check_utf8("\xE1\xBB", 2, &bad), -1);         /* truncated */
    assert_int_equal(hs_csv_check_utf8("\xF4\x90\x80\x80", 4, &bad), -1); /* > U+10FFFF */
}

static void test_quote(void **state)
{
    (void)state;
    char q[128];
    assert_string_equal(hs_csv_quote("ab\xFF\n", 4, q, sizeof q), "'ab\\xFF\\x0A'");
    assert_string_equal(hs_csv_quote("Đà", strlen("Đà"), q, sizeof q), "'Đà'");
    char long_in[200];
    memset(long_in, 'y', sizeof long_in);
    hs_csv_quote(long_in, sizeof long_in, q, sizeof q);
    assert_non_null(strstr(q, "...'"));
    assert_true(strlen(q) < 50);
}

static void test_period(void **state)
{
    (void)state;
    int y = 0, m = 0;
    hs_err err = {0};
    assert_int_equal(hs_csv_parse_period("2024-07", 7, &y, &m, &err), 0);
    assert_int_equal(y, 2024);
    assert_int_equal(m, 7);
    assert_int_equal(hs_csv_parse_period("1900-01", 7, &y, &m, &err), 0);
    assert_int_equal(hs_csv_parse_period("2200-12", 7, &y, &m, &err), 0);
    struct {
        const char *in, *needle;
    } bad[] = {
        {"", "period is empty"},
        {"2024-7", "expected YYYY-MM"},
        {"2024/07", "expected YYYY-MM"},
        {"2024-07-01", "expected YYYY-MM"},
        {" 2024-07", "expected YYYY-MM"},
        {"2024-00", "month must be 01-12"},
        {"2024-13", "month must be 01-12"},
        {"1899-12", "year must be 1900-2200"},
        {"2201-01", "year must be 1900-2200"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hs_csv_parse_period(bad[i].in, strlen(bad[i].in), &y, &m, &err),
                         HS_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].needle));
    }
}

static void test_count(void **state)
{
    (void)state;
    int32_t v = -1;
    hs_err err = {0};
    assert_int_equal(hs_csv_parse_count("0", 1, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(hs_csv_parse_count("007", 3, &v, &err), 0);
    assert_int_equal(v, 7);
    assert_int_equal(hs_csv_parse_count("2147483647", 10, &v, &err), 0);
    assert_int_equal(v, INT32_MAX);
    struct {
        const char *in, *needle;
    } bad[] = {
        {"", "count is empty"},
        {"-1", "negative count '-1'"},
        {"1.5", "'1.5' is not a whole number"},
        {"1e3", "not a whole number"},
        {" 3", "not a whole number"},
        {"+3", "not a whole number"},
        {"-", "not a whole number"},
        {"2147483648", "too large"},
        {"99999999999999999999999", "too large"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(hs_csv_parse_count(bad[i].in, strlen(bad[i].in), &v, &err), HS_EINVAL);
        assert_non_null(strstr(err.msg, bad[i].needle));
    }
}

/* ---- hs_monthly ---- */

static void parse(hs_monthly *m, hs_monthly_kind kind, const char *in)
{
    hs_err err = {0};
    hs_monthly_init(m, kind);
    assert_int_equal(hs_monthly_parse(m, in, strlen(in), &err), 0);
    hs_errlist_sort(&m->errors);
}

/* Asserts the error list is exactly `want` (in line order). */
static void expect_errors(hs_monthly *m, size_t n, const char *const *want)
{
    for (size_t i = 0; i < m->errors.n; i++)
        print_message("  [%zu] %s\n", i, m->errors.items[i].msg);
    assert_int_equal(m->errors.total, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(m->errors.items[i].msg, want[i]);
}

static void test_monthly_good(void **state)
{
    (void)state;
    hs_monthly m;
    parse(&m, HS_MONTHLY_CASES,
          "\xEF\xBB\xBFunit_code,period,cases,victims,suspects\r\n"
          "01001,2024-01,1,2,3\r\n"
          "\"01002\",\"2024-02\",0,0,0\r\n"
          "01001,2024-03,4,5,6\r\n");
    expect_errors(&m, 0, NULL);
    assert_int_equal(m.nrows, 3);
    assert_int_equal(m.ncodes, 2);
    assert_int_equal(m.nperiods, 3);
    assert_string_equal(m.codes[m.rows[1].unit], "01002");
    assert_int_equal(m.rows[2].v[0], 4);
    assert_int_equal(m.rows[2].v[2], 6);
    assert_int_equal(m.rows[2].line, 4);
    char p[8];
    assert_string_equal(hs_monthly_period_str(m.period_min, p), "2024-01");
    assert_string_equal(hs_monthly_period_str(m.period_max, p), "2024-03");
    hs_monthly_free(&m);

    parse(&m, HS_MONTHLY_OUTREACH,
          "unit_code,period,events,participants,hotline_calls\nX,2021-12,1,250,3\n");
    expect_errors(&m, 0, NULL);
    assert_int_equal(m.rows[0].v[1], 250);
    hs_monthly_free(&m);
}

static void test_monthly_header(void **state)
{
    (void)state;
    hs_monthly m;
    parse(&m, HS_MONTHLY_CASES, "unit_code,period,cases,victims\nA,2024-01,1,1\n");
    expect_errors(&m, 1,
                  (const char *[]){"line 1: wrong header: expected "
                                   "'unit_code,period,cases,victims,suspects', found "
                                   "'unit_code,period,cases,victims'"});
    hs_monthly_free(&m);

    parse(&m, HS_MONTHLY_CASES, "unit_code,period,events,participants,hotline_calls\n");
    expect_errors(&m, 1,
                  (const char *[]){"line 1: wrong header: expected "
                                   "'unit_code,period,cases,victims,suspects', found "
                                   "'unit_code,period,events,participants,hotline_calls' (that "
                                   "is an outreach file: use `hotspot import outreach`)"});
    hs_monthly_free(&m);

    parse(&m, HS_MONTHLY_OUTREACH, "");
    expect_errors(&m, 1,
                  (const char *[]){"line 1: the file is empty (expected the header "
                                   "'unit_code,period,events,participants,hotline_calls')"});
    hs_monthly_free(&m);

    /* Header names are exact: case and spaces matter. */
    parse(&m, HS_MONTHLY_CASES, "Unit_code,period,cases,victims, suspects\n");
    assert_int_equal(m.errors.total, 1);
    assert_non_null(
        strstr(m.errors.items[0].msg, "found 'Unit_code,period,cases,victims, suspects'"));
    hs_monthly_free(&m);
}

static void test_monthly_every_error(void **state)
{
    (void)state;
    hs_monthly m;
    parse(&m, HS_MONTHLY_CASES,
          "unit_code,period,cases,victims,suspects\n"
          "A,2024-13,1,2,3\n"           /* 2 bad period */
          "A,2024-01,-1,x,1.5\n"        /* 3 three bad counts */
          "A,2024-01,1,2\n"             /* 4 field count */
          "B,2024-02,1,2,99999999999\n" /* 5 overflow */
          "B,2024-02,1,2,3\n"           /* 6 duplicate of 5 */
          "C\xFF,2024-03,1,1,1\n"       /* 7 not UTF-8 */
          ",2024-03,1,1,1\n"            /* 8 empty code */
          "a b,2024-03,1,1,1\n"         /* 9 bad code */
          "D,2024-03,1,1,1,\n"          /* 10 six fields */
          "E,2024-03,\"1\"x,1,1\n"      /* 11 syntax */
          "F,,,1,1\n");                 /* 12 empty period and count */
    const char *want[] = {
        "line 2, column period: bad period '2024-13': month must be 01-12",
        "line 3, column cases: negative count '-1': counts must be 0 or more",
        "line 3, column victims: count 'x' is not a whole number (digits 0-9 only)",
        "line 3, column suspects: count '1.5' is not a whole number (digits 0-9 only)",
        "line 4: 4 fields, expected 5 (unit_code,period,cases,victims,suspects)",
        "line 5, column suspects: count '99999999999' is too large (at most 2147483647)",
        "line 6, columns unit_code,period: duplicate row for unit B, period 2024-02 (first on "
        "line 5)",
        "line 7, column unit_code: byte 0xFF at position 2 is not UTF-8 (save the file as UTF-8)",
        "line 8, column unit_code: unit code is empty",
        "line 9, column unit_code: 'a b' is not a unit code (1-32 letters, digits, '_', '.', "
        "'-')",
        "line 10: 6 fields, expected 5 (unit_code,period,cases,victims,suspects)",
        "line 11, column cases: unexpected character after a closing quote (inner quotes must "
        "be doubled: \"\")",
        "line 12, column period: period is empty (expected YYYY-MM, e.g. 2024-07)",
        "line 12, column cases: count is empty (write 0 for none)",
    };
    expect_errors(&m, sizeof want / sizeof want[0], want);
    assert_int_equal(m.records, 11);
    hs_monthly_free(&m);
}

static void test_monthly_unknown_units(void **state)
{
    (void)state;
    hs_monthly m;
    parse(&m, HS_MONTHLY_OUTREACH,
          "unit_code,period,events,participants,hotline_calls\n"
          "A,2024-01,1,1,1\n"
          "Z,2024-01,1,1,1\n"
          "A,2024-02,1,1,x\n"
          "Z,2024-02,1,1,1\n");
    assert_int_equal(m.errors.total, 1);
    const char *unknown[] = {"Z", "NOT_IN_FILE"};
    hs_monthly_report_unknown(&m, unknown, 2);
    hs_errlist_sort(&m.errors);
    const char *want[] = {
        "line 3, column unit_code: unknown unit Z (not in the database: import the units first)",
        "line 4, column hotline_calls: count 'x' is not a whole number (digits 0-9 only)",
        "line 5, column unit_code: unknown unit Z (not in the database: import the units first)",
    };
    expect_errors(&m, 3, want);
    hs_monthly_free(&m);
}

/* Quoted fields spanning lines keep line numbers right for later errors. */
static void test_monthly_line_numbers_after_multiline_field(void **state)
{
    (void)state;
    hs_monthly m;
    parse(&m, HS_MONTHLY_CASES,
          "unit_code,period,cases,victims,suspects\r\n"
          "\"A\",2024-01,\"1\",\"2\",\"3\"\r\n"
          "\"B\n\",2024-01,1,1,1\r\n"
          "C,2024-01,1,1,-2\r\n");
    const char *want[] = {
        "line 3, column unit_code: 'B\\x0A' is not a unit code (1-32 letters, digits, '_', '.', "
        "'-')",
        "line 5, column suspects: negative count '-2': counts must be 0 or more",
    };
    expect_errors(&m, 2, want);
    hs_monthly_free(&m);
}

/* Hundreds of errors: all counted, the first HS_MONTHLY_ERRORS_KEPT kept in order. */
static void test_monthly_error_cap(void **state)
{
    (void)state;
    size_t cap = 64 + 500 * 32;
    char *in = malloc(cap);
    assert_non_null(in);
    size_t o = (size_t)snprintf(in, cap, "unit_code,period,cases,victims,suspects\n");
    for (int i = 0; i < 500; i++)
        o += (size_t)snprintf(in + o, cap - o, "U%d,2024-99,1,1,1\n", i);
    hs_monthly m;
    parse(&m, HS_MONTHLY_CASES, in);
    assert_int_equal(m.errors.total, 500);
    assert_int_equal(m.errors.n, HS_MONTHLY_ERRORS_KEPT);
    assert_int_equal(hs_errlist_dropped(&m.errors), 500 - HS_MONTHLY_ERRORS_KEPT);
    assert_int_equal(m.errors.items[0].key, 2);
    assert_int_equal(m.errors.items[HS_MONTHLY_ERRORS_KEPT - 1].key, HS_MONTHLY_ERRORS_KEPT + 1);
    /* A later pass adding an earlier line still lands in the kept list. */
    const char *unknown[] = {"U0"};
    hs_monthly_report_unknown(&m, unknown, 1);
    hs_errlist_sort(&m.errors);
    assert_int_equal(m.errors.total, 501);
    assert_int_equal(m.errors.items[1].key, 2);
    assert_non_null(strstr(m.errors.items[1].msg, "unknown unit U0"));
    hs_monthly_free(&m);
    free(in);
}

/* ---- hs_errlist ---- */

static void test_errlist_keeps_smallest(void **state)
{
    (void)state;
    hs_errlist l;
    hs_errlist_init(&l, 3);
    unsigned long keys[] = {10, 20, 30, 40, 5, 25, 5};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        hs_errlist_add(&l, keys[i], "k%lu #%zu", keys[i], i);
    hs_errlist_sort(&l);
    assert_int_equal(l.total, 7);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].msg, "k5 #4");
    assert_string_equal(l.items[1].msg, "k5 #6");
    assert_string_equal(l.items[2].msg, "k10 #0");
    hs_errlist_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_plain_lf),
        cmocka_unit_test(test_csv_crlf_bom_no_final_eol),
        cmocka_unit_test(test_csv_lone_cr),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_csv_syntax_errors_and_recovery),
        cmocka_unit_test(test_csv_record_cap),
        cmocka_unit_test(test_csv_many_fields_counted),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_period),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_monthly_good),
        cmocka_unit_test(test_monthly_header),
        cmocka_unit_test(test_monthly_every_error),
        cmocka_unit_test(test_monthly_unknown_units),
        cmocka_unit_test(test_monthly_line_numbers_after_multiline_field),
        cmocka_unit_test(test_monthly_error_cap),
        cmocka_unit_test(test_errlist_keeps_smallest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
