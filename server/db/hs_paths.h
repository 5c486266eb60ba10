/* hs_paths: where Hotspot138 finds its files. Resolved once at start-up. */
#ifndef HS_PATHS_H
#define HS_PATHS_H

#include <stddef.h>

#include "hs_err.h"

/* The source tree (sql/, data/), from $HOTSPOT_SOURCE_DIR or the build-time path. */
const char *hs_paths_source_dir(void);

/* $HOTSPOT_HOME, or <source dir>/var. Writes into `out` (size `n`). */
int hs_paths_home(char *out, size_t n, hs_err *err);

#endif
