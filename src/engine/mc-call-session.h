/* mc-call-session.h — a 1-on-1 call: media, negotiation, recovery, statistics
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "mc-call-error.h"
#include "mc-call-stats.h"
#include "mc-media-devices.h"
#include "mc-media-pipeline.h"
#include "mc-video-ladder.h"

G_BEGIN_DECLS

/**
 * McCallSessionState:
 * @MC_CALL_SESSION_STATE_IDLE: made, nothing started
 * @MC_CALL_SESSION_STATE_PREPARING: capture and encoding are starting
 * @MC_CALL_SESSION_STATE_WAITING: capture and encoding run (a preview is possible);
 *   the peer is not there
 * @MC_CALL_SESSION_STATE_CONNECTING: the peer is there; offer/answer, ICE and DTLS
 *   are under way and no media has arrived yet
 * @MC_CALL_SESSION_STATE_CONNECTED: media from the peer arrives
 * @MC_CALL_SESSION_STATE_RECONNECTING: the media path died (ICE failed, or nothing
 *   arrived for a few seconds); a new connection is being negotiated
 * @MC_CALL_SESSION_STATE_ENDED: hung up; final
 * @MC_CALL_SESSION_STATE_FAILED: a fatal error (see mc_call_session_get_error()); final
 *
 * The state of a #McCallSession. Leaving and rejoining of the peer move
 * between WAITING, CONNECTING and CONNECTED any number of times.
 */
typedef enum
{
  MC_CALL_SESSION_STATE_IDLE,
  MC_CALL_SESSION_STATE_PREPARING,
  MC_CALL_SESSION_STATE_WAITING,
  MC_CALL_SESSION_STATE_CONNECTING,
  MC_CALL_SESSION_STATE_CONNECTED,
  MC_CALL_SESSION_STATE_RECONNECTING,
  MC_CALL_SESSION_STATE_ENDED,
  MC_CALL_SESSION_STATE_FAILED,
} McCallSessionState;

#define MC_TYPE_CALL_SESSION_STATE (mc_call_session_state_get_type ())
#define MC_TYPE_CALL_SESSION       (mc_call_session_get_type ())

GType mc_call_session_state_get_type (void) G_GNUC_CONST;

G_DECLARE_FINAL_TYPE (McCallSession, mc_call_session, MC, CALL_SESSION, GObject)

McCallSession *mc_call_session_new (gboolean initiator);

/* Configuration, before mc_call_session_prepare_async(). */
void     mc_call_session_set_test_sources (McCallSession *self,
                                           gboolean       test_sources);
void     mc_call_session_set_devices (McCallSession *self,
                                      const char    *video_device,
                                      const char    *audio_device);
void     mc_call_session_set_speaker_device (McCallSession *self,
                                             const char    *speaker_device);
void     mc_call_session_set_video_format (McCallSession *self,
                                           guint          width,
                                           guint          height,
                                           guint          framerate);
void     mc_call_session_set_latency (McCallSession *self,
                                      guint          latency_ms);
void     mc_call_session_set_fake_audio_output (McCallSession *self,
                                                gboolean       fake);
void     mc_call_session_set_echo_cancel (McCallSession *self,
                                          gboolean       echo_cancel);
void     mc_call_session_set_stamp_frames (McCallSession *self,
                                           gboolean       stamp_frames);
void     mc_call_session_set_video_sink (McCallSession *self,
                                         GstElement    *sink);
void     mc_call_session_set_preview_sink (McCallSession *self,
                                           GstElement    *sink);
void     mc_call_session_set_ice_addresses (McCallSession      *self,
                                            const char     *const *addresses);
void     mc_call_session_set_relay_only (McCallSession *self,
                                         gboolean       relay_only);
gboolean mc_call_session_set_ice_servers (McCallSession *self,
                                          JsonArray     *servers,
                                          GError       **error);
void     mc_call_session_debug_override_element (McCallSession *self,
                                                 const char    *factory,
                                                 const char    *replacement);
void     mc_call_session_debug_limit_bandwidth (McCallSession *self,
                                                guint          max_bitrate);

/* Life cycle. */
void     mc_call_session_prepare_async (McCallSession      *self,
                                        GCancellable       *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer            user_data);
gboolean mc_call_session_prepare_finish (McCallSession *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void     mc_call_session_hang_up (McCallSession *self);

/* What arrives from the signaling server. */
void mc_call_session_peer_joined (McCallSession *self);
void mc_call_session_peer_left (McCallSession *self);
void mc_call_session_receive_offer (McCallSession *self,
                                    const char    *sdp,
                                    gint64         generation);
void mc_call_session_receive_answer (McCallSession *self,
                                     const char    *sdp,
                                     gint64         generation);
void mc_call_session_receive_ice_candidate (McCallSession *self,
                                            const char    *candidate,
                                            guint          mline_index,
                                            gint64         generation);
void mc_call_session_receive_media_state (McCallSession *self,
                                          gboolean       muted,
                                          gboolean       camera_off,
                                          gboolean       screen);

/* Controls. */
void     mc_call_session_set_muted (McCallSession *self,
                                    gboolean       muted);
void     mc_call_session_set_camera_off (McCallSession *self,
                                         gboolean       camera_off);
gboolean mc_call_session_can_share_screen (GError **error);
gboolean mc_call_session_set_screen_share (McCallSession *self,
                                           gboolean       share,
                                           GError       **error);
gboolean mc_call_session_share_pipewire (McCallSession *self,
                                         int            fd,
                                         guint32        node_id,
                                         guint          width,
                                         guint          height,
                                         GError       **error);
void     mc_call_session_set_media_blocked (McCallSession *self,
                                            gboolean       blocked);
gboolean mc_call_session_set_device (McCallSession *self,
                                     McDeviceRole   role,
                                     const char    *identity,
                                     GError       **error);

/* State. */
gboolean           mc_call_session_get_initiator (McCallSession *self);
McCallSessionState mc_call_session_get_state (McCallSession *self);
const GError      *mc_call_session_get_error (McCallSession *self);
gboolean           mc_call_session_get_muted (McCallSession *self);
gboolean           mc_call_session_get_camera_off (McCallSession *self);
gboolean           mc_call_session_get_screen_share (McCallSession *self);
const char        *mc_call_session_get_device (McCallSession *self,
                                               McDeviceRole   role);
GPtrArray         *mc_call_session_list_devices (McCallSession *self,
                                                 McDeviceRole   role);
gboolean           mc_call_session_get_remote_muted (McCallSession *self);
gboolean           mc_call_session_get_remote_camera_off (McCallSession *self);
gboolean           mc_call_session_get_remote_screen_sharing (McCallSession *self);
McCallVideoKind    mc_call_session_get_remote_video (McCallSession *self);
gint64             mc_call_session_get_generation (McCallSession *self);
guint64            mc_call_session_get_frames_decoded (McCallSession *self);
guint64            mc_call_session_get_audio_buffers (McCallSession *self);
double             mc_call_session_get_time_to_first_frame (McCallSession *self);
gboolean           mc_call_session_get_video_paused (McCallSession *self);
guint              mc_call_session_get_bandwidth_estimate (McCallSession *self);
McCallStats       *mc_call_session_dup_stats (McCallSession *self);
GArray            *mc_call_session_dup_latency_samples (McCallSession *self);
const char        *mc_call_session_state_to_string (McCallSessionState state);

G_END_DECLS
