/* hs_metarender: index-culled metatile rendering (see hs_metarender.h). */
#include "hs_metarender.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int hs_metarender(hs_render_ctx *rc, const hs_map_spec *spec, const hs_sindex *units_ix,
                  const hs_metatile *m, double scale, unsigned char *argb, int stride,
                  hs_metarender_stats *stats, hs_err *err)
{
    if (!spec || !m)
        return hs_err_set(err, HS_EINVAL, "metarender: spec and metatile are required");
    if (!(scale > 0) || m->z < 0 || m->z > HS_TILE_MAXZOOM)
        return hs_err_set(err, HS_EINVAL, "metarender: scale %g, zoom %d", scale, m->z);
    const int w = m->width, h = m->height;
    hs_raster_grid g = {.origin_x = -HS_MERC_MAX, .origin_y = HS_MERC_MAX,
                        .ppu = ldexp(m->tile_px / scale, m->z) / (2 * HS_MERC_MAX),
                        .off_x = ((double)m->x0 * m->tile_px - m->buffer_px) / scale,
                        .off_y = ((double)m->y0 * m->tile_px - m->buffer_px) / scale};
    if (stats)
        stats->units_drawn = spec->units ? spec->units->nfeat : 0;
    if (!spec->units || !units_ix)
        return hs_render_raster_grid(rc, spec, &g, w, h, scale, argb, stride, err);
    const hs_bbox *extent = &m->extent;
    const hs_layer *all = spec->units;
    if (hs_sindex_count(units_ix) != all->nfeat)
        return hs_err_set(err, HS_EINVAL, "metarender: the index holds %d items but the unit "
                          "layer has %d features", hs_sindex_count(units_ix), all->nfeat);
    if (w < 1 || h < 1)
        return hs_err_set(err, HS_EINVAL, "metarender: raster %dx%d", w, h);
    /* map units per layout px, as the renderer computes it (aspect kept) */
    double upx = (extent->maxx - extent->minx) / (w / scale);
    double upy = (extent->maxy - extent->miny) / (h / scale);
    double mg = HS_METARENDER_CULL_PX * (upx > upy ? upx : upy);
    hs_bbox q = {extent->minx - mg, extent->miny - mg, extent->maxx + mg, extent->maxy + mg};

    int cap = all->nfeat > 0 ? all->nfeat : 1;
    int *idx = malloc((size_t)cap * sizeof *idx);
    hs_feature *feat = malloc((size_t)cap * sizeof *feat);
    int *cls = malloc((size_t)cap * sizeof *cls);
    if (!idx || !feat || !cls) {
        free(idx), free(feat), free(cls);
        return hs_err_set(err, HS_ENOMEM, "metarender: out of memory for %d units", cap);
    }
    int n = hs_sindex_query(units_ix, &q, idx, cap, err);
    int rc_ = n;
    if (n >= 0) {
        /* Shallow copies: the sub-layer borrows rings and strings from `all`. The
         * query returns indices in ascending order, so the draw order is unchanged. */
        for (int k = 0; k < n; k++) {
            feat[k] = all->feat[idx[k]];
            cls[k] = spec->unit_class ? spec->unit_class[idx[k]] : -1;
        }
        hs_layer sub = {.kind = all->kind, .nfeat = n, .feat = feat, .bbox = all->bbox};
        hs_map_spec s = *spec;
        s.units = &sub;
        s.unit_class = cls;
        if (stats)
            stats->units_drawn = n;
        rc_ = hs_render_raster_grid(rc, &s, &g, w, h, scale, argb, stride, err);
    }
    free(idx);
    free(feat);
    free(cls);
    return rc_ < 0 ? rc_ : HS_OK;
}
