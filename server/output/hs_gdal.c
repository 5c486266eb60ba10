#define HS_GDAL_IMPL
#include "hs_gdal.h"

#include "hs_dlib.h"

#ifndef HS_GDAL_SONAME
#error "HS_GDAL_SONAME (the GDAL library to dlopen) is set by CMakeLists.txt"
#endif

/* Written only by load (under state's once), read-only afterwards. */
static hs_gdal_api api;
static hs_dlib_once state = HS_DLIB_ONCE_INIT;

static void load(void)
{
    static const char *const sonames[] = {HS_GDAL_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "GDAL", sonames, state.error, sizeof state.error) < 0)
        return;
    hs_gdal_api a;
#define HS_GDAL_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, state.error)
    HS_GDAL_FUNCS(HS_GDAL_RESOLVE)
#undef HS_GDAL_RESOLVE
    /* Drivers are registered here, once, before any caller can use the table. */
    a.GDALAllRegister();
    api = a;
}

int hs_gdal_load(hs_err *err)
{
    return hs_dlib_load(&state, load, err);
}

const hs_gdal_api *hs_gdal(void)
{
    hs_dlib_require(&state, load);
    return &api;
}
