#include "hs_results.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_period.h"
#include "hs_perm.h"

void hs_results_title(hs_table *t, const char *what, const hs_params *p)
{
    char f[8], to[8];
    hs_period_format(p->from, f, sizeof f);
    hs_period_format(p->to, to, sizeof to);
    snprintf(t->title, sizeof t->title, "%s: %s, %s..%s, %s level%s%s", what,
             hs_indicator_name(p->indicator), f, to, hs_level_name(p->level),
             p->province[0] ? ", province " : "", p->province);
}

/* Columns shared by every per-unit table, filled by unit_cells(). */
#define UNIT_COLS "unit_code:s", "unit_name:s", "province_code:s", "province_name:s", "population:r"

/* Writes the UNIT_COLS of unit i into row, starting at column `first`. */
static int unit_cells(hs_table *t, int row, int first, const hs_unitset *u, int i, hs_err *err)
{
    const char *pc = u->level == HS_LEVEL_COMMUNE ? u->parent_code[i] : u->code[i];
    const char *pn = u->level == HS_LEVEL_COMMUNE ? u->parent_name[i] : u->name[i];
    int rc = hs_table_set_str(t, row, first, u->code[i], err);
    if (rc == HS_OK)
        rc = hs_table_set_str(t, row, first + 1, u->name[i], err);
    if (rc == HS_OK)
        rc = hs_table_set_str(t, row, first + 2, pc, err);
    if (rc == HS_OK)
        rc = hs_table_set_str(t, row, first + 3, pn, err);
    hs_table_set_real(t, row, first + 4, u->population[i]);
    return rc;
}

static void p_basis(hs_table *t, const hs_params *p)
{
    /* The method that drew the permutations travels with the p-values it made. */
    snprintf(t->p_basis, sizeof t->p_basis, "%s%s", p->fdr ? "fdr" : "raw",
             p->perm_method == HS_PERM_LOOKUP && p->permutations > 0 ? "+lookup" : "");
}

int hs_results_analyze(const hs_run *r, hs_table **out, hs_err *err)
{
    static const char *const cols[] = {
        UNIT_COLS, "count:r", "rate:r", "eb_rate:r", "eb_rate_local:r", "eb_z:r",
        "gi_z:r", "gi_p:r", "gi_p_sim:r", "gi_p_fdr:r", "gi_bin:i",
        "lisa_i:r", "lisa_z:r", "lisa_p_sim:r", "lisa_p_fdr:r", "lisa_quadrant:s",
        "trend_z:r", "border_km:r", "border_country:s", "events:r", "participants:r",
        "outreach_per_10k:r", "participants_per_10k:r", "months_since_outreach:i",
        "risk_score:r", "outreach_gap:r", "priority_rank:i", "isolated:i", "key_commune:i"};
    int nc = (int)(sizeof cols / sizeof cols[0]);
    int rc = hs_table_new(cols, nc, out, err);
    if (rc < 0)
        return rc;
    hs_table *t = *out;
    const hs_unitset *u = r->u;
    rc = hs_table_reserve(t, u->n, err);
    for (int i = 0; rc == HS_OK && i < u->n; i++) {
        int row = hs_table_add_row(t, err);
        if (row < 0) {
            rc = row;
            break;
        }
        rc = unit_cells(t, row, 0, u, i, err);
        int c = 5;
        double lisa_p_sim = r->lisa->p_sim[i];
        hs_table_set_real(t, row, c++, r->count[i]);
        hs_table_set_real(t, row, c++, u->population[i] > 0 ? 1e5 * r->count[i] / u->population[i] : NAN);
        hs_table_set_real(t, row, c++, r->eb_rate[i]);
        hs_table_set_real(t, row, c++, r->eb_local[i]);
        hs_table_set_real(t, row, c++, r->eb_z[i]);
        hs_table_set_real(t, row, c++, r->gi->z[i]);
        hs_table_set_real(t, row, c++, r->gi->p[i]);
        hs_table_set_real(t, row, c++, r->gi->p_sim[i]);
        hs_table_set_real(t, row, c++, r->gi->p_fdr[i]);
        hs_table_set_int(t, row, c++, r->gi->bin[i]);
        hs_table_set_real(t, row, c++, r->lisa->i[i]);
        hs_table_set_real(t, row, c++, r->lisa->z[i]);
        hs_table_set_real(t, row, c++, lisa_p_sim);
        hs_table_set_real(t, row, c++, r->lisa->p_fdr[i]);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, c++, hs_lisa_quadrant_name(r->lisa->quadrant[i]), err);
        hs_table_set_real(t, row, c++, r->trend_z[i]);
        hs_table_set_real(t, row, c++, u->border_km[i]);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, c++, u->border_country[i][0] ? u->border_country[i] : NULL, err);
        hs_table_set_real(t, row, c++, r->outreach->events[i]);
        hs_table_set_real(t, row, c++, r->outreach->participants[i]);
        hs_table_set_real(t, row, c++, r->risk->events_per_10k[i]);
        hs_table_set_real(t, row, c++, r->risk->participants_per_10k[i]);
        if (r->outreach->months_since_event[i] >= 0)
            hs_table_set_int(t, row, c, r->outreach->months_since_event[i]);
        c++;
        hs_table_set_real(t, row, c++, r->risk->score[i]);
        hs_table_set_real(t, row, c++, r->risk->gap[i]);
        if (r->risk->priority_rank[i] > 0)
            hs_table_set_int(t, row, c, r->risk->priority_rank[i]);
        c++;
        hs_table_set_int(t, row, c++, r->gi->isolated[i]);
        hs_table_set_int(t, row, c++, u->key_commune[i]);
    }
    t->synthetic = r->synthetic;
    snprintf(t->variable, sizeof t->variable, "%s", hs_variable_name(r->prm.variable));
    p_basis(t, &r->prm);
    hs_results_title(t, "Hot spots", &r->prm);
    return rc;
}

