/* hs_dlib: a shared library loaded with dlopen the first time a command needs it.
 *
 * Linking a library loads it, and everything it depends on, at every process start:
 * GDAL's ~110 libraries were 35-60 ms, PROJ's (libcurl, TLS, Kerberos, libstdc++)
 * about 5 ms and Cairo/Pango/fontconfig about 6 ms of each `hotspot analyze`, which
 * uses none of them. So those are called through a table of function pointers that a
 * module (hs_gdal, hs_projlib, hs_cairolib) fills once with the helpers below; its
 * header's macros route the unchanged library calls through the table. A function
 * missing from the table fails the link, because the binary does not link the
 * library at all.
 *
 * The table is written once inside the module's load function, which runs under
 * its hs_dlib_once, and is read-only after.
 */
#ifndef HS_DLIB_H
#define HS_DLIB_H

#include <pthread.h>
#include <stddef.h>

#include "hs_err.h"

#define HS_DLIB_MAX 8 /* libraries per table */

typedef struct hs_dlib {
    const char *what; /* "PROJ", for messages */
    void *handle[HS_DLIB_MAX];
    size_t n;
} hs_dlib;

/* Opens the NULL-terminated list of sonames (RTLD_NOW | RTLD_LOCAL; a library that
 * is already loaded is only referenced). -1 with a message naming the library and
 * dlopen's reason in msg when one cannot be opened. */
int hs_dlib_open(hs_dlib *lib, const char *what, const char *const *sonames, char *msg,
                 size_t msglen);

/* The address of `name` in the first of lib's libraries that defines it; NULL, with
 * a message naming the function in msg, when none does. */
void *hs_dlib_sym(const hs_dlib *lib, const char *name, char *msg, size_t msglen);

/* One table's loading: the once, and the error its load function left ("" when it
 * loaded). A module keeps one, static, set to HS_DLIB_ONCE_INIT. */
typedef struct hs_dlib_once {
    pthread_once_t once;
    char error[512];
} hs_dlib_once;
#define HS_DLIB_ONCE_INIT {PTHREAD_ONCE_INIT, ""}

/* Runs load once per process; later calls only report. HS_EGEO with the message
 * load left in o->error (which library, dlopen's reason or the missing function). */
int hs_dlib_load(hs_dlib_once *o, void (*load)(void), hs_err *err);

/* hs_dlib_load for a table's accessor, the last resort when no entry point loaded
 * first: prints the message and exits when the library cannot be loaded. */
void hs_dlib_require(hs_dlib_once *o, void (*load)(void));

/* In a module's load function, with `a` the table, `lib` an opened hs_dlib and
 * `msg` its hs_dlib_once's error: resolves one field or returns from load. (The
 * cast through void ** is POSIX's own idiom for dlsym's result.) */
#define HS_DLIB_RESOLVE(lib, a, name, msg)                                                     \
    if (!(*(void **)&(a).name = hs_dlib_sym(&(lib), #name, (msg), sizeof(msg))))               \
        return;

#endif
