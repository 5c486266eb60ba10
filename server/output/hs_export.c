#include "hs_export.h"

#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hs_gdal.h"

static const hs_export_format formats[] = {
    {"csv", "text/csv; charset=utf-8", "csv", 0, hs_export_csv},
    {"json", "application/json", "json", 0, hs_export_json},
    {"geojson", "application/geo+json", "geojson", 1, hs_export_geojson},
    {"gpkg", "application/geopackage+sqlite3", "gpkg", 1, hs_export_gpkg},
};

int hs_export_find(const char *name, const char *what, const hs_export_format **out, hs_err *err)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (name && !strcmp(name, formats[i].name)) {
            *out = &formats[i];
            return HS_OK;
        }
    return hs_err_set(err, HS_EINVAL, "%s '%.32s' is not a format; use csv, json, geojson or gpkg",
                      what, name ? name : "");
}

void hs_export_init(void)
{
    hs_err err = {0};
    (void)hs_gdal_load(&err); /* a failure is reported by the first GDAL export */
}

/* CSV cell quoting per RFC 4180: quote when the text holds a comma, quote or newline. */
static int csv_str(hs_buf *out, const char *s, hs_err *err)
{
    if (!strpbrk(s, ",\"\r\n"))
        return hs_buf_append(out, s, strlen(s), err);
    int rc = hs_buf_append(out, "\"", 1, err);
    for (const char *p = s; rc == HS_OK && *p; p++)
        rc = *p == '"' ? hs_buf_append(out, "\"\"", 2, err) : hs_buf_append(out, p, 1, err);
    return rc == HS_OK ? hs_buf_append(out, "\"", 1, err) : rc;
}

/* Powers of ten that doubles hold exactly (10^22 is the last). */
static const double exact_pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Scales a (1e-13 <= a < 1e32) to s = a * 10^(9 - e) in [1e9, 1e10) with ONE
 * correctly rounded multiply or divide by an exact power of ten, so s is within half an
 * ulp (< 1e-6) of the exact scaled value. Returns 0 when that did not land in range. */
static int scale10(double a, int *e, double *s)
{
    *e = (int)floor(log10(a));
    for (int tries = 0; tries < 3; tries++) {
        int k = 9 - *e;
        if (k > 22 || k < -22)
            return 0;
        *s = k >= 0 ? a * exact_pow10[k] : a / exact_pow10[-k];
        if (*s < 1e9)
            --*e;
        else if (*s >= 1e10)
            ++*e;
        else
            return 1;
    }
    return 0;
}

size_t hs_export_g10(double v, char *out)
{
    double a = fabs(v), s, f;
    int e;
    /* s is within 1e-6 of the exact value, so unless its fraction is near one half the
     * correctly rounded 10-digit integer is known; near a tie (or out of range, NaN,
     * zero) printf decides. */
    if (!(a >= 1e-13 && a < 1e32) || !scale10(a, &e, &s) ||
        fabs((s - (f = floor(s))) - 0.5) < 1e-4) {
        int n = snprintf(out, 32, "%.10g", v);
        return n > 0 ? (size_t)n : 0;
    }
    uint64_t d = (uint64_t)f + (s - f > 0.5);
    if (d == 10000000000ull) {
        d = 1000000000ull;
        e++;
    }
    char dig[10];
    for (int i = 9; i >= 0; i--, d /= 10)
        dig[i] = (char)('0' + d % 10);
    int m = 10; /* significant digits once trailing zeros go (%g drops them) */
    while (m > 1 && dig[m - 1] == '0')
        m--;
    char *p = out;
    if (signbit(v))
        *p++ = '-';
    if (e >= -4 && e < 10) { /* %g's fixed style: exponent X with -4 <= X < P */
        if (e >= 0) {
            memcpy(p, dig, (size_t)e + 1);
            p += e + 1;
            if (m > e + 1) {
                *p++ = '.';
                memcpy(p, dig + e + 1, (size_t)(m - e - 1));
                p += m - e - 1;
            }
        } else {
            *p++ = '0';
            *p++ = '.';
            for (int z = 0; z < -e - 1; z++)
                *p++ = '0';
            memcpy(p, dig, (size_t)m);
            p += m;
        }
    } else { /* exponent style, at least two exponent digits */
        *p++ = dig[0];
        if (m > 1) {
            *p++ = '.';
            memcpy(p, dig + 1, (size_t)(m - 1));
            p += m - 1;
        }
        *p++ = 'e';
        *p++ = e < 0 ? '-' : '+';
        int x = e < 0 ? -e : e;
        *p++ = (char)('0' + x / 10);
        *p++ = (char)('0' + x % 10);
    }
    *p = 0;
    return (size_t)(p - out);
}

