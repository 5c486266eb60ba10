#include "hs_import_units.h"
#include "hs_unitcode.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_buf.h"
#include "hs_csv.h"
#include "hs_gdal.h"
#include "hs_pg.h"
#include "hs_pgcopy.h"
#include "hs_tilemath.h"

/* GDAL's first failure message (see collect_gdal_errors). */
typedef struct {
    char first[256];
} gdal_errs;

/* The open file and everything derived from the options, for one import. */
typedef struct units_src {
    const hs_import_units_opts *o;
    gdal_errs *gerr; /* the handler's store, for messages that need GDAL's first error */
    const char *crs_name; /* the source CRS as the summary names it (res->crs) */
    int is_commune;
    GDALDatasetH ds;
    OGRLayerH layer;
    int f_code, f_name, f_parent, f_pop, f_border, f_key; /* field indexes, -1 = unused */
    OGRSpatialReferenceH src_srs, dst_srs;                /* owned */
    OGRCoordinateTransformationH ct;                      /* owned; NULL = no transform */
} units_src;

/* gdal_errs.first: GDAL's first failure message since it was last cleared. A driver often says
 * what is wrong first ("At line 1, character 208: Unterminated array") and then only
 * "Failed to read GeoJSON data", which is what CPLGetLastErrorMsg keeps. Filled by
 * collect_gdal_errors, the import's CPL error handler (it also keeps GDAL off stderr). */
static void CPL_STDCALL collect_gdal_errors(CPLErr cls, CPLErrorNum no, const char *msg)
{
    (void)no;
    gdal_errs *e = CPLGetErrorHandlerUserData();
    if (e && cls >= CE_Failure && !e->first[0] && msg && *msg)
        snprintf(e->first, sizeof e->first, "%s", msg);
}

/* The GDAL error boundary: the last CPL message, or a fallback. */
static const char *gdal_msg(void)
{
    const char *m = CPLGetLastErrorMsg();
    return m && *m ? m : "no details from GDAL";
}


static int unit_code_ok(const char *s)
{
    return hs_unit_code_ok(s, strlen(s));
}

/* "feature 7 (FID 6, code 'P07')": how every message names a feature. */
static const char *feature_ref(char *out, size_t n, unsigned long idx, long long fid,
                               const char *code)
{
    char q[128] = "";
    if (code)
        hs_csv_quote(code, strlen(code), q, sizeof q);
    if (fid >= 0)
        snprintf(out, n, "feature %lu (FID %lld%s%s)", idx, fid, code ? ", code " : "", q);
    else
        snprintf(out, n, "feature %lu%s%s%s", idx, code ? " (code " : "", q, code ? ")" : "");
    return out;
}

static int field_index(units_src *s, const char *opt, const char *name, int *idx, hs_err *err)
{
    *idx = -1;
    if (!name)
        return HS_OK;
    OGRFeatureDefnH fd = OGR_L_GetLayerDefn(s->layer);
    *idx = OGR_FD_GetFieldIndex(fd, name);
    if (*idx >= 0)
        return HS_OK;
    char list[512] = "";
    size_t o = 0;
    for (int i = 0; i < OGR_FD_GetFieldCount(fd) && o < sizeof list; i++) {
        int k = snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
                         OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(fd, i)));
        if (k < 0)
            break;
        o += (size_t)k;
    }
    return hs_err_set(err, HS_EINVAL, "%s: %s '%s': no such field in layer '%s' (fields: %s)",
                      s->o->path, opt, name, OGR_L_GetName(s->layer), o ? list : "none");
}

