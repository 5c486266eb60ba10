/* hs_params: the options every analysis takes, validated once for the CLI
 * (`hotspot analyze --from 2025-01 ...`) and the HTTP API (`/api/analyze?from=2025-01`).
 * Both build an hs_query and call hs_params_parse, so they accept the same names,
 * defaults and limits, and reject the same mistakes with the same messages.
 */
#ifndef HS_PARAMS_H
#define HS_PARAMS_H

#include <stdint.h>

#include "hs_data.h"
#include "hs_err.h"
#include "hs_query.h"

typedef enum { HS_VAR_COUNT = 0, HS_VAR_RATE, HS_VAR_EB_RATE, HS_VAR_EB_Z } hs_variable;
typedef enum { HS_WKIND_QUEEN = 0, HS_WKIND_KNN, HS_WKIND_DIST } hs_wkind;

const char *hs_variable_name(hs_variable v);

/* Caps on what one request may ask for. */
#define HS_PARAMS_MAX_PERMUTATIONS 9999
#define HS_PARAMS_MAX_THREADS 64
#define HS_PARAMS_MAX_KNN 50
#define HS_PARAMS_MAX_DIST_KM 500.0

typedef struct hs_params {
    hs_indicator indicator;
    int from, to; /* months, inclusive */
    hs_level level;
    char province[40]; /* "" = whole country */
    hs_variable variable;
    hs_wkind wkind;
    int knn_k;
    double dist_km;
    int attach_isolated; /* link island units to their nearest unit */
    int permutations;
    int perm_method;  /* HS_PERM_EXACT or HS_PERM_LOOKUP (hs_perm.h): Gi* and LISA only */
    uint64_t seed;
    int threads;
    int fdr;          /* bins and quadrants from BH-adjusted p */
    int step_months;  /* emerging: 1 (month) or 3 (quarter) */
    double max_pop_share; /* scan */
    int top;          /* priorities: entries to list */
    const char *format; /* csv|json|geojson|gpkg, or png|svg|pdf with HS_P_MAP (static) */
    const char *out;    /* CLI --out FILE, NULL = stdout (borrowed) */
    int timing;         /* CLI --timing: stage times to stderr (docs/benchmarks.md) */
} hs_params;

/* Which options a command accepts (bit set). */
enum {
    HS_P_STATS = 1 << 0,   /* variable, weights, permutations, perm-method, seed, threads, fdr */
    HS_P_EMERGING = 1 << 1,
    HS_P_SCAN = 1 << 2,
    HS_P_TOP = 1 << 3,
    HS_P_OUTPUT = 1 << 4,  /* format */
    HS_P_CLI = 1 << 5,     /* out, threads: the command line only; the server decides
                              its own threads and never writes files */
    /* map, bbox, size, paper, dpi, scale, crs, classes, k, public: accepted here and
     * parsed by hs_map_opts_parse (hs_mapjob.h); format becomes png|svg|pdf. */
    HS_P_MAP = 1 << 6,
};

/* Fills p from q. `last_period` (the newest month with data) gives the default
 * window: the 12 months ending there. Unknown options are rejected by name. */
int hs_params_parse(hs_query *q, unsigned accept, int last_period, hs_params *p, hs_err *err);

/* Usage text of the shared options, for --help. */
const char *hs_params_help(void);

#endif
