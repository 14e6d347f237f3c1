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
 */

#define G_LOG_DOMAIN "mc-call"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "mc-call-session.h"
#include "mc-peer-pipeline.h"

#define WATCHDOG_INTERVAL_MS 100
#define MEDIA_TIMEOUT_US (3 * G_USEC_PER_SEC)
#define CONNECT_TIMEOUT_US (8 * G_USEC_PER_SEC)
#define RECONNECT_RETRY_US (2500 * G_TIME_SPAN_MILLISECOND)
#define DEFAULT_LATENCY_MS 40
#define KEY_UNIT_WHILE_CONNECTING_US (300 * G_TIME_SPAN_MILLISECOND)
#define MAX_LATENCY_HISTORY 100000

struct _McCallSession
{
  GObject          parent_instance;

  gboolean         initiator;
  McCallSessionState      state;
  GError          *error;

  /* Configuration. */
  gboolean         test_sources;
  char            *video_device;
  char            *audio_device;
  char            *audio_output_device;
  guint            width;
  guint            height;
  guint            framerate;
  guint            latency_ms;
  gboolean         fake_audio_output;
  gboolean         echo_cancel;
  gboolean         stamp_frames;
  GstElement      *video_sink;
  GstElement      *preview_sink;
  GStrv            ice_addresses;
  char            *stun_server;
  GStrv            turn_servers;
  GHashTable      *overrides;

  /* The call. */
  McMediaPipeline *media;
  McPeerPipeline  *peer;
  GCancellable    *peer_cancellable;
  gint64           next_generation;
  gboolean         peer_present;
  gboolean         remote_set;
  gboolean         offer_sent;
  char            *pending_offer;
  GPtrArray       *pending_local;
  GPtrArray       *pending_remote;
  gint64           attempt_started;
  gint64           negotiation_started;
  guint            ice_state;
  gint64           last_key_unit;
  gboolean         muted;
  gboolean         camera_off;
  gboolean         screen_share;
  gboolean         remote_muted;
  gboolean         remote_camera_off;
  gboolean         media_blocked;
  gboolean         warming_up;
  GTask           *prepare_task;    /* prepared, waiting for the warm-up */
  guint            watchdog_id;
  guint            stats_id;
  guint            fault_ids[2];

  /* Statistics. */
  guint64          frames_before;
  guint64          audio_before;
  double           time_to_first_frame_ms;
  guint            reconnections;
  McCallStats     *stats;
  McPeerPipeline  *stats_peer;
  gint64           stats_time;
  guint64          stats_bytes_in;
  guint64          stats_bytes_out;
  guint64          stats_packets_in;
  guint64          stats_lost_in;
  guint64          stats_frames;
  GArray          *latency_history;
};

typedef struct
{
  gint64  generation;
  guint   mline_index;
  char   *candidate;
} Candidate;

enum
{
  PROP_0,
  PROP_INITIATOR,
  PROP_STATE,
  PROP_MUTED,
  PROP_CAMERA_OFF,
  PROP_SCREEN_SHARING,
  PROP_REMOTE_MUTED,
  PROP_REMOTE_CAMERA_OFF,
  N_PROPS
};

enum
{
  SIGNAL_SEND_OFFER,
  SIGNAL_SEND_ANSWER,
  SIGNAL_SEND_ICE_CANDIDATE,
  SIGNAL_SEND_MEDIA_STATE,
  SIGNAL_STATS,
  SIGNAL_DEVICE_CHANGED,
  SIGNAL_SCREEN_SHARE_STOPPED,
  SIGNAL_FIRST_REMOTE_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (McCallSessionState, mc_call_session_state,
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_IDLE, "idle"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_PREPARING, "preparing"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_WAITING, "waiting"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_RECONNECTING, "reconnecting"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_ENDED, "ended"),
                    G_DEFINE_ENUM_VALUE (MC_CALL_SESSION_STATE_FAILED, "failed"))

G_DEFINE_FINAL_TYPE (McCallSession, mc_call_session, G_TYPE_OBJECT)

static void start_negotiation (McCallSession *self);

/* Helpers */

static void
candidate_free (gpointer data)
{
  Candidate *candidate = data;

  g_free (candidate->candidate);
  g_free (candidate);
}

static Candidate *
candidate_new (gint64      generation,
               guint       mline_index,
               const char *text)
{
  Candidate *candidate = g_new0 (Candidate, 1);

  candidate->generation = generation;
  candidate->mline_index = mline_index;
  candidate->candidate = g_strdup (text);

  return candidate;
}

static gboolean
is_final (McCallSession *self)
{
  return self->state == MC_CALL_SESSION_STATE_ENDED || self->state == MC_CALL_SESSION_STATE_FAILED;
}

