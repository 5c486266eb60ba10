/* hs_risk: composite risk, outreach coverage, outreach gap and the ranked priority
 * list with reasons, the output planners act on. Formulas and the reasons for the
 * defaults are in docs/priorities.md.
 *
 *   score_i = 100 * sum_k w_k c_k / sum_k w_k over four components in [0, 1]:
 *     rate   = percent rank of the EB rate (0 lowest .. 1 highest, ties averaged)
 *     gi     = clamp(gi_z / z_sat, 0, 1)           (cold spots add nothing)
 *     border = exp(-border_km / border_scale_km)
 *     trend  = clamp(trend_z / z_sat, 0, 1)        (Mann-Kendall z; falling adds nothing)
 *   A missing input (NAN, e.g. an isolated unit's Gi*) contributes 0.
 *   coverage_pct = mean of the percent ranks of events and participants per 10,000 people
 *   gap = risk_pct * (1 - coverage_pct)            (risk_pct = percent rank of score)
 *
 * Every priority entry carries an English and a Vietnamese reason, built with
 * snprintf into fixed buffers owned by the result (never truncated mid-phrase).
 */
#ifndef HS_RISK_H
#define HS_RISK_H

#include "hs_err.h"

#define HS_RISK_REASON_MAX 384
#define HS_RISK_MAX_UNITS 1000000

typedef struct hs_risk_weights {
    double rate;   /* default 0.35 */
    double gi;     /* default 0.30 */
    double border; /* default 0.20 */
    double trend;  /* default 0.15 */
} hs_risk_weights;

typedef enum { HS_RISK_RANK_GAP = 0, HS_RISK_RANK_SCORE = 1 } hs_risk_rank_by;

typedef struct hs_risk_opts {
    hs_risk_weights w;
    double border_scale_km;  /* default 50: border component exp(-d/50) */
    double z_sat;            /* default 2.576 (99%): z at which gi/trend components saturate */
    double alpha;            /* default 0.10: hot spot / rising trend named in reasons below it */
    double border_reason_km; /* default 50: border distance named in reasons within it */
    double rate_reason_top;  /* default 0.10: "high rate" named for the top 10% */
    double low_coverage_pct; /* default 0.25: "low outreach coverage" at or below it */
    int window_months;       /* default 12: outreach window, used in reasons */
    hs_risk_rank_by rank_by; /* default HS_RISK_RANK_GAP */
    int top_k;               /* entries in the priority list; default 50; 0 = all ranked units */
} hs_risk_opts;

void hs_risk_opts_default(hs_risk_opts *o);

/* Per-unit inputs, all arrays of n (borrowed for the call). Required: eb_rate,
 * population. Optional arrays may be NULL (treated as all missing). */
typedef struct hs_risk_input {
    int n;
    const double *eb_rate;    /* EB rate per 100,000; NAN = unknown */
    const double *population; /* > 0 for coverage; 0/NAN gives no coverage figure */
    const double *gi_z;       /* Gi* z (NAN for isolated units) */
    const double *gi_p;       /* p for the hot-spot confidence (e.g. FDR); NULL = from gi_z */
    const double *border_km;  /* distance to the land border in km; NAN = unknown */
    const char *const *border_country;   /* nearest border country, English or ISO code
                                            ("Laos", "LA", "LAO"); NULL entries allowed */
    const double *trend_z;               /* Mann-Kendall z of the unit's series */
    const double *trend_p;               /* its p; NULL = from trend_z */
    const double *outreach_events;       /* events in the window */
    const double *outreach_participants; /* participants in the window */
    const double *months_since_outreach; /* NAN or < 0 = never */
} hs_risk_input;

typedef struct hs_priority {
    int unit; /* index into the inputs */
    int rank; /* 1 = act first */
    double score;
    double gap;
    char reason_en[HS_RISK_REASON_MAX];
    char reason_vi[HS_RISK_REASON_MAX];
} hs_priority;

typedef struct hs_risk_result {
    int n;
    double *score;          /* 0..100; NAN when the EB rate is unknown */
    double *risk_pct;       /* percentile of score, 0..1 */
    double *events_per_10k; /* NAN when population is 0 or unknown */
    double *participants_per_10k;
    double *coverage_pct; /* 0..1 (0 when unknown) */
    double *gap;          /* 0..1 */
    int *priority_rank;   /* 1-based rank of every scored unit; 0 = not ranked */
    int n_priorities;
    hs_priority *priorities; /* the top_k entries, rank order */
    hs_risk_opts opts;       /* as used */
} hs_risk_result;

/* opt may be NULL (defaults). *out is owned by the caller: hs_risk_result_free(). */
int hs_risk(const hs_risk_input *in, const hs_risk_opts *opt, hs_risk_result **out, hs_err *err);
void hs_risk_result_free(hs_risk_result *r);

/* Vietnamese name of a border country given in English or as an ISO code
 * ("Laos" -> "Lào"); NULL when unknown. Static string. */
const char *hs_risk_country_vi(const char *country);

#endif
