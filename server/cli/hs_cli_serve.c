/* hotspot serve: run the HTTP server until SIGINT or SIGTERM. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "hs_cli.h"
#include "hs_config.h"
#include "hs_migrate.h"
#include "hs_cluster.h"
#include "hs_dbwatch.h"
#include "hs_http.h"
#include "hs_routes.h"



static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: hotspot serve [--listen HOST:PORT] [--threads N] [--cache-mb M] [--quiet]\n"
            "                     [--web DIR] [--max-connections N] [--per-ip N] [--timeout S]\n"
            "\n"
            "  --listen HOST:PORT   address to bind (default %s; IPv6 as [::1]:8138;\n"
            "                       port 0 picks a free port, printed at start-up)\n"
            "  --threads N          worker threads, each with its own DB connection\n"
            "                       (default: number of CPUs; 1-256)\n"
            "  --cache-mb M         response cache size in MiB (default 256; 0-65536)\n"
            "  --quiet              no access log on stderr\n"
            "  --web DIR            dashboard files served at / and /web/ (default <source>/web)\n"
            "  --release DIR        a folder written by `hotspot publish`, served at /release/\n"
            "  --max-connections N  concurrent connections (default 1024)\n"
            "  --per-ip N           concurrent connections per client address (default 256)\n"
            "  --timeout S          idle connection timeout in seconds (default 30)\n"
            "  --public-url URL     base URL of links in TileJSON (default: root-relative;\n"
            "                       the Host header is never reflected)\n"
            "  --audit-retention-days N  audit rows kept (default 730)\n"
            "  --db-read CONNINFO   a streaming replica for read-only queries (analyses,\n"
            "                       maps, tiles, units, meta); LISTEN, audit and token\n"
            "                       writes stay on --db, the primary. A read waits up to\n"
            "                       1 s for a lagging replica, then uses the primary\n"
            "                       (docs/deploy.md)\n"
            "  --heavy-threads N    threads for heavy work: analyses, scans, uncached maps and\n"
            "                       metatiles (default: as --threads; 1-256)\n"
            "  --heavy-nice N       CPU priority of heavy threads below the HTTP threads:\n"
            "                       nice +N (default 10; 0-19)\n"
            "  --heavy-queue N      heavy requests allowed to wait; past it 503 + Retry-After\n"
            "                       (default 64)\n"
            "  --heavy-budget S     seconds a heavy request may take from its arrival before\n"
            "                       it is stopped with 504 (default 60; 0.1-86400)\n"
            "  --shutdown-grace S   seconds SIGTERM waits for requests in flight (default 10)\n"
            "  --rate-public R      requests per second per client address without a token\n"
            "                       (default 50; burst 2R; 0 = unlimited)\n"
            "  --rate-analyst R, --rate-planner R, --rate-operator R\n"
            "                       requests per second per token of that role\n"
            "                       (defaults 100, 200, 100; burst 2R; 0 = unlimited)\n"
            "  --trusted-proxy ADDR a reverse proxy (nginx) at this address: the client is\n"
            "                       the last X-Forwarded-For entry (for logs, rate-public)\n"
            "  --config FILE        settings as 'key = value' lines, keys as the options\n"
            "                       without '--' (also $HOTSPOT_CONFIG); then $HOTSPOT_<KEY>\n"
            "                       variables (HOTSPOT_CACHE_MB...), then the command line\n"
            "\nStops cleanly on SIGINT (Ctrl-C) or SIGTERM.\n",
            HS_HTTP_DEFAULT_LISTEN);
}

static int parse_uint(const char *opt, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out, hs_err *err)
{
    char *end = NULL;
    errno = 0;
    unsigned long x = v && *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
    if (!v || !end || *end || errno || x < min || x > max)
        return hs_err_set(err, HS_EINVAL, "%s must be an integer from %lu to %lu (got '%.64s')",
                          opt, min, max, v ? v : "");
    *out = x;
    return HS_OK;
}

/* A decimal number from min to max (no inf, nan or hex). */
static int parse_num(const char *opt, const char *v, double min, double max, double *out,
                     hs_err *err)
{
    char *end = NULL;
    errno = 0;
    double x = v && strspn(v, "0123456789.") == strlen(v) && *v ? strtod(v, &end) : -1;
    if (!v || !end || *end || errno || !(x >= min && x <= max))
        return hs_err_set(err, HS_EINVAL, "%s must be a number from %g to %g (got '%.64s')", opt,
                          min, max, v ? v : "");
    *out = x;
    return HS_OK;
}

