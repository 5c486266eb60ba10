/* Static files for the dashboard: GET / and GET /web/{path*} from the web directory.
 *
 * Safe by construction rather than by filtering: every path segment must match
 * [A-Za-z0-9_-][A-Za-z0-9_.-]* (no leading dot, so no "..", no hidden files), the
 * file is opened one directory at a time with openat(O_NOFOLLOW) so no symlink can
 * lead outside web/, it must be a regular file under the size cap, and only the
 * extensions in the MIME table are served (anything else is 404).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hs_static.h"

#define STATIC_MAX_BYTES ((size_t)16 << 20)
#define STATIC_MAX_DEPTH 8

static const struct {
    const char *ext;
    const char *type;
} mime_table[] = {
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"geojson", "application/geo+json"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"csv", "text/csv; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"ico", "image/x-icon"},
    {"webp", "image/webp"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"webmanifest", "application/manifest+json"},
};

static const char *mime_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    for (size_t i = 0; i < sizeof mime_table / sizeof mime_table[0]; i++)
        if (!strcmp(dot + 1, mime_table[i].ext))
            return mime_table[i].type;
    return NULL;
}

static int segment_ok(const char *s, size_t n)
{
    if (n == 0 || n > 128 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int not_found(const char *rel, hs_err *err)
{
    return hs_err_set(err, HS_ENOTFOUND, "no file '%s' in the web directory", rel);
}

/* Opens rel (already validated) below dirfd without following symlinks. */
static int open_below(int dirfd, const char *rel, hs_err *err)
{
    int fd = dup(dirfd);
    if (fd < 0)
        return hs_err_set(err, HS_EIO, "cannot open the web directory: %s", strerror(errno));
    const char *s = rel;
    for (;;) {
        size_t n = strcspn(s, "/");
        char seg[129];
        memcpy(seg, s, n);
        seg[n] = '\0';
        int last = s[n] == '\0';
        int next = openat(fd, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? 0 : O_DIRECTORY));
        close(fd);
        if (next < 0)
            return not_found(rel, err);
        fd = next;
        if (last)
            return fd;
        s += n + 1;
    }
}

static int serve_below(hs_req *req, hs_resp *resp, const char *dir, const char *rel,
                       const char *what, hs_err *err);

int hs_static_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    const char *rel = hs_req_param(req, "path");
    return serve_below(req, resp, req->svc->web_dir, rel ? rel : "index.html", NULL, err);
}

/* The release folder: the files `hotspot publish` wrote, nothing else. The route
 * takes no query parameter (any is 400), so the public gets exactly the release. */
int hs_release_handle(hs_req *req, hs_resp *resp, hs_err *err)
{
    const char *rel = hs_req_param(req, "path");
    if (rel)
        return hs_release_file(req, resp, rel, err);
    /* GET /release: the page's links are relative, so it must be read from inside the
     * folder; send the browser there instead of serving it one level too high. */
    static const char msg[] = "see /release/index.html\n";
    int rc = hs_resp_bytes(resp, 308, "text/plain; charset=utf-8", msg, sizeof msg - 1, err);
    return rc == HS_OK ? hs_resp_header(resp, "Location", "/release/index.html", err) : rc;
}

int hs_release_file(hs_req *req, hs_resp *resp, const char *rel, hs_err *err)
{
    if (!req->svc->release_dir)
        return hs_err_set(err, HS_ENOTFOUND, "no release is published on this server");
    return serve_below(req, resp, req->svc->release_dir, rel, "release", err);
}

static int serve_below(hs_req *req, hs_resp *resp, const char *dir, const char *rel,
                       const char *what, hs_err *err)
{
    size_t depth = 0;
    for (const char *s = rel;; depth++) {
        size_t n = strcspn(s, "/");
        if (!segment_ok(s, n) || depth >= STATIC_MAX_DEPTH)
            return not_found(rel, err);
        if (!s[n])
            break;
        s += n + 1;
    }
    const char *type = mime_of(rel);
    if (!type)
        return not_found(rel, err);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return hs_err_set(err, HS_ENOTFOUND, "no %s installed (no directory %s)",
                          what ? what : "dashboard", dir);
    int fd = open_below(dirfd, rel, err);
    close(dirfd);
    if (fd < 0)
        return fd;
    struct stat st;
    int rc = HS_OK;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
        rc = not_found(rel, err);
    else if ((size_t)st.st_size > STATIC_MAX_BYTES)
        rc = hs_err_set(err, HS_ELIMIT, "'%s' is larger than %zu bytes", rel, STATIC_MAX_BYTES);
    unsigned char *data = NULL;
    size_t len = rc == HS_OK ? (size_t)st.st_size : 0;
    if (rc == HS_OK && !(data = malloc(len ? len : 1)))
        rc = hs_err_set(err, HS_ENOMEM, "cannot read '%s'", rel);
    size_t got = 0;
    while (rc == HS_OK && got < len) {
        ssize_t r = read(fd, data + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            rc = hs_err_set(err, HS_EIO, "cannot read '%s': %s", rel,
                            r < 0 ? strerror(errno) : "file shrank");
        else
            got += (size_t)r;
    }
    close(fd);
    if (rc == HS_OK)
        rc = hs_resp_bytes(resp, 200, type, data, len, err);
    if (rc == HS_OK) {
        char etag[24];
        hs_etag_of(data, len, etag);
        /* Revalidate every time: the files are small and change on upgrade. */
        rc = hs_resp_header(resp, "Cache-Control", "no-cache", err);
        if (rc == HS_OK)
            rc = hs_resp_etag(req, resp, etag, err);
        if (rc > 0)
            rc = HS_OK;
    }
    free(data);
    return rc;
}
