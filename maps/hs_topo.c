#include "hs_topo.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_hash.h"
#include "hs_node.h"

typedef struct ringref {
    int feat, part, exterior, closed, dropped;
    int arc0, narcs;   /* into t->refs */
    int unshared;      /* every arc used by this ring alone */
    hs_bbox bbox;
} ringref;

struct hs_topo {
    hs_layer_kind kind;
    int nfeat;
    hs_feature *meta; /* code, name, flags, label, nparts only (no rings) */
    int nrings;
    ringref *rings;
    int *refs;        /* arc references: 2*arc + reversed */
    int narcs;
    long *arc_off;    /* narcs+1 offsets into arc_xy (in points) */
    int *arc_use;
    double *arc_xy;
    double *arc_rank; /* DP rank per arc point; endpoints +inf */
    hs_topo_stats stats;
};

static int same(const double *a, const double *b)
{
    return a[0] == b[0] && a[1] == b[1];
}

/* ---- Douglas-Peucker ranks --------------------------------------------------------- */

static double seg_dist(const double *p, const double *a, const double *b)
{
    double dx = b[0] - a[0], dy = b[1] - a[1], l2 = dx * dx + dy * dy;
    double t = l2 > 0 ? ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
}

typedef struct dpframe {
    long i, j;
    double parent;
    int depth;
} dpframe;

/* rank[k] = the largest tolerance at which DP keeps point k: its distance at the split
 * that chose it, capped by its parent's rank (DP never visits a range whose parent was
 * dropped). A closed arc (a ring with one anchor) keeps its first three splits, so a
 * shared enclave stays a polygon on both sides instead of collapsing. */
static int dp_rank(const double *xy, double *rank, long n, int closed, dpframe *st)
{
    for (long k = 0; k < n; k++)
        rank[k] = 0;
    rank[0] = rank[n - 1] = INFINITY;
    long sp = 0;
    st[sp++] = (dpframe){0, n - 1, INFINITY, 0};
    while (sp > 0) {
        dpframe f = st[--sp];
        if (f.j <= f.i + 1)
            continue;
        long best = f.i + 1;
        double dmax = -1;
        for (long k = f.i + 1; k < f.j; k++) {
            double d = seg_dist(xy + 2 * k, xy + 2 * f.i, xy + 2 * f.j);
            if (d > dmax) {
                dmax = d;
                best = k;
            }
        }
        double r = fmin(dmax, f.parent);
        if (closed && f.depth < 2)
            r = INFINITY;
        rank[best] = r;
        st[sp++] = (dpframe){f.i, best, r, f.depth + 1};
        st[sp++] = (dpframe){best, f.j, r, f.depth + 1};
    }
    return 0;
}

/* ---- build --------------------------------------------------------------------------- */

typedef struct builder {
    hs_topo *t;
    size_t cap_xy, cap_rank, cap_arcs, cap_use;
    long nxy;
    dpframe *st;
    size_t cap_st;
} builder;

