/* hs_cli: the `hotspot` subcommands. Each returns a process exit status
 * (0 success, 1 runtime failure, 2 bad usage) and prints its own errors to stderr.
 * main.c only dispatches; every command lives in its own hs_cli_<name>.c file. */
#ifndef HS_CLI_H
#define HS_CLI_H

typedef int (*hs_cli_fn)(int argc, char **argv);

int hs_cli_db(int argc, char **argv);         /* db start|stop|status|migrate|demo */
int hs_cli_import(int argc, char **argv);     /* import units|cases|outreach */
int hs_cli_serve(int argc, char **argv);      /* HTTP server */
int hs_cli_analyze(int argc, char **argv);    /* per-unit statistics */
int hs_cli_scan(int argc, char **argv);       /* Kulldorff scan clusters */
int hs_cli_emerging(int argc, char **argv);   /* emerging hot spot categories */
int hs_cli_priorities(int argc, char **argv); /* ranked outreach priorities */
int hs_cli_render(int argc, char **argv);     /* one-off map image */
int hs_cli_tiles(int argc, char **argv);      /* static tile pyramid export */
int hs_cli_publish(int argc, char **argv);    /* release folder for a quarter or year */
int hs_cli_bulletin(int argc, char **argv);   /* province bulletin PDF (internal) */
int hs_cli_token(int argc, char **argv);      /* token create|list|revoke */
int hs_cli_audit(int argc, char **argv);      /* read the audit trail */

#endif
