/* Allocation-failure injection for tests (curl's "torture" mode): linked only into
 * the test-only binary hotspot-faultalloc (CMake option HS_FAULT_ALLOC), never into
 * `hotspot`. That binary is linked with
 *
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
 *
 * so the linker sends every call from OUR objects and static libraries to the
 * __wrap_* functions below; calls made inside shared libraries (libpq, libcairo,
 * GDAL, glibc itself) are not wrapped, so a failure is always one our code must
 * handle.
 *
 * Environment (read once, before main):
 *   HS_FAIL_ALLOC_AT=N      the Nth wrapped allocation (1-based, all threads) returns
 *                           NULL with errno ENOMEM; every other one succeeds. Unset or
 *                           0: none fails (counting only).
 *   HS_FAIL_ALLOC_REPORT=1  at exit, print "hs_fault_alloc: C allocations" to stderr,
 *                           so a test knows how many N to try.
 * When the Nth allocation fails, one line "hs_fault_alloc: failing allocation N" is
 * written to stderr (with write(2): no allocation), so a log shows where it struck.
 *
 * The counter is the one mutable global of this file; it is test machinery, not
 * server state, and atomic because the server allocates from several threads. */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static atomic_ulong fault_count;
static unsigned long fault_at;
static int fault_report;

static void put_line(const char *what, unsigned long n)
{
    char line[96];
    int len = snprintf(line, sizeof line, "hs_fault_alloc: %s %lu\n", what, n);
    if (len > 0 && write(2, line, (size_t)len) < 0)
        return;
}

static void fault_exit_report(void)
{
    char line[96];
    int len = snprintf(line, sizeof line, "hs_fault_alloc: %lu allocations\n",
                       (unsigned long)atomic_load(&fault_count));
    if (len > 0 && write(2, line, (size_t)len) < 0)
        return;
}

__attribute__((constructor)) static void fault_init(void)
{
    const char *s = getenv("HS_FAIL_ALLOC_AT");
    fault_at = s ? strtoul(s, NULL, 10) : 0;
    s = getenv("HS_FAIL_ALLOC_REPORT");
    fault_report = s && *s && *s != '0';
    if (fault_report)
        atexit(fault_exit_report);
}

/* 1 if this call is the one to fail. */
static int fault_now(void)
{
    unsigned long n = atomic_fetch_add(&fault_count, 1) + 1;
    if (fault_at == 0 || n != fault_at)
        return 0;
    put_line("failing allocation", n);
    errno = ENOMEM;
    return 1;
}

void *__wrap_malloc(size_t n)
{
    return fault_now() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
    return fault_now() ? NULL : __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
    return fault_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fault_now() ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fault_now() ? NULL : __real_strndup(s, n);
}
