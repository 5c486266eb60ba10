/* hs_tilesrc: tile layer sources and their cache (see hs_tilesrc.h). */
#include "hs_tilesrc.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cancel.h"
#include "hs_metarender.h"
#include "hs_palette.h"

/* ---- layer names and options ------------------------------------------------ */

int hs_tile_layer_parse(const char *name, int *layer, hs_err *err)
{
    if (name && !strcmp(name, "base")) {
        *layer = HS_TILE_LAYER_BASE;
        return HS_OK;
    }
    for (int t = 0; name && hs_map_type_names[t]; t++)
        if (!strcmp(name, hs_map_type_names[t])) {
            *layer = t;
            return HS_OK;
        }
    char shown[72];
    hs_query_show(shown, sizeof shown, name ? name : "", 64);
    return hs_err_set(err, HS_EINVAL, "layer '%s' is not a tile layer; use one of: %s", shown,
                      hs_tile_layers_help());
}

/* One tile coordinate in [0, max]: decimal digits only (no sign, space, hex). */
static int tile_coord(const char *s, const char *name, long max, int *out, hs_err *err)
{
    char *end = NULL;
    errno = 0;
    long v = s && *s >= '0' && *s <= '9' ? strtol(s, &end, 10) : -1;
    if (!s || !end || *end || errno || v < 0 || v > max) {
        char shown[40];
        hs_query_show(shown, sizeof shown, s ? s : "", 24);
        return hs_err_set(err, HS_EINVAL, "tile %s must be an integer from 0 to %ld (got '%s')",
                          name, max, shown);
    }
    *out = (int)v;
    return HS_OK;
}

int hs_tile_path_parse(const char *layer, const char *z, const char *x, const char *y,
                       hs_tile_path *out, hs_err *err)
{
    out->bad_param = "layer";
    if (hs_tile_layer_parse(layer, &out->layer, err) < 0) {
        err->code = HS_ENOTFOUND; /* a path that names no layer: 404, message lists them */
        return HS_ENOTFOUND;
    }
    if (!z && !x && !y) {
        out->bad_param = NULL;
        return HS_OK;
    }
    out->bad_param = "z";
    int rc = tile_coord(z, "z", HS_TILE_MAXZOOM, &out->z, err);
    if (rc == HS_OK && (out->bad_param = "x"))
        rc = tile_coord(x, "x", (1L << out->z) - 1, &out->x, err);
    if (rc == HS_OK && (out->bad_param = "y"))
        rc = tile_coord(y, "y", (1L << out->z) - 1, &out->y, err);
    if (rc == HS_OK)
        out->bad_param = NULL;
    return rc;
}

const char *hs_tile_layer_name(int layer)
{
    return layer == HS_TILE_LAYER_BASE ? "base" : hs_map_type_name((hs_map_type)layer);
}

hs_analysis_kind hs_tile_layer_needs(int layer)
{
    const hs_map_type_info *t = hs_map_type_info_of(layer);
    return t ? t->needs : HS_ANALYSIS_MAIN;
}

const char *hs_tile_layers_help(void)
{
    return "base" HS_MAP_TYPE_NAMES_CSV_;
}

/* The first names go to hs_params/hs_mapopts; "transparent" is ours. */
#define SHARED_NAMES                                                                          \
    "indicator", "from", "to", "level", "province", "variable", "weights", "attach-isolated",  \
        "permutations", "perm-method", "seed", "fdr", "step", "max-pop-share", "classes", "k", "public"
const char *const hs_tile_query_names[] = {SHARED_NAMES, "transparent", NULL};
static const char *const shared_names[] = {SHARED_NAMES, NULL};

