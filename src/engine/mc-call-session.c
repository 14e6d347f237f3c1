/* mc-call-session.c — a 1-on-1 call: media, negotiation, recovery, statistics
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session owns two parts: a McMediaPipeline that captures, encodes and
 * plays for the whole call, and the current McPeerPipeline (webrtcbin and
 * the decoders), which is replaced whenever the connection has to be
 * negotiated anew. The session does not talk to the server: it emits what
 * to send (::send-offer, ::send-answer, ::send-ice-candidate,
 * ::send-media-state) and is fed what arrives (the receive_* methods,
 * peer_joined(), peer_left()).
 *
 * The negotiation rule (also in docs/call-engine.md):
 *
 *  - Roles are fixed: the initiator (the mentor) makes every offer, the
 *    other side (the student) only answers. Two offers can never cross, for
 *    any join order.
 *  - Every offer carries a generation, a number the initiator never reuses
 *    (it starts at a random value per session, so a restarted process does
 *    not repeat an old one). The answer and all ICE candidates carry the
 *    generation of the offer they belong to. Anything whose generation is not
 *    the current one is stale and dropped; the answerer treats every offer
 *    with a new generation as "start over" and replaces its peer pipeline.
 *    Messages of one sender arrive in order (one WebSocket, relayed
 *    verbatim), so the newest offer is always the last one.
 *  - The initiator makes a new offer (a new generation, a new webrtcbin)
 *    when the peer joins, when the media path dies, and again every few
 *    seconds while reconnecting does not bring media back. It prepares the
 *    offer while it waits for the peer, so joining costs one message.
 *  - When the peer leaves, both sides drop their peer pipeline and wait;
 *    when it joins again everything starts from the first rule. A
 *    peer-joined while already in a call means the peer restarted: the same.
 *
 * Recovery: the watchdog (every 100 ms) declares the media path dead when ICE
 * fails or no RTP/RTCP arrived for MEDIA_TIMEOUT; the answerer then drops its
 * connection (so the initiator notices as well) and waits, the initiator
 * negotiates again. Capture and encoding never stop, and every new connection
 * starts with a forced key frame, so media is back as soon as ICE and DTLS
 * are through.
 *
 * Threads: everything here runs on the main context. The parts hop to it
 * before they emit signals.
 *
 * The session is split by concern, around mc-call-session-private.h: this
 * file holds the object, its state and the life of the call (the peer
 * joining and leaving, hanging up); mc-call-session-prepare.c starting
 * capture and encoding;
 * mc-call-session-negotiation.c the offers, answers and candidates and the
 * watchdog that drives recovery; mc-call-session-stats.c the statistics;
 * mc-call-session-media.c mute, camera, screen sharing and the peer's media
 * state; mc-call-session-config.c the settings made before preparing, the
 * ICE servers among them.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-session-private.h"

#define DEFAULT_LATENCY_MS 40

GParamSpec *mc_call_session_properties[N_PROPS];
guint       mc_call_session_signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (McCallSessionState, mc_call_session_state, G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_IDLE, "idle"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_PREPARING, "preparing"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_WAITING, "waiting"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_CONNECTING, "connecting"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_CONNECTED, "connected"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_RECONNECTING, "reconnecting"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_ENDED, "ended"), G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (McCallSession, mc_call_session, G_TYPE_OBJECT)

/* Helpers */

gboolean
mc_call_session_is_final (McCallSession *self)
{
  return self->state == MC_CALL_SESSION_STATE_ENDED || self->state == MC_CALL_SESSION_STATE_FAILED;
}

void
mc_call_session_set_state (McCallSession     *self,
                           McCallSessionState state)
{
  if (self->state == state)
    return;

  g_debug ("Call %s: %s → %s (%.1f ms into the negotiation)",
           self->initiator ? "initiator" : "answerer", mc_call_session_state_to_string (self->state),
           mc_call_session_state_to_string (state),
           (g_get_monotonic_time () - self->negotiation_started) / 1000.0);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_STATE]);
}

