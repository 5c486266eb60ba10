#define HS_CAIROLIB_IMPL
#include "hs_cairolib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "hs_dlib.h"

#if !defined(HS_CAIRO_SONAME) || !defined(HS_PANGO_SONAME) || !defined(HS_PANGOCAIRO_SONAME) || \
    !defined(HS_PANGOFT2_SONAME) || !defined(HS_FONTCONFIG_SONAME)
#error "the sonames of the libraries to dlopen are set by CMakeLists.txt"
#endif

/* Written only inside pthread_once, read-only afterwards. */
static hs_cairolib_api api;
static char load_error[512];
static pthread_once_t once = PTHREAD_ONCE_INIT;
_Atomic(const hs_cairolib_api *) hs_cairolib_table;

static void load(void)
{
    static const char *const sonames[] = {HS_CAIRO_SONAME,      HS_PANGO_SONAME,
                                          HS_PANGOCAIRO_SONAME, HS_PANGOFT2_SONAME,
                                          HS_FONTCONFIG_SONAME, NULL};
    hs_dlib lib;
    if (hs_dlib_open(&lib, "Cairo/Pango", sonames, load_error, sizeof load_error) < 0)
        return;
    hs_cairolib_api a;
#define HS_CAIRO_RESOLVE(name) HS_DLIB_RESOLVE(lib, a, name, load_error)
    HS_CAIRO_FUNCS(HS_CAIRO_RESOLVE)
#undef HS_CAIRO_RESOLVE
    api = a;
    atomic_store_explicit(&hs_cairolib_table, &api, memory_order_release);
}

int hs_cairolib_load(hs_err *err)
{
    pthread_once(&once, load);
    return load_error[0] ? hs_err_set(err, HS_EGEO, "%s", load_error) : HS_OK;
}

const hs_cairolib_api *hs_cairolib_slow(void)
{
    hs_err err = {0};
    if (hs_cairolib_load(&err) < 0) {
        fprintf(stderr, "hotspot: %s\n", err.msg);
        exit(1);
    }
    return &api;
}
