/* hs_sdc: cell suppression of a release with an LP audit (see hs_sdc.h and
 * docs/publication.md for the method and why two releases together stay safe).
 *
 * Cells are numbered: province (i, j) = i * ncol + j, then the national cells
 * P + j (P = nrow * ncol), then the national months P + ncol + t. A step of the
 * protection (quarters 1..s, or the year) makes one GLPK problem whose columns are
 * the step's cells and whose rows are the additivity the attacker knows. */
#include "hs_sdc.h"

#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-6
#define MAX_ROUNDS 8 /* augmentations of one primary before giving up (each widens it) */

typedef struct sdc {
    const hs_sdc_table *t;
    int ncol, P, N;
    double *v;             /* N exact values */
    unsigned char *flag;   /* N */
    unsigned char *prim;   /* N: 1..4 */
    unsigned char *cand;   /* N: may be withheld in this step */
    unsigned char *active; /* N: in this step */
    int *col;              /* N: GLPK column (1-based), 0 when not active */
    /* the step's additivity, GLPK triplets (1-based, slot 0 unused) */
    int nrows, nnz, *ia, *ja;
    double *ar;
    int years;             /* the step has the year column */
    hs_sdc_stats st;
} sdc;

static int is_small(double v) { return v >= 1 && v < HS_SDC_MIN_SHOWN; }

static unsigned char withheld_flag(double v)
{
    return v < HS_SDC_MIN_SHOWN ? HS_SDC_SMALL : HS_SDC_HIDDEN;
}

/* What the attacker knows of a cell: a published value exactly; "<5" is 0..4 (every
 * count 0..4 shows "<5", zeros included, so a method-aware attacker learns no more
 * from the label than this); "x" is >= 5. */
static void bounds_of(const sdc *s, int c, double *lo, double *hi)
{
    if (s->flag[c] == HS_SDC_SHOWN) {
        *lo = *hi = s->v[c];
    } else if (s->v[c] < HS_SDC_MIN_SHOWN) {
        *lo = 0;
        *hi = HS_SDC_MIN_SHOWN - 1;
    } else {
        *lo = HS_SDC_MIN_SHOWN;
        *hi = INFINITY;
    }
}

static double cost_of(const sdc *s, int c)
{
    double base = c >= s->P ? HS_SDC_COST_NATION
                  : c % s->ncol == s->t->nq ? HS_SDC_COST_YEAR
                                            : HS_SDC_COST_QUARTER;
    /* Larger cells cost a little more, so that of two equal patterns the one that
     * keeps the larger provinces shown is chosen. */
    return base * (1 + s->v[c] / 1000.0);
}

static void add_nz(sdc *s, int cell, double a)
{
    s->nnz++;
    s->ia[s->nnz] = s->nrows;
    s->ja[s->nnz] = s->col[cell];
    s->ar[s->nnz] = a;
}

/* The additivity of the step: nation = sum of provinces per column; year = sum of
 * quarters per row (year step); national quarter = sum of its months. */
static void build_rows(sdc *s, int nq_active)
{
    const hs_sdc_table *t = s->t;
    int ncol = s->ncol;
    s->nrows = s->nnz = 0;
    for (int j = 0; j < ncol; j++) {
        if (!s->active[s->P + j])
            continue;
        s->nrows++;
        add_nz(s, s->P + j, 1);
        for (int i = 0; i < t->nrow; i++)
            add_nz(s, i * ncol + j, -1);
    }
    if (s->years) {
        for (int i = 0; i <= t->nrow; i++) {
            int base = i < t->nrow ? i * ncol : s->P;
            s->nrows++;
            add_nz(s, base + t->nq, 1);
            for (int q = 0; q < t->nq; q++)
                add_nz(s, base + q, -1);
        }
    }
    for (int q = 0; q < nq_active; q++) {
        s->nrows++;
        add_nz(s, s->P + q, 1);
        for (int m = 0; m < 3; m++)
            add_nz(s, s->P + ncol + 3 * q + m, -1);
    }
}

