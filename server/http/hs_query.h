/* hs_query: the URL query-string parser and its typed getters.
 *
 * Parsing is strict because query strings come from anyone on the network:
 *   - '&' separates pairs, '+' decodes to a space, %XX must be two hex digits;
 *   - decoded keys and values must be valid UTF-8 and may not contain NUL or other
 *     control characters;
 *   - caps: HS_QUERY_MAX_LEN bytes in total, HS_QUERY_MAX_PARAMS pairs,
 *     HS_QUERY_MAX_KEY bytes per key and HS_QUERY_MAX_VALUE per value;
 *   - a key given twice is an error for the scalar getters (use hs_query_values).
 * Unknown parameters are an error (hs_query_check_allowed), so a typo such as
 * `?indicater=cases` is reported instead of silently falling back to a default.
 *
 * Every error is HS_EINVAL with a message that names the parameter and, where it
 * applies, the allowed values or range. The failing parameter's name is also kept
 * in the query (hs_query_error_param) so the HTTP layer can put it in the JSON
 * error's "parameter" field.
 *
 * Memory: all strings live in the arena given to hs_query_parse and are valid until
 * that arena is reset. A query is used by one thread at a time.
 */
#ifndef HS_QUERY_H
#define HS_QUERY_H

#include <stddef.h>

#include "hs_arena.h"
#include "hs_err.h"
#include "hs_geom.h" /* hs_bbox */
#include "hs_period.h"

#define HS_QUERY_MAX_LEN 4096
#define HS_QUERY_MAX_PARAMS 64
#define HS_QUERY_MAX_KEY 64
#define HS_QUERY_MAX_VALUE 2048

typedef struct hs_query hs_query;


/* Parses the raw query string `raw` (without the '?', `len` bytes, not necessarily
 * NUL-terminated; NULL or len 0 gives an empty query) into *out. */
int hs_query_parse(hs_arena *a, const char *raw, size_t len, hs_query **out, hs_err *err);

/* Builds a query from command-line options: "--name VALUE", "--name=VALUE", or a
 * bare "--flag" (value "true"). Error messages then name "option --name". Strings
 * borrow argv. This keeps one validator for the CLI and the HTTP API. */
int hs_query_from_argv(hs_arena *a, int argc, char **argv, hs_query **out, hs_err *err);

size_t hs_query_count(const hs_query *q);
/* The i-th decoded pair in the order given (i < hs_query_count). Borrowed. */
const char *hs_query_key(const hs_query *q, size_t i);
const char *hs_query_value(const hs_query *q, size_t i);

/* Fails naming every parameter whose key is not in `allowed` (NULL-terminated list;
 * NULL means no parameter is allowed) and listing the allowed ones. */
int hs_query_check_allowed(hs_query *q, const char *const *allowed, hs_err *err);
/* A new query (in q's arena, same CLI/HTTP wording) holding only q's pairs whose name
 * is in `names` (NULL-terminated): lets a command take its own options out before
 * handing the rest to a shared validator. Errors are then recorded on the subset
 * (hs_query_error_param(subset)). */
int hs_query_subset(const hs_query *q, const char *const *names, hs_query **out, hs_err *err);

/* The parameter the last failed getter complained about, or NULL. Borrowed. */
const char *hs_query_error_param(const hs_query *q);

/* How many times `name` occurs. */
size_t hs_query_has(const hs_query *q, const char *name);
/* Fails with "missing required parameter 'name'" when absent. */
int hs_query_require(hs_query *q, const char *name, hs_err *err);

/* Scalar getters: when `name` is absent *out = def and they succeed. They fail when
 * the parameter is repeated or its value does not parse or is out of range. */
int hs_query_str(hs_query *q, const char *name, size_t max_len, const char *def,
                 const char **out, hs_err *err);
/* A decimal integer in [min, max]: optional '-', digits only, no spaces. */
int hs_query_int(hs_query *q, const char *name, long min, long max, long def, long *out,
                 hs_err *err);
/* A finite decimal number in [min, max]. */
int hs_query_double(hs_query *q, const char *name, double min, double max, double def,
                    double *out, hs_err *err);
/* true/false/1/0/yes/no. */
int hs_query_bool(hs_query *q, const char *name, int def, int *out, hs_err *err);
/* One of `allowed` (NULL-terminated, case-sensitive); *out = its index, or `def`
 * (which may be -1) when absent. The error lists the allowed values. */
int hs_query_enum(hs_query *q, const char *name, const char *const *allowed, int def, int *out,
                  hs_err *err);
/* A month "YYYY-MM" (years 1900-2200); *out = hs_period (see below), def when absent. */
int hs_query_period(hs_query *q, const char *name, int def, int *out, hs_err *err);
/* "minlon,minlat,maxlon,maxlat" in degrees (into minx, miny, maxx, maxy) with min < max, lon in [-180,180], lat in
 * [-90,90]. Sets *present to 0 (out untouched) when absent, 1 when parsed. */
int hs_query_bbox(hs_query *q, const char *name, int *present, hs_bbox *out, hs_err *err);

/* Every value of a repeated parameter, in order (borrowed array of n strings). */
int hs_query_values(hs_query *q, const char *name, const char *const **vals, size_t *n,
                    hs_err *err);

/* Periods are month indices as in common/hs_period.h. */

/* Helpers shared with the path decoder. */

/* 1 if s[0..n) is well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF). */
int hs_utf8_valid(const unsigned char *s, size_t n);
/* Percent-decodes in[0..n) into out (at least n bytes; not NUL-terminated), with
 * '+' as a space when plus_is_space. Returns the decoded length, or -1 - i where i
 * is the offset of a malformed escape. */
long hs_url_decode(const char *in, size_t n, int plus_is_space, char *out);
/* Copies at most about `max` bytes of s into dst (size dstn) for error messages:
 * whole UTF-8 characters only, invalid bytes and control characters shown as '?',
 * "..." when shortened. The result is always valid UTF-8. */
void hs_query_show(char *dst, size_t dstn, const char *s, size_t max);

#endif
