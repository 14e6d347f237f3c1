/* mc-peer-pipeline-ice.c — the peer's ICE: configuration, candidates, state, fault hook
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-peer-pipeline.c for the whole picture. Here webrtcbin's ICE agent
 * gets its STUN and TURN servers, its pacing and the local addresses it may
 * use; local candidates go out and remote ones come in; the ICE and
 * connection states are followed; and the fault hook sits at the transport
 * edge.
 *
 * The fault hook drops RTP and RTCP (first byte 128–191, RFC 7983) at the
 * transport edge, in probes on nicesrc and nicesink, while STUN (inside
 * libnice) and DTLS pass: that is a media path that is dead while ICE still
 * looks fine, the hardest case for detection, and it lets a rebuilt
 * connection complete its handshakes during the fault so that media flows
 * the moment the fault ends.
 *
 * A peer that used TURN gives its allocations back to the relay before its
 * webrtcbin goes (nice_agent_close_async ()): otherwise the relay keeps them,
 * and their ports, for the rest of their lifetime (ten minutes by default),
 * and libnice warns that refreshes were still alive.
 */

#define G_LOG_DOMAIN "mc-call"

#include <nice/agent.h>

#include "mc-peer-pipeline-private.h"

#define ICE_PACING_MS 5

/* Helpers */

static gboolean
is_rtp_or_rtcp (GstBuffer *buffer)
{
  guint8 first;

  return gst_buffer_extract (buffer, 0, &first, 1) == 1 && first >= 128 && first <= 191;
}

static gboolean
list_has_media_cb (GstBuffer **buffer,
                   guint       index,
                   gpointer    user_data)
{
  gboolean *has_media = user_data;

  if (is_rtp_or_rtcp (*buffer))
    {
      *has_media = TRUE;
      return FALSE;
    }

  return TRUE;
}

static gboolean
carries_media (GstPadProbeInfo *info)
{
  gboolean has_media = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    return is_rtp_or_rtcp (GST_PAD_PROBE_INFO_BUFFER (info));

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    gst_buffer_list_foreach (GST_PAD_PROBE_INFO_BUFFER_LIST (info), list_has_media_cb, &has_media);

  return has_media;
}

/* Callbacks */

static GstPadProbeReturn
incoming_cb (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  if (!carries_media (info))
    return GST_PAD_PROBE_OK;

  if (g_atomic_int_get (&self->media_blocked))
    return GST_PAD_PROBE_DROP;

  g_mutex_lock (&self->lock);
  self->last_media_time = g_get_monotonic_time ();
  g_mutex_unlock (&self->lock);

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
outgoing_cb (GstPad          *pad,
             GstPadProbeInfo *info,
             gpointer         user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  if (g_atomic_int_get (&self->media_blocked) && carries_media (info))
    return GST_PAD_PROBE_DROP;

  return GST_PAD_PROBE_OK;
}

/* webrtcbin's own new-jitterbuffer handler has run: it may have switched
 * retransmission requests off. */
static void
new_jitterbuffer_cb (GstElement *rtpbin,
                     GstElement *jitterbuffer,
                     guint       session_id,
                     guint       ssrc,
                     gpointer    user_data)
{
  g_object_set (jitterbuffer, "do-retransmission", TRUE, NULL);
}

static void
new_transceiver_cb (GstElement              *webrtc,
                    GstWebRTCRTPTransceiver *transceiver,
                    gpointer                 user_data)
{
  g_object_set (transceiver, "do-nack", TRUE, NULL);
}

/**
 * mc_peer_pipeline_watch_retransmission:
 * @self: a peer pipeline whose webrtcbin was just made
 *
 * Makes every receive jitter buffer ask for retransmissions. webrtcbin 1.22
 * sets each new jitter buffer's do-retransmission from the do-nack of the
 * transceiver its description maps the stream's SSRC to, and leaves the
 * default (off) when the SSRC is not mapped yet. Every transceiver of ours
 * has NACK on, but an answerer's webrtcbin may make transceivers of its
 * own for the offer's m-lines (NACK off), and a stream's first packet may
 * come before the description maps it: either way one side of a call sent
 * no request for the whole call (seen in one call of two at 5 % loss: 7 s
 * frozen in 20). So: NACK on for the transceivers webrtcbin makes, and
 * do-retransmission on again after webrtcbin's handler has run (ours is
 * connected after its own).
 */
void
mc_peer_pipeline_watch_retransmission (McPeerPipeline *self)
{
  g_autoptr (GstElement) rtpbin = gst_bin_get_by_name (GST_BIN (self->webrtc), "rtpbin");

  g_signal_connect (self->webrtc, "on-new-transceiver", G_CALLBACK (new_transceiver_cb), NULL);
  if (rtpbin != NULL)
    g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (new_jitterbuffer_cb), NULL);
  else
    g_warning ("webrtcbin has no rtpbin: retransmission requests may stay off");
}

