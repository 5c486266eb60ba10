#include "hs_csv.h"
#include "hs_utf8.h"

#include <stdio.h>
#include <string.h>

void hs_csv_init(hs_csv *c, const void *buf, size_t len)
{
    memset(c, 0, sizeof *c);
    c->buf = buf;
    c->len = len;
    c->line = 1;
    /* Excel writes "CSV UTF-8" with a BOM; it is not part of the first header name. */
    if (len >= 3 && c->buf[0] == 0xEF && c->buf[1] == 0xBB && c->buf[2] == 0xBF) {
        c->pos = 3;
        c->had_bom = 1;
    }
    hs_buf_init(&c->data, HS_CSV_MAX_RECORD);
}

void hs_csv_free(hs_csv *c)
{
    hs_buf_free(&c->data);
}

/* Consumes a line end at pos (CRLF, LF or CR) if there is one. */
static int eat_eol(hs_csv *c)
{
    if (c->pos >= c->len)
        return 0;
    if (c->buf[c->pos] == '\n') {
        c->pos++;
        c->line++;
        return 1;
    }
    if (c->buf[c->pos] == '\r') {
        c->pos++;
        if (c->pos < c->len && c->buf[c->pos] == '\n')
            c->pos++;
        c->line++;
        return 1;
    }
    return 0;
}

/* After a syntax error: resume at the next physical line. */
static void skip_line(hs_csv *c)
{
    while (c->pos < c->len && c->buf[c->pos] != '\n' && c->buf[c->pos] != '\r')
        c->pos++;
    eat_eol(c);
}

/* Line breaks inside a quoted span, counting CRLF once. */
static unsigned long count_lines(const unsigned char *p, size_t n, int next_is_lf)
{
    unsigned long k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            k++;
        else if (p[i] == '\r' && !(i + 1 < n ? p[i + 1] == '\n' : next_is_lf))
            k++;
    }
    return k;
}

static int append(hs_csv *c, const void *p, size_t n, hs_csv_record *r, size_t field, hs_err *err)
{
    hs_err e = {0};
    int rc = hs_buf_append(&c->data, p, n, &e);
    if (rc == HS_ELIMIT) {
        r->bad_field = field;
        return hs_err_set(err, HS_EINVAL, "record is longer than %zu bytes", HS_CSV_MAX_RECORD);
    }
    if (rc < 0)
        return hs_err_set(err, rc, "%s", e.msg);
    return HS_OK;
}

/* Reads a quoted field starting at the opening quote. */
static int read_quoted(hs_csv *c, hs_csv_record *r, size_t field, hs_err *err)
{
    c->pos++; /* opening quote */
    for (;;) {
        const unsigned char *q = memchr(c->buf + c->pos, '"', c->len - c->pos);
        if (!q) {
            r->bad_field = field;
            c->pos = c->len;
            return hs_err_set(err, HS_EINVAL,
                              "quoted field is never closed (missing '\"' before end of file)");
        }
        size_t n = (size_t)(q - (c->buf + c->pos));
        c->line += count_lines(c->buf + c->pos, n, 0);
        int rc = append(c, c->buf + c->pos, n, r, field, err);
        if (rc < 0)
            return rc;
        c->pos += n + 1;
        if (c->pos < c->len && c->buf[c->pos] == '"') { /* "" is a literal quote */
            rc = append(c, "\"", 1, r, field, err);
            if (rc < 0)
                return rc;
            c->pos++;
            continue;
        }
        break;
    }
    if (c->pos < c->len && c->buf[c->pos] != ',' && c->buf[c->pos] != '\r' &&
        c->buf[c->pos] != '\n') {
        r->bad_field = field;
        return hs_err_set(err, HS_EINVAL,
                          "unexpected character after a closing quote (inner quotes "
                          "must be doubled: \"\")");
    }
    return HS_OK;
}

static int read_plain(hs_csv *c, hs_csv_record *r, size_t field, hs_err *err)
{
    size_t e = c->pos;
    while (e < c->len && c->buf[e] != ',' && c->buf[e] != '\n' && c->buf[e] != '\r' &&
           c->buf[e] != '"')
        e++;
    if (e < c->len && c->buf[e] == '"') {
        r->bad_field = field;
        return hs_err_set(err, HS_EINVAL,
                          "quote inside an unquoted field (quote the whole field and "
                          "double the inner quotes)");
    }
    int rc = append(c, c->buf + c->pos, e - c->pos, r, field, err);
    c->pos = e;
    return rc;
}

