#include "hs_node.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_hash.h"
#include "hs_topo.h"

static int same(const double *a, const double *b)
{
    return a[0] == b[0] && a[1] == b[1];
}

/* Removes repeated points and zero-width spikes (a b a), wrapping for closed rings. */
void hs_node_clean(hs_wring *r)
{
    int n = 0;
    double *p = r->xy;
    for (int i = 0; i < r->n; i++) {
        const double *q = r->xy + 2 * i;
        if (n > 0 && same(p + 2 * (n - 1), q))
            continue;
        if (n > 1 && same(p + 2 * (n - 2), q)) {
            n--; /* drop the spike tip; q equals the new top */
            continue;
        }
        p[2 * n] = q[0];
        p[2 * n + 1] = q[1];
        n++;
    }
    if (r->closed) {
        int changed = 1;
        while (changed && n >= 3) {
            changed = 0;
            if (same(p, p + 2 * (n - 1))) {
                n--;
                changed = 1;
            } else if (same(p + 2 * (n - 2), p)) { /* ... a b | a */
                n -= 2;
                changed = 1;
            } else if (same(p + 2 * (n - 1), p + 2)) { /* a | b a ... */
                memmove(p, p + 4, (size_t)(n - 2) * 2 * sizeof *p);
                n -= 2;
                changed = 1;
            }
        }
        if (n < 3)
            n = 0;
    } else if (n < 2) {
        n = 0;
    }
    r->n = n;
}

double hs_node_area2(const hs_wring *r)
{
    double a = 0;
    for (int i = 0; i < r->n; i++) {
        int j = (i + 1) % r->n;
        a += r->xy[2 * i] * r->xy[2 * j + 1] - r->xy[2 * j] * r->xy[2 * i + 1];
    }
    return a;
}

void hs_node_reverse(hs_wring *r)
{
    for (int i = 0, j = r->n - 1; i < j; i++, j--) {
        double x = r->xy[2 * i], y = r->xy[2 * i + 1];
        r->xy[2 * i] = r->xy[2 * j];
        r->xy[2 * i + 1] = r->xy[2 * j + 1];
        r->xy[2 * j] = x;
        r->xy[2 * j + 1] = y;
    }
}

/* ---- snapping: merge vertices closer than eps ------------------------------------- */

static uint64_t cell_key(double x, double y, double cell, long dx, long dy)
{
    int64_t ix = (int64_t)floor(x / cell) + dx, iy = (int64_t)floor(y / cell) + dy;
    return hs_mix64((uint64_t)ix * 0x9E3779B97F4A7C15ULL ^ (uint64_t)iy);
}

int hs_node_snap(hs_wring *w, int nw, long nv, double eps, long *merged)
{
    hs_u64map m = {0}; /* freed on every path, also when rep or next failed */
    double *rep = malloc((size_t)(nv + 1) * 2 * sizeof *rep);
    int *next = malloc((size_t)(nv + 1) * sizeof *next);
    if (!rep || !next || hs_u64map_init(&m, (size_t)nv) < 0) {
        free(rep);
        free(next);
        hs_u64map_free(&m);
        return -1;
    }
    long nrep = 0;
    for (int k = 0; k < nw; k++) {
        for (int i = 0; i < w[k].n; i++) {
            double *p = w[k].xy + 2 * i;
            long found = -1;
            double best = eps * eps;
            for (long dx = -1; dx <= 1; dx++)
                for (long dy = -1; dy <= 1; dy++) {
                    size_t s = hs_u64map_slot(&m, cell_key(p[0], p[1], eps, dx, dy));
                    for (int j = m.val[s]; j >= 0; j = next[j]) {
                        double ex = rep[2 * j] - p[0], ey = rep[2 * j + 1] - p[1];
                        double d = ex * ex + ey * ey;
                        if (d <= best) {
                            best = d;
                            found = j;
                        }
                    }
                }
            if (found >= 0) {
                if (!same(p, rep + 2 * found))
                    (*merged)++;
                p[0] = rep[2 * found];
                p[1] = rep[2 * found + 1];
                continue;
            }
            size_t s = hs_u64map_slot(&m, cell_key(p[0], p[1], eps, 0, 0));
            if (m.val[s] < 0)
                m.key[s] = cell_key(p[0], p[1], eps, 0, 0);
            rep[2 * nrep] = p[0];
            rep[2 * nrep + 1] = p[1];
            next[nrep] = m.val[s];
            m.val[s] = (int)nrep;
            nrep++;
        }
    }
    free(rep);
    free(next);
    hs_u64map_free(&m);
    return 0;
}

/* ---- noding: insert vertices lying on other rings' edges ------------------------- */

typedef struct ins {
    int ring, seg;
    double t, x, y;
} ins;

static int ins_cmp(const void *a, const void *b)
{
    const ins *p = a, *q = b;
    if (p->ring != q->ring) return p->ring < q->ring ? -1 : 1;
    if (p->seg != q->seg) return p->seg < q->seg ? -1 : 1;
    if (p->t != q->t) return p->t < q->t ? -1 : 1;
    return 0;
}

typedef struct cellseg {
    uint64_t cell;
    int ring, seg;
} cellseg;

