/* mc-call-window-network.c — what the call window says about the network
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-call-window.c for the window. The call's McCallNetwork (kept by
 * its McCallController) decides what is worth saying; here it is said:
 *
 * - a toast when our video is lowered ("Your connection is slow: video
 *   quality lowered") and when it is sent again after a pause;
 * - a notice under the top bar, for as long as it holds, while our video
 *   is paused ("Video paused: the network is too slow") and while the
 *   other side's connection is poor ("Maria's connection is poor");
 * - the quality indicator, with the figures behind it in its tooltip:
 *   what we receive and send (bitrate, resolution, loss) and the round trip.
 */

#define G_LOG_DOMAIN "mc-call-window"

#include "config.h"

#include <glib/gi18n.h>

#include "mc-call-window-internal.h"
#include "mc-call-window-private.h"

static const char *
quality_icon (McCallQuality quality)
{
  switch (quality)
    {
    case MC_CALL_QUALITY_GOOD:
      return "network-cellular-signal-excellent-symbolic";
    case MC_CALL_QUALITY_FAIR:
      return "network-cellular-signal-ok-symbolic";
    case MC_CALL_QUALITY_POOR:
      return "network-cellular-signal-weak-symbolic";
    case MC_CALL_QUALITY_UNKNOWN:
    default:
      return "network-cellular-signal-none-symbolic";
    }
}

static const char *
quality_text (McCallQuality quality)
{
  switch (quality)
    {
    case MC_CALL_QUALITY_GOOD:
      return _ ("Network quality: good");
    case MC_CALL_QUALITY_FAIR:
      return _ ("Network quality: fair");
    case MC_CALL_QUALITY_POOR:
      return _ ("Network quality: poor");
    case MC_CALL_QUALITY_UNKNOWN:
    default:
      return _ ("Network quality: unknown");
    }
}

/* The tooltip: the word, then the figures behind it. */
static char *
quality_tooltip (McCallNetwork *network)
{
  const McCallStats *stats = mc_call_network_get_stats (network);
  McCallQuality      quality = mc_call_network_get_quality (network);
  GString           *text = g_string_new (quality_text (quality));

  if (stats == NULL || quality == MC_CALL_QUALITY_UNKNOWN)
    return g_string_free (text, FALSE);

  g_string_append_c (text, '\n');
  if (stats->width > 0)
    /* Translators: the quality's tooltip: the bitrate received in kbit/s,
     * the other side's video size and frame rate, the share of their
     * packets lost */
    g_string_append_printf (text, _ ("Receiving %.0f kbit/s, %u×%u at %.0f fps, %.1f %% lost"),
                            stats->bitrate_in / 1000.0, stats->width, stats->height,
                            stats->frame_rate, stats->loss * 100.0);
  else
    /* Translators: as above, without video (their camera is off) */
    g_string_append_printf (text, _ ("Receiving %.0f kbit/s, %.1f %% lost"),
                            stats->bitrate_in / 1000.0, stats->loss * 100.0);

  g_string_append_c (text, '\n');
  if (stats->video_paused)
    /* Translators: the bitrate we send in kbit/s and the share of our
     * packets lost, while our video is paused */
    g_string_append_printf (text, _ ("Sending %.0f kbit/s, video paused, %.1f %% lost"),
                            stats->bitrate_out / 1000.0, stats->sent_loss * 100.0);
  else if (stats->send_width > 0)
    /* Translators: the bitrate we send in kbit/s, our video's size and
     * frame rate, the share of our packets lost */
    g_string_append_printf (text, _ ("Sending %.0f kbit/s, %u×%u at %u fps, %.1f %% lost"),
                            stats->bitrate_out / 1000.0, stats->send_width, stats->send_height,
                            stats->send_framerate, stats->sent_loss * 100.0);
  else
    /* Translators: as above, without video (our camera is off) */
    g_string_append_printf (text, _ ("Sending %.0f kbit/s, %.1f %% lost"),
                            stats->bitrate_out / 1000.0, stats->sent_loss * 100.0);

  if (stats->round_trip_ms >= 0)
    {
      g_string_append_c (text, '\n');
      /* Translators: the network's round trip in milliseconds */
      g_string_append_printf (text, _ ("Round trip %.0f ms"), stats->round_trip_ms);
    }

  return g_string_free (text, FALSE);
}

