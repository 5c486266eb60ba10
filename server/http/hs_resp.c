/* Response helpers of hs_resp.h: everything a handler calls to answer. */
#include "hs_resp.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void hs_resp_init(hs_resp *resp, hs_arena *arena)
{
    memset(resp, 0, sizeof *resp);
    resp->status = 200;
    resp->content_type = "application/json; charset=utf-8";
    resp->arena = arena;
    hs_buf_init(&resp->body, HS_RESP_BODY_MAX);
}

void hs_resp_clear(hs_resp *resp)
{
    hs_buf_free(&resp->body);
    hs_cache_entry_release(resp->entry);
    resp->entry = NULL;
    resp->nheaders = 0;
    resp->status = 200;
    resp->content_type = "application/json; charset=utf-8";
}

static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!strchr("!#$%&'*+-.^_`|~", *s) && !((*s >= '0' && *s <= '9') ||
                                                  (*s >= 'a' && *s <= 'z') ||
                                                  (*s >= 'A' && *s <= 'Z')))
            return 0;
    return 1;
}

int hs_resp_header(hs_resp *resp, const char *name, const char *value, hs_err *err)
{
    if (!is_token(name) || !strcasecmp(name, "Content-Type") ||
        !strcasecmp(name, "Content-Length"))
        return hs_err_set(err, HS_EINTERNAL, "header name '%s' is not allowed", name);
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7F)
            return hs_err_set(err, HS_EINTERNAL, "header '%s': value has control characters",
                              name);
    char *v = hs_arena_strdup(resp->arena, value, err);
    if (!v)
        return err ? err->code : HS_ENOMEM;
    for (size_t i = 0; i < resp->nheaders; i++) {
        if (!strcasecmp(resp->hname[i], name)) {
            resp->hvalue[i] = v;
            return HS_OK;
        }
    }
    if (resp->nheaders >= HS_RESP_MAX_HEADERS)
        return hs_err_set(err, HS_ELIMIT, "more than %d response headers", HS_RESP_MAX_HEADERS);
    char *n = hs_arena_strdup(resp->arena, name, err);
    if (!n)
        return err ? err->code : HS_ENOMEM;
    resp->hname[resp->nheaders] = n;
    resp->hvalue[resp->nheaders] = v;
    resp->nheaders++;
    return HS_OK;
}

int hs_resp_bytes(hs_resp *resp, int status, const char *content_type, const void *data,
                  size_t n, hs_err *err)
{
    hs_buf_free(&resp->body);
    hs_cache_entry_release(resp->entry);
    resp->entry = NULL;
    resp->status = status;
    resp->content_type = content_type;
    return hs_buf_append(&resp->body, data, n, err);
}

int hs_resp_json(hs_resp *resp, int status, json_t *j, hs_err *err)
{
    if (!j)
        return hs_err_set(err, HS_ENOMEM, "cannot build the JSON response");
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot serialise the JSON response");
    int rc = hs_resp_bytes(resp, status, "application/json; charset=utf-8", s, strlen(s), err);
    if (rc == HS_OK)
        rc = hs_buf_append(&resp->body, "\n", 1, err);
    free(s);
    return rc;
}

void hs_resp_error_status(hs_resp *resp, int status, const char *code_name, const char *msg,
                          const char *param)
{
    hs_resp_clear(resp);
    char m[HS_ERR_MSG_MAX];
    /* Messages quote user input; keep them valid UTF-8 so they always encode. */
    hs_query_show(m, sizeof m, msg && *msg ? msg : "internal error", sizeof m - 8);
    if (!hs_utf8_valid((const unsigned char *)m, strlen(m)))
        for (char *p = m; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
    json_t *inner = json_pack("{s:s, s:s}", "code", code_name, "message", m);
    if (inner && param) {
        char pbuf[96];
        hs_query_show(pbuf, sizeof pbuf, param, 64);
        if (hs_utf8_valid((const unsigned char *)pbuf, strlen(pbuf)))
            json_object_set_new(inner, "parameter", json_string(pbuf));
    }
    json_t *j = inner ? json_pack("{s:o}", "error", inner) : NULL;
    if (hs_resp_json(resp, status, j, NULL) < 0) {
        static const char fallback[] =
            "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}\n";
        hs_buf_free(&resp->body);
        hs_buf_append(&resp->body, fallback, sizeof fallback - 1, NULL);
        resp->content_type = "application/json; charset=utf-8";
    }
    resp->status = status;
    hs_resp_header(resp, "Cache-Control", "no-store", NULL);
}

void hs_resp_error(hs_resp *resp, const hs_err *e, const char *param)
{
    int code = e && e->code < 0 ? e->code : HS_EINTERNAL;
    hs_resp_error_status(resp, hs_err_http_status(code), hs_err_code_name(code),
                         e ? e->msg : NULL, param);
}

/* 1 if the If-None-Match list contains etag (weak comparison, as RFC 9110 asks for
 * If-None-Match) or is "*". */
static int etag_listed(const char *inm, const char *etag)
{
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '*')
            return 1;
        if (!strncmp(p, "W/", 2))
            p += 2;
        size_t n = strcspn(p, ",");
        size_t t = n;
        while (t && (p[t - 1] == ' ' || p[t - 1] == '\t'))
            t--;
        if (t == elen && !memcmp(p, etag, elen))
            return 1;
        p += n;
    }
    return 0;
}

int hs_resp_etag(hs_req *req, hs_resp *resp, const char *etag, hs_err *err)
{
    int rc = hs_resp_header(resp, "ETag", etag, err);
    if (rc < 0)
        return rc;
    const char *inm = hs_req_header(req, "If-None-Match");
    if (!inm || !etag_listed(inm, etag))
        return 0;
    resp->status = 304;
    return 1;
}

int hs_resp_cached(hs_req *req, hs_resp *resp, const char *key, const char *content_type,
                   const char *cache_control, hs_cache_render_fn render, void *arg, hs_err *err)
{
    if (!req->svc || !req->svc->cache)
        return hs_err_set(err, HS_EINTERNAL, "no response cache configured");
    hs_cache_entry *e = NULL;
    hs_cache_outcome how = HS_CACHE_HIT;
    if (req->defer_ok) {
        /* On an HTTP thread: answer a hit here, leave a miss (render or merge) to
         * the heavy-job pool, which runs this handler again. */
        int in_flight = 0;
        e = hs_cache_lookup(req->svc->cache, req->data_version, key, &in_flight);
        if (!e) {
            req->deferred = 1;
            /* No copy, no parking: the pool then merges the old way. */
            if (in_flight && !req->parked)
                req->park_key = hs_arena_strdup(req->arena, key, NULL);
            return HS_OK;
        }
        if (req->parked)
            how = HS_CACHE_MERGED;
    } else {
        int rc = hs_cache_fetch(req->svc->cache, req->data_version, key, content_type,
                                HS_RESP_BODY_MAX, render, arg, &e, &how, err);
        if (rc < 0)
            return rc;
    }
    hs_buf_free(&resp->body);
    hs_cache_entry_release(resp->entry);
    resp->entry = e;
    resp->status = 200;
    resp->content_type = hs_cache_entry_type(e);
    static const char *const how_name[] = {"HIT", "MISS", "MERGED"};
    int rc = hs_resp_header(resp, "X-Cache", how_name[how], err);
    if (rc == HS_OK && cache_control)
        rc = hs_resp_header(resp, "Cache-Control", cache_control, err);
    if (rc == HS_OK)
        rc = hs_resp_etag(req, resp, hs_cache_entry_etag(e), err);
    return rc < 0 ? rc : HS_OK;
}
