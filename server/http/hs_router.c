#include "hs_router.h"

#include <stdlib.h>
#include <string.h>

/* One pattern segment: literal text, or prefix{name}suffix, or {name*} (rest). */
typedef struct {
    char *prefix; /* whole text for a literal segment */
    char *name;   /* NULL for a literal segment */
    char *suffix;
    int rest;
} route_seg;

struct hs_route {
    hs_route_spec spec;
    char *pattern;
    route_seg *segs;
    size_t nsegs;
    size_t literal_bytes; /* specificity: more literal text wins */
    size_t index;
};

struct hs_router {
    hs_route *routes[HS_ROUTER_MAX_ROUTES];
    size_t n;
};

hs_router *hs_router_create(void)
{
    return calloc(1, sizeof(hs_router));
}

static void route_free(hs_route *rt)
{
    if (!rt)
        return;
    for (size_t i = 0; i < rt->nsegs; i++) {
        free(rt->segs[i].prefix);
        free(rt->segs[i].name);
        free(rt->segs[i].suffix);
    }
    free(rt->segs);
    free(rt->pattern);
    free(rt);
}

void hs_router_destroy(hs_router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        route_free(r->routes[i]);
    free(r);
}

size_t hs_router_count(const hs_router *r)
{
    return r->n;
}

const hs_route *hs_router_get(const hs_router *r, size_t i)
{
    return i < r->n ? r->routes[i] : NULL;
}

const char *hs_route_pattern(const hs_route *rt)
{
    return rt->pattern;
}

size_t hs_route_index(const hs_route *rt)
{
    return rt->index;
}

const hs_route_spec *hs_route_spec_of(const hs_route *rt)
{
    return &rt->spec;
}

static char *dupn(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

/* Parses segment text s[0..n) of pattern `pat`. */
static int parse_seg(const char *pat, const char *s, size_t n, int last, route_seg *seg,
                     size_t *literal, hs_err *err)
{
    const char *open = memchr(s, '{', n);
    const char *close = memchr(s, '}', n);
    if (!open && !close) {
        seg->prefix = dupn(s, n);
        *literal += n;
        return seg->prefix ? HS_OK : hs_err_set(err, HS_ENOMEM, "out of memory");
    }
    if (!open || !close || close < open || close == open + 1 ||
        memchr(open + 1, '{', (size_t)(s + n - open - 1)) ||
        memchr(close + 1, '}', (size_t)(s + n - close - 1)))
        return hs_err_set(err, HS_EINVAL,
                          "route pattern '%s': a segment holds at most one {name}", pat);
    size_t nlen = (size_t)(close - open - 1);
    int rest = open[nlen] == '*';
    if (rest) {
        nlen--;
        if (!last || open != s || close != s + n - 1 || nlen == 0)
            return hs_err_set(err, HS_EINVAL,
                              "route pattern '%s': {name*} must be the whole last segment", pat);
    }
    seg->prefix = dupn(s, (size_t)(open - s));
    seg->name = dupn(open + 1, nlen);
    seg->suffix = dupn(close + 1, (size_t)(s + n - close - 1));
    seg->rest = rest;
    *literal += (size_t)(open - s) + (size_t)(s + n - close - 1);
    if (!seg->prefix || !seg->name || !seg->suffix)
        return hs_err_set(err, HS_ENOMEM, "out of memory");
    return HS_OK;
}

int hs_router_add(hs_router *r, const hs_route_spec *spec, hs_err *err)
{
    const char *pat = spec->pattern;
    if (!spec->method || strcmp(spec->method, "GET"))
        return hs_err_set(err, HS_EINVAL, "route '%s': only GET routes are supported",
                          pat ? pat : "(null)");
    if (!pat || pat[0] != '/' || !spec->handle)
        return hs_err_set(err, HS_EINVAL, "route '%s': pattern must start with '/' and have a handler",
                          pat ? pat : "(null)");
    if (r->n >= HS_ROUTER_MAX_ROUTES)
        return hs_err_set(err, HS_ELIMIT, "route '%s': more than %d routes", pat,
                          HS_ROUTER_MAX_ROUTES);
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->routes[i]->pattern, pat))
            return hs_err_set(err, HS_EINVAL, "route '%s' is registered twice", pat);
    hs_route *rt = calloc(1, sizeof *rt);
    if (!rt || !(rt->pattern = strdup(pat))) {
        free(rt);
        return hs_err_set(err, HS_ENOMEM, "out of memory");
    }
    rt->spec = *spec;
    rt->spec.pattern = rt->pattern;
    /* "/" has zero segments; "/a/b" has two. */
    size_t nsegs = 0;
    for (const char *p = pat + 1; *p; p++)
        nsegs += *p == '/';
    nsegs += pat[1] != '\0';
    rt->segs = calloc(nsegs ? nsegs : 1, sizeof *rt->segs);
    if (!rt->segs) {
        route_free(rt);
        return hs_err_set(err, HS_ENOMEM, "out of memory");
    }
    size_t nparams = 0;
    const char *s = pat + 1;
    for (size_t i = 0; i < nsegs; i++) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        rt->nsegs = i + 1;
        int rc = parse_seg(pat, s, n, i + 1 == nsegs, &rt->segs[i], &rt->literal_bytes, err);
        if (rc < 0) {
            route_free(rt);
            return rc;
        }
        if (n == 0 && nsegs > 1) {
            route_free(rt);
            return hs_err_set(err, HS_EINVAL, "route pattern '%s' has an empty segment", pat);
        }
        if (rt->segs[i].name && ++nparams > HS_ROUTE_MAX_PARAMS) {
            route_free(rt);
            return hs_err_set(err, HS_ELIMIT, "route '%s': more than %d parameters", pat,
                              HS_ROUTE_MAX_PARAMS);
        }
        s += n + 1;
    }
    rt->nsegs = nsegs;
    rt->index = r->n;
    r->routes[r->n++] = rt;
    return HS_OK;
}

