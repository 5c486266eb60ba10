#include "hs_utf8.h"

size_t hs_utf8_seq(const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    /* Lead bytes C0, C1 and F5..FF never start a well-formed sequence. */
    size_t len = (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
               : (c >= 0xF0 && c <= 0xF4) ? 4 : 0;
    if (len == 0 || n < len)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    /* The second byte's range excludes overlongs (E0, F0), surrogates (ED) and
     * code points above U+10FFFF (F4). */
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

int hs_utf8_check(const unsigned char *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        size_t len = hs_utf8_seq(s + i, n - i);
        if (len == 0) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += len;
    }
    return 1;
}
