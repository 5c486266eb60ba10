/* hs_mapscope: the detail scope of tiles and maps (see hs_mapscope.h). */
#include "hs_mapscope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_maptypes.h"
#include "hs_pipeline.h"

static int code_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int hs_map_scope_pick(const hs_params *prm, const char *const *codes, size_t n,
                      hs_map_scope *out, hs_err *err)
{
    out->n = 0;
    if (n < 1 || n > HS_MAP_SCOPE_MAX)
        return hs_err_set(err, HS_EINVAL, "detail scope: %zu provinces, allowed 1..%d", n,
                          HS_MAP_SCOPE_MAX);
    int found = !prm->province[0];
    for (size_t i = 0; i < n; i++) {
        if (!codes[i] || !hs_unit_code_ok(codes[i], strlen(codes[i])))
            return hs_err_set(err, HS_EINVAL, "detail scope: '%.40s' is not a unit code",
                              codes[i] ? codes[i] : "");
        found |= prm->province[0] && !strcmp(codes[i], prm->province);
    }
    /* Checked before level=province returns: a province outside the scope is refused
     * whatever the level (access control already said 403; this is the second lock). */
    if (!found)
        return hs_err_set(err, HS_EINVAL, "detail scope: province %s is not one of the caller's",
                          prm->province);
    if (prm->level == HS_LEVEL_PROVINCE)
        return HS_OK; /* province level shows no commune */
    for (size_t i = 0; i < n; i++) {
        if (prm->province[0] && strcmp(codes[i], prm->province) != 0)
            continue;
        int dup = 0;
        for (int k = 0; k < out->n; k++)
            dup |= !strcmp(out->code[k], codes[i]);
        if (!dup)
            snprintf(out->code[out->n++], sizeof out->code[0], "%s", codes[i]);
    }
    qsort(out->code, (size_t)out->n, sizeof out->code[0], code_cmp);
    return HS_OK;
}

int hs_map_scope_key(const hs_map_scope *sc, char *key, size_t n, hs_err *err)
{
    size_t kl = strlen(key);
    for (int k = 0; k < sc->n; k++) {
        int w = snprintf(key + kl, n - kl, "%s%s", k ? "," : "/scope=", sc->code[k]);
        if (w < 0 || (size_t)w >= n - kl)
            return hs_err_set(err, HS_ELIMIT, "cache key longer than %zu bytes with the scope", n);
        kl += (size_t)w;
    }
    return HS_OK;
}

/* ---- the jobs --------------------------------------------------------------------- */

static int job_for(PGconn *conn, hs_geostore *g, hs_proj_ctx *pc, const hs_params *prm,
                   const hs_map_opts *mo, const char *generated_at, hs_mapjob **out, hs_err *err)
{
    hs_analysis_result res;
    int rc = hs_pipeline_run_kind(conn, hs_map_type_info_of(mo->type)->needs, prm, &res, err);
    if (rc == HS_OK)
        rc = hs_mapjob_build(g, pc, prm, mo, &res, generated_at, out, err);
    hs_analysis_result_clear(&res);
    return rc;
}

static int same_classes(const hs_class_style *a, int na, const hs_class_style *b, int nb)
{
    if (na != nb)
        return 0;
    for (int i = 0; i < na; i++)
        if (memcmp(&a[i].fill, &b[i].fill, sizeof a[i].fill) ||
            memcmp(&a[i].outline, &b[i].outline, sizeof a[i].outline) ||
            memcmp(&a[i].hatch, &b[i].hatch, sizeof a[i].hatch) || strcmp(a[i].label, b[i].label))
            return 0;
    return 1;
}

static void clear_fields(hs_map_scoped *s)
{
    memset(s, 0, sizeof *s);
}

void hs_map_scoped_clear(hs_map_scoped *s)
{
    if (!s)
        return;
    hs_mapjob_free(s->prov);
    for (int k = 0; k < HS_MAP_SCOPE_MAX; k++)
        hs_mapjob_free(s->detail[k]);
    free(s->classes);
    free(s->units.feat);
    free(s->cls);
    clear_fields(s);
}

static const char *province_name(hs_geostore *g, const char *code)
{
    int i = hs_geostore_find(g, HS_GS_PROVINCE, code);
    const char *nm = i >= 0 ? hs_geostore_lonlat(g, HS_GS_PROVINCE)->feat[i].name : NULL;
    return nm && *nm ? nm : code;
}

