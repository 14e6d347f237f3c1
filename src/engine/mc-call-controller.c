/* mc-call-controller.c — one participant's call: token, signaling and media
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The glue between the server and the call engine, shared by the app and
 * mentorcall-cli. Starting a call asks the server for a call token, makes
 * an McCallSession for the role the token names (the mentor offers, see
 * docs/call-engine.md), lets the caller configure it ("configure-session"),
 * starts capture and encoding before anything else, and only then joins
 * the room — so that joining costs only signaling, ICE, DTLS and a key
 * frame.
 *
 * Afterwards it relays in both directions: offers, answers and candidates
 * with their negotiation generation, and mute/camera state. The peer's
 * presence needs care: after a signaling reconnect (ours, the peer's or a
 * server restart) the server announces the peer again, but its media never
 * stopped. Each side joins with an instance id of its call session; the
 * same instance again means "only the signaling came back" and changes
 * nothing, a new one means the peer restarted and negotiation starts over.
 * A peer whose connection was lost is left to the media watchdog: its media
 * may well still be flowing.
 */

#define G_LOG_DOMAIN "mc-call-controller"

#include "mc-call-controller.h"
#include "mc-protocol.h"

struct _McCallController
{
  GObject            parent_instance;

  McApiClient       *api;
  gint64             booking_id;
  McRole             role;
  gboolean           has_role; /* the token named a role we know */
  char              *instance;
  McCallSession     *session;
  McSignalingClient *signaling;
  JsonObject        *peer;            /* the other participant's user, when known */
  char              *peer_instance;   /* its call session, while it is in the room */
  gint64             own_user_id;
  GTask             *start_task;      /* while starting */
  McCallNetwork     *network;         /* what the network does, for the user */
  gboolean           ended;
};

G_DEFINE_TYPE (McCallController, mc_call_controller, G_TYPE_OBJECT)

