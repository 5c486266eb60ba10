#include "hs_paths.h"

#include <stdio.h>
#include <stdlib.h>

#ifndef HS_SOURCE_DIR
#define HS_SOURCE_DIR "."
#endif

const char *hs_paths_source_dir(void)
{
    const char *s = getenv("HOTSPOT_SOURCE_DIR");
    return s && *s ? s : HS_SOURCE_DIR;
}

int hs_paths_home(char *out, size_t n, hs_err *err)
{
    const char *h = getenv("HOTSPOT_HOME");
    int len = h && *h ? snprintf(out, n, "%s", h) : snprintf(out, n, "%s/var", hs_paths_source_dir());
    if (len < 0 || (size_t)len >= n)
        return hs_err_set(err, HS_ELIMIT, "HOTSPOT_HOME path is longer than %zu bytes", n - 1);
    return HS_OK;
}
