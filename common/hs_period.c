#include "hs_period.h"

#include <stdio.h>

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int hs_period_parse(const char *s, const char *what, int *out, hs_err *err)
{
    if (!s || !*s)
        return hs_err_set(err, HS_EINVAL, "%s is empty; expected a month as YYYY-MM", what);
    int y = digits(s, 4);
    int m = y >= 0 && s[4] == '-' ? digits(s + 5, 2) : -1;
    if (y < 0 || m < 0 || s[7] != '\0')
        return hs_err_set(err, HS_EINVAL, "%s '%.32s' is not a month; expected YYYY-MM, e.g. 2024-07",
                          what, s);
    if (m < 1 || m > 12)
        return hs_err_set(err, HS_EINVAL, "%s '%s' has month %02d; months are 01 to 12", what, s, m);
    if (y < HS_PERIOD_MIN_YEAR || y > HS_PERIOD_MAX_YEAR)
        return hs_err_set(err, HS_EINVAL, "%s '%s' has year %d outside %d..%d", what, s, y,
                          HS_PERIOD_MIN_YEAR, HS_PERIOD_MAX_YEAR);
    *out = y * 12 + (m - 1);
    return HS_OK;
}

void hs_period_format(int period, char *out, size_t n)
{
    snprintf(out, n, "%04d-%02d", hs_period_year(period), hs_period_month(period));
}

void hs_period_date(int period, char *out, size_t n)
{
    snprintf(out, n, "%04d-%02d-01", hs_period_year(period), hs_period_month(period));
}
