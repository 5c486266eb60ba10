#include "hs_query.h"

#include "hs_utf8.h"

#include "hs_period.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *key;
    const char *value;
} query_pair;

struct hs_query {
    hs_arena *arena;
    query_pair *pairs;
    size_t n;
    int cli; /* built from argv: messages say "option --from", not "parameter 'from'" */
    char error_param[HS_QUERY_MAX_KEY + 1];
};

int hs_utf8_valid(const unsigned char *s, size_t n)
{
    return hs_utf8_check(s, n, NULL);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long hs_url_decode(const char *in, size_t n, int plus_is_space, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            if (n - i < 3 || hexval((unsigned char)in[i + 1]) < 0 ||
                hexval((unsigned char)in[i + 2]) < 0)
                return -1 - (long)i;
            out[o++] = (char)(hexval((unsigned char)in[i + 1]) * 16 +
                              hexval((unsigned char)in[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out[o++] = ' ';
        } else {
            out[o++] = c;
        }
    }
    return (long)o;
}


void hs_query_show(char *dst, size_t dstn, const char *s, size_t max)
{
    if (!dstn)
        return;
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s), i = 0, o = 0;
    /* Whole characters only, invalid bytes and controls as '?', so the result is
     * always valid UTF-8 (error messages end up in JSON) and one line (logs). */
    while (i < len && i < max) {
        size_t l = hs_utf8_seq(u + i, len - i);
        if (l > 1 && (i + l > max || o + l >= dstn))
            break;
        if (o + 1 >= dstn)
            break;
        if (l <= 1) {
            dst[o++] = (l == 0 || u[i] < 0x20 || u[i] == 0x7F) ? '?' : (char)u[i];
            i++;
        } else {
            memcpy(dst + o, u + i, l);
            o += l;
            i += l;
        }
    }
    if (i < len)
        for (int k = 0; k < 3 && o + 1 < dstn; k++)
            dst[o++] = '.';
    dst[o] = '\0';
}

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return 1;
    }
    return 0;
}

static void set_param(hs_query *q, const char *name)
{
    snprintf(q->error_param, sizeof q->error_param, "%s", name);
}

/* Decodes one key or value into the arena; names `what` in errors. */
static int decode_part(hs_query *q, const char *raw, size_t n, size_t cap, const char *keyname,
                       const char **out, hs_err *err)
{
    char shown[80];
    char *buf = hs_arena_alloc(q->arena, n + 1, err);
    if (!buf)
        return err ? err->code : HS_ENOMEM;
    long d = hs_url_decode(raw, n, 1, buf);
    if (d < 0) {
        size_t at = (size_t)(-1 - d);
        size_t show = n - at < 3 ? n - at : 3;
        char esc[8];
        memcpy(esc, raw + at, show);
        esc[show] = '\0';
        hs_query_show(shown, sizeof shown, esc, 8);
        if (keyname) {
            set_param(q, keyname);
            return hs_err_set(err, HS_EINVAL,
                              "parameter '%s': malformed percent-encoding '%s' (use %%XX with two hex digits)",
                              keyname, shown);
        }
        return hs_err_set(err, HS_EINVAL,
                          "malformed percent-encoding '%s' in a parameter name (use %%XX with two hex digits)",
                          shown);
    }
    size_t len = (size_t)d;
    buf[len] = '\0';
    const char *what = keyname ? "value" : "name";
    if (!hs_utf8_valid((const unsigned char *)buf, len) || has_control(buf, len) ||
        memchr(buf, '\0', len)) {
        if (keyname)
            set_param(q, keyname);
        hs_query_show(shown, sizeof shown, keyname ? keyname : "", 40);
        return hs_err_set(err, HS_EINVAL,
                          "parameter %s%s%s: the %s is not valid UTF-8 text or contains control characters",
                          keyname ? "'" : "", keyname ? shown : "name", keyname ? "'" : "", what);
    }
    if (len > cap) {
        if (keyname) {
            set_param(q, keyname);
            return hs_err_set(err, HS_EINVAL, "parameter '%s': value is %zu bytes; the limit is %zu",
                              keyname, len, cap);
        }
        hs_query_show(shown, sizeof shown, buf, 40);
        return hs_err_set(err, HS_EINVAL, "parameter name '%s' is %zu bytes; the limit is %zu", shown,
                          len, cap);
    }
    *out = buf;
    return HS_OK;
}

