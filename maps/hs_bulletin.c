/* hs_bulletin: the province bulletin's pages (hs_bulletin.h).
 *
 * One cairo PDF surface, A4 portrait, user units = layout px (1/96 in) scaled to
 * points. Text goes through the maps' Pango helpers (hs_text.c), so it is real text
 * in Noto Sans; the Gi* map is the map renderer's own full-map drawing (legend, scale
 * bar, north arrow) into a frame of page 1, the locator map its layers in a frame of
 * page 2; the charts are hs_chart_bars drawn onto the page. Every block is measured
 * (the same code with drawing off) before it is placed, so nothing overlaps and the
 * page count (3, or 4 when the last sections do not fit one page) is known before
 * the first footer says "Trang 1/N".
 *
 * This file checks the figures, sums them by class, orders the pages and owns the PDF
 * surface; the pages themselves are in hs_bulletin_<part>.c (hs_bulletin_int.h). */
#include "hs_bulletin.h"

#include "hs_cairolib.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hs_bulletin_int.h"

/* ---- figures by class ------------------------------------------------------------ */

static void sum_by_class(const hs_bulletin *b, hs__bul_sums s[BUL_NCLS + 2])
{
    memset(s, 0, (BUL_NCLS + 2) * sizeof *s);
    for (int i = 0; i < b->n_units; i++) {
        int k = b->gi_class[i] >= 0 && b->gi_class[i] < BUL_NCLS ? b->gi_class[i] : BUL_NCLS;
        hs__bul_sums *r[2] = {&s[k], &s[BUL_NCLS + 1]};
        for (int j = 0; j < 2; j++) {
            r[j]->units++;
            r[j]->cases += isfinite(b->cases[i]) ? b->cases[i] : 0;
            r[j]->events += isfinite(b->events[i]) ? b->events[i] : 0;
            r[j]->pop += isfinite(b->population[i]) ? b->population[i] : 0;
            r[j]->reached += b->events[i] > 0;
            r[j]->never += b->months_since[i] < 0;
        }
    }
}

/* ---- pages 3 (and 4): trends, coverage, method ----------------------------------- */

/* Trends, coverage and method from page 3 on; the method moves to page 4 when the
 * three do not fit one page. The charts grow into room left on page 3 (at most 90 px
 * each). Returns the number of the last page, or a negative HS_E*. */
static int last_pages(hs__bul *t)
{
    int rc = HS_OK, draw = t->draw;
    t->draw = 0;
    t->chart_h = BUL_CHART_H;
    double y = hs__bul_page_head(t), top = y;
    double h3 = hs__bul_sec_trends(t, y, &rc) + hs__bul_sec_coverage(t, 0);
    double mh = hs__bul_sec_method(t, 0);
    int four = top + h3 + mh > BUL_BOTTOM;
    double spare = BUL_BOTTOM - top - h3 - (four ? 0 : mh);
    if (t->b->trend_n > 0 && spare > 8)
        t->chart_h = BUL_CHART_H + fmin(spare / 2 - 4, 90) / (BUL_CW / BUL_CHART_W);
    t->draw = draw;
    y = hs__bul_page_head(t);
    y += hs__bul_sec_trends(t, y, &rc);
    if (rc < 0)
        return rc;
    y += hs__bul_sec_coverage(t, y);
    int page = 3;
    if (four || y + mh > BUL_BOTTOM) {
        hs__bul_page_foot(t, page++);
        y = hs__bul_page_head(t);
        if (y + mh > BUL_BOTTOM)
            return hs_err_set(t->err, HS_ERENDER, "bulletin page 4: the method does not fit");
    }
    hs__bul_sec_method(t, y);
    hs__bul_page_foot(t, page);
    return page;
}

/* ---- the document ---------------------------------------------------------------- */

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    hs_err e = {0};
    return hs_buf_append(closure, data, len, &e) == HS_OK ? CAIRO_STATUS_SUCCESS
                                                         : CAIRO_STATUS_WRITE_ERROR;
}

