#include "hs_access.h"
#include "hs_routes_maps.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_dbwatch.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_mapscope.h"
#include "hs_pg.h"
#include "hs_static.h"
#include "hs_threadctx.h"

/* A route's context (req->ctx): the shared geometry holder and, for /maps/, the
 * output format of the route's extension. Handlers read it from the request only. */
typedef struct maps_app {
    hs_geoholder *holder;
    const hs_routes_shared *sh; /* the period memo: cache keys without the database */
    const char *ext; /* "png", "svg", "pdf" */
} maps_app;

/* The contexts are made once at registration (start-up); this pointer only keeps
 * them so they are freed at exit after the server threads are gone (leak checkers
 * then see them released). No handler reads it. */
static maps_app *registered_ctx;

static void app_free_at_exit(void)
{
    free(registered_ctx);
    registered_ctx = NULL;
}

typedef struct map_args {
    hs_req *req;
    maps_app *app;
    hs_params p;
    hs_map_opts o;
    /* An analyst's national (or bbox) commune-level view: their provinces' communes,
     * every other province at province level (hs_mapscope). n = 0: no scope. */
    hs_map_scope scope;
} map_args;

/* Runs on a miss (once per key, other requests wait): geometry from the holder,
 * analysis on this thread's connection, render with this thread's contexts. */
static int render_map(void *arg, hs_buf *out, hs_err *err)
{
    map_args *a = arg;
    PGconn *c;
    int rc = hs_req_db(a->req, &c, err);
    if (rc < 0)
        return rc;
    hs_proj_ctx *pc = hs_threadctx_proj(err);
    hs_render_ctx *rc_ = pc ? hs_threadctx_render(err) : NULL;
    if (!rc_)
        return err->code;
    hs_geostore *g = NULL;
    if ((rc = hs_geoholder_get(a->app->holder, c, pc, &g, err)) < 0)
        return rc;
    char now[32];
    hs_map_now(now, sizeof now);
    if (a->scope.n) {
        /* The commune-level national analysis is never run for a scoped caller. */
        hs_map_scoped s;
        rc = hs_map_scoped_build(c, g, pc, &a->p, &a->o, &a->scope, 1, now, &s, err);
        if (rc == HS_OK)
            rc = hs_mapjob_render(s.prov, rc_, out, err);
        hs_map_scoped_clear(&s);
        hs_geostore_unref(g);
        return rc;
    }
    hs_mapjob *j = NULL;
    hs_analysis_result res;
    rc = hs_pipeline_run_kind(c, hs_map_type_info_of(a->o.type)->needs, &a->p, &res, err);
    if (rc == HS_OK)
        rc = hs_mapjob_build(g, pc, &a->p, &a->o, &res, now, &j, err);
    hs_analysis_result_clear(&res);
    if (rc == HS_OK)
        rc = hs_mapjob_render(j, rc_, out, err);
    hs_mapjob_free(j);
    hs_geostore_unref(g);
    return rc;
}

static const char *content_type(hs_format f)
{
    return f == HS_FORMAT_SVG   ? "image/svg+xml"
           : f == HS_FORMAT_PDF ? "application/pdf"
                                : "image/png";
}

static int serve_map(hs_req *req, hs_resp *resp, map_args *a, const char *key_prefix,
                     const char *cache_control, hs_err *err)
{
    if (a->o.format == HS_FORMAT_PNG &&
        a->o.page.width * a->o.page.height * a->o.page.scale * a->o.page.scale >
            HS_MAPS_HTTP_MAX_PIXELS) {
        req->error_param = hs_query_has(req->query, "paper") ? "paper" : "size";
        return hs_err_set(err, HS_ELIMIT,
                          "the image would have %.0f pixels; the limit is %.0f "
                          "(lower size, dpi or scale)",
                          a->o.page.width * a->o.page.height * a->o.page.scale * a->o.page.scale,
                          HS_MAPS_HTTP_MAX_PIXELS);
    }
    char key[HS_PROJ_CRS_MAX + 1024];
    size_t pl = (size_t)snprintf(key, sizeof key, "%s", key_prefix);
    int rc = hs_map_key(&a->p, &a->o, key + pl, sizeof key - pl, err);
    /* A scope of its own in the key: no cached map is shared across scopes
     * (hs_map_key returns the key's length). */
    if (rc >= 0)
        rc = hs_map_scope_key(&a->scope, key, sizeof key, err);
    if (rc < 0)
        return rc;
    rc = hs_resp_cached(req, resp, key, content_type(a->o.format), cache_control, render_map, a,
                        err);
    if (rc < 0) {
        if (rc == HS_ENOTFOUND && a->p.province[0] && strstr(err->msg, a->p.province))
            req->error_param = "province";
        return rc;
    }
    char fname[200], disp[260];
    hs_map_filename(&a->p, &a->o, fname, sizeof fname);
    snprintf(disp, sizeof disp, "inline; filename=\"%s\"", fname);
    return hs_resp_header(resp, "Content-Disposition", disp, err);
}

