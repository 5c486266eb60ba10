/* `hotspot import units|cases|outreach`: option parsing and reporting only; the work
 * is in hs_import_units and hs_import_monthly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_cli.h"
#include "hs_errlist.h"
#include "hs_gdal.h"
#include "hs_import_monthly.h"
#include "hs_import_units.h"
#include "hs_pg.h"

static const char usage_text[] =
    "usage: hotspot import units FILE --level province|commune --code-field F\n"
    "                            --name-field F [--parent-field F] [--population-field F]\n"
    "                            [--population-year Y] [--layer L]\n"
    "                            [--border-province-field F] [--key-commune-field F]\n"
    "       hotspot import cases FILE.csv\n"
    "       hotspot import outreach FILE.csv\n"
    "\n"
    "units     boundaries from any vector file GDAL reads (GeoJSON, Shapefile, GeoPackage,\n"
    "          FlatGeobuf, CSV with a WKT column), reprojected to EPSG:4326. Units are\n"
    "          updated by code; invalid geometries are repaired and reported.\n"
    "            --level              province or commune\n"
    "            --code-field F       attribute holding the official code (required)\n"
    "            --name-field F       attribute holding the name (required)\n"
    "            --parent-field F     the province code of each commune (communes only,\n"
    "                                 required there)\n"
    "            --population-field F population, stored for --population-year\n"
    "                                 (default: the current year)\n"
    "            --layer L            the layer to read when the file has several\n"
    "            --border-province-field F  yes/no flag (provinces only)\n"
    "            --key-commune-field F      yes/no flag, xã trọng điểm (communes only)\n"
    "cases     monthly counts, UTF-8 CSV with the header\n"
    "            unit_code,period,cases,victims,suspects\n"
    "outreach  monthly outreach, UTF-8 CSV with the header\n"
    "            unit_code,period,events,participants,hotline_calls\n"
    "          period is YYYY-MM. Rows for each (unit, period) in the file replace the\n"
    "          stored ones.\n"
    "\n"
    "Each import is one transaction: with any error, every error is printed, nothing is\n"
    "written and the exit status is 1. See docs/import.md.\n";

static void print_errors(hs_errlist *l, const char *path)
{
    hs_errlist_sort(l);
    for (size_t i = 0; i < l->n; i++)
        fprintf(stderr, "%s: %s\n", path, l->items[i].msg);
    unsigned long more = hs_errlist_dropped(l);
    if (more)
        fprintf(stderr, "%s: ... and %lu more error%s\n", path, more, more == 1 ? "" : "s");
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]. Returns 1 if matched, 0 if not,
 * -1 if the value is missing. */
static int take_opt(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    const char *a = argv[*i];
    if (strncmp(a, name, n))
        return 0;
    if (a[n] == '=') {
        *out = a + n + 1;
        return 1;
    }
    if (a[n])
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "hotspot import: %s needs a value\n", name);
        return -1;
    }
    *out = argv[++*i];
    return 1;
}

static int current_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm))
        return 2025;
    return tm.tm_year + 1900;
}