static void
set_state (McCallSession *self,
           McCallSessionState    state)
{
  if (self->state == state)
    return;

  g_debug ("Call %s: %s → %s (%.1f ms into the negotiation)",
           self->initiator ? "initiator" : "answerer", mc_call_session_state_to_string (self->state),
           mc_call_session_state_to_string (state),
           (g_get_monotonic_time () - self->negotiation_started) / 1000.0);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
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

static void
fail (McCallSession *self,
      GError        *error)
{
  if (is_final (self))
    {
      g_error_free (error);
      return;
    }

  g_message ("Call failed: %s", error->message);
  g_clear_error (&self->error);
  self->error = error;
  stop_everything (self);
  set_state (self, MC_CALL_SESSION_STATE_FAILED);
}

/* Drops the current connection, keeping its counters. */
static void
drop_peer (McCallSession *self)
{
  g_cancellable_cancel (self->peer_cancellable);
  g_clear_object (&self->peer_cancellable);

  if (self->peer != NULL)
    {
      self->frames_before += mc_peer_pipeline_get_frames_decoded (self->peer);
      self->audio_before += mc_peer_pipeline_get_audio_buffers (self->peer);
      g_signal_handlers_disconnect_by_data (self->peer, self);
      mc_peer_pipeline_stop (self->peer);
      g_clear_object (&self->peer);
    }

  self->remote_set = FALSE;
  self->offer_sent = FALSE;
  self->ice_state = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
  g_clear_pointer (&self->pending_offer, g_free);
  g_ptr_array_set_size (self->pending_local, 0);
  g_ptr_array_set_size (self->pending_remote, 0);
}

static void peer_ice_candidate_cb (McPeerPipeline *peer,
                                   guint           mline_index,
                                   const char     *candidate,
                                   gpointer        user_data);
static void peer_ice_state_changed_cb (McPeerPipeline *peer,
                                       guint           state,
                                       gpointer        user_data);
static void peer_first_frame_cb (McPeerPipeline *peer,
                                 gint64          monotonic_time,
                                 gpointer        user_data);
static void peer_error_cb (McPeerPipeline *peer,
                           const GError   *error,
                           gpointer        user_data);

/* Replaces the connection with a fresh one for @generation. */
static gboolean
new_peer (McCallSession *self,
          gint64         generation)
{
  g_autoptr(GError) error = NULL;
  McPeerConfig config = { NULL, };

  drop_peer (self);

  config.media = self->media;
  config.generation = generation;
  config.latency_ms = self->latency_ms;
  config.ice_addresses = (const char *const *) self->ice_addresses;
  config.stun_server = self->stun_server;
  config.turn_servers = (const char *const *) self->turn_servers;
  config.overrides = self->overrides;
  config.media_blocked = self->media_blocked;

  self->peer = mc_peer_pipeline_new (&config, &error);
  if (self->peer == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return FALSE;
    }

  self->peer_cancellable = g_cancellable_new ();
  self->attempt_started = g_get_monotonic_time ();

  g_signal_connect (self->peer, "ice-candidate", G_CALLBACK (peer_ice_candidate_cb), self);
  g_signal_connect (self->peer, "ice-state-changed", G_CALLBACK (peer_ice_state_changed_cb), self);
  g_signal_connect (self->peer, "first-frame", G_CALLBACK (peer_first_frame_cb), self);
  g_signal_connect (self->peer, "error", G_CALLBACK (peer_error_cb), self);

  return TRUE;
}

/* The initiator sends what it prepared once the peer is there. */
static void
flush_local (McCallSession *self)
{
  gint64 generation;

  if (!self->peer_present || self->peer == NULL || self->pending_offer == NULL)
    return;

  generation = mc_peer_pipeline_get_generation (self->peer);
  self->offer_sent = TRUE;
  g_signal_emit (self, signals[SIGNAL_SEND_OFFER], 0, self->pending_offer, generation);
  g_clear_pointer (&self->pending_offer, g_free);

  for (guint i = 0; i < self->pending_local->len; i++)
    {
      Candidate *candidate = g_ptr_array_index (self->pending_local, i);

      g_signal_emit (self, signals[SIGNAL_SEND_ICE_CANDIDATE], 0, candidate->candidate,
                     candidate->mline_index, candidate->generation);
    }
  g_ptr_array_set_size (self->pending_local, 0);
}

static void
apply_pending_remote (McCallSession *self)
{
  gint64 generation = mc_peer_pipeline_get_generation (self->peer);

  for (guint i = 0; i < self->pending_remote->len; i++)
    {
      Candidate *candidate = g_ptr_array_index (self->pending_remote, i);

      if (candidate->generation == generation)
        mc_peer_pipeline_add_ice_candidate (self->peer, candidate->mline_index,
                                            candidate->candidate);
    }
  g_ptr_array_set_size (self->pending_remote, 0);
}

static void
offer_created_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  McCallSession *self = user_data;
  McPeerPipeline *peer = MC_PEER_PIPELINE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = mc_peer_pipeline_create_finish (peer, result, &error);

  if (sdp == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && peer == self->peer)
        fail (self, g_steal_pointer (&error));
      g_object_unref (self);
      return;
    }

  if (peer == self->peer)
    {
      self->pending_offer = g_steal_pointer (&sdp);
      flush_local (self);
    }

  g_object_unref (self);
}

/* Initiator: a new connection and a new offer (sent now if the peer is there,
 * or as soon as it joins). */
static void
offer_new_generation (McCallSession *self)
{
  if (!new_peer (self, self->next_generation++))
    return;

  mc_peer_pipeline_create_offer_async (self->peer, self->peer_cancellable, offer_created_cb,
                                       g_object_ref (self));
}

/* Answerer: a connection waiting for an offer, built in advance so that the
 * offer costs only its own processing. */
static void
await_offer (McCallSession *self)
{
  new_peer (self, 0);
}

static void
start_negotiation (McCallSession *self)
{
  self->negotiation_started = g_get_monotonic_time ();
  self->time_to_first_frame_ms = -1;

  if (self->initiator)
    {
      /* An offer prepared before the peer joined and never sent is still
       * good; anything else is renegotiated from scratch. */
      if (self->peer == NULL || self->remote_set || self->offer_sent)
        offer_new_generation (self);
      else
        self->attempt_started = self->negotiation_started;
      flush_local (self);
    }
  else if (self->peer == NULL || self->remote_set)
    {
      await_offer (self);
    }
}

static void
reconnect (McCallSession *self,
           const char    *reason)
{
  if (is_final (self) || !self->peer_present)
    return;

  g_message ("Media path lost (%s): reconnecting", reason);
  if (self->state != MC_CALL_SESSION_STATE_RECONNECTING)
    self->reconnections++;
  set_state (self, MC_CALL_SESSION_STATE_RECONNECTING);
  self->negotiation_started = g_get_monotonic_time ();

  if (self->initiator)
    offer_new_generation (self);
  else
    await_offer (self);
}

static void
emit_media_state (McCallSession *self)
{
  /* "camera off" tells the peer that black frames come, and it then shows
   * a placeholder instead of the picture; a shared screen is sent even
   * with the camera off, so the peer must show it. */
  g_signal_emit (self, signals[SIGNAL_SEND_MEDIA_STATE], 0, self->muted,
                 self->camera_off && !self->screen_share);
}

static void
set_screen_share (McCallSession *self,
                  gboolean       share)
{
  if (self->screen_share == !!share)
    return;

  self->screen_share = !!share;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_SHARING]);
  if (self->peer_present && self->camera_off)
    emit_media_state (self);
}

/* Statistics */

static double
number_field (const GstStructure *structure,
              const char         *field)
{
  const GValue *value = gst_structure_get_value (structure, field);
  GValue as_double = G_VALUE_INIT;
  double result = 0;

  if (value == NULL)
    return 0;

  g_value_init (&as_double, G_TYPE_DOUBLE);
  if (g_value_transform (value, &as_double))
    result = g_value_get_double (&as_double);
  g_value_unset (&as_double);

  return result;
}

typedef struct
{
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 packets_in;
  guint64 lost_in;
  double  jitter;
  double  round_trip;
  double  remote_loss;
} Totals;

static gboolean
sum_stats_cb (GQuark        field,
              const GValue *value,
              gpointer      user_data)
{
  Totals *totals = user_data;
  const GstStructure *stats;
  GstWebRTCStatsType type;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;

  stats = gst_value_get_structure (value);
  if (!gst_structure_get_enum (stats, "type", GST_TYPE_WEBRTC_STATS_TYPE, (int *) &type))
    return TRUE;

  switch (type)
    {
    case GST_WEBRTC_STATS_INBOUND_RTP:
      totals->bytes_in += (guint64) number_field (stats, "bytes-received");
      totals->packets_in += (guint64) number_field (stats, "packets-received");
      totals->lost_in += (guint64) MAX (0, number_field (stats, "packets-lost"));
      totals->jitter = MAX (totals->jitter, number_field (stats, "jitter"));
      break;

    case GST_WEBRTC_STATS_OUTBOUND_RTP:
      totals->bytes_out += (guint64) number_field (stats, "bytes-sent");
      break;

    case GST_WEBRTC_STATS_REMOTE_INBOUND_RTP:
      if (number_field (stats, "round-trip-time") > 0)
        totals->round_trip = MAX (totals->round_trip, number_field (stats, "round-trip-time"));
      totals->remote_loss = MAX (totals->remote_loss, number_field (stats, "fraction-lost"));
      break;

    default:
      break;
    }

  return TRUE;
}