static int add_arc(builder *b, const int *ids, const int *seq, long m, const double *vx)
{
    hs_topo *t = b->t;
    if (hs_grow((void **)&t->arc_off, &b->cap_arcs, (size_t)t->narcs + 2, sizeof(long)) < 0 ||
        hs_grow((void **)&t->arc_use, &b->cap_use, (size_t)t->narcs + 1, sizeof(int)) < 0 ||
        hs_grow((void **)&t->arc_xy, &b->cap_xy, (size_t)(b->nxy + m) * 2, sizeof(double)) < 0 ||
        hs_grow((void **)&t->arc_rank, &b->cap_rank, (size_t)(b->nxy + m), sizeof(double)) < 0)
        return -1;
    if (hs_grow((void **)&b->st, &b->cap_st, (size_t)(2 * m + 2), sizeof *b->st) < 0)
        return -1;
    double *xy = t->arc_xy + 2 * b->nxy;
    for (long k = 0; k < m; k++) {
        xy[2 * k] = vx[2 * ids[seq[k]]];
        xy[2 * k + 1] = vx[2 * ids[seq[k]] + 1];
    }
    int closed = ids[seq[0]] == ids[seq[m - 1]];
    dp_rank(xy, t->arc_rank + b->nxy, m, closed, b->st);
    t->arc_off[t->narcs] = b->nxy;
    t->arc_use[t->narcs] = 0;
    b->nxy += m;
    t->arc_off[t->narcs + 1] = b->nxy;
    return t->narcs++;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t ekey(int u, int v)
{
    return ((uint64_t)(uint32_t)u << 32) | (uint32_t)v;
}

/* Steps 3-4: vertex ids, junctions, arcs. */
static int build_arcs(hs_topo *t, hs_wring *w, int nw, long nv)
{
    int rc = -1;
    int *ids = malloc((size_t)(nv + 1) * sizeof *ids);
    long *roff = malloc((size_t)(nw + 1) * sizeof *roff);
    double *vx = malloc((size_t)(nv + 1) * 2 * sizeof *vx);
    int *next = malloc((size_t)(nv + 1) * sizeof *next);
    uint64_t *edges = malloc((size_t)(nv + 1) * sizeof *edges);
    int *seq = malloc((size_t)(nv + 2) * sizeof *seq);
    hs_u64map vm = {0}, am = {0};
    builder b = {.t = t};
    unsigned char *deg = NULL;
    if (!ids || !roff || !vx || !next || !edges || !seq || hs_u64map_init(&vm, (size_t)nv) < 0)
        goto out;
    long nid = 0, off = 0;
    for (int k = 0; k < nw; k++) {
        roff[k] = off;
        for (int i = 0; i < w[k].n; i++) {
            const double *p = w[k].xy + 2 * i;
            uint64_t key = hs_xy_key(p[0], p[1]);
            size_t s = hs_u64map_slot(&vm, key);
            int id = -1;
            for (int j = vm.val[s]; j >= 0; j = next[j])
                if (same(vx + 2 * j, p)) {
                    id = j;
                    break;
                }
            if (id < 0) {
                if (vm.val[s] < 0)
                    vm.key[s] = key;
                id = (int)nid++;
                vx[2 * id] = p[0];
                vx[2 * id + 1] = p[1];
                next[id] = vm.val[s];
                vm.val[s] = id;
            }
            ids[off++] = id;
        }
    }
    roff[nw] = off;
    t->stats.vertices = nid;
    /* Distinct undirected edges give each vertex's number of distinct neighbours. */
    long ne = 0;
    for (int k = 0; k < nw; k++) {
        int n = w[k].n, ns = w[k].closed ? n : n - 1;
        for (int i = 0; i < ns && n > 1; i++) {
            int u = ids[roff[k] + i], v = ids[roff[k] + (i + 1) % n];
            edges[ne++] = u < v ? ekey(u, v) : ekey(v, u);
        }
    }
    qsort(edges, (size_t)ne, sizeof *edges, u64_cmp);
    deg = calloc((size_t)nid + 1, 1);
    if (!deg)
        goto out;
    for (long i = 0; i < ne; i++) {
        if (i > 0 && edges[i] == edges[i - 1])
            continue;
        int u = (int)(edges[i] >> 32), v = (int)(edges[i] & 0xffffffffu);
        if (deg[u] < 100) deg[u]++;
        if (deg[v] < 100) deg[v]++;
    }
    /* deg 2 = pass-through; anything else (and line ends, anchors) = junction (255). */
    for (long i = 0; i < nid; i++)
        deg[i] = deg[i] == 2 ? 2 : 255;
    for (int k = 0; k < nw; k++) {
        const int *r = ids + roff[k];
        int n = w[k].n;
        if (n == 0)
            continue;
        if (!w[k].closed) {
            deg[r[0]] = deg[r[n - 1]] = 255;
            continue;
        }
        int has = 0, anchor = 0;
        for (int i = 0; i < n && !has; i++)
            has = deg[r[i]] == 255;
        if (has)
            continue;
        for (int i = 1; i < n; i++) { /* the same canonical vertex for every ring of the loop */
            const double *a = vx + 2 * r[i], *c = vx + 2 * r[anchor];
            if (a[0] < c[0] || (a[0] == c[0] && a[1] < c[1]))
                anchor = i;
        }
        deg[r[anchor]] = 255;
    }
    for (long i = 0; i < nid; i++)
        t->stats.junctions += deg[i] == 255;
    if (hs_u64map_init(&am, (size_t)ne + 16) < 0)
        goto out;
    size_t cap_refs = 0, nrefs = 0;
    for (int k = 0; k < nw; k++) {
        ringref *rr = &t->rings[k];
        rr->arc0 = (int)nrefs;
        const int *r = ids + roff[k];
        int n = w[k].n;
        if (n == 0) {
            rr->dropped = 1;
            continue;
        }
        int j0 = 0;
        if (w[k].closed)
            while (deg[r[j0]] != 255)
                j0++;
        int nsteps = w[k].closed ? n : n - 1, done = 0;
        while (done < nsteps) {
            long m = 0;
            int s = (j0 + done) % n;
            seq[m++] = s;
            int e = s;
            do {
                e = (e + 1) % n;
                seq[m++] = e;
                done++;
            } while (deg[r[e]] != 255 && done < nsteps);
            /* seq holds positions in the ring; r[seq[i]] are vertex ids. */
            size_t slot = hs_u64map_slot(&am, ekey(r[seq[0]], r[seq[1]]));
            int ref = am.val[slot];
            if (ref < 0) {
                int a = add_arc(&b, r, seq, m, vx);
                if (a < 0)
                    goto out;
                am.key[slot] = ekey(r[seq[0]], r[seq[1]]);
                am.val[slot] = 2 * a;
                size_t s2 = hs_u64map_slot(&am, ekey(r[seq[m - 1]], r[seq[m - 2]]));
                if (am.val[s2] < 0) {
                    am.key[s2] = ekey(r[seq[m - 1]], r[seq[m - 2]]);
                    am.val[s2] = 2 * a + 1;
                }
                ref = 2 * a;
            }
            t->arc_use[ref / 2]++;
            if (hs_grow((void **)&t->refs, &cap_refs, nrefs + 1, sizeof *t->refs) < 0)
                goto out;
            t->refs[nrefs++] = ref;
            rr->narcs++;
        }
    }
    t->stats.arcs = t->narcs;
    for (int a = 0; a < t->narcs; a++) {
        t->stats.shared_arcs += t->arc_use[a] > 1;
        t->stats.arc_vertices += t->arc_off[a + 1] - t->arc_off[a];
    }
    for (int k = 0; k < nw; k++) {
        ringref *rr = &t->rings[k];
        rr->unshared = 1;
        for (int i = 0; i < rr->narcs; i++)
            if (t->arc_use[t->refs[rr->arc0 + i] / 2] > 1)
                rr->unshared = 0;
    }
    rc = 0;
out:
    free(ids);
    free(roff);
    free(vx);
    free(next);
    free(edges);
    free(seq);
    free(deg);
    free(b.st);
    hs_u64map_free(&vm);
    hs_u64map_free(&am);
    return rc;
}

static void free_wrings(hs_wring *w, int n)
{
    if (!w)
        return;
    for (int k = 0; k < n; k++)
        free(w[k].xy);
    free(w);
}

void hs_topo_free(hs_topo *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nfeat && t->meta; i++) {
        free(t->meta[i].code);
        free(t->meta[i].name);
        free(t->meta[i].part_rings);
    }
    free(t->meta);
    free(t->rings);
    free(t->refs);
    free(t->arc_off);
    free(t->arc_use);
    free(t->arc_xy);
    free(t->arc_rank);
    free(t);
}

