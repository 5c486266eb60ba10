#include "hs_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_datapack.h"
#include "hs_period.h"
#include "hs_pg.h"
#include "hs_proj.h"

/* Distances for knn / distance bands / scan windows need metres everywhere in the
 * country, including Trường Sa at 114 E: a Lambert azimuthal equal-area projection
 * centred on Vietnam keeps distance error within ~1% over the whole extent, where a
 * single UTM zone (VN-2000 / UTM 48N) is off by several percent in the east sea. */
#define HS_DATA_METRIC_CRS "+proj=laea +lat_0=16 +lon_0=106 +datum=WGS84 +units=m +no_defs +type=crs"

static const char *const indicator_names[HS_IND_COUNT] = {"cases", "victims", "suspects",
                                                          "outreach_events"};

const char *hs_indicator_name(hs_indicator ind)
{
    return (unsigned)ind < HS_IND_COUNT ? indicator_names[ind] : "?";
}

int hs_indicator_parse(const char *s, const char *what, hs_indicator *out, hs_err *err)
{
    for (int i = 0; i < HS_IND_COUNT; i++)
        if (s && !strcmp(s, indicator_names[i])) {
            *out = (hs_indicator)i;
            return HS_OK;
        }
    return hs_err_set(err, HS_EINVAL,
                      "%s '%.64s' is not an indicator; use cases, victims, suspects or "
                      "outreach_events",
                      what, s ? s : "");
}

const char *hs_level_name(hs_level l)
{
    return l == HS_LEVEL_PROVINCE ? "province" : "commune";
}

int hs_level_parse(const char *s, const char *what, hs_level *out, hs_err *err)
{
    if (s && !strcmp(s, "province"))
        *out = HS_LEVEL_PROVINCE;
    else if (s && !strcmp(s, "commune"))
        *out = HS_LEVEL_COMMUNE;
    else
        return hs_err_set(err, HS_EINVAL, "%s '%.64s' is not a level; use province or commune",
                          what, s ? s : "");
    return HS_OK;
}

void hs_unitset_free(hs_unitset *u)
{
    if (!u)
        return;
    for (int i = 0; !u->strings && i < u->n; i++) {
        free(u->code ? u->code[i] : NULL);
        free(u->name ? u->name[i] : NULL);
        free(u->parent_code ? u->parent_code[i] : NULL);
        free(u->parent_name ? u->parent_name[i] : NULL);
        free(u->border_country ? u->border_country[i] : NULL);
    }
    free(u->code);
    free(u->name);
    free(u->parent_code);
    free(u->parent_name);
    free(u->border_country);
    free(u->strings);
    free(u->population);
    free(u->x_m);
    free(u->y_m);
    free(u->lon);
    free(u->lat);
    free(u->border_km);
    free(u->key_commune);
    free(u->border_province);
    free(u->adj_a);
    free(u->adj_b);
    free(u);
}

int hs_unitset_alloc(int n, hs_unitset **out, hs_err *err)
{
    hs_unitset *u = calloc(1, sizeof *u);
    if (!u)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d units", n);
    size_t k = n > 0 ? (size_t)n : 1;
    u->code = calloc(k, sizeof *u->code);
    u->name = calloc(k, sizeof *u->name);
    u->parent_code = calloc(k, sizeof *u->parent_code);
    u->parent_name = calloc(k, sizeof *u->parent_name);
    u->border_country = calloc(k, sizeof *u->border_country);
    u->population = calloc(k, sizeof *u->population);
    u->x_m = calloc(k, sizeof *u->x_m);
    u->y_m = calloc(k, sizeof *u->y_m);
    u->lon = calloc(k, sizeof *u->lon);
    u->lat = calloc(k, sizeof *u->lat);
    u->border_km = calloc(k, sizeof *u->border_km);
    u->key_commune = calloc(k, 1);
    u->border_province = calloc(k, 1);
    if (!u->code || !u->name || !u->parent_code || !u->parent_name || !u->border_country ||
        !u->population || !u->x_m || !u->y_m || !u->lon || !u->lat || !u->border_km ||
        !u->key_commune || !u->border_province) {
        hs_unitset_free(u);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d units", n);
    }
    *out = u;
    return HS_OK;
}

