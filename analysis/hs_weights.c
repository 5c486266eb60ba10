#include "hs_weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Upper bound on links so a corrupt adjacency table cannot ask for unbounded memory. */
#define HS_WEIGHTS_MAX_LINKS 100000000

static int weights_alloc(int n, size_t nlinks, hs_weights **out, hs_err *err)
{
    if (n < 0 || nlinks > HS_WEIGHTS_MAX_LINKS)
        return hs_err_set(err, HS_ELIMIT, "weights of %d units and %zu links exceed the limit",
                          n, nlinks);
    hs_weights *w = calloc(1, sizeof *w);
    if (!w)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate weights");
    w->n = n;
    w->start = calloc((size_t)n + 1, sizeof *w->start);
    w->nbr = malloc((nlinks ? nlinks : 1) * sizeof *w->nbr);
    w->wt = malloc((nlinks ? nlinks : 1) * sizeof *w->wt);
    if (!w->start || !w->nbr || !w->wt) {
        hs_weights_free(w);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate weights with %zu links", nlinks);
    }
    *out = w;
    return HS_OK;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void sort_ints_short(int *v, int m)
{
    for (int i = 1; i < m; i++) {
        int x = v[i], j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

int hs_weights_from_pairs(int n, const int *a, const int *b, size_t m, hs_weights **out,
                          hs_err *err)
{
    *out = NULL;
    if (m > HS_WEIGHTS_MAX_LINKS / 2)
        return hs_err_set(err, HS_ELIMIT, "%zu neighbour pairs exceed the limit", m);
    for (size_t k = 0; k < m; k++)
        if (a[k] < 0 || a[k] >= n || b[k] < 0 || b[k] >= n)
            return hs_err_set(err, HS_EINVAL, "neighbour pair %zu (%d, %d) is outside 0..%d", k,
                              a[k], b[k], n - 1);
    hs_weights *w = NULL;
    int rc = weights_alloc(n, 2 * m, &w, err);
    if (rc < 0)
        return rc;
    /* Counting sort into rows, then sort and de-duplicate each row. */
    int *fill = calloc((size_t)n + 1, sizeof *fill);
    if (!fill) {
        hs_weights_free(w);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate weights");
    }
    for (size_t k = 0; k < m; k++)
        if (a[k] != b[k]) {
            fill[a[k] + 1]++;
            fill[b[k] + 1]++;
        }
    for (int i = 0; i < n; i++)
        fill[i + 1] += fill[i];
    int *pos = malloc(((size_t)n + 1) * sizeof *pos);
    if (!pos) {
        free(fill);
        hs_weights_free(w);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate weights");
    }
    memcpy(pos, fill, ((size_t)n + 1) * sizeof *pos);
    for (size_t k = 0; k < m; k++)
        if (a[k] != b[k]) {
            w->nbr[pos[a[k]]++] = b[k];
            w->nbr[pos[b[k]]++] = a[k];
        }
    int out_pos = 0;
    for (int i = 0; i < n; i++) {
        int s = fill[i], e = fill[i + 1];
        if (e - s <= 32) /* contiguity rows are short: qsort's calls cost more */
            sort_ints_short(w->nbr + s, e - s);
        else
            qsort(w->nbr + s, (size_t)(e - s), sizeof *w->nbr, cmp_int);
        w->start[i] = out_pos;
        for (int k = s; k < e; k++)
            if (k == s || w->nbr[k] != w->nbr[k - 1])
                w->nbr[out_pos++] = w->nbr[k];
    }
    w->start[n] = out_pos;
    for (int k = 0; k < out_pos; k++)
        w->wt[k] = 1.0;
    w->style = HS_W_BINARY;
    free(pos);
    free(fill);
    *out = w;
    return HS_OK;
}

void hs_weights_set_style(hs_weights *w, hs_weights_style style)
{
    for (int i = 0; i < w->n; i++) {
        int c = hs_weights_card(w, i);
        for (int k = w->start[i]; k < w->start[i + 1]; k++)
            w->wt[k] = style == HS_W_ROW ? 1.0 / c : 1.0;
    }
    w->style = style;
}

int hs_weights_copy(const hs_weights *w, hs_weights **out, hs_err *err)
{
    size_t links = (size_t)w->start[w->n];
    int rc = weights_alloc(w->n, links, out, err);
    if (rc < 0)
        return rc;
    memcpy((*out)->start, w->start, ((size_t)w->n + 1) * sizeof *w->start);
    memcpy((*out)->nbr, w->nbr, links * sizeof *w->nbr);
    memcpy((*out)->wt, w->wt, links * sizeof *w->wt);
    (*out)->style = w->style;
    return HS_OK;
}

void hs_weights_free(hs_weights *w)
{
    if (!w)
        return;
    free(w->start);
    free(w->nbr);
    free(w->wt);
    free(w);
}

/* ---- Point index for knn, distance band and attach_isolated ----------------------
 * A uniform grid over the bounding box, points counting-sorted by cell. Cell size
 * is chosen by the caller (about 2 points per cell for knn, the band for distance
 * band) and enlarged so that the grid never has more than ~4n cells. Queries visit
 * square rings of cells around the query cell, so typical cost is O(n k), never O(n^2)
 * for spread-out points. */

#define HS_KNN_MAX 1000

typedef struct pt_grid {
    double x0, y0, h;
    int nx, ny;
    int *cstart; /* nx*ny + 1 offsets into pts */
    int *pts;
} pt_grid;

static void grid_free(pt_grid *g)
{
    free(g->cstart);
    free(g->pts);
}

static int grid_cell(const pt_grid *g, double v, double v0, int nmax)
{
    double c = floor((v - v0) / g->h);
    if (c < 0)
        return 0;
    if (c >= nmax)
        return nmax - 1;
    return (int)c;
}

static int grid_build(int n, const double *x, const double *y, double h, pt_grid *g, hs_err *err)
{
    memset(g, 0, sizeof *g);
    double xmin = x[0], xmax = x[0], ymin = y[0], ymax = y[0];
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            return hs_err_set(err, HS_EINVAL, "centroid of unit %d is not finite", i);
        xmin = fmin(xmin, x[i]);
        xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]);
        ymax = fmax(ymax, y[i]);
    }
    double w = xmax - xmin, hgt = ymax - ymin;
    if (!(h > 0) || !isfinite(h))
        h = fmax(fmax(w, hgt), 1.0);
    /* Enlarge cells until the grid has at most 4n + 16 cells. */
    for (;;) {
        double cx = floor(w / h) + 1, cy = floor(hgt / h) + 1;
        if (cx * cy <= 4.0 * n + 16)
            break;
        h *= 1.5;
    }
    g->x0 = xmin;
    g->y0 = ymin;
    g->h = h;
    g->nx = (int)floor(w / h) + 1;
    g->ny = (int)floor(hgt / h) + 1;
    size_t ncell = (size_t)g->nx * (size_t)g->ny;
    g->cstart = calloc(ncell + 1, sizeof *g->cstart);
    g->pts = malloc((size_t)n * sizeof *g->pts);
    int *cell = malloc((size_t)n * sizeof *cell);
    if (!g->cstart || !g->pts || !cell) {
        free(cell);
        grid_free(g);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a point index for %d units", n);
    }
    for (int i = 0; i < n; i++) {
        cell[i] = grid_cell(g, y[i], g->y0, g->ny) * g->nx + grid_cell(g, x[i], g->x0, g->nx);
        g->cstart[cell[i] + 1]++;
    }
    for (size_t c = 0; c < ncell; c++)
        g->cstart[c + 1] += g->cstart[c];
    /* Filling in index order keeps each cell ascending, so queries are deterministic. */
    int *pos = malloc(ncell * sizeof *pos);
    if (!pos) {
        free(cell);
        grid_free(g);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a point index for %d units", n);
    }
    memcpy(pos, g->cstart, ncell * sizeof *pos);
    for (int i = 0; i < n; i++)
        g->pts[pos[cell[i]]++] = i;
    free(pos);
    free(cell);
    return HS_OK;
}

