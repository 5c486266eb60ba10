#include "hs_threadctx.h"

#include "hs_cairolib.h"
#include "hs_projlib.h"
#include <pthread.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t proj_key, render_key;
static int keys_ok;

static void free_proj(void *p)
{
    hs_proj_ctx_free(p);
}

static void free_render(void *p)
{
    hs_render_ctx_free(p);
}

/* Keys are created once per process (the only start-up global here) and never
 * changed afterwards. */
static void make_keys(void)
{
    keys_ok = pthread_key_create(&proj_key, free_proj) == 0 &&
              pthread_key_create(&render_key, free_render) == 0;
}

hs_proj_ctx *hs_threadctx_proj(hs_err *err)
{
    pthread_once(&once, make_keys);
    if (!keys_ok) {
        hs_err_set(err, HS_EINTERNAL, "cannot create thread-local keys");
        return NULL;
    }
    hs_proj_ctx *c = pthread_getspecific(proj_key);
    if (!c && (c = hs_proj_ctx_new(err)) != NULL && pthread_setspecific(proj_key, c) != 0) {
        hs_proj_ctx_free(c);
        hs_err_set(err, HS_ENOMEM, "cannot keep the thread's PROJ context");
        return NULL;
    }
    return c;
}

hs_render_ctx *hs_threadctx_render(hs_err *err)
{
    pthread_once(&once, make_keys);
    if (!keys_ok) {
        hs_err_set(err, HS_EINTERNAL, "cannot create thread-local keys");
        return NULL;
    }
    hs_render_ctx *c = pthread_getspecific(render_key);
    if (!c && (c = hs_render_ctx_new(err)) != NULL && pthread_setspecific(render_key, c) != 0) {
        hs_render_ctx_free(c);
        hs_err_set(err, HS_ENOMEM, "cannot keep the thread's render context");
        return NULL;
    }
    return c;
}

void hs_threadctx_release(void)
{
    pthread_once(&once, make_keys);
    if (!keys_ok)
        return;
    hs_proj_ctx_free(pthread_getspecific(proj_key));
    hs_render_ctx_free(pthread_getspecific(render_key));
    pthread_setspecific(proj_key, NULL);
    pthread_setspecific(render_key, NULL);
}

int hs_threadctx_preload(hs_err *err)
{
    int rc = hs_projlib_load(err);
    return rc < 0 ? rc : hs_cairolib_load(err);
}

void hs_threadctx_process_cleanup(void)
{
    /* A command that never drew has not loaded the libraries: nothing to free, and
     * calling them would load them now. */
    if (!hs_cairolib_loaded())
        return;
    cairo_debug_reset_static_data();
    FcFini();
}
