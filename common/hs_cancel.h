/* hs_cancel: a cancellation flag that long computations poll.
 *
 * A heavy HTTP job (server/http/hs_heavy) owns an atomic int that its watchdog sets
 * to a reason (HS_CANCEL_BUDGET, _CLIENT, _SHUTDOWN) when the job's time budget
 * runs out, its client leaves or the server stops. The permutation and scan loops
 * in analysis/ take the flag explicitly (a `cancel` pointer in their options; NULL
 * = never cancelled) and return HS_ECANCELED soon after it is set, so analysis/
 * stays pure and testable.
 *
 * How the flag gets from the job to those options: the job's worker thread makes it
 * the thread's current flag for the job's duration (hs_cancel_set_current), and
 * server/pipeline reads it (hs_cancel_current) where it fills the analysis options.
 * Thread-local on purpose: the routes' render callbacks and the pipeline's
 * signatures stay as they are, and a flag can never leak to another thread's job.
 */
#ifndef HS_CANCEL_H
#define HS_CANCEL_H

#include <stdatomic.h>

#include "hs_err.h"

enum {
    HS_CANCEL_NONE = 0,
    HS_CANCEL_BUDGET = 1,   /* the job's time budget ran out */
    HS_CANCEL_CLIENT = 2,   /* the client closed the connection */
    HS_CANCEL_SHUTDOWN = 3  /* the server is stopping */
};

/* The reason stored in *flag, or HS_CANCEL_NONE (also for flag == NULL). Cheap: a
 * relaxed load, fit for inner loops. */
static inline int hs_cancel_reason(const atomic_int *flag)
{
    return flag ? atomic_load_explicit(flag, memory_order_relaxed) : HS_CANCEL_NONE;
}

/* Sets err to HS_ECANCELED with a message naming the reason and `what` (the
 * computation, e.g. "permutation test"); returns HS_ECANCELED. */
int hs_cancel_error(const atomic_int *flag, const char *what, hs_err *err);

/* The calling thread's current flag (NULL outside a heavy job). */
const atomic_int *hs_cancel_current(void);
/* Makes flag the calling thread's current flag (NULL to clear). */
void hs_cancel_set_current(const atomic_int *flag);

#endif
