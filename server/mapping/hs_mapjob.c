#include "hs_mapjob.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_cancel.h"
#include "hs_period.h"

/* Archipelagos: the only land of Vietnam east of this meridian (the mainland coast
 * ends near 109.5 E; Hoàng Sa starts near 111.2 E, Trường Sa near 111.9 E), split
 * north/south at 14 N. */
#define ARCHI_MIN_LON 110.5
#define ARCHI_SPLIT_LAT 14.0
#define CONTEXT_FILL 0xf0efeb

typedef struct archi {
    int found;
    hs_bbox box;  /* projected */
    int province; /* index in the province layer */
} archi;

struct hs_mapjob {
    hs_geoprep *prep;
    hs_geostore *store; /* owned by prep's reference */
    hs_params prm;
    hs_map_opts o;
    char *crs;
    hs_gs_layer unit_layer;
    int nunits;              /* features in the unit layer */
    int *cls_full;           /* class of every feature of the unit layer, -1 = none */
    unsigned char *selected; /* in the analysis */
    int hide_province_labels;
    hs_map_classes mc; /* from the type's classification; mc.sup_cls = "suppressed" */
    char title[200], subtitle[300], legend_title[120], source[200], generated_at[64];
    char nodata[120], inset_title[120];
    char label_text[2][120];
    hs_map_label labels[2];
    int nlabels;
    hs_map_spec spec;
    hs_bbox extent;
    const hs_geolevel *lv; /* the level the full map is drawn from */
    /* Shallow views over a level's layers for full maps (feature structs copied,
     * rings and strings borrowed): only the arrays are ours. */
    hs_layer units_view, context_view, prov_view;
    int *view_cls;
};

static const char *ind_vi(hs_indicator i)
{
    static const char *const v[] = {"Số vụ", "Số nạn nhân", "Số đối tượng",
                                    "Hoạt động truyền thông"};
    return i >= 0 && i < HS_IND_COUNT ? v[i] : "?";
}

static const char *ind_en(hs_indicator i)
{
    static const char *const v[] = {"cases", "victims", "suspects", "outreach events"};
    return i >= 0 && i < HS_IND_COUNT ? v[i] : "?";
}

/* `levels`: the level phrase of the subtitle; NULL = the job's own level. */
static void titles(hs_mapjob *j, const char *province_name, const char *levels)
{
    const hs_map_type_info *t = hs_map_type_info_of(j->o.type);
    const hs_params *p = &j->prm;
    snprintf(j->title, sizeof j->title, "%s", t->title);
    char f[8], to[8];
    hs_period_format(p->from, f, sizeof f);
    hs_period_format(p->to, to, sizeof to);
    /* "2025-01" -> "01/2025", the Vietnamese order. */
    const char *own = p->level == HS_LEVEL_COMMUNE ? "cấp xã (communes)" : "cấp tỉnh (provinces)";
    const char *where = province_name ? province_name : "Toàn quốc (national)";
    if (levels) /* two levels: their phrase gets a line of its own */
        snprintf(j->subtitle, sizeof j->subtitle, "%s (%s) · %.2s/%.4s – %.2s/%.4s · %s\n%s",
                 ind_vi(p->indicator), ind_en(p->indicator), f + 5, f, to + 5, to, where, levels);
    else
        snprintf(j->subtitle, sizeof j->subtitle, "%s (%s) · %.2s/%.4s – %.2s/%.4s · %s · %s",
                 ind_vi(p->indicator), ind_en(p->indicator), f + 5, f, to + 5, to, own, where);
    hs_map_type_legend_title(j->o.type, ind_vi(p->indicator), ind_en(p->indicator), j->legend_title,
                             sizeof j->legend_title);
    snprintf(j->source, sizeof j->source,
             "Nguồn: Hotspot138; ranh giới: Talia Cao (MIT), Natural Earth");
    snprintf(j->nodata, sizeof j->nodata, "%s", t->nodata);
}

/* ---- extents ---------------------------------------------------------------------------- */

