#include "hs_geostore.h"
#include "hs_clock.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_cancel.h"
#include "hs_data.h"
#include "hs_gdal.h"
#include "hs_pg.h"
#include "hs_tilemath.h"

struct hs_geoprep {
    hs_geostore *store;
    int transient; /* not cached in the store: freed by its release */
    char *crs;
    hs_layer *proj[HS_GS_NLAYERS];
    hs_topo *topo[HS_GS_NLAYERS];
    double t0; /* tolerance of level 0 */
    /* Built lazily; installed once with compare-and-swap, never replaced. */
    _Atomic(hs_geolevel *) levels[HS_GS_MAX_LEVEL + 1];
};

struct hs_geostore {
    atomic_int refs;
    uint64_t version;
    int synthetic;
    double load_s;
    hs_layer *ll[HS_GS_NLAYERS];
    /* CRSs prepared so far; entries are appended under prep_lock and never removed
     * until the store is freed, so a pointer read under the lock stays valid. */
    pthread_mutex_t prep_lock;
    int nprep;
    hs_geoprep *prep[2 + HS_GS_MAX_CACHED_PREPS];
};


/* ---- WKB -> hs_feature (OGR) ------------------------------------------------------ */

/* Appends one OGR ring or line string. Polygon rings drop the closing repeat point:
 * hs_ring closes implicitly. */
static int add_ring(hs_feature *f, OGRGeometryH g, int polygon, long *budget, hs_err *err)
{
    int nall = OGR_G_GetPointCount(g), n = nall;
    if (polygon && n > 1 && OGR_G_GetX(g, 0) == OGR_G_GetX(g, n - 1) &&
        OGR_G_GetY(g, 0) == OGR_G_GetY(g, n - 1))
        n--;
    if (n < (polygon ? 3 : 2))
        return HS_OK; /* degenerate: nothing to draw */
    if ((*budget -= n) < 0)
        return hs_err_set(err, HS_ELIMIT, "unit %s: the geometry exceeds %d vertices in all",
                          f->code, HS_TOPO_MAX_VERTICES);
    hs_ring *rr = realloc(f->rings, (size_t)(f->nrings + 1) * sizeof *rr);
    if (!rr)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate rings of %s", f->code);
    f->rings = rr;
    double *xy = malloc((size_t)nall * 2 * sizeof *xy); /* GetPoints writes all of them */
    if (!xy)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d vertices of %s", n, f->code);
    OGR_G_GetPoints(g, xy, 2 * sizeof(double), xy + 1, 2 * sizeof(double), NULL, 0);
    rr[f->nrings++] = (hs_ring){n, xy};
    return HS_OK;
}

static int add_part(hs_feature *f, OGRGeometryH g, int polygon, long *budget, hs_err *err)
{
    int before = f->nrings, rc = HS_OK;
    if (polygon)
        for (int r = 0; rc == HS_OK && r < OGR_G_GetGeometryCount(g); r++) {
            if (r > 0 && f->nrings == before)
                break; /* exterior was degenerate: drop its holes too */
            rc = add_ring(f, OGR_G_GetGeometryRef(g, r), 1, budget, err);
        }
    else
        rc = add_ring(f, g, 0, budget, err);
    if (rc < 0 || f->nrings == before)
        return rc;
    int *pr = realloc(f->part_rings, (size_t)(f->nparts + 1) * sizeof *pr);
    if (!pr)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate parts of %s", f->code);
    f->part_rings = pr;
    pr[f->nparts++] = f->nrings - before;
    return HS_OK;
}

