#include "hs_cli_args.h"

#include <string.h>

#include "hs_pg.h"
#include "hs_pipeline.h"

int hs_cli_wants_help(int argc, char **argv)
{
    return argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
}

int hs_cli_query(int argc, char **argv, hs_arena **arena, hs_query **q, hs_err *err)
{
    /* A 1 MiB cap: far above any command line. */
    *arena = hs_arena_create(1 << 20);
    *q = NULL;
    if (!*arena)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the argument arena");
    return hs_query_from_argv(*arena, argc - 1, argv + 1, q, err);
}

int hs_cli_connect(PGconn **c, int *last_period, hs_err *err)
{
    *c = NULL;
    int rc = hs_pg_connect(c, err);
    return rc < 0 ? rc : hs_pipeline_last_period(*c, last_period, err);
}
