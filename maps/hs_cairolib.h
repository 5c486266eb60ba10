/* hs_cairolib: Cairo, Pango and fontconfig, loaded with dlopen on first use.
 *
 * Cairo, Pango (with HarfBuzz, FreeType, fribidi, libthai), fontconfig and the X
 * libraries Cairo links are about 30 libraries and 5-6 ms of every process start
 * (docs/benchmarks.md), paid by commands such as `hotspot analyze` that never draw.
 * So the binary does not link them (common/hs_dlib.h says how the table works).
 * Every module that draws includes this header instead of the libraries' own: it
 * includes those first, then routes each function below through the table, so no
 * library header may be included after it. GLib and GObject stay linked (the server
 * uses GLib itself, and Pango's objects are GObjects).
 *
 * `hotspot serve` loads the table at start-up (hs_threadctx_preload) so that a missing
 * library is reported there and no request pays the load; hs_render_ctx_new loads
 * it for the other commands.
 */
#ifndef HS_CAIROLIB_H
#define HS_CAIROLIB_H

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <pango/pangofc-fontmap.h>

#include <stdatomic.h>

#include "hs_err.h"

#define HS_CAIRO_FUNCS(X) \
    X(FcFini) \
    X(FcInit) \
    X(cairo_append_path) \
    X(cairo_arc) \
    X(cairo_clip) \
    X(cairo_clip_extents) \
    X(cairo_close_path) \
    X(cairo_copy_path) \
    X(cairo_create) \
    X(cairo_debug_reset_static_data) \
    X(cairo_destroy) \
    X(cairo_device_to_user) \
    X(cairo_fill) \
    X(cairo_fill_preserve) \
    X(cairo_font_options_create) \
    X(cairo_font_options_destroy) \
    X(cairo_font_options_set_antialias) \
    X(cairo_font_options_set_hint_metrics) \
    X(cairo_font_options_set_hint_style) \
    X(cairo_format_stride_for_width) \
    X(cairo_image_surface_create) \
    X(cairo_image_surface_create_for_data) \
    X(cairo_image_surface_get_data) \
    X(cairo_image_surface_get_height) \
    X(cairo_image_surface_get_stride) \
    X(cairo_image_surface_get_width) \
    X(cairo_line_to) \
    X(cairo_mask) \
    X(cairo_matrix_init_translate) \
    X(cairo_move_to) \
    X(cairo_new_path) \
    X(cairo_paint) \
    X(cairo_path_destroy) \
    X(cairo_pattern_create_for_surface) \
    X(cairo_pattern_destroy) \
    X(cairo_pattern_get_surface) \
    X(cairo_pattern_set_extend) \
    X(cairo_pattern_set_matrix) \
    X(cairo_pdf_surface_create_for_stream) \
    X(cairo_pdf_surface_set_metadata) \
    X(cairo_pop_group) \
    X(cairo_pop_group_to_source) \
    X(cairo_push_group) \
    X(cairo_push_group_with_content) \
    X(cairo_rectangle) \
    X(cairo_restore) \
    X(cairo_rotate) \
    X(cairo_save) \
    X(cairo_scale) \
    X(cairo_select_font_face) \
    X(cairo_set_antialias) \
    X(cairo_set_fill_rule) \
    X(cairo_set_font_size) \
    X(cairo_set_line_cap) \
    X(cairo_set_line_join) \
    X(cairo_set_line_width) \
    X(cairo_set_operator) \
    X(cairo_set_source) \
    X(cairo_set_source_rgb) \
    X(cairo_set_source_rgba) \
    X(cairo_show_page) \
    X(cairo_show_text) \
    X(cairo_status) \
    X(cairo_status_to_string) \
    X(cairo_stroke) \
    X(cairo_stroke_preserve) \
    X(cairo_surface_destroy) \
    X(cairo_surface_finish) \
    X(cairo_surface_flush) \
    X(cairo_surface_status) \
    X(cairo_surface_write_to_png_stream) \
    X(cairo_svg_surface_create_for_stream) \
    X(cairo_text_extents) \
    X(cairo_translate) \
    X(cairo_user_to_device) \
    X(cairo_user_to_device_distance) \
    X(pango_cairo_context_set_font_options) \
    X(pango_cairo_font_map_new) \
    X(pango_cairo_layout_path) \
    X(pango_cairo_show_layout) \
    X(pango_cairo_update_context) \
    X(pango_fc_font_map_get_config) \
    X(pango_fc_font_map_get_type) \
    X(pango_fc_font_map_shutdown) \
    X(pango_font_description_free) \
    X(pango_font_description_get_size) \
    X(pango_font_description_get_style) \
    X(pango_font_description_get_weight) \
    X(pango_font_description_new) \
    X(pango_font_description_set_absolute_size) \
    X(pango_font_description_set_family) \
    X(pango_font_description_set_style) \
    X(pango_font_description_set_weight) \
    X(pango_font_map_create_context) \
    X(pango_layout_get_baseline) \
    X(pango_layout_get_extents) \
    X(pango_layout_get_font_description) \
    X(pango_layout_get_text) \
    X(pango_layout_new) \
    X(pango_layout_set_alignment) \
    X(pango_layout_set_font_description) \
    X(pango_layout_set_text) \
    X(pango_layout_set_width) \
    X(pango_layout_set_wrap)