/* From memory for a known data version: the database is only needed on a miss
 * (render_map), so cached maps are served while it is down. */
static int last_period(hs_req *req, int *last, hs_err *err)
{
    const maps_app *app = req->ctx;
    return hs_routes_last_period(req, app->sh, last, err);
}

static const char *const map_params[] = {"from",    "to",   "indicator", "level", "province",
                                         "bbox",    "size", "paper",     "dpi",   "scale",
                                         "classes", "k",    "public",    NULL};

static int maps_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    maps_app *app = req->ctx;
    const char *ext = app->ext;
    map_args a = {.req = req, .app = app};
    hs_map_type type;
    if (hs_map_type_parse(hs_req_param(req, "map"), "map", &type, err) < 0) {
        req->error_param = "map";
        return err->code;
    }
    int last, rc = last_period(req, &last, err);
    if (rc < 0)
        return rc;
    if ((rc = hs_params_parse(req->query, HS_P_MAP, last, &a.p, err)) < 0)
        return rc; /* the query records the parameter at fault */
    if ((rc = hs_map_opts_parse(req->query, &a.p, 0, type, &a.o, err)) < 0) {
        req->error_param = a.o.error_param;
        return rc;
    }
    if ((rc = hs_format_parse(ext, &a.o.format, err)) < 0)
        return rc;
    hs_map_params_normalise(&a.p, &a.o);
    /* A caller limited to provinces (an analyst; access control let through only
     * their own province= or none) gets commune detail only there. province=P (one of
     * theirs) is P's own map as for anyone: other provinces are grey context. An
     * analyst without provinces gets an error, never the national detail. */
    const hs_principal *who = req->who;
    if (who && who->role == HS_ROLE_ANALYST) {
        const char *codes[HS_TOKEN_MAX_PROVINCES];
        size_t n = who->nprov < HS_TOKEN_MAX_PROVINCES ? who->nprov : HS_TOKEN_MAX_PROVINCES;
        for (size_t i = 0; i < n; i++)
            codes[i] = who->provinces[i];
        if ((rc = hs_map_scope_pick(&a.p, codes, n, &a.scope, err)) < 0) {
            req->error_param = "province";
            return rc;
        }
        if (a.p.province[0])
            a.scope.n = 0;
    }
    return serve_map(req, resp, &a, "", "no-cache", err);
}

/* Published images: fixed national views of the last 12 months, public mode. */
static const struct {
    const char *name;
    hs_map_type type;
} presets[] = {
    {"hotspots", HS_MAP_GISTAR},
    {"priorities", HS_MAP_RISK},
    {"outreach-gap", HS_MAP_OUTREACH_GAP},
    {"emerging", HS_MAP_EMERGING},
};

/* With `serve --release DIR` the dashboard is the release: each image is a file of
 * the folder `hotspot publish` wrote (its protected figures, fixed breaks), nothing
 * is rendered per request. */
static const struct {
    const char *name, *file;
} release_images[] = {
    {"hotspots", "map_gistar.png"},          {"emerging", "map_emerging.png"},
    {"outreach-gap", "map_outreach_gap.png"}, {"eb-rate", "map_eb_rate.png"},
    {"cases-monthly", "chart_monthly.png"},  {"border-provinces", "chart_border.png"},
    {"top-provinces", "chart_top.png"},
};

