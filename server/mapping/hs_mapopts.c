#include "hs_mapopts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_palette.h"
#include "hs_period.h"
#include "hs_perm.h"
#include "hs_proj.h"

const char *hs_map_type_name(hs_map_type t)
{
    return t >= 0 && t < HS_MAP_NTYPES ? hs_map_type_names[t] : "?";
}

int hs_map_type_parse(const char *s, const char *what, hs_map_type *out, hs_err *err)
{
    for (int i = 0; i < HS_MAP_NTYPES; i++)
        if (s && !strcmp(s, hs_map_type_names[i])) {
            *out = (hs_map_type)i;
            return HS_OK;
        }
    return hs_err_set(err, HS_EINVAL, "%s '%.40s' is not a map type; allowed: %s", what, s ? s : "",
                      HS_MAP_TYPE_NAMES_CSV_ + 2);
}

static int fail(hs_map_opts *o, const char *param, int rc)
{
    o->error_param = param;
    return rc;
}

/* "WxH" with whole numbers. */
static int parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || a <= 0 || b <= 0 || a > 1000000 || b > 1000000)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

/* "quantile" | "equal" | "jenks" | "fixed:1,2,5". */
static int parse_classes(const char *s, hs_map_opts *o, hs_err *err)
{
    if (strncmp(s, "fixed:", 6) != 0)
        return hs_classify_method_parse(s, &o->method, err) < 0
                   ? hs_err_set(err, HS_EINVAL,
                                "classes '%.40s': allowed quantile, equal, "
                                "jenks or fixed:B1,B2,... (e.g. fixed:1,2,5)",
                                s)
                   : HS_OK;
    o->method = HS_CLASSIFY_FIXED;
    const char *p = s + 6;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v) || (*end && *end != ','))
            return hs_err_set(err, HS_EINVAL,
                              "classes '%.40s': fixed breaks must be numbers "
                              "separated by commas, e.g. fixed:1,2,5",
                              s);
        if (o->nfixed == HS_MAP_MAX_FIXED)
            return hs_err_set(err, HS_EINVAL, "classes '%.40s': at most %d fixed breaks", s,
                              HS_MAP_MAX_FIXED);
        if (o->nfixed > 0 && !(v > o->fixed[o->nfixed - 1]))
            return hs_err_set(err, HS_EINVAL,
                              "classes '%.40s': fixed breaks must increase "
                              "strictly",
                              s);
        o->fixed[o->nfixed++] = v;
        p = *end ? end + 1 : end;
    }
    if (o->nfixed == 0)
        return hs_err_set(err, HS_EINVAL,
                          "classes '%.40s': give at least one break, e.g. "
                          "fixed:1,2,5",
                          s);
    return HS_OK;
}

static const char *ext_format(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return NULL;
    return !strcmp(dot, ".svg")   ? "svg"
           : !strcmp(dot, ".pdf") ? "pdf"
           : !strcmp(dot, ".png") ? "png"
                                  : NULL;
}

