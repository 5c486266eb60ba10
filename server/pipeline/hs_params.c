#include "hs_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_gistar.h"
#include "hs_period.h"
#include "hs_perm.h"

const char *hs_variable_name(hs_variable v)
{
    static const char *const names[] = {"count", "rate", "eb_rate", "eb_z"};
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "?";
}

/* "queen", "knn:K" or "dist:KM". */
static int parse_weights(hs_query *q, hs_params *p, hs_err *err)
{
    const char *v;
    int rc = hs_query_str(q, "weights", 32, "queen", &v, err);
    if (rc < 0)
        return rc;
    char *end = NULL;
    if (!strcmp(v, "queen")) {
        p->wkind = HS_WKIND_QUEEN;
    } else if (!strncmp(v, "knn:", 4)) {
        long k = strtol(v + 4, &end, 10);
        if (end == v + 4 || *end || k < 1 || k > HS_PARAMS_MAX_KNN)
            return hs_err_set(err, HS_EINVAL, "weights '%s': k must be a whole number from 1 to %d, "
                              "e.g. knn:6", v, HS_PARAMS_MAX_KNN);
        p->wkind = HS_WKIND_KNN;
        p->knn_k = (int)k;
    } else if (!strncmp(v, "dist:", 5)) {
        double km = strtod(v + 5, &end);
        if (end == v + 5 || *end || !(km > 0) || km > HS_PARAMS_MAX_DIST_KM)
            return hs_err_set(err, HS_EINVAL, "weights '%s': the band must be a distance in km "
                              "above 0 and at most %.0f, e.g. dist:25", v, HS_PARAMS_MAX_DIST_KM);
        p->wkind = HS_WKIND_DIST;
        p->dist_km = km;
    } else {
        return hs_err_set(err, HS_EINVAL, "weights '%.32s' is not a weights scheme; use queen, "
                          "knn:K (e.g. knn:6) or dist:KM (e.g. dist:25)", v);
    }
    return HS_OK;
}

/* Every option and the commands (HS_P_* groups) that take it; 0 = every command.
 * One table, read in one pass: a name-by-name group lookup cost ~400 strcmp per
 * parse, and tiles parse their options on every request, cache hits included. */
static const struct {
    const char *name;
    unsigned group;
} options[] = {
    {"indicator", 0}, {"from", 0}, {"to", 0}, {"level", 0}, {"province", 0},
    {"variable", HS_P_STATS}, {"weights", HS_P_STATS}, {"attach-isolated", HS_P_STATS},
    {"permutations", HS_P_STATS | HS_P_SCAN}, {"perm-method", HS_P_STATS},
    {"seed", HS_P_STATS | HS_P_SCAN}, {"threads", HS_P_CLI},
    {"fdr", HS_P_STATS | HS_P_EMERGING}, {"step", HS_P_EMERGING}, {"max-pop-share", HS_P_SCAN},
    {"top", HS_P_TOP}, {"format", HS_P_OUTPUT | HS_P_MAP}, {"out", HS_P_CLI},
    {"timing", HS_P_CLI}, {"map", HS_P_MAP}, {"bbox", HS_P_MAP}, {"size", HS_P_MAP},
    {"paper", HS_P_MAP}, {"dpi", HS_P_MAP}, {"scale", HS_P_MAP}, {"crs", HS_P_MAP},
    {"classes", HS_P_MAP}, {"k", HS_P_MAP}, {"public", HS_P_MAP}};
#define NOPTIONS (sizeof options / sizeof options[0])

