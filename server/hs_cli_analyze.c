/* `hotspot analyze | priorities | scan | emerging`: the analysis commands.
 *
 * Each parses its options with the same validator the HTTP API uses (hs_params),
 * runs the shared pipeline, turns the result into an hs_table and writes it in the
 * requested format to --out (atomically: a temporary file renamed at the end) or
 * to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs_arena.h"
#include "hs_cli.h"
#include "hs_export.h"
#include "hs_pg.h"
#include "hs_pipeline.h"
#include "hs_results.h"

typedef int (*produce_fn)(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                          int **row_unit, hs_err *err);

static int produce_analyze(PGconn *c, const hs_params *p, hs_table **t, hs_unitset **u,
                           int **row_unit, hs_err *err)
{
    hs_run *r;
    int rc = hs_run_analysis(c, p, &r, err);
    if (rc < 0)
        return rc;
    rc = hs_results_analyze(r, t, err);
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
    int rc = hs_run_analysis(c, p, &r, err);
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

/* Writes to `path` through a temporary file in the same directory, so a failed or
 * interrupted run never leaves a half-written output behind. */
static int write_output(const char *path, const hs_buf *b, hs_err *err)
{
    if (!path || !strcmp(path, "-"))
        return fwrite(b->data, 1, b->len, stdout) == b->len && fflush(stdout) == 0
                   ? HS_OK
                   : hs_err_set(err, HS_EIO, "cannot write to standard output");
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot create --out %s: %m", path);
    int ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return hs_err_set(err, HS_EIO, "cannot write --out %s: %m", path);
    }
    return HS_OK;
}

static int run_command(int argc, char **argv, const char *cmd, unsigned accept, produce_fn produce,
                       const char *what)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: hotspot %s [OPTIONS]\n\n%s\n\noptions:\n%s", cmd, what, hs_params_help());
        if (accept & HS_P_EMERGING)
            printf("  --step month|quarter          time step (default month)\n");
        if (accept & HS_P_SCAN)
            printf("  --max-pop-share F             largest window, share of population (default 0.5)\n");
        if (accept & HS_P_TOP)
            printf("  --top N                       entries to list (default 50)\n");
        return 0;
    }
    hs_err err = {0};
    hs_arena *arena = hs_arena_create(1 << 20);
    hs_query *q = NULL;
    PGconn *c = NULL;
    hs_table *t = NULL;
    hs_unitset *u = NULL;
    int *row_unit = NULL;
    hs_buf out;
    hs_buf_init(&out, 0);
    hs_params p;
    const hs_export_format *fmt = NULL;
    int last = 0, status = 2;
    int rc = arena ? hs_query_from_argv(arena, argc - 1, argv + 1, &q, &err)
                   : hs_err_set(&err, HS_ENOMEM, "cannot allocate");
    if (rc == HS_OK && (rc = hs_pg_connect(&c, &err)) < 0)
        status = 1;
    if (rc == HS_OK && (rc = hs_pipeline_last_period(c, &last, &err)) < 0)
        status = 1;
    if (rc == HS_OK)
        rc = hs_params_parse(q, accept, last, &p, &err);
    if (rc == HS_OK)
        rc = hs_export_find(p.format, "--format", &fmt, &err);
    if (rc == HS_OK) {
        status = 1;
        hs_export_init();
        rc = produce(c, &p, &t, &u, &row_unit, &err);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND)
            status = 2;
    }
    if (rc == HS_OK && fmt->needs_geometry)
        rc = attach_geometry(c, u, row_unit, t, &err);
    if (rc == HS_OK)
        rc = fmt->write(t, &out, &err);
    if (rc == HS_OK)
        rc = write_output(p.out, &out, &err);
    if (rc == HS_OK) {
        status = 0;
        if (t->synthetic)
            fprintf(stderr, "hotspot %s: note: %s -- the results describe generated demo data\n",
                    cmd, HS_SYNTHETIC_NOTICE);
        if (p.out)
            fprintf(stderr, "hotspot %s: wrote %d rows to %s\n", cmd, t->nrows, p.out);
    } else {
        fprintf(stderr, "hotspot %s: %s\n", cmd, err.msg);
    }
    hs_buf_free(&out);
    free(row_unit);
    hs_unitset_free(u);
    hs_table_free(t);
    if (c)
        PQfinish(c);
    hs_arena_destroy(arena);
    return status;
}

int hs_cli_analyze(int argc, char **argv)
{
    return run_command(argc, argv, "analyze", HS_P_STATS | HS_P_OUTPUT, produce_analyze,
                       "Per-unit rates, Empirical Bayes rates, Gi* hot spots, local Moran (LISA)\n"
                       "clusters, trend, outreach coverage and risk score.");
}

int hs_cli_priorities(int argc, char **argv)
{
    return run_command(argc, argv, "priorities", HS_P_STATS | HS_P_OUTPUT | HS_P_TOP,
                       produce_priorities,
                       "Ranked list of where to send outreach next, each entry with its reasons\n"
                       "(English and Vietnamese).");
}

int hs_cli_scan(int argc, char **argv)
{
    return run_command(argc, argv, "scan", HS_P_SCAN | HS_P_OUTPUT, produce_scan,
                       "Kulldorff Poisson spatial scan: the most likely cluster of raised risk and\n"
                       "secondary clusters that do not overlap it, with Monte Carlo p-values.");
}

int hs_cli_emerging(int argc, char **argv)
{
    return run_command(argc, argv, "emerging", HS_P_EMERGING | HS_P_OUTPUT, produce_emerging,
                       "Emerging hot spot analysis: Gi* per month or quarter and the Mann-Kendall\n"
                       "trend of each unit, classified as ArcGIS does (new, intensifying, ...).");
}