int hs_tile_req_parse(hs_query *q, int layer, const char *const *extra, int last_period,
                      hs_tile_req *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    out->layer = layer;
    const char *allowed[64];
    size_t n = 0;
    for (size_t i = 0; hs_tile_query_names[i]; i++)
        allowed[n++] = hs_tile_query_names[i];
    for (size_t i = 0; extra && extra[i] && n < 63; i++)
        allowed[n++] = extra[i];
    allowed[n] = NULL;
    int rc = hs_query_check_allowed(q, allowed, err);
    if (rc < 0)
        return rc;
    if ((rc = hs_query_bool(q, "transparent", 0, &out->transparent, err)) < 0) {
        out->error_param = "transparent";
        return rc;
    }
    /* The shared validators see only their own names (not transparent, nor the
     * caller's options such as --zoom). */
    hs_query *sub;
    if ((rc = hs_query_subset(q, shared_names, &sub, err)) < 0)
        return rc;
    rc = hs_params_parse(sub, HS_P_STATS | HS_P_EMERGING | HS_P_SCAN | HS_P_MAP, last_period,
                         &out->prm, err);
    if (rc < 0) {
        out->error_param = hs_query_error_param(sub);
        return rc;
    }
    hs_map_type t = layer == HS_TILE_LAYER_BASE ? HS_MAP_COUNT : (hs_map_type)layer;
    if ((rc = hs_map_opts_parse(sub, &out->prm, 0, t, &out->mo, err)) < 0) {
        out->error_param = out->mo.error_param ? out->mo.error_param : hs_query_error_param(sub);
        return rc;
    }
    out->mo.crs = HS_PROJ_WEB_MERCATOR;
    hs_map_params_normalise(&out->prm, &out->mo);
    char mk[HS_TILESRC_KEY_MAX - 64];
    if (layer == HS_TILE_LAYER_BASE) {
        snprintf(mk, sizeof mk, "base/%s", out->prm.province);
    } else if ((rc = hs_map_key(&out->prm, &out->mo, mk, sizeof mk, err)) < 0) {
        return rc;
    }
    snprintf(out->key, sizeof out->key, "tiles/%s/t=%d/%s", hs_tile_layer_name(layer),
             out->transparent, mk);
    return HS_OK;
}

int hs_tile_req_scope(hs_tile_req *r, const char *const *codes, size_t n, hs_err *err)
{
    if (n < 1 || n > HS_TILE_DETAIL_MAX)
        return hs_err_set(err, HS_EINVAL, "tile scope: %zu provinces, allowed 1..%d", n,
                          HS_TILE_DETAIL_MAX);
    if (r->layer == HS_TILE_LAYER_BASE)
        return HS_OK; /* the base layer shows no data at all */
    hs_map_scope sc;
    int rc = hs_map_scope_pick(&r->prm, codes, n, &sc, err);
    if (rc < 0)
        return rc;
    r->ndetail = sc.n;
    for (int k = 0; k < sc.n; k++)
        memcpy(r->detail[k], sc.code[k], sizeof r->detail[k]);
    return hs_map_scope_key(&sc, r->key, sizeof r->key, err);
}

/* ---- sources -------------------------------------------------------------------- */

/* A scoped source's unit layer at one simplification level: the province features
 * outside the scope and the communes of each detail province, shallow copies
 * (rings and strings borrowed from the level), with their classes in the merged
 * class list. Built on first use, then read-only. */
typedef struct mix_level {
    int ready;
    hs_layer layer;
    hs_layer communes; /* the tail of `layer` holding the communes: their outlines */
    int *cls;
} mix_level;

struct hs_tilesrc {
    hs_geostore *g;
    hs_geoprep *prep;  /* EPSG:3857, when there is no job */
    hs_mapjob *job;    /* map types */
    hs_tile_req r;
    hs_class_style base_class;
    hs_bbox area;
    /* Scoped sources (r.ndetail > 0): the jobs of hs_mapscope; `job` is then the
     * national province-level one, scoped.prov (owned by `scoped`). */
    hs_map_scoped scoped;
    int mix_init;             /* mix_lock initialised */
    pthread_mutex_t mix_lock; /* guards mix[] while a level is built */
    mix_level mix[HS_GS_MAX_LEVEL + 1];
    /* cache bookkeeping (hs_tilesrc_cache) */
    atomic_int refs;
    uint64_t version;
    int state; /* 0 building, 1 ready, -1 failed */
    hs_err build_err;
    unsigned long used;
    hs_tilesrc *forward; /* a placeholder's finished source (one reference held) */
};

