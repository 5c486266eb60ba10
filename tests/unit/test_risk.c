/* Tests for hs_risk: score formula, coverage, gap, ranks and the exact English and
 * Vietnamese reason strings for a constructed case. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hs_risk.h"

enum { N = 20 };

typedef struct fixture {
    double rate[N], pop[N], gz[N], border[N], tz[N], ev[N], pa[N], months[N];
    const char *country[N];
    hs_risk_input in;
} fixture;

static void make(fixture *f)
{
    for (int i = 0; i < N; i++) {
        f->rate[i] = 1.0 + i; /* units 2..19: ordinary rates 3..20 */
        f->pop[i] = 10000;
        f->gz[i] = 0.2;
        f->border[i] = NAN;
        f->country[i] = NULL;
        f->tz[i] = 0.0;
        f->ev[i] = 5; /* 5 per 10,000 */
        f->pa[i] = 300;
        f->months[i] = 2;
    }
    /* Unit 0: the textbook priority. */
    f->rate[0] = 40;
    f->gz[0] = 3.0;
    f->border[0] = 12.3;
    f->country[0] = "Laos";
    f->tz[0] = 2.5;
    f->ev[0] = 0;
    f->pa[0] = 0;
    f->months[0] = NAN;
    /* Unit 1: high risk too, but well covered by outreach. */
    f->rate[1] = 35;
    f->gz[1] = 2.0;
    f->border[1] = 0.4;
    f->country[1] = "CN";
    f->ev[1] = 30;
    f->pa[1] = 2000;
    f->months[1] = 1;
    /* Unit 2: low coverage, unknown border country. */
    f->ev[2] = 1;
    f->pop[2] = 25000;
    f->pa[2] = 10;
    f->border[2] = 3;
    f->country[2] = "Myanmar";
    /* Unit 3: border with no country given; outreach 14 months ago. */
    f->border[3] = 20;
    f->months[3] = 14;
    f->in = (hs_risk_input){.n = N,
                            .eb_rate = f->rate,
                            .population = f->pop,
                            .gi_z = f->gz,
                            .border_km = f->border,
                            .border_country = f->country,
                            .trend_z = f->tz,
                            .outreach_events = f->ev,
                            .outreach_participants = f->pa,
                            .months_since_outreach = f->months};
}

static const hs_priority *entry_of(const hs_risk_result *r, int unit)
{
    for (int k = 0; k < r->n_priorities; k++)
        if (r->priorities[k].unit == unit)
            return &r->priorities[k];
    fail_msg("unit %d not in the priority list", unit);
    return NULL;
}

