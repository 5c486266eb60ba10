/* hs_maptypes: the table of map types and their classifications (hs_maptypes.h). */
#include "hs_maptypes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_mapopts.h"
#include "hs_style.h"

/* ---- categorical classifications ------------------------------------------------ */

static int scheme_init(const hs_map_type_info *t, hs_map_classes *out, hs_err *err)
{
    int k = hs_scheme_styles(t->scheme, out->classes, err);
    if (k < 0)
        return k;
    out->nclasses = k;
    return HS_OK;
}

static int classify_gistar(const hs_map_type_info *t, const hs_map_opts *o,
                           const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                           hs_err *err)
{
    (void)o;
    int rc = scheme_init(t, out, err);
    for (int i = 0; rc == HS_OK && i < n; i++)
        cls[i] = d->run->gi->isolated[i] ? -1 : hs_scheme_gistar_class(d->run->gi->bin[i]);
    return rc;
}

static int classify_lisa(const hs_map_type_info *t, const hs_map_opts *o,
                         const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                         hs_err *err)
{
    (void)o;
    int rc = scheme_init(t, out, err);
    for (int i = 0; rc == HS_OK && i < n; i++)
        cls[i] = hs_scheme_lisa_class(d->run->lisa->quadrant[i]);
    return rc;
}

static int emerging_code(hs_emerging_cat c)
{
    if (c >= HS_EM_NEW_HOT && c <= HS_EM_HISTORICAL_HOT)
        return (int)c - (int)HS_EM_NEW_HOT + 1;
    if (c >= HS_EM_NEW_COLD && c <= HS_EM_HISTORICAL_COLD)
        return -((int)c - (int)HS_EM_NEW_COLD + 1);
    return c == HS_EM_NO_PATTERN ? 0 : 99; /* isolated: no class */
}

static int classify_emerging(const hs_map_type_info *t, const hs_map_opts *o,
                             const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                             hs_err *err)
{
    (void)o;
    int rc = scheme_init(t, out, err);
    for (int i = 0; rc == HS_OK && i < n; i++)
        cls[i] = hs_scheme_emerging_class(emerging_code(d->emerging->category[i]));
    return rc;
}

