/* hs_cli_args: the start-up every query-style subcommand shares (analyze, scan,
 * emerging, priorities, render, tiles, publish): `--help`, then the arguments as an
 * hs_query (`--name value` pairs, the same names and checks as the HTTP query), then a
 * database connection and the newest month with data (the default window's end). */
#ifndef HS_CLI_ARGS_H
#define HS_CLI_ARGS_H

#include <libpq-fe.h>

#include "hs_arena.h"
#include "hs_err.h"
#include "hs_query.h"

/* 1 when the first argument after the subcommand is --help or -h. */
int hs_cli_wants_help(int argc, char **argv);

/* argv[1..argc-1] as a query in a fresh arena. *arena is set (or NULL) even on
 * failure; the caller destroys it with hs_arena_destroy. HS_EINVAL names the bad
 * argument. */
int hs_cli_query(int argc, char **argv, hs_arena **arena, hs_query **q, hs_err *err);

/* Connects ($HOTSPOT_DB or the embedded cluster) and reads the newest month that has
 * data. *c is set (or NULL) even on failure; the caller PQfinish-es it. */
int hs_cli_connect(PGconn **c, int *last_period, hs_err *err);

#endif