void
mc_peer_pipeline_deep_element_added_cb (GstBin     *bin,
                                        GstBin     *sub_bin,
                                        GstElement *element,
                                        gpointer    user_data)
{
  McPeerPipeline    *self = MC_PEER_PIPELINE (user_data);
  GstElementFactory *factory = gst_element_get_factory (element);
  const char        *name = factory != NULL ? GST_OBJECT_NAME (factory) : "";
  g_autoptr (GstPad) pad = NULL;

  if (g_str_equal (name, "nicesrc"))
    {
      pad = gst_element_get_static_pad (element, "src");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         incoming_cb, self, NULL);
    }
  else if (g_str_equal (name, "nicesink"))
    {
      pad = gst_element_get_static_pad (element, "sink");
      gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                         outgoing_cb, self, NULL);
    }
  else if (g_str_equal (name, "rtpjitterbuffer"))
    {
      mc_peer_pipeline_configure_jitterbuffer (self, element);
    }
  else if (g_str_equal (name, "rtpsession"))
    {
      g_autoptr (GObject) session = NULL;

      g_object_set (element, "rtcp-rs-bandwidth", MC_PEER_RTCP_BANDWIDTH, "rtcp-rr-bandwidth",
                    MC_PEER_RTCP_BANDWIDTH, NULL);
      g_object_get (element, "internal-session", &session, NULL);
      if (session != NULL)
        g_object_set (session, "twcc-feedback-interval",
                      (guint64) MC_PEER_TWCC_FEEDBACK_INTERVAL_MS * GST_MSECOND, NULL);
    }
  else if (g_str_equal (name, "rtprtxsend"))
    {
      mc_peer_pipeline_watch_retransmission_requests (self, element);
    }
  else if (g_str_equal (name, "rtpulpfecdec"))
    {
      g_mutex_lock (&self->lock);
      if (!self->stopped)
        g_ptr_array_add (self->fec_decoders, gst_object_ref (element));
      g_mutex_unlock (&self->lock);
    }
}

void
mc_peer_pipeline_on_ice_candidate_cb (GstElement *webrtc,
                                      guint       mline_index,
                                      const char *candidate,
                                      gpointer    user_data)
{
  mc_peer_pipeline_emit_on_main (MC_PEER_PIPELINE (user_data), SIGNAL_ICE_CANDIDATE, mline_index, 0,
                                 candidate);
}

void
mc_peer_pipeline_ice_connection_state_cb (GObject    *webrtc,
                                          GParamSpec *pspec,
                                          gpointer    user_data)
{
  McPeerPipeline             *self = MC_PEER_PIPELINE (user_data);
  GstWebRTCICEConnectionState state;

  g_object_get (webrtc, "ice-connection-state", &state, NULL);

  /* ICE is through; DTLS follows in one or two round trips (10–30 ms on a
   * LAN), while a 720p key frame takes about as long to come out of the
   * encoder. Asking for it now overlaps the two instead of adding them up:
   * the key frame usually comes out just after DTLS is done. If it comes out
   * earlier, it is lost (SRTP has no key yet) and mc_peer_pipeline_connection_state_cb() asks
   * again. */
  if ((state == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
       state == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED) &&
      g_atomic_int_compare_and_exchange (&self->ice_connected, FALSE, TRUE))
    mc_media_pipeline_ensure_key_unit (self->media);

  mc_peer_pipeline_emit_on_main (self, SIGNAL_ICE_STATE_CHANGED, state, 0, NULL);
}

/* DTLS is through: the first frames the peer can decrypt must include a key
 * frame, or it shows nothing until its PLI comes back. Not rate-limited: the
 * key frame made a few milliseconds ago may have gone out before SRTP had a
 * key; but if one is still being encoded, it comes out after this and is
 * enough (see mc_media_pipeline_ensure_key_unit()). */
