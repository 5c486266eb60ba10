#include "hs_http_int.h"
#include "hs_clock.h"

#include <arpa/inet.h>
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hs_access.h"
#include "hs_cancel.h"
#include "hs_dbpool.h"
#include "hs_dbwatch.h"
#include "hs_heavy.h"
#include "hs_metrics.h"
#include "hs_paths.h"
#include "hs_ratelimit.h"


int hs_http_parse_listen(const char *s, char *host, size_t hostn, unsigned *port, hs_err *err)
{
    const char *hs, *he, *colon;
    if (!s || !*s)
        return hs_err_set(err, HS_EINVAL, "--listen: empty address (use HOST:PORT)");
    if (s[0] == '[') {
        he = strchr(s, ']');
        if (!he || he[1] != ':')
            return hs_err_set(err, HS_EINVAL, "--listen '%s': use [IPV6]:PORT", s);
        hs = s + 1;
        colon = he + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return hs_err_set(err, HS_EINVAL,
                              "--listen '%s': use HOST:PORT (IPv6 in brackets: [::1]:8138)", s);
        hs = s;
        he = colon;
    }
    size_t hl = (size_t)(he - hs);
    if (hl == 0 || hl >= hostn)
        return hs_err_set(err, HS_EINVAL, "--listen '%s': missing or too long host", s);
    const char *p = colon + 1;
    if (!*p || strspn(p, "0123456789") != strlen(p) || strlen(p) > 5 || strtol(p, NULL, 10) > 65535)
        return hs_err_set(err, HS_EINVAL, "--listen '%s': port must be a number from 0 to 65535", s);
    memcpy(host, hs, hl);
    host[hl] = '\0';
    *port = (unsigned)strtol(p, NULL, 10);
    return HS_OK;
}

static void purge_on_change(uint64_t version, void *ctx)
{
    hs_cache_purge_before(ctx, version);
#ifdef __GLIBC__
    /* The purge just freed up to the whole cache (256 MiB), spread over the arenas
     * of the threads that rendered it, and glibc keeps freed pages below an arena's
     * top: after a 15-minute soak it held 432 MB, 102 MB of them in use, and RSS
     * stayed at the cache's high-water mark. Once per data change, on the watcher
     * thread, hand the free pages back (docs/reliability.md, soak). */
    malloc_trim(0);
#endif
}

