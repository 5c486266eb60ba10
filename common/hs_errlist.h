/* hs_errlist: a bounded list of user-facing error messages, each keyed by its place
 * (a line number, a feature index).
 *
 * Importers report EVERY error in a file, not just the first, yet a file of a million
 * bad lines must not need a million messages in memory. The list therefore keeps at
 * most `keep` messages -- the ones with the smallest keys, so the printed list is the
 * first errors in file order even when several passes (parsing, then a database check)
 * add errors out of order -- and counts the rest in `total`.
 *
 * Adding never fails: if a message cannot be allocated it is only counted.
 * The list owns its messages; release with hs_errlist_free().
 */
#ifndef HS_ERRLIST_H
#define HS_ERRLIST_H

#include <stddef.h>

typedef struct hs_errlist_item {
    unsigned long key; /* line number or feature index: the sort order */
    unsigned long seq; /* insertion order, breaks ties between equal keys */
    char *msg;         /* owned */
} hs_errlist_item;

typedef struct hs_errlist {
    hs_errlist_item *items; /* n stored, sorted only after hs_errlist_sort() */
    size_t n;
    size_t keep;         /* at most this many messages are stored */
    unsigned long total; /* every message added, stored or not */
    unsigned long seq;
} hs_errlist;

/* Longest stored message (longer ones are truncated). */
#define HS_ERRLIST_MSG_MAX 512

void hs_errlist_init(hs_errlist *l, size_t keep);
void hs_errlist_add(hs_errlist *l, unsigned long key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Orders the stored messages by (key, insertion order). */
void hs_errlist_sort(hs_errlist *l);
/* Messages counted but not stored (total - n). */
unsigned long hs_errlist_dropped(const hs_errlist *l);
void hs_errlist_free(hs_errlist *l);

#endif
