/* mc-prejoin-window.c — camera, microphone and speaker before a lesson
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a participant sees between pressing Join and being in the call: their
 * camera's picture, their microphone's level, the camera, microphone and
 * speaker to use (with a test sound), and whether to join muted or with the
 * camera off. The choices are the app's GSettings, which the call window
 * reads when the call starts, so they hold for the next lesson too. Join Now
 * releases the devices before ::join is emitted, so that the call can open
 * them. The window knows nothing of the call itself.
 */

#define G_LOG_DOMAIN "mc-prejoin-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-booking-row.h"
#include "mc-prejoin-window-private.h"
#include "mc-video-paintable.h"
#include "mc-video-sink.h"

struct _McPrejoinWindow
{
  AdwWindow parent_instance;

  JsonObject       *booking;
  GSettings        *settings;
  McMediaDevices   *devices;
  McMediaPreview   *preview;
  McVideoPaintable *paintable;
  GPtrArray        *identities[MC_DEVICE_ROLE_LAST];
  gboolean          updating;
  gboolean          joining;
  int               layout_width; /* the width the last allocation had */
  guint             layout_id;

  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkPicture      *preview_picture;
  GtkWidget       *preview_status;
  GtkImage        *preview_status_icon;
  GtkLabel        *preview_status_label;
  GtkImage        *microphone_image;
  GtkLevelBar     *level_bar;
  AdwComboRow     *rows[MC_DEVICE_ROLE_LAST];
  GtkWidget       *test_sound_button;
  GtkSwitch       *muted_switch;
  GtkSwitch       *camera_off_switch;
  GtkLabel        *peer_label;
  GtkWidget       *join_button;
  GtkBox          *layout_box;
  GtkWidget       *settings_box;
};

/* Below this window width the preview goes above the settings. */
#define NARROW_WIDTH 860

enum
{
  SIGNAL_JOIN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McPrejoinWindow, mc_prejoin_window, ADW_TYPE_WINDOW)

static const char * const setting_keys[MC_DEVICE_ROLE_LAST] = {
  "video-device",
  "audio-device",
  "speaker-device",
};

static void
toast (McPrejoinWindow *self,
       const char      *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 8);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static const char *
chosen_identity (McPrejoinWindow *self,
                 McDeviceRole     role)
{
  guint      selected = adw_combo_row_get_selected (self->rows[role]);
  GPtrArray *identities = self->identities[role];

  if (identities == NULL || selected >= identities->len)
    return NULL;

  return g_ptr_array_index (identities, selected);
}

static void
show_preview_status (McPrejoinWindow *self,
                     const char      *icon_name,
                     const char      *text)
{
  gtk_widget_set_visible (self->preview_status, text != NULL);
  if (text == NULL)
    return;

  gtk_image_set_from_icon_name (self->preview_status_icon, icon_name);
  gtk_label_set_label (self->preview_status_label, text);
  mc_video_paintable_clear (self->paintable);
}

static void
restart_video (McPrejoinWindow *self)
{
  g_autoptr (GError) error = NULL;

  if (self->joining)
    return;

  if (gtk_switch_get_active (self->camera_off_switch))
    {
      mc_media_preview_stop_video (self->preview);
      show_preview_status (self, "camera-disabled-symbolic",
                           _ ("Your camera is off. You can turn it on during the lesson."));
      return;
    }

  show_preview_status (self, NULL, NULL);
  if (!mc_media_preview_start_video (self->preview, chosen_identity (self, MC_DEVICE_ROLE_CAMERA),
                                     mc_video_sink_new_for_paintable (self->paintable), &error))
    {
      g_autofree char *text = NULL;

      /* Translators: %s says why the camera cannot be shown */
      text = g_strdup_printf (_ ("%s. The other participant will see a test pattern instead."),
                              error->message);
      show_preview_status (self, "camera-disabled-symbolic", text);
    }
}

