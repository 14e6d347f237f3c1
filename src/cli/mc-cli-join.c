/* mc-cli-join.c — `mentorcall-cli join` and `end`
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `join` runs a real call through McCallController: it prints each state
 * change and each second's statistics as they happen, and at the end
 * writes a JSON summary (time to the first remote frame, what was
 * received, frame latencies, CPU time and peak memory, the per-second
 * statistics) for tests, benchmarks and monitoring probes.
 *
 * Besides the call's states it prints what the recovery benchmark times: the
 * signaling connection's state and the room ("signaling reconnecting",
 * "signaling connected", "in room"), chat messages as they arrive, and when
 * remote video stalls and resumes, which the per-second statistics show
 * only to the second.
 *
 * With --share-pipewire-node it shares a PipeWire stream as the screen once
 * the other side's video arrives, as the app does with what the desktop
 * portal grants: the way to test screen sharing against a real compositor
 * (tests/cli/test-cli-screencast.c shares a headless Mutter's monitor).
 */

#define G_LOG_DOMAIN "mentorcall-cli"

#include <stdio.h>
#include <sys/resource.h>

#include <gio/gunixsocketaddress.h>
#include <glib-unix.h>
#include <gst/gst.h>

#include "mc-call-controller.h"
#include "mc-call-error.h"
#include "mc-cli.h"
#include "mc-protocol.h"

#define END_TIMEOUT_SECONDS 10
/* Remote video is looked at this often; no new frame for STALL_MS (several
 * frame intervals at 30 fps) is a stall. */
#define MEDIA_WATCH_MS 10
#define STALL_MS       250

typedef struct
{
  const McCliJoinOptions *options;
  McCallController       *controller;
  GMainLoop              *loop;
  JsonArray              *states;
  JsonArray              *stats;
  gint64                  started;
  gboolean                failed;
  gboolean                ended;
  gboolean                finishing;
  gboolean                remote_muted_seen;
  gboolean                remote_camera_off_seen;
  gboolean                remote_screen_seen;
  int                     remote_muted; /* as last printed; -1 before */
  int                     remote_camera_off;
  int                     remote_screen;
  guint                   duration_id;
  guint                   media_watch_id;
  guint64                 frames_seen;
  gint64                  last_frame_time; /* monotonic µs of the last new frame seen */
  gboolean                stalled;
  GSocket                *pipewire; /* the connection a shared node is read through */
  gboolean                share_started;
  guint                   share_stop_id;
} Join;

static double
elapsed (Join *join)
{
  return (g_get_monotonic_time () - join->started) / (double) G_USEC_PER_SEC;
}

static void
session_state_cb (McCallSession *session,
                  GParamSpec    *pspec,
                  Join          *join)
{
  McCallSessionState     state = mc_call_session_get_state (session);
  g_autoptr (JsonObject) entry = json_object_new ();
  const char            *name = mc_call_session_state_to_string (state);

  g_print ("%.3f state %s\n", elapsed (join), name);
  json_object_set_double_member (entry, "t", elapsed (join));
  json_object_set_string_member (entry, "state", name);
  json_array_add_object_element (join->states, json_object_ref (entry));

  if (state == MC_CALL_SESSION_STATE_FAILED)
    {
      const GError *error = mc_call_session_get_error (session);

      g_printerr ("mentorcall-cli: the call failed: %s\n",
                  error != NULL ? error->message : "unknown error");
      join->failed = TRUE;
      g_main_loop_quit (join->loop);
    }
}

static void
session_remote_media_cb (McCallSession *session,
                         GParamSpec    *pspec,
                         Join          *join)
{
  gboolean muted = mc_call_session_get_remote_muted (session);
  gboolean camera_off = mc_call_session_get_remote_camera_off (session);
  gboolean screen = mc_call_session_get_remote_screen_sharing (session);

  join->remote_muted_seen |= muted;
  join->remote_camera_off_seen |= camera_off;
  join->remote_screen_seen |= screen;

  /* The properties change together at times; say it once. */
  if (join->remote_muted == muted && join->remote_camera_off == camera_off &&
      join->remote_screen == screen)
    return;
  join->remote_muted = muted;
  join->remote_camera_off = camera_off;
  join->remote_screen = screen;

  g_print ("%.3f peer %s, camera %s%s\n", elapsed (join), muted ? "muted" : "unmuted",
           camera_off ? "off" : "on", screen ? ", sharing the screen" : "");
}

