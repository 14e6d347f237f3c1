/* mc-peer-pipeline-negotiation.c — offers, answers and statistics through webrtcbin's promises
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * See mc-peer-pipeline.c for the whole picture. Here are the offer/answer
 * steps and the statistics as GTask-based _async/_finish pairs over
 * webrtcbin's promises, whose callbacks run on webrtcbin's threads, and the
 * one-time warm-up of the DTLS and SRTP elements.
 */

#define G_LOG_DOMAIN "mc-call"

#include <gst/sdp/sdp.h>
#include <string.h>

#include "mc-call-error.h"
#include "mc-peer-pipeline-private.h"

/* Requests. webrtcbin answers a promise on one of its threads, or, when it
 * is torn down with the request still queued, drops it unanswered: the task
 * waiting for it would wait forever and our reference to the promise would
 * leak. So each promise of ours is an McPeerRequest the peer keeps until it
 * stops; whichever comes first — webrtcbin's answer or mc_peer_pipeline_stop ()
 * — answers the task, the other does nothing. The request itself lives until
 * both the peer and the promise have let go of it. */

typedef struct
{
  gatomicrefcount      refs;
  gint                 answered;
  GstPromiseChangeFunc func;
  GTask               *task;    /* (owned) until answered */
  GstPromise          *promise; /* (owned) until answered */
} McPeerRequest;

static void
request_unref (gpointer data)
{
  McPeerRequest *request = data;

  if (g_atomic_ref_count_dec (&request->refs))
    g_free (request);
}

/* On a webrtcbin thread, or on ours when cancelling. */
static void
request_changed_cb (GstPromise *promise,
                    gpointer    user_data)
{
  McPeerRequest *request = user_data;

  /* The callback takes over the task and our reference to the promise. */
  if (g_atomic_int_compare_and_exchange (&request->answered, FALSE, TRUE))
    request->func (promise, request->task);
}

/* A promise for webrtcbin, answered through @func (promise, @task); @func
 * owns @task and the returned reference to the promise. */
static GstPromise *
new_request (McPeerPipeline      *self,
             GstPromiseChangeFunc func,
             GTask               *task)
{
  McPeerRequest *request = g_new0 (McPeerRequest, 1);

  /* One reference for the peer's list, one for the promise. */
  g_atomic_ref_count_init (&request->refs);
  g_atomic_ref_count_inc (&request->refs);
  request->func = func;
  request->task = task;
  request->promise = gst_promise_new_with_change_func (request_changed_cb, request,
                                                       request_unref);

  /* The answered ones (statistics come every second) need no keeping. */
  for (guint i = self->requests->len; i > 0; i--)
    {
      McPeerRequest *old = g_ptr_array_index (self->requests, i - 1);

      if (g_atomic_int_get (&old->answered))
        {
          g_ptr_array_remove_index_fast (self->requests, i - 1);
          request_unref (old);
        }
    }
  g_ptr_array_add (self->requests, request);

  return request->promise;
}

/**
 * mc_peer_pipeline_cancel_requests:
 * @self: a peer whose webrtcbin is stopped
 *
 * Answers what webrtcbin left unanswered: the tasks return
 * %G_IO_ERROR_CANCELLED, and the promises are interrupted (a promise must
 * not be freed while pending) and let go of.
 */
void
mc_peer_pipeline_cancel_requests (McPeerPipeline *self)
{
  g_autoptr (GPtrArray) requests = g_steal_pointer (&self->requests);

  self->requests = g_ptr_array_new ();

  for (guint i = 0; i < requests->len; i++)
    {
      McPeerRequest *request = g_ptr_array_index (requests, i);

      if (g_atomic_int_compare_and_exchange (&request->answered, FALSE, TRUE))
        {
          g_task_return_new_error (request->task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                   "The peer is gone");
          g_object_unref (request->task);
          gst_promise_interrupt (request->promise);
          gst_promise_unref (request->promise);
        }
      request_unref (request);
    }
}

/* Promises */

static void
promise_return_error (GTask      *task,
                      GstPromise *promise,
                      const char *what)
{
  const GstStructure *reply = gst_promise_get_reply (promise);
  g_autoptr (GError)  error = NULL;

  if (reply != NULL && gst_structure_has_field_typed (reply, "error", G_TYPE_ERROR))
    gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);

  g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NEGOTIATION, "webrtcbin could not %s%s%s",
                           what, error != NULL ? ": " : "", error != NULL ? error->message : "");
}