static void
restart_audio (McPrejoinWindow *self)
{
  g_autoptr (GError) error = NULL;
  gboolean           muted = gtk_switch_get_active (self->muted_switch);

  if (self->joining)
    return;

  if (muted)
    mc_media_preview_stop_audio (self->preview);
  else if (!mc_media_preview_start_audio (self->preview,
                                          chosen_identity (self, MC_DEVICE_ROLE_MICROPHONE),
                                          &error) &&
           gtk_widget_get_sensitive (GTK_WIDGET (self->rows[MC_DEVICE_ROLE_MICROPHONE])))
    toast (self, error->message); /* "No microphone found" says the rest */

  gtk_image_set_from_icon_name (self->microphone_image,
                                mc_media_preview_get_audio_running (self->preview)
                                  ? "audio-input-microphone-symbolic"
                                  : "microphone-disabled-symbolic");
  gtk_widget_set_sensitive (GTK_WIDGET (self->level_bar), !muted);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->level_bar),
                               muted ? _ ("You will join muted")
                               : mc_media_preview_get_audio_running (self->preview)
                                 ? _ ("Microphone level: speak to test it")
                                 : _ ("No microphone: the other participant will hear nothing"));
}

/* The rows list what the devices monitor sees now; the saved choice stays
 * selected while its device is there. */
static void
fill_row (McPrejoinWindow *self,
          McDeviceRole     role)
{
  g_autoptr (GtkStringList) names = gtk_string_list_new (NULL);
  g_autoptr (GPtrArray)     identities = g_ptr_array_new_with_free_func (g_free);
  g_autofree char          *saved = g_settings_get_string (self->settings, setting_keys[role]);
  gboolean                  test_sources = g_settings_get_boolean (self->settings, "test-sources");
  gboolean                  usable = TRUE;
  guint                     selected = 0;

  if (role == MC_DEVICE_ROLE_SPEAKER)
    {
      /* Translators: the sound server's default speaker */
      gtk_string_list_append (names, C_ ("speaker", "Default"));
      g_ptr_array_add (identities, g_strdup (""));
    }

  if (test_sources && role != MC_DEVICE_ROLE_SPEAKER)
    {
      gtk_string_list_append (names, role == MC_DEVICE_ROLE_CAMERA ? _ ("Test pattern")
                                                                   : _ ("Test tone"));
      g_ptr_array_add (identities, g_strdup (""));
      usable = FALSE;
    }
  else
    {
      g_autoptr (GPtrArray) devices = mc_media_devices_list (self->devices, role);

      for (guint i = 0; i < devices->len; i++)
        {
          McMediaDeviceInfo *info = g_ptr_array_index (devices, i);

          if (g_strcmp0 (info->identity, saved) == 0)
            selected = identities->len;
          gtk_string_list_append (names, info->display_name);
          g_ptr_array_add (identities, g_strdup (info->identity));
        }
    }

  if (identities->len == 0)
    {
      gtk_string_list_append (names, role == MC_DEVICE_ROLE_CAMERA ? _ ("No camera found")
                                                                   : _ ("No microphone found"));
      g_ptr_array_add (identities, g_strdup (""));
      usable = FALSE;
    }

  self->updating = TRUE;
  g_clear_pointer (&self->identities[role], g_ptr_array_unref);
  self->identities[role] = g_steal_pointer (&identities);
  adw_combo_row_set_model (self->rows[role], G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->rows[role], selected);
  gtk_widget_set_sensitive (GTK_WIDGET (self->rows[role]), usable);
  self->updating = FALSE;
}

static void
device_selected_cb (AdwComboRow     *row,
                    GParamSpec      *pspec,
                    McPrejoinWindow *self)
{
  McDeviceRole role;

  if (self->updating)
    return;

  for (role = 0; role < MC_DEVICE_ROLE_LAST && self->rows[role] != row; role++)
    ;
  if (role == MC_DEVICE_ROLE_LAST)
    return;

  g_settings_set_string (self->settings, setting_keys[role], chosen_identity (self, role));
  if (role == MC_DEVICE_ROLE_CAMERA)
    restart_video (self);
  else if (role == MC_DEVICE_ROLE_MICROPHONE)
    restart_audio (self);
}

