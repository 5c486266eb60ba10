/* `hotspot publish`: one release folder for a calendar quarter or year.
 *
 * The figures come from hs_sdc (analysis/hs_sdc.h) and nothing else: the exact
 * province x window table is protected once, and data.csv, data.json and index.html
 * are all formatted from the protected cells. The maps are commune-level
 * statistical classes (Gi* bins, emerging categories, outreach gap) in public mode,
 * with fixed parameters and seed. Everything is written into a temporary folder next
 * to --out and renamed into place at the end (an old folder is replaced whole).
 * See docs/publication.md. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_arena.h"
#include "hs_cli.h"
#include "hs_cli_tiles.h"
#include "hs_data.h"
#include "hs_export.h"
#include "hs_geostore.h"
#include "hs_mapjob.h"
#include "hs_outfile.h"
#include "hs_period.h"
#include "hs_pg.h"
#include "hs_pipeline.h"
#include "hs_publish.h"
#include "hs_report.h"
#include "hs_sdc.h"
#include "hs_threadctx.h"

static const char HELP[] =
    "usage: hotspot publish --period YYYY-QN|YYYY --out DIR [--audience public|internal]\n\n"
    "Writes a self-contained release folder: index.html (Vietnamese, then English),\n"
    "national maps (PNG and SVG), data.csv, data.json and manifest.json (SHA-256 of\n"
    "every file). Province and national case counts for the calendar quarters of the\n"
    "period (and the year, for YYYY) pass through the disclosure control of\n"
    "docs/publication.md. --audience internal marks every page and image\n"
    "\"NỘI BỘ — KHÔNG CÔNG BỐ\".\n";

/* The maps of a release: the province EB rate (from the release's figures) and
 * commune-level statistical classes. */
static const char *const MAPS[] = {"eb_rate", "gistar", "emerging", "outreach_gap", NULL};

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *f)
{
    (void)sb, (void)flag, (void)f;
    return remove(p);
}

static int write_file(const char *dir, const char *name, const void *data, size_t len,
                      hs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot create %s: %s", path, strerror(errno));
    size_t w = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || w != len)
        return hs_err_set(err, HS_EIO, "cannot write %s", path);
    return HS_OK;
}

/* The EB-rate map is drawn from the release's figures, not from an analysis: a run
 * holding only the provinces, their published EB rates (per year) and a count that
 * says whether each was published (withheld rows get 1, which the public
 * classification draws as "suppressed"). No exact count reaches the map job. */
static int release_eb_result(const hs_release *rel, hs_run *run, hs_analysis_result *res,
                             hs_err *err)
{
    int n = rel->nprov, j = hs_release_map_col(rel);
    memset(run, 0, sizeof *run);
    run->u = rel->units;
    run->count = calloc(n > 0 ? n : 1, sizeof *run->count);
    run->eb_rate = calloc(n > 0 ? n : 1, sizeof *run->eb_rate);
    if (!run->count || !run->eb_rate)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the EB map of %d provinces", n);
    for (int i = 0; i < n; i++) {
        int shown = rel->f[(size_t)i * rel->ncol + j] == HS_SDC_SHOWN;
        run->count[i] = shown ? rel->v[(size_t)i * rel->ncol + j] : 1;
        run->eb_rate[i] = shown ? hs_release_map_eb(rel, i) : NAN;
    }
    *res = (hs_analysis_result){.kind = HS_ANALYSIS_MAIN, .run = run, .synthetic = rel->synthetic};
    return HS_OK;
}

/* detail = 1: an internal commune-level map of exact figures (not public mode), for
 * internal sets only, written as internal/map_<type>_communes.<fmt>. */