static void set_area(hs_tilesrc *s)
{
    hs_geoprep *p = s->job ? hs_mapjob_prep(s->job) : s->prep;
    hs_bbox a = {1, 1, 0, 0};
    hs_bbox_union(&a, &hs_geoprep_layer(p, HS_GS_COMMUNE)->bbox);
    hs_bbox_union(&a, &hs_geoprep_layer(p, HS_GS_PROVINCE)->bbox);
    if (!s->r.transparent)
        hs_bbox_union(&a, &hs_geoprep_layer(p, HS_GS_COUNTRY)->bbox);
    s->area = a;
}

/* A new source of r over g, one reference; NULL (err filled) when out of memory. */
static hs_tilesrc *src_new(hs_geostore *g, const hs_tile_req *r, hs_err *err)
{
    hs_tilesrc *s = calloc(1, sizeof *s);
    if (!s) {
        hs_err_set(err, HS_ENOMEM, "tile source: out of memory");
        return NULL;
    }
    s->r = *r;
    s->g = hs_geostore_ref(g);
    atomic_init(&s->refs, 1);
    return s;
}

int hs_tilesrc_create(hs_geostore *g, hs_proj_ctx *pc, const hs_tile_req *r,
                      const hs_analysis_result *res, hs_tilesrc **out, hs_err *err)
{
    *out = NULL;
    hs_tilesrc *s = src_new(g, r, err);
    if (!s)
        return HS_ENOMEM;
    int rc;
    if (r->layer == HS_TILE_LAYER_BASE) {
        rc = hs_geostore_prep(g, pc, HS_PROJ_WEB_MERCATOR, &s->prep, err);
        s->base_class.fill = hs_rgb(0xf7f7f4);
    } else {
        rc = res ? hs_mapjob_build(g, pc, &s->r.prm, &s->r.mo, res, "", &s->job, err)
                 : hs_err_set(err, HS_EINTERNAL, "tile layer %s: no analysis result given",
                              hs_tile_layer_name(r->layer));
    }
    if (rc < 0) {
        hs_tilesrc_free(s);
        return rc;
    }
    set_area(s);
    *out = s;
    return HS_OK;
}

void hs_tilesrc_free(hs_tilesrc *s)
{
    if (!s)
        return;
    hs_tilesrc_release(s->forward);
    if (s->scoped.prov)
        s->job = NULL; /* scoped.prov: freed with the scope's jobs */
    hs_map_scoped_clear(&s->scoped);
    for (int l = 0; l <= HS_GS_MAX_LEVEL; l++) {
        free(s->mix[l].layer.feat);
        free(s->mix[l].cls);
    }
    if (s->mix_init)
        pthread_mutex_destroy(&s->mix_lock);
    hs_mapjob_free(s->job);
    hs_geoprep_release(s->prep);
    hs_geostore_unref(s->g);
    free(s);
}

int hs_tilesrc_synthetic(const hs_tilesrc *s)
{
    return hs_geostore_synthetic(s->g);
}

uint64_t hs_tilesrc_data_version(const hs_tilesrc *s)
{
    return hs_geostore_data_version(s->g);
}

hs_bbox hs_tilesrc_area(const hs_tilesrc *s)
{
    return s->area;
}

unsigned int hs_tilesrc_background(const hs_tilesrc *s)
{
    if (s->r.transparent)
        return 0;
    hs_map_spec sp;
    memset(&sp, 0, sizeof sp);
    hs_style_defaults(&sp);
    return 0xff000000u | (unsigned)sp.sea.r << 16 | (unsigned)sp.sea.g << 8 | sp.sea.b;
}

const hs_class_style *hs_tilesrc_classes(const hs_tilesrc *s, int *n)
{
    if (!s->job) {
        *n = 0;
        return NULL;
    }
    const hs_map_spec *sp = hs_mapjob_spec(s->job);
    *n = sp->nclasses;
    return sp->classes;
}

/* The mixed unit layer of `level` (hs_map_scoped_mix), built once. */
static int mix_get(hs_tilesrc *s, const hs_geolevel *lv, int level, const mix_level **out,
                   hs_err *err)
{
    pthread_mutex_lock(&s->mix_lock);
    mix_level *m = &s->mix[level];
    int rc = HS_OK;
    if (!m->ready) {
        rc = hs_map_scoped_mix(&s->scoped, lv, &m->layer, &m->cls, &m->communes, err);
        m->ready = rc == HS_OK;
    }
    pthread_mutex_unlock(&s->mix_lock);
    *out = m;
    return rc;
}