/* The notices that hold while their cause does. */
static void
update_notices (McCallWindow *self)
{
  McCallNetwork   *network = mc_call_controller_get_network (self->controller);
  gboolean         paused = mc_call_network_get_sending (network) == MC_CALL_NETWORK_SENDING_PAUSED;
  gboolean         peer_poor = mc_call_network_get_peer_poor (network);
  g_autofree char *peer = NULL;

  gtk_label_set_label (self->send_notice_label,
                       paused ? _ ("Video paused: the network is too slow") : "");
  gtk_widget_set_visible (GTK_WIDGET (self->send_notice_label), paused);

  if (peer_poor)
    /* Translators: %s is the other participant */
    peer = g_strdup_printf (_ ("%s's connection is poor"), mc_call_window_peer_name (self));
  gtk_label_set_label (self->peer_notice_label, peer ? peer : "");
  gtk_widget_set_visible (GTK_WIDGET (self->peer_notice_label), peer_poor);

  gtk_widget_set_visible (self->network_box, paused || peer_poor);
}

static void
network_changed_cb (McCallNetwork *network,
                    GParamSpec    *pspec,
                    McCallWindow  *self)
{
  g_autofree char *tooltip = quality_tooltip (network);

  gtk_image_set_from_icon_name (self->quality_image,
                                quality_icon (mc_call_network_get_quality (network)));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->quality_image), tooltip);
  update_notices (self);
}

static void
network_notice_cb (McCallNetwork      *network,
                   McCallNetworkNotice notice,
                   McCallWindow       *self)
{
  switch (notice)
    {
    case MC_CALL_NETWORK_NOTICE_LOWERED:
      mc_call_window_toast (self, _ ("Your connection is slow: video quality lowered"));
      break;
    case MC_CALL_NETWORK_NOTICE_RESUMED:
      mc_call_window_toast (self, _ ("Your video is back on: the network recovered"));
      break;
    case MC_CALL_NETWORK_NOTICE_PAUSED:
    case MC_CALL_NETWORK_NOTICE_PEER_POOR:
    case MC_CALL_NETWORK_NOTICE_PEER_RECOVERED:
    default:
      /* Said by the notices for as long as they hold. */
      break;
    }
  update_notices (self);
}

/* Follows the controller's McCallNetwork, from the start of the call. */
void
mc_call_window_watch_network (McCallWindow *self)
{
  McCallNetwork *network = mc_call_controller_get_network (self->controller);

  g_signal_connect (network, "notify", G_CALLBACK (network_changed_cb), self);
  g_signal_connect (network, "notice", G_CALLBACK (network_notice_cb), self);
  network_changed_cb (network, NULL, self);
}

void
mc_call_window_unwatch_network (McCallWindow *self)
{
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (mc_call_controller_get_network (self->controller), self);
}

/* For the tests: what the notices under the top bar say, one a line, or
 * %NULL while there is none. */
char *
mc_call_window_dup_network_notice (McCallWindow *self)
{
  GString *text = g_string_new (NULL);

  if (gtk_widget_get_visible (GTK_WIDGET (self->send_notice_label)))
    g_string_append (text, gtk_label_get_label (self->send_notice_label));
  if (gtk_widget_get_visible (GTK_WIDGET (self->peer_notice_label)))
    g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "",
                            gtk_label_get_label (self->peer_notice_label));
  if (!gtk_widget_get_visible (self->network_box) || text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }

  return g_string_free (text, FALSE);
}

const char *
mc_call_window_get_last_toast (McCallWindow *self)
{
  return self->last_toast;
}
