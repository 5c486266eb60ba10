#include "hs_risk.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_gistar_codes.h"
#include "hs_pvalue.h"

void hs_risk_opts_default(hs_risk_opts *o)
{
    o->w = (hs_risk_weights){.rate = 0.35, .gi = 0.30, .border = 0.20, .trend = 0.15};
    o->border_scale_km = 50.0;
    o->z_sat = HS_GI_Z_TOP;
    o->alpha = HS_GI_P[0];
    o->border_reason_km = 50.0;
    o->rate_reason_top = 0.10;
    o->low_coverage_pct = 0.25;
    o->window_months = 12;
    o->rank_by = HS_RISK_RANK_GAP;
    o->top_k = 50;
}

static const struct {
    const char *keys[4];
    const char *en, *vi;
} countries[] = {
    {{"china", "cn", "chn", "trung quốc"}, "China", "Trung Quốc"},
    {{"laos", "la", "lao", "lào"}, "Laos", "Lào"},
    {{"cambodia", "kh", "khm", "campuchia"}, "Cambodia", "Campuchia"},
};

static int country_index(const char *c)
{
    if (!c || !*c)
        return -1;
    for (size_t i = 0; i < sizeof countries / sizeof *countries; i++)
        for (int k = 0; k < 4; k++)
            if (strcasecmp(c, countries[i].keys[k]) == 0)
                return (int)i;
    if (strncasecmp(c, "lao ", 4) == 0) /* "Lao PDR", "Lao People's Democratic Republic" */
        return 1;
    return -1;
}

const char *hs_risk_country_vi(const char *country)
{
    int i = country_index(country);
    return i < 0 ? NULL : countries[i].vi;
}

/* ---- percentiles ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percent rank with ties averaged: pct[i] = (#{j: v_j < v_i} + (#{j: v_j == v_i} - 1)/2)
 * / (m - 1) over the m finite values, so the lowest unit gets 0, the highest 1, and a
 * block of equal values shares the middle of its ranks (a typical coverage shared by
 * most units is not "low"). 0.5 when m == 1; NAN where v is not finite.
 * `sorted` is scratch of n doubles. */
static int lower_bound(const double *sorted, int m, double v)
{
    int lo = 0, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (sorted[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Number of leading values of sorted[0..m-1] that are <= v. */
static int upper_bound(const double *sorted, int m, double v)
{
    int lo = 0, hi = m;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Sorts m finite doubles ascending, as qsort with cmp_double would (the sorted values
 * are the same whatever the algorithm; -0 and +0, equal to every comparison made on
 * the result, may come in either order). LSD radix on the order-preserving 64-bit
 * image, 8 passes of 8 bits, through `tmp` (m doubles): 4 qsorts of 10,000 values were
 * half of the risk stage. Small inputs keep qsort. */
static void sort_finite(double *v, int m, double *tmp)
{
    if (m < 256) {
        qsort(v, (size_t)m, sizeof *v, cmp_double);
        return;
    }
    uint64_t *a = (uint64_t *)v, *b = (uint64_t *)tmp;
    for (int i = 0; i < m; i++) {
        uint64_t u;
        memcpy(&u, &v[i], sizeof u);
        a[i] = u >> 63 ? ~u : u | 0x8000000000000000ull;
    }
    for (int pass = 0; pass < 8; pass++) {
        int shift = 8 * pass;
        size_t cnt[256] = {0};
        for (int i = 0; i < m; i++)
            cnt[(a[i] >> shift) & 255]++;
        if (cnt[(a[0] >> shift) & 255] == (size_t)m)
            continue; /* every key has this byte: the pass would not move anything */
        size_t pos = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = cnt[d];
            cnt[d] = pos;
            pos += c;
        }
        for (int i = 0; i < m; i++)
            b[cnt[(a[i] >> shift) & 255]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    for (int i = 0; i < m; i++) {
        uint64_t u = a[i] >> 63 ? a[i] & 0x7fffffffffffffffull : ~a[i];
        memcpy(&v[i], &u, sizeof u);
    }
}

static void percentiles(const double *v, int n, double *pct, double *sorted)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i]))
            sorted[m++] = v[i];
    sort_finite(sorted, m, pct);
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            pct[i] = NAN;
            continue;
        }
        if (m == 1) {
            pct[i] = 0.5;
            continue;
        }
        int below = lower_bound(sorted, m, v[i]);
        /* Binary search for the end of the tie block too: a linear walk made this
         * O(n^2) when most units share a value (no outreach anywhere: n = 10,609
         * took 0.15 s). */
        int eq = upper_bound(sorted + below, m - below, v[i]);
        pct[i] = (below + 0.5 * (eq - 1)) / (double)(m - 1);
    }
}

