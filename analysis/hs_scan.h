/* hs_scan: Kulldorff's Poisson spatial scan statistic, as in SaTScan and R smerc.
 *
 * Windows are circles around each unit's centroid (projected metres): the centre
 * plus its nearest neighbours, grown until the window would hold more than
 * `max_pop_share` of the total population (SaTScan default 50%). A window is a real
 * circle, so units at exactly the same distance from the centre enter together.
 *
 * For a window with c cases and expected e = C * P_window / P_total:
 *     LLR = c ln(c/e) + (C-c) ln((C-c)/(C-e))   if c > e (high rates only), else 0.
 * The p-value of a reported cluster is rank/(R+1): the number of Monte Carlo
 * replicas (C cases spread multinomially by population, i.e. under H0) whose
 * maximum LLR is >= the cluster's LLR, plus one for the observed data.
 * Secondary clusters are the best windows that share no unit with any cluster
 * already reported (SaTScan's default "no geographical overlap"); like SaTScan they
 * are compared with the same distribution of replica maxima.
 *
 * Reproducibility: replica r draws only from the counter-based generator keyed by
 * (seed, r), so results are identical for any thread count.
 * Memory: O(n * k_max) for the neighbour order (k_max = units in the largest
 * window), O(R) for replica maxima, never O(n * R).
 * See docs/statistics-scan.md.
 */
#ifndef HS_SCAN_H
#define HS_SCAN_H

#include <stdatomic.h>
#include <stdint.h>

#include "hs_cancel.h"
#include "hs_err.h"

#define HS_SCAN_MAX_REPLICAS 99999
#define HS_SCAN_MAX_THREADS 64
#define HS_SCAN_MAX_CLUSTERS 100
#define HS_SCAN_MAX_CASES 10000000 /* a replica costs O(C + n): cap C */
/* Hard cap on stored (centre, neighbour) pairs: 9 bytes each, so ~216 MB. */
#define HS_SCAN_MAX_ZONE_ENTRIES 24000000L

typedef struct hs_scan_opts {
    double max_pop_share; /* (0, 1]; default 0.5 */
    double max_radius_m;  /* extra cap on window radius in metres; 0 = none (default) */
    int replicas;         /* 0..HS_SCAN_MAX_REPLICAS; default 999; 0 = no p-values (NAN) */
    uint64_t seed;        /* default 138 */
    int threads;          /* 1..HS_SCAN_MAX_THREADS; default 1 */
    int max_clusters;     /* most likely + secondary, 1..HS_SCAN_MAX_CLUSTERS; default 10 */
    /* Polled between batches of replicas: once it holds a reason (hs_cancel.h) the
     * scan stops and returns HS_ECANCELED. NULL (default) = never. Borrowed. */
    const atomic_int *cancel;
} hs_scan_opts;

void hs_scan_opts_default(hs_scan_opts *opt);

typedef struct hs_scan_cluster {
    int centre;      /* index of the centre unit */
    double radius_m; /* distance from the centre to the farthest member */
    int n_members;
    int *members; /* unit indices, nearest first; owned by the result */
    double population;
    double observed; /* c */
    double expected; /* e */
    double rr;       /* (c/e) / ((C-c)/(C-e)); INFINITY when every case is inside */
    double llr;
    double p; /* rank/(R+1); NAN when replicas == 0 */
} hs_scan_cluster;

typedef struct hs_scan_result {
    int n_clusters;            /* 0 when no window has c > e (e.g. no cases) */
    hs_scan_cluster *clusters; /* [0] is the most likely cluster, then secondary ones by LLR */
    int replicas;
    uint64_t seed;
    double total_cases; /* C */
    double total_pop;   /* P */
    long zone_entries;  /* stored (centre, neighbour) pairs: the memory driver */
    int k_max;          /* units in the largest window */
} hs_scan_result;

/* Runs the scan on n units with centroids (x, y) in metres, case counts `cases`
 * (non-negative integers, stored as double) and populations `pop` (>= 0; a unit with
 * zero population must have zero cases). `opt` may be NULL for the defaults.
 * On success *out is owned by the caller: free it with hs_scan_result_free(). */
int hs_scan_poisson(int n, const double *x, const double *y, const double *cases, const double *pop,
                    const hs_scan_opts *opt, hs_scan_result **out, hs_err *err);

void hs_scan_result_free(hs_scan_result *r);

/* The LLR above for one window (0 unless c > e), exposed for tests and reports. */
double hs_scan_llr(double c, double e, double C);

#endif
