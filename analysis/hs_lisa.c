#include "hs_lisa.h"

#include "hs_pvalue.h"

#include <math.h>
#include <stdlib.h>

#include "hs_fdr.h"

const char *hs_lisa_quadrant_name(int q)
{
    switch (q) {
    case HS_LISA_HH: return "HH";
    case HS_LISA_LL: return "LL";
    case HS_LISA_LH: return "LH";
    case HS_LISA_HL: return "HL";
    case HS_LISA_ISOLATED: return "isolated";
    default: return "not significant";
    }
}

void hs_lisa_opt_default(hs_lisa_opt *o)
{
    hs_perm_opt_default(&o->perm);
    o->sig_p = HS_P_PERMUTATION;
    o->sig_fdr = 0;
    o->alpha = 0.05;
}

void hs_lisa_result_free(hs_lisa_result *r)
{
    if (!r)
        return;
    free(r->i);
    free(r->e);
    free(r->var);
    free(r->z);
    free(r->p);
    free(r->p_sim);
    free(r->p_fdr);
    free(r->quadrant);
    free(r->isolated);
    free(r);
}

static int result_alloc(int n, hs_lisa_result **out, hs_err *err)
{
    hs_lisa_result *r = calloc(1, sizeof *r);
    if (!r)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate LISA result");
    size_t nn = n > 0 ? (size_t)n : 1;
    r->n = n;
    double **arr[] = {&r->i, &r->e, &r->var, &r->z, &r->p, &r->p_sim, &r->p_fdr};
    int ok = 1;
    for (size_t t = 0; t < sizeof arr / sizeof arr[0]; t++)
        ok &= (*arr[t] = malloc(nn * sizeof(double))) != NULL;
    r->quadrant = calloc(nn, 1);
    r->isolated = calloc(nn, 1);
    if (!ok || !r->quadrant || !r->isolated) {
        hs_lisa_result_free(r);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate LISA result for %d units", n);
    }
    *out = r;
    return HS_OK;
}

/* The analytic part: I, Sokal conditional E and Var, Z, p; NAN for isolated units. */
static void lisa_analytic(const hs_weights *w, const double *x, const hs_moments *m,
                          hs_lisa_result *r, double *lag)
{
    double n = m->n;
    for (int i = 0; i < w->n; i++) {
        int k = hs_weights_card(w, i);
        r->isolated[i] = k == 0;
        r->n_isolated += k == 0;
        if (k == 0) {
            r->i[i] = r->e[i] = r->var[i] = r->z[i] = r->p[i] = NAN;
            lag[i] = NAN;
            continue;
        }
        double s = 0;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            s += x[w->nbr[e]] - m->mean;
        double zi = x[i] - m->mean;
        lag[i] = s / k;
        r->i[i] = hs_lisa_stat(hs_lisa_coef(zi, k, m->s2), s);
        double Wi = 1.0, W2 = 1.0 / k; /* row-standardised: sum w = 1, sum w^2 = 1/k */
        r->e[i] = -(zi * zi * Wi) / ((n - 1) * m->m2);
        r->var[i] = (zi / m->m2) * (zi / m->m2) * (n / (n - 2)) * (W2 - Wi * Wi / (n - 1)) *
                    (m->m2 - zi * zi / (n - 1));
        r->z[i] = r->var[i] > 0 ? (r->i[i] - r->e[i]) / sqrt(r->var[i]) : NAN;
        r->p[i] = hs_p_two_sided(r->z[i]);
    }
}

