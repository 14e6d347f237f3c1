/* test-booking.c — a booking's states, parsed from the server's JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The app compares the protocol's enums, not strings: every status and call
 * state the server sends parses, and anything else — a newer server's
 * value, a missing member, a call that is not an object — is unknown.
 */

#include "config.h"

#include "mc-booking.h"

static JsonObject *
parse (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError)     error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_states (void)
{
  static const struct
  {
    const char     *json;
    gboolean        status_known;
    McBookingStatus status;
    gboolean        call_known;
    McCallState     call_state;
  } cases[] = {
    { "{\"status\": \"pending\", \"call\": null}", TRUE, MC_BOOKING_PENDING, FALSE, 0 },
    { "{\"status\": \"confirmed\", \"call\": {\"state\": \"idle\"}}", TRUE, MC_BOOKING_CONFIRMED,
      TRUE, MC_CALL_IDLE },
    { "{\"status\": \"confirmed\", \"call\": {\"state\": \"active\"}}", TRUE,
      MC_BOOKING_CONFIRMED, TRUE, MC_CALL_ACTIVE },
    { "{\"status\": \"completed\", \"call\": {\"state\": \"ended\"}}", TRUE, MC_BOOKING_COMPLETED,
      TRUE, MC_CALL_ENDED },
    { "{\"status\": \"cancelled\"}", TRUE, MC_BOOKING_CANCELLED, FALSE, 0 },
    { "{\"status\": \"rescheduled\", \"call\": {\"state\": \"paused\"}}", FALSE, 0, FALSE, 0 },
    { "{\"status\": 3, \"call\": \"active\"}", FALSE, 0, FALSE, 0 },
    { "{}", FALSE, 0, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (JsonObject) booking = parse (cases[i].json);
      McBookingStatus        status;
      McCallState            state;

      g_test_message ("%s", cases[i].json);
      g_assert_cmpint (mc_booking_get_status (booking, &status), ==, cases[i].status_known);
      if (cases[i].status_known)
        g_assert_cmpint (status, ==, cases[i].status);
      g_assert_cmpint (mc_booking_get_call_state (booking, &state), ==, cases[i].call_known);
      if (cases[i].call_known)
        g_assert_cmpint (state, ==, cases[i].call_state);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client/booking/states", test_states);

  return g_test_run ();
}
