/* The fuzz targets' route table (tests/fuzz/fuzz_routes.h) must be the server's: the
 * same patterns with the same query names and flags, so fuzzing covers every route
 * and nothing that no longer exists. Builds the real table with hs_routes_register_all
 * (no database: geometry preload fails fast and is retried on first use). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../fuzz/fuzz_routes.h"
#include "hs_routes.h"

static int same_names(const char *const *a, const char *const *b)
{
    size_t na = 0, nb = 0;
    while (a && a[na])
        na++;
    while (b && b[nb])
        nb++;
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0;
        while (j < nb && strcmp(a[i], b[j]))
            j++;
        if (j == nb)
            return 0;
    }
    return 1;
}

static void test_tables_match(void **state)
{
    (void)state;
    /* Unreachable on purpose: no test may depend on a cluster here. */
    setenv("HOTSPOT_DB", "host=/nonexistent-hotspot-socket-dir dbname=none connect_timeout=1", 1);
    hs_router *real = hs_router_create();
    assert_non_null(real);
    hs_services svc = {0};
    hs_err err = {0};
    assert_int_equal(hs_routes_register_all(real, &svc, &err), HS_OK);
    hs_router *fz = fz_router();
    int bad = 0;
    for (size_t i = 0; i < hs_router_count(real); i++) {
        const hs_route_spec *rs = hs_route_spec_of(hs_router_get(real, i));
        const hs_route_spec *fs = NULL;
        for (size_t k = 0; k < hs_router_count(fz) && !fs; k++) {
            const hs_route_spec *s = hs_route_spec_of(hs_router_get(fz, k));
            if (!strcmp(hs_route_pattern(hs_router_get(fz, k)), hs_route_pattern(hs_router_get(real, i))))
                fs = s;
        }
        const char *pat = hs_route_pattern(hs_router_get(real, i));
        if (!fs) {
            fprintf(stderr, "fuzz_routes.h lacks %s\n", pat);
            bad++;
        } else if (!same_names(rs->params, fs->params) ||
                   (rs->flags & HS_ROUTE_OWN_PARAMS) != (fs->flags & HS_ROUTE_OWN_PARAMS)) {
            fprintf(stderr, "fuzz_routes.h has other query names or flags for %s\n", pat);
            bad++;
        }
    }
    if (hs_router_count(fz) != hs_router_count(real)) {
        fprintf(stderr, "fuzz_routes.h has %zu routes, the server %zu\n", hs_router_count(fz),
                hs_router_count(real));
        bad++;
    }
    assert_int_equal(bad, 0);
    hs_router_destroy(real);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
