/* libFuzzer target for the query-string parser and its getters, the first code
 * that touches bytes from the network. Built with -DHS_FUZZ=ON (clang). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hs_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"z", "indicator", "from", "bbox", NULL};
    static const char *const ind[] = {"cases", "victims", "suspects", "outreach_events", NULL};
    hs_arena *a = hs_arena_create(1 << 20);
    if (!a)
        return 0;
    hs_query *q = NULL;
    hs_err err = {0};
    if (hs_query_parse(a, (const char *)data, size, &q, &err) == HS_OK) {
        long l;
        double d;
        int i, present;
        hs_bbox b;
        const char *s;
        const char *const *vals;
        size_t n;
        hs_query_check_allowed(q, allowed, &err);
        hs_query_int(q, "z", 0, 22, 0, &l, &err);
        hs_query_double(q, "r", -1e9, 1e9, 0, &d, &err);
        hs_query_bool(q, "fdr", 0, &i, &err);
        hs_query_enum(q, "indicator", ind, 0, &i, &err);
        hs_query_period(q, "from", 0, &i, &err);
        hs_query_bbox(q, "bbox", &present, &b, &err);
        hs_query_str(q, "s", 16, "", &s, &err);
        hs_query_values(q, "z", &vals, &n, &err);
        for (size_t k = 0; k < hs_query_count(q); k++) {
            /* Every decoded key and value must be valid UTF-8 without controls. */
            const char *key = hs_query_key(q, k), *val = hs_query_value(q, k);
            if (!hs_utf8_valid((const unsigned char *)key, strlen(key)) ||
                !hs_utf8_valid((const unsigned char *)val, strlen(val)))
                __builtin_trap();
        }
    }
    /* Error messages quote input; they must stay valid UTF-8 (they go into JSON). */
    char shown[HS_ERR_MSG_MAX];
    hs_query_show(shown, sizeof shown, err.msg, sizeof shown - 8);
    if (!hs_utf8_valid((const unsigned char *)shown, strlen(shown)))
        __builtin_trap();
    hs_arena_destroy(a);
    return 0;
}
