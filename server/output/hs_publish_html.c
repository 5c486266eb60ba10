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

static const char *const CAPTION[][3] = {
    {"eb_rate", "Tỷ lệ Bayes thực nghiệm cấp tỉnh (số vụ/100.000 dân/năm; tỉnh bị ẩn tô xám)",
     "Empirical Bayes rate, provinces (cases per 100,000 per year; withheld provinces grey)"},
    {"gistar", "Điểm nóng (Gi*) cấp xã", "Hot spots (Gi*), communes"},
    {"emerging", "Xu hướng điểm nóng mới nổi", "Emerging hot spot trends"},
    {"outreach_gap", "Khoảng trống tuyên truyền", "Outreach coverage gap"},
};

static const char *const *caption(const char *map)
{
    for (size_t i = 0; i < sizeof CAPTION / sizeof *CAPTION; i++)
        if (!strcmp(CAPTION[i][0], map))
            return CAPTION[i] + 1;
    static const char *const none[2] = {"", ""};
    return none;
}

static const char *cellstr(const hs_table *t, int row, const char *col, char *buf, size_t n)
{
    int c = hs_table_col(t, col);
    const hs_cell *x = c >= 0 ? &t->cells[(size_t)row * t->ncols + c] : NULL;
    if (!x || x->isnull)
        snprintf(buf, n, "%s", "");
    else if (t->col_type[c] == HS_COL_STR)
        snprintf(buf, n, "%s", x->s);
    else if (t->col_type[c] == HS_COL_INT)
        snprintf(buf, n, "%lld", x->i);
    else
        snprintf(buf, n, "%.1f", x->d);
    return buf;
}

/* Internal sets only: the priority list (first HS_PUBLISH_PRIORITY_ROWS rows). */
static int priorities(hs_buf *b, const hs_table *t, hs_err *err)
{
    static const char *const cols[] = {"priority_rank", "unit_name", "province_name",
                                       "risk_score", "reason_vi"};
    int rc = hs_buf_printf(
        b, err,
        "<h2>Danh sách ưu tiên cấp xã / Commune priority list (%s)</h2>\n"
        "<p><a href=\"internal/priorities.csv\">internal/priorities.csv</a> · "
        "<a href=\"internal/communes.csv\">internal/communes.csv</a> (chi tiết cấp xã / "
        "commune detail)</p>\n<figure><a href=\"internal/map_eb_rate_communes.png\"><img "
        "src=\"internal/map_eb_rate_communes.png\" alt=\"EB rate, communes (internal)\"></a>"
        "<figcaption>Tỷ lệ Bayes thực nghiệm cấp xã (nội bộ)<br><span class=\"en\">EB rate, "
        "communes (internal)</span></figcaption></figure>\n<table class=\"prio\"><tr><th>#</th><th>Xã / Commune</th>"
        "<th>Tỉnh / Province</th><th>Điểm rủi ro / Risk</th><th>Lý do / Reasons</th></tr>\n",
        HS_PUBLISH_INTERNAL_MARK);
    for (int r = 0; rc == HS_OK && r < t->nrows && r < HS_PUBLISH_PRIORITY_ROWS; r++) {
        rc = hs_buf_printf(b, err, "<tr>");
        for (int k = 0; rc == HS_OK && k < 5; k++) {
            char v[1024];
            rc = hs_buf_printf(b, err, "<td>");
            if (rc == HS_OK)
                rc = esc(b, cellstr(t, r, cols[k], v, sizeof v), err);
            if (rc == HS_OK)
                rc = hs_buf_printf(b, err, "</td>");
        }
        if (rc == HS_OK)
            rc = hs_buf_printf(b, err, "</tr>\n");
    }
    return rc == HS_OK ? hs_buf_printf(b, err, "</table>\n") : rc;
}