/* Number of finite values >= v (for "top N%") in sorted[0..m-1]. */
static int count_at_least(const double *sorted, int m, double v)
{
    return m - lower_bound(sorted, m, v);
}

/* ---- reasons ---------------------------------------------------------------------- */

typedef struct reason_buf {
    char *s;
    size_t len, cap;
} reason_buf;

/* Appends ", " + part only if all of it fits, so a reason is never cut mid-phrase
 * (or mid UTF-8 character). */
static void reason_add(reason_buf *b, const char *part)
{
    size_t plen = strlen(part), sep = b->len ? 2 : 0;
    if (b->len + sep + plen + 1 > b->cap)
        return;
    if (sep)
        memcpy(b->s + b->len, ", ", 2);
    memcpy(b->s + b->len + sep, part, plen + 1);
    b->len += sep + plen;
}

/* Vietnamese number style: decimal comma ("0,4"). */
static void vi_decimal(char *s)
{
    for (; *s; s++)
        if (*s == '.')
            *s = ',';
}

/* Copies a caller-supplied name into dst, cut at a UTF-8 character boundary. */
static void copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void build_reasons(const hs_risk_input *in, const hs_risk_opts *o, const hs_risk_result *r,
                          const double *sorted_rate, int m_rate, int i, hs_priority *pr)
{
    reason_buf en = {pr->reason_en, 0, sizeof pr->reason_en};
    reason_buf vi = {pr->reason_vi, 0, sizeof pr->reason_vi};
    pr->reason_en[0] = pr->reason_vi[0] = '\0';
    char a[160], b[160];

    double gz = in->gi_z ? in->gi_z[i] : NAN;
    double gp = in->gi_p ? in->gi_p[i] : hs_p_two_sided(gz);
    if (isfinite(gz) && gz > 0 && gp < o->alpha) {
        int lv = hs_gi_level(gp);
        int conf = lv > 0 ? HS_GI_CONF[lv - 1] : HS_GI_CONF[0];
        snprintf(a, sizeof a, "hot spot (%d%%)", conf);
        snprintf(b, sizeof b, "điểm nóng (%d%%)", conf);
        reason_add(&en, a);
        reason_add(&vi, b);
    }

    double rate = in->eb_rate[i];
    if (isfinite(rate) && m_rate > 0) {
        int top = (int)ceil(100.0 * count_at_least(sorted_rate, m_rate, rate) / m_rate);
        if (top <= (int)floor(o->rate_reason_top * 100.0 + 1e-9)) {
            char num[32];
            snprintf(num, sizeof num, "%.1f", rate);
            snprintf(a, sizeof a, "high rate %s per 100,000 (top %d%%)", num, top);
            vi_decimal(num);
            snprintf(b, sizeof b, "tỷ lệ cao %s/100.000 dân (nhóm %d%% cao nhất)", num, top);
            reason_add(&en, a);
            reason_add(&vi, b);
        }
    }

    double d = in->border_km ? in->border_km[i] : NAN;
    if (isfinite(d) && d >= 0 && d <= o->border_reason_km) {
        const char *cname = in->border_country ? in->border_country[i] : NULL;
        int ci = country_index(cname);
        char en_name[64], vi_name[64];
        if (ci >= 0) {
            snprintf(en_name, sizeof en_name, "%s", countries[ci].en);
            snprintf(vi_name, sizeof vi_name, "%s", countries[ci].vi);
        } else if (cname && *cname) {
            copy_name(en_name, sizeof en_name, cname);
            copy_name(vi_name, sizeof vi_name, cname);
        } else {
            en_name[0] = vi_name[0] = '\0';
        }
        if (d < 1.0) {
            snprintf(a, sizeof a, "less than 1 km from the %s%sborder", en_name,
                     en_name[0] ? " " : "land ");
            snprintf(b, sizeof b, "cách biên giới %s dưới 1 km", vi_name[0] ? vi_name : "đất liền");
        } else {
            snprintf(a, sizeof a, "%.0f km from the %s%sborder", d, en_name,
                     en_name[0] ? " " : "land ");
            snprintf(b, sizeof b, "cách biên giới %s %.0f km", vi_name[0] ? vi_name : "đất liền",
                     d);
        }
        reason_add(&en, a);
        reason_add(&vi, b);
    }

    double tz = in->trend_z ? in->trend_z[i] : NAN;
    double tp = in->trend_p ? in->trend_p[i] : hs_p_two_sided(tz);
    if (isfinite(tz) && tz > 0 && tp < o->alpha) {
        reason_add(&en, "rising trend");
        reason_add(&vi, "xu hướng tăng");
    }

    double months = in->months_since_outreach ? in->months_since_outreach[i] : NAN;
    double events = in->outreach_events ? in->outreach_events[i] : NAN;
    int never = in->months_since_outreach ? !(months >= 0) || months >= o->window_months
                                          : (isfinite(events) && events <= 0);
    if (never) {
        snprintf(a, sizeof a, "no outreach event in %d months", o->window_months);
        snprintf(b, sizeof b, "không có hoạt động truyền thông trong %d tháng", o->window_months);
        reason_add(&en, a);
        reason_add(&vi, b);
    } else if (r->coverage_pct[i] <= o->low_coverage_pct && isfinite(r->events_per_10k[i])) {
        char num[32];
        snprintf(num, sizeof num, "%.1f", r->events_per_10k[i]);
        snprintf(a, sizeof a, "low outreach coverage (%s events per 10,000 people)", num);
        vi_decimal(num);
        snprintf(b, sizeof b, "độ phủ truyền thông thấp (%s hoạt động/10.000 dân)", num);
        reason_add(&en, a);
        reason_add(&vi, b);
    }

    if (en.len == 0) {
        snprintf(a, sizeof a, "composite risk score %.0f/100", r->score[i]);
        snprintf(b, sizeof b, "điểm rủi ro tổng hợp %.0f/100", r->score[i]);
        reason_add(&en, a);
        reason_add(&vi, b);
    }
}