static int open_layer(units_src *s, hs_err *err)
{
    const hs_import_units_opts *o = s->o;
    /* GDAL's CSV driver finds a WKT column by name; these options widen the names it
     * tries and keep the WKT text out of the attributes. Codes stay strings (no type
     * autodetection), so leading zeros survive. */
    const char *csv_opts[] = {"GEOM_POSSIBLE_NAMES=WKT,wkt,geom,geometry,the_geom,wkt_geom",
                              "KEEP_GEOM_COLUMNS=NO", NULL};
    size_t n = strlen(o->path);
    int is_csv = n > 4 && !strcasecmp(o->path + n - 4, ".csv");
    if (s->gerr)
        s->gerr->first[0] = '\0';
    s->ds = GDALOpenEx(o->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, is_csv ? csv_opts : NULL,
                       NULL);
    if (!s->ds) {
        /* A truncated or over-long file is named by GDAL's first message only. */
        const char *last = gdal_msg(), *first = s->gerr ? s->gerr->first : "";
        if (*first && strcmp(first, last))
            return hs_err_set(err, HS_EIO, "%s: cannot open as a vector file: %s (then: %s)",
                              o->path, first, last);
        return hs_err_set(err, HS_EIO, "%s: cannot open as a vector file: %s", o->path, last);
    }
    int nl = GDALDatasetGetLayerCount(s->ds);
    if (o->layer) {
        s->layer = GDALDatasetGetLayerByName(s->ds, o->layer);
    } else if (nl == 1) {
        s->layer = GDALDatasetGetLayer(s->ds, 0);
    }
    if (s->layer)
        return HS_OK;
    char list[512] = "";
    size_t off = 0;
    for (int i = 0; i < nl && off < sizeof list; i++) {
        int k = snprintf(list + off, sizeof list - off, "%s%s", i ? ", " : "",
                         OGR_L_GetName(GDALDatasetGetLayer(s->ds, i)));
        if (k < 0)
            break;
        off += (size_t)k;
    }
    if (nl == 0)
        return hs_err_set(err, HS_EINVAL, "%s: the file has no vector layer", o->path);
    if (o->layer)
        return hs_err_set(err, HS_EINVAL, "%s: --layer '%s': no such layer (layers: %s)", o->path,
                          o->layer, list);
    return hs_err_set(err, HS_EINVAL, "%s: %d layers (%s): choose one with --layer", o->path, nl,
                      list);
}

/* Sets up the transform to EPSG:4326 in lon/lat order. A file without a CRS is taken
 * as lon/lat only if its extent fits, since guessing a projected CRS would silently
 * put the units in the wrong place. */
static int setup_crs(units_src *s, hs_import_units_result *res, hs_err *err)
{
    s->dst_srs = OSRNewSpatialReference(NULL);
    if (!s->dst_srs || OSRImportFromEPSG(s->dst_srs, 4326) != OGRERR_NONE)
        return hs_err_set(err, HS_EGEO,
                          "cannot create EPSG:4326 (is PROJ's proj.db installed?): %s", gdal_msg());
    OSRSetAxisMappingStrategy(s->dst_srs, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH src = OGR_L_GetSpatialRef(s->layer);
    if (!src) {
        OGREnvelope env;
        if (OGR_L_GetExtent(s->layer, &env, TRUE) != OGRERR_NONE)
            return HS_OK; /* no features with geometry: each is reported as such */
        if (env.MinX < -180 || env.MaxX > 180 || env.MinY < -90 || env.MaxY > 90)
            return hs_err_set(err, HS_EINVAL,
                              "%s: layer '%s' has no CRS and its coordinates (x %.1f..%.1f, y "
                              "%.1f..%.1f) are not longitude/latitude: declare the CRS, e.g. "
                              "ogr2ogr -a_srs EPSG:3405 out.gpkg %s",
                              s->o->path, OGR_L_GetName(s->layer), env.MinX, env.MaxX, env.MinY,
                              env.MaxY, s->o->path);
        res->crs_assumed = 1;
        snprintf(res->crs, sizeof res->crs, "none in the file; assumed EPSG:4326 (lon/lat)");
        return HS_OK;
    }
    s->src_srs = OSRClone(src);
    if (!s->src_srs)
        return hs_err_set(err, HS_ENOMEM, "cannot copy the file's CRS");
    OSRSetAxisMappingStrategy(s->src_srs, OAMS_TRADITIONAL_GIS_ORDER);
    const char *name = OSRGetName(s->src_srs);
    const char *auth = OSRGetAuthorityName(s->src_srs, NULL);
    const char *code = OSRGetAuthorityCode(s->src_srs, NULL);
    if (!name)
        name = "unnamed CRS";
    if (auth && code)
        snprintf(res->crs, sizeof res->crs, "%s (%s:%s)", name, auth, code);
    else
        snprintf(res->crs, sizeof res->crs, "%s", name);
    if (OSRIsSame(s->src_srs, s->dst_srs))
        return HS_OK;
    s->ct = OCTNewCoordinateTransformation(s->src_srs, s->dst_srs);
    if (!s->ct)
        return hs_err_set(err, HS_EGEO, "%s: cannot reproject from %s to EPSG:4326: %s", s->o->path,
                          res->crs, gdal_msg());
    return HS_OK;
}

static void close_src(units_src *s)
{
    if (s->ct)
        OCTDestroyCoordinateTransformation(s->ct);
    if (s->src_srs)
        OSRRelease(s->src_srs);
    if (s->dst_srs)
        OSRRelease(s->dst_srs);
    if (s->ds)
        GDALClose(s->ds);
    memset(s, 0, sizeof *s);
}

/* Trims ASCII white space in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* A field as text for the code: NULL if unset/null. Integral reals print without ".0"
 * (Shapefile stores numeric codes as doubles); others are refused by the caller. */
static int field_text(OGRFeatureH f, int fi, char *out, size_t n)
{
    if (!OGR_F_IsFieldSetAndNotNull(f, fi))
        return 0;
    OGRFieldType t = OGR_Fld_GetType(OGR_F_GetFieldDefnRef(f, fi));
    if (t == OFTReal) {
        double d = OGR_F_GetFieldAsDouble(f, fi);
        if (d == floor(d) && fabs(d) < 1e15)
            snprintf(out, n, "%.0f", d);
        else
            snprintf(out, n, "%.17g", d);
    } else {
        snprintf(out, n, "%s", OGR_F_GetFieldAsString(f, fi));
    }
    return 1;
}

/* The per-feature values that go to the stage table. */
typedef struct feature_vals {
    char code[64];
    char *name;         /* g_malloc'd NFC, or NULL */
    char parent[64];    /* "" = none */
    long long pop;      /* -1 = none */
    int border, key;    /* -1 = not given */
    unsigned char *wkb; /* owned, or NULL */
    size_t wkb_len;
} feature_vals;

static int parse_flag(const char *v, int *out)
{
    static const char *const yes[] = {"1", "true", "t", "yes", "y", "x", "có", NULL};
    static const char *const no[] = {"0", "false", "f", "no", "n", "", "không", NULL};
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(v, yes[i]))
            return *out = 1, 0;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(v, no[i]))
            return *out = 0, 0;
    return -1;
}

