/* mc-call-window-layout.c — the call window's breakpoints and self view
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. libadwaita 1.2 has no breakpoints:
 * the window crosses its own widths here, outside the size allocation that
 * found them, and sizes the self view as a share of the video.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include "mc-call-window-internal.h"

/* The breakpoints, applied outside of the size allocation that found them
 * crossed: changing what is shown re-measures the window. */
static gboolean
apply_layout_cb (gpointer user_data)
{
  McCallWindow *self = user_data;
  int           width = self->layout_width;
  gboolean      narrow = width < NARROW_WIDTH;

  self->layout_id = 0;
  /* Folding hides the chat, which would cover the video; unfolding brings
   * it back as it was beside the video. */
  if (!adw_flap_get_folded (self->flap))
    self->chat_beside = self->chat_visible;
  self->folding = TRUE;
  adw_flap_set_fold_policy (self->flap, width < CHAT_BESIDE_WIDTH ? ADW_FLAP_FOLD_POLICY_ALWAYS
                                                                  : ADW_FLAP_FOLD_POLICY_NEVER);
  if (!adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, self->chat_beside);
  self->folding = FALSE;
  gtk_widget_set_visible (self->leave_label, !narrow);
  gtk_widget_set_visible (self->end_label, !narrow);
  gtk_widget_set_visible (GTK_WIDGET (self->connection_label), !narrow);
  /* With the chat beside it, the video is under 600 pixels wide below
   * COMPACT_WIDTH: Fullscreen goes (F11 stays), so that the controls, with
   * the devices button, still fit in it. */
  gtk_widget_set_visible (self->fullscreen_button, width >= COMPACT_WIDTH);
  /* With the devices button and an unread count, 8 pixels between the
   * buttons would not fit in 360. */
  gtk_box_set_spacing (GTK_BOX (gtk_widget_get_parent (self->fullscreen_button)), narrow ? 4 : 8);
  gtk_widget_set_visible (GTK_WIDGET (self->time_label), width >= TINY_WIDTH);

  return G_SOURCE_REMOVE;
}

static int
breakpoints_crossed (int width)
{
  return (width < COMPACT_WIDTH) + (width < CHAT_BESIDE_WIDTH) + (width < NARROW_WIDTH) +
         (width < TINY_WIDTH);
}

/* Called by the window's size allocation: schedules apply_layout_cb ()
 * when @width is on another side of a breakpoint than the last one. */
void
mc_call_window_relayout (McCallWindow *self,
                         int           width)
{
  gboolean changed = self->layout_width == 0 ||
                     breakpoints_crossed (self->layout_width) != breakpoints_crossed (width);

  self->layout_width = width;
  if (changed && self->layout_id == 0)
    self->layout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout_cb, self, NULL);
}

/* The self view takes a share of the video's width, with the picture's
 * shape, above the controls: it never covers most of a small window, and
 * never gets smaller than what it shows needs. */
gboolean
mc_call_window_get_child_position_cb (GtkOverlay   *overlay,
                                      GtkWidget    *child,
                                      GdkRectangle *allocation,
                                      McCallWindow *self)
{
  int    width = gtk_widget_get_width (GTK_WIDGET (overlay));
  int    height = gtk_widget_get_height (GTK_WIDGET (overlay));
  double ratio = gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (self->self_paintable));
  int    margin = width < NARROW_WIDTH ? 8 : 16;
  int    bottom = width < NARROW_WIDTH ? 76 : 84;
  int    min_width, min_height, w, h;

  if (child != self->self_view)
    return FALSE;

  if (ratio <= 0 || gtk_widget_get_opacity (GTK_WIDGET (self->self_picture)) == 0)
    ratio = 4.0 / 3.0;

  w = CLAMP ((int) (width * SELF_VIEW_SHARE), SELF_VIEW_MIN_WIDTH, SELF_VIEW_MAX_WIDTH);
  gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  w = MAX (w, min_width);
  h = (int) (w / ratio);
  gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, w, &min_height, NULL, NULL, NULL);
  h = MAX (h, min_height);

  allocation->width = w;
  allocation->height = h;
  allocation->x = MAX (width - w - margin, 0);
  allocation->y = MAX (height - h - bottom, 0);

  return TRUE;
}