static void
publish_stats (McCallSession      *self,
               const GstStructure *webrtc_stats)
{
  g_autoptr(McCallStats) stats = mc_call_stats_new ();
  g_autoptr(GArray) samples = NULL;
  Totals totals = { 0, };
  double seconds;
  guint64 frames;

  stats->monotonic_time = g_get_monotonic_time ();
  stats->frames_decoded = mc_call_session_get_frames_decoded (self);
  stats->audio_buffers_received = mc_call_session_get_audio_buffers (self);
  stats->time_to_first_frame_ms = self->time_to_first_frame_ms;
  stats->reconnections = self->reconnections;
  stats->round_trip_ms = -1;

  if (self->peer != NULL && webrtc_stats != NULL)
    {
      gst_structure_foreach (webrtc_stats, sum_stats_cb, &totals);
      mc_peer_pipeline_get_video_size (self->peer, &stats->width, &stats->height);

      /* Rates need two samples of the same connection. */
      if (self->stats_peer == self->peer && stats->monotonic_time > self->stats_time)
        {
          guint64 packets = totals.packets_in - MIN (totals.packets_in, self->stats_packets_in);
          guint64 lost = totals.lost_in - MIN (totals.lost_in, self->stats_lost_in);

          seconds = (stats->monotonic_time - self->stats_time) / (double) G_USEC_PER_SEC;
          stats->bitrate_in = (guint64) ((totals.bytes_in - MIN (totals.bytes_in, self->stats_bytes_in)) *
                                         8 / seconds);
          stats->bitrate_out = (guint64) ((totals.bytes_out - MIN (totals.bytes_out, self->stats_bytes_out)) *
                                          8 / seconds);
          stats->loss = packets + lost > 0 ? (double) lost / (packets + lost) : 0;
          frames = mc_peer_pipeline_get_frames_decoded (self->peer);
          stats->frame_rate = (frames - MIN (frames, self->stats_frames)) / seconds;
        }

      stats->jitter_ms = totals.jitter * 1000;
      stats->remote_loss = totals.remote_loss;
      if (totals.round_trip > 0)
        stats->round_trip_ms = totals.round_trip * 1000;

      g_set_object (&self->stats_peer, self->peer);
      self->stats_time = stats->monotonic_time;
      self->stats_bytes_in = totals.bytes_in;
      self->stats_bytes_out = totals.bytes_out;
      self->stats_packets_in = totals.packets_in;
      self->stats_lost_in = totals.lost_in;
      self->stats_frames = mc_peer_pipeline_get_frames_decoded (self->peer);

      samples = mc_peer_pipeline_take_latency_samples (self->peer);
    }

  if (samples != NULL && samples->len > 0)
    {
      gint64 sum = 0, max = 0;

      for (guint i = 0; i < samples->len; i++)
        {
          gint64 sample = g_array_index (samples, gint64, i);

          sum += sample;
          max = MAX (max, sample);
        }
      stats->latency_samples = samples->len;
      stats->latency_mean_ms = sum / (double) samples->len / 1000.0;
      stats->latency_max_ms = max / 1000.0;

      if (self->latency_history->len + samples->len <= MAX_LATENCY_HISTORY)
        g_array_append_vals (self->latency_history, samples->data, samples->len);
    }

  stats->quality = self->state == MC_CALL_SESSION_STATE_CONNECTED
                     ? mc_call_stats_derive_quality (stats, !self->remote_camera_off)
                   : self->state == MC_CALL_SESSION_STATE_RECONNECTING ? MC_CALL_QUALITY_POOR
                                                               : MC_CALL_QUALITY_UNKNOWN;

  mc_call_stats_free (self->stats);
  self->stats = mc_call_stats_copy (stats);
  g_signal_emit (self, signals[SIGNAL_STATS], 0, stats);
}

static void
stats_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  McCallSession *self = user_data;
  g_autoptr(GstStructure) stats = NULL;

  stats = mc_peer_pipeline_get_stats_finish (MC_PEER_PIPELINE (object), result, NULL);
  if (!is_final (self) && MC_PEER_PIPELINE (object) == self->peer)
    publish_stats (self, stats);

  g_object_unref (self);
}

static gboolean
stats_tick_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (self->peer != NULL && self->remote_set)
    mc_peer_pipeline_get_stats_async (self->peer, self->peer_cancellable, stats_ready_cb,
                                      g_object_ref (self));
  else
    publish_stats (self, NULL);

  return G_SOURCE_CONTINUE;
}

/* Callbacks */

static gboolean
watchdog_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);
  gint64 now = g_get_monotonic_time ();
  gint64 last_media, since;

  if (self->peer == NULL || !self->peer_present)
    return G_SOURCE_CONTINUE;

  last_media = mc_peer_pipeline_get_last_media_time (self->peer);
  since = MAX (last_media, self->attempt_started);

  switch (self->state)
    {
    case MC_CALL_SESSION_STATE_CONNECTING:
    case MC_CALL_SESSION_STATE_RECONNECTING:
      if (last_media != 0)
        {
          set_state (self, MC_CALL_SESSION_STATE_CONNECTED);
          /* The peer gets a key frame at once instead of at its first PLI. */
          mc_media_pipeline_force_key_unit (self->media);
        }
      else
        {
          /* Until media arrives, keep a key frame coming every few hundred
           * milliseconds, so that whenever the peer's DTLS completes, one
           * is near. Key frames are cheap next to a frozen first second.
           * Only once our DTLS is through, though: before, SRTP has no key
           * and the frame is lost, and a 720p key frame occupies the encoder
           * for tens of milliseconds (hundreds on a busy CPU), so one made
           * just before DTLS completes delayed the one that counts. The
           * first key frames are asked for by the peer pipeline itself, when
           * ICE and when DTLS get through. */
          if (mc_peer_pipeline_get_dtls_connected (self->peer) &&
              now - self->last_key_unit > KEY_UNIT_WHILE_CONNECTING_US)
            {
              self->last_key_unit = now;
              mc_media_pipeline_force_key_unit (self->media);
            }
        }

      if (last_media == 0 && self->initiator &&
               now - self->attempt_started > (self->state == MC_CALL_SESSION_STATE_CONNECTING
                                                ? CONNECT_TIMEOUT_US
                                                : RECONNECT_RETRY_US))
        {
          reconnect (self, "no media from the new connection");
        }
      break;

    case MC_CALL_SESSION_STATE_CONNECTED:
      if (self->ice_state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED)
        reconnect (self, "ICE failed");
      else if (now - since > MEDIA_TIMEOUT_US)
        reconnect (self, "no media arriving");
      break;

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

static void
peer_ice_candidate_cb (McPeerPipeline *peer,
                       guint           mline_index,
                       const char     *candidate,
                       gpointer        user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);
  gint64 generation = mc_peer_pipeline_get_generation (peer);

  if (peer != self->peer)
    return;

  /* The initiator's candidates follow its offer, which waits for the peer. */
  if (self->initiator && (self->pending_offer != NULL || !self->peer_present))
    g_ptr_array_add (self->pending_local, candidate_new (generation, mline_index, candidate));
  else
    g_signal_emit (self, signals[SIGNAL_SEND_ICE_CANDIDATE], 0, candidate, mline_index, generation);
}

