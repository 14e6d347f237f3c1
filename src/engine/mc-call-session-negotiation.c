/* mc-call-session-negotiation.c — a call's offers, answers, candidates and recovery
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McCallSession follows the negotiation rule and does the
 * recovery described at the top of mc-call-session.c (and in
 * docs/call-engine.md): it makes and replaces the peer pipeline, sends and
 * applies the descriptions and ICE candidates of each generation, and runs
 * the watchdog that declares the media path dead.
 */

#define G_LOG_DOMAIN "mc-call"

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "mc-call-session-private.h"

#define MEDIA_TIMEOUT_US             (3 * G_USEC_PER_SEC)
#define CONNECT_TIMEOUT_US           (8 * G_USEC_PER_SEC)
#define RECONNECT_RETRY_US           (2500 * G_TIME_SPAN_MILLISECOND)
#define KEY_UNIT_WHILE_CONNECTING_US (300 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  gint64 generation;
  guint  mline_index;
  char  *candidate;
} Candidate;

/* Helpers */

void
mc_call_session_candidate_free (gpointer data)
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

/* Drops the current connection, keeping its counters. */
void
mc_call_session_drop_peer (McCallSession *self)
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
  g_autoptr (GError) error = NULL;
  McPeerConfig       config = {
          NULL,
  };

  mc_call_session_drop_peer (self);

  config.media = self->media;
  config.generation = generation;
  /* A new connection waits at the latency ceiling until the path is known
   * (mc_jitter_policy_begin ()). */
  if (self->jitter != NULL)
    mc_jitter_policy_begin (self->jitter, g_get_monotonic_time ());
  config.latency_ms = self->jitter != NULL ? mc_jitter_policy_get_latency (self->jitter)
                                           : self->latency_ms;
  config.audio_latency_ms = self->jitter != NULL
                              ? mc_jitter_policy_get_audio_latency (self->jitter)
                              : self->latency_ms;
  config.ice_addresses = (const char * const *) self->ice_addresses;
  config.stun_server = self->stun_server;
  config.turn_servers = (const char * const *) self->turn_servers;
  config.relay_only = self->relay_only;
  config.overrides = self->overrides;
  config.media_blocked = self->media_blocked;
  config.answerer = !self->initiator;

  self->peer = mc_peer_pipeline_new (&config, &error);
  if (self->peer == NULL)
    {
      mc_call_session_fail (self, g_steal_pointer (&error));
      return FALSE;
    }

  mc_call_session_adapt_peer (self);
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
  g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_OFFER], 0, self->pending_offer,
                 generation);
  g_clear_pointer (&self->pending_offer, g_free);

  for (guint i = 0; i < self->pending_local->len; i++)
    {
      Candidate *candidate = g_ptr_array_index (self->pending_local, i);

      g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_ICE_CANDIDATE], 0,
                     candidate->candidate, candidate->mline_index, candidate->generation);
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
  McCallSession     *self = user_data;
  McPeerPipeline    *peer = MC_PEER_PIPELINE (object);
  g_autoptr (GError) error = NULL;
  g_autofree char   *sdp = mc_peer_pipeline_create_finish (peer, result, &error);

  if (sdp == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && peer == self->peer)
        mc_call_session_fail (self, g_steal_pointer (&error));
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
void
mc_call_session_offer_new_generation (McCallSession *self)
{
  if (!new_peer (self, self->next_generation++))
    return;

  mc_peer_pipeline_create_offer_async (self->peer, self->peer_cancellable, offer_created_cb,
                                       g_object_ref (self));
}

/* Answerer: a connection waiting for an offer, built in advance so that the
 * offer costs only its own processing. */
void
mc_call_session_await_offer (McCallSession *self)
{
  new_peer (self, 0);
}

void
mc_call_session_start_negotiation (McCallSession *self)
{
  self->negotiation_started = g_get_monotonic_time ();
  self->time_to_first_frame_ms = -1;

  if (self->initiator)
    {
      /* An offer prepared before the peer joined and never sent is still
       * good; anything else is renegotiated from scratch. */
      if (self->peer == NULL || self->remote_set || self->offer_sent)
        mc_call_session_offer_new_generation (self);
      else
        self->attempt_started = self->negotiation_started;
      flush_local (self);
    }
  else if (self->peer == NULL || self->remote_set)
    {
      mc_call_session_await_offer (self);
    }
}

/* A new connection cannot help when our own capture and encoding stopped:
 * the peer then gets nothing on any connection. Says so, loudly, so that a
 * stalled McMediaPipeline is not mistaken for a network fault. */