/* The settings, by name without "--": one list for the command line, the config
 * file and the environment. */
static const char *const serve_keys[] = {"listen", "threads", "cache-mb", "quiet", "web",
                                         "max-connections", "per-ip", "timeout", "public-url",
                                         "audit-retention-days", "release", "db-read",
                                         "heavy-threads", "heavy-queue", "heavy-budget",
                                         "shutdown-grace", "rate-public", "rate-analyst",
                                         "rate-planner", "rate-operator", "trusted-proxy",
                                         "heavy-nice", NULL};

typedef struct {
    hs_http_opts *o;
    unsigned long *cache_mb;
    double *grace_s;
    char *kept[16]; /* copies of file and environment values (the options borrow them) */
    size_t nkept;
} serve_cfg;

static int apply(serve_cfg *c, const char *key, const char *v, hs_err *err)
{
    hs_http_opts *o = c->o;
    unsigned long n;
    int rc = HS_OK;
    char opt[64];
    snprintf(opt, sizeof opt, "%s", key);
    if (!strcmp(key, "quiet")) {
        if (strcmp(v, "true") && strcmp(v, "false"))
            return hs_err_set(err, HS_EINVAL, "quiet must be true or false (got '%.64s')", v);
        o->quiet = !strcmp(v, "true");
        return HS_OK;
    }
    if (!strcmp(key, "listen") || !strcmp(key, "web") || !strcmp(key, "public-url") ||
        !strcmp(key, "release") || !strcmp(key, "db-read") || !strcmp(key, "trusted-proxy")) {
        if (c->nkept >= sizeof c->kept / sizeof c->kept[0] || !(c->kept[c->nkept] = strdup(v)))
            return hs_err_set(err, HS_ENOMEM, "out of memory");
        v = c->kept[c->nkept++];
    }
    if (!strcmp(key, "listen")) {
        o->listen = v;
    } else if (!strcmp(key, "web")) {
        o->web_dir = v;
    } else if (!strcmp(key, "release")) {
        o->release_dir = v;
    } else if (!strcmp(key, "db-read")) {
        if (!*v)
            return hs_err_set(err, HS_EINVAL, "db-read must be a libpq conninfo or URI "
                              "(got an empty value)");
        o->read_conninfo = v;
    } else if (!strcmp(key, "public-url")) {
        size_t l = strlen(v);
        if ((strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) || l > 200 ||
            strpbrk(v, " \"<>\\?#") || v[l - 1] == '/')
            return hs_err_set(err, HS_EINVAL, "public-url must be http(s)://HOST[:PORT][/PREFIX] "
                              "without a trailing '/', query or spaces (got '%.64s')", v);
        o->public_url = v;
    } else if (!strcmp(key, "threads")) {
        if ((rc = parse_uint(opt, v, 1, 256, &n, err)) == HS_OK)
            o->threads = (unsigned)n;
    } else if (!strcmp(key, "cache-mb")) {
        rc = parse_uint(opt, v, 0, 65536, c->cache_mb, err);
    } else if (!strcmp(key, "max-connections")) {
        if ((rc = parse_uint(opt, v, 1, 100000, &n, err)) == HS_OK)
            o->max_connections = (unsigned)n;
    } else if (!strcmp(key, "per-ip")) {
        if ((rc = parse_uint(opt, v, 1, 100000, &n, err)) == HS_OK)
            o->per_ip_limit = (unsigned)n;
    } else if (!strcmp(key, "timeout")) {
        if ((rc = parse_uint(opt, v, 1, 3600, &n, err)) == HS_OK)
            o->timeout_s = (unsigned)n;
    } else if (!strcmp(key, "trusted-proxy")) {
        unsigned char bin[16];
        if (inet_pton(AF_INET, v, bin) != 1 && inet_pton(AF_INET6, v, bin) != 1)
            return hs_err_set(err, HS_EINVAL, "trusted-proxy must be a numeric IPv4 or IPv6 "
                              "address (got '%.64s')", v);
        o->trusted_proxy = v;
    } else if (!strcmp(key, "heavy-threads")) {
        if ((rc = parse_uint(opt, v, 1, 256, &n, err)) == HS_OK)
            o->heavy_threads = (unsigned)n;
    } else if (!strcmp(key, "heavy-nice")) {
        if ((rc = parse_uint(opt, v, 0, 19, &n, err)) == HS_OK)
            o->heavy_nice = (int)n;
    } else if (!strcmp(key, "heavy-queue")) {
        if ((rc = parse_uint(opt, v, 1, 100000, &n, err)) == HS_OK)
            o->heavy_queue = (unsigned)n;
    } else if (!strcmp(key, "heavy-budget")) {
        rc = parse_num(opt, v, 0.1, 86400, &o->heavy_budget_s, err);
    } else if (!strcmp(key, "shutdown-grace")) {
        rc = parse_num(opt, v, 0, 3600, c->grace_s, err);
    } else if (!strncmp(key, "rate-", 5)) {
        static const char *const roles[] = {"public", "planner", "analyst", "operator"};
        size_t r = 0;
        while (r < 4 && strcmp(key + 5, roles[r]))
            r++;
        rc = r < 4 ? parse_num(opt, v, 0, 1e6, &o->rate[r], err)
                   : hs_err_set(err, HS_EINVAL, "unknown setting '%.64s'", key);
    } else if (!strcmp(key, "audit-retention-days")) {
        if ((rc = parse_uint(opt, v, 1, 36500, &n, err)) == HS_OK)
            o->audit_retention_days = (unsigned)n;
    } else {
        rc = hs_err_set(err, HS_EINVAL, "unknown setting '%.64s'", key);
    }
    return rc;
}

