#include "hs_pvalue.h"

#include <math.h>

double hs_p_two_sided(double z)
{
    return isfinite(z) ? erfc(fabs(z) / sqrt(2.0)) : NAN;
}