static glp_prob *new_problem(const sdc *s, int ncols)
{
    glp_prob *lp = glp_create_prob();
    if (s->nrows > 0)
        glp_add_rows(lp, s->nrows);
    for (int r = 1; r <= s->nrows; r++)
        glp_set_row_bnds(lp, r, GLP_FX, 0, 0);
    glp_add_cols(lp, ncols);
    return lp;
}

static void set_col_bounds(glp_prob *lp, int j, double lo, double hi)
{
    if (isinf(hi))
        glp_set_col_bnds(lp, j, GLP_LO, lo, 0);
    else if (hi - lo < EPS)
        glp_set_col_bnds(lp, j, GLP_FX, lo, lo);
    else
        glp_set_col_bnds(lp, j, GLP_DB, lo, hi);
}

static int solve(sdc *s, glp_prob *lp, int dir, double *obj, int *feasible, hs_err *err)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_OFF;
    glp_set_obj_dir(lp, dir);
    s->st.lps++;
    int rc = glp_simplex(lp, &parm);
    if (rc != 0) {
        /* A lost basis can happen after many bound changes: start again once. */
        glp_adv_basis(lp, 0);
        rc = glp_simplex(lp, &parm);
    }
    if (rc != 0)
        return hs_err_set(err, HS_EINTERNAL, "GLPK simplex failed (code %d)", rc);
    int status = glp_get_status(lp);
    *feasible = status == GLP_OPT;
    if (status != GLP_OPT && status != GLP_NOFEAS)
        return hs_err_set(err, HS_EINTERNAL, "GLPK: unexpected LP status %d", status);
    *obj = glp_get_obj_val(lp);
    return HS_OK;
}

/* The attacker's problem of the step: one column per active cell. */
static glp_prob *audit_problem(const sdc *s)
{
    glp_prob *lp = new_problem(s, s->N);
    glp_load_matrix(lp, s->nnz, s->ia, s->ja, s->ar);
    for (int c = 0; c < s->N; c++) {
        if (!s->col[c])
            continue;
        double lo, hi;
        bounds_of(s, c, &lo, &hi);
        set_col_bounds(lp, s->col[c], lo, hi);
    }
    return lp;
}

/* Smallest and largest value of cell c consistent with what is published. */
static int attack(sdc *s, glp_prob *lp, int c, double *lo, double *hi, hs_err *err)
{
    int feas = 0, rc;
    glp_set_obj_coef(lp, s->col[c], 1);
    rc = solve(s, lp, GLP_MIN, lo, &feas, err);
    if (rc == HS_OK && feas)
        rc = solve(s, lp, GLP_MAX, hi, &feas, err);
    glp_set_obj_coef(lp, s->col[c], 0);
    if (rc == HS_OK && !feas)
        rc = hs_err_set(err, HS_EINTERNAL, "the published figures admit no table (cell %d)", c);
    return rc;
}

static int integers(double lo, double hi)
{
    return (int)(floor(hi + EPS) - ceil(lo - EPS)) + 1;
}

/* The cheapest set of candidate cells that lets cell p move by `delta` (every
 * other published figure unchanged, every withheld cell inside its label): a
 * deviation LP, two columns per cell (up, down), costs on the candidates only.
 * Withholds the candidates that move; *found = 0 when no set exists. */
