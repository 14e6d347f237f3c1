/* mc-call-window-devices.c — switching camera, microphone and speaker in a call
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. A menu button among the controls
 * opens a menu with a section for each kind of device, one radio item per
 * device. The items are bound to three stateful actions ("device.camera",
 * "device.microphone", "device.speaker"), whose state is the identity of
 * the device in use ("" for the default speaker or a test source). Choosing
 * one switches it in the running call (mc_call_session_set_device ()); it
 * is then remembered in the same settings the pre-join window writes, so
 * that the next lesson starts with it. A device that cannot be opened is
 * said in a toast, and the radio stays on the device the call kept.
 *
 * The list is the call's own (mc_call_session_list_devices ()), not one
 * of the window's: GStreamer 1.22 device providers shared by a second
 * device monitor stop telling the first one of devices coming and going,
 * and the engine needs that to replace a camera that is unplugged. It is
 * made again on ::devices-changed; ::device-lost is told in a toast.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-call-window-internal.h"
#include "mc-call-window-private.h"

static const char * const action_names[MC_DEVICE_ROLE_LAST] = {
  "camera",
  "microphone",
  "speaker",
};

static const char * const setting_keys[MC_DEVICE_ROLE_LAST] = {
  "video-device",
  "audio-device",
  "speaker-device",
};

/* Helpers */

static GSimpleAction *
lookup_action (McCallWindow *self,
               McDeviceRole  role)
{
  return G_SIMPLE_ACTION (g_action_map_lookup_action (self->device_actions,
                                                      action_names[role]));
}

static const char *
device_in_use (McCallWindow *self,
               McDeviceRole  role)
{
  McCallSession *session = mc_call_window_get_session (self);
  const char    *identity = session != NULL ? mc_call_session_get_device (session, role) : NULL;

  return identity != NULL ? identity : "";
}

static void
append_item (GMenu       *section,
             const char  *label,
             McDeviceRole role,
             const char  *identity)
{
  g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);
  g_autofree char      *action = g_strconcat ("device.", action_names[role], NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (identity));
  g_menu_append_item (section, item);
}

/* One section: the devices the call sees, the one in use checked. */
static GMenu *
make_section (McCallWindow *self,
              McDeviceRole  role,
              gboolean      test_sources)
{
  McCallSession        *session = mc_call_window_get_session (self);
  g_autoptr (GPtrArray) devices = NULL;
  GMenu                *section = g_menu_new ();
  const char           *current = device_in_use (self, role);
  gboolean              current_listed = FALSE;

  if (role == MC_DEVICE_ROLE_SPEAKER)
    {
      /* Translators: the sound server's default speaker, in the call's device menu */
      append_item (section, C_ ("speaker", "Default"), role, "");
      current_listed = *current == '\0';
    }
  else if (test_sources)
    {
      append_item (section, role == MC_DEVICE_ROLE_CAMERA ? _ ("Test pattern") : _ ("Test tone"),
                   role, "");
      return section;
    }

  devices = session != NULL ? mc_call_session_list_devices (session, role)
                            : g_ptr_array_new_with_free_func ((GDestroyNotify) mc_media_device_info_free);
  for (guint i = 0; i < devices->len; i++)
    {
      McMediaDeviceInfo *info = g_ptr_array_index (devices, i);

      append_item (section, info->display_name, role, info->identity);
      current_listed = current_listed || g_strcmp0 (info->identity, current) == 0;
    }

  /* Nothing is captured (the device went away and no other is there). */
  if (!current_listed && role != MC_DEVICE_ROLE_SPEAKER)
    append_item (section, role == MC_DEVICE_ROLE_CAMERA ? _ ("No camera") : _ ("No microphone"),
                 role, "");

  return section;
}

/* Makes the menu and the actions' states again from what the call uses and
 * sees. */
