/* hs_maptypes: the one table of map types is complete and consistent, and the texts
 * derived from it (names, numeric list, legend titles, tile layers) are the ones the
 * CLI and HTTP have always shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_maptypes.h"
#include "hs_tilesrc.h"

static void every_entry_is_complete(void **state)
{
    (void)state;
    int n = 0;
    while (hs_map_type_names[n])
        n++;
    assert_int_equal(n, HS_MAP_NTYPES);
    for (int t = 0; t < HS_MAP_NTYPES; t++) {
        const hs_map_type_info *i = hs_map_type_info_of(t);
        assert_non_null(i);
        assert_non_null(i->classify);
        assert_non_null(i->title);
        assert_non_null(i->legend_title);
        assert_non_null(i->nodata);
        if (hs_map_type_numeric(t)) {
            assert_non_null(i->values);
            assert_true(i->default_k >= 3);
            assert_true(i->needs == HS_ANALYSIS_MAIN);
        }
        assert_true(!i->zero_class || i->public_suppress);
    }
    assert_null(hs_map_type_info_of(-1));
    assert_null(hs_map_type_info_of(HS_MAP_NTYPES));
}

static void derived_texts(void **state)
{
    (void)state;
    char buf[200];
    hs_map_types_numeric_list(buf, sizeof buf);
    assert_string_equal(buf, "rate, eb_rate, risk, outreach_gap, count");
    assert_string_equal(hs_tile_layers_help(),
                        "base, gistar, lisa, rate, eb_rate, risk, outreach_gap, emerging, scan, "
                        "count");
    hs_map_type_legend_title(HS_MAP_COUNT, "Số vụ", "cases", buf, sizeof buf);
    assert_string_equal(buf, "Số vụ (cases)");
    hs_map_type_legend_title(HS_MAP_RATE, "Số vụ", "cases", buf, sizeof buf);
    assert_string_equal(buf, "Số vụ / 100.000 dân");
    hs_map_type_legend_title(HS_MAP_GISTAR, "Số vụ", "cases", buf, sizeof buf);
    assert_string_equal(buf, "Gi* (độ tin cậy — confidence)");
    char small[8];
    hs_map_type_legend_title(HS_MAP_COUNT, "Số vụ", "cases", small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    assert_int_equal(hs_tile_layer_needs(HS_MAP_SCAN), HS_ANALYSIS_SCAN);
    assert_int_equal(hs_tile_layer_needs(HS_MAP_EMERGING), HS_ANALYSIS_EMERGING);
}

static void permutations_only_where_they_matter(void **state)
{
    (void)state;
    for (int t = 0; t < HS_MAP_NTYPES; t++)
        assert_int_equal(hs_map_type_info_of(t)->uses_permutations,
                         t == HS_MAP_LISA || t == HS_MAP_SCAN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_entry_is_complete),
        cmocka_unit_test(derived_texts),
        cmocka_unit_test(permutations_only_where_they_matter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
