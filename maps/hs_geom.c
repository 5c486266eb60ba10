#include "hs_geom.h"

#include <float.h>
#include <stdlib.h>

hs_layer *hs_layer_new(hs_layer_kind kind, int nfeat_cap, hs_err *err)
{
    if (nfeat_cap < 0 || nfeat_cap > 10000000) {
        hs_err_set(err, HS_ELIMIT, "layer of %d features exceeds the limit", nfeat_cap);
        return NULL;
    }
    hs_layer *l = calloc(1, sizeof *l);
    if (l && nfeat_cap > 0)
        l->feat = calloc((size_t)nfeat_cap, sizeof *l->feat);
    if (!l || (nfeat_cap > 0 && !l->feat)) {
        free(l);
        hs_err_set(err, HS_ENOMEM, "cannot allocate a layer of %d features", nfeat_cap);
        return NULL;
    }
    l->kind = kind;
    return l;
}

static void feature_free(hs_feature *f)
{
    for (int r = 0; r < f->nrings; r++)
        free(f->rings[r].xy);
    free(f->rings);
    free(f->part_rings);
    free(f->code);
    free(f->name);
}

void hs_layer_free(hs_layer *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->nfeat; i++)
        feature_free(&l->feat[i]);
    free(l->feat);
    free(l);
}

/* Recomputes every feature's bbox and the layer's from the ring vertices. */
void hs_layer_update_bbox(hs_layer *l)
{
    hs_bbox all = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (int i = 0; i < l->nfeat; i++) {
        hs_feature *f = &l->feat[i];
        hs_bbox b = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
        for (int r = 0; r < f->nrings; r++) {
            const double *xy = f->rings[r].xy;
            for (int k = 0; k < f->rings[r].npts; k++) {
                double x = xy[2 * k], y = xy[2 * k + 1];
                if (x < b.minx) b.minx = x;
                if (y < b.miny) b.miny = y;
                if (x > b.maxx) b.maxx = x;
                if (y > b.maxy) b.maxy = y;
            }
        }
        f->bbox = b;
        if (b.minx < all.minx) all.minx = b.minx;
        if (b.miny < all.miny) all.miny = b.miny;
        if (b.maxx > all.maxx) all.maxx = b.maxx;
        if (b.maxy > all.maxy) all.maxy = b.maxy;
    }
    l->bbox = all;
}

void hs_bbox_union(hs_bbox *a, const hs_bbox *b)
{
    if (!(b->maxx >= b->minx))
        return;
    if (!(a->maxx >= a->minx)) {
        *a = *b;
        return;
    }
    a->minx = b->minx < a->minx ? b->minx : a->minx;
    a->miny = b->miny < a->miny ? b->miny : a->miny;
    a->maxx = b->maxx > a->maxx ? b->maxx : a->maxx;
    a->maxy = b->maxy > a->maxy ? b->maxy : a->maxy;
}