static int feature_from_wkb(hs_feature *f, const unsigned char *wkb, size_t len, int polygon,
                            long *budget, hs_err *err)
{
    OGRGeometryH g = NULL;
    if (OGR_G_CreateFromWkb(wkb, NULL, &g, (int)len) != OGRERR_NONE || !g)
        return hs_err_set(err, HS_EGEO, "unit %s: the geometry from PostGIS is not valid WKB",
                          f->code);
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    int rc = HS_OK;
    if (t == wkbPolygon || t == wkbLineString)
        rc = add_part(f, g, polygon, budget, err);
    else if (t == wkbMultiPolygon || t == wkbMultiLineString)
        for (int i = 0; rc == HS_OK && i < OGR_G_GetGeometryCount(g); i++)
            rc = add_part(f, OGR_G_GetGeometryRef(g, i), polygon, budget, err);
    else
        rc = hs_err_set(err, HS_EGEO, "unit %s: expected a %s, got %s", f->code,
                        polygon ? "(multi)polygon" : "(multi)linestring", OGRGeometryTypeToName(t));
    OGR_G_DestroyGeometry(g);
    return rc;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* Runs `sql` and fills a layer: column 0 code, 1 name, 2 WKB (bytea text), then
 * optionally 3 label lon, 4 label lat, 5 key, 6 border, 7 island ('t'/'f'). */
static int load_layer(PGconn *c, const char *sql, int nparams, const char *const *params,
                      hs_layer_kind kind, long *budget, hs_layer **out, hs_err *err)
{
    PGresult *r;
    int rc = hs_pg_query(c, sql, nparams, params, &r, err);
    if (rc < 0)
        return rc;
    int n = PQntuples(r), ncol = PQnfields(r);
    if (n > HS_DATA_MAX_UNITS) {
        PQclear(r);
        return hs_err_set(err, HS_ELIMIT, "%d features exceed the limit of %d", n,
                          HS_DATA_MAX_UNITS);
    }
    hs_layer *l = hs_layer_new(kind, n, err);
    if (!l) {
        PQclear(r);
        return err->code;
    }
    for (int i = 0; rc == HS_OK && i < n; i++) {
        hs_feature *f = &l->feat[l->nfeat++];
        f->code = dupstr(PQgetvalue(r, i, 0));
        f->name = dupstr(PQgetvalue(r, i, 1));
        size_t len = 0;
        unsigned char *wkb = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 2), &len);
        if (!f->code || !f->name || !wkb) {
            free(wkb);
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate feature %d", i);
            break;
        }
        rc = feature_from_wkb(f, wkb, len, kind == HS_LAYER_POLYGON, budget, err);
        free(wkb);
        if (ncol >= 8) {
            f->label_x = strtod(PQgetvalue(r, i, 3), NULL);
            f->label_y = strtod(PQgetvalue(r, i, 4), NULL);
            f->flags = (*PQgetvalue(r, i, 5) == 't' ? HS_FEAT_KEY_COMMUNE : 0) |
                       (*PQgetvalue(r, i, 6) == 't' ? HS_FEAT_BORDER_PROVINCE : 0) |
                       (*PQgetvalue(r, i, 7) == 't' ? HS_FEAT_ISLAND : 0);
        }
    }
    PQclear(r);
    if (rc < 0) {
        hs_layer_free(l);
        return rc;
    }
    hs_layer_update_bbox(l);
    for (int i = 0; ncol < 8 && i < l->nfeat; i++) { /* no label point: bbox centre */
        l->feat[i].label_x = 0.5 * (l->feat[i].bbox.minx + l->feat[i].bbox.maxx);
        l->feat[i].label_y = 0.5 * (l->feat[i].bbox.miny + l->feat[i].bbox.maxy);
    }
    *out = l;
    return HS_OK;
}

static const char SQL_UNITS[] =
    "SELECT u.code, u.name, ST_AsBinary(u.geom),"
    " ST_X(coalesce(d.label_pt, ST_PointOnSurface(u.geom))),"
    " ST_Y(coalesce(d.label_pt, ST_PointOnSurface(u.geom))),"
    " u.is_key_commune, u.is_border_province,"
    " NOT EXISTS (SELECT 1 FROM hs.unit_adjacency a WHERE a.a = u.code)"
    " FROM hs.unit u LEFT JOIN hs.unit_derived d ON d.unit_code = u.code"
    " WHERE u.level = $1 ORDER BY u.code COLLATE \"C\"";