int hs_lisa_with_counts(const hs_weights *w, const double *x, const hs_lisa_opt *o,
                        const int *ge, hs_lisa_result **out, hs_err *err)
{
    *out = NULL;
    if (!w || !x || !o)
        return hs_err_set(err, HS_EINVAL, "weights, x and options must not be NULL");
    if (!(o->alpha > 0 && o->alpha < 1))
        return hs_err_set(err, HS_EINVAL, "alpha = %g is outside (0, 1)", o->alpha);
    if (o->sig_p == HS_P_PERMUTATION && (!ge || o->perm.permutations == 0))
        return hs_err_set(err, HS_EINVAL,
                          "significance from permutation p needs permutations > 0");
    hs_moments m;
    int rc = hs_moments_compute(x, w->n, &m, err);
    if (rc < 0)
        return rc;
    hs_lisa_result *r = NULL;
    if ((rc = result_alloc(w->n, &r, err)) < 0)
        return rc;
    double *lag = malloc((size_t)w->n * sizeof *lag);
    if (!lag) {
        hs_lisa_result_free(r);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d spatial lags", w->n);
    }
    lisa_analytic(w, x, &m, r, lag);
    int R = o->perm.permutations;
    for (int i = 0; i < w->n; i++)
        r->p_sim[i] = ge && ge[i] >= 0 && isfinite(r->i[i]) ? hs_perm_folded_p(ge[i], R) : NAN;
    const double *src = o->sig_p == HS_P_PERMUTATION ? r->p_sim : r->p;
    if ((rc = hs_fdr_bh(src, w->n, r->p_fdr, err)) < 0) {
        free(lag);
        hs_lisa_result_free(r);
        return rc;
    }
    const double *sp = o->sig_fdr ? r->p_fdr : src;
    for (int i = 0; i < w->n; i++) {
        if (r->isolated[i]) {
            r->quadrant[i] = HS_LISA_ISOLATED;
            continue;
        }
        if (!(sp[i] <= o->alpha)) { /* NaN p is never significant */
            r->quadrant[i] = HS_LISA_NS;
            continue;
        }
        int hi = x[i] - m.mean > 0, lhi = lag[i] > 0;
        r->quadrant[i] = hi ? (lhi ? HS_LISA_HH : HS_LISA_HL) : (lhi ? HS_LISA_LH : HS_LISA_LL);
    }
    free(lag);
    r->sig_p = o->sig_p;
    r->sig_fdr = o->sig_fdr;
    r->alpha = o->alpha;
    r->permutations = R;
    *out = r;
    return HS_OK;
}

int hs_lisa(const hs_weights *w, const double *x, const hs_lisa_opt *opt, hs_lisa_result **out,
            hs_err *err)
{
    *out = NULL;
    hs_lisa_opt def;
    if (!opt) {
        hs_lisa_opt_default(&def);
        opt = &def;
    }
    if (!w || !x)
        return hs_err_set(err, HS_EINVAL, "weights and x must not be NULL");
    int rc = hs_perm_opt_check(&opt->perm, err);
    if (rc < 0)
        return rc;
    int *ge = NULL;
    if ((rc = hs_perm_counts(w, x, &opt->perm, 0, &ge, err)) < 0)
        return rc;
    rc = hs_lisa_with_counts(w, x, opt, ge, out, err);
    free(ge);
    return rc;
}

int hs_local_both(const hs_weights *w, const double *x, const hs_gistar_opt *gopt,
                  const hs_lisa_opt *lopt, hs_gistar_result **gi, hs_lisa_result **li,
                  hs_err *err)
{
    *gi = NULL;
    *li = NULL;
    if (!w || !x || !gopt || !lopt)
        return hs_err_set(err, HS_EINVAL, "weights, x and options must not be NULL");
    if (gopt->perm.permutations != lopt->perm.permutations || gopt->perm.seed != lopt->perm.seed ||
        gopt->perm.method != lopt->perm.method)
        return hs_err_set(err, HS_EINVAL, "Gi* and LISA options differ in permutations, seed or "
                                          "permutation method; call them apart");
    hs_perm_opt po = gopt->perm;
    if (lopt->perm.threads > po.threads)
        po.threads = lopt->perm.threads;
    int rc = hs_perm_opt_check(&po, err);
    if (rc < 0)
        return rc;
    int *ge = NULL, *le = NULL;
    if (po.permutations > 0) {
        ge = malloc(((size_t)w->n + 1) * sizeof *ge);
        le = malloc(((size_t)w->n + 1) * sizeof *le);
        if (!ge || !le) {
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate counts for %d units", w->n);
            goto done;
        }
        if ((rc = hs_perm_local(w, x, &po, ge, le, err)) < 0)
            goto done;
    }
    if ((rc = hs_gistar_with_counts(w, x, gopt, ge, gi, err)) < 0)
        goto done;
    if ((rc = hs_lisa_with_counts(w, x, lopt, le, li, err)) < 0) {
        hs_gistar_result_free(*gi);
        *gi = NULL;
    }
done:
    free(ge);
    free(le);
    return rc;
}
