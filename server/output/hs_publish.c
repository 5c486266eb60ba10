/* hs_publish: build a release's protected figures and format them (hs_publish.h). */
#include "hs_publish.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_chart.h"
#include "hs_chart_multiples.h"
#include "hs_data.h"
#include "hs_period.h"
#include "hs_rates.h"
#include "hs_text.h"

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
    free(r->eb);
    free(r->events);
    free(r->border);
    hs_unitset_free(r->units);
    free(r);
}

/* Exact counts live only inside this function: they go through hs_sdc and only the
 * SHOWN cells are copied out. */
static int protect(hs_release *r, const hs_series *s, hs_err *err)
{
    int n = r->nprov, nc = r->ncol;
    double *x = calloc((size_t)n * nc + 1, sizeof *x);
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
    hs_sdc_table tab = {.nrow = n, .nq = r->nquarters, .has_year = r->has_year, .x = x,
                        .month = month};
    int rc = hs_sdc_protect(&tab, r->f, r->nat_f, r->month_f, &r->stats, err);
    if (rc < 0 && rc != HS_ENOMEM)
        hs_err_prefix(err, "--period %s: ", r->period);
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

/* EB rates from published figures only: per window, the global empirical Bayes
 * estimate over the provinces whose count is SHOWN (prior mean and variance from
 * them alone), so that no withheld count enters any published number. */
static int eb_rates(hs_release *r, hs_err *err)
{
    int n = r->nprov, nc = r->ncol;
    double *x = malloc((size_t)(n > 0 ? n : 1) * 3 * sizeof *x);
    int *idx = malloc((size_t)(n > 0 ? n : 1) * sizeof *idx);
    if (!x || !idx) {
        free(x);
        free(idx);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate EB rates of %d provinces", n);
    }
    double *pop = x + n, *eb = x + 2 * n;
    int rc = HS_OK;
    for (int k = 0; k < n * nc; k++)
        r->eb[k] = NAN;
    for (int j = 0; j < nc && rc == HS_OK; j++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (r->f[(size_t)i * nc + j] == HS_SDC_SHOWN && r->pop[i] > 0) {
                x[m] = r->v[(size_t)i * nc + j];
                pop[m] = r->pop[i];
                idx[m++] = i;
            }
        if (m < 2)
            continue; /* one province alone has no prior to shrink to */
        rc = hs_rates_eb_global(m, x, pop, eb, NULL, NULL, err);
        for (int k = 0; rc == HS_OK && k < m; k++)
            r->eb[(size_t)idx[k] * nc + j] = eb[k];
    }
    free(x);
    free(idx);
    return rc;
}

static int load_outreach(PGconn *c, hs_release *r, hs_err *err)
{
    int rc = HS_OK;
    for (int j = 0; j < r->ncol && rc == HS_OK; j++) {
        int from = j < r->nquarters ? r->from + 3 * j : r->from;
        int to = j < r->nquarters ? from + 2 : r->to;
        hs_outreach *o = NULL;
        rc = hs_data_load_outreach(c, r->units, from, to, &o, err);
        for (int i = 0; rc == HS_OK && i < r->nprov; i++)
            r->events[(size_t)i * r->ncol + j] = o->events[i];
        hs_outreach_free(o);
    }
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
        r->eb = calloc((size_t)u->n * r->ncol, sizeof *r->eb);
        r->events = calloc((size_t)u->n * r->ncol, sizeof *r->events);
        r->border = calloc(u->n > 0 ? u->n : 1, 1);
        if (!r->code || !r->name || !r->pop || !r->v || !r->f || !r->eb || !r->events ||
            !r->border)
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate %d provinces", u->n);
        for (int i = 0; rc == HS_OK && i < u->n; i++) {
            r->code[i] = strdup(u->code[i]);
            r->name[i] = strdup(u->name[i]);
            r->pop[i] = u->population[i];
            r->border[i] = u->border_province[i];
            r->nat_pop += u->population[i] > 0 ? u->population[i] : 0;
            if (!r->code[i] || !r->name[i])
                rc = hs_err_set(err, HS_ENOMEM, "cannot copy province names");
        }
    }
    r->units = u; /* names, population and border flags: no count */
    if (rc == HS_OK)
        rc = protect(r, s, err);
    if (rc == HS_OK)
        rc = eb_rates(r, err);
    if (rc == HS_OK)
        rc = load_outreach(c, r, err);
    hs_series_free(s);
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

/* Outreach events count activities, not people, and are not disclosure-controlled;
 * they still follow the display rule of every count in a release: 1..4 shows "<5",
 * so that no number 1..4 ever stands next to a unit. */
static const char *events_text(double ev, char *buf, size_t n)
{
    if (isnan(ev))
        snprintf(buf, n, "%s", "");
    else if (ev >= 1 && ev < HS_SDC_MIN_SHOWN)
        snprintf(buf, n, "%s", "<5");
    else
        snprintf(buf, n, "%.0f", ev);
    return buf;
}

/* One figure of a release: a count with its flag, and what goes with it. */
typedef struct fig {
    const char *level, *code, *name, *win;
    double x;
    unsigned char f;
    double pop; /* 0 = no rate */
    double eb;  /* NAN = none */
    double ev;  /* outreach events, NAN = none */
} fig;

/* Names with commas or quotes are quoted (RFC 4180). */
static int csv_row(hs_buf *b, const fig *g, hs_err *err)
{
    char v[16], rt[32] = "", eb[32] = "", ev[32];
    hs_sdc_format(g->x, g->f, v, sizeof v);
    if (g->pop > 0)
        rate_text(g->x, g->f, g->pop, rt, sizeof rt);
    if (!isnan(g->eb))
        snprintf(eb, sizeof eb, "%.2f", g->eb);
    return hs_buf_printf(b, err, "%s,%s,\"%s\",%s,%s,%s,%s,%s\n", g->level, g->code, g->name, g->win,
                         v, rt, eb, events_text(g->ev, ev, sizeof ev));
}

static double nat_events(const hs_release *r, int j)
{
    double s = 0;
    for (int i = 0; i < r->nprov; i++)
        s += r->events[(size_t)i * r->ncol + j];
    return s;
}

/* Every figure of the release in one order: national windows, national months,
 * province windows. CSV and JSON both walk it, so they hold the same figures. */
static int each_figure(const hs_release *r, int (*fn)(const fig *, void *, hs_err *), void *u,
                       hs_err *err)
{
    int rc = HS_OK;
    for (int j = 0; rc == HS_OK && j < r->ncol; j++)
        rc = fn(&(fig){"national", "VN", "Việt Nam", r->col[j], r->nat[j], r->nat_f[j], r->nat_pop,
                       NAN, nat_events(r, j)},
                u, err);
    for (int t = 0; rc == HS_OK && t < r->nmonth; t++) {
        char m[16];
        hs_period_format(r->from + t, m, sizeof m);
        rc = fn(&(fig){"national", "VN", "Việt Nam", m, r->month[t], r->month_f[t], 0, NAN, NAN}, u,
                err);
    }
    for (int i = 0; rc == HS_OK && i < r->nprov; i++)
        for (int j = 0; rc == HS_OK && j < r->ncol; j++) {
            size_t k = (size_t)i * r->ncol + j;
            rc = fn(&(fig){"province", r->code[i], r->name[i], r->col[j], r->v[k], r->f[k],
                           r->pop[i], r->eb[k], r->events[k]},
                    u, err);
        }
    return rc;
}

static int csv_fn(const fig *g, void *u, hs_err *err)
{
    return csv_row(u, g, err);
}

int hs_publish_csv(const hs_release *r, hs_buf *b, hs_err *err)
{
    int rc = hs_buf_printf(b, err, "level,code,name,window,cases,rate_per_100k,eb_rate_per_100k,"
                                   "outreach_events\n");
    return rc == HS_OK ? each_figure(r, csv_fn, b, err) : rc;
}

static int json_fn(const fig *g, void *u, hs_err *err)
{
    char v[16], ev[16];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "level", g->level, "code", g->code, "name",
                          g->name, "window", g->win);
    if (!o)
        return hs_err_set(err, HS_ENOMEM, "cannot format a figure");
    json_object_set_new(o, "cases", g->f == HS_SDC_SHOWN
                                        ? json_integer((json_int_t)g->x)
                                        : json_string(hs_sdc_format(g->x, g->f, v, sizeof v)));
    double rt = g->pop > 0 ? hs_sdc_rate(g->x, g->f, g->pop) : NAN;
    if (!isnan(rt))
        json_object_set_new(o, "rate_per_100k", json_real(round(rt * 100) / 100));
    if (!isnan(g->eb))
        json_object_set_new(o, "eb_rate_per_100k", json_real(round(g->eb * 100) / 100));
    if (!isnan(g->ev)) {
        events_text(g->ev, ev, sizeof ev);
        json_object_set_new(o, "outreach_events",
                            ev[0] == '<' ? json_string(ev) : json_integer((json_int_t)g->ev));
    }
    json_array_append_new(u, o);
    return HS_OK;
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
    int rc = each_figure(r, json_fn, figs, err);
    if (rc < 0) {
        json_decref(wins);
        json_decref(figs);
        json_decref(root);
        return rc;
    }
    json_object_set_new(root, "period", json_string(r->period));
    json_object_set_new(root, "data_version", json_integer(r->data_version));
    json_object_set_new(root, "generated_at", json_string(now));
    json_object_set_new(root, "synthetic", json_boolean(r->synthetic));
    json_object_set_new(root, "legend",
                        json_pack("{s:s, s:s}", "<5", "0 to 4 cases (0–4 ca)", "x",
                                  "5 or more, withheld to protect another cell (≥ 5, ẩn)"));
    json_object_set_new(root, "windows", wins);
    json_t *br = json_array();
    static const double breaks[] = HS_RELEASE_EB_BREAKS;
    for (int i = 0; i < HS_RELEASE_EB_NBREAKS; i++)
        json_array_append_new(br, json_real(breaks[i]));
    json_object_set_new(root, "map_eb_rate",
                        json_pack("{s:s, s:s, s:o, s:s}", "window", r->col[hs_release_map_col(r)],
                                  "unit", "EB rate per 100 000 per year (quarters x4)", "breaks",
                                  br, "drawn_from", "eb_rate_per_100k of the window's SHOWN "
                                  "provinces; withheld provinces are grey"));
    json_object_set_new(root, "figures", figs);
    char *s = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII * 0);
    json_decref(root);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot format data.json");
    rc = hs_buf_printf(b, err, "%s\n", s);
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

