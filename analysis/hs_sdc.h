/* hs_sdc: the one disclosure-control step of a public release (docs/publication.md).
 *
 * Input: exact counts of one release table: rows = provinces, columns = calendar
 * quarters 1..nq, then the calendar year when the release has it; the national row
 * (column sums) and the national months (3 per quarter). Output: one flag per cell
 * saying how it may be published. Every public figure (CSV, JSON, charts, rates) is
 * formatted from these flags by hs_sdc_format; nothing public reads an exact count
 * otherwise.
 *
 * Method: cell suppression with an LP audit (the attacker of the tests, run inside).
 *   - Every count 0..4 shows "<5" (HS_SDC_SMALL), zeros included, so that "<5" means
 *     0..4 even to an attacker who knows the method; "x" (HS_SDC_HIDDEN) is a count
 *     >= 5 withheld to protect another cell. Every other count is published exactly.
 *   - Primary cells: every cell 1..4 (province, nation, national month).
 *   - Audit: for every primary cell, the smallest and largest value consistent with
 *     everything published (provinces sum to the nation, months to quarters, quarters
 *     to the year; "<5" is 0..4, "x" is >= 5) are two linear programs (GLPK). A
 *     primary passes when at least HS_SDC_MIN_FEASIBLE integers stay feasible.
 *   - Complementary cells: a primary that fails gets a protection target (an interval
 *     of HS_SDC_MIN_FEASIBLE integers around its value); one more LP finds the
 *     cheapest set of published cells whose values can move so that the primary
 *     reaches the target (costs HS_SDC_COST_*: quarters and months before years,
 *     years before national figures), and those cells are withheld.
 *   - Time: the table is protected as the sequence of releases a year has: quarter 1
 *     alone, then quarters 1..2, ..., then the year. Each step keeps every cell the
 *     step before published (it is public already) and may withhold only the cells it
 *     adds, so a release publishes everything an earlier release of the same year
 *     published and the two together tell no more than the later one, which is
 *     audited.
 *   - A primary that cannot be protected is an error: no release is written.
 * Pure: no I/O (GLPK's terminal output is off), no clock, deterministic.
 */
#ifndef HS_SDC_H
#define HS_SDC_H

#include <stddef.h>

#include "hs_err.h"

#define HS_SDC_MIN_SHOWN 5    /* smallest count ever shown */
#define HS_SDC_MIN_FEASIBLE 3 /* integers every "<5" cell 1..4 keeps against the LP attack */
#define HS_SDC_MAX_QUARTERS 4
#define HS_SDC_MAX_ROWS 1000
/* Cost per unit a complementary cell must move (the LP minimises the sum): published
 * quarters and months are the cheapest to withhold, a province's year (the map) costs
 * more, a national figure most. */
#define HS_SDC_COST_QUARTER 1.0
#define HS_SDC_COST_YEAR 4.0
#define HS_SDC_COST_NATION 50.0

typedef enum {
    HS_SDC_SHOWN = 0, /* exact value published (0 or >= 5) */
    HS_SDC_SMALL = 1, /* "<5": the value is one of 0..4 */
    HS_SDC_HIDDEN = 2 /* "x": the value is >= 5, withheld to protect another cell */
} hs_sdc_flag;

typedef struct hs_sdc_table {
    int nrow;          /* provinces, 0..HS_SDC_MAX_ROWS */
    int nq;            /* quarters 1..nq (1..HS_SDC_MAX_QUARTERS) */
    int has_year;      /* 1: a last column, the year, = the sum of the 4 quarters */
    const double *x;   /* nrow * (nq + has_year) exact counts, row-major */
    const double *month; /* 3 * nq national months */
} hs_sdc_table;

typedef struct hs_sdc_stats {
    int primary;        /* cells 1..4 (provinces, nation, months) */
    int secondary;      /* cells withheld to protect them */
    int province_shown; /* province cells published exactly */
    int province_cells; /* province cells in the table */
    int lps;            /* linear programs solved */
    int min_feasible;   /* fewest feasible integers of a primary in the last audit
                           (0 when there is no primary) */
} hs_sdc_stats;

/* f: nrow*ncol out; nat_f: ncol out (the column sums); month_f: 3*nq out. stats may
 * be NULL. HS_EINVAL on a negative or non-integer count or months that do not add up
 * to the national quarters, HS_ELIMIT past the caps, HS_EINTERNAL when the solver
 * fails, and HS_EINVAL (the message names the cell) when a primary cannot be
 * protected: then nothing may be published. */
int hs_sdc_protect(const hs_sdc_table *t, unsigned char *f, unsigned char *nat_f,
                   unsigned char *month_f, hs_sdc_stats *stats, hs_err *err);

/* The published text of a cell: the integer, "<5" or "x". Returns buf. */
const char *hs_sdc_format(double x, unsigned char flag, char *buf, size_t n);

/* A published rate per 100 000 from a protected count: NAN unless the count is SHOWN
 * and pop > 0 (a rate and a known population give the count back). */
double hs_sdc_rate(double x, unsigned char flag, double pop);

#endif