static void
session_stats_cb (McCallSession     *session,
                  const McCallStats *stats,
                  Join              *join)
{
  g_autoptr (JsonObject) object = mc_call_stats_to_json (stats);
  g_autoptr (JsonNode)   node = json_node_init_object (json_node_alloc (), object);
  g_autofree char       *text = json_to_string (node, FALSE);

  json_object_set_double_member (object, "t", elapsed (join));
  g_print ("%.3f stats %s\n", elapsed (join), text);
  json_array_add_object_element (join->stats, json_object_ref (object));
}

/* A connection to the PipeWire daemon that the node is on, as the portal's
 * OpenPipeWireRemote gives the app: $PIPEWIRE_REMOTE (a socket's path or
 * name) or the session's "pipewire-0", in $XDG_RUNTIME_DIR. */
static GSocket *
connect_pipewire (GError **error)
{
  const char                *remote = g_getenv ("PIPEWIRE_REMOTE");
  g_autofree char           *path = NULL;
  g_autoptr (GSocket)        socket = NULL;
  g_autoptr (GSocketAddress) address = NULL;

  if (remote == NULL || *remote == '\0')
    remote = "pipewire-0";
  if (g_path_is_absolute (remote))
    path = g_strdup (remote);
  else
    path = g_build_filename (g_get_user_runtime_dir (), remote, NULL);

  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         error);
  if (socket == NULL)
    return NULL;
  address = g_unix_socket_address_new (path);
  if (!g_socket_connect (socket, address, NULL, error))
    {
      g_prefix_error (error, "PipeWire at %s: ", path);
      return NULL;
    }

  return g_steal_pointer (&socket);
}

static gboolean
share_stop_cb (gpointer user_data)
{
  Join              *join = user_data;
  McCallSession     *session = mc_call_controller_get_session (join->controller);
  g_autoptr (GError) error = NULL;

  join->share_stop_id = 0;
  if (session != NULL && !mc_call_session_set_screen_share (session, FALSE, &error))
    g_printerr ("mentorcall-cli: cannot stop sharing: %s\n", error->message);

  return G_SOURCE_REMOVE;
}

static void
share_pipewire (Join          *join,
                McCallSession *session)
{
  const McCliJoinOptions *options = join->options;
  g_autoptr (GError)      error = NULL;

  join->share_started = TRUE;
  join->pipewire = connect_pipewire (&error);
  if (join->pipewire == NULL ||
      !mc_call_session_share_pipewire (session, g_socket_get_fd (join->pipewire),
                                       (guint32) options->share_node, 0, 0, &error))
    {
      g_printerr ("mentorcall-cli: cannot share PipeWire node %" G_GINT64_FORMAT ": %s\n",
                  options->share_node, error->message);
      join->failed = TRUE;
      g_main_loop_quit (join->loop);
      return;
    }

  if (options->share_for > 0)
    join->share_stop_id = g_timeout_add ((guint) (options->share_for * 1000), share_stop_cb, join);
}

static void
session_screen_sharing_cb (McCallSession *session,
                           GParamSpec    *pspec,
                           Join          *join)
{
  if (mc_call_session_get_screen_share (session))
    g_print ("%.3f sharing PipeWire node %" G_GINT64_FORMAT " as the screen\n", elapsed (join),
             join->options->share_node);
  else
    g_print ("%.3f sending the camera again\n", elapsed (join));
}

static void
session_screen_share_stopped_cb (McCallSession *session,
                                 const GError  *error,
                                 Join          *join)
{
  g_print ("%.3f screen sharing stopped: %s\n", elapsed (join), error->message);
}