int hs_release_map_col(const hs_release *r)
{
    return r->ncol - 1; /* the year when the release has one, else its last quarter */
}

double hs_release_map_eb(const hs_release *r, int prov)
{
    int j = hs_release_map_col(r);
    double e = r->eb[(size_t)prov * r->ncol + j];
    return j < r->nquarters ? 4 * e : e; /* per year */
}

static int decimals(double x)
{
    return x == floor(x) ? 0 : x * 10 == floor(x * 10) ? 1 : 2;
}

void hs_release_eb_label(int i, char *buf, size_t n)
{
    static const double b[] = HS_RELEASE_EB_BREAKS;
    char x[32], y[32];
    int k = HS_RELEASE_EB_NBREAKS;
    if (i > 0)
        hs_text_format_number(b[i - 1], decimals(b[i - 1]), x, sizeof x);
    if (i < k)
        hs_text_format_number(b[i], decimals(b[i]), y, sizeof y);
    if (i <= 0)
        snprintf(buf, n, "< %s", y);
    else if (i >= k)
        snprintf(buf, n, "≥ %s", x);
    else
        snprintf(buf, n, "%s – %s", x, y);
}

static const char *mark_of(const hs_release *r)
{
    return r->internal ? HS_PUBLISH_INTERNAL_MARK : NULL;
}

