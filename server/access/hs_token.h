/* hs_token: access tokens — generation, hashing, parsing, and the token table.
 *
 * A token is "hs1_" followed by 64 hex digits (256 random bits from getrandom()).
 * The database keeps only SHA-256(token) (hs.access_token.hash); the token itself is
 * shown once, by `hotspot token create`. Comparisons of hashes are constant-time.
 *
 * hs_auth_parse_bearer and hs_token_hash are pure (no I/O, no allocation) so a fuzz
 * target can call them directly.
 */
#ifndef HS_TOKEN_H
#define HS_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hs_err.h"

#define HS_TOKEN_PREFIX "hs1_"
#define HS_TOKEN_RANDOM_BYTES 32
#define HS_TOKEN_LEN (4 + 2 * HS_TOKEN_RANDOM_BYTES) /* characters, without NUL */
#define HS_TOKEN_HASH_LEN 32
#define HS_TOKEN_MAX_PROVINCES 16
#define HS_TOKEN_CODE_MAX 32

typedef enum { HS_ROLE_PUBLIC = 0, HS_ROLE_PLANNER, HS_ROLE_ANALYST, HS_ROLE_OPERATOR } hs_role;

const char *hs_role_name(hs_role r);
/* "planner", "analyst", "operator" to a role; -1 for anything else. */
int hs_role_parse(const char *s);

/* Parses an Authorization header value. Returns 0 and points *tok and *len at the token
 * when the value is exactly "Bearer <token>" (scheme case-insensitive, one or more
 * spaces) and the token is well formed (HS_TOKEN_PREFIX + 64 lowercase hex digits);
 * HS_EINVAL otherwise (err names what is wrong, never echoing the value). n is the
 * value's length; the value need not be NUL-terminated. */
int hs_auth_parse_bearer(const char *value, size_t n, const char **tok, size_t *len, hs_err *err);

/* SHA-256 of the n bytes at tok (GLib GChecksum). */
void hs_token_hash(const char *tok, size_t n, unsigned char out[HS_TOKEN_HASH_LEN]);
/* Constant-time equality of two hashes: 1 if equal. */
int hs_token_hash_equal(const unsigned char *a, const unsigned char *b);

/* A new random token (NUL-terminated, HS_TOKEN_LEN characters). */
int hs_token_generate(char out[HS_TOKEN_LEN + 1], hs_err *err);

/* Splits "CODE,CODE" into codes (each [A-Za-z0-9_.-]{1,32}, at most
 * HS_TOKEN_MAX_PROVINCES). */
int hs_token_parse_provinces(const char *s, char codes[][HS_TOKEN_CODE_MAX + 1], size_t *n,
                             hs_err *err);

/* Table operations (the CLI). The connection is libpq's PGconn, named by its struct so
 * that this header (read by the routes through hs_access.h) does not pull in libpq. */
struct pg_conn;
/* create checks that every province code is a province
 * in hs.unit; expires_days 0 = never. Prints nothing; *id receives the new id. */
int hs_token_create(struct pg_conn *c, hs_role role, const char *provinces_csv, long expires_days,
                    const char *note, char token[HS_TOKEN_LEN + 1], long long *id, hs_err *err);
int hs_token_list(struct pg_conn *c, FILE *out, hs_err *err);
int hs_token_revoke(struct pg_conn *c, long long id, hs_err *err);

#endif