typedef struct hs_cairolib_api {
#define HS_CAIRO_FIELD(name) __typeof__(&name) name;
    HS_CAIRO_FUNCS(HS_CAIRO_FIELD)
#undef HS_CAIRO_FIELD
} hs_cairolib_api;

/* Written once, by the loader (run once through hs_dlib_load); nothing else writes it. */
extern _Atomic(const hs_cairolib_api *) hs_cairolib_table;

/* Loads the libraries (once; later calls only report). HS_EGEO names the library
 * and dlopen's reason, or the missing function, when they cannot be loaded. */
int hs_cairolib_load(hs_err *err);

/* 1 once the table is loaded; never loads (for clean-up at exit). */
static inline int hs_cairolib_loaded(void)
{
    return atomic_load_explicit(&hs_cairolib_table, memory_order_acquire) != NULL;
}

/* The loaded table; loads on first use and exits with that message if the
 * libraries cannot be loaded (a last resort: see above for who loads first).
 * Inline because it runs for every drawing call (a line_to per vertex): once
 * loaded, it is one load and a test. */
const hs_cairolib_api *hs_cairolib_slow(void);
static inline const hs_cairolib_api *hs_cairolib(void)
{
    const hs_cairolib_api *t = atomic_load_explicit(&hs_cairolib_table, memory_order_acquire);
    return t ? t : hs_cairolib_slow();
}