void
mc_peer_pipeline_connection_state_cb (GObject    *webrtc,
                                      GParamSpec *pspec,
                                      gpointer    user_data)
{
  McPeerPipeline              *self = MC_PEER_PIPELINE (user_data);
  GstWebRTCPeerConnectionState state;

  g_object_get (webrtc, "connection-state", &state, NULL);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
    {
      g_atomic_int_set (&self->dtls_connected, TRUE);
      mc_media_pipeline_ensure_key_unit (self->media);
    }
}

/* Releasing TURN allocations */

typedef struct
{
  GstElement   *pipeline;
  NiceAgent    *agent;
  GMainContext *context;
} TurnRelease;

/* The peers whose relay allocations are being released; programs wait for
 * them on their way out (mc_call_engine_shutdown ()). */
static GMutex release_lock;
static GCond  release_done;
static guint  releases_pending;

/* On the session's main context: the relay has answered (or given up), and
 * the pipeline, with webrtcbin and its ICE agent, can go. It must not go on
 * the agent's own thread, which finalizing webrtcbin's ICE object joins. */
static gboolean
turn_released_cb (gpointer user_data)
{
  TurnRelease *release = user_data;

  g_clear_object (&release->agent);
  gst_clear_object (&release->pipeline);
  g_main_context_unref (release->context);
  g_free (release);

  g_mutex_lock (&release_lock);
  releases_pending--;
  g_cond_broadcast (&release_done);
  g_mutex_unlock (&release_lock);

  return G_SOURCE_REMOVE;
}

/* On the ICE agent's thread. */
static void
agent_closed_cb (GObject      *agent,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  TurnRelease *release = user_data;

  g_main_context_invoke (release->context, turn_released_cb, release);
}

static NiceAgent *
find_nice_agent (GstElement *webrtc)
{
  g_autoptr (GstIterator) iterator = gst_bin_iterate_recurse (GST_BIN (webrtc));
  g_auto (GValue)         item = G_VALUE_INIT;
  NiceAgent              *agent = NULL;

  while (agent == NULL && gst_iterator_next (iterator, &item) == GST_ITERATOR_OK)
    {
      GstElement        *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL &&
          g_str_equal (gst_plugin_feature_get_name (GST_PLUGIN_FEATURE (factory)), "nicesrc"))
        g_object_get (element, "agent", &agent, NULL);
      g_value_reset (&item);
    }

  return agent;
}

/**
 * mc_peer_pipeline_release_turn:
 * @webrtc: the stopped peer's webrtcbin
 * @pipeline: (transfer full): its pipeline, in the NULL state
 *
 * Gives the TURN allocations of @webrtc's ICE agent back to the relay, then
 * drops @pipeline on the calling thread's main context.
 */
void
mc_peer_pipeline_release_turn (GstElement *webrtc,
                               GstElement *pipeline)
{
  TurnRelease *release;
  NiceAgent   *agent = find_nice_agent (webrtc);

  if (agent == NULL)
    {
      gst_object_unref (pipeline);
      return;
    }

  release = g_new0 (TurnRelease, 1);
  release->pipeline = pipeline;
  release->agent = agent;
  release->context = g_main_context_ref_thread_default ();

  g_mutex_lock (&release_lock);
  releases_pending++;
  g_mutex_unlock (&release_lock);

  nice_agent_close_async (agent, agent_closed_cb, release);
}

/**
 * mc_peer_pipeline_wait_for_turn_releases:
 *
 * Waits, at most two seconds, for the relays to answer the releases under
 * way, running the default main context meanwhile (the pipelines are dropped
 * there). For the end of a program.
 */
void
mc_peer_pipeline_wait_for_turn_releases (void)
{
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

  g_mutex_lock (&release_lock);
  while (releases_pending > 0 && g_get_monotonic_time () < deadline)
    {
      g_mutex_unlock (&release_lock);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_mutex_lock (&release_lock);
      if (releases_pending > 0)
        g_cond_wait_until (&release_done, &release_lock, g_get_monotonic_time () + 10 * 1000);
    }
  if (releases_pending > 0)
    g_message ("Gave up waiting for %u TURN relays to release their allocations",
               releases_pending);
  g_mutex_unlock (&release_lock);
}

/* Building */

