/* hs_outfile: how every command writes its --out file.
 *
 * Written through a temporary file in the same directory, then renamed, so a failed
 * or interrupted run never leaves a half-written table or image behind. "-" or NULL
 * means standard output. */
#ifndef HS_OUTFILE_H
#define HS_OUTFILE_H

#include "hs_buf.h"
#include "hs_err.h"

int hs_outfile_write(const char *path, const hs_buf *b, hs_err *err);

#endif