static int cellseg_cmp(const void *a, const void *b)
{
    const cellseg *p = a, *q = b;
    if (p->cell != q->cell) return p->cell < q->cell ? -1 : 1;
    if (p->ring != q->ring) return p->ring < q->ring ? -1 : 1;
    return (p->seg > q->seg) - (p->seg < q->seg);
}

static int nseg_of(const hs_wring *r)
{
    return r->closed ? r->n : r->n - 1;
}

int hs_node_tjunctions(hs_wring *w, int nw, const hs_bbox *ext, double eps, long *noded)
{
    long nseg = 0;
    for (int k = 0; k < nw; k++)
        nseg += w[k].n > 1 ? nseg_of(&w[k]) : 0;
    if (nseg == 0)
        return 0;
    double side = fmax(ext->maxx - ext->minx, ext->maxy - ext->miny);
    double cell = fmax(side / sqrt((double)nseg), eps * 8);
    cellseg *cs = NULL;
    size_t ncs = 0, ccs = 0;
    for (int k = 0; k < nw; k++) {
        for (int s = 0; s < (w[k].n > 1 ? nseg_of(&w[k]) : 0); s++) {
            const double *a = w[k].xy + 2 * s, *b = w[k].xy + 2 * ((s + 1) % w[k].n);
            int64_t x0 = (int64_t)floor((fmin(a[0], b[0]) - eps) / cell);
            int64_t x1 = (int64_t)floor((fmax(a[0], b[0]) + eps) / cell);
            int64_t y0 = (int64_t)floor((fmin(a[1], b[1]) - eps) / cell);
            int64_t y1 = (int64_t)floor((fmax(a[1], b[1]) + eps) / cell);
            for (int64_t ix = x0; ix <= x1; ix++)
                for (int64_t iy = y0; iy <= y1; iy++) {
                    if (ncs > (size_t)HS_TOPO_MAX_VERTICES * 4 ||
                        hs_grow((void **)&cs, &ccs, ncs + 1, sizeof *cs) < 0) {
                        free(cs);
                        return -1;
                    }
                    cs[ncs++] = (cellseg){hs_mix64((uint64_t)ix * 0x9E3779B97F4A7C15ULL ^
                                                (uint64_t)iy),
                                          k, s};
                }
        }
    }
    qsort(cs, ncs, sizeof *cs, cellseg_cmp);
    ins *in = NULL;
    size_t nin = 0, cin = 0;
    for (int k = 0; k < nw; k++) {
        for (int i = 0; i < w[k].n; i++) {
            const double *p = w[k].xy + 2 * i;
            uint64_t c = hs_mix64((uint64_t)(int64_t)floor(p[0] / cell) * 0x9E3779B97F4A7C15ULL ^
                               (uint64_t)(int64_t)floor(p[1] / cell));
            size_t lo = 0, hi = ncs;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (cs[mid].cell < c) lo = mid + 1; else hi = mid;
            }
            for (size_t j = lo; j < ncs && cs[j].cell == c; j++) {
                const hs_wring *r = &w[cs[j].ring];
                const double *a = r->xy + 2 * cs[j].seg, *b = r->xy + 2 * ((cs[j].seg + 1) % r->n);
                if (same(p, a) || same(p, b))
                    continue;
                double dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
                if (l2 <= 4 * eps * eps)
                    continue;
                double t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2;
                double ex = a[0] + t * dx - p[0], ey = a[1] + t * dy - p[1];
                if (ex * ex + ey * ey > eps * eps)
                    continue;
                double ta = t * sqrt(l2), tb = (1 - t) * sqrt(l2);
                if (ta <= eps || tb <= eps)
                    continue;
                if (hs_grow((void **)&in, &cin, nin + 1, sizeof *in) < 0) {
                    free(cs);
                    free(in);
                    return -1;
                }
                in[nin++] = (ins){cs[j].ring, cs[j].seg, t, p[0], p[1]};
            }
        }
    }
    free(cs);
    if (nin > 0)
        qsort(in, nin, sizeof *in, ins_cmp);
    /* Rebuild each ring that receives insertions. */
    size_t j = 0;
    while (j < nin) {
        int k = in[j].ring;
        size_t e = j;
        while (e < nin && in[e].ring == k)
            e++;
        hs_wring *r = &w[k];
        double *nxy = malloc((size_t)(r->n + (long)(e - j)) * 2 * sizeof *nxy);
        if (!nxy) {
            free(in);
            return -1;
        }
        int n = 0;
        size_t q = j;
        for (int s = 0; s < r->n; s++) {
            nxy[2 * n] = r->xy[2 * s];
            nxy[2 * n + 1] = r->xy[2 * s + 1];
            n++;
            for (; q < e && in[q].seg == s; q++) {
                if (nxy[2 * (n - 1)] == in[q].x && nxy[2 * (n - 1) + 1] == in[q].y)
                    continue; /* the same vertex seen from several rings */
                nxy[2 * n] = in[q].x;
                nxy[2 * n + 1] = in[q].y;
                n++;
                (*noded)++;
            }
        }
        free(r->xy);
        r->xy = nxy;
        r->n = n;
        j = e;
    }
    free(in);
    return 0;
}