typedef struct {
    const char *start[HS_ROUTE_MAX_PARAMS];
    size_t len[HS_ROUTE_MAX_PARAMS];
    size_t n;
} match_caps;

/* Matches the decoded path against one route, recording parameter spans. */
static int route_matches(const hs_route *rt, const char *path, match_caps *caps)
{
    caps->n = 0;
    const char *s = path + 1;
    if (rt->nsegs == 0)
        return *s == '\0';
    for (size_t i = 0; i < rt->nsegs; i++) {
        const route_seg *g = &rt->segs[i];
        if (!s)
            return 0; /* path has fewer segments */
        const char *slash = strchr(s, '/');
        size_t n = g->rest ? strlen(s) : slash ? (size_t)(slash - s) : strlen(s);
        if (!g->name) {
            if (strlen(g->prefix) != n || memcmp(g->prefix, s, n))
                return 0;
        } else {
            size_t pl = strlen(g->prefix), sl = strlen(g->suffix);
            if (n < pl + sl + 1 || memcmp(s, g->prefix, pl) || memcmp(s + n - sl, g->suffix, sl))
                return 0;
            caps->start[caps->n] = s + pl;
            caps->len[caps->n] = n - pl - sl;
            caps->n++;
        }
        s = (g->rest || !slash) ? NULL : slash + 1;
    }
    return s == NULL; /* no path segments left over */
}

int hs_router_match(const hs_router *r, const char *path, hs_req *req, hs_err *err)
{
    const hs_route *best = NULL;
    match_caps caps, best_caps = {0};
    for (size_t i = 0; i < r->n; i++) {
        const hs_route *rt = r->routes[i];
        if (!route_matches(rt, path, &caps))
            continue;
        if (!best || rt->literal_bytes > best->literal_bytes) {
            best = rt;
            best_caps = caps;
        }
    }
    if (!best)
        return hs_err_set(err, HS_ENOTFOUND, "no such resource");
    req->route = best;
    req->ctx = best->spec.ctx;
    req->nparams = 0;
    size_t k = 0;
    for (size_t i = 0; i < best->nsegs; i++) {
        if (!best->segs[i].name)
            continue;
        char *v = hs_arena_strndup(req->arena, best_caps.start[k], best_caps.len[k], err);
        if (!v)
            return err ? err->code : HS_ENOMEM;
        req->param_name[k] = best->segs[i].name;
        req->param_value[k] = v;
        k++;
    }
    req->nparams = k;
    return HS_OK;
}
