/* mc-call-session-config.c — a call's settings, made before it is prepared
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * This part of McCallSession takes what the caller chooses before
 * mc_call_session_prepare_async(): sources and devices, the video format,
 * latency, sinks, and the ICE addresses and servers (the `ice_servers` of a
 * call token, turned into the URLs webrtcbin takes).
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-session-private.h"

/* Public API */

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
mc_call_session_set_ice_addresses (McCallSession      *self,
                                   const char * const *addresses)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  g_strfreev (self->ice_addresses);
  self->ice_addresses = g_strdupv ((char **) addresses);
}

/**
 * mc_call_session_set_relay_only:
 * @self: a session
 * @relay_only: whether media may only go through a TURN relay
 *
 * With @relay_only, ICE uses only relayed candidates (webrtcbin's
 * `ice-transport-policy` "relay"): the call works only through one of the
 * TURN servers of mc_call_session_set_ice_servers(), and the peer never sees
 * this machine's addresses. The default comes from
 * `MENTORCALL_ICE_RELAY_ONLY=1`. Takes effect with the next connection.
 */
void
mc_call_session_set_relay_only (McCallSession *self,
                                gboolean       relay_only)
{
  g_return_if_fail (MC_IS_CALL_SESSION (self));

  self->relay_only = !!relay_only;
}

static char *
server_url (const char *url,
            const char *username,
            const char *credential)
{
  const char      *scheme_end = strchr (url, ':');
  g_autofree char *scheme = NULL;
  const char      *rest;

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
mc_call_session_set_ice_servers (McCallSession *self,
                                 JsonArray     *servers,
                                 GError       **error)
{
  g_autoptr (GStrvBuilder) turn = g_strv_builder_new ();
  g_autofree char         *stun = NULL;

  g_return_val_if_fail (MC_IS_CALL_SESSION (self), FALSE);
  g_return_val_if_fail (servers != NULL, FALSE);

  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonNode             *node = json_array_get_element (servers, i);
      JsonObject           *server;
      JsonNode             *urls;
      const char           *username, *credential;
      g_autoptr (GPtrArray) list = g_ptr_array_new ();

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
          const char      *url = g_ptr_array_index (list, j);
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
