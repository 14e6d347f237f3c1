/* test-webhook-store.c — the webhook outbox is written with the change
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store itself, on a real SQLite file: every call change queues its
 * events and deliveries in its own transaction, and a change that fails
 * queues nothing.
 */

#include <glib/gstdio.h>

#include "mc-test-database.h"
#include "mcs-store.h"

typedef struct
{
  char     *dir;
  char     *location; /* an SQLite file in dir, or a PostgreSQL URL */
  McsStore *store;
  gint64    mentor_id;
  gint64    student_id;
  gint64    booking_id;
  guint     n_signals;
} Fixture;

static void
events_queued_cb (McsStore *store,
                  Fixture  *fixture)
{
  fixture->n_signals++;
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (McsUser)    mentor = NULL;
  g_autoptr (McsUser)    student = NULL;
  g_autoptr (McsBooking) booking = NULL;

  fixture->dir = g_dir_make_tmp ("mc-webhook-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->location = mc_test_database_new (fixture->dir);
  fixture->store = mcs_store_open (fixture->location, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->store, "events-queued", G_CALLBACK (events_queued_cb), fixture);

  mentor = mcs_store_add_user (fixture->store, "maria", "Maria", MC_ROLE_MENTOR, "x", &error);
  g_assert_no_error (error);
  student = mcs_store_add_user (fixture->store, "sam", "Sam", MC_ROLE_STUDENT, "x", &error);
  g_assert_no_error (error);
  fixture->mentor_id = mentor->id;
  fixture->student_id = student->id;

  booking = mcs_store_add_booking (fixture->store, mentor->id, student->id, "Maths", 1000000,
                                   1003600, MC_BOOKING_CONFIRMED, &error);
  g_assert_no_error (error);
  fixture->booking_id = booking->id;
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char      *name;

  g_clear_object (&fixture->store);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  mc_test_database_drop (fixture->location);
  g_free (fixture->location);
}

static gint64
count (Fixture    *fixture,
       const char *sql)
{
  McsDatabase             *database = mcs_store_get_database (fixture->store);
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (GError)       error = NULL;
  gboolean                 has_row = FALSE;

  statement = mcs_database_statement (database, sql, &error);
  g_assert_no_error (error);
  g_assert_true (mcs_database_step (database, statement, &has_row, &error));
  g_assert_no_error (error);
  g_assert_true (has_row);
  return mcs_statement_get_int64 (statement, 0);
}

/* The events in the outbox, in order, as "type" strings and their payloads. */
static GPtrArray *
list_events (Fixture *fixture)
{
  McsDatabase             *database = mcs_store_get_database (fixture->store);
  g_autoptr (McsStatement) statement = NULL;
  g_autoptr (GError)       error = NULL;
  GPtrArray               *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  gboolean                 has_row;

  statement = mcs_database_statement (database, "SELECT payload FROM webhook_events ORDER BY id",
                                      &error);
  g_assert_no_error (error);
  while (mcs_database_step (database, statement, &has_row, &error) && has_row)
    {
      JsonNode *node = json_from_string (mcs_statement_get_text (statement, 0), &error);

      g_assert_no_error (error);
      g_ptr_array_add (events, node);
    }
  g_assert_no_error (error);

  return events;
}

static JsonObject *
event_data (GPtrArray  *events,
            guint       index,
            const char *type)
{
  JsonObject *event = json_node_get_object (g_ptr_array_index (events, index));

  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, type);
  g_assert_nonnull (json_object_get_string_member (event, "timestamp"));
  return json_object_get_object_member (event, "data");
}

static McsWebhookEndpoint *
add_endpoint (Fixture            *fixture,
              const char * const *events)
{
  g_autoptr (GError)  error = NULL;
  McsWebhookEndpoint *endpoint;

  endpoint = mcs_store_add_webhook (fixture->store, "http://127.0.0.1:9/hook", events,
                                    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "test", &error);
  g_assert_no_error (error);
  return endpoint;
}

