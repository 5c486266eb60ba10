#include "hs_proj.h"
#include "hs_projlib.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct proj_entry {
    char *key; /* normalised CRS text */
    PJ *pj;    /* EPSG:4326 (lon,lat) -> key (x,y) */
    unsigned long used;
} proj_entry;

struct hs_proj_ctx {
    PJ_CONTEXT *ctx;
    PJ *geod; /* WGS 84 ellipsoid, for geodesic distances */
    proj_entry cache[HS_PROJ_CACHE];
    unsigned long tick;
    char lastlog[512]; /* PROJ's last logged message: often more precise than errno */
};

/* PROJ logs its reasons ("crs not found") through this hook instead of stderr. */
static void proj_logger(void *app, int level, const char *msg)
{
    hs_proj_ctx *c = app;
    if (level <= PJ_LOG_ERROR && msg)
        snprintf(c->lastlog, sizeof c->lastlog, "%s", msg);
}

static int proj_fail(hs_proj_ctx *c, hs_err *err, const char *what)
{
    int e = proj_context_errno(c->ctx);
    const char *es = e ? proj_context_errno_string(c->ctx, e) : NULL;
    int rc = hs_err_set(err, HS_EGEO, "PROJ: %s: %s%s%s", what,
                        c->lastlog[0] ? c->lastlog : (es ? es : "unknown error"),
                        c->lastlog[0] && es ? " / " : "", c->lastlog[0] && es ? es : "");
    c->lastlog[0] = '\0';
    return rc;
}

hs_proj_ctx *hs_proj_ctx_new(hs_err *err)
{
    if (hs_projlib_load(err) < 0)
        return NULL;
    hs_proj_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        hs_err_set(err, HS_ENOMEM, "cannot allocate a PROJ context");
        return NULL;
    }
    c->ctx = proj_context_create();
    if (!c->ctx) {
        free(c);
        hs_err_set(err, HS_EGEO, "PROJ: proj_context_create failed");
        return NULL;
    }
    proj_log_func(c->ctx, c, proj_logger);
    proj_context_set_enable_network(c->ctx, 0);
    c->geod = proj_create(c->ctx, "+proj=longlat +ellps=WGS84 +no_defs");
    if (!c->geod) {
        proj_fail(c, err, "WGS 84 ellipsoid");
        hs_proj_ctx_free(c);
        return NULL;
    }
    return c;
}

void hs_proj_ctx_free(hs_proj_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < HS_PROJ_CACHE; i++) {
        free(c->cache[i].key);
        if (c->cache[i].pj)
            proj_destroy(c->cache[i].pj);
    }
    if (c->geod)
        proj_destroy(c->geod);
    proj_context_destroy(c->ctx);
    free(c);
}

/* "national" -> the national PROJ string, "3857" -> "EPSG:3857", else unchanged. */
static int crs_normalise(const char *crs, char *out, size_t n, hs_err *err)
{
    if (!crs || !*crs)
        return hs_err_set(err, HS_EINVAL, "empty CRS (give an EPSG code, e.g. EPSG:3857, a "
                                          "PROJ string or \"national\")");
    size_t len = strnlen(crs, HS_PROJ_CRS_MAX + 1);
    if (len > HS_PROJ_CRS_MAX)
        return hs_err_set(err, HS_ELIMIT, "CRS text longer than %d bytes", HS_PROJ_CRS_MAX);
    if (strcmp(crs, "national") == 0) {
        snprintf(out, n, "%s", HS_PROJ_NATIONAL);
        return HS_OK;
    }
    int digits = 1;
    for (const char *p = crs; *p; p++)
        if (!isdigit((unsigned char)*p))
            digits = 0;
    if (digits) {
        if (len > 9)
            return hs_err_set(err, HS_EINVAL, "CRS \"%s\" is not a valid EPSG code", crs);
        snprintf(out, n, "EPSG:%s", crs);
    } else {
        snprintf(out, n, "%s", crs);
    }
    return HS_OK;
}