static int render_map(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                      const hs_release *rel, const char *type, const char *fmt, int detail,
                      const char *now, const char *dir, hs_err *err)
{
    int eb = !strcmp(type, "eb_rate") && !detail;
    char from[16], to[16], breaks[128] = "fixed:";
    /* The EB map shows one window of the release (hs_release_map_col): the year, or
     * the last quarter; the class maps cover the whole period. */
    hs_period_format(eb && !rel->has_year ? rel->to - 2 : rel->from, from, sizeof from);
    hs_period_format(rel->to, to, sizeof to);
    static const double B[] = HS_RELEASE_EB_BREAKS;
    for (int i = 0; i < HS_RELEASE_EB_NBREAKS; i++)
        snprintf(breaks + strlen(breaks), sizeof breaks - strlen(breaks), "%s%g", i ? "," : "", B[i]);
    /* Fixed parameters: the release never takes statistics options. */
    char *argv[] = {"--map", (char *)type, "--from", from, "--to", to, "--format", (char *)fmt,
                    "--size", "1200x1600", "--permutations", "999", "--seed", "138",
                    "--level", eb ? "province" : "commune", "--public", "--classes", breaks};
    int argc = (int)(sizeof argv / sizeof *argv) - (eb ? 0 : detail ? 3 : 2);
    hs_arena *a = hs_arena_create(1 << 16);
    hs_query *q = NULL;
    hs_params p;
    hs_map_opts o;
    hs_mapjob *job = NULL;
    hs_buf out;
    hs_buf_init(&out, 0);
    int rc = a ? hs_query_from_argv(a, argc, argv, &q, err) : hs_err_set(err, HS_ENOMEM, "arena");
    if (rc == HS_OK)
        rc = hs_params_parse(q, HS_P_STATS | HS_P_EMERGING | HS_P_OUTPUT | HS_P_MAP, rel->to, &p, err);
    if (rc == HS_OK)
        rc = hs_map_opts_parse(q, &p, 1, HS_MAP_GISTAR, &o, err);
    if (rc == HS_OK) {
        hs_map_params_normalise(&p, &o);
        hs_analysis_result res = {0};
        hs_run run;
        if (eb) {
            rc = release_eb_result(rel, &run, &res, err);
        } else {
            /* The map job only classifies: the pipeline runs the analysis it needs. */
            rc = hs_pipeline_run_kind(c, hs_map_type_info_of(o.type)->needs, &p, &res, err);
        }
        if (rc == HS_OK)
            rc = hs_mapjob_build(g, pc, &p, &o, &res, now, &job, err);
        if (eb) {
            free(run.count);
            free(run.eb_rate);
        } else {
            hs_analysis_result_clear(&res);
        }
    }
    if (rc == HS_OK && eb) {
        char lab[HS_RELEASE_EB_NBREAKS + 1][48];
        const char *labels[HS_RELEASE_EB_NBREAKS + 1];
        for (int i = 0; i <= HS_RELEASE_EB_NBREAKS; i++) {
            hs_release_eb_label(i, lab[i], sizeof lab[i]);
            labels[i] = lab[i];
        }
        hs_mapjob_class_labels(job, labels, HS_RELEASE_EB_NBREAKS + 1,
                               "Ẩn (<5 hoặc x) — withheld (<5 or x)");
        hs_mapjob_legend_title(job, HS_RELEASE_EB_LEGEND);
    }
    if (rc == HS_OK && rel->internal)
        hs_mapjob_mark(job, HS_PUBLISH_INTERNAL_MARK);
    if (rc == HS_OK)
        rc = hs_mapjob_render(job, rctx, &out, err);
    if (rc == HS_OK) {
        char name[64];
        snprintf(name, sizeof name, "%smap_%s%s.%s", detail ? "internal/" : "", type,
                 detail ? "_communes" : "", fmt);
        rc = write_file(dir, name, out.data, out.len, err);
    }
    hs_buf_free(&out);
    hs_mapjob_free(job);
    hs_arena_destroy(a);
    return rc;
}

/* The tile pyramid of the main map (commune hot spots, public classes, the release's
 * period and fixed parameters) in DIR/tiles/{z}/{x}/{y}.png, through the same code
 * as `hotspot tiles`. Every tile carries the internal mark and the synthetic-data
 * note when they apply (a tile is an image of the release like any other). */
