/* hs_data: reads what the analyses need from PostGIS into plain arrays.
 *
 * This is the "data" step of request -> data -> analysis -> map -> response: every
 * query the analyses depend on lives here, so analysis/ never sees SQL and the
 * server and CLI load exactly the same inputs.
 *
 * Units are returned in ascending code order; that order is the index used by
 * every per-unit array downstream (weights, statistics, map classes).
 */
#ifndef HS_DATA_H
#define HS_DATA_H

#include <libpq-fe.h>
#include <stddef.h>

#include "hs_err.h"

typedef enum {
    HS_IND_CASES = 0,
    HS_IND_VICTIMS,
    HS_IND_SUSPECTS,
    HS_IND_OUTREACH_EVENTS,
    HS_IND_COUNT
} hs_indicator;

/* "cases", "victims"... ; parse returns HS_EINVAL naming the allowed values. */
const char *hs_indicator_name(hs_indicator ind);
int hs_indicator_parse(const char *s, const char *what, hs_indicator *out, hs_err *err);

typedef enum { HS_LEVEL_PROVINCE = 0, HS_LEVEL_COMMUNE = 1 } hs_level;
const char *hs_level_name(hs_level l);
int hs_level_parse(const char *s, const char *what, hs_level *out, hs_err *err);

/* Hard caps: a request can never make the server allocate more than this. */
#define HS_DATA_MAX_UNITS 200000
#define HS_DATA_MAX_CELLS 20000000 /* units x months in one series */

typedef struct hs_unitset {
    int n;
    hs_level level;
    char **code, **name, **parent_code; /* parent_code "" for provinces */
    char **parent_name;                  /* province name of a commune, "" for provinces */
    double *population;                  /* latest year <= pop_year (else earliest) */
    double *x_m, *y_m;                   /* centroid in metres, Vietnam-wide LAEA */
    double *lon, *lat;                   /* label point (inside the unit) */
    double *border_km;                   /* NAN when no land border is loaded */
    char **border_country;               /* "" when unknown */
    unsigned char *key_commune, *border_province;
    int *adj_a, *adj_b; /* queen contiguity pairs (a < b), indices into this set */
    size_t nadj;
    char *strings; /* when set, one block holding every string above (a cached load) */
    char cache_key[96]; /* "units|level|province|pop_year": prefix of its series' keys */
} hs_unitset;

/* Loads the units of `level`, optionally only those of one province (its code, or
 * NULL/"" for the whole country). An unknown province is HS_ENOTFOUND naming it.
 * Caller frees with hs_unitset_free().
 *
 * Unit sets and series are cached in hs.analysis_cache (sql/004_analysis_cache.sql):
 * a unit set under hs.data_version.units_version (bumped only by changes to units,
 * populations, derived data and borders, so it survives an import of counts), a
 * series under the data version. A second load at the same version fetches one packed
 * value instead of running the joins, with bit-identical contents (hs_datapack.h).
 * Inside a caller's transaction, or without the table, the cache is not used. */
int hs_data_load_units(PGconn *c, hs_level level, const char *province, int pop_year,
                       hs_unitset **out, hs_err *err);
void hs_unitset_free(hs_unitset *u);

/* An empty set for n units: every per-unit array allocated and zeroed (strings NULL,
 * u->n 0 for the loader to count up; no adjacency), for loaders of unit sets
 * (hs_data.c, hs_datapack.c). HS_ENOMEM when any allocation fails. */
int hs_unitset_alloc(int n, hs_unitset **out, hs_err *err);

/* Finds a unit's index by code (binary search), -1 when absent. */
int hs_unitset_find(const hs_unitset *u, const char *code);

/* Monthly values of one indicator for every unit, periods [from, to] inclusive.
 * Province-level sets sum their communes' rows (and any province-level rows).
 * v[i * T + t] is unit i in month from + t. Missing rows are 0. */
typedef struct hs_series {
    int n, T, from;
    double *v;
    double total; /* sum over everything */
} hs_series;

int hs_data_load_series(PGconn *c, const hs_unitset *u, hs_indicator ind, int from, int to,
                        hs_series **out, hs_err *err);
void hs_series_free(hs_series *s);

/* Sum of each unit's series over all months into `out` (n doubles). */
void hs_series_totals(const hs_series *s, double *out);

/* Outreach over a window plus how long since the last event (up to `to`). */
typedef struct hs_outreach {
    int n;
    double *events, *participants, *hotline_calls; /* sums over [from, to] */
    int *months_since_event; /* months from the last month with events > 0 to `to`; -1 never */
} hs_outreach;

int hs_data_load_outreach(PGconn *c, const hs_unitset *u, int from, int to, hs_outreach **out,
                          hs_err *err);
void hs_outreach_free(hs_outreach *o);

/* First and last month that holds any case or outreach row; HS_ENOTFOUND when empty. */
int hs_data_period_range(PGconn *c, int *first, int *last, hs_err *err);

/* 1 when hs.dataset_meta says the data is synthetic. */
int hs_data_is_synthetic(PGconn *c, int *synthetic, hs_err *err);

/* Each unit's boundary as WKB (EPSG:4326), for GeoJSON/GeoPackage outputs.
 * wkb[i] and len[i] follow u's order; caller frees with hs_data_wkb_free(). */
int hs_data_load_wkb(PGconn *c, const hs_unitset *u, unsigned char ***wkb, size_t **len,
                     hs_err *err);
void hs_data_wkb_free(int n, unsigned char **wkb, size_t *len);

/* Current hs.data_version.version. */
int hs_data_version(PGconn *c, long long *version, hs_err *err);

#endif