/* Vietnam itself is drawn by its units, never as a grey "neighbour". The Natural
 * Earth neighbours do not meet the province boundaries (about 1.7 km apart on
 * average, up to 8 km), which shows as slivers of sea inland at province scale: each
 * neighbour therefore also gets the land between it and the provinces near
 * of its land border (20 km buffer minus provinces, kept to Natural Earth land). Once per
 * data version, about 2 s. */
static const char SQL_COUNTRIES[] =
    "WITH vnne AS (SELECT geom g FROM hs.country WHERE iso_n3 = '704' LIMIT 1),"
    " buf AS (SELECT b.country, ST_Buffer(b.geom::geography, 20000)::geometry g FROM "
    "hs.land_border b),"
    " fill AS (SELECT buf.country, ST_Difference(buf.g, coalesce((SELECT ST_Union(u.geom)"
    "   FROM hs.unit u WHERE u.level = 'province' AND ST_Intersects(u.geom, buf.g)),"
    "   'POLYGON EMPTY'::geometry)) g FROM buf)"
    " SELECT c.iso_n3, c.name, ST_AsBinary(ST_Multi(ST_CollectionExtract(CASE WHEN f.g IS NULL"
    "   THEN c.geom ELSE ST_Union(c.geom, ST_Intersection(f.g, coalesce(ST_Union(c.geom,"
    "   (SELECT g FROM vnne)), c.geom))) END, 3)))"
    " FROM hs.country c LEFT JOIN fill f ON f.country = c.name"
    " WHERE c.iso_n3 <> '704' AND c.name NOT IN ('Vietnam', 'Viet Nam', 'Việt Nam')"
    " ORDER BY c.iso_n3 COLLATE \"C\"";
static const char SQL_BORDER[] =
    "SELECT country, country, ST_AsBinary(geom) FROM hs.land_border ORDER BY country COLLATE \"C\"";

/* ---- preparation per CRS ---------------------------------------------------------- */

static void level_free(hs_geolevel *lv)
{
    if (!lv)
        return;
    for (int k = 0; k < HS_GS_NLAYERS; k++) {
        hs_layer_free((hs_layer *)lv->layer[k]);
        hs_sindex_free((hs_sindex *)lv->index[k]);
    }
    free(lv);
}

static void prep_free(hs_geoprep *p)
{
    if (!p)
        return;
    for (int k = 0; k < HS_GS_NLAYERS; k++) {
        hs_layer_free(p->proj[k]);
        hs_topo_free(p->topo[k]);
    }
    for (int z = 0; z <= HS_GS_MAX_LEVEL; z++)
        level_free(atomic_load(&p->levels[z]));
    free(p->crs);
    free(p);
}

static double bbox_side(const hs_bbox *b)
{
    return fmax(b->maxx - b->minx, b->maxy - b->miny);
}

static int prep_build(hs_geostore *g, hs_proj_ctx *pc, const char *crs, hs_geoprep **out,
                      hs_err *err)
{
    hs_geoprep *p = calloc(1, sizeof *p);
    if (!p || !(p->crs = dupstr(crs))) {
        free(p);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the geometry of CRS %.80s", crs);
    }
    p->store = g;
    for (int z = 0; z <= HS_GS_MAX_LEVEL; z++)
        atomic_init(&p->levels[z], NULL);
    int rc = HS_OK;
    for (int k = 0; rc == HS_OK && k < HS_GS_NLAYERS; k++) {
        rc = hs_proj_layer(pc, g->ll[k], crs, &p->proj[k], err);
        if (rc == HS_OK && p->proj[k]->nfeat > 0 && !(p->topo[k] = hs_topo_build(p->proj[k], err)))
            rc = err->code;
    }
    if (rc < 0) {
        prep_free(p);
        return rc;
    }
    /* T0: half a z0 tile pixel in 3857, scaled to this CRS by the communes' extent. */
    double t0 = 0.5 * hs_tile_resolution(0, 256);
    const hs_layer *ref =
        g->ll[HS_GS_COMMUNE]->nfeat ? g->ll[HS_GS_COMMUNE] : g->ll[HS_GS_PROVINCE];
    if (ref->nfeat > 0 && strcmp(crs, HS_PROJ_WEB_MERCATOR) != 0) {
        hs_bbox b = ref->bbox;
        double a[4] = {b.minx, b.miny, b.maxx, b.maxy};
        hs_merc_from_lonlat(a[0], a[1], &a[0], &a[1]);
        hs_merc_from_lonlat(a[2], a[3], &a[2], &a[3]);
        hs_bbox m = {a[0], a[1], a[2], a[3]};
        const hs_layer *pr = p->proj[ref == g->ll[HS_GS_COMMUNE] ? HS_GS_COMMUNE : HS_GS_PROVINCE];
        if (bbox_side(&m) > 0 && bbox_side(&pr->bbox) > 0)
            t0 *= bbox_side(&pr->bbox) / bbox_side(&m);
    }
    p->t0 = t0;
    *out = p;
    return HS_OK;
}