static int release_tiles(PGconn *c, hs_geostore *g, hs_proj_ctx *pc, hs_render_ctx *rctx,
                         const hs_release *rel, const char *dir, hs_err *err)
{
    char from[16], to[16], out[4200];
    hs_period_format(rel->from, from, sizeof from);
    hs_period_format(rel->to, to, sizeof to);
    snprintf(out, sizeof out, "%s/tiles", dir);
    char *argv[] = {"--from", from, "--to", to, "--permutations", "999", "--seed", "138",
                    "--public"};
    hs_arena *a = hs_arena_create(1 << 14);
    hs_query *q = NULL;
    hs_tile_req tr;
    hs_pyramid_stats ps = {0};
    int layer = 0;
    int rc = a ? hs_query_from_argv(a, (int)(sizeof argv / sizeof *argv), argv, &q, err)
               : hs_err_set(err, HS_ENOMEM, "arena");
    if (rc == HS_OK)
        rc = hs_tile_layer_parse(HS_RELEASE_TILE_LAYER, &layer, err);
    if (rc == HS_OK)
        rc = hs_tile_req_parse(q, layer, NULL, rel->to, &tr, err);
    char desc[200];
    snprintf(desc, sizeof desc, "Hotspot138 release %s: commune hot spots (Gi*), public classes",
             rel->period);
    hs_pyramid_opts o = {.out = out, .minzoom = 0, .maxzoom = HS_RELEASE_TILE_MAXZOOM,
                         .progress = 0,
                         .meta = {.name = HS_RELEASE_TILE_LAYER, .description = desc,
                                  .type = "baselayer"}};
    const char *stamp[3] = {NULL};
    int ns = 0;
    if (rel->internal)
        stamp[ns++] = HS_PUBLISH_INTERNAL_MARK;
    if (rel->synthetic)
        stamp[ns++] = "DỮ LIỆU MÔ PHỎNG / SYNTHETIC";
    if (rc == HS_OK)
        rc = hs_tiles_export(c, g, pc, rctx, &tr, &o, stamp, &ps, err);
    hs_arena_destroy(a);
    return rc;
}

/* Internal sets only: commune detail (the `hotspot analyze` table) and the priority
 * list (`hotspot priorities`) of the release's period with its fixed parameters, in
 * DIR/internal/. These hold commune counts: a public set never calls this. */
static int internal_tables(PGconn *c, const hs_release *rel, const char *dir, hs_table **prio,
                           hs_err *err)
{
    char from[16], to[16], sub[4200];
    hs_period_format(rel->from, from, sizeof from);
    hs_period_format(rel->to, to, sizeof to);
    snprintf(sub, sizeof sub, "%s/internal", dir);
    if (mkdir(sub, 0755) != 0)
        return hs_err_set(err, HS_EIO, "cannot create %s: %s", sub, strerror(errno));
    char *argv[] = {"--from", from, "--to", to, "--level", "commune", "--permutations", "999",
                    "--seed", "138"};
    hs_arena *a = hs_arena_create(1 << 14);
    hs_query *q = NULL;
    hs_params p;
    hs_table *t = NULL;
    hs_buf b;
    hs_buf_init(&b, 0);
    int rc = a ? hs_query_from_argv(a, (int)(sizeof argv / sizeof *argv), argv, &q, err)
               : hs_err_set(err, HS_ENOMEM, "arena");
    if (rc == HS_OK)
        rc = hs_params_parse(q, HS_P_STATS, rel->to, &p, err);
    if (rc == HS_OK && (rc = hs_report_build(c, HS_REPORT_ANALYZE, &p, 0, &t, err)) == HS_OK &&
        (rc = hs_export_csv(t, &b, err)) == HS_OK)
        rc = write_file(sub, "communes.csv", b.data, b.len, err);
    hs_table_free(t);
    t = NULL;
    b.len = 0;
    if (rc == HS_OK && (rc = hs_report_build(c, HS_REPORT_PRIORITIES, &p, 0, &t, err)) == HS_OK &&
        (rc = hs_export_csv(t, &b, err)) == HS_OK)
        rc = write_file(sub, "priorities.csv", b.data, b.len, err);
    if (rc == HS_OK)
        *prio = t;
    else
        hs_table_free(t);
    hs_buf_free(&b);
    hs_arena_destroy(a);
    return rc;
}

/* Every regular file under dir (relative paths, sorted so the manifest is stable). */
static int list_files(const char *dir, const char *rel, GPtrArray *out, hs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, rel[0] ? "/" : "", rel);
    GDir *d = g_dir_open(path, 0, NULL);
    if (!d)
        return hs_err_set(err, HS_EIO, "cannot list %s", path);
    const char *n;
    int rc = HS_OK;
    while (rc == HS_OK && (n = g_dir_read_name(d))) {
        char sub[4096], full[4200];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", n);
        snprintf(full, sizeof full, "%s/%s", dir, sub);
        if (g_file_test(full, G_FILE_TEST_IS_DIR))
            rc = list_files(dir, sub, out, err);
        else if (strcmp(sub, "manifest.json") != 0)
            g_ptr_array_add(out, g_strdup(sub));
    }
    g_dir_close(d);
    return rc;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The SHA-256 of every file but the manifest, with the release description. */
