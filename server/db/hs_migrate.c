#include "hs_migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_pg.h"

/* Key of the advisory lock held while migrating ("hs138mig"). */
#define MIGRATE_LOCK "7163384969171307"

int hs_migrate_read_file(const char *path, size_t limit, char **out, size_t *len, hs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return hs_err_set(err, HS_EIO, "%s is not a regular file", path);
    }
    if ((unsigned long long)st.st_size > limit) {
        fclose(f);
        return hs_err_set(err, HS_ELIMIT, "%s is %lld bytes, more than the %zu allowed", path,
                          (long long)st.st_size, limit);
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %zu bytes for %s", n + 1, path);
    }
    size_t got = fread(buf, 1, n, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || got != n) {
        free(buf);
        return hs_err_set(err, HS_EIO, "cannot read %s", path);
    }
    buf[n] = '\0';
    if (strlen(buf) != n) {
        free(buf);
        return hs_err_set(err, HS_EINVAL, "%s contains a NUL byte", path);
    }
    *out = buf;
    if (len)
        *len = n;
    return HS_OK;
}

static int is_numbered(const char *name)
{
    return isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
           isdigit((unsigned char)name[2]) && name[3] == '_';
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void hs_migrate_free_list(char **names, int count)
{
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
}

int hs_migrate_list(const char *dir, int numbered, char ***names, int *count, hs_err *err)
{
    *names = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return hs_err_set(err, HS_EIO, "cannot read directory %s: %s", dir, strerror(errno));
    char **v = NULL;
    int n = 0, cap = 0, rc = HS_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".sql") || e->d_name[0] == '.' ||
            (numbered && !is_numbered(e->d_name)))
            continue;
        if (n == 10000) {
            rc = hs_err_set(err, HS_ELIMIT, "more than 10000 SQL files in %s", dir);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **nv = realloc(v, (size_t)cap * sizeof *nv);
            if (!nv) {
                rc = hs_err_set(err, HS_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            v = nv;
        }
        if (!(v[n] = strdup(e->d_name))) {
            rc = hs_err_set(err, HS_ENOMEM, "out of memory listing %s", dir);
            break;
        }
        n++;
    }
    closedir(d);
    if (rc < 0) {
        hs_migrate_free_list(v, n);
        return rc;
    }
    if (n > 1)
        qsort(v, (size_t)n, sizeof *v, cmp_names);
    *names = v;
    *count = n;
    return HS_OK;
}

/* Applies one file unless already applied; returns 1 if applied, 0 if skipped. */
static int apply_one(PGconn *c, const char *dir, const char *name, FILE *log, hs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char version[4] = {name[0], name[1], name[2], '\0'};
    char *sql = NULL;
    int rc = hs_migrate_read_file(path, HS_MIGRATE_FILE_MAX, &sql, NULL, err);
    if (rc < 0)
        return rc;

    PGresult *r = NULL;
    const char *p1[] = {sql};
    rc = hs_pg_query(c, "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", 1, p1, &r, err);
    if (rc < 0)
        goto out;
    char sum[65];
    snprintf(sum, sizeof sum, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);

    const char *p2[] = {version};
    rc = hs_pg_query(c, "SELECT name, checksum FROM hs.migration WHERE version = $1::int", 1, p2,
                     &r, err);
    if (rc < 0)
        goto out;
    if (PQntuples(r) > 0) {
        if (strcmp(PQgetvalue(r, 0, 1), sum) != 0)
            rc = hs_err_set(err, HS_EINVAL,
                            "%s was changed after migration %s (%s) was applied to this database "
                            "(applied sha256 %.12s..., file now %.12s...): applied migrations must "
                            "not change; restore the file and put the change in a new numbered file",
                            path, version, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), sum);
        else if (strcmp(PQgetvalue(r, 0, 0), name) != 0)
            rc = hs_err_set(err, HS_EINVAL,
                            "migration %s was applied as %s but the file is now named %s",
                            version, PQgetvalue(r, 0, 0), name);
        PQclear(r);
        goto out;
    }
    PQclear(r);

    if ((rc = hs_pg_begin(c, err)) < 0)
        goto out;
    if ((rc = hs_pg_exec(c, sql, err)) < 0) {
        hs_pg_rollback(c);
        hs_err_prefix(err, "%s: ", path);
        goto out;
    }
    const char *p3[] = {version, name, sum};
    rc = hs_pg_query(c, "INSERT INTO hs.migration (version, name, checksum) VALUES ($1::int, $2, $3)",
                     3, p3, &r, err);
    if (rc == 0) {
        PQclear(r);
        rc = hs_pg_commit(c, err);
    }
    if (rc < 0) {
        hs_pg_rollback(c);
        goto out;
    }
    if (log)
        fprintf(log, "applied %s\n", name);
    rc = 1;
out:
    free(sql);
    return rc;
}

int hs_migrate_run(PGconn *c, const char *sql_dir, FILE *log, int *applied, hs_err *err)
{
    if (applied)
        *applied = 0;
    char **names = NULL;
    int n = 0;
    int rc = hs_migrate_list(sql_dir, 1, &names, &n, err);
    if (rc < 0)
        return rc;
    for (int i = 1; i < n; i++)
        if (!strncmp(names[i - 1], names[i], 3)) {
            rc = hs_err_set(err, HS_EINVAL, "two migrations share version %.3s: %s and %s",
                            names[i], names[i - 1], names[i]);
            hs_migrate_free_list(names, n);
            return rc;
        }

    if ((rc = hs_pg_exec(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK ")", err)) < 0) {
        hs_migrate_free_list(names, n);
        return rc;
    }
    rc = hs_pg_exec(c,
                    "CREATE SCHEMA IF NOT EXISTS hs;"
                    "CREATE TABLE IF NOT EXISTS hs.migration ("
                    " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                    err);
    int count = 0;
    for (int i = 0; rc >= 0 && i < n; i++) {
        rc = apply_one(c, sql_dir, names[i], log, err);
        if (rc > 0)
            count++;
    }
    hs_err unlock_err = {0};
    hs_pg_exec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK ")", &unlock_err);
    hs_migrate_free_list(names, n);
    if (applied)
        *applied = count;
    return rc < 0 ? rc : HS_OK;
}
