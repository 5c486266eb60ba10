/* hs_lisa_codes: LISA cluster codes (GeoDa order), shared by analysis/ (which
 * computes them) and maps/ (which colours them). One list, so the two cannot drift;
 * maps/ still does not depend on analysis/. */
#ifndef HS_LISA_CODES_H
#define HS_LISA_CODES_H

enum {
    HS_LISA_NS = 0,
    HS_LISA_HH = 1,
    HS_LISA_LL = 2,
    HS_LISA_LH = 3,
    HS_LISA_HL = 4,
    HS_LISA_ISOLATED = 5
};

#endif