int hs_query_parse(hs_arena *a, const char *raw, size_t len, hs_query **out, hs_err *err)
{
    *out = NULL;
    hs_query *q = hs_arena_calloc(a, 1, sizeof *q, err);
    if (!q)
        return err ? err->code : HS_ENOMEM;
    q->arena = a;
    if (!raw)
        len = 0;
    if (len > HS_QUERY_MAX_LEN)
        return hs_err_set(err, HS_EINVAL, "query string is %zu bytes; the limit is %d", len,
                          HS_QUERY_MAX_LEN);
    q->pairs = hs_arena_calloc(a, HS_QUERY_MAX_PARAMS, sizeof *q->pairs, err);
    if (!q->pairs)
        return err ? err->code : HS_ENOMEM;
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(raw + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - raw) : len;
        size_t plen = end - i;
        const char *piece = raw + i;
        i = end + 1;
        if (plen == 0)
            continue; /* "a=1&&b=2" and a trailing '&' are harmless */
        if (q->n >= HS_QUERY_MAX_PARAMS)
            return hs_err_set(err, HS_EINVAL, "more than %d query parameters", HS_QUERY_MAX_PARAMS);
        const char *eq = memchr(piece, '=', plen);
        size_t klen = eq ? (size_t)(eq - piece) : plen;
        if (klen == 0)
            return hs_err_set(err, HS_EINVAL, "empty parameter name in query pair %zu", q->n + 1);
        const char *key, *value = "";
        int rc = decode_part(q, piece, klen, HS_QUERY_MAX_KEY, NULL, &key, err);
        if (rc < 0)
            return rc;
        if (!*key)
            return hs_err_set(err, HS_EINVAL, "empty parameter name in query pair %zu", q->n + 1);
        if (eq) {
            rc = decode_part(q, eq + 1, plen - klen - 1, HS_QUERY_MAX_VALUE, key, &value, err);
            if (rc < 0)
                return rc;
        }
        q->pairs[q->n].key = key;
        q->pairs[q->n].value = value;
        q->n++;
    }
    *out = q;
    return HS_OK;
}

size_t hs_query_count(const hs_query *q)
{
    return q->n;
}

const char *hs_query_key(const hs_query *q, size_t i)
{
    return i < q->n ? q->pairs[i].key : NULL;
}

const char *hs_query_value(const hs_query *q, size_t i)
{
    return i < q->n ? q->pairs[i].value : NULL;
}

const char *hs_query_error_param(const hs_query *q)
{
    return q && q->error_param[0] ? q->error_param : NULL;
}

static int is_allowed(const char *key, const char *const *allowed)
{
    for (size_t k = 0; allowed && allowed[k]; k++)
        if (!strcmp(key, allowed[k]))
            return 1;
    return 0;
}

/* Appends "a, b, c" to dst. */
static void join_list(char *dst, size_t n, const char *const *items)
{
    size_t o = strlen(dst);
    for (size_t k = 0; items && items[k] && o < n; k++) {
        int w = snprintf(dst + o, n - o, "%s%s", k ? ", " : "", items[k]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

int hs_query_check_allowed(hs_query *q, const char *const *allowed, hs_err *err)
{
    char names[512] = "";
    size_t bad = 0, o = 0;
    const char *first = NULL;
    for (size_t i = 0; i < q->n; i++) {
        if (is_allowed(q->pairs[i].key, allowed))
            continue;
        /* Name each unknown key once even when repeated. */
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(q->pairs[j].key, q->pairs[i].key))
                seen = 1;
        if (seen)
            continue;
        if (!first)
            first = q->pairs[i].key;
        char shown[80];
        hs_query_show(shown, sizeof shown, q->pairs[i].key, 40);
        /* Whole names only: a name cut by the buffer's end could split a UTF-8
         * character, and the message goes into JSON (found by fuzz_route). */
        size_t need = strlen(shown) + (bad ? 4 : 2);
        if (o + need + 4 < sizeof names)
            o += (size_t)snprintf(names + o, sizeof names - o, "%s'%s'", bad ? ", " : "", shown);
        else if (o + 4 < sizeof names && !strstr(names, "..."))
            o += (size_t)snprintf(names + o, sizeof names - o, "%s", bad ? ", ..." : "...");
        bad++;
    }
    if (!bad)
        return HS_OK;
    set_param(q, first);
    char list[512] = "";
    join_list(list, sizeof list, allowed);
    return hs_err_set(err, HS_EINVAL, "unknown %s%s %s (allowed: %s)", q->cli ? "option" : "parameter",
                      bad > 1 ? "s" : "", names, list[0] ? list : "none");
}

/* "parameter 'from'" for URLs, "option --from" for the command line. */
static const char *pname(const hs_query *q, const char *name, char *buf, size_t n)
{
    snprintf(buf, n, q->cli ? "option --%s" : "parameter '%s'", name);
    return buf;
}

size_t hs_query_has(const hs_query *q, const char *name)
{
    size_t c = 0;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->pairs[i].key, name))
            c++;
    return c;
}

