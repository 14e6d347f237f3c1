/* mc-lobby.c — a logged-in user's lessons, kept current from the server
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the main window shows, without the window: the list of lessons (the
 * server's answer to GET /api/v1/bookings, kept whole), a WebSocket to the
 * server outside any call — "the lobby", which says when the other
 * participant joins a lesson or a booking changes, so the list follows the
 * server by itself — and a slow poll for what the lobby cannot see. Several
 * lobby events often come together; one refresh, a moment later, covers
 * them.
 *
 * From the list it works out the state of the rejoin banner: a lesson whose
 * call is active while no call window of ours is open on it (the caller
 * says which are, mc_lobby_set_in_call ()), and whether we were in that call
 * before (the attendance records tell, also after a restart), which makes
 * the banner's button Rejoin rather than Join. And it decides when a
 * lesson's reminder is due, once per lesson.
 *
 * It says all of that with signals and leaves the words to the app: it has
 * no GTK and no strings of its own, so the CLI could keep a lobby too. It
 * lives as long as its window; mc_lobby_start () and mc_lobby_stop () follow
 * the logins, and what a call window being open means is kept across them.
 * Its requests are not holding a reference: dispose (and stop) cancel them,
 * and their callbacks look at the cancellation before they look at the
 * lobby.
 */

#define G_LOG_DOMAIN "mc-lobby"

#include "config.h"

#include "mc-booking.h"
#include "mc-lobby-private.h"
#include "mc-protocol.h"
#include "mc-signaling-client.h"

#define POLL_SECONDS 30
#define DEBOUNCE_MS  300
/* A reminder goes out this long before a lesson starts. */
#define REMINDER_LEAD_SECONDS (5 * 60)

struct _McLobby
{
  GObject parent_instance;

  McApiClient       *api;
  McSignalingClient *signaling;
  GCancellable      *cancellable;  /* the list requests of this start */
  JsonObject        *bookings;     /* the last answer */
  gint64             clock_offset; /* server time minus local time, seconds */

  gint64        running_booking;   /* the lesson the banner offers */
  gint64        dismissed_booking; /* …unless it was dismissed */
  gint64        checked_booking;   /* the lesson whose attendance was asked */
  gboolean      joined_before;     /* …and whether we were in its call */
  GCancellable *attendance_cancellable;

  GHashTable *in_call;  /* booking ids with a call window open */
  GHashTable *reminded; /* booking ids whose reminder went out */

  guint poll_id;
  guint debounce_id;
  guint tick_id;
};

G_DEFINE_FINAL_TYPE (McLobby, mc_lobby, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_API,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_BOOKINGS_CHANGED,
  SIGNAL_REFRESH_FAILED,
  SIGNAL_RUNNING_CALL_CHANGED,
  SIGNAL_PEER_JOINED,
  SIGNAL_REMINDER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Helpers */

static JsonArray *
get_booking_array (McLobby *self)
{
  return self->bookings != NULL ? json_object_get_array_member (self->bookings, "bookings")
                                : NULL;
}

/* The lesson whose call is running without us, if any. */
static JsonObject *
find_running_call (McLobby *self)
{
  JsonArray *bookings = get_booking_array (self);

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);
      gint64      id = json_object_get_int_member (booking, "id");
      McCallState state;

      if (!mc_booking_get_call_state (booking, &state) || state != MC_CALL_ACTIVE ||
          id == self->dismissed_booking || g_hash_table_contains (self->in_call, &id))
        continue;

      return booking;
    }

  return NULL;
}

