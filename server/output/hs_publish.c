/* hs_publish: build a release's protected figures and format them (hs_publish.h). */
#include "hs_publish.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_chart.h"
#include "hs_data.h"
#include "hs_period.h"

static int parse_period(const char *s, hs_release *r, hs_err *err)
{
    int y = 0, q = 0;
    char tail = 0;
    if (sscanf(s, "%4d-Q%1d%c", &y, &q, &tail) == 2 && q >= 1 && q <= 4) {
        r->nquarters = q;
        r->has_year = 0;
    } else if (sscanf(s, "%4d%c", &y, &tail) == 1 && strlen(s) == 4) {
        r->nquarters = 4;
        r->has_year = 1;
    } else {
        return hs_err_set(err, HS_EINVAL, "--period %s: expected YYYY-QN (N 1..4) or YYYY", s);
    }
    if (y < 1990 || y > 2100)
        return hs_err_set(err, HS_EINVAL, "--period %s: year out of range", s);
    r->year = y;
    snprintf(r->period, sizeof r->period, "%s", s);
    r->from = y * 12;
    r->to = y * 12 + 3 * r->nquarters - 1;
    r->ncol = r->nquarters + r->has_year;
    for (int i = 0; i < r->nquarters; i++)
        snprintf(r->col[i], sizeof r->col[i], "%d-Q%d", y, i + 1);
    if (r->has_year)
        snprintf(r->col[r->nquarters], sizeof r->col[0], "%d", y);
    return HS_OK;
}

void hs_release_free(hs_release *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->nprov; i++) {
        free(r->code ? r->code[i] : NULL);
        free(r->name ? r->name[i] : NULL);
    }
    free(r->code);
    free(r->name);
    free(r->pop);
    free(r->v);
    free(r->f);
    free(r);
}

/* Exact counts live only inside this function: they go through hs_sdc and only the
 * SHOWN cells are copied out. */
static int protect(hs_release *r, const hs_series *s, hs_err *err)
{
    int n = r->nprov, nc = r->ncol;
    double *x = calloc((size_t)n * nc, sizeof *x);
    if (!x)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the release table");
    double month[12] = {0};
    for (int i = 0; i < n; i++)
        for (int t = 0; t < s->T; t++) {
            double v = s->v[(size_t)i * s->T + t];
            x[(size_t)i * nc + t / 3] += v;
            if (r->has_year)
                x[(size_t)i * nc + r->nquarters] += v;
            month[t] += v;
        }
    int rc = hs_sdc_protect_table(n, nc, x, r->pop, r->f, r->nat_f, &r->stats, err);
    if (rc == HS_OK)
        rc = hs_sdc_protect_series(r->nmonth, month, r->month_f, err);
    for (int j = 0; rc == HS_OK && j < nc; j++) {
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += x[(size_t)i * nc + j];
        r->nat[j] = r->nat_f[j] == HS_SDC_SHOWN ? sum : 0;
    }
    for (int k = 0; rc == HS_OK && k < (int)((size_t)n * nc); k++)
        r->v[k] = r->f[k] == HS_SDC_SHOWN ? x[k] : 0;
    for (int t = 0; rc == HS_OK && t < r->nmonth; t++)
        r->month[t] = r->month_f[t] == HS_SDC_SHOWN ? month[t] : 0;
    free(x);
    return rc;
}