enum {
  CONFIGURE_SESSION,
  ENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_negotiating (McCallController *self)
{
  switch (mc_call_session_get_state (self->session))
    {
    case MC_CALL_SESSION_STATE_CONNECTING:
    case MC_CALL_SESSION_STATE_CONNECTED:
    case MC_CALL_SESSION_STATE_RECONNECTING:
      return TRUE;
    default:
      return FALSE;
    }
}

static void
fail_start (McCallController *self,
            GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

/* The peer is in the room: a newcomer, a restarted client, or the same
 * call session whose signaling came back. */
static void
peer_present (McCallController *self,
              JsonObject       *user,
              const char       *instance,
              gboolean          muted,
              gboolean          camera_off,
              gboolean          screen)
{
  gboolean same = instance != NULL && g_strcmp0 (instance, self->peer_instance) == 0;

  g_clear_pointer (&self->peer, json_object_unref);
  self->peer = json_object_ref (user);

  mc_call_session_receive_media_state (self->session, muted, camera_off, screen);

  if (same && is_negotiating (self))
    {
      g_debug ("The peer's signaling came back; the call goes on");
      return;
    }

  g_free (self->peer_instance);
  self->peer_instance = g_strdup (instance);
  mc_call_session_peer_joined (self->session);
}

static void
signaling_joined_cb (McSignalingClient *signaling,
                     gint64             booking_id,
                     JsonObject        *message,
                     McCallController  *self)
{
  JsonArray *participants;

  if (booking_id != self->booking_id)
    return;

  participants = json_object_get_array_member (message, "participants");
  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonObject *participant = json_array_get_object_element (participants, i);
      JsonObject *user = json_object_get_object_member (participant, "user");

      if (user == NULL || json_object_get_int_member (user, "id") == self->own_user_id)
        continue;

      peer_present (self, user,
                    json_object_get_string_member_with_default (participant, "instance", NULL),
                    json_object_get_boolean_member_with_default (participant, "muted", FALSE),
                    json_object_get_boolean_member_with_default (participant, "camera_off",
                                                                 FALSE),
                    json_object_get_boolean_member_with_default (participant, "screen", FALSE));
    }

  if (self->start_task != NULL)
    {
      g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

      g_task_return_boolean (task, TRUE);
    }
}

static void
signaling_peer_joined_cb (McSignalingClient *signaling,
                          gint64             booking_id,
                          JsonObject        *user,
                          gboolean           muted,
                          gboolean           camera_off,
                          const char        *instance,
                          McCallController  *self)
{
  if (booking_id == self->booking_id)
    peer_present (self, user, instance, muted, camera_off, FALSE);
}

static void
signaling_peer_left_cb (McSignalingClient *signaling,
                        gint64             booking_id,
                        gint64             user_id,
                        McLeaveReason      reason,
                        McCallController  *self)
{
  if (booking_id != self->booking_id)
    return;

  /* A lost connection may be only the peer's signaling; the media watchdog
   * tells whether its media stopped too. */
  if (reason == MC_LEAVE_REASON_CONNECTION_LOST)
    return;

  g_clear_pointer (&self->peer_instance, g_free);
  mc_call_session_peer_left (self->session);
}

static void
signaling_offer_cb (McSignalingClient *signaling,
                    gint64             booking_id,
                    gint64             from,
                    const char        *sdp,
                    gint64             generation,
                    McCallController  *self)
{
  if (booking_id == self->booking_id)
    mc_call_session_receive_offer (self->session, sdp, generation);
}

static void
signaling_answer_cb (McSignalingClient *signaling,
                     gint64             booking_id,
                     gint64             from,
                     const char        *sdp,
                     gint64             generation,
                     McCallController  *self)
{
  if (booking_id == self->booking_id)
    mc_call_session_receive_answer (self->session, sdp, generation);
}

static void
signaling_ice_candidate_cb (McSignalingClient *signaling,
                            gint64             booking_id,
                            gint64             from,
                            const char        *candidate,
                            guint              mline_index,
                            gint64             generation,
                            McCallController  *self)
{
  if (booking_id == self->booking_id)
    mc_call_session_receive_ice_candidate (self->session, candidate, mline_index, generation);
}

static void
signaling_media_state_cb (McSignalingClient *signaling,
                          gint64             booking_id,
                          gint64             user_id,
                          gboolean           muted,
                          gboolean           camera_off,
                          gboolean           screen,
                          McCallController  *self)
{
  if (booking_id == self->booking_id)
    mc_call_session_receive_media_state (self->session, muted, camera_off, screen);
}

static void
signaling_ended_cb (McSignalingClient *signaling,
                    gint64             booking_id,
                    gint64             by,
                    JsonObject        *call,
                    McCallController  *self)
{
  if (booking_id != self->booking_id || self->ended)
    return;

  self->ended = TRUE;
  mc_call_session_hang_up (self->session);
  g_signal_emit (self, signals[ENDED], 0, by);
}

static void
signaling_error_cb (McSignalingClient *signaling,
                    McErrorCode        code,
                    const char        *message,
                    const char        *request_id,
                    McCallController  *self)
{
  /* While starting, a refused join or session fails the start. The client
   * retries what can be retried by itself and reports the rest here. */
  if (self->start_task == NULL)
    return;

  if (code == MC_ERROR_NETWORK)
    return;

  if (request_id != NULL && !g_str_has_prefix (request_id, "join"))
    return;

  fail_start (self, g_error_new_literal (MC_ERROR, code, message));
}

static void
session_send_offer_cb (McCallSession    *session,
                       const char       *sdp,
                       gint64            generation,
                       McCallController *self)
{
  mc_signaling_client_send_offer (self->signaling, sdp, generation);
}

static void
session_send_answer_cb (McCallSession    *session,
                        const char       *sdp,
                        gint64            generation,
                        McCallController *self)
{
  mc_signaling_client_send_answer (self->signaling, sdp, generation);
}

static void
session_send_ice_candidate_cb (McCallSession    *session,
                               const char       *candidate,
                               guint             mline_index,
                               gint64            generation,
                               McCallController *self)
{
  mc_signaling_client_send_ice_candidate (self->signaling, candidate, mline_index, generation);
}

static void
session_send_media_state_cb (McCallSession    *session,
                             gboolean          muted,
                             gboolean          camera_off,
                             gboolean          screen,
                             McCallController *self)
{
  mc_signaling_client_send_media_state (self->signaling, muted, camera_off, screen);
}

static void
session_stats_cb (McCallSession     *session,
                  const McCallStats *stats,
                  McCallController  *self)
{
  mc_call_network_add_stats (self->network, stats, mc_call_session_get_remote_video (session));
}

static void
session_send_quality_changed_cb (McCallSession      *session,
                                 McVideoLadderChange change,
                                 guint               width,
                                 guint               height,
                                 guint               framerate,
                                 McCallController   *self)
{
  mc_call_network_send_quality_changed (self->network, change, width, height, framerate);
}

/* A new connection to the peer: what arrived over the old one says nothing
 * about the new. */
static void
session_state_cb (McCallSession    *session,
                  GParamSpec       *pspec,
                  McCallController *self)
{
  McCallSessionState state = mc_call_session_get_state (session);

  if (state != MC_CALL_SESSION_STATE_CONNECTED)
    mc_call_network_reset (self->network);
}

static void
join_room (McCallController *self,
           JsonObject       *token)
{
  const char *url = json_object_get_string_member_with_default (token, "signaling_url", NULL);

  self->signaling = mc_signaling_client_new (self->api);
  if (url != NULL)
    mc_signaling_client_set_url (self->signaling, url);
  mc_signaling_client_set_instance (self->signaling, self->instance);

  g_signal_connect (self->signaling, "joined", G_CALLBACK (signaling_joined_cb), self);
  g_signal_connect (self->signaling, "peer-joined", G_CALLBACK (signaling_peer_joined_cb), self);
  g_signal_connect (self->signaling, "peer-left", G_CALLBACK (signaling_peer_left_cb), self);
  g_signal_connect (self->signaling, "offer", G_CALLBACK (signaling_offer_cb), self);
  g_signal_connect (self->signaling, "answer", G_CALLBACK (signaling_answer_cb), self);
  g_signal_connect (self->signaling, "ice-candidate", G_CALLBACK (signaling_ice_candidate_cb),
                    self);
  g_signal_connect (self->signaling, "media-state", G_CALLBACK (signaling_media_state_cb), self);
  g_signal_connect (self->signaling, "ended", G_CALLBACK (signaling_ended_cb), self);
  g_signal_connect (self->signaling, "error", G_CALLBACK (signaling_error_cb), self);

  g_signal_connect (self->session, "send-offer", G_CALLBACK (session_send_offer_cb), self);
  g_signal_connect (self->session, "send-answer", G_CALLBACK (session_send_answer_cb), self);
  g_signal_connect (self->session, "send-ice-candidate",
                    G_CALLBACK (session_send_ice_candidate_cb), self);
  g_signal_connect (self->session, "send-media-state",
                    G_CALLBACK (session_send_media_state_cb), self);

  mc_signaling_client_join (self->signaling, self->booking_id,
                            json_object_get_string_member (token, "token"));
}

static void
session_prepared_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(JsonObject) token = user_data;
  McCallSession *session = MC_CALL_SESSION (object);
  McCallController *self = g_object_get_data (object, "mc-call-controller");
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  if (!mc_call_session_prepare_finish (session, result, &error))
    {
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  if (self->start_task == NULL)
    return;

  join_room (self, token);
}

static void
call_token_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(McCallController) self = user_data;
  g_autoptr(JsonObject) token = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *ice_servers;
  const char *role;
  gboolean initiator;