static void test_scores_ranks_reasons(void **state)
{
    (void)state;
    static fixture f;
    make(&f);
    hs_risk_result *r = NULL;
    hs_err err = {0};
    hs_risk_opts o;
    hs_risk_opts_default(&o);
    o.top_k = 0;
    assert_int_equal(hs_risk(&f.in, &o, &r, &err), 0);
    assert_int_equal(r->n_priorities, N);

    /* Score of unit 0 by hand: rate percentile 1, gi min(3/2.576, 1) = 1,
     * border exp(-12.3/50), trend 2.5/2.576. */
    double want = 100 * (0.35 * 1 + 0.30 * 1 + 0.20 * exp(-12.3 / 50) + 0.15 * (2.5 / 2.576));
    assert_true(fabs(r->score[0] - want) < 1e-9);
    /* An ordinary unit (rate 8): 5 lower rates (3..7) -> percentile 5/19; gi 0.2/2.576. */
    double want7 = 100 * (0.35 * 5.0 / 19 + 0.30 * (0.2 / 2.576));
    assert_true(fabs(r->score[7] - want7) < 1e-9);

    /* Coverage and gap. */
    assert_true(fabs(r->events_per_10k[2] - 0.4) < 1e-12);
    assert_true(r->coverage_pct[0] == 0.0);
    assert_true(fabs(r->gap[0] - r->risk_pct[0]) < 1e-12);
    assert_true(r->risk_pct[0] == 1.0);
    for (int i = 0; i < N; i++)
        assert_true(fabs(r->gap[i] - r->risk_pct[i] * (1 - r->coverage_pct[i])) < 1e-12);

    /* Ranks: unit 0 first; unit 1 (second-highest risk, best coverage) falls behind. */
    assert_int_equal(r->priorities[0].unit, 0);
    assert_int_equal(r->priority_rank[0], 1);
    assert_true(r->priority_rank[1] > 3);
    for (int k = 1; k < N; k++)
        assert_true(r->priorities[k].gap <= r->priorities[k - 1].gap);

    assert_string_equal(r->priorities[0].reason_en,
                        "hot spot (99%), high rate 40.0 per 100,000 (top 5%), 12 km from the "
                        "Laos border, rising trend, no outreach event in 12 months");
    assert_string_equal(r->priorities[0].reason_vi,
                        "điểm nóng (99%), tỷ lệ cao 40,0/100.000 dân (nhóm 5% cao nhất), cách "
                        "biên giới Lào 12 km, xu hướng tăng, không có hoạt động truyền thông "
                        "trong 12 tháng");
    const hs_priority *p1 = entry_of(r, 1);
    assert_string_equal(p1->reason_en, "hot spot (95%), high rate 35.0 per 100,000 (top 10%), "
                                       "less than 1 km from the China border");
    assert_string_equal(p1->reason_vi, "điểm nóng (95%), tỷ lệ cao 35,0/100.000 dân (nhóm 10% "
                                       "cao nhất), cách biên giới Trung Quốc dưới 1 km");
    const hs_priority *p2 = entry_of(r, 2);
    assert_string_equal(p2->reason_en, "3 km from the Myanmar border, low outreach coverage "
                                       "(0.4 events per 10,000 people)");
    assert_string_equal(p2->reason_vi, "cách biên giới Myanmar 3 km, độ phủ truyền thông thấp "
                                       "(0,4 hoạt động/10.000 dân)");
    const hs_priority *p3 = entry_of(r, 3);
    assert_string_equal(p3->reason_en,
                        "20 km from the land border, no outreach event in 12 months");
    assert_string_equal(p3->reason_vi, "cách biên giới đất liền 20 km, không có hoạt động "
                                       "truyền thông trong 12 tháng");
    const hs_priority *p9 = entry_of(r, 9);
    char want9[64];
    snprintf(want9, sizeof want9, "composite risk score %.0f/100", r->score[9]);
    assert_string_equal(p9->reason_en, want9);
    assert_non_null(strstr(p9->reason_vi, "điểm rủi ro tổng hợp"));
    hs_risk_result_free(r);

    /* Ranking by score instead of gap puts unit 1 second; top_k bounds the list. */
    o.rank_by = HS_RISK_RANK_SCORE;
    o.top_k = 3;
    assert_int_equal(hs_risk(&f.in, &o, &r, &err), 0);
    assert_int_equal(r->n_priorities, 3);
    assert_int_equal(r->priorities[0].unit, 0);
    assert_int_equal(r->priorities[1].unit, 1);
    hs_risk_result_free(r);
}

static void test_missing_inputs_and_errors(void **state)
{
    (void)state;
    static fixture f;
    make(&f);
    f.rate[5] = NAN; /* unknown rate: no score, not ranked */
    f.gz[6] = NAN;   /* isolated unit: Gi* contributes 0 */
    f.pop[7] = 0;    /* no population: no coverage figure */
    f.in.gi_p = NULL;
    f.in.trend_z = NULL;
    hs_risk_result *r = NULL;
    hs_err err = {0};
    assert_int_equal(hs_risk(&f.in, NULL, &r, &err), 0);
    assert_true(isnan(r->score[5]));
    assert_int_equal(r->priority_rank[5], 0);
    assert_true(isfinite(r->score[6]));
    assert_true(isnan(r->events_per_10k[7]));
    assert_int_equal(r->n_priorities, N - 1);
    hs_risk_result_free(r);

    hs_risk_opts o;
    hs_risk_opts_default(&o);
    o.w.border = -1;
    assert_int_equal(hs_risk(&f.in, &o, &r, &err), HS_EINVAL);
    assert_non_null(strstr(err.msg, "border=-1"));
    assert_null(r);
    f.in.eb_rate = NULL;
    assert_int_equal(hs_risk(&f.in, NULL, &r, &err), HS_EINVAL);

    assert_string_equal(hs_risk_country_vi("Lao PDR"), "Lào");
    assert_string_equal(hs_risk_country_vi("KHM"), "Campuchia");
    assert_null(hs_risk_country_vi("Thailand"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scores_ranks_reasons),
        cmocka_unit_test(test_missing_inputs_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
