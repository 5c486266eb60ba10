#include "hs_catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_data.h"
#include "hs_pg.h"

void hs_catalog_units_free(hs_catalog_units *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->n; i++) {
        free(u->u[i].code);
        free(u->u[i].name);
        free(u->u[i].parent_code);
    }
    free(u->u);
    u->u = NULL;
    u->n = 0;
}

int hs_catalog_units_list(PGconn *c, const char *level, const char *parent,
                          hs_catalog_units *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    const char *params[2] = {level, parent ? parent : ""};
    PGresult *r;
    int rc = hs_pg_query(c,
                         "SELECT code, name, coalesce(parent_code, ''), is_border_province,"
                         " is_key_commune FROM hs.unit WHERE level = $1"
                         " AND ($2 = '' OR parent_code = $2) ORDER BY code COLLATE \"C\"",
                         2, params, &r, err);
    if (rc < 0)
        return rc;
    size_t n = (size_t)PQntuples(r);
    out->u = n ? calloc(n, sizeof *out->u) : NULL;
    if (n && !out->u) {
        PQclear(r);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate %zu units", n);
    }
    for (size_t i = 0; i < n; i++) {
        hs_catalog_unit *u = &out->u[out->n++];
        u->code = strdup(PQgetvalue(r, (int)i, 0));
        u->name = strdup(PQgetvalue(r, (int)i, 1));
        u->parent_code = strdup(PQgetvalue(r, (int)i, 2));
        u->border_province = PQgetvalue(r, (int)i, 3)[0] == 't';
        u->key_commune = PQgetvalue(r, (int)i, 4)[0] == 't';
        if (!u->code || !u->name || !u->parent_code) {
            PQclear(r);
            return hs_err_set(err, HS_ENOMEM, "cannot copy unit %zu", i);
        }
    }
    PQclear(r);
    return HS_OK;
}

static void copy_month(char dst[8], const PGresult *r, int col)
{
    snprintf(dst, 8, "%s", PQgetisnull(r, 0, col) ? "" : PQgetvalue(r, 0, col));
}

/* Every sub-select copes with empty tables (count 0, NULL). */
int hs_catalog_meta_get(PGconn *c, hs_catalog_meta *out, hs_err *err)
{
    memset(out, 0, sizeof *out);
    PGresult *r;
    int rc = hs_pg_query(c,
                         "SELECT (SELECT value FROM hs.dataset_meta WHERE key = 'synthetic'),"
                         " (SELECT count(*) FROM hs.unit WHERE level = 'province'),"
                         " (SELECT count(*) FROM hs.unit WHERE level = 'commune'),"
                         " (SELECT to_char(min(period), 'YYYY-MM') FROM hs.case_month),"
                         " (SELECT to_char(max(period), 'YYYY-MM') FROM hs.case_month),"
                         " (SELECT to_char(min(period), 'YYYY-MM') FROM hs.outreach_month),"
                         " (SELECT to_char(max(period), 'YYYY-MM') FROM hs.outreach_month)",
                         0, NULL, &r, err);
    if (rc < 0)
        return rc;
    const char *syn = PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0);
    out->synthetic = !strcmp(syn, "true") || !strcmp(syn, "1");
    out->provinces = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    out->communes = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    copy_month(out->case_min, r, 3);
    copy_month(out->case_max, r, 4);
    copy_month(out->outreach_min, r, 5);
    copy_month(out->outreach_max, r, 6);
    PQclear(r);
    return HS_OK;
}

struct hs_catalog_periods {
    pthread_mutex_t lock; /* guards the fields below */
    int known;
    uint64_t version;
    int last;
};

int hs_catalog_periods_create(hs_catalog_periods **out, hs_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate the period memo");
    pthread_mutex_init(&(*out)->lock, NULL);
    return HS_OK;
}

void hs_catalog_periods_destroy(hs_catalog_periods *m)
{
    if (!m)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

int hs_catalog_last_period(hs_catalog_periods *m, uint64_t version, hs_catalog_conn_fn conn,
                           void *arg, int *last, hs_err *err)
{
    pthread_mutex_lock(&m->lock);
    int hit = m->known && m->version == version;
    if (hit)
        *last = m->last;
    pthread_mutex_unlock(&m->lock);
    if (hit)
        return HS_OK;
    PGconn *c;
    int first, rc = conn(arg, &c, err);
    if (rc == HS_OK)
        rc = hs_data_period_range(c, &first, last, err);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&m->lock);
    if (!m->known || version >= m->version) {
        m->known = 1;
        m->version = version;
        m->last = *last;
    }
    pthread_mutex_unlock(&m->lock);
    return HS_OK;
}