double hs_geoprep_level_tolerance(const hs_geoprep *p, int level)
{
    level = level < 0 ? 0 : level > HS_GS_MAX_LEVEL ? HS_GS_MAX_LEVEL : level;
    return ldexp(p->t0, -level);
}

int hs_geoprep_level_for(const hs_geoprep *p, double tolerance)
{
    for (int z = 0; z <= HS_GS_MAX_LEVEL; z++)
        if (hs_geoprep_level_tolerance(p, z) <= tolerance)
            return z;
    return HS_GS_MAX_LEVEL;
}

int hs_geoprep_level(hs_geoprep *p, int level, const hs_geolevel **out, hs_err *err)
{
    level = level < 0 ? 0 : level > HS_GS_MAX_LEVEL ? HS_GS_MAX_LEVEL : level;
    hs_geolevel *lv = atomic_load(&p->levels[level]);
    if (lv) {
        *out = lv;
        return HS_OK;
    }
    /* Built without a lock: two threads may both build it, the loser frees its copy.
     * That wastes at most one build and never blocks readers of other levels. */
    if (!(lv = calloc(1, sizeof *lv)))
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a geometry level");
    lv->level = level;
    lv->tolerance = hs_geoprep_level_tolerance(p, level);
    int rc = HS_OK;
    for (int k = 0; rc == HS_OK && k < HS_GS_NLAYERS; k++) {
        hs_layer *l = p->topo[k] ? hs_topo_simplify(p->topo[k], lv->tolerance, err)
                                 : hs_layer_new(p->proj[k]->kind, 0, err);
        if (!l) {
            rc = err->code;
            break;
        }
        hs_layer_update_bbox(l);
        lv->layer[k] = l;
        if (!(lv->index[k] = hs_sindex_build_layer(l, err)))
            rc = err->code;
    }
    if (rc < 0) {
        level_free(lv);
        return rc;
    }
    hs_geolevel *expected = NULL;
    if (!atomic_compare_exchange_strong(&p->levels[level], &expected, lv)) {
        level_free(lv);
        lv = expected;
    }
    *out = lv;
    return HS_OK;
}

const char *hs_geoprep_crs(const hs_geoprep *p)
{
    return p->crs;
}

const hs_layer *hs_geoprep_layer(const hs_geoprep *p, hs_gs_layer which)
{
    return p->proj[which];
}

static hs_geoprep *find_prep(hs_geostore *g, const char *crs)
{
    for (int i = 0; i < g->nprep; i++)
        if (!strcmp(g->prep[i]->crs, crs))
            return g->prep[i];
    return NULL;
}

