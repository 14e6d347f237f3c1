/* test-lobby.c — McLobby against a real server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lessons of a logged-in student, without a window: the first list; a
 * booking the admin API changes arrives over the lobby WebSocket (well
 * before the 30 s poll); the mentor joining brings the running call the
 * rejoin banner shows, and a call window of ours or a dismissal takes it
 * away; a reminder goes out once for a lesson five minutes away; a refused
 * session says so; and a lobby dropped with its requests and WebSocket in
 * flight cancels them without a crash (run under the sanitizers too).
 */

#include "config.h"

#include "mc-booking.h"
#include "mc-lobby-private.h"
#include "mc-protocol.h"
#include "mc-signaling-client.h"
#include "mc-test-server.h"

#define WAIT_SECONDS 20

typedef struct
{
  McTestServer *server;
  gint64        now_booking;
  gint64        later_booking;
  McApiClient  *api;
  McLobby      *lobby;

  guint   n_lists;
  guint   n_failures;
  GError *failure;
  guint   n_reminders;
  gint64  reminded_booking;
  gint64  reminded_seconds;
  gint64  peer_booking;
  char   *peer_name;
} Fixture;

typedef gboolean (*Condition) (Fixture *fixture);

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;

  return G_SOURCE_REMOVE;
}

static void
wait_until (Fixture    *fixture,
            Condition   condition,
            const char *what)
{
  gboolean timed_out = FALSE;
  guint    id = g_timeout_add_seconds (WAIT_SECONDS, timed_out_cb, &timed_out);

  while (!condition (fixture) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (id);
}

static void
spin (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, timed_out_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
bookings_changed_cb (McLobby *lobby,
                     Fixture *fixture)
{
  fixture->n_lists++;
}

static void
refresh_failed_cb (McLobby      *lobby,
                   const GError *error,
                   Fixture      *fixture)
{
  fixture->n_failures++;
  g_clear_error (&fixture->failure);
  fixture->failure = g_error_copy (error);
}

static void
reminder_cb (McLobby    *lobby,
             JsonObject *booking,
             gint64      seconds_left,
             Fixture    *fixture)
{
  fixture->n_reminders++;
  fixture->reminded_booking = json_object_get_int_member (booking, "id");
  fixture->reminded_seconds = seconds_left;
}

static void
peer_joined_cb (McLobby    *lobby,
                gint64      booking_id,
                JsonObject *user,
                Fixture    *fixture)
{
  fixture->peer_booking = booking_id;
  g_free (fixture->peer_name);
  fixture->peer_name = g_strdup (json_object_get_string_member (user, "display_name"));
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autofree char *token = NULL;

  fixture->server = mc_test_server_start_new (NULL);
  mc_test_create_pair (fixture->server, NULL, NULL);
  fixture->now_booking = mc_test_create_booking (fixture->server, MC_TEST_MENTOR,
                                                 MC_TEST_STUDENT, -300, 3300, "confirmed");
  fixture->later_booking = mc_test_create_booking (fixture->server, MC_TEST_MENTOR,
                                                   MC_TEST_STUDENT, 7200, 10800, "confirmed");

  token = mc_test_login (fixture->server, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  fixture->api = mc_api_client_new (mc_test_server_get_url (fixture->server));
  mc_api_client_set_token (fixture->api, token);

  fixture->lobby = mc_lobby_new ();
  g_signal_connect (fixture->lobby, "bookings-changed", G_CALLBACK (bookings_changed_cb),
                    fixture);
  g_signal_connect (fixture->lobby, "refresh-failed", G_CALLBACK (refresh_failed_cb), fixture);
  g_signal_connect (fixture->lobby, "reminder", G_CALLBACK (reminder_cb), fixture);
  g_signal_connect (fixture->lobby, "peer-joined", G_CALLBACK (peer_joined_cb), fixture);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  if (fixture->lobby != NULL)
    {
      g_object_add_weak_pointer (G_OBJECT (fixture->lobby), (gpointer *) &fixture->lobby);
      g_object_unref (fixture->lobby);
      /* Nothing of ours keeps it alive: no request holds a reference. */
      g_assert_null (fixture->lobby);
    }
  /* Let the cancelled requests and the closing WebSocket finish. */
  spin (200);

  g_clear_object (&fixture->api);
  g_clear_error (&fixture->failure);
  g_clear_pointer (&fixture->peer_name, g_free);
  mc_test_server_stop (fixture->server);
  mc_test_server_free (fixture->server);
}

static gboolean
has_list (Fixture *fixture)
{
  return fixture->n_lists > 0;
}

static gboolean
lobby_connected (Fixture *fixture)
{
  McSignalingClient *signaling = mc_lobby_get_signaling (fixture->lobby);

  return signaling != NULL &&
         mc_signaling_client_get_state (signaling) == MC_SIGNALING_STATE_CONNECTED;
}

static gboolean
later_booking_cancelled (Fixture *fixture)
{
  JsonObject     *booking = mc_lobby_find_booking (fixture->lobby, fixture->later_booking);
  McBookingStatus status;

  return booking != NULL && mc_booking_get_status (booking, &status) &&
         status == MC_BOOKING_CANCELLED;
}

static void
start_and_list (Fixture *fixture)
{
  mc_lobby_start (fixture->lobby, fixture->api);
  g_assert_true (mc_lobby_get_api (fixture->lobby) == fixture->api);
  wait_until (fixture, has_list, "the first list");
  wait_until (fixture, lobby_connected, "the lobby WebSocket");
}

/* The list, then a change made elsewhere arrives by itself. */
static void
test_booking_update (Fixture      *fixture,
                     gconstpointer data)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT,
                                               fixture->later_booking);
  g_autoptr (JsonNode) answer = NULL;
  JsonObject          *booking;
  McBookingStatus      status;
  gint64               asked;
  guint                http_status;

  g_assert_null (mc_lobby_get_bookings (fixture->lobby));
  start_and_list (fixture);

  g_assert_nonnull (mc_lobby_get_bookings (fixture->lobby));
  booking = mc_lobby_find_booking (fixture->lobby, fixture->later_booking);
  g_assert_nonnull (booking);
  g_assert_true (mc_booking_get_status (booking, &status));
  g_assert_cmpint (status, ==, MC_BOOKING_CONFIRMED);
  g_assert_null (mc_lobby_find_booking (fixture->lobby, 999999));
  /* The server's clock, a few seconds at most from ours here. */
  g_assert_cmpint (ABS (mc_lobby_get_now (fixture->lobby) - mc_test_now ()), <=, 5);

  asked = g_get_monotonic_time ();
  answer = mc_test_admin (fixture->server, "PATCH", path, "{\"status\":\"cancelled\"}",
                          &http_status);
  g_assert_cmpuint (http_status, ==, 200);
  wait_until (fixture, later_booking_cancelled, "the change over the lobby WebSocket");
  /* Well before the next poll: it came over the WebSocket. */
  g_assert_cmpint (g_get_monotonic_time () - asked, <, 20 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->n_failures, ==, 0);

  /* Stopped, it forgets the list and asks nothing more. */
  mc_lobby_stop (fixture->lobby);
  g_assert_null (mc_lobby_get_bookings (fixture->lobby));
  g_assert_null (mc_lobby_get_api (fixture->lobby));
  g_assert_null (mc_lobby_get_signaling (fixture->lobby));
  mc_lobby_refresh (fixture->lobby);
}

/* The other participant, in the room over the real signaling (no media). */
typedef struct
{
  McApiClient       *api;
  McSignalingClient *client;
  gboolean           joined;
} Peer;

static void
peer_in_room_cb (McSignalingClient *client,
                 gint64             booking_id,
                 JsonObject        *message,
                 Peer              *peer)
{
  peer->joined = TRUE;
}

static Peer *waited_peer;

static gboolean
peer_has_joined (Fixture *fixture)
{
  return waited_peer->joined;
}

static void
peer_join (Fixture *fixture,
           Peer    *peer)
{
  g_autofree char     *token = mc_test_login (fixture->server, MC_TEST_MENTOR,
                                              MC_TEST_MENTOR_PASSWORD);
  g_autofree char     *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                               fixture->now_booking);
  g_autoptr (JsonNode) call_token = NULL;
  guint                status;

  call_token = mc_test_request (fixture->server, "POST", path, token, NULL, &status);
  g_assert_cmpuint (status, ==, 200);

  peer->api = mc_api_client_new (mc_test_server_get_url (fixture->server));
  mc_api_client_set_token (peer->api, token);
  peer->client = mc_signaling_client_new (peer->api);
  g_signal_connect (peer->client, "joined", G_CALLBACK (peer_in_room_cb), peer);
  mc_signaling_client_join (peer->client, fixture->now_booking,
                            mc_test_get_string (mc_test_object (call_token), "token"));
  waited_peer = peer;
  wait_until (fixture, peer_has_joined, "the mentor to join");
}

