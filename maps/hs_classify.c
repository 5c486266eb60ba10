#include "hs_classify.h"

#include <float.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_text.h"

int hs_classify_method_parse(const char *s, hs_classify_method *out, hs_err *err)
{
    static const char *names[] = {"quantile", "equal", "jenks", "fixed"};
    for (int i = 0; s && i < 4; i++) {
        if (strcasecmp(s, names[i]) == 0) {
            *out = (hs_classify_method)i;
            return HS_OK;
        }
    }
    return hs_err_set(err, HS_EINVAL, "classification '%s': allowed quantile, equal, jenks, fixed",
                      s ? s : "(null)");
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R type 7: h = (n-1)p, interpolate between floor and ceil order statistics. */
static double quantile7(const double *s, int n, double p)
{
    double h = (n - 1) * p;
    int lo = (int)floor(h);
    if (lo >= n - 1)
        return s[n - 1];
    return s[lo] + (h - lo) * (s[lo + 1] - s[lo]);
}

/* Fisher's exact optimal partition of sorted s[0..n-1] into k groups minimising the
 * total within-group sum of squared deviations (Jenks natural breaks). Writes the
 * k-1 cut values (the last value of each of the first k-1 groups) into cuts. */
static int jenks_sorted(const double *s, int n, int k, double *cuts, hs_err *err)
{
    size_t nn = (size_t)n;
    double *s1 = malloc((nn + 1) * sizeof *s1), *s2 = malloc((nn + 1) * sizeof *s2);
    double *cost = malloc((size_t)k * nn * sizeof *cost);
    int *back = malloc((size_t)k * nn * sizeof *back);
    if (!s1 || !s2 || !cost || !back) {
        free(s1), free(s2), free(cost), free(back);
        return hs_err_set(err, HS_ENOMEM, "jenks on %d values: out of memory", n);
    }
    s1[0] = s2[0] = 0;
    for (int i = 0; i < n; i++) {
        s1[i + 1] = s1[i] + s[i];
        s2[i + 1] = s2[i] + s[i] * s[i];
    }
/* within-group SSD of s[a..b] inclusive */
#define SSD(a, b) \
    (s2[(b) + 1] - s2[(a)] - (s1[(b) + 1] - s1[(a)]) * (s1[(b) + 1] - s1[(a)]) / ((b) - (a) + 1))
    for (int j = 0; j < n; j++) {
        cost[j] = SSD(0, j);
        back[j] = 0;
    }
    for (int c = 1; c < k; c++) {
        double *prev = cost + (size_t)(c - 1) * nn, *cur = cost + (size_t)c * nn;
        int *bk = back + (size_t)c * nn;
        for (int j = 0; j < n; j++) {
            cur[j] = DBL_MAX;
            bk[j] = -1;
            /* group c covers s[i..j]; groups 0..c-1 cover s[0..i-1] (needs i >= c) */
            for (int i = c; i <= j; i++) {
                double v = prev[i - 1] + SSD(i, j);
                if (v < cur[j]) {
                    cur[j] = v;
                    bk[j] = i;
                }
            }
        }
    }
#undef SSD
    int j = n - 1;
    for (int c = k - 1; c >= 1; c--) {
        int i = back[(size_t)c * nn + j];
        cuts[c - 1] = s[i - 1];
        j = i - 1;
    }
    free(s1), free(s2), free(cost), free(back);
    return HS_OK;
}

/* Keeps strictly increasing cuts inside (min, max) and sets out->k accordingly. */
static void finish_breaks(hs_breaks *out, double lo, double hi, const double *cuts, int ncuts)
{
    int k = 0;
    out->b[0] = lo;
    for (int i = 0; i < ncuts; i++) {
        if (cuts[i] >= hi || cuts[i] < lo || (k > 0 && cuts[i] <= out->b[k]))
            continue;
        if (k == 0 && cuts[i] <= lo && hi > lo)
            continue;
        out->b[++k] = cuts[i];
    }
    out->b[++k] = hi;
    out->k = k;
}

int hs_classify_breaks(const double *x, int n, hs_classify_method m, int k, const double *fixed,
                       int nfixed, hs_breaks *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    if (n < 0 || n > HS_CLASSIFY_MAX_N)
        return hs_err_set(err, HS_ELIMIT, "classifying %d values: limit is %d", n, HS_CLASSIFY_MAX_N);
    if (m == HS_CLASSIFY_FIXED) {
        if (!fixed || nfixed < 1 || nfixed > HS_CLASSIFY_MAX_K - 1)
            return hs_err_set(err, HS_EINVAL, "fixed breaks: give 1..%d cut points, got %d",
                              HS_CLASSIFY_MAX_K - 1, nfixed);
        for (int i = 0; i < nfixed; i++)
            if (!isfinite(fixed[i]) || (i > 0 && fixed[i] <= fixed[i - 1]))
                return hs_err_set(err, HS_EINVAL, "fixed breaks must be finite and strictly increasing "
                                  "(cut %d = %g)", i + 1, fixed[i]);
    } else if (k < 1 || k > HS_CLASSIFY_MAX_K) {
        return hs_err_set(err, HS_EINVAL, "classes k=%d: allowed 1..%d", k, HS_CLASSIFY_MAX_K);
    } else if ((int)m < 0 || (int)m > 3) {
        return hs_err_set(err, HS_EINVAL, "unknown classification method %d", (int)m);
    }
    double *s = malloc((size_t)(n > 0 ? n : 1) * sizeof *s);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "classifying %d values: out of memory", n);
    int ns = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i]))
            s[ns++] = x[i];
    if (ns == 0) {
        free(s);
        return HS_OK; /* k = 0: all no data */
    }
    qsort(s, (size_t)ns, sizeof *s, cmp_double);
    double lo = s[0], hi = s[ns - 1];
    double cuts[HS_CLASSIFY_MAX_K];
    int ncuts = 0, rc = HS_OK;
    switch (m) {
    case HS_CLASSIFY_QUANTILE:
        for (int i = 1; i < k; i++)
            cuts[ncuts++] = quantile7(s, ns, (double)i / k);
        break;
    case HS_CLASSIFY_EQUAL:
        for (int i = 1; i < k; i++)
            cuts[ncuts++] = lo + (hi - lo) * i / k;
        break;
    case HS_CLASSIFY_JENKS: {
        /* Distinct values bound the useful number of classes. */
        int distinct = 1;
        for (int i = 1; i < ns; i++)
            distinct += s[i] != s[i - 1];
        int kk = k < distinct ? k : distinct;
        if (kk > 1) {
            const double *src = s;
            int nsrc = ns;
            double *sample = NULL;
            if (ns > HS_JENKS_MAX_N) {
                sample = malloc(HS_JENKS_MAX_N * sizeof *sample);
                if (!sample) {
                    rc = hs_err_set(err, HS_ENOMEM, "jenks sample: out of memory");
                    break;
                }
                for (int i = 0; i < HS_JENKS_MAX_N; i++)
                    sample[i] = s[(int)((double)i * (ns - 1) / (HS_JENKS_MAX_N - 1) + 0.5)];
                src = sample;
                nsrc = HS_JENKS_MAX_N;
            }
            rc = jenks_sorted(src, nsrc, kk, cuts, err);
            ncuts = kk - 1;
            free(sample);
        }
        break;
    }
    case HS_CLASSIFY_FIXED:
        if (fixed[0] < lo)
            lo = fixed[0];
        if (fixed[nfixed - 1] > hi)
            hi = fixed[nfixed - 1];
        /* All cuts are kept for fixed breaks, even if no data falls in a class. */
        out->b[0] = lo;
        for (int i = 0; i < nfixed; i++)
            out->b[i + 1] = fixed[i];
        out->k = nfixed + 1;
        out->b[out->k] = hi > fixed[nfixed - 1] ? hi : fixed[nfixed - 1];
        free(s);
        return HS_OK;
    }
    free(s);
    if (rc < 0)
        return rc;
    finish_breaks(out, lo, hi, cuts, ncuts);
    return HS_OK;
}