static void
attendance_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;
  McLobby               *self;
  JsonObject            *me;
  JsonArray             *records;

  answer = mc_api_client_get_attendance_finish (MC_API_CLIENT (object), result, &error);
  if (answer == NULL)
    {
      /* Cancelled: the lobby may be gone, so not a word about it. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No attendance for the banner: %s", error->message);
      return;
    }

  self = MC_LOBBY (user_data);
  me = self->signaling != NULL ? mc_signaling_client_get_user (self->signaling) : NULL;
  records = json_object_get_array_member (answer, "attendance");
  self->joined_before = FALSE;
  for (guint i = 0; me != NULL && records != NULL && i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);
      JsonObject *user = json_object_get_object_member (record, "user");

      if (user != NULL &&
          json_object_get_int_member (user, "id") == json_object_get_int_member (me, "id"))
        self->joined_before = TRUE;
    }
  g_signal_emit (self, signals[SIGNAL_RUNNING_CALL_CHANGED], 0);
}

/* Whether we were in the call before decides between Join and Rejoin;
 * the attendance records know, also after a restart. */
static void
check_attendance (McLobby *self)
{
  if (self->running_booking == self->checked_booking || self->api == NULL)
    return;

  self->checked_booking = self->running_booking;
  self->joined_before = FALSE;

  g_cancellable_cancel (self->attendance_cancellable);
  g_clear_object (&self->attendance_cancellable);
  if (self->running_booking == 0)
    return;

  self->attendance_cancellable = g_cancellable_new ();
  mc_api_client_get_attendance_async (self->api, self->running_booking,
                                      self->attendance_cancellable, attendance_cb, self);
}

static void
update_running_call (McLobby *self)
{
  JsonObject *booking = find_running_call (self);

  self->running_booking = booking != NULL ? json_object_get_int_member (booking, "id") : 0;
  check_attendance (self);
  g_signal_emit (self, signals[SIGNAL_RUNNING_CALL_CHANGED], 0);
}

static void
check_reminders (McLobby *self)
{
  JsonArray *bookings = get_booking_array (self);
  gint64     now = mc_lobby_get_now (self);

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject     *booking = json_array_get_object_element (bookings, i);
      gint64          booking_id = json_object_get_int_member (booking, "id");
      McBookingStatus status;
      gint64          start = 0;

      if (!mc_booking_get_status (booking, &status) || status != MC_BOOKING_CONFIRMED ||
          !mc_json_parse_time (json_object_get_string_member_with_default (booking, "start", ""),
                               &start) ||
          start <= now || start - now > REMINDER_LEAD_SECONDS ||
          g_hash_table_contains (self->reminded, &booking_id) ||
          g_hash_table_contains (self->in_call, &booking_id))
        continue;

      g_hash_table_add (self->reminded, g_memdup2 (&booking_id, sizeof booking_id));
      g_signal_emit (self, signals[SIGNAL_REMINDER], 0, booking, start - now);
    }
}

/* Callbacks */

static void
bookings_listed_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;
  McLobby               *self;
  gint64                 server_time = 0;

  answer = mc_api_client_list_bookings_finish (MC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = MC_LOBBY (user_data);
  if (answer == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_REFRESH_FAILED], 0, error);
      return;
    }

  g_clear_pointer (&self->bookings, json_object_unref);
  self->bookings = json_object_ref (answer);
  if (mc_json_has (answer, "server_time") &&
      mc_json_parse_time (json_object_get_string_member (answer, "server_time"), &server_time))
    self->clock_offset = server_time - g_get_real_time () / G_USEC_PER_SEC;

  /* Someone offered Join may have joined from elsewhere since. */
  if (!self->joined_before)
    self->checked_booking = 0;
  update_running_call (self);
  check_reminders (self);
  g_signal_emit (self, signals[SIGNAL_BOOKINGS_CHANGED], 0);
}

static gboolean
poll_cb (gpointer user_data)
{
  mc_lobby_refresh (MC_LOBBY (user_data));

  return G_SOURCE_CONTINUE;
}

static gboolean
tick_cb (gpointer user_data)
{
  McLobby *self = MC_LOBBY (user_data);

  update_running_call (self);
  check_reminders (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
debounced_refresh_cb (gpointer user_data)
{
  McLobby *self = MC_LOBBY (user_data);

  self->debounce_id = 0;
  mc_lobby_refresh (self);

  return G_SOURCE_REMOVE;
}

static void
lobby_event_cb (McLobby *self)
{
  if (self->debounce_id == 0)
    self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounced_refresh_cb, self);
}

static void
presence_cb (McSignalingClient *signaling,
             gint64             booking_id,
             JsonObject        *message,
             McLobby           *self)
{
  JsonArray  *participants = json_object_get_array_member (message, "participants");
  JsonObject *me = mc_signaling_client_get_user (signaling);
  gint64      my_id = me != NULL ? json_object_get_int_member (me, "id") : 0;

  lobby_event_cb (self);

  /* The other participant is in a lesson we are not in. */
  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject *user = json_array_get_object_element (participants, i);

      if (json_object_get_int_member (user, "id") == my_id)
        continue;

      g_signal_emit (self, signals[SIGNAL_PEER_JOINED], 0, booking_id, user);
      break;
    }
}

/* GObject */

static void
mc_lobby_dispose (GObject *object)
{
  McLobby *self = (McLobby *) object;

  g_cancellable_cancel (self->attendance_cancellable);
  mc_lobby_stop (self);

  G_OBJECT_CLASS (mc_lobby_parent_class)->dispose (object);
}

static void
mc_lobby_finalize (GObject *object)
{
  McLobby *self = (McLobby *) object;

  g_clear_object (&self->attendance_cancellable);
  g_clear_pointer (&self->in_call, g_hash_table_unref);
  g_clear_pointer (&self->reminded, g_hash_table_unref);

  G_OBJECT_CLASS (mc_lobby_parent_class)->finalize (object);
}

