#include "hs_pgcopy.h"

#include <string.h>

#include "hs_pg.h"

int hs_pgcopy_begin(PGconn *c, const char *sql, hs_err *err)
{
    PGresult *r = PQexec(c, sql);
    if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
        int rc = hs_pg_error(c, r, err);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    return HS_OK;
}

int hs_pgcopy_field(hs_buf *b, int first, const char *s, size_t n, hs_err *err)
{
    if (!first) {
        int rc = hs_buf_append(b, "\t", 1, err);
        if (rc < 0)
            return rc;
    }
    if (!s)
        return hs_buf_append(b, "\\N", 2, err);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        switch (s[i]) {
        case '\\':
            esc = "\\\\";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            continue;
        }
        int rc = hs_buf_append(b, s + run, i - run, err);
        if (rc == HS_OK)
            rc = hs_buf_append(b, esc, 2, err);
        if (rc < 0)
            return rc;
        run = i + 1;
    }
    return hs_buf_append(b, s + run, n - run, err);
}

int hs_pgcopy_eol(hs_buf *b, hs_err *err)
{
    return hs_buf_append(b, "\n", 1, err);
}

int hs_pgcopy_flush(PGconn *c, hs_buf *b, size_t min, hs_err *err)
{
    if (b->len == 0 || b->len < min)
        return HS_OK;
    /* COPY chunks are sent whole; a chunk never exceeds the buffer's own cap. */
    if (PQputCopyData(c, (const char *)b->data, (int)b->len) != 1)
        return hs_err_set(err, HS_EDB, "database: sending COPY data failed: %s", PQerrorMessage(c));
    b->len = 0;
    return HS_OK;
}

int hs_pgcopy_end(PGconn *c, hs_buf *b, hs_err *err)
{
    int rc = hs_pgcopy_flush(c, b, 0, err);
    if (rc < 0) {
        hs_pgcopy_abort(c, "client error");
        return rc;
    }
    if (PQputCopyEnd(c, NULL) != 1)
        return hs_err_set(err, HS_EDB, "database: ending COPY failed: %s", PQerrorMessage(c));
    rc = HS_OK;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL) {
        if (rc == HS_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
            rc = hs_pg_error(c, r, err);
        PQclear(r);
    }
    return rc;
}

void hs_pgcopy_abort(PGconn *c, const char *why)
{
    if (PQputCopyEnd(c, why ? why : "aborted") != 1)
        return;
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL)
        PQclear(r);
}
