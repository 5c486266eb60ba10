/* libFuzzer target: any request target ("/path?query") through the server's
 * request-target stage (hs_http_parse_target: path decoding, router match, query
 * parsing and name checks) and then the matched route's own validators, for every
 * route. See fuzz_routes.h; seeds in corpus_route/. */
#include "fuzz_routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_run("", data, size);
}
