#define HS_PROJLIB_IMPL
#include "hs_projlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hs_dlib.h"

#ifndef HS_PROJ_SONAME
#error "HS_PROJ_SONAME (the PROJ library to dlopen) is set by CMakeLists.txt"
#endif

/* Written only inside pthread_once, read-only afterwards. */
static hs_projlib_api api;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const char *const sonames[] = {HS_PROJ_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "PROJ", sonames, load_error, sizeof load_error) < 0)
        return;
    hs_projlib_api a;
#define HS_PROJ_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, load_error)
    HS_PROJ_FUNCS(HS_PROJ_RESOLVE)
#undef HS_PROJ_RESOLVE
    api = a;
}

int hs_projlib_load(hs_err *err)
{
    pthread_once(&once, load);
    return load_error[0] ? hs_err_set(err, HS_EGEO, "%s", load_error) : HS_OK;
}

const hs_projlib_api *hs_projlib(void)
{
    hs_err err = {0};
    if (hs_projlib_load(&err) < 0) {
        fprintf(stderr, "hotspot: %s\n", err.msg);
        exit(1);
    }
    return &api;
}