/* No endpoint: no event is kept, and nothing wakes the worker. */
static void
test_nobody_listens (Fixture      *fixture,
                     gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->mentor_id, NULL,
                                      1000010, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_events"), ==, 0);
  g_assert_cmpuint (fixture->n_signals, ==, 0);
}

/* A whole lesson: join, leave, rejoin, end. */
static void
test_lesson (Fixture      *fixture,
             gconstpointer data)
{
  const char * const             ended_only[] = { "lesson.ended", NULL };
  g_autoptr (McsWebhookEndpoint) all = add_endpoint (fixture, NULL);
  g_autoptr (McsWebhookEndpoint) some = add_endpoint (fixture, ended_only);
  g_autoptr (GPtrArray)          events = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (GPtrArray)          due = NULL;
  JsonObject                    *d;
  JsonArray                     *participants;

  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->mentor_id, NULL,
                                      1000010, NULL, &error));
  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->student_id, NULL,
                                      1000020, NULL, &error));
  g_assert_true (mcs_store_call_leave (fixture->store, fixture->booking_id, fixture->student_id,
                                       1000120, "connection_lost", &error));
  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->student_id, NULL,
                                      1000200, NULL, &error));
  g_assert_true (mcs_store_call_end (fixture->store, fixture->booking_id, fixture->mentor_id,
                                     1003010, &error));
  g_assert_no_error (error);

  events = list_events (fixture);
  g_assert_cmpuint (events->len, ==, 9);

  d = event_data (events, 0, "lesson.call_started");
  g_assert_cmpint (json_object_get_int_member (d, "booking_id"), ==, fixture->booking_id);
  g_assert_cmpint (json_object_get_int_member (d, "user_id"), ==, fixture->mentor_id);
  g_assert_cmpstr (json_object_get_string_member (d, "started_at"), ==, "1970-01-12T13:46:50Z");

  d = event_data (events, 1, "lesson.participant_joined");
  g_assert_cmpstr (json_object_get_string_member (d, "role"), ==, "mentor");
  d = event_data (events, 2, "lesson.participant_joined");
  g_assert_cmpstr (json_object_get_string_member (d, "role"), ==, "student");

  d = event_data (events, 3, "lesson.participant_left");
  g_assert_cmpint (json_object_get_int_member (d, "user_id"), ==, fixture->student_id);
  g_assert_cmpstr (json_object_get_string_member (d, "reason"), ==, "connection_lost");
  g_assert_cmpint (json_object_get_int_member (d, "attended_seconds"), ==, 100);

  /* The rejoin is not a second start. */
  event_data (events, 4, "lesson.participant_joined");

  /* Ending closes both attendance records, then reports the lesson. */
  d = event_data (events, 5, "lesson.participant_left");
  g_assert_cmpstr (json_object_get_string_member (d, "reason"), ==, "ended");
  g_assert_cmpint (json_object_get_int_member (d, "attended_seconds"), ==, 3000);
  d = event_data (events, 6, "lesson.participant_left");
  g_assert_cmpint (json_object_get_int_member (d, "attended_seconds"), ==, 2810);

  d = event_data (events, 7, "lesson.ended");
  g_assert_cmpint (json_object_get_int_member (d, "ended_by"), ==, fixture->mentor_id);
  g_assert_cmpstr (json_object_get_string_member (d, "ended_by_role"), ==, "mentor");
  g_assert_cmpint (json_object_get_int_member (d, "duration_seconds"), ==, 3000);
  g_assert_true (json_object_get_boolean_member (d, "booking_completed"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (d, "scheduled"),
                                               "duration_seconds"),
                   ==, 3600);
  participants = json_object_get_array_member (d, "participants");
  g_assert_cmpuint (json_array_get_length (participants), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (participants, 0),
                                               "attended_seconds"),
                   ==, 3000);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (participants, 1),
                                               "attended_seconds"),
                   ==, 100 + 2810);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (participants, 1),
                                               "joins"),
                   ==, 2);

  d = event_data (events, 8, "booking.changed");
  g_assert_cmpstr (json_object_get_string_member (d, "status"), ==, "completed");

  /* One delivery per event for the endpoint that wants all, one for the
   * other, all due at once. */
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_deliveries"), ==, 10);
  due = mcs_store_list_due_deliveries (fixture->store, 1003010, 100, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 10);
  g_assert_cmpuint (fixture->n_signals, ==, 5);

  /* Ending again changes nothing and announces nothing. */
  g_assert_true (mcs_store_call_end (fixture->store, fixture->booking_id, 0, 1003100, &error));
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_events"), ==, 9);
}