int hs_server_create(const hs_http_opts *opts, hs_server **out, hs_err *err)
{
    *out = NULL;
    hs_server *s = calloc(1, sizeof *s);
    if (!s)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the server");
    s->opts = *opts;
    if (!s->opts.listen)
        s->opts.listen = HS_HTTP_DEFAULT_LISTEN;
    if (!s->opts.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->opts.threads = n > 0 && n < 1024 ? (unsigned)n : 2;
    }
    if (!s->opts.cache_bytes)
        s->opts.cache_bytes = (size_t)256 << 20;
    if (!s->opts.max_connections)
        s->opts.max_connections = 1024;
    if (!s->opts.per_ip_limit)
        s->opts.per_ip_limit = 256;
    if (!s->opts.timeout_s)
        s->opts.timeout_s = 30;
    if (!s->opts.heavy_threads)
        s->opts.heavy_threads = s->opts.threads;
    if (!s->opts.heavy_queue)
        s->opts.heavy_queue = HS_HTTP_DEFAULT_HEAVY_QUEUE;
    if (!(s->opts.heavy_budget_s > 0))
        s->opts.heavy_budget_s = HS_HTTP_DEFAULT_HEAVY_BUDGET;
    int n = s->opts.web_dir ? snprintf(s->web_dir, sizeof s->web_dir, "%s", s->opts.web_dir)
                            : snprintf(s->web_dir, sizeof s->web_dir, "%s/web", hs_paths_source_dir());
    int rc = HS_OK;
    if (n < 0 || (size_t)n >= sizeof s->web_dir)
        rc = hs_err_set(err, HS_EINVAL, "--web: path too long");

    char host[256];
    unsigned port = 0;
    if (rc == HS_OK)
        rc = hs_http_parse_listen(s->opts.listen, host, sizeof host, &port, err);
    if (rc == HS_OK) {
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                 .ai_flags = AI_NUMERICSERV};
        struct addrinfo *ai = NULL;
        char ps[8];
        snprintf(ps, sizeof ps, "%u", port);
        int g = getaddrinfo(host, ps, &hints, &ai);
        if (g || !ai || ai->ai_addrlen > sizeof s->addr) {
            rc = hs_err_set(err, HS_EINVAL, "--listen '%s': cannot resolve '%s': %s",
                            s->opts.listen, host, g ? gai_strerror(g) : "no address");
        } else {
            memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
        }
        if (ai)
            freeaddrinfo(ai);
    }
    if (rc == HS_OK) {
        s->router = hs_router_create();
        s->svc.cache = hs_cache_create(s->opts.cache_bytes);
        s->svc.metrics = hs_metrics_create();
        if (!s->router || !s->svc.cache || !s->svc.metrics)
            rc = hs_err_set(err, HS_ENOMEM, "cannot allocate the server");
    }
    if (rc == HS_OK)
        rc = hs_dbpool_create(&(hs_dbpool_opts){.conninfo = s->opts.conninfo,
                                                 .read_conninfo = s->opts.read_conninfo},
                              &s->svc.db, err);
    /* The watcher and the access module (token set, audit inserts) use the primary
     * even with a read replica: they write, or LISTEN, and NOTIFY is not replicated. */
    if (rc == HS_OK)
        rc = hs_dbwatch_create(s->opts.conninfo, 0, &s->svc.watch, err);
    if (rc == HS_OK)
        rc = hs_dbwatch_on_change(s->svc.watch, purge_on_change, s->svc.cache, err);
    if (rc == HS_OK)
        rc = hs_access_create(&(hs_access_opts){.conninfo = s->opts.conninfo,
                                                .retention_days = s->opts.audit_retention_days},
                              &s->svc.access, err);
    if (rc == HS_OK)
        rc = hs_ratelimit_create(s->opts.rate, &s->svc.ratelimit, err);
    if (rc < 0) {
        hs_server_destroy(s);
        return rc;
    }
    s->svc.router = s->router;
    s->svc.web_dir = s->web_dir;
    s->svc.release_dir = s->opts.release_dir;
    s->svc.public_url = s->opts.public_url;
    *out = s;
    return HS_OK;
}

hs_router *hs_server_router(hs_server *s)
{
    return s->router;
}

hs_services *hs_server_services(hs_server *s)
{
    return &s->svc;
}

unsigned hs_server_port(const hs_server *s)
{
    return s->port;
}

/* ---- MHD callbacks ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    hs_server *s = cls;
    size_t ulen = strlen(uri);
    size_t keep = ulen > HS_HTTP_MAX_URI ? HS_HTTP_MAX_URI : ulen;
    http_rctx *rc = calloc(1, sizeof *rc + keep + 1);
    if (!rc)
        return NULL;
    rc->arena = hs_arena_create(0);
    if (!rc->arena) {
        free(rc);
        return NULL;
    }
    rc->srv = s;
    rc->t0 = hs_clock_now();
    rc->id = atomic_fetch_add(&s->next_id, 1) + 1;
    rc->route_index = -1;
    rc->uri_len = ulen;
    memcpy(rc->uri, uri, keep);
    rc->uri[keep] = '\0';
    rc->conn = conn;
    hs_resp_init(&rc->resp, rc->arena);
    hs_metrics_active(s->svc.metrics, 1);
    atomic_fetch_add(&s->active, 1);
    return rc;
}

static const char *mhd_header(void *hctx, const char *name)
{
    return MHD_lookup_connection_value(hctx, MHD_HEADER_KIND, name);
}

/* The first value of `name`, or NULL. */
static const char *query_first(const hs_query *q, const char *name)
{
    for (size_t i = 0; i < hs_query_count(q); i++)
        if (!strcmp(hs_query_key(q, i), name))
            return hs_query_value(q, i);
    return NULL;
}

/* The client address as text, for the log and the rate limit of the public. When
 * the peer is the configured trusted proxy, the client is the last address of its
 * X-Forwarded-For (the one nginx's $proxy_add_x_forwarded_for appended: the address
 * it saw); addresses further left are the client's own claims and are ignored. */
