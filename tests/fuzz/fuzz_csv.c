/* libFuzzer target for the monthly CSV parser (hs_csv + hs_monthly): the one parser of
 * outside input in the importers. Built only with -DHS_FUZZ=ON and clang:
 *
 *     cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DHS_FUZZ=ON
 *     make -C build-fuzz fuzz_csv
 *     build-fuzz/tests/fuzz_csv -max_len=4096 tests/fuzz/corpus_csv
 *
 * The first input byte picks the kind, so both headers are reachable from the corpus.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_csv.h"
#include "hs_monthly.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    hs_monthly_kind kind = (data[0] & 1) ? HS_MONTHLY_OUTREACH : HS_MONTHLY_CASES;
    hs_monthly m;
    hs_err err = {0};
    hs_monthly_init(&m, kind);
    /* A copy with no slack after it, so ASan sees any read past the end. */
    uint8_t *buf = malloc(size - 1 ? size - 1 : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, size - 1);
    if (hs_monthly_parse(&m, buf, size - 1, &err) == 0) {
        /* Invariants every successful parse must keep. */
        for (size_t i = 0; i < m.nrows; i++) {
            if (m.rows[i].unit >= m.ncodes || m.rows[i].line < 2)
                abort();
        }
        if (m.errors.n > m.errors.total || m.errors.n > HS_MONTHLY_ERRORS_KEPT)
            abort();
        if (m.ncodes > 0) {
            const char *unknown[1] = {m.codes[m.ncodes - 1]};
            hs_monthly_report_unknown(&m, unknown, 1);
        }
        hs_errlist_sort(&m.errors);
        for (size_t i = 0; i < m.errors.n; i++)
            if (!m.errors.items[i].msg || strlen(m.errors.items[i].msg) >= HS_ERRLIST_MSG_MAX)
                abort();
    }
    hs_monthly_free(&m);
    free(buf);
    return 0;
}