void hs_topo_get_stats(const hs_topo *t, hs_topo_stats *out)
{
    *out = t->stats;
}

hs_topo *hs_topo_build(const hs_layer *l, hs_err *err)
{
    return hs_topo_build_opts(l, NULL, err);
}

/* Copies the layer's rings into working rings, checking structure and caps. */
static int load_rings(hs_topo *t, const hs_layer *l, hs_wring **out, int *nout, hs_err *err)
{
    long nr = 0, nv = 0;
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        long sum = 0;
        for (int p = 0; p < f->nparts; p++)
            sum += f->part_rings[p];
        if (sum != f->nrings || f->nrings < 0)
            return hs_err_set(err, HS_EINVAL, "feature %s: parts list %ld rings, feature has %d",
                              f->code ? f->code : "?", sum, f->nrings);
        nr += f->nrings;
        for (int r = 0; r < f->nrings; r++)
            nv += f->rings[r].npts > 0 ? f->rings[r].npts : 0;
    }
    if (nv > HS_TOPO_MAX_VERTICES || nr > INT32_MAX / 4)
        return hs_err_set(err, HS_ELIMIT, "layer of %ld vertices exceeds the %d-vertex limit", nv,
                          HS_TOPO_MAX_VERTICES);
    t->stats.vertices_in = nv;
    hs_wring *w = calloc((size_t)(nr > 0 ? nr : 1), sizeof *w);
    if (!w)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %ld rings", nr);
    int k = 0;
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        int r = 0;
        for (int p = 0; p < f->nparts; p++) {
            for (int q = 0; q < f->part_rings[p]; q++, r++, k++) {
                const hs_ring *src = &f->rings[r];
                int n = src->npts > 0 ? src->npts : 0;
                w[k] = (hs_wring){i, p, q == 0, l->kind == HS_LAYER_POLYGON, n, NULL};
                w[k].xy = malloc((size_t)(n > 0 ? n : 1) * 2 * sizeof(double));
                if (!w[k].xy) {
                    free_wrings(w, k + 1);
                    return hs_err_set(err, HS_ENOMEM, "out of memory copying rings");
                }
                for (int v = 0; v < 2 * n; v++) {
                    if (!isfinite(src->xy[v])) {
                        free_wrings(w, k + 1);
                        return hs_err_set(err, HS_EGEO, "feature %s ring %d vertex %d is not "
                                          "finite", f->code ? f->code : "?", r, v / 2);
                    }
                    w[k].xy[v] = src->xy[v];
                }
            }
        }
    }
    *out = w;
    *nout = k;
    return HS_OK;
}