static void
peer_ice_state_changed_cb (McPeerPipeline *peer,
                           guint           state,
                           gpointer        user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (peer != self->peer)
    return;

  self->ice_state = state;
  if (state == GST_WEBRTC_ICE_CONNECTION_STATE_FAILED && self->state == MC_CALL_SESSION_STATE_CONNECTED)
    reconnect (self, "ICE failed");
}

static void
peer_first_frame_cb (McPeerPipeline *peer,
                     gint64          monotonic_time,
                     gpointer        user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (peer != self->peer || self->time_to_first_frame_ms >= 0)
    return;

  self->time_to_first_frame_ms = (monotonic_time - self->negotiation_started) / 1000.0;
  g_debug ("First remote frame %.1f ms after negotiation started", self->time_to_first_frame_ms);
  g_signal_emit (self, signals[SIGNAL_FIRST_REMOTE_FRAME], 0, self->time_to_first_frame_ms);
}

static void
peer_error_cb (McPeerPipeline *peer,
               const GError   *error,
               gpointer        user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  if (peer != self->peer)
    return;

  /* A connection that breaks is replaced, not fatal. */
  g_message ("%s", error->message);
  if (self->initiator)
    reconnect (self, "connection error");
  else
    await_offer (self);
}

static void
media_device_changed_cb (McMediaPipeline *media,
                         McMediaKind      kind,
                         const char      *device_id,
                         const char      *message,
                         gpointer         user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  g_message ("%s", message);
  g_signal_emit (self, signals[SIGNAL_DEVICE_CHANGED], 0, kind, device_id, message);
}

static void
media_screen_share_stopped_cb (McMediaPipeline *media,
                               const GError    *error,
                               gpointer         user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);

  set_screen_share (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
}

static void
media_error_cb (McMediaPipeline *media,
                const GError    *error,
                gpointer         user_data)
{
  fail (MC_CALL_SESSION (user_data), g_error_copy (error));
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
  const char *spec = g_getenv ("MENTORCALL_FAULT_BLOCK_MEDIA");
  double duration = 5;
  const char *colon;

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
  const char *spec = g_getenv ("MENTORCALL_FAULT_BLOCK_MEDIA");
  static const char *const no_fault = "";

  if (self->state != MC_CALL_SESSION_STATE_CONNECTED || spec == NULL || *spec == '\0' ||
      self->fault_ids[0] != 0 || g_object_get_data (G_OBJECT (self), "mc-fault-armed") != NULL)
    return;

  g_object_set_data (G_OBJECT (self), "mc-fault-armed", (gpointer) no_fault);
  self->fault_ids[0] = g_timeout_add ((guint) (g_ascii_strtod (spec, NULL) * 1000), fault_start_cb,
                                      self);
}

/* Capture, encoding and the warm-up are done: the session is ready. */
static void
prepared (McCallSession *self,
          GTask         *task)
{
  if (is_final (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was hung up");
      return;
    }

  mc_media_pipeline_set_muted (self->media, self->muted);
  mc_media_pipeline_set_camera_off (self->media, self->camera_off);
  if (self->screen_share)
    {
      g_autoptr(GError) error = NULL;

      if (!mc_media_pipeline_set_screen_share (self->media, TRUE, &error))
        {
          g_message ("Cannot share the screen: %s", error->message);
          set_screen_share (self, FALSE);
          g_signal_emit (self, signals[SIGNAL_SCREEN_SHARE_STOPPED], 0, error);
        }
    }

  self->watchdog_id = g_timeout_add (WATCHDOG_INTERVAL_MS, watchdog_cb, self);
  self->stats_id = g_timeout_add_seconds (1, stats_tick_cb, self);

  if (self->peer_present)
    {
      set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
      start_negotiation (self);
    }
  else
    {
      set_state (self, MC_CALL_SESSION_STATE_WAITING);
      /* Prepare the connection now; joining then costs only the network. */
      if (self->initiator)
        offer_new_generation (self);
      else
        await_offer (self);
    }

  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else if (is_final (self))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The call was hung up");
  else
    g_task_return_boolean (task, TRUE);
}

static void
media_started_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  McCallSession *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!mc_media_pipeline_start_finish (MC_MEDIA_PIPELINE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, g_error_copy (error));
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The DTLS certificate is still being made: wait for it rather than let
   * the first offer or answer wait for it (see warmed_up_cb). */
  if (self->warming_up)
    {
      self->prepare_task = g_steal_pointer (&task);
      return;
    }

  prepared (self, task);
}

/* The one-time DTLS certificate of the process exists (see
 * mc_peer_pipeline_warm_up_async()). Preparing waits for it, so that it is
 * paid before joining, in parallel with starting capture and encoding,
 * instead of between the peer's arrival and the first frame, where it cost
 * 0.3–1.5 s and was the main reason time to first frame varied so much. */
static void
warmed_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(McCallSession) self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->prepare_task);

  mc_peer_pipeline_warm_up_finish (result, NULL);
  self->warming_up = FALSE;
  if (task != NULL)
    prepared (self, task);
}

