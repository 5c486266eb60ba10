#include "hs_sindex.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct hs_sindex {
    int nitems;
    int nnodes;       /* items + internal nodes */
    int nlevels;
    int level_end[32];/* exclusive end position of each level (leaves first) */
    hs_bbox *box;     /* nnodes boxes, leaves first, root last */
    int *idx;         /* leaf: item index; internal: position of first child */
};

/* Hilbert index of (x,y) in a 2^16 grid (public-domain algorithm by rawrunprotected,
 * as used by Flatbush). */
static uint32_t hilbert(uint32_t x, uint32_t y)
{
    uint32_t a = x ^ y, b = 0xFFFF ^ a, c = 0xFFFF ^ (x | y), d = x & (y ^ 0xFFFF);
    uint32_t A = a | (b >> 1), B = (a >> 1) ^ a, C = ((c >> 1) ^ (b & (d >> 1))) ^ c,
             D = ((a & (c >> 1)) ^ (d >> 1)) ^ d;
    a = A; b = B; c = C; d = D;
    A = ((a & (a >> 2)) ^ (b & (b >> 2)));
    B = ((a & (b >> 2)) ^ (b & ((a ^ b) >> 2)));
    C ^= ((a & (c >> 2)) ^ (b & (d >> 2)));
    D ^= ((b & (c >> 2)) ^ ((a ^ b) & (d >> 2)));
    a = A; b = B; c = C; d = D;
    A = ((a & (a >> 4)) ^ (b & (b >> 4)));
    B = ((a & (b >> 4)) ^ (b & ((a ^ b) >> 4)));
    C ^= ((a & (c >> 4)) ^ (b & (d >> 4)));
    D ^= ((b & (c >> 4)) ^ ((a ^ b) & (d >> 4)));
    a = A; b = B; c = C; d = D;
    C ^= ((a & (c >> 8)) ^ (b & (d >> 8)));
    D ^= ((b & (c >> 8)) ^ ((a ^ b) & (d >> 8)));
    a = C ^ (C >> 1);
    b = D ^ (D >> 1);
    uint32_t i0 = x ^ y, i1 = b | (0xFFFF ^ (i0 | a));
    i0 = (i0 | (i0 << 8)) & 0x00FF00FF; i0 = (i0 | (i0 << 4)) & 0x0F0F0F0F;
    i0 = (i0 | (i0 << 2)) & 0x33333333; i0 = (i0 | (i0 << 1)) & 0x55555555;
    i1 = (i1 | (i1 << 8)) & 0x00FF00FF; i1 = (i1 | (i1 << 4)) & 0x0F0F0F0F;
    i1 = (i1 | (i1 << 2)) & 0x33333333; i1 = (i1 | (i1 << 1)) & 0x55555555;
    return (i1 << 1) | i0;
}

typedef struct hkey {
    uint32_t h;
    int i;
} hkey;

