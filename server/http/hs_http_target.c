/* hs_http_target: what is checked of a request before it is routed: the request
 * target (path decoding, no dot segments or encoded slashes, router match, query
 * parameters the route allows) and the header framing. Split from hs_http.c, which
 * keeps the MHD callbacks; tests/fuzz drives hs_http_parse_target directly. */
#include "hs_http_int.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

/* Decodes and checks the path part of the request target into the arena. */
static int decode_path(hs_arena *a, const char *raw, size_t plen, const char **out, hs_err *err)
{
    if (plen == 0 || raw[0] != '/')
        return hs_err_set(err, HS_EINVAL, "the request target must be a path starting with '/'");
    for (size_t i = 0; i + 2 < plen; i++)
        if (raw[i] == '%' && raw[i + 1] == '2' && (raw[i + 2] == 'f' || raw[i + 2] == 'F'))
            return hs_err_set(err, HS_EINVAL, "an encoded '/' (%%2F) is not allowed in the path");
    char *p = hs_arena_alloc(a, plen + 1, err);
    if (!p)
        return err->code;
    long n = hs_url_decode(raw, plen, 0, p);
    if (n < 0)
        return hs_err_set(err, HS_EINVAL, "malformed percent-encoding in the path at byte %ld",
                          -1 - n);
    p[n] = '\0';
    for (long i = 0; i < n; i++)
        if ((unsigned char)p[i] < 0x20 || p[i] == 0x7F)
            return hs_err_set(err, HS_EINVAL, "the path contains control characters");
    if (!hs_utf8_valid((const unsigned char *)p, (size_t)n))
        return hs_err_set(err, HS_EINVAL, "the path is not valid UTF-8");
    /* No dot segments: routes never need them and static files must not see them. */
    for (const char *seg = p; seg; seg = strchr(seg + 1, '/')) {
        const char *s = seg + 1;
        size_t l = strcspn(s, "/");
        if ((l == 1 && s[0] == '.') || (l == 2 && s[0] == '.' && s[1] == '.'))
            return hs_err_set(err, HS_EINVAL, "'.' and '..' path segments are not allowed");
    }
    *out = p;
    return HS_OK;
}

int hs_http_parse_target(const hs_router *r, const char *uri, hs_req *req, hs_err *err)
{
    size_t plen = strcspn(uri, "?#");
    const char *qs = uri[plen] == '?' ? uri + plen + 1 : NULL;
    size_t qlen = qs ? strcspn(qs, "#") : 0;
    int rc = decode_path(req->arena, uri, plen, &req->path, err);
    if (rc == HS_OK) {
        rc = hs_router_match(r, req->path, req, err);
        if (rc == HS_ENOTFOUND) {
            char shown[128];
            hs_query_show(shown, sizeof shown, req->path, 80);
            hs_err_set(err, HS_ENOTFOUND, "no resource at '%s'", shown);
        }
    }
    if (rc == HS_OK)
        rc = hs_query_parse(req->arena, qs, qlen, &req->query, err);
    if (rc == HS_OK && !(hs_route_spec_of(req->route)->flags & HS_ROUTE_OWN_PARAMS))
        rc = hs_query_check_allowed(req->query, hs_route_spec_of(req->route)->params, err);
    return rc;
}

/* Header framing checks libmicrohttpd 0.9.75 leaves to us: headers that must be
 * unique (a second Content-Length or Host is how request smuggling starts), header
 * sizes (nginx-like caps, well below MHD's 64 KiB connection memory), and names
 * that are not HTTP tokens. */
#define HS_HTTP_MAX_HEADER 8192
#define HS_HTTP_MAX_HEADERS_TOTAL 16384
typedef struct hdr_scan {
    unsigned n_cl, n_host, n_auth, n_te;
    size_t total, longest;
    int bad_name;
} hdr_scan;

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    hdr_scan *h = cls;
    size_t kl = key ? strlen(key) : 0, vl = value ? strlen(value) : 0;
    h->total += kl + vl + 4;
    if (kl + vl + 4 > h->longest)
        h->longest = kl + vl + 4;
    if (!key)
        return MHD_YES;
    h->n_cl += !strcasecmp(key, "Content-Length");
    h->n_host += !strcasecmp(key, "Host");
    h->n_auth += !strcasecmp(key, "Authorization");
    h->n_te += !strcasecmp(key, "Transfer-Encoding");
    if (!kl || strspn(key, "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != kl)
        h->bad_name = 1;
    return MHD_YES;
}

int hs_http_check_headers(struct MHD_Connection *conn, hs_resp *resp)
{
    hdr_scan h = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, scan_header, &h);
    const char *msg = NULL;
    if (h.longest > HS_HTTP_MAX_HEADER || h.total > HS_HTTP_MAX_HEADERS_TOTAL) {
        hs_resp_error_status(resp, 431, "limit_exceeded",
                             "request headers too large (limits: 8192 bytes per header, "
                             "16384 in total)", NULL);
        hs_resp_header(resp, "Connection", "close", NULL);
        return -1;
    }
    if (h.n_cl > 1)
        msg = "more than one Content-Length header";
    else if (h.n_host > 1)
        msg = "more than one Host header";
    else if (h.n_auth > 1)
        msg = "more than one Authorization header";
    else if (h.n_te > 1)
        msg = "more than one Transfer-Encoding header";
    else if (h.bad_name)
        msg = "a header name is not an HTTP token";
    if (!msg)
        return 0;
    hs_resp_error_status(resp, 400, "bad_request", msg, NULL);
    hs_resp_header(resp, "Connection", "close", NULL); /* framing is in doubt: stop here */
    return -1;
}
