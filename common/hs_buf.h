/* hs_buf: a growable byte buffer with a hard size cap.
 *
 * Anything sized by a request (an encoded PNG, a JSON body, a CSV export) is built
 * in an hs_buf whose cap is set by the caller; growth past the cap fails with
 * HS_ELIMIT instead of exhausting memory. The buffer owns `data`; release it with
 * hs_buf_free(), or take ownership with hs_buf_steal().
 */
#ifndef HS_BUF_H
#define HS_BUF_H

#include <stddef.h>

#include "hs_err.h"

typedef struct hs_buf {
    unsigned char *data;
    size_t len;
    size_t cap;   /* allocated bytes */
    size_t limit; /* hard cap on len; 0 means HS_BUF_DEFAULT_LIMIT */
    int failed;   /* sticky: set once an append failed, so callers may check once at the end */
} hs_buf;

#define HS_BUF_DEFAULT_LIMIT ((size_t)256 << 20)

void hs_buf_init(hs_buf *b, size_t limit);
int hs_buf_append(hs_buf *b, const void *p, size_t n, hs_err *err);
int hs_buf_printf(hs_buf *b, hs_err *err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Writes v in decimal to out (NUL-terminated; HS_BUF_ITOA_MAX bytes suffice) and
 * returns its length: printf's %lld without the format parsing, for writers of
 * many numbers (CSV exports, the audit's COPY rows). */
#define HS_BUF_ITOA_MAX 21
size_t hs_buf_itoa(long long v, char *out);
/* Appends v in decimal (hs_buf_itoa). */
int hs_buf_append_int(hs_buf *b, long long v, hs_err *err);
/* Appends a NUL without counting it in len, so data can be used as a C string. */
int hs_buf_terminate(hs_buf *b, hs_err *err);
/* Returns data (caller frees with free()) and resets the buffer. */
unsigned char *hs_buf_steal(hs_buf *b, size_t *len);
void hs_buf_free(hs_buf *b);

#endif