/* GObject */

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
  properties[PROP_INITIATOR] =
    g_param_spec_boolean ("initiator", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:state:
   *
   * The #McCallSessionState.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, MC_TYPE_CALL_SESSION_STATE, MC_CALL_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:muted:
   *
   * Whether our microphone is muted (silence is sent).
   */
  properties[PROP_MUTED] =
    g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:camera-off:
   *
   * Whether our camera is off (black frames are sent).
   */
  properties[PROP_CAMERA_OFF] =
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
  properties[PROP_SCREEN_SHARING] =
    g_param_spec_boolean ("screen-sharing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:remote-muted:
   *
   * Whether the peer said it muted its microphone.
   */
  properties[PROP_REMOTE_MUTED] =
    g_param_spec_boolean ("remote-muted", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * McCallSession:remote-camera-off:
   *
   * Whether the peer said it turned its camera off.
   */
  properties[PROP_REMOTE_CAMERA_OFF] =
    g_param_spec_boolean ("remote-camera-off", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * McCallSession::send-offer:
   * @self: the session
   * @sdp: the offer's SDP text
   * @generation: the negotiation generation, to send along
   *
   * Send an offer to the peer.
   */
  signals[SIGNAL_SEND_OFFER] =
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
  signals[SIGNAL_SEND_ANSWER] =
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
  signals[SIGNAL_SEND_ICE_CANDIDATE] =
    g_signal_new ("send-ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_INT64);

  /**
   * McCallSession::send-media-state:
   * @self: the session
   * @muted: whether we are muted
   * @camera_off: whether our camera is off
   *
   * Tell the peer (through the server) about our mute and camera state.
   */
  signals[SIGNAL_SEND_MEDIA_STATE] =
    g_signal_new ("send-media-state", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_BOOLEAN);

  /**
   * McCallSession::stats:
   * @self: the session
   * @stats: the last second's #McCallStats
   *
   * Emitted every second once the session is prepared.
   */
  signals[SIGNAL_STATS] =
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
  signals[SIGNAL_DEVICE_CHANGED] =
    g_signal_new ("device-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, MC_TYPE_MEDIA_KIND, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * McCallSession::screen-share-stopped:
   * @self: the session
   * @error: why, for the user
   *
   * Screen sharing stopped without being asked to: the screen could not be
   * captured (any more). The camera is sent again.
   */
  signals[SIGNAL_SCREEN_SHARE_STOPPED] =
    g_signal_new ("screen-share-stopped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * McCallSession::first-remote-frame:
   * @self: the session
   * @milliseconds: time from the start of negotiation to the first decoded
   *   remote frame
   */
  signals[SIGNAL_FIRST_REMOTE_FRAME] =
    g_signal_new ("first-remote-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
}

static void
mc_call_session_init (McCallSession *self)
{
  const char *addresses = g_getenv ("MENTORCALL_ICE_ADDRESSES");

  self->width = 1280;
  self->height = 720;
  self->framerate = 30;
  self->latency_ms = DEFAULT_LATENCY_MS;
  self->echo_cancel = TRUE;
  self->time_to_first_frame_ms = -1;
  self->next_generation = g_random_int_range (1, G_MAXINT32 / 2);
  self->pending_local = g_ptr_array_new_with_free_func (candidate_free);
  self->pending_remote = g_ptr_array_new_with_free_func (candidate_free);
  self->latency_history = g_array_new (FALSE, FALSE, sizeof (gint64));

  if (addresses != NULL && *addresses != '\0')
    {
      g_auto(GStrv) parts = g_strsplit (addresses, ",", -1);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

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
 * mc_call_session_set_test_sources:
 * @self: an idle session
 * @test_sources: send a test pattern and a tone instead of camera and
 *   microphone
 */
void
mc_call_session_set_test_sources (McCallSession *self,
                                  gboolean       test_sources)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->test_sources = test_sources;
}

/**
 * mc_call_session_set_devices:
 * @self: an idle session
 * @video_device: (nullable): stable identity of the camera (device path or
 *   PipeWire node name), %NULL for the first one
 * @audio_device: (nullable): stable identity of the microphone
 */
void
mc_call_session_set_devices (McCallSession *self,
                             const char    *video_device,
                             const char    *audio_device)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  g_free (self->video_device);
  self->video_device = g_strdup (video_device);
  g_free (self->audio_device);
  self->audio_device = g_strdup (audio_device);
}

/**
 * mc_call_session_set_speaker_device:
 * @self: an idle session
 * @speaker_device: (nullable): stable identity of the speaker (an Audio/Sink
 *   device, named the way cameras and microphones are); %NULL or empty for
 *   the default output, which is also used when it is not there
 */
void
mc_call_session_set_speaker_device (McCallSession *self,
                                    const char    *speaker_device)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  g_free (self->audio_output_device);
  self->audio_output_device = g_strdup (speaker_device);
}

/**
 * mc_call_session_set_video_format:
 * @self: an idle session
 * @width: width of the video sent (1280 by default)
 * @height: its height (720)
 * @framerate: frames per second (30)
 */
void
mc_call_session_set_video_format (McCallSession *self,
                                  guint          width,
                                  guint          height,
                                  guint          framerate)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));
  g_return_if_fail (width >= 64 && height >= 64 && framerate >= 1);

  self->width = width;
  self->height = height;
  self->framerate = framerate;
}

/**
 * mc_call_session_set_latency:
 * @self: an idle session
 * @latency_ms: the receive jitter-buffer latency (40 ms by default, against
 *   webrtcbin's 200 ms; 30–50 ms suits a LAN, 100–200 ms a poor link)
 */
void
mc_call_session_set_latency (McCallSession *self,
                             guint          latency_ms)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->latency_ms = latency_ms;
}

/**
 * mc_call_session_set_fake_audio_output:
 * @self: an idle session
 * @fake: play remote audio to nowhere (machines without sound)
 */
void
mc_call_session_set_fake_audio_output (McCallSession *self,
                                       gboolean       fake)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->fake_audio_output = fake;
}

/**
 * mc_call_session_set_echo_cancel:
 * @self: an idle session
 * @echo_cancel: cancel echo and suppress noise when a real microphone is
 *   used (on by default)
 */
void
mc_call_session_set_echo_cancel (McCallSession *self,
                                 gboolean       echo_cancel)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->echo_cancel = echo_cancel;
}

/**
 * mc_call_session_set_stamp_frames:
 * @self: an idle session
 * @stamp_frames: draw the capture time into each frame sent, for the
 *   latency benchmark (the receiver always looks for it)
 */
void
mc_call_session_set_stamp_frames (McCallSession *self,
                                  gboolean       stamp_frames)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->stamp_frames = stamp_frames;
}

/**
 * mc_call_session_set_video_sink:
 * @self: an idle session
 * @sink: (nullable): the element that shows the remote video; it lives as
 *   long as the call, across reconnections. %NULL for a fake sink.
 */
void
mc_call_session_set_video_sink (McCallSession *self,
                                GstElement    *sink)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (sink != NULL)
    gst_object_ref_sink (sink);
  g_clear_object (&self->video_sink);
  self->video_sink = sink;
}

/**
 * mc_call_session_set_preview_sink:
 * @self: an idle session
 * @sink: (nullable): the element that shows our own video (self view)
 */
void
mc_call_session_set_preview_sink (McCallSession *self,
                                  GstElement    *sink)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (sink != NULL)
    gst_object_ref_sink (sink);
  g_clear_object (&self->preview_sink);
  self->preview_sink = sink;
}

/**
 * mc_call_session_set_ice_addresses:
 * @self: a session
 * @addresses: (nullable): local addresses ICE may use; %NULL for all (the
 *   default comes from `MENTORCALL_ICE_ADDRESSES`, comma-separated). Give
 *   127.0.0.1 for calls over loopback: libnice leaves loopback out otherwise.
 *
 * Takes effect with the next connection.
 */
void
mc_call_session_set_ice_addresses (McCallSession     *self,
                                   const char *const *addresses)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  g_strfreev (self->ice_addresses);
  self->ice_addresses = g_strdupv ((char **) addresses);
}

