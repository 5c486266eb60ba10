#define HS_GDAL_IMPL
#include "hs_gdal.h"

#include <dlfcn.h>
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
    void *h = dlopen(HS_GDAL_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error, "cannot load GDAL (%s): %s", HS_GDAL_SONAME,
                 dlerror());
        return;
    }
    hs_gdal_api a;
#define HS_GDAL_RESOLVE(name)                                                                  \
    if (!(*(void **)&a.name = dlsym(h, #name))) {                                              \
        snprintf(load_error, sizeof load_error, "GDAL (%s) has no function %s", HS_GDAL_SONAME, \
                 #name);                                                                        \
        return;                                                                                \
    }
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