static void
devices_changed_cb (McMediaDevices  *devices,
                    McPrejoinWindow *self)
{
  g_autofree char *camera = g_strdup (chosen_identity (self, MC_DEVICE_ROLE_CAMERA));
  g_autofree char *microphone = g_strdup (chosen_identity (self, MC_DEVICE_ROLE_MICROPHONE));

  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    fill_row (self, role);

  /* A device in use went away, or the first one came: follow it. */
  if (g_strcmp0 (camera, chosen_identity (self, MC_DEVICE_ROLE_CAMERA)) != 0 ||
      !mc_media_preview_get_video_running (self->preview))
    restart_video (self);
  if (g_strcmp0 (microphone, chosen_identity (self, MC_DEVICE_ROLE_MICROPHONE)) != 0)
    restart_audio (self);
}

static void
preview_error_cb (McMediaPreview  *preview,
                  int              role,
                  GError          *error,
                  McPrejoinWindow *self)
{
  if (role == MC_DEVICE_ROLE_CAMERA)
    show_preview_status (self, "camera-disabled-symbolic", error->message);
  else
    toast (self, error->message);

  if (role == MC_DEVICE_ROLE_MICROPHONE)
    gtk_image_set_from_icon_name (self->microphone_image, "microphone-disabled-symbolic");
}

static void
level_cb (McMediaPreview  *preview,
          GParamSpec      *pspec,
          McPrejoinWindow *self)
{
  gtk_level_bar_set_value (self->level_bar, mc_media_preview_get_level (preview));
}

static void
test_sound_cb (McPrejoinWindow *self)
{
  g_autoptr (GError) error = NULL;

  if (!mc_media_preview_play_sound (self->preview, chosen_identity (self, MC_DEVICE_ROLE_SPEAKER),
                                    &error))
    toast (self, error->message);
}

static void
join_clicked_cb (McPrejoinWindow *self)
{
  mc_prejoin_window_join (self);
}

static void
update_peer_text (McPrejoinWindow *self)
{
  JsonObject      *other = json_object_get_object_member (self->booking, "other");
  const char      *name = other ? json_object_get_string_member (other, "display_name") : NULL;
  const char      *waiting = mc_booking_get_peer_in_call (self->booking);
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  if (name == NULL)
    name = _ ("the other participant");

  /* Translators: the pre-join window's title; %s is the other participant */
  title = g_strdup_printf (_ ("Lesson with %s"), name);
  adw_window_title_set_title (self->window_title, title);

  if (waiting != NULL)
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("%s is in the lesson, waiting for you."), waiting);
  else
    /* Translators: %s is the other participant */
    text = g_strdup_printf (_ ("%s has not joined yet. You can join first."), name);
  gtk_label_set_label (self->peer_label, text);
}

/* libadwaita 1.2 has no breakpoints: the window keeps its own, applied
 * outside of the allocation that found it crossed, since changing the
 * layout re-measures the window. */
static gboolean
apply_layout_cb (gpointer user_data)
{
  McPrejoinWindow *self = user_data;
  gboolean         narrow = self->layout_width < NARROW_WIDTH;
  int              margin = narrow ? 12 : 24;

  self->layout_id = 0;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->layout_box),
                                  narrow ? GTK_ORIENTATION_VERTICAL : GTK_ORIENTATION_HORIZONTAL);
  gtk_widget_set_margin_start (GTK_WIDGET (self->layout_box), margin);
  gtk_widget_set_margin_end (GTK_WIDGET (self->layout_box), margin);
  gtk_widget_set_size_request (GTK_WIDGET (self->preview_picture), narrow ? 240 : 400,
                               narrow ? 135 : 225);
  gtk_widget_set_size_request (self->settings_box, narrow ? -1 : 380, -1);
  gtk_widget_set_vexpand (GTK_WIDGET (self->peer_label), !narrow);

  return G_SOURCE_REMOVE;
}

static void
mc_prejoin_window_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  McPrejoinWindow *self = MC_PREJOIN_WINDOW (widget);
  gboolean         changed = self->layout_width == 0 ||
                     (self->layout_width < NARROW_WIDTH) != (width < NARROW_WIDTH);

  GTK_WIDGET_CLASS (mc_prejoin_window_parent_class)->size_allocate (widget, width, height, baseline);

  self->layout_width = width;
  if (changed && self->layout_id == 0)
    self->layout_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, apply_layout_cb, self, NULL);
}

