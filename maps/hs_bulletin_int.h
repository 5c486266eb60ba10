/* Internal to the province bulletin (hs_bulletin.h), not part of any public API: what
 * its page files share. The bulletin is split by page part so that each file stays
 * readable on its own:
 *
 *   hs_bulletin.c           checks, figures by class, page order, the PDF surface
 *   hs_bulletin_frame.c     drawing primitives, header band and footer, headings, tables
 *   hs_bulletin_cover.c     page 1: title, key figures, the Gi* map, communes by class
 *   hs_bulletin_priority.c  page 2: the priority list and its locator map
 *   hs_bulletin_trends.c    page 3: monthly charts and outreach coverage by class
 *   hs_bulletin_method.c    page 3 or 4: the method paragraph and the data version
 *
 * Every block is measured (the same code with t->draw 0) before it is placed, so a
 * function here draws nothing while t->draw is 0 and returns the height it would use.
 * Internal names carry the hs__bul_ prefix, layout constants BUL_. */
#ifndef HS_BULLETIN_INT_H
#define HS_BULLETIN_INT_H

#include <stddef.h>

#include "hs_bulletin.h"
#include "hs_classify.h"
#include "hs_render_int.h"

/* A4 in layout px (210 x 297 mm at 96 px per inch) and the page frame. */
#define BUL_PW (210.0 / 25.4 * 96.0)
#define BUL_PH (297.0 / 25.4 * 96.0)
#define BUL_M 44.0
#define BUL_BAND_H 24.0
#define BUL_FOOT_H 34.0
#define BUL_BOTTOM (BUL_PH - BUL_M - BUL_FOOT_H - 10) /* content ends here */
#define BUL_CW (BUL_PW - 2 * BUL_M)                   /* content width */
#define BUL_NCLS 7       /* Gi* classes (hs_scheme_gistar_class 0..6) */
#define BUL_CHART_W 1000 /* hs_chart_bars box, scaled to BUL_CW on the page */
#define BUL_CHART_H 320

/* Colours as compound literals (not static consts: each page file uses only some). */
#define BUL_INK ((hs_rgba){0x22, 0x22, 0x22, 255})
#define BUL_GREY ((hs_rgba){0x66, 0x66, 0x66, 255})
#define BUL_RULE ((hs_rgba){0xbb, 0xbb, 0xbb, 255})
#define BUL_MARK ((hs_rgba){0x9b, 0x11, 0x1e, 255})
#define BUL_WHITE ((hs_rgba){0xff, 0xff, 0xff, 255})
#define BUL_NONE ((hs_rgba){0, 0, 0, 0})

/* Figures of one Gi* class (or of the isolated communes, or of the province). */
typedef struct hs__bul_sums {
    int units, reached, never;
    double cases, events, pop;
} hs__bul_sums;

/* What every block needs; `draw` 0 = measure only. */
typedef struct hs__bul {
    hs__draw *d;
    const hs_bulletin *b;
    const hs_class_style *cs; /* the Gi* scheme, legend order */
    const hs__bul_sums *s;    /* by class: 0..BUL_NCLS-1, BUL_NCLS isolated, BUL_NCLS+1 province */
    int draw, npages;
    double chart_h; /* hs_chart_bars box height, chart units (grows into spare room) */
    hs_err *err;
} hs__bul;

/* A table column. */
typedef struct hs__bul_col {
    const char *head;
    double w;   /* 0: the rest of the content width */
    int align;  /* 0 left, 2 right */
    double pad; /* left indent of the cells (room for a swatch) */
} hs__bul_col;

/* ---- hs_bulletin_frame.c ---------------------------------------------------------- */

/* Lays out text in font f, wrapped to width w (w <= 0: one line), aligned by `align`
 * (0 left, 1 centre, 2 right: within w, or around x when w <= 0); draws it at (x, y)
 * when `draw`. Returns the height (0 for NULL or empty text). */
double hs__bul_tbox(hs__draw *d, const char *text, hs__font f, double x, double y, double w,
                    int align, hs_rgba col, int draw);
/* hs__bul_tbox, drawn when t->draw. */
double hs__bul_text(const hs__bul *t, const char *s, hs__font f, double x, double y, double w,
                    int align, hs_rgba col);
/* The width of s on one line in font f. */
double hs__bul_text_w(hs__draw *d, const char *s, hs__font f);
/* v with dec decimals, Vietnamese separators (hs_text_format_number). */
void hs__bul_num(double v, int dec, char *buf, size_t n);
/* A period as "07/2025". */
void hs__bul_month(int period, char *buf, size_t n);
void hs__bul_rule(const hs__bul *t, double x0, double y, double x1, hs_rgba c, double w);
void hs__bul_fill_rect(const hs__bul *t, double x, double y, double w, double h, hs_rgba c);
/* A class swatch: fill and outline as on the map (NULL: an empty box). */
void hs__bul_swatch(const hs__bul *t, const hs_class_style *c, double x, double y, double w,
                    double h);
/* "Tỉnh Nghệ An", but "TP Hà Nội". */
void hs__bul_province_title(const hs_bulletin *b, char *buf, size_t n);
/* Label and style of class k (0..BUL_NCLS-1; anything else: isolated, no style). */
const char *hs__bul_class_label(const hs__bul *t, int k);
const hs_class_style *hs__bul_class_style(const hs__bul *t, int k);
/* Header band (paints the page white first); returns the top of the content area. */
double hs__bul_page_head(const hs__bul *t);
/* Footer, then the synthetic-data line and watermark, then the page is shown. */
void hs__bul_page_foot(const hs__bul *t, int page);
/* Section heading with a rule under it; returns the height used. */
double hs__bul_heading(const hs__bul *t, const char *vi, const char *en, double y);
/* Gives the columns of width 0 the rest of the content width. */
void hs__bul_fit_cols(hs__bul_col *c, int nc);
/* Header row; returns its height. */
double hs__bul_table_head(const hs__bul *t, const hs__bul_col *c, int nc, double y);
/* One row of cells (NULL = empty) with optional smaller grey second lines (`sub`, may be
 * NULL); returns its height. */
double hs__bul_table_row(const hs__bul *t, const hs__bul_col *c, int nc, const char *const *cell,
                         const char *const *sub, double y, int bold);

/* ---- the pages: each returns HS_OK or a negative HS_E* (t->err filled) --------------- */

int hs__bul_page_one(hs__bul *t); /* hs_bulletin_cover.c */
int hs__bul_page_two(hs__bul *t); /* hs_bulletin_priority.c */
/* hs_bulletin_trends.c, hs_bulletin_method.c: the sections of the last pages, placed
 * at y; each returns the height used (*rc gets a chart's failure). */
double hs__bul_sec_trends(hs__bul *t, double y, int *rc);
double hs__bul_sec_coverage(hs__bul *t, double y);
double hs__bul_sec_method(hs__bul *t, double y);

#endif
