#include "hs_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_buf_init(hs_buf *b, size_t limit)
{
    memset(b, 0, sizeof *b);
    b->limit = limit ? limit : HS_BUF_DEFAULT_LIMIT;
}

static int buf_reserve(hs_buf *b, size_t extra, hs_err *err)
{
    if (b->failed)
        return hs_err_set(err, HS_ELIMIT, "output buffer already failed");
    if (extra > b->limit || b->len > b->limit - extra) {
        b->failed = 1;
        return hs_err_set(err, HS_ELIMIT, "output exceeds the %zu-byte limit", b->limit);
    }
    size_t need = b->len + extra;
    if (need <= b->cap)
        return HS_OK;
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap < need)
        ncap = ncap > b->limit / 2 ? b->limit + 1 : ncap * 2;
    unsigned char *p = realloc(b->data, ncap);
    if (!p) {
        b->failed = 1;
        return hs_err_set(err, HS_ENOMEM, "cannot grow output buffer to %zu bytes", ncap);
    }
    b->data = p;
    b->cap = ncap;
    return HS_OK;
}

int hs_buf_append(hs_buf *b, const void *p, size_t n, hs_err *err)
{
    int rc = buf_reserve(b, n, err);
    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return HS_OK;
}

int hs_buf_printf(hs_buf *b, hs_err *err, const char *fmt, ...)
{
    va_list ap;
    /* Format straight into the spare room when it fits (the usual case once the buffer
     * has grown): formatting twice, to measure and then to write, doubled the cost of
     * every number in a CSV export. */
    if (!b->failed && b->cap > b->len) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf((char *)b->data + b->len, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return hs_err_set(err, HS_EINTERNAL, "bad format string");
        if ((size_t)n < room && (size_t)n <= b->limit - b->len) {
            b->len += (size_t)n;
            return HS_OK;
        }
    }
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return hs_err_set(err, HS_EINTERNAL, "bad format string");
    int rc = buf_reserve(b, (size_t)n + 1, err);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return HS_OK;
}

int hs_buf_terminate(hs_buf *b, hs_err *err)
{
    int rc = buf_reserve(b, 1, err);
    if (rc < 0)
        return rc;
    b->data[b->len] = '\0';
    return HS_OK;
}

unsigned char *hs_buf_steal(hs_buf *b, size_t *len)
{
    unsigned char *p = b->data;
    if (len)
        *len = b->len;
    size_t limit = b->limit;
    hs_buf_init(b, limit);
    return p;
}

void hs_buf_free(hs_buf *b)
{
    free(b->data);
    hs_buf_init(b, b->limit);
}

size_t hs_buf_itoa(long long v, char *out)
{
    char tmp[HS_BUF_ITOA_MAX], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

int hs_buf_append_int(hs_buf *b, long long v, hs_err *err)
{
    char t[HS_BUF_ITOA_MAX];
    return hs_buf_append(b, t, hs_buf_itoa(v, t), err);
}
