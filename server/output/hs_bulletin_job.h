/* hs_bulletin_job: the figures of one province bulletin (`hotspot bulletin`), gathered
 * through the pipeline and the data functions, then laid out by maps/hs_bulletin.
 *
 * One analysis run (hs_pipeline_run_kind, HS_ANALYSIS_MAIN) over the communes of the
 * province for the period gives the Gi* classes, the map (hs_mapjob, map gistar), the
 * outreach figures and the priority list: the same run and the same hs_risk ranking
 * as `hotspot priorities --province CODE` and GET /api/priorities?province=CODE with
 * top=10, so the bulletin never disagrees with them. The monthly trend (cases and
 * outreach events of the province, up to 24 months ending with the period) and the
 * previous window's cases come from hs_data_load_series. Internal audience: the
 * figures are exact, every page is marked "NỘI BỘ — KHÔNG CÔNG BỐ". */
#ifndef HS_BULLETIN_JOB_H
#define HS_BULLETIN_JOB_H

#include <libpq-fe.h>

#include "hs_buf.h"
#include "hs_geostore.h"
#include "hs_mapopts.h"
#include "hs_params.h"
#include "hs_render.h"

#define HS_BULLETIN_TOP 10           /* priority communes listed */
#define HS_BULLETIN_TREND_MONTHS 24  /* months of the trend charts (fewer when the data start later) */

/* The window of a --period value: "YYYY-QN" (that calendar quarter), "YYYY" (the
 * year), "YYYY-MM" (one month) or "YYYY-MM..YYYY-MM" (inclusive). HS_EINVAL names
 * --period and the accepted forms. */
int hs_bulletin_period_parse(const char *s, int *from, int *to, hs_err *err);

typedef struct hs_bulletin_info {
    int pages;
    int synthetic;
    long long data_version;
    char province_name[128];
} hs_bulletin_info;

/* Checks province and period against the database, runs the analysis of p (commune
 * level, p->province, p->from..p->to, p->top entries: the caller parses them like
 * any analysis command), builds the Gi* map with o and renders the PDF into pdf.
 * Errors name the parameter: HS_EINVAL / HS_ENOTFOUND for --province or --period. */
int hs_bulletin_job_build(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                          const hs_params *p, const hs_map_opts *o, const char *period,
                          const char *now, hs_buf *pdf, hs_bulletin_info *info, hs_err *err);

#endif