/* Reads code, name, parent, population and flags; records errors for each bad one.
 * Returns 1 if the code is usable (the feature can be staged), else 0. */
static int read_attrs(units_src *s, OGRFeatureH f, unsigned long idx, long long fid,
                      feature_vals *v, hs_errlist *errs)
{
    const hs_import_units_opts *o = s->o;
    char ref[256], buf[512], q[128];
    int code_usable = 0;
    if (!field_text(f, s->f_code, buf, sizeof buf) || !*trim(buf)) {
        hs_errlist_add(errs, idx, "%s: field '%s': the code is missing",
                       feature_ref(ref, sizeof ref, idx, fid, NULL), o->code_field);
    } else if (!unit_code_ok(trim(buf))) {
        hs_errlist_add(errs, idx,
                       "%s: field '%s': %s is not a valid code (1-32 letters, digits, "
                       "'_', '.', '-')",
                       feature_ref(ref, sizeof ref, idx, fid, NULL), o->code_field,
                       hs_csv_quote(trim(buf), strlen(trim(buf)), q, sizeof q));
    } else {
        snprintf(v->code, sizeof v->code, "%s", trim(buf));
        code_usable = 1;
    }
    const char *code = code_usable ? v->code : NULL;
    feature_ref(ref, sizeof ref, idx, fid, code);

    const char *raw =
        OGR_F_IsFieldSetAndNotNull(f, s->f_name) ? OGR_F_GetFieldAsString(f, s->f_name) : "";
    size_t raw_len = strlen(raw);
    /* Bounded: a name goes into every map label, export row and page title. */
    char *nm = raw_len <= HS_IMPORT_UNITS_NAME_MAX ? g_strdup(raw) : NULL;
    char *t = nm ? trim(nm) : NULL;
    if (!t) {
        hs_errlist_add(errs, idx, "%s: field '%s': the name is %zu bytes long, over the limit of %d",
                       ref, o->name_field, raw_len, HS_IMPORT_UNITS_NAME_MAX);
    } else if (!g_utf8_validate(t, -1, NULL)) {
        hs_errlist_add(errs, idx,
                       "%s: field '%s': the name is not valid UTF-8 (for a Shapefile, "
                       "add a .cpg file naming its encoding)",
                       ref, o->name_field);
    } else if (!*t) {
        hs_errlist_add(errs, idx, "%s: field '%s': the name is empty", ref, o->name_field);
    } else {
        v->name = g_utf8_normalize(t, -1, G_NORMALIZE_NFC);
    }
    g_free(nm);

    if (s->f_parent >= 0) {
        if (!field_text(f, s->f_parent, buf, sizeof buf) || !*trim(buf))
            hs_errlist_add(errs, idx, "%s: field '%s': the parent province code is missing", ref,
                           o->parent_field);
        else if (!unit_code_ok(trim(buf)))
            hs_errlist_add(errs, idx, "%s: field '%s': %s is not a valid code", ref,
                           o->parent_field,
                           hs_csv_quote(trim(buf), strlen(trim(buf)), q, sizeof q));
        else
            snprintf(v->parent, sizeof v->parent, "%s", trim(buf));
    }

    v->pop = -1;
    if (s->f_pop >= 0 && field_text(f, s->f_pop, buf, sizeof buf) && *trim(buf)) {
        char *e = NULL;
        char *p = trim(buf);
        long long x = strtoll(p, &e, 10);
        if (*p == '-' || e == p || *e || x < 0 || x > 2000000000LL)
            hs_errlist_add(errs, idx,
                           "%s: field '%s': population %s is not a whole number "
                           "0..2000000000",
                           ref, o->population_field, hs_csv_quote(p, strlen(p), q, sizeof q));
        else
            v->pop = x;
    }

    int *flag[2] = {&v->border, &v->key};
    int fi[2] = {s->f_border, s->f_key};
    const char *fname[2] = {o->border_province_field, o->key_commune_field};
    for (int k = 0; k < 2; k++) {
        *flag[k] = -1;
        if (fi[k] < 0)
            continue;
        *flag[k] = 0;
        if (field_text(f, fi[k], buf, sizeof buf) && parse_flag(trim(buf), flag[k]) < 0)
            hs_errlist_add(errs, idx,
                           "%s: field '%s': %s is not a yes/no value (1/0, "
                           "true/false, yes/no)",
                           ref, fname[k], hs_csv_quote(trim(buf), strlen(trim(buf)), q, sizeof q));
    }
    return code_usable;
}

