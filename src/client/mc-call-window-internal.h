/* mc-call-window-internal.h — a call window's state, shared by its parts
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * McCallWindow is written in eight files: mc-call-window.c (the call and
 * the controls), mc-call-window-screen.c (sharing the screen, by X11 or
 * the desktop portal), mc-call-window-status.c (the other side's status, the
 * notices, the connection's state, the clock), mc-call-window-network.c
 * (what the network does: lowered or paused video, the other side's poor
 * connection, the quality indicator), mc-call-window-chat.c (the
 * chat pane's glue, the unread count and the preview),
 * mc-call-window-layout.c (the window's own breakpoints and the self view's
 * size), mc-call-window-levels.c (who is speaking) and
 * mc-call-window-devices.c (the camera, microphone and speaker menu). Nothing outside them includes this header.
 */

#pragma once

#include <adwaita.h>

#include "mc-api-client.h"
#include "mc-call-controller.h"
#include "mc-call-window.h"
#include "mc-chat-message.h"
#include "mc-chat-pane.h"
#include "mc-protocol.h"
#include "mc-screen-cast.h"
#include "mc-signaling-client.h"
#include "mc-video-paintable.h"

G_BEGIN_DECLS

/* Speech while muted: louder than this (30 dB below full scale; a quiet
 * room stays under it) for this many 100 ms level readings in a row, and
 * the self view's mark says "You are muted" until this long after. */
#define SPEAKING_LEVEL        0.4
#define SPEAKING_READINGS     3
#define SPEAKING_HOLD_SECONDS 2

/* The window's own breakpoints, in pixels of window width. */
#define COMPACT_WIDTH     900
#define CHAT_BESIDE_WIDTH 760
#define NARROW_WIDTH      560
#define TINY_WIDTH        400

/* The self view: this share of the video's width, within these bounds. */
#define SELF_VIEW_SHARE     0.24
#define SELF_VIEW_MIN_WIDTH 96
#define SELF_VIEW_MAX_WIDTH 224

/* The other side is shown as speaking while their audio is this loud, and
 * for this long after. */
#define PEER_SPEAKING_LEVEL   0.4
#define PEER_SPEAKING_HOLD_MS 800

/* A new message's preview stays this long while the chat is hidden. */
#define PREVIEW_SECONDS 5

/* How the window shares the screen (mc-call-window-screen.c). */
typedef enum
{
  MC_SCREEN_SHARE_NONE,
  MC_SCREEN_SHARE_X11,
  MC_SCREEN_SHARE_PORTAL,
} McScreenShareMode;

struct _McCallWindow
{
  AdwWindow parent_instance;

  McApiClient      *api;
  JsonObject       *booking;
  McCallController *controller;
  GCancellable     *cancellable; /* the start, cancelled when the window goes */
  GSettings        *settings;
  McVideoPaintable *remote_paintable;
  McVideoPaintable *self_paintable;
  guint             clock_id;
  guint             inhibit_cookie;
  guint             unread;
  gint64            last_seq; /* of the chat messages shown */
  gboolean          muted;
  gboolean          camera_off;
  gboolean          screen_sharing;
  gboolean          chat_visible;
  gboolean          leaving;
  guint             loud_readings;
  guint             speaking_id;      /* while "You are muted" is shown */
  guint             preview_id;       /* while a message's preview shows */
  guint             peer_speaking_id; /* while the other side is shown speaking */
  int               layout_width;     /* the width the last allocation had */
  gboolean          chat_beside;      /* the chat's state while it was beside the video */
  gboolean          folding;          /* while apply_layout_cb () changes the flap */
  guint             layout_id;
  char             *notice; /* what the other side did, while it holds */
  char             *last_toast;
  GtkContentFit     camera_fit; /* the remote picture's, for a camera (the template's) */
  McScreenShareMode screen_mode;
  gboolean          screen_x11_unsupported; /* no X11 at all, rather than a missing element */
  McScreenCast     *screen_cast;            /* the portal's, once asked */
  gboolean          screen_cast_starting;   /* while its dialog is up */
  GActionMap       *device_actions;         /* "device.camera", … */
  GMenu            *devices_menu;
  gboolean          devices_ready; /* the call's media runs */