void hs_classify_assign(const hs_breaks *br, const double *x, int n, int *cls)
{
    for (int i = 0; i < n; i++) {
        if (isnan(x[i]) || br->k <= 0) {
            cls[i] = -1;
            continue;
        }
        int c = 0;
        while (c < br->k - 1 && x[i] > br->b[c + 1])
            c++;
        cls[i] = c;
    }
}

int hs_classify_legend_decimals(const hs_breaks *br, int min_decimals)
{
    int d = min_decimals < 0 ? 0 : min_decimals;
    for (; d < HS_LEGEND_MAX_DECIMALS; d++) {
        int ok = 1;
        for (int i = 0; i < br->k && ok; i++) {
            if (!(br->b[i] < br->b[i + 1]))
                continue; /* an empty-width class (merged cut points) reads equal anyway */
            char a[40], b[40];
            hs_text_format_number(br->b[i], d, a, sizeof a);
            hs_text_format_number(br->b[i + 1], d, b, sizeof b);
            ok = strcmp(a, b) != 0;
        }
        if (ok)
            break;
    }
    return d;
}

int hs_classify_legend(const hs_breaks *br, const char *palette, int decimals, hs_class_style *out,
                       hs_err *err)
{
    if (br->k <= 0)
        return HS_OK;
    hs_rgba col[HS_PALETTE_MAX_K];
    int kp = br->k < HS_PALETTE_MIN_K ? HS_PALETTE_MIN_K : br->k;
    int rc = hs_palette_get(palette, kp, col, err);
    if (rc < 0)
        return rc;
    decimals = hs_classify_legend_decimals(br, decimals);
    for (int i = 0; i < br->k; i++) {
        char a[40], b[40];
        /* 1-class and 2-class maps take the darker end of the 3-class ramp */
        int ci = br->k < kp ? i + (kp - br->k) : i;
        hs_text_format_number(br->b[i], decimals, a, sizeof a);
        hs_text_format_number(br->b[i + 1], decimals, b, sizeof b);
        memset(&out[i], 0, sizeof out[i]);
        out[i].fill = col[ci];
        snprintf(out[i].label, sizeof out[i].label, "%s – %s", a, b);
    }
    return HS_OK;
}

