#include "hs_monthly.h"
#include "hs_unitcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_csv.h"

static const char *const cases_cols[HS_MONTHLY_NCOLS] = {"unit_code", "period", "cases", "victims",
                                                         "suspects"};
static const char *const outreach_cols[HS_MONTHLY_NCOLS] = {"unit_code", "period", "events",
                                                            "participants", "hotline_calls"};

const char *const *hs_monthly_columns(hs_monthly_kind kind)
{
    return kind == HS_MONTHLY_CASES ? cases_cols : outreach_cols;
}

const char *hs_monthly_table(hs_monthly_kind kind)
{
    return kind == HS_MONTHLY_CASES ? "hs.case_month" : "hs.outreach_month";
}

const char *hs_monthly_kind_name(hs_monthly_kind kind)
{
    return kind == HS_MONTHLY_CASES ? "cases" : "outreach";
}

const char *hs_monthly_period_str(uint16_t period, char out[8])
{
    /* The % keeps the year provably 4 digits for -Wformat-truncation; valid periods
     * (<= 2200-12) are unaffected. */
    snprintf(out, 8, "%04d-%02d", 1900 + period / 12 % 1000, period % 12 + 1);
    return out;
}

void hs_monthly_init(hs_monthly *m, hs_monthly_kind kind)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->period_min = UINT16_MAX;
    hs_errlist_init(&m->errors, HS_MONTHLY_ERRORS_KEPT);
}

