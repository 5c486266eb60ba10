/* hs_migrate: numbered SQL migrations (sql/NNN_name.sql), each applied once.
 *
 * Each file runs in its own transaction together with its row in hs.migration
 * (version, name, checksum = sha256 of the file, applied_at), so a failing file
 * leaves nothing behind. A session advisory lock serialises concurrent runs. A file
 * whose checksum differs from the applied one is refused: applied migrations are
 * history; changes go into a new file. Files must not contain BEGIN/COMMIT or
 * statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY).
 */
#ifndef HS_MIGRATE_H
#define HS_MIGRATE_H

#include <stddef.h>
#include <stdio.h>

#include <libpq-fe.h>

#include "hs_err.h"

/* Largest SQL file read (migrations, demo scripts). */
#define HS_MIGRATE_FILE_MAX ((size_t)16 << 20)

/* Applies the pending migrations of `sql_dir` in version order, printing one line
 * per applied file to `log` (may be NULL). *applied (may be NULL) gets the count. */
int hs_migrate_run(PGconn *c, const char *sql_dir, FILE *log, int *applied, hs_err *err);

/* Reads a whole file (at most `limit` bytes) into a NUL-terminated buffer the
 * caller frees with free(). */
int hs_migrate_read_file(const char *path, size_t limit, char **out, size_t *len, hs_err *err);

/* Sorted names of the regular files in `dir` whose names end in ".sql" and, when
 * `numbered`, start with three digits and '_'. Caller frees with
 * hs_migrate_free_list(). */
int hs_migrate_list(const char *dir, int numbered, char ***names, int *count, hs_err *err);
void hs_migrate_free_list(char **names, int count);

#endif