static void client_ip(const hs_server *s, struct MHD_Connection *conn, char *ip, size_t n)
{
    snprintf(ip, n, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr)
        getnameinfo(ci->client_addr,
                    ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in),
                    ip, (socklen_t)n, NULL, 0, NI_NUMERICHOST);
    if (!s->opts.trusted_proxy || strcmp(ip, s->opts.trusted_proxy))
        return;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    if (!xff)
        return;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    char a[INET6_ADDRSTRLEN + 1];
    size_t l = strcspn(last, " \t");
    unsigned char bin[sizeof(struct in6_addr)];
    if (l == 0 || l >= sizeof a)
        return;
    memcpy(a, last, l);
    a[l] = '\0';
    if (inet_pton(AF_INET, a, bin) == 1 || inet_pton(AF_INET6, a, bin) == 1)
        snprintf(ip, n, "%s", a);
}

/* 429 when the caller (its token, or its address for the public) is over its
 * role's request rate; 0 when it may go on. */
static int rate_limited(hs_server *s, http_rctx *rc, struct MHD_Connection *conn,
                        hs_resp *resp)
{
    char key[INET6_ADDRSTRLEN + 32];
    if (rc->who.token_id) {
        snprintf(key, sizeof key, "token:%lld", rc->who.token_id);
    } else {
        char ip[INET6_ADDRSTRLEN + 2];
        client_ip(s, conn, ip, sizeof ip);
        snprintf(key, sizeof key, "addr:%s", ip);
    }
    double retry = 0, rate = 0;
    if (hs_ratelimit_take(s->svc.ratelimit, rc->who.role, key, hs_clock_now(), &retry, &rate))
        return 0;
    char msg[200], ra[24];
    snprintf(msg, sizeof msg,
             "more than %g requests per second from this %s (setting rate-%s); retry later",
             rate, rc->who.token_id ? "token" : "address", hs_role_name(rc->who.role));
    hs_resp_error_status(resp, 429, "rate_limited", msg, NULL);
    snprintf(ra, sizeof ra, "%d", (int)retry + 1);
    hs_resp_header(resp, "Retry-After", ra, NULL);
    return 1;
}

/* Runs the request through the framing checks, the router and the handler. Returns
 * an HS_RUN_* (hs__http_run_handler); for HS_RUN_ANSWERED the answer is in rc->resp. */
