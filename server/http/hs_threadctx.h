/* hs_threadctx: the calling thread's PROJ and rendering contexts.
 *
 * PROJ contexts and Pango font maps must not be shared between threads. Server
 * worker threads get theirs lazily on first use, kept in thread-local storage
 * (pthread keys) and freed by the key destructors when the thread exits. The main
 * thread's keys are not destroyed at exit(): a command-line program calls
 * hs_threadctx_release() before it returns (ASan would report the leak otherwise).
 */
#ifndef HS_THREADCTX_H
#define HS_THREADCTX_H

#include "hs_err.h"
#include "hs_proj.h"
#include "hs_render.h"

/* This thread's contexts, created on first use. Borrowed: valid until the thread
 * exits or calls hs_threadctx_release. NULL with err filled on failure. */
hs_proj_ctx *hs_threadctx_proj(hs_err *err);
hs_render_ctx *hs_threadctx_render(hs_err *err);
/* Loads PROJ and Cairo/Pango now (they are loaded on first use otherwise,
 * maps/hs_projlib.h, maps/hs_cairolib.h): a server calls it at start-up, so a
 * missing library is an error there and no request pays for loading. */
int hs_threadctx_preload(hs_err *err);
/* Frees this thread's contexts now (they are recreated if used again). */
void hs_threadctx_release(void);
/* At process end, after every thread released its contexts: frees cairo's and
 * fontconfig's static caches so leak checkers see a clean exit. Nothing that renders
 * may run afterwards. */
void hs_threadctx_process_cleanup(void);

#endif