int hs_geostore_prep(hs_geostore *g, hs_proj_ctx *pc, const char *crs, hs_geoprep **out,
                     hs_err *err)
{
    pthread_mutex_lock(&g->prep_lock);
    hs_geoprep *p = find_prep(g, crs);
    pthread_mutex_unlock(&g->prep_lock);
    if (!p) {
        /* Projecting and building the topology takes a while: never under the lock. */
        int rc = prep_build(g, pc, crs, &p, err);
        if (rc < 0)
            return rc;
        pthread_mutex_lock(&g->prep_lock);
        hs_geoprep *other = find_prep(g, crs);
        if (other) {
            prep_free(p);
            p = other;
        } else if (g->nprep < (int)(sizeof g->prep / sizeof g->prep[0])) {
            g->prep[g->nprep++] = p;
        } else {
            p->transient = 1;
        }
        pthread_mutex_unlock(&g->prep_lock);
    }
    hs_geostore_ref(g);
    *out = p;
    return HS_OK;
}

void hs_geoprep_release(hs_geoprep *p)
{
    if (!p)
        return;
    hs_geostore *g = p->store;
    if (p->transient)
        prep_free(p);
    hs_geostore_unref(g);
}

/* ---- the store ---------------------------------------------------------------------- */

static void store_free(hs_geostore *g)
{
    for (int i = 0; i < g->nprep; i++)
        prep_free(g->prep[i]);
    for (int k = 0; k < HS_GS_NLAYERS; k++)
        hs_layer_free(g->ll[k]);
    pthread_mutex_destroy(&g->prep_lock);
    free(g);
}

hs_geostore *hs_geostore_ref(hs_geostore *g)
{
    if (g)
        atomic_fetch_add(&g->refs, 1);
    return g;
}

void hs_geostore_unref(hs_geostore *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1)
        store_free(g);
}

static int load_all(PGconn *c, hs_geostore *g, hs_err *err)
{
    long budget = HS_TOPO_MAX_VERTICES;
    const char *commune[1] = {"commune"}, *province[1] = {"province"};
    long long v = 0;
    int rc = hs_pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
    if (rc < 0)
        return rc;
    if ((rc = hs_data_version(c, &v, err)) == HS_OK &&
        (rc = hs_data_is_synthetic(c, &g->synthetic, err)) == HS_OK &&
        (rc = load_layer(c, SQL_UNITS, 1, commune, HS_LAYER_POLYGON, &budget, &g->ll[HS_GS_COMMUNE],
                         err)) == HS_OK &&
        (rc = load_layer(c, SQL_UNITS, 1, province, HS_LAYER_POLYGON, &budget,
                         &g->ll[HS_GS_PROVINCE], err)) == HS_OK &&
        (rc = load_layer(c, SQL_COUNTRIES, 0, NULL, HS_LAYER_POLYGON, &budget,
                         &g->ll[HS_GS_COUNTRY], err)) == HS_OK)
        rc = load_layer(c, SQL_BORDER, 0, NULL, HS_LAYER_LINE, &budget, &g->ll[HS_GS_BORDER], err);
    if (rc == HS_OK)
        rc = hs_pg_commit(c, err);
    else
        hs_pg_rollback(c);
    g->version = (uint64_t)v;
    if (rc == HS_OK && g->ll[HS_GS_PROVINCE]->nfeat == 0)
        rc = hs_err_set(err, HS_ENOTFOUND,
                        "the database holds no province units; import units "
                        "(hotspot import units) or load the demo (hotspot db demo)");
    return rc;
}

int hs_geostore_load(PGconn *c, hs_proj_ctx *pc, hs_geostore **out, hs_err *err)
{
    double t = hs_clock_now();
    hs_geostore *g = calloc(1, sizeof *g);
    if (!g)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the geometry store");
    atomic_init(&g->refs, 1);
    pthread_mutex_init(&g->prep_lock, NULL);
    int rc = load_all(c, g, err);
    const char *crss[2] = {HS_PROJ_WEB_MERCATOR, HS_GS_NATIONAL};
    for (int i = 0; rc == HS_OK && i < 2; i++) {
        hs_geoprep *p;
        if ((rc = prep_build(g, pc, crss[i], &p, err)) == HS_OK)
            g->prep[g->nprep++] = p;
    }
    if (rc < 0) {
        store_free(g);
        return rc;
    }
    g->load_s = hs_clock_now() - t;
    *out = g;
    return HS_OK;
}

