/* hotspot: command-line entry point. Dispatch only; see hs_cli.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_cli.h"

typedef struct {
    const char *name;
    hs_cli_fn fn;
    const char *help;
} cli_command;

static int cli_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("hotspot 0.1.0\n");
    return 0;
}


/* One row per subcommand, in the order `hotspot --help` lists them. */
static const cli_command commands[] = {
    {"db", hs_cli_db, "manage the database: start, stop, status, migrate, demo"},
    {"import", hs_cli_import, "load units (any GDAL vector file) or monthly CSV counts"},
    {"analyze", hs_cli_analyze, "per-unit rates, Gi*, LISA, trend, outreach and risk"},
    {"priorities", hs_cli_priorities, "ranked outreach priorities with reasons"},
    {"scan", hs_cli_scan, "Kulldorff scan clusters"},
    {"emerging", hs_cli_emerging, "emerging hot spot categories"},
    {"render", hs_cli_render, "one map image: PNG, SVG or PDF"},
    {"tiles", hs_cli_tiles, "static XYZ tile pyramid: directory or MBTiles"},
    {"publish", hs_cli_publish, "release folder: protected figures, maps, manifest"},
    {"bulletin", hs_cli_bulletin, "province bulletin PDF for a meeting (internal)"},
    {"serve", hs_cli_serve, "run the HTTP server (maps, tiles, API)"},
    {"token", hs_cli_token, "access tokens: create, list, revoke"},
    {"audit", hs_cli_audit, "read the audit trail of authenticated requests"},
    {"version", cli_version, "print the version"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: hotspot [--db CONNINFO] COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun `hotspot COMMAND --help` for a command's options.\n"
               "The database is --db or $HOTSPOT_DB (a libpq conninfo or URI); without\n"
               "either, a private PostGIS cluster under $HOTSPOT_HOME (default ./var) is used.\n");
}

/* `--db CONNINFO` (or --db=CONNINFO) is accepted anywhere on the command line and
 * becomes $HOTSPOT_DB, so every command finds its database the same way. This runs
 * before any thread starts, so setenv is safe here. */
static int take_db_option(int *argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < *argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        if (!strcmp(a, "--db")) {
            if (i + 1 >= *argc) {
                fprintf(stderr, "hotspot: --db needs a connection string\n");
                return -1;
            }
            val = argv[++i];
        } else if (!strncmp(a, "--db=", 5)) {
            val = a + 5;
        }
        if (val)
            setenv("HOTSPOT_DB", val, 1);
        else
            argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    return 0;
}

int main(int argc, char **argv)
{
    if (take_db_option(&argc, argv) < 0)
        return 2;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "hotspot: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