static int complement(sdc *s, int p, double delta, int *found, hs_err *err)
{
    glp_prob *lp = new_problem(s, 2 * s->N);
    int *ia = malloc(sizeof *ia * (2 * (size_t)s->nnz + 1));
    int *ja = malloc(sizeof *ja * (2 * (size_t)s->nnz + 1));
    double *ar = malloc(sizeof *ar * (2 * (size_t)s->nnz + 1));
    if (!ia || !ja || !ar) {
        free(ia), free(ja), free(ar);
        glp_delete_prob(lp);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the complement LP");
    }
    int k = 0;
    for (int n = 1; n <= s->nnz; n++) {
        ia[++k] = s->ia[n], ja[k] = 2 * s->ja[n] - 1, ar[k] = s->ar[n];
        ia[++k] = s->ia[n], ja[k] = 2 * s->ja[n], ar[k] = -s->ar[n];
    }
    glp_load_matrix(lp, k, ia, ja, ar);
    free(ia), free(ja), free(ar);
    for (int c = 0; c < s->N; c++) {
        int j = s->col[c];
        if (!j)
            continue;
        int up = 2 * j - 1, down = 2 * j;
        double lo, hi, v = s->v[c];
        if (c == p) {
            set_col_bounds(lp, up, delta > 0 ? delta : 0, delta > 0 ? delta : 0);
            set_col_bounds(lp, down, delta < 0 ? -delta : 0, delta < 0 ? -delta : 0);
            continue;
        }
        if (s->flag[c] != HS_SDC_SHOWN || s->cand[c]) {
            /* room inside the label this cell has, or would have once withheld */
            unsigned char keep = s->flag[c];
            s->flag[c] = withheld_flag(v);
            bounds_of(s, c, &lo, &hi);
            s->flag[c] = keep;
        } else {
            lo = hi = v;
        }
        set_col_bounds(lp, up, 0, hi - v);
        set_col_bounds(lp, down, 0, v - lo);
        if (s->flag[c] == HS_SDC_SHOWN && s->cand[c]) {
            glp_set_obj_coef(lp, up, cost_of(s, c));
            glp_set_obj_coef(lp, down, cost_of(s, c));
        }
    }
    double obj;
    int rc = solve(s, lp, GLP_MIN, &obj, found, err);
    for (int c = 0; rc == HS_OK && *found && c < s->N; c++) {
        int j = s->col[c];
        if (!j || c == p || s->flag[c] != HS_SDC_SHOWN || !s->cand[c])
            continue;
        if (glp_get_col_prim(lp, 2 * j - 1) + glp_get_col_prim(lp, 2 * j) > EPS) {
            s->flag[c] = withheld_flag(s->v[c]);
            s->st.secondary++;
        }
    }
    glp_delete_prob(lp);
    return rc;
}

static int cell_name(const sdc *s, int c, char *buf, size_t n)
{
    if (c < s->P)
        return snprintf(buf, n, "province row %d, column %d", c / s->ncol, c % s->ncol);
    if (c < s->P + s->ncol)
        return snprintf(buf, n, "national column %d", c - s->P);
    return snprintf(buf, n, "national month %d", c - s->P - s->ncol);
}

/* Audits every primary of the step and protects the ones that fail. */
static int protect_step(sdc *s, hs_err *err)
{
    glp_prob *lp = audit_problem(s);
    int rc = HS_OK;
    for (int p = 0; rc == HS_OK && p < s->N; p++) {
        if (!s->col[p] || !s->prim[p])
            continue;
        for (int round = 0; rc == HS_OK; round++) {
            double lo, hi;
            if ((rc = attack(s, lp, p, &lo, &hi, err)) < 0)
                break;
            int a = (int)ceil(lo - EPS), b = (int)floor(hi + EPS);
            if (b - a + 1 >= HS_SDC_MIN_FEASIBLE)
                break;
            char where[64];
            cell_name(s, p, where, sizeof where);
            if (round >= MAX_ROUNDS) {
                rc = hs_err_set(err, HS_EINVAL, "disclosure control: the count 1..4 of %s keeps "
                                "only %d feasible values; the release cannot be published",
                                where, b - a + 1);
                break;
            }
            /* Target: the interval [t, t + MIN_FEASIBLE - 1] inside 0..4 around the
             * value that needs the least widening. */
            int v = (int)s->v[p], best = -1, best_ext = 1 << 30;
            for (int t0 = 0; t0 + HS_SDC_MIN_FEASIBLE - 1 <= HS_SDC_MIN_SHOWN - 1; t0++) {
                int t1 = t0 + HS_SDC_MIN_FEASIBLE - 1;
                if (v < t0 || v > t1)
                    continue;
                int ext = (a > t0 ? a - t0 : 0) + (t1 > b ? t1 - b : 0);
                if (ext < best_ext)
                    best = t0, best_ext = ext;
            }
            int found = 1, t1 = best + HS_SDC_MIN_FEASIBLE - 1;
            if (t1 > b)
                rc = complement(s, p, t1 - v, &found, err);
            if (rc == HS_OK && found && best < a)
                rc = complement(s, p, best - v, &found, err);
            if (rc == HS_OK && !found)
                rc = hs_err_set(err, HS_EINVAL, "disclosure control: no cell that this release "
                                "may still withhold can protect the count 1..4 of %s; the "
                                "release cannot be published", where);
            for (int c = 0; rc == HS_OK && c < s->N; c++)
                if (s->col[c]) {
                    double l, h;
                    bounds_of(s, c, &l, &h);
                    set_col_bounds(lp, s->col[c], l, h);
                }
        }
    }
    /* The proof of the step: every primary against the final pattern. */
    s->st.min_feasible = 0;
    for (int p = 0; rc == HS_OK && p < s->N; p++) {
        if (!s->col[p] || !s->prim[p])
            continue;
        double lo, hi;
        if ((rc = attack(s, lp, p, &lo, &hi, err)) < 0)
            break;
        int n = integers(lo, hi);
        if (s->st.min_feasible == 0 || n < s->st.min_feasible)
            s->st.min_feasible = n;
        if (n < HS_SDC_MIN_FEASIBLE) {
            char where[64];
            cell_name(s, p, where, sizeof where);
            rc = hs_err_set(err, HS_EINTERNAL, "disclosure control: the audit still narrows %s "
                            "to %d values", where, n);
        }
    }
    glp_delete_prob(lp);
    return rc;
}