static gboolean
call_running (Fixture *fixture)
{
  JsonObject *booking = mc_lobby_get_running_call (fixture->lobby);

  return booking != NULL && json_object_get_int_member (booking, "id") == fixture->now_booking &&
         fixture->peer_name != NULL;
}

static gboolean
no_call_running (Fixture *fixture)
{
  return mc_lobby_get_running_call (fixture->lobby) == NULL;
}

/* The mentor starts the lesson: the lobby hears it, says who, and offers
 * the call (Join: the student was never in it) until a call window of ours
 * is open on it or it is dismissed. */
static void
test_running_call (Fixture      *fixture,
                   gconstpointer data)
{
  Peer peer = { 0 };

  start_and_list (fixture);
  g_assert_null (mc_lobby_get_running_call (fixture->lobby));

  peer_join (fixture, &peer);
  wait_until (fixture, call_running, "the running call");
  g_assert_cmpint (fixture->peer_booking, ==, fixture->now_booking);
  g_assert_cmpstr (fixture->peer_name, ==, "maria Tester");
  g_assert_false (mc_lobby_get_joined_before (fixture->lobby));

  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, TRUE);
  g_assert_null (mc_lobby_get_running_call (fixture->lobby));
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, FALSE);
  g_assert_nonnull (mc_lobby_get_running_call (fixture->lobby));

  mc_lobby_dismiss_running_call (fixture->lobby);
  g_assert_null (mc_lobby_get_running_call (fixture->lobby));
  /* A refresh does not bring a dismissed call back. */
  mc_lobby_refresh (fixture->lobby);
  spin (500);
  g_assert_null (mc_lobby_get_running_call (fixture->lobby));

  /* Ended: no call runs. */
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, TRUE);
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, FALSE);
  g_assert_true (mc_signaling_client_end (peer.client));
  wait_until (fixture, no_call_running, "the call to end");

  mc_signaling_client_disconnect (peer.client);
  g_clear_object (&peer.client);
  g_clear_object (&peer.api);
}