/* Whether @value ("98 rtx/48000", "98 apt=111") starts with one of the
 * payload types in @pts. */
static gboolean
names_payload (const char *value,
               GPtrArray  *pts)
{
  for (guint i = 0; i < pts->len; i++)
    {
      const char *pt = g_ptr_array_index (pts, i);
      gsize       length = strlen (pt);

      if (strncmp (value, pt, length) == 0 && (value[length] == ' ' || value[length] == '\0'))
        return TRUE;
    }

  return FALSE;
}

/* Audio gets no retransmission stream. webrtcbin 1.22 offers RTX for every
 * transceiver with do-nack, and every transceiver needs do-nack (see
 * mc_peer_pipeline_build_sender ()); but Opus conceals and corrects its own
 * losses, a retransmission would come too late to be played, and browsers
 * refuse an audio m-line with an RTX stream ("a=ssrc-group:FID"): Chromium
 * fails set-remote-description with "Failed to add remote stream ssrc".
 * webrtcbin has no per-transceiver switch for RTX alone, so each audio
 * m-line of our own offer or answer loses its "rtx" payload types (format,
 * rtpmap, fmtp, rtcp-fb), its FID group and the retransmission SSRCs of that
 * group, before it becomes the local description. NACK itself stays
 * ("a=rtcp-fb:111 nack" and do-nack). */
static void
drop_audio_rtx (GstSDPMessage *sdp)
{
  for (guint m = 0; m < gst_sdp_message_medias_len (sdp); m++)
    {
      /* Ours to change: the description is not shared yet. */
      GstSDPMedia          *media = (GstSDPMedia *) gst_sdp_message_get_media (sdp, m);
      g_autoptr (GPtrArray) rtx_pts = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (GPtrArray) rtx_ssrcs = g_ptr_array_new_with_free_func (g_free);

      if (g_strcmp0 (gst_sdp_media_get_media (media), "audio") != 0)
        continue;

      for (guint a = 0; a < gst_sdp_media_attributes_len (media); a++)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, a);
          g_auto (GStrv)         words = NULL;

          if (attribute->value == NULL)
            continue;
          words = g_strsplit (attribute->value, " ", -1);
          if (g_strcmp0 (attribute->key, "rtpmap") == 0 && g_strv_length (words) == 2 &&
              g_ascii_strncasecmp (words[1], "rtx/", 4) == 0)
            g_ptr_array_add (rtx_pts, g_strdup (words[0]));
          /* "FID primary retransmission [primary retransmission …]" */
          else if (g_strcmp0 (attribute->key, "ssrc-group") == 0 &&
                   g_strcmp0 (words[0], "FID") == 0)
            for (guint w = 2; words[w - 1] != NULL && words[w] != NULL; w += 2)
              g_ptr_array_add (rtx_ssrcs, g_strdup (words[w]));
        }

      for (guint a = gst_sdp_media_attributes_len (media); a > 0; a--)
        {
          const GstSDPAttribute *attribute = gst_sdp_media_get_attribute (media, a - 1);
          const char            *key = attribute->key;
          const char            *value = attribute->value != NULL ? attribute->value : "";

          if (((g_strcmp0 (key, "rtpmap") == 0 || g_strcmp0 (key, "fmtp") == 0 ||
                g_strcmp0 (key, "rtcp-fb") == 0) &&
               names_payload (value, rtx_pts)) ||
              (g_strcmp0 (key, "ssrc-group") == 0 && g_str_has_prefix (value, "FID ")) ||
              (g_strcmp0 (key, "ssrc") == 0 && names_payload (value, rtx_ssrcs)))
            gst_sdp_media_remove_attribute (media, a - 1);
        }

      for (guint f = gst_sdp_media_formats_len (media); f > 0; f--)
        if (names_payload (gst_sdp_media_get_format (media, f - 1), rtx_pts))
          gst_sdp_media_remove_format (media, f - 1);
    }
}

/* On a webrtcbin thread: the offer or answer is there; make it the local
 * description and return its text. */