void hs_results_analyze_summary(const hs_run *r, hs_table *t)
{
    hs_table_add_summary(t, "moran_i", r->moran.i);
    hs_table_add_summary(t, "moran_expected", r->moran.e);
    hs_table_add_summary(t, "moran_z", r->moran.z);
    hs_table_add_summary(t, "moran_p", r->moran.p);
    hs_table_add_summary(t, "moran_p_sim", r->moran.p_sim);
    hs_table_add_summary(t, "isolated_units", r->gi->n_isolated);
}

int hs_results_priorities(const hs_run *r, hs_table **out, hs_err *err)
{
    static const char *const cols[] = {"priority_rank:i", UNIT_COLS, "risk_score:r",
                                       "outreach_gap:r", "gi_bin:i", "eb_rate:r", "border_km:r",
                                       "border_country:s", "events:r", "months_since_outreach:i",
                                       "reason:s", "reason_vi:s"};
    int rc = hs_table_new(cols, (int)(sizeof cols / sizeof cols[0]), out, err);
    if (rc < 0)
        return rc;
    hs_table *t = *out;
    const hs_unitset *u = r->u;
    for (int k = 0; rc == HS_OK && k < r->risk->n_priorities; k++) {
        const hs_priority *pr = &r->risk->priorities[k];
        int i = pr->unit;
        int row = hs_table_add_row(t, err);
        if (row < 0)
            return row;
        hs_table_set_int(t, row, 0, pr->rank);
        rc = unit_cells(t, row, 1, u, i, err);
        hs_table_set_real(t, row, 6, pr->score);
        hs_table_set_real(t, row, 7, pr->gap);
        hs_table_set_int(t, row, 8, r->gi->bin[i]);
        hs_table_set_real(t, row, 9, r->eb_rate[i]);
        hs_table_set_real(t, row, 10, u->border_km[i]);
        if (rc == HS_OK && u->border_country[i][0])
            rc = hs_table_set_str(t, row, 11, u->border_country[i], err);
        hs_table_set_real(t, row, 12, r->outreach->events[i]);
        if (r->outreach->months_since_event[i] >= 0)
            hs_table_set_int(t, row, 13, r->outreach->months_since_event[i]);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, 14, pr->reason_en, err);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, 15, pr->reason_vi, err);
    }
    t->synthetic = r->synthetic;
    snprintf(t->variable, sizeof t->variable, "%s", hs_variable_name(r->prm.variable));
    p_basis(t, &r->prm);
    hs_results_title(t, "Outreach priorities", &r->prm);
    return rc;
}

