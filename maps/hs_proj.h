/* hs_proj: the PROJ boundary. Every PROJ error becomes an hs_err here and nowhere else.
 *
 * One hs_proj_ctx per thread: it owns a PJ_CONTEXT (PROJ objects are bound to the
 * context that made them, and a global lock around PROJ made Mapnik slow) and caches
 * the transforms it has built, keyed by the target CRS text. Network access and
 * downloadable grids are switched off: all CRSs used here are WGS 84 based, so no
 * datum grid is ever needed. PROJ reading its own proj.db is library-internal.
 *
 * CRS text accepted everywhere: "EPSG:3857", a bare EPSG number "32648", any PROJ
 * string ("+proj=lcc ..."), WKT, or the alias "national" (HS_PROJ_NATIONAL).
 * Source coordinates are always lon/lat WGS 84 (EPSG:4326) in x=lon, y=lat order
 * (proj_normalize_for_visualization), whatever the CRS's official axis order.
 */
#ifndef HS_PROJ_H
#define HS_PROJ_H

#include <stddef.h>

#include "hs_err.h"
#include "hs_geom.h"

#define HS_PROJ_WEB_MERCATOR "EPSG:3857"
/* National default for full maps: Lambert Conformal Conic on WGS 84, standard
 * parallels 10 N and 21 N, central meridian 108 E (see docs/geometry.md: conformal,
 * scale within about +-0.7% over 6.8-23.5 N including Hoàng Sa and Trường Sa, north
 * up through the middle of the mainland and the archipelagos, no datum shift). */
#define HS_PROJ_NATIONAL                                                                       \
    "+proj=lcc +lat_0=15.5 +lon_0=108 +lat_1=10 +lat_2=21 +x_0=0 +y_0=0 +datum=WGS84 "       \
    "+units=m +no_defs +type=crs"
#define HS_PROJ_CACHE 8
#define HS_PROJ_CRS_MAX 2048 /* longest CRS text accepted, bytes */

typedef struct hs_proj_ctx hs_proj_ctx;

/* Caller frees with hs_proj_ctx_free(). Use from one thread at a time. */
hs_proj_ctx *hs_proj_ctx_new(hs_err *err);
void hs_proj_ctx_free(hs_proj_ctx *c);

/* Validates a CRS text (builds and caches its transform). */
int hs_proj_check(hs_proj_ctx *c, const char *crs, hs_err *err);

/* Projects n lon/lat points in place (xy = x0 y0 x1 y1 ...) to `crs`. A point that
 * cannot be projected fails the call, naming the point. */
int hs_proj_fwd(hs_proj_ctx *c, const char *crs, double *xy, size_t n, hs_err *err);
/* The inverse: n points in `crs` to lon/lat, in place. */
int hs_proj_inv(hs_proj_ctx *c, const char *crs, double *xy, size_t n, hs_err *err);

/* A new layer (caller frees with hs_layer_free) holding `lonlat` projected to `crs`:
 * same features, codes, names and flags; rings, label points and bboxes projected. */
int hs_proj_layer(hs_proj_ctx *c, const hs_layer *lonlat, const char *crs, hs_layer **out,
                  hs_err *err);

/* Ground metres per projected unit at projected point (x,y), measured east-west on
 * the WGS 84 ellipsoid over +-1 km: what a scale bar needs (EPSG:3857 at 21 N gives
 * about 0.934; a conformal projection has the same factor in every direction). */
int hs_proj_ground_per_unit(hs_proj_ctx *c, const char *crs, double x, double y,
                            double *metres, hs_err *err);

#endif