static void
description_created_cb (GstPromise *promise,
                        gpointer    user_data)
{
  g_autoptr (GTask)            task = user_data;
  McPeerPipeline              *self = g_task_get_source_object (task);
  GstWebRTCSessionDescription *description = NULL;
  const char                  *field = g_task_get_task_data (task);
  const GstStructure          *reply;
  char                        *text;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      (reply = gst_promise_get_reply (promise)) == NULL ||
      !gst_structure_has_field_typed (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION))
    {
      promise_return_error (task, promise, g_str_equal (field, "offer") ? "create an offer" : "create an answer");
      gst_promise_unref (promise);
      return;
    }

  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &description, NULL);
  gst_promise_unref (promise);

  drop_audio_rtx (description->sdp);

  /* No promise: one of ours can be dropped unanswered when the connection
   * is torn down meanwhile, which GStreamer warns about. webrtcbin 1.22 then
   * leaks the error reply it built for a NULL promise (see lsan.supp). */
  g_signal_emit_by_name (self->webrtc, "set-local-description", description, NULL);
  if (description->type == GST_WEBRTC_SDP_TYPE_ANSWER)
    mc_peer_pipeline_release_senders (self, description->sdp);
  text = gst_sdp_message_as_text (description->sdp);
  gst_webrtc_session_description_free (description);

  g_task_return_pointer (task, text, g_free);
}

static void
remote_set_cb (GstPromise *promise,
               gpointer    user_data)
{
  g_autoptr (GTask)   task = user_data;
  const GstStructure *reply;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED ||
      ((reply = gst_promise_get_reply (promise)) != NULL &&
       gst_structure_has_field (reply, "error")))
    promise_return_error (task, promise, "apply the peer's description");
  else
    g_task_return_boolean (task, TRUE);

  gst_promise_unref (promise);
}

static void
stats_cb (GstPromise *promise,
          gpointer    user_data)
{
  g_autoptr (GTask)   task = user_data;
  const GstStructure *reply;

  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED &&
      (reply = gst_promise_get_reply (promise)) != NULL)
    g_task_return_pointer (task, gst_structure_copy (reply), (GDestroyNotify) gst_structure_free);
  else
    g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_PIPELINE,
                             "webrtcbin gave no statistics");

  gst_promise_unref (promise);
}

/* The warm-up's worker is the one thread of its own the engine starts. A
 * process must not exit while it runs: it is inside OpenSSL, whose locks
 * exit () frees under it (a crash seen when `join` failed at once). */
static GMutex   warm_up_lock;
static GCond    warm_up_done;
static gboolean warm_up_running;

/* Public API */

/* On a worker thread. */
static void
warm_up_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  /* The elements webrtcbin puts on each transport: making them is the
   * point. A missing plugin is reported by webrtcbin itself. */
  static const char * const factories[] = { "dtlssrtpdec", "dtlssrtpenc" };

  for (guint i = 0; i < G_N_ELEMENTS (factories); i++)
    {
      GstElement *element = gst_element_factory_make (factories[i], NULL);

      if (element != NULL)
        gst_object_unref (gst_object_ref_sink (element));
    }

  g_mutex_lock (&warm_up_lock);
  warm_up_running = FALSE;
  g_cond_broadcast (&warm_up_done);
  g_mutex_unlock (&warm_up_lock);

  g_task_return_boolean (task, TRUE);
}

/**
 * mc_peer_pipeline_warm_up_async:
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when done
 * @user_data: data for @callback
 *
 * Does, off the main thread, the one-time work that the first connection of
 * the process would otherwise do in the middle of joining:
 *
 *  - GStreamer's DTLS elements share one self-signed certificate per
 *    process, and the first `dtlsdec` made generates it (an RSA 2048 key in
 *    GStreamer 1.22: 0.2–0.9 s on an idle machine, seconds on a busy one,
 *    and random, since it is a search for primes);
 *  - the first `srtpenc` initialises libsrtp, which runs its crypto self
 *    tests (20–35 ms).
 *
 * webrtcbin makes these inside create-offer (initiator) or
 * set-remote-description (answerer), so on the answerer that cost landed
 * right between "the peer is there" and the answer. Later elements reuse
 * both; only the first call of a process does the work.
 */
void
mc_peer_pipeline_warm_up_async (GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  static gint       started;
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_peer_pipeline_warm_up_async);

  /* Once per process is the point; and making DTLS elements on a worker
   * while other calls of the process set theirs up raced inside GStreamer
   * under AddressSanitizer's timing. Later calls find the work done, or
   * under way on the first call's worker, which they need not wait for. */
  if (!g_atomic_int_compare_and_exchange (&started, 0, 1))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_mutex_lock (&warm_up_lock);
  warm_up_running = TRUE;
  g_mutex_unlock (&warm_up_lock);

  g_task_run_in_thread (task, warm_up_thread);
}

