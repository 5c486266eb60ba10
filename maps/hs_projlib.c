#define HS_PROJLIB_IMPL
#include "hs_projlib.h"

#include "hs_dlib.h"

#ifndef HS_PROJ_SONAME
#error "HS_PROJ_SONAME (the PROJ library to dlopen) is set by CMakeLists.txt"
#endif

/* Written only by load (under state's once), read-only afterwards. */
static hs_projlib_api api;
static hs_dlib_once state = HS_DLIB_ONCE_INIT;

static void load(void)
{
    static const char *const sonames[] = {HS_PROJ_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "PROJ", sonames, state.error, sizeof state.error) < 0)
        return;
    hs_projlib_api a;
#define HS_PROJ_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, state.error)
    HS_PROJ_FUNCS(HS_PROJ_RESOLVE)
#undef HS_PROJ_RESOLVE
    api = a;
}

int hs_projlib_load(hs_err *err)
{
    return hs_dlib_load(&state, load, err);
}

const hs_projlib_api *hs_projlib(void)
{
    hs_dlib_require(&state, load);
    return &api;
}
