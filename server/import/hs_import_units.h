/* hs_import_units: `hotspot import units` -- administrative boundaries from any vector
 * file GDAL/OGR reads into hs.unit (and hs.unit_population).
 *
 * Every feature is read, reprojected to EPSG:4326 (lon/lat order), turned into a
 * MultiPolygon and streamed with COPY (geometry as hex WKB) into a temporary table;
 * PostGIS then checks what needs the database (duplicate codes, parents, codes already
 * used at the other level) and repairs invalid geometries with ST_MakeValid, noting
 * each repair. Names are normalised to NFC on the client with GLib, so the database's
 * "name IS NFC NORMALIZED" check always holds whatever the file's form.
 *
 * With any error nothing is written; otherwise, in the same transaction, units are
 * upserted by code (so counts keyed by code survive a re-import; units missing from
 * the file are kept), populations are upserted for the year, and hs.refresh_derived()
 * recomputes adjacency, label points and border distances.
 *
 * The caller must have called GDALAllRegister() once (single-threaded start-up).
 */
#ifndef HS_IMPORT_UNITS_H
#define HS_IMPORT_UNITS_H

#include <libpq-fe.h>

#include "hs_err.h"
#include "hs_errlist.h"

#define HS_IMPORT_UNITS_MAX_FEATURES 200000UL      /* ~60x Vietnam's communes */
#define HS_IMPORT_UNITS_MAX_WKB ((size_t)64 << 20) /* one feature's geometry */
#define HS_IMPORT_UNITS_NAME_MAX 255               /* bytes of one unit's name (UTF-8) */
#define HS_IMPORT_UNITS_ERRORS_KEPT 100

typedef struct hs_import_units_opts {
    const char *path;
    const char *layer;                 /* NULL: the file's only layer */
    const char *level;                 /* "province" or "commune" */
    const char *code_field;            /* required */
    const char *name_field;            /* required */
    const char *parent_field;          /* required for communes; refused for provinces */
    const char *population_field;      /* optional: -> hs.unit_population */
    int population_year;               /* year of those populations */
    const char *border_province_field; /* optional, provinces: is_border_province */
    const char *key_commune_field;     /* optional, communes: is_key_commune */
} hs_import_units_opts;

typedef struct hs_import_units_result {
    hs_errlist errors;  /* "feature N (FID F, code 'C'): field 'x': ..."; owned */
    hs_errlist repairs; /* one note per geometry repaired; owned */
    char crs[160];      /* the source CRS's name, or what was assumed */
    int crs_assumed;    /* the file had no CRS: EPSG:4326 was assumed */
    unsigned long features, inserted, updated, populations;
    unsigned long kept; /* units of this level in the database but not in the file */
} hs_import_units_result;

/* Imports o->path. Returns 0 on success; HS_EINVAL when features have errors
 * (res->errors lists them all) or an option names a missing field; other HS_E* for
 * I/O, GDAL, limits and database failures. The database is unchanged unless it
 * returns 0. Free res with hs_import_units_result_free() in every case. */
int hs_import_units(PGconn *c, const hs_import_units_opts *o, hs_import_units_result *res,
                    hs_err *err);

void hs_import_units_result_free(hs_import_units_result *res);

#endif