/* A scoped source's spec: the province job's styling and furniture-free layers, the
 * mixed unit layer, merged classes. No spatial index for the mixed layer (a few
 * dozen provinces plus one province's communes: the renderer's own bbox test is
 * enough). */
static int scoped_spec(hs_tilesrc *s, const hs_geolevel *lv, int level, int z, hs_map_spec *sp,
                       const hs_sindex **units_ix, hs_err *err)
{
    const mix_level *m;
    int rc = mix_get(s, lv, level, &m, err);
    if (rc < 0)
        return rc;
    hs_mapjob_tile_spec(s->job, lv, sp);
    for (int k = 0; k < s->scoped.n; k++) {
        hs_map_spec ds;
        hs_mapjob_tile_spec(s->scoped.detail[k], lv, &ds);
        sp->label_provinces &= ds.label_provinces; /* any suppression hides names */
    }
    sp->units = &m->layer;
    sp->unit_class = m->cls;
    sp->classes = s->scoped.classes;
    sp->nclasses = s->scoped.nclasses;
    /* Thin outlines for the communes only (from z7, as unscoped tiles): whole
     * provinces get none, exactly as on a province-level tile. */
    sp->draw_unit_outlines = z >= 7;
    sp->unit_outlines = &m->communes;
    if (s->r.transparent) {
        sp->transparent_background = 1;
        sp->countries = NULL;
    }
    *units_ix = NULL;
    return HS_OK;
}

int hs_tilesrc_spec(hs_tilesrc *s, int z, int tile_px, hs_map_spec *sp, int **owned,
                    const hs_sindex **units_ix, hs_err *err)
{
    *owned = NULL;
    hs_geoprep *p = s->job ? hs_mapjob_prep(s->job) : s->prep;
    /* Level z is half a pixel at 256 px; @2x tiles take the next level (half a pixel
     * at 512 px), as crisp as their pixels. */
    int level = z + (tile_px > HS_TILE_PX);
    if (level > HS_GS_MAX_LEVEL)
        level = HS_GS_MAX_LEVEL;
    const hs_geolevel *lv;
    int rc = hs_geoprep_level(p, level, &lv, err);
    if (rc < 0)
        return rc;
    if (s->r.ndetail)
        return scoped_spec(s, lv, level, z, sp, units_ix, err);
    if (s->job) {
        hs_mapjob_tile_spec(s->job, lv, sp);
    } else {
        memset(sp, 0, sizeof *sp);
        sp->countries = lv->layer[HS_GS_COUNTRY];
        sp->units = lv->layer[s->r.prm.level == HS_LEVEL_PROVINCE ? HS_GS_PROVINCE : HS_GS_COMMUNE];
        sp->classes = &s->base_class;
        sp->nclasses = 1;
        sp->provinces = lv->layer[HS_GS_PROVINCE];
        sp->border = lv->layer[HS_GS_BORDER];
        sp->label_provinces = 1;
        hs_style_defaults(sp);
        /* every unit in the one class */
        *owned = calloc((size_t)(sp->units->nfeat > 0 ? sp->units->nfeat : 1), sizeof **owned);
        if (!*owned)
            return hs_err_set(err, HS_ENOMEM, "tile: out of memory");
        sp->unit_class = *owned;
    }
    int ul = sp->units == lv->layer[HS_GS_PROVINCE] ? HS_GS_PROVINCE : HS_GS_COMMUNE;
    /* Commune outlines from z7: below that a commune is a few pixels and its outline
     * would grey the whole map. Provinces are outlined by their own layer. */
    sp->draw_unit_outlines = ul == HS_GS_COMMUNE ? z >= 7 : 0;
    if (s->r.transparent) {
        sp->transparent_background = 1;
        sp->countries = NULL;
    }
    *units_ix = lv->index[ul];
    return HS_OK;
}

unsigned char *hs_tilesrc_raster(const hs_tilesrc *s, const hs_metatile *m)
{
    size_t n = (size_t)m->width * (size_t)m->height * 4;
    return s->r.transparent ? calloc(n, 1) : malloc(n);
}