static void
mc_prejoin_window_dispose (GObject *object)
{
  McPrejoinWindow *self = MC_PREJOIN_WINDOW (object);

  g_clear_handle_id (&self->layout_id, g_source_remove);

  if (self->devices != NULL)
    g_signal_handlers_disconnect_by_data (self->devices, self);
  if (self->preview != NULL)
    g_signal_handlers_disconnect_by_data (self->preview, self);
  g_clear_object (&self->preview);
  g_clear_object (&self->devices);

  gtk_widget_dispose_template (GTK_WIDGET (self), MC_TYPE_PREJOIN_WINDOW);

  G_OBJECT_CLASS (mc_prejoin_window_parent_class)->dispose (object);
}

static void
mc_prejoin_window_finalize (GObject *object)
{
  McPrejoinWindow *self = MC_PREJOIN_WINDOW (object);

  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    g_clear_pointer (&self->identities[role], g_ptr_array_unref);
  g_clear_pointer (&self->booking, json_object_unref);
  g_clear_object (&self->paintable);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (mc_prejoin_window_parent_class)->finalize (object);
}

static void
mc_prejoin_window_class_init (McPrejoinWindowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = mc_prejoin_window_dispose;
  object_class->finalize = mc_prejoin_window_finalize;
  widget_class->size_allocate = mc_prejoin_window_size_allocate;

  /**
   * McPrejoinWindow::join:
   *
   * The user pressed Join Now; the devices are released and the choices
   * saved. The window closes itself after this signal.
   */
  signals[SIGNAL_JOIN] = g_signal_new ("join", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/mentorcall/Mentorcall/ui/mc-prejoin-window.ui");
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, preview_status);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, preview_status_icon);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, preview_status_label);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, microphone_image);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, level_bar);
  gtk_widget_class_bind_template_child_full (widget_class, "camera_row", FALSE,
                                             G_STRUCT_OFFSET (McPrejoinWindow,
                                                              rows[MC_DEVICE_ROLE_CAMERA]));
  gtk_widget_class_bind_template_child_full (widget_class, "microphone_row", FALSE,
                                             G_STRUCT_OFFSET (McPrejoinWindow,
                                                              rows[MC_DEVICE_ROLE_MICROPHONE]));
  gtk_widget_class_bind_template_child_full (widget_class, "speaker_row", FALSE,
                                             G_STRUCT_OFFSET (McPrejoinWindow,
                                                              rows[MC_DEVICE_ROLE_SPEAKER]));
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, test_sound_button);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, muted_switch);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, camera_off_switch);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, peer_label);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, layout_box);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, settings_box);
  gtk_widget_class_bind_template_child (widget_class, McPrejoinWindow, join_button);
  gtk_widget_class_bind_template_callback (widget_class, test_sound_cb);
  gtk_widget_class_bind_template_callback (widget_class, join_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
mc_prejoin_window_init (McPrejoinWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APPLICATION_ID);
  self->paintable = mc_video_paintable_new ();
  gtk_picture_set_paintable (self->preview_picture, GDK_PAINTABLE (self->paintable));

  /* One colour for the whole meter: loud is not a warning here. */
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (self->level_bar, GTK_LEVEL_BAR_OFFSET_FULL);

  self->devices = mc_media_devices_new ();
  self->preview = mc_media_preview_new (self->devices);
  mc_media_preview_set_test_sources (self->preview,
                                     g_settings_get_boolean (self->settings, "test-sources"));
  g_signal_connect (self->devices, "changed", G_CALLBACK (devices_changed_cb), self);
  g_signal_connect (self->preview, "error", G_CALLBACK (preview_error_cb), self);
  g_signal_connect (self->preview, "notify::level", G_CALLBACK (level_cb), self);

  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    {
      fill_row (self, role);
      g_signal_connect (self->rows[role], "notify::selected", G_CALLBACK (device_selected_cb),
                        self);
    }

  g_settings_bind (self->settings, "join-muted", self->muted_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "join-camera-off", self->camera_off_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_swapped (self->muted_switch, "notify::active", G_CALLBACK (restart_audio),
                            self);
  g_signal_connect_swapped (self->camera_off_switch, "notify::active",
                            G_CALLBACK (restart_video), self);

  gtk_window_set_default_widget (GTK_WINDOW (self), self->join_button);
  gtk_widget_grab_focus (self->join_button);
}

/**
 * mc_prejoin_window_new:
 * @application: (nullable): the application
 * @booking: the lesson, as the bookings list has it
 *
 * The devices start when the window is made.
 *
 * Returns: (transfer full): the window; show it
 */
McPrejoinWindow *
mc_prejoin_window_new (GtkApplication *application,
                       JsonObject     *booking)
{
  McPrejoinWindow *self;

  g_return_val_if_fail (booking != NULL, NULL);

  self = g_object_new (MC_TYPE_PREJOIN_WINDOW, "application", application, NULL);
  self->booking = json_object_ref (booking);
  update_peer_text (self);

  restart_video (self);
  restart_audio (self);

  return self;
}

gint64
mc_prejoin_window_get_booking_id (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), 0);

  return json_object_get_int_member (self->booking, "id");
}