/* Significant clusters only (p <= 0.05, or no p-values at all), ranked. */
static int classify_scan(const hs_map_type_info *t, const hs_map_opts *o,
                         const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                         hs_err *err)
{
    (void)o;
    int rc = scheme_init(t, out, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        cls[i] = hs_scheme_scan_class(0);
    int rank = 0;
    for (int c = 0; c < d->scan->n_clusters; c++) {
        const hs_scan_cluster *sc = &d->scan->clusters[c];
        if (!(sc->p <= 0.05) && !isnan(sc->p))
            continue;
        rank++;
        for (int m = 0; m < sc->n_members; m++)
            if (sc->members[m] >= 0 && sc->members[m] < n &&
                cls[sc->members[m]] == hs_scheme_scan_class(0))
                cls[sc->members[m]] = hs_scheme_scan_class(rank);
    }
    return HS_OK;
}

static const hs_map_type_info types[HS_MAP_NTYPES];

/* ---- numeric classification -------------------------------------------------------- */

static void set_class(hs_class_style *c, uint32_t fill, uint32_t hatch, const char *label)
{
    memset(c, 0, sizeof *c);
    c->fill = hs_rgb(fill);
    if (hatch)
        c->hatch = hs_rgb(hatch);
    snprintf(c->label, sizeof c->label, "%s", label);
}

/* Breaks over t->values, with the publication rule: a unit whose window count is 1..4
 * is suppressed (its value never enters the breaks nor the legend); with zero_class
 * the zeros get their own class so that no break can fall between 0 and 5. */
static int classify_numeric(const hs_map_type_info *t, const hs_map_opts *o,
                            const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                            hs_err *err)
{
    const hs_run *r = d->run;
    const double *src = t->values(r);
    int suppress = o->public_mode && t->public_suppress;
    int zero_class = suppress && t->zero_class;
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d values", n);
    int nsup = 0, nzero = 0;
    for (int i = 0; i < n; i++) {
        v[i] = src[i];
        int sup = suppress && r->count[i] >= 1 && r->count[i] < HS_PUBLIC_MIN_COUNT;
        if (sup) {
            v[i] = NAN;
            nsup++;
        } else if (zero_class && r->count[i] == 0) {
            v[i] = NAN;
            nzero++;
        }
    }
    hs_classify_method m = o->method_given ? o->method : t->default_method;
    int k = o->k ? o->k : t->default_k;
    hs_breaks br;
    int rc = hs_classify_breaks(v, n, m, k, o->fixed, o->nfixed, &br, err);
    int off = nzero ? 1 : 0;
    if (rc == HS_OK && br.k > 0)
        rc = hs_classify_legend(&br, hs_style_palette_for(hs_map_type_names[t - types]),
                                t->decimals, out->classes + off, err);
    if (rc < 0) {
        free(v);
        return rc;
    }
    hs_classify_assign(&br, v, n, cls);
    if (nzero)
        set_class(&out->classes[0], 0xffffff, 0, "0");
    out->nclasses = off + br.k;
    int sup_cls = out->nclasses;
    if (nsup) {
        out->sup_cls = sup_cls;
        char lab[96];
        snprintf(lab, sizeof lab, "Đã ẩn (< %d) — suppressed (< %d)", HS_PUBLIC_MIN_COUNT,
                 HS_PUBLIC_MIN_COUNT);
        set_class(&out->classes[out->nclasses++], 0xd0d0d0, 0x6e6e6e, lab);
    }
    for (int i = 0; i < n; i++) {
        if (cls[i] >= 0)
            cls[i] += off;
        else if (suppress && r->count[i] >= 1 && r->count[i] < HS_PUBLIC_MIN_COUNT)
            cls[i] = sup_cls;
        else if (zero_class && r->count[i] == 0)
            cls[i] = 0;
    }
    free(v);
    return HS_OK;
}

static const double *val_rate(const hs_run *r)
{
    return r->rate;
}
static const double *val_eb_rate(const hs_run *r)
{
    return r->eb_rate;
}
static const double *val_count(const hs_run *r)
{
    return r->count;
}
static const double *val_risk(const hs_run *r)
{
    return r->risk->score;
}
static const double *val_gap(const hs_run *r)
{
    return r->risk->gap;
}

/* ---- the table ---------------------------------------------------------------------- */

#define NO_NEIGHBOURS "Không có lân cận — no neighbours"
#define NO_DATA "Không có dữ liệu — no data"
#define RATE_LEGEND "{vi} / 100.000 dân"

static const hs_map_type_info types[HS_MAP_NTYPES] = {
    [HS_MAP_GISTAR] = {.needs = HS_ANALYSIS_MAIN,
                       .classify = classify_gistar,
                       .scheme = HS_SCHEME_GISTAR,
                       .title = "Điểm nóng Gi* — Hot spots (Gi*)",
                       .legend_title = "Gi* (độ tin cậy — confidence)",
                       .nodata = NO_NEIGHBOURS},
    [HS_MAP_LISA] = {.needs = HS_ANALYSIS_MAIN,
                     .classify = classify_lisa,
                     .scheme = HS_SCHEME_LISA,
                     .uses_permutations = 1,
                     .title = "Cụm không gian LISA — Local Moran clusters (LISA)",
                     .legend_title = "Cụm LISA (p ≤ 0,05)",
                     .nodata = NO_DATA},
    [HS_MAP_RATE] = {.needs = HS_ANALYSIS_MAIN,
                     .classify = classify_numeric,
                     .values = val_rate,
                     .default_method = HS_CLASSIFY_JENKS,
                     .default_k = 5,
                     .decimals = 1,
                     .public_suppress = 1,
                     .title = "Tỷ lệ trên 100.000 dân — Rate per 100,000 people",
                     .legend_title = RATE_LEGEND,
                     .nodata = NO_DATA},
    [HS_MAP_EB_RATE] = {.needs = HS_ANALYSIS_MAIN,
                        .classify = classify_numeric,
                        .values = val_eb_rate,
                        .default_method = HS_CLASSIFY_JENKS,
                        .default_k = 5,
                        .decimals = 1,
                        .public_suppress = 1,
                        .title = "Tỷ lệ Bayes thực nghiệm — Empirical Bayes rate",
                        .legend_title = RATE_LEGEND,
                        .nodata = NO_DATA},
    [HS_MAP_RISK] = {.needs = HS_ANALYSIS_MAIN,
                     .classify = classify_numeric,
                     .values = val_risk,
                     .default_method = HS_CLASSIFY_QUANTILE,
                     .default_k = 5,
                     .decimals = 0,
                     .title = "Chỉ số nguy cơ — Risk score (priorities)",
                     .legend_title = "Điểm nguy cơ (0–100)",
                     .nodata = NO_DATA},
    [HS_MAP_OUTREACH_GAP] = {.needs = HS_ANALYSIS_MAIN,
                             .classify = classify_numeric,
                             .values = val_gap,
                             .default_method = HS_CLASSIFY_QUANTILE,
                             .default_k = 5,
                             .decimals = 2,
                             .title = "Khoảng trống truyền thông — Outreach gap",
                             .legend_title = "Khoảng trống (0–1) — gap",
                             .nodata = NO_DATA},
    [HS_MAP_EMERGING] = {.needs = HS_ANALYSIS_EMERGING,
                         .classify = classify_emerging,
                         .scheme = HS_SCHEME_EMERGING,
                         .title = "Xu hướng điểm nóng — Emerging hot spots",
                         .legend_title = "Xu hướng — pattern",
                         .nodata = NO_NEIGHBOURS},
    [HS_MAP_SCAN] = {.needs = HS_ANALYSIS_SCAN,
                     .classify = classify_scan,
                     .scheme = HS_SCHEME_SCAN,
                     .uses_permutations = 1,
                     .title = "Cụm quét Kulldorff — Kulldorff scan clusters",
                     .legend_title = "Cụm (p ≤ 0,05) — clusters",
                     .nodata = NO_DATA},
    [HS_MAP_COUNT] = {.needs = HS_ANALYSIS_MAIN,
                      .classify = classify_numeric,
                      .values = val_count,
                      .default_method = HS_CLASSIFY_JENKS,
                      .default_k = 5,
                      .decimals = 0,
                      .public_suppress = 1,
                      .zero_class = 1,
                      .title = "Số vụ việc — Counts",
                      .legend_title = "{vi} ({en})",
                      .nodata = NO_DATA},
};

#define HS_MAP_NAME_(id, name) name,
const char *const hs_map_type_names[] = {HS_MAP_TYPE_LIST(HS_MAP_NAME_) NULL};
#undef HS_MAP_NAME_

const hs_map_type_info *hs_map_type_info_of(int t)
{
    return t >= 0 && t < HS_MAP_NTYPES ? &types[t] : NULL;
}

int hs_map_type_numeric(int t)
{
    return t >= 0 && t < HS_MAP_NTYPES && types[t].classify == classify_numeric;
}

void hs_map_types_numeric_list(char *buf, size_t n)
{
    size_t len = 0;
    if (n)
        buf[0] = 0;
    for (int t = 0; t < HS_MAP_NTYPES && len < n; t++)
        if (hs_map_type_numeric(t))
            len +=
                (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", hs_map_type_names[t]);
}

void hs_map_type_legend_title(int t, const char *vi, const char *en, char *buf, size_t n)
{
    const char *s = t >= 0 && t < HS_MAP_NTYPES ? types[t].legend_title : "";
    size_t len = 0;
    while (*s && len + 1 < n) {
        const char *sub = !strncmp(s, "{vi}", 4) ? vi : !strncmp(s, "{en}", 4) ? en : NULL;
        if (sub) {
            int w = snprintf(buf + len, n - len, "%s", sub);
            len = w < 0 ? len : len + (size_t)w >= n ? n - 1 : len + (size_t)w;
            s += 4;
        } else {
            buf[len++] = *s++;
        }
    }
    if (n)
        buf[len < n ? len : n - 1] = 0;
}