/* Geometry to 2D MultiPolygon in EPSG:4326 as WKB. Records an error and leaves
 * v->wkb NULL when the feature has none, an empty one or not a polygon. */
static int read_geom(units_src *s, OGRFeatureH f, unsigned long idx, long long fid, feature_vals *v,
                     hs_errlist *errs, hs_err *err)
{
    char ref[256];
    feature_ref(ref, sizeof ref, idx, fid, v->code[0] ? v->code : NULL);
    OGRGeometryH g = OGR_F_GetGeometryRef(f);
    if (!g) {
        /* A truncated Shapefile reads as null geometries; GDAL says why (the loop
         * resets CPL's error after each feature, so this one is this feature's). */
        if (CPLGetLastErrorType() >= CE_Failure)
            hs_errlist_add(errs, idx, "%s: geometry: unreadable: %s (is the file truncated?)", ref,
                           gdal_msg());
        else
            hs_errlist_add(errs, idx, "%s: geometry: missing or empty (null)", ref);
        return HS_OK;
    }
    if (OGR_G_IsEmpty(g)) {
        hs_errlist_add(errs, idx, "%s: geometry: empty", ref);
        return HS_OK;
    }
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t != wkbPolygon && t != wkbMultiPolygon && t != wkbCurvePolygon && t != wkbMultiSurface) {
        hs_errlist_add(errs, idx, "%s: geometry: a %s, not a polygon", ref,
                       OGRGeometryTypeToName(t));
        return HS_OK;
    }
    OGRGeometryH c = OGR_G_Clone(g);
    if (!c)
        return hs_err_set(err, HS_ENOMEM, "%s: cannot copy the geometry", ref);
    OGR_G_FlattenTo2D(c);
    if (s->ct && OGR_G_Transform(c, s->ct) != OGRERR_NONE) {
        hs_errlist_add(errs, idx, "%s: geometry: cannot reproject to EPSG:4326: %s", ref,
                       gdal_msg());
        OGR_G_DestroyGeometry(c);
        return HS_OK;
    }
    c = OGR_G_ForceToMultiPolygon(c); /* takes c; linearises curves */
    OGREnvelope env;
    OGR_G_GetEnvelope(c, &env);
    if (!(env.MinX >= -180 && env.MaxX <= 180 && env.MinY >= -90 && env.MaxY <= 90)) {
        hs_errlist_add(errs, idx,
                       "%s: geometry: coordinates outside longitude/latitude "
                       "range after reprojection (x %.6g..%.6g, y %.6g..%.6g): is "
                       "the file's CRS right?",
                       ref, env.MinX, env.MaxX, env.MinY, env.MaxY);
        OGR_G_DestroyGeometry(c);
        return HS_OK;
    }
    /* Units are Vietnam's. A wrong CRS that still gives valid longitudes and latitudes
     * (lon/lat degrees declared as UTM metres land near 100.5 E, 0 N) is caught here. */
    const hs_bbox vn = HS_VN_EXTENT_LONLAT;
    if (!(env.MaxX >= vn.minx && env.MinX <= vn.maxx && env.MaxY >= vn.miny && env.MinY <= vn.maxy)) {
        hs_errlist_add(errs, idx,
                       "%s: geometry: outside Vietnam after reprojection from %s (lon "
                       "%.6g..%.6g, lat %.6g..%.6g; Vietnam is %g..%g E, %g..%g N): is the "
                       "file's CRS right?",
                       ref, s->crs_name, env.MinX, env.MaxX, env.MinY, env.MaxY, vn.minx, vn.maxx,
                       vn.miny, vn.maxy);
        OGR_G_DestroyGeometry(c);
        return HS_OK;
    }
    size_t n = (size_t)OGR_G_WkbSize(c);
    if (n > HS_IMPORT_UNITS_MAX_WKB) {
        OGR_G_DestroyGeometry(c);
        hs_errlist_add(errs, idx,
                       "%s: geometry: %zu bytes, more than the %zu-byte limit per "
                       "unit (simplify it first)",
                       ref, n, HS_IMPORT_UNITS_MAX_WKB);
        return HS_OK;
    }
    v->wkb = malloc(n ? n : 1);
    if (!v->wkb) {
        OGR_G_DestroyGeometry(c);
        return hs_err_set(err, HS_ENOMEM, "%s: cannot allocate %zu bytes of WKB", ref, n);
    }
    OGR_G_ExportToWkb(c, wkbNDR, v->wkb);
    v->wkb_len = n;
    OGR_G_DestroyGeometry(c);
    return HS_OK;
}

