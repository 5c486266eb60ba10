#include "hs_tilemath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define EARTH_R 6378137.0

int hs_tile_check(int z, int x, int y, hs_err *err)
{
    if (z < 0 || z > HS_TILE_MAXZOOM)
        return hs_err_set(err, HS_EINVAL, "tile zoom z=%d is outside 0..%d", z,
                          HS_TILE_MAXZOOM);
    long n = 1L << z;
    if (x < 0 || x >= n)
        return hs_err_set(err, HS_EINVAL, "tile x=%d is outside 0..%ld at zoom %d", x, n - 1, z);
    if (y < 0 || y >= n)
        return hs_err_set(err, HS_EINVAL, "tile y=%d is outside 0..%ld at zoom %d", y, n - 1, z);
    return HS_OK;
}

hs_bbox hs_tile_bounds(int z, int x, int y)
{
    double size = 2.0 * HS_MERC_MAX / (double)(1L << z);
    hs_bbox b;
    b.minx = -HS_MERC_MAX + x * size;
    b.maxx = -HS_MERC_MAX + (x + 1) * size;
    b.maxy = HS_MERC_MAX - y * size;
    b.miny = HS_MERC_MAX - (y + 1) * size;
    return b;
}

double hs_tile_resolution(int z, int tile_px)
{
    return 2.0 * HS_MERC_MAX / ((double)(1L << z) * tile_px);
}

void hs_merc_from_lonlat(double lon, double lat, double *x, double *y)
{
    if (lat > HS_MERC_MAX_LAT) lat = HS_MERC_MAX_LAT;
    if (lat < -HS_MERC_MAX_LAT) lat = -HS_MERC_MAX_LAT;
    *x = EARTH_R * lon * M_PI / 180.0;
    *y = EARTH_R * log(tan(M_PI / 4.0 + lat * M_PI / 360.0));
}

void hs_merc_to_lonlat(double x, double y, double *lon, double *lat)
{
    *lon = x / EARTH_R * 180.0 / M_PI;
    *lat = (2.0 * atan(exp(y / EARTH_R)) - M_PI / 2.0) * 180.0 / M_PI;
}

hs_bbox hs_merc_bbox_from_lonlat(const hs_bbox *ll)
{
    hs_bbox b;
    hs_merc_from_lonlat(ll->minx, ll->miny, &b.minx, &b.miny);
    hs_merc_from_lonlat(ll->maxx, ll->maxy, &b.maxx, &b.maxy);
    return b;
}

static int clampi(long v, long lo, long hi)
{
    return (int)(v < lo ? lo : v > hi ? hi : v);
}

int hs_tile_range(int z, const hs_bbox *m, int *x0, int *y0, int *x1, int *y1)
{
    if (z < 0 || z > HS_TILE_MAXZOOM || !(m->minx <= m->maxx) || !(m->miny <= m->maxy))
        return 0;
    if (m->maxx < -HS_MERC_MAX || m->minx > HS_MERC_MAX || m->maxy < -HS_MERC_MAX ||
        m->miny > HS_MERC_MAX)
        return 0;
    long n = 1L << z;
    double size = 2.0 * HS_MERC_MAX / (double)n;
    /* A bbox edge exactly on a tile edge does not pull in the next tile. */
    *x0 = clampi((long)floor((m->minx + HS_MERC_MAX) / size), 0, n - 1);
    *x1 = clampi((long)ceil((m->maxx + HS_MERC_MAX) / size) - 1, 0, n - 1);
    *y0 = clampi((long)floor((HS_MERC_MAX - m->maxy) / size), 0, n - 1);
    *y1 = clampi((long)ceil((HS_MERC_MAX - m->miny) / size) - 1, 0, n - 1);
    if (*x1 < *x0) *x1 = *x0;
    if (*y1 < *y0) *y1 = *y0;
    return 1;
}

int hs_tile_outside(int z, int x, int y, int tile_px, int buffer_px, const hs_bbox *area)
{
    hs_bbox b = hs_tile_bounds(z, x, y);
    double pad = buffer_px * hs_tile_resolution(z, tile_px);
    return b.maxx + pad < area->minx || b.minx - pad > area->maxx ||
           b.maxy + pad < area->miny || b.miny - pad > area->maxy;
}

