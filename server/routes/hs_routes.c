/* The registration list: every route family the server has, in one table. */
#include "hs_routes.h"

#include <stdlib.h>

#include "hs_catalog.h"
#include "hs_dbwatch.h"
#include "hs_routes_api.h"
#include "hs_routes_builtin.h"
#include "hs_routes_maps.h"
#include "hs_routes_tiles.h"
#include "hs_threadctx.h"

/* Order matters only for ties between equally specific patterns (first wins). */
static const struct {
    const char *name;
    hs_routes_register_fn reg;
} families[] = {
    {"builtin", hs_routes_builtin_register}, /* health, metrics, meta, static, release */
    {"api", hs_routes_api_register},         /* analyses and the unit list */
    {"maps", hs_routes_maps_register},       /* map images and dashboard images */
    {"tiles", hs_routes_tiles_register},     /* XYZ tiles and TileJSON */
};

/* Set once at start-up; released at exit after the server threads are gone. */
static hs_routes_shared shared;

void hs_routes_release(void)
{
    if (!shared.geo && !shared.periods)
        return; /* never registered, or released already */
    hs_geoholder_destroy(shared.geo);
    shared.geo = NULL;
    hs_catalog_periods_destroy(shared.periods);
    shared.periods = NULL;
    hs_threadctx_release();
    hs_threadctx_process_cleanup();
}

/* NOTIFY hs_data_changed: the holder's background thread reloads; requests keep the
 * previous geometry meanwhile. */
static void geo_on_change(uint64_t version, void *ctx)
{
    hs_geoholder_invalidate(ctx, version);
}

static int req_conn(void *req, PGconn **c, hs_err *err)
{
    return hs_req_db(req, c, err);
}

int hs_routes_last_period(hs_req *req, const hs_routes_shared *sh, int *last, hs_err *err)
{
    return hs_catalog_last_period(sh->periods, req->data_version, req_conn, req, last, err);
}

int hs_routes_register_all(hs_router *r, hs_services *svc, hs_err *err)
{
    if (shared.geo)
        return hs_err_set(err, HS_EINTERNAL, "routes registered twice");
    int rc = hs_threadctx_preload(err);
    if (rc < 0)
        return rc;
    rc = hs_geoholder_create(&shared.geo, err);
    if (rc < 0)
        return rc;
    /* A safety net for callers that exit without hs_routes_release. A server must call
     * it itself: the geometry loader thread has to be joined before exit() starts
     * running PROJ's static destructors (registered on first use, so possibly after
     * this handler, hence before it). */
    atexit(hs_routes_release);
    if ((rc = hs_catalog_periods_create(&shared.periods, err)) < 0)
        return rc;
    hs_geoholder_preload(shared.geo);
    if (svc->watch && (rc = hs_dbwatch_on_change(svc->watch, geo_on_change, shared.geo, err)) < 0)
        return rc;
    /* Only a server (it has a watcher) changes data under running requests. */
    if (svc->watch && (rc = hs_geoholder_background(shared.geo, err)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if ((rc = families[i].reg(r, svc, &shared, err)) < 0)
            return hs_err_prefix(err, "%s routes", families[i].name);
    return HS_OK;
}