static PJ *get_pj(hs_proj_ctx *c, const char *crs, hs_err *err)
{
    char key[HS_PROJ_CRS_MAX + 16];
    if (crs_normalise(crs, key, sizeof key, err) < 0)
        return NULL;
    c->tick++;
    int victim = 0;
    for (int i = 0; i < HS_PROJ_CACHE; i++) {
        if (c->cache[i].key && strcmp(c->cache[i].key, key) == 0) {
            c->cache[i].used = c->tick;
            return c->cache[i].pj;
        }
        if (!c->cache[i].key || c->cache[i].used < c->cache[victim].used)
            victim = i;
        if (!c->cache[i].key)
            break;
    }
    c->lastlog[0] = '\0';
    PJ *raw = proj_create_crs_to_crs(c->ctx, "EPSG:4326", key, NULL);
    if (!raw) {
        char what[HS_PROJ_CRS_MAX + 64];
        snprintf(what, sizeof what, "cannot use CRS \"%.200s\"", crs);
        proj_fail(c, err, what);
        return NULL;
    }
    PJ *pj = proj_normalize_for_visualization(c->ctx, raw);
    proj_destroy(raw);
    if (!pj) {
        proj_fail(c, err, "cannot normalise axis order");
        return NULL;
    }
    char *k = strdup(key);
    if (!k) {
        proj_destroy(pj);
        hs_err_set(err, HS_ENOMEM, "out of memory caching a CRS");
        return NULL;
    }
    proj_entry *e = &c->cache[victim];
    free(e->key);
    if (e->pj)
        proj_destroy(e->pj);
    e->key = k;
    e->pj = pj;
    e->used = c->tick;
    return pj;
}

int hs_proj_check(hs_proj_ctx *c, const char *crs, hs_err *err)
{
    return get_pj(c, crs, err) ? HS_OK : err ? err->code : HS_EGEO;
}

static int trans(hs_proj_ctx *c, const char *crs, PJ_DIRECTION dir, double *xy, size_t n,
                 hs_err *err)
{
    PJ *pj = get_pj(c, crs, err);
    if (!pj)
        return err ? err->code : HS_EGEO;
    if (n == 0)
        return HS_OK;
    proj_errno_reset(pj);
    size_t done = proj_trans_generic(pj, dir, xy, 2 * sizeof(double), n, xy + 1,
                                     2 * sizeof(double), n, NULL, 0, 0, NULL, 0, 0);
    if (done != n)
        return proj_fail(c, err, "transform failed");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(xy[2 * i]) || !isfinite(xy[2 * i + 1]) || fabs(xy[2 * i]) > 1e15) {
            /* PROJ marks unprojectable points with HUGE_VAL rather than failing. */
            return hs_err_set(err, HS_EGEO, "PROJ: point %zu cannot be %s \"%.200s\"", i,
                              dir == PJ_FWD ? "projected to" : "unprojected from", crs);
        }
    }
    return HS_OK;
}

int hs_proj_fwd(hs_proj_ctx *c, const char *crs, double *xy, size_t n, hs_err *err)
{
    return trans(c, crs, PJ_FWD, xy, n, err);
}