/* A change that fails queues no event: the outbox commits with it or not. */
static void
test_rolled_back (Fixture      *fixture,
                  gconstpointer data)
{
  g_autoptr (McsWebhookEndpoint) all = add_endpoint (fixture, NULL);
  g_autoptr (GError)             error = NULL;

  /* No such user: the attendance row breaks a foreign key. */
  g_assert_false (mcs_store_call_join (fixture->store, fixture->booking_id, 999, NULL, 1000010, NULL, &error));
  g_assert_nonnull (error);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_events"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_deliveries"), ==, 0);
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM calls WHERE started_at IS NOT NULL"), ==,
                   0);
  g_assert_cmpuint (fixture->n_signals, ==, 0);
}

/* Attempts, retries and the queue's numbers. */
static void
test_attempts (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (McsWebhookEndpoint) all = add_endpoint (fixture, NULL);
  g_autoptr (McsWebhookDelivery) delivery = NULL;
  g_autoptr (McsWebhookEndpoint) endpoint = NULL;
  g_autoptr (GPtrArray)          due = NULL;
  g_autoptr (GError)             error = NULL;
  gint64                         length, oldest_age, next_due;

  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->mentor_id, NULL,
                                      1000010, NULL, &error));
  mcs_store_get_webhook_queue (fixture->store, 1000040, &length, &oldest_age, &next_due);
  g_assert_cmpint (length, ==, 2);
  g_assert_cmpint (oldest_age, ==, 30);
  g_assert_cmpint (next_due, ==, 1000010);

  due = mcs_store_list_due_deliveries (fixture->store, 1000010, 1, &error);
  g_assert_cmpuint (due->len, ==, 1);
  delivery = g_ptr_array_steal_index (due, 0);
  g_assert_true (g_str_has_prefix (delivery->message_id, "msg_"));

  g_assert_true (mcs_store_record_attempt (fixture->store, delivery, 1000011, 500, NULL, "pending",
                                           1000016, &error));
  g_assert_no_error (error);
  endpoint = mcs_store_get_webhook (fixture->store, all->id, &error);
  g_assert_cmpint (endpoint->failing_since, ==, 1000011);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = mcs_store_list_due_deliveries (fixture->store, 1000015, 10, &error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpint (((McsWebhookDelivery *) due->pdata[0])->id, !=, delivery->id);

  g_assert_true (mcs_store_record_attempt (fixture->store, delivery, 1000017, 204, NULL,
                                           "delivered", 0, &error));
  g_clear_pointer (&endpoint, mcs_webhook_endpoint_free);
  endpoint = mcs_store_get_webhook (fixture->store, all->id, &error);
  g_assert_cmpint (endpoint->failing_since, ==, 0);
  g_clear_pointer (&delivery, mcs_webhook_delivery_free);
  g_clear_pointer (&due, g_ptr_array_unref);
  due = mcs_store_list_deliveries (fixture->store, all->id, 10, &error);
  g_assert_cmpuint (due->len, ==, 2);
  delivery = mcs_store_get_delivery (fixture->store, ((McsWebhookDelivery *) due->pdata[1])->id,
                                     &error);
  g_assert_cmpstr (delivery->state, ==, "delivered");
  g_assert_cmpint (delivery->attempts, ==, 2);
  g_assert_cmpint (delivery->last_status, ==, 204);

  /* Redelivering starts over with the same message. */
  g_assert_true (mcs_store_redeliver (fixture->store, delivery->id, 1000100, &error));
  {
    g_autoptr (McsWebhookDelivery) again = mcs_store_get_delivery (fixture->store, delivery->id,
                                                                   &error);

    g_assert_cmpstr (again->state, ==, "pending");
    g_assert_cmpstr (again->message_id, ==, delivery->message_id);
    g_assert_cmpint (again->attempts, ==, 0);
  }

  /* A disabled endpoint's deliveries wait. */
  g_assert_true (mcs_store_set_webhook_enabled (fixture->store, all->id, FALSE, "gone", 1000101,
                                                &error));
  g_clear_pointer (&due, g_ptr_array_unref);
  due = mcs_store_list_due_deliveries (fixture->store, 1000200, 10, &error);
  g_assert_cmpuint (due->len, ==, 0);

  g_assert_true (mcs_store_remove_webhook (fixture->store, all->id, &error));
  g_assert_cmpint (count (fixture, "SELECT count (*) FROM webhook_deliveries"), ==, 0);
  g_assert_false (mcs_store_remove_webhook (fixture->store, all->id, &error));
  g_assert_error (error, MC_ERROR, MC_ERROR_NOT_FOUND);
}

