/* mc-call-error.c — errors of the call engine, and making GStreamer elements
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every element the engine uses is made here, so that a missing plugin is
 * always reported the same way: a GError that says which element is missing
 * and which Debian package to install, instead of a NULL that crashes later.
 */

#define G_LOG_DOMAIN "mc-call"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "mc-call-error.h"
#include "mc-peer-pipeline-private.h"

/* clang-format would space out the dashes of the quark's name. */
/* clang-format off */
G_DEFINE_QUARK (mc-call-error-quark, mc_call_error)
/* clang-format on */

/* Every element the engine can create, directly or through webrtcbin and the
 * device providers, with the Debian 12 package that ships its plugin file.
 * This is the one list: the missing-element error below names the package
 * from it, `mentorcall-cli check` prints it, and test-dependencies checks on
 * the machine it runs on that each element is there, that `dpkg -S` of its
 * plugin file names this package, and that build-aux/install-deps.sh
 * installs it. Keep it sorted by package, then element. */
static const McCallElement elements[] = {
  /* libgstreamer1.0-0: the core elements */
  { "capsfilter", "libgstreamer1.0-0", "fixing formats" },
  { "fakesink", "libgstreamer1.0-0", "discarding media" },
  { "funnel", "libgstreamer1.0-0", "webrtcbin's RTP and RTCP streams" },
  { "queue", "libgstreamer1.0-0", "thread boundaries" },
  { "tee", "libgstreamer1.0-0", "the camera to the self view" },

  /* gstreamer1.0-nice */
  { "nicesink", "gstreamer1.0-nice", "ICE (webrtcbin)" },
  { "nicesrc", "gstreamer1.0-nice", "ICE (webrtcbin)" },

  /* gstreamer1.0-plugins-bad */
  { "dtlssrtpdec", "gstreamer1.0-plugins-bad", "DTLS-SRTP (webrtcbin)" },
  { "dtlssrtpenc", "gstreamer1.0-plugins-bad", "DTLS-SRTP (webrtcbin)" },
  { "fakevideosink", "gstreamer1.0-plugins-bad", "video output without a display" },
  { "srtpdec", "gstreamer1.0-plugins-bad", "SRTP (webrtcbin)" },
  { "srtpenc", "gstreamer1.0-plugins-bad", "SRTP (webrtcbin)" },
  { "webrtcbin", "gstreamer1.0-plugins-bad", "the peer connection" },
  { "webrtcdsp", "gstreamer1.0-plugins-bad", "echo cancellation, noise suppression" },
  { "webrtcechoprobe", "gstreamer1.0-plugins-bad", "echo cancellation" },

  /* gstreamer1.0-plugins-base */
  { "appsink", "gstreamer1.0-plugins-base", "frames out of a pipeline" },
  { "appsrc", "gstreamer1.0-plugins-base", "frames into a pipeline" },
  { "audioconvert", "gstreamer1.0-plugins-base", "audio formats" },
  { "audioresample", "gstreamer1.0-plugins-base", "audio rates" },
  { "audiotestsrc", "gstreamer1.0-plugins-base", "the test tone" },
  { "opusdec", "gstreamer1.0-plugins-base", "Opus audio" },
  { "opusenc", "gstreamer1.0-plugins-base", "Opus audio" },
  { "videoconvert", "gstreamer1.0-plugins-base", "video formats" },
  { "videorate", "gstreamer1.0-plugins-base", "the frame rate" },
  { "videoscale", "gstreamer1.0-plugins-base", "the picture size" },
  { "videotestsrc", "gstreamer1.0-plugins-base", "the test pattern" },
  { "volume", "gstreamer1.0-plugins-base", "muting" },

  /* gstreamer1.0-plugins-good */
  { "autoaudiosink", "gstreamer1.0-plugins-good", "the speaker" },
  { "autovideosrc", "gstreamer1.0-plugins-good", "the camera" },
  { "level", "gstreamer1.0-plugins-good", "the microphone level meter" },
  { "pulsesink", "gstreamer1.0-plugins-good", "the speaker (PulseAudio, PipeWire)" },
  { "pulsesrc", "gstreamer1.0-plugins-good", "the microphone (PulseAudio, PipeWire)" },
  { "rtpbin", "gstreamer1.0-plugins-good", "RTP sessions (webrtcbin)" },
  { "rtpopusdepay", "gstreamer1.0-plugins-good", "Opus over RTP" },
  { "rtpopuspay", "gstreamer1.0-plugins-good", "Opus over RTP" },
  { "rtpreddec", "gstreamer1.0-plugins-good", "redundant coding (webrtcbin)" },
  { "rtpredenc", "gstreamer1.0-plugins-good", "redundant coding (webrtcbin)" },
  { "rtprtxreceive", "gstreamer1.0-plugins-good", "retransmission (webrtcbin)" },
  { "rtprtxsend", "gstreamer1.0-plugins-good", "retransmission (webrtcbin)" },
  { "rtpstorage", "gstreamer1.0-plugins-good", "retransmission and FEC (webrtcbin)" },
  { "rtpulpfecdec", "gstreamer1.0-plugins-good", "forward error correction (webrtcbin)" },
  { "rtpulpfecenc", "gstreamer1.0-plugins-good", "forward error correction (webrtcbin)" },
  { "rtpvp8depay", "gstreamer1.0-plugins-good", "VP8 over RTP" },
  { "rtpvp8pay", "gstreamer1.0-plugins-good", "VP8 over RTP" },
  { "v4l2src", "gstreamer1.0-plugins-good", "the camera" },
  { "vp8dec", "gstreamer1.0-plugins-good", "VP8 video" },
  { "vp8enc", "gstreamer1.0-plugins-good", "VP8 video" },
  { "ximagesrc", "gstreamer1.0-plugins-good", "screen sharing on X11" },

  /* gstreamer1.0-pipewire */
  { "pipewiresrc", "gstreamer1.0-pipewire", "screen sharing through the desktop portal" },

  /* gstreamer1.0-x: the text overlays are here, not in plugins-base */
  { "timeoverlay", "gstreamer1.0-x", "the test pattern's clock" },
};

