/* hs_text: text rules shared by all maps.
 *
 * - Every string is normalised to NFC before shaping (Vietnamese input often arrives
 *   decomposed: "Qua\u0309ng" must render exactly like "Quảng").
 * - Numbers use Vietnamese conventions: '.' groups thousands, ',' is the decimal
 *   separator ("1.234,5").
 * Shaping itself (Pango/HarfBuzz) is internal to hs_render; cairo's toy text API is
 * never used.
 */
#ifndef HS_TEXT_H
#define HS_TEXT_H

#include <stddef.h>

/* Returns a malloc'ed NFC copy of UTF-8 `s` (caller frees with free()), or NULL if
 * s is NULL, not valid UTF-8, or memory runs out. */
char *hs_text_nfc(const char *s);

/* Formats v with `decimals` (0..6) decimals in Vietnamese style into out (always
 * NUL-terminated when cap > 0): 1234.5 -> "1.234,5", -0.25 -> "-0,25", NaN -> "–".
 * Returns the length written (truncated output if cap is too small). */
size_t hs_text_format_number(double v, int decimals, char *out, size_t cap);

#endif
