/* hs_routes_api: the analysis API over HTTP (hs_routes_api.c).
 *
 *   GET /api/analyze      Gi*, LISA, rates per unit (CSV, JSON, GeoJSON...)
 *   GET /api/priorities   the ranked list of where to send outreach next
 *   GET /api/scan         space-time scan clusters
 *   GET /api/emerging     emerging hot-spot categories
 *   GET /api/units        the unit list (level, province)
 *
 * Parameters are those of hs_params (server/pipeline/hs_params.h). Every answer goes
 * through hs_resp_cached, keyed by data version and canonical parameters.
 */
#ifndef HS_ROUTES_API_H
#define HS_ROUTES_API_H

#include "hs_routes.h"

int hs_routes_api_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err);

#endif