static void
stop_everything (McCallSession *self)
{
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->stats_id, g_source_remove);
  g_clear_handle_id (&self->fault_ids[0], g_source_remove);
  g_clear_handle_id (&self->fault_ids[1], g_source_remove);
  g_cancellable_cancel (self->peer_cancellable);
  g_clear_object (&self->peer_cancellable);

  if (self->peer != NULL)
    {
      mc_peer_pipeline_stop (self->peer);
      g_clear_object (&self->peer);
    }
  g_clear_object (&self->stats_peer);

  if (self->media != NULL)
    {
      mc_media_pipeline_stop (self->media);
      g_signal_handlers_disconnect_by_data (self->media, self);
      g_clear_object (&self->media);
    }
}

void
mc_call_session_fail (McCallSession *self,
                      GError        *error)
{
  if (mc_call_session_is_final (self))
    {
      g_error_free (error);
      return;
    }

  /* The session's state and error tell the caller, who says it once. */
  g_debug ("Call failed: %s", error->message);
  g_clear_error (&self->error);
  self->error = error;
  stop_everything (self);
  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_FAILED);
}

static gboolean
fault_end_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  self->fault_ids[1] = 0;
  g_message ("Fault injection: media unblocked");
  mc_call_session_set_media_blocked (self, FALSE);

  return G_SOURCE_REMOVE;
}

static gboolean
fault_start_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);
  const char    *spec = g_getenv ("MENTORCALL_FAULT_BLOCK_MEDIA");
  double         duration = 5;
  const char    *colon;

  self->fault_ids[0] = 0;
  colon = spec != NULL ? strchr (spec, ':') : NULL;
  if (colon != NULL)
    duration = g_ascii_strtod (colon + 1, NULL);

  g_message ("Fault injection: media blocked for %.1f s", duration);
  mc_call_session_set_media_blocked (self, TRUE);
  self->fault_ids[1] = g_timeout_add ((guint) (duration * 1000), fault_end_cb, self);

  return G_SOURCE_REMOVE;
}

/* MENTORCALL_FAULT_BLOCK_MEDIA=START:DURATION blocks media START seconds
 * after the call first connected, for DURATION seconds. */
static void
state_notify_cb (McCallSession *self,
                 GParamSpec    *pspec,
                 gpointer       user_data)
{
  const char               *spec = g_getenv ("MENTORCALL_FAULT_BLOCK_MEDIA");
  static const char * const no_fault = "";

  if (self->state != MC_CALL_SESSION_STATE_CONNECTED || spec == NULL || *spec == '\0' ||
      self->fault_ids[0] != 0 || g_object_get_data (G_OBJECT (self), "mc-fault-armed") != NULL)
    return;

  g_object_set_data (G_OBJECT (self), "mc-fault-armed", (gpointer) no_fault);
  self->fault_ids[0] = g_timeout_add ((guint) (g_ascii_strtod (spec, NULL) * 1000), fault_start_cb,
                                      self);
}

static void
mc_call_session_dispose (GObject *object)
{
  McCallSession *self = MC_CALL_SESSION (object);

  stop_everything (self);
  g_clear_object (&self->video_sink);
  g_clear_object (&self->preview_sink);

  G_OBJECT_CLASS (mc_call_session_parent_class)->dispose (object);
}

static void
mc_call_session_finalize (GObject *object)
{
  McCallSession *self = MC_CALL_SESSION (object);

  g_clear_error (&self->error);
  g_free (self->video_device);
  g_free (self->audio_device);
  g_free (self->audio_output_device);
  g_strfreev (self->ice_addresses);
  g_free (self->stun_server);
  g_strfreev (self->turn_servers);
  g_clear_pointer (&self->overrides, g_hash_table_unref);
  g_free (self->pending_offer);
  g_ptr_array_unref (self->pending_local);
  g_ptr_array_unref (self->pending_remote);
  mc_call_stats_free (self->stats);
  g_array_unref (self->latency_history);
  g_clear_object (&self->bwe);
  g_clear_object (&self->ladder);
  g_clear_object (&self->jitter);

  G_OBJECT_CLASS (mc_call_session_parent_class)->finalize (object);
}

