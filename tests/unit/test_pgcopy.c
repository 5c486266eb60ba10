/* hs_pgcopy: COPY text-format escaping (the part that needs no database; the COPY
 * round trip itself is covered by the importer integration tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "hs_pgcopy.h"

static void test_fields_and_escapes(void **state)
{
    (void)state;
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_err err = {0};
    const char raw[] = "a\\b\tc\nd\re";
    assert_int_equal(hs_pgcopy_field(&b, 1, "Xã", strlen("Xã"), &err), 0);
    assert_int_equal(hs_pgcopy_field(&b, 0, raw, strlen(raw), &err), 0);
    assert_int_equal(hs_pgcopy_field(&b, 0, NULL, 0, &err), 0);
    assert_int_equal(hs_pgcopy_field(&b, 0, "", 0, &err), 0);
    assert_int_equal(hs_pgcopy_eol(&b, &err), 0);
    const char want[] = "Xã\ta\\\\b\\tc\\nd\\re\t\\N\t\n";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    hs_buf_free(&b);
}

static void test_cap(void **state)
{
    (void)state;
    hs_buf b;
    hs_buf_init(&b, 8);
    hs_err err = {0};
    assert_int_equal(hs_pgcopy_field(&b, 1, "0123456789", 10, &err), HS_ELIMIT);
    hs_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_escapes),
        cmocka_unit_test(test_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
