/* `hotspot render`: one map image (PNG, SVG or PDF) from the analysis of a window.
 *
 * Options go through the same validators as GET /maps/...: hs_params for the
 * analysis window and hs_mapopts for the map. Geometry is loaded once (hs_geostore),
 * the analysis runs (hs_pipeline), hs_mapjob builds the map and the file is written
 * atomically (a temporary file in the same directory, renamed at the end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hs_arena.h"
#include "hs_cli_args.h"
#include "hs_cli.h"
#include "hs_outfile.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_pg.h"
#include "hs_threadctx.h"

static const char HELP[] =
    "usage: hotspot render --map TYPE --out FILE [OPTIONS]\n\n"
    "One map image from the analysis of a window.\n\n"
    "map options:\n"
    "  --map gistar|lisa|rate|eb_rate|risk|outreach_gap|emerging|scan|count\n"
    "  --out FILE                    output file, written atomically ('-' = stdout)\n"
    "  --format png|svg|pdf          (default: from the --out extension, else png)\n"
    "  --size WxH                    page in pixels at scale 1 (default 1200x1600)\n"
    "  --paper a4-landscape|a4-portrait|a3-landscape|a3-portrait\n"
    "  --dpi N                       72..600 (paper default 150); or --scale F (0.25..8)\n"
    "  --province CODE               the communes of one province, framed on it\n"
    "  --bbox minlon,minlat,maxlon,maxlat   frame on a box (excludes --province)\n"
    "  --crs EPSG:xxxx|national|PROJ-string (default national: LCC for Vietnam)\n"
    "  --classes quantile|equal|jenks|fixed:1,2,5   numeric maps only\n"
    "  --k N                         3..9 classes (default 5)\n"
    "  --public                      publication rules: counts below 5 suppressed\n\n"
    "analysis options:\n";

int hs_cli_render(int argc, char **argv)
{
    if (hs_cli_wants_help(argc, argv)) {
        printf("%s%s", HELP, hs_params_help());
        return 0;
    }
    hs_err err = {0};
    hs_arena *arena = NULL;
    hs_query *q = NULL;
    PGconn *c = NULL;
    hs_geostore *g = NULL;
    hs_mapjob *job = NULL;
    hs_buf out;
    hs_buf_init(&out, 0);
    hs_params p;
    hs_map_opts o;
    int last = 0, status = 2;
    int rc = hs_cli_query(argc, argv, &arena, &q, &err);
    /* Option names first (no database needed to reject a typo), then values. */
    if (rc == HS_OK && (rc = hs_query_require(q, "map", &err)) == HS_OK &&
        (rc = hs_query_require(q, "out", &err)) == HS_OK) {
        if ((rc = hs_cli_connect(&c, &last, &err)) < 0)
            status = 1;
    }
    if (rc == HS_OK)
        rc = hs_params_parse(q, HS_P_STATS | HS_P_EMERGING | HS_P_SCAN | HS_P_OUTPUT | HS_P_MAP | HS_P_CLI,
                             last, &p, &err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(q, &p, 1, HS_MAP_GISTAR, &o, &err);
    if (rc == HS_OK) {
        hs_map_params_normalise(&p, &o);
        status = 1;
        hs_proj_ctx *pc = hs_threadctx_proj(&err);
        hs_render_ctx *rctx = pc ? hs_threadctx_render(&err) : NULL;
        char now[32];
        hs_map_now(now, sizeof now);
        rc = rctx ? hs_geostore_load(c, pc, &g, &err) : err.code;
        hs_analysis_result res = {0};
        if (rc == HS_OK)
            rc = hs_pipeline_run_kind(c, hs_map_type_info_of(o.type)->needs, &p, &res, &err);
        if (rc == HS_OK)
            rc = hs_mapjob_build(g, pc, &p, &o, &res, now, &job, &err);
        hs_analysis_result_clear(&res);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND || rc == HS_ELIMIT)
            status = 2;
        if (rc == HS_OK)
            rc = hs_mapjob_render(job, rctx, &out, &err);
        if (rc == HS_OK)
            rc = hs_outfile_write(p.out, &out, &err);
    }
    if (rc == HS_OK) {
        status = 0;
        if (hs_mapjob_spec(job)->synthetic)
            fprintf(stderr, "hotspot render: note: DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA -- the map "
                            "shows generated demo data\n");
        fprintf(stderr, "hotspot render: wrote %s (%zu bytes)\n", p.out, out.len);
    } else {
        fprintf(stderr, "hotspot render: %s\n", err.msg);
    }
    hs_buf_free(&out);
    hs_mapjob_free(job);
    hs_geostore_unref(g);
    hs_threadctx_release();
    hs_threadctx_process_cleanup();
    if (c)
        PQfinish(c);
    hs_arena_destroy(arena);
    return status;
}
