/* hs_err: the one error convention of Hotspot138.
 *
 * Every fallible function returns 0 (HS_OK) on success or a negative HS_E* code on
 * failure, and fills a caller-owned hs_err with a message that names the cause
 * (the file and line, the parameter, the unit code...). The function name is
 * captured with __func__ by the macro, never typed by hand.
 *
 *     hs_err err = {0};
 *     if (hs_gistar(w, x, &opt, &res, &err) < 0)
 *         fprintf(stderr, "hotspot: %s\n", err.msg);
 *
 * Library errors (libpq, GDAL, PROJ, cairo) are translated into hs_err at their
 * own boundary, in one wrapper per library.
 */
#ifndef HS_ERR_H
#define HS_ERR_H

#include <stddef.h>

enum {
    HS_OK = 0,
    HS_EINVAL = -1,    /* bad input from the user: argument, file content, query */
    HS_ENOMEM = -2,    /* allocation failed */
    HS_ELIMIT = -3,    /* a request-sized quantity exceeds its hard cap */
    HS_ENOTFOUND = -4, /* unknown unit, province, layer, period with no data */
    HS_EDB = -5,       /* database error */
    HS_EIO = -6,       /* file or network I/O error */
    HS_EGEO = -7,      /* geometry / projection / GDAL error */
    HS_ERENDER = -8,   /* cairo / pango error */
    HS_EINTERNAL = -9, /* a bug: an invariant did not hold */
    HS_ECANCELED = -10 /* stopped on purpose: time budget spent, client gone, shutdown */
};

#define HS_ERR_MSG_MAX 1024

typedef struct hs_err {
    int code;                 /* one of HS_E*, 0 when no error */
    char where[64];           /* function that raised it (from __func__), for logs */
    char msg[HS_ERR_MSG_MAX]; /* human-readable, names the cause */
} hs_err;

/* Records an error and returns `code`, so callers can write
 *     return hs_err_set(err, HS_EINVAL, "--from %s is after --to %s", a, b);
 * `err` may be NULL (the message is then dropped). */
#define hs_err_set(err, code, ...) hs_err_set_((err), (code), __func__, __VA_ARGS__)
int hs_err_set_(hs_err *err, int code, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefixes context to an existing message ("line 12: " + msg) and returns err->code. */
int hs_err_prefix(hs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void hs_err_clear(hs_err *err);

/* The HTTP status a code maps to (400, 404, 413, 500, 503...). */
int hs_err_http_status(int code);

/* Short stable name of a code ("invalid_argument", "not_found"...) for JSON errors. */
const char *hs_err_code_name(int code);

#endif