static int write_manifest(const char *dir, const hs_release *rel, const char *now, hs_err *err)
{
    json_t *m = json_object(), *files = json_object();
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    int rc = list_files(dir, "", names, err);
    g_ptr_array_sort(names, cmp_str);
    for (guint i = 0; i < names->len && rc == HS_OK; i++) {
        const char *name = g_ptr_array_index(names, i);
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, name);
        gchar *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &data, &len, NULL)) {
            rc = hs_err_set(err, HS_EIO, "cannot read back %s", path);
            break;
        }
        gchar *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)data, len);
        json_object_set_new(files, name,
                            json_pack("{s:s, s:I}", "sha256", sum, "bytes", (json_int_t)len));
        g_free(sum);
        g_free(data);
    }
    g_ptr_array_free(names, TRUE);
    json_object_set_new(m, "files", files);
    json_object_set_new(m, "tiles",
                        json_pack("{s:s, s:s, s:i, s:i, s:s}", "layer", HS_RELEASE_TILE_LAYER,
                                  "url", "tiles/{z}/{x}/{y}.png", "minzoom", 0, "maxzoom",
                                  HS_RELEASE_TILE_MAXZOOM, "hashes",
                                  "every tile is in files, with its own sha256"));
    json_object_set_new(m, "data_version", json_integer(rel->data_version));
    json_object_set_new(m, "period", json_string(rel->period));
    json_object_set_new(m, "audience", json_string(rel->internal ? "internal" : "public"));
    json_object_set_new(m, "generated_at", json_string(now));
    json_object_set_new(m, "synthetic", json_boolean(rel->synthetic));
    json_object_set_new(m, "parameters",
                        json_pack("{s:s, s:s, s:i, s:i, s:s}", "indicator", "cases", "weights",
                                  "queen", "permutations", 999, "seed", 138, "fdr", "off"));
    json_object_set_new(m, "method",
                        json_pack("{s:s, s:i, s:i, s:s, s:s, s:{s:i, s:i, s:i, s:i, s:i}}",
                                  "name", "cell suppression with an LP audit (hs_sdc)",
                                  "min_shown", HS_SDC_MIN_SHOWN, "min_feasible_integers",
                                  HS_SDC_MIN_FEASIBLE, "small_label", "<5 = 0..4",
                                  "hidden_label", "x = 5 or more, withheld to protect another cell",
                                  "result", "primary", rel->stats.primary, "secondary",
                                  rel->stats.secondary, "province_cells_shown",
                                  rel->stats.province_shown, "province_cells",
                                  rel->stats.province_cells, "fewest_feasible_integers",
                                  rel->stats.min_feasible));
    char *s = rc == HS_OK ? json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    if (rc == HS_OK && !s)
        rc = hs_err_set(err, HS_ENOMEM, "cannot format manifest.json");
    if (rc == HS_OK)
        rc = write_file(dir, "manifest.json", s, strlen(s), err);
    free(s);
    json_decref(m);
    return rc;
}