static void
mc_lobby_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  McLobby *self = MC_LOBBY (object);

  switch (prop_id)
    {
    case PROP_API:
      g_value_set_object (value, self->api);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_lobby_class_init (McLobbyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_lobby_dispose;
  object_class->finalize = mc_lobby_finalize;
  object_class->get_property = mc_lobby_get_property;

  /**
   * McLobby:api:
   *
   * The REST client of the session the lobby follows, while started.
   */
  properties[PROP_API] =
    g_param_spec_object ("api", NULL, NULL, MC_TYPE_API_CLIENT,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McLobby::bookings-changed:
   * @self: the lobby
   *
   * A new list of lessons arrived from the server (mc_lobby_get_bookings ()).
   */
  signals[SIGNAL_BOOKINGS_CHANGED] =
    g_signal_new ("bookings-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  /**
   * McLobby::refresh-failed:
   * @self: the lobby
   * @error: why the list could not be had, in the `MC_ERROR` domain: the
   *   network, or the server refusing the session
   *
   * The last list, if any, stays.
   */
  signals[SIGNAL_REFRESH_FAILED] =
    g_signal_new ("refresh-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McLobby::running-call-changed:
   * @self: the lobby
   *
   * What the rejoin banner shows may have changed:
   * mc_lobby_get_running_call () and mc_lobby_get_joined_before (). Also
   * emitted once a second while started, for the call's running time.
   */
  signals[SIGNAL_RUNNING_CALL_CHANGED] =
    g_signal_new ("running-call-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 0);

  /**
   * McLobby::peer-joined:
   * @self: the lobby
   * @booking_id: the lesson
   * @user: the other participant, as the server describes them
   *
   * The other participant is in the lesson's call.
   */
  signals[SIGNAL_PEER_JOINED] =
    g_signal_new ("peer-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, JSON_TYPE_OBJECT);

  /**
   * McLobby::reminder:
   * @self: the lobby
   * @booking: a confirmed lesson about to start
   * @seconds_left: until its start, by the server's clock
   *
   * Emitted once per lesson, shortly before it starts.
   */
  signals[SIGNAL_REMINDER] =
    g_signal_new ("reminder", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, JSON_TYPE_OBJECT, G_TYPE_INT64);
}

static void
mc_lobby_init (McLobby *self)
{
  self->in_call = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->reminded = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

/* Public API */

/**
 * mc_lobby_new:
 *
 * Returns: (transfer full): a lobby, not started
 */
McLobby *
mc_lobby_new (void)
{
  return g_object_new (MC_TYPE_LOBBY, NULL);
}

/**
 * mc_lobby_start:
 * @self: the lobby
 * @api: a logged-in REST client
 *
 * Lists the lessons, connects the lobby WebSocket and starts polling.
 */
void
mc_lobby_start (McLobby     *self,
                McApiClient *api)
{
  g_return_if_fail (MC_IS_LOBBY (self));
  g_return_if_fail (MC_IS_API_CLIENT (api));

  if (self->api != api)
    {
      mc_lobby_stop (self);
      self->api = g_object_ref (api);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API]);
    }

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  mc_lobby_refresh (self);

  if (self->signaling != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->signaling, self);
      mc_signaling_client_disconnect (self->signaling);
      g_clear_object (&self->signaling);
    }
  self->signaling = mc_signaling_client_new (api);
  g_signal_connect_swapped (self->signaling, "booking-changed", G_CALLBACK (lobby_event_cb),
                            self);
  g_signal_connect (self->signaling, "presence", G_CALLBACK (presence_cb), self);
  mc_signaling_client_connect (self->signaling);

  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll_cb, self);
  if (self->tick_id == 0)
    self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
}

/**
 * mc_lobby_stop:
 * @self: the lobby
 *
 * Disconnects, stops polling, cancels what was asked and forgets the list
 * (logging out). Which call windows are open and which reminders went out
 * is kept.
 */
void
mc_lobby_stop (McLobby *self)
{
  g_return_if_fail (MC_IS_LOBBY (self));

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->signaling != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->signaling, self);
      mc_signaling_client_disconnect (self->signaling);
      g_clear_object (&self->signaling);
    }
  g_clear_pointer (&self->bookings, json_object_unref);
  if (self->api != NULL)
    {
      g_clear_object (&self->api);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API]);
    }
}

/**
 * mc_lobby_refresh:
 * @self: the lobby
 *
 * Asks the server for the lessons again; #McLobby::bookings-changed or
 * #McLobby::refresh-failed tell how it went. Nothing happens while the
 * lobby is stopped.
 */