static double getd(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NAN;
    return strtod(PQgetvalue(r, row, col), NULL);
}

static double getd0(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0.0 : strtod(PQgetvalue(r, row, col), NULL);
}

static int check_province(PGconn *c, const char *province, hs_err *err)
{
    const char *p[1] = {province};
    PGresult *r;
    int rc = hs_pg_query(c, "SELECT 1 FROM hs.unit WHERE code = $1 AND level = 'province'", 1, p,
                         &r, err);
    if (rc < 0)
        return rc;
    int found = PQntuples(r) > 0;
    PQclear(r);
    if (!found)
        return hs_err_set(err, HS_ENOTFOUND, "province '%.64s' is not a province code in the "
                          "database (see GET /api/units?level=province)", province);
    return HS_OK;
}

/* Population: the unit's own figure for the latest year not after pop_year (else its
 * earliest), falling back to the sum of its communes for provinces without one. The
 * own figure is one DISTINCT ON over the selected units' rows (a hash join), not a
 * sorted subquery per unit (80 ms for the 3,297 demo communes). */
static const char units_sql[] =
    "WITH sel AS ("
    "  SELECT u.* FROM hs.unit u WHERE u.level = $1"
    "   AND ($2 = '' OR u.code = $2 OR u.parent_code = $2)),"
    " pop AS ("
    "  SELECT DISTINCT ON (p.unit_code) p.unit_code AS code, p.population AS own"
    "  FROM sel s JOIN hs.unit_population p ON p.unit_code = s.code"
    "  ORDER BY p.unit_code, (p.year <= $3::int) DESC, CASE WHEN p.year <= $3::int THEN -p.year"
    "     ELSE p.year END)"
    " SELECT s.code, s.name, coalesce(s.parent_code, ''), coalesce(par.name, ''),"
    "  coalesce(pop.own, (SELECT sum(cp.population) FROM hs.unit c"
    "     JOIN LATERAL (SELECT p.population FROM hs.unit_population p WHERE p.unit_code = c.code"
    "       ORDER BY (p.year <= $3::int) DESC, CASE WHEN p.year <= $3::int THEN -p.year"
    "       ELSE p.year END LIMIT 1) cp ON true WHERE c.parent_code = s.code), 0),"
    "  ST_X(d.centroid), ST_Y(d.centroid),"
    "  ST_X(d.label_pt), ST_Y(d.label_pt), d.border_km, coalesce(d.border_country, ''),"
    "  s.is_key_commune, s.is_border_province"
    " FROM sel s JOIN hs.unit_derived d ON d.unit_code = s.code"
    " LEFT JOIN pop ON pop.code = s.code LEFT JOIN hs.unit par ON par.code = s.parent_code"
    " ORDER BY s.code COLLATE \"C\"";

/* Centroids to metres with PROJ here rather than ST_Transform(geom, text) in SQL:
 * PostGIS re-creates the transformation for a PROJ string on every row (~1 ms each). */
static int project_centroids(hs_unitset *u, hs_err *err)
{
    double *xy = malloc((size_t)u->n * 2 * sizeof *xy);
    if (!xy)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d centroids", u->n);
    for (int i = 0; i < u->n; i++) {
        xy[2 * i] = u->x_m[i];
        xy[2 * i + 1] = u->y_m[i];
    }
    hs_proj_ctx *pc = hs_proj_ctx_new(err);
    int rc = pc ? hs_proj_fwd(pc, HS_DATA_METRIC_CRS, xy, (size_t)u->n, err) : err->code;
    for (int i = 0; rc == HS_OK && i < u->n; i++) {
        u->x_m[i] = xy[2 * i];
        u->y_m[i] = xy[2 * i + 1];
    }
    hs_proj_ctx_free(pc);
    free(xy);
    return rc;
}

static int cmp_code(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(char *const *)elem);
}

int hs_unitset_find(const hs_unitset *u, const char *code)
{
    char **hit = bsearch(code, u->code, (size_t)u->n, sizeof *u->code, cmp_code);
    return hit ? (int)(hit - u->code) : -1;
}