/* One stage row in COPY text format; the geometry travels as hex WKB, which PostGIS
 * reads exactly (WKT would round coordinates and cost more to parse). */
static int put_stage_row(hs_buf *b, unsigned long idx, long long fid, const feature_vals *v,
                         hs_err *err)
{
    char num[32];
    int rc = hs_buf_printf(b, err, "%lu\t", idx);
    if (rc == HS_OK) {
        if (fid >= 0)
            rc = hs_buf_printf(b, err, "%lld", fid);
        else
            rc = hs_buf_append(b, "\\N", 2, err);
    }
    if (rc == HS_OK)
        rc = hs_pgcopy_field(b, 0, v->code, strlen(v->code), err);
    if (rc == HS_OK)
        rc = hs_pgcopy_field(b, 0, v->name, v->name ? strlen(v->name) : 0, err);
    if (rc == HS_OK)
        rc = hs_pgcopy_field(b, 0, v->parent[0] ? v->parent : NULL, strlen(v->parent), err);
    snprintf(num, sizeof num, "%lld", v->pop);
    if (rc == HS_OK)
        rc = hs_pgcopy_field(b, 0, v->pop >= 0 ? num : NULL, strlen(num), err);
    for (int k = 0; k < 2 && rc == HS_OK; k++) {
        int fl = k ? v->key : v->border;
        rc = hs_pgcopy_field(b, 0, fl < 0 ? NULL : fl ? "t" : "f", 1, err);
    }
    if (rc == HS_OK && !v->wkb)
        rc = hs_pgcopy_field(b, 0, NULL, 0, err);
    if (rc == HS_OK && v->wkb) {
        static const char hex[] = "0123456789ABCDEF";
        rc = hs_buf_append(b, "\t", 1, err);
        for (size_t i = 0; rc == HS_OK && i < v->wkb_len; i++) {
            char h[2] = {hex[v->wkb[i] >> 4], hex[v->wkb[i] & 15]};
            rc = hs_buf_append(b, h, 2, err);
        }
    }
    if (rc == HS_OK)
        rc = hs_pgcopy_eol(b, err);
    return rc;
}

