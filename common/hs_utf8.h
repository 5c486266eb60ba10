/* hs_utf8: the one UTF-8 check (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF). Used by the query parser, the CSV reader and the error messages,
 * which all quote outside input into JSON. */
#ifndef HS_UTF8_H
#define HS_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed sequence starting at s (n bytes available), or 0
 * when none starts there. A NUL byte is a well-formed sequence of length 1. */
size_t hs_utf8_seq(const unsigned char *s, size_t n);

/* 1 when all n bytes are well-formed UTF-8, else 0 with *bad (if not NULL) set to
 * the offset of the first byte that starts no well-formed sequence. */
int hs_utf8_check(const unsigned char *s, size_t n, size_t *bad);

#endif