static int parse_page(hs_query *q, hs_map_opts *o, hs_err *err)
{
    static const char *const papers[] = {"a4-landscape", "a4-portrait", "a3-landscape",
                                         "a3-portrait", NULL};
    const char *size;
    int paper, rc;
    long dpi;
    double scale;
    if ((rc = hs_query_str(q, "size", 32, NULL, &size, err)) < 0)
        return fail(o, "size", rc);
    if ((rc = hs_query_enum(q, "paper", papers, -1, &paper, err)) < 0)
        return fail(o, "paper", rc);
    if ((rc = hs_query_int(q, "dpi", 72, 600, 150, &dpi, err)) < 0)
        return fail(o, "dpi", rc);
    if ((rc = hs_query_double(q, "scale", 0.25, 8, 1, &scale, err)) < 0)
        return fail(o, "scale", rc);
    if (size && paper >= 0)
        return fail(o, "size",
                    hs_err_set(err, HS_EINVAL,
                               "size and paper exclude each other: "
                               "give one"));
    if (hs_query_has(q, "dpi") && hs_query_has(q, "scale"))
        return fail(o, "dpi",
                    hs_err_set(err, HS_EINVAL,
                               "dpi and scale exclude each other: "
                               "dpi = 96 x scale"));
    if (paper >= 0) {
        if (hs_query_has(q, "scale"))
            dpi = lround(96 * scale);
        if ((rc = hs_page_paper(papers[paper], (double)dpi, &o->page, err)) < 0)
            return fail(o, "paper", hs_err_prefix(err, "paper: "));
        snprintf(o->page_desc, sizeof o->page_desc, "%s@%ld", papers[paper], dpi);
        return HS_OK;
    }
    int w = 1200, h = 1600;
    if (size && parse_size(size, &w, &h) < 0)
        return fail(o, "size",
                    hs_err_set(err, HS_EINVAL,
                               "size '%.32s' must be WIDTHxHEIGHT in "
                               "pixels, e.g. 1200x1600",
                               size));
    if (hs_query_has(q, "dpi"))
        scale = dpi / 96.0;
    if ((rc = hs_page_pixels(w, h, scale, &o->page, err)) < 0)
        return fail(o, "size", hs_err_prefix(err, "size: "));
    snprintf(o->page_desc, sizeof o->page_desc, "%dx%d@%g", w, h, scale);
    return HS_OK;
}

int hs_map_opts_parse(hs_query *q, const hs_params *prm, int need_map, hs_map_type type,
                      hs_map_opts *o, hs_err *err)
{
    memset(o, 0, sizeof *o);
    int rc, t, present = 0;
    if (need_map && (rc = hs_query_require(q, "map", err)) < 0)
        return fail(o, "map", rc);
    if ((rc = hs_query_enum(q, "map", hs_map_type_names, (int)type, &t, err)) < 0)
        return fail(o, "map", rc);
    o->type = (hs_map_type)t;
    if ((rc = hs_query_bbox(q, "bbox", &present, &o->bbox, err)) < 0)
        return fail(o, "bbox", rc);
    o->extent = present            ? HS_EXTENT_BBOX
                : prm->province[0] ? HS_EXTENT_PROVINCE
                                   : HS_EXTENT_NATIONAL;
    if (present && prm->province[0])
        return fail(o, "bbox",
                    hs_err_set(err, HS_EINVAL,
                               "bbox and province exclude each "
                               "other: province already sets the extent"));
    if ((rc = parse_page(q, o, err)) < 0)
        return rc;
    const char *fmt = prm->format;
    if (!hs_query_has(q, "format") && ext_format(prm->out))
        fmt = ext_format(prm->out);
    if ((rc = hs_format_parse(fmt, &o->format, err)) < 0)
        return fail(o, "format", rc);
    if ((rc = hs_query_str(q, "crs", HS_PROJ_CRS_MAX, "national", &o->crs, err)) < 0)
        return fail(o, "crs", rc);
    const char *cls;
    long k;
    if ((rc = hs_query_str(q, "classes", 200, NULL, &cls, err)) < 0)
        return fail(o, "classes", rc);
    if ((rc = hs_query_int(q, "k", HS_PALETTE_MIN_K, HS_CLASSIFY_MAX_K, 0, &k, err)) < 0)
        return fail(o, "k", rc);
    o->k = (int)k;
    if ((cls || k) && !hs_map_type_numeric(o->type)) {
        char numeric[160];
        hs_map_types_numeric_list(numeric, sizeof numeric);
        return fail(o, cls ? "classes" : "k",
                    hs_err_set(err, HS_EINVAL,
                               "%s applies to the numeric maps (%s), not to %s, whose classes "
                               "are fixed",
                               cls ? "classes" : "k", numeric, hs_map_type_name(o->type)));
    }
    if (cls) {
        o->method_given = 1;
        if ((rc = parse_classes(cls, o, err)) < 0)
            return fail(o, "classes", rc);
        if (o->method == HS_CLASSIFY_FIXED && k)
            return fail(o, "k",
                        hs_err_set(err, HS_EINVAL,
                                   "k does not apply to fixed classes: "
                                   "the breaks set the number of classes"));
    }
    if ((rc = hs_query_bool(q, "public", 0, &o->public_mode, err)) < 0)
        return fail(o, "public", rc);
    return HS_OK;
}

