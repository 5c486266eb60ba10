#define HS_GDAL_IMPL
#include "hs_gdal.h"

#include "hs_dlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef HS_GDAL_SONAME
#error "HS_GDAL_SONAME (the GDAL library to dlopen) is set by CMakeLists.txt"
#endif

/* Written only inside pthread_once, read-only afterwards. */
static hs_gdal_api api;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const char *const sonames[] = {HS_GDAL_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "GDAL", sonames, load_error, sizeof load_error) < 0)
        return;
    hs_gdal_api a;
#define HS_GDAL_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, load_error)
    HS_GDAL_FUNCS(HS_GDAL_RESOLVE)
#undef HS_GDAL_RESOLVE
    /* Drivers are registered here, once, before any caller can use the table. */
    a.GDALAllRegister();
    api = a;
}

int hs_gdal_load(hs_err *err)
{
    pthread_once(&once, load);
    return load_error[0] ? hs_err_set(err, HS_EGEO, "%s", load_error) : HS_OK;
}

const hs_gdal_api *hs_gdal(void)
{
    hs_err err = {0};
    if (hs_gdal_load(&err) < 0) {
        fprintf(stderr, "hotspot: %s\n", err.msg);
        exit(1);
    }
    return &api;
}
