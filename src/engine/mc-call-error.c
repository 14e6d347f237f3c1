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

/* clang-format would space out the dashes of the quark's name. */
/* clang-format off */
G_DEFINE_QUARK (mc-call-error-quark, mc_call_error)
/* clang-format on */

/* Debian 12 package of each element the engine uses. */
static const struct
{
  const char *factory;
  const char *package;
} packages[] = {
  { "webrtcbin", "gstreamer1.0-plugins-bad" },
  { "webrtcdsp", "gstreamer1.0-plugins-bad" },
  { "webrtcechoprobe", "gstreamer1.0-plugins-bad" },
  { "dtlssrtpenc", "gstreamer1.0-plugins-bad" },
  { "srtpenc", "gstreamer1.0-plugins-bad" },
  { "fakevideosink", "gstreamer1.0-plugins-bad" },
  { "nicesrc", "gstreamer1.0-nice" },
  { "nicesink", "gstreamer1.0-nice" },
  { "vp8enc", "gstreamer1.0-plugins-good" },
  { "vp8dec", "gstreamer1.0-plugins-good" },
  { "rtpvp8pay", "gstreamer1.0-plugins-good" },
  { "rtpvp8depay", "gstreamer1.0-plugins-good" },
  { "rtpopuspay", "gstreamer1.0-plugins-good" },
  { "rtpopusdepay", "gstreamer1.0-plugins-good" },
  { "rtpbin", "gstreamer1.0-plugins-good" },
  { "autoaudiosink", "gstreamer1.0-plugins-good" },
  { "autovideosrc", "gstreamer1.0-plugins-good" },
  { "v4l2src", "gstreamer1.0-plugins-good" },
  { "ximagesrc", "gstreamer1.0-plugins-good" },
  { "pulsesrc", "gstreamer1.0-pulseaudio" },
  { "pipewiresrc", "gstreamer1.0-pipewire" },
  { "opusenc", "gstreamer1.0-plugins-base" },
  { "opusdec", "gstreamer1.0-plugins-base" },
  { "videotestsrc", "gstreamer1.0-plugins-base" },
  { "audiotestsrc", "gstreamer1.0-plugins-base" },
  { "timeoverlay", "gstreamer1.0-plugins-base" },
  { "clockoverlay", "gstreamer1.0-plugins-base" },
  { "videoconvert", "gstreamer1.0-plugins-base" },
  { "videoscale", "gstreamer1.0-plugins-base" },
  { "videorate", "gstreamer1.0-plugins-base" },
  { "audioconvert", "gstreamer1.0-plugins-base" },
  { "audioresample", "gstreamer1.0-plugins-base" },
  { "volume", "gstreamer1.0-plugins-base" },
  { "appsrc", "gstreamer1.0-plugins-base" },
  { "appsink", "gstreamer1.0-plugins-base" },
  { "queue", "libgstreamer1.0-0" },
  { "capsfilter", "libgstreamer1.0-0" },
  { "tee", "libgstreamer1.0-0" },
  { "fakesink", "libgstreamer1.0-0" },
};

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

  for (guint i = 0; i < G_N_ELEMENTS (packages); i++)
    {
      if (g_str_equal (packages[i].factory, factory_name))
        return packages[i].package;
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
