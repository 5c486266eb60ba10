/* libFuzzer target: tile paths. The input follows "/tiles/" ("base/5/25/14.png?...",
 * "lisa.json?..."), so every mutation lands in the tile routes: the router's
 * {y}.png / {y}@2x.png patterns, hs_tile_path_parse (layer, z, x, y ranges) and
 * hs_tile_req_parse (the layer's analysis window and options). Seeds: corpus_tile/. */
#include "fuzz_routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_run("/tiles/", data, size);
}
