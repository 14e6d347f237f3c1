/* mcs-web.c — the web client's files, served from the binary
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The page (src/server/web/) is compiled in as a GResource: it is always
 * the one that matches this server's protocol, and nothing is fetched
 * from anywhere else at run time. Its answers carry the security headers
 * a page with a camera and a session token deserves: a Content Security
 * Policy without inline script, no framing, no sniffing, no referrer.
 */

#define G_LOG_DOMAIN "mcs-web"

#include "mcs-api.h"
#include "mcs-web-resources.h"

#define RESOURCE_BASE "/io/github/mentorcall/server/web/"

typedef struct
{
  const char *path;
  const char *resource;
  const char *content_type;
} WebFile;

static const WebFile files[] = {
  { "/app/", "index.html", "text/html; charset=utf-8" },
  { "/app/app.js", "app.js", "text/javascript; charset=utf-8" },
  { "/app/app.css", "app.css", "text/css; charset=utf-8" },
};

/* The WebSocket origin of the configured public URL ("wss://host:port"), or
 * NULL without one. */
static char *
public_websocket_origin (McsRequest *request)
{
  McsConfig      *config = mcs_server_get_config (mcs_request_get_server (request));
  g_autoptr (GUri) uri = NULL;
  const char     *scheme;

  if (config->public_url == NULL ||
      (uri = g_uri_parse (config->public_url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      g_uri_get_host (uri) == NULL)
    return NULL;

  scheme = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? "wss" : "ws";
  if (g_uri_get_port (uri) > 0)
    return g_strdup_printf ("%s://%s:%d", scheme, g_uri_get_host (uri), g_uri_get_port (uri));

  return g_strdup_printf ("%s://%s", scheme, g_uri_get_host (uri));
}

static void
add_security_headers (McsRequest *request)
{
  SoupServerMessage  *message = mcs_request_get_message (request);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  const char         *host = soup_message_headers_get_one (
            soup_server_message_get_request_headers (message), "Host");
  g_autofree char *public_origin = public_websocket_origin (request);
  g_autofree char *policy = NULL;

  /* connect-src names the WebSocket of this host: 'self' covers ws: only
   * in recent browsers. It also names the WebSocket of the public URL,
   * where the call token sends the page (the signaling URL): a page
   * reached under another name is then refused by the server, which says
   * why (close 4005), instead of being blocked silently by its own policy. */
  policy = g_strdup_printf ("default-src 'none'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; media-src 'self' blob: mediastream:; "
                            "connect-src 'self'%s%s%s%s%s%s; base-uri 'none'; form-action 'self'; "
                            "frame-ancestors 'none'",
                            host != NULL ? " ws://" : "", host != NULL ? host : "",
                            host != NULL ? " wss://" : "", host != NULL ? host : "",
                            public_origin != NULL ? " " : "",
                            public_origin != NULL ? public_origin : "");
  soup_message_headers_replace (headers, "Content-Security-Policy", policy);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "X-Frame-Options", "DENY");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "Permissions-Policy",
                                "camera=(self), microphone=(self), geolocation=()");
  soup_message_headers_replace (headers, "Cross-Origin-Opener-Policy", "same-origin");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
}

void
mcs_api_web_root (McsRequest *request)
{
  SoupServerMessage *message = mcs_request_get_message (request);

  soup_message_headers_replace (soup_server_message_get_response_headers (message), "Location",
                                "/app/");
  mcs_request_reply_empty (request, SOUP_STATUS_FOUND);
}

void
mcs_api_web_file (McsRequest *request)
{
  SoupServerMessage *message = mcs_request_get_message (request);
  const char        *path = g_uri_get_path (soup_server_message_get_uri (message));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char   *name = NULL;
      g_autoptr (GBytes) bytes = NULL;
      gsize              length;
      const char        *data;

      if (!g_str_equal (path, files[i].path))
        continue;

      name = g_strconcat (RESOURCE_BASE, files[i].resource, NULL);
      bytes = g_resource_lookup_data (mcs_web_get_resource (), name,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      g_assert (bytes != NULL);
      data = g_bytes_get_data (bytes, &length);

      add_security_headers (request);
      mcs_request_reply_text (request, SOUP_STATUS_OK, files[i].content_type,
                              g_strndup (data, length));
      return;
    }

  mcs_request_reply_code (request, MC_ERROR_NOT_FOUND, "There is no such resource");
}