static int cmd_units(int argc, char **argv)
{
    hs_import_units_opts o = {.population_year = current_year()};
    const char *year = NULL;
    struct {
        const char *name;
        const char **dst;
    } opts[] = {
        {"--level", &o.level},
        {"--code-field", &o.code_field},
        {"--name-field", &o.name_field},
        {"--parent-field", &o.parent_field},
        {"--population-field", &o.population_field},
        {"--population-year", &year},
        {"--layer", &o.layer},
        {"--border-province-field", &o.border_province_field},
        {"--key-commune-field", &o.key_commune_field},
    };
    for (int i = 1; i < argc; i++) {
        int hit = 0;
        for (size_t k = 0; !hit && k < sizeof opts / sizeof opts[0]; k++) {
            hit = take_opt(argc, argv, &i, opts[k].name, opts[k].dst);
            if (hit < 0)
                return 2;
        }
        if (hit)
            continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "hotspot import units: unknown option '%s' (see --help)\n", argv[i]);
            return 2;
        }
        if (o.path) {
            fprintf(stderr, "hotspot import units: one FILE only ('%s' and '%s')\n", o.path,
                    argv[i]);
            return 2;
        }
        o.path = argv[i];
    }
    if (!o.path) {
        fprintf(stderr, "hotspot import units: FILE is missing\n\n%s", usage_text);
        return 2;
    }
    if (!o.level || !o.code_field || !o.name_field) {
        fprintf(stderr, "hotspot import units: --level, --code-field and --name-field are "
                        "required (see --help)\n");
        return 2;
    }
    if (year) {
        char *end = NULL;
        long y = strtol(year, &end, 10);
        if (end == year || *end || y < 1900 || y > 2200) {
            fprintf(stderr,
                    "hotspot import units: --population-year '%s' is not a year "
                    "1900-2200\n",
                    year);
            return 2;
        }
        o.population_year = (int)y;
    }
    hs_err err = {0};
    PGconn *c = NULL;
    /* GDAL is loaded and its drivers registered once, before any thread could start. */
    if (hs_gdal_load(&err) < 0 || hs_pg_connect(&c, &err) < 0) {
        fprintf(stderr, "hotspot import units: %s\n", err.msg);
        return 1;
    }
    hs_import_units_result res;
    int rc = hs_import_units(c, &o, &res, &err);
    PQfinish(c);
    hs_errlist_sort(&res.repairs);
    for (size_t i = 0; i < res.repairs.n; i++)
        printf("%s: %s\n", o.path, res.repairs.items[i].msg);
    if (hs_errlist_dropped(&res.repairs))
        printf("%s: ... and %lu more repairs\n", o.path, hs_errlist_dropped(&res.repairs));
    if (rc < 0) {
        print_errors(&res.errors, o.path);
        fprintf(stderr, "hotspot import units: %s\n", err.msg);
        hs_import_units_result_free(&res);
        return 1;
    }
    printf("%s: %lu %ss (%lu new, %lu updated); CRS %s; %lu geometr%s repaired", o.path,
           res.inserted + res.updated, o.level, res.inserted, res.updated, res.crs,
           res.repairs.total, res.repairs.total == 1 ? "y" : "ies");
    if (o.population_field)
        printf("; %lu populations for %d", res.populations, o.population_year);
    printf("\n");
    if (res.kept)
        printf("%s: %lu %ss in the database are not in this file and were kept\n", o.path, res.kept,
               o.level);
    hs_import_units_result_free(&res);
    return 0;
}

static int cmd_monthly(hs_monthly_kind kind, int argc, char **argv)
{
    const char *name = hs_monthly_kind_name(kind);
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: hotspot import %s FILE.csv\n", name);
        return 2;
    }
    const char *path = argv[1];
    hs_err err = {0};
    PGconn *c = NULL;
    if (hs_pg_connect(&c, &err) < 0) {
        fprintf(stderr, "hotspot import %s: %s\n", name, err.msg);
        return 1;
    }
    hs_import_monthly_result res;
    int rc = hs_import_monthly(c, kind, path, &res, &err);
    PQfinish(c);
    if (rc < 0) {
        print_errors(&res.errors, path);
        fprintf(stderr, "hotspot import %s: %s\n", name, err.msg);
        hs_import_monthly_result_free(&res);
        return 1;
    }
    printf("%s: %lu rows into %s for %lu units and %lu periods", path, res.rows,
           hs_monthly_table(kind), res.units, res.periods);
    if (res.periods)
        printf(" (%s to %s)", res.first, res.last);
    printf("; %lu existing rows replaced\n", res.replaced);
    hs_import_monthly_result_free(&res);
    return 0;
}

int hs_cli_import(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *sub = argv[1];
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            sub = "--help";
    if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(sub, "units"))
        return cmd_units(argc - 1, argv + 1);
    if (!strcmp(sub, "cases"))
        return cmd_monthly(HS_MONTHLY_CASES, argc - 1, argv + 1);
    if (!strcmp(sub, "outreach"))
        return cmd_monthly(HS_MONTHLY_OUTREACH, argc - 1, argv + 1);
    fprintf(stderr, "hotspot import: unknown kind '%s' (units, cases or outreach)\n\n%s", sub,
            usage_text);
    return 2;
}
