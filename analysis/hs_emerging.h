/* hs_emerging: Emerging Hot Spot Analysis, the categories of ArcGIS's tool.
 *
 * For each time step t the Gi* z of every unit is computed (hs_gistar_z) on that
 * step's values; a bin is a significant hot (cold) spot when z > 0 (< 0) and its
 * two-sided p (raw, or Benjamini-Hochberg adjusted within the time step) is below
 * alpha_bin (default 0.10, ArcGIS's 90% confidence). The Mann-Kendall test on each
 * unit's z series gives the trend. Each unit then gets one category; the exact rules
 * are in docs/statistics-emerging.md and hs_emerging_classify() below. Unlike ArcGIS
 * the neighbourhood is spatial only (no neighbouring time steps).
 * Units without neighbours get HS_EM_ISOLATED.
 */
#ifndef HS_EMERGING_H
#define HS_EMERGING_H

#include <stdint.h>

#include "hs_err.h"
#include "hs_mk.h"
#include "hs_weights.h"

#define HS_EMERGING_MAX_STEPS 1200      /* 100 years of months */
#define HS_EMERGING_MAX_CELLS 50000000L /* n * T */

typedef enum hs_emerging_cat {
    HS_EM_NO_PATTERN = 0,
    HS_EM_NEW_HOT,
    HS_EM_CONSECUTIVE_HOT,
    HS_EM_INTENSIFYING_HOT,
    HS_EM_PERSISTENT_HOT,
    HS_EM_DIMINISHING_HOT,
    HS_EM_SPORADIC_HOT,
    HS_EM_OSCILLATING_HOT,
    HS_EM_HISTORICAL_HOT,
    HS_EM_NEW_COLD,
    HS_EM_CONSECUTIVE_COLD,
    HS_EM_INTENSIFYING_COLD,
    HS_EM_PERSISTENT_COLD,
    HS_EM_DIMINISHING_COLD,
    HS_EM_SPORADIC_COLD,
    HS_EM_OSCILLATING_COLD,
    HS_EM_HISTORICAL_COLD,
    HS_EM_ISOLATED,
    HS_EM_N_CATEGORIES
} hs_emerging_cat;

/* Stable machine code ("new_hot_spot"), English label ("New hot spot") and
 * Vietnamese label ("Điểm nóng mới"), all static strings. */
const char *hs_emerging_code(hs_emerging_cat c);
const char *hs_emerging_label_en(hs_emerging_cat c);
const char *hs_emerging_label_vi(hs_emerging_cat c);

typedef struct hs_emerging_opts {
    double alpha_bin;   /* per-step significance, default 0.10 (90%) */
    double alpha_trend; /* Mann-Kendall significance, default 0.10 (90%) */
    int bin_fdr;        /* 1: per-step p adjusted by BH across units; default 0 (raw p) */
} hs_emerging_opts;

void hs_emerging_opts_default(hs_emerging_opts *o);

/* Category of one series of T steps: z[t] (NAN = no statistic), p[t] the p used for
 * significance, trend = Mann-Kendall of the z series. Pure function of its inputs. */
hs_emerging_cat hs_emerging_classify(int T, const double *z, const double *p, const hs_mk *trend,
                                     const hs_emerging_opts *opt);

typedef struct hs_emerging_result {
    int n, T;
    double *z;                      /* n*T, z[i*T + t]; NAN for isolated units */
    double *p;                      /* n*T, the p used for significance (raw or BH-adjusted) */
    int8_t *bin;                    /* n*T, ArcGIS Gi_Bin -3..+3 from z and that p */
    hs_mk *trend;                   /* n, Mann-Kendall of each unit's z series */
    hs_emerging_cat *category;      /* n */
    int counts[HS_EM_N_CATEGORIES]; /* units per category */
    hs_emerging_opts opts;          /* as used, to be stated in outputs */
} hs_emerging_result;

/* x holds the n x T time-step matrix unit-major: x[i*T + t] is unit i (i < w->n) at
 * step t (oldest first). T >= 2 (ArcGIS needs at least 10 for meaningful 90% rules).
 * opt may be NULL (defaults). *out is owned by the caller: hs_emerging_result_free(). */
int hs_emerging(const hs_weights *w, int T, const double *x, const hs_emerging_opts *opt,
                hs_emerging_result **out, hs_err *err);
void hs_emerging_result_free(hs_emerging_result *r);

#endif
