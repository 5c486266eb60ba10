/* hs_config: the `hotspot serve --config FILE` format.
 *
 *     # comment (whole lines only)
 *     listen = 127.0.0.1:8138
 *     threads = 4
 *     public-url = https://maps.example.org
 *
 * One `key = value` per line; spaces around both are trimmed; empty lines and lines
 * starting with '#' are ignored. Keys are the `serve` option names without `--`.
 * Every error names its line: an unknown key (listing the known ones), a line that is
 * not `key = value`, a key given twice, a NUL byte, a line over HS_CONFIG_LINE_MAX.
 *
 * hs_config_parse_buffer is pure (no I/O, no allocation) so a fuzz target can call
 * it directly.
 */
#ifndef HS_CONFIG_H
#define HS_CONFIG_H

#include <stddef.h>

#include "hs_err.h"

#define HS_CONFIG_LINE_MAX 4096
#define HS_CONFIG_MAX_KEYS 32

/* Called once per setting, in file order. key and value are NUL-terminated copies
 * valid only during the call. A negative return stops parsing; the parser prefixes
 * "line N: " to err. */
typedef int (*hs_config_fn)(void *ctx, const char *key, const char *value, unsigned line,
                            hs_err *err);

/* Parses n bytes of buf. known: NULL-terminated list of accepted keys (at most
 * HS_CONFIG_MAX_KEYS). */
int hs_config_parse_buffer(const char *buf, size_t n, const char *const *known, hs_config_fn fn,
                           void *ctx, hs_err *err);

#endif
