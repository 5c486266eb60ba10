/* hs_sdc: the one disclosure-control step of a public release (docs/publication.md).
 *
 * Input: exact counts of one table, rows = provinces, columns = the release's windows
 * (calendar quarters, then the calendar year when it is complete), plus the national
 * row that is the column sums. Output: one flag per cell saying how it may be
 * published. Every public figure (CSV, JSON, charts, rates) is formatted from these
 * flags by hs_sdc_format; nothing public reads an exact count otherwise.
 *
 * Method: row-level complementary suppression.
 *   - "<5" (HS_SDC_SMALL) stands for any value 0..4; "x" (HS_SDC_HIDDEN) for >= 5.
 *   - A province with any cell 1..4 has its whole row withheld: cells <= 4 show "<5",
 *     the others "x". Its year total then gives no equation to solve its quarters.
 *   - When any row is withheld, HS_SDC_PARTNERS more rows are withheld with it: the
 *     provinces of largest `weight` (population: stable from one data version to the
 *     next) whose every cell is >= HS_SDC_PARTNER_MIN. Their slack absorbs every
 *     national column total, so no "<5" can be pinned by differencing the nation.
 *   - If the national row itself has a cell 1..4, or partners cannot be found, every
 *     province row is withheld.
 * A monthly series (national months) is published only when none of its values is
 * 1..4; otherwise all of it is withheld (hs_sdc_protect_series).
 * Pure: no I/O, no clock, deterministic.
 */
#ifndef HS_SDC_H
#define HS_SDC_H

#include <stddef.h>

#include "hs_err.h"

#define HS_SDC_MIN_SHOWN 5   /* smallest count ever shown */
#define HS_SDC_PARTNERS 2    /* partner rows withheld with any withheld row */
#define HS_SDC_PARTNER_MIN 7 /* every cell of a partner row is at least this */
#define HS_SDC_MAX_CELLS 100000

typedef enum {
    HS_SDC_SHOWN = 0, /* exact value published (0 or >= 5) */
    HS_SDC_SMALL = 1, /* "<5": the value is one of 0..4 */
    HS_SDC_HIDDEN = 2 /* "x": the value is >= 5, withheld to protect another cell */
} hs_sdc_flag;

typedef struct hs_sdc_stats {
    int primary;    /* cells 1..4 (provinces and nation) */
    int rows_small; /* rows withheld because they hold a cell 1..4 */
    int partners;   /* partner rows withheld */
    int all_rows;   /* 1 when the fallback withheld every row */
} hs_sdc_stats;

/* x: nrow*ncol exact non-negative integer counts, row-major. weight: nrow values
 * (partner order; ties by row index). flags: nrow*ncol out. nat_flags: ncol out, for
 * the column sums. stats may be NULL. HS_EINVAL on a negative or non-integer count,
 * HS_ELIMIT past HS_SDC_MAX_CELLS. */
int hs_sdc_protect_table(int nrow, int ncol, const double *x, const double *weight,
                         unsigned char *flags, unsigned char *nat_flags, hs_sdc_stats *stats,
                         hs_err *err);

/* A series whose sum is published elsewhere: all SHOWN, or (any value 1..4) every
 * value withheld, values <= 4 as SMALL, the rest HIDDEN. */
int hs_sdc_protect_series(int n, const double *x, unsigned char *flags, hs_err *err);

/* The published text of a cell: the integer, "<5" or "x". Returns buf. */
const char *hs_sdc_format(double x, unsigned char flag, char *buf, size_t n);

/* A published rate per 100 000 from a protected count: NAN unless the count is SHOWN
 * and pop > 0 (a rate and a known population give the count back). */
double hs_sdc_rate(double x, unsigned char flag, double pop);

#endif