void hs_map_params_normalise(hs_params *prm, const hs_map_opts *o)
{
    const hs_map_type_info *t = hs_map_type_info_of(o->type);
    if (!t || !t->uses_permutations) {
        prm->permutations = 0;
        prm->perm_method = HS_PERM_EXACT; /* one cache entry whichever was asked */
    }
}

static const char *format_ext(hs_format f)
{
    return f == HS_FORMAT_SVG ? "svg" : f == HS_FORMAT_PDF ? "pdf" : "png";
}

/* A double in a cache key: its bit pattern in hex. Exact and injective like %.17g,
 * and far cheaper: the key is built for every tile request, cache hits included, and
 * seven %.17g conversions were the largest user-space cost of a cached tile. */
static unsigned long long key_bits(double v)
{
    unsigned long long u;
    memcpy(&u, &v, sizeof u);
    return u;
}

int hs_map_key(const hs_params *p, const hs_map_opts *o, char *buf, size_t n, hs_err *err)
{
    char fixed[400] = "";
    size_t fl = 0;
    for (int i = 0; i < o->nfixed && fl < sizeof fixed; i++)
        fl += (size_t)snprintf(fixed + fl, sizeof fixed - fl, "%s%llx", i ? "," : "",
                               key_bits(o->fixed[i]));
    int len = snprintf(buf, n,
                       "map/%s/%s/%d-%d/%s/%s/var=%s/w=%d:%d:%llx/iso=%d/perm=%d:%d/seed=%llu/"
                       "fdr=%d/step=%d/mps=%llx/ext=%d:%llx,%llx,%llx,%llx/page=%s/%s/"
                       "cls=%d:%d:%d:%s/pub=%d/crs=%s",
                       hs_map_type_name(o->type), hs_indicator_name(p->indicator), p->from, p->to,
                       hs_level_name(p->level), p->province, hs_variable_name(p->variable),
                       (int)p->wkind, p->knn_k, key_bits(p->dist_km), p->attach_isolated,
                       p->permutations, p->perm_method, (unsigned long long)p->seed, p->fdr,
                       p->step_months, key_bits(p->max_pop_share), (int)o->extent,
                       key_bits(o->bbox.minx), key_bits(o->bbox.miny), key_bits(o->bbox.maxx),
                       key_bits(o->bbox.maxy),
                       o->page_desc, format_ext(o->format), o->method_given, (int)o->method, o->k,
                       fixed, o->public_mode, o->crs ? o->crs : "national");
    if (len < 0 || (size_t)len >= n)
        return hs_err_set(err, HS_ELIMIT, "map cache key longer than %zu bytes", n);
    return len;
}

void hs_map_filename(const hs_params *p, const hs_map_opts *o, char *buf, size_t n)
{
    char f[8], t[8];
    hs_period_format(p->from, f, sizeof f);
    hs_period_format(p->to, t, sizeof t);
    snprintf(buf, n, "%s_%s_%s_%s%s%s.%s", hs_map_type_name(o->type),
             hs_indicator_name(p->indicator), f, t, p->province[0] ? "_" : "", p->province,
             format_ext(o->format));
    /* Province codes match [A-Za-z0-9_.-]; anything else would not reach here, but a
     * file name must never carry a quote or a slash into a header. */
    for (char *c = buf; *c; c++)
        if (*c == '"' || *c == '/' || *c == '\\' || (unsigned char)*c < 0x20)
            *c = '_';
}
