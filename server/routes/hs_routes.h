/* hs_routes: which routes the server has.
 *
 * hs_cli_serve calls hs_routes_register_builtin, then hs_routes_register_api when
 * it is linked in, both before hs_server_start. Built-in routes:
 *   GET /healthz      liveness only (200), JSON; public
 *   GET /readyz       database + listener check (200 or 503), JSON; public
 *   GET /api/whoami   the caller's role and provinces; public
 *   GET /metrics      Prometheus text
 *   GET /api/meta     dataset facts (version, synthetic flag, units, periods), JSON
 *   GET /             web/index.html
 *   GET /web/{path*}  static dashboard files from web/
 *   GET /release, /release/{path*}  the current release (serve --release DIR): public, no
 *                     query parameters (any is 400)
 */
#ifndef HS_ROUTES_H
#define HS_ROUTES_H

#include "hs_err.h"
#include "hs_route.h"

int hs_routes_register_builtin(hs_router *r, hs_services *svc, hs_err *err);

/* The analysis and map routes, written by the integration step in its own file.
 * Declared weak where it is called, so the server builds and runs without it.
 * It may also register data-change callbacks (hs_dbwatch_on_change on svc->watch). */
int hs_routes_register_api(hs_router *r, hs_services *svc, hs_err *err);

/* Static files (hs_static.c). */
int hs_static_handle(hs_req *req, hs_resp *resp, hs_err *err);
/* GET /release and /release/{path*}: the current release folder (public). */
int hs_release_handle(hs_req *req, hs_resp *resp, hs_err *err);

#endif