void hs_monthly_free(hs_monthly *m)
{
    for (size_t i = 0; i < m->ncodes; i++)
        free(m->codes[i]);
    free(m->codes);
    free(m->rows);
    free(m->code_hash);
    free(m->key_hash);
    hs_errlist_free(&m->errors);
    hs_monthly_kind kind = m->kind;
    hs_monthly_init(m, kind);
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_key(uint32_t unit, uint16_t period)
{
    uint64_t k = ((uint64_t)unit << 16 | period) * 0x9E3779B97F4A7C15ULL;
    return k ^ (k >> 29);
}

/* Doubles an open-addressing table of (index + 1) and reinserts with `rehash`. */
static int grow_code_hash(hs_monthly *m, hs_err *err)
{
    size_t ncap = m->code_hash_cap ? m->code_hash_cap * 2 : 1024;
    uint32_t *t = calloc(ncap, sizeof *t);
    if (!t)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the unit code table");
    for (size_t i = 0; i < m->ncodes; i++) {
        size_t h = hash_bytes(m->codes[i], strlen(m->codes[i])) & (ncap - 1);
        while (t[h])
            h = (h + 1) & (ncap - 1);
        t[h] = (uint32_t)i + 1;
    }
    free(m->code_hash);
    m->code_hash = t;
    m->code_hash_cap = ncap;
    return HS_OK;
}

static long find_code(const hs_monthly *m, const char *s, size_t n)
{
    if (!m->code_hash_cap)
        return -1;
    size_t h = hash_bytes(s, n) & (m->code_hash_cap - 1);
    while (m->code_hash[h]) {
        const char *c = m->codes[m->code_hash[h] - 1];
        if (strlen(c) == n && !memcmp(c, s, n))
            return (long)m->code_hash[h] - 1;
        h = (h + 1) & (m->code_hash_cap - 1);
    }
    return -1;
}

static int intern_code(hs_monthly *m, const char *s, size_t n, uint32_t *idx, hs_err *err)
{
    long found = find_code(m, s, n);
    if (found >= 0) {
        *idx = (uint32_t)found;
        return HS_OK;
    }
    if (m->ncodes >= HS_MONTHLY_MAX_CODES)
        return hs_err_set(err, HS_ELIMIT, "more than %lu distinct unit codes in one file",
                          HS_MONTHLY_MAX_CODES);
    if ((m->ncodes + 1) * 2 > m->code_hash_cap) {
        int rc = grow_code_hash(m, err);
        if (rc < 0)
            return rc;
    }
    if (m->ncodes == m->codes_cap) {
        size_t ncap = m->codes_cap ? m->codes_cap * 2 : 256;
        char **p = realloc(m->codes, ncap * sizeof *p);
        if (!p)
            return hs_err_set(err, HS_ENOMEM, "cannot grow the unit code list");
        m->codes = p;
        m->codes_cap = ncap;
    }
    char *copy = strndup(s, n);
    if (!copy)
        return hs_err_set(err, HS_ENOMEM, "cannot copy a unit code");
    size_t h = hash_bytes(s, n) & (m->code_hash_cap - 1);
    while (m->code_hash[h])
        h = (h + 1) & (m->code_hash_cap - 1);
    m->codes[m->ncodes] = copy;
    m->code_hash[h] = (uint32_t)m->ncodes + 1;
    *idx = (uint32_t)m->ncodes++;
    return HS_OK;
}

static int grow_key_hash(hs_monthly *m, hs_err *err)
{
    size_t ncap = m->key_hash_cap ? m->key_hash_cap * 2 : 4096;
    uint32_t *t = calloc(ncap, sizeof *t);
    if (!t)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the duplicate-row table");
    for (size_t i = 0; i < m->key_hash_cap; i++) {
        uint32_t v = m->key_hash[i];
        if (!v)
            continue;
        const hs_monthly_row *r = &m->rows[v - 1];
        size_t h = hash_key(r->unit, r->period) & (ncap - 1);
        while (t[h])
            h = (h + 1) & (ncap - 1);
        t[h] = v;
    }
    free(m->key_hash);
    m->key_hash = t;
    m->key_hash_cap = ncap;
    return HS_OK;
}

/* Registers row `ri` under (unit, period). Returns the line of an earlier row with the
 * same key (a duplicate), 0 if none, or < 0 on allocation failure. */
static long add_key(hs_monthly *m, size_t ri, hs_err *err)
{
    if ((m->nkeys + 1) * 2 > m->key_hash_cap) {
        int rc = grow_key_hash(m, err);
        if (rc < 0)
            return rc;
    }
    const hs_monthly_row *r = &m->rows[ri];
    size_t h = hash_key(r->unit, r->period) & (m->key_hash_cap - 1);
    while (m->key_hash[h]) {
        const hs_monthly_row *o = &m->rows[m->key_hash[h] - 1];
        if (o->unit == r->unit && o->period == r->period)
            return (long)o->line;
        h = (h + 1) & (m->key_hash_cap - 1);
    }
    m->key_hash[h] = (uint32_t)ri + 1;
    m->nkeys++;
    return 0;
}


/* Header check. Returns 1 if it is right; otherwise records the error. */
static int check_header(hs_monthly *m, const hs_csv_record *r)
{
    const char *const *want = hs_monthly_columns(m->kind);
    int ok = r->nfields == HS_MONTHLY_NCOLS;
    for (size_t i = 0; ok && i < HS_MONTHLY_NCOLS; i++)
        ok = r->len[i] == strlen(want[i]) && !memcmp(r->field[i], want[i], r->len[i]);
    if (ok)
        return 1;
    char found[256];
    size_t o = 0;
    size_t n = r->nfields < HS_CSV_MAX_FIELDS ? r->nfields : HS_CSV_MAX_FIELDS;
    for (size_t i = 0; i < n && o + 1 < sizeof found; i++) {
        if (i)
            found[o++] = ',';
        size_t k = r->len[i] < sizeof found - 1 - o ? r->len[i] : sizeof found - 1 - o;
        memcpy(found + o, r->field[i], k);
        o += k;
    }
    char q[400];
    hs_csv_quote(found, o, q, sizeof q);
    /* A file meant for the other command is the commonest mistake: say so. */
    hs_monthly_kind okind = m->kind == HS_MONTHLY_CASES ? HS_MONTHLY_OUTREACH : HS_MONTHLY_CASES;
    const char *const *other = hs_monthly_columns(okind);
    int is_other = r->nfields == HS_MONTHLY_NCOLS;
    for (size_t i = 0; is_other && i < HS_MONTHLY_NCOLS; i++)
        is_other = r->len[i] == strlen(other[i]) && !memcmp(r->field[i], other[i], r->len[i]);
    char hint[96] = "";
    if (is_other)
        snprintf(hint, sizeof hint, " (that is %s %s file: use `hotspot import %s`)",
                 okind == HS_MONTHLY_CASES ? "a" : "an", hs_monthly_kind_name(okind),
                 hs_monthly_kind_name(okind));
    hs_errlist_add(&m->errors, r->line,
                   "line %lu: wrong header: expected '%s,%s,%s,%s,%s', found %s%s", r->line,
                   want[0], want[1], want[2], want[3], want[4], q, hint);
    return 0;
}

static int add_row(hs_monthly *m, hs_monthly_row *row, hs_err *err)
{
    if (m->nrows >= HS_MONTHLY_MAX_ROWS)
        return hs_err_set(err, HS_ELIMIT,
                          "line %u: more than %lu data rows, the limit for one import: split "
                          "the file (e.g. by year)",
                          row->line, HS_MONTHLY_MAX_ROWS);
    if (m->nrows == m->rows_cap) {
        size_t ncap = m->rows_cap ? m->rows_cap * 2 : 1024;
        if (ncap > HS_MONTHLY_MAX_ROWS)
            ncap = HS_MONTHLY_MAX_ROWS;
        hs_monthly_row *p = realloc(m->rows, ncap * sizeof *p);
        if (!p)
            return hs_err_set(err, HS_ENOMEM, "cannot grow the row table to %zu rows", ncap);
        m->rows = p;
        m->rows_cap = ncap;
    }
    m->rows[m->nrows++] = *row;
    return HS_OK;
}

/* Validates one data record; records its errors; stores it if the code is usable. */
static int take_record(hs_monthly *m, const hs_csv_record *r, hs_err *err)
{
    const char *const *col = hs_monthly_columns(m->kind);
    unsigned long line = r->line;
    if (r->nfields != HS_MONTHLY_NCOLS) {
        hs_errlist_add(&m->errors, line, "line %lu: %zu field%s, expected %d (%s,%s,%s,%s,%s)",
                       line, r->nfields, r->nfields == 1 ? "" : "s", HS_MONTHLY_NCOLS, col[0],
                       col[1], col[2], col[3], col[4]);
        return HS_OK;
    }
    int utf8_ok[HS_MONTHLY_NCOLS];
    for (int i = 0; i < HS_MONTHLY_NCOLS; i++) {
        size_t bad = 0;
        utf8_ok[i] = hs_csv_check_utf8(r->field[i], r->len[i], &bad) == 0;
        if (!utf8_ok[i])
            hs_errlist_add(&m->errors, line,
                           "line %lu, column %s: byte 0x%02X at position %zu is not UTF-8 "
                           "(save the file as UTF-8)",
                           line, col[i], (unsigned char)r->field[i][bad], bad + 1);
    }
    hs_monthly_row row = {.line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line};
    int have_code = 0, have_period = 0;
    char q[128];
    if (utf8_ok[0]) {
        if (r->len[0] == 0) {
            hs_errlist_add(&m->errors, line, "line %lu, column unit_code: unit code is empty",
                           line);
        } else if (!hs_unit_code_ok(r->field[0], r->len[0])) {
            hs_errlist_add(&m->errors, line,
                           "line %lu, column unit_code: %s is not a unit code (1-%d letters, "
                           "digits, '_', '.', '-')",
                           line, hs_csv_quote(r->field[0], r->len[0], q, sizeof q),
                           HS_MONTHLY_MAX_CODE_LEN);
        } else {
            int rc = intern_code(m, r->field[0], r->len[0], &row.unit, err);
            if (rc < 0)
                return rc;
            have_code = 1;
        }
    }
    hs_err fe = {0};
    if (utf8_ok[1]) {
        int y = 0, mo = 0;
        if (hs_csv_parse_period(r->field[1], r->len[1], &y, &mo, &fe) < 0) {
            hs_errlist_add(&m->errors, line, "line %lu, column period: %s", line, fe.msg);
        } else {
            row.period = (uint16_t)((y - 1900) * 12 + mo - 1);
            have_period = 1;
        }
    }
    for (int i = 0; i < 3; i++)
        if (utf8_ok[2 + i] &&
            hs_csv_parse_count(r->field[2 + i], r->len[2 + i], &row.v[i], &fe) < 0)
            hs_errlist_add(&m->errors, line, "line %lu, column %s: %s", line, col[2 + i], fe.msg);
    if (!have_code)
        return HS_OK;
    int rc = add_row(m, &row, err);
    if (rc < 0 || !have_period)
        return rc;
    long first = add_key(m, m->nrows - 1, err);
    if (first < 0)
        return (int)first;
    if (first > 0) {
        char p[8];
        hs_errlist_add(&m->errors, line,
                       "line %lu, columns unit_code,period: duplicate row for unit %s, period "
                       "%s (first on line %ld)",
                       line, m->codes[row.unit], hs_monthly_period_str(row.period, p), first);
        return HS_OK;
    }
    if (!m->period_seen[row.period]) {
        m->period_seen[row.period] = 1;
        m->nperiods++;
    }
    if (row.period < m->period_min)
        m->period_min = row.period;
    if (row.period > m->period_max)
        m->period_max = row.period;
    return HS_OK;
}

int hs_monthly_parse(hs_monthly *m, const void *buf, size_t len, hs_err *err)
{
    const char *const *col = hs_monthly_columns(m->kind);
    hs_csv c;
    hs_csv_init(&c, buf, len);
    hs_csv_record r;
    hs_err e = {0};
    int rc = hs_csv_next(&c, &r, &e);
    if (rc == 0) {
        hs_errlist_add(&m->errors, 1,
                       "line 1: the file is empty (expected the header "
                       "'%s,%s,%s,%s,%s')",
                       col[0], col[1], col[2], col[3], col[4]);
        rc = HS_OK;
        goto done;
    }
    if (rc == HS_EINVAL) {
        hs_errlist_add(&m->errors, r.line, "line %lu: header: %s", r.line, e.msg);
        rc = HS_OK;
        goto done;
    }
    /* A wrong header leaves the columns unknown: stop rather than guess. */
    if (rc < 0 || !check_header(m, &r)) {
        if (rc < 0)
            hs_err_set(err, rc, "%s", e.msg);
        rc = rc < 0 ? rc : HS_OK;
        goto done;
    }
    for (;;) {
        rc = hs_csv_next(&c, &r, &e);
        if (rc == 0)
            break;
        if (rc == HS_EINVAL) {
            m->records++;
            if (r.bad_field < HS_MONTHLY_NCOLS)
                hs_errlist_add(&m->errors, r.line, "line %lu, column %s: %s", r.line,
                               col[r.bad_field], e.msg);
            else
                hs_errlist_add(&m->errors, r.line, "line %lu, field %zu: %s", r.line,
                               r.bad_field + 1, e.msg);
            continue;
        }
        if (rc < 0) {
            hs_err_set(err, rc, "%s", e.msg);
            goto done;
        }
        m->records++;
        rc = take_record(m, &r, err);
        if (rc < 0)
            goto done;
    }
    rc = HS_OK;
done:
    hs_csv_free(&c);
    return rc;
}

void hs_monthly_report_unknown(hs_monthly *m, const char *const *unknown, size_t n)
{
    if (n == 0 || m->ncodes == 0)
        return;
    unsigned char *flag = calloc(m->ncodes, 1);
    if (!flag) {
        hs_errlist_add(&m->errors, 0, "%zu unknown unit codes (out of memory listing them)", n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        long k = find_code(m, unknown[i], strlen(unknown[i]));
        if (k >= 0)
            flag[k] = 1;
    }
    for (size_t i = 0; i < m->nrows; i++) {
        const hs_monthly_row *r = &m->rows[i];
        if (flag[r->unit])
            hs_errlist_add(&m->errors, r->line,
                           "line %u, column unit_code: unknown unit %s (not in the database: "
                           "import the units first)",
                           r->line, m->codes[r->unit]);
    }
    free(flag);
}
