/* hs_metrics: request counters and latency histograms for /metrics.
 *
 * Lock-free: C11 atomics only, so recording a request costs a few relaxed atomic
 * adds on the worker thread. Rows are per route (the route index, plus one row for
 * requests that matched no route) and per status code; the label set is bounded
 * (routes are fixed at start-up, status codes outside the tracked list count as
 * "other"), so a scan of random URLs cannot blow up the series count.
 */
#ifndef HS_METRICS_H
#define HS_METRICS_H

#include <stddef.h>

#include "hs_buf.h"
#include "hs_err.h"

typedef struct hs_metrics hs_metrics;
struct hs_router;

/* Caller frees with hs_metrics_destroy. NULL when out of memory. */
hs_metrics *hs_metrics_create(void);
void hs_metrics_destroy(hs_metrics *m);

/* route_index < 0: the request matched no route. */
void hs_metrics_request(hs_metrics *m, int route_index, int status, double seconds,
                        size_t bytes);
/* Requests being handled right now (+1 when one starts, -1 when it ends). */
void hs_metrics_active(hs_metrics *m, int delta);

/* Appends the HTTP series in Prometheus text format 0.0.4 (route labels from r). */
int hs_metrics_write(hs_metrics *m, const struct hs_router *r, hs_buf *out, hs_err *err);

#endif
