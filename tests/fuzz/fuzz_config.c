/* libFuzzer target for the `hotspot serve --config FILE` parser (hs_config_parse_buffer),
 * with the same key list as `serve` (server/cli/hs_cli_serve.c serve_keys; keep in step).
 * Built with -DHS_FUZZ=ON (clang); otherwise replayed from tests/fuzz/corpus_config.
 *
 * Invariants besides the sanitizers: the callback only sees known keys, each at most
 * once, with NUL-terminated values that hold no newline or NUL and no surrounding
 * blanks; every error message names its line and is valid UTF-8 (it is printed, and
 * may quote the file). A callback error must come back prefixed with its line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hs_config.h"
#include "hs_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[] = {"listen", "threads", "cache-mb", "quiet", "web",
                                   "max-connections", "per-ip", "timeout", "public-url",
                                   "audit-retention-days", "release", NULL};

typedef struct {
    unsigned seen;
    unsigned last_line;
    unsigned calls;
} fz_ctx;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static int on_kv(void *vctx, const char *key, const char *value, unsigned line, hs_err *err)
{
    fz_ctx *c = vctx;
    size_t k = 0;
    while (keys[k] && strcmp(keys[k], key))
        k++;
    if (!keys[k] || (c->seen & (1u << k)) || line <= c->last_line)
        __builtin_trap();
    c->seen |= 1u << k;
    c->last_line = line;
    c->calls++;
    size_t vl = strlen(value);
    if (vl >= HS_CONFIG_LINE_MAX || memchr(value, '\n', vl) ||
        (vl && (is_blank(value[0]) || is_blank(value[vl - 1]))))
        __builtin_trap();
    /* Exercise the error path: a value "!" is refused by the callback. */
    if (vl == 1 && value[0] == '!')
        return hs_err_set(err, HS_EINVAL, "%s: refused", key);
    return HS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy with no slack after it, so ASan sees any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    fz_ctx c = {0};
    hs_err err = {0};
    int rc = hs_config_parse_buffer(buf, size, keys, on_kv, &c, &err);
    if (rc < 0) {
        size_t n = strlen(err.msg);
        if (n == 0 || strncmp(err.msg, "line ", 5) ||
            !hs_utf8_valid((const unsigned char *)err.msg, n))
            __builtin_trap();
    } else if (rc != HS_OK) {
        __builtin_trap();
    }
    free(buf);
    return 0;
}
