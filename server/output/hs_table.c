#include "hs_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Strings are appended to chunks of at least HS_TABLE_CHUNK bytes; a chunk is freed
 * only with its table. A string replaced by hs_table_set_str keeps its old bytes
 * until then (tables are built once and then only read). */
#define HS_TABLE_CHUNK (64 * 1024)

struct hs_table_chunk {
    hs_table_chunk *next;
    size_t used, cap;
    char data[];
};

int hs_table_new(const char *const *cols, int ncols, hs_table **out, hs_err *err)
{
    *out = NULL;
    if (ncols <= 0 || ncols > HS_TABLE_MAX_COLS)
        return hs_err_set(err, HS_EINTERNAL, "a table needs 1..%d columns", HS_TABLE_MAX_COLS);
    hs_table *t = calloc(1, sizeof *t);
    if (!t)
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a table");
    t->col_name = calloc((size_t)ncols, sizeof *t->col_name);
    t->col_type = calloc((size_t)ncols, sizeof *t->col_type);
    if (!t->col_name || !t->col_type) {
        hs_table_free(t);
        return hs_err_set(err, HS_ENOMEM, "cannot allocate a table");
    }
    t->ncols = ncols;
    for (int c = 0; c < ncols; c++) {
        const char *colon = strrchr(cols[c], ':');
        if (!colon || colon[1] == '\0' || colon[2] != '\0' || !strchr("sir", colon[1])) {
            hs_table_free(t);
            return hs_err_set(err, HS_EINTERNAL, "column spec '%s' is not name:s|i|r", cols[c]);
        }
        t->col_name[c] = strndup(cols[c], (size_t)(colon - cols[c]));
        t->col_type[c] = colon[1] == 's' ? HS_COL_STR : colon[1] == 'i' ? HS_COL_INT : HS_COL_REAL;
        if (!t->col_name[c]) {
            hs_table_free(t);
            return hs_err_set(err, HS_ENOMEM, "cannot allocate a table");
        }
    }
    snprintf(t->p_basis, sizeof t->p_basis, "raw");
    t->threads = 1;
    *out = t;
    return HS_OK;
}

void hs_table_free(hs_table *t)
{
    if (!t)
        return;
    for (int r = 0; t->wkb && r < t->nrows; r++)
        free(t->wkb[r]);
    while (t->strings) {
        hs_table_chunk *next = t->strings->next;
        free(t->strings);
        t->strings = next;
    }
    if (t->col_name)
        for (int c = 0; c < t->ncols; c++)
            free(t->col_name[c]);
    free(t->col_name);
    free(t->col_type);
    free(t->cells);
    free(t->wkb);
    free(t->wkb_len);
    free(t);
}

/* Room for at least `rows` rows, so a table of known size is allocated once instead of
 * doubling (each doubling copied and page-faulted megabytes at 10,000 rows). */
int hs_table_reserve(hs_table *t, int rows, hs_err *err)
{
    if (rows > HS_TABLE_MAX_ROWS)
        rows = HS_TABLE_MAX_ROWS;
    if (rows <= t->cap_rows)
        return HS_OK;
    hs_cell *cells = realloc(t->cells, (size_t)rows * (size_t)t->ncols * sizeof *cells);
    if (!cells)
        return hs_err_set(err, HS_ENOMEM, "cannot grow table to %d rows", rows);
    t->cells = cells;
    unsigned char **wkb = realloc(t->wkb, (size_t)rows * sizeof *wkb);
    if (!wkb)
        return hs_err_set(err, HS_ENOMEM, "cannot grow table to %d rows", rows);
    t->wkb = wkb;
    size_t *wl = realloc(t->wkb_len, (size_t)rows * sizeof *wl);
    if (!wl)
        return hs_err_set(err, HS_ENOMEM, "cannot grow table to %d rows", rows);
    t->wkb_len = wl;
    t->cap_rows = rows;
    return HS_OK;
}

int hs_table_add_row(hs_table *t, hs_err *err)
{
    if (t->nrows >= HS_TABLE_MAX_ROWS)
        return hs_err_set(err, HS_ELIMIT, "result exceeds %d rows", HS_TABLE_MAX_ROWS);
    if (t->nrows == t->cap_rows) {
        int rc = hs_table_reserve(t, t->cap_rows ? t->cap_rows * 2 : 256, err);
        if (rc < 0)
            return rc;
    }
    int r = t->nrows++;
    for (int c = 0; c < t->ncols; c++)
        t->cells[(size_t)r * (size_t)t->ncols + (size_t)c] = (hs_cell){.isnull = 1};
    t->wkb[r] = NULL;
    t->wkb_len[r] = 0;
    return r;
}

int hs_table_col(const hs_table *t, const char *name)
{
    for (int c = 0; c < t->ncols; c++)
        if (!strcmp(t->col_name[c], name))
            return c;
    return -1;
}

static hs_cell *cell(hs_table *t, int row, int col)
{
    return &t->cells[(size_t)row * (size_t)t->ncols + (size_t)col];
}

/* A copy of s[0..len] (NUL included) in the table's string chunks. */
static const char *store_string(hs_table *t, const char *s, size_t len)
{
    hs_table_chunk *k = t->strings;
    if (!k || k->cap - k->used < len + 1) {
        size_t cap = len + 1 > HS_TABLE_CHUNK ? len + 1 : HS_TABLE_CHUNK;
        if (!(k = malloc(sizeof *k + cap)))
            return NULL;
        k->next = t->strings;
        k->used = 0;
        k->cap = cap;
        t->strings = k;
    }
    char *dst = k->data + k->used;
    memcpy(dst, s, len + 1);
    k->used += len + 1;
    return dst;
}

int hs_table_set_str(hs_table *t, int row, int col, const char *s, hs_err *err)
{
    hs_cell *c = cell(t, row, col);
    c->s = NULL;
    c->isnull = s == NULL;
    if (s && !(c->s = store_string(t, s, strlen(s))))
        return hs_err_set(err, HS_ENOMEM, "cannot copy a string cell of %zu bytes", strlen(s));
    return HS_OK;
}

void hs_table_set_int(hs_table *t, int row, int col, long long v)
{
    hs_cell *c = cell(t, row, col);
    c->i = v;
    c->isnull = 0;
}

void hs_table_set_real(hs_table *t, int row, int col, double v)
{
    hs_cell *c = cell(t, row, col);
    c->d = v;
    c->isnull = !isfinite(v);
}

int hs_table_set_wkb(hs_table *t, int row, const unsigned char *wkb, size_t len, hs_err *err)
{
    free(t->wkb[row]);
    t->wkb[row] = malloc(len ? len : 1);
    if (!t->wkb[row])
        return hs_err_set(err, HS_ENOMEM, "cannot copy a geometry of %zu bytes", len);
    memcpy(t->wkb[row], wkb, len);
    t->wkb_len[row] = len;
    return HS_OK;
}

void hs_table_add_summary(hs_table *t, const char *key, double v)
{
    if (t->nsummary >= HS_TABLE_MAX_SUMMARY)
        return;
    snprintf(t->summary_key[t->nsummary], sizeof t->summary_key[0], "%s", key);
    t->summary_val[t->nsummary++] = v;
}