/* ---- categorical ---------------------------------------------------------------- */

typedef struct cat_def {
    uint32_t fill;
    int fill_a;        /* 0 = transparent */
    uint32_t outline;  /* used when has_outline */
    int has_outline;
    uint32_t hatch;
    int has_hatch;
    const char *label;
} cat_def;

/* Gi*: ArcGIS's default hot/cold renderer colours; "not significant" is light grey
 * (as the issue asks) rather than ArcGIS's pale yellow. */
static const cat_def GISTAR[] = {
    {0xd62f27, 255, 0, 0, 0, 0, "Điểm nóng, tin cậy 99%"},
    {0xed7551, 255, 0, 0, 0, 0, "Điểm nóng, tin cậy 95%"},
    {0xfab984, 255, 0, 0, 0, 0, "Điểm nóng, tin cậy 90%"},
    {0xe0e0e0, 255, 0, 0, 0, 0, "Không có ý nghĩa thống kê"},
    {0xc0ccbe, 255, 0, 0, 0, 0, "Điểm lạnh, tin cậy 90%"},
    {0x849eba, 255, 0, 0, 0, 0, "Điểm lạnh, tin cậy 95%"},
    {0x4575b5, 255, 0, 0, 0, 0, "Điểm lạnh, tin cậy 99%"},
};

/* LISA: GeoDa's cluster-map colours; isolated units white with a dark outline. */
static const cat_def LISA[] = {
    {0xff0000, 255, 0, 0, 0, 0, "Cao – Cao (HH)"},
    {0x0000ff, 255, 0, 0, 0, 0, "Thấp – Thấp (LL)"},
    {0xa7adf9, 255, 0, 0, 0, 0, "Thấp – Cao (LH)"},
    {0xf4ada8, 255, 0, 0, 0, 0, "Cao – Thấp (HL)"},
    {0xe0e0e0, 255, 0, 0, 0, 0, "Không có ý nghĩa thống kê"},
    {0xffffff, 255, 0x333333, 1, 0, 0, "Không có đơn vị lân cận"},
};

/* Emerging hot spots: ArcGIS-like, reds for hot and blues for cold patterns;
 * "diminishing" and "historical" are hatched so they read as fading. */