static int load_adjacency(PGconn *c, hs_unitset *u, const char *level, const char *prov,
                          hs_err *err)
{
    /* No join with hs.unit: pairs link units of one level (hs.refresh_derived), and a
     * pair with a unit outside this set (other level, other province) is dropped below
     * because its code is not found. Both directions are stored, so a < b in any
     * collation yields each pair once. */
    (void)level;
    (void)prov;
    PGresult *r;
    int rc = hs_pg_query(c, "SELECT a, b FROM hs.unit_adjacency WHERE a < b", 0, NULL, &r, err);
    if (rc < 0)
        return rc;
    size_t m = (size_t)PQntuples(r);
    u->adj_a = malloc((m ? m : 1) * sizeof *u->adj_a);
    u->adj_b = malloc((m ? m : 1) * sizeof *u->adj_b);
    if (!u->adj_a || !u->adj_b) {
        PQclear(r);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %zu adjacency pairs", m);
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        int a = hs_unitset_find(u, PQgetvalue(r, (int)i, 0));
        int b = hs_unitset_find(u, PQgetvalue(r, (int)i, 1));
        if (a >= 0 && b >= 0) {
            u->adj_a[k] = a;
            u->adj_b[k] = b;
            k++;
        }
    }
    u->nadj = k;
    PQclear(r);
    return HS_OK;
}

int hs_data_load_units(PGconn *c, hs_level level, const char *province, int pop_year,
                       hs_unitset **out, hs_err *err)
{
    *out = NULL;
    const char *prov = province ? province : "";
    int rc;
    if (*prov && (rc = check_province(c, prov, err)) < 0)
        return rc;
    char year[16];
    snprintf(year, sizeof year, "%d", pop_year);
    const char *lvl = hs_level_name(level);
    char key[sizeof ((hs_unitset *)0)->cache_key];
    snprintf(key, sizeof key, "units|%s|%.40s|%d", lvl, prov, pop_year);
    long long version;
    hs_unitset *hit = hs_datapack_get_units(c, key, level, &version);
    if (hit) {
        snprintf(hit->cache_key, sizeof hit->cache_key, "%s", key);
        *out = hit;
        return HS_OK;
    }
    PGresult *r;
    const char *p[3] = {lvl, prov, year};
    if ((rc = hs_pg_query(c, units_sql, 3, p, &r, err)) < 0)
        return rc;
    int n = PQntuples(r);
    if (n > HS_DATA_MAX_UNITS) {
        PQclear(r);
        return hs_err_set(err, HS_ELIMIT, "%d units exceed the limit of %d", n, HS_DATA_MAX_UNITS);
    }
    if (n == 0) {
        PQclear(r);
        return hs_err_set(err, HS_ENOTFOUND, "no %s units in the database%s%s; import boundaries "
                          "first (hotspot import units) or load the demo (hotspot db demo)",
                          lvl, *prov ? " for province " : "", prov);
    }
    hs_unitset *u = NULL;
    if ((rc = hs_unitset_alloc(n, &u, err)) < 0) {
        PQclear(r);
        return rc;
    }
    u->level = level;
    for (int i = 0; i < n; i++, u->n++) {
        u->code[i] = strdup(PQgetvalue(r, i, 0));
        u->name[i] = strdup(PQgetvalue(r, i, 1));
        u->parent_code[i] = strdup(PQgetvalue(r, i, 2));
        u->parent_name[i] = strdup(PQgetvalue(r, i, 3));
        u->border_country[i] = strdup(PQgetvalue(r, i, 10));
        if (!u->code[i] || !u->name[i] || !u->parent_code[i] || !u->parent_name[i] ||
            !u->border_country[i]) {
            u->n++;
            PQclear(r);
            hs_unitset_free(u);
            return hs_err_set(err, HS_ENOMEM, "cannot copy unit names");
        }
        u->population[i] = getd(r, i, 4);
        u->x_m[i] = getd(r, i, 5);
        u->y_m[i] = getd(r, i, 6);
        u->lon[i] = getd(r, i, 7);
        u->lat[i] = getd(r, i, 8);
        u->border_km[i] = getd(r, i, 9);
        u->key_commune[i] = PQgetvalue(r, i, 11)[0] == 't';
        u->border_province[i] = PQgetvalue(r, i, 12)[0] == 't';
    }
    PQclear(r);
    if ((rc = project_centroids(u, err)) < 0 || (rc = load_adjacency(c, u, lvl, prov, err)) < 0) {
        hs_unitset_free(u);
        return rc;
    }
    snprintf(u->cache_key, sizeof u->cache_key, "%s", key);
    hs_datapack_put_units(c, key, version, u);
    *out = u;
    return HS_OK;
}