int hs_tilesrc_render(hs_tilesrc *s, hs_render_ctx *rc, const hs_metatile *m,
                      unsigned char *argb, int stride, int *units_drawn, hs_err *err)
{
    hs_map_spec sp;
    int *owned = NULL;
    const hs_sindex *ix = NULL;
    int rc_ = hs_tilesrc_spec(s, m->z, m->tile_px, &sp, &owned, &ix, err);
    if (rc_ < 0)
        return rc_;
    sp.cancel = hs_cancel_current(); /* a heavy job's flag (NULL elsewhere) */
    hs_metarender_stats st = {0};
    double scale = (double)m->tile_px / HS_TILE_PX;
    rc_ = hs_metarender(rc, &sp, ix, m, scale, argb, stride, &st, err);
    free(owned);
    if (units_drawn)
        *units_drawn = st.units_drawn;
    return rc_;
}

/* ---- the cache ------------------------------------------------------------------ */

#define SRC_CACHE_MAX 64

struct hs_tilesrc_cache {
    pthread_mutex_t lock;
    pthread_cond_t done; /* broadcast when a build finishes */
    int cap, n;
    unsigned long tick;
    hs_tilesrc *e[SRC_CACHE_MAX];
};

hs_tilesrc_cache *hs_tilesrc_cache_create(int cap, hs_err *err)
{
    if (cap < 1 || cap > SRC_CACHE_MAX) {
        hs_err_set(err, HS_EINVAL, "tile source cache: capacity %d outside 1..%d", cap,
                   SRC_CACHE_MAX);
        return NULL;
    }
    hs_tilesrc_cache *c = calloc(1, sizeof *c);
    if (!c) {
        hs_err_set(err, HS_ENOMEM, "tile source cache: out of memory");
        return NULL;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->done, NULL);
    c->cap = cap;
    return c;
}

void hs_tilesrc_release(hs_tilesrc *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        hs_tilesrc_free(s);
}

void hs_tilesrc_cache_destroy(hs_tilesrc_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        hs_tilesrc_release(c->e[i]);
    pthread_cond_destroy(&c->done);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Removes entry i (caller holds the lock); drops the cache's reference. */
static void drop(hs_tilesrc_cache *c, int i)
{
    hs_tilesrc *s = c->e[i];
    c->e[i] = c->e[--c->n];
    hs_tilesrc_release(s);
}

/* A scoped source: the jobs of hs_mapscope (the national province-level analysis of
 * the same window and options, and one commune-level analysis per detail province,
 * each of that province alone), shared with scoped full maps. */
static int build_scoped(PGconn *conn, hs_geostore *g, hs_proj_ctx *pc, const hs_tile_req *r,
                        hs_tilesrc **out, hs_err *err)
{
    *out = NULL;
    hs_tilesrc *s = src_new(g, r, err);
    if (!s)
        return HS_ENOMEM;
    pthread_mutex_init(&s->mix_lock, NULL);
    s->mix_init = 1;
    hs_map_scope sc = {.n = r->ndetail};
    memcpy(sc.code, r->detail, (size_t)r->ndetail * sizeof r->detail[0]);
    int rc = hs_map_scoped_build(conn, g, pc, &r->prm, &r->mo, &sc, 0, "", &s->scoped, err);
    if (rc < 0) {
        hs_tilesrc_free(s);
        return rc;
    }
    s->job = s->scoped.prov;
    set_area(s);
    *out = s;
    return HS_OK;
}

static int build_source(PGconn *conn, hs_geostore *g, hs_proj_ctx *pc, const hs_tile_req *r,
                        hs_tilesrc **out, hs_err *err)
{
    if (r->ndetail && r->layer != HS_TILE_LAYER_BASE)
        return build_scoped(conn, g, pc, r, out, err);
    if (r->layer == HS_TILE_LAYER_BASE)
        return hs_tilesrc_create(g, pc, r, NULL, out, err);
    hs_analysis_result res;
    int rc = hs_pipeline_run_kind(conn, hs_tile_layer_needs(r->layer), &r->prm, &res, err);
    if (rc == HS_OK)
        rc = hs_tilesrc_create(g, pc, r, &res, out, err);
    hs_analysis_result_clear(&res);
    return rc;
}

hs_tilesrc *hs_tilesrc_find(hs_tilesrc_cache *c, uint64_t version, const hs_tile_req *r)
{
    hs_tilesrc *hit = NULL;
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < c->n && !hit; i++)
        if (c->e[i]->state == 1 && c->e[i]->version == version && !strcmp(c->e[i]->r.key, r->key))
            hit = c->e[i];
    if (hit) {
        hit->used = ++c->tick;
        atomic_fetch_add(&hit->refs, 1);
    }
    pthread_mutex_unlock(&c->lock);
    return hit;
}