static int copy_meta(hs_topo *t, const hs_layer *l)
{
    t->meta = calloc((size_t)(l->nfeat > 0 ? l->nfeat : 1), sizeof *t->meta);
    if (!t->meta)
        return -1;
    t->nfeat = l->nfeat;
    for (int i = 0; i < l->nfeat; i++) {
        const hs_feature *f = &l->feat[i];
        hs_feature *m = &t->meta[i];
        m->code = f->code ? strdup(f->code) : NULL;
        m->name = f->name ? strdup(f->name) : NULL;
        m->nparts = f->nparts;
        m->part_rings = malloc((size_t)(f->nparts > 0 ? f->nparts : 1) * sizeof(int));
        if ((f->code && !m->code) || (f->name && !m->name) || !m->part_rings)
            return -1;
        if (f->nparts > 0)
            memcpy(m->part_rings, f->part_rings, (size_t)f->nparts * sizeof(int));
        m->label_x = f->label_x;
        m->label_y = f->label_y;
        m->flags = f->flags;
        m->bbox = f->bbox;
    }
    return 0;
}

hs_topo *hs_topo_build_opts(const hs_layer *l, const hs_topo_opts *opts, hs_err *err)
{
    hs_topo *t = calloc(1, sizeof *t);
    hs_wring *w = NULL;
    int nw = 0;
    if (!t || copy_meta(t, l) < 0) {
        hs_topo_free(t);
        hs_err_set(err, HS_ENOMEM, "cannot allocate the topology of %d features", l->nfeat);
        return NULL;
    }
    t->kind = l->kind;
    if (load_rings(t, l, &w, &nw, err) < 0) {
        hs_topo_free(t);
        return NULL;
    }
    hs_bbox ext = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
    for (int k = 0; k < nw; k++) {
        hs_node_clean(&w[k]);
        for (int i = 0; i < w[k].n; i++) {
            ext.minx = fmin(ext.minx, w[k].xy[2 * i]);
            ext.maxx = fmax(ext.maxx, w[k].xy[2 * i]);
            ext.miny = fmin(ext.miny, w[k].xy[2 * i + 1]);
            ext.maxy = fmax(ext.maxy, w[k].xy[2 * i + 1]);
        }
    }
    double eps = opts ? opts->snap : 0;
    if (eps == 0 && ext.minx <= ext.maxx)
        eps = 1e-9 * fmax(fmax(ext.maxx - ext.minx, ext.maxy - ext.miny),
                          fmax(fabs(ext.maxx), fabs(ext.maxy)));
    long nv = 0;
    for (int k = 0; k < nw; k++)
        nv += w[k].n;
    if (eps > 0 && nv > 0) {
        if (hs_node_snap(w, nw, nv, eps, &t->stats.merged) < 0)
            goto oom;
        for (int k = 0; k < nw; k++)
            hs_node_clean(&w[k]);
        if (hs_node_tjunctions(w, nw, &ext, eps, &t->stats.noded) < 0)
            goto oom;
        nv = 0;
        for (int k = 0; k < nw; k++) {
            hs_node_clean(&w[k]);
            nv += w[k].n;
        }
        if (nv > HS_TOPO_MAX_VERTICES) {
            free_wrings(w, nw);
            hs_topo_free(t);
            hs_err_set(err, HS_ELIMIT, "noded layer of %ld vertices exceeds the limit", nv);
            return NULL;
        }
    }
    /* Exteriors counter-clockwise, holes clockwise (y up): then every interior arc is
     * walked once in each direction by its two neighbours. */
    for (int k = 0; k < nw && t->kind == HS_LAYER_POLYGON; k++) {
        double a = hs_node_area2(&w[k]);
        if ((w[k].first && a < 0) || (!w[k].first && a > 0))
            hs_node_reverse(&w[k]);
    }
    t->nrings = nw;
    t->rings = calloc((size_t)(nw > 0 ? nw : 1), sizeof *t->rings);
    if (!t->rings)
        goto oom;
    for (int k = 0; k < nw; k++) {
        ringref *rr = &t->rings[k];
        rr->feat = w[k].feat;
        rr->part = w[k].part;
        rr->exterior = w[k].first;
        rr->closed = w[k].closed;
        hs_bbox b = {DBL_MAX, DBL_MAX, -DBL_MAX, -DBL_MAX};
        for (int i = 0; i < w[k].n; i++) {
            b.minx = fmin(b.minx, w[k].xy[2 * i]);
            b.maxx = fmax(b.maxx, w[k].xy[2 * i]);
            b.miny = fmin(b.miny, w[k].xy[2 * i + 1]);
            b.maxy = fmax(b.maxy, w[k].xy[2 * i + 1]);
        }
        rr->bbox = b;
    }
    if (build_arcs(t, w, nw, nv) < 0)
        goto oom;
    free_wrings(w, nw);
    return t;
oom:
    free_wrings(w, nw);
    hs_topo_free(t);
    hs_err_set(err, HS_ENOMEM, "out of memory building the topology");
    return NULL;
}

