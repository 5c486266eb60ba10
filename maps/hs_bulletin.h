/* hs_bulletin: the province bulletin, an A4 portrait PDF of 3 (at most 4) pages for a
 * provincial meeting (internal audience), laid out from figures already computed
 * (pure: no I/O, no clock, no database).
 *
 *   page 1  title, key figures, the province's communes by Gi* class: the map (the
 *           map renderer's full map with its legend, in a frame of the page) and a
 *           table by class
 *   page 2  the priority communes with their reasons, and a locator map of them
 *   page 3  monthly cases and outreach events of the province (hs_chart_bars, the
 *           July-September campaign shaded, the bulletin's window underlined),
 *           outreach coverage by class, the method in one paragraph, the data
 *           version (the method moves to a page 4 when it does not fit)
 *
 * Every page carries `mark` ("NỘI BỘ — KHÔNG CÔNG BỐ") in its header band and footer;
 * with `synthetic` also the "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" watermark and footer
 * line. Text is Pango text on a cairo PDF surface (Noto Sans), the charts' labels
 * cairo text: searchable and copyable, Vietnamese diacritics included. Server code
 * fills the struct (server/output/hs_bulletin_job.c); every pointer is borrowed for
 * the call.
 */
#ifndef HS_BULLETIN_H
#define HS_BULLETIN_H

#include <stdint.h>

#include "hs_buf.h"
#include "hs_err.h"
#include "hs_geom.h"
#include "hs_render.h"
#include "hs_style.h"

#define HS_BULLETIN_MAX_PRIORITIES 20
#define HS_BULLETIN_MAX_MONTHS 36
#define HS_BULLETIN_MAX_UNITS 20000

/* One entry of the priority list, as the pipeline ranked it. */
typedef struct hs_bulletin_priority {
    int rank;
    const char *code, *name;
    int gi_class;           /* hs_scheme_gistar_class of its bin, -1 = isolated */
    double score;           /* composite risk 0..100 */
    double eb_rate;         /* per 100,000 */
    double cases, events;   /* in the window */
    int months_since;       /* months since the last outreach event, -1 = none recorded */
    const char *reason_vi, *reason_en;
} hs_bulletin_priority;

typedef struct hs_bulletin {
    const char *province_code, *province_name;
    const char *period;       /* as given: "2025-Q3" */
    int from, to;             /* months of the window, inclusive (hs_period) */
    long long data_version;
    const char *generated_at; /* "YYYY-MM-DD HH:MM" (the caller reads the clock) */
    const char *mark;         /* on every page; NULL = none */
    int synthetic;

    /* The Gi* map of the province (a full map spec with its legend) and its
     * projected extent; drawn into a frame of page 1. */
    const hs_map_spec *map;
    hs_bbox map_extent;

    /* The province's communes (the analysis' units, any order). */
    int n_units;
    const int *gi_class;          /* hs_scheme_gistar_class, -1 = isolated (no neighbours) */
    const double *cases;          /* in the window */
    const double *events;         /* outreach events in the window */
    const double *population;
    const int *months_since;      /* -1 = no outreach event recorded */

    int n_priorities;
    const hs_bulletin_priority *priorities;

    /* Monthly figures of the province: trend_n months from trend_from. */
    int trend_from, trend_n;
    const double *trend_cases, *trend_events;
    double cases_prev; /* cases in the window of the same length just before; NAN = unknown */

    /* The analysis parameters, for the method paragraph. */
    const char *variable; /* "eb_rate" */
    double risk_w[4];     /* weights of the risk score: rate, Gi*, border, trend */
    int window_months;    /* outreach window named in the reasons */
    int permutations;
    int perm_lookup; /* the permutations were drawn by the lookup method (hs_perm.h) */
    uint64_t seed;
    int fdr;
} hs_bulletin;

/* Renders the bulletin as PDF bytes appended to out (its limit caps the size:
 * HS_ELIMIT). *pages (may be NULL) gets the page count. */
int hs_bulletin_pdf(hs_render_ctx *ctx, const hs_bulletin *b, hs_buf *out, int *pages,
                    hs_err *err);

#endif