int hs_release_build(PGconn *c, const char *period, int internal, hs_release **out, hs_err *err)
{
    *out = NULL;
    hs_release *r = calloc(1, sizeof *r);
    if (!r)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a release");
    r->internal = internal;
    hs_unitset *u = NULL;
    hs_series *s = NULL;
    int first = 0, last = 0, rc = parse_period(period, r, err);
    if (rc == HS_OK)
        rc = hs_data_period_range(c, &first, &last, err);
    if (rc == HS_OK && (r->from < first || r->to > last)) {
        char a[16], b[16];
        hs_period_format(first, a, sizeof a);
        hs_period_format(last, b, sizeof b);
        rc = hs_err_set(err, HS_ENOTFOUND, "--period %s is not complete in the data (%s to %s)",
                        period, a, b);
    }
    if (rc == HS_OK)
        rc = hs_data_version(c, &r->data_version, err);
    if (rc == HS_OK)
        rc = hs_data_is_synthetic(c, &r->synthetic, err);
    if (rc == HS_OK)
        rc = hs_data_load_units(c, HS_LEVEL_PROVINCE, NULL, r->year, &u, err);
    if (rc == HS_OK)
        rc = hs_data_load_series(c, u, HS_IND_CASES, r->from, r->to, &s, err);
    if (rc == HS_OK) {
        r->nprov = u->n;
        r->nmonth = s->T;
        r->code = calloc(u->n, sizeof *r->code);
        r->name = calloc(u->n, sizeof *r->name);
        r->pop = calloc(u->n, sizeof *r->pop);
        r->v = calloc((size_t)u->n * r->ncol, sizeof *r->v);
        r->f = calloc((size_t)u->n * r->ncol, 1);
        if (!r->code || !r->name || !r->pop || !r->v || !r->f)
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate %d provinces", u->n);
        for (int i = 0; rc == HS_OK && i < u->n; i++) {
            r->code[i] = strdup(u->code[i]);
            r->name[i] = strdup(u->name[i]);
            r->pop[i] = u->population[i];
            r->nat_pop += u->population[i] > 0 ? u->population[i] : 0;
            if (!r->code[i] || !r->name[i])
                rc = hs_err_set(err, HS_ENOMEM, "cannot copy province names");
        }
    }
    if (rc == HS_OK)
        rc = protect(r, s, err);
    hs_series_free(s);
    hs_unitset_free(u);
    if (rc < 0) {
        hs_release_free(r);
        return rc;
    }
    *out = r;
    return HS_OK;
}

static void rate_text(double x, unsigned char f, double pop, char *buf, size_t n)
{
    double rt = hs_sdc_rate(x, f, pop);
    if (isnan(rt))
        snprintf(buf, n, "%s", f == HS_SDC_SHOWN ? "" : "x");
    else
        snprintf(buf, n, "%.2f", rt);
}

/* Names with commas or quotes are quoted (RFC 4180). */
static int csv_row(hs_buf *b, const char *level, const char *code, const char *name,
                   const char *win, double x, unsigned char f, double pop, int with_rate,
                   hs_err *err)
{
    char v[16], rt[32] = "";
    hs_sdc_format(x, f, v, sizeof v);
    if (with_rate)
        rate_text(x, f, pop, rt, sizeof rt);
    return hs_buf_printf(b, err, "%s,%s,\"%s\",%s,%s,%s\n", level, code, name, win, v, rt);
}

int hs_publish_csv(const hs_release *r, hs_buf *b, hs_err *err)
{
    int rc = hs_buf_printf(b, err, "level,code,name,window,cases,rate_per_100k\n");
    for (int j = 0; rc == HS_OK && j < r->ncol; j++)
        rc = csv_row(b, "national", "VN", "Việt Nam", r->col[j], r->nat[j], r->nat_f[j],
                     r->nat_pop, 1, err);
    for (int t = 0; rc == HS_OK && t < r->nmonth; t++) {
        char m[16];
        hs_period_format(r->from + t, m, sizeof m);
        rc = csv_row(b, "national", "VN", "Việt Nam", m, r->month[t], r->month_f[t], 0, 0, err);
    }
    for (int i = 0; rc == HS_OK && i < r->nprov; i++)
        for (int j = 0; rc == HS_OK && j < r->ncol; j++)
            rc = csv_row(b, "province", r->code[i], r->name[i], r->col[j],
                         r->v[(size_t)i * r->ncol + j], r->f[(size_t)i * r->ncol + j], r->pop[i],
                         1, err);
    return rc;
}

static json_t *cell(const char *level, const char *code, const char *name, const char *win,
                    double x, unsigned char f, double pop, int with_rate)
{
    char v[16];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "level", level, "code", code, "name", name,
                          "window", win);
    json_object_set_new(o, "cases", f == HS_SDC_SHOWN ? json_integer((json_int_t)x)
                                                      : json_string(hs_sdc_format(x, f, v, sizeof v)));
    double rt = with_rate ? hs_sdc_rate(x, f, pop) : NAN;
    if (!isnan(rt))
        json_object_set_new(o, "rate_per_100k", json_real(round(rt * 100) / 100));
    return o;
}

