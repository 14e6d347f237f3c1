/* mc-peer-pipeline.c — one webrtcbin peer connection, thrown away on reconnect
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * webrtcbin in GStreamer 1.22 cannot restart ICE, so a connection whose
 * network path died cannot be revived: it has to be replaced by a new
 * webrtcbin and a new offer/answer. Capture and encoding must not stop
 * meanwhile, so they live in McMediaPipeline and this object holds only what
 * belongs to one connection, in a pipeline of its own:
 *
 *   appsrc (VP8 from the media pipeline) ! rtpvp8pay ! webrtcbin
 *   appsrc (Opus)                        ! rtpopuspay ! webrtcbin
 *   webrtcbin ! rtpvp8depay ! vp8dec ! appsink   → media pipeline's video sink
 *   webrtcbin ! rtpopusdepay ! opusdec ! appsink → media pipeline's audio sink
 *
 * A separate pipeline rather than relinking inside one: tearing webrtcbin
 * (with its nicesrc, DTLS and rtpbin threads) out of a running pipeline with
 * blocking probes is fragile, while setting a whole pipeline to NULL is not.
 * The price is one appsink → appsrc hop each way, which costs a buffer ref and
 * a queue push. The pipeline uses the media pipeline's clock and base time, so
 * the running times of the buffers handed over mean the same on both sides.
 *
 * The object is split by concern, and mc-peer-pipeline-private.h declares
 * what the parts share. This file holds the object, its signals, the bus
 * and the pipeline's life; mc-peer-pipeline-elements.c builds the senders
 * and receivers and counts what the receivers decode; mc-peer-pipeline-ice.c
 * configures ICE (servers, pacing, local addresses), follows its state and
 * candidates, and holds the fault hook at the transport edge;
 * mc-peer-pipeline-negotiation.c creates and applies descriptions through
 * webrtcbin's promises; mc-peer-pipeline-repair.c tunes the jitter buffers,
 * reads their counters and keeps retransmissions within a budget.
 *
 * Threads: webrtcbin's signals, the promise callbacks, pad-added and the
 * probes run on streaming threads. They touch only GStreamer objects and
 * atomics, and hop to the main context (the one current when this object was
 * made) to emit signals.
 */

#define G_LOG_DOMAIN "mc-call"

#include "mc-call-error.h"
#include "mc-peer-pipeline-private.h"

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (McPeerPipeline, mc_peer_pipeline, G_TYPE_OBJECT)

/* Helpers */

typedef struct
{
  McPeerPipeline *self;
  guint           signal_id;
  guint           number;
  gint64          time;
  char           *text;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *emission = data;

  g_object_unref (emission->self);
  g_free (emission->text);
  g_free (emission);
}

static gboolean
emit_on_main_cb (gpointer data)
{
  Emission       *emission = data;
  McPeerPipeline *self = emission->self;

  if (self->stopped)
    return G_SOURCE_REMOVE;

  switch (emission->signal_id)
    {
    case SIGNAL_ICE_CANDIDATE:
      g_signal_emit (self, signals[SIGNAL_ICE_CANDIDATE], 0, emission->number, emission->text);
      break;
    case SIGNAL_ICE_STATE_CHANGED:
      g_signal_emit (self, signals[SIGNAL_ICE_STATE_CHANGED], 0, emission->number);
      break;
    case SIGNAL_FIRST_FRAME:
      g_signal_emit (self, signals[SIGNAL_FIRST_FRAME], 0, emission->time);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

/* From any thread: emit a signal on the main context. */
void
mc_peer_pipeline_emit_on_main (McPeerPipeline *self,
                               guint           signal_id,
                               guint           number,
                               gint64          time,
                               const char     *text)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->self = g_object_ref (self);
  emission->signal_id = signal_id;
  emission->number = number;
  emission->time = time;
  emission->text = g_strdup (text);

  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_on_main_cb, emission,
                              emission_free);
}

/* Callbacks */

static gboolean
bus_cb (GstBus     *bus,
        GstMessage *message,
        gpointer    user_data)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) gst_error = NULL;
        g_autoptr (GError) error = NULL;
        g_autofree char   *debug = NULL;

        gst_message_parse_error (message, &gst_error, &debug);
        g_debug ("Peer pipeline error: %s (%s)", gst_error->message, debug);
        error = g_error_new (MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             "The connection to the peer failed in %s: %s",
                             GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
        break;
      }

    case GST_MESSAGE_LATENCY:
      {
        g_autoptr (GstQuery) query = gst_query_new_latency ();

        gst_bin_recalculate_latency (GST_BIN (self->pipeline));
        if (gst_element_query (self->pipeline, query))
          {
            GstClockTime min_latency, max_latency;
            gboolean     live;

            gst_query_parse_latency (query, &live, &min_latency, &max_latency);
            g_debug ("Peer pipeline latency: %" GST_TIME_FORMAT " (from %s)",
                     GST_TIME_ARGS (min_latency), GST_OBJECT_NAME (GST_MESSAGE_SRC (message)));
          }
        break;
      }

    default:
      break;
    }

  return G_SOURCE_CONTINUE;
}

