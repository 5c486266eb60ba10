/* `hotspot token create|list|revoke` and `hotspot audit`: access tokens and the
 * audit trail (see docs/security.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cli.h"
#include "hs_pg.h"
#include "hs_token.h"

static void token_usage(FILE *f)
{
    fprintf(f, "usage: hotspot token create --role planner|analyst|operator [--provinces CODE,...]\n"
               "                           [--expires DAYS] [--note TEXT]\n"
               "       hotspot token list\n"
               "       hotspot token revoke ID\n"
               "\ncreate prints the token once; only its SHA-256 is stored. Analysts need\n"
               "--provinces (province codes). Revocation reaches running servers at once.\n");
}

static int parse_long(const char *opt, const char *v, long min, long max, long *out)
{
    char *end = NULL;
    errno = 0;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || !end || *end || errno || x < min || x > max) {
        fprintf(stderr, "hotspot: %s must be an integer from %ld to %ld (got '%s')\n", opt, min,
                max, v ? v : "");
        return -1;
    }
    *out = x;
    return 0;
}

static int connect_or_report(PGconn **c)
{
    hs_err err = {0};
    if (hs_pg_connect(c, &err) < 0) {
        fprintf(stderr, "hotspot: %s\n", err.msg);
        return -1;
    }
    return 0;
}

int hs_cli_token(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        token_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    hs_err err = {0};
    PGconn *c = NULL;
    int rc;
    if (!strcmp(cmd, "create")) {
        const char *role_s = NULL, *prov = NULL, *note = NULL;
        long days = 0;
        for (int i = 2; i < argc; i++) {
            const char *v = i + 1 < argc ? argv[i + 1] : NULL;
            if (!v) {
                fprintf(stderr, "hotspot token create: '%s' needs a value\n", argv[i]);
                return 2;
            }
            if (!strcmp(argv[i], "--role"))
                role_s = v;
            else if (!strcmp(argv[i], "--provinces"))
                prov = v;
            else if (!strcmp(argv[i], "--note"))
                note = v;
            else if (!strcmp(argv[i], "--expires")) {
                if (parse_long("--expires", v, 1, 36500, &days) < 0)
                    return 2;
            } else {
                fprintf(stderr, "hotspot token create: unknown option '%s'\n", argv[i]);
                token_usage(stderr);
                return 2;
            }
            i++;
        }
        int role = hs_role_parse(role_s);
        if (role < 0) {
            fprintf(stderr, "hotspot token create: --role must be planner, analyst or operator\n");
            return 2;
        }
        if (note && strlen(note) > 200) {
            fprintf(stderr, "hotspot token create: --note is at most 200 bytes\n");
            return 2;
        }
        if (connect_or_report(&c) < 0)
            return 1;
        char tok[HS_TOKEN_LEN + 1];
        long long id = 0;
        rc = hs_token_create(c, (hs_role)role, prov, days, note, tok, &id, &err);
        PQfinish(c);
        if (rc < 0) {
            fprintf(stderr, "hotspot token create: %s\n", err.msg);
            return rc == HS_EINVAL || rc == HS_ENOTFOUND || rc == HS_ELIMIT ? 2 : 1;
        }
        fprintf(stderr, "token %lld (%s) created; it is shown only this once:\n", id,
                hs_role_name((hs_role)role));
        printf("%s\n", tok);
        return 0;
    }
    if (!strcmp(cmd, "list") && argc == 2) {
        if (connect_or_report(&c) < 0)
            return 1;
        rc = hs_token_list(c, stdout, &err);
        PQfinish(c);
        if (rc < 0)
            fprintf(stderr, "hotspot token list: %s\n", err.msg);
        return rc < 0 ? 1 : 0;
    }
    if (!strcmp(cmd, "revoke") && argc == 3) {
        long id;
        if (parse_long("ID", argv[2], 1, 2147483647L, &id) < 0)
            return 2;
        if (connect_or_report(&c) < 0)
            return 1;
        rc = hs_token_revoke(c, id, &err);
        PQfinish(c);
        if (rc < 0) {
            fprintf(stderr, "hotspot token revoke: %s\n", err.msg);
            return rc == HS_ENOTFOUND ? 2 : 1;
        }
        printf("token %ld revoked\n", id);
        return 0;
    }
    token_usage(stderr);
    return 2;
}

static void audit_usage(FILE *f)
{
    fprintf(f, "usage: hotspot audit [--token ID] [--from DATE] [--format csv|json]\n"
               "\nPrints the audit rows (one per authenticated request), oldest first.\n"
               "DATE is anything PostgreSQL reads as a timestamp (2026-12-01, '2026-12-01 10:00').\n");
}

int hs_cli_audit(int argc, char **argv)
{
    const char *tok = NULL, *from = NULL, *fmt = "csv";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            audit_usage(stdout);
            return 0;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) {
            fprintf(stderr, "hotspot audit: '%s' needs a value\n", argv[i]);
            return 2;
        }
        if (!strcmp(argv[i], "--token")) {
            long id;
            if (parse_long("--token", v, 1, 2147483647L, &id) < 0)
                return 2;
            tok = v;
        } else if (!strcmp(argv[i], "--from")) {
            from = v;
        } else if (!strcmp(argv[i], "--format")) {
            if (strcmp(v, "csv") && strcmp(v, "json")) {
                fprintf(stderr, "hotspot audit: --format must be csv or json\n");
                return 2;
            }
            fmt = v;
        } else {
            fprintf(stderr, "hotspot audit: unknown option '%s'\n", argv[i]);
            audit_usage(stderr);
            return 2;
        }
        i++;
    }
    PGconn *c = NULL;
    if (connect_or_report(&c) < 0)
        return 1;
    const char *p[2] = {tok, from};
    static const char *const cols =
        "id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS at, token_id, "
        "role, route, params, provinces, status, bytes, round(duration_ms::numeric, 3) AS duration_ms";
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(json_agg(row_to_json(a)), '[]') FROM (SELECT %s FROM hs.audit "
             "WHERE ($1::bigint IS NULL OR token_id = $1::bigint) AND ($2::timestamptz IS NULL "
             "OR at >= $2::timestamptz) ORDER BY at, id) a", cols);
    int rc = 0;
    if (!strcmp(fmt, "json")) {
        hs_err err = {0};
        PGresult *r = NULL;
        if (hs_pg_query(c, sql, 2, p, &r, &err) < 0) {
            fprintf(stderr, "hotspot audit: %s\n", err.msg);
            rc = 1;
        } else {
            printf("%s\n", PQgetvalue(r, 0, 0));
            PQclear(r);
        }
    } else {
        hs_err err = {0};
        PGresult *r = NULL;
        char q[1024];
        snprintf(q, sizeof q,
                 "SELECT %s FROM hs.audit WHERE ($1::bigint IS NULL OR token_id = $1::bigint) "
                 "AND ($2::timestamptz IS NULL OR at >= $2::timestamptz) ORDER BY at, id", cols);
        if (hs_pg_query(c, q, 2, p, &r, &err) < 0) {
            fprintf(stderr, "hotspot audit: %s\n", err.msg);
            rc = 1;
        } else {
            int nf = PQnfields(r);
            for (int j = 0; j < nf; j++)
                printf("%s%s", j ? "," : "", PQfname(r, j));
            printf("\n");
            for (int i = 0; i < PQntuples(r); i++) {
                for (int j = 0; j < nf; j++) {
                    const char *v = PQgetvalue(r, i, j);
                    printf("%s", j ? "," : "");
                    if (strpbrk(v, ",\"\n\r")) {
                        putchar('"');
                        for (const char *s = v; *s; s++) {
                            if (*s == '"')
                                putchar('"');
                            putchar(*s);
                        }
                        putchar('"');
                    } else {
                        printf("%s", v);
                    }
                }
                printf("\n");
            }
            PQclear(r);
        }
    }
    PQfinish(c);
    return rc;
}