typedef struct knn_cand {
    double d2;
    int j;
} knn_cand;

/* Strict order on (squared distance, index): equal distances break to the lower index,
 * so results do not depend on grid layout. */
static int cand_less(double d2a, int ja, double d2b, int jb)
{
    return d2a < d2b || (d2a == d2b && ja < jb);
}

/* The k nearest units to point i (excluding i) into best[0..k-1], sorted by
 * (distance, index). k <= n - 1. */
static void grid_knn(const pt_grid *g, const double *x, const double *y, int i, int k,
                     knn_cand *best)
{
    int have = 0;
    int cx = grid_cell(g, x[i], g->x0, g->nx), cy = grid_cell(g, y[i], g->y0, g->ny);
    int maxr = g->nx > g->ny ? g->nx : g->ny;
    for (int r = 0; r <= maxr; r++) {
        for (int gy = cy - r; gy <= cy + r; gy++) {
            if (gy < 0 || gy >= g->ny)
                continue;
            int edge = gy == cy - r || gy == cy + r;
            for (int gx = cx - r; gx <= cx + r; gx += (edge || r == 0) ? 1 : 2 * r) {
                if (gx < 0 || gx >= g->nx)
                    continue;
                int c = gy * g->nx + gx;
                for (int q = g->cstart[c]; q < g->cstart[c + 1]; q++) {
                    int j = g->pts[q];
                    if (j == i)
                        continue;
                    double dx = x[j] - x[i], dy = y[j] - y[i], d2 = dx * dx + dy * dy;
                    if (have == k && !cand_less(d2, j, best[k - 1].d2, best[k - 1].j))
                        continue;
                    int p = have < k ? have++ : k - 1;
                    while (p > 0 && cand_less(d2, j, best[p - 1].d2, best[p - 1].j)) {
                        best[p] = best[p - 1];
                        p--;
                    }
                    best[p].d2 = d2;
                    best[p].j = j;
                }
            }
        }
        /* Every cell in rings > r is at least r*h away from point i. */
        double reach = r * g->h;
        if (have == k && best[k - 1].d2 <= reach * reach)
            break;
    }
}

