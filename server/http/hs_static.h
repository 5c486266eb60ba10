/* hs_static: files from a folder, as route handlers (hs_static.c). Safe by
 * construction: strict segments, openat(O_NOFOLLOW) one directory at a time, regular
 * files under a size cap, only the extensions in its MIME table. */
#ifndef HS_STATIC_H
#define HS_STATIC_H

#include "hs_router.h"

/* GET / and /web/{path*}: the dashboard files of svc->web_dir. */
int hs_static_handle(hs_req *req, hs_resp *resp, hs_err *err);
/* GET /release and /release/{path*}: the current release folder (public). */
int hs_release_handle(hs_req *req, hs_resp *resp, hs_err *err);
/* One file of the current release (e.g. "map_gistar.png" for /dashboard/hotspots.png);
 * HS_ENOTFOUND when no release is published. */
int hs_release_file(hs_req *req, hs_resp *resp, const char *rel, hs_err *err);

#endif