static int check(const hs_bulletin *b, hs_err *err)
{
    if (!b->province_code || !b->province_name || !b->period)
        return hs_err_set(err, HS_EINVAL, "bulletin: province and period are required");
    if (b->n_units < 1 || b->n_units > HS_BULLETIN_MAX_UNITS || !b->gi_class || !b->cases ||
        !b->events || !b->population || !b->months_since)
        return hs_err_set(err, HS_EINVAL, "bulletin: %d communes (1..%d, with every per-commune "
                          "array)", b->n_units, HS_BULLETIN_MAX_UNITS);
    if (b->n_priorities < 0 || b->n_priorities > HS_BULLETIN_MAX_PRIORITIES ||
        (b->n_priorities && !b->priorities))
        return hs_err_set(err, HS_EINVAL, "bulletin: %d priorities (0..%d)", b->n_priorities,
                          HS_BULLETIN_MAX_PRIORITIES);
    if (b->trend_n < 0 || b->trend_n > HS_BULLETIN_MAX_MONTHS ||
        (b->trend_n && (!b->trend_cases || !b->trend_events)))
        return hs_err_set(err, HS_EINVAL, "bulletin: %d trend months (0..%d)", b->trend_n,
                          HS_BULLETIN_MAX_MONTHS);
    return HS_OK;
}

int hs_bulletin_pdf(hs_render_ctx *ctx, const hs_bulletin *b, hs_buf *out, int *pages,
                    hs_err *err)
{
    if (pages)
        *pages = 0;
    if (!ctx || !b || !out)
        return hs_err_set(err, HS_EINVAL, "bulletin: ctx, figures and out are required");
    int rc = check(b, err);
    if (rc < 0)
        return rc;
    hs_class_style cs[HS_SCHEME_MAX_CLASSES];
    if ((rc = hs_scheme_styles(HS_SCHEME_GISTAR, cs, err)) < 0)
        return rc;
    hs__bul_sums s[BUL_NCLS + 2];
    sum_by_class(b, s);

    size_t start = out->len;
    cairo_surface_t *sf =
        cairo_pdf_surface_create_for_stream(sink_write, out, BUL_PW * 0.75, BUL_PH * 0.75);
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_status_t st = cairo_surface_status(sf);
        cairo_surface_destroy(sf);
        return hs_err_set(err, HS_ERENDER, "cannot create the PDF surface: %s",
                          cairo_status_to_string(st));
    }
    char title[300];
    snprintf(title, sizeof title, "Bản tin điểm nóng — %s — %s", b->province_name, b->period);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_CREATOR, "Hotspot138");
    if (b->mark)
        cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_SUBJECT, b->mark);
    cairo_t *cr = cairo_create(sf);
    cairo_scale(cr, 0.75, 0.75); /* layout px -> pt */
    hs__draw d = {.ctx = ctx, .cr = cr, .vector = 1};
    hs__bul t = {.d = &d, .b = b, .cs = cs, .s = s, .draw = 0, .npages = 3, .err = err};
    /* A measuring pass of the last pages gives the page count for every footer. */
    rc = last_pages(&t);
    if (rc > 0) {
        t.npages = rc;
        t.draw = 1;
        rc = hs__bul_page_one(&t);
    }
    if (rc == HS_OK)
        rc = hs__bul_page_two(&t);
    if (rc == HS_OK)
        rc = last_pages(&t) > 0 ? HS_OK : (err && err->code ? err->code : HS_ERENDER);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    /* The sink refusing bytes (out's cap) surfaces as a cairo write error, maybe in the
     * middle of a page that then reports a cairo failure of its own: the cap is the cause. */
    if (st == CAIRO_STATUS_WRITE_ERROR) {
        if (err)
            *err = (hs_err){0};
        rc = hs_err_set(err, HS_ELIMIT, "bulletin PDF: more than the output cap of %zu bytes",
                        out->limit);
    } else if (rc < 0 && err && !err->code)
        rc = hs_err_set(err, rc, "bulletin: a section does not fit its page (layout)");
    else if (rc == HS_OK && d.oom)
        rc = hs_err_set(err, HS_ENOMEM, "bulletin: out of memory");
    else if (rc == HS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = hs_err_set(err, HS_ERENDER, "bulletin PDF: %s", cairo_status_to_string(st));
    if (rc < 0)
        out->len = start;
    else if (pages)
        *pages = t.npages;
    return rc;
}