void hs_series_free(hs_series *s)
{
    if (!s)
        return;
    free(s->v);
    free(s);
}

void hs_series_totals(const hs_series *s, double *out)
{
    for (int i = 0; i < s->n; i++) {
        double t = 0;
        for (int k = 0; k < s->T; k++)
            t += s->v[(size_t)i * (size_t)s->T + (size_t)k];
        out[i] = t;
    }
}

/* Column of the monthly tables behind each indicator. Fixed strings, never user text. */
static const char *indicator_sql_source(hs_indicator ind)
{
    switch (ind) {
    case HS_IND_CASES: return "SELECT unit_code, period, cases AS v FROM hs.case_month";
    case HS_IND_VICTIMS: return "SELECT unit_code, period, victims AS v FROM hs.case_month";
    case HS_IND_SUSPECTS: return "SELECT unit_code, period, suspects AS v FROM hs.case_month";
    default: return "SELECT unit_code, period, events AS v FROM hs.outreach_month";
    }
}

/* Runs a query whose $1 and $2 are the first days of the window's months. */
static int window_query(PGconn *c, const char *sql, int from, int to, PGresult **r, hs_err *err)
{
    char dfrom[16], dto[16];
    hs_period_date(from, dfrom, sizeof dfrom);
    hs_period_date(to, dto, sizeof dto);
    const char *p[2] = {dfrom, dto};
    return hs_pg_query(c, sql, 2, p, r, err);
}

/* Rolls commune rows up to their province when the set is province-level. */
static void key_expr(hs_level level, char *out, size_t n)
{
    snprintf(out, n, "%s",
             level == HS_LEVEL_PROVINCE
                 ? "CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END"
                 : "u.code");
}

/* Days since 2000-01-01 (a date difference, independent of DateStyle) -> the period
 * index of hs_period (year * 12 + month - 1). Hinnant's civil_from_days. */
static long days_period(const char *s)
{
    long z = strtol(s, NULL, 10) + 10957 + 719468; /* 2000-01-01 is day 10957 of 1970 */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long m = mp < 10 ? mp + 3 : mp - 9;
    long y = yoe + era * 400 + (m <= 2);
    return y * 12 + m - 1;
}