static int publish(PGconn *c, hs_release *rel, const char *out, hs_err *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", out) >= (int)sizeof tmp)
        return hs_err_set(err, HS_EINVAL, "--out %s is too long", out);
    if (!mkdtemp(tmp))
        return hs_err_set(err, HS_EIO, "cannot create a folder next to %s: %s", out,
                          strerror(errno));
    chmod(tmp, 0755); /* mkdtemp makes it 0700; a web server must read the release */
    char now[32];
    hs_map_now(now, sizeof now);
    hs_buf b;
    hs_buf_init(&b, 0);
    hs_geostore *g = NULL;
    hs_proj_ctx *pc = hs_threadctx_proj(err);
    hs_render_ctx *rctx = pc ? hs_threadctx_render(err) : NULL;
    int rc = rctx ? hs_geostore_load(c, pc, &g, err) : err->code;
    for (int i = 0; MAPS[i] && rc == HS_OK; i++) {
        rc = render_map(c, g, pc, rctx, rel, MAPS[i], "png", 0, now, tmp, err);
        if (rc == HS_OK)
            rc = render_map(c, g, pc, rctx, rel, MAPS[i], "svg", 0, now, tmp, err);
    }
    if (rc == HS_OK)
        rc = release_tiles(c, g, pc, rctx, rel, tmp, err);
    if (rc == HS_OK && (rc = hs_publish_chart_monthly(rel, &b, err)) == HS_OK)
        rc = write_file(tmp, "chart_monthly.png", b.data, b.len, err);
    b.len = 0;
    if (rc == HS_OK && (rc = hs_publish_chart_border(rel, &b, err)) == HS_OK)
        rc = write_file(tmp, "chart_border.png", b.data, b.len, err);
    b.len = 0;
    if (rc == HS_OK && (rc = hs_publish_chart_top(rel, &b, err)) == HS_OK)
        rc = write_file(tmp, "chart_top.png", b.data, b.len, err);
    b.len = 0;
    if (rc == HS_OK && (rc = hs_publish_csv(rel, &b, err)) == HS_OK)
        rc = write_file(tmp, "data.csv", b.data, b.len, err);
    b.len = 0;
    if (rc == HS_OK && (rc = hs_publish_json(rel, now, &b, err)) == HS_OK)
        rc = write_file(tmp, "data.json", b.data, b.len, err);
    b.len = 0;
    hs_table *prio = NULL;
    if (rc == HS_OK && rel->internal)
        rc = internal_tables(c, rel, tmp, &prio, err);
    if (rc == HS_OK && rel->internal)
        rc = render_map(c, g, pc, rctx, rel, "eb_rate", "png", 1, now, tmp, err);
    if (rc == HS_OK && (rc = hs_publish_html(rel, MAPS, prio, now, &b, err)) == HS_OK)
        rc = write_file(tmp, "index.html", b.data, b.len, err);
    hs_table_free(prio);
    if (rc == HS_OK)
        rc = write_manifest(tmp, rel, now, err);
    hs_buf_free(&b);
    hs_geostore_unref(g);
    if (rc == HS_OK) {
        /* Replace an old release whole: move it aside, rename, then delete it. */
        char old[4200];
        snprintf(old, sizeof old, "%s.old.%ld", out, (long)getpid());
        int had_old = rename(out, old) == 0;
        if (rename(tmp, out) != 0) {
            rc = hs_err_set(err, HS_EIO, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
            if (had_old)
                rename(old, out);
        } else if (had_old) {
            nftw(old, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
        }
    }
    if (rc != HS_OK)
        nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int hs_cli_publish(int argc, char **argv)
{
    const char *period = NULL, *out = NULL, *aud = "public";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf("%s", HELP);
            return 0;
        }
        const char **dst = !strcmp(argv[i], "--period") ? &period
                           : !strcmp(argv[i], "--out")  ? &out
                           : !strcmp(argv[i], "--audience") ? &aud
                                                            : NULL;
        if (!dst || i + 1 >= argc) {
            fprintf(stderr, "hotspot publish: %s option %s\n%s", dst ? "missing value of" : "unknown",
                    argv[i], HELP);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!period || !out || (strcmp(aud, "public") && strcmp(aud, "internal"))) {
        fprintf(stderr, "hotspot publish: --period and --out are required; --audience is "
                        "public or internal\n%s", HELP);
        return 2;
    }
    hs_err err = {0};
    PGconn *c = NULL;
    hs_release *rel = NULL;
    int status = 1, rc = hs_pg_connect(&c, &err);
    if (rc == HS_OK) {
        rc = hs_release_build(c, period, !strcmp(aud, "internal"), &rel, &err);
        if (rc == HS_EINVAL || rc == HS_ENOTFOUND)
            status = 2;
    }
    if (rc == HS_OK)
        rc = publish(c, rel, out, &err);
    if (rc == HS_OK) {
        status = 0;
        fprintf(stderr, "hotspot publish: wrote %s (%s, data version %lld, %d cells 1..4 as <5, "
                        "%d more withheld, %d of %d province cells shown, audit: every <5 keeps "
                        ">= %d values, %d LPs)\n",
                out, rel->period, rel->data_version, rel->stats.primary, rel->stats.secondary,
                rel->stats.province_shown, rel->stats.province_cells, rel->stats.min_feasible,
                rel->stats.lps);
    } else {
        fprintf(stderr, "hotspot publish: %s\n", err.msg);
    }
    hs_release_free(rel);
    hs_threadctx_release();
    hs_threadctx_process_cleanup();
    if (c)
        PQfinish(c);
    return status;
}
