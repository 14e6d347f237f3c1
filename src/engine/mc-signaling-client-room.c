/* mc-signaling-client-room.c — the room: join, rejoin, leave, end, relay
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-signaling-client.c for the whole picture. Here the client joins
 * the room of its booking, with a call token it fetches from the REST API
 * when it has none or an old one, joins it again after every reconnect,
 * and leaves or ends it; and here go out the offers, answers, ICE
 * candidates and media state relayed to the other participant.
 */

#define G_LOG_DOMAIN "mc-signaling"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-protocol.h"

#include "mc-signaling-client-private.h"

/* Renew a call token that expires within this many seconds before joining. */
#define TOKEN_MARGIN_S 10

static gboolean rejoin_cb (gpointer user_data);

/* Helpers */

void
mc_signaling_client_schedule_rejoin (McSignalingClient *self)
{
  guint delay = mc_signaling_client_jitter (self->rejoin_backoff_ms);

  self->rejoin_backoff_ms = MIN (self->rejoin_backoff_ms * 2, BACKOFF_MAX_MS);
  mc_signaling_client_clear_source (&self->rejoin_source);
  self->rejoin_source = mc_signaling_client_add_timeout (self, delay, rejoin_cb);
}

/* Forgets the room: after a leave, an end, or a refusal that a new token
 * cannot fix. */
void
mc_signaling_client_forget_room (McSignalingClient *self,
                                 const char        *reason)
{
  if (self->booking_id == 0)
    return;

  self->booking_id = 0;
  g_clear_pointer (&self->call_token, g_free);
  g_clear_pointer (&self->join_request_id, g_free);
  self->join_sent = FALSE;
  self->token_refreshed = FALSE;
  self->filling_gap = FALSE;
  self->media_state_set = FALSE;
  mc_signaling_client_clear_source (&self->rejoin_source);
  self->last_seq = 0;
  mc_signaling_client_set_in_room (self, FALSE);
  mc_signaling_client_fail_outbox (self, reason);

  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_BOOKING_ID]);
  g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_LAST_SEQ]);
}

static gboolean
token_usable (const char *token)
{
  g_autoptr (McCallTokenClaims) claims = NULL;

  if (token == NULL)
    return FALSE;

  /* A token the client cannot read is left for the server to judge. */
  claims = mc_call_token_peek (token, NULL);
  if (claims == NULL)
    return TRUE;

  return claims->expires_at - g_get_real_time () / G_USEC_PER_SEC > TOKEN_MARGIN_S;
}

static void
send_join (McSignalingClient *self)
{
  g_autoptr (JsonObject) join = mc_signaling_client_new_message (self, "join");

  g_free (self->join_request_id);
  self->join_request_id = mc_signaling_client_next_request_id (self, "join");
  json_object_set_string_member (join, "call_token", self->call_token);
  json_object_set_int_member (join, "chat_after", self->last_seq);
  json_object_set_string_member (join, "request_id", self->join_request_id);
  if (self->instance != NULL)
    json_object_set_string_member (join, "instance", self->instance);

  self->join_sent = mc_signaling_client_send_message (self, join);
}

/* Callbacks */

static void
call_token_received_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (GError)     error = NULL;
  McSignalingClient     *self;
  const char            *token;

  answer = mc_api_client_request_call_token_finish (MC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = MC_SIGNALING_CLIENT (user_data);
  self->fetching_token = FALSE;

  if (self->booking_id == 0)
    return;

  if (answer == NULL)
    {
      if (g_error_matches (error, MC_ERROR, MC_ERROR_NETWORK) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_INTERNAL) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_SERVER_BUSY) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_RATE_LIMITED) ||
          g_error_matches (error, MC_ERROR, MC_ERROR_PROTOCOL))
        {
          mc_signaling_client_schedule_rejoin (self);
          return;
        }

      /* not_participant, booking_not_confirmed, outside_join_window, …: a
       * retry will not help. */
      mc_signaling_client_forget_room (self, error->message);
      mc_signaling_client_emit_error (self,
                                      error->domain == MC_ERROR ? (McErrorCode) error->code
                                                                : MC_ERROR_PROTOCOL,
                                      error->message, NULL);
      return;
    }

  token = json_object_get_string_member_with_default (answer, "token", NULL);
  if (token == NULL)
    {
      mc_signaling_client_schedule_rejoin (self);
      return;
    }

  g_free (self->call_token);
  self->call_token = g_strdup (token);
  self->token_refreshed = TRUE;
  mc_signaling_client_begin_join (self);
}

static gboolean
rejoin_cb (gpointer user_data)
{
  McSignalingClient *self = user_data;

  g_clear_pointer (&self->rejoin_source, g_source_unref);
  mc_signaling_client_begin_join (self);

  return G_SOURCE_REMOVE;
}

/* Steps that the callbacks above come back to */

void
mc_signaling_client_begin_join (McSignalingClient *self)
{
  if (self->booking_id == 0 || !self->welcomed || self->in_room || self->join_sent ||
      self->fetching_token || self->rejoin_source != NULL)
    return;

  if (!token_usable (self->call_token))
    {
      self->fetching_token = TRUE;
      mc_api_client_request_call_token_async (self->api, self->booking_id, self->cancellable,
                                              call_token_received_cb, self);
      return;
    }

  send_join (self);
}

/* Public API */

/**
 * mc_signaling_client_join:
 * @self: an #McSignalingClient
 * @booking_id: the booking whose call to join
 * @call_token: (nullable): a call token for it, or %NULL to have the client
 *   ask the REST API for one
 *
 * Joins the booking's room, now or as soon as the client is connected, and
 * again after every reconnect until mc_signaling_client_leave(). Connects
 * if needed. Success is #McSignalingClient::joined; a refusal that a new
 * token does not fix is an #McSignalingClient::error and clears
 * #McSignalingClient:booking-id.
 */