static void
first_remote_frame_cb (McCallSession *session,
                       double         milliseconds,
                       Join          *join)
{
  g_print ("%.3f first remote frame %.1f ms after negotiation began\n", elapsed (join),
           milliseconds);

  if (join->options->share_node >= 0 && !join->share_started)
    share_pipewire (join, session);
}

/* What the bandwidth estimate did to the video we send; the lines are
 * meant for people and for scripts alike (tests/cli reads them). */
static void
send_quality_changed_cb (McCallSession      *session,
                         McVideoLadderChange change,
                         guint               width,
                         guint               height,
                         guint               framerate,
                         Join               *join)
{
  switch (change)
    {
    case MC_VIDEO_LADDER_LOWERED:
      g_print ("%.3f video quality lowered: the connection is slow, sending %ux%u at %u fps\n",
               elapsed (join), width, height, framerate);
      break;
    case MC_VIDEO_LADDER_RAISED:
      g_print ("%.3f video quality raised: sending %ux%u at %u fps\n", elapsed (join), width,
               height, framerate);
      break;
    case MC_VIDEO_LADDER_PAUSED:
      g_print ("%.3f video paused: the network is too slow (audio goes on)\n", elapsed (join));
      break;
    case MC_VIDEO_LADDER_RESUMED:
      g_print ("%.3f video sending again: %ux%u at %u fps\n", elapsed (join), width, height,
               framerate);
      break;
    case MC_VIDEO_LADDER_UNCHANGED:
    default:
      break;
    }
}

static gboolean
media_watch_cb (gpointer user_data)
{
  Join          *join = user_data;
  McCallSession *session = mc_call_controller_get_session (join->controller);
  guint64        frames = session != NULL ? mc_call_session_get_frames_decoded (session) : 0;
  gint64         now = g_get_monotonic_time ();

  if (frames > join->frames_seen)
    {
      if (join->stalled)
        g_print ("%.3f video resumed after %.0f ms\n", elapsed (join),
                 (now - join->last_frame_time) / 1000.0);
      join->frames_seen = frames;
      join->last_frame_time = now;
      join->stalled = FALSE;
    }
  else if (join->frames_seen > 0 && !join->stalled &&
           now - join->last_frame_time > STALL_MS * 1000)
    {
      g_print ("%.3f video stalled since %.3f\n", elapsed (join),
               (join->last_frame_time - join->started) / (double) G_USEC_PER_SEC);
      join->stalled = TRUE;
    }

  return G_SOURCE_CONTINUE;
}

static void
signaling_state_cb (McSignalingClient *signaling,
                    GParamSpec        *pspec,
                    Join              *join)
{
  g_autoptr (GEnumClass) states = g_type_class_ref (MC_TYPE_SIGNALING_STATE);
  GEnumValue            *value = g_enum_get_value (states, mc_signaling_client_get_state (signaling));

  g_print ("%.3f signaling %s\n", elapsed (join), value != NULL ? value->value_nick : "unknown");
}

static void
signaling_in_room_cb (McSignalingClient *signaling,
                      GParamSpec        *pspec,
                      Join              *join)
{
  g_print ("%.3f %s\n", elapsed (join),
           mc_signaling_client_get_in_room (signaling) ? "in room" : "out of room");
}

static void
signaling_chat_cb (McSignalingClient *signaling,
                   McChatMessage     *message,
                   Join              *join)
{
  g_autofree char *sender = mc_cli_escape_text (mc_chat_message_get_sender_name (message));
  g_autofree char *text = mc_cli_escape_text (mc_chat_message_get_text (message));

  g_print ("%.3f chat %" G_GINT64_FORMAT " from %s: %s\n", elapsed (join),
           mc_chat_message_get_seq (message), sender, text);
}