static char *
server_url (const char *url,
            const char *username,
            const char *credential)
{
  const char *scheme_end = strchr (url, ':');
  g_autofree char *scheme = NULL;
  const char *rest;

  if (scheme_end == NULL)
    return NULL;

  scheme = g_ascii_strdown (url, scheme_end - url);
  rest = scheme_end + 1;
  while (*rest == '/')
    rest++;

  if (g_str_equal (scheme, "stun") || g_str_equal (scheme, "stuns"))
    return g_strdup_printf ("stun://%s", rest);

  if (g_str_equal (scheme, "turn") || g_str_equal (scheme, "turns"))
    {
      g_autofree char *user = g_uri_escape_string (username != NULL ? username : "", NULL, FALSE);
      g_autofree char *password = g_uri_escape_string (credential != NULL ? credential : "", NULL,
                                                       FALSE);

      return g_strdup_printf ("%s://%s:%s@%s", scheme, user, password, rest);
    }

  return NULL;
}

/**
 * mc_call_session_set_ice_servers:
 * @self: a session
 * @servers: the `ice_servers` array of a call token:
 *   `[{"urls":["stun:…"]}, {"urls":["turn:…"],"username":…,"credential":…}]`
 * @error: return location for an error
 *
 * Sets the STUN server (the first one given; webrtcbin takes one) and the
 * TURN servers. Takes effect with the next connection.
 *
 * Returns: %TRUE if @servers made sense
 */
gboolean
mc_call_session_set_ice_servers (McCallSession  *self,
                                 JsonArray      *servers,
                                 GError        **error)
{
  g_autoptr(GStrvBuilder) turn = g_strv_builder_new ();
  g_autofree char *stun = NULL;

  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (servers != NULL, FALSE);

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonNode *node = json_array_get_element (servers, i);
      JsonObject *server;
      JsonNode *urls;
      const char *username, *credential;
      g_autoptr(GPtrArray) list = g_ptr_array_new ();

      if (!JSON_NODE_HOLDS_OBJECT (node) || !json_object_has_member (json_node_get_object (node), "urls"))
        {
          g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                       "ICE server %u has no “urls”", i);
          return FALSE;
        }

      server = json_node_get_object (node);
      urls = json_object_get_member (server, "urls");
      username = json_object_get_string_member_with_default (server, "username", NULL);
      credential = json_object_get_string_member_with_default (server, "credential", NULL);

      if (JSON_NODE_HOLDS_ARRAY (urls))
        {
          JsonArray *array = json_node_get_array (urls);

          for (guint j = 0; j < json_array_get_length (array); j++)
            g_ptr_array_add (list, (gpointer) json_array_get_string_element (array, j));
        }
      else if (JSON_NODE_HOLDS_VALUE (urls) && json_node_get_value_type (urls) == G_TYPE_STRING)
        {
          g_ptr_array_add (list, (gpointer) json_node_get_string (urls));
        }

      for (guint j = 0; j < list->len; j++)
        {
          const char *url = g_ptr_array_index (list, j);
          g_autofree char *converted = url != NULL ? server_url (url, username, credential) : NULL;

          if (converted == NULL)
            {
              g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "ICE server URL “%s” is not a stun:, turn: or turns: URL",
                           url != NULL ? url : "(null)");
              return FALSE;
            }

          if (g_str_has_prefix (converted, "stun://"))
            {
              if (stun == NULL)
                stun = g_steal_pointer (&converted);
            }
          else
            {
              g_strv_builder_add (turn, converted);
            }
        }
    }

  g_free (self->stun_server);
  self->stun_server = g_steal_pointer (&stun);
  g_strfreev (self->turn_servers);
  self->turn_servers = g_strv_builder_end (turn);

  return TRUE;
}

/**
 * mc_call_session_debug_override_element:
 * @self: an idle session
 * @factory: a standard element factory name, such as "vp8enc"
 * @replacement: the factory to use instead (tests give one that does not
 *   exist, to check the error for a missing plugin)
 */
void
mc_call_session_debug_override_element (McCallSession *self,
                                        const char    *factory,
                                        const char    *replacement)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->overrides == NULL)
    self->overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (self->overrides, g_strdup (factory), g_strdup (replacement));
}

/**
 * mc_call_session_prepare_async:
 * @self: an idle session
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when capture and encoding run
 * @user_data: data for @callback
 *
 * Starts capture and encoding (and the preview), and prepares the first
 * connection, so that joining costs only the network. The state goes to
 * PREPARING, then WAITING (or CONNECTING if the peer is already there).
 */
void
mc_call_session_prepare_async (McCallSession       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  McMediaConfig config = { 0, };

  g_return_if_fail (MC_IS_CALL_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_call_session_prepare_async);

  if (self->state != MC_CALL_SESSION_STATE_IDLE)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                               "The call was already prepared");
      return;
    }

  config.test_sources = self->test_sources;
  config.video_device = self->video_device;
  config.audio_device = self->audio_device;
  config.audio_output_device = self->audio_output_device;
  config.width = self->width;
  config.height = self->height;
  config.framerate = self->framerate;
  config.stamp_frames = self->stamp_frames;
  config.fake_audio_output = self->fake_audio_output;
  config.echo_cancel = self->echo_cancel;
  config.video_sink = self->video_sink;
  config.preview_sink = self->preview_sink;
  config.overrides = self->overrides;

  self->media = mc_media_pipeline_new (&config);
  g_signal_connect (self->media, "device-changed", G_CALLBACK (media_device_changed_cb), self);
  g_signal_connect (self->media, "screen-share-stopped",
                    G_CALLBACK (media_screen_share_stopped_cb), self);
  g_signal_connect (self->media, "error", G_CALLBACK (media_error_cb), self);

  set_state (self, MC_CALL_SESSION_STATE_PREPARING);
  self->warming_up = TRUE;
  mc_peer_pipeline_warm_up_async (NULL, warmed_up_cb, g_object_ref (self));
  mc_media_pipeline_start_async (self->media, cancellable, media_started_cb,
                                 g_steal_pointer (&task));
}

/**
 * mc_call_session_prepare_finish:
 * @self: a session
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if the session is ready for the peer
 */
gboolean
mc_call_session_prepare_finish (McCallSession  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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

  if (is_final (self))
    return;

  drop_peer (self);
  stop_everything (self);
  set_state (self, MC_CALL_SESSION_STATE_ENDED);
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

  if (is_final (self))
    return;

  self->peer_present = TRUE;
  if (self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    return;

  set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
  emit_media_state (self);
  start_negotiation (self);
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

  if (is_final (self))
    return;

  self->peer_present = FALSE;
  self->remote_muted = FALSE;
  self->remote_camera_off = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_MUTED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CAMERA_OFF]);

  if (self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    return;

  set_state (self, MC_CALL_SESSION_STATE_WAITING);
  if (self->initiator)
    offer_new_generation (self);
  else
    await_offer (self);
}

