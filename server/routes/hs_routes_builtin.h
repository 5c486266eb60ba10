/* hs_routes_builtin: the routes every server has (hs_routes_builtin.c).
 *
 *   GET /healthz      liveness only (200), JSON; public
 *   GET /readyz       database + listener check (200 or 503), JSON; public
 *   GET /api/whoami   the caller's role and provinces; public
 *   GET /metrics      Prometheus text; operator
 *   GET /api/meta     dataset facts (version, synthetic flag, units, periods), JSON
 *   GET /             web/index.html
 *   GET /web/{path*}  static dashboard files from web/
 *   GET /release, /release/{path*}  the current release (serve --release DIR): public, no
 *                     query parameters (any is 400)
 */
#ifndef HS_ROUTES_BUILTIN_H
#define HS_ROUTES_BUILTIN_H

#include "hs_routes.h"

int hs_routes_builtin_register(hs_router *r, hs_services *svc, hs_routes_shared *sh,
                               hs_err *err);

#endif