/* At start-up the server closes what the last run left open, and says so. */
static void
test_restart (Fixture      *fixture,
              gconstpointer data)
{
  const char * const             left_only[] = { "lesson.participant_left", NULL };
  g_autoptr (McsWebhookEndpoint) some = add_endpoint (fixture, left_only);
  g_autoptr (GPtrArray)          events = NULL;
  g_autoptr (GError)             error = NULL;
  g_autoptr (GArray)             bookings = g_array_new (FALSE, FALSE, sizeof (gint64));
  JsonObject                    *d;

  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->mentor_id, NULL,
                                      1000010, NULL, &error));
  g_assert_true (mcs_store_call_join (fixture->store, fixture->booking_id, fixture->student_id, NULL,
                                      1000020, NULL, &error));
  /* Two records of one booking: the booking is told of once. */
  g_assert_cmpuint (mcs_store_node_started (fixture->store, 1000100, bookings), ==, 2);
  g_assert_cmpuint (bookings->len, ==, 1);
  g_assert_cmpint (g_array_index (bookings, gint64, 0), ==, fixture->booking_id);
  g_assert_cmpuint (mcs_store_node_started (fixture->store, 1000200, NULL), ==, 0);

  events = list_events (fixture);
  g_assert_cmpuint (events->len, ==, 2);
  d = event_data (events, 0, "lesson.participant_left");
  g_assert_cmpstr (json_object_get_string_member (d, "reason"), ==, "server_restart");
  g_assert_cmpint (json_object_get_int_member (d, "attended_seconds"), ==, 90);
  d = event_data (events, 1, "lesson.participant_left");
  g_assert_cmpint (json_object_get_int_member (d, "user_id"), ==, fixture->student_id);
  g_assert_cmpint (json_object_get_int_member (d, "attended_seconds"), ==, 80);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server/webhook-store/nobody-listens", Fixture, NULL, fixture_set_up,
              test_nobody_listens, fixture_tear_down);
  g_test_add ("/server/webhook-store/lesson", Fixture, NULL, fixture_set_up, test_lesson,
              fixture_tear_down);
  g_test_add ("/server/webhook-store/rolled-back", Fixture, NULL, fixture_set_up,
              test_rolled_back, fixture_tear_down);
  g_test_add ("/server/webhook-store/restart", Fixture, NULL, fixture_set_up, test_restart,
              fixture_tear_down);
  g_test_add ("/server/webhook-store/attempts", Fixture, NULL, fixture_set_up, test_attempts,
              fixture_tear_down);

  return g_test_run ();
}