static int dispatch(hs_server *s, http_rctx *rc, struct MHD_Connection *conn, const char *method)
{
    hs_err err = {0};
    hs_req *req = &rc->req;
    hs_resp *resp = &rc->resp;
    memset(req, 0, sizeof *req);
    req->method = rc->method;
    req->arena = rc->arena;
    req->svc = &s->svc;
    req->header_fn = mhd_header;
    req->header_ctx = conn;
    req->data_version = hs_dbwatch_version(s->svc.watch);
    req->who = &rc->who;
    hs_resp_init(resp, rc->arena);

    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
        char m[96];
        hs_query_show(m, sizeof m, method, 32);
        snprintf(err.msg, sizeof err.msg, "method %s is not allowed; use GET or HEAD", m);
        hs_resp_error_status(resp, 405, "method_not_allowed", err.msg, NULL);
        hs_resp_header(resp, "Allow", "GET, HEAD", NULL);
        hs_resp_header(resp, "Connection", "close", NULL); /* a body may follow: drop it */
        return 0;
    }
    if (hs_http_check_headers(conn, resp) < 0)
        return 0;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl && strspn(cl, "0123456789") != strlen(cl)) {
        hs_resp_error_status(resp, 400, "bad_request", "Content-Length is not a number", NULL);
        hs_resp_header(resp, "Connection", "close", NULL);
        return 0;
    }
    if ((cl && strspn(cl, "0") != strlen(cl)) ||
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding")) {
        hs_resp_error_status(resp, 413, "limit_exceeded", "request bodies are not accepted",
                             NULL);
        hs_resp_header(resp, "Connection", "close", NULL);
        return 0;
    }
    if (rc->uri_len > HS_HTTP_MAX_URI) {
        snprintf(err.msg, sizeof err.msg, "the URI is %zu bytes; the limit is %d", rc->uri_len,
                 HS_HTTP_MAX_URI);
        hs_resp_error_status(resp, 414, "uri_too_long", err.msg, NULL);
        return 0;
    }
    int r = hs_http_parse_target(s->router, rc->uri, req, &err);
    if (req->route)
        rc->route_index = (int)hs_route_index(req->route);
    if (req->route && req->query) {
        /* The access matrix, once, before any handler: routes only declare what they
         * expose. It runs even when a parameter name was refused, so a caller without
         * the right token learns 401/403, not which parameters a route takes. The
         * level and province values are read raw here; the handler validates them
         * again as it always does. */
        hs_access_verdict v;
        hs_access_authenticate(s->svc.access, mhd_header(conn, "Authorization"), &rc->who, &v);
        if (!v.status && !(hs_route_spec_of(req->route)->flags & HS_ROUTE_UNLIMITED) &&
            rate_limited(s, rc, conn, resp))
            return 0;
        if (!v.status) {
            rc->province = query_first(req->query, "province");
            hs_access_req rq = {.level = query_first(req->query, "level"),
                                .province = rc->province,
                                .seed = query_first(req->query, "seed"),
                                .permutations = query_first(req->query, "permutations"),
                                .size = query_first(req->query, "size")};
            if (hs_query_has(req->query, "level") > 1 || hs_query_has(req->query, "province") > 1 ||
                hs_query_has(req->query, "seed") > 1 || hs_query_has(req->query, "permutations") > 1 ||
                hs_query_has(req->query, "size") > 1) {
                v.status = 400;
                v.code = "invalid_argument";
                snprintf(v.msg, sizeof v.msg,
                         "level, province, seed, permutations and size may be given once each");
            } else {
                hs_access_check(&rc->who, hs_route_spec_of(req->route)->exposes, &rq, &v);
            }
        }
        if (v.status) {
            hs_resp_error_status(resp, v.status, v.code, v.msg, NULL);
            if (v.status == 401)
                hs_resp_header(resp, "WWW-Authenticate", "Bearer", NULL);
            return 0;
        }
    }
    if (r == HS_OK)
        return hs__http_run_handler(s, rc);
    hs__http_finish_handler(s, rc, r, &err);
    return HS_RUN_ANSWERED;
}

int hs__http_run_handler(hs_server *s, http_rctx *rc)
{
    hs_err err = {0};
    hs_req *req = &rc->req;
    hs_resp *resp = &rc->resp;
    const hs_route_spec *spec = hs_route_spec_of(req->route);
    if (s->heavy && spec->cost == HS_COST_HEAVY)
        return HS_RUN_HEAVY;
    req->defer_ok = s->heavy && spec->cost != HS_COST_CHEAP;
    int r = spec->handle(req, resp, &err);
    if (r < 0 && !err.code)
        hs_err_set(&err, r, "the handler failed without a message");
    if (r >= 0 && req->deferred) {
        /* A cache miss: the pool runs the handler again, renders and answers; or,
         * when another request renders this answer already, wait for it. */
        if (req->conn)
            hs_dbpool_release(s->svc.db, req->conn);
        req->conn = NULL;
        hs_resp_clear(resp);
        return req->park_key ? HS_RUN_PARK : HS_RUN_HEAVY;
    }
    hs__http_finish_handler(s, rc, r, &err);
    return HS_RUN_ANSWERED;
}

static void release_entry(void *cls)
{
    hs_cache_entry_release(cls);
}

