/* libFuzzer target for the Authorization header parser (hs_auth_parse_bearer) and the
 * token hash it feeds (hs_token_hash). Built with -DHS_FUZZ=ON (clang); otherwise
 * replayed from tests/fuzz/corpus_auth.
 *
 * Invariants besides the sanitizers: an accepted token lies inside the value, is
 * exactly "hs1_" + 64 lowercase hex digits, and is preceded by "Bearer" and spaces
 * only; a refusal leaves *tok NULL and gives a non-empty message that never echoes
 * the token. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy with no slack and no NUL after it: the value need not be terminated. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    const char *tok = (const char *)1;
    size_t len = 99;
    hs_err err = {0};
    int rc = hs_auth_parse_bearer(buf, size, &tok, &len, &err);
    if (rc == HS_OK) {
        if (!tok || tok < buf || tok + len != buf + size || len != HS_TOKEN_LEN ||
            memcmp(tok, HS_TOKEN_PREFIX, 4) || strncasecmp(buf, "Bearer ", 7))
            __builtin_trap();
        for (const char *p = buf + 6; p < tok; p++)
            if (*p != ' ')
                __builtin_trap();
        for (size_t k = 4; k < len; k++)
            if (!((tok[k] >= '0' && tok[k] <= '9') || (tok[k] >= 'a' && tok[k] <= 'f')))
                __builtin_trap();
        unsigned char h1[HS_TOKEN_HASH_LEN], h2[HS_TOKEN_HASH_LEN];
        hs_token_hash(tok, len, h1);
        hs_token_hash(tok, len, h2);
        if (!hs_token_hash_equal(h1, h2))
            __builtin_trap();
        h2[size % HS_TOKEN_HASH_LEN] ^= 1;
        if (hs_token_hash_equal(h1, h2))
            __builtin_trap();
    } else {
        if (rc >= 0 || tok || len || !err.msg[0])
            __builtin_trap();
        /* Never echo the value: a token in a log line is a leaked credential. */
        if (strstr(err.msg, HS_TOKEN_PREFIX))
            __builtin_trap();
    }
    free(buf);
    return 0;
}
