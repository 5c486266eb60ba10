#include "hs_err.h"
#include "hs_utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages quote input (often cut with %.40s, possibly inside a character) and go
 * into JSON, which must be UTF-8: every byte that does not start a well-formed
 * sequence (no overlongs, surrogates or > U+10FFFF) becomes '?'. Found by the
 * fuzz_route target. */
static void sanitize_utf8(char *msg)
{
    unsigned char *p = (unsigned char *)msg;
    size_t left = strlen(msg);
    while (left) {
        size_t n = hs_utf8_seq(p, left);
        if (n == 0) {
            *p = '?';
            n = 1;
        }
        p += n;
        left -= n;
    }
}

int hs_err_set_(hs_err *err, int code, const char *func, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", func ? func : "?");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    sanitize_utf8(err->msg);
    return code;
}

int hs_err_prefix(hs_err *err, const char *fmt, ...)
{
    if (!err)
        return HS_EINTERNAL;
    char prefix[256], old[HS_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message stays a valid, shorter C string. */
    size_t plen = strlen(prefix);
    if (plen >= sizeof err->msg)
        plen = sizeof err->msg - 1;
    memcpy(err->msg, prefix, plen);
    size_t rest = strnlen(old, sizeof old - 1);
    if (rest > sizeof err->msg - 1 - plen)
        rest = sizeof err->msg - 1 - plen;
    memcpy(err->msg + plen, old, rest);
    err->msg[plen + rest] = '\0';
    sanitize_utf8(err->msg);
    return err->code;
}

void hs_err_clear(hs_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int hs_err_http_status(int code)
{
    switch (code) {
    case HS_OK: return 200;
    case HS_EINVAL: return 400;
    case HS_ENOTFOUND: return 404;
    case HS_ELIMIT: return 413;
    case HS_EDB: return 503;
    case HS_ECANCELED: return 503;
    default: return 500;
    }
}

const char *hs_err_code_name(int code)
{
    switch (code) {
    case HS_OK: return "ok";
    case HS_EINVAL: return "invalid_argument";
    case HS_ENOMEM: return "out_of_memory";
    case HS_ELIMIT: return "limit_exceeded";
    case HS_ENOTFOUND: return "not_found";
    case HS_EDB: return "database_error";
    case HS_EIO: return "io_error";
    case HS_EGEO: return "geometry_error";
    case HS_ERENDER: return "render_error";
    case HS_ECANCELED: return "cancelled";
    default: return "internal_error";
    }
}
