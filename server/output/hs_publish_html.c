/* index.html of a release: Vietnamese first, English second; no external request
 * (inline style, images by relative path). Figures come from the protected cells. */
#include <stdio.h>
#include <string.h>

#include "hs_publish.h"

static int esc(hs_buf *b, const char *s, hs_err *err)
{
    int rc = HS_OK;
    for (; *s && rc == HS_OK; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;"
                      : *s == '"' ? "&quot;" : NULL;
        rc = e ? hs_buf_printf(b, err, "%s", e) : hs_buf_append(b, s, 1, err);
    }
    return rc;
}

static int td(hs_buf *b, double x, unsigned char f, hs_err *err)
{
    char v[16];
    hs_sdc_format(x, f, v, sizeof v);
    return hs_buf_printf(b, err, "<td>%s</td>", f == HS_SDC_SMALL ? "&lt;5" : v);
}

static const char *const CAPTION[][2] = {
    {"Điểm nóng (Gi*) cấp xã", "Hot spots (Gi*), communes"},
    {"Xu hướng điểm nóng mới nổi", "Emerging hot spot trends"},
    {"Khoảng trống tuyên truyền", "Outreach coverage gap"},
};

int hs_publish_html(const hs_release *r, const char *const *maps, const char *now, hs_buf *b,
                    hs_err *err)
{
    int rc = hs_buf_printf(
        b, err,
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<title>Ban Chỉ đạo 138 — Công bố %s</title><style>"
        "body{font-family:'DejaVu Sans',sans-serif;margin:1.5em;color:#222;max-width:1100px}"
        ".banner{background:#b22;color:#fff;padding:.5em 1em;font-weight:bold}"
        ".internal{background:#000;color:#ff0;padding:.5em 1em;font-weight:bold;font-size:1.3em}"
        "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}td:first-child{text-align:left}img{max-width:100%%;border:1px solid #ddd}"
        ".en{color:#555}figure{display:inline-block;width:32%%;margin:0 .5%%;vertical-align:top}"
        "</style></head><body>\n",
        r->period);
    if (rc == HS_OK && r->internal)
        rc = hs_buf_printf(b, err, "<p class=\"internal\">%s</p>\n", HS_PUBLISH_INTERNAL_MARK);
    if (rc == HS_OK && r->synthetic)
        rc = hs_buf_printf(b, err, "<p class=\"banner\">DỮ LIỆU MÔ PHỎNG — không phải số liệu "
                                   "thật / SYNTHETIC DATA — not real figures</p>\n");
    if (rc == HS_OK)
        rc = hs_buf_printf(
            b, err,
            "<h1>Tình hình mua bán người — kỳ %s</h1>\n"
            "<p>Số liệu tổng hợp theo quý và năm, cấp toàn quốc và cấp tỉnh. Bản đồ cấp xã chỉ "
            "thể hiện phân loại thống kê, không thể hiện số vụ. \"&lt;5\" nghĩa là từ 0 đến 4 "
            "vụ; \"x\" nghĩa là 5 vụ trở lên, được ẩn để bảo vệ ô khác.</p>\n"
            "<p class=\"en\"><b>Human trafficking situation — period %s.</b> Figures by calendar "
            "quarter and year, national and province level. Commune maps show statistical "
            "classes only, never counts. \"&lt;5\" means 0 to 4 cases; \"x\" means 5 or more, "
            "withheld to protect another cell.</p>\n"
            "<p>Phiên bản dữ liệu / data version %lld · Tạo lúc / generated %s</p>\n",
            r->period, r->period, r->data_version, now);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err, "<h2>Bản đồ / Maps</h2>\n");
    for (int i = 0; maps[i] && rc == HS_OK; i++)
        rc = hs_buf_printf(b, err,
                           "<figure><a href=\"map_%s.svg\"><img src=\"map_%s.png\" alt=\"%s\"></a>"
                           "<figcaption>%s<br><span class=\"en\">%s</span></figcaption></figure>\n",
                           maps[i], maps[i], CAPTION[i < 3 ? i : 0][1], CAPTION[i < 3 ? i : 0][0],
                           CAPTION[i < 3 ? i : 0][1]);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err,
                           "<h2>Số vụ theo tháng / Cases per month</h2>\n"
                           "<img src=\"chart_monthly.png\" alt=\"Monthly national cases\">\n"
                           "<h2>Số vụ theo tỉnh / Cases by province</h2>\n"
                           "<p><a href=\"data.csv\">data.csv</a> · <a href=\"data.json\">data.json"
                           "</a> · <a href=\"manifest.json\">manifest.json</a></p>\n"
                           "<table><tr><th>Tỉnh / Province</th>");
    for (int j = 0; j < r->ncol && rc == HS_OK; j++)
        rc = hs_buf_printf(b, err, "<th>%s</th>", r->col[j]);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err, "</tr>\n<tr><td><b>Toàn quốc / National</b></td>");
    for (int j = 0; j < r->ncol && rc == HS_OK; j++)
        rc = td(b, r->nat[j], r->nat_f[j], err);
    for (int i = 0; i < r->nprov && rc == HS_OK; i++) {
        rc = hs_buf_printf(b, err, "</tr>\n<tr><td>");
        if (rc == HS_OK)
            rc = esc(b, r->name[i], err);
        if (rc == HS_OK)
            rc = hs_buf_printf(b, err, "</td>");
        for (int j = 0; j < r->ncol && rc == HS_OK; j++)
            rc = td(b, r->v[(size_t)i * r->ncol + j], r->f[(size_t)i * r->ncol + j], err);
    }
    if (rc == HS_OK)
        rc = hs_buf_printf(
            b, err,
            "</tr></table>\n<h2>Phương pháp / Method</h2>\n"
            "<p>Mọi con số đi qua bước kiểm soát công bố: tỉnh có ô từ 1 đến 4 vụ bị ẩn cả hàng, "
            "cùng với %d tỉnh đối ứng, để không thể suy ra bằng phép trừ.</p>"
            "<p class=\"en\">Every figure passes disclosure control: a province with any cell of "
            "1 to 4 cases is withheld for the whole row, together with %d partner provinces, so "
            "that no small count can be recovered by differencing (docs/publication.md).</p>\n",
            HS_SDC_PARTNERS, HS_SDC_PARTNERS);
    if (rc == HS_OK && r->internal)
        rc = hs_buf_printf(b, err, "<p class=\"internal\">%s</p>\n", HS_PUBLISH_INTERNAL_MARK);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err, "</body></html>\n");
    return rc;
}