/* Appends ", name" (or name) to buf when it fits whole, else "…" once. */
static void append_name(char *buf, size_t n, const char *name, int *cut)
{
    size_t l = strlen(buf);
    const char *sep = l ? ", " : "";
    if (*cut)
        return;
    if (l + strlen(sep) + strlen(name) + 4 >= n) { /* room for " …" kept */
        snprintf(buf + l, n - l, "%s…", l ? " " : "");
        *cut = 1;
        return;
    }
    snprintf(buf + l, n - l, "%s%s", sep, name);
}

/* Legend blocks of a two-level full map: one per distinct classification, the
 * scope provinces' first (what the reader came for), then "Tỉnh khác". None when all
 * share one classification: one legend then, and the subtitle says the levels. */
static void make_groups(hs_map_scoped *s, hs_geostore *g, const hs_map_scope *sc)
{
    int np = hs_mapjob_spec(s->prov)->nclasses;
    int shared_all = 1;
    for (int k = 0; k < s->n; k++)
        shared_all &= s->off[k] == 0;
    s->ngroups = 0;
    if (shared_all)
        return;
    /* Distinct offsets > 0 in the order met: one block each. */
    for (int k = 0; k < s->n; k++) {
        if (s->off[k] == 0)
            continue;
        int seen = 0;
        for (int q = 0; q < k; q++)
            seen |= s->off[q] == s->off[k];
        if (seen)
            continue;
        char names[120] = "";
        int cut = 0;
        for (int q = k; q < s->n; q++)
            if (s->off[q] == s->off[k])
                append_name(names, sizeof names, province_name(g, sc->code[q]), &cut);
        int gi = s->ngroups++;
        snprintf(s->group_title[gi], sizeof s->group_title[gi], "Xã – %s (tỉnh của bạn)", names);
        s->groups[gi] = (hs_legend_group){s->group_title[gi], s->off[k],
                                          hs_mapjob_spec(s->detail[k])->nclasses};
    }
    char shared[120] = "";
    int cut = 0;
    for (int k = 0; k < s->n; k++)
        if (s->off[k] == 0)
            append_name(shared, sizeof shared, province_name(g, sc->code[k]), &cut);
    int gi = s->ngroups++;
    if (shared[0])
        snprintf(s->group_title[gi], sizeof s->group_title[gi], "Tỉnh khác (cấp tỉnh); xã – %s",
                 shared);
    else
        snprintf(s->group_title[gi], sizeof s->group_title[gi], "Tỉnh khác (cấp tỉnh)");
    s->groups[gi] = (hs_legend_group){s->group_title[gi], 0, np};
}

int hs_map_scoped_build(PGconn *conn, hs_geostore *g, hs_proj_ctx *pc, const hs_params *prm,
                        const hs_map_opts *mo, const hs_map_scope *sc, int full_map,
                        const char *generated_at, hs_map_scoped *out, hs_err *err)
{
    clear_fields(out);
    if (sc->n < 1 || sc->n > HS_MAP_SCOPE_MAX)
        return hs_err_set(err, HS_EINTERNAL, "scoped map: %d scope provinces", sc->n);
    hs_params pp = *prm;
    pp.level = HS_LEVEL_PROVINCE;
    pp.province[0] = '\0';
    hs_map_opts po = *mo;
    if (po.extent == HS_EXTENT_PROVINCE)
        po.extent = HS_EXTENT_NATIONAL;
    hs_map_params_normalise(&pp, &po);
    int rc = job_for(conn, g, pc, &pp, &po, generated_at, &out->prov, err);
    const hs_map_spec *ps = rc == HS_OK ? hs_mapjob_spec(out->prov) : NULL;
    int total = ps ? ps->nclasses : 0;
    for (int k = 0; rc == HS_OK && k < sc->n; k++) {
        hs_params dp = *prm;
        snprintf(dp.province, sizeof dp.province, "%s", sc->code[k]);
        hs_map_opts dmo = *mo;
        dmo.extent = HS_EXTENT_PROVINCE;
        rc = job_for(conn, g, pc, &dp, &dmo, generated_at, &out->detail[k], err);
        out->n = k + 1;
        if (rc < 0)
            break;
        /* The same classification as an earlier job shares its classes. */
        const hs_map_spec *ds = hs_mapjob_spec(out->detail[k]);
        out->off[k] = -1;
        if (same_classes(ds->classes, ds->nclasses, ps->classes, ps->nclasses))
            out->off[k] = 0;
        for (int q = 0; q < k && out->off[k] < 0; q++) {
            const hs_map_spec *qs = hs_mapjob_spec(out->detail[q]);
            if (same_classes(ds->classes, ds->nclasses, qs->classes, qs->nclasses))
                out->off[k] = out->off[q];
        }
        if (out->off[k] < 0) {
            out->off[k] = total;
            total += ds->nclasses;
        }
    }
    if (rc == HS_OK &&
        !(out->classes = malloc((size_t)(total > 0 ? total : 1) * sizeof *out->classes)))
        rc = hs_err_set(err, HS_ENOMEM, "scoped map: out of memory for %d classes", total);
    if (rc < 0)
        return rc;
    memcpy(out->classes, ps->classes, (size_t)ps->nclasses * sizeof *out->classes);
    for (int k = 0; k < out->n; k++) {
        const hs_map_spec *ds = hs_mapjob_spec(out->detail[k]);
        if (out->off[k] > 0)
            memcpy(out->classes + out->off[k], ds->classes, (size_t)ds->nclasses * sizeof *ds->classes);
    }
    out->nclasses = total;
    if (!full_map)
        return HS_OK;
    make_groups(out, g, sc);
    rc = hs_map_scoped_mix(out, hs_mapjob_level(out->prov), &out->units, &out->cls, &out->communes,
                           err);
    if (rc < 0)
        return rc;
    const char *codes[HS_MAP_SCOPE_MAX];
    for (int k = 0; k < sc->n; k++)
        codes[k] = sc->code[k];
    hs_mapjob_two_level(out->prov, &out->units, out->cls, &out->communes, out->classes,
                        out->nclasses, out->groups, out->ngroups, codes, sc->n);
    return HS_OK;
}

