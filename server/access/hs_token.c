#include "hs_token.h"

#include <glib.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "hs_pg.h"
#include "hs_unitcode.h"

static const char *const role_names[] = {"public", "planner", "analyst", "operator"};

const char *hs_role_name(hs_role r)
{
    return (unsigned)r < 4 ? role_names[r] : "?";
}

int hs_role_parse(const char *s)
{
    for (int i = 1; s && i < 4; i++)
        if (!strcmp(s, role_names[i]))
            return i;
    return -1;
}

int hs_auth_parse_bearer(const char *value, size_t n, const char **tok, size_t *len, hs_err *err)
{
    *tok = NULL;
    *len = 0;
    if (n < 7 || strncasecmp(value, "Bearer", 6) || value[6] != ' ')
        return hs_err_set(err, HS_EINVAL, "the Authorization header must be 'Bearer <token>'");
    size_t i = 6;
    while (i < n && value[i] == ' ')
        i++;
    const char *t = value + i;
    size_t tl = n - i;
    if (tl != HS_TOKEN_LEN || memcmp(t, HS_TOKEN_PREFIX, 4))
        return hs_err_set(err, HS_EINVAL, "the bearer token is malformed");
    for (size_t k = 4; k < tl; k++) {
        char c = t[k];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return hs_err_set(err, HS_EINVAL, "the bearer token is malformed");
    }
    *tok = t;
    *len = tl;
    return HS_OK;
}

void hs_token_hash(const char *tok, size_t n, unsigned char out[HS_TOKEN_HASH_LEN])
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    gsize dl = HS_TOKEN_HASH_LEN;
    g_checksum_update(ck, (const guchar *)tok, (gssize)n);
    g_checksum_get_digest(ck, out, &dl);
    g_checksum_free(ck);
}

int hs_token_hash_equal(const unsigned char *a, const unsigned char *b)
{
    volatile unsigned char d = 0;
    for (size_t i = 0; i < HS_TOKEN_HASH_LEN; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

int hs_token_generate(char out[HS_TOKEN_LEN + 1], hs_err *err)
{
    unsigned char r[HS_TOKEN_RANDOM_BYTES];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t k = getrandom(r + got, sizeof r - got, 0);
        if (k <= 0)
            return hs_err_set(err, HS_EIO, "getrandom() failed: no random bytes for the token");
        got += (size_t)k;
    }
    memcpy(out, HS_TOKEN_PREFIX, 4);
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(out + 4 + 2 * i, 3, "%02x", r[i]);
    out[HS_TOKEN_LEN] = '\0';
    return HS_OK;
}

int hs_token_parse_provinces(const char *s, char codes[][HS_TOKEN_CODE_MAX + 1], size_t *n,
                             hs_err *err)
{
    *n = 0;
    if (!s || !*s)
        return HS_OK;
    const char *p = s;
    for (;;) {
        size_t l = strcspn(p, ",");
        if (l > HS_TOKEN_CODE_MAX || !hs_unit_code_ok(p, l))
            return hs_err_set(err, HS_EINVAL,
                              "--provinces: item %zu is not a unit code ([A-Za-z0-9_.-], 1-32)",
                              *n + 1);
        if (*n >= HS_TOKEN_MAX_PROVINCES)
            return hs_err_set(err, HS_ELIMIT, "--provinces: at most %d provinces",
                              HS_TOKEN_MAX_PROVINCES);
        memcpy(codes[*n], p, l);
        codes[*n][l] = '\0';
        (*n)++;
        if (!p[l])
            return HS_OK;
        p += l + 1;
    }
}

int hs_token_create(PGconn *c, hs_role role, const char *provinces_csv, long expires_days,
                    const char *note, char token[HS_TOKEN_LEN + 1], long long *id, hs_err *err)
{
    char codes[HS_TOKEN_MAX_PROVINCES][HS_TOKEN_CODE_MAX + 1];
    size_t n;
    int rc = hs_token_parse_provinces(provinces_csv, codes, &n, err);
    if (rc < 0)
        return rc;
    if (role == HS_ROLE_ANALYST && n == 0)
        return hs_err_set(err, HS_EINVAL, "--role analyst needs --provinces CODE,...");
    if (role != HS_ROLE_ANALYST && n > 0)
        return hs_err_set(err, HS_EINVAL, "--provinces applies to --role analyst only");
    /* text[] literal from checked codes (no quoting needed: the charset has none). */
    char arr[HS_TOKEN_MAX_PROVINCES * (HS_TOKEN_CODE_MAX + 1) + 3] = "{";
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(arr, ",");
        strcat(arr, codes[i]);
    }
    strcat(arr, "}");
    for (size_t i = 0; i < n; i++) {
        const char *p[1] = {codes[i]};
        PGresult *r = NULL;
        if ((rc = hs_pg_query(c, "SELECT 1 FROM hs.unit WHERE code = $1 AND level = 'province'",
                              1, p, &r, err)) < 0)
            return rc;
        int found = PQntuples(r) == 1;
        PQclear(r);
        if (!found)
            return hs_err_set(err, HS_ENOTFOUND, "--provinces: '%s' is not a province code in "
                              "the database", codes[i]);
    }
    if ((rc = hs_token_generate(token, err)) < 0)
        return rc;
    unsigned char h[HS_TOKEN_HASH_LEN];
    hs_token_hash(token, HS_TOKEN_LEN, h);
    char hex[2 * HS_TOKEN_HASH_LEN + 3] = "\\x";
    for (size_t i = 0; i < HS_TOKEN_HASH_LEN; i++)
        snprintf(hex + 2 + 2 * i, 3, "%02x", h[i]);
    char days[32];
    snprintf(days, sizeof days, "%ld", expires_days);
    const char *p[5] = {hs_role_name(role), arr, days, note ? note : "", hex};
    PGresult *r = NULL;
    rc = hs_pg_query(c,
                     "INSERT INTO hs.access_token (role, provinces, expires_at, note, hash) "
                     "VALUES ($1, $2::text[], CASE WHEN $3::int > 0 THEN now() + "
                     "make_interval(days => $3::int) END, $4, $5::bytea) RETURNING id",
                     5, p, &r, err);
    if (rc < 0)
        return rc;
    *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return HS_OK;
}