/* ---- simplify ------------------------------------------------------------------------ */

typedef struct pbuf {
    double *xy;
    size_t n, cap; /* in points */
} pbuf;

static int pbuf_push(pbuf *p, const double *q)
{
    if (hs_grow((void **)&p->xy, &p->cap, 2 * (p->n + 1), sizeof(double)) < 0)
        return -1;
    p->xy[2 * p->n] = q[0];
    p->xy[2 * p->n + 1] = q[1];
    p->n++;
    return 0;
}

/* Rebuilds ring rr into p from its arcs at tolerance tol. */
static int assemble(const hs_topo *t, const ringref *rr, double tol, pbuf *p)
{
    p->n = 0;
    for (int i = 0; i < rr->narcs; i++) {
        int ref = t->refs[rr->arc0 + i], a = ref / 2, rev = ref & 1;
        long o = t->arc_off[a], m = t->arc_off[a + 1] - o;
        int last_arc = i == rr->narcs - 1;
        /* Each arc's last point is the next arc's first: emit it only at an open end. */
        long upto = (!rr->closed && last_arc) ? m : m - 1;
        for (long k = 0; k < upto; k++) {
            long j = rev ? o + m - 1 - k : o + k;
            if (tol > 0 && !(t->arc_rank[j] > tol))
                continue;
            if (pbuf_push(p, t->arc_xy + 2 * j) < 0)
                return -1;
        }
    }
    return 0;
}