int hs_query_require(hs_query *q, const char *name, hs_err *err)
{
    if (hs_query_has(q, name))
        return HS_OK;
    set_param(q, name);
    char pn[96];
    return hs_err_set(err, HS_EINVAL, "missing required %s", pname(q, name, pn, sizeof pn));
}

/* The single value of `name`, NULL when absent; an error when repeated. */
static int single(hs_query *q, const char *name, const char **out, hs_err *err)
{
    *out = NULL;
    size_t c = 0;
    for (size_t i = 0; i < q->n; i++) {
        if (!strcmp(q->pairs[i].key, name)) {
            if (!c)
                *out = q->pairs[i].value;
            c++;
        }
    }
    if (c > 1) {
        set_param(q, name);
        char pn[96];
        return hs_err_set(err, HS_EINVAL, "%s is given %zu times; give it once",
                          pname(q, name, pn, sizeof pn), c);
    }
    return HS_OK;
}

int hs_query_str(hs_query *q, const char *name, size_t max_len, const char *def,
                 const char **out, hs_err *err)
{
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    size_t len = strlen(v);
    if (len > max_len) {
        set_param(q, name);
        char pn[96];
        return hs_err_set(err, HS_EINVAL, "%s is %zu bytes long; the limit is %zu",
                          pname(q, name, pn, sizeof pn), len, max_len);
    }
    *out = v;
    return HS_OK;
}

static int bad_value(hs_query *q, const char *name, const char *v, const char *expect, hs_err *err)
{
    char shown[80];
    hs_query_show(shown, sizeof shown, v, 40);
    set_param(q, name);
    char pn[96];
    return hs_err_set(err, HS_EINVAL, "%s must be %s (got '%s')", pname(q, name, pn, sizeof pn),
                      expect, shown);
}

int hs_query_int(hs_query *q, const char *name, long min, long max, long def, long *out,
                 hs_err *err)
{
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    char expect[96];
    snprintf(expect, sizeof expect, "an integer from %ld to %ld", min, max);
    /* strtol alone accepts leading spaces, '+' and trailing junk; insist on digits. */
    const char *d = v[0] == '-' ? v + 1 : v;
    if (!*d || strspn(d, "0123456789") != strlen(d))
        return bad_value(q, name, v, expect, err);
    errno = 0;
    char *end = NULL;
    long x = strtol(v, &end, 10);
    if (errno || *end || x < min || x > max)
        return bad_value(q, name, v, expect, err);
    *out = x;
    return HS_OK;
}

int hs_query_double(hs_query *q, const char *name, double min, double max, double def,
                    double *out, hs_err *err)
{
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    char expect[96];
    snprintf(expect, sizeof expect, "a number from %g to %g", min, max);
    /* Plain decimal notation only: no hex floats, inf, nan or spaces. */
    if (!*v || strspn(v, "0123456789.-+eE") != strlen(v))
        return bad_value(q, name, v, expect, err);
    errno = 0;
    char *end = NULL;
    double x = strtod(v, &end);
    if (errno || *end || !isfinite(x) || x < min || x > max)
        return bad_value(q, name, v, expect, err);
    *out = x;
    return HS_OK;
}

int hs_query_bool(hs_query *q, const char *name, int def, int *out, hs_err *err)
{
    static const char *const yes[] = {"true", "1", "yes", NULL};
    static const char *const no[] = {"false", "0", "no", NULL};
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    if (is_allowed(v, yes)) {
        *out = 1;
        return HS_OK;
    }
    if (is_allowed(v, no)) {
        *out = 0;
        return HS_OK;
    }
    return bad_value(q, name, v, "one of true, false, 1, 0, yes, no", err);
}

int hs_query_enum(hs_query *q, const char *name, const char *const *allowed, int def, int *out,
                  hs_err *err)
{
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    for (int k = 0; allowed[k]; k++) {
        if (!strcmp(v, allowed[k])) {
            *out = k;
            return HS_OK;
        }
    }
    char expect[512] = "one of ";
    join_list(expect, sizeof expect, allowed);
    return bad_value(q, name, v, expect, err);
}

int hs_query_period(hs_query *q, const char *name, int def, int *out, hs_err *err)
{
    const char *v;
    int rc = single(q, name, &v, err);
    if (rc < 0)
        return rc;
    if (!v) {
        *out = def;
        return HS_OK;
    }
    if (hs_period_parse(v, name, out, NULL) < 0)
        return bad_value(q, name, v, "a month YYYY-MM between 1900-01 and 2200-12", err);
    return HS_OK;
}