static void bbox_add(hs_bbox *b, const hs_bbox *a)
{
    b->minx = fmin(b->minx, a->minx);
    b->miny = fmin(b->miny, a->miny);
    b->maxx = fmax(b->maxx, a->maxx);
    b->maxy = fmax(b->maxy, a->maxy);
}

static hs_bbox ring_bbox(const hs_ring *r)
{
    hs_bbox b = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (int k = 0; k < r->npts; k++) {
        hs_bbox p = {r->xy[2 * k], r->xy[2 * k + 1], r->xy[2 * k], r->xy[2 * k + 1]};
        bbox_add(&b, &p);
    }
    return b;
}

static hs_bbox grow(hs_bbox b, double frac)
{
    double dx = (b.maxx - b.minx) * frac, dy = (b.maxy - b.miny) * frac, d = fmax(dx, dy);
    return (hs_bbox){b.minx - d, b.miny - d, b.maxx + d, b.maxy + d};
}

/* Projected bbox of the parts of province features (all when which < 0): mainland
 * parts into *main, archipelago parts into a[0] (Hoàng Sa) and a[1] (Trường Sa).
 * Lon/lat and projected layers have the same rings (hs_proj_layer keeps them). */
static void province_parts(const hs_layer *ll, const hs_layer *pj, int which, hs_bbox *main,
                           archi a[2])
{
    *main = (hs_bbox){DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    memset(a, 0, 2 * sizeof *a);
    for (int i = 0; i < ll->nfeat; i++) {
        if (which >= 0 && i != which)
            continue;
        const hs_feature *fl = &ll->feat[i], *fp = &pj->feat[i];
        int r0 = 0;
        for (int p = 0; p < fl->nparts && r0 < fl->nrings && r0 < fp->nrings;
             r0 += fl->part_rings[p], p++) {
            hs_bbox g = ring_bbox(&fl->rings[r0]), b = ring_bbox(&fp->rings[r0]);
            if (g.minx > ARCHI_MIN_LON) {
                archi *x = &a[0.5 * (g.miny + g.maxy) > ARCHI_SPLIT_LAT ? 0 : 1];
                if (!x->found)
                    x->box = b, x->found = 1, x->province = i;
                else
                    bbox_add(&x->box, &b);
            } else {
                bbox_add(main, &b);
            }
        }
    }
}

/* Layout px per projected unit when `ext` is fitted into a frame of w x h layout px. */
static double fit_ppu(const hs_bbox *ext, double w, double h)
{
    return fmin(w / (ext->maxx - ext->minx), h / (ext->maxy - ext->miny));
}

/* Approximate main frame of hs_render_map's page layout (title block, footer and
 * margins scale with u = min(W, H) / 800), to place labels before rendering. */
static double main_ppu(const hs_map_opts *o, const hs_bbox *ext)
{
    double W = o->page.width, H = o->page.height, u = fmax(0.5, fmin(W, H) / 800);
    return fit_ppu(ext, W - 36 * u, H - 110 * u);
}

/* Archipelago labels go just south of their islands (two lines of about 13 layout px
 * each, centred on the anchor) so that the text never covers them. */
#define LABEL_HALF_H 16.0

static void add_label(hs_mapjob *j, const archi *a, const char *name, const hs_layer *provinces,
                      double ppu)
{
    int n = j->nlabels++;
    snprintf(j->label_text[n], sizeof j->label_text[n], "QĐ. %s\n(%s)", name,
             provinces->feat[a->province].name);
    j->labels[n] = (hs_map_label){0.5 * (a->box.minx + a->box.maxx),
                                  a->box.miny - (LABEL_HALF_H + 3) / ppu, j->label_text[n], 1};
}

/* One province: frame its communes that have neighbours plus the island communes
 * near them (Lý Sơn, Phú Quý, Côn Đảo...: centre within ISLAND_NEAR_DEG of the
 * mainland communes), not a whole multipolygon that may reach far out to sea. */
#define ISLAND_NEAR_DEG 1.7

static void frame_communes(const hs_mapjob *j, hs_bbox *out)
{
    const hs_layer *ll = hs_geostore_lonlat(j->store, HS_GS_COMMUNE);
    const hs_layer *pj = hs_geoprep_layer(j->prep, HS_GS_COMMUNE);
    hs_bbox land = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX}, m = land;
    for (int i = 0; i < ll->nfeat; i++)
        if (j->selected[i] && !(ll->feat[i].flags & HS_FEAT_ISLAND) && ll->feat[i].nrings) {
            bbox_add(&land, &ll->feat[i].bbox);
            bbox_add(&m, &pj->feat[i].bbox);
        }
    if (land.minx > land.maxx)
        return; /* only islands: keep the province's parts */
    for (int i = 0; i < ll->nfeat; i++) {
        const hs_bbox *b = &ll->feat[i].bbox;
        double cx = 0.5 * (b->minx + b->maxx), cy = 0.5 * (b->miny + b->maxy);
        if (j->selected[i] && (ll->feat[i].flags & HS_FEAT_ISLAND) && ll->feat[i].nrings &&
            cx > land.minx - ISLAND_NEAR_DEG && cx < land.maxx + ISLAND_NEAR_DEG &&
            cy > land.miny - ISLAND_NEAR_DEG && cy < land.maxy + ISLAND_NEAR_DEG)
            bbox_add(&m, &pj->feat[i].bbox);
    }
    *out = m;
}

