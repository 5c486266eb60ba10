/* hs_maptypes: the map types, one table entry each (see docs/maps.md, "Adding a map
 * type"). Everything the rest of the server knows about a type comes from here: its
 * name, the analysis it needs, how it is classified, its title, legend title and
 * no-data label, its default classes, whether public mode suppresses small counts
 * and whether permutations change it. hs_mapopts, hs_mapjob and hs_tilesrc hold no
 * per-type switch.
 */
#ifndef HS_MAPTYPES_H
#define HS_MAPTYPES_H

#include "hs_classify.h"
#include "hs_err.h"
#include "hs_pipeline.h"

/* The types in menu order: X(ENUM_SUFFIX, "name"). The enum and the name list are
 * generated from it; the per-type facts are the table in hs_maptypes.c. */
#define HS_MAP_TYPE_LIST(X)                                                                        \
    X(GISTAR, "gistar")                                                                            \
    X(LISA, "lisa")                                                                                \
    X(RATE, "rate")                                                                                \
    X(EB_RATE, "eb_rate")                                                                          \
    X(RISK, "risk")                                                                                \
    X(OUTREACH_GAP, "outreach_gap")                                                                \
    X(EMERGING, "emerging")                                                                        \
    X(SCAN, "scan")                                                                                \
    X(COUNT, "count")

#define HS_MAP_ENUM_(id, name) HS_MAP_##id,
typedef enum { HS_MAP_TYPE_LIST(HS_MAP_ENUM_) HS_MAP_NTYPES } hs_map_type;
#undef HS_MAP_ENUM_

/* ", gistar, lisa, ..." as a string literal (skip the first two characters). */
#define HS_MAP_COMMA_NAME_(id, name) ", " name
#define HS_MAP_TYPE_NAMES_CSV_ HS_MAP_TYPE_LIST(HS_MAP_COMMA_NAME_)

/* Classes the classification of any type may produce: a scheme, or numeric breaks
 * plus the zero and suppressed classes. */
#define HS_MAP_MAX_CLASSES (HS_SCHEME_MAX_CLASSES + 2)

/* What a classification produces: the legend classes, and the suppressed class
 * (-1 when none) whose units must never be labelled. */
typedef struct hs_map_classes {
    hs_class_style classes[HS_MAP_MAX_CLASSES];
    int nclasses;
    int sup_cls;
} hs_map_classes;

typedef struct hs_map_type_info hs_map_type_info;
struct hs_map_opts;

/* Classifies the n units of the analysis result into cls[] (-1 = no class) and fills
 * out's classes. `o` gives classes=, k= and public. */
typedef int (*hs_map_classify_fn)(const hs_map_type_info *t, const struct hs_map_opts *o,
                                  const hs_analysis_result *d, int n, int *cls, hs_map_classes *out,
                                  hs_err *err);

/* The name of entry t is hs_map_type_names[t] (from HS_MAP_TYPE_LIST). */
struct hs_map_type_info {
    hs_analysis_kind needs; /* the analysis hs_pipeline_run_kind must run */
    hs_map_classify_fn classify;
    hs_scheme_kind scheme; /* categorical types: their legend in maps/hs_classify.c */
    /* numeric types (classify_numeric): the value drawn, the defaults of classes= / k
     * and the legend decimals; numeric types alone accept classes= and k=. */
    const double *(*values)(const hs_run *r);
    hs_classify_method default_method;
    int default_k, decimals;
    int public_suppress;   /* public mode hides window counts 1..HS_PUBLIC_MIN_COUNT-1 */
    int zero_class;        /* ... and gives 0 its own class (count maps) */
    int uses_permutations; /* else hs_map_params_normalise drops permutations */
    const char *title;
    /* "{vi}" / "{en}" stand for the indicator's Vietnamese / English name. */
    const char *legend_title;
    const char *nodata;
};

/* NULL-terminated list of the type names, for hs_query_enum and help texts. */
extern const char *const hs_map_type_names[];

/* The entry of t (t in range), or NULL. */
const hs_map_type_info *hs_map_type_info_of(int t);
/* Whether t accepts classes= and k=. */
int hs_map_type_numeric(int t);
/* "a, b, c" of the numeric types, into buf. */
void hs_map_types_numeric_list(char *buf, size_t n);
/* The legend title of t for an indicator named vi / en. */
void hs_map_type_legend_title(int t, const char *vi, const char *en, char *buf, size_t n);

#endif
