/* hs_datapack: the analysis cache behind hs_data (hs.analysis_cache,
 * sql/004_analysis_cache.sql): one packed bytea per request shape, so a second load of
 * the same unit set or series at the same version fetches one value instead of running
 * the joins, with bit-identical contents.
 *
 * A key names the shape: "units|LEVEL|PROVINCE|POP_YEAR" for a unit set (valid under
 * hs.data_version.units_version, which an import of counts leaves alone),
 * "series|<the unit set's key>|INDICATOR|FROM|TO" for a series (valid under the data
 * version). Payloads are checked in full when read: a corrupt, foreign or stale row is
 * a miss, never a crash. The lookups and stores never fail a load: inside a caller's
 * open transaction, on a read-only connection (a replica, a read-only role) or
 * without the table they do nothing. Only hs_data.c calls them. */
#ifndef HS_DATAPACK_H
#define HS_DATAPACK_H

#include <libpq-fe.h>
#include <stddef.h>

#include "hs_buf.h"
#include "hs_data.h"

/* The unit set or series cached under key, or NULL on a miss. *version gets the
 * current version of the key's counter, to pass to the store after a slow load; -1
 * when the cache cannot be used on this connection. The caller frees the result
 * (hs_unitset_free, hs_series_free); a unit set's strings are one block (u->strings). */
hs_unitset *hs_datapack_get_units(PGconn *c, const char *key, hs_level level,
                                  long long *version);
hs_series *hs_datapack_get_series(PGconn *c, const char *key, int n, int T, int from,
                                  long long *version);

/* Stores u / s under key if `version` (from the lookup) is still current: a change
 * committed during the slow load has bumped it, and the possibly mixed data is not
 * stored. Also drops stale rows and keeps at most 256 shapes. Best effort, silent. */
void hs_datapack_put_units(PGconn *c, const char *key, long long version, const hs_unitset *u);
void hs_datapack_put_series(PGconn *c, const char *key, long long version,
                            const hs_series *s);

/* The payloads themselves, without the database: packing appends to b (a failed
 * append marks b failed, and a failed buffer is never stored); reading returns NULL
 * unless p[0..len) is a whole valid payload of that shape (the unit set's level, the
 * series' n units x T months from `from`). */
void hs_datapack_units(const hs_unitset *u, hs_buf *b);
hs_unitset *hs_datapack_units_read(const unsigned char *p, size_t len, hs_level level);
void hs_datapack_series(const hs_series *s, hs_buf *b);
hs_series *hs_datapack_series_read(const unsigned char *p, size_t len, int n, int T, int from);

#endif