int hs_weights_knn(int n, const double *x, const double *y, int k, hs_weights **out,
                   hs_err *err)
{
    *out = NULL;
    if (n < 2 || !x || !y)
        return hs_err_set(err, HS_EINVAL, "k nearest neighbours need at least 2 units");
    if (k < 1 || k > HS_KNN_MAX || k >= n)
        return hs_err_set(err, HS_EINVAL, "knn:K = %d is outside 1..%d (and must be below %d units)",
                          k, HS_KNN_MAX, n);
    size_t links = (size_t)n * (size_t)k;
    pt_grid g;
    double area_h = 0;
    {
        double xmin = x[0], xmax = x[0], ymin = y[0], ymax = y[0];
        for (int i = 0; i < n; i++) {
            xmin = fmin(xmin, x[i]);
            xmax = fmax(xmax, x[i]);
            ymin = fmin(ymin, y[i]);
            ymax = fmax(ymax, y[i]);
        }
        double area = fmax(xmax - xmin, 1.0) * fmax(ymax - ymin, 1.0);
        area_h = sqrt(2.0 * area / n); /* about two points per cell */
    }
    int rc = grid_build(n, x, y, area_h, &g, err);
    if (rc < 0)
        return rc;
    hs_weights *w = NULL;
    if ((rc = weights_alloc(n, links, &w, err)) < 0) {
        grid_free(&g);
        return rc;
    }
    knn_cand *best = malloc((size_t)k * sizeof *best);
    if (!best) {
        grid_free(&g);
        hs_weights_free(w);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate knn work space");
    }
    for (int i = 0; i < n; i++) {
        grid_knn(&g, x, y, i, k, best);
        w->start[i] = i * k;
        for (int t = 0; t < k; t++)
            w->nbr[(size_t)i * k + t] = best[t].j;
        qsort(w->nbr + (size_t)i * k, (size_t)k, sizeof *w->nbr, cmp_int);
    }
    w->start[n] = n * k;
    for (size_t e = 0; e < links; e++)
        w->wt[e] = 1.0;
    w->style = HS_W_BINARY;
    free(best);
    grid_free(&g);
    *out = w;
    return HS_OK;
}

/* Counts the units j != i within dmax of unit i and, when row is given, stores them. */
static size_t band_row(const pt_grid *g, const double *x, const double *y, int i, double dmax,
                       int *row)
{
    size_t cnt = 0;
    int reach = (int)ceil(dmax / g->h);
    int cx = grid_cell(g, x[i], g->x0, g->nx), cy = grid_cell(g, y[i], g->y0, g->ny);
    double d2max = dmax * dmax;
    for (int gy = cy - reach; gy <= cy + reach; gy++) {
        if (gy < 0 || gy >= g->ny)
            continue;
        for (int gx = cx - reach; gx <= cx + reach; gx++) {
            if (gx < 0 || gx >= g->nx)
                continue;
            int c = gy * g->nx + gx;
            for (int q = g->cstart[c]; q < g->cstart[c + 1]; q++) {
                int j = g->pts[q];
                double dx = x[j] - x[i], dy = y[j] - y[i];
                if (j != i && dx * dx + dy * dy <= d2max) {
                    if (row)
                        row[cnt] = j;
                    cnt++;
                }
            }
        }
    }
    return cnt;
}

