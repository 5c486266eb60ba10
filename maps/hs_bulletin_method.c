/* hs_bulletin_method: the last section of the bulletin (hs_bulletin_int.h), on page 3
 * or, when it does not fit there, page 4: the method in one paragraph (Vietnamese, then
 * English) and the data version. */
#include <stdio.h>
#include <string.h>

#include "hs_bulletin_int.h"

static const char *variable_vi(const char *v)
{
    if (v && !strcmp(v, "count"))
        return "số vụ";
    if (v && !strcmp(v, "rate"))
        return "tỷ lệ thô trên 100.000 dân";
    if (v && !strcmp(v, "eb_z"))
        return "tỷ lệ EB chuẩn hoá (Assunção–Reis)";
    return "tỷ lệ Bayes thực nghiệm (EB) trên 100.000 dân";
}

double hs__bul_sec_method(hs__bul *t, double y)
{
    const hs_bulletin *b = t->b;
    double y0 = y;
    y += hs__bul_heading(t, "4. Phương pháp và số liệu", "Method and data", y);
    char f[16], to[16], para[2000], en[1400], w[4][16];
    hs__bul_month(b->from, f, sizeof f);
    hs__bul_month(b->to, to, sizeof to);
    for (int k = 0; k < 4; k++)
        snprintf(w[k], sizeof w[k], "%.0f%%", 100 * b->risk_w[k]);
    snprintf(para, sizeof para,
             "Điểm nóng được xác định bằng thống kê Getis–Ord Gi* trên %s của từng xã trong "
             "tỉnh, kỳ %s – %s, với quan hệ giáp ranh kiểu queen giữa các xã; độ tin cậy "
             "90/95/99%% theo giá trị p của z (phân phối chuẩn, như ArcGIS)%s. Điểm rủi ro tổng "
             "hợp (0–100) gộp thứ hạng tỷ lệ EB (%s), Gi* (%s), khoảng cách tới biên giới (%s) "
             "và xu hướng Mann–Kendall của số vụ theo tháng (%s); độ phủ truyền thông là thứ "
             "hạng số hoạt động và số người tham gia trên 10.000 dân trong %d tháng của kỳ. "
             "Danh sách ưu tiên xếp theo khoảng trống = rủi ro × (1 − độ phủ), đúng như "
             "/api/priorities (%d hoán vị%s, hạt giống %llu cho các kiểm định hoán vị). Số liệu "
             "trong bản tin là số nội bộ chính xác, chưa qua kiểm soát công bố "
             "(docs/publication.md): không công bố, không trích dẫn ra ngoài.",
             variable_vi(b->variable), f, to, b->fdr ? ", hiệu chỉnh FDR" : "", w[0], w[1], w[2],
             w[3], b->window_months, b->permutations,
             b->perm_lookup ? " theo phương pháp bảng tra (lookup)" : "", (unsigned long long)b->seed);
    y += hs__bul_text(t, para, (hs__font){9.5, 0, 0}, BUL_M, y, BUL_CW, 0, BUL_INK) + 6;
    snprintf(en, sizeof en,
             "Method: Getis–Ord Gi* on the communes' %s over the window, queen contiguity, "
             "confidence bins from the normal p-value of z%s; risk score from the ranks of the "
             "EB rate, Gi*, border distance and the Mann–Kendall trend; priorities ranked by the "
             "outreach gap, as /api/priorities. Exact internal figures, not disclosure-controlled: "
             "do not publish.",
             b->variable ? b->variable : "eb_rate", b->fdr ? " (FDR-adjusted)" : "");
    y += hs__bul_text(t, en, (hs__font){8.5, 0, 1}, BUL_M, y, BUL_CW, 0, BUL_GREY) + 12;
    char dv[400];
    snprintf(dv, sizeof dv,
             "Phiên bản dữ liệu (data version): %lld · kỳ %s (%s – %s) · tạo lúc %s · "
             "Nguồn: Hotspot138; ranh giới: Talia Cao (MIT), Natural Earth",
             b->data_version, b->period, f, to, b->generated_at ? b->generated_at : "");
    y += hs__bul_text(t, dv, (hs__font){9, 1, 0}, BUL_M, y, BUL_CW, 0, BUL_INK);
    return y - y0;
}