static int compute_extent(hs_mapjob *j, hs_proj_ctx *pc, hs_err *err)
{
    const hs_layer *ll = hs_geostore_lonlat(j->store, HS_GS_PROVINCE);
    const hs_layer *pj = hs_geoprep_layer(j->prep, HS_GS_PROVINCE);
    hs_bbox main;
    archi a[2];
    if (j->o.extent == HS_EXTENT_BBOX) {
        double xy[2 * 64];
        for (int k = 0; k < 16; k++) { /* edges sampled: projected edges may curve */
            double t = k / 16.0;
            const hs_bbox *b = &j->o.bbox;
            double px[4] = {b->minx + t * (b->maxx - b->minx), b->maxx,
                            b->maxx - t * (b->maxx - b->minx), b->minx};
            double py[4] = {b->miny, b->miny + t * (b->maxy - b->miny), b->maxy,
                            b->maxy - t * (b->maxy - b->miny)};
            for (int e = 0; e < 4; e++)
                xy[2 * (4 * k + e)] = px[e], xy[2 * (4 * k + e) + 1] = py[e];
        }
        int rc = hs_proj_fwd(pc, j->crs, xy, 64, err);
        if (rc < 0)
            return rc;
        j->extent = (hs_bbox){DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
        for (int k = 0; k < 64; k++) {
            hs_bbox p = {xy[2 * k], xy[2 * k + 1], xy[2 * k], xy[2 * k + 1]};
            bbox_add(&j->extent, &p);
        }
        province_parts(ll, pj, -1, &main, a);
        for (int i = 0; i < 2; i++) /* label the archipelagos that fall inside */
            if (a[i].found)
                add_label(j, &a[i], i ? "Trường Sa" : "Hoàng Sa", ll, main_ppu(&j->o, &j->extent));
        return HS_OK;
    }
    int which = -1;
    if (j->o.extent == HS_EXTENT_PROVINCE &&
        (which = hs_geostore_find(j->store, HS_GS_PROVINCE, j->prm.province)) < 0)
        return hs_err_set(err, HS_ENOTFOUND, "province %s has no boundary in the database",
                          j->prm.province);
    province_parts(ll, pj, which, &main, a);
    if (which >= 0 && j->unit_layer == HS_GS_COMMUNE)
        frame_communes(j, &main);
    if (main.minx > main.maxx)
        return hs_err_set(err, HS_EGEO, "no mainland geometry to frame");
    int national = which < 0;
    /* National: Hoàng Sa stays in the main frame (north of the southern coast, the
     * sea east of the centre is empty anyway) and Trường Sa goes into the inset.
     * One province: its archipelago, if any, goes into the inset. */
    if (national && a[0].found)
        bbox_add(&main, &a[0].box);
    j->extent = grow(main, national ? 0.02 : 0.06);
    for (int i = 0; i < 2; i++) {
        if (!a[i].found)
            continue;
        if (national && i == 0) {
            add_label(j, &a[i], "Hoàng Sa", ll, main_ppu(&j->o, &j->extent));
            continue;
        }
        /* The inset box is about 26 % of the frame wide (hs_furniture.c); its extent
         * gets a strip below the islands for the label. */
        hs_bbox in = grow(a[i].box, 0.08);
        double ppu = fit_ppu(&in,
                             0.26 * (j->o.page.width -
                                     36 * fmax(0.5, fmin(j->o.page.width, j->o.page.height) / 800)),
                             1e9);
        add_label(j, &a[i], i ? "Trường Sa" : "Hoàng Sa", ll, ppu);
        in.miny -= (2 * LABEL_HALF_H + 8) / ppu;
        j->spec.has_inset = 1;
        j->spec.inset_extent = in;
        snprintf(j->inset_title, sizeof j->inset_title, "Quần đảo %s",
                 i ? "Trường Sa" : "Hoàng Sa");
        j->spec.inset_title = j->inset_title;
    }
    return HS_OK;
}

/* ---- views ------------------------------------------------------------------------------ */

static int view_add(hs_layer *v, const hs_feature *f, int cap, hs_err *err)
{
    if (!v->feat && !(v->feat = malloc((size_t)(cap > 0 ? cap : 1) * sizeof *v->feat)))
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a layer view");
    v->feat[v->nfeat++] = *f;
    return HS_OK;
}

static void view_bbox(hs_layer *v)
{
    v->bbox = (hs_bbox){DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (int i = 0; i < v->nfeat; i++)
        if (v->feat[i].nrings)
            bbox_add(&v->bbox, &v->feat[i].bbox);
}

/* Full-map layers from one simplification level: the analysed units (with their
 * classes), the rest as grey context (countries and other provinces), province
 * outlines (names of suppressed provinces removed). */
static int build_views(hs_mapjob *j, const hs_geolevel *lv, hs_err *err)
{
    const hs_layer *units = lv->layer[j->unit_layer], *prov = lv->layer[HS_GS_PROVINCE];
    const hs_layer *countries = lv->layer[HS_GS_COUNTRY];
    int rc = HS_OK;
    j->units_view.kind = j->context_view.kind = j->prov_view.kind = HS_LAYER_POLYGON;
    if (!(j->view_cls =
              malloc((size_t)(units->nfeat > 0 ? units->nfeat : 1) * sizeof *j->view_cls)))
        return hs_err_set(err, HS_ENOMEM, "cannot allocate classes");
    for (int i = 0; rc == HS_OK && i < units->nfeat; i++)
        if (j->selected[i]) {
            j->view_cls[j->units_view.nfeat] = j->cls_full[i];
            rc = view_add(&j->units_view, &units->feat[i], units->nfeat, err);
        }
    int ctx_cap = countries->nfeat + prov->nfeat;
    for (int i = 0; rc == HS_OK && i < countries->nfeat; i++)
        rc = view_add(&j->context_view, &countries->feat[i], ctx_cap, err);
    if (j->prm.province[0])
        for (int i = 0; rc == HS_OK && i < prov->nfeat; i++)
            if (strcmp(prov->feat[i].code, j->prm.province) != 0)
                rc = view_add(&j->context_view, &prov->feat[i], ctx_cap, err);
    for (int i = 0; rc == HS_OK && i < prov->nfeat; i++) {
        rc = view_add(&j->prov_view, &prov->feat[i], prov->nfeat, err);
        if (rc == HS_OK && j->hide_province_labels && j->unit_layer == HS_GS_PROVINCE &&
            j->cls_full[i] == j->mc.sup_cls)
            j->prov_view.feat[j->prov_view.nfeat - 1].name = NULL; /* suppressed: no name */
    }
    view_bbox(&j->units_view);
    view_bbox(&j->context_view);
    view_bbox(&j->prov_view);
    return rc;
}

/* ---- build ------------------------------------------------------------------------------ */

void hs_mapjob_free(hs_mapjob *j)
{
    if (!j)
        return;
    free(j->units_view.feat);
    free(j->context_view.feat);
    free(j->prov_view.feat);
    free(j->view_cls);
    free(j->cls_full);
    free(j->selected);
    free(j->crs);
    hs_geoprep_release(j->prep);
    free(j);
}

static int map_classes(hs_mapjob *j, const hs_analysis_result *d, hs_err *err)
{
    const hs_map_type_info *t = hs_map_type_info_of(j->o.type);
    const hs_unitset *u = d->run ? d->run->u : d->units;
    if (!t || !u || (t->needs == HS_ANALYSIS_SCAN && !d->scan) ||
        (t->needs == HS_ANALYSIS_EMERGING && !d->emerging) ||
        (t->needs == HS_ANALYSIS_MAIN && !d->run))
        return hs_err_set(err, HS_EINTERNAL, "map %s: the results it needs were not given",
                          hs_map_type_name(j->o.type));
    int *cls = malloc((size_t)(u->n > 0 ? u->n : 1) * sizeof *cls);
    if (!cls)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate classes");
    int rc = t->classify(t, &j->o, d, u->n, cls, &j->mc, err);
    for (int i = 0; i < j->nunits; i++)
        j->cls_full[i] = -1;
    int nsup = 0;
    for (int i = 0; rc == HS_OK && i < u->n; i++) {
        int f = hs_geostore_find(j->store, j->unit_layer, u->code[i]);
        if (f < 0)
            continue; /* a unit without boundary: nothing to draw */
        j->selected[f] = 1;
        j->cls_full[f] = cls[i];
        nsup += j->mc.sup_cls >= 0 && cls[i] == j->mc.sup_cls;
    }
    j->hide_province_labels = nsup > 0;
    free(cls);
    return rc;
}

int hs_mapjob_build(hs_geostore *g, hs_proj_ctx *pc, const hs_params *prm, const hs_map_opts *o,
                    const hs_analysis_result *d, const char *generated_at, hs_mapjob **out,
                    hs_err *err)
{
    hs_mapjob *j = calloc(1, sizeof *j);
    if (!j)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a map job");
    j->prm = *prm;
    j->o = *o;
    j->mc.sup_cls = -1;
    j->crs = strdup(o->crs ? o->crs : HS_GS_NATIONAL);
    j->o.crs = j->crs;
    int rc = j->crs ? hs_geostore_prep(g, pc, j->crs, &j->prep, err)
                    : hs_err_set(err, HS_ENOMEM, "cannot allocate");
    if (rc < 0) {
        hs_mapjob_free(j);
        if (rc != HS_EGEO && rc != HS_EINVAL)
            return rc;
        char msg[HS_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return hs_err_set(err, HS_EINVAL, "crs '%.200s': %s", o->crs ? o->crs : "", msg);
    }
    j->store = g;
    j->unit_layer = prm->level == HS_LEVEL_PROVINCE ? HS_GS_PROVINCE : HS_GS_COMMUNE;
    j->nunits = hs_geostore_lonlat(g, j->unit_layer)->nfeat;
    j->cls_full = malloc((size_t)(j->nunits > 0 ? j->nunits : 1) * sizeof *j->cls_full);
    j->selected = calloc((size_t)(j->nunits > 0 ? j->nunits : 1), 1);
    snprintf(j->generated_at, sizeof j->generated_at, "%s", generated_at ? generated_at : "");
    if (!j->cls_full || !j->selected)
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate classes of %d units", j->nunits);
    if (rc == HS_OK)
        rc = map_classes(j, d, err);
    if (rc == HS_OK)
        rc = compute_extent(j, pc, err);
    const char *pname = NULL;
    if (rc == HS_OK && prm->province[0]) {
        int pi = hs_geostore_find(g, HS_GS_PROVINCE, prm->province);
        pname = pi >= 0 ? hs_geostore_lonlat(g, HS_GS_PROVINCE)->feat[pi].name : prm->province;
    }
    titles(j, pname, NULL);
    /* Simplify to half a device pixel (vector output: as for 300 dpi print). */
    double scale = o->format == HS_FORMAT_PNG ? o->page.scale : 300.0 / 96.0;
    double upp = fmax((j->extent.maxx - j->extent.minx) / (o->page.width * scale),
                      (j->extent.maxy - j->extent.miny) / (o->page.height * scale));
    const hs_geolevel *lv = NULL;
    if (rc == HS_OK)
        rc = hs_geoprep_level(j->prep, hs_geoprep_level_for(j->prep, 0.5 * upp), &lv, err);
    if (rc == HS_OK)
        rc = build_views(j, lv, err);
    j->lv = lv;
    double gm = 1;
    if (rc == HS_OK)
        rc = hs_proj_ground_per_unit(pc, j->crs, 0.5 * (j->extent.minx + j->extent.maxx),
                                     0.5 * (j->extent.miny + j->extent.maxy), &gm, err);
    if (rc < 0) {
        hs_mapjob_free(j);
        return rc;
    }
    hs_map_spec *s = &j->spec;
    s->countries = &j->context_view;
    s->units = &j->units_view;
    s->unit_class = j->view_cls;
    s->classes = j->mc.classes;
    s->nclasses = j->mc.nclasses;
    s->provinces = &j->prov_view;
    s->border = lv->layer[HS_GS_BORDER];
    s->draw_unit_outlines = 1;
    s->highlight_key = !o->public_mode; /* key communes are an operational choice */
    s->label_provinces = 1;
    s->labels = j->labels;
    s->nlabels = j->nlabels;
    s->title = j->title;
    s->subtitle = j->subtitle;
    s->legend_title = j->legend_title;
    s->nodata_label = j->nodata;
    s->source = j->source;
    s->generated_at = j->generated_at;
    s->synthetic = d->synthetic;
    s->scale_bar = s->north_arrow = 1;
    s->legend_auto = 1;
    /* Context (neighbours, other provinces) lighter than the "not significant" grey
     * #e0e0e0, so analysed units never blend into it. */
    s->country_fill = hs_rgb(CONTEXT_FILL);
    s->ground_m_per_unit = gm;
    hs_style_defaults(s);
    *out = j;
    return HS_OK;
}

const hs_map_spec *hs_mapjob_spec(const hs_mapjob *j)
{
    return &j->spec;
}

const hs_bbox *hs_mapjob_extent(const hs_mapjob *j)
{
    return &j->extent;
}

const hs_geolevel *hs_mapjob_level(const hs_mapjob *j)
{
    return j->lv;
}

const char *hs_mapjob_province(const hs_mapjob *j)
{
    return j->prm.province;
}

/* The provinces' names for the subtitle: "Hà Nội, Bắc Ninh" (whole names only; "…"
 * when more do not fit). */
static void scope_names(const hs_mapjob *j, const char *const *codes, int n, char *buf, size_t cap)
{
    const hs_layer *pl = hs_geostore_lonlat(j->store, HS_GS_PROVINCE);
    size_t l = 0;
    buf[0] = '\0';
    for (int k = 0; k < n; k++) {
        int i = hs_geostore_find(j->store, HS_GS_PROVINCE, codes[k]);
        const char *nm = i >= 0 && pl->feat[i].name && *pl->feat[i].name ? pl->feat[i].name : codes[k];
        if (l + strlen(nm) + 6 >= cap) {
            snprintf(buf + l, cap - l, "%s…", l ? " " : "");
            return;
        }
        l += (size_t)snprintf(buf + l, cap - l, "%s%s", l ? ", " : "", nm);
    }
}

void hs_mapjob_two_level(hs_mapjob *j, const hs_layer *units, const int *cls,
                         const hs_layer *outlined, const hs_class_style *classes, int nclasses,
                         const hs_legend_group *groups, int ngroups, const char *const *codes,
                         int ncodes)
{
    hs_map_spec *s = &j->spec;
    s->units = units;
    s->unit_class = cls;
    s->classes = classes;
    s->nclasses = nclasses;
    s->draw_unit_outlines = 1;
    s->unit_outlines = outlined; /* communes only: whole provinces have their own line */
    s->legend_groups = groups;
    s->nlegend_groups = ngroups;
    char names[120], levels[300];
    scope_names(j, codes, ncodes, names, sizeof names);
    snprintf(levels, sizeof levels,
             "Cấp xã ở tỉnh của bạn (%s), cấp tỉnh ở các tỉnh khác · communes in your "
             "province%s, provinces elsewhere",
             names, ncodes > 1 ? "s" : "");
    titles(j, NULL, levels);
    s->subtitle = j->subtitle;
}

int hs_mapjob_in_analysis(const hs_mapjob *j, int i)
{
    return i >= 0 && i < j->nunits && j->selected[i];
}

hs_geoprep *hs_mapjob_prep(const hs_mapjob *j)
{
    return j->prep;
}

int hs_mapjob_render(hs_mapjob *j, hs_render_ctx *rc, hs_buf *out, hs_err *err)
{
    j->spec.cancel = hs_cancel_current(); /* a heavy job's flag (NULL elsewhere) */
    return hs_render_map(rc, &j->spec, &j->extent, &j->o.page, j->o.format, out, err);
}

void hs_mapjob_tile_spec(const hs_mapjob *j, const hs_geolevel *lv, hs_map_spec *s)
{
    memset(s, 0, sizeof *s);
    s->countries = lv->layer[HS_GS_COUNTRY];
    s->units = lv->layer[j->unit_layer];
    s->unit_class = j->cls_full;
    s->classes = j->mc.classes;
    s->nclasses = j->mc.nclasses;
    s->provinces = lv->layer[HS_GS_PROVINCE];
    s->border = lv->layer[HS_GS_BORDER];
    s->highlight_key = !j->o.public_mode;
    s->label_provinces = !j->hide_province_labels;
    s->country_fill = hs_rgb(CONTEXT_FILL);
    s->labels = j->labels;
    s->nlabels = j->nlabels;
    s->synthetic = j->spec.synthetic;
    hs_style_defaults(s);
}

void hs_map_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%d %H:%M", &tm);
}

/* A marked title longer than this (UTF-8 bytes) drops its English half (after the
 * last " — "): the mark plus both languages overflow a 1200 px page. */
#define MARKED_TITLE_MAX 72

void hs_mapjob_mark(hs_mapjob *j, const char *mark)
{
    size_t m = strlen(mark), t = strlen(j->title), sep = strlen(" — ");
    char *en = strstr(j->title, " — ");
    if (en && m + sep + t > MARKED_TITLE_MAX) {
        *en = 0;
        t = strlen(j->title);
    }
    if (m + sep + t + 1 > sizeof j->title)
        t = 0; /* the mark matters more than the rest of the title */
    memmove(j->title + m + (t ? sep : 0), j->title, t);
    memcpy(j->title, mark, m);
    if (t)
        memcpy(j->title + m, " — ", sep);
    j->title[m + (t ? sep : 0) + t] = 0;
    j->spec.title = j->title;
}

void hs_mapjob_class_labels(hs_mapjob *j, const char *const *labels, int n, const char *suppressed)
{
    for (int i = 0; i < j->mc.nclasses; i++) {
        const char *l = i == j->mc.sup_cls ? suppressed : i < n ? labels[i] : NULL;
        if (l)
            snprintf(j->mc.classes[i].label, sizeof j->mc.classes[i].label, "%s", l);
    }
}

void hs_mapjob_legend_title(hs_mapjob *j, const char *title)
{
    snprintf(j->legend_title, sizeof j->legend_title, "%s", title);
}