void
mc_peer_pipeline_configure_ice (McPeerPipeline     *self,
                                const McPeerConfig *config)
{
  g_autoptr (GstWebRTCICE) ice = NULL;

  if (config->stun_server != NULL)
    g_object_set (self->webrtc, "stun-server", config->stun_server, NULL);

  for (guint i = 0; config->turn_servers != NULL && config->turn_servers[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (self->webrtc, "add-turn-server", config->turn_servers[i], &added);
      if (!added)
        g_message ("webrtcbin refused a TURN server URL");
      self->uses_turn |= added;
    }

  /* Only relayed candidates: the peer never learns this machine's
   * addresses, and media goes through the TURN server or not at all. */
  if (config->relay_only)
    g_object_set (self->webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                  NULL);

  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;

  /* TCP candidates are of no use peer to peer here and slow gathering. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp") != NULL)
    g_object_set (ice, "ice-tcp", FALSE, NULL);

  /* webrtcbin makes its libnice agent with regular nomination: the
   * controlling side nominates the first working pair with a second check,
   * one pacing tick after the first one succeeded, and each check waits for
   * the next tick. With libnice's default pacing (Ta = 20 ms) that made ICE
   * take 60–65 ms even over loopback. A call has a handful of candidate pairs,
   * so 5 ms pacing (the lowest RFC 8445 allows) is no burden on the network
   * and brings ICE down to a few milliseconds plus the round trips. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") != NULL)
    {
      g_autoptr (GObject) agent = NULL;

      g_object_get (ice, "agent", &agent, NULL);
      if (agent != NULL &&
          g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "stun-pacing-timer") != NULL)
        g_object_set (agent, "stun-pacing-timer", (guint) ICE_PACING_MS, NULL);

      /* No UPnP IGD port mappings (browsers do not use them either; STUN and
       * TURN are what makes a call through NATs here): libnice would start a
       * gupnp-igd client with its own thread and SSDP search for every
       * connection, hold "gathering complete" back by its 200 ms timeout,
       * and its warnings ("Unable to listen on 127.0.0.1:…") turned up in
       * test runs. Set before the first stream exists, which is when libnice
       * reads it. */
      if (agent != NULL && g_object_class_find_property (G_OBJECT_GET_CLASS (agent), "upnp") != NULL)
        g_object_set (agent, "upnp", FALSE, NULL);
    }

  /* libnice gathers on all non-loopback interfaces unless told otherwise;
   * given addresses, it gathers only on those (and loopback only this way). */
  for (guint i = 0; config->ice_addresses != NULL && config->ice_addresses[i] != NULL; i++)
    {
      gboolean added = FALSE;

      g_signal_emit_by_name (ice, "add-local-ip-address", config->ice_addresses[i], &added);
      if (!added)
        g_message ("ICE refused the local address %s", config->ice_addresses[i]);
    }
}

/* Public API */

/**
 * mc_peer_pipeline_add_ice_candidate:
 * @self: a peer with a remote description
 * @mline_index: the media line
 * @candidate: the candidate line; empty for the end of candidates
 */
void
mc_peer_pipeline_add_ice_candidate (McPeerPipeline *self,
                                    guint           mline_index,
                                    const char     *candidate)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  if (self->stopped || candidate == NULL || *candidate == '\0')
    return;

  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", mline_index, candidate);
}

/**
 * mc_peer_pipeline_set_media_blocked:
 * @self: a peer
 * @blocked: whether to drop all RTP and RTCP in both directions
 *
 * The fault hook for tests. Thread-safe.
 */
void
mc_peer_pipeline_set_media_blocked (McPeerPipeline *self,
                                    gboolean        blocked)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  g_atomic_int_set (&self->media_blocked, blocked);
}

/**
 * mc_peer_pipeline_get_last_media_time:
 * @self: a peer
 *
 * Returns: the monotonic time of the last RTP or RTCP packet received, or 0
 */
gint64
mc_peer_pipeline_get_last_media_time (McPeerPipeline *self)
{
  gint64 time;

  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  g_mutex_lock (&self->lock);
  time = self->last_media_time;
  g_mutex_unlock (&self->lock);

  return time;
}

/**
 * mc_peer_pipeline_get_dtls_connected:
 * @self: a peer
 *
 * Returns: whether DTLS is through, so that media sent now can be decrypted
 *   by the peer. Thread-safe.
 */
gboolean
mc_peer_pipeline_get_dtls_connected (McPeerPipeline *self)
{
  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), FALSE);

  return g_atomic_int_get (&self->dtls_connected);
}