void
mc_signaling_client_join (McSignalingClient *self,
                          gint64             booking_id,
                          const char        *call_token)
{
  g_return_if_fail (MC_IS_SIGNALING_CLIENT (self));
  g_return_if_fail (booking_id > 0);

  if (self->booking_id != booking_id)
    {
      if (self->booking_id != 0)
        mc_signaling_client_leave (self);

      self->booking_id = booking_id;
      self->last_seq = 0;
      self->rejoin_backoff_ms = BACKOFF_INITIAL_MS;
      g_object_notify_by_pspec (G_OBJECT (self), mc_signaling_client_properties[PROP_BOOKING_ID]);
    }

  if (call_token != NULL)
    {
      g_free (self->call_token);
      self->call_token = g_strdup (call_token);
    }
  self->token_refreshed = FALSE;

  if (!self->wanted)
    mc_signaling_client_connect (self);
  else
    mc_signaling_client_begin_join (self);
}

/**
 * mc_signaling_client_leave:
 * @self: an #McSignalingClient
 *
 * Leaves the room (the call goes on for the other participant) and stops
 * rejoining it. Unsent chat messages fail.
 *
 * Returns: %TRUE if a `leave` was sent to the server
 */
gboolean
mc_signaling_client_leave (McSignalingClient *self)
{
  gboolean sent = FALSE;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  if (self->booking_id == 0)
    return FALSE;

  if (self->in_room || self->join_sent)
    {
      g_autoptr (JsonObject) leave = mc_signaling_client_new_message (self, "leave");

      sent = mc_signaling_client_send_message (self, leave);
    }

  mc_signaling_client_forget_room (self, _ ("Left the call"));
  return sent;
}

/**
 * mc_signaling_client_end:
 * @self: an #McSignalingClient
 *
 * Ends the session for both participants. The server answers with `ended`
 * (#McSignalingClient::ended), which also leaves the room.
 *
 * Returns: %TRUE if an `end` was sent
 */
gboolean
mc_signaling_client_end (McSignalingClient *self)
{
  g_autoptr (JsonObject) end = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  if (!self->in_room)
    return FALSE;

  end = mc_signaling_client_new_message (self, "end");
  return mc_signaling_client_send_message (self, end);
}

/**
 * mc_signaling_client_send_offer:
 * @self: an #McSignalingClient
 * @sdp: an SDP offer
 * @generation: the negotiation generation (see docs/call-engine.md)
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_offer (McSignalingClient *self,
                                const char        *sdp,
                                gint64             generation)
{
  g_autoptr (JsonObject) offer = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);

  offer = mc_signaling_client_new_message (self, "offer");
  json_object_set_string_member (offer, "sdp", sdp);
  json_object_set_int_member (offer, "generation", generation);
  return mc_signaling_client_send_relay (self, offer);
}

/**
 * mc_signaling_client_send_answer:
 * @self: an #McSignalingClient
 * @sdp: an SDP answer
 * @generation: the generation of the offer it answers
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_answer (McSignalingClient *self,
                                 const char        *sdp,
                                 gint64             generation)
{
  g_autoptr (JsonObject) answer = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (sdp != NULL, FALSE);

  answer = mc_signaling_client_new_message (self, "answer");
  json_object_set_string_member (answer, "sdp", sdp);
  json_object_set_int_member (answer, "generation", generation);
  return mc_signaling_client_send_relay (self, answer);
}

/**
 * mc_signaling_client_send_ice_candidate:
 * @self: an #McSignalingClient
 * @candidate: a candidate line, or "" for the end of candidates
 * @sdp_mline_index: the media line it belongs to (0–63)
 * @generation: the negotiation generation it belongs to
 *
 * Returns: %TRUE if it was sent; only possible in the room
 */
gboolean
mc_signaling_client_send_ice_candidate (McSignalingClient *self,
                                        const char        *candidate,
                                        guint              sdp_mline_index,
                                        gint64             generation)
{
  g_autoptr (JsonObject) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);
  g_return_val_if_fail (candidate != NULL, FALSE);

  message = mc_signaling_client_new_message (self, "ice-candidate");
  json_object_set_string_member (message, "candidate", candidate);
  json_object_set_int_member (message, "sdp_mline_index", sdp_mline_index);
  json_object_set_int_member (message, "generation", generation);
  return mc_signaling_client_send_relay (self, message);
}

/**
 * mc_signaling_client_send_media_state:
 * @self: an #McSignalingClient
 * @muted: whether the microphone is muted
 * @camera_off: whether the camera is off
 * @screen: whether the screen is sent instead of the camera
 *
 * Tells the other participant. The state is remembered and sent again after
 * every rejoin.
 *
 * Returns: %TRUE if it was sent now
 */
gboolean
mc_signaling_client_send_media_state (McSignalingClient *self,
                                      gboolean           muted,
                                      gboolean           camera_off,
                                      gboolean           screen)
{
  g_autoptr (JsonObject) message = NULL;

  g_return_val_if_fail (MC_IS_SIGNALING_CLIENT (self), FALSE);

  self->media_state_set = TRUE;
  self->muted = !!muted;
  self->camera_off = !!camera_off;
  self->screen = !!screen;

  message = mc_signaling_client_new_message (self, "media-state");
  json_object_set_boolean_member (message, "muted", self->muted);
  json_object_set_boolean_member (message, "camera_off", self->camera_off);
  json_object_set_boolean_member (message, "screen", self->screen);
  return mc_signaling_client_send_relay (self, message);
}
