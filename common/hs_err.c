#include "hs_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A message cut at the buffer's end may end inside a UTF-8 sequence; messages go
 * into JSON, so drop the partial character (found by the fuzz_route target). */
static void trim_partial_utf8(char *msg, size_t n)
{
    if (n == 0)
        return;
    size_t i = n, cont = 0;
    while (i > 0 && ((unsigned char)msg[i - 1] & 0xC0) == 0x80 && cont < 4)
        i--, cont++;
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)msg[i - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (lead >= 0xC0 && cont < need)
        msg[i - 1] = '\0';
}

int hs_err_set_(hs_err *err, int code, const char *func, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", func ? func : "?");
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof err->msg)
        trim_partial_utf8(err->msg, sizeof err->msg - 1);
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
    trim_partial_utf8(err->msg, plen + rest);
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
    default: return "internal_error";
    }
}
