/* hs_weights: sparse spatial weights in compressed-row form.
 *
 * Unit i's neighbours are nbr[start[i] .. start[i+1]-1] with weights wt[...] in the
 * same positions. The self-link is never stored; statistics that need it (Gi*)
 * add it themselves. A unit with start[i] == start[i+1] has no neighbours
 * ("isolated": island communes such as Lý Sơn or Côn Đảo) and gets no local
 * statistic; nothing divides by its zero cardinality.
 *
 * Memory is O(n + number of links). The struct owns all three arrays; free it
 * with hs_weights_free().
 */
#ifndef HS_WEIGHTS_H
#define HS_WEIGHTS_H

#include <stddef.h>

#include "hs_err.h"

typedef enum { HS_W_BINARY = 0, HS_W_ROW = 1 } hs_weights_style;

typedef struct hs_weights {
    int n;
    int *start; /* n + 1 offsets */
    int *nbr;   /* neighbour indices, ascending within a row, never i itself */
    double *wt; /* weight of each link: 1.0 (binary) or 1/|N_i| (row-standardised) */
    hs_weights_style style;
} hs_weights;

/* Builds binary weights from undirected pairs (a[k], b[k]), 0 <= a,b < n, e.g. queen
 * contiguity read from the database. Duplicates and self-pairs are dropped; each pair
 * links both ways. */
int hs_weights_from_pairs(int n, const int *a, const int *b, size_t m, hs_weights **out,
                          hs_err *err);

/* k nearest neighbours on projected coordinates in metres (asymmetric, as spdep knearneigh). */
int hs_weights_knn(int n, const double *x, const double *y, int k, hs_weights **out,
                   hs_err *err);

/* All units whose centroids lie within `dmax_m` metres (symmetric, as spdep dnearneigh). */
int hs_weights_distance_band(int n, const double *x, const double *y, double dmax_m,
                             hs_weights **out, hs_err *err);

/* On request, links each isolated unit to its nearest unit (both ways). */
int hs_weights_attach_isolated(hs_weights *w, const double *x, const double *y, hs_err *err);

/* Converts to row-standardised weights in place (isolated rows stay empty). */
void hs_weights_set_style(hs_weights *w, hs_weights_style style);

static inline int hs_weights_card(const hs_weights *w, int i)
{
    return w->start[i + 1] - w->start[i];
}

/* Deep copy; caller frees with hs_weights_free(). */
int hs_weights_copy(const hs_weights *w, hs_weights **out, hs_err *err);
void hs_weights_free(hs_weights *w);

#endif