/* ---- driver ----------------------------------------------------------------------- */

typedef struct rank_item {
    double key, score;
    int i;
} rank_item;

/* Highest key first, then highest score, then lowest index: a total, stable order. */
static int cmp_rank(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

static int check_opts(const hs_risk_opts *o, hs_err *err)
{
    const hs_risk_weights *w = &o->w;
    if (!(w->rate >= 0 && w->gi >= 0 && w->border >= 0 && w->trend >= 0) ||
        !(w->rate + w->gi + w->border + w->trend > 0))
        return hs_err_set(err, HS_EINVAL,
                          "risk weights rate=%g gi=%g border=%g trend=%g must be >= 0 with a "
                          "positive sum",
                          w->rate, w->gi, w->border, w->trend);
    if (!(o->border_scale_km > 0) || !(o->z_sat > 0))
        return hs_err_set(err, HS_EINVAL, "border_scale_km %g and z_sat %g must be > 0",
                          o->border_scale_km, o->z_sat);
    if (!(o->alpha > 0 && o->alpha < 1) || !(o->rate_reason_top >= 0 && o->rate_reason_top <= 1) ||
        !(o->low_coverage_pct >= 0 && o->low_coverage_pct <= 1))
        return hs_err_set(err, HS_EINVAL,
                          "alpha %g must be in (0, 1); rate_reason_top %g and low_coverage_pct "
                          "%g in [0, 1]",
                          o->alpha, o->rate_reason_top, o->low_coverage_pct);
    if (o->window_months < 1 || o->window_months > 1200 || o->top_k < 0 ||
        (o->rank_by != HS_RISK_RANK_GAP && o->rank_by != HS_RISK_RANK_SCORE))
        return hs_err_set(err, HS_EINVAL,
                          "window_months %d must be 1..1200, top_k %d >= 0, rank_by gap or score",
                          o->window_months, o->top_k);
    return HS_OK;
}

void hs_risk_result_free(hs_risk_result *r)
{
    if (!r)
        return;
    free(r->score);
    free(r->risk_pct);
    free(r->events_per_10k);
    free(r->participants_per_10k);
    free(r->coverage_pct);
    free(r->gap);
    free(r->priority_rank);
    free(r->priorities);
    free(r);
}

int hs_risk(const hs_risk_input *in, const hs_risk_opts *opt, hs_risk_result **out, hs_err *err)
{
    if (!out)
        return hs_err_set(err, HS_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!in || !in->eb_rate || !in->population)
        return hs_err_set(err, HS_EINVAL, "risk input needs eb_rate and population arrays");
    int n = in->n;
    if (n < 1 || n > HS_RISK_MAX_UNITS)
        return hs_err_set(err, n < 1 ? HS_EINVAL : HS_ELIMIT, "risk needs 1..%d units, got %d",
                          HS_RISK_MAX_UNITS, n);
    hs_risk_opts o;
    if (opt)
        o = *opt;
    else
        hs_risk_opts_default(&o);
    int rc = check_opts(&o, err);
    if (rc < 0)
        return rc;

    size_t nd = (size_t)n * sizeof(double);
    hs_risk_result *r = calloc(1, sizeof *r);
    double *rate_pct = malloc(nd), *ev_pct = malloc(nd), *pa_pct = malloc(nd);
    double *sorted = malloc(nd), *sorted_rate = malloc(nd);
    rank_item *items = malloc((size_t)n * sizeof *items);
    if (!r || !rate_pct || !ev_pct || !pa_pct || !sorted || !sorted_rate || !items) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate risk for %d units", n);
        goto done;
    }
    r->n = n;
    r->opts = o;
    r->score = malloc(nd);
    r->risk_pct = malloc(nd);
    r->events_per_10k = malloc(nd);
    r->participants_per_10k = malloc(nd);
    r->coverage_pct = malloc(nd);
    r->gap = malloc(nd);
    r->priority_rank = calloc((size_t)n, sizeof *r->priority_rank);
    if (!r->score || !r->risk_pct || !r->events_per_10k || !r->participants_per_10k ||
        !r->coverage_pct || !r->gap || !r->priority_rank) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate risk for %d units", n);
        goto done;
    }

    percentiles(in->eb_rate, n, rate_pct, sorted);
    int m_rate = 0;
    for (int i = 0; i < n; i++)
        m_rate += isfinite(in->eb_rate[i]) != 0;
    /* percentiles left the finite rates sorted in `sorted`: keep them, not sort again. */
    memcpy(sorted_rate, sorted, (size_t)m_rate * sizeof *sorted_rate);

    double wsum = o.w.rate + o.w.gi + o.w.border + o.w.trend;
    for (int i = 0; i < n; i++) {
        if (!isfinite(in->eb_rate[i])) {
            r->score[i] = NAN;
        } else {
            double gz = in->gi_z ? in->gi_z[i] : NAN;
            double d = in->border_km ? in->border_km[i] : NAN;
            double tz = in->trend_z ? in->trend_z[i] : NAN;
            double c_gi = isfinite(gz) ? clamp01(gz / o.z_sat) : 0.0;
            double c_b = (isfinite(d) && d >= 0) ? exp(-d / o.border_scale_km) : 0.0;
            double c_t = isfinite(tz) ? clamp01(tz / o.z_sat) : 0.0;
            r->score[i] =
                100.0 *
                (o.w.rate * rate_pct[i] + o.w.gi * c_gi + o.w.border * c_b + o.w.trend * c_t) /
                wsum;
        }
        double pop = in->population[i];
        double ev = in->outreach_events ? in->outreach_events[i] : 0.0;
        double pa = in->outreach_participants ? in->outreach_participants[i] : 0.0;
        int ok = isfinite(pop) && pop > 0;
        r->events_per_10k[i] = ok && isfinite(ev) ? 1e4 * ev / pop : NAN;
        r->participants_per_10k[i] = ok && isfinite(pa) ? 1e4 * pa / pop : NAN;
    }
    percentiles(r->score, n, r->risk_pct, sorted);
    percentiles(r->events_per_10k, n, ev_pct, sorted);
    percentiles(r->participants_per_10k, n, pa_pct, sorted);
    int m = 0;
    for (int i = 0; i < n; i++) {
        double ce = isfinite(ev_pct[i]) ? ev_pct[i] : 0.0;
        double cp = isfinite(pa_pct[i]) ? pa_pct[i] : 0.0;
        r->coverage_pct[i] = 0.5 * (ce + cp);
        if (!isfinite(r->score[i])) {
            r->risk_pct[i] = NAN;
            r->gap[i] = NAN;
            continue;
        }
        r->gap[i] = r->risk_pct[i] * (1.0 - r->coverage_pct[i]);
        items[m++] =
            (rank_item){o.rank_by == HS_RISK_RANK_GAP ? r->gap[i] : r->score[i], r->score[i], i};
    }
    qsort(items, (size_t)m, sizeof *items, cmp_rank);
    for (int k = 0; k < m; k++)
        r->priority_rank[items[k].i] = k + 1;

    int top = (o.top_k == 0 || o.top_k > m) ? m : o.top_k;
    r->priorities = calloc(top > 0 ? (size_t)top : 1, sizeof *r->priorities);
    if (!r->priorities) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate %d priority entries", top);
        goto done;
    }
    for (int k = 0; k < top; k++) {
        hs_priority *pr = &r->priorities[k];
        int i = items[k].i;
        pr->unit = i;
        pr->rank = k + 1;
        pr->score = r->score[i];
        pr->gap = r->gap[i];
        build_reasons(in, &o, r, sorted_rate, m_rate, i, pr);
    }
    r->n_priorities = top;

done:
    free(rate_pct);
    free(ev_pct);
    free(pa_pct);
    free(sorted);
    free(sorted_rate);
    free(items);
    if (rc < 0) {
        hs_risk_result_free(r);
        return rc;
    }
    *out = r;
    return HS_OK;
}
