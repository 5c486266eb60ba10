#include "hs_dlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int hs_dlib_open(hs_dlib *lib, const char *what, const char *const *sonames, char *msg,
                 size_t msglen)
{
    lib->what = what;
    lib->n = 0;
    for (size_t i = 0; sonames[i]; i++) {
        if (lib->n == HS_DLIB_MAX) {
            snprintf(msg, msglen, "%s: more than %d libraries to load", what, HS_DLIB_MAX);
            return -1;
        }
        void *h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            /* The handles already opened stay: the process exits or never asks
             * again (the caller's pthread_once has run), so closing gains nothing. */
            snprintf(msg, msglen, "cannot load %s (%s): %s", what, sonames[i], dlerror());
            return -1;
        }
        lib->handle[lib->n++] = h;
    }
    return 0;
}

void *hs_dlib_sym(const hs_dlib *lib, const char *name, char *msg, size_t msglen)
{
    for (size_t i = 0; i < lib->n; i++) {
        void *f = dlsym(lib->handle[i], name);
        if (f)
            return f;
    }
    snprintf(msg, msglen, "%s has no function %s", lib->what, name);
    return NULL;
}

int hs_dlib_load(hs_dlib_once *o, void (*load)(void), hs_err *err)
{
    pthread_once(&o->once, load);
    return o->error[0] ? hs_err_set(err, HS_EGEO, "%s", o->error) : HS_OK;
}

void hs_dlib_require(hs_dlib_once *o, void (*load)(void))
{
    hs_err err = {0};
    if (hs_dlib_load(o, load, &err) < 0) {
        fprintf(stderr, "hotspot: %s\n", err.msg);
        exit(1);
    }
}