/* Reads every feature, recording errors, and streams the usable ones to the stage. */
static int read_features(PGconn *c, units_src *s, hs_import_units_result *res, hs_err *err)
{
    hs_buf b;
    hs_buf_init(&b, 0);
    int rc = hs_pgcopy_begin(c, "COPY hs_units_stage FROM STDIN", err);
    if (rc < 0)
        return rc;
    OGR_L_ResetReading(s->layer);
    CPLErrorReset();
    OGRFeatureH f;
    unsigned long idx = 0;
    while (rc == HS_OK && (f = OGR_L_GetNextFeature(s->layer)) != NULL) {
        idx++;
        if (idx > HS_IMPORT_UNITS_MAX_FEATURES) {
            OGR_F_Destroy(f);
            rc = hs_err_set(err, HS_ELIMIT, "%s: more than %lu features, the limit", s->o->path,
                            HS_IMPORT_UNITS_MAX_FEATURES);
            break;
        }
        GIntBig g = OGR_F_GetFID(f);
        long long fid = g == OGRNullFID ? -1 : (long long)g;
        feature_vals v = {0};
        int usable = read_attrs(s, f, idx, fid, &v, &res->errors);
        rc = read_geom(s, f, idx, fid, &v, &res->errors, err);
        if (rc == HS_OK && usable)
            rc = put_stage_row(&b, idx, fid, &v, err);
        if (rc == HS_OK)
            rc = hs_pgcopy_flush(c, &b, HS_PGCOPY_CHUNK, err);
        g_free(v.name);
        free(v.wkb);
        OGR_F_Destroy(f);
        CPLErrorReset();
    }
    /* A driver that stops early (truncated file) says so only through CPL. */
    if (rc == HS_OK && CPLGetLastErrorType() >= CE_Failure)
        rc = hs_err_set(err, HS_EIO, "%s: reading stopped after feature %lu: %s", s->o->path, idx,
                        gdal_msg());
    res->features = idx;
    if (rc == HS_OK)
        rc = hs_pgcopy_end(c, &b, err);
    else
        hs_pgcopy_abort(c, "client error while reading features");
    hs_buf_free(&b);
    return rc;
}

/* Runs a check query whose rows are (idx, fid, code, message...) and records one error
 * (or repair note) per row, formatted by `fmt` from columns 3.. as strings. */
static int sql_findings(PGconn *c, const char *sql, int nparams, const char *const *params,
                        hs_errlist *out, const char *what, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(c, sql, nparams, params, &r, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        char ref[256];
        unsigned long idx = strtoul(PQgetvalue(r, i, 0), NULL, 10);
        long long fid = PQgetisnull(r, i, 1) ? -1 : strtoll(PQgetvalue(r, i, 1), NULL, 10);
        hs_errlist_add(out, idx, "%s: %s%s",
                       feature_ref(ref, sizeof ref, idx, fid, PQgetvalue(r, i, 2)), what,
                       PQgetvalue(r, i, 3));
    }
    PQclear(r);
    return HS_OK;
}