int hs_params_parse(hs_query *q, unsigned accept, int last_period, hs_params *p, hs_err *err)
{
    memset(p, 0, sizeof *p);
    const char *allowed[NOPTIONS + 1];
    size_t na = 0;
    for (size_t i = 0; i < NOPTIONS; i++)
        if (!options[i].group || (options[i].group & accept))
            allowed[na++] = options[i].name;
    allowed[na] = NULL;
    int rc = hs_query_check_allowed(q, allowed, err);
    if (rc < 0)
        return rc;

    static const char *const indicators[] = {"cases", "victims", "suspects", "outreach_events",
                                             NULL};
    static const char *const levels[] = {"province", "commune", NULL};
    static const char *const variables[] = {"count", "rate", "eb_rate", "eb_z", NULL};
    static const char *const table_formats[] = {"csv", "json", "geojson", "gpkg", NULL};
    static const char *const map_formats[] = {"png", "svg", "pdf", NULL};
    const char *const *formats = (accept & HS_P_MAP) ? map_formats : table_formats;
    static const char *const steps[] = {"month", "quarter", NULL};
    /* the order of HS_PERM_EXACT, HS_PERM_LOOKUP */
    static const char *const perm_methods[] = {"exact", "lookup", NULL};
    int ind, lvl, var, step, pmethod;
    long perms, seed, threads, top;
    const char *prov;
    if ((rc = hs_query_enum(q, "indicator", indicators, 0, &ind, err)) < 0 ||
        (rc = hs_query_period(q, "to", last_period, &p->to, err)) < 0 ||
        (rc = hs_query_period(q, "from", p->to - 11, &p->from, err)) < 0 ||
        (rc = hs_query_enum(q, "level", levels, 1, &lvl, err)) < 0 ||
        (rc = hs_query_str(q, "province", sizeof p->province - 1, "", &prov, err)) < 0 ||
        (rc = hs_query_enum(q, "variable", variables, 2, &var, err)) < 0 ||
        (rc = parse_weights(q, p, err)) < 0 ||
        (rc = hs_query_bool(q, "attach-isolated", 0, &p->attach_isolated, err)) < 0 ||
        (rc = hs_query_int(q, "permutations", 0, HS_PARAMS_MAX_PERMUTATIONS, 999, &perms, err)) < 0 ||
        (rc = hs_query_enum(q, "perm-method", perm_methods, 0, &pmethod, err)) < 0 ||
        (rc = hs_query_int(q, "seed", 0, 2147483647L, 138, &seed, err)) < 0 ||
        (rc = hs_query_int(q, "threads", 1, HS_PARAMS_MAX_THREADS, 2, &threads, err)) < 0 ||
        (rc = hs_query_bool(q, "fdr", 0, &p->fdr, err)) < 0 ||
        (rc = hs_query_enum(q, "step", steps, 0, &step, err)) < 0 ||
        (rc = hs_query_double(q, "max-pop-share", 0.001, 0.5, 0.5, &p->max_pop_share, err)) < 0 ||
        (rc = hs_query_int(q, "top", 1, 100000, 50, &top, err)) < 0 ||
        (rc = hs_query_str(q, "out", 4096, NULL, &p->out, err)) < 0 ||
        (rc = hs_query_bool(q, "timing", 0, &p->timing, err)) < 0)
        return rc;
    int fmt;
    if ((rc = hs_query_enum(q, "format", formats, 0, &fmt, err)) < 0)
        return rc;
    p->format = formats[fmt];
    p->indicator = (hs_indicator)ind;
    p->level = (hs_level)lvl;
    p->variable = (hs_variable)var;
    p->permutations = (int)perms;
    p->perm_method = pmethod == 1 ? HS_PERM_LOOKUP : HS_PERM_EXACT;
    p->seed = (uint64_t)seed;
    p->threads = (int)threads;
    p->step_months = step == 1 ? 3 : 1;
    p->top = (int)top;
    snprintf(p->province, sizeof p->province, "%s", prov);
    if (p->from > p->to) {
        char f[8], t[8];
        hs_period_format(p->from, f, sizeof f);
        hs_period_format(p->to, t, sizeof t);
        return hs_err_set(err, HS_EINVAL, "from %s is after to %s; the window must start before "
                          "it ends", f, t);
    }
    if (p->to - p->from >= 12 * 30)
        return hs_err_set(err, HS_ELIMIT, "the window from..to spans more than 30 years");
    if (p->level == HS_LEVEL_PROVINCE && p->province[0])
        return hs_err_set(err, HS_EINVAL, "province %s with level province leaves one unit; use "
                          "level commune to analyse the communes of one province", p->province);
    return HS_OK;
}

const char *hs_params_help(void)
{
    return "  --indicator cases|victims|suspects|outreach_events   (default cases)\n"
           "  --from YYYY-MM --to YYYY-MM   window, inclusive (default: the last 12 months with data)\n"
           "  --level commune|province      (default commune)\n"
           "  --province CODE               only the communes of one province\n"
           "  --variable count|rate|eb_rate|eb_z  what Gi* and LISA use (default eb_rate;\n"
           "                                eb_z = EB-standardised rate, Assuncao-Reis)\n"
           "  --weights queen|knn:K|dist:KM spatial weights (default queen)\n"
           "  --attach-isolated             link island units to their nearest unit\n"
           "  --permutations R              0..9999 (default 999)\n"
           "  --perm-method exact|lookup    how Gi* and LISA draw their permutations (default\n"
           "                                exact; lookup: shared shuffled tables, faster at\n"
           "                                large n, like rgeoda's; docs/statistics.md)\n"
           "  --seed S  --threads N         reproducible for any thread count (default 138, 2)\n"
           "  --fdr                         bins and clusters from FDR-adjusted p-values\n"
           "  --format csv|json|geojson|gpkg  --out FILE   (default csv to stdout)\n"
           "  --timing                      print the time of each stage to stderr\n";
}