static void
warn_if_local_media_stalled (McCallSession *self)
{
  gint64 now = g_get_monotonic_time ();

  for (McMediaKind kind = MC_MEDIA_KIND_AUDIO; kind <= MC_MEDIA_KIND_VIDEO; kind++)
    {
      gint64 last = mc_media_pipeline_get_last_encoded_time (self->media, kind);

      if (last != 0 && now - last > MEDIA_TIMEOUT_US)
        g_message ("The local media pipeline stalled: no encoded %s for %.1f s; "
                   "reconnecting will not bring it back",
                   kind == MC_MEDIA_KIND_VIDEO ? "video" : "audio",
                   (double) (now - last) / G_USEC_PER_SEC);
    }
}

static void
reconnect (McCallSession *self,
           const char    *reason)
{
  if (mc_call_session_is_final (self) || !self->peer_present)
    return;

  g_message ("Media path lost (%s): reconnecting", reason);
  warn_if_local_media_stalled (self);
  if (self->state != MC_CALL_SESSION_STATE_RECONNECTING)
    self->reconnections++;
  mc_call_session_set_state (self, MC_CALL_SESSION_STATE_RECONNECTING);
  self->negotiation_started = g_get_monotonic_time ();

  if (self->initiator)
    mc_call_session_offer_new_generation (self);
  else
    mc_call_session_await_offer (self);
}

/* Callbacks */

gboolean
mc_call_session_watchdog_cb (gpointer user_data)
{
  McCallSession *self = MC_CALL_SESSION (user_data);
  gint64         now = g_get_monotonic_time ();
  gint64         last_media, since;

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
          mc_call_session_set_state (self, MC_CALL_SESSION_STATE_CONNECTED);
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
  gint64         generation = mc_peer_pipeline_get_generation (peer);

  if (peer != self->peer)
    return;

  /* The initiator's candidates follow its offer, which waits for the peer. */
  if (self->initiator && (self->pending_offer != NULL || !self->peer_present))
    g_ptr_array_add (self->pending_local, candidate_new (generation, mline_index, candidate));
  else
    g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_ICE_CANDIDATE], 0, candidate,
                   mline_index, generation);
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
  g_signal_emit (self, mc_call_session_signals[SIGNAL_FIRST_REMOTE_FRAME], 0,
                 self->time_to_first_frame_ms);
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
    mc_call_session_await_offer (self);
}

/* Public API */

static void
answer_created_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  McCallSession     *self = user_data;
  McPeerPipeline    *peer = MC_PEER_PIPELINE (object);
  g_autoptr (GError) error = NULL;
  g_autofree char   *sdp = mc_peer_pipeline_create_finish (peer, result, &error);

  if (peer == self->peer && !mc_call_session_is_final (self))
    {
      if (sdp != NULL)
        g_signal_emit (self, mc_call_session_signals[SIGNAL_SEND_ANSWER], 0, sdp,
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
  McCallSession     *self = user_data;
  McPeerPipeline    *peer = MC_PEER_PIPELINE (object);
  g_autoptr (GError) error = NULL;

  if (!mc_peer_pipeline_set_remote_finish (peer, result, &error))
    {
      if (peer == self->peer && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The peer's offer was refused: %s", error->message);
    }
  else if (peer == self->peer && !mc_call_session_is_final (self))
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

  if (mc_call_session_is_final (self) || self->media == NULL)
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
      mc_call_session_set_state (self, MC_CALL_SESSION_STATE_CONNECTING);
    }
  else if (self->state == MC_CALL_SESSION_STATE_CONNECTED)
    {
      /* A new offer in the middle of a call: the initiator found the media
       * path dead. Both sides show it. */
      self->reconnections++;
      self->negotiation_started = g_get_monotonic_time ();
      mc_call_session_set_state (self, MC_CALL_SESSION_STATE_RECONNECTING);
    }

  /* Keep candidates that arrived for this generation before its offer. */
  {
    g_autoptr (GPtrArray) early = g_ptr_array_new_with_free_func (mc_call_session_candidate_free);

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
  McCallSession     *self = user_data;
  McPeerPipeline    *peer = MC_PEER_PIPELINE (object);
  g_autoptr (GError) error = NULL;

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

  if (mc_call_session_is_final (self) || !self->initiator || self->peer == NULL ||
      self->remote_set || generation != mc_peer_pipeline_get_generation (self->peer))
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

  if (mc_call_session_is_final (self) || self->peer == NULL)
    return;

  current = mc_peer_pipeline_get_generation (self->peer);

  if (self->remote_set && generation == current)
    mc_peer_pipeline_add_ice_candidate (self->peer, mline_index, candidate);
  else if (!self->remote_set && (generation == current || !self->initiator))
    g_ptr_array_add (self->pending_remote, candidate_new (generation, mline_index, candidate));
  else
    g_debug ("Dropping a stale candidate (generation %" G_GINT64_FORMAT ")", generation);
}
