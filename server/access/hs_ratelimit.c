#include "hs_ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROBE 16 /* slots looked at per key */

typedef struct bucket {
    char key[HS_RATELIMIT_KEY_MAX];
    double tokens;
    double last; /* monotonic seconds of the last refill; 0 = free slot */
} bucket;

struct hs_ratelimit {
    double rate[4], burst[4];
    pthread_mutex_t lock; /* guards slots and limited */
    unsigned long long limited[4];
    bucket slots[HS_RATELIMIT_SLOTS];
};

int hs_ratelimit_create(const double rate[4], hs_ratelimit **out, hs_err *err)
{
    *out = NULL;
    hs_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the rate limiter");
    for (int r = 0; r < 4; r++) {
        if (!(rate[r] >= 0) || rate[r] > 1e6) {
            free(rl);
            return hs_err_set(err, HS_EINVAL, "rate-%s must be from 0 to 1000000 requests per "
                              "second (got %g)", hs_role_name((hs_role)r), rate[r]);
        }
        rl->rate[r] = rate[r];
        rl->burst[r] = fmax(1.0, ceil(2.0 * rate[r]));
    }
    pthread_mutex_init(&rl->lock, NULL);
    *out = rl;
    return HS_OK;
}

void hs_ratelimit_destroy(hs_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

/* FNV-1a 64: keys are our own text (token ids, addresses), no adversarial choice of
 * hash inputs beyond an address, and a collision only shares a probe window. */
static uint64_t key_hash(const char *k)
{
    uint64_t h = 1469598103934665603ull;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

int hs_ratelimit_take(hs_ratelimit *rl, hs_role role, const char *key, double now,
                      double *retry_after, double *rate)
{
    *retry_after = 0;
    int ri = (int)role;
    if (!rl || ri < 0 || ri > 3 || !(rl->rate[ri] > 0)) {
        *rate = rl && ri >= 0 && ri <= 3 ? rl->rate[ri] : 0;
        return 1;
    }
    double r = rl->rate[ri], cap = rl->burst[ri];
    *rate = r;
    char k[HS_RATELIMIT_KEY_MAX];
    size_t kl = strlen(key);
    if (kl >= sizeof k)
        kl = sizeof k - 1;
    memcpy(k, key, kl);
    k[kl] = '\0';
    size_t base = (size_t)(key_hash(k) % HS_RATELIMIT_SLOTS);
    pthread_mutex_lock(&rl->lock);
    bucket *b = NULL, *oldest = NULL;
    for (size_t i = 0; i < PROBE && !b; i++) {
        bucket *c = &rl->slots[(base + i) % HS_RATELIMIT_SLOTS];
        if (c->last > 0 && !strcmp(c->key, k))
            b = c;
        else if (!oldest || c->last < oldest->last)
            oldest = c;
    }
    if (!b) {
        b = oldest;
        memcpy(b->key, k, kl + 1);
        b->tokens = cap;
        b->last = now;
    }
    b->tokens = fmin(cap, b->tokens + (now - b->last) * r);
    b->last = now > 0 ? now : 1e-9;
    int ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else {
        *retry_after = (1.0 - b->tokens) / r;
        rl->limited[ri]++;
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}

void hs_ratelimit_metrics_write(hs_ratelimit *rl, hs_buf *o, hs_err *err)
{
    if (!rl)
        return;
    unsigned long long n[4];
    pthread_mutex_lock(&rl->lock);
    memcpy(n, rl->limited, sizeof n);
    pthread_mutex_unlock(&rl->lock);
    hs_buf_printf(o, err, "# HELP hotspot_rate_limited_total Requests refused with 429, by role.\n"
                          "# TYPE hotspot_rate_limited_total counter\n");
    for (int r = 0; r < 4; r++)
        hs_buf_printf(o, err, "hotspot_rate_limited_total{role=\"%s\"} %llu\n",
                      hs_role_name((hs_role)r), n[r]);
}
