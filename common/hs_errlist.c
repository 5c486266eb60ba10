#include "hs_errlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hs_errlist_init(hs_errlist *l, size_t keep)
{
    memset(l, 0, sizeof *l);
    l->keep = keep ? keep : 1;
}

static int item_after(const hs_errlist_item *a, const hs_errlist_item *b)
{
    return a->key > b->key || (a->key == b->key && a->seq > b->seq);
}

void hs_errlist_add(hs_errlist *l, unsigned long key, const char *fmt, ...)
{
    l->total++;
    hs_errlist_item it = {.key = key, .seq = l->seq++, .msg = NULL};
    size_t slot = l->n;
    if (l->n == l->keep) {
        /* Full: replace the latest stored message if this one comes before it. The scan
         * is O(keep), and only runs for out-of-order additions in practice. */
        size_t last = 0;
        for (size_t i = 1; i < l->n; i++)
            if (item_after(&l->items[i], &l->items[last]))
                last = i;
        if (!item_after(&l->items[last], &it))
            return;
        slot = last;
    }
    char buf[HS_ERRLIST_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    it.msg = strdup(buf);
    if (!it.msg)
        return;
    if (slot == l->n) {
        if (!l->items) {
            l->items = calloc(l->keep, sizeof *l->items);
            if (!l->items) {
                free(it.msg);
                return;
            }
        }
        l->n++;
    } else {
        free(l->items[slot].msg);
    }
    l->items[slot] = it;
}

static int item_cmp(const void *pa, const void *pb)
{
    const hs_errlist_item *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void hs_errlist_sort(hs_errlist *l)
{
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, item_cmp);
}

unsigned long hs_errlist_dropped(const hs_errlist *l)
{
    return l->total - (unsigned long)l->n;
}

void hs_errlist_free(hs_errlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].msg);
    free(l->items);
    size_t keep = l->keep;
    hs_errlist_init(l, keep);
}