static double pbuf_area2(const pbuf *p)
{
    double a = 0;
    for (size_t i = 0; i < p->n; i++) {
        size_t j = (i + 1) % p->n;
        a += p->xy[2 * i] * p->xy[2 * j + 1] - p->xy[2 * j] * p->xy[2 * i + 1];
    }
    return a;
}

static int keep_ring(const ringref *rr, const pbuf *p, double tol)
{
    if (!rr->closed)
        return p->n >= 2;
    if (p->n < 3 || pbuf_area2(p) == 0)
        return 0;
    double side = fmax(rr->bbox.maxx - rr->bbox.minx, rr->bbox.maxy - rr->bbox.miny);
    return !(rr->unshared && tol > 0 && side < tol);
}

static int simplify_feature(const hs_topo *t, int fi, int r0, int r1, double tol, pbuf *p,
                            hs_feature *d)
{
    const hs_feature *m = &t->meta[fi];
    d->code = m->code ? strdup(m->code) : NULL;
    d->name = m->name ? strdup(m->name) : NULL;
    d->flags = m->flags;
    d->label_x = m->label_x;
    d->label_y = m->label_y;
    int n = r1 - r0;
    d->rings = calloc((size_t)(n > 0 ? n : 1), sizeof *d->rings);
    d->part_rings = calloc((size_t)(m->nparts > 0 ? m->nparts : 1), sizeof(int));
    if ((m->code && !d->code) || (m->name && !d->name) || !d->rings || !d->part_rings)
        return -1;
    int skip_part = -1;
    for (int k = r0; k < r1; k++) {
        const ringref *rr = &t->rings[k];
        if (rr->part == skip_part)
            continue;
        int ok = 0;
        if (!rr->dropped) {
            if (assemble(t, rr, tol, p) < 0)
                return -1;
            ok = keep_ring(rr, p, tol);
        }
        if (!ok) {
            if (rr->exterior)
                skip_part = rr->part; /* its holes go with it */
            continue;
        }
        if (rr->exterior)
            d->part_rings[d->nparts++] = 0;
        if (d->nparts == 0)
            continue; /* defensive: a hole without an exterior */
        double *xy = malloc(p->n * 2 * sizeof *xy);
        if (!xy)
            return -1;
        memcpy(xy, p->xy, p->n * 2 * sizeof *xy);
        d->rings[d->nrings].xy = xy;
        d->rings[d->nrings].npts = (int)p->n;
        d->nrings++;
        d->part_rings[d->nparts - 1]++;
    }
    return 0;
}

hs_layer *hs_topo_simplify(const hs_topo *t, double tol, hs_err *err)
{
    if (!(tol >= 0) || !isfinite(tol)) {
        hs_err_set(err, HS_EINVAL, "simplification tolerance %g is not a finite value >= 0", tol);
        return NULL;
    }
    hs_layer *l = hs_layer_new(t->kind, t->nfeat, err);
    if (!l)
        return NULL;
    pbuf p = {0};
    int k = 0;
    for (int fi = 0; fi < t->nfeat; fi++) {
        int r0 = k;
        while (k < t->nrings && t->rings[k].feat == fi)
            k++;
        l->nfeat = fi + 1;
        if (simplify_feature(t, fi, r0, k, tol, &p, &l->feat[fi]) < 0) {
            free(p.xy);
            hs_layer_free(l);
            hs_err_set(err, HS_ENOMEM, "out of memory simplifying feature %d", fi);
            return NULL;
        }
    }
    free(p.xy);
    hs_layer_update_bbox(l);
    return l;
}