static void
configure_session_cb (McCallController *controller,
                      McCallSession    *session,
                      Join             *join)
{
  const McCliJoinOptions *options = join->options;

  mc_call_session_set_test_sources (session, options->test_sources);
  mc_call_session_set_video_format (session,
                                    options->width > 0 ? options->width : 1280,
                                    options->height > 0 ? options->height : 720,
                                    options->framerate > 0 ? options->framerate : 30);
  if (options->latency > 0)
    mc_call_session_set_latency (session, options->latency);
  if (options->ice_addresses != NULL)
    mc_call_session_set_ice_addresses (session, (const char * const *) options->ice_addresses);
  if (options->relay_only)
    mc_call_session_set_relay_only (session, TRUE);
  mc_call_session_set_fake_audio_output (session, options->fake_audio);
  mc_call_session_set_stamp_frames (session, options->stamp_frames);

  g_signal_connect (session, "notify::state", G_CALLBACK (session_state_cb), join);
  g_signal_connect (session, "notify::remote-muted", G_CALLBACK (session_remote_media_cb), join);
  g_signal_connect (session, "notify::remote-camera-off",
                    G_CALLBACK (session_remote_media_cb), join);
  g_signal_connect (session, "notify::remote-screen-sharing",
                    G_CALLBACK (session_remote_media_cb), join);
  g_signal_connect (session, "stats", G_CALLBACK (session_stats_cb), join);
  g_signal_connect (session, "first-remote-frame", G_CALLBACK (first_remote_frame_cb), join);
  g_signal_connect (session, "send-quality-changed", G_CALLBACK (send_quality_changed_cb), join);
  g_signal_connect (session, "notify::screen-sharing", G_CALLBACK (session_screen_sharing_cb),
                    join);
  g_signal_connect (session, "screen-share-stopped", G_CALLBACK (session_screen_share_stopped_cb),
                    join);
}

static void
controller_ended_cb (McCallController *controller,
                     gint64            by,
                     Join             *join)
{
  g_print ("%.3f ended by %s\n", elapsed (join), by != 0 ? "a participant" : "the server");
  join->ended = TRUE;
  g_main_loop_quit (join->loop);
}

static void
started_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Join              *join = user_data;
  McCallController  *controller = MC_CALL_CONTROLLER (object);
  g_autoptr (GError) error = NULL;
  McCallSession     *session;
  McSignalingClient *signaling;

  if (!mc_call_controller_start_finish (controller, result, &error))
    {
      /* A session that failed has said why already (session_state_cb). */
      if (!join->failed)
        g_printerr ("mentorcall-cli: cannot join: %s\n", error->message);
      join->failed = TRUE;
      g_main_loop_quit (join->loop);
      return;
    }

  session = mc_call_controller_get_session (controller);
  g_print ("%.3f joined booking %" G_GINT64_FORMAT " as %s\n", elapsed (join),
           mc_call_controller_get_booking_id (controller), mc_call_controller_get_role (controller));

  signaling = mc_call_controller_get_signaling (controller);
  if (signaling != NULL)
    {
      g_signal_connect (signaling, "notify::state", G_CALLBACK (signaling_state_cb), join);
      g_signal_connect (signaling, "notify::in-room", G_CALLBACK (signaling_in_room_cb), join);
      g_signal_connect (signaling, "chat-received", G_CALLBACK (signaling_chat_cb), join);
    }
  join->media_watch_id = g_timeout_add (MEDIA_WATCH_MS, media_watch_cb, join);

  if (join->options->muted)
    mc_call_session_set_muted (session, TRUE);
  if (join->options->camera_off)
    mc_call_session_set_camera_off (session, TRUE);
}

static gboolean
duration_cb (gpointer user_data)
{
  Join *join = user_data;

  join->duration_id = 0;
  g_main_loop_quit (join->loop);

  return G_SOURCE_REMOVE;
}

static gboolean
signal_cb (gpointer user_data)
{
  Join *join = user_data;

  g_main_loop_quit (join->loop);

  return G_SOURCE_CONTINUE;
}

