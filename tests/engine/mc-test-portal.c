/* mc-test-portal.c — the mock desktop portal on a private session bus
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session bus of the test's own (GTestDBus) with tests/engine/
 * mock-portal.py on it, which owns org.freedesktop.portal.Desktop and
 * answers ScreenCast the way xdg-desktop-portal does. Its control
 * interface, org.mentorcall.MockPortal, plays the user and the desktop:
 * SetAnswer ("grant" | "cancel"), CloseSessions (), LastOptions ().
 */

#include "config.h"

#include "mc-test-portal.h"

/* Kept until the process ends: see mc_test_portal_stop (). */
static GTestDBus   *bus;
static GSubprocess *mock;

/**
 * mc_test_portal_start:
 *
 * Starts the bus (which becomes the session bus of the process) and the
 * mock on it, and returns when the mock owns its name.
 */
void
mc_test_portal_start (void)
{
  g_autoptr (GError)           error = NULL;
  g_autofree char             *script = NULL;
  g_autofree char             *line = NULL;
  g_autoptr (GDataInputStream) out = NULL;

  g_assert_null (bus);
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  script = g_test_build_filename (G_TEST_DIST, "engine", "mock-portal.py", NULL);
  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "/usr/bin/python3", script,
                           NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
}

/**
 * mc_test_portal_control:
 * @method: a method of org.mentorcall.MockPortal
 * @parameters: (nullable): its parameters
 * @reply_type: (nullable): the reply's type, if it matters
 *
 * Returns: (transfer full): the reply
 */
GVariant *
mc_test_portal_control (const char *method,
                        GVariant   *parameters,
                        const char *reply_type)
{
  g_autoptr (GDBusConnection) connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GError)          error = NULL;
  GVariant                   *reply;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.portal.Desktop",
                                       "/org/freedesktop/portal/desktop",
                                       "org.mentorcall.MockPortal", method, parameters,
                                       reply_type ? G_VARIANT_TYPE (reply_type) : NULL,
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

/**
 * mc_test_portal_stop:
 *
 * Ends the mock and the bus. libportal keeps the shared connection to the
 * bus, so the bus is stopped without waiting for that to go
 * (g_test_dbus_down () would, for 30 s) and its GTestDBus is kept until
 * the process ends; the shared connection is told not to end the process
 * when the bus goes, as it would by default. Call it last in a process.
 */
void
mc_test_portal_stop (void)
{
  g_autoptr (GDBusConnection) connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

  if (connection != NULL)
    g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_subprocess_force_exit (mock);
  g_subprocess_wait (mock, NULL, NULL);
  g_clear_object (&mock);
  g_test_dbus_stop (bus);
}