static const cat_def EMERGING[] = {
    {0xfcae91, 255, 0x99000d, 1, 0, 0, "Điểm nóng mới"},
    {0xfb6a4a, 255, 0, 0, 0, 0, "Điểm nóng liên tiếp"},
    {0x99000d, 255, 0, 0, 0, 0, "Điểm nóng gia tăng"},
    {0xde2d26, 255, 0, 0, 0, 0, "Điểm nóng kéo dài"},
    {0xfcbba1, 255, 0, 0, 0xde2d26, 1, "Điểm nóng suy giảm"},
    {0xfee0d2, 255, 0, 0, 0, 0, "Điểm nóng rải rác"},
    {0xf768a1, 255, 0, 0, 0, 0, "Điểm nóng dao động"},
    {0xffffff, 255, 0, 0, 0xfb6a4a, 1, "Điểm nóng trong quá khứ"},
    {0xbdd7e7, 255, 0x08519c, 1, 0, 0, "Điểm lạnh mới"},
    {0x6baed6, 255, 0, 0, 0, 0, "Điểm lạnh liên tiếp"},
    {0x08306b, 255, 0, 0, 0, 0, "Điểm lạnh gia tăng"},
    {0x2171b5, 255, 0, 0, 0, 0, "Điểm lạnh kéo dài"},
    {0xc6dbef, 255, 0, 0, 0x2171b5, 1, "Điểm lạnh suy giảm"},
    {0xdeebf7, 255, 0, 0, 0, 0, "Điểm lạnh rải rác"},
    {0x9e9ac8, 255, 0, 0, 0, 0, "Điểm lạnh dao động"},
    {0xffffff, 255, 0, 0, 0x6baed6, 1, "Điểm lạnh trong quá khứ"},
    {0xeeeeee, 255, 0, 0, 0, 0, "Không có xu hướng"},
};

static const cat_def SCAN[] = {
    {0xcb181d, 255, 0x67000d, 1, 0, 0, "Cụm có khả năng nhất"},
    {0xfc9272, 255, 0, 0, 0, 0, "Cụm thứ cấp"},
    {0xeeeeee, 255, 0, 0, 0, 0, "Ngoài cụm"},
};

int hs_scheme_styles(hs_scheme_kind kind, hs_class_style *out, hs_err *err)
{
    const cat_def *d;
    int n;
    switch (kind) {
    case HS_SCHEME_GISTAR: d = GISTAR, n = (int)(sizeof GISTAR / sizeof *d); break;
    case HS_SCHEME_LISA: d = LISA, n = (int)(sizeof LISA / sizeof *d); break;
    case HS_SCHEME_EMERGING: d = EMERGING, n = (int)(sizeof EMERGING / sizeof *d); break;
    case HS_SCHEME_SCAN: d = SCAN, n = (int)(sizeof SCAN / sizeof *d); break;
    default: return hs_err_set(err, HS_EINVAL, "unknown categorical scheme %d", (int)kind);
    }
    for (int i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].fill = hs_rgba_make(d[i].fill, (unsigned char)d[i].fill_a);
        if (d[i].has_outline)
            out[i].outline = hs_rgb(d[i].outline);
        if (d[i].has_hatch)
            out[i].hatch = hs_rgb(d[i].hatch);
        snprintf(out[i].label, sizeof out[i].label, "%s", d[i].label);
    }
    return n;
}

int hs_scheme_gistar_class(int gi_bin)
{
    return gi_bin >= HS_GI_BIN_MIN && gi_bin <= HS_GI_BIN_MAX ? HS_GI_BIN_MAX - gi_bin : -1;
}

int hs_scheme_lisa_class(int code)
{
    switch (code) {
    case HS_LISA_HH: return 0;
    case HS_LISA_LL: return 1;
    case HS_LISA_LH: return 2;
    case HS_LISA_HL: return 3;
    case HS_LISA_NS: return 4;
    case HS_LISA_ISOLATED: return 5;
    default: return -1;
    }
}

int hs_scheme_emerging_class(int code)
{
    if (code == HS_EHS_NO_PATTERN)
        return 16;
    if (code >= 1 && code <= 8)
        return code - 1;
    if (code <= -1 && code >= -8)
        return 8 + (-code - 1);
    return -1;
}

int hs_scheme_scan_class(int rank)
{
    if (rank == 1)
        return 0;
    if (rank >= 2)
        return 1;
    return rank == 0 ? 2 : -1;
}
