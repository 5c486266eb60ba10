#include "hs_report.h"

#include <stdlib.h>

#include "hs_pipeline.h"
#include "hs_results.h"

typedef int (*produce_fn)(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                          int **row_unit, hs_err *err);

static int produce_analyze(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                           int **row_unit, hs_err *err)
{
    hs_run *r;
    int rc = hs_run_analysis(c, p, HS_RUN_MORAN, &r, err);
    if (rc < 0)
        return rc;
    rc = hs_results_analyze(r, t, err); /* while the global test runs */
    int mrc = hs_run_wait_moran(r, rc == HS_OK ? err : NULL);
    if (rc == HS_OK && mrc < 0)
        rc = mrc;
    if (rc == HS_OK)
        hs_results_analyze_summary(r, *t);
    *u = r->u; /* keep the units for geometry; the rest of the run is freed */
    r->u = NULL;
    hs_run_free(r);
    *row_unit = NULL; /* rows follow the units' order */
    return rc;
}

static int produce_priorities(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                              int **row_unit, hs_err *err)
{
    hs_run *r;
    int rc = hs_run_analysis(c, p, 0, &r, err);
    if (rc < 0)
        return rc;
    rc = hs_results_priorities(r, t, err);
    int *map = malloc(((size_t)r->risk->n_priorities + 1) * sizeof *map);
    if (!map && rc == HS_OK)
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate the priority list");
    for (int k = 0; map && k < r->risk->n_priorities; k++)
        map[k] = r->risk->priorities[k].unit;
    *row_unit = map;
    *u = r->u;
    r->u = NULL;
    hs_run_free(r);
    return rc;
}

static int produce_scan(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                        int **row_unit, hs_err *err)
{
    hs_scan_result *s;
    int synthetic;
    int rc = hs_run_scan(c, p, u, &s, &synthetic, err);
    if (rc < 0)
        return rc;
    rc = hs_results_scan(p, *u, s, synthetic, t, err);
    int rows = rc == HS_OK ? (*t)->nrows : 0, k = 0;
    int *map = malloc(((size_t)rows + 1) * sizeof *map);
    if (!map && rc == HS_OK)
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate the cluster list");
    for (int cl = 0; map && cl < s->n_clusters && k < rows; cl++)
        for (int m = 0; m < s->clusters[cl].n_members && k < rows; m++)
            map[k++] = s->clusters[cl].members[m];
    *row_unit = map;
    hs_scan_result_free(s);
    return rc;
}

static int produce_emerging(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                            int **row_unit, hs_err *err)
{
    hs_emerging_result *e;
    int synthetic;
    int rc = hs_run_emerging(c, p, u, &e, &synthetic, err);
    if (rc < 0)
        return rc;
    rc = hs_results_emerging(p, *u, e, synthetic, t, err);
    hs_emerging_result_free(e);
    *row_unit = NULL;
    return rc;
}

/* Attaches each row's unit boundary for GeoJSON and GeoPackage output. */
static int attach_geometry(PGconn *c, const hs_unitset *u, const int *row_unit, hs_table *t,
                           hs_err *err)
{
    unsigned char **wkb;
    size_t *len;
    int rc = hs_data_load_wkb(c, u, &wkb, &len, err);
    for (int r = 0; rc == HS_OK && r < t->nrows; r++) {
        int i = row_unit ? row_unit[r] : r;
        if (wkb[i])
            rc = hs_table_set_wkb(t, r, wkb[i], len[i], err);
    }
    if (wkb)
        hs_data_wkb_free(u->n, wkb, len);
    return rc;
}


static const produce_fn producers[] = {produce_analyze, produce_priorities, produce_scan,
                                       produce_emerging};
static const char *const names[] = {"analyze", "priorities", "scan", "emerging"};

const char *hs_report_name(hs_report_kind k)
{
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

int hs_report_build(PGconn *c, hs_report_kind kind, const hs_params *p, int geometry,
                    hs_table **out, hs_err *err)
{
    *out = NULL;
    if ((unsigned)kind >= sizeof producers / sizeof producers[0])
        return hs_err_set(err, HS_EINTERNAL, "unknown report %d", (int)kind);
    hs_unitset *u = NULL;
    int *row_unit = NULL;
    int rc = producers[kind](c, p, out, &u, &row_unit, err);
    if (rc == HS_OK)
        (*out)->threads = p->threads;
    if (rc == HS_OK && geometry)
        rc = attach_geometry(c, u, row_unit, *out, err);
    free(row_unit);
    hs_unitset_free(u);
    if (rc < 0) {
        hs_table_free(*out);
        *out = NULL;
    }
    return rc;
}
