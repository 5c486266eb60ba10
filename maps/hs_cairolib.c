#define HS_CAIROLIB_IMPL
#include "hs_cairolib.h"

#include "hs_dlib.h"

#if !defined(HS_CAIRO_SONAME) || !defined(HS_PANGO_SONAME) || !defined(HS_PANGOCAIRO_SONAME) || \
    !defined(HS_PANGOFT2_SONAME) || !defined(HS_FONTCONFIG_SONAME)
#error "the sonames of the libraries to dlopen are set by CMakeLists.txt"
#endif

/* Written only by load (under state's once), read-only afterwards. */
static hs_cairolib_api api;
static hs_dlib_once state = HS_DLIB_ONCE_INIT;
_Atomic(const hs_cairolib_api *) hs_cairolib_table;

static void load(void)
{
    static const char *const sonames[] = {HS_CAIRO_SONAME,      HS_PANGO_SONAME,
                                          HS_PANGOCAIRO_SONAME, HS_PANGOFT2_SONAME,
                                          HS_FONTCONFIG_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "Cairo/Pango", sonames, state.error, sizeof state.error) < 0)
        return;
    hs_cairolib_api a;
#define HS_CAIRO_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, state.error)
    HS_CAIRO_FUNCS(HS_CAIRO_RESOLVE)
#undef HS_CAIRO_RESOLVE
    api = a;
    atomic_store_explicit(&hs_cairolib_table, &api, memory_order_release);
}

int hs_cairolib_load(hs_err *err)
{
    return hs_dlib_load(&state, load, err);
}

const hs_cairolib_api *hs_cairolib_slow(void)
{
    hs_dlib_require(&state, load);
    return &api;
}