/**
 * mc_peer_pipeline_warm_up_wait:
 *
 * Blocks until the warm-up's worker thread, if one was started, has
 * finished its work. Programs call it (through mc_call_engine_shutdown())
 * before they exit; it returns at once when no warm-up runs.
 */
void
mc_peer_pipeline_warm_up_wait (void)
{
  g_mutex_lock (&warm_up_lock);
  while (warm_up_running)
    g_cond_wait (&warm_up_done, &warm_up_lock);
  g_mutex_unlock (&warm_up_lock);
}

gboolean
mc_peer_pipeline_warm_up_finish (GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
start_description (McPeerPipeline     *self,
                   const char         *signal_name,
                   const char         *field,
                   GCancellable       *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, mc_peer_pipeline_create_finish);
  g_task_set_task_data (task, (gpointer) field, NULL);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  g_signal_emit_by_name (self->webrtc, signal_name, NULL,
                         new_request (self, description_created_cb, task));
}

/**
 * mc_peer_pipeline_create_offer_async:
 * @self: a peer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the offer
 * @user_data: data for @callback
 *
 * Creates an offer and makes it the local description; ICE gathering starts.
 */
void
mc_peer_pipeline_create_offer_async (McPeerPipeline     *self,
                                     GCancellable       *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer            user_data)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  start_description (self, "create-offer", "offer", cancellable, callback, user_data);
}

/**
 * mc_peer_pipeline_create_answer_async:
 * @self: a peer whose remote description is an offer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Creates an answer and makes it the local description.
 */
void
mc_peer_pipeline_create_answer_async (McPeerPipeline     *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  start_description (self, "create-answer", "answer", cancellable, callback, user_data);
}

/**
 * mc_peer_pipeline_create_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): the SDP text of the offer or answer
 */
char *
mc_peer_pipeline_create_finish (McPeerPipeline *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_set_remote_async:
 * @self: a peer
 * @type: %GST_WEBRTC_SDP_TYPE_OFFER or %GST_WEBRTC_SDP_TYPE_ANSWER
 * @sdp: the peer's SDP text
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when it has been applied
 * @user_data: data for @callback
 */
void
mc_peer_pipeline_set_remote_async (McPeerPipeline     *self,
                                   GstWebRTCSDPType    type,
                                   const char         *sdp,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  GTask                       *task;
  GstSDPMessage               *message = NULL;
  GstWebRTCSessionDescription *description;

  g_return_if_fail (MC_IS_PEER_PIPELINE (self));
  g_return_if_fail (sdp != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_peer_pipeline_set_remote_async);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK || message == NULL)
    {
      g_task_return_new_error (task, MC_CALL_ERROR, MC_CALL_ERROR_NEGOTIATION,
                               "The peer sent an SDP that cannot be parsed");
      g_object_unref (task);
      return;
    }

  if (type == GST_WEBRTC_SDP_TYPE_OFFER)
    mc_peer_pipeline_follow_offer (self, message);

  description = gst_webrtc_session_description_new (type, message);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", description,
                         new_request (self, remote_set_cb, task));
  gst_webrtc_session_description_free (description);
}

/**
 * mc_peer_pipeline_set_remote_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: %TRUE if the peer's description was applied
 */
gboolean
mc_peer_pipeline_set_remote_finish (McPeerPipeline *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * mc_peer_pipeline_get_stats_async:
 * @self: a peer
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with webrtcbin's statistics
 * @user_data: data for @callback
 */
void
mc_peer_pipeline_get_stats_async (McPeerPipeline     *self,
                                  GCancellable       *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (MC_IS_PEER_PIPELINE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, mc_peer_pipeline_get_stats_async);

  if (self->stopped)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The peer is gone");
      g_object_unref (task);
      return;
    }

  g_signal_emit_by_name (self->webrtc, "get-stats", NULL,
                         new_request (self, stats_cb, task));
}

/**
 * mc_peer_pipeline_get_stats_finish:
 * @self: a peer
 * @result: the result
 * @error: return location for an error
 *
 * Returns: (transfer full): webrtcbin's statistics structure
 */
GstStructure *
mc_peer_pipeline_get_stats_finish (McPeerPipeline *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