void
mc_lobby_refresh (McLobby *self)
{
  g_return_if_fail (MC_IS_LOBBY (self));

  if (self->api == NULL || mc_api_client_get_token (self->api) == NULL ||
      self->cancellable == NULL)
    return;

  mc_api_client_list_bookings_async (self->api, self->cancellable, bookings_listed_cb, self);
}

/**
 * mc_lobby_get_api:
 * @self: the lobby
 *
 * Returns: (transfer none) (nullable): the REST client, while started
 */
McApiClient *
mc_lobby_get_api (McLobby *self)
{
  g_return_val_if_fail (MC_IS_LOBBY (self), NULL);

  return self->api;
}

/**
 * mc_lobby_get_bookings:
 * @self: the lobby
 *
 * Returns: (transfer none) (nullable): the server's last answer to
 *   `GET /api/v1/bookings`, or %NULL before the first
 */
JsonObject *
mc_lobby_get_bookings (McLobby *self)
{
  g_return_val_if_fail (MC_IS_LOBBY (self), NULL);

  return self->bookings;
}

/**
 * mc_lobby_find_booking:
 * @self: the lobby
 * @booking_id: a lesson
 *
 * Returns: (transfer none) (nullable): the lesson as last listed
 */
JsonObject *
mc_lobby_find_booking (McLobby *self,
                       gint64   booking_id)
{
  JsonArray *bookings;

  g_return_val_if_fail (MC_IS_LOBBY (self), NULL);

  bookings = get_booking_array (self);
  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject *booking = json_array_get_object_element (bookings, i);

      if (json_object_get_int_member (booking, "id") == booking_id)
        return booking;
    }

  return NULL;
}

/**
 * mc_lobby_get_now:
 * @self: the lobby
 *
 * Returns: the current time by the server's clock (from the last list's
 *   `server_time`), in Unix seconds
 */
gint64
mc_lobby_get_now (McLobby *self)
{
  g_return_val_if_fail (MC_IS_LOBBY (self), 0);

  return g_get_real_time () / G_USEC_PER_SEC + self->clock_offset;
}

/**
 * mc_lobby_set_in_call:
 * @self: the lobby
 * @booking_id: a lesson
 * @in_call: whether a call window of ours is open on it
 *
 * The rejoin banner is for calls that run without us, and a lesson we are
 * in needs no reminder. Asks for the list again.
 */
void
mc_lobby_set_in_call (McLobby *self,
                      gint64   booking_id,
                      gboolean in_call)
{
  g_return_if_fail (MC_IS_LOBBY (self));

  if (in_call)
    g_hash_table_add (self->in_call, g_memdup2 (&booking_id, sizeof booking_id));
  else
    g_hash_table_remove (self->in_call, &booking_id);

  if (!in_call && booking_id == self->dismissed_booking)
    self->dismissed_booking = 0;

  /* Having been in the call, it is Rejoin from now on. */
  if (in_call && booking_id == self->checked_booking)
    self->checked_booking = 0;

  update_running_call (self);
  mc_lobby_refresh (self);
}

/**
 * mc_lobby_get_running_call:
 * @self: the lobby
 *
 * Returns: (transfer none) (nullable): the lesson the rejoin banner offers:
 *   its call is active, no call window of ours is open on it, and it was not
 *   dismissed
 */
JsonObject *
mc_lobby_get_running_call (McLobby *self)
{
  g_return_val_if_fail (MC_IS_LOBBY (self), NULL);

  return self->running_booking != 0 ? mc_lobby_find_booking (self, self->running_booking) : NULL;
}

/**
 * mc_lobby_get_joined_before:
 * @self: the lobby
 *
 * Returns: whether we were in the running call before (Rejoin), as the
 *   server's attendance records say; %FALSE until they answered (Join)
 */
gboolean
mc_lobby_get_joined_before (McLobby *self)
{
  g_return_val_if_fail (MC_IS_LOBBY (self), FALSE);

  return self->joined_before;
}

/**
 * mc_lobby_dismiss_running_call:
 * @self: the lobby
 *
 * No banner for the running call until its call window was open and
 * closed again.
 */
void
mc_lobby_dismiss_running_call (McLobby *self)
{
  g_return_if_fail (MC_IS_LOBBY (self));

  self->dismissed_booking = self->running_booking;
  update_running_call (self);
}

/* Private API (mc-lobby-private.h) */

gboolean
mc_lobby_get_reminded (McLobby *self,
                       gint64   booking_id)
{
  return g_hash_table_contains (self->reminded, &booking_id);
}

McSignalingClient *
mc_lobby_get_signaling (McLobby *self)
{
  return self->signaling;
}