/* A lesson five minutes away gets its reminder, once; one that runs or is
 * hours away does not. */
static void
test_reminder (Fixture      *fixture,
               gconstpointer data)
{
  gint64 soon = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT, 240,
                                        3840, "confirmed");

  start_and_list (fixture);

  g_assert_cmpuint (fixture->n_reminders, ==, 1);
  g_assert_cmpint (fixture->reminded_booking, ==, soon);
  g_assert_cmpint (fixture->reminded_seconds, >, 200);
  g_assert_cmpint (fixture->reminded_seconds, <=, 300);
  g_assert_true (mc_lobby_get_reminded (fixture->lobby, soon));
  g_assert_false (mc_lobby_get_reminded (fixture->lobby, fixture->now_booking));
  g_assert_false (mc_lobby_get_reminded (fixture->lobby, fixture->later_booking));

  /* Again on the next list and tick: not twice. */
  fixture->n_lists = 0;
  mc_lobby_refresh (fixture->lobby);
  wait_until (fixture, has_list, "the second list");
  spin (1100);
  g_assert_cmpuint (fixture->n_reminders, ==, 1);
}

static gboolean
has_failure (Fixture *fixture)
{
  return fixture->n_failures > 0;
}

/* A session the server no longer takes: refresh-failed says so, as
 * MC_ERROR, and there is no list. */
static void
test_refused (Fixture      *fixture,
              gconstpointer data)
{
  mc_api_client_set_token (fixture->api, "not-a-session-token");
  mc_lobby_start (fixture->lobby, fixture->api);
  wait_until (fixture, has_failure, "the refusal");
  g_assert_true (fixture->failure->domain == MC_ERROR);
  g_assert_true (fixture->failure->code == MC_ERROR_SESSION_INVALID ||
                 fixture->failure->code == MC_ERROR_SESSION_EXPIRED ||
                 fixture->failure->code == MC_ERROR_UNAUTHORIZED);
  g_assert_cmpuint (fixture->n_lists, ==, 0);
  g_assert_null (mc_lobby_get_bookings (fixture->lobby));
}

/* Dropped at once, with the list, the attendance and the WebSocket on their
 * way: dispose cancels them and nothing calls back into the freed lobby.
 * Then dropped while a call runs and its attendance is being asked. */
static void
test_dispose (Fixture      *fixture,
              gconstpointer data)
{
  Peer peer = { 0 };

  mc_lobby_start (fixture->lobby, fixture->api);
  mc_lobby_refresh (fixture->lobby);
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, TRUE);
  g_object_add_weak_pointer (G_OBJECT (fixture->lobby), (gpointer *) &fixture->lobby);
  g_object_unref (fixture->lobby);
  g_assert_null (fixture->lobby);
  spin (500);
  g_assert_cmpuint (fixture->n_lists, ==, 0);

  peer_join (fixture, &peer);
  fixture->lobby = mc_lobby_new ();
  g_signal_connect (fixture->lobby, "bookings-changed", G_CALLBACK (bookings_changed_cb),
                    fixture);
  start_and_list (fixture);
  g_assert_nonnull (mc_lobby_get_running_call (fixture->lobby));
  /* Its attendance is asked now; drop the lobby before the answer. */
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, TRUE);
  mc_lobby_set_in_call (fixture->lobby, fixture->now_booking, FALSE);
  g_clear_object (&fixture->lobby);
  spin (500);

  mc_signaling_client_disconnect (peer.client);
  g_clear_object (&peer.client);
  g_clear_object (&peer.api);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/lobby/booking-update", Fixture, NULL, fixture_set_up,
              test_booking_update, fixture_tear_down);
  g_test_add ("/engine/lobby/running-call", Fixture, NULL, fixture_set_up, test_running_call,
              fixture_tear_down);
  g_test_add ("/engine/lobby/reminder", Fixture, NULL, fixture_set_up, test_reminder,
              fixture_tear_down);
  g_test_add ("/engine/lobby/refused", Fixture, NULL, fixture_set_up, test_refused,
              fixture_tear_down);
  g_test_add ("/engine/lobby/dispose", Fixture, NULL, fixture_set_up, test_dispose,
              fixture_tear_down);

  return g_test_run ();
}