/* Checks that need the database or all features at once, and geometry repair. */
static int check_stage(PGconn *c, units_src *s, hs_import_units_result *res, hs_err *err)
{
    const hs_import_units_opts *o = s->o;
    char what[160];
    const char *lv[1] = {o->level};
    snprintf(what, sizeof what, "field '%s': duplicate code (also feature ", o->code_field);
    int rc = sql_findings(c,
                          "SELECT idx, fid, code, first::text || ')' FROM (SELECT idx, fid, "
                          "code, min(idx) OVER (PARTITION BY code) AS first FROM hs_units_stage) "
                          "d WHERE idx <> first",
                          0, NULL, &res->errors, what, err);
    snprintf(what, sizeof what, "field '%s': code already used by a ", o->code_field);
    if (rc == HS_OK)
        rc = sql_findings(c,
                          "SELECT s.idx, s.fid, s.code, u.level || ' (' || u.name || ')' FROM "
                          "hs_units_stage s JOIN hs.unit u ON u.code = s.code WHERE u.level <> $1",
                          1, lv, &res->errors, what, err);
    snprintf(what, sizeof what, "field '%s': ", o->parent_field ? o->parent_field : "");
    if (rc == HS_OK && o->parent_field)
        rc = sql_findings(c,
                          "SELECT s.idx, s.fid, s.code, CASE WHEN u.code IS NULL THEN "
                          "'unknown parent province ''' || s.parent || ''' (import the "
                          "provinces first)' ELSE 'parent ''' || s.parent || ''' is a ' || "
                          "u.level || ', not a province' END FROM hs_units_stage s LEFT JOIN "
                          "hs.unit u ON u.code = s.parent WHERE s.parent IS NOT NULL AND "
                          "(u.code IS NULL OR u.level <> 'province')",
                          0, NULL, &res->errors, what, err);
    /* Repair with ST_MakeValid and keep only the polygonal part; the reason is taken
     * before the repair so the note says what was wrong. */
    if (rc == HS_OK)
        rc = sql_findings(c,
                          "WITH bad AS (SELECT idx, ST_IsValidReason(geom) AS why FROM "
                          "hs_units_stage WHERE geom IS NOT NULL AND NOT ST_IsValid(geom)) "
                          "UPDATE hs_units_stage s SET geom = "
                          "ST_Multi(ST_CollectionExtract(ST_MakeValid(s.geom), 3)) FROM bad "
                          "WHERE s.idx = bad.idx RETURNING s.idx, s.fid, s.code, bad.why",
                          0, NULL, &res->repairs, "invalid geometry repaired: ", err);
    if (rc == HS_OK)
        rc = sql_findings(c,
                          "SELECT idx, fid, code, CASE WHEN ST_IsEmpty(geom) THEN 'invalid and "
                          "nothing polygonal is left after repair' ELSE 'still invalid after "
                          "repair: ' || ST_IsValidReason(geom) END FROM hs_units_stage WHERE "
                          "geom IS NOT NULL AND (ST_IsEmpty(geom) OR NOT ST_IsValid(geom))",
                          0, NULL, &res->errors, "geometry: ", err);
    return rc;
}

static unsigned long count_of(PGresult *r, int col)
{
    return strtoul(PQgetvalue(r, 0, col), NULL, 10);
}

static int write_units(PGconn *c, units_src *s, hs_import_units_result *res, hs_err *err)
{
    const hs_import_units_opts *o = s->o;
    char sql[1400];
    /* Flags not given in this import keep their stored value on update. */
    snprintf(sql, sizeof sql,
             "WITH up AS (INSERT INTO hs.unit AS u (code, level, name, parent_code, geom, "
             "is_border_province, is_key_commune) SELECT code, $1, name, parent, "
             "ST_SetSRID(geom, 4326), coalesce(border, false), coalesce(keyc, false) FROM "
             "hs_units_stage ORDER BY idx ON CONFLICT (code) DO UPDATE SET name = "
             "EXCLUDED.name, parent_code = EXCLUDED.parent_code, geom = EXCLUDED.geom%s%s "
             "RETURNING (xmax = 0) AS ins) SELECT count(*) FILTER (WHERE ins), count(*) "
             "FILTER (WHERE NOT ins) FROM up",
             o->border_province_field ? ", is_border_province = EXCLUDED.is_border_province" : "",
             o->key_commune_field ? ", is_key_commune = EXCLUDED.is_key_commune" : "");
    const char *lv[1] = {o->level};
    PGresult *r = NULL;
    int rc = hs_pg_query(c, sql, 1, lv, &r, err);
    if (rc < 0)
        return rc;
    res->inserted = count_of(r, 0);
    res->updated = count_of(r, 1);
    PQclear(r);
    if (o->population_field) {
        char year[16];
        snprintf(year, sizeof year, "%d", o->population_year);
        const char *yp[1] = {year};
        rc = hs_pg_query(c,
                         "INSERT INTO hs.unit_population (unit_code, year, population) SELECT "
                         "code, $1::int, pop FROM hs_units_stage WHERE pop IS NOT NULL ON "
                         "CONFLICT (unit_code, year) DO UPDATE SET population = "
                         "EXCLUDED.population",
                         1, yp, &r, err);
        if (rc < 0)
            return rc;
        res->populations = strtoul(PQcmdTuples(r), NULL, 10);
        PQclear(r);
    }
    rc = hs_pg_query(c,
                     "SELECT count(*) FROM hs.unit u WHERE u.level = $1 AND NOT EXISTS "
                     "(SELECT 1 FROM hs_units_stage s WHERE s.code = u.code)",
                     1, lv, &r, err);
    if (rc < 0)
        return rc;
    res->kept = count_of(r, 0);
    PQclear(r);
    /* Adjacency, label points and border distances follow the new boundaries in the
     * same transaction, so no reader ever sees them out of step. */
    return hs_pg_exec(c, "SELECT hs.refresh_derived()", err);
}