#ifndef HS_CAIROLIB_IMPL
#define FcFini (hs_cairolib()->FcFini)
#define FcInit (hs_cairolib()->FcInit)
#define cairo_append_path (hs_cairolib()->cairo_append_path)
#define cairo_arc (hs_cairolib()->cairo_arc)
#define cairo_clip (hs_cairolib()->cairo_clip)
#define cairo_clip_extents (hs_cairolib()->cairo_clip_extents)
#define cairo_close_path (hs_cairolib()->cairo_close_path)
#define cairo_copy_path (hs_cairolib()->cairo_copy_path)
#define cairo_create (hs_cairolib()->cairo_create)
#define cairo_debug_reset_static_data (hs_cairolib()->cairo_debug_reset_static_data)
#define cairo_destroy (hs_cairolib()->cairo_destroy)
#define cairo_device_to_user (hs_cairolib()->cairo_device_to_user)
#define cairo_fill (hs_cairolib()->cairo_fill)
#define cairo_fill_preserve (hs_cairolib()->cairo_fill_preserve)
#define cairo_font_options_create (hs_cairolib()->cairo_font_options_create)
#define cairo_font_options_destroy (hs_cairolib()->cairo_font_options_destroy)
#define cairo_font_options_set_antialias (hs_cairolib()->cairo_font_options_set_antialias)
#define cairo_font_options_set_hint_metrics (hs_cairolib()->cairo_font_options_set_hint_metrics)
#define cairo_font_options_set_hint_style (hs_cairolib()->cairo_font_options_set_hint_style)
#define cairo_format_stride_for_width (hs_cairolib()->cairo_format_stride_for_width)
#define cairo_image_surface_create (hs_cairolib()->cairo_image_surface_create)
#define cairo_image_surface_create_for_data (hs_cairolib()->cairo_image_surface_create_for_data)
#define cairo_image_surface_get_data (hs_cairolib()->cairo_image_surface_get_data)
#define cairo_image_surface_get_height (hs_cairolib()->cairo_image_surface_get_height)
#define cairo_image_surface_get_stride (hs_cairolib()->cairo_image_surface_get_stride)
#define cairo_image_surface_get_width (hs_cairolib()->cairo_image_surface_get_width)
#define cairo_line_to (hs_cairolib()->cairo_line_to)
#define cairo_mask (hs_cairolib()->cairo_mask)
#define cairo_matrix_init_translate (hs_cairolib()->cairo_matrix_init_translate)
#define cairo_move_to (hs_cairolib()->cairo_move_to)
#define cairo_new_path (hs_cairolib()->cairo_new_path)
#define cairo_paint (hs_cairolib()->cairo_paint)
#define cairo_path_destroy (hs_cairolib()->cairo_path_destroy)
#define cairo_pattern_create_for_surface (hs_cairolib()->cairo_pattern_create_for_surface)
#define cairo_pattern_destroy (hs_cairolib()->cairo_pattern_destroy)
#define cairo_pattern_get_surface (hs_cairolib()->cairo_pattern_get_surface)
#define cairo_pattern_set_extend (hs_cairolib()->cairo_pattern_set_extend)
#define cairo_pattern_set_matrix (hs_cairolib()->cairo_pattern_set_matrix)
#define cairo_pdf_surface_create_for_stream (hs_cairolib()->cairo_pdf_surface_create_for_stream)
#define cairo_pdf_surface_set_metadata (hs_cairolib()->cairo_pdf_surface_set_metadata)
#define cairo_pop_group (hs_cairolib()->cairo_pop_group)
#define cairo_pop_group_to_source (hs_cairolib()->cairo_pop_group_to_source)
#define cairo_push_group (hs_cairolib()->cairo_push_group)
#define cairo_push_group_with_content (hs_cairolib()->cairo_push_group_with_content)
#define cairo_rectangle (hs_cairolib()->cairo_rectangle)
#define cairo_restore (hs_cairolib()->cairo_restore)
#define cairo_rotate (hs_cairolib()->cairo_rotate)
#define cairo_save (hs_cairolib()->cairo_save)
#define cairo_scale (hs_cairolib()->cairo_scale)
#define cairo_select_font_face (hs_cairolib()->cairo_select_font_face)
#define cairo_set_antialias (hs_cairolib()->cairo_set_antialias)
#define cairo_set_fill_rule (hs_cairolib()->cairo_set_fill_rule)
#define cairo_set_font_size (hs_cairolib()->cairo_set_font_size)
#define cairo_set_line_cap (hs_cairolib()->cairo_set_line_cap)
#define cairo_set_line_join (hs_cairolib()->cairo_set_line_join)
#define cairo_set_line_width (hs_cairolib()->cairo_set_line_width)
#define cairo_set_operator (hs_cairolib()->cairo_set_operator)
#define cairo_set_source (hs_cairolib()->cairo_set_source)
#define cairo_set_source_rgb (hs_cairolib()->cairo_set_source_rgb)
#define cairo_set_source_rgba (hs_cairolib()->cairo_set_source_rgba)
#define cairo_show_page (hs_cairolib()->cairo_show_page)
#define cairo_show_text (hs_cairolib()->cairo_show_text)
#define cairo_status (hs_cairolib()->cairo_status)
#define cairo_status_to_string (hs_cairolib()->cairo_status_to_string)
#define cairo_stroke (hs_cairolib()->cairo_stroke)
#define cairo_stroke_preserve (hs_cairolib()->cairo_stroke_preserve)
#define cairo_surface_destroy (hs_cairolib()->cairo_surface_destroy)
#define cairo_surface_finish (hs_cairolib()->cairo_surface_finish)
#define cairo_surface_flush (hs_cairolib()->cairo_surface_flush)
#define cairo_surface_status (hs_cairolib()->cairo_surface_status)
#define cairo_surface_write_to_png_stream (hs_cairolib()->cairo_surface_write_to_png_stream)
#define cairo_svg_surface_create_for_stream (hs_cairolib()->cairo_svg_surface_create_for_stream)
#define cairo_text_extents (hs_cairolib()->cairo_text_extents)
#define cairo_translate (hs_cairolib()->cairo_translate)
#define cairo_user_to_device (hs_cairolib()->cairo_user_to_device)
#define cairo_user_to_device_distance (hs_cairolib()->cairo_user_to_device_distance)
#define pango_cairo_context_set_font_options (hs_cairolib()->pango_cairo_context_set_font_options)
#define pango_cairo_font_map_new (hs_cairolib()->pango_cairo_font_map_new)
#define pango_cairo_layout_path (hs_cairolib()->pango_cairo_layout_path)
#define pango_cairo_show_layout (hs_cairolib()->pango_cairo_show_layout)
#define pango_cairo_update_context (hs_cairolib()->pango_cairo_update_context)
#define pango_fc_font_map_get_config (hs_cairolib()->pango_fc_font_map_get_config)
#define pango_fc_font_map_get_type (hs_cairolib()->pango_fc_font_map_get_type)
#define pango_fc_font_map_shutdown (hs_cairolib()->pango_fc_font_map_shutdown)
#define pango_font_description_free (hs_cairolib()->pango_font_description_free)
#define pango_font_description_get_size (hs_cairolib()->pango_font_description_get_size)
#define pango_font_description_get_style (hs_cairolib()->pango_font_description_get_style)
#define pango_font_description_get_weight (hs_cairolib()->pango_font_description_get_weight)
#define pango_font_description_new (hs_cairolib()->pango_font_description_new)
#define pango_font_description_set_absolute_size (hs_cairolib()->pango_font_description_set_absolute_size)
#define pango_font_description_set_family (hs_cairolib()->pango_font_description_set_family)
#define pango_font_description_set_style (hs_cairolib()->pango_font_description_set_style)
#define pango_font_description_set_weight (hs_cairolib()->pango_font_description_set_weight)
#define pango_font_map_create_context (hs_cairolib()->pango_font_map_create_context)
#define pango_layout_get_baseline (hs_cairolib()->pango_layout_get_baseline)
#define pango_layout_get_extents (hs_cairolib()->pango_layout_get_extents)
#define pango_layout_get_font_description (hs_cairolib()->pango_layout_get_font_description)
#define pango_layout_get_text (hs_cairolib()->pango_layout_get_text)
#define pango_layout_new (hs_cairolib()->pango_layout_new)
#define pango_layout_set_alignment (hs_cairolib()->pango_layout_set_alignment)
#define pango_layout_set_font_description (hs_cairolib()->pango_layout_set_font_description)
#define pango_layout_set_text (hs_cairolib()->pango_layout_set_text)
#define pango_layout_set_width (hs_cairolib()->pango_layout_set_width)
#define pango_layout_set_wrap (hs_cairolib()->pango_layout_set_wrap)
#endif

#endif
