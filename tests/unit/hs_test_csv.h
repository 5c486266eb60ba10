/* Tiny reader for the numeric CSV fixtures written by tests/fixtures/make_spdep_fixtures.R
 * (header row, quoted names, numbers or NA). Test-only: static functions, no library. */
#ifndef HS_TEST_CSV_H
#define HS_TEST_CSV_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_weights.h"

#define TCSV_MAX_COLS 32
#define TCSV_MAX_ROWS 4096

typedef struct tcsv {
    int ncol, nrow;
    char names[TCSV_MAX_COLS][64];
    double *v; /* nrow * ncol, row-major */
} tcsv;

static inline void tcsv_unquote(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        memmove(s, s + 1, n - 2);
        s[n - 2] = 0;
    }
}

/* Loads HS_FIXTURE_DIR/name; returns 0 or -1. */
static inline int tcsv_load(const char *name, tcsv *t)
{
    char path[512], line[8192];
    snprintf(path, sizeof path, "%s/%s", HS_FIXTURE_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    memset(t, 0, sizeof *t);
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    char *save = NULL;
    for (char *tok = strtok_r(line, ",", &save); tok && t->ncol < TCSV_MAX_COLS;
         tok = strtok_r(NULL, ",", &save)) {
        tcsv_unquote(tok);
        snprintf(t->names[t->ncol++], sizeof t->names[0], "%s", tok);
    }
    t->v = malloc((size_t)TCSV_MAX_ROWS * t->ncol * sizeof *t->v);
    while (t->v && t->nrow < TCSV_MAX_ROWS && fgets(line, sizeof line, f)) {
        int c = 0;
        save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok && c < t->ncol;
             tok = strtok_r(NULL, ",", &save), c++) {
            tcsv_unquote(tok);
            char *end;
            double d = strtod(tok, &end);
            t->v[(size_t)t->nrow * t->ncol + c] = (end == tok || !strcmp(tok, "NA")) ? NAN : d;
        }
        if (c == t->ncol)
            t->nrow++;
    }
    fclose(f);
    return t->v ? 0 : -1;
}

static inline int tcsv_col(const tcsv *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (!strcmp(t->names[c], name))
            return c;
    fprintf(stderr, "fixture column %s missing\n", name);
    abort();
}

/* Copies a column into a new array (caller frees). */
static inline double *tcsv_get(const tcsv *t, const char *name)
{
    int c = tcsv_col(t, name);
    double *a = malloc((size_t)t->nrow * sizeof *a);
    for (int r = 0; r < t->nrow; r++)
        a[r] = t->v[(size_t)r * t->ncol + c];
    return a;
}


static inline void tcsv_free(tcsv *t)
{
    free(t->v);
    t->v = NULL;
}

/* Rebuilds weights from a (from, to) pair fixture; pairs are directed in the file,
 * symmetric layers list both directions and hs_weights_from_pairs de-duplicates. */
static inline hs_weights *tcsv_weights(const char *name, int n)
{
    tcsv t;
    if (tcsv_load(name, &t) < 0)
        return NULL;
    int *a = malloc((size_t)t.nrow * sizeof *a + 1), *b = malloc((size_t)t.nrow * sizeof *b + 1);
    for (int r = 0; r < t.nrow; r++) {
        a[r] = (int)t.v[(size_t)r * 2];
        b[r] = (int)t.v[(size_t)r * 2 + 1];
    }
    hs_weights *w = NULL;
    hs_err err = {0};
    if (hs_weights_from_pairs(n, a, b, (size_t)t.nrow, &w, &err) < 0)
        fprintf(stderr, "%s\n", err.msg);
    free(a);
    free(b);
    tcsv_free(&t);
    return w;
}

/* Relative closeness |a - b| <= tol * |b| (+1e-13 so exact zeros compare); both NaN
 * also counts as equal. */
static inline int tclose(double a, double b, double tol)
{
    if (isnan(a) && isnan(b))
        return 1;
    return fabs(a - b) <= tol * fabs(b) + 1e-13;
}

/* Global fixture: value of `key` in a key,value file. */
static inline double tcsv_value(const char *file, const char *key)
{
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/%s", HS_FIXTURE_DIR, file);
    FILE *f = fopen(path, "r");
    double v = NAN;
    while (f && fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ',');
        if (!comma)
            continue;
        *comma = 0;
        tcsv_unquote(line);
        if (!strcmp(line, key))
            v = strtod(comma + 1, NULL);
    }
    if (f)
        fclose(f);
    return v;
}

#endif
