#include "hs_pg.h"

#include "hs_cancel.h"
#include "hs_cluster.h"

#include <stdlib.h>
#include <string.h>

int hs_pg_connect_to(const char *conninfo, PGconn **out, hs_err *err)
{
    *out = NULL;
    PGconn *c = PQconnectdb(conninfo);
    if (!c)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a database connection");
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        const char *m = PQerrorMessage(c);
        size_t n = strcspn(m, "\n");
        if (n >= sizeof msg)
            n = sizeof msg - 1;
        memcpy(msg, m, n);
        msg[n] = '\0';
        PQfinish(c);
        return hs_err_set(err, HS_EDB, "cannot connect to the database: %s", msg);
    }
    /* Quiet NOTICEs (e.g. from CREATE ... IF NOT EXISTS) so CLI output stays clean. */
    PQclear(PQexec(c, "SET client_min_messages = warning"));
    *out = c;
    return HS_OK;
}

int hs_pg_error(PGconn *c, const PGresult *res, hs_err *err)
{
    if (!res)
        return hs_err_set(err, HS_EDB, "database: %s", c ? PQerrorMessage(c) : "no connection");
    const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    if (!primary)
        primary = PQresultErrorMessage(res);
    return hs_err_set(err, HS_EDB, "database: %s%s%s%s%s", primary, detail ? " (" : "",
                      detail ? detail : "", detail ? ")" : "", hint ? hint : "");
}

int hs_pg_query(PGconn *c, const char *sql, int nparams, const char *const *params,
                PGresult **res, hs_err *err)
{
    *res = NULL;
    /* A heavy job already stopped (its budget ran out, its client left) starts no
     * further query: the one it was in was cancelled (hs_dbpool_interrupt), and the
     * next would otherwise run unwatched until statement_timeout. */
    const atomic_int *stop = hs_cancel_current();
    if (hs_cancel_reason(stop))
        return hs_cancel_error(stop, "database query", err);
    PGresult *r = PQexecParams(c, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = hs_pg_error(c, r, err);
        PQclear(r);
        return rc;
    }
    *res = r;
    return HS_OK;
}

int hs_pg_exec(PGconn *c, const char *sql, hs_err *err)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int rc = HS_OK;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        rc = hs_pg_error(c, r, err);
    PQclear(r);
    return rc;
}

int hs_pg_begin(PGconn *c, hs_err *err)
{
    return hs_pg_exec(c, "BEGIN", err);
}

int hs_pg_commit(PGconn *c, hs_err *err)
{
    return hs_pg_exec(c, "COMMIT", err);
}

void hs_pg_rollback(PGconn *c)
{
    if (c && PQtransactionStatus(c) != PQTRANS_IDLE)
        PQclear(PQexec(c, "ROLLBACK"));
}

int hs_pg_connect(PGconn **out, hs_err *err)
{
    const char *db = getenv("HOTSPOT_DB");
    if (db && *db)
        return hs_pg_connect_to(db, out, err);
    char conninfo[1024];
    int rc = hs_cluster_conninfo(conninfo, sizeof conninfo, err);
    if (rc < 0)
        return rc;
    return hs_pg_connect_to(conninfo, out, err);
}

int hs_pg_ping(PGconn *c, hs_err *err)
{
    return hs_pg_exec(c, "SELECT 1", err);
}
