/* hs_mapjob: from analysis results to an hs_map_spec that maps/ can draw.
 *
 * One job = one map type over one analysis window, mapped onto the geostore's
 * features by unit code, classified, titled (Vietnamese with English), with legend,
 * source line, generation time, synthetic watermark, extent (national with the
 * Hoàng Sa / Trường Sa inset, one province, or a bbox) and page. Shared by
 * `hotspot render`, GET /maps/..., GET /dashboard/... and the tile server (which
 * uses hs_mapjob_tile_spec per zoom level).
 *
 *   hs_map_opts o;  hs_map_opts_parse(q, &prm, &o, err);      // after hs_params_parse
 *   hs_analysis_result res;
 *   hs_pipeline_run_kind(conn, hs_map_type_info_of(o.type)->needs, &prm, &res, err);
 *   hs_mapjob *j;   hs_mapjob_build(store, pc, &prm, &o, &res, "2026-11-23 08:00", &j, err);
 *   hs_analysis_result_clear(&res);                           // the job keeps no pointer
 *   hs_mapjob_render(j, rctx, &buf, err);                      // PNG/SVG/PDF bytes
 *   hs_mapjob_free(j);
 *
 * Publication safety (o.public_mode, docs/publication.md): count, rate and eb_rate
 * maps draw units whose window count is 1..HS_PUBLIC_MIN_COUNT-1 in a hatched
 * "suppressed" class, their values never enter the breaks, legends never show a
 * count below HS_PUBLIC_MIN_COUNT, and suppressed units are never labelled.
 */
#ifndef HS_MAPJOB_H
#define HS_MAPJOB_H

#include "hs_buf.h"
#include "hs_classify.h"
#include "hs_geostore.h"
#include "hs_mapopts.h"
#include "hs_params.h"
#include "hs_pipeline.h"
#include "hs_render.h"
#include "hs_style.h"

typedef struct hs_mapjob hs_mapjob;

/* Builds a job from results already computed by the pipeline
 * (hs_pipeline_run_kind(c, hs_map_type_info_of(o->type)->needs, ...)): the job only
 * classifies and lays out, it queries nothing. Holds a reference to the geostore's
 * prepared CRS until hs_mapjob_free. `generated_at` is copied (the library reads no
 * clock; the caller formats its time). */
int hs_mapjob_build(hs_geostore *g, hs_proj_ctx *pc, const hs_params *prm, const hs_map_opts *o,
                    const hs_analysis_result *d, const char *generated_at, hs_mapjob **out, hs_err *err);
void hs_mapjob_free(hs_mapjob *j);
/* Puts `mark` (e.g. "NỘI BỘ — KHÔNG CÔNG BỐ") in front of the map title, so that it
 * appears on the image; for internal releases. A long title keeps its Vietnamese half
 * only, so that the mark and the title fit the page. */
void hs_mapjob_mark(hs_mapjob *j, const char *mark);
/* Replaces the legend labels of the numeric classes (labels[0..n-1], from the first
 * class) and, when not NULL, of the suppressed class: releases label their fixed
 * published breaks "< 0,25" ... "≥ 5" instead of by the data's ends. */
void hs_mapjob_class_labels(hs_mapjob *j, const char *const *labels, int n,
                            const char *suppressed);
/* Replaces the legend title (a release's EB map names its unit, per year). */
void hs_mapjob_legend_title(hs_mapjob *j, const char *title);

/* The full-map spec (furniture included) and its projected extent. Borrowed. */
const hs_map_spec *hs_mapjob_spec(const hs_mapjob *j);
const hs_bbox *hs_mapjob_extent(const hs_mapjob *j);
/* The simplification level the full map is drawn from (borrowed from the job's prep),
 * and the province of the job's analysis ("" = national). */
const hs_geolevel *hs_mapjob_level(const hs_mapjob *j);
const char *hs_mapjob_province(const hs_mapjob *j);
/* Makes a national (or bbox) job a two-level map (hs_mapscope): draws `units`
 * (features of hs_mapjob_level's layers, e.g. other provinces whole and the scope's
 * communes) in cls[] classes of `classes`, outlines only `outlined`, lists the legend
 * in `groups` (0: one block) and says in the subtitle which provinces (`codes`) are
 * at commune level. Everything is borrowed: it must outlive the job's renders. */
void hs_mapjob_two_level(hs_mapjob *j, const hs_layer *units, const int *cls,
                         const hs_layer *outlined, const hs_class_style *classes, int nclasses,
                         const hs_legend_group *groups, int ngroups, const char *const *codes,
                         int ncodes);
/* Renders the full map onto o->page in o->format, appending to out. */
int hs_mapjob_render(hs_mapjob *j, hs_render_ctx *rc, hs_buf *out, hs_err *err);

/* Tile mode: fills *spec with the job's classes and styles over the layers of `lv`
 * (a level of the job's CRS: hs_mapjob_prep). No furniture. Units outside the
 * analysis (other provinces) get class -1. The spec borrows from j and lv. */
void hs_mapjob_tile_spec(const hs_mapjob *j, const hs_geolevel *lv, hs_map_spec *spec);
/* 1 when feature `i` of the job's unit layer is one of the analysed units (a unit of
 * the analysis' province, for example), else 0. */
int hs_mapjob_in_analysis(const hs_mapjob *j, int i);
/* The prepared CRS the job was built for (borrowed; e.g. to fetch levels). */
hs_geoprep *hs_mapjob_prep(const hs_mapjob *j);

/* Local time "YYYY-MM-DD HH:MM" for generated_at. */
void hs_map_now(char *buf, size_t n);

#endif
