/* mcs-listener.c — what other servers on the database tell this one
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Servers that share a PostgreSQL database tell each other of changes with
 * PostgreSQL's own LISTEN/NOTIFY (no other infrastructure): a server that
 * changed something sends `pg_notify('mentorcall', payload)` through its
 * store (mcs_store_publish ()), and every server, itself included, gets the
 * payload here. McsSignaling says what the payloads are.
 *
 * A listening session must be a connection of its own (the store's runs
 * transactions, and a notification is read from the socket between them),
 * watched on the main context: libpq's socket becomes readable, and
 * PQconsumeInput() and PQnotifies() read what came without blocking. A lost
 * connection is made again every RECONNECT_SECONDS; what was sent meanwhile
 * is lost, as NOTIFY does not queue for absent listeners (clients refresh
 * their views when their own connection comes back).
 */

#define G_LOG_DOMAIN "mcs-listener"

#include "config.h"

#include <glib-unix.h>
#include <libpq-fe.h>

#include "mcs-listener.h"
#include "mcs-store.h"

#define RECONNECT_SECONDS 5

struct _McsListener
{
  GObject parent_instance;

  char   *url;
  PGconn *conn;
  guint   watch_id;
  guint   reconnect_id;
};

G_DEFINE_FINAL_TYPE (McsListener, mcs_listener, G_TYPE_OBJECT)

enum
{
  SIGNAL_NOTIFICATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void     start (McsListener *self);
static gboolean reconnect_cb (gpointer user_data);

static void
drop (McsListener *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_pointer (&self->conn, PQfinish);
}

static void
lose (McsListener *self,
      const char  *why)
{
  g_warning ("Not listening to the other servers any more (%s); trying again every %d s", why,
             RECONNECT_SECONDS);
  drop (self);
  if (self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add_seconds (RECONNECT_SECONDS, reconnect_cb, self);
}

static gboolean
readable_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  McsListener *self = user_data;
  PGnotify    *notify;

  if (!PQconsumeInput (self->conn) || PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

      /* The source goes with drop (): say so to GLib instead. */
      self->watch_id = 0;
      lose (self, message);
      return G_SOURCE_REMOVE;
    }

  while ((notify = PQnotifies (self->conn)) != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, notify->extra);
      PQfreemem (notify);
    }

  return G_SOURCE_CONTINUE;
}

/* Connects and listens; on failure, tries again later. */
static void
start (McsListener *self)
{
  /* As the store's connection: UTF-8, no NOTICEs, and a server that does
   * not answer does not hold the main loop for a TCP time-out. This one is
   * idle but for notifications: TCP keep-alives find a peer that vanished
   * without a word (a fail-over, a moved address) within a minute or so. */
  const char *keywords[] = { "connect_timeout", "client_encoding",
                             "options", "keepalives_idle",
                             "keepalives_interval", "keepalives_count",
                             "dbname", NULL };
  const char *values[] = { "5", "UTF8", "-c client_min_messages=warning", "30", "10", "3",
                           self->url, NULL };
  PGresult   *result;

  self->conn = PQconnectdbParams (keywords, values, TRUE);
  if (PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

      lose (self, message);
      return;
    }

  result = PQexec (self->conn, "LISTEN " MCS_STORE_CHANNEL);
  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    {
      g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

      PQclear (result);
      lose (self, message);
      return;
    }
  PQclear (result);

  PQsetnonblocking (self->conn, 1);
  self->watch_id = g_unix_fd_add (PQsocket (self->conn), G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  readable_cb, self);
  g_debug ("Listening on channel %s", MCS_STORE_CHANNEL);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  McsListener *self = user_data;

  self->reconnect_id = 0;
  start (self);
  if (self->conn != NULL)
    g_message ("Listening to the other servers again");

  return G_SOURCE_REMOVE;
}

static void
mcs_listener_finalize (GObject *object)
{
  McsListener *self = MCS_LISTENER (object);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  drop (self);
  g_free (self->url);

  G_OBJECT_CLASS (mcs_listener_parent_class)->finalize (object);
}

static void
mcs_listener_class_init (McsListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mcs_listener_finalize;

  /**
   * McsListener::notification:
   * @self: the listener
   * @payload: what a server sent, this one included
   */
  signals[SIGNAL_NOTIFICATION] = g_signal_new ("notification", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
mcs_listener_init (McsListener *self)
{
}

/**
 * mcs_listener_new:
 * @url: the PostgreSQL database's URL
 *
 * Returns: (transfer full): a listener, listening already or trying to
 */
McsListener *
mcs_listener_new (const char *url)
{
  McsListener *self = g_object_new (MCS_TYPE_LISTENER, NULL);

  self->url = g_strdup (url);
  start (self);

  return self;
}

/**
 * mcs_listener_is_listening:
 * @self: a listener
 *
 * Returns: whether it is connected and listening now
 */
gboolean
mcs_listener_is_listening (McsListener *self)
{
  g_return_val_if_fail (MCS_IS_LISTENER (self), FALSE);

  return self->watch_id != 0;
}