  token = mc_api_client_request_call_token_finish (MC_API_CLIENT (object), result, &error);
  if (token == NULL)
    {
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  if (self->start_task == NULL)
    return;

  /* Parsed once: the mentor offers; a role we do not know answers. */
  role = json_object_get_string_member_with_default (token, "role", "student");
  self->has_role = mc_role_from_string (role, &self->role);
  self->own_user_id = json_object_get_int_member_with_default (token, "user_id", 0);
  initiator = self->has_role && self->role == MC_ROLE_MENTOR;

  self->session = mc_call_session_new (initiator);
  g_object_set_data (G_OBJECT (self->session), "mc-call-controller", self);
  g_signal_connect (self->session, "stats", G_CALLBACK (session_stats_cb), self);
  g_signal_connect (self->session, "send-quality-changed",
                    G_CALLBACK (session_send_quality_changed_cb), self);
  g_signal_connect (self->session, "notify::state", G_CALLBACK (session_state_cb), self);

  ice_servers = json_object_get_array_member (token, "ice_servers");
  if (ice_servers != NULL && !mc_call_session_set_ice_servers (self->session, ice_servers, &error))
    {
      fail_start (self, g_steal_pointer (&error));
      return;
    }

  /* The caller's chance to choose sources, sinks, sizes and addresses. */
  g_signal_emit (self, signals[CONFIGURE_SESSION], 0, self->session);

  mc_call_session_prepare_async (self->session, g_task_get_cancellable (self->start_task),
                                 session_prepared_cb, json_object_ref (token));
}

static void
mc_call_controller_dispose (GObject *object)
{
  McCallController *self = (McCallController *) object;

  if (self->signaling != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->signaling, self);
      mc_signaling_client_disconnect (self->signaling);
      g_clear_object (&self->signaling);
    }

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_object_set_data (G_OBJECT (self->session), "mc-call-controller", NULL);
      mc_call_session_hang_up (self->session);
      g_clear_object (&self->session);
    }

  G_OBJECT_CLASS (mc_call_controller_parent_class)->dispose (object);
}

static void
mc_call_controller_finalize (GObject *object)
{
  McCallController *self = (McCallController *) object;

  g_clear_object (&self->api);
  g_clear_object (&self->start_task);
  g_clear_object (&self->network);
  g_clear_pointer (&self->peer, json_object_unref);
  g_free (self->peer_instance);
  g_free (self->instance);

  G_OBJECT_CLASS (mc_call_controller_parent_class)->finalize (object);
}

