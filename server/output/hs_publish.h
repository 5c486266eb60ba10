/* hs_publish: the figures of one release and the files made from them.
 *
 * hs_release_build reads the province monthly case series of a calendar quarter
 * (YYYY-QN: quarters 1..N of the year) or year (YYYY: its quarters and the year),
 * sums them into the province x window table and national months, and protects both
 * with hs_sdc (analysis/hs_sdc.h). The exact counts are dropped right after: the
 * struct keeps only what may be published (value 0 when not SHOWN). Every writer
 * below reads those protected cells only. */
#ifndef HS_PUBLISH_H
#define HS_PUBLISH_H

#include <libpq-fe.h>

#include "hs_buf.h"
#include "hs_data.h"
#include "hs_sdc.h"
#include "hs_table.h"

#define HS_PUBLISH_INTERNAL_MARK "NỘI BỘ — KHÔNG CÔNG BỐ"
#define HS_RELEASE_MAX_COLS 5
#define HS_PUBLISH_PRIORITY_ROWS 20 /* rows of the priority list on an internal page */
/* Published, fixed breaks of the EB-rate map (per 100 000 per year; a quarter's rate
 * is annualised x4). Fixed in the code, not derived from the data: the legend reads
 * "< 0,25", "0,25 – 0,5", ..., "≥ 5" and never prints a data minimum or maximum. */
#define HS_RELEASE_EB_BREAKS {0.25, 0.5, 1, 2, 5}
#define HS_RELEASE_EB_NBREAKS 5
/* The EB map's legend title: the unit of its classes. */
#define HS_RELEASE_EB_LEGEND "Tỷ lệ EB / 100.000 dân / năm (per 100 000 per year)"
/* The tile pyramid of a release: the main map (commune hot spots), z0..9. */
#define HS_RELEASE_TILE_LAYER "gistar"
#define HS_RELEASE_TILE_MAXZOOM 9
/* Small multiples: the provinces of largest published count in the last window. */
#define HS_RELEASE_TOP_PROVINCES 6

typedef struct hs_release {
    char period[16];
    int year, nquarters, has_year; /* windows: quarters 1..nquarters, then the year */
    int from, to;                  /* months of the release, inclusive */
    long long data_version;
    int synthetic, internal;
    int ncol;
    char col[HS_RELEASE_MAX_COLS][16]; /* "2025-Q1" ... "2025" */
    int nprov;
    char **code, **name;
    double *pop;
    double *v;          /* nprov * ncol published values (0 where not SHOWN) */
    unsigned char *f;   /* hs_sdc flags */
    double *eb;         /* nprov * ncol EB rate per 100 000 from the SHOWN cells only, NAN else */
    double *events;     /* nprov * ncol outreach events (activities, not people: exact) */
    unsigned char *border; /* nprov: border province */
    hs_unitset *units;  /* the provinces (codes, names, population; no count) for the maps */
    double nat[HS_RELEASE_MAX_COLS], nat_pop;
    unsigned char nat_f[HS_RELEASE_MAX_COLS];
    int nmonth;
    double month[12];
    unsigned char month_f[12];
    hs_sdc_stats stats;
} hs_release;

/* HS_EINVAL for a malformed period, HS_ENOTFOUND when the data do not cover it. */
int hs_release_build(PGconn *c, const char *period, int internal, hs_release **out, hs_err *err);
void hs_release_free(hs_release *r);

int hs_publish_csv(const hs_release *r, hs_buf *b, hs_err *err);
int hs_publish_json(const hs_release *r, const char *now, hs_buf *b, hs_err *err);
/* maps: NULL-terminated map type names; files map_<name>.png / .svg. prio: the
 * priority list of an internal set (NULL for public ones: it is never shown there). */
int hs_publish_html(const hs_release *r, const char *const *maps, const hs_table *prio,
                    const char *now, hs_buf *b, hs_err *err);
int hs_publish_chart_monthly(const hs_release *r, hs_buf *b, hs_err *err);
/* Cases and outreach events of the border provinces, paired horizontal bars. */
int hs_publish_chart_border(const hs_release *r, hs_buf *b, hs_err *err);
/* Quarterly cases of the HS_RELEASE_TOP_PROVINCES provinces of largest published count
 * (SHOWN cells only: a withheld row has no rank), small multiples. */
int hs_publish_chart_top(const hs_release *r, hs_buf *b, hs_err *err);

/* The EB-rate map: the window drawn (the year, else the last quarter), the values
 * per province per 100 000 per year (NAN = withheld) and the annualising factor. */
int hs_release_map_col(const hs_release *r);
double hs_release_map_eb(const hs_release *r, int prov);
/* Legend label of EB class i (0..HS_RELEASE_EB_NBREAKS), in Vietnamese number format. */
void hs_release_eb_label(int i, char *buf, size_t n);

#endif
