/* hs_pgcopy: bulk loading with COPY ... FROM STDIN (text format) over libpq.
 *
 * Rows are built in a caller-owned hs_buf with hs_pgcopy_field()/hs_pgcopy_eol() and
 * sent with hs_pgcopy_flush() whenever the buffer passes a chunk size, so memory stays
 * flat however many rows are loaded. COPY is several times faster than INSERTs and
 * needs no per-row round trip. Errors become hs_err here (the libpq boundary for COPY).
 */
#ifndef HS_PGCOPY_H
#define HS_PGCOPY_H

#include <libpq-fe.h>
#include <stddef.h>

#include "hs_buf.h"
#include "hs_err.h"

#define HS_PGCOPY_CHUNK ((size_t)256 << 10)

/* Runs `sql` (a COPY ... FROM STDIN) and checks the server is ready for data. */
int hs_pgcopy_begin(PGconn *c, const char *sql, hs_err *err);

/* Appends one text-format field, escaping backslash, tab, CR and LF; `first` omits the
 * leading tab. s == NULL writes SQL NULL (\N). */
int hs_pgcopy_field(hs_buf *b, int first, const char *s, size_t n, hs_err *err);
/* Ends a row. */
int hs_pgcopy_eol(hs_buf *b, hs_err *err);

/* Sends the buffered rows if at least `min` bytes are waiting (0: send all) and
 * empties the buffer. */
int hs_pgcopy_flush(PGconn *c, hs_buf *b, size_t min, hs_err *err);

/* Sends what is left and finishes the COPY; returns the server's verdict. */
int hs_pgcopy_end(PGconn *c, hs_buf *b, hs_err *err);

/* Aborts a COPY in progress (on an error path), so the connection is usable for
 * ROLLBACK. Never fails loudly. */
void hs_pgcopy_abort(PGconn *c, const char *why);

#endif