JsonObject *
mc_prejoin_window_get_booking (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);

  return self->booking;
}

/**
 * mc_prejoin_window_set_booking:
 * @self: a pre-join window
 * @booking: the same lesson, as the server now tells it
 *
 * Keeps "waiting for you" true while the window is open.
 */
void
mc_prejoin_window_set_booking (McPrejoinWindow *self,
                               JsonObject      *booking)
{
  g_return_if_fail (MC_IS_PREJOIN_WINDOW (self));
  g_return_if_fail (booking != NULL);

  json_object_ref (booking);
  json_object_unref (self->booking);
  self->booking = booking;
  update_peer_text (self);
}

McMediaPreview *
mc_prejoin_window_get_preview (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);

  return self->preview;
}

GdkPaintable *
mc_prejoin_window_get_paintable (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);

  return GDK_PAINTABLE (self->paintable);
}

AdwComboRow *
mc_prejoin_window_get_device_row (McPrejoinWindow *self,
                                  McDeviceRole     role)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);
  g_return_val_if_fail (role < MC_DEVICE_ROLE_LAST, NULL);

  return self->rows[role];
}

/**
 * mc_prejoin_window_get_preview_text:
 * @self: a pre-join window
 *
 * Returns: (nullable): what the preview says instead of the picture
 */
const char *
mc_prejoin_window_get_preview_text (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->preview_status))
    return NULL;

  return gtk_label_get_label (self->preview_status_label);
}

const char *
mc_prejoin_window_get_peer_text (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), NULL);

  return gtk_label_get_label (self->peer_label);
}

double
mc_prejoin_window_get_level (McPrejoinWindow *self)
{
  g_return_val_if_fail (MC_IS_PREJOIN_WINDOW (self), 0.0);

  return gtk_level_bar_get_value (self->level_bar);
}

/**
 * mc_prejoin_window_join:
 * @self: a pre-join window
 *
 * What Join Now does: releases the devices, emits ::join and closes.
 */
void
mc_prejoin_window_join (McPrejoinWindow *self)
{
  g_return_if_fail (MC_IS_PREJOIN_WINDOW (self));

  if (self->joining)
    return;

  self->joining = TRUE;
  mc_media_preview_stop_video (self->preview);
  mc_media_preview_stop_audio (self->preview);
  g_object_ref (self);
  g_signal_emit (self, signals[SIGNAL_JOIN], 0);
  gtk_window_destroy (GTK_WINDOW (self));
  g_object_unref (self);
}

/* For the tests: whether the preview is above the settings. */
gboolean
mc_prejoin_window_get_narrow (McPrejoinWindow *self)
{
  return gtk_orientable_get_orientation (GTK_ORIENTABLE (self->layout_box)) ==
         GTK_ORIENTATION_VERTICAL;
}

GtkWidget *
mc_prejoin_window_get_join_button (McPrejoinWindow *self)
{
  return self->join_button;
}