int hs_proj_inv(hs_proj_ctx *c, const char *crs, double *xy, size_t n, hs_err *err)
{
    return trans(c, crs, PJ_INV, xy, n, err);
}

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int copy_feature(hs_proj_ctx *c, const char *crs, const hs_feature *s, hs_feature *d,
                        hs_err *err)
{
    d->flags = s->flags;
    d->code = dupstr(s->code);
    d->name = dupstr(s->name);
    if ((s->code && !d->code) || (s->name && !d->name))
        return hs_err_set(err, HS_ENOMEM, "out of memory copying feature %s", s->code);
    if (s->nparts > 0) {
        d->part_rings = malloc((size_t)s->nparts * sizeof *d->part_rings);
        if (!d->part_rings)
            return hs_err_set(err, HS_ENOMEM, "out of memory copying feature %s", s->code);
        memcpy(d->part_rings, s->part_rings, (size_t)s->nparts * sizeof *d->part_rings);
        d->nparts = s->nparts;
    }
    if (s->nrings > 0) {
        d->rings = calloc((size_t)s->nrings, sizeof *d->rings);
        if (!d->rings)
            return hs_err_set(err, HS_ENOMEM, "out of memory copying feature %s", s->code);
        d->nrings = s->nrings;
    }
    for (int r = 0; r < s->nrings; r++) {
        int np = s->rings[r].npts;
        d->rings[r].xy = malloc((size_t)(np > 0 ? np : 1) * 2 * sizeof(double));
        if (!d->rings[r].xy)
            return hs_err_set(err, HS_ENOMEM, "out of memory copying feature %s", s->code);
        memcpy(d->rings[r].xy, s->rings[r].xy, (size_t)np * 2 * sizeof(double));
        d->rings[r].npts = np;
        int rc = hs_proj_fwd(c, crs, d->rings[r].xy, (size_t)np, err);
        if (rc < 0)
            return hs_err_prefix(err, "feature %s ring %d: ", s->code ? s->code : "?", r);
    }
    double lab[2] = {s->label_x, s->label_y};
    if (isfinite(lab[0]) && isfinite(lab[1]) && hs_proj_fwd(c, crs, lab, 1, NULL) == HS_OK) {
        d->label_x = lab[0];
        d->label_y = lab[1];
    } else {
        d->label_x = d->label_y = NAN;
    }
    return HS_OK;
}

int hs_proj_layer(hs_proj_ctx *c, const hs_layer *src, const char *crs, hs_layer **out,
                  hs_err *err)
{
    *out = NULL;
    if (!get_pj(c, crs, err))
        return err ? err->code : HS_EGEO;
    hs_layer *l = hs_layer_new(src->kind, src->nfeat, err);
    if (!l)
        return err ? err->code : HS_ENOMEM;
    for (int i = 0; i < src->nfeat; i++) {
        l->nfeat = i + 1; /* so hs_layer_free releases the partial copy */
        int rc = copy_feature(c, crs, &src->feat[i], &l->feat[i], err);
        if (rc < 0) {
            hs_layer_free(l);
            return rc;
        }
    }
    l->nfeat = src->nfeat;
    hs_layer_update_bbox(l);
    *out = l;
    return HS_OK;
}

int hs_proj_ground_per_unit(hs_proj_ctx *c, const char *crs, double x, double y,
                            double *metres, hs_err *err)
{
    /* Step 1 km either side in projected units (metres or near enough for every
     * projected CRS we use), back to lon/lat, and measure the geodesic. */
    double h = 1000.0;
    double pts[4] = {x - h, y, x + h, y};
    int rc = hs_proj_inv(c, crs, pts, 2, err);
    if (rc == HS_OK && fabs(pts[2] - pts[0]) > 1.0) {
        /* A geographic target CRS (units of degrees): step 0.001 unit instead. */
        h = 1e-3;
        double p2[4] = {x - h, y, x + h, y};
        memcpy(pts, p2, sizeof pts);
        rc = hs_proj_inv(c, crs, pts, 2, err);
    }
    if (rc < 0)
        return rc;
    PJ_COORD a = proj_coord(pts[0] * M_PI / 180.0, pts[1] * M_PI / 180.0, 0, 0);
    PJ_COORD b = proj_coord(pts[2] * M_PI / 180.0, pts[3] * M_PI / 180.0, 0, 0);
    double d = proj_lp_dist(c->geod, a, b);
    if (!isfinite(d) || d <= 0)
        return hs_err_set(err, HS_EGEO, "PROJ: no ground distance at (%g, %g) in \"%.200s\"", x,
                          y, crs);
    *metres = d / (2 * h);
    return HS_OK;
}