static gboolean
end_timeout_cb (gpointer user_data)
{
  Join *join = user_data;

  g_printerr ("mentorcall-cli: the server did not confirm the end in time\n");
  join->failed = TRUE;
  g_main_loop_quit (join->loop);

  return G_SOURCE_REMOVE;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static JsonObject *
summarize_latency (McCallSession *session)
{
  g_autoptr (GArray) samples = mc_call_session_dup_latency_samples (session);
  JsonObject        *latency = json_object_new ();
  double             sum = 0;

  json_object_set_int_member (latency, "samples", samples != NULL ? samples->len : 0);
  if (samples == NULL || samples->len == 0)
    return latency;

  g_array_sort (samples, compare_gint64);
  for (guint i = 0; i < samples->len; i++)
    sum += g_array_index (samples, gint64, i);

  json_object_set_double_member (latency, "mean_ms", sum / samples->len / 1000.0);
  json_object_set_double_member (latency, "p50_ms",
                                 g_array_index (samples, gint64, samples->len / 2) / 1000.0);
  json_object_set_double_member (latency, "p95_ms",
                                 g_array_index (samples, gint64, samples->len * 95 / 100) / 1000.0);
  json_object_set_double_member (latency, "max_ms",
                                 g_array_index (samples, gint64, samples->len - 1) / 1000.0);

  return latency;
}

static gboolean
write_summary (Join       *join,
               const char *path,
               GError    **error)
{
  McCallSession         *session = mc_call_controller_get_session (join->controller);
  g_autoptr (JsonObject) summary = json_object_new ();
  g_autoptr (JsonNode)   node = NULL;
  g_autofree char       *text = NULL;
  struct rusage          usage;
  double                 ttff = session != NULL ? mc_call_session_get_time_to_first_frame (session) : -1;

  getrusage (RUSAGE_SELF, &usage);

  json_object_set_int_member (summary, "booking_id",
                              mc_call_controller_get_booking_id (join->controller));
  json_object_set_string_member (summary, "role", mc_call_controller_get_role (join->controller) ? mc_call_controller_get_role (join->controller) : "unknown");
  json_object_set_string_member (summary, "result", join->failed ? "failed" : "ok");
  json_object_set_boolean_member (summary, "ended", join->ended);
  json_object_set_double_member (summary, "duration_s", elapsed (join));
  if (ttff >= 0)
    json_object_set_double_member (summary, "time_to_first_frame_ms", ttff);
  else
    json_object_set_null_member (summary, "time_to_first_frame_ms");
  json_object_set_int_member (summary, "frames_decoded",
                              session ? mc_call_session_get_frames_decoded (session) : 0);
  json_object_set_int_member (summary, "audio_buffers_received",
                              session ? mc_call_session_get_audio_buffers (session) : 0);
  json_object_set_boolean_member (summary, "remote_muted_seen", join->remote_muted_seen);
  json_object_set_boolean_member (summary, "remote_camera_off_seen",
                                  join->remote_camera_off_seen);
  json_object_set_boolean_member (summary, "remote_screen_seen", join->remote_screen_seen);
  if (session != NULL)
    json_object_set_object_member (summary, "latency", summarize_latency (session));
  json_object_set_double_member (summary, "cpu_s",
                                 usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                                   (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  json_object_set_int_member (summary, "max_rss_kib", usage.ru_maxrss);
  json_object_set_array_member (summary, "states", json_array_ref (join->states));
  json_object_set_array_member (summary, "stats", json_array_ref (join->stats));

  node = json_node_init_object (json_node_alloc (), summary);
  text = json_to_string (node, TRUE);

  return g_file_set_contents (path, text, -1, error);
}

/**
 * mc_cli_join:
 * @api: a logged-in client
 * @booking_id: the booking
 * @options: the command's options
 *
 * Returns: the exit status
 */
int
mc_cli_join (McApiClient            *api,
             gint64                  booking_id,
             const McCliJoinOptions *options)
{
  g_autoptr (McCallController) controller = NULL;
  g_autoptr (GMainLoop)        loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GError)           error = NULL;
  Join                         join = { 0 };
  McCallSession               *session;
  guint                        sigint_id, sigterm_id;

  /* The only command that needs GStreamer; main () leaves it to us. Does
   * nothing if --gst-* options made main () initialise it already. */
  gst_init (NULL, NULL);

  controller = mc_call_controller_new (api, booking_id);
  join.options = options;
  join.controller = controller;
  join.loop = loop;
  join.states = json_array_new ();
  join.stats = json_array_new ();
  join.started = g_get_monotonic_time ();
  join.remote_muted = join.remote_camera_off = join.remote_screen = -1;

  g_signal_connect (controller, "configure-session", G_CALLBACK (configure_session_cb), &join);
  g_signal_connect (controller, "ended", G_CALLBACK (controller_ended_cb), &join);
  mc_call_controller_start_async (controller, NULL, started_cb, &join);

  sigint_id = g_unix_signal_add (SIGINT, signal_cb, &join);
  sigterm_id = g_unix_signal_add (SIGTERM, signal_cb, &join);
  if (options->duration > 0)
    join.duration_id = g_timeout_add ((guint) (options->duration * 1000), duration_cb, &join);

  g_main_loop_run (loop);

  g_clear_handle_id (&join.duration_id, g_source_remove);
  g_clear_handle_id (&join.media_watch_id, g_source_remove);
  g_clear_handle_id (&join.share_stop_id, g_source_remove);
  if (mc_call_controller_get_signaling (controller) != NULL)
    g_signal_handlers_disconnect_by_data (mc_call_controller_get_signaling (controller), &join);

  if (!join.failed && !join.ended && options->end_at_exit &&
      mc_call_controller_end (controller))
    {
      guint timeout_id = g_timeout_add_seconds (END_TIMEOUT_SECONDS, end_timeout_cb, &join);

      g_main_loop_run (loop);
      if (!join.failed)
        g_source_remove (timeout_id);
    }
  else if (!join.ended)
    {
      mc_call_controller_leave (controller);
    }

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  session = mc_call_controller_get_session (controller);
  g_print ("%.3f left: %" G_GUINT64_FORMAT " video frames and %" G_GUINT64_FORMAT
           " audio buffers received\n",
           elapsed (&join),
           session ? mc_call_session_get_frames_decoded (session) : 0,
           session ? mc_call_session_get_audio_buffers (session) : 0);

  if (options->require_media && !join.failed &&
      (session == NULL || mc_call_session_get_frames_decoded (session) == 0 ||
       mc_call_session_get_audio_buffers (session) == 0))
    {
      g_printerr ("mentorcall-cli: no video or no audio arrived from the other side\n");
      join.failed = TRUE;
    }

  if (options->stats_json != NULL && !write_summary (&join, options->stats_json, &error))
    {
      g_printerr ("mentorcall-cli: cannot write %s: %s\n", options->stats_json, error->message);
      join.failed = TRUE;
    }

  /* Let the leave go out before the connection closes. */
  for (gint64 deadline = g_get_monotonic_time () + 100 * 1000;
       g_get_monotonic_time () < deadline;)
    g_main_context_iteration (NULL, FALSE);

  json_array_unref (join.states);
  json_array_unref (join.stats);
  /* Only now: the stream read through it stopped with the call. */
  g_clear_object (&join.pipewire);

  return join.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

typedef struct
{
  gboolean joined;
  gboolean ended;
  char    *error;
} EndWait;

static void
end_joined_cb (McSignalingClient *signaling,
               gint64             booking_id,
               JsonObject        *message,
               EndWait           *wait)
{
  wait->joined = TRUE;
}

static void
end_ended_cb (McSignalingClient *signaling,
              gint64             booking_id,
              gint64             by,
              JsonObject        *call,
              EndWait           *wait)
{
  wait->ended = TRUE;
}

static void
end_error_cb (McSignalingClient *signaling,
              McErrorCode        code,
              const char        *message,
              const char        *request_id,
              EndWait           *wait)
{
  if (code != MC_ERROR_NETWORK && wait->error == NULL)
    wait->error = g_strdup (message);
}

static gboolean
flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * mc_cli_end:
 * @api: a logged-in client
 * @booking_id: the booking
 *
 * Joins the booking's room without media, ends the session, and waits for
 * the server to confirm it.
 *
 * Returns: the exit status
 */
int
mc_cli_end (McApiClient *api,
            gint64       booking_id)
{
  g_autoptr (GAsyncResult)      result = NULL;
  g_autoptr (JsonObject)        token = NULL;
  g_autoptr (McSignalingClient) signaling = NULL;
  g_autoptr (GError)            error = NULL;
  EndWait                       wait = { 0 };
  gboolean                      timed_out = FALSE;
  guint                         timeout_id;

  mc_api_client_request_call_token_async (api, booking_id, NULL, mc_cli_wait_cb, &result);
  token = mc_api_client_request_call_token_finish (api, mc_cli_wait (&result), &error);
  if (token == NULL)
    {
      g_printerr ("mentorcall-cli: cannot end the session: %s\n", error->message);
      return EXIT_FAILURE;
    }

  signaling = mc_signaling_client_new (api);
  mc_signaling_client_set_url (signaling, json_object_get_string_member (token, "signaling_url"));
  g_signal_connect (signaling, "joined", G_CALLBACK (end_joined_cb), &wait);
  g_signal_connect (signaling, "ended", G_CALLBACK (end_ended_cb), &wait);
  g_signal_connect (signaling, "error", G_CALLBACK (end_error_cb), &wait);
  mc_signaling_client_join (signaling, booking_id, json_object_get_string_member (token, "token"));

  timeout_id = g_timeout_add_seconds (END_TIMEOUT_SECONDS, flag_cb, &timed_out);
  while (!wait.joined && wait.error == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (wait.joined)
    mc_signaling_client_end (signaling);

  while (wait.joined && !wait.ended && wait.error == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (timeout_id);
  g_signal_handlers_disconnect_by_data (signaling, &wait);
  mc_signaling_client_disconnect (signaling);

  if (!wait.ended)
    {
      g_printerr ("mentorcall-cli: cannot end the session: %s\n",
                  wait.error != NULL ? wait.error : "the server did not answer in time");
      g_free (wait.error);
      return EXIT_FAILURE;
    }

  g_print ("Ended the session of booking %" G_GINT64_FORMAT "\n", booking_id);
  g_free (wait.error);
  return EXIT_SUCCESS;
}

/**
 * mc_cli_check:
 *
 * `mentorcall-cli check`: says, for every GStreamer element a call can
 * need, whether it is installed, and which packages to install when not.
 *
 * Returns: the exit status: failure when an element is missing
 */
int
mc_cli_check (void)
{
  g_autoptr (GPtrArray) packages = g_ptr_array_new ();
  const McCallElement  *elements;
  gsize                 n_elements;

  gst_init (NULL, NULL);

  elements = mc_call_elements (&n_elements);
  for (gsize i = 0; i < n_elements; i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (elements[i].factory);

      g_print ("%-8s %-16s %-26s %s\n", factory != NULL ? "ok" : "MISSING",
               elements[i].factory, elements[i].package, elements[i].purpose);
      if (factory == NULL &&
          !g_ptr_array_find_with_equal_func (packages, elements[i].package, g_str_equal, NULL))
        g_ptr_array_add (packages, (gpointer) elements[i].package);
    }

  if (packages->len == 0)
    {
      g_print ("All %" G_GSIZE_FORMAT " elements are installed.\n", n_elements);
      return EXIT_SUCCESS;
    }

  g_ptr_array_add (packages, NULL);
  {
    g_autofree char *list = g_strjoinv (" ", (char **) packages->pdata);

    g_printerr ("mentorcall-cli: elements are missing; install them with: apt install %s\n",
                list);
  }
  return EXIT_FAILURE;
}
