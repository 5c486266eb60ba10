#include "hs_emerging.h"

#include "hs_pvalue.h"

#include <math.h>
#include <stdlib.h>

#include "hs_fdr.h"
#include "hs_gistar.h"

static const struct {
    const char *code, *en, *vi;
} em_names[HS_EM_N_CATEGORIES] = {
    [HS_EM_NO_PATTERN] = {"no_pattern", "No pattern detected", "Không phát hiện xu hướng"},
    [HS_EM_NEW_HOT] = {"new_hot_spot", "New hot spot", "Điểm nóng mới"},
    [HS_EM_CONSECUTIVE_HOT] = {"consecutive_hot_spot", "Consecutive hot spot",
                               "Điểm nóng liên tiếp"},
    [HS_EM_INTENSIFYING_HOT] = {"intensifying_hot_spot", "Intensifying hot spot",
                                "Điểm nóng gia tăng"},
    [HS_EM_PERSISTENT_HOT] = {"persistent_hot_spot", "Persistent hot spot", "Điểm nóng dai dẳng"},
    [HS_EM_DIMINISHING_HOT] = {"diminishing_hot_spot", "Diminishing hot spot",
                               "Điểm nóng suy giảm"},
    [HS_EM_SPORADIC_HOT] = {"sporadic_hot_spot", "Sporadic hot spot", "Điểm nóng rải rác"},
    [HS_EM_OSCILLATING_HOT] = {"oscillating_hot_spot", "Oscillating hot spot",
                               "Điểm nóng dao động"},
    [HS_EM_HISTORICAL_HOT] = {"historical_hot_spot", "Historical hot spot",
                              "Điểm nóng trong quá khứ"},
    [HS_EM_NEW_COLD] = {"new_cold_spot", "New cold spot", "Điểm lạnh mới"},
    [HS_EM_CONSECUTIVE_COLD] = {"consecutive_cold_spot", "Consecutive cold spot",
                                "Điểm lạnh liên tiếp"},
    [HS_EM_INTENSIFYING_COLD] = {"intensifying_cold_spot", "Intensifying cold spot",
                                 "Điểm lạnh gia tăng"},
    [HS_EM_PERSISTENT_COLD] = {"persistent_cold_spot", "Persistent cold spot",
                               "Điểm lạnh dai dẳng"},
    [HS_EM_DIMINISHING_COLD] = {"diminishing_cold_spot", "Diminishing cold spot",
                                "Điểm lạnh suy giảm"},
    [HS_EM_SPORADIC_COLD] = {"sporadic_cold_spot", "Sporadic cold spot", "Điểm lạnh rải rác"},
    [HS_EM_OSCILLATING_COLD] = {"oscillating_cold_spot", "Oscillating cold spot",
                                "Điểm lạnh dao động"},
    [HS_EM_HISTORICAL_COLD] = {"historical_cold_spot", "Historical cold spot",
                               "Điểm lạnh trong quá khứ"},
    [HS_EM_ISOLATED] = {"isolated", "Isolated (no neighbours)", "Biệt lập (không có láng giềng)"},
};

static int valid_cat(hs_emerging_cat c)
{
    return (int)c >= 0 && c < HS_EM_N_CATEGORIES;
}

const char *hs_emerging_code(hs_emerging_cat c)
{
    return valid_cat(c) ? em_names[c].code : "unknown";
}

const char *hs_emerging_label_en(hs_emerging_cat c)
{
    return valid_cat(c) ? em_names[c].en : "Unknown";
}

const char *hs_emerging_label_vi(hs_emerging_cat c)
{
    return valid_cat(c) ? em_names[c].vi : "Không xác định";
}

void hs_emerging_opts_default(hs_emerging_opts *o)
{
    o->alpha_bin = 0.10;
    o->alpha_trend = 0.10;
    o->bin_fdr = 0;
}

/* The rules for one polarity: sgn = +1 for hot spots, -1 for cold spots. `first` is
 * the first category of that polarity (HS_EM_NEW_HOT or HS_EM_NEW_COLD), the others
 * follow in the enum's order. Called only when the final step is significant with
 * this polarity. */
static hs_emerging_cat classify_final(int T, const signed char *sig, int sgn, const hs_mk *trend,
                                      double alpha_trend, hs_emerging_cat first)
{
    int same = 0, opposite = 0;
    for (int t = 0; t < T; t++) {
        same += sig[t] == sgn;
        opposite += sig[t] == -sgn;
    }
    /* Offsets from `first` in the enum: new 0, consecutive 1, intensifying 2,
     * persistent 3, diminishing 4, sporadic 5, oscillating 6. */
    if (10 * same >= 9 * T) {
        /* ">= 90% of steps, including the final one": the trend decides. A hot spot
         * intensifies when z rises; a cold spot intensifies when z falls. */
        int sig_trend = trend && trend->n >= 2 && trend->p < alpha_trend && trend->s != 0.0;
        if (sig_trend && (trend->s > 0) == (sgn > 0))
            return (hs_emerging_cat)(first + 2);
        if (sig_trend)
            return (hs_emerging_cat)(first + 4);
        return (hs_emerging_cat)(first + 3);
    }
    if (opposite > 0)
        return (hs_emerging_cat)(first + 6); /* oscillating: also opposite before */
    if (same == 1)
        return first; /* new: significant only at the final step */
    int run = 0;
    for (int t = T - 1; t >= 0 && sig[t] == sgn; t--)
        run++;
    if (run >= 2 && run == same)
        return (hs_emerging_cat)(first + 1); /* consecutive: one final run, nothing before */
    return (hs_emerging_cat)(first + 5);     /* sporadic: on and off, never opposite */
}

