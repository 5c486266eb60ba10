#include "hs_cancel.h"

/* The only thread-local here: set by a heavy-job worker around one job, read by the
 * pipeline on the same thread (see the header). */
static _Thread_local const atomic_int *current;

int hs_cancel_error(const atomic_int *flag, const char *what, hs_err *err)
{
    switch (hs_cancel_reason(flag)) {
    case HS_CANCEL_BUDGET:
        return hs_err_set(err, HS_ECANCELED, "%s stopped: the request's time budget ran out", what);
    case HS_CANCEL_CLIENT:
        return hs_err_set(err, HS_ECANCELED, "%s stopped: the client closed the connection", what);
    case HS_CANCEL_SHUTDOWN:
        return hs_err_set(err, HS_ECANCELED, "%s stopped: the server is shutting down", what);
    default:
        return hs_err_set(err, HS_ECANCELED, "%s stopped", what);
    }
}

const atomic_int *hs_cancel_current(void)
{
    return current;
}

void hs_cancel_set_current(const atomic_int *flag)
{
    current = flag;
}
