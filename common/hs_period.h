/* hs_period: calendar months as integers.
 *
 * A period is a month index: year * 12 + (month - 1), so ranges and differences are
 * plain integer arithmetic ("months since the last outreach event" = to - last).
 */
#ifndef HS_PERIOD_H
#define HS_PERIOD_H

#include <stddef.h>

#include "hs_err.h"

/* The month index of year y, month m (1..12). */
#define HS_PERIOD(y, m) ((y) * 12 + ((m) - 1))

#define HS_PERIOD_MIN_YEAR 1900
#define HS_PERIOD_MAX_YEAR 2200

/* Parses exactly "YYYY-MM". `what` names the parameter or column in the error. */
int hs_period_parse(const char *s, const char *what, int *out, hs_err *err);

/* Writes "YYYY-MM" into out (at least 8 bytes). */
void hs_period_format(int period, char *out, size_t n);

/* Writes the ISO date of the month's first day, "YYYY-MM-01" (at least 11 bytes). */
void hs_period_date(int period, char *out, size_t n);

static inline int hs_period_year(int p)
{
    return p / 12;
}
static inline int hs_period_month(int p)
{
    return p % 12 + 1;
}

#endif
