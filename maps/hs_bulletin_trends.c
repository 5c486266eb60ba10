/* hs_bulletin_trends: the first sections of page 3 of the bulletin
 * (hs_bulletin_int.h): monthly cases and outreach events of the province (hs_chart_bars,
 * the July-September campaign shaded, the bulletin's window underlined) and outreach
 * coverage by Gi* class. */
#include <stdio.h>

#include "hs_bulletin_int.h"
#include "hs_chart.h"
#include "hs_period.h"

/* One monthly bar chart of the province across the content width; returns its height. */
static double monthly_chart(hs__bul *t, const double *v, const char *title, const char *y_label,
                            unsigned rgb, double y, int *rc)
{
    const hs_bulletin *b = t->b;
    double k = BUL_CW / BUL_CHART_W, ch = t->chart_h > 0 ? t->chart_h : BUL_CHART_H;
    if (!t->draw)
        return ch * k;
    char lab[HS_BULLETIN_MAX_MONTHS][16];
    const char *labels[HS_BULLETIN_MAX_MONTHS];
    unsigned char shade[HS_BULLETIN_MAX_MONTHS];
    for (int i = 0; i < b->trend_n; i++) {
        int p = b->trend_from + i, m = hs_period_month(p);
        /* The year is named on January and on the first bar; other bars: the month,
         * beyond 24 bars only every third one (the labels would touch). */
        if (i == 0 || m == 1)
            snprintf(lab[i], sizeof lab[i], "%d/%02d", m, hs_period_year(p) % 100);
        else if (b->trend_n <= 24 || m % 3 == 1)
            snprintf(lab[i], sizeof lab[i], "%d", m);
        else
            lab[i][0] = 0;
        if (i == 1 && b->trend_n > 24 && m != 1)
            lab[i][0] = 0; /* keep the first bar's "m/yy" clear */
        labels[i] = lab[i];
        shade[i] = m >= 7 && m <= 9;
    }
    hs_chart_bars c = {.n = b->trend_n,
                       .v = v,
                       .label = labels,
                       .shade_from = -1,
                       .shade_to = -1,
                       .title = title,
                       .y_label = y_label,
                       .width = BUL_CHART_W,
                       .height = (int)ch,
                       .shade_mask = shade,
                       .bar_rgb = rgb};
    cairo_t *cr = t->d->cr;
    cairo_save(cr);
    cairo_translate(cr, BUL_M, y);
    cairo_scale(cr, k, k);
    *rc = hs_chart_bars_draw(&c, cr, t->err);
    cairo_restore(cr);
    /* The bulletin's window: a bar under the axis labels (hs_chart's plot area is
     * 80 units from the left, 20 from the right, 70 from the bottom). */
    double L = 80 * k, bw = (BUL_CHART_W - 100) * k / c.n;
    int a = b->from - b->trend_from, z = b->to - b->trend_from;
    if (a >= 0 && z < c.n && a <= z) {
        double x0 = BUL_M + L + bw * a, x1 = BUL_M + L + bw * (z + 1), yb = y + (c.height - 42) * k;
        hs__bul_fill_rect(t, x0, yb, x1 - x0, 3, BUL_MARK);
        hs__bul_text(t, "kỳ bản tin", (hs__font){7.5, 0, 1}, (x0 + x1) / 2, yb + 4, 0, 1, BUL_MARK);
    }
    return c.height * k;
}

double hs__bul_sec_trends(hs__bul *t, double y, int *rc)
{
    const hs_bulletin *b = t->b;
    double y0 = y;
    y += hs__bul_heading(t, "3. Xu hướng và độ phủ truyền thông",
                         "Monthly trends and outreach coverage", y);
    if (b->trend_n == 0)
        return y - y0;
    char t1[200], t2[200];
    snprintf(t1, sizeof t1, "Số vụ theo tháng — %s (cases per month)", b->province_name);
    snprintf(t2, sizeof t2, "Hoạt động truyền thông theo tháng — %s (outreach events)",
             b->province_name);
    y += monthly_chart(t, b->trend_cases, t1, "Số vụ (cases)", 0, y, rc) + 6;
    if (*rc == HS_OK)
        y += monthly_chart(t, b->trend_events, t2, "Số hoạt động (events)", 0x2c7fb8, y, rc) + 4;
    hs__bul_fill_rect(t, BUL_M, y + 2, 14, 9, hs_rgb(0xffedcc));
    y +=
        hs__bul_text(t,
                     "Nền màu cam: tháng 7–9, đợt cao điểm phòng, chống mua bán người (ngày 30/7). "
                     "Shaded: July–September, the anti-trafficking campaign.",
                     (hs__font){8.5, 0, 0}, BUL_M + 20, y, BUL_CW - 20, 0, BUL_INK);
    return y - y0 + 16;
}

double hs__bul_sec_coverage(hs__bul *t, double y)
{
    const hs__bul_sums *s = t->s;
    double y0 = y;
    y += 4 + hs__bul_text(t, "Độ phủ truyền thông theo lớp điểm nóng (outreach coverage by class)",
                          (hs__font){10.5, 1, 0}, BUL_M, y, BUL_CW, 0, BUL_INK);
    hs__bul_col o[] = {{"Lớp điểm nóng", 0, 0, 20},
                       {"Số xã", 48, 2, 0},
                       {"Xã có truyền thông trong kỳ", 100, 2, 0},
                       {"Hoạt động", 62, 2, 0},
                       {"Hoạt động /10.000 dân", 84, 2, 0},
                       {"Xã chưa từng có hoạt động", 96, 2, 0}};
    int no = (int)(sizeof o / sizeof *o);
    hs__bul_fit_cols(o, no);
    y += hs__bul_table_head(t, o, no, y);
    for (int k = 0; k <= BUL_NCLS + 1; k++) {
        if (k < BUL_NCLS + 1 && s[k].units == 0)
            continue; /* only the classes that hold communes */
        char u[32], r[64], e[32], per[32], nv[32], pc[32];
        snprintf(u, sizeof u, "%d", s[k].units);
        hs__bul_num(100.0 * s[k].reached / s[k].units, 0, pc, sizeof pc);
        snprintf(r, sizeof r, "%d (%s%%)", s[k].reached, pc);
        hs__bul_num(s[k].events, 0, e, sizeof e);
        if (s[k].pop > 0)
            hs__bul_num(1e4 * s[k].events / s[k].pop, 2, per, sizeof per);
        else
            snprintf(per, sizeof per, "–");
        snprintf(nv, sizeof nv, "%d", s[k].never);
        const char *lab = k == BUL_NCLS + 1 ? "Toàn tỉnh (province)" : hs__bul_class_label(t, k);
        const char *cell[] = {lab, u, r, e, per, nv};
        double rh = hs__bul_table_row(t, o, no, cell, NULL, y, k == BUL_NCLS + 1);
        if (k <= BUL_NCLS)
            hs__bul_swatch(t, hs__bul_class_style(t, k), BUL_M + 4, y + 3, 13, rh - 8);
        y += rh;
    }
    return y - y0 + 18;
}
