/* `hotspot bulletin`: the A4 PDF bulletin of one province for a provincial meeting
 * (internal audience, docs/publication.md "Province bulletin").
 *
 * Parses --province, --period and --out, turns them into the same analysis options
 * as `hotspot priorities --province CODE --top 10` (hs_params, hs_mapopts), and hands
 * over to hs_bulletin_job (server/output), which gathers the figures and lays the
 * pages out with maps/hs_bulletin. The file is written atomically (hs_outfile): a
 * bad option or a failed run leaves nothing at --out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_arena.h"
#include "hs_bulletin_job.h"
#include "hs_cli.h"
#include "hs_cli_args.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_outfile.h"
#include "hs_period.h"
#include "hs_pg.h"
#include "hs_threadctx.h"
#include "hs_unitcode.h"

static const char HELP[] =
    "usage: hotspot bulletin --province CODE --period PERIOD --out FILE.pdf\n\n"
    "A4 PDF bulletin (3 pages, 4 if needed) of one province for a provincial meeting,\n"
    "internal use: communes by hot-spot class (map and table), the top 10 priority\n"
    "communes with their reasons (as `hotspot priorities --province CODE --top 10`),\n"
    "monthly cases and outreach (July-September campaign shaded), outreach coverage,\n"
    "the method and the data version. Exact figures; every page is marked\n"
    "\"NỘI BỘ — KHÔNG CÔNG BỐ\".\n\n"
    "  --province CODE   a province code, e.g. VN13 (hotspot analyze --level province)\n"
    "  --period PERIOD   YYYY-QN (a quarter), YYYY (a year), YYYY-MM, or YYYY-MM..YYYY-MM\n"
    "  --out FILE        the PDF, written atomically ('-' = stdout)\n";

int hs_cli_bulletin(int argc, char **argv)
{
    const char *province = NULL, *period = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", HELP);
            return 0;
        }
        const char **dst = !strcmp(argv[i], "--province") ? &province
                           : !strcmp(argv[i], "--period") ? &period
                           : !strcmp(argv[i], "--out")    ? &out
                                                          : NULL;
        if (!dst || i + 1 >= argc) {
            fprintf(stderr, "hotspot bulletin: %s option %s\n\n%s",
                    dst ? "missing value of" : "unknown", argv[i], HELP);
            return 2;
        }
        *dst = argv[++i];
    }
    hs_err err = {0};
    int from = 0, to = 0;
    /* Everything that needs no database is checked first. */
    if (!province || !period || !out) {
        fprintf(stderr, "hotspot bulletin: %s is required\n\n%s",
                !province ? "--province" : !period ? "--period" : "--out", HELP);
        return 2;
    }
    if (!hs_unit_code_ok(province, strlen(province))) {
        fprintf(stderr, "hotspot bulletin: --province '%.40s' is not a unit code (letters, digits, "
                        "_ . -; e.g. VN13)\n", province);
        return 2;
    }
    if (hs_bulletin_period_parse(period, &from, &to, &err) < 0) {
        fprintf(stderr, "hotspot bulletin: %s\n", err.msg);
        return 2;
    }
    char f[8], t[8], top[8];
    hs_period_format(from, f, sizeof f);
    hs_period_format(to, t, sizeof t);
    snprintf(top, sizeof top, "%d", HS_BULLETIN_TOP);
    /* The options of `hotspot priorities --province CODE --top 10` over the period,
     * parsed by the same validators; the map is the Gi* map of the province. */
    char *qv[] = {"--level", "commune", "--province", (char *)province, "--from", f, "--to", t,
                  "--top", top, "--map", "gistar", "--format", "pdf", "--paper", "a4-portrait"};
    hs_arena *arena = hs_arena_create(1 << 16);
    hs_query *q = NULL;
    PGconn *c = NULL;
    hs_geostore *g = NULL;
    hs_buf pdf;
    hs_buf_init(&pdf, 0);
    hs_params p;
    hs_map_opts o;
    hs_bulletin_info info = {0};
    int status = 1, last = 0;
    int rc = arena ? hs_query_from_argv(arena, (int)(sizeof qv / sizeof *qv), qv, &q, &err)
                   : hs_err_set(&err, HS_ENOMEM, "cannot allocate");
    if (rc == HS_OK)
        rc = hs_cli_connect(&c, &last, &err);
    if (rc == HS_OK)
        rc = hs_params_parse(q, HS_P_STATS | HS_P_TOP | HS_P_OUTPUT | HS_P_MAP, last, &p, &err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(q, &p, 1, HS_MAP_GISTAR, &o, &err);
    if (rc == HS_OK) {
        hs_proj_ctx *pc = hs_threadctx_proj(&err);
        hs_render_ctx *rctx = pc ? hs_threadctx_render(&err) : NULL;
        char now[32];
        hs_map_now(now, sizeof now);
        rc = rctx ? hs_geostore_load(c, pc, &g, &err) : err.code;
        if (rc == HS_OK)
            rc = hs_bulletin_job_build(c, g, pc, rctx, &p, &o, period, now, &pdf, &info, &err);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND)
            status = 2;
        if (rc == HS_OK)
            rc = hs_outfile_write(out, &pdf, &err);
    }
    if (rc == HS_OK) {
        status = 0;
        if (info.synthetic)
            fprintf(stderr, "hotspot bulletin: note: DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA -- the "
                            "bulletin shows generated demo data\n");
        fprintf(stderr, "hotspot bulletin: wrote %s (%s, %s, %d pages, data version %lld, "
                        "%zu bytes)\n", out, info.province_name, period, info.pages,
                info.data_version, pdf.len);
    } else {
        fprintf(stderr, "hotspot bulletin: %s\n", err.msg);
    }
    hs_buf_free(&pdf);
    hs_geostore_unref(g);
    hs_threadctx_release();
    hs_threadctx_process_cleanup();
    if (c)
        PQfinish(c);
    hs_arena_destroy(arena);
    return status;
}