static int dashboard_from_release(hs_req *req, hs_resp *resp, const char *name, hs_err *err)
{
    for (size_t i = 0; i < sizeof release_images / sizeof release_images[0]; i++)
        if (!strcmp(name, release_images[i].name))
            return hs_release_file(req, resp, release_images[i].file, err);
    return hs_err_set(err, HS_ENOTFOUND,
                      "no dashboard image '%.40s' in the release; available: hotspots, emerging, "
                      "outreach-gap, eb-rate, cases-monthly, border-provinces, top-provinces",
                      name);
}

static int dashboard_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    const char *name = hs_req_param(req, "name");
    if (req->svc->release_dir)
        return dashboard_from_release(req, resp, name, err);
    /* The public gets exactly the current release (issue 9): with none served there
     * is nothing for it here. Not an access rule (the matrix lets everyone in): it
     * decides where the images come from. A token holder may see the older
     * per-request presets, which are public-mode maps drawn from exact counts one at
     * a time and so are not a release (docs/publication.md). */
    if (req->who->role == HS_ROLE_PUBLIC) {
        hs_resp_error_status(resp, 404, "no_release",
                             "no release is published on this server: run `hotspot publish "
                             "--period YYYY|YYYY-QN --out DIR` and serve it with `hotspot serve "
                             "--release DIR`; /dashboard/* then serves the release's images",
                             NULL);
        return HS_OK;
    }
    int which = -1;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (!strcmp(name, presets[i].name))
            which = (int)i;
    if (which < 0)
        return hs_err_set(err, HS_ENOTFOUND,
                          "no dashboard image '%.40s'; available: hotspots, "
                          "priorities, outreach-gap, emerging",
                          name);
    map_args a = {.req = req, .app = req->ctx};
    int last, rc = last_period(req, &last, err);
    if (rc < 0)
        return rc;
    /* The presets go through the same validators, from an empty query. */
    if ((rc = hs_params_parse(req->query, HS_P_MAP, last, &a.p, err)) < 0 ||
        (rc = hs_map_opts_parse(req->query, &a.p, 0, presets[which].type, &a.o, err)) < 0)
        return rc;
    a.o.public_mode = 1;
    a.o.format = HS_FORMAT_PNG;
    hs_map_params_normalise(&a.p, &a.o);
    return serve_map(req, resp, &a, "dashboard/", "public, max-age=300", err);
}

int hs_routes_maps_register(hs_router *r, hs_services *svc, hs_routes_shared *sh, hs_err *err)
{
    (void)svc;
    hs_geoholder *geo = sh->geo;
    if (registered_ctx)
        return hs_err_set(err, HS_EINTERNAL, "map routes registered twice");
    static const char *const ext[] = {"png", "svg", "pdf"};
    /* One context per /maps/ extension, then the dashboard's. */
    maps_app *app = calloc(4, sizeof *app);
    if (!app)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the map routes");
    for (int i = 0; i < 4; i++) {
        app[i].holder = geo;
        app[i].sh = sh;
        app[i].ext = i < 3 ? ext[i] : "png";
    }
    registered_ctx = app;
    atexit(app_free_at_exit);
    int rc = HS_OK;
    static const char *const patterns[] = {"/maps/{map}.png", "/maps/{map}.svg", "/maps/{map}.pdf"};
    for (int i = 0; rc == HS_OK && i < 3; i++)
        rc = hs_router_add(r,
                           &(hs_route_spec){.method = "GET",
                                            .pattern = patterns[i],
                                            .params = map_params,
                                            .handle = maps_handle,
                                            .ctx = &app[i],
                                            /* analysts: national views at their scope */
                                            .exposes = HS_EXPOSE_DATA_SCOPED},
                           err);
    if (rc == HS_OK)
        rc = hs_router_add(r,
                           &(hs_route_spec){.method = "GET",
                                            .pattern = "/dashboard/{name}.png",
                                            .params = NULL,
                                            .handle = dashboard_handle,
                                            .ctx = &app[3],
                                            .exposes = HS_EXPOSE_PUBLIC},
                           err);
    return rc;
}