int hs_tilesrc_get(hs_tilesrc_cache *c, PGconn *conn, hs_geostore *g, hs_proj_ctx *pc,
                   const hs_tile_req *r, hs_tilesrc **out, hs_err *err)
{
    *out = NULL;
    uint64_t v = hs_geostore_data_version(g);
    pthread_mutex_lock(&c->lock);
    hs_tilesrc *hit = NULL;
    for (int i = 0; i < c->n; i++) {
        if (c->e[i]->version < v && c->e[i]->state != 0) {
            drop(c, i--); /* an older data version: never served again */
            continue;
        }
        if (c->e[i]->version == v && !strcmp(c->e[i]->r.key, r->key))
            hit = c->e[i];
    }
    if (hit) {
        atomic_fetch_add(&hit->refs, 1);
        while (hit->state == 0) /* another thread is building it: wait for that */
            pthread_cond_wait(&c->done, &c->lock);
        hs_tilesrc *res = hit->forward ? hit->forward : hit;
        hs_err e = hit->build_err;
        int ok = hit->state == 1;
        if (ok) {
            res->used = ++c->tick;
            atomic_fetch_add(&res->refs, 1);
        }
        pthread_mutex_unlock(&c->lock);
        hs_tilesrc_release(hit);
        if (ok) {
            *out = res;
            return HS_OK;
        }
        /* The build we waited for failed: the same error. The failed placeholder is
         * already out of the list, so the next request tries again. */
        if (err)
            *err = e;
        return e.code < 0 ? e.code : HS_EINTERNAL;
    }
    /* Build it here, with a placeholder others can wait on. */
    while (c->n >= c->cap) {
        int lru = -1;
        for (int i = 0; i < c->n; i++)
            if (c->e[i]->state != 0 && (lru < 0 || c->e[i]->used < c->e[lru]->used))
                lru = i;
        if (lru < 0)
            break; /* all building: go over the cap briefly rather than wait */
        drop(c, lru);
    }
    hs_tilesrc *ph = calloc(1, sizeof *ph);
    if (!ph || c->n >= SRC_CACHE_MAX) {
        pthread_mutex_unlock(&c->lock);
        free(ph);
        return hs_err_set(err, HS_ENOMEM, "tile source cache: out of memory");
    }
    ph->r = *r;
    ph->version = v;
    atomic_init(&ph->refs, 1); /* the list's */
    c->e[c->n++] = ph;
    pthread_mutex_unlock(&c->lock);

    hs_tilesrc *s = NULL;
    hs_err berr = {0};
    int rc = build_source(conn, g, pc, r, &s, &berr);

    pthread_mutex_lock(&c->lock);
    int slot = -1;
    for (int i = 0; i < c->n; i++)
        if (c->e[i] == ph)
            slot = i;
    if (rc == HS_OK) {
        s->version = v;
        s->state = 1;
        s->used = ++c->tick;
        /* refs: the caller's (from create), the list's, the placeholder's forward */
        atomic_fetch_add(&s->refs, 2);
        ph->forward = s;
        ph->state = 1;
        if (slot >= 0)
            c->e[slot] = s;
        else
            atomic_fetch_sub(&s->refs, 1);
        *out = s;
    } else {
        ph->state = -1;
        ph->build_err = berr;
        if (slot >= 0)
            c->e[slot] = c->e[--c->n];
    }
    pthread_cond_broadcast(&c->done);
    pthread_mutex_unlock(&c->lock);
    if (slot >= 0)
        hs_tilesrc_release(ph); /* the list's reference to the placeholder */
    if (rc < 0 && err)
        *err = berr;
    return rc;
}