static void
mc_call_controller_class_init (McCallControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_call_controller_dispose;
  object_class->finalize = mc_call_controller_finalize;

  /**
   * McCallController::configure-session:
   * @self: the controller
   * @session: the new session, not yet prepared
   *
   * Emitted once while starting, when the role is known: set the session's
   * sources, sinks, video format and ICE addresses here.
   */
  signals[CONFIGURE_SESSION] =
    g_signal_new ("configure-session", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, MC_TYPE_CALL_SESSION);

  /**
   * McCallController::ended:
   * @self: the controller
   * @by: the user who ended the session, or 0 when the server did
   *
   * The session was ended for both participants.
   */
  signals[ENDED] =
    g_signal_new ("ended", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
mc_call_controller_init (McCallController *self)
{
  self->instance = g_uuid_string_random ();
  self->network = mc_call_network_new ();
}

/**
 * mc_call_controller_new:
 * @api: a client that is logged in
 * @booking_id: the booking whose call to join
 *
 * Returns: (transfer full): a controller; start it with
 *   mc_call_controller_start_async()
 */
McCallController *
mc_call_controller_new (McApiClient *api,
                        gint64       booking_id)
{
  McCallController *self;

  g_return_val_if_fail (MC_IS_API_CLIENT (api), NULL);
  g_return_val_if_fail (booking_id > 0, NULL);

  self = g_object_new (MC_TYPE_CALL_CONTROLLER, NULL);
  self->api = g_object_ref (api);
  self->booking_id = booking_id;

  return self;
}

/**
 * mc_call_controller_start_async:
 * @self: a controller
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the call's room is joined, or on failure
 * @user_data: for @callback
 *
 * Gets a call token, prepares the media and joins the room. The call
 * itself then goes on by itself: follow mc_call_controller_get_session()'s
 * state.
 */
void
mc_call_controller_start_async (McCallController    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (MC_IS_CALL_CONTROLLER (self));
  g_return_if_fail (self->start_task == NULL && self->session == NULL);

  self->start_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->start_task, mc_call_controller_start_async);

  mc_api_client_request_call_token_async (self->api, self->booking_id, cancellable,
                                          call_token_cb, g_object_ref (self));
}

gboolean
mc_call_controller_start_finish (McCallController  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_call_controller_leave:
 * @self: a controller
 *
 * Leaves the call without ending it: the other participant stays, and
 * either side can come back.
 */
void
mc_call_controller_leave (McCallController *self)
{
  g_return_if_fail (MC_IS_CALL_CONTROLLER (self));

  if (self->signaling != NULL)
    mc_signaling_client_leave (self->signaling);
  if (self->session != NULL)
    mc_call_session_hang_up (self->session);
}

/**
 * mc_call_controller_end:
 * @self: a controller
 *
 * Ends the session for both participants; ::ended follows.
 *
 * Returns: %TRUE if the request was sent
 */
gboolean
mc_call_controller_end (McCallController *self)
{
  g_return_val_if_fail (MC_IS_CALL_CONTROLLER (self), FALSE);

  return self->signaling != NULL && mc_signaling_client_end (self->signaling);
}

gint64
mc_call_controller_get_booking_id (McCallController *self)
{
  return self->booking_id;
}

/**
 * mc_call_controller_get_role:
 * @self: a controller
 *
 * Returns: (nullable): `mentor` or `student`, once the call token arrived
 *   and named one of them
 */
const char *
mc_call_controller_get_role (McCallController *self)
{
  return self->has_role ? mc_role_to_string (self->role) : NULL;
}

/**
 * mc_call_controller_get_session:
 * @self: a controller
 *
 * Returns: (transfer none) (nullable): the call session, once created
 */
McCallSession *
mc_call_controller_get_session (McCallController *self)
{
  return self->session;
}

/**
 * mc_call_controller_get_signaling:
 * @self: a controller
 *
 * Returns: (transfer none) (nullable): the signaling client, once joining
 */
McSignalingClient *
mc_call_controller_get_signaling (McCallController *self)
{
  return self->signaling;
}

/**
 * mc_call_controller_get_peer:
 * @self: a controller
 *
 * Returns: (transfer none) (nullable): the other participant, once seen
 */
JsonObject *
mc_call_controller_get_peer (McCallController *self)
{
  return self->peer;
}

gboolean
mc_call_controller_get_ended (McCallController *self)
{
  return self->ended;
}

/**
 * mc_call_controller_get_network:
 * @self: a controller
 *
 * Returns: (transfer none): what the network does to the call, told for
 *   the user: our video lowered or paused, the other side's connection
 *   poor, the quality indicator and its figures
 */
McCallNetwork *
mc_call_controller_get_network (McCallController *self)
{
  g_return_val_if_fail (MC_IS_CALL_CONTROLLER (self), NULL);

  return self->network;
}