void
mc_call_window_update_devices (McCallWindow *self)
{
  static const char *titles[MC_DEVICE_ROLE_LAST] = {
    N_ ("Camera"),
    N_ ("Microphone"),
    N_ ("Speaker"),
  };
  McCallSession *session = mc_call_window_get_session (self);
  gboolean       test_sources = g_settings_get_boolean (self->settings, "test-sources");

  g_menu_remove_all (self->devices_menu);
  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    {
      g_autoptr (GMenu) section = make_section (self, role, test_sources);
      GSimpleAction    *action = lookup_action (self, role);

      g_menu_append_section (self->devices_menu, _ (titles[role]), G_MENU_MODEL (section));
      g_simple_action_set_state (action, g_variant_new_string (device_in_use (self, role)));
      /* A test source cannot be switched; nothing can before the call runs. */
      g_simple_action_set_enabled (action, self->devices_ready && session != NULL &&
                                             (role == MC_DEVICE_ROLE_SPEAKER || !test_sources));
    }
}

/* Callbacks */

static void
change_device_cb (GSimpleAction *action,
                  GVariant      *value,
                  gpointer       user_data)
{
  McCallWindow      *self = MC_CALL_WINDOW (user_data);
  McCallSession     *session = mc_call_window_get_session (self);
  const char        *identity = g_variant_get_string (value, NULL);
  g_autoptr (GError) error = NULL;
  McDeviceRole       role;

  for (role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    {
      if (g_strcmp0 (g_action_get_name (G_ACTION (action)), action_names[role]) == 0)
        break;
    }
  if (role == MC_DEVICE_ROLE_LAST || session == NULL)
    return;

  if (!mc_call_session_set_device (session, role, identity, &error))
    {
      /* Translators: %s says why, such as "The camera “USB Webcam” cannot be started" */
      g_autofree char *message = g_strdup_printf (_ ("Cannot switch: %s"), error->message);

      g_message ("Cannot switch the %s to %s: %s", action_names[role], identity, error->message);
      mc_call_window_toast (self, message);
      return;
    }

  g_simple_action_set_state (action, value);
  /* The next lesson, and the pre-join window, start with it. */
  g_settings_set_string (self->settings, setting_keys[role], identity);
}

static void
session_devices_changed_cb (McCallSession *session,
                            McCallWindow  *self)
{
  mc_call_window_update_devices (self);
}

static void
session_device_changed_cb (McCallSession *session,
                           McMediaKind    kind,
                           const char    *device_id,
                           const char    *message,
                           McCallWindow  *self)
{
  /* Hot-plug, a failure, or the end of screen sharing chose another one. */
  mc_call_window_update_devices (self);
}

static void
session_device_lost_cb (McCallSession *session,
                        int            role,
                        const char    *message,
                        McCallWindow  *self)
{
  mc_call_window_toast (self, message);
  mc_call_window_update_devices (self);
}

/* Setup */

void
mc_call_window_init_devices (McCallWindow *self)
{
  for (McDeviceRole role = 0; role < MC_DEVICE_ROLE_LAST; role++)
    {
      g_autoptr (GSimpleAction) action =
        g_simple_action_new_stateful (action_names[role], G_VARIANT_TYPE_STRING,
                                      g_variant_new_string (""));

      g_signal_connect (action, "change-state", G_CALLBACK (change_device_cb), self);
      g_simple_action_set_enabled (action, FALSE);
      g_action_map_add_action (self->device_actions, G_ACTION (action));
    }

  gtk_widget_insert_action_group (GTK_WIDGET (self), "device",
                                  G_ACTION_GROUP (self->device_actions));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (self->devices_button),
                                  G_MENU_MODEL (self->devices_menu));
  gtk_widget_add_css_class (GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (
                              self->devices_button))),
                            "devices-menu");
  mc_call_window_update_devices (self);
}

void
mc_call_window_watch_devices (McCallWindow  *self,
                              McCallSession *session)
{
  g_signal_connect (session, "devices-changed", G_CALLBACK (session_devices_changed_cb), self);
  g_signal_connect (session, "device-changed", G_CALLBACK (session_device_changed_cb), self);
  g_signal_connect (session, "device-lost", G_CALLBACK (session_device_lost_cb), self);
}

GtkWidget *
mc_call_window_get_devices_button (McCallWindow *self)
{
  return self->devices_button;
}

GMenuModel *
mc_call_window_get_devices_menu (McCallWindow *self)
{
  return G_MENU_MODEL (self->devices_menu);
}