/* Adds cells to the step: new ones start published unless they are 0..4 ("<5"), and
 * are the only ones the step may withhold. */
static void activate(sdc *s, int c)
{
    s->active[c] = 1;
    s->cand[c] = 1;
    s->flag[c] = s->v[c] < HS_SDC_MIN_SHOWN ? HS_SDC_SMALL : HS_SDC_SHOWN;
}

static int run_step(sdc *s, int quarters, int year, hs_err *err)
{
    const hs_sdc_table *t = s->t;
    memset(s->cand, 0, (size_t)s->N);
    if (year) {
        for (int i = 0; i < t->nrow; i++)
            activate(s, i * s->ncol + t->nq);
        activate(s, s->P + t->nq);
    } else {
        int q = quarters - 1;
        for (int i = 0; i < t->nrow; i++)
            activate(s, i * s->ncol + q);
        activate(s, s->P + q);
        for (int m = 0; m < 3; m++)
            activate(s, s->P + s->ncol + 3 * q + m);
    }
    s->years = year;
    int k = 0;
    for (int c = 0; c < s->N; c++)
        s->col[c] = s->active[c] ? ++k : 0;
    build_rows(s, quarters);
    return protect_step(s, err);
}

static int check_counts(size_t n, const double *x, const char *what, hs_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (!(x[i] >= 0) || x[i] != floor(x[i]) || x[i] > 1e9)
            return hs_err_set(err, HS_EINVAL, "%s[%zu] = %g is not a non-negative integer count",
                              what, i, x[i]);
    return HS_OK;
}

