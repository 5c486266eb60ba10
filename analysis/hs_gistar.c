#include "hs_gistar.h"

#include <math.h>
#include <stdlib.h>

#include "hs_fdr.h"
#include "hs_gistar_codes.h"
#include "hs_pvalue.h"

void hs_gistar_opt_default(hs_gistar_opt *o)
{
    hs_perm_opt_default(&o->perm);
    o->bin_p = HS_P_ANALYTIC;
    o->bin_fdr = 0;
}

int hs_gistar_z(const hs_weights *w, const double *x, double *z, hs_err *err)
{
    if (!w || !x || !z)
        return hs_err_set(err, HS_EINVAL, "weights, x and z must not be NULL");
    hs_moments m;
    int rc = hs_moments_compute(x, w->n, &m, err);
    if (rc < 0)
        return rc;
    for (int i = 0; i < w->n; i++) {
        int k = hs_weights_card(w, i);
        if (k == 0) {
            z[i] = NAN;
            continue;
        }
        double s = 0;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            s += x[w->nbr[e]] - m.mean;
        double den = hs_gistar_den(&m, k);
        /* den is 0 for constant x or a unit linked to every other unit: no statistic. */
        z[i] = den > 0 ? hs_gistar_stat(x[i] - m.mean, s, 1.0 / den) : NAN;
    }
    return HS_OK;
}

int hs_gistar_bin(double z, double p)
{
    if (!isfinite(z) || !isfinite(p))
        return 0;
    int level = hs_gi_level(p);
    return z > 0 ? level : z < 0 ? -level : 0;
}

void hs_gistar_result_free(hs_gistar_result *r)
{
    if (!r)
        return;
    free(r->z);
    free(r->p);
    free(r->p_sim);
    free(r->p_fdr);
    free(r->bin);
    free(r->isolated);
    free(r);
}

static int result_alloc(int n, hs_gistar_result **out, hs_err *err)
{
    hs_gistar_result *r = calloc(1, sizeof *r);
    if (!r)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate Gi* result");
    size_t nn = n > 0 ? (size_t)n : 1;
    r->n = n;
    r->z = malloc(nn * sizeof *r->z);
    r->p = malloc(nn * sizeof *r->p);
    r->p_sim = malloc(nn * sizeof *r->p_sim);
    r->p_fdr = malloc(nn * sizeof *r->p_fdr);
    r->bin = calloc(nn, sizeof *r->bin);
    r->isolated = calloc(nn, sizeof *r->isolated);
    if (!r->z || !r->p || !r->p_sim || !r->p_fdr || !r->bin || !r->isolated) {
        hs_gistar_result_free(r);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate Gi* result for %d units", n);
    }
    *out = r;
    return HS_OK;
}

/* Fills p_sim from permutation counts (NULL: no permutations), then FDR and bins. */
static int finish(hs_gistar_result *r, const hs_weights *w, const int *ge, int R,
                  const hs_gistar_opt *o, hs_err *err)
{
    for (int i = 0; i < r->n; i++) {
        r->isolated[i] = hs_weights_card(w, i) == 0;
        r->n_isolated += r->isolated[i];
        r->p[i] = hs_p_two_sided(r->z[i]);
        r->p_sim[i] = ge && ge[i] >= 0 ? hs_perm_folded_p(ge[i], R) : NAN;
    }
    const double *src = o->bin_p == HS_P_PERMUTATION ? r->p_sim : r->p;
    int rc = hs_fdr_bh(src, r->n, r->p_fdr, err);
    if (rc < 0)
        return rc;
    const double *bp = o->bin_fdr ? r->p_fdr : src;
    for (int i = 0; i < r->n; i++)
        r->bin[i] = (int8_t)hs_gistar_bin(r->z[i], bp[i]);
    r->bin_p = o->bin_p;
    r->bin_fdr = o->bin_fdr;
    r->permutations = R;
    return HS_OK;
}

int hs_gistar_with_counts(const hs_weights *w, const double *x, const hs_gistar_opt *o,
                          const int *ge, hs_gistar_result **out, hs_err *err)
{
    *out = NULL;
    if (o->bin_p == HS_P_PERMUTATION && (!ge || o->perm.permutations == 0))
        return hs_err_set(err, HS_EINVAL, "bins from permutation p need permutations > 0");
    hs_gistar_result *r = NULL;
    int rc = result_alloc(w->n, &r, err);
    if (rc < 0)
        return rc;
    if ((rc = hs_gistar_z(w, x, r->z, err)) < 0 ||
        (rc = finish(r, w, ge, o->perm.permutations, o, err)) < 0) {
        hs_gistar_result_free(r);
        return rc;
    }
    *out = r;
    return HS_OK;
}

int hs_gistar(const hs_weights *w, const double *x, const hs_gistar_opt *opt,
              hs_gistar_result **out, hs_err *err)
{
    *out = NULL;
    hs_gistar_opt def;
    if (!opt) {
        hs_gistar_opt_default(&def);
        opt = &def;
    }
    if (!w || !x)
        return hs_err_set(err, HS_EINVAL, "weights and x must not be NULL");
    int rc = hs_perm_opt_check(&opt->perm, err);
    if (rc < 0)
        return rc;
    int *ge = NULL;
    if ((rc = hs_perm_counts(w, x, &opt->perm, 1, &ge, err)) < 0)
        return rc;
    rc = hs_gistar_with_counts(w, x, opt, ge, out, err);
    free(ge);
    return rc;
}