int hs_results_scan(const hs_params *p, const hs_unitset *u, const hs_scan_result *s,
                    int synthetic, hs_table **out, hs_err *err)
{
    static const char *const cols[] = {"cluster:i", UNIT_COLS, "centre_code:s", "radius_km:r",
                                       "n_units:i", "observed:r", "expected:r",
                                       "relative_risk:r", "llr:r", "p:r"};
    int rc = hs_table_new(cols, (int)(sizeof cols / sizeof cols[0]), out, err);
    if (rc < 0)
        return rc;
    hs_table *t = *out;
    for (int k = 0; rc == HS_OK && k < s->n_clusters; k++) {
        const hs_scan_cluster *cl = &s->clusters[k];
        for (int m = 0; rc == HS_OK && m < cl->n_members; m++) {
            int i = cl->members[m];
            int row = hs_table_add_row(t, err);
            if (row < 0)
                return row;
            hs_table_set_int(t, row, 0, k + 1);
            rc = unit_cells(t, row, 1, u, i, err);
            if (rc == HS_OK)
                rc = hs_table_set_str(t, row, 6, u->code[cl->centre], err);
            hs_table_set_real(t, row, 7, cl->radius_m / 1000.0);
            hs_table_set_int(t, row, 8, cl->n_members);
            hs_table_set_real(t, row, 9, cl->observed);
            hs_table_set_real(t, row, 10, cl->expected);
            /* Every case inside the cluster makes RR infinite; written as empty. */
            hs_table_set_real(t, row, 11, cl->rr);
            hs_table_set_real(t, row, 12, cl->llr);
            hs_table_set_real(t, row, 13, cl->p);
        }
    }
    t->synthetic = synthetic;
    snprintf(t->variable, sizeof t->variable, "count");
    snprintf(t->p_basis, sizeof t->p_basis, "monte_carlo");
    hs_results_title(t, "Kulldorff Poisson scan", p);
    return rc;
}

int hs_results_emerging(const hs_params *p, const hs_unitset *u, const hs_emerging_result *e,
                        int synthetic, hs_table **out, hs_err *err)
{
    static const char *const cols[] = {UNIT_COLS, "category:s", "category_en:s", "category_vi:s",
                                       "trend_z:r", "trend_p:r", "hot_steps:i", "cold_steps:i",
                                       "final_bin:i", "steps:i"};
    int rc = hs_table_new(cols, (int)(sizeof cols / sizeof cols[0]), out, err);
    if (rc < 0)
        return rc;
    hs_table *t = *out;
    rc = hs_table_reserve(t, u->n, err);
    for (int i = 0; rc == HS_OK && i < u->n; i++) {
        int row = hs_table_add_row(t, err);
        if (row < 0)
            return row;
        rc = unit_cells(t, row, 0, u, i, err);
        hs_emerging_cat c = e->category[i];
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, 5, hs_emerging_code(c), err);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, 6, hs_emerging_label_en(c), err);
        if (rc == HS_OK)
            rc = hs_table_set_str(t, row, 7, hs_emerging_label_vi(c), err);
        hs_table_set_real(t, row, 8, e->trend[i].z);
        hs_table_set_real(t, row, 9, e->trend[i].p);
        int hot = 0, cold = 0;
        for (int s = 0; s < e->T; s++) {
            int b = e->bin[(size_t)i * (size_t)e->T + (size_t)s];
            hot += b > 0;
            cold += b < 0;
        }
        hs_table_set_int(t, row, 10, hot);
        hs_table_set_int(t, row, 11, cold);
        hs_table_set_int(t, row, 12, e->bin[(size_t)i * (size_t)e->T + (size_t)(e->T - 1)]);
        hs_table_set_int(t, row, 13, e->T);
    }
    t->synthetic = synthetic;
    snprintf(t->variable, sizeof t->variable, "count_per_%s", p->step_months == 3 ? "quarter" : "month");
    p_basis(t, p);
    hs_results_title(t, "Emerging hot spots", p);
    return rc;
}
