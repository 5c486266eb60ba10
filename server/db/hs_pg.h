/* hs_pg: the libpq boundary. Every libpq error becomes an hs_err here and nowhere else.
 *
 * A PGconn belongs to one thread at a time (each server worker owns its own).
 */
#ifndef HS_PG_H
#define HS_PG_H

#include <libpq-fe.h>

#include "hs_err.h"

/* Connects to the database named by $HOTSPOT_DB (libpq conninfo or URI). Without it,
 * to the private cluster under $HOTSPOT_HOME, starting it when needed (hs_cluster).
 * Caller closes with PQfinish(). */
int hs_pg_connect(PGconn **out, hs_err *err);

/* Connects to an explicit conninfo. */
int hs_pg_connect_to(const char *conninfo, PGconn **out, hs_err *err);

/* Runs a command that returns no rows. */
int hs_pg_exec(PGconn *c, const char *sql, hs_err *err);
/* One round trip (SELECT 1): is this connection usable now? HS_EDB when not. */
int hs_pg_ping(PGconn *c, hs_err *err);

/* Runs a parameterised query (text parameters). On success *res holds the result
 * (caller PQclear()s it); on failure *res is NULL and err holds the server's message,
 * with its DETAIL and HINT when present. */
int hs_pg_query(PGconn *c, const char *sql, int nparams, const char *const *params,
                PGresult **res, hs_err *err);

/* Translates a failed result (or connection error when res is NULL) into err. */
int hs_pg_error(PGconn *c, const PGresult *res, hs_err *err);

int hs_pg_begin(PGconn *c, hs_err *err);
int hs_pg_commit(PGconn *c, hs_err *err);
/* Best effort; used on error paths, never fails loudly. */
void hs_pg_rollback(PGconn *c);

#endif
