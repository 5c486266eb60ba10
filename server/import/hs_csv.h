/* hs_csv: an RFC 4180 CSV reader over a memory buffer, plus the strict field parsers
 * the monthly importers use (period, count, UTF-8). No I/O: the caller maps or reads
 * the file, so the same code is driven by the importer, the unit tests and the fuzzer.
 *
 * Accepted: comma separator; fields optionally quoted with '"' ("" inside quotes is a
 * literal quote; quoted fields may hold commas and line breaks); CRLF, LF or lone CR
 * line ends; an optional UTF-8 byte-order mark at the very start; a missing final line
 * end. Lines with no characters at all are skipped (spreadsheets append them).
 * Rejected, with the field index: a quote inside an unquoted field, a character after
 * a closing quote, an unterminated quoted field, a record longer than
 * HS_CSV_MAX_RECORD bytes.
 */
#ifndef HS_CSV_H
#define HS_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "hs_buf.h"
#include "hs_err.h"

#define HS_CSV_MAX_FIELDS 64                 /* fields stored per record; more are only counted */
#define HS_CSV_MAX_RECORD ((size_t)64 << 10) /* bytes of field data per record */

typedef struct hs_csv {
    const unsigned char *buf; /* borrowed: must outlive the reader */
    size_t len;
    size_t pos;
    unsigned long line; /* physical line (1-based) at pos */
    int had_bom;
    hs_buf data; /* the current record's unescaped fields, each NUL-terminated */
    size_t off[HS_CSV_MAX_FIELDS];
} hs_csv;

typedef struct hs_csv_record {
    unsigned long line; /* physical line on which the record starts */
    size_t nfields;     /* fields in the record; may exceed HS_CSV_MAX_FIELDS */
    /* The first min(nfields, HS_CSV_MAX_FIELDS) fields, unescaped and NUL-terminated
     * (a field may also contain NUL bytes: use len). Borrowed until the next call. */
    const char *field[HS_CSV_MAX_FIELDS];
    size_t len[HS_CSV_MAX_FIELDS];
    size_t bad_field; /* on a syntax error: index of the field at fault */
} hs_csv_record;

/* Starts reading `buf` (borrowed), skipping a UTF-8 BOM. Free with hs_csv_free(). */
void hs_csv_init(hs_csv *c, const void *buf, size_t len);
void hs_csv_free(hs_csv *c);

/* Reads the next record. Returns 1 with *r filled, 0 at the end of the input, or
 * HS_EINVAL on a syntax error: err names the problem (without the line, which is
 * r->line, nor the column, which is r->bad_field), and the reader has skipped to the
 * next line so the caller can go on collecting errors. HS_ENOMEM on allocation failure. */
int hs_csv_next(hs_csv *c, hs_csv_record *r, hs_err *err);

/* Checks that s[0..n) is well-formed UTF-8 without NUL bytes, overlong forms or
 * surrogates. Returns 0, or -1 with *bad = offset of the first bad byte. */
int hs_csv_check_utf8(const char *s, size_t n, size_t *bad);

/* Writes s[0..n) into out (size outn >= 8) for use in an error message: quoted,
 * control characters and bytes that are not UTF-8 as \xHH, cut with "..." past
 * outn/3 characters (~40 for a 128-byte buffer). Returns out. */
const char *hs_csv_quote(const char *s, size_t n, char *out, size_t outn);

/* period "YYYY-MM", year 1900..2200, month 01..12. The message (on HS_EINVAL) quotes
 * the value and says what was expected. */
int hs_csv_parse_period(const char *s, size_t n, int *year, int *month, hs_err *err);

/* A count: decimal digits only, 0..INT32_MAX (the database columns are integer). The
 * message distinguishes empty, negative, non-integer and too large. */
int hs_csv_parse_count(const char *s, size_t n, int32_t *out, hs_err *err);

#endif
