#include "hs_config.h"

#include <stdio.h>
#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int hs_config_parse_buffer(const char *buf, size_t n, const char *const *known, hs_config_fn fn,
                           void *ctx, hs_err *err)
{
    size_t nknown = 0;
    while (known && known[nknown] && nknown < HS_CONFIG_MAX_KEYS)
        nknown++;
    unsigned char seen[HS_CONFIG_MAX_KEYS] = {0};
    unsigned line = 0;
    size_t pos = 0;
    while (pos < n) {
        line++;
        const char *s = buf + pos;
        const char *nl = memchr(s, '\n', n - pos);
        size_t len = nl ? (size_t)(nl - s) : n - pos;
        pos += len + (nl != NULL);
        if (memchr(s, '\0', len))
            return hs_err_set(err, HS_EINVAL, "line %u: contains a NUL byte", line);
        if (len >= HS_CONFIG_LINE_MAX)
            return hs_err_set(err, HS_EINVAL, "line %u: longer than %d bytes", line,
                              HS_CONFIG_LINE_MAX - 1);
        while (len && is_space(*s))
            s++, len--;
        while (len && is_space(s[len - 1]))
            len--;
        if (len == 0 || s[0] == '#')
            continue;
        const char *eq = memchr(s, '=', len);
        if (!eq)
            return hs_err_set(err, HS_EINVAL, "line %u: expected 'key = value'", line);
        size_t kl = (size_t)(eq - s);
        while (kl && is_space(s[kl - 1]))
            kl--;
        const char *v = eq + 1;
        size_t vl = len - (size_t)(v - s);
        while (vl && is_space(*v))
            v++, vl--;
        if (kl == 0)
            return hs_err_set(err, HS_EINVAL, "line %u: missing key before '='", line);
        char key[64], val[HS_CONFIG_LINE_MAX];
        if (kl >= sizeof key)
            return hs_err_set(err, HS_EINVAL, "line %u: unknown key (too long)", line);
        memcpy(key, s, kl);
        key[kl] = '\0';
        memcpy(val, v, vl);
        val[vl] = '\0';
        size_t k = 0;
        while (k < nknown && strcmp(known[k], key))
            k++;
        if (k == nknown) {
            char list[512] = "";
            size_t o = 0;
            for (size_t i = 0; i < nknown && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", known[i]);
            return hs_err_set(err, HS_EINVAL, "line %u: unknown key '%.63s' (known: %s)", line,
                              key, list);
        }
        if (seen[k])
            return hs_err_set(err, HS_EINVAL, "line %u: '%s' is set twice", line, key);
        seen[k] = 1;
        int rc = fn(ctx, key, val, line, err);
        if (rc < 0)
            return hs_err_prefix(err, "line %u: ", line);
    }
    return HS_OK;
}
