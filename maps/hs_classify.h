/* hs_classify: from values to map classes.
 *
 * Numeric classification (counts, rates, EB rates, risk score, outreach gap):
 * quantiles, equal interval, Jenks natural breaks and fixed breaks. NaN means
 * "no data": it is ignored when breaks are computed and gets class -1.
 *
 * Categorical schemes (Gi* bins, LISA clusters, emerging hot-spot categories, scan
 * cluster membership) map analysis codes to class indices, and come with fixed
 * colours and Vietnamese legend labels (hs_scheme_*).
 *
 * Everything is pure computation; inputs are borrowed, outputs caller-owned.
 */
#ifndef HS_CLASSIFY_H
#define HS_CLASSIFY_H

#include "hs_err.h"
#include "hs_gistar_codes.h"
#include "hs_lisa_codes.h"
#include "hs_palette.h"

#define HS_CLASSIFY_MAX_K 9
/* Jenks is exact (Fisher's O(n^2 k) dynamic programme) up to this many values.
 * Above it, breaks are computed on HS_JENKS_MAX_N order statistics taken at evenly
 * spaced ranks of the sorted data (min and max included): deterministic, and for
 * ~3,300 communes the exact path is used. */
#define HS_JENKS_MAX_N 4000
/* Hard cap on the number of values classified at once. */
#define HS_CLASSIFY_MAX_N 10000000

typedef enum {
    HS_CLASSIFY_QUANTILE = 0,
    HS_CLASSIFY_EQUAL = 1,
    HS_CLASSIFY_JENKS = 2,
    HS_CLASSIFY_FIXED = 3
} hs_classify_method;

/* k classes. b[0] is the smallest and b[k] the largest non-NaN value (for FIXED,
 * min(data, first cut) and max(data, last cut)); b[1..k-1] are the cuts. Class i
 * holds values v with b[i] < v <= b[i+1] (class 0 also holds v == b[0]); values
 * beyond b[0] or b[k] fall into the end classes, so fixed breaks may leave data
 * outside. k may come out smaller than asked when the data has fewer distinct
 * values (quantiles with ties, Jenks): cuts are always strictly increasing. */
typedef struct hs_breaks {
    int k;
    double b[HS_CLASSIFY_MAX_K + 1];
} hs_breaks;

/* Parses "quantile" | "equal" | "jenks" | "fixed". */
int hs_classify_method_parse(const char *s, hs_classify_method *out, hs_err *err);

/* Computes breaks for x[0..n-1] (NaN ignored) into *out.
 * k: 1..HS_CLASSIFY_MAX_K wanted classes (for FIXED, ignored: k = nfixed + 1).
 * fixed/nfixed: strictly increasing cut points, only for FIXED (nfixed 1..8).
 * Quantile cuts use R's type 7 definition (as R classInt "quantile"). All-NaN input
 * gives k = 0 and HS_OK (every unit will be "no data"). */
int hs_classify_breaks(const double *x, int n, hs_classify_method m, int k, const double *fixed,
                       int nfixed, hs_breaks *out, hs_err *err);

/* cls[i] = class of x[i] under br, or -1 when x[i] is NaN (or br->k == 0). */
void hs_classify_assign(const hs_breaks *br, const double *x, int n, int *cls);

/* Legend entries for numeric breaks: colours from `palette` (k colours; k < 3 uses
 * the 3-class ramp's first k colours), labels "1.234,5 – 2.000" in Vietnamese number
 * format with at least `decimals` decimals, more where needed so that the two ends of
 * every class read differently (hs_classify_legend_decimals: no "0,2 – 0,2").
 * out must hold br->k entries. */
typedef struct hs_class_style {
    hs_rgba fill;    /* a = 0: not filled */
    hs_rgba outline; /* a = 0: no per-feature outline (e.g. LISA isolated: outlined) */
    hs_rgba hatch;   /* a = 0: no hatch; else diagonal lines of this colour over the fill */
    char label[96];  /* legend text, NFC UTF-8 */
} hs_class_style;

int hs_classify_legend(const hs_breaks *br, const char *palette, int decimals, hs_class_style *out,
                       hs_err *err);
/* Decimals for the legend of br: the smallest d >= min_decimals (at most
 * HS_LEGEND_MAX_DECIMALS) at which both ends of every class of non-zero width format
 * differently. */
#define HS_LEGEND_MAX_DECIMALS 6
int hs_classify_legend_decimals(const hs_breaks *br, int min_decimals);

/* ---- Categorical schemes ---------------------------------------------------- */

typedef enum {
    HS_SCHEME_GISTAR = 0,   /* 7 classes: hot 99/95/90, not significant, cold 90/95/99 */
    HS_SCHEME_LISA = 1,     /* 6 classes: HH, LL, LH, HL, not significant, isolated */
    HS_SCHEME_EMERGING = 2, /* 17 classes: 8 hot patterns, 8 cold patterns, no pattern */
    HS_SCHEME_SCAN = 3      /* 3 classes: most likely cluster, secondary cluster, outside */
} hs_scheme_kind;

#define HS_SCHEME_MAX_CLASSES 17

/* Fills out[] (at least HS_SCHEME_MAX_CLASSES entries) with the scheme's classes in
 * legend order; returns the number of classes (> 0) or a negative HS_E*. */
int hs_scheme_styles(hs_scheme_kind kind, hs_class_style *out, hs_err *err);

/* Gi_Bin (ArcGIS: +3 +2 +1 = hot 99/95/90 %, 0 = not significant, -1 -2 -3 = cold)
 * -> class index 0..6 (legend order); any other value -> -1 (no data). */
int hs_scheme_gistar_class(int gi_bin);

/* LISA cluster codes as produced by analysis/ (GeoDa order). analysis/hs_lisa.h
 * declares the same list under the same guard: keep them identical. */
int hs_scheme_lisa_class(int lisa_code);

/* Emerging hot-spot categories (ArcGIS names). Hot codes 1..8, cold codes are the
 * negatives, 0 = no pattern. */
enum {
    HS_EHS_NO_PATTERN = 0,
    HS_EHS_NEW = 1,
    HS_EHS_CONSECUTIVE = 2,
    HS_EHS_INTENSIFYING = 3,
    HS_EHS_PERSISTENT = 4,
    HS_EHS_DIMINISHING = 5,
    HS_EHS_SPORADIC = 6,
    HS_EHS_OSCILLATING = 7,
    HS_EHS_HISTORICAL = 8
};
int hs_scheme_emerging_class(int ehs_code);

/* Scan membership: 0 outside any cluster, 1 most likely cluster, >= 2 secondary. */
int hs_scheme_scan_class(int cluster_rank);

#endif