/**
 * mc_call_elements:
 * @n_elements: (out): return location for the number of elements
 *
 * Every GStreamer element the engine can create, with the Debian package
 * that provides it. The table is static.
 *
 * Returns: (array length=n_elements) (transfer none): the elements
 */
const McCallElement *
mc_call_elements (gsize *n_elements)
{
  g_return_val_if_fail (n_elements != NULL, NULL);

  *n_elements = G_N_ELEMENTS (elements);
  return elements;
}

/**
 * mc_call_element_package:
 * @factory_name: a GStreamer element factory name
 *
 * Returns: (nullable): the Debian package that provides @factory_name, or
 *   %NULL if the engine does not know it
 */
const char *
mc_call_element_package (const char *factory_name)
{
  g_return_val_if_fail (factory_name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      if (g_str_equal (elements[i].factory, factory_name))
        return elements[i].package;
    }

  return NULL;
}

/**
 * mc_call_make_element_full:
 * @overrides: (nullable) (element-type utf8 utf8): factory names to use
 *   instead of the standard ones; tests use this to provoke a missing element
 * @factory_name: the standard element factory
 * @name: (nullable): the element's name
 * @error: return location for a #MC_CALL_ERROR_MISSING_ELEMENT error
 *
 * Makes an element, or says which Debian package to install. When
 * @overrides replaces @factory_name, the package named is still the one of
 * @factory_name.
 *
 * Returns: (transfer floating): the element, or %NULL with @error set
 */
GstElement *
mc_call_make_element_full (GHashTable *overrides,
                           const char *factory_name,
                           const char *name,
                           GError    **error)
{
  GstElement *element;
  const char *package;
  const char *factory = factory_name;

  g_return_val_if_fail (factory_name != NULL, NULL);

  if (overrides != NULL && g_hash_table_contains (overrides, factory_name))
    factory = g_hash_table_lookup (overrides, factory_name);

  element = gst_element_factory_make (factory, name);
  if (element != NULL)
    return element;

  package = mc_call_element_package (factory_name);
  if (package != NULL)
    g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_MISSING_ELEMENT,
                 /* Translators: the first %s is a GStreamer element, the others a package */
                 _ ("The GStreamer element “%s” is missing: install the package %s "
                    "(apt install %s)"),
                 factory, package, package);
  else
    g_set_error (error, MC_CALL_ERROR, MC_CALL_ERROR_MISSING_ELEMENT,
                 _ ("The GStreamer element “%s” is missing: install the GStreamer plugin "
                    "that provides it"),
                 factory);

  return NULL;
}

/**
 * mc_call_make_element:
 * @factory_name: the element factory to use
 * @name: (nullable): the element's name
 * @error: return location for a #MC_CALL_ERROR_MISSING_ELEMENT error
 *
 * Makes an element, or says which Debian package to install.
 *
 * Returns: (transfer floating): the element, or %NULL with @error set
 */
GstElement *
mc_call_make_element (const char *factory_name,
                      const char *name,
                      GError    **error)
{
  return mc_call_make_element_full (NULL, factory_name, name, error);
}

/**
 * mc_call_engine_shutdown:
 *
 * Waits for the threads the engine started on its own (not those of
 * GStreamer pipelines, which stop with their pipelines) to finish. Every
 * program that used a #McCallSession calls it on its way out, after the
 * sessions are gone: a worker still inside OpenSSL when exit () runs the
 * library destructors crashes the process. Cheap when nothing runs.
 */
void
mc_call_engine_shutdown (void)
{
  mc_peer_pipeline_warm_up_wait ();
  mc_peer_pipeline_wait_for_turn_releases ();
}
