#include "hs_metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "hs_router.h"

/* Tracked status codes; anything else is counted in the last slot. */
static const int status_codes[] = {200, 204, 304, 400, 404, 405, 413, 414, 500, 503};
#define NSTATUS (sizeof status_codes / sizeof status_codes[0] + 1)
/* Latency bucket upper bounds in seconds (Prometheus `le`), +Inf implied. */
static const double buckets[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])
#define NROWS (HS_ROUTER_MAX_ROUTES + 1) /* last row: unmatched */

typedef struct {
    atomic_uint_fast64_t by_status[NSTATUS];
    atomic_uint_fast64_t bucket[NBUCKETS]; /* non-cumulative; summed when written */
    atomic_uint_fast64_t count;
    atomic_uint_fast64_t sum_us;
    atomic_uint_fast64_t bytes;
} route_row;

struct hs_metrics {
    route_row rows[NROWS];
    atomic_int_fast64_t active;
};

hs_metrics *hs_metrics_create(void)
{
    /* calloc gives all-zero atomics, which is their valid zero state on every
     * platform we build for (lock-free 64-bit atomics). */
    return calloc(1, sizeof(hs_metrics));
}

void hs_metrics_destroy(hs_metrics *m)
{
    free(m);
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (status_codes[i] == status)
            return i;
    return NSTATUS - 1;
}

void hs_metrics_request(hs_metrics *m, int route_index, int status, double seconds, size_t bytes)
{
    size_t r = route_index < 0 || route_index >= HS_ROUTER_MAX_ROUTES ? NROWS - 1
                                                                        : (size_t)route_index;
    route_row *row = &m->rows[r];
    atomic_fetch_add_explicit(&row->by_status[status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    if (b < NBUCKETS)
        atomic_fetch_add_explicit(&row->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&row->count, 1, memory_order_relaxed);
    if (seconds < 0)
        seconds = 0;
    atomic_fetch_add_explicit(&row->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
    atomic_fetch_add_explicit(&row->bytes, bytes, memory_order_relaxed);
}

void hs_metrics_active(hs_metrics *m, int delta)
{
    atomic_fetch_add_explicit(&m->active, delta, memory_order_relaxed);
}

/* Route patterns are ours (ASCII, no quotes), so they are safe as label values. */
static const char *row_label(const hs_router *r, size_t i)
{
    if (i == NROWS - 1)
        return "unmatched";
    const hs_route *rt = hs_router_get(r, i);
    return rt ? hs_route_pattern(rt) : NULL;
}

int hs_metrics_write(hs_metrics *m, const hs_router *r, hs_buf *o, hs_err *err)
{
    hs_buf_printf(o, err,
                  "# HELP hotspot_http_requests_total HTTP requests by route pattern and status.\n"
                  "# TYPE hotspot_http_requests_total counter\n");
    for (size_t i = 0; i < NROWS; i++) {
        const char *label = row_label(r, i);
        if (!label)
            continue;
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = atomic_load_explicit(&m->rows[i].by_status[s], memory_order_relaxed);
            if (!v)
                continue;
            if (s < NSTATUS - 1)
                hs_buf_printf(o, err, "hotspot_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                              label, status_codes[s], (unsigned long long)v);
            else
                hs_buf_printf(o, err, "hotspot_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                              label, (unsigned long long)v);
        }
    }
    hs_buf_printf(o, err,
                  "# HELP hotspot_http_request_duration_seconds Time from request line to response queued.\n"
                  "# TYPE hotspot_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < NROWS; i++) {
        const char *label = row_label(r, i);
        route_row *row = &m->rows[i];
        uint64_t count = atomic_load_explicit(&row->count, memory_order_relaxed);
        if (!label || !count)
            continue;
        uint64_t cum = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            cum += atomic_load_explicit(&row->bucket[b], memory_order_relaxed);
            hs_buf_printf(o, err,
                          "hotspot_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                          label, buckets[b], (unsigned long long)cum);
        }
        /* Counters are read one by one, so +Inf uses count to stay >= every bucket. */
        if (count < cum)
            count = cum;
        hs_buf_printf(o, err,
                      "hotspot_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n"
                      "hotspot_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                      "hotspot_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
                      label, (unsigned long long)count, label,
                      (double)atomic_load_explicit(&row->sum_us, memory_order_relaxed) / 1e6, label,
                      (unsigned long long)count);
    }
    hs_buf_printf(o, err, "# HELP hotspot_http_response_bytes_total Response body bytes by route.\n"
                          "# TYPE hotspot_http_response_bytes_total counter\n");
    for (size_t i = 0; i < NROWS; i++) {
        const char *label = row_label(r, i);
        uint64_t v = atomic_load_explicit(&m->rows[i].bytes, memory_order_relaxed);
        if (label && atomic_load_explicit(&m->rows[i].count, memory_order_relaxed))
            hs_buf_printf(o, err, "hotspot_http_response_bytes_total{route=\"%s\"} %llu\n", label,
                          (unsigned long long)v);
    }
    hs_buf_printf(o, err,
                  "# HELP hotspot_http_requests_active Requests being handled now.\n"
                  "# TYPE hotspot_http_requests_active gauge\n"
                  "hotspot_http_requests_active %lld\n",
                  (long long)atomic_load_explicit(&m->active, memory_order_relaxed));
    if (o->failed)
        return hs_err_set(err, HS_ELIMIT, "metrics output too large");
    return HS_OK;
}