static const char *note_of(const hs_release *r)
{
    return r->synthetic ? "DỮ LIỆU MÔ PHỎNG / SYNTHETIC DATA" : NULL;
}

#define TEXT_LEN 16

int hs_publish_chart_border(const hs_release *r, hs_buf *b, hs_err *err)
{
    int nb = 0, j = hs_release_map_col(r), nc = r->ncol;
    for (int i = 0; i < r->nprov; i++)
        nb += r->border[i] != 0;
    if (nb > HS_CHART_MAX_ROWS)
        return hs_err_set(err, HS_ELIMIT, "%d border provinces: the chart holds %d", nb,
                          HS_CHART_MAX_ROWS);
    const char **rows = calloc(nb + 1, sizeof *rows), **text = calloc(2 * nb + 1, sizeof *text);
    double *v = calloc(2 * nb + 1, sizeof *v);
    char *tb = calloc(2 * nb + 1, TEXT_LEN);
    int rc = rows && text && v && tb ? HS_OK
                                     : hs_err_set(err, HS_ENOMEM, "cannot allocate the chart");
    for (int i = 0, k = 0; rc == HS_OK && i < r->nprov; i++) {
        if (!r->border[i])
            continue;
        size_t c = (size_t)i * nc + j;
        rows[k] = r->name[i];
        v[k] = r->f[c] == HS_SDC_SHOWN ? r->v[c] : NAN;
        text[k] = hs_sdc_format(r->v[c], r->f[c], tb + (size_t)k * TEXT_LEN, TEXT_LEN);
        double ev = r->events[c];
        v[nb + k] = ev >= 1 && ev < HS_SDC_MIN_SHOWN ? NAN : ev;
        text[nb + k] = events_text(ev, tb + (size_t)(nb + k) * TEXT_LEN, TEXT_LEN);
        k++;
    }
    char title[160], sub[200];
    snprintf(title, sizeof title, "Các tỉnh biên giới — %s (border provinces)", r->col[j]);
    snprintf(sub, sizeof sub, "Số vụ và số hoạt động truyền thông, kỳ %s (cases and outreach "
                              "events)", r->col[j]);
    const char *panels[] = {"Số vụ (cases)", "Hoạt động truyền thông (outreach events)"};
    hs_chart_hbars c = {.nrows = nb, .npanels = 2, .row_label = rows, .panel_title = panels,
                        .v = v, .text = text, .title = title, .subtitle = sub,
                        .footnote = "\"<5\": từ 0 đến 4 (0 to 4); \"x\": từ 5 trở lên, được ẩn để "
                                    "bảo vệ ô khác (5 or more, withheld)",
                        .mark = mark_of(r), .note = note_of(r), .width = 1100};
    if (rc == HS_OK)
        rc = hs_chart_hbars_png(&c, b, err);
    free(rows);
    free(text);
    free(v);
    free(tb);
    return rc;
}