int hs_weights_distance_band(int n, const double *x, const double *y, double dmax_m,
                             hs_weights **out, hs_err *err)
{
    *out = NULL;
    if (n < 1 || !x || !y)
        return hs_err_set(err, HS_EINVAL, "distance band needs at least 1 unit");
    if (!(dmax_m > 0) || !isfinite(dmax_m))
        return hs_err_set(err, HS_EINVAL, "dist:KM must be a positive distance (got %g m)",
                          dmax_m);
    pt_grid g;
    int rc = grid_build(n, x, y, dmax_m, &g, err);
    if (rc < 0)
        return rc;
    /* First pass counts, so the link cap is checked before anything large is allocated. */
    size_t links = 0;
    for (int i = 0; i < n; i++) {
        links += band_row(&g, x, y, i, dmax_m, NULL);
        if (links > HS_WEIGHTS_MAX_LINKS) {
            grid_free(&g);
            return hs_err_set(err, HS_ELIMIT,
                              "distance band %g m links more than %d pairs; use a smaller band",
                              dmax_m, HS_WEIGHTS_MAX_LINKS);
        }
    }
    hs_weights *w = NULL;
    if ((rc = weights_alloc(n, links, &w, err)) < 0) {
        grid_free(&g);
        return rc;
    }
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        w->start[i] = (int)pos;
        size_t c = band_row(&g, x, y, i, dmax_m, w->nbr + pos);
        qsort(w->nbr + pos, c, sizeof *w->nbr, cmp_int);
        pos += c;
    }
    w->start[n] = (int)pos;
    for (size_t e = 0; e < pos; e++)
        w->wt[e] = 1.0;
    w->style = HS_W_BINARY;
    grid_free(&g);
    *out = w;
    return HS_OK;
}

/* Rebuilds w with extra directed links (ea[t] -> eb[t]); rows stay sorted and unique. */
static int weights_add_links(hs_weights *w, const int *ea, const int *eb, int m, hs_err *err)
{
    int n = w->n;
    size_t old = (size_t)w->start[n], links = old + (size_t)m;
    hs_weights *nw;
    int rc = weights_alloc(n, links, &nw, err);
    if (rc < 0)
        return rc;
    int *extra = calloc((size_t)n + 1, sizeof *extra);
    if (!extra) {
        hs_weights_free(nw);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate weights");
    }
    for (int t = 0; t < m; t++)
        extra[ea[t]]++;
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        size_t s = pos;
        nw->start[i] = (int)pos;
        for (int e = w->start[i]; e < w->start[i + 1]; e++)
            nw->nbr[pos++] = w->nbr[e];
        if (extra[i])
            for (int t = 0; t < m; t++)
                if (ea[t] == i)
                    nw->nbr[pos++] = eb[t];
        qsort(nw->nbr + s, pos - s, sizeof *nw->nbr, cmp_int);
        size_t u = s;
        for (size_t e = s; e < pos; e++)
            if (e == s || nw->nbr[e] != nw->nbr[e - 1])
                nw->nbr[u++] = nw->nbr[e];
        pos = u;
    }
    nw->start[n] = (int)pos;
    free(extra);
    /* Swap the arrays into the caller's struct so its pointer stays valid. */
    hs_weights tmp = *w;
    w->start = nw->start;
    w->nbr = nw->nbr;
    w->wt = nw->wt;
    nw->start = tmp.start;
    nw->nbr = tmp.nbr;
    nw->wt = tmp.wt;
    hs_weights_free(nw);
    hs_weights_set_style(w, w->style);
    return HS_OK;
}

int hs_weights_attach_isolated(hs_weights *w, const double *x, const double *y, hs_err *err)
{
    if (!w || !x || !y)
        return hs_err_set(err, HS_EINVAL, "weights and centroids must not be NULL");
    int n = w->n, niso = 0;
    for (int i = 0; i < n; i++)
        niso += hs_weights_card(w, i) == 0;
    if (niso == 0 || n < 2)
        return HS_OK;
    pt_grid g;
    double area_h = 0; /* grid_build picks the extent when h is 0; refine to ~2 per cell */
    int rc = grid_build(n, x, y, area_h, &g, err);
    if (rc < 0)
        return rc;
    double side = g.h;
    grid_free(&g);
    if ((rc = grid_build(n, x, y, side / sqrt(n / 2.0 + 1.0), &g, err)) < 0)
        return rc;
    int *ea = malloc(2 * (size_t)niso * sizeof *ea), *eb = malloc(2 * (size_t)niso * sizeof *eb);
    if (!ea || !eb) {
        free(ea);
        free(eb);
        grid_free(&g);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate links for %d isolated units", niso);
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (hs_weights_card(w, i) == 0) {
            knn_cand best = {0.0, i};
            grid_knn(&g, x, y, i, 1, &best);
            ea[m] = i;
            eb[m++] = best.j;
            ea[m] = best.j;
            eb[m++] = i;
        }
    grid_free(&g);
    rc = weights_add_links(w, ea, eb, m, err);
    free(ea);
    free(eb);
    return rc;
}