static int csv_cell(hs_buf *out, const hs_table *t, const hs_cell *c, int col, hs_err *err)
{
    if (c->isnull)
        return HS_OK;
    switch (t->col_type[col]) {
    case HS_COL_STR: return csv_str(out, c->s, err);
    case HS_COL_INT: return hs_buf_append_int(out, c->i, err);
    default:
        /* Whole numbers below 1e10 print as %.10g prints them (no exponent, no point);
         * counts, zeros and ranks are most cells. NaN and infinities fail the first
         * test; -0 keeps printf's "-0". */
        if (fabs(c->d) < 1e10 && c->d == (double)(long long)c->d && !(c->d == 0 && signbit(c->d)))
            return hs_buf_append_int(out, (long long)c->d, err);
        char tmp[32];
        return hs_buf_append(out, tmp, hs_export_g10(c->d, tmp), err);
    }
}

/* Rows [r0, r1) of the CSV body; `tail` ends every row. */
static int csv_rows(const hs_table *t, int r0, int r1, const hs_buf *tail, hs_buf *out,
                    hs_err *err)
{
    int rc = HS_OK;
    for (int r = r0; r < r1 && rc == HS_OK; r++) {
        for (int c = 0; c < t->ncols && rc == HS_OK; c++) {
            if (c)
                rc = hs_buf_append(out, ",", 1, err);
            if (rc == HS_OK)
                rc = csv_cell(out, t, &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c], c, err);
        }
        if (rc == HS_OK)
            rc = hs_buf_append(out, tail->data, tail->len, err);
    }
    return rc;
}

/* Formatting numbers is most of writing a large CSV (about 17 ms of `hotspot analyze`
 * at 10,609 rows x 36 columns), and rows are independent: with t->threads > 1 a
 * table of at least CSV_BLOCK_MIN rows per thread is formatted in contiguous row
 * blocks, one buffer each, appended in order. The bytes are the same. */
#define CSV_BLOCK_MIN 2048
#define CSV_THREADS_MAX 8

typedef struct csv_block {
    const hs_table *t;
    const hs_buf *tail;
    int r0, r1, rc;
    hs_buf buf;
    hs_err err;
} csv_block;

static void *csv_block_run(void *arg)
{
    csv_block *b = arg;
    b->rc = csv_rows(b->t, b->r0, b->r1, b->tail, &b->buf, &b->err);
    return NULL;
}

static int csv_body(const hs_table *t, const hs_buf *tail, hs_buf *out, hs_err *err)
{
    int nt = t->threads < CSV_THREADS_MAX ? t->threads : CSV_THREADS_MAX;
    if (nt > t->nrows / CSV_BLOCK_MIN)
        nt = t->nrows / CSV_BLOCK_MIN;
    if (nt <= 1)
        return csv_rows(t, 0, t->nrows, tail, out, err);
    csv_block b[CSV_THREADS_MAX];
    b[0] = (csv_block){.r0 = 0, .r1 = (int)((long long)t->nrows / nt)};
    pthread_t tid[CSV_THREADS_MAX];
    int started[CSV_THREADS_MAX] = {0};
    for (int k = 1; k < nt; k++) {
        b[k] = (csv_block){.t = t, .tail = tail, .r0 = (int)((long long)t->nrows * k / nt),
                           .r1 = (int)((long long)t->nrows * (k + 1) / nt)};
        hs_buf_init(&b[k].buf, out->limit);
    }
    /* Block 0 is formatted on this thread straight into `out`; a block whose thread
     * did not start is formatted here too, after it. */
    for (int k = 1; k < nt; k++)
        started[k] = pthread_create(&tid[k], NULL, csv_block_run, &b[k]) == 0;
    int rc = csv_rows(t, b[0].r0, b[0].r1, tail, out, err);
    for (int k = 1; k < nt; k++) {
        if (started[k])
            pthread_join(tid[k], NULL);
        else
            csv_block_run(&b[k]);
        if (rc == HS_OK && b[k].rc < 0) {
            rc = b[k].rc;
            *err = b[k].err;
        }
        if (rc == HS_OK)
            rc = hs_buf_append(out, b[k].buf.data, b[k].buf.len, err);
        hs_buf_free(&b[k].buf);
    }
    return rc;
}