int hs_data_load_series(PGconn *c, const hs_unitset *u, hs_indicator ind, int from, int to,
                        hs_series **out, hs_err *err)
{
    *out = NULL;
    if (to < from)
        return hs_err_set(err, HS_EINVAL, "the window ends before it starts");
    int T = to - from + 1;
    if ((double)T * u->n > HS_DATA_MAX_CELLS)
        return hs_err_set(err, HS_ELIMIT, "%d units x %d months exceed the limit of %d cells",
                          u->n, T, HS_DATA_MAX_CELLS);
    char ckey[200];
    long long version = -1;
    PGresult *r;
    snprintf(ckey, sizeof ckey, "series|%s|%s|%d|%d", u->cache_key, hs_indicator_name(ind), from,
             to);
    if (u->cache_key[0]) {
        *out = hs_datapack_get_series(c, ckey, u->n, T, from, &version);
        if (*out)
            return HS_OK;
    }
    char key[128], sql[1024];
    key_expr(u->level, key, sizeof key);
    /* Communes read their own rows: no join, no grouping (one row per unit and month
     * by the primary key), zeros skipped (the array starts at 0), the month computed
     * here from an integer day count. Provinces sum their communes' rows in SQL. */
    if (u->level == HS_LEVEL_COMMUNE)
        snprintf(sql, sizeof sql,
                 "SELECT unit_code, period - DATE '2000-01-01', v FROM (%s WHERE period BETWEEN"
                 " $1::date AND $2::date) m WHERE v <> 0",
                 indicator_sql_source(ind));
    else
        snprintf(sql, sizeof sql,
                 "SELECT %s AS k, m.period - DATE '2000-01-01', sum(m.v) FROM (%s WHERE period"
                 " BETWEEN $1::date AND $2::date) m JOIN hs.unit u ON u.code = m.unit_code"
                 " GROUP BY 1, m.period",
                 key, indicator_sql_source(ind));
    int rc = window_query(c, sql, from, to, &r, err);
    if (rc < 0)
        return rc;
    hs_series *s = calloc(1, sizeof *s);
    if (s)
        s->v = calloc((size_t)u->n * (size_t)T, sizeof *s->v);
    if (!s || !s->v) {
        PQclear(r);
        hs_series_free(s);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %d x %d series", u->n, T);
    }
    s->n = u->n;
    s->T = T;
    s->from = from;
    for (int i = 0; i < PQntuples(r); i++) {
        int k = hs_unitset_find(u, PQgetvalue(r, i, 0));
        long t = days_period(PQgetvalue(r, i, 1)) - from;
        if (k < 0 || t < 0 || t >= T)
            continue; /* a unit outside the selection (other province) */
        double v = strtod(PQgetvalue(r, i, 2), NULL);
        s->v[(size_t)k * (size_t)T + (size_t)t] = v;
        s->total += v;
    }
    PQclear(r);
    if (u->cache_key[0])
        hs_datapack_put_series(c, ckey, version, s);
    *out = s;
    return HS_OK;
}

void hs_outreach_free(hs_outreach *o)
{
    if (!o)
        return;
    free(o->events);
    free(o->participants);
    free(o->hotline_calls);
    free(o->months_since_event);
    free(o);
}

int hs_data_load_outreach(PGconn *c, const hs_unitset *u, int from, int to, hs_outreach **out,
                          hs_err *err)
{
    *out = NULL;
    char key[128], sql[1024];
    key_expr(u->level, key, sizeof key);
    /* Communes group their own rows (no join; other levels' rows are dropped below as
     * not found); the last month with events comes back as a day count (integer date
     * arithmetic instead of numeric extract()). */
    snprintf(sql, sizeof sql,
             "SELECT %s AS k,"
             " sum(o.events) FILTER (WHERE o.period >= $1::date),"
             " sum(o.participants) FILTER (WHERE o.period >= $1::date),"
             " sum(o.hotline_calls) FILTER (WHERE o.period >= $1::date),"
             " max(o.period) FILTER (WHERE o.events > 0) - DATE '2000-01-01'"
             " FROM hs.outreach_month o%s"
             " WHERE o.period <= $2::date GROUP BY 1",
             u->level == HS_LEVEL_COMMUNE ? "o.unit_code" : key,
             u->level == HS_LEVEL_COMMUNE ? "" : " JOIN hs.unit u ON u.code = o.unit_code");
    PGresult *r;
    int rc = window_query(c, sql, from, to, &r, err);
    if (rc < 0)
        return rc;
    hs_outreach *o = calloc(1, sizeof *o);
    size_t n = (size_t)u->n;
    if (o) {
        o->events = calloc(n, sizeof *o->events);
        o->participants = calloc(n, sizeof *o->participants);
        o->hotline_calls = calloc(n, sizeof *o->hotline_calls);
        o->months_since_event = malloc(n * sizeof *o->months_since_event);
    }
    if (!o || !o->events || !o->participants || !o->hotline_calls || !o->months_since_event) {
        PQclear(r);
        hs_outreach_free(o);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate outreach for %d units", u->n);
    }
    o->n = u->n;
    for (size_t i = 0; i < n; i++)
        o->months_since_event[i] = -1;
    for (int i = 0; i < PQntuples(r); i++) {
        int k = hs_unitset_find(u, PQgetvalue(r, i, 0));
        if (k < 0)
            continue;
        /* sum() FILTER is NULL when the unit had rows only before the window. */
        o->events[k] = getd0(r, i, 1);
        o->participants[k] = getd0(r, i, 2);
        o->hotline_calls[k] = getd0(r, i, 3);
        if (!PQgetisnull(r, i, 4))
            o->months_since_event[k] = to - (int)days_period(PQgetvalue(r, i, 4));
    }
    PQclear(r);
    *out = o;
    return HS_OK;
}