/* Hands the hs_resp to MHD. The body moves to MHD (freed by its callbacks). */
static enum MHD_Result send_resp(struct MHD_Connection *conn, http_rctx *rc, hs_resp *resp)
{
    struct MHD_Response *mr = NULL;
    size_t len = 0;
    if (resp->status == 304 || resp->status == 204) {
        hs_cache_entry_release(resp->entry);
        resp->entry = NULL;
        hs_buf_free(&resp->body);
        mr = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else if (resp->entry) {
        const unsigned char *d = hs_cache_entry_data(resp->entry, &len);
        mr = MHD_create_response_from_buffer_with_free_callback_cls(len, (void *)d,
                                                                     release_entry, resp->entry);
        if (!mr)
            hs_cache_entry_release(resp->entry);
        resp->entry = NULL;
    } else {
        unsigned char *d = hs_buf_steal(&resp->body, &len);
        mr = d ? MHD_create_response_from_buffer_with_free_callback(len, d, free)
               : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!mr)
            free(d);
    }
    if (!mr)
        return MHD_NO; /* out of memory: MHD closes the connection */
    if (resp->status != 304 && resp->status != 204 && resp->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    int has_cc = 0;
    for (size_t i = 0; i < resp->nheaders; i++) {
        /* Whether an answer was cached tells what others asked for: not for the public
         * or analysts. */
        if (!strcasecmp(resp->hname[i], "X-Cache") && rc->who.role != HS_ROLE_OPERATOR &&
            rc->who.role != HS_ROLE_PLANNER)
            continue;
        /* An answer to a token may not go into shared caches: "public" would allow
         * them to store it despite the Authorization header (RFC 9111, 3.5). */
        if (!strcasecmp(resp->hname[i], "Cache-Control") && rc->who.role != HS_ROLE_PUBLIC &&
            !strncmp(resp->hvalue[i], "public", 6)) {
            char cc[256];
            snprintf(cc, sizeof cc, "private%s", resp->hvalue[i] + 6);
            MHD_add_response_header(mr, resp->hname[i], cc);
            has_cc = 1;
            continue;
        }
        MHD_add_response_header(mr, resp->hname[i], resp->hvalue[i]);
        has_cc |= !strcasecmp(resp->hname[i], "Cache-Control");
    }
    if (!has_cc)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    if (atomic_load(&rc->srv->stopping))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONNECTION, "close");
    rc->status = resp->status;
    rc->bytes = len;
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

/* Sends the answer, or hands the request on as hs__http_run_handler decided. */
static enum MHD_Result proceed(hs_server *s, http_rctx *rc, struct MHD_Connection *conn, int how)
{
    if (how == HS_RUN_HEAVY) {
        hs__http_start_heavy(s, rc, conn);
        return MHD_YES;
    }
    if (how == HS_RUN_PARK) {
        hs__http_park(s, rc, conn);
        return MHD_YES;
    }
    enum MHD_Result ok = send_resp(conn, rc, &rc->resp);
    hs_resp_clear(&rc->resp);
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    hs_server *s = cls;
    http_rctx *rc = *req_cls;
    if (!rc) {
        rc = on_uri(s, url, conn); /* only if the URI callback could not allocate */
        if (!rc)
            return MHD_NO;
        *req_cls = rc;
    }
    if (rc->phase == RC_READY) {
        /* Resumed after heavy work: the answer is ready. */
        rc->phase = RC_NEW;
        enum MHD_Result ok = send_resp(conn, rc, &rc->resp);
        hs_resp_clear(&rc->resp);
        return ok;
    }
    if (rc->phase == RC_WOKEN) {
        /* The render this request waited for ended: the same handler again, on this
         * thread; it finds the answer cached, or (a failed or uncacheable render)
         * goes to the pool as any miss, never parked twice. */
        rc->phase = RC_NEW;
        if (atomic_load(&s->cancelling)) {
            /* Woken by a render the shutdown stopped: running the handler now could
             * start a render no one cancels, or use the pool while it is destroyed. */
            hs__http_answer_shutdown(rc);
            return proceed(s, rc, conn, HS_RUN_ANSWERED);
        }
        hs__http_rerun_reset(rc);
        rc->req.parked = 1;
        return proceed(s, rc, conn, hs__http_run_handler(s, rc));
    }
    if (rc->phase == RC_HEAVY || rc->phase == RC_PARKED)
        return MHD_YES; /* still running (MHD does not call while suspended) */
    if (rc->handled) {
        /* A body arriving after we answered: discard it. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* Answer on the second call (headers done, no body) so libmicrohttpd keeps the
     * connection alive for the next (pipelined) request; answering on the first call
     * makes it close. Requests that announce a body are answered at once (and
     * closed) so the body is never read. */
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    int body = (cl && strspn(cl, "0") != strlen(cl)) ||
               MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Transfer-Encoding") ||
               (strcmp(method, "GET") && strcmp(method, "HEAD"));
    if (!rc->deferred && !body) {
        rc->deferred = 1;
        return MHD_YES;
    }
    *upload_data_size = 0;
    rc->handled = 1;
    rc->queue_s = hs_clock_now() - rc->t0;
    snprintf(rc->method, sizeof rc->method, "%s", method);
    return proceed(s, rc, conn, dispatch(s, rc, conn, method));
}

/* Copies s for the log with control and non-ASCII bytes escaped, so a request
 * cannot forge log lines. */
static void log_escape(char *dst, size_t n, const char *s, size_t max)
{
    size_t o = 0;
    for (size_t i = 0; s[i] && i < max && o + 5 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c >= 0x7F || c == '"' || c == '\\')
            o += (size_t)snprintf(dst + o, n - o, "\\x%02X", c);
        else
            dst[o++] = (char)c;
    }
    dst[o] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    hs_server *s = cls;
    http_rctx *rc = *req_cls;
    if (!rc)
        return;
    *req_cls = NULL;
    double secs = hs_clock_now() - rc->t0;
    hs_metrics_active(s->svc.metrics, -1);
    hs_resp_clear(&rc->resp);
    if (rc->handled) {
        hs_metrics_request(s->svc.metrics, rc->route_index, rc->status, secs, rc->bytes);
        const char *route = "-";
        if (rc->route_index >= 0)
            route = hs_route_pattern(hs_router_get(s->router, (size_t)rc->route_index));
        const char *qs = strchr(rc->uri, '?');
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        if (rc->who.token_id)
            hs_access_audit(s->svc.access,
                            &(hs_audit_row){.at = (double)wall.tv_sec + wall.tv_nsec / 1e9, .token_id = rc->who.token_id,
                                            .role = rc->who.role, .route = route,
                                            .params = qs ? qs + 1 : "",
                                            .provinces = rc->province ? rc->province : "",
                                            .status = rc->status, .bytes = rc->bytes,
                                            .duration_ms = secs * 1e3});
        if (!s->opts.quiet) {
            char ip[INET6_ADDRSTRLEN + 2];
            client_ip(s, conn, ip, sizeof ip);
            char path[1100], meth[80], rt[200];
            /* The path without its query: parameters may hold anything; they are in
             * the audit table for authenticated requests. */
            size_t plen = strcspn(rc->uri, "?");
            char raw[HS_HTTP_MAX_URI + 1];
            memcpy(raw, rc->uri, plen);
            raw[plen] = '\0';
            log_escape(path, sizeof path, raw, 256);
            log_escape(meth, sizeof meth, rc->method, 15);
            log_escape(rt, sizeof rt, route, 120);
            time_t t = time(NULL);
            struct tm tm;
            char ts[32];
            gmtime_r(&t, &tm);
            strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
            char line[1600];
            int n = snprintf(line, sizeof line,
                             "{\"ts\":\"%s\",\"id\":%llu,\"ip\":\"%s\",\"method\":\"%s\","
                             "\"path\":\"%s\",\"route\":\"%s\",\"role\":\"%s\",\"token_id\":%lld,"
                             "\"status\":%d,\"bytes\":%zu,\"queue_ms\":%.1f,\"total_ms\":%.1f%s}\n",
                             ts, rc->id, ip, meth, path, rt, hs_role_name(rc->who.role),
                             rc->who.token_id, rc->status, rc->bytes, rc->queue_s * 1e3,
                             secs * 1e3,
                             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : ",\"aborted\":true");
            /* One write() per line keeps lines from different threads whole. */
            if (n > 0) {
                size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
                ssize_t w = write(STDERR_FILENO, line, len);
                (void)w;
            }
        }
    }
    hs_arena_destroy(rc->arena);
    free(rc);
    atomic_fetch_sub(&s->active, 1);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
                                                             va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    fprintf(stderr, "hotspot: http: %s\n", msg);
}

int hs_server_start(hs_server *s, hs_err *err)
{
    int rc = hs_dbwatch_start(s->svc.watch, err);
    if (rc == HS_OK)
        rc = hs_access_start(s->svc.access, err);
    if (rc < 0)
        return rc;
    s->svc.started = hs_clock_now();
    rc = hs_heavy_create(&(hs_heavy_opts){.threads = s->opts.heavy_threads,
                                          .queue_max = s->opts.heavy_queue,
                                          .nice = s->opts.heavy_nice},
                         &s->svc.heavy, err);
    if (rc < 0)
        return rc;
    s->heavy = s->svc.heavy;
    /* Suspend/resume: heavy requests leave the HTTP threads while they run (it also
     * brings the inter-thread channel MHD_quiesce_daemon needs at shutdown). */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    if (s->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* One thread is the polling thread alone: MHD warns about a pool of 1 (or 0),
     * so the pool option is only passed for two threads or more. */
    struct MHD_OptionItem pool[] = {
        {s->opts.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         (intptr_t)s->opts.threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->addr,
        MHD_OPTION_ARRAY, pool, MHD_OPTION_CONNECTION_LIMIT,
        s->opts.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->opts.per_ip_limit,
        MHD_OPTION_CONNECTION_TIMEOUT, s->opts.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 << 10), MHD_OPTION_STRICT_FOR_CLIENT, (int)1, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_END);
    if (!s->mhd)
        return hs_err_set(err, HS_EIO,
                          "cannot listen on %s (address in use, not local, or too many threads?)",
                          s->opts.listen);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    return HS_OK;
}

/* Sleeps about 20 ms (the shutdown polls). */
static void nap(void)
{
    struct timespec ts = {0, 20000000L};
    nanosleep(&ts, NULL);
}

void hs_server_shutdown(hs_server *s, double grace_s)
{
    if (!s || !s->mhd)
        return;
    atomic_store(&s->stopping, 1);
    MHD_socket lfd = MHD_quiesce_daemon(s->mhd);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    double t0 = hs_clock_now();
    while (atomic_load(&s->active) > 0 && hs_clock_now() - t0 < grace_s)
        nap();
    long left = atomic_load(&s->active);
    if (left > 0) {
        fprintf(stderr, "hotspot: %ld request%s still running after the %g s grace period "
                        "(setting shutdown-grace); stopping %s\n",
                left, left == 1 ? "" : "s", grace_s, left == 1 ? "it" : "them");
        atomic_store(&s->cancelling, 1);
        if (s->heavy)
            hs_heavy_cancel_all(s->heavy, HS_CANCEL_SHUTDOWN);
        /* Cancelled jobs answer within milliseconds of their next check (a query in
         * flight is cancelled by the watchdog, a render stops at its next layer or
         * 256 features); after this last wait hs_server_destroy still waits for the
         * pool, only its client may then see the connection close instead of the 503. */
        t0 = hs_clock_now();
        while (atomic_load(&s->active) > 0 && hs_clock_now() - t0 < HS_HTTP_CANCEL_WAIT)
            nap();
    }
}

void hs_server_destroy(hs_server *s)
{
    if (!s)
        return;
    /* Order matters: the heavy pool first (it answers every job it holds, cancelled,
     * and resumes their connections: MHD must not stop with a connection suspended;
     * its threads' exit closes their db connections), then MHD (its threads use
     * everything else, and their exit runs the db pool's per-thread destructors),
     * then the watcher (its callbacks use the cache), then the rest. */
    /* Set before the pool goes: a request its last renders wake answers 503 at once
     * instead of reading s->heavy (hs_http_int.h). */
    atomic_store(&s->cancelling, 1);
    hs_heavy_destroy(s->heavy);
    s->heavy = s->svc.heavy = NULL;
    if (s->mhd)
        MHD_stop_daemon(s->mhd);
    hs_dbwatch_destroy(s->svc.watch);
    hs_access_destroy(s->svc.access); /* flushes the audit queue */
    hs_ratelimit_destroy(s->svc.ratelimit);
    hs_dbpool_destroy(s->svc.db);
    hs_cache_destroy(s->svc.cache);
    hs_metrics_destroy(s->svc.metrics);
    hs_router_destroy(s->router);
    free(s);
}
