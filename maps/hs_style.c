#include "hs_style.h"

#include <string.h>

static void def_colour(hs_rgba *c, uint32_t rgb, unsigned char a)
{
    if (c->a == 0)
        *c = hs_rgba_make(rgb, a);
}

static void def_width(double *w, double v)
{
    if (!(*w > 0))
        *w = v;
}

void hs_style_defaults(hs_map_spec *s)
{
    def_colour(&s->sea, 0xd4e6f1, 255);
    def_colour(&s->country_fill, 0xe3e3e3, 255);
    def_colour(&s->country_line, 0xb0b0b0, 255);
    /* Opaque line colours: shared edges are stroked twice and must not darken. */
    def_colour(&s->unit_line, 0xa8a8a8, 255);
    def_colour(&s->province_line, 0x3a3a3a, 255);
    def_colour(&s->border_line, 0x1a1a1a, 255);
    def_colour(&s->key_line, 0x000000, 255);
    def_width(&s->unit_line_w, 0.25);
    def_width(&s->province_line_w, 0.9);
    def_width(&s->border_line_w, 2.0);
    def_width(&s->key_line_w, 1.6);
}

const char *hs_style_palette_for(const char *t)
{
    static const struct {
        const char *type, *palette;
    } map[] = {
        {"count", "YlOrRd"}, {"rate", "OrRd"},        {"eb_rate", "OrRd"},
        {"risk", "YlOrRd"},  {"outreach_gap", "PuBu"},
    };
    for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(t, map[i].type) == 0)
            return map[i].palette;
    return NULL;
}