static int apply_file_kv(void *ctx, const char *key, const char *value, unsigned line,
                         hs_err *err)
{
    (void)line;
    return apply(ctx, key, value, err);
}

static int is_key(const char *k)
{
    for (size_t i = 0; serve_keys[i]; i++)
        if (!strcmp(serve_keys[i], k))
            return 1;
    return 0;
}

static int serve_run(hs_http_opts *op, unsigned long cache_mb, double grace_s);

/* glibc gives every thread that contends for malloc its own arena (up to 8 per core)
 * and each arena keeps its high-water mark: in the soak, 10 arenas held ~150 MB more
 * than was in use (docs/reliability.md). Two arenas are enough for a server whose
 * hot path (cache hits) barely allocates; MALLOC_ARENA_MAX still overrides. */
static void limit_malloc_arenas(void)
{
#ifdef __GLIBC__
    if (!getenv("MALLOC_ARENA_MAX"))
        mallopt(M_ARENA_MAX, 2);
#endif
}

int hs_cli_serve(int argc, char **argv)
{
    limit_malloc_arenas();
    /* Rates by hs_role: public (per address), planner, analyst, operator (per token). */
    hs_http_opts o = {.rate = {50, 200, 100, 100}, .heavy_nice = 10};
    unsigned long cache_mb = 256;
    double grace_s = HS_HTTP_DEFAULT_SHUTDOWN_GRACE;
    serve_cfg cfg = {.o = &o, .cache_mb = &cache_mb, .grace_s = &grace_s};
    hs_err cerr = {0};
    int status = 0;
    /* Order of precedence: the config file, then HOTSPOT_<KEY> variables, then the
     * command line. The file comes first, wherever --config stands. */
    const char *cfile = getenv("HOTSPOT_CONFIG");
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config"))
            cfile = argv[i + 1];
    if (cfile && *cfile) {
        char *buf = NULL;
        size_t len = 0;
        int rc = hs_migrate_read_file(cfile, (size_t)1 << 20, &buf, &len, &cerr);
        if (rc == HS_OK)
            rc = hs_config_parse_buffer(buf, len, serve_keys, apply_file_kv, &cfg, &cerr);
        free(buf);
        if (rc < 0) {
            fprintf(stderr, "hotspot serve: %s: %s\n", cfile, cerr.msg);
            status = 2;
            goto out;
        }
    }
    for (size_t k = 0; serve_keys[k]; k++) {
        char env[64];
        snprintf(env, sizeof env, "HOTSPOT_%s", serve_keys[k]);
        for (char *p = env; *p; p++)
            *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        const char *v = getenv(env);
        if (v && apply(&cfg, serve_keys[k], v, &cerr) < 0) {
            fprintf(stderr, "hotspot serve: $%s: %s\n", env, cerr.msg);
            status = 2;
            goto out;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            serve_usage(stdout);
            goto out;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "hotspot serve: unknown option or missing value: '%s'\n\n", a);
            serve_usage(stderr);
            status = 2;
            goto out;
        }
        i++;
        if (!strcmp(a, "--config"))
            continue;
        if (strncmp(a, "--", 2) || !is_key(a + 2) || !strcmp(a, "--quiet")) {
            fprintf(stderr, "hotspot serve: unknown option '%s'\n\n", a);
            serve_usage(stderr);
            status = 2;
            goto out;
        }
        if (apply(&cfg, a + 2, v, &cerr) < 0) {
            fprintf(stderr, "hotspot serve: --%s\n", cerr.msg);
            status = 2;
            goto out;
        }
    }
    status = serve_run(&o, cache_mb, grace_s);
