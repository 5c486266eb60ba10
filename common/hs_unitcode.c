#include "hs_unitcode.h"

int hs_unit_code_ok(const char *s, size_t n)
{
    if (n == 0 || n > HS_UNIT_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-'))
            return 0;
    }
    return 1;
}