static void
answer_created_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  McCallSession *self = user_data;
  McPeerPipeline *peer = MC_PEER_PIPELINE (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *sdp = mc_peer_pipeline_create_finish (peer, result, &error);

  if (peer == self->peer && !is_final (self))
    {
      if (sdp != NULL)
        g_signal_emit (self, signals[SIGNAL_SEND_ANSWER], 0, sdp,
                       mc_peer_pipeline_get_generation (peer));
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Cannot answer: %s", error->message);
    }

  g_object_unref (self);
}

static void
remote_offer_set_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  McCallSession *self = user_data;
  McPeerPipeline *peer = MC_PEER_PIPELINE (object);
  g_autoptr(GError) error = NULL;

  if (!mc_peer_pipeline_set_remote_finish (peer, result, &error))
    {
      if (peer == self->peer && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The peer's offer was refused: %s", error->message);
    }
  else if (peer == self->peer && !is_final (self))
    {
      mc_peer_pipeline_create_answer_async (peer, self->peer_cancellable, answer_created_cb,
                                            g_object_ref (self));
    }

  g_object_unref (self);
}

/**
 * mc_call_session_receive_offer:
 * @self: a session that answers (not the initiator)
 * @sdp: the offer's SDP text
 * @generation: the generation that came with it
 *
 * Answers the offer (::send-answer) on a fresh connection.
 */
void
mc_call_session_receive_offer (McCallSession *self,
                               const char    *sdp,
                               gint64         generation)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));
  g_return_if_fail (sdp != NULL);

  if (is_final (self) || self->media == NULL)
    return;

  if (self->initiator)
    {
      /* Under the rule only the initiator offers; a second initiator is a
       * misconfiguration, and ignoring it keeps our own offer valid. */
      g_message ("Ignoring an offer: this side is the initiator");
      return;
    }

  if (self->peer != NULL && self->remote_set && generation == mc_peer_pipeline_get_generation (self->peer))
    return; /* a duplicate */

  /* An offer means the peer is there, even if peer-joined is still on its way. */
  if (!self->peer_present || self->state == MC_CALL_SESSION_STATE_WAITING)
    {
      self->peer_present = TRUE;
      self->negotiation_started = g_get_monotonic_time ();
      self->time_to_first_frame_ms = -1;
      set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
    }
  else if (self->state == MC_CALL_SESSION_STATE_CONNECTED)
    {
      /* A new offer in the middle of a call: the initiator found the media
       * path dead. Both sides show it. */
      self->reconnections++;
      self->negotiation_started = g_get_monotonic_time ();
      set_state (self, MC_CALL_SESSION_STATE_RECONNECTING);
    }

  /* Keep candidates that arrived for this generation before its offer. */
  {
    g_autoptr(GPtrArray) early = g_ptr_array_new_with_free_func (candidate_free);

    for (guint i = 0; i < self->pending_remote->len; i++)
      {
        Candidate *candidate = g_ptr_array_index (self->pending_remote, i);

        if (candidate->generation == generation)
          g_ptr_array_add (early, candidate_new (generation, candidate->mline_index,
                                                 candidate->candidate));
      }

    if (self->peer == NULL || self->remote_set || mc_peer_pipeline_get_generation (self->peer) != 0)
      {
        if (!new_peer (self, generation))
          return;
      }
    else
      {
        /* The connection prepared in advance takes this generation. */
        mc_peer_pipeline_set_generation (self->peer, generation);
        self->attempt_started = g_get_monotonic_time ();
        g_ptr_array_set_size (self->pending_remote, 0);
      }

    g_ptr_array_extend_and_steal (self->pending_remote, g_steal_pointer (&early));
  }

  self->remote_set = TRUE;
  mc_peer_pipeline_set_remote_async (self->peer, GST_WEBRTC_SDP_TYPE_OFFER, sdp,
                                     self->peer_cancellable, remote_offer_set_cb,
                                     g_object_ref (self));
  apply_pending_remote (self);
}

static void
remote_answer_set_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  McCallSession *self = user_data;
  McPeerPipeline *peer = MC_PEER_PIPELINE (object);
  g_autoptr(GError) error = NULL;

  if (!mc_peer_pipeline_set_remote_finish (peer, result, &error) && peer == self->peer &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The peer's answer was refused: %s", error->message);

  g_object_unref (self);
}

/**
 * mc_call_session_receive_answer:
 * @self: an initiating session
 * @sdp: the answer's SDP text
 * @generation: the generation that came with it
 *
 * Applies the answer if it belongs to the current offer; drops it otherwise.
 */
void
mc_call_session_receive_answer (McCallSession *self,
                                const char    *sdp,
                                gint64         generation)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));
  g_return_if_fail (sdp != NULL);

  if (is_final (self) || !self->initiator || self->peer == NULL || self->remote_set ||
      generation != mc_peer_pipeline_get_generation (self->peer))
    {
      g_debug ("Dropping a stale answer (generation %" G_GINT64_FORMAT ")", generation);
      return;
    }

  self->remote_set = TRUE;
  mc_peer_pipeline_set_remote_async (self->peer, GST_WEBRTC_SDP_TYPE_ANSWER, sdp,
                                     self->peer_cancellable, remote_answer_set_cb,
                                     g_object_ref (self));
  apply_pending_remote (self);
}

/**
 * mc_call_session_receive_ice_candidate:
 * @self: a session
 * @candidate: the candidate line ("" for the end of candidates)
 * @mline_index: its media line
 * @generation: the generation that came with it
 *
 * Adds the peer's candidate to the current connection, keeps it until the
 * description of its generation is there, or drops it if it is stale.
 */
void
mc_call_session_receive_ice_candidate (McCallSession *self,
                                       const char    *candidate,
                                       guint          mline_index,
                                       gint64         generation)
{
  gint64 current;

  g_return_if_fail (MC_IS_CALL_SESSION (self));
  g_return_if_fail (candidate != NULL);

  if (is_final (self) || self->peer == NULL)
    return;

  current = mc_peer_pipeline_get_generation (self->peer);

  if (self->remote_set && generation == current)
    mc_peer_pipeline_add_ice_candidate (self->peer, mline_index, candidate);
  else if (!self->remote_set && (generation == current || !self->initiator))
    g_ptr_array_add (self->pending_remote, candidate_new (generation, mline_index, candidate));
  else
    g_debug ("Dropping a stale candidate (generation %" G_GINT64_FORMAT ")", generation);
}

/**
 * mc_call_session_receive_media_state:
 * @self: a session
 * @muted: whether the peer is muted
 * @camera_off: whether the peer's camera is off
 */
void
mc_call_session_receive_media_state (McCallSession *self,
                                     gboolean       muted,
                                     gboolean       camera_off)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->remote_muted != !!muted)
    {
      self->remote_muted = !!muted;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_MUTED]);
    }

  if (self->remote_camera_off != !!camera_off)
    {
      self->remote_camera_off = !!camera_off;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REMOTE_CAMERA_OFF]);
    }
}