out:
    for (size_t i = 0; i < cfg.nkept; i++)
        free(cfg.kept[i]);
    return status;
}

/* Runs the server with the settings made; returns the exit status. */
static int serve_run(hs_http_opts *op, unsigned long cache_mb, double grace_s)
{
    hs_http_opts o = *op;
    /* 0 MiB disables caching in effect (nothing fits); keep a 1-byte cap. */
    o.cache_bytes = cache_mb ? (size_t)cache_mb << 20 : 1;

    /* Everything below runs before any thread exists, so setenv is safe. Resolve the
     * embedded cluster once, so reconnects after an outage go straight to it. */
    const char *db = getenv("HOTSPOT_DB");
    if (!db || !*db) {
        char ci[1024];
        hs_err e = {0};
        if (hs_cluster_conninfo(ci, sizeof ci, &e) < 0) {
            fprintf(stderr, "hotspot serve: %s\n", e.msg);
            return 1;
        }
        setenv("HOTSPOT_DB", ci, 1);
    }
    /* A dead TCP peer must not hold a worker for minutes. */
    setenv("PGCONNECT_TIMEOUT", "5", 0);

    /* Block the stop signals before threads start so only sigwait() below sees
     * them; MHD writes with MSG_NOSIGNAL and libpq guards SIGPIPE, but a stray
     * SIGPIPE must never kill the server. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    hs_err err = {0};
    hs_server *s = NULL;
    int rc = hs_server_create(&o, &s, &err);
    if (rc == HS_OK)
        rc = hs_routes_register_all(hs_server_router(s), hs_server_services(s), &err);
    if (rc == HS_OK)
        rc = hs_server_start(s, &err);
    if (rc < 0) {
        fprintf(stderr, "hotspot serve: %s\n", err.msg);
        hs_server_destroy(s);
        hs_routes_release();
        return rc == HS_EINVAL ? 2 : 1;
    }
    hs_dbwatch_stats ws;
    hs_dbwatch_stats_get(hs_server_services(s)->watch, &ws);
    char host[256];
    unsigned port;
    hs_http_parse_listen(o.listen ? o.listen : HS_HTTP_DEFAULT_LISTEN, host, sizeof host, &port,
                         NULL);
    int v6 = strchr(host, ':') != NULL;
    if (o.read_conninfo)
        fprintf(stderr, "hotspot: read-only queries go to the replica (--db-read); LISTEN, "
                        "audit and token writes to the primary\n");
    fprintf(stderr, "hotspot: listening on http://%s%s%s:%u/ (data version %llu%s)\n",
            v6 ? "[" : "", host, v6 ? "]" : "", hs_server_port(s), (unsigned long long)ws.version,
            ws.connected ? "" : ", database not reachable yet");

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "hotspot: %s received, stopping (grace period %g s)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM", grace_s);
    /* Stop accepting, let requests in flight finish, then stop; destroying flushes
     * the audit queue. */
    hs_server_shutdown(s, grace_s);
    hs_server_destroy(s);
    hs_routes_release();
    fprintf(stderr, "hotspot: stopped\n");
    return 0;
}
