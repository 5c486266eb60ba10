/* hotspot serve: run the HTTP server until SIGINT or SIGTERM. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cli.h"
#include "hs_cluster.h"
#include "hs_dbwatch.h"
#include "hs_http.h"
#include "hs_routes.h"



static void serve_usage(FILE *f)
{
    fprintf(f,
            "usage: hotspot serve [--listen HOST:PORT] [--threads N] [--cache-mb M] [--quiet]\n"
            "                     [--web DIR] [--release DIR] [--max-connections N] [--per-ip N] [--timeout S]\n"
            "\n"
            "  --listen HOST:PORT   address to bind (default %s; IPv6 as [::1]:8138;\n"
            "                       port 0 picks a free port, printed at start-up)\n"
            "  --threads N          worker threads, each with its own DB connection\n"
            "                       (default: number of CPUs; 1-256)\n"
            "  --cache-mb M         response cache size in MiB (default 256; 0-65536)\n"
            "  --quiet              no access log on stderr\n"
            "  --web DIR            dashboard files served at / and /web/ (default <source>/web)\n"
            "  --release DIR        the current release (hotspot publish --out) at /release/\n"
            "  --max-connections N  concurrent connections (default 1024)\n"
            "  --per-ip N           concurrent connections per client address (default 256)\n"
            "  --timeout S          idle connection timeout in seconds (default 30)\n"
            "\nStops cleanly on SIGINT (Ctrl-C) or SIGTERM.\n",
            HS_HTTP_DEFAULT_LISTEN);
}

static int parse_uint(const char *opt, const char *v, unsigned long min, unsigned long max,
                      unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long x = v && *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
    if (!v || !end || *end || errno || x < min || x > max) {
        fprintf(stderr, "hotspot serve: %s must be an integer from %lu to %lu (got '%s')\n", opt,
                min, max, v ? v : "");
        return -1;
    }
    *out = x;
    return 0;
}

int hs_cli_serve(int argc, char **argv)
{
    hs_http_opts o = {0};
    unsigned long cache_mb = 256, n;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            serve_usage(stdout);
            return 0;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
            continue;
        }
        if (!v) {
            fprintf(stderr, "hotspot serve: unknown option or missing value: '%s'\n\n", a);
            serve_usage(stderr);
            return 2;
        }
        i++;
        if (!strcmp(a, "--listen")) {
            o.listen = v;
        } else if (!strcmp(a, "--web")) {
            o.web_dir = v;
        } else if (!strcmp(a, "--release")) {
            o.release_dir = v;
        } else if (!strcmp(a, "--threads")) {
            if (parse_uint(a, v, 1, 256, &n) < 0)
                return 2;
            o.threads = (unsigned)n;
        } else if (!strcmp(a, "--cache-mb")) {
            if (parse_uint(a, v, 0, 65536, &cache_mb) < 0)
                return 2;
        } else if (!strcmp(a, "--max-connections")) {
            if (parse_uint(a, v, 1, 100000, &n) < 0)
                return 2;
            o.max_connections = (unsigned)n;
        } else if (!strcmp(a, "--per-ip")) {
            if (parse_uint(a, v, 1, 100000, &n) < 0)
                return 2;
            o.per_ip_limit = (unsigned)n;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_uint(a, v, 1, 3600, &n) < 0)
                return 2;
            o.timeout_s = (unsigned)n;
        } else {
            fprintf(stderr, "hotspot serve: unknown option '%s'\n\n", a);
            serve_usage(stderr);
            return 2;
        }
    }
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
        rc = hs_routes_register_builtin(hs_server_router(s), hs_server_services(s), &err);
    if (rc == HS_OK)
        rc = hs_routes_register_api(hs_server_router(s), hs_server_services(s), &err);
    if (rc == HS_OK)
        rc = hs_server_start(s, &err);
    if (rc < 0) {
        fprintf(stderr, "hotspot serve: %s\n", err.msg);
        hs_server_destroy(s);
        return rc == HS_EINVAL ? 2 : 1;
    }
    hs_dbwatch_stats ws;
    hs_dbwatch_stats_get(hs_server_services(s)->watch, &ws);
    char host[256];
    unsigned port;
    hs_http_parse_listen(o.listen ? o.listen : HS_HTTP_DEFAULT_LISTEN, host, sizeof host, &port,
                         NULL);
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "hotspot: listening on http://%s%s%s:%u/ (data version %llu%s)\n",
            v6 ? "[" : "", host, v6 ? "]" : "", hs_server_port(s), (unsigned long long)ws.version,
            ws.connected ? "" : ", database not reachable yet");

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "hotspot: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    hs_server_destroy(s);
    return 0;
}
