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
#include "hs_cli_args.h"
#include "hs_cli.h"
#include "hs_clock.h"
#include "hs_export.h"
#include "hs_outfile.h"
#include "hs_pg.h"
#include "hs_pipeline.h"
#include "hs_report.h"

static int run_command(int argc, char **argv, const char *cmd, unsigned accept, hs_report_kind kind,
                       const char *what)
{
    if (hs_cli_wants_help(argc, argv)) {
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
    hs_arena *arena = NULL;
    hs_query *q = NULL;
    PGconn *c = NULL;
    hs_table *t = NULL;
    hs_buf out;
    hs_buf_init(&out, 0);
    hs_params p;
    const hs_export_format *fmt = NULL;
    int last = 0, status = 2;
    int rc = hs_cli_query(argc, argv, &arena, &q, &err);
    if (rc == HS_OK && (rc = hs_cli_connect(&c, &last, &err)) < 0)
        status = 1;
    if (rc == HS_OK)
        rc = hs_params_parse(q, accept, last, &p, &err);
    if (rc == HS_OK)
        rc = hs_export_find(p.format, "--format", &fmt, &err);
    if (rc == HS_OK) {
        status = 1;
        rc = hs_report_build(c, kind, &p, fmt->needs_geometry, &t, &err);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND)
            status = 2;
    }
    double t_write = hs_clock_now();
    if (rc == HS_OK)
        rc = fmt->write(t, &out, &err);
    if (rc == HS_OK)
        rc = hs_outfile_write(p.out, &out, &err);
    if (rc == HS_OK && p.timing)
        fprintf(stderr, "hotspot timing: %-8s %8.2f ms\n", "write", 1e3 * (hs_clock_now() - t_write));
    if (rc == HS_OK) {
        status = 0;
        for (int k = 0; k < t->nsummary; k++)
            fprintf(stderr, "hotspot %s: %s = %.6g\n", cmd, t->summary_key[k], t->summary_val[k]);
        if (t->synthetic)
            fprintf(stderr, "hotspot %s: note: %s -- the results describe generated demo data\n",
                    cmd, HS_SYNTHETIC_NOTICE);
        if (p.out)
            fprintf(stderr, "hotspot %s: wrote %d rows to %s\n", cmd, t->nrows, p.out);
    } else {
        fprintf(stderr, "hotspot %s: %s\n", cmd, err.msg);
    }
    hs_buf_free(&out);
    hs_table_free(t);
    if (c)
        PQfinish(c);
    hs_arena_destroy(arena);
    return status;
}

int hs_cli_analyze(int argc, char **argv)
{
    return run_command(argc, argv, "analyze", HS_P_STATS | HS_P_OUTPUT | HS_P_CLI, HS_REPORT_ANALYZE,
                       "Per-unit rates, Empirical Bayes rates, Gi* hot spots, local Moran (LISA)\n"
                       "clusters, trend, outreach coverage and risk score.");
}

int hs_cli_priorities(int argc, char **argv)
{
    return run_command(argc, argv, "priorities", HS_P_STATS | HS_P_OUTPUT | HS_P_TOP | HS_P_CLI,
                       HS_REPORT_PRIORITIES,
                       "Ranked list of where to send outreach next, each entry with its reasons\n"
                       "(English and Vietnamese).");
}

int hs_cli_scan(int argc, char **argv)
{
    return run_command(argc, argv, "scan", HS_P_SCAN | HS_P_OUTPUT | HS_P_CLI, HS_REPORT_SCAN,
                       "Kulldorff Poisson spatial scan: the most likely cluster of raised risk and\n"
                       "secondary clusters that do not overlap it, with Monte Carlo p-values.");
}

int hs_cli_emerging(int argc, char **argv)
{
    return run_command(argc, argv, "emerging", HS_P_EMERGING | HS_P_OUTPUT | HS_P_CLI, HS_REPORT_EMERGING,
                       "Emerging hot spot analysis: Gi* per month or quarter and the Mann-Kendall\n"
                       "trend of each unit, classified as ArcGIS does (new, intensifying, ...).");
}