uint64_t hs_geostore_data_version(const hs_geostore *g)
{
    return g->version;
}

int hs_geostore_synthetic(const hs_geostore *g)
{
    return g->synthetic;
}

double hs_geostore_load_seconds(const hs_geostore *g)
{
    return g->load_s;
}

const hs_layer *hs_geostore_lonlat(const hs_geostore *g, hs_gs_layer which)
{
    return g->ll[which];
}

int hs_geostore_find(const hs_geostore *g, hs_gs_layer which, const char *code)
{
    const hs_layer *l = g->ll[which];
    int lo = 0, hi = l->nfeat - 1;
    if (which == HS_GS_COUNTRY || which == HS_GS_BORDER) {
        for (int i = 0; i < l->nfeat; i++)
            if (!strcmp(l->feat[i].code, code))
                return i;
        return -1;
    }
    while (lo <= hi) { /* units are in strcmp order (COLLATE "C") */
        int mid = lo + (hi - lo) / 2, c = strcmp(l->feat[mid].code, code);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* ---- the holder ---------------------------------------------------------------------- */

struct hs_geoholder {
    pthread_mutex_t swap_lock; /* guards cur */
    pthread_mutex_t load_lock; /* one loader at a time */
    hs_geostore *cur;
    _Atomic uint64_t wanted; /* newest data version announced */
    /* The background loader (hs_geoholder_background). bg_lock guards bg_stop and
     * bg_pgcancel; bg_wake is signalled by invalidate and destroy. */
    pthread_mutex_t bg_lock;
    pthread_cond_t bg_wake;
    pthread_t bg_thread;
    atomic_int bg_started;  /* requests then never load a stale store themselves */
    int bg_stop;
    atomic_int bg_cancel;   /* HS_CANCEL_SHUTDOWN at destroy: the load's queries stop */
    PGcancel *bg_pgcancel;  /* the loader's connection while it loads */
};

int hs_geoholder_create(hs_geoholder **out, hs_err *err)
{
    hs_geoholder *h = calloc(1, sizeof *h);
    if (!h)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the geometry holder");
    pthread_mutex_init(&h->swap_lock, NULL);
    pthread_mutex_init(&h->load_lock, NULL);
    pthread_mutex_init(&h->bg_lock, NULL);
    pthread_cond_init(&h->bg_wake, NULL);
    atomic_init(&h->wanted, 0);
    *out = h;
    return HS_OK;
}

void hs_geoholder_destroy(hs_geoholder *h)
{
    if (!h)
        return;
    if (atomic_load(&h->bg_started)) {
        /* A load in progress stops at its next query (or now, if it is in one). */
        pthread_mutex_lock(&h->bg_lock);
        h->bg_stop = 1;
        atomic_store(&h->bg_cancel, HS_CANCEL_SHUTDOWN);
        if (h->bg_pgcancel) {
            char why[256];
            (void)PQcancel(h->bg_pgcancel, why, (int)sizeof why);
        }
        pthread_cond_signal(&h->bg_wake);
        pthread_mutex_unlock(&h->bg_lock);
        pthread_join(h->bg_thread, NULL);
    }
    hs_geostore_unref(h->cur);
    pthread_cond_destroy(&h->bg_wake);
    pthread_mutex_destroy(&h->bg_lock);
    pthread_mutex_destroy(&h->swap_lock);
    pthread_mutex_destroy(&h->load_lock);
    free(h);
}

void hs_geoholder_set(hs_geoholder *h, hs_geostore *g)
{
    pthread_mutex_lock(&h->swap_lock);
    hs_geostore *old = h->cur;
    h->cur = g;
    pthread_mutex_unlock(&h->swap_lock);
    hs_geostore_unref(old);
}

void hs_geoholder_invalidate(hs_geoholder *h, uint64_t version)
{
    uint64_t w = atomic_load(&h->wanted);
    while (version > w && !atomic_compare_exchange_weak(&h->wanted, &w, version))
        ;
    if (atomic_load(&h->bg_started)) {
        pthread_mutex_lock(&h->bg_lock);
        pthread_cond_signal(&h->bg_wake);
        pthread_mutex_unlock(&h->bg_lock);
    }
}

/* A reference to the current store, or NULL when it is missing or stale. */
static hs_geostore *current(hs_geoholder *h, hs_geostore **stale)
{
    pthread_mutex_lock(&h->swap_lock);
    hs_geostore *g = h->cur;
    int fresh = g && g->version >= atomic_load(&h->wanted);
    hs_geostore_ref(g);
    pthread_mutex_unlock(&h->swap_lock);
    if (fresh)
        return g;
    *stale = g;
    return NULL;
}

hs_geostore *hs_geoholder_peek(hs_geoholder *h)
{
    hs_geostore *stale = NULL, *g = current(h, &stale);
    return g ? g : stale;
}

int hs_geoholder_get(hs_geoholder *h, PGconn *c, hs_proj_ctx *pc, hs_geostore **out, hs_err *err)
{
    hs_geostore *stale = NULL;
    hs_geostore *g = current(h, &stale);
    if (g) {
        *out = g;
        return HS_OK;
    }
    /* Stale or missing. With a previous store, do not queue behind a loader, and
     * with the background loader running do not load at all: it is on its way. */
    if (stale && atomic_load(&h->bg_started)) {
        *out = stale;
        return HS_OK;
    }
    if (stale) {
        if (pthread_mutex_trylock(&h->load_lock) != 0) {
            *out = stale;
            return HS_OK;
        }
    } else {
        pthread_mutex_lock(&h->load_lock);
    }
    hs_geostore *again = NULL;
    if ((g = current(h, &again)) != NULL) { /* another thread loaded it meanwhile */
        pthread_mutex_unlock(&h->load_lock);
        hs_geostore_unref(stale);
        *out = g;
        return HS_OK;
    }
    hs_geostore_unref(again);
    int rc = hs_geostore_load(c, pc, &g, err);
    if (rc == HS_OK)
        hs_geoholder_set(h, hs_geostore_ref(g));
    pthread_mutex_unlock(&h->load_lock);
    if (rc < 0) {
        if (!stale)
            return rc;
        *out = stale; /* keep serving the previous geometry; retry next time */
        return HS_OK;
    }
    hs_geostore_unref(stale);
    *out = g;
    return HS_OK;
}

/* One background reload of a stale store, under load_lock. 1 when it loaded, 0
 * when there was nothing to do, negative on failure (err filled). */
static int bg_reload(hs_geoholder *h, hs_proj_ctx *pc, hs_err *err)
{
    hs_geostore *stale = NULL, *g = current(h, &stale);
    if (g || !stale) { /* fresh, or never loaded (the first request loads it) */
        hs_geostore_unref(g);
        hs_geostore_unref(stale);
        return 0;
    }
    hs_geostore_unref(stale);
    pthread_mutex_lock(&h->load_lock);
    hs_geostore *again = NULL;
    if ((g = current(h, &again)) != NULL) {
        pthread_mutex_unlock(&h->load_lock);
        hs_geostore_unref(g);
        hs_geostore_unref(again);
        return 0;
    }
    hs_geostore_unref(again);
    PGconn *c = NULL;
    int rc = hs_pg_connect(&c, err);
    if (rc == HS_OK) {
        PGcancel *pgc = PQgetCancel(c);
        pthread_mutex_lock(&h->bg_lock);
        h->bg_pgcancel = pgc;
        int stop = h->bg_stop;
        pthread_mutex_unlock(&h->bg_lock);
        rc = stop ? hs_err_set(err, HS_ECANCELED, "the server is stopping")
                  : hs_geostore_load(c, pc, &g, err);
        pthread_mutex_lock(&h->bg_lock);
        h->bg_pgcancel = NULL;
        pthread_mutex_unlock(&h->bg_lock);
        if (pgc)
            PQfreeCancel(pgc);
        PQfinish(c);
    }
    if (rc == HS_OK) {
        fprintf(stderr, "hotspot: map geometry reloaded in the background (data version %llu) "
                        "in %.1f s; the previous geometry was served meanwhile\n",
                (unsigned long long)hs_geostore_data_version(g), hs_geostore_load_seconds(g));
        hs_geoholder_set(h, g);
    }
    pthread_mutex_unlock(&h->load_lock);
    return rc < 0 ? rc : 1;
}

static void *bg_main(void *arg)
{
    hs_geoholder *h = arg;
    /* The flag destroy sets: hs_pg_query refuses new queries once it is set. */
    hs_cancel_set_current(&h->bg_cancel);
    hs_err e = {0};
    hs_proj_ctx *pc = hs_proj_ctx_new(&e);
    if (!pc) {
        fprintf(stderr, "hotspot: map geometry: no background reloads (%s); requests reload "
                        "it\n", e.msg);
        /* Requests load stale stores themselves again; nobody joins this thread. */
        atomic_store(&h->bg_started, 0);
        pthread_detach(pthread_self());
        hs_cancel_set_current(NULL);
        return NULL;
    }
    pthread_mutex_lock(&h->bg_lock);
    int failed = 0;
    while (!h->bg_stop) {
        /* Woken by invalidate; after a failure, tries again every 2 s. */
        if (failed) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 2;
            pthread_cond_timedwait(&h->bg_wake, &h->bg_lock, &ts);
        } else {
            hs_geostore *stale = NULL, *g = current(h, &stale);
            int idle = g || !stale;
            hs_geostore_unref(g);
            hs_geostore_unref(stale);
            if (idle)
                pthread_cond_wait(&h->bg_wake, &h->bg_lock);
        }
        if (h->bg_stop)
            break;
        pthread_mutex_unlock(&h->bg_lock);
        e = (hs_err){0};
        int rc = bg_reload(h, pc, &e);
        if (rc < 0 && !failed)
            fprintf(stderr, "hotspot: map geometry: background reload failed (%s); the "
                            "previous geometry is served, retrying every 2 s\n", e.msg);
        failed = rc < 0;
        pthread_mutex_lock(&h->bg_lock);
    }
    pthread_mutex_unlock(&h->bg_lock);
    hs_proj_ctx_free(pc);
    hs_cancel_set_current(NULL);
    return NULL;
}

int hs_geoholder_background(hs_geoholder *h, hs_err *err)
{
    if (atomic_load(&h->bg_started))
        return HS_OK;
    /* Set first: a thread that cannot work clears it itself. */
    atomic_store(&h->bg_started, 1);
    if (pthread_create(&h->bg_thread, NULL, bg_main, h)) {
        atomic_store(&h->bg_started, 0);
        return hs_err_set(err, HS_ENOMEM, "cannot start the geometry loader thread");
    }
    return HS_OK;
}

/* Loads the geometry now when the database answers, so the first map is quick;
 * otherwise the first request loads it. */
void hs_geoholder_preload(hs_geoholder *h)
{
    PGconn *c = NULL;
    hs_err e = {0};
    hs_proj_ctx *pc = hs_proj_ctx_new(&e);
    hs_geostore *g = NULL;
    if (pc && hs_pg_connect(&c, &e) == HS_OK && hs_geostore_load(c, pc, &g, &e) == HS_OK) {
        fprintf(stderr,
                "hotspot: map geometry loaded (%d communes, %d provinces; data version %llu) "
                "in %.1f s\n",
                hs_geostore_lonlat(g, HS_GS_COMMUNE)->nfeat,
                hs_geostore_lonlat(g, HS_GS_PROVINCE)->nfeat,
                (unsigned long long)hs_geostore_data_version(g), hs_geostore_load_seconds(g));
        hs_geoholder_set(h, g);
    } else {
        fprintf(stderr, "hotspot: map geometry not loaded at start-up (%s); the first map "
                        "request will load it\n", e.msg);
    }
    if (c)
        PQfinish(c);
    hs_proj_ctx_free(pc);
}