static void
mc_call_session_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  McCallSession *self = MC_CALL_SESSION (object);

  switch (prop_id)
    {
    case PROP_INITIATOR:
      g_value_set_boolean (value, self->initiator);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    case PROP_CAMERA_OFF:
      g_value_set_boolean (value, self->camera_off);
      break;
    case PROP_SCREEN_SHARING:
      g_value_set_boolean (value, self->screen_share);
      break;
    case PROP_REMOTE_MUTED:
      g_value_set_boolean (value, self->remote_muted);
      break;
    case PROP_REMOTE_CAMERA_OFF:
      g_value_set_boolean (value, self->remote_camera_off);
      break;
    case PROP_REMOTE_SCREEN_SHARING:
      g_value_set_boolean (value, self->remote_screen);
      break;
    case PROP_VIDEO_PAUSED:
      g_value_set_boolean (value, self->video_paused);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_call_session_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  McCallSession *self = MC_CALL_SESSION (object);

  switch (prop_id)
    {
    case PROP_INITIATOR:
      self->initiator = g_value_get_boolean (value);
      break;
    case PROP_MUTED:
      mc_call_session_set_muted (self, g_value_get_boolean (value));
      break;
    case PROP_CAMERA_OFF:
      mc_call_session_set_camera_off (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
mc_call_session_class_init (McCallSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_call_session_dispose;
  object_class->finalize = mc_call_session_finalize;
  object_class->get_property = mc_call_session_get_property;
  object_class->set_property = mc_call_session_set_property;

  /**
   * McCallSession:initiator:
   *
   * Whether this side makes the offers (the mentor). See the negotiation
   * rule at the top of mc-call-session.c.
   */
  mc_call_session_properties[PROP_INITIATOR] =
    g_param_spec_boolean ("initiator", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:state:
   *
   * The #McCallSessionState.
   */
  mc_call_session_properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MC_TYPE_CALL_SESSION_STATE, MC_CALL_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:muted:
   *
   * Whether our microphone is muted (silence is sent).
   */
  mc_call_session_properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:camera-off:
   *
   * Whether our camera is off (black frames are sent).
   */
  mc_call_session_properties[PROP_CAMERA_OFF] =
    g_param_spec_boolean ("camera-off", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:screen-sharing:
   *
   * Whether the screen is sent instead of the camera. Changed with
   * mc_call_session_set_screen_share(), which can fail; it also goes back
   * to %FALSE by itself when the screen capture fails
   * (#McCallSession::screen-share-stopped).
   */
  mc_call_session_properties[PROP_SCREEN_SHARING] =
    g_param_spec_boolean ("screen-sharing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:remote-muted:
   *
   * Whether the peer said it muted its microphone.
   */
  mc_call_session_properties[PROP_REMOTE_MUTED] =
    g_param_spec_boolean ("remote-muted", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:remote-camera-off:
   *
   * Whether the peer said it turned its camera off.
   */
  mc_call_session_properties[PROP_REMOTE_CAMERA_OFF] =
    g_param_spec_boolean ("remote-camera-off", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:remote-screen-sharing:
   *
   * Whether the peer said it sends its screen instead of its camera: the
   * remote video is then a screen, to be shown whole (letterboxed), never
   * cropped to fill.
   */
  mc_call_session_properties[PROP_REMOTE_SCREEN_SHARING] =
    g_param_spec_boolean ("remote-screen-sharing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:video-paused:
   *
   * Whether our video is paused because the path to the peer is too slow
   * for even the lowest resolution (audio goes on). It comes back by itself
   * when the path allows; #McCallSession::send-quality-changed says when.
   */
  mc_call_session_properties[PROP_VIDEO_PAUSED] =
    g_param_spec_boolean ("video-paused", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, mc_call_session_properties);

  /**
   * McCallSession::send-offer:
   * @self: the session
   * @sdp: the offer's SDP text
   * @generation: the negotiation generation, to send along
   *
   * Send an offer to the peer.
   */
  mc_call_session_signals[SIGNAL_SEND_OFFER] =
    g_signal_new ("send-offer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * McCallSession::send-answer:
   * @self: the session
   * @sdp: the answer's SDP text
   * @generation: the generation of the offer it answers, to send along
   *
   * Send an answer to the peer.
   */
  mc_call_session_signals[SIGNAL_SEND_ANSWER] =
    g_signal_new ("send-answer", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT64);

  /**
   * McCallSession::send-ice-candidate:
   * @self: the session
   * @candidate: the candidate line
   * @mline_index: its media line
   * @generation: the negotiation generation, to send along
   *
   * Send a local ICE candidate to the peer.
   */
  mc_call_session_signals[SIGNAL_SEND_ICE_CANDIDATE] =
    g_signal_new ("send-ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_INT64);

  /**
   * McCallSession::send-media-state:
   * @self: the session
   * @muted: whether we are muted
   * @camera_off: whether our camera is off
   * @screen: whether we send our screen instead of the camera
   *
   * Tell the peer (through the server) about our mute, camera and screen
   * sharing state.
   */
  mc_call_session_signals[SIGNAL_SEND_MEDIA_STATE] =
    g_signal_new ("send-media-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);

  /**
   * McCallSession::stats:
   * @self: the session
   * @stats: the last second's #McCallStats
   *
   * Emitted every second once the session is prepared.
   */
  mc_call_session_signals[SIGNAL_STATS] =
    g_signal_new ("stats", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MC_TYPE_CALL_STATS | G_SIGNAL_TYPE_STATIC_SCOPE);

  /**
   * McCallSession::device-changed:
   * @self: the session
   * @kind: the #McMediaKind
   * @device_id: (nullable): stable identity of the device now used; %NULL for
   *   a test source, or for "off" after the device in use went away
   * @message: a sentence for the user
   */
  mc_call_session_signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, MC_TYPE_MEDIA_KIND, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * McCallSession::device-lost:
   * @self: the session
   * @role: the #McDeviceRole of the device that went away
   * @message: a translated sentence for the user, saying what is used now
   *
   * The camera, microphone or speaker in use went away during the call and
   * another one (or the default output, or for a camera a black picture)
   * took its place; the call goes on.
   */
  mc_call_session_signals[SIGNAL_DEVICE_LOST] =
    g_signal_new ("device-lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);

  /**
   * McCallSession::devices-changed:
   * @self: the session
   *
   * A camera, microphone or speaker was plugged in or out: see
   * mc_call_session_list_devices().
   */
  mc_call_session_signals[SIGNAL_DEVICES_CHANGED] =
    g_signal_new ("devices-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  /**
   * McCallSession::screen-share-stopped:
   * @self: the session
   * @error: why, for the user
   *
   * Screen sharing stopped without being asked to: the screen could not be
   * captured (any more). The camera is sent again.
   */
  mc_call_session_signals[SIGNAL_SCREEN_SHARE_STOPPED] =
    g_signal_new ("screen-share-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McCallSession::input-level:
   * @self: the session
   * @level: the microphone's peak over the last 100 ms, from 0 to 1,
   *   measured before the mute: what lets the app tell someone who speaks
   *   while muted
   */
  mc_call_session_signals[SIGNAL_INPUT_LEVEL] =
    g_signal_new ("input-level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  /**
   * McCallSession::output-level:
   * @self: the session
   * @level: the other side's audio as it is played, its peak over the last
   *   100 ms, from 0 to 1: what a "speaking" indicator shows
   */
  mc_call_session_signals[SIGNAL_OUTPUT_LEVEL] =
    g_signal_new ("output-level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  /**
   * McCallSession::first-remote-frame:
   * @self: the session
   * @milliseconds: time from the start of negotiation to the first decoded
   *   remote frame
   */
  mc_call_session_signals[SIGNAL_FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);

  /**
   * McCallSession::send-quality-changed:
   * @self: the session
   * @change: the #McVideoLadderChange: lowered, raised, paused or resumed
   * @width: the width of the video we send now
   * @height: its height
   * @framerate: its frames a second
   *
   * The path to the peer carries less (or more) than before, and the
   * video we send was fitted to it: a lower or higher resolution or frame
   * rate, or no video at all while even the lowest does not fit (see
   * #McCallSession:video-paused). For the user: "Your connection is slow:
   * video quality lowered", "Video paused: the network is too slow".
   */
  mc_call_session_signals[SIGNAL_SEND_QUALITY_CHANGED] =
    g_signal_new ("send-quality-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 4, MC_TYPE_VIDEO_LADDER_CHANGE, G_TYPE_UINT, G_TYPE_UINT,
                  G_TYPE_UINT);
}

static void
mc_call_session_init (McCallSession *self)
{
  const char *addresses = g_getenv ("MENTORCALL_ICE_ADDRESSES");

  self->width = 1280;
  self->height = 720;
  self->pipewire_fd = -1;
  self->framerate = 30;
  self->latency_ms = DEFAULT_LATENCY_MS;
  self->echo_cancel = TRUE;
  self->time_to_first_frame_ms = -1;
  self->relay_only = g_strcmp0 (g_getenv ("MENTORCALL_ICE_RELAY_ONLY"), "1") == 0;
  self->next_generation = g_random_int_range (1, G_MAXINT32 / 2);
  self->pending_local = g_ptr_array_new_with_free_func (mc_call_session_candidate_free);
  self->pending_remote = g_ptr_array_new_with_free_func (mc_call_session_candidate_free);
  self->latency_history = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (addresses != NULL && *addresses != '\0')
    {
      g_auto (GStrv)           parts = g_strsplit (addresses, ",", -1);
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_strstrip (parts[i]);
          if (*parts[i] != '\0')
            g_strv_builder_add (builder, parts[i]);
        }
      self->ice_addresses = g_strv_builder_end (builder);
    }

  g_signal_connect (self, "notify::state", G_CALLBACK (state_notify_cb), NULL);
}

/* Public API */

/**
 * mc_call_session_new:
 * @initiator: whether this side makes the offers (the mentor does)
 *
 * Returns: (transfer full): a new idle session
 */
McCallSession *
mc_call_session_new (gboolean initiator)
{
  return g_object_new (MC_TYPE_CALL_SESSION, "initiator", initiator, NULL);
}

/**
 * mc_call_session_hang_up:
 * @self: a session
 *
 * Stops everything; the state becomes ENDED.
 */
void
mc_call_session_hang_up (McCallSession *self)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (mc_call_session_is_final (self))
    return;

  mc_call_session_drop_peer (self);
  stop_everything (self);
  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_ENDED);
}

/**
 * mc_call_session_peer_joined:
 * @self: a session
 *
 * The other participant is in the room (it joined, or was there when we
 * joined). Also when it was thought to be there already: it restarted.
 */
void
mc_call_session_peer_joined (McCallSession *self)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (mc_call_session_is_final (self))
    return;

  self->peer_present = TRUE;
  if (self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    return;

  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
  mc_call_session_emit_media_state (self);
  mc_call_session_start_negotiation (self);
}

/**
 * mc_call_session_peer_left:
 * @self: a session
 *
 * The other participant left the room; wait for it to come back.
 */
void
mc_call_session_peer_left (McCallSession *self)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (mc_call_session_is_final (self))
    return;

  self->peer_present = FALSE;
  self->remote_muted = FALSE;
  self->remote_camera_off = FALSE;
  self->remote_screen = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_REMOTE_MUTED]);
  g_object_notify_by_pspec (G_OBJECT (self), mc_call_session_properties[PROP_REMOTE_CAMERA_OFF]);
  g_object_notify_by_pspec (G_OBJECT (self),
                            mc_call_session_properties[PROP_REMOTE_SCREEN_SHARING]);

  if (self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    return;

  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_WAITING);
  if (self->initiator)
    mc_call_session_offer_new_generation (self);
  else
    mc_call_session_await_offer (self);
}

/**
 * mc_call_session_get_initiator:
 * @self: a session
 *
 * Returns: whether this side makes the offers
 */
gboolean
mc_call_session_get_initiator (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->initiator;
}

/**
 * mc_call_session_get_state:
 * @self: a session
 *
 * Returns: the #McCallSessionState
 */
McCallSessionState
mc_call_session_get_state (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), MC_CALL_SESSION_STATE_FAILED);

  return self->state;
}

/**
 * mc_call_session_get_error:
 * @self: a session
 *
 * Returns: (nullable): why the call failed
 */
const GError *
mc_call_session_get_error (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);

  return self->error;
}

/**
 * mc_call_session_get_generation:
 * @self: a session
 *
 * Returns: the generation of the current connection, 0 if none
 */
gint64
mc_call_session_get_generation (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->peer != NULL ? mc_peer_pipeline_get_generation (self->peer) : 0;
}

/**
 * mc_call_session_state_to_string:
 * @state: a state
 *
 * Returns: its nick, such as "reconnecting"
 */
const char *
mc_call_session_state_to_string (McCallSessionState state)
{
  g_autoptr (GEnumClass) klass = g_type_class_ref (MC_TYPE_CALL_SESSION_STATE);
  GEnumValue            *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}
