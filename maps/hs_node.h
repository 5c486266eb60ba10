/* hs_node: cleaning of ring sets before building a topology (no I/O).
 *
 * Working rings are plain copies of a layer's rings. hs_node_clean removes repeated
 * points and zero-width spikes; hs_node_snap merges vertices closer than eps onto one
 * representative; hs_node_tjunctions inserts every vertex that lies within eps of
 * another ring's edge into that edge (commune cells clipped separately on both sides
 * of a province border get each other's vertices), so shared borders end up with
 * identical vertex sequences on both sides.
 */
#ifndef HS_NODE_H
#define HS_NODE_H

#include "hs_geom.h"

typedef struct hs_wring {
    int feat, part, first; /* first: ring 0 of its part (the exterior) */
    int closed;            /* polygon ring (1) or open line (0) */
    int n;                 /* points */
    double *xy;            /* 2n doubles, owned */
} hs_wring;

void hs_node_clean(hs_wring *r);
double hs_node_area2(const hs_wring *r); /* twice the signed area, > 0 counter-clockwise */
void hs_node_reverse(hs_wring *r);
/* These return 0, or -1 when out of memory. nv = total points over all rings. */
int hs_node_snap(hs_wring *w, int nw, long nv, double eps, long *merged);
int hs_node_tjunctions(hs_wring *w, int nw, const hs_bbox *ext, double eps, long *noded);

#endif