int hs_sdc_protect(const hs_sdc_table *t, unsigned char *f, unsigned char *nat_f,
                   unsigned char *month_f, hs_sdc_stats *stats, hs_err *err)
{
    if (t->nrow < 0 || t->nrow > HS_SDC_MAX_ROWS || t->nq < 1 || t->nq > HS_SDC_MAX_QUARTERS)
        return hs_err_set(err, HS_ELIMIT, "table of %d provinces x %d quarters: at most %d x %d",
                          t->nrow, t->nq, HS_SDC_MAX_ROWS, HS_SDC_MAX_QUARTERS);
    if (t->has_year && t->nq != 4)
        return hs_err_set(err, HS_EINVAL, "a year column needs its 4 quarters, not %d", t->nq);
    sdc s = {.t = t, .ncol = t->nq + !!t->has_year};
    s.P = t->nrow * s.ncol;
    s.N = s.P + s.ncol + 3 * t->nq;
    int rc = check_counts((size_t)s.P, t->x, "count", err);
    if (rc == HS_OK)
        rc = check_counts(3 * (size_t)t->nq, t->month, "month", err);
    if (rc < 0)
        return rc;
    size_t N = (size_t)s.N, nnz = (size_t)s.ncol * (t->nrow + 1) +
                               (size_t)(t->nrow + 1) * (t->nq + 1) + 4 * (size_t)t->nq;
    s.v = calloc(N, sizeof *s.v);
    s.flag = calloc(N, 4);
    s.col = calloc(N, sizeof *s.col);
    s.ia = calloc(nnz + 1, sizeof *s.ia);
    s.ja = calloc(nnz + 1, sizeof *s.ja);
    s.ar = calloc(nnz + 1, sizeof *s.ar);
    if (!s.v || !s.flag || !s.col || !s.ia || !s.ja || !s.ar) {
        rc = hs_err_set(err, HS_ENOMEM, "cannot allocate the disclosure control of %d cells", s.N);
        goto out;
    }
    s.prim = s.flag + N, s.cand = s.flag + 2 * N, s.active = s.flag + 3 * N;
    memcpy(s.v, t->x, sizeof *s.v * (size_t)s.P);
    for (int j = 0; j < s.ncol; j++)
        for (int i = 0; i < t->nrow; i++)
            s.v[s.P + j] += t->x[(size_t)i * s.ncol + j];
    for (int q = 0; q < t->nq; q++) {
        double m = 0;
        for (int k = 0; k < 3; k++)
            m += s.v[s.P + s.ncol + 3 * q + k] = t->month[3 * q + k];
        if (m != s.v[s.P + q]) {
            rc = hs_err_set(err, HS_EINVAL, "national months of quarter %d sum to %g, the "
                            "provinces to %g", q + 1, m, s.v[s.P + q]);
            goto out;
        }
    }
    if (t->has_year)
        for (int i = 0; i <= t->nrow; i++) {
            int base = i < t->nrow ? i * s.ncol : s.P;
            double y = 0;
            for (int q = 0; q < 4; q++)
                y += s.v[base + q];
            if (y != s.v[base + 4]) {
                rc = hs_err_set(err, HS_EINVAL, "row %d: the year %g is not the sum of its "
                                "quarters (%g)", i, s.v[base + 4], y);
                goto out;
            }
        }
    for (int c = 0; c < s.N; c++) {
        s.prim[c] = (unsigned char)is_small(s.v[c]);
        s.st.primary += s.prim[c];
    }
    /* The releases of the year in order: each keeps what the one before published. */
    for (int q = 1; rc == HS_OK && q <= t->nq; q++)
        rc = run_step(&s, q, 0, err);
    if (rc == HS_OK && t->has_year)
        rc = run_step(&s, t->nq, 1, err);
    if (rc < 0)
        goto out;
    memcpy(f, s.flag, (size_t)s.P);
    memcpy(nat_f, s.flag + s.P, (size_t)s.ncol);
    memcpy(month_f, s.flag + s.P + s.ncol, 3 * (size_t)t->nq);
    s.st.province_cells = s.P;
    for (int c = 0; c < s.P; c++)
        s.st.province_shown += s.flag[c] == HS_SDC_SHOWN;
    if (stats)
        *stats = s.st;
out:
    free(s.v);
    free(s.flag);
    free(s.col);
    free(s.ia);
    free(s.ja);
    free(s.ar);
    return rc;
}

const char *hs_sdc_format(double x, unsigned char flag, char *buf, size_t n)
{
    if (flag == HS_SDC_SMALL)
        snprintf(buf, n, "<%d", HS_SDC_MIN_SHOWN);
    else if (flag == HS_SDC_HIDDEN)
        snprintf(buf, n, "x");
    else
        snprintf(buf, n, "%.0f", x);
    return buf;
}

double hs_sdc_rate(double x, unsigned char flag, double pop)
{
    if (flag != HS_SDC_SHOWN || !(pop > 0))
        return NAN;
    return x / pop * 100000.0;
}
