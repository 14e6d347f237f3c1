/* mc-call-error.h — errors of the call engine, and making GStreamer elements
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define MC_CALL_ERROR (mc_call_error_quark ())

/**
 * McCallError:
 * @MC_CALL_ERROR_MISSING_ELEMENT: a GStreamer element is not installed; the
 *   message names the Debian package that provides it
 * @MC_CALL_ERROR_PIPELINE: a GStreamer pipeline failed (the message carries
 *   GStreamer's own error and the element that posted it)
 * @MC_CALL_ERROR_NEGOTIATION: an offer, an answer or a candidate could not be
 *   applied, or webrtcbin could not produce one
 * @MC_CALL_ERROR_DEVICE: a camera or microphone could not be used
 * @MC_CALL_ERROR_INVALID_ARGUMENT: a method was called with a value that makes
 *   no sense (a malformed ICE server list, an empty SDP)
 * @MC_CALL_ERROR_NOT_SUPPORTED: this session cannot do what was asked (screen
 *   sharing without an X11 display, say); the message says why
 *
 * The error domain of #McCallSession and its parts.
 */
typedef enum
{
  MC_CALL_ERROR_MISSING_ELEMENT,
  MC_CALL_ERROR_PIPELINE,
  MC_CALL_ERROR_NEGOTIATION,
  MC_CALL_ERROR_DEVICE,
  MC_CALL_ERROR_INVALID_ARGUMENT,
  MC_CALL_ERROR_NOT_SUPPORTED,
} McCallError;

/**
 * McCallElement:
 * @factory: the element factory's name
 * @package: the Debian 12 package that ships the plugin with @factory
 * @purpose: what the engine uses it for, for people reading a report
 *
 * One GStreamer element the engine can create (see mc_call_elements()).
 */
typedef struct
{
  const char *factory;
  const char *package;
  const char *purpose;
} McCallElement;

GQuark mc_call_error_quark (void);

const McCallElement *mc_call_elements (gsize *n_elements);

const char *mc_call_element_package (const char *factory_name);
GstElement *mc_call_make_element (const char *factory_name,
                                  const char *name,
                                  GError    **error);
GstElement *mc_call_make_element_full (GHashTable *overrides,
                                       const char *factory_name,
                                       const char *name,
                                       GError    **error);

void mc_call_engine_shutdown (void);

G_END_DECLS
