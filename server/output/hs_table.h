/* hs_table: a small column-typed result table, the common shape of every CLI and API
 * answer (one row per unit, per cluster or per priority), so one set of writers
 * (CSV, JSON, GeoJSON, GeoPackage) serves all commands identically.
 *
 * The table owns its cells. Strings are copied into the table's own string chunks
 * (a 10,000-row analysis sets about 90,000 strings: one malloc and one free each was
 * a tenth of `hotspot analyze`'s writing time). Geometry, when present, is WKB
 * (EPSG:4326) per row, copied in. Free with hs_table_free().
 */
#ifndef HS_TABLE_H
#define HS_TABLE_H

#include <stddef.h>

#include "hs_err.h"

#define HS_TABLE_MAX_SUMMARY 8

typedef enum { HS_COL_STR = 0, HS_COL_INT, HS_COL_REAL } hs_col_type;

/* One value; the column's type says which member is set (16 bytes: a 10,000 x 36
 * table is 6 MB, not the 12 MB of separate members). */
typedef struct hs_cell {
    union {
        long long i;
        double d;
        const char *s;
    };
    int isnull;
} hs_cell;

typedef struct hs_table_chunk hs_table_chunk; /* string storage, private to hs_table.c */

typedef struct hs_table {
    int ncols, nrows, cap_rows;
    char **col_name;
    hs_col_type *col_type;
    hs_cell *cells; /* nrows x ncols */
    unsigned char **wkb; /* per row, NULL when no geometry */
    size_t *wkb_len;
    hs_table_chunk *strings; /* newest chunk first */
    /* Threads a writer may use (1 unless the producer says so: `--threads` of the
     * command; the CSV writer formats large tables in row blocks on that many). */
    int threads;
    /* Dataset-level facts written into every output format. */
    int synthetic;
    char title[256];     /* e.g. "Gi* on eb_rate of cases, 2025-01..2025-12, commune" */
    char variable[64];   /* what the statistics were computed on */
    char p_basis[32];    /* which p-value the bins use: "raw" or "fdr" */
    /* Whole-map summary figures (e.g. global Moran's I), written as metadata. */
    int nsummary;
    char summary_key[HS_TABLE_MAX_SUMMARY][32];
    double summary_val[HS_TABLE_MAX_SUMMARY];
} hs_table;

/* Adds a summary figure (ignored past HS_TABLE_MAX_SUMMARY; keys are static text). */
void hs_table_add_summary(hs_table *t, const char *key, double v);

#define HS_TABLE_MAX_ROWS 1000000
#define HS_TABLE_MAX_COLS 128

/* Columns given as "name:type" strings, type one of s, i, r, e.g. "unit_code:s". */
int hs_table_new(const char *const *cols, int ncols, hs_table **out, hs_err *err);
void hs_table_free(hs_table *t);

/* Allocates room for `rows` rows at once (a table whose size is known up front). */
int hs_table_reserve(hs_table *t, int rows, hs_err *err);
/* Appends an empty (all-NULL) row and returns its index, or a negative HS_E*. */
int hs_table_add_row(hs_table *t, hs_err *err);
int hs_table_col(const hs_table *t, const char *name); /* -1 when absent */

/* Setters by column index; NaN reals and NULL strings become NULL cells. */
int hs_table_set_str(hs_table *t, int row, int col, const char *s, hs_err *err);
void hs_table_set_int(hs_table *t, int row, int col, long long v);
void hs_table_set_real(hs_table *t, int row, int col, double v);
int hs_table_set_wkb(hs_table *t, int row, const unsigned char *wkb, size_t len, hs_err *err);

#endif
