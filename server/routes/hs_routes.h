/* hs_routes: the one list of route families the server has (hs_routes.c).
 *
 * hs_cli_serve calls hs_routes_register_all before hs_server_start. Each family is a
 * file pair hs_routes_<family>.[ch] with one register function of type
 * hs_routes_register_fn; adding a family is one line in the table in hs_routes.c.
 * Adding a route to a family is one hs_route_spec in that family's file, with its
 * `.exposes` (what it reveals, hs_access.h): the access matrix enforces it before
 * the handler runs, so handlers hold no access checks.
 */
#ifndef HS_ROUTES_H
#define HS_ROUTES_H

#include "hs_err.h"
#include "hs_geostore.h"
#include "hs_router.h"

/* What families share: made once by hs_routes_register_all, lives until exit. */
typedef struct hs_routes_shared {
    /* The geometry of every map and tile, loaded once per data version and marked
     * stale on NOTIFY hs_data_changed (reference-counted, immutable). */
    hs_geoholder *geo;
    /* The newest month with data per data version (hs_catalog.h): what every cache
     * key of an analysis, map or tile needs, known without the database. */
    struct hs_catalog_periods *periods;
} hs_routes_shared;

typedef int (*hs_routes_register_fn)(hs_router *r, hs_services *svc, hs_routes_shared *sh,
                                     hs_err *err);

/* The newest month with data for the request's data version, from `sh->periods`;
 * takes the request's connection only when that version was never read. Handlers
 * call it before their cache lookup so a cached answer needs no database. */
int hs_routes_last_period(hs_req *req, const hs_routes_shared *sh, int *last, hs_err *err);

/* Registers every family in the table, in order. Call once, before hs_server_start. */
int hs_routes_register_all(hs_router *r, hs_services *svc, hs_err *err);

/* Stops the geometry loader thread and frees what the families share. Call it after
 * hs_server_destroy, on the error path too; idempotent. */
void hs_routes_release(void);

#endif