static int check_opts(const hs_import_units_opts *o, hs_err *err)
{
    if (!o->level || (strcmp(o->level, "province") && strcmp(o->level, "commune")))
        return hs_err_set(err, HS_EINVAL, "--level must be province or commune, not '%s'",
                          o->level ? o->level : "");
    int commune = !strcmp(o->level, "commune");
    if (!o->code_field || !o->name_field)
        return hs_err_set(err, HS_EINVAL, "--code-field and --name-field are required");
    if (commune && !o->parent_field)
        return hs_err_set(err, HS_EINVAL,
                          "--parent-field is required with --level commune (the province code)");
    if (!commune && o->parent_field)
        return hs_err_set(err, HS_EINVAL, "--parent-field is only for --level commune");
    if (commune && o->border_province_field)
        return hs_err_set(err, HS_EINVAL, "--border-province-field is only for --level province");
    if (!commune && o->key_commune_field)
        return hs_err_set(err, HS_EINVAL, "--key-commune-field is only for --level commune");
    if (o->population_year < 1900 || o->population_year > 2200)
        return hs_err_set(err, HS_EINVAL, "--population-year %d is outside 1900-2200",
                          o->population_year);
    return HS_OK;
}

int hs_import_units(PGconn *c, const hs_import_units_opts *o, hs_import_units_result *res,
                    hs_err *err)
{
    memset(res, 0, sizeof *res);
    hs_errlist_init(&res->errors, HS_IMPORT_UNITS_ERRORS_KEPT);
    hs_errlist_init(&res->repairs, HS_IMPORT_UNITS_ERRORS_KEPT);
    int rc = check_opts(o, err);
    if (rc < 0)
        return rc;
    gdal_errs gerr = {.first = ""};
    units_src s = {.o = o, .gerr = &gerr, .is_commune = !strcmp(o->level, "commune")};
    /* GDAL would print its own errors to stderr; they are turned into hs_err instead. */
    CPLPushErrorHandlerEx(collect_gdal_errors, &gerr);
    rc = open_layer(&s, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--code-field", o->code_field, &s.f_code, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--name-field", o->name_field, &s.f_name, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--parent-field", o->parent_field, &s.f_parent, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--population-field", o->population_field, &s.f_pop, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--border-province-field", o->border_province_field, &s.f_border, err);
    if (rc == HS_OK)
        rc = field_index(&s, "--key-commune-field", o->key_commune_field, &s.f_key, err);
    if (rc == HS_OK)
        rc = setup_crs(&s, res, err);
    s.crs_name = res->crs;
    if (rc == HS_OK)
        rc = hs_pg_begin(c, err);
    if (rc == HS_OK)
        rc = hs_pg_exec(c,
                        "CREATE TEMP TABLE hs_units_stage (idx integer PRIMARY KEY, fid bigint, "
                        "code text NOT NULL, name text, parent text, pop bigint, border "
                        "boolean, keyc boolean, geom geometry) ON COMMIT DROP",
                        err);
    if (rc == HS_OK)
        rc = read_features(c, &s, res, err);
    /* Statistics let the planner hash-join the stage against hs.unit; without them
     * the anti-join counting kept units ran as a nested loop (~1 s for 3,300). */
    if (rc == HS_OK)
        rc = hs_pg_exec(c, "ANALYZE hs_units_stage", err);
    if (rc == HS_OK)
        rc = check_stage(c, &s, res, err);
    if (rc == HS_OK && res->errors.total > 0)
        rc = hs_err_set(err, HS_EINVAL, "%s: %lu error%s in %lu features; nothing was imported",
                        o->path, res->errors.total, res->errors.total == 1 ? "" : "s",
                        res->features);
    if (rc == HS_OK && res->features == 0)
        rc = hs_err_set(err, HS_EINVAL, "%s: layer '%s' has no features", o->path,
                        OGR_L_GetName(s.layer));
    if (rc == HS_OK)
        rc = write_units(c, &s, res, err);
    if (rc == HS_OK)
        rc = hs_pg_commit(c, err);
    if (rc < 0)
        hs_pg_rollback(c);
    close_src(&s);
    CPLPopErrorHandler();
    return rc;
}

void hs_import_units_result_free(hs_import_units_result *res)
{
    hs_errlist_free(&res->errors);
    hs_errlist_free(&res->repairs);
}
