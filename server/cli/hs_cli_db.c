/* `hotspot db start|stop|status|migrate|demo`: the database's life cycle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cli.h"
#include "hs_cluster.h"
#include "hs_demo.h"
#include "hs_migrate.h"
#include "hs_paths.h"
#include "hs_pg.h"

static void db_usage(FILE *f)
{
    fprintf(f,
            "usage: hotspot db start|stop|status      manage the embedded cluster\n"
            "       hotspot db migrate                apply new sql/NNN_*.sql migrations\n"
            "       hotspot db demo [--seed N]        load the synthetic demo data into an\n"
            "                                         empty database (default seed %d)\n"
            "\n"
            "The embedded cluster lives under $HOTSPOT_HOME (default <source>/var); see\n"
            "docs/database.md. migrate and demo use --db / $HOTSPOT_DB when given, else\n"
            "the embedded cluster, started when needed.\n",
            HS_DEMO_DEFAULT_SEED);
}

static int fail(const hs_err *err)
{
    fprintf(stderr, "hotspot db: %s\n", err->msg);
    return 1;
}

static int db_cluster(const char *cmd)
{
    const char *db = getenv("HOTSPOT_DB");
    if (db && *db) {
        fprintf(stderr, "hotspot db %s: --db / HOTSPOT_DB names an external database; "
                        "`db %s` manages only the embedded cluster (unset HOTSPOT_DB)\n",
                cmd, cmd);
        return 2;
    }
    hs_err err = {0};
    hs_cluster c;
    if (hs_cluster_init(&c, &err) < 0)
        return fail(&err);
    if (!strcmp(cmd, "start")) {
        if (hs_cluster_start(&c, stdout, &err) < 0)
            return fail(&err);
        char ci[512];
        if (hs_cluster_format_conninfo(&c, "hotspot", ci, sizeof ci, &err) < 0)
            return fail(&err);
        printf("database running: %s\n", ci);
        return 0;
    }
    if (!strcmp(cmd, "stop"))
        return hs_cluster_stop(&c, stdout, &err) < 0 ? fail(&err) : 0;
    int running = hs_cluster_running(&c, &err);
    if (running < 0)
        return fail(&err);
    hs_cluster_print_status(&c, running, stdout);
    return running ? 0 : 3; /* like pg_ctl status: 3 = not running */
}

static int db_sql(const char *cmd, int seed)
{
    hs_err err = {0};
    PGconn *pg = NULL;
    if (hs_pg_connect(&pg, &err) < 0)
        return fail(&err);
    int rc;
    if (!strcmp(cmd, "migrate")) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/sql", hs_paths_source_dir());
        int applied = 0;
        rc = hs_migrate_run(pg, dir, stdout, &applied, &err);
        if (rc == 0)
            printf(applied ? "%d migration(s) applied\n" : "database is up to date%.0d\n", applied);
    } else {
        rc = hs_demo_load(pg, hs_paths_source_dir(), seed, stdout, &err);
    }
    PQfinish(pg);
    return rc < 0 ? fail(&err) : 0;
}

int hs_cli_db(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        db_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    int seed = HS_DEMO_DEFAULT_SEED;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            db_usage(stdout);
            return 0;
        }
        if (!strcmp(cmd, "demo") && !strcmp(argv[i], "--seed") && i + 1 < argc) {
            char *end = NULL;
            long v = strtol(argv[++i], &end, 10);
            if (!*argv[i] || *end || v <= 0 || v > 1000000) {
                fprintf(stderr, "hotspot db demo: --seed must be an integer 1..1000000, not '%s'\n",
                        argv[i]);
                return 2;
            }
            seed = (int)v;
            continue;
        }
        fprintf(stderr, "hotspot db %s: unexpected argument '%s'\n\n", cmd, argv[i]);
        db_usage(stderr);
        return 2;
    }
    if (!strcmp(cmd, "start") || !strcmp(cmd, "stop") || !strcmp(cmd, "status"))
        return db_cluster(cmd);
    if (!strcmp(cmd, "migrate") || !strcmp(cmd, "demo"))
        return db_sql(cmd, seed);
    fprintf(stderr, "hotspot db: unknown subcommand '%s' (start, stop, status, migrate, demo)\n\n",
            cmd);
    db_usage(stderr);
    return 2;
}
