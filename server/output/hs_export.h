/* hs_export: writes an hs_table as CSV, JSON, GeoJSON or GeoPackage.
 *
 * Formats are a table of writers (name, MIME type, extension, function), not
 * #ifdefs or switch statements scattered over callers. Every format carries the
 * dataset facts: the synthetic-data notice, what the statistics were computed on
 * and which p-value the bins use -- as columns in CSV (so no reader chokes on
 * comment lines) and as metadata in the others.
 */
#ifndef HS_EXPORT_H
#define HS_EXPORT_H

#include "hs_buf.h"
#include "hs_err.h"
#include "hs_table.h"

#define HS_SYNTHETIC_NOTICE "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA"

typedef struct hs_export_format {
    const char *name; /* "csv", "json", "geojson", "gpkg" */
    const char *mime;
    const char *ext;
    int needs_geometry;
    /* Writes the whole table into out. */
    int (*write)(const hs_table *t, hs_buf *out, hs_err *err);
} hs_export_format;

/* Looks a format up by name; HS_EINVAL lists the allowed names for `what`. */
int hs_export_find(const char *name, const char *what, const hs_export_format **out, hs_err *err);

/* Writes v as printf("%.10g", v) writes it (same bytes, correctly rounded) into out
 * (32 bytes) and returns the length: the CSV writer's number format. printf's float
 * path was most of a 10,000-row export; this one hands printf only the values it
 * cannot settle (a tie within 1e-4 of an ulp's rounding, zero, NaN, inf, |v| outside
 * [1e-13, 1e32)). */
size_t hs_export_g10(double v, char *out);

int hs_export_csv(const hs_table *t, hs_buf *out, hs_err *err);
int hs_export_json(const hs_table *t, hs_buf *out, hs_err *err);
int hs_export_geojson(const hs_table *t, hs_buf *out, hs_err *err);
int hs_export_gpkg(const hs_table *t, hs_buf *out, hs_err *err);

/* Loads GDAL and registers its drivers now (hs_gdal_load), for a server that should not
 * pay for it on its first GeoJSON request; GDAL exports also load it themselves, so the
 * CLI skips this for CSV and JSON. */
void hs_export_init(void);

#endif