static int meta_fill(int z, int mx, int my, int n, int tile_px, int buffer_px,
                     hs_metatile *out, hs_err *err)
{
    if (n < 1 || n > HS_METATILE_MAX)
        return hs_err_set(err, HS_EINVAL, "metatile size %d is outside 1..%d", n,
                          HS_METATILE_MAX);
    if (tile_px != HS_TILE_PX && tile_px != HS_TILE_PX_2X)
        return hs_err_set(err, HS_EINVAL, "tile size %d px is not %d or %d (@2x)", tile_px,
                          HS_TILE_PX, HS_TILE_PX_2X);
    if (buffer_px < 0 || buffer_px > HS_TILE_BUFFER_MAX)
        return hs_err_set(err, HS_EINVAL, "metatile buffer %d px is outside 0..%d", buffer_px,
                          HS_TILE_BUFFER_MAX);
    long ntiles = 1L << z;
    long nmeta = (ntiles + n - 1) / n;
    if (mx < 0 || mx >= nmeta || my < 0 || my >= nmeta)
        return hs_err_set(err, HS_EINVAL, "metatile (%d,%d) is outside 0..%ld at zoom %d", mx,
                          my, nmeta - 1, z);
    memset(out, 0, sizeof *out);
    out->z = z;
    out->mx = mx;
    out->my = my;
    out->n = n;
    out->x0 = mx * n;
    out->y0 = my * n;
    out->ntx = (int)(ntiles - out->x0 < n ? ntiles - out->x0 : n);
    out->nty = (int)(ntiles - out->y0 < n ? ntiles - out->y0 : n);
    out->tile_px = tile_px;
    out->buffer_px = buffer_px;
    out->width = out->ntx * tile_px + 2 * buffer_px;
    out->height = out->nty * tile_px + 2 * buffer_px;
    hs_bbox tl = hs_tile_bounds(z, out->x0, out->y0);
    hs_bbox br = hs_tile_bounds(z, out->x0 + out->ntx - 1, out->y0 + out->nty - 1);
    double pad = buffer_px * hs_tile_resolution(z, tile_px);
    out->extent.minx = tl.minx - pad;
    out->extent.maxy = tl.maxy + pad;
    out->extent.maxx = br.maxx + pad;
    out->extent.miny = br.miny - pad;
    return HS_OK;
}

int hs_metatile_for_tile(int z, int x, int y, int n, int tile_px, int buffer_px,
                         hs_metatile *out, hs_err *err)
{
    int rc = hs_tile_check(z, x, y, err);
    if (rc < 0)
        return rc;
    if (n < 1 || n > HS_METATILE_MAX)
        return hs_err_set(err, HS_EINVAL, "metatile size %d is outside 1..%d", n,
                          HS_METATILE_MAX);
    return meta_fill(z, x / n, y / n, n, tile_px, buffer_px, out, err);
}

int hs_metatile_at(int z, int mx, int my, int n, int tile_px, int buffer_px, hs_metatile *out,
                   hs_err *err)
{
    if (z < 0 || z > HS_TILE_MAXZOOM)
        return hs_err_set(err, HS_EINVAL, "tile zoom z=%d is outside 0..%d", z,
                          HS_TILE_MAXZOOM);
    return meta_fill(z, mx, my, n, tile_px, buffer_px, out, err);
}

int hs_metatile_slice(const hs_metatile *m, const unsigned char *src, int src_stride, int x,
                      int y, unsigned char *dst, int dst_stride, hs_err *err)
{
    int tx = x - m->x0, ty = y - m->y0;
    if (tx < 0 || tx >= m->ntx || ty < 0 || ty >= m->nty)
        return hs_err_set(err, HS_EINVAL,
                          "tile %d/%d/%d is not in metatile %d/%d/%d (tiles %d..%d, %d..%d)",
                          m->z, x, y, m->z, m->mx, m->my, m->x0, m->x0 + m->ntx - 1, m->y0,
                          m->y0 + m->nty - 1);
    size_t row = (size_t)m->tile_px * 4;
    if (src_stride < m->width * 4 || dst_stride < (int)row)
        return hs_err_set(err, HS_EINVAL, "stride too small (source %d for width %d, tile %d)",
                          src_stride, m->width, dst_stride);
    const unsigned char *s = src + (size_t)(m->buffer_px + ty * m->tile_px) * src_stride +
                             (size_t)(m->buffer_px + tx * m->tile_px) * 4;
    for (int r = 0; r < m->tile_px; r++)
        memcpy(dst + (size_t)r * dst_stride, s + (size_t)r * src_stride, row);
    return HS_OK;
}

int hs_argb_uniform(const unsigned char *p, int w, int h, int stride, unsigned int *value)
{
    if (w <= 0 || h <= 0)
        return 0;
    uint32_t v0;
    memcpy(&v0, p, 4);
    for (int r = 0; r < h; r++) {
        const unsigned char *row = p + (size_t)r * stride;
        for (int c = 0; c < w; c++) {
            uint32_t v;
            memcpy(&v, row + (size_t)c * 4, 4);
            if (v != v0)
                return 0;
        }
    }
    if (value)
        *value = v0;
    return 1;
}
