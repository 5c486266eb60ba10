/* hs_token and the pure part of hs_access: bearer parsing, hashing, the matrix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hs_access.h"
#include "hs_token.h"

static const char *const GOOD = "hs1_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static int parse(const char *v)
{
    const char *t;
    size_t n;
    hs_err e = {0};
    return hs_auth_parse_bearer(v, strlen(v), &t, &n, &e);
}

static void test_bearer(void **state)
{
    (void)state;
    char buf[200];
    snprintf(buf, sizeof buf, "Bearer %s", GOOD);
    const char *t;
    size_t n;
    hs_err e = {0};
    assert_int_equal(hs_auth_parse_bearer(buf, strlen(buf), &t, &n, &e), 0);
    assert_int_equal(n, HS_TOKEN_LEN);
    assert_memory_equal(t, GOOD, n);
    snprintf(buf, sizeof buf, "bearer   %s", GOOD);
    assert_int_equal(parse(buf), 0);
    snprintf(buf, sizeof buf, "Bearer %sx", GOOD);
    assert_int_equal(parse(buf), HS_EINVAL);
    snprintf(buf, sizeof buf, "Bearer %.*s", (int)strlen(GOOD) - 1, GOOD);
    assert_int_equal(parse(buf), HS_EINVAL);
    snprintf(buf, sizeof buf, "Bearer %s ", GOOD);
    assert_int_equal(parse(buf), HS_EINVAL);
    snprintf(buf, sizeof buf, "Basic %s", GOOD);
    assert_int_equal(parse(buf), HS_EINVAL);
    assert_int_equal(parse("Bearer"), HS_EINVAL);
    assert_int_equal(parse(""), HS_EINVAL);
    snprintf(buf, sizeof buf, "Bearer HS1_%s", GOOD + 4);
    assert_int_equal(parse(buf), HS_EINVAL);
    /* Not NUL-terminated: only n bytes are read. */
    snprintf(buf, sizeof buf, "Bearer %sZZZZ", GOOD);
    assert_int_equal(hs_auth_parse_bearer(buf, 7 + strlen(GOOD), &t, &n, &e), 0);
}

static void test_hash(void **state)
{
    (void)state;
    unsigned char h[HS_TOKEN_HASH_LEN], g[HS_TOKEN_HASH_LEN];
    hs_token_hash("abc", 3, h);
    static const unsigned char want[HS_TOKEN_HASH_LEN] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    assert_memory_equal(h, want, sizeof want); /* FIPS 180-2 test vector */
    assert_true(hs_token_hash_equal(h, want));
    memcpy(g, h, sizeof g);
    g[31] ^= 1;
    assert_false(hs_token_hash_equal(h, g));
}

static void test_generate(void **state)
{
    (void)state;
    char a[HS_TOKEN_LEN + 1], b[HS_TOKEN_LEN + 1];
    hs_err e = {0};
    assert_int_equal(hs_token_generate(a, &e), 0);
    assert_int_equal(hs_token_generate(b, &e), 0);
    assert_int_equal(strlen(a), HS_TOKEN_LEN);
    assert_string_not_equal(a, b);
    char hdr[200];
    snprintf(hdr, sizeof hdr, "Bearer %s", a);
    assert_int_equal(parse(hdr), 0);
}

static void test_provinces(void **state)
{
    (void)state;
    char c[HS_TOKEN_MAX_PROVINCES][HS_TOKEN_CODE_MAX + 1];
    size_t n;
    hs_err e = {0};
    assert_int_equal(hs_token_parse_provinces("01,79", c, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[1], "79");
    assert_int_equal(hs_token_parse_provinces("01,,79", c, &n, &e), HS_EINVAL);
    assert_int_equal(hs_token_parse_provinces("01;79", c, &n, &e), HS_EINVAL);
    assert_int_equal(hs_token_parse_provinces("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", c, &n, &e), HS_ELIMIT);
}

static int verdict(hs_role role, int exposes, const char *level, const char *prov)
{
    hs_principal who = {.role = role, .token_id = 1, .nprov = 1};
    strcpy(who.provinces[0], "01");
    hs_access_verdict v;
    hs_access_check(&who, exposes, &(hs_access_req){.level = level, .province = prov}, &v);
    return v.status;
}

static void test_caps(void **state)
{
    (void)state;
    hs_principal a = {.role = HS_ROLE_ANALYST, .token_id = 1, .nprov = 1}, p = {.role = HS_ROLE_PLANNER};
    strcpy(a.provinces[0], "01");
    hs_access_verdict v;
    hs_access_req rq = {.province = "01", .seed = "7"};
    hs_access_check(&a, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 403);
    hs_access_check(&p, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 0);
    rq = (hs_access_req){.province = "01", .permutations = "999"};
    hs_access_check(&a, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 0);
    rq.permutations = "1000";
    hs_access_check(&a, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 403);
    rq = (hs_access_req){.province = "01", .size = "2400x2400"};
    hs_access_check(&a, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 0);
    rq.size = "2401x10";
    hs_access_check(&a, HS_EXPOSE_DATA, &rq, &v);
    assert_int_equal(v.status, 403);
}

static void test_matrix(void **state)
{
    (void)state;
    for (int r = HS_ROLE_PUBLIC; r <= HS_ROLE_OPERATOR; r++)
        assert_int_equal(verdict(r, HS_EXPOSE_PUBLIC, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_PUBLIC, HS_EXPOSE_DATA, "province", NULL), 401);
    assert_int_equal(verdict(HS_ROLE_PUBLIC, HS_EXPOSE_OPS, NULL, NULL), 401);
    assert_int_equal(verdict(HS_ROLE_PUBLIC, HS_EXPOSE_META, NULL, NULL), 401);
    assert_int_equal(verdict(HS_ROLE_PLANNER, HS_EXPOSE_DATA, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_PLANNER, HS_EXPOSE_OPS, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_OPERATOR, HS_EXPOSE_OPS, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_OPERATOR, HS_EXPOSE_DATA, "province", NULL), 403);
    assert_int_equal(verdict(HS_ROLE_OPERATOR, HS_EXPOSE_META, NULL, NULL), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_META, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_OPS, NULL, NULL), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, NULL, NULL), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "commune", NULL), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "commune", "02"), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "commune", "01"), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, NULL, "01"), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "province", NULL), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "province", "02"), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA, "Province", NULL), 403);
    /* Scoped routes (tiles) draw the national view at the analyst's own detail. */
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA_SCOPED, NULL, NULL), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA_SCOPED, "commune", NULL), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA_SCOPED, "commune", "01"), 0);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA_SCOPED, "commune", "02"), 403);
    assert_int_equal(verdict(HS_ROLE_ANALYST, HS_EXPOSE_DATA_SCOPED, "province", "02"), 403);
    assert_int_equal(verdict(HS_ROLE_OPERATOR, HS_EXPOSE_DATA_SCOPED, NULL, NULL), 403);
    assert_int_equal(verdict(HS_ROLE_PUBLIC, HS_EXPOSE_DATA_SCOPED, NULL, NULL), 401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bearer),    cmocka_unit_test(test_hash),
        cmocka_unit_test(test_generate),  cmocka_unit_test(test_provinces),
        cmocka_unit_test(test_matrix),    cmocka_unit_test(test_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
