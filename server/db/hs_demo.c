#include "hs_demo.h"
#include "hs_clock.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_migrate.h"
#include "hs_pg.h"

static const struct {
    const char *name; /* key in demo_src, as the SQL scripts expect */
    const char *file; /* under data/ */
} demo_files[] = {
    {"provinces", "vn_provinces_34.geojson"},
    {"countries", "ne_10m_countries_region.geojson"},
    {"land_border", "ne_10m_vn_land_border.geojson"},
};


/* Refuses before doing anything if the schema is missing or data is present. */
static int check_target(PGconn *c, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(c, "SELECT to_regclass('hs.unit') IS NOT NULL, "
                            "to_regproc('hs.refresh_derived') IS NOT NULL",
                         0, NULL, &r, err);
    if (rc < 0)
        return rc;
    int ok = !strcmp(PQgetvalue(r, 0, 0), "t") && !strcmp(PQgetvalue(r, 0, 1), "t");
    PQclear(r);
    if (!ok)
        return hs_err_set(err, HS_EINVAL,
                          "the database has no Hotspot138 schema yet: run `hotspot db migrate` first");
    /* EXCLUSIVE locks keep a concurrent loader or importer out until we commit. */
    rc = hs_pg_query(c,
                     "LOCK TABLE hs.unit, hs.case_month, hs.outreach_month, hs.country, "
                     "hs.land_border IN EXCLUSIVE MODE",
                     0, NULL, &r, err);
    if (rc < 0)
        return rc;
    PQclear(r);
    rc = hs_pg_query(c,
                     "SELECT (SELECT count(*) FROM hs.unit), (SELECT count(*) FROM hs.case_month)"
                     " + (SELECT count(*) FROM hs.outreach_month),"
                     " (SELECT count(*) FROM hs.country) + (SELECT count(*) FROM hs.land_border)",
                     0, NULL, &r, err);
    if (rc < 0)
        return rc;
    long units = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    long counts = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    long refs = strtol(PQgetvalue(r, 0, 2), NULL, 10);
    PQclear(r);
    if (units || counts || refs)
        return hs_err_set(err, HS_EINVAL,
                          "the database already holds data (%ld units, %ld monthly rows, %ld "
                          "reference features); `hotspot db demo` loads only into an empty "
                          "database: use a new one (--db) or drop this one",
                          units, counts, refs);
    return HS_OK;
}

static int load_sources(PGconn *c, const char *source_dir, int seed, hs_err *err)
{
    int rc = hs_pg_exec(c,
                        "CREATE TEMP TABLE demo_src (name text PRIMARY KEY, body text NOT NULL) "
                        "ON COMMIT DROP;"
                        "CREATE TEMP TABLE demo_param (seed integer NOT NULL) ON COMMIT DROP",
                        err);
    if (rc < 0)
        return rc;
    char seedtxt[16];
    snprintf(seedtxt, sizeof seedtxt, "%d", seed);
    const char *ps[] = {seedtxt};
    PGresult *r = NULL;
    if ((rc = hs_pg_query(c, "INSERT INTO demo_param VALUES ($1::int)", 1, ps, &r, err)) < 0)
        return rc;
    PQclear(r);
    for (size_t i = 0; i < sizeof demo_files / sizeof demo_files[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/data/%s", source_dir, demo_files[i].file);
        char *body = NULL;
        if ((rc = hs_migrate_read_file(path, HS_MIGRATE_FILE_MAX, &body, NULL, err)) < 0)
            return rc;
        const char *p[] = {demo_files[i].name, body};
        rc = hs_pg_query(c, "INSERT INTO demo_src VALUES ($1, $2)", 2, p, &r, err);
        free(body);
        if (rc < 0)
            return hs_err_prefix(err, "%s: ", path);
        PQclear(r);
    }
    return HS_OK;
}

static int run_scripts(PGconn *c, const char *source_dir, FILE *log, hs_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/sql/demo", source_dir);
    char **names = NULL;
    int n = 0;
    int rc = hs_migrate_list(dir, 0, &names, &n, err);
    if (rc == 0 && n == 0)
        rc = hs_err_set(err, HS_ENOTFOUND, "no demo scripts in %s", dir);
    for (int i = 0; rc == 0 && i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        char *sql = NULL;
        double t0 = hs_clock_now();
        if ((rc = hs_migrate_read_file(path, HS_MIGRATE_FILE_MAX, &sql, NULL, err)) < 0)
            break;
        rc = hs_pg_exec(c, sql, err);
        free(sql);
        if (rc < 0) {
            hs_err_prefix(err, "%s: ", path);
            break;
        }
        if (log)
            fprintf(log, "  %-20s %5.1f s\n", names[i], hs_clock_now() - t0);
    }
    hs_migrate_free_list(names, n);
    return rc;
}

static void summary(PGconn *c, FILE *log)
{
    PGresult *r = NULL;
    hs_err e = {0};
    if (!log || hs_pg_query(c,
                            "SELECT (SELECT count(*) FROM hs.unit WHERE level = 'province'),"
                            " (SELECT count(*) FROM hs.unit WHERE level = 'commune'),"
                            " (SELECT sum(population) FROM hs.unit_population p JOIN hs.unit u"
                            "   ON u.code = p.unit_code AND u.level = 'province' AND p.year = 2024),"
                            " (SELECT sum(cases) FROM hs.case_month),"
                            " (SELECT count(DISTINCT period) FROM hs.case_month)",
                            0, NULL, &r, &e) < 0)
        return;
    fprintf(log,
            "loaded SYNTHETIC demo data: %s provinces, %s communes, population %s (2024), "
            "%s cases over %s months\n",
            PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2), PQgetvalue(r, 0, 3),
            PQgetvalue(r, 0, 4));
    PQclear(r);
}

int hs_demo_load(PGconn *c, const char *source_dir, int seed, FILE *log, hs_err *err)
{
    if (seed <= 0)
        return hs_err_set(err, HS_EINVAL, "--seed must be a positive integer, not %d", seed);
    double t0 = hs_clock_now();
    int rc = hs_pg_begin(c, err);
    if (rc < 0)
        return rc;
    /* The generator's big one-off queries look expensive to the planner; compiling
     * them with JIT costs more than it saves. */
    if ((rc = hs_pg_exec(c, "SET LOCAL jit = off", err)) < 0) {
        hs_pg_rollback(c);
        return rc;
    }
    if ((rc = check_target(c, err)) == 0 && (rc = load_sources(c, source_dir, seed, err)) == 0 &&
        (rc = run_scripts(c, source_dir, log, err)) == 0)
        rc = hs_pg_commit(c, err);
    if (rc < 0) {
        hs_pg_rollback(c);
        return rc;
    }
    summary(c, log);
    if (log)
        fprintf(log, "demo load took %.1f s\n", hs_clock_now() - t0);
    return HS_OK;
}