hs_emerging_cat hs_emerging_classify(int T, const double *z, const double *p, const hs_mk *trend,
                                     const hs_emerging_opts *opt)
{
    hs_emerging_opts o;
    if (opt)
        o = *opt;
    else
        hs_emerging_opts_default(&o);
    if (T < 1 || T > HS_EMERGING_MAX_STEPS)
        return HS_EM_NO_PATTERN;
    signed char sig[HS_EMERGING_MAX_STEPS];
    int hot = 0, cold = 0;
    for (int t = 0; t < T; t++) {
        sig[t] = 0;
        if (isfinite(z[t]) && p[t] < o.alpha_bin) /* NAN p compares false */
            sig[t] = (signed char)(z[t] > 0 ? 1 : z[t] < 0 ? -1 : 0);
        hot += sig[t] == 1;
        cold += sig[t] == -1;
    }
    if (sig[T - 1] == 1)
        return classify_final(T, sig, 1, trend, o.alpha_trend, HS_EM_NEW_HOT);
    if (sig[T - 1] == -1)
        return classify_final(T, sig, -1, trend, o.alpha_trend, HS_EM_NEW_COLD);
    /* Not significant at the final step: only the historical patterns remain. */
    if (10 * hot >= 9 * T)
        return HS_EM_HISTORICAL_HOT;
    if (10 * cold >= 9 * T)
        return HS_EM_HISTORICAL_COLD;
    return HS_EM_NO_PATTERN;
}

void hs_emerging_result_free(hs_emerging_result *r)
{
    if (!r)
        return;
    free(r->z);
    free(r->p);
    free(r->bin);
    free(r->trend);
    free(r->category);
    free(r);
}

int hs_emerging(const hs_weights *w, int T, const double *x, const hs_emerging_opts *opt,
                hs_emerging_result **out, hs_err *err)
{
    if (!out)
        return hs_err_set(err, HS_EINVAL, "out must not be NULL");
    *out = NULL;
    if (!w || !x)
        return hs_err_set(err, HS_EINVAL, "weights and the time-step matrix must not be NULL");
    hs_emerging_opts o;
    if (opt)
        o = *opt;
    else
        hs_emerging_opts_default(&o);
    if (!(o.alpha_bin > 0.0 && o.alpha_bin < 1.0) || !(o.alpha_trend > 0.0 && o.alpha_trend < 1.0))
        return hs_err_set(err, HS_EINVAL,
                          "alpha_bin %g and alpha_trend %g must be in (0, 1) (default 0.10)",
                          o.alpha_bin, o.alpha_trend);
    int n = w->n;
    if (T < 2 || T > HS_EMERGING_MAX_STEPS)
        return hs_err_set(err, T < 2 ? HS_EINVAL : HS_ELIMIT,
                          "emerging hot spots need 2..%d time steps, got %d (10 or more "
                          "recommended)",
                          HS_EMERGING_MAX_STEPS, T);
    if (n < 1 || (long)n * T > HS_EMERGING_MAX_CELLS)
        return hs_err_set(err, n < 1 ? HS_EINVAL : HS_ELIMIT,
                          "%d units x %d time steps exceed the limit of %ld cells", n, T,
                          HS_EMERGING_MAX_CELLS);
    size_t cells = (size_t)n * (size_t)T;
    hs_emerging_result *r = calloc(1, sizeof *r);
    double *col = malloc((size_t)n * sizeof *col), *zc = malloc((size_t)n * sizeof *zc);
    double *pc = malloc((size_t)n * sizeof *pc);
    int rc = HS_OK;
    if (!r || !col || !zc || !pc) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate emerging hot spots for %d units", n);
        goto done;
    }
    r->n = n;
    r->T = T;
    r->opts = o;
    r->z = malloc(cells * sizeof *r->z);
    r->p = malloc(cells * sizeof *r->p);
    r->bin = malloc(cells * sizeof *r->bin);
    r->trend = calloc((size_t)n, sizeof *r->trend);
    r->category = calloc((size_t)n, sizeof *r->category);
    if (!r->z || !r->p || !r->bin || !r->trend || !r->category) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate %d x %d emerging cells", n, T);
        goto done;
    }
    for (int t = 0; t < T; t++) {
        for (int i = 0; i < n; i++)
            col[i] = x[(size_t)i * T + t];
        rc = hs_gistar_z(w, col, zc, err);
        if (rc < 0) {
            hs_err_prefix(err, "time step %d: ", t + 1);
            goto done;
        }
        for (int i = 0; i < n; i++)
            pc[i] = hs_p_two_sided(zc[i]);
        if (o.bin_fdr) {
            rc = hs_fdr_bh(pc, n, pc, err);
            if (rc < 0)
                goto done;
        }
        for (int i = 0; i < n; i++) {
            size_t c = (size_t)i * T + t;
            r->z[c] = zc[i];
            r->p[c] = pc[i];
            r->bin[c] = (int8_t)hs_gistar_bin(zc[i], pc[i]);
        }
    }
    for (int i = 0; i < n; i++) {
        const double *zi = r->z + (size_t)i * T;
        rc = hs_mk_test(zi, T, &r->trend[i], err);
        if (rc < 0)
            goto done;
        r->category[i] = hs_weights_card(w, i) == 0
                             ? HS_EM_ISOLATED
                             : hs_emerging_classify(T, zi, r->p + (size_t)i * T, &r->trend[i], &o);
        r->counts[r->category[i]]++;
    }
done:
    free(col);
    free(zc);
    free(pc);
    if (rc < 0) {
        hs_emerging_result_free(r);
        return rc;
    }
    *out = r;
    return HS_OK;
}
