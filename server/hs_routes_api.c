/* hs_routes_api: the routes `hotspot serve` adds to the built-in ones (see hs_routes.h).
 * Each area registers its own routes from its own file; this file only calls them. */
#include "hs_routes.h"
#include "hs_routes_tiles.h"

int hs_routes_register_api(hs_router *r, hs_services *svc, hs_err *err)
{
    return hs_routes_register_tiles(r, svc, err);
}