int hs_csv_next(hs_csv *c, hs_csv_record *r, hs_err *err)
{
    while (eat_eol(c)) /* blank lines */
        ;
    if (c->pos >= c->len)
        return 0;
    r->line = c->line;
    r->nfields = 0;
    r->bad_field = 0;
    c->data.len = 0;
    c->data.failed = 0;
    size_t len[HS_CSV_MAX_FIELDS];
    for (;;) {
        size_t f = r->nfields;
        size_t start = c->data.len;
        int rc = (c->pos < c->len && c->buf[c->pos] == '"') ? read_quoted(c, r, f, err)
                                                            : read_plain(c, r, f, err);
        if (rc == HS_OK)
            rc = append(c, "", 1, r, f, err); /* NUL terminator, not part of the field */
        if (rc < 0) {
            if (rc == HS_EINVAL)
                skip_line(c);
            return rc;
        }
        if (f < HS_CSV_MAX_FIELDS) {
            c->off[f] = start;
            len[f] = c->data.len - start - 1;
        }
        r->nfields++;
        if (c->pos < c->len && c->buf[c->pos] == ',') {
            c->pos++;
            continue;
        }
        eat_eol(c);
        break;
    }
    size_t n = r->nfields < HS_CSV_MAX_FIELDS ? r->nfields : HS_CSV_MAX_FIELDS;
    for (size_t i = 0; i < n; i++) {
        r->field[i] = (const char *)c->data.data + c->off[i];
        r->len[i] = len[i];
    }
    return 1;
}

int hs_csv_check_utf8(const char *str, size_t n, size_t *bad)
{
    /* A NUL is well-formed UTF-8 but never belongs in a CSV field. */
    const char *nul = memchr(str, '\0', n);
    size_t lim = nul ? (size_t)(nul - str) : n;
    if (!hs_utf8_check((const unsigned char *)str, lim, bad))
        return -1;
    if (nul) {
        *bad = lim;
        return -1;
    }
    return 0;
}

const char *hs_csv_quote(const char *str, size_t n, char *out, size_t outn)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t o = 0;
    /* Room for the closing "'...'" and NUL is kept back at each step. */
    const size_t reserve = 6;
    size_t shown = 0;
    if (outn < 8) {
        if (outn)
            out[0] = '\0';
        return out;
    }
    out[o++] = '\'';
    size_t i = 0;
    while (i < n) {
        if (shown >= outn / 3 || o + 4 + reserve >= outn) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        size_t bad = 0;
        size_t clen = 1;
        unsigned char b = s[i];
        if (b >= 0xC0) {
            clen = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
            if (clen > n - i || hs_csv_check_utf8(str + i, clen, &bad) < 0)
                clen = 0;
        } else if (b >= 0x80 || b < 0x20 || b == 0x7F) {
            clen = 0;
        }
        if (clen == 0) {
            snprintf(out + o, outn - o, "\\x%02X", b);
            o += 4;
            i++;
        } else {
            if (o + clen + reserve >= outn)
                break;
            memcpy(out + o, s + i, clen);
            o += clen;
            i += clen;
        }
        shown++;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

int hs_csv_parse_period(const char *s, size_t n, int *year, int *month, hs_err *err)
{
    char q[128];
    if (n == 0)
        return hs_err_set(err, HS_EINVAL, "period is empty (expected YYYY-MM, e.g. 2024-07)");
    if (n != 7 || !is_digits(s, 4) || s[4] != '-' || !is_digits(s + 5, 2))
        return hs_err_set(err, HS_EINVAL, "bad period %s: expected YYYY-MM, e.g. 2024-07",
                          hs_csv_quote(s, n, q, sizeof q));
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return hs_err_set(err, HS_EINVAL, "bad period %s: month must be 01-12",
                          hs_csv_quote(s, n, q, sizeof q));
    if (y < 1900 || y > 2200)
        return hs_err_set(err, HS_EINVAL, "bad period %s: year must be 1900-2200",
                          hs_csv_quote(s, n, q, sizeof q));
    *year = y;
    *month = m;
    return HS_OK;
}

int hs_csv_parse_count(const char *s, size_t n, int32_t *out, hs_err *err)
{
    char q[128];
    if (n == 0)
        return hs_err_set(err, HS_EINVAL, "count is empty (write 0 for none)");
    if (s[0] == '-' && n > 1 && is_digits(s + 1, n - 1))
        return hs_err_set(err, HS_EINVAL, "negative count %s: counts must be 0 or more",
                          hs_csv_quote(s, n, q, sizeof q));
    if (!is_digits(s, n))
        return hs_err_set(err, HS_EINVAL, "count %s is not a whole number (digits 0-9 only)",
                          hs_csv_quote(s, n, q, sizeof q));
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (s[i] - '0');
        if (v > INT32_MAX)
            return hs_err_set(err, HS_EINVAL, "count %s is too large (at most %d)",
                              hs_csv_quote(s, n, q, sizeof q), (int)INT32_MAX);
    }
    *out = (int32_t)v;
    return HS_OK;
}