/* GObject */

static void
mc_peer_pipeline_dispose (GObject *object)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (object);

  mc_peer_pipeline_stop (self);
  g_clear_object (&self->media);

  G_OBJECT_CLASS (mc_peer_pipeline_parent_class)->dispose (object);
}

static void
mc_peer_pipeline_finalize (GObject *object)
{
  McPeerPipeline *self = MC_PEER_PIPELINE (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->overrides, g_hash_table_unref);
  g_clear_pointer (&self->latency_samples, g_array_unref);
  g_clear_pointer (&self->twcc_packets, g_array_unref);
  g_clear_pointer (&self->requests, g_ptr_array_unref);
  g_clear_pointer (&self->jitterbuffers, g_ptr_array_unref);
  g_clear_pointer (&self->fec_decoders, g_ptr_array_unref);
  g_clear_object (&self->rtx_budget);
  g_clear_object (&self->transceivers[MC_MEDIA_KIND_AUDIO]);
  g_clear_object (&self->transceivers[MC_MEDIA_KIND_VIDEO]);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (mc_peer_pipeline_parent_class)->finalize (object);
}

static void
mc_peer_pipeline_class_init (McPeerPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = mc_peer_pipeline_dispose;
  object_class->finalize = mc_peer_pipeline_finalize;

  /**
   * McPeerPipeline::ice-candidate:
   * @self: the peer
   * @mline_index: the media line the candidate belongs to
   * @candidate: the candidate line, without "a="
   *
   * A local ICE candidate to send to the peer.
   */
  signals[SIGNAL_ICE_CANDIDATE] =
    g_signal_new ("ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_STRING);

  /**
   * McPeerPipeline::ice-state-changed:
   * @self: the peer
   * @state: the #GstWebRTCICEConnectionState
   */
  signals[SIGNAL_ICE_STATE_CHANGED] =
    g_signal_new ("ice-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  /**
   * McPeerPipeline::first-frame:
   * @self: the peer
   * @monotonic_time: when the first remote frame was decoded
   */
  signals[SIGNAL_FIRST_FRAME] =
    g_signal_new ("first-frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  /**
   * McPeerPipeline::error:
   * @self: the peer
   * @error: what failed
   */
  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
mc_peer_pipeline_init (McPeerPipeline *self)
{
  g_mutex_init (&self->lock);
  self->latency_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->twcc_packets = g_array_new (FALSE, FALSE, sizeof (McBandwidthPacket));
  self->requests = g_ptr_array_new ();
  self->jitterbuffers = g_ptr_array_new_with_free_func (gst_object_unref);
  self->fec_decoders = g_ptr_array_new_with_free_func (gst_object_unref);
  self->rtx_budget = mc_retransmission_budget_new ();
  self->context = g_main_context_ref_thread_default ();
}

/* Public API */

/**
 * mc_peer_pipeline_new:
 * @config: how to build it
 * @error: return location for an error
 *
 * Builds a peer connection and starts it: it is ready to create an offer or
 * to take the peer's offer. Encoded media flows into it once the caller
 * points the media pipeline's outputs at it (see
 * mc_media_pipeline_set_outputs()); this constructor does that.
 *
 * Returns: (transfer full) (nullable): the peer, or %NULL with @error set
 */
McPeerPipeline *
mc_peer_pipeline_new (const McPeerConfig *config,
                      GError            **error)
{
  g_autoptr (McPeerPipeline) self = NULL;
  g_autoptr (GstClock)       clock = NULL;
  g_autoptr (GstBus)         bus = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (MC_IS_MEDIA_PIPELINE (config->media), NULL);

  self = g_object_new (MC_TYPE_PEER_PIPELINE, NULL);
  self->media = g_object_ref (config->media);
  self->generation = config->generation;
  self->media_blocked = config->media_blocked;
  if (config->overrides != NULL)
    self->overrides = g_hash_table_ref (config->overrides);

  /* An answerer takes the id the offer gives (mc_peer_pipeline_follow_offer ()). */
  self->twcc_id = MC_PEER_TWCC_ID;
  self->pipeline = gst_pipeline_new ("peer");
  g_signal_connect_object (self->pipeline, "deep-element-added",
                           G_CALLBACK (mc_peer_pipeline_deep_element_added_cb), self, 0);

  self->webrtc = mc_peer_pipeline_make (self, "webrtcbin", "webrtc", error);
  if (self->webrtc == NULL)
    return NULL;

  gst_util_set_object_arg (G_OBJECT (self->webrtc), "bundle-policy", "max-bundle");
  mc_peer_pipeline_watch_retransmission (self);
  g_object_set (self->webrtc, "latency", config->latency_ms, NULL);
  self->audio_latency_ms = MIN (config->audio_latency_ms > 0 ? config->audio_latency_ms
                                                             : config->latency_ms,
                                config->latency_ms);
  self->retry_timeout_ms = -1;
  mc_peer_pipeline_configure_ice (self, config);

  if (!mc_peer_pipeline_build_sender (self, MC_MEDIA_KIND_VIDEO, error) ||
      !mc_peer_pipeline_build_sender (self, MC_MEDIA_KIND_AUDIO, error) ||
      !mc_peer_pipeline_build_receiver (self, MC_MEDIA_KIND_VIDEO, error) ||
      !mc_peer_pipeline_build_receiver (self, MC_MEDIA_KIND_AUDIO, error))
    return NULL;

  if (config->answerer)
    mc_peer_pipeline_hold_senders (self);

  g_signal_connect_object (self->webrtc, "on-ice-candidate",
                           G_CALLBACK (mc_peer_pipeline_on_ice_candidate_cb), self, 0);
  g_signal_connect_object (self->webrtc, "notify::ice-connection-state",
                           G_CALLBACK (mc_peer_pipeline_ice_connection_state_cb), self, 0);
  g_signal_connect_object (self->webrtc, "notify::connection-state",
                           G_CALLBACK (mc_peer_pipeline_connection_state_cb), self, 0);
  g_signal_connect_object (self->webrtc, "pad-added", G_CALLBACK (mc_peer_pipeline_pad_added_cb),
                           self, 0);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, bus_cb, self);

  /* One clock and one base time with the media pipeline: the buffers handed
   * over keep their running times. */
  clock = mc_media_pipeline_get_clock (self->media);
  if (clock != NULL)
    {
      gst_pipeline_use_clock (GST_PIPELINE (self->pipeline), clock);
      gst_element_set_base_time (self->pipeline, mc_media_pipeline_get_base_time (self->media));
      gst_element_set_start_time (self->pipeline, GST_CLOCK_TIME_NONE);
    }

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                   "The connection pipeline (webrtcbin) refused to start; run with "
                   "GST_DEBUG=webrtcbin:5 for details");
      return NULL;
    }

  mc_media_pipeline_set_outputs (self->media, self->video_src, self->audio_src);

  return g_steal_pointer (&self);
}

/**
 * mc_peer_pipeline_get_generation:
 * @self: a peer
 *
 * Returns: the negotiation generation this peer belongs to
 */
gint64
mc_peer_pipeline_get_generation (McPeerPipeline *self)
{
  g_return_val_if_fail (MC_IS_PEER_PIPELINE (self), 0);

  return self->generation;
}

/**
 * mc_peer_pipeline_set_generation:
 * @self: a peer made with generation 0, before its remote description
 * @generation: the generation of the offer it is about to take
 *
 * A connection the answerer prepared before the offer came adopts the
 * offer's generation.
 */
void
mc_peer_pipeline_set_generation (McPeerPipeline *self,
                                 gint64          generation)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  self->generation = generation;
}

