/* hs_sindex: query results equal a brute-force scan, in ascending order, bounded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <float.h>
#include <stdlib.h>

#include <cmocka.h>

#include "hs_sindex.h"

static double rnd(unsigned long long *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / 9007199254740992.0;
}

static int intersects(const hs_bbox *a, const hs_bbox *b)
{
    return a->minx <= a->maxx && !(b->maxx < a->minx || b->maxy < a->miny ||
                                   b->minx > a->maxx || b->miny > a->maxy);
}

static void check_random(int n)
{
    unsigned long long s = 7 + (unsigned long long)n;
    hs_bbox *b = calloc((size_t)(n + 1), sizeof *b);
    for (int i = 0; i < n; i++) {
        double x = rnd(&s) * 1000, y = rnd(&s) * 1000, w = rnd(&s) * 30, h = rnd(&s) * 30;
        b[i] = (hs_bbox){x, y, x + w, y + h};
        if (i % 97 == 5) /* a feature with no geometry */
            b[i] = (hs_bbox){DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    }
    hs_err err = {0};
    hs_sindex *ix = hs_sindex_build(b, n, &err);
    assert_non_null(ix);
    assert_int_equal(hs_sindex_count(ix), n);
    int *out = malloc((size_t)(n + 1) * sizeof *out);
    for (int q = 0; q < 200; q++) {
        double x = rnd(&s) * 1100 - 50, y = rnd(&s) * 1100 - 50, w = rnd(&s) * 200;
        hs_bbox qb = {x, y, x + w, y + w};
        int got = hs_sindex_query(ix, &qb, out, n, &err);
        assert_true(got >= 0);
        int k = 0;
        for (int i = 0; i < n; i++)
            if (intersects(&b[i], &qb)) {
                assert_true(k < got);
                assert_int_equal(out[k], i); /* same set, ascending */
                k++;
            }
        assert_int_equal(k, got);
    }
    /* Bounded output: more matches than room is an error, never an overflow. */
    hs_bbox all = {-1e9, -1e9, 1e9, 1e9};
    if (n > 3) {
        assert_int_equal(hs_sindex_query(ix, &all, out, 3, &err), HS_ELIMIT);
        assert_int_equal(err.code, HS_ELIMIT);
    }
    hs_sindex_free(ix);
    free(out);
    free(b);
}

static void test_random(void **state)
{
    (void)state;
    check_random(0);
    check_random(1);
    check_random(16);
    check_random(17);
    check_random(300);
    check_random(5000);
}

static void test_limits(void **state)
{
    (void)state;
    hs_err err = {0};
    assert_null(hs_sindex_build(NULL, -1, &err));
    assert_int_equal(err.code, HS_ELIMIT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