int hs_publish_html(const hs_release *r, const char *const *maps, const hs_table *prio,
                    const char *now, hs_buf *b, hs_err *err)
{
    int rc = hs_buf_printf(
        b, err,
        "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\">"
        "<link rel=\"icon\" href=\"data:,\">" /* no favicon request: self-contained */
        "<title>Ban Chỉ đạo 138 — Công bố %s</title><style>"
        "body{font-family:'DejaVu Sans',sans-serif;margin:1.5em;color:#222;max-width:1100px}"
        ".banner{background:#b22;color:#fff;padding:.5em 1em;font-weight:bold}"
        ".internal{background:#000;color:#ff0;padding:.5em 1em;font-weight:bold;font-size:1.3em}"
        "table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}td:first-child{text-align:left}img{max-width:100%%;border:1px solid #ddd}"
        ".en{color:#555}figure{display:inline-block;width:48%%;margin:0 .5%%;vertical-align:top}"
        ".prio td{text-align:left}.charts img{display:block;margin:.5em 0}"
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
    for (int i = 0; maps[i] && rc == HS_OK; i++) {
        const char *const *cap = caption(maps[i]);
        rc = hs_buf_printf(b, err,
                           "<figure><a href=\"map_%s.svg\"><img src=\"map_%s.png\" alt=\"%s\"></a>"
                           "<figcaption>%s<br><span class=\"en\">%s</span></figcaption></figure>\n",
                           maps[i], maps[i], cap[1], cap[0], cap[1]);
    }
    if (rc == HS_OK)
        rc = hs_buf_printf(
            b, err,
            "<p>Lớp bản đồ điểm nóng dạng tile, mức thu phóng 0–%d: <code>tiles/{z}/{x}/{y}.png"
            "</code> (XYZ, mọi tile có mã SHA-256 trong manifest.json).<br><span class=\"en\">"
            "Hot spot map as XYZ tiles, zoom 0–%d: <code>tiles/{z}/{x}/{y}.png</code> (every tile "
            "has its SHA-256 in manifest.json).</span></p>\n",
            HS_RELEASE_TILE_MAXZOOM, HS_RELEASE_TILE_MAXZOOM);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err,
                           "<h2>Biểu đồ / Charts</h2>\n<div class=\"charts\">"
                           "<img src=\"chart_monthly.png\" alt=\"Monthly national cases\">\n"
                           "<img src=\"chart_border.png\" alt=\"Cases and outreach events per "
                           "border province\">\n"
                           "<img src=\"chart_top.png\" alt=\"Quarterly cases of the top "
                           "provinces\"></div>\n"
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
            "<p>Mọi con số đi qua bước kiểm soát công bố: ô từ 1 đến 4 vụ ghi \"&lt;5\"; các ô "
            "được ẩn thêm (\"x\": từ 5 trở lên) được chọn sao cho không thể suy ra ô nhỏ bằng "
            "phép trừ, và trước khi công bố, một bài toán quy hoạch tuyến tính kiểm tra rằng "
            "mỗi ô \"&lt;5\" còn ít nhất %d giá trị khả dĩ.</p>"
            "<p class=\"en\">Every figure passes disclosure control: a cell of 1 to 4 cases "
            "shows \"&lt;5\"; further cells are withheld (\"x\": 5 or more) so that no small "
            "count can be recovered by differencing, and before publication a linear-programming "
            "audit checks that every \"&lt;5\" still stands for at least %d values "
            "(docs/publication.md).</p>\n",
            HS_SDC_MIN_FEASIBLE, HS_SDC_MIN_FEASIBLE);
    if (rc == HS_OK && r->internal && prio)
        rc = priorities(b, prio, err);
    if (rc == HS_OK && r->internal)
        rc = hs_buf_printf(b, err, "<p class=\"internal\">%s</p>\n", HS_PUBLISH_INTERNAL_MARK);
    if (rc == HS_OK)
        rc = hs_buf_printf(b, err, "</body></html>\n");
    return rc;
}