/**
 * mc_call_session_set_muted:
 * @self: a session
 * @muted: whether to send silence
 *
 * Needs no renegotiation; the peer is told through ::send-media-state.
 */
void
mc_call_session_set_muted (McCallSession *self,
                           gboolean       muted)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->muted == !!muted)
    return;

  self->muted = !!muted;
  if (self->media != NULL)
    mc_media_pipeline_set_muted (self->media, self->muted);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
  if (self->peer_present)
    emit_media_state (self);
}

/**
 * mc_call_session_set_camera_off:
 * @self: a session
 * @camera_off: whether to send black frames
 *
 * Needs no renegotiation; the peer is told through ::send-media-state.
 */
void
mc_call_session_set_camera_off (McCallSession *self,
                                gboolean       camera_off)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  if (self->camera_off == !!camera_off)
    return;

  self->camera_off = !!camera_off;
  if (self->media != NULL)
    mc_media_pipeline_set_camera_off (self->media, self->camera_off);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAMERA_OFF]);
  if (self->peer_present)
    emit_media_state (self);
}

/**
 * mc_call_session_can_share_screen:
 * @error: return location for why not
 *
 * See mc_media_pipeline_can_share_screen(): whether this desktop session
 * can share its screen at all, and if not, a sentence for the user.
 *
 * Returns: %TRUE if screen sharing can work
 */
gboolean
mc_call_session_can_share_screen (GError **error)
{
  return mc_media_pipeline_can_share_screen (error);
}

/**
 * mc_call_session_set_screen_share:
 * @self: a session
 * @share: %TRUE to send the screen instead of the camera
 * @error: return location for an error
 *
 * Swaps the video source of the running call, with no renegotiation (see
 * mc_media_pipeline_set_screen_share()). Before the session is prepared,
 * only checks that sharing is possible and remembers it; it then starts
 * with the capture, and ::screen-share-stopped says if it could not.
 *
 * The peer learns nothing new through signaling: the media state sent has
 * no field for it, and "camera off" is sent as %FALSE while sharing, so
 * that the peer shows the shared screen.
 *
 * Returns: %TRUE if :screen-sharing is now @share
 */
gboolean
mc_call_session_set_screen_share (McCallSession  *self,
                                  gboolean        share,
                                  GError        **error)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (is_final (self))
    {
      g_set_error_literal (error, MC_CALL_ERROR, MC_CALL_ERROR_INVALID_ARGUMENT,
                           "The call is over");
      return FALSE;
    }

  if (self->screen_share == !!share)
    return TRUE;

  /* Before capture runs the wish is applied in prepared(). */
  if (self->media == NULL || self->prepare_task != NULL ||
      self->state == MC_CALL_SESSION_STATE_IDLE || self->state == MC_CALL_SESSION_STATE_PREPARING)
    {
      if (share && !mc_media_pipeline_can_share_screen (error))
        return FALSE;
    }
  else if (!mc_media_pipeline_set_screen_share (self->media, share, error))
    {
      return FALSE;
    }

  set_screen_share (self, share);

  return TRUE;
}

/**
 * mc_call_session_set_media_blocked:
 * @self: a session
 * @blocked: whether to drop all RTP and RTCP, both ways
 *
 * The fault hook for tests: a dead media path while ICE and DTLS still
 * pass. Also driven by `MENTORCALL_FAULT_BLOCK_MEDIA=START:DURATION`
 * (seconds after the call first connected).
 */
void
mc_call_session_set_media_blocked (McCallSession *self,
                                   gboolean       blocked)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->media_blocked = !!blocked;
  if (self->peer != NULL)
    mc_peer_pipeline_set_media_blocked (self->peer, self->media_blocked);
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
 * mc_call_session_get_muted:
 * @self: a session
 *
 * Returns: whether we are muted
 */
gboolean
mc_call_session_get_muted (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->muted;
}

/**
 * mc_call_session_get_camera_off:
 * @self: a session
 *
 * Returns: whether our camera is off
 */
gboolean
mc_call_session_get_camera_off (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->camera_off;
}

/**
 * mc_call_session_get_remote_muted:
 * @self: a session
 *
 * Returns: whether the peer said it is muted
 */
gboolean
mc_call_session_get_remote_muted (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->remote_muted;
}

/**
 * mc_call_session_get_screen_share:
 * @self: a session
 *
 * Returns: whether the screen is sent instead of the camera
 */
gboolean
mc_call_session_get_screen_share (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->screen_share;
}

/**
 * mc_call_session_get_remote_camera_off:
 * @self: a session
 *
 * Returns: whether the peer said its camera is off
 */
gboolean
mc_call_session_get_remote_camera_off (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);

  return self->remote_camera_off;
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
 * mc_call_session_get_frames_decoded:
 * @self: a session
 *
 * Returns: remote video frames decoded in this call, over all connections
 */
guint64
mc_call_session_get_frames_decoded (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->frames_before +
         (self->peer != NULL ? mc_peer_pipeline_get_frames_decoded (self->peer) : 0);
}

/**
 * mc_call_session_get_audio_buffers:
 * @self: a session
 *
 * Returns: remote audio buffers decoded in this call, over all connections
 */
guint64
mc_call_session_get_audio_buffers (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), 0);

  return self->audio_before +
         (self->peer != NULL ? mc_peer_pipeline_get_audio_buffers (self->peer) : 0);
}

/**
 * mc_call_session_get_time_to_first_frame:
 * @self: a session
 *
 * Returns: milliseconds from the start of the latest negotiation (the peer
 *   joined, or reconnecting began) to the first decoded remote frame, or -1
 */
double
mc_call_session_get_time_to_first_frame (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), -1);

  return self->time_to_first_frame_ms;
}

/**
 * mc_call_session_dup_stats:
 * @self: a session
 *
 * Returns: (transfer full): the latest statistics (empty before the first)
 */
McCallStats *
mc_call_session_dup_stats (McCallSession *self)
{
  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);

  return self->stats != NULL ? mc_call_stats_copy (self->stats) : mc_call_stats_new ();
}

/**
 * mc_call_session_dup_latency_samples:
 * @self: a session
 *
 * Returns: (transfer full) (element-type gint64): every frame-in to
 *   frame-out latency measured so far, in microseconds (needs a peer that
 *   stamps its frames, see mc_call_session_set_stamp_frames())
 */
GArray *
mc_call_session_dup_latency_samples (McCallSession *self)
{
  GArray *copy;

  g_return_val_if_fail (MC_IS_CALL_SESSION (self), NULL);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (gint64), self->latency_history->len);
  g_array_append_vals (copy, self->latency_history->data, self->latency_history->len);

  return copy;
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
  g_autoptr(GEnumClass) klass = g_type_class_ref (MC_TYPE_CALL_SESSION_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);

  return value != NULL ? value->value_nick : "unknown";
}