int hs_query_bbox(hs_query *q, const char *name, int *present, hs_bbox *out, hs_err *err)
{
    static const char expect[] =
        "minlon,minlat,maxlon,maxlat in degrees with min < max, lon in [-180,180], lat in [-90,90]";
    const char *v;
    *present = 0;
    int rc = single(q, name, &v, err);
    if (rc < 0 || !v)
        return rc;
    double c[4];
    const char *p = v;
    for (int k = 0; k < 4; k++) {
        size_t n = strcspn(p, ",");
        char tmp[64];
        if (n == 0 || n >= sizeof tmp || strspn(p, "0123456789.-+eE") < n)
            return bad_value(q, name, v, expect, err);
        memcpy(tmp, p, n);
        tmp[n] = '\0';
        errno = 0;
        char *end = NULL;
        c[k] = strtod(tmp, &end);
        if (errno || *end || !isfinite(c[k]))
            return bad_value(q, name, v, expect, err);
        p += n;
        if (k < 3) {
            if (*p != ',')
                return bad_value(q, name, v, expect, err);
            p++;
        }
    }
    if (*p)
        return bad_value(q, name, v, expect, err);
    if (c[0] < -180 || c[2] > 180 || c[1] < -90 || c[3] > 90 || c[0] >= c[2] || c[1] >= c[3])
        return bad_value(q, name, v, expect, err);
    out->minx = c[0];
    out->miny = c[1];
    out->maxx = c[2];
    out->maxy = c[3];
    *present = 1;
    return HS_OK;
}

int hs_query_values(hs_query *q, const char *name, const char *const **vals, size_t *n,
                    hs_err *err)
{
    size_t c = hs_query_has(q, name);
    *n = 0;
    *vals = NULL;
    if (!c)
        return HS_OK;
    const char **v = hs_arena_calloc(q->arena, c, sizeof *v, err);
    if (!v)
        return err ? err->code : HS_ENOMEM;
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->pairs[i].key, name))
            v[(*n)++] = q->pairs[i].value;
    *vals = v;
    return HS_OK;
}

int hs_query_from_argv(hs_arena *a, int argc, char **argv, hs_query **out, hs_err *err)
{
    *out = NULL;
    hs_query *q = hs_arena_calloc(a, 1, sizeof *q, err);
    if (!q)
        return err ? err->code : HS_ENOMEM;
    q->arena = a;
    q->cli = 1;
    q->pairs = hs_arena_calloc(a, HS_QUERY_MAX_PARAMS, sizeof *q->pairs, err);
    if (!q->pairs)
        return err ? err->code : HS_ENOMEM;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            return hs_err_set(err, HS_EINVAL, "unexpected argument '%.64s'; options look like "
                              "--name VALUE", arg);
        if (q->n >= HS_QUERY_MAX_PARAMS)
            return hs_err_set(err, HS_EINVAL, "more than %d options", HS_QUERY_MAX_PARAMS);
        const char *eq = strchr(arg + 2, '=');
        const char *key, *value;
        if (eq) {
            key = hs_arena_strndup(a, arg + 2, (size_t)(eq - arg - 2), err);
            value = eq + 1;
        } else {
            key = arg + 2;
            /* A flag (--fdr) is followed by another option or nothing. */
            value = i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0 ? argv[++i] : "true";
        }
        if (!key)
            return err ? err->code : HS_ENOMEM;
        if (strlen(key) > HS_QUERY_MAX_KEY || strlen(value) > HS_QUERY_MAX_VALUE)
            return hs_err_set(err, HS_EINVAL, "option '%.64s' is too long", arg);
        q->pairs[q->n].key = key;
        q->pairs[q->n].value = value;
        q->n++;
    }
    *out = q;
    return HS_OK;
}

int hs_query_subset(const hs_query *q, const char *const *names, hs_query **out, hs_err *err)
{
    *out = NULL;
    hs_query *s = hs_arena_calloc(q->arena, 1, sizeof *s, err);
    if (!s)
        return err ? err->code : HS_ENOMEM;
    s->arena = q->arena;
    s->cli = q->cli;
    s->pairs = hs_arena_calloc(q->arena, q->n ? q->n : 1, sizeof *s->pairs, err);
    if (!s->pairs)
        return err ? err->code : HS_ENOMEM;
    for (size_t i = 0; i < q->n; i++)
        if (is_allowed(q->pairs[i].key, names))
            s->pairs[s->n++] = q->pairs[i];
    *out = s;
    return HS_OK;
}
