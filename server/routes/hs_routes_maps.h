/* hs_routes_maps: map images over HTTP.
 *
 *   GET /maps/{map}.png|svg|pdf   any map type; the same options as `hotspot render`
 *                                 as query parameters (from, to, indicator, level,
 *                                 province, bbox, size, paper, dpi, scale, classes, k,
 *                                 public); format from the extension
 *   GET /dashboard/{name}.png     with `serve --release DIR`: the release's images
 *                                 (hotspots, emerging, outreach-gap, eb-rate,
 *                                 cases-monthly, border-provinces, top-provinces),
 *                                 files of the folder, nothing rendered; without a
 *                                 release: fixed public presets (hotspots,
 *                                 priorities, outreach-gap, emerging) in public mode
 *
 * Both answer through hs_resp_cached (key: data version + canonical options; ETag,
 * 304) with Content-Disposition: inline and a descriptive file name. Geometry comes
 * from the one hs_geoholder of the server (hs_routes.c): loaded at start-up when
 * the database is reachable (else on the first request) and marked stale by an
 * hs_dbwatch_on_change callback, so it is reloaded once per data version, never per
 * request.
 */
#ifndef HS_ROUTES_MAPS_H
#define HS_ROUTES_MAPS_H

#include "hs_err.h"
#include "hs_routes.h"

/* Largest PNG a request may ask for, in device pixels (below HS_RENDER_MAX_PIXELS:
 * an A3 page at 300 dpi is 17.4 MP). */
#define HS_MAPS_HTTP_MAX_PIXELS 40000000.0

/* Registers the routes, drawing from sh->geo (shared with the tiles); listed in
 * hs_routes.c. The routes' shared state lives until exit. */
int hs_routes_maps_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err);

#endif
