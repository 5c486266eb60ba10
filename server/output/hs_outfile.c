#include "hs_outfile.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int hs_outfile_write(const char *path, const hs_buf *b, hs_err *err)
{
    if (!path || !strcmp(path, "-"))
        return fwrite(b->data, 1, b->len, stdout) == b->len && fflush(stdout) == 0
                   ? HS_OK
                   : hs_err_set(err, HS_EIO, "cannot write to standard output");
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return hs_err_set(err, HS_EINVAL, "--out path is too long");
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return hs_err_set(err, HS_EIO, "cannot create --out %s: %m", path);
    int ok = fwrite(b->data, 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return hs_err_set(err, HS_EIO, "cannot write --out %s: %m", path);
    }
    return HS_OK;
}
