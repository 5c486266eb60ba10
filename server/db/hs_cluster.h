/* hs_cluster: the private PostGIS cluster used when no --db / $HOTSPOT_DB is given.
 *
 * Layout (docs/database.md): data directory $HOTSPOT_HOME/pgdata, server log
 * $HOTSPOT_HOME/postgres.log, unix socket in $HOTSPOT_HOME/run; superuser role
 * `hotspot`, trust authentication over the socket only (listen_addresses = ''),
 * database `hotspot`. PostgreSQL refuses to run as root, so when we are root the
 * server binaries run as the `postgres` user (privileges dropped in the child).
 * Two fallbacks, both reported by `hotspot db status`:
 *  - the socket path would exceed the 107-byte unix socket limit, or the postgres
 *    user cannot reach $HOTSPOT_HOME: socket in /tmp/hotspot-<hash of home>;
 *  - the postgres user cannot traverse $HOTSPOT_HOME (e.g. a repository under
 *    /root): data and log in /var/tmp/hotspot-<hash>, with $HOTSPOT_HOME/pgdata a
 *    symlink to it.
 * Binaries: $HOTSPOT_PG_BINDIR, else /usr/lib/postgresql/15/bin, else $PATH.
 */
#ifndef HS_CLUSTER_H
#define HS_CLUSTER_H

#include <stdio.h>
#include <sys/types.h>

#include "hs_err.h"

#define HS_CLUSTER_PATH_MAX 1024
#define HS_CLUSTER_SOCK_MAX 108 /* sizeof sockaddr_un.sun_path on Linux */

typedef struct hs_cluster {
    char home[HS_CLUSTER_PATH_MAX];
    char datadir[HS_CLUSTER_PATH_MAX];
    char logfile[HS_CLUSTER_PATH_MAX];
    char sockdir[HS_CLUSTER_SOCK_MAX];
    char bindir[HS_CLUSTER_PATH_MAX];
    char data_note[160]; /* why data lives outside home, "" if it does not */
    char sock_note[160]; /* why the socket lives outside home, "" if it does not */
    int drop_privs;      /* we are root: run server binaries as the postgres user */
    uid_t uid;           /* the user the server runs as */
    gid_t gid;
} hs_cluster;

/* Resolves paths and the server user from the environment. Creates $HOTSPOT_HOME
 * if missing (so it can be made absolute); starts nothing. */
int hs_cluster_init(hs_cluster *c, hs_err *err);

/* Creates the cluster if needed (initdb), starts it if stopped, and creates the
 * `hotspot` database if missing. Idempotent and safe to race (a lock file in home).
 * Progress lines go to `log` (may be NULL). */
int hs_cluster_start(const hs_cluster *c, FILE *log, hs_err *err);

/* Stops the server (fast shutdown). Stopping a stopped cluster is not an error. */
int hs_cluster_stop(const hs_cluster *c, FILE *log, hs_err *err);

/* 1 if the server runs, 0 if not (or no cluster yet), < 0 on error. */
int hs_cluster_running(const hs_cluster *c, hs_err *err);

/* Prints paths, fallbacks, state and the conninfo. */
void hs_cluster_print_status(const hs_cluster *c, int running, FILE *out);

/* libpq conninfo for the cluster's `hotspot` database (values quoted as needed). */
int hs_cluster_format_conninfo(const hs_cluster *c, const char *dbname, char *out, size_t n,
                               hs_err *err);

/* What hs_pg_connect uses without $HOTSPOT_DB: starts the cluster when needed
 * (saying so on stderr) and writes its conninfo into out. */
int hs_cluster_conninfo(char *out, size_t n, hs_err *err);

#endif
