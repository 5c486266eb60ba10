/* hs_resp: the response a handler fills, and the helpers that fill it.
 *
 * Returning a negative HS_E* code with err filled makes the framework answer
 * {"error": {"code": "invalid_argument", "message": "...", "parameter": "..."}} with
 * the status hs_err_http_status(code); anything already put in resp is discarded.
 */
#ifndef HS_RESP_H
#define HS_RESP_H

#include <stddef.h>

#include "hs_arena.h"
#include "hs_buf.h"
#include "hs_cache.h"
#include "hs_err.h"
#include "hs_req.h"

#define HS_RESP_MAX_HEADERS 16
/* Hard cap on one response body (a print-size PDF or PNG fits well below it). */
#define HS_RESP_BODY_MAX ((size_t)128 << 20)

typedef struct hs_resp {
    int status;               /* default 200 */
    const char *content_type; /* static string or arena; default application/json */
    hs_buf body;              /* owned body, capped at HS_RESP_BODY_MAX */
    hs_cache_entry *entry;    /* or: a shared cached body (one reference owned) */
    size_t nheaders;
    const char *hname[HS_RESP_MAX_HEADERS];
    const char *hvalue[HS_RESP_MAX_HEADERS];
    hs_arena *arena;
} hs_resp;

void hs_resp_init(hs_resp *resp, hs_arena *arena);
/* Frees the body and releases a cached entry; the response can be reused. */
void hs_resp_clear(hs_resp *resp);
/* Sets (or replaces) a header; name and value are copied. Rejects names that are not
 * HTTP tokens and values with control characters (no header injection). Content-Type
 * and Content-Length are set by the framework, not here. */
int hs_resp_header(hs_resp *resp, const char *name, const char *value, hs_err *err);
/* Copies n bytes as the body. */
int hs_resp_bytes(hs_resp *resp, int status, const char *content_type, const void *data,
                  size_t n, hs_err *err);
/* Serialises j as the body (application/json; charset=utf-8). STEALS the reference
 * to j, and accepts j == NULL (a failed json_pack) as HS_ENOMEM, so handlers can
 * write `return hs_resp_json(resp, 200, json_pack(...), err);`. */
struct json_t;
int hs_resp_json(hs_resp *resp, int status, struct json_t *j, hs_err *err);
/* Replaces the response with the JSON error for `e` (status hs_err_http_status),
 * naming `param` when not NULL. Never fails (falls back to a fixed body). */
void hs_resp_error(hs_resp *resp, const hs_err *e, const char *param);
/* The same with an explicit status and code name, for statuses no HS_E* code maps
 * to (405 method_not_allowed, 414 uri_too_long...). */
void hs_resp_error_status(hs_resp *resp, int status, const char *code_name, const char *msg,
                          const char *param);

/* The cached-render helper for anything expensive and deterministic given
 * (data version, key): tiles, map images, analysis JSON.
 *  - a hit answers from memory;
 *  - a miss calls render(arg, out, err) once, even when many threads ask for the same
 *    key at the same time (the others wait for it: in-flight merging);
 *  - sets ETag (content hash) and Cache-Control (`cache_control`, e.g.
 *    "public, max-age=300"), and answers 304 when If-None-Match matches.
 * `key` must identify everything the bytes depend on except the data version
 * (layer, z/x/y, scale, query values...): keep it canonical (fixed parameter order,
 * defaults filled in) so equal requests share an entry. */
int hs_resp_cached(hs_req *req, hs_resp *resp, const char *key, const char *content_type,
                   const char *cache_control, hs_cache_render_fn render, void *arg, hs_err *err);
/* Sets ETag to `etag` (already quoted) and turns the response into a 304 when the
 * request's If-None-Match lists it (or is "*"). Returns 1 if it did, else 0. */
int hs_resp_etag(hs_req *req, hs_resp *resp, const char *etag, hs_err *err);

#endif