static int hkey_cmp(const void *a, const void *b)
{
    const hkey *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int box_valid(const hs_bbox *b)
{
    return b->minx <= b->maxx && b->miny <= b->maxy;
}

static void box_union(hs_bbox *a, const hs_bbox *b)
{
    if (b->minx < a->minx) a->minx = b->minx;
    if (b->miny < a->miny) a->miny = b->miny;
    if (b->maxx > a->maxx) a->maxx = b->maxx;
    if (b->maxy > a->maxy) a->maxy = b->maxy;
}

hs_sindex *hs_sindex_build(const hs_bbox *boxes, int n, hs_err *err)
{
    if (n < 0 || n > HS_SINDEX_MAX_ITEMS) {
        hs_err_set(err, HS_ELIMIT, "spatial index of %d items is outside 0..%d", n,
                   HS_SINDEX_MAX_ITEMS);
        return NULL;
    }
    hs_sindex *s = calloc(1, sizeof *s);
    if (!s)
        goto oom;
    s->nitems = n;
    int count = n, total = n;
    s->level_end[s->nlevels++] = n;
    while (count > 1) {
        count = (count + HS_SINDEX_NODE - 1) / HS_SINDEX_NODE;
        total += count;
        s->level_end[s->nlevels++] = total;
    }
    s->nnodes = total;
    s->box = malloc((size_t)(total > 0 ? total : 1) * sizeof *s->box);
    s->idx = malloc((size_t)(total > 0 ? total : 1) * sizeof *s->idx);
    hkey *keys = malloc((size_t)(n > 0 ? n : 1) * sizeof *keys);
    if (!s->box || !s->idx || !keys) {
        free(keys);
        goto oom;
    }
    hs_bbox ext = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (int i = 0; i < n; i++)
        if (box_valid(&boxes[i]))
            box_union(&ext, &boxes[i]);
    double w = ext.maxx - ext.minx, h = ext.maxy - ext.miny;
    for (int i = 0; i < n; i++) {
        keys[i].i = i;
        keys[i].h = UINT32_MAX;
        if (!box_valid(&boxes[i]))
            continue;
        double cx = (boxes[i].minx + boxes[i].maxx) / 2, cy = (boxes[i].miny + boxes[i].maxy) / 2;
        uint32_t hx = w > 0 ? (uint32_t)(65535.0 * (cx - ext.minx) / w) : 0;
        uint32_t hy = h > 0 ? (uint32_t)(65535.0 * (cy - ext.miny) / h) : 0;
        keys[i].h = hilbert(hx, hy);
    }
    qsort(keys, (size_t)n, sizeof *keys, hkey_cmp);
    for (int i = 0; i < n; i++) {
        s->box[i] = boxes[keys[i].i];
        s->idx[i] = keys[i].i;
    }
    free(keys);
    for (int l = 0; l + 1 < s->nlevels; l++) {
        int start = l == 0 ? 0 : s->level_end[l - 1], end = s->level_end[l];
        int pos = end;
        for (int c = start; c < end; c += HS_SINDEX_NODE, pos++) {
            hs_bbox b = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
            for (int k = c; k < end && k < c + HS_SINDEX_NODE; k++)
                box_union(&b, &s->box[k]);
            s->box[pos] = b;
            s->idx[pos] = c;
        }
    }
    return s;
oom:
    hs_sindex_free(s);
    hs_err_set(err, HS_ENOMEM, "cannot allocate a spatial index of %d items", n);
    return NULL;
}

hs_sindex *hs_sindex_build_layer(const hs_layer *l, hs_err *err)
{
    hs_bbox *b = malloc((size_t)(l->nfeat > 0 ? l->nfeat : 1) * sizeof *b);
    if (!b) {
        hs_err_set(err, HS_ENOMEM, "cannot allocate %d boxes", l->nfeat);
        return NULL;
    }
    for (int i = 0; i < l->nfeat; i++)
        b[i] = l->feat[i].nrings > 0 ? l->feat[i].bbox
                                     : (hs_bbox){DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    hs_sindex *s = hs_sindex_build(b, l->nfeat, err);
    free(b);
    return s;
}

void hs_sindex_free(hs_sindex *s)
{
    if (!s)
        return;
    free(s->box);
    free(s->idx);
    free(s);
}

int hs_sindex_count(const hs_sindex *s)
{
    return s->nitems;
}

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int level_upper(const hs_sindex *s, int pos)
{
    for (int l = 0; l < s->nlevels; l++)
        if (pos < s->level_end[l])
            return s->level_end[l];
    return s->nnodes;
}

int hs_sindex_query(const hs_sindex *s, const hs_bbox *q, int *out, int cap, hs_err *err)
{
    if (s->nnodes == 0)
        return 0;
    /* Depth-first with an explicit stack: at most (NODE-1) pending siblings per level. */
    int stack[32 * HS_SINDEX_NODE];
    int sp = 0, nout = 0;
    int node = s->nnodes - 1;
    for (;;) {
        int end = node + HS_SINDEX_NODE, up = level_upper(s, node);
        if (end > up)
            end = up;
        for (int pos = node; pos < end; pos++) {
            const hs_bbox *b = &s->box[pos];
            if (q->maxx < b->minx || q->maxy < b->miny || q->minx > b->maxx ||
                q->miny > b->maxy)
                continue;
            if (node < s->nitems) {
                if (nout >= cap)
                    return hs_err_set(err, HS_ELIMIT,
                                      "more than %d features intersect the query box", cap);
                out[nout++] = s->idx[pos];
            } else {
                stack[sp++] = s->idx[pos];
            }
        }
        if (sp == 0)
            break;
        node = stack[--sp];
    }
    qsort(out, (size_t)nout, sizeof *out, int_cmp);
    return nout;
}