/**
 * mc_peer_pipeline_stop:
 * @self: a peer
 *
 * Detaches from the media pipeline and tears the connection down. No signal
 * is emitted after this. Safe to call more than once.
 */
void
mc_peer_pipeline_stop (McPeerPipeline *self)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  if (self->stopped)
    return;
  self->stopped = TRUE;

  /* Only stop feeding if we are still the media pipeline's output: a newer
   * peer may already have taken over. */
  if (self->media != NULL && self->video_src != NULL)
    mc_media_pipeline_clear_outputs (self->media, self->video_src);

  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_handle_id (&self->bus_watch, g_source_remove);
      /* With TURN, the relay's allocations are given back first; the
       * pipeline goes when that is done (mc-peer-pipeline-ice.c). */
      if (self->uses_turn)
        mc_peer_pipeline_release_turn (self->webrtc, g_steal_pointer (&self->pipeline));
      g_clear_object (&self->pipeline);
    }

  g_mutex_lock (&self->lock);
  g_ptr_array_set_size (self->jitterbuffers, 0);
  g_ptr_array_set_size (self->fec_decoders, 0);
  g_mutex_unlock (&self->lock);

  /* webrtcbin is gone: what it had not answered, it never will. */
  mc_peer_pipeline_cancel_requests (self);
}
