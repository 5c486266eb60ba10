/* hs_unitcode: what a unit code may look like, checked the same way everywhere a
 * code comes from outside (the units importer, the monthly CSV importer, request
 * parameters). It mirrors hs.unit.code's CHECK in sql/001_schema.sql, so a code that
 * passes here is never refused later by the database with a less helpful message. */
#ifndef HS_UNITCODE_H
#define HS_UNITCODE_H

#include <stddef.h>

#define HS_UNIT_CODE_MAX 32 /* bytes, as the CHECK's {1,32} */

/* 1 when s[0..n) is 1..HS_UNIT_CODE_MAX characters of A-Z a-z 0-9 _ . -, else 0. */
int hs_unit_code_ok(const char *s, size_t n);

#endif