int hs_export_csv(const hs_table *t, hs_buf *out, hs_err *err)
{
    int rc = HS_OK;
    for (int c = 0; c < t->ncols && rc == HS_OK; c++)
        rc = hs_buf_printf(out, err, "%s%s", c ? "," : "", t->col_name[c]);
    if (rc == HS_OK)
        rc = hs_buf_printf(out, err, ",variable,p_basis,data_note\r\n");
    /* The three dataset columns are the same on every row: formatted once. */
    hs_buf tail;
    hs_buf_init(&tail, 0);
    if (rc == HS_OK)
        rc = hs_buf_printf(&tail, err, ",%s,%s,%s\r\n", t->variable, t->p_basis,
                           t->synthetic ? HS_SYNTHETIC_NOTICE : "");
    if (rc == HS_OK)
        rc = csv_body(t, &tail, out, err);
    hs_buf_free(&tail);
    return rc;
}

static json_t *json_meta(const hs_table *t)
{
    json_t *summary = json_object();
    for (int k = 0; summary && k < t->nsummary; k++)
        json_object_set_new(summary, t->summary_key[k],
                            isfinite(t->summary_val[k]) ? json_real(t->summary_val[k]) : json_null());
    return json_pack("{s:s, s:b, s:s?, s:s, s:s, s:o}", "title", t->title, "synthetic",
                     t->synthetic, "notice", t->synthetic ? HS_SYNTHETIC_NOTICE : NULL, "variable",
                     t->variable, "p_basis", t->p_basis, "summary", summary);
}

static json_t *json_cell(const hs_table *t, const hs_cell *c, int col)
{
    if (c->isnull)
        return json_null();
    switch (t->col_type[col]) {
    case HS_COL_STR: return json_string(c->s);
    case HS_COL_INT: return json_integer(c->i);
    default: return json_real(c->d);
    }
}

static int json_dump_into(json_t *root, hs_buf *out, hs_err *err)
{
    if (!root)
        return hs_err_set(err, HS_ENOMEM, "cannot build the JSON document");
    char *s = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot serialise the JSON document");
    int rc = hs_buf_append(out, s, strlen(s), err);
    free(s);
    return rc;
}

int hs_export_json(const hs_table *t, hs_buf *out, hs_err *err)
{
    json_t *rows = json_array();
    for (int r = 0; rows && r < t->nrows; r++) {
        json_t *o = json_object();
        for (int c = 0; o && c < t->ncols; c++)
            json_object_set_new(o, t->col_name[c],
                                json_cell(t, &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c], c));
        json_array_append_new(rows, o);
    }
    json_t *root = json_pack("{s:o, s:o}", "meta", json_meta(t), "rows", rows);
    return json_dump_into(root, out, err);
}

/* GDAL writes into a /vsimem/ file whose name is unique per call, so concurrent
 * requests never share one; the bytes are then copied into `out`. */
