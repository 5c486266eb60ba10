/* hs_config_parse_buffer: the serve config format and its line-numbered errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_config.h"

static const char *const keys[] = {"listen", "threads", "public-url", NULL};

typedef struct {
    char seen[256];
} acc;

static int collect(void *ctx, const char *key, const char *value, unsigned line, hs_err *err)
{
    acc *a = ctx;
    size_t o = strlen(a->seen);
    snprintf(a->seen + o, sizeof a->seen - o, "%u:%s=%s;", line, key, value);
    if (!strcmp(value, "bad"))
        return hs_err_set(err, HS_EINVAL, "%s is bad", key);
    return 0;
}

static int run(const char *text, acc *a, hs_err *e)
{
    memset(a, 0, sizeof *a);
    memset(e, 0, sizeof *e);
    return hs_config_parse_buffer(text, strlen(text), keys, collect, a, e);
}

static void test_ok(void **state)
{
    (void)state;
    acc a;
    hs_err e;
    assert_int_equal(run("# c\n\n  listen =  127.0.0.1:1 \r\nthreads=4\npublic-url = http://a/b", &a, &e), 0);
    assert_string_equal(a.seen, "3:listen=127.0.0.1:1;4:threads=4;5:public-url=http://a/b;");
    assert_int_equal(run("", &a, &e), 0);
    assert_int_equal(run("listen =\n", &a, &e), 0);
    assert_string_equal(a.seen, "1:listen=;");
}

static void test_errors(void **state)
{
    (void)state;
    acc a;
    hs_err e;
    assert_int_equal(run("listen = x\nthreds = 2\n", &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 2: unknown key 'threds'"));
    assert_non_null(strstr(e.msg, "known: listen, threads, public-url"));
    assert_int_equal(run("\n\nthreads\n", &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 3: expected 'key = value'"));
    assert_int_equal(run("threads = 1\nthreads = 2\n", &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 2: 'threads' is set twice"));
    assert_int_equal(run(" = 2\n", &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 1: missing key"));
    assert_int_equal(run("listen = ok\nthreads = bad\n", &a, &e), HS_EINVAL);
    assert_string_equal(e.msg, "line 2: threads is bad");
    const char nul[] = "listen = a\0b\n";
    memset(&e, 0, sizeof e);
    assert_int_equal(hs_config_parse_buffer(nul, sizeof nul - 1, keys, collect, &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 1: contains a NUL byte"));
    static char big[HS_CONFIG_LINE_MAX + 20];
    memset(big, 'a', sizeof big - 1);
    assert_int_equal(run(big, &a, &e), HS_EINVAL);
    assert_non_null(strstr(e.msg, "line 1: longer than"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_ok), cmocka_unit_test(test_errors)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