/* ---- the two-level layer ----------------------------------------------------------- */

/* Whether province `code` is drawn by its communes: a scope province whose analysis
 * holds at least one commune with a boundary (else it keeps its province feature,
 * rather than leaving a hole). */
static int drawn_by_communes(const hs_map_scoped *s, const char *code, const int *has_units)
{
    for (int k = 0; k < s->n; k++)
        if (code && has_units[k] && !strcmp(hs_mapjob_province(s->detail[k]), code))
            return 1;
    return 0;
}

int hs_map_scoped_mix(const hs_map_scoped *s, const hs_geolevel *lv, hs_layer *layer, int **cls,
                      hs_layer *communes, hs_err *err)
{
    const hs_layer *pl = lv->layer[HS_GS_PROVINCE], *cl = lv->layer[HS_GS_COMMUNE];
    size_t cap = (size_t)pl->nfeat + (size_t)cl->nfeat + 1;
    *layer = (hs_layer){.kind = HS_LAYER_POLYGON, .bbox = {1, 1, 0, 0}};
    *communes = *layer;
    layer->feat = malloc(cap * sizeof *layer->feat);
    *cls = malloc(cap * sizeof **cls);
    if (!layer->feat || !*cls) {
        free(layer->feat);
        free(*cls);
        layer->feat = NULL;
        *cls = NULL;
        return hs_err_set(err, HS_ENOMEM, "scoped map layer: out of memory for %zu units", cap);
    }
    int has_units[HS_MAP_SCOPE_MAX] = {0};
    for (int k = 0; k < s->n; k++)
        for (int f = 0; f < cl->nfeat && !has_units[k]; f++)
            has_units[k] = hs_mapjob_in_analysis(s->detail[k], f);
    hs_map_spec ps;
    hs_mapjob_tile_spec(s->prov, lv, &ps);
    for (int i = 0; i < pl->nfeat; i++) {
        if (drawn_by_communes(s, pl->feat[i].code, has_units))
            continue; /* drawn by its communes below */
        (*cls)[layer->nfeat] = ps.unit_class[i];
        layer->feat[layer->nfeat++] = pl->feat[i];
        hs_bbox_union(&layer->bbox, &pl->feat[i].bbox);
    }
    int np = layer->nfeat;
    for (int k = 0; k < s->n; k++) {
        hs_map_spec ds;
        hs_mapjob_tile_spec(s->detail[k], lv, &ds);
        for (int f = 0; f < cl->nfeat; f++) {
            if (!hs_mapjob_in_analysis(s->detail[k], f))
                continue;
            int c = ds.unit_class[f];
            (*cls)[layer->nfeat] = c >= 0 ? c + s->off[k] : -1;
            layer->feat[layer->nfeat++] = cl->feat[f];
            hs_bbox_union(&layer->bbox, &cl->feat[f].bbox);
            hs_bbox_union(&communes->bbox, &cl->feat[f].bbox);
        }
    }
    communes->kind = HS_LAYER_POLYGON;
    communes->feat = layer->feat + np;
    communes->nfeat = layer->nfeat - np;
    return HS_OK;
}
