/* hs_ratelimit: request rates per client, one token bucket each.
 *
 * A client is a token (any role but public) or, for the public, a client address.
 * Each role has a rate r (requests per second; 0 = unlimited) and a burst of 2r
 * (at least 1): a bucket holds up to the burst, refills at r per second, and each
 * request takes one. An empty bucket means 429 with Retry-After
 * (server/http/hs_http.c).
 *
 * Memory is bounded: a fixed table of HS_RATELIMIT_SLOTS buckets, open addressing
 * over a short probe window. When the window is full, the bucket seen least
 * recently is reused; such a client only starts again with a full bucket, so
 * eviction can never make a request wait, only forget a debt.
 *
 * Threads: thread-safe; one mutex (`lock`) held for a lookup and an update only.
 */
#ifndef HS_RATELIMIT_H
#define HS_RATELIMIT_H

#include "hs_buf.h"
#include "hs_err.h"
#include "hs_token.h"

#define HS_RATELIMIT_SLOTS 8192
#define HS_RATELIMIT_KEY_MAX 80

typedef struct hs_ratelimit hs_ratelimit;

/* rate[role] for each hs_role (HS_ROLE_PUBLIC..HS_ROLE_OPERATOR). Caller frees with
 * hs_ratelimit_destroy. */
int hs_ratelimit_create(const double rate[4], hs_ratelimit **out, hs_err *err);
void hs_ratelimit_destroy(hs_ratelimit *rl);

/* Takes one request for `key` (a token id or address, as text) at time `now`
 * (monotonic seconds). Returns 1 when allowed, 0 when over the rate; then
 * *retry_after holds the seconds until one request is allowed again. *rate
 * receives the role's rate. rl == NULL allows everything. */
int hs_ratelimit_take(hs_ratelimit *rl, hs_role role, const char *key, double now,
                      double *retry_after, double *rate);

/* Appends hotspot_rate_limited_total (requests refused, by role). Accepts NULL. */
void hs_ratelimit_metrics_write(hs_ratelimit *rl, hs_buf *o, hs_err *err);

#endif