static int ogr_write(const hs_table *t, const char *driver, const char *ext, hs_buf *out,
                     hs_err *err)
{
    static atomic_ulong counter;
    int rc = hs_gdal_load(err);
    if (rc < 0)
        return rc;
    char path[128];
    snprintf(path, sizeof path, "/vsimem/hs_export_%lu.%s", (unsigned long)atomic_fetch_add(&counter, 1),
             ext);
    GDALDriverH drv = GDALGetDriverByName(driver);
    if (!drv)
        return hs_err_set(err, HS_EGEO, "GDAL has no %s driver", driver);
    GDALDatasetH ds = GDALCreate(drv, path, 0, 0, 0, GDT_Unknown, NULL);
    if (!ds)
        return hs_err_set(err, HS_EGEO, "GDAL cannot create %s output: %s", driver,
                          CPLGetLastErrorMsg());
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    char desc[600];
    snprintf(desc, sizeof desc, "%s%s%s; statistics on %s; bins from %s p-values", t->title,
             t->synthetic ? " -- " : "", t->synthetic ? HS_SYNTHETIC_NOTICE : "", t->variable,
             t->p_basis);
    char *lopts[2] = {NULL, NULL};
    char descopt[640];
    snprintf(descopt, sizeof descopt, "DESCRIPTION=%s", desc);
    lopts[0] = descopt;
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "hotspot", srs, wkbMultiPolygon, lopts);
    OSRDestroySpatialReference(srs);
    if (!layer)
        rc = hs_err_set(err, HS_EGEO, "GDAL cannot create a %s layer: %s", driver,
                        CPLGetLastErrorMsg());
    for (int c = 0; rc == HS_OK && c < t->ncols; c++) {
        OGRFieldType ft = t->col_type[c] == HS_COL_STR   ? OFTString
                          : t->col_type[c] == HS_COL_INT ? OFTInteger64
                                                         : OFTReal;
        OGRFieldDefnH fd = OGR_Fld_Create(t->col_name[c], ft);
        if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
            rc = hs_err_set(err, HS_EGEO, "GDAL cannot add field %s: %s", t->col_name[c],
                            CPLGetLastErrorMsg());
        OGR_Fld_Destroy(fd);
    }
    const char *extra[3] = {"variable", "p_basis", "data_note"};
    for (int c = 0; rc == HS_OK && c < 3; c++) {
        OGRFieldDefnH fd = OGR_Fld_Create(extra[c], OFTString);
        OGR_L_CreateField(layer, fd, TRUE);
        OGR_Fld_Destroy(fd);
    }
    if (rc == HS_OK)
        GDALDatasetStartTransaction(ds, FALSE);
    for (int r = 0; rc == HS_OK && r < t->nrows; r++) {
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        for (int c = 0; c < t->ncols; c++) {
            const hs_cell *cl = &t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            if (cl->isnull)
                OGR_F_SetFieldNull(f, c);
            else if (t->col_type[c] == HS_COL_STR)
                OGR_F_SetFieldString(f, c, cl->s);
            else if (t->col_type[c] == HS_COL_INT)
                OGR_F_SetFieldInteger64(f, c, cl->i);
            else
                OGR_F_SetFieldDouble(f, c, cl->d);
        }
        OGR_F_SetFieldString(f, t->ncols, t->variable);
        OGR_F_SetFieldString(f, t->ncols + 1, t->p_basis);
        OGR_F_SetFieldString(f, t->ncols + 2, t->synthetic ? HS_SYNTHETIC_NOTICE : "");
        if (t->wkb[r]) {
            OGRGeometryH g = NULL;
            if (OGR_G_CreateFromWkb(t->wkb[r], NULL, &g, (int)t->wkb_len[r]) == OGRERR_NONE) {
                g = OGR_G_ForceToMultiPolygon(g);
                OGR_F_SetGeometryDirectly(f, g);
            }
        }
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            rc = hs_err_set(err, HS_EGEO, "GDAL cannot write row %d: %s", r + 1,
                            CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (rc == HS_OK)
        GDALDatasetCommitTransaction(ds);
    if (rc == HS_OK && t->synthetic)
        GDALSetMetadataItem(ds, "NOTICE", HS_SYNTHETIC_NOTICE, NULL);
    for (int k = 0; rc == HS_OK && k < t->nsummary; k++) {
        char v[64];
        snprintf(v, sizeof v, "%.10g", t->summary_val[k]);
        GDALSetMetadataItem(ds, t->summary_key[k], v, NULL);
    }
    GDALClose(ds);
    if (rc == HS_OK) {
        vsi_l_offset len = 0;
        GByte *bytes = VSIGetMemFileBuffer(path, &len, FALSE);
        rc = bytes ? hs_buf_append(out, bytes, (size_t)len, err)
                   : hs_err_set(err, HS_EGEO, "GDAL produced no %s output", driver);
    }
    VSIUnlink(path);
    return rc;
}

int hs_export_geojson(const hs_table *t, hs_buf *out, hs_err *err)
{
    return ogr_write(t, "GeoJSON", "geojson", out, err);
}

int hs_export_gpkg(const hs_table *t, hs_buf *out, hs_err *err)
{
    return ogr_write(t, "GPKG", "gpkg", out, err);
}