  AdwToastOverlay *toast_overlay;
  GtkPicture      *remote_picture;
  GtkPicture      *self_picture;
  GtkWidget       *self_camera_off;
  GtkWidget       *self_view;
  GtkWidget       *self_muted_mark;
  GtkLabel        *self_muted_label;
  GtkWidget       *mute_button;
  GtkWidget       *camera_button;
  GtkWidget       *peer_status;
  AdwAvatar       *peer_avatar;
  GtkLabel        *peer_status_label;
  GtkWidget       *screen_notice;
  GtkLabel        *screen_notice_label;
  GtkLabel        *peer_label;
  GtkWidget       *peer_bar;
  GtkWidget       *peer_speaking_image;
  GtkImage        *peer_muted_image;
  GtkLabel        *time_label;
  GtkImage        *quality_image;
  GtkLabel        *connection_label;
  GtkWidget       *reconnecting_box;
  GtkWidget       *network_box;
  GtkLabel        *send_notice_label;
  GtkLabel        *peer_notice_label;
  GtkRevealer     *preview_revealer;
  GtkLabel        *preview_label;
  GtkLabel        *unread_label;
  GtkWidget       *share_button;
  GtkWidget       *devices_button;
  AdwFlap         *flap;
  GtkWidget       *leave_label;
  GtkWidget       *end_label;
  GtkWidget       *fullscreen_button;
  McChatPane      *chat_pane;
};

/* mc-call-window.c */
void mc_call_window_set_screen_sharing (McCallWindow *self,
                                        gboolean      sharing);

/* mc-call-window-screen.c */
void     mc_call_window_init_screen_share (McCallWindow *self);
gboolean mc_call_window_ask_portal (McCallWindow *self);
gboolean mc_call_window_apply_screen_share (McCallWindow  *self,
                                            McCallSession *session,
                                            gboolean       sharing,
                                            GError       **error);
void     mc_call_window_release_screen_cast (McCallWindow *self);
void     mc_call_window_dispose_screen_share (McCallWindow *self);

/* mc-call-window-status.c */
const char    *mc_call_window_peer_name (McCallWindow *self);
McCallSession *mc_call_window_get_session (McCallWindow *self);
void           mc_call_window_update_peer_status (McCallWindow *self);
void           mc_call_window_session_state_cb (McCallSession *session, GParamSpec *pspec, McCallWindow *self);
void           mc_call_window_session_remote_media_cb (McCallSession *session, GParamSpec *pspec, McCallWindow *self);
void           mc_call_window_toast (McCallWindow *self, const char *message);
gint64         mc_call_window_peer_id (McCallWindow *self);
void           mc_call_window_peer_left_cb (McSignalingClient *signaling, gint64 booking_id, gint64 user_id, McLeaveReason reason, McCallWindow *self);
void           mc_call_window_peer_joined_cb (McSignalingClient *signaling, gint64 booking_id, JsonObject *user, gboolean muted, gboolean camera_off, const char *instance, McCallWindow *self);
gboolean       mc_call_window_clock_cb (gpointer user_data);

/* mc-call-window-network.c */
void mc_call_window_watch_network (McCallWindow *self);
void mc_call_window_unwatch_network (McCallWindow *self);

/* mc-call-window-chat.c */
void mc_call_window_update_unread (McCallWindow *self);
void mc_call_window_set_read_seq (McCallWindow *self,
                                  gint64        seq);
void mc_call_window_chat_received_cb (McSignalingClient *signaling,
                                      McChatMessage     *message,
                                      McCallWindow      *self);
void mc_call_window_chat_state_changed_cb (McSignalingClient *signaling,
                                           McChatMessage     *message,
                                           McCallWindow      *self);
void mc_call_window_chat_send_cb (McChatPane   *pane,
                                  const char   *text,
                                  McCallWindow *self);

/* mc-call-window-layout.c */
void     mc_call_window_relayout (McCallWindow *self,
                                  int           width);
gboolean mc_call_window_get_child_position_cb (GtkOverlay   *overlay,
                                               GtkWidget    *widget,
                                               GdkRectangle *allocation,
                                               McCallWindow *self);

/* mc-call-window-devices.c */
void mc_call_window_init_devices (McCallWindow *self);
void mc_call_window_watch_devices (McCallWindow  *self,
                                   McCallSession *session);
void mc_call_window_update_devices (McCallWindow *self);

/* mc-call-window-levels.c */
void mc_call_window_set_speaking_while_muted (McCallWindow *self,
                                              gboolean      speaking);
void mc_call_window_input_level_cb (McCallSession *session,
                                    double         level,
                                    McCallWindow  *self);
void mc_call_window_output_level_cb (McCallSession *session,
                                     double         level,
                                     McCallWindow  *self);

G_END_DECLS
