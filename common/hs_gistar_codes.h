/* hs_gistar_codes: the Gi* confidence bins (ArcGIS Gi_Bin), shared by analysis/
 * (which computes them) and maps/ (which colours them). One list of thresholds and
 * codes, so the two cannot drift; maps/ still does not depend on analysis/.
 *
 * Bin = sign(z) * level, level HS_GI_NLEVELS (most confident) .. 1, 0 = not
 * significant. Level L holds p < HS_GI_P[L - 1]; HS_GI_CONF[L - 1] is its confidence
 * in percent. Changing the bins means editing this header (and the legend labels of
 * the Gi* scheme in maps/hs_classify.c, which name the same confidences). */
#ifndef HS_GISTAR_CODES_H
#define HS_GISTAR_CODES_H

#define HS_GI_NLEVELS 3
#define HS_GI_BIN_MIN (-HS_GI_NLEVELS)
#define HS_GI_BIN_MAX HS_GI_NLEVELS

/* p thresholds of levels 1..3 (90 %, 95 %, 99 % confidence). */
static const double HS_GI_P[HS_GI_NLEVELS] = {0.10, 0.05, 0.01};
static const int HS_GI_CONF[HS_GI_NLEVELS] = {90, 95, 99};
/* Two-sided normal z of the most confident level (p = 0.01). */
#define HS_GI_Z_TOP 2.576

/* Confidence level 0..HS_GI_NLEVELS of a p-value (NAN compares false: 0). */
static inline int hs_gi_level(double p)
{
    int level = 0;
    for (int l = 0; l < HS_GI_NLEVELS; l++)
        if (p < HS_GI_P[l])
            level = l + 1;
    return level;
}

#endif