int hs_token_list(PGconn *c, FILE *out, hs_err *err)
{
    PGresult *r = NULL;
    int rc = hs_pg_query(c,
                         "SELECT id, role, array_to_string(provinces, ','), "
                         "coalesce(to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI'), '-'), "
                         "CASE WHEN revoked_at IS NOT NULL THEN 'revoked' "
                         "WHEN expires_at <= now() THEN 'expired' ELSE 'active' END, note "
                         "FROM hs.access_token ORDER BY id",
                         0, NULL, &r, err);
    if (rc < 0)
        return rc;
    fprintf(out, "%-6s %-9s %-20s %-17s %-8s %s\n", "id", "role", "provinces", "expires (UTC)",
            "state", "note");
    for (int i = 0; i < PQntuples(r); i++)
        fprintf(out, "%-6s %-9s %-20s %-17s %-8s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                *PQgetvalue(r, i, 2) ? PQgetvalue(r, i, 2) : "-", PQgetvalue(r, i, 3),
                PQgetvalue(r, i, 4), PQgetvalue(r, i, 5));
    PQclear(r);
    return HS_OK;
}

int hs_token_revoke(PGconn *c, long long id, hs_err *err)
{
    char ids[32];
    snprintf(ids, sizeof ids, "%lld", id);
    const char *p[1] = {ids};
    PGresult *r = NULL;
    int rc = hs_pg_query(c,
                         "UPDATE hs.access_token SET revoked_at = coalesce(revoked_at, now()) "
                         "WHERE id = $1::bigint RETURNING id",
                         1, p, &r, err);
    if (rc < 0)
        return rc;
    int n = PQntuples(r);
    PQclear(r);
    return n == 1 ? HS_OK : hs_err_set(err, HS_ENOTFOUND, "no token with id %lld", id);
}
