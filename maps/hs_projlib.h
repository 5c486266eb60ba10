/* hs_projlib: PROJ, loaded with dlopen the first time a projection is needed.
 *
 * libproj brings libcurl, TLS, Kerberos, LDAP and libstdc++ with it: about 16
 * libraries and 5 ms of every process start (docs/benchmarks.md), for commands such
 * as `hotspot analyze` that never project anything. So the binary does not link it
 * (common/hs_dlib.h says how the table works); hs_proj.c, the one module that calls
 * PROJ, includes this header instead of <proj.h>, and hs_proj_ctx_new loads it.
 */
#ifndef HS_PROJLIB_H
#define HS_PROJLIB_H

#include <proj.h>

#include "hs_err.h"

#define HS_PROJ_FUNCS(X) \
    X(proj_context_create) \
    X(proj_context_destroy) \
    X(proj_context_errno) \
    X(proj_context_errno_string) \
    X(proj_context_set_enable_network) \
    X(proj_coord) \
    X(proj_create) \
    X(proj_create_crs_to_crs) \
    X(proj_destroy) \
    X(proj_errno_reset) \
    X(proj_log_func) \
    X(proj_lp_dist) \
    X(proj_normalize_for_visualization) \
    X(proj_trans_generic)

typedef struct hs_projlib_api {
#define HS_PROJ_FIELD(name) __typeof__(&name) name;
    HS_PROJ_FUNCS(HS_PROJ_FIELD)
#undef HS_PROJ_FIELD
} hs_projlib_api;

/* Loads PROJ (once; later calls only report). HS_EGEO names the library and
 * dlopen's reason when it cannot be loaded. */
int hs_projlib_load(hs_err *err);

/* The loaded table; loads on first use and exits with that message if PROJ cannot
 * be loaded (hs_proj_ctx_new calls hs_projlib_load first, so that is a last resort). */
const hs_projlib_api *hs_projlib(void);

#ifndef HS_PROJLIB_IMPL
#define proj_context_create (hs_projlib()->proj_context_create)
#define proj_context_destroy (hs_projlib()->proj_context_destroy)
#define proj_context_errno (hs_projlib()->proj_context_errno)
#define proj_context_errno_string (hs_projlib()->proj_context_errno_string)
#define proj_context_set_enable_network (hs_projlib()->proj_context_set_enable_network)
#define proj_coord (hs_projlib()->proj_coord)
#define proj_create (hs_projlib()->proj_create)
#define proj_create_crs_to_crs (hs_projlib()->proj_create_crs_to_crs)
#define proj_destroy (hs_projlib()->proj_destroy)
#define proj_errno_reset (hs_projlib()->proj_errno_reset)
#define proj_log_func (hs_projlib()->proj_log_func)
#define proj_lp_dist (hs_projlib()->proj_lp_dist)
#define proj_normalize_for_visualization (hs_projlib()->proj_normalize_for_visualization)
#define proj_trans_generic (hs_projlib()->proj_trans_generic)
#endif

#endif