int hs_publish_chart_top(const hs_release *r, hs_buf *b, hs_err *err)
{
    int j = hs_release_map_col(r), nc = r->ncol, top[HS_RELEASE_TOP_PROVINCES], nt = 0;
    /* Rank by the published count of the map window, SHOWN rows only (the rank of a
     * withheld row would tell about its value); ties keep code order (stable). */
    int *ord = malloc((size_t)(r->nprov > 0 ? r->nprov : 1) * sizeof *ord), m = 0;
    if (!ord)
        return hs_err_set(err, HS_ENOMEM, "cannot rank %d provinces", r->nprov);
    for (int i = 0; i < r->nprov; i++)
        if (r->f[(size_t)i * nc + j] == HS_SDC_SHOWN)
            ord[m++] = i;
    for (int a = 1; a < m; a++) {
        int key = ord[a], k = a - 1;
        while (k >= 0 && r->v[(size_t)ord[k] * nc + j] < r->v[(size_t)key * nc + j]) {
            ord[k + 1] = ord[k];
            k--;
        }
        ord[k + 1] = key;
    }
    for (; nt < m && nt < HS_RELEASE_TOP_PROVINCES; nt++)
        top[nt] = ord[nt];
    free(ord);
    double v[HS_RELEASE_TOP_PROVINCES][4];
    char tb[HS_RELEASE_TOP_PROVINCES][4][TEXT_LEN];
    const char *text[HS_RELEASE_TOP_PROVINCES][4];
    hs_chart_panel p[HS_RELEASE_TOP_PROVINCES];
    char lab[4][16];
    const char *labels[4];
    for (int q = 0; q < r->nquarters; q++) {
        snprintf(lab[q], sizeof lab[q], "Q%d", q + 1);
        labels[q] = lab[q];
    }
    for (int k = 0; k < nt; k++) {
        for (int q = 0; q < r->nquarters; q++) {
            size_t c = (size_t)top[k] * nc + q;
            v[k][q] = r->f[c] == HS_SDC_SHOWN ? r->v[c] : NAN;
            text[k][q] = hs_sdc_format(r->v[c], r->f[c], tb[k][q], TEXT_LEN);
        }
        p[k] = (hs_chart_panel){r->name[top[k]], v[k], text[k]};
    }
    char title[160], sub[200];
    snprintf(title, sizeof title, "Số vụ theo quý, %d tỉnh cao nhất — %d (top provinces, cases "
                                  "per quarter)", nt ? nt : HS_RELEASE_TOP_PROVINCES, r->year);
    snprintf(sub, sizeof sub, "Xếp hạng theo số vụ công bố của kỳ %s; cùng một thang đo (one "
                              "scale for all panels)", r->col[j]);
    hs_chart_multiples c = {.npanels = nt, .n = r->nquarters, .cols = 3, .panel = p,
                            .label = labels, .title = title, .subtitle = sub,
                            .y_label = "Trục tung: số vụ (y: cases)", .mark = mark_of(r),
                            .note = note_of(r),
                            .empty_text = "Không có tỉnh nào được công bố riêng trong kỳ này: "
                                          "mọi hàng tỉnh đều bị ẩn (no province row is published)",
                            .width = 1100, .height = 640};
    return hs_chart_multiples_png(&c, b, err);
}
