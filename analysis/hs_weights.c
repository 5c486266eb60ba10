#include "hs_weights.h"

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
    hs_weights *w;
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