static int scalar_query(PGconn *c, const char *sql, char *out, size_t n, int *isnull, hs_err *err)
{
    PGresult *r;
    int rc = hs_pg_query(c, sql, 0, NULL, &r, err);
    if (rc < 0)
        return rc;
    *isnull = PQntuples(r) == 0 || PQgetisnull(r, 0, 0);
    snprintf(out, n, "%s", *isnull ? "" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return HS_OK;
}

int hs_data_period_range(PGconn *c, int *first, int *last, hs_err *err)
{
    PGresult *r;
    int rc = hs_pg_query(c,
                         "SELECT to_char(min(p), 'YYYY-MM'), to_char(max(p), 'YYYY-MM') FROM ("
                         " SELECT period p FROM hs.case_month UNION ALL"
                         " SELECT period FROM hs.outreach_month) x",
                         0, NULL, &r, err);
    if (rc < 0)
        return rc;
    if (PQgetisnull(r, 0, 0)) {
        PQclear(r);
        return hs_err_set(err, HS_ENOTFOUND, "the database holds no case or outreach counts yet; "
                          "import them (hotspot import cases FILE.csv)");
    }
    rc = hs_period_parse(PQgetvalue(r, 0, 0), "first period", first, err);
    if (rc == HS_OK)
        rc = hs_period_parse(PQgetvalue(r, 0, 1), "last period", last, err);
    PQclear(r);
    return rc;
}

int hs_data_is_synthetic(PGconn *c, int *synthetic, hs_err *err)
{
    char v[16];
    int isnull;
    int rc = scalar_query(c, "SELECT value FROM hs.dataset_meta WHERE key = 'synthetic'", v,
                          sizeof v, &isnull, err);
    if (rc < 0)
        return rc;
    *synthetic = !isnull && (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"));
    return HS_OK;
}

int hs_data_version(PGconn *c, long long *version, hs_err *err)
{
    char v[32];
    int isnull;
    int rc = scalar_query(c, "SELECT version FROM hs.data_version WHERE id = 1", v, sizeof v,
                          &isnull, err);
    if (rc < 0)
        return rc;
    *version = isnull ? 0 : strtoll(v, NULL, 10);
    return HS_OK;
}

void hs_data_wkb_free(int n, unsigned char **wkb, size_t *len)
{
    for (int i = 0; wkb && i < n; i++)
        PQfreemem(wkb[i]);
    free(wkb);
    free(len);
}

int hs_data_load_wkb(PGconn *c, const hs_unitset *u, unsigned char ***wkb, size_t **len,
                     hs_err *err)
{
    *wkb = calloc((size_t)u->n, sizeof **wkb);
    *len = calloc((size_t)u->n, sizeof **len);
    if (!*wkb || !*len) {
        hs_data_wkb_free(0, *wkb, *len);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate geometries for %d units", u->n);
    }
    const char *p[1] = {hs_level_name(u->level)};
    PGresult *r;
    int rc = hs_pg_query(c, "SELECT code, ST_AsBinary(geom) FROM hs.unit WHERE level = $1", 1, p,
                         &r, err);
    for (int i = 0; rc == HS_OK && i < PQntuples(r); i++) {
        int k = hs_unitset_find(u, PQgetvalue(r, i, 0));
        if (k < 0 || (*wkb)[k])
            continue;
        (*wkb)[k] = PQunescapeBytea((const unsigned char *)PQgetvalue(r, i, 1), &(*len)[k]);
        if (!(*wkb)[k])
            rc = hs_err_set(err, HS_ENOMEM, "cannot decode the geometry of %s", u->code[k]);
    }
    if (rc == HS_OK)
        PQclear(r);
    else {
        hs_data_wkb_free(u->n, *wkb, *len);
        *wkb = NULL;
        *len = NULL;
    }
    return rc;
}