int hs_publish_json(const hs_release *r, const char *now, hs_buf *b, hs_err *err)
{
    json_t *root = json_object(), *wins = json_array(), *figs = json_array();
    for (int j = 0; j < r->ncol; j++) {
        json_t *months = json_array();
        int q0 = j < r->nquarters ? j * 3 : 0, q1 = j < r->nquarters ? j * 3 + 2 : r->nmonth - 1;
        for (int t = q0; t <= q1; t++) {
            char m[16];
            hs_period_format(r->from + t, m, sizeof m);
            json_array_append_new(months, json_string(m));
        }
        json_array_append_new(wins, json_pack("{s:s, s:s, s:o}", "id", r->col[j], "kind",
                                              j < r->nquarters ? "quarter" : "year", "months",
                                              months));
    }
    for (int j = 0; j < r->ncol; j++)
        json_array_append_new(figs, cell("national", "VN", "Việt Nam", r->col[j], r->nat[j],
                                         r->nat_f[j], r->nat_pop, 1));
    for (int t = 0; t < r->nmonth; t++) {
        char m[16];
        hs_period_format(r->from + t, m, sizeof m);
        json_array_append_new(figs, cell("national", "VN", "Việt Nam", m, r->month[t],
                                         r->month_f[t], 0, 0));
    }
    for (int i = 0; i < r->nprov; i++)
        for (int j = 0; j < r->ncol; j++)
            json_array_append_new(figs, cell("province", r->code[i], r->name[i], r->col[j],
                                             r->v[(size_t)i * r->ncol + j],
                                             r->f[(size_t)i * r->ncol + j], r->pop[i], 1));
    json_object_set_new(root, "period", json_string(r->period));
    json_object_set_new(root, "data_version", json_integer(r->data_version));
    json_object_set_new(root, "generated_at", json_string(now));
    json_object_set_new(root, "synthetic", json_boolean(r->synthetic));
    json_object_set_new(root, "legend",
                        json_pack("{s:s, s:s}", "<5", "0 to 4 cases (0–4 ca)", "x",
                                  "5 or more, withheld to protect another cell (≥ 5, ẩn)"));
    json_object_set_new(root, "windows", wins);
    json_object_set_new(root, "figures", figs);
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
    json_decref(root);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot format data.json");
    int rc = hs_buf_printf(b, err, "%s\n", s);
    free(s);
    return rc;
}

int hs_publish_chart_monthly(const hs_release *r, hs_buf *b, hs_err *err)
{
    double v[12];
    char lab[12][16];
    const char *labels[12];
    for (int t = 0; t < r->nmonth; t++) {
        v[t] = r->month_f[t] == HS_SDC_SHOWN ? r->month[t] : NAN;
        snprintf(lab[t], sizeof lab[t], "T%d", (t % 12) + 1);
        labels[t] = lab[t];
    }
    char title[128];
    snprintf(title, sizeof title, "Số vụ theo tháng, toàn quốc — %d (cases per month)", r->year);
    hs_chart_bars c = {.n = r->nmonth, .v = v, .label = labels,
                       .shade_from = r->nmonth > 6 ? 6 : -1,
                       .shade_to = r->nmonth > 8 ? 8 : r->nmonth - 1,
                       .title = title, .y_label = "Số vụ (cases) — tô màu: tháng 7–9, đợt cao điểm",
                       .hidden_label = "<5/x",
                       .mark = r->internal ? HS_PUBLISH_INTERNAL_MARK : NULL,
                       .note = r->synthetic ? "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" : NULL,
                       .width = 1000, .height = 500};
    return hs_chart_bars_png(&c, b, err);
}

const char *const *hs_publish_file_names(const hs_release *r)
{
    (void)r;
    static const char *const names[] = {
        "index.html", "data.csv", "data.json", "chart_monthly.png", "map_gistar.png",
        "map_gistar.svg", "map_emerging.png", "map_emerging.svg", "map_outreach_gap.png",
        "map_outreach_gap.svg", NULL};
    return names;
}
