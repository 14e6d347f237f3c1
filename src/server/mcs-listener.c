/* mcs-listener.c — what other servers on the database tell this one
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Servers that share a PostgreSQL database tell each other of changes with
 * PostgreSQL's own LISTEN/NOTIFY (no other infrastructure): a server that
 * changed something sends `pg_notify('mentorcall', payload)` through its
 * store (mcs_store_publish ()), and every server, itself included, gets the
 * payload here; what concerns one server alone goes on that server's own
 * channel (mcs_store_node_channel ()), which it listens on too. A payload
 * longer than one NOTIFY carries comes in parts from one sending
 * connection, in order: they are put together here, by the sender's
 * backend. McsSignaling says what the payloads are.
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

#include <string.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <libpq-fe.h>

#include "mcs-listener.h"
#include "mcs-store.h"

#define RECONNECT_SECONDS       5
#define CONNECT_TIMEOUT_SECONDS 5
/* The longest payload put together from parts: far more than the longest
 * message a client may send (anyone who may connect to the database may
 * NOTIFY, so what is kept for them is bounded). */
#define MAX_PAYLOAD_BYTES (1024 * 1024)

typedef enum
{
  STATE_LOST,
  STATE_CONNECTING,
  STATE_SUBSCRIBING,
  STATE_LISTENING,
} State;

struct _McsListener
{
  GObject parent_instance;

  char         *url;
  char         *channel;     /* this server's own, besides MCS_STORE_CHANNEL */
  char         *host_name;   /* the database host's name to look up first, or NULL */
  GCancellable *cancellable; /* while it is being looked up */
  GHashTable   *parts;       /* sender's backend pid → GString: a payload's parts so far */
  PGconn       *conn;
  State         state;
  gboolean      has_listened;
  guint         watch_id;
  guint         timeout_id;
  guint         reconnect_id;
};

G_DEFINE_FINAL_TYPE (McsListener, mcs_listener, G_TYPE_OBJECT)

enum
{
  SIGNAL_NOTIFICATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean reconnect_cb (gpointer user_data);
static gboolean writable_cb (int          fd,
                             GIOCondition condition,
                             gpointer     user_data);
static void     poll_connection (McsListener *self);

static void
drop (McsListener *self)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->conn, PQfinish);
  g_hash_table_remove_all (self->parts);
  self->state = STATE_LOST;
}

/* A connection that worked is made again at once (a database's idle
 * session time-out, a fail-over: the new one is likely to work, and the
 * load balancer's check need not see the gap); one that failed to be made,
 * every RECONNECT_SECONDS. A message, not a warning: the operator's
 * monitoring has /healthz, and the tests run servers with fatal warnings. */
static void
lose (McsListener *self,
      const char  *why)
{
  gboolean was_listening = self->state == STATE_LISTENING;

  g_message ("Not listening to the other servers (%s); trying again %s", why,
             was_listening ? "now" : "in " G_STRINGIFY (RECONNECT_SECONDS) " s");
  drop (self);
  if (self->reconnect_id == 0)
    self->reconnect_id = g_timeout_add (was_listening ? 0 : RECONNECT_SECONDS * 1000,
                                        reconnect_cb, self);
}

/* Loses the connection for what libpq says went wrong with it. */
static void
lose_connection (McsListener *self)
{
  g_autofree char *message = g_strstrip (g_strdup (PQerrorMessage (self->conn)));

  lose (self, message);
}

/* Reads the LISTEN's results as they come. Returns whether it is done, and
 * went well: then this server listens. */
static gboolean
subscribed (McsListener *self)
{
  PGresult *result;

  while (!PQisBusy (self->conn))
    {
      result = PQgetResult (self->conn);
      if (result == NULL)
        {
          g_clear_handle_id (&self->timeout_id, g_source_remove);
          if (self->has_listened)
            g_message ("Listening to the other servers again");
          else
            g_debug ("Listening on channels " MCS_STORE_CHANNEL " and %s", self->channel);
          self->state = STATE_LISTENING;
          self->has_listened = TRUE;
          return TRUE;
        }

      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        {
          g_autofree char *message = g_strstrip (g_strdup (PQresultErrorMessage (result)));

          PQclear (result);
          lose (self, message);
          return FALSE;
        }
      PQclear (result);
    }

  return FALSE;
}

/* Emits a whole payload; keeps a part until the last one came. Parts come
 * from one sender in order and together: anything else from that sender
 * while some are kept means they will never be whole (it failed half-way,
 * or its connection was made again), and they are dropped. */
static void
receive (McsListener *self,
         PGnotify    *notify)
{
  gpointer key = GINT_TO_POINTER (notify->be_pid);
  GString *payload = g_hash_table_lookup (self->parts, key);
  char     mark = notify->extra[0];

  if (mark != MCS_STORE_PART_MARK && mark != MCS_STORE_LAST_PART_MARK)
    {
      if (payload != NULL)
        g_hash_table_remove (self->parts, key);
      g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, notify->extra);
      return;
    }

  if (payload == NULL)
    {
      /* A last part without the others: nothing to emit. */
      if (mark == MCS_STORE_LAST_PART_MARK)
        return;
      payload = g_string_new (NULL);
      g_hash_table_insert (self->parts, key, payload);
    }

  g_string_append (payload, notify->extra + 1);
  if (payload->len > MAX_PAYLOAD_BYTES)
    {
      g_message ("Dropped a payload of more than %d bytes", MAX_PAYLOAD_BYTES);
      g_hash_table_remove (self->parts, key);
      return;
    }

  if (mark == MCS_STORE_LAST_PART_MARK)
    {
      g_signal_emit (self, signals[SIGNAL_NOTIFICATION], 0, payload->str);
      g_hash_table_remove (self->parts, key);
    }
}

static gboolean
readable_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  McsListener *self = user_data;
  PGnotify    *notify;

  /* On a loss, drop () has removed this source already. */
  if (!PQconsumeInput (self->conn) || PQstatus (self->conn) != CONNECTION_OK)
    {
      lose_connection (self);
      return G_SOURCE_REMOVE;
    }

  if (self->state == STATE_SUBSCRIBING && !subscribed (self))
    return self->state == STATE_LOST ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;

  while ((notify = PQnotifies (self->conn)) != NULL)
    {
      receive (self, notify);
      PQfreemem (notify);
    }

  return G_SOURCE_CONTINUE;
}

static void
watch (McsListener      *self,
       GIOCondition      condition,
       GUnixFDSourceFunc callback)
{
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->watch_id = g_unix_fd_add (PQsocket (self->conn), condition | G_IO_HUP | G_IO_ERR,
                                  callback, self);
}

static gboolean
connect_timeout_cb (gpointer user_data)
{
  McsListener *self = user_data;

  self->timeout_id = 0;
  lose (self, "no answer within " G_STRINGIFY (CONNECT_TIMEOUT_SECONDS) " s");

  return G_SOURCE_REMOVE;
}

/* Sends what libpq still holds of the LISTEN, then reads its answer with
 * what follows. */
static void
flush (McsListener *self)
{
  switch (PQflush (self->conn))
    {
    case 0:
      watch (self, G_IO_IN, readable_cb);
      break;

    case 1:
      watch (self, G_IO_OUT, writable_cb);
      break;

    default:
      lose_connection (self);
      break;
    }
}

static gboolean
writable_cb (int          fd,
             GIOCondition condition,
             gpointer     user_data)
{
  McsListener *self = user_data;

  self->watch_id = 0;
  flush (self);

  return G_SOURCE_REMOVE;
}

/* The connection is made: LISTEN, on both channels. */
static void
subscribe (McsListener *self)
{
  g_autofree char *listen = g_strdup_printf ("LISTEN " MCS_STORE_CHANNEL "; LISTEN %s",
                                             self->channel);

  if (PQsetnonblocking (self->conn, 1) != 0 || !PQsendQuery (self->conn, listen))
    {
      lose_connection (self);
      return;
    }

  self->state = STATE_SUBSCRIBING;
  flush (self);
}

static gboolean
connecting_cb (int          fd,
               GIOCondition condition,
               gpointer     user_data)
{
  McsListener *self = user_data;

  /* libpq may change sockets between steps (another address of the
   * host): each step watches the socket anew. */
  self->watch_id = 0;
  poll_connection (self);

  return G_SOURCE_REMOVE;
}

static void
poll_connection (McsListener *self)
{
  switch (PQconnectPoll (self->conn))
    {
    case PGRES_POLLING_READING:
      watch (self, G_IO_IN, connecting_cb);
      break;

    case PGRES_POLLING_WRITING:
      watch (self, G_IO_OUT, connecting_cb);
      break;

    case PGRES_POLLING_OK:
      subscribe (self);
      break;

    case PGRES_POLLING_FAILED:
    case PGRES_POLLING_ACTIVE:
    default:
      lose_connection (self);
      break;
    }
}

/* Connects, to @hostaddr (addresses of @host) if not %NULL, and listens,
 * without waiting on the main loop for the database (libpq's non-blocking
 * connection, its socket watched on the main context). */
static void
connect_to (McsListener *self,
            const char  *host,
            const char  *hostaddr)
{
  /* As the store's connection: UTF-8 and no NOTICEs. This one is idle but
   * for notifications: TCP keep-alives find a peer that vanished without a
   * word (a fail-over, a moved address) within a minute or so. Keywords
   * after "dbname" override what its URL says. */
  const char *keywords[] = { "client_encoding", "options", "keepalives_idle",
                             "keepalives_interval", "keepalives_count", "dbname",
                             "host", "hostaddr", NULL };
  const char *values[] = { "UTF8", "-c client_min_messages=warning", "30", "10", "3",
                           self->url, host, hostaddr, NULL };

  /* Without addresses, the URL's own host (a socket directory, or an
   * address) stands. */
  if (hostaddr == NULL)
    keywords[6] = NULL;

  self->conn = PQconnectStartParams (keywords, values, TRUE);
  if (self->conn == NULL)
    {
      lose (self, "out of memory");
      return;
    }
  if (PQstatus (self->conn) == CONNECTION_BAD)
    {
      lose_connection (self);
      return;
    }

  /* libpq's first step is to wait until the socket can be written to (its
   * connect () is under way): only then may PQconnectPoll () be called. */
  watch (self, G_IO_OUT, connecting_cb);
}

/* The host name that libpq would look up before PQconnectStartParams ()
 * returns, holding the main loop: the URL's host (or PGHOST's) when it is
 * one name, not an address nor a socket directory, and no hostaddr is
 * given. %NULL when there is none. */
static char *
host_to_look_up (const char *url)
{
  PQconninfoOption *options = PQconninfoParse (url, NULL);
  const char       *host = NULL;
  const char       *hostaddr = NULL;
  char             *name = NULL;

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, "host"))
        host = option->val;
      else if (g_str_equal (option->keyword, "hostaddr"))
        hostaddr = option->val;
    }
  if (host == NULL || host[0] == '\0')
    host = g_getenv ("PGHOST");
  if (hostaddr == NULL || hostaddr[0] == '\0')
    hostaddr = g_getenv ("PGHOSTADDR");

  if (host != NULL && host[0] != '\0' && host[0] != '/' && host[0] != '@' &&
      strchr (host, ',') == NULL && !g_hostname_is_ip_address (host) &&
      (hostaddr == NULL || hostaddr[0] == '\0'))
    name = g_strdup (host);

  PQconninfoFree (options);
  return name;
}

/* The database host's addresses came: libpq gets them all (the host's name
 * once for each), and tries them in turn as it would have. */
static void
looked_up_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  McsListener              *self = user_data;
  g_autoptr (GError)        error = NULL;
  g_autolist (GInetAddress) addresses = NULL;
  g_autoptr (GString)       hosts = g_string_new (NULL);
  g_autoptr (GString)       hostaddrs = g_string_new (NULL);
  g_autofree char          *name = NULL;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  /* Cancelled: the listener was dropped, maybe finalized. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  if (addresses == NULL)
    {
      g_autofree char *why = g_strdup_printf ("cannot look up the database host: %s",
                                              error->message);

      lose (self, why);
      return;
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *address = g_inet_address_to_string (l->data);

      g_string_append_printf (hosts, "%s%s", hosts->len > 0 ? "," : "", self->host_name);
      g_string_append_printf (hostaddrs, "%s%s", hostaddrs->len > 0 ? "," : "", address);
    }

  g_debug ("The database host %s is at %s", self->host_name, hostaddrs->str);
  connect_to (self, hosts->str, hostaddrs->str);
}

/* Connects and listens; on failure, tries again later. libpq leaves a
 * non-blocking connection's time-out to its caller (connect_timeout_cb
 * ()), and would look a host name up before it returns: the name is
 * looked up here first, without holding the main loop. */
static void
start (McsListener *self)
{
  g_autoptr (GResolver) resolver = NULL;

  self->state = STATE_CONNECTING;
  self->timeout_id = g_timeout_add_seconds (CONNECT_TIMEOUT_SECONDS, connect_timeout_cb, self);

  if (self->host_name == NULL)
    {
      connect_to (self, NULL, NULL);
      return;
    }

  resolver = g_resolver_get_default ();
  self->cancellable = g_cancellable_new ();
  g_resolver_lookup_by_name_async (resolver, self->host_name, self->cancellable, looked_up_cb,
                                   self);
}

static gboolean
reconnect_cb (gpointer user_data)
{
  McsListener *self = user_data;

  self->reconnect_id = 0;
  start (self);

  return G_SOURCE_REMOVE;
}

static void
mcs_listener_finalize (GObject *object)
{
  McsListener *self = MCS_LISTENER (object);

  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  drop (self);
  g_hash_table_unref (self->parts);
  g_free (self->url);
  g_free (self->host_name);
  g_free (self->channel);

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
free_string (gpointer data)
{
  g_string_free (data, TRUE);
}

static void
mcs_listener_init (McsListener *self)
{
  self->parts = g_hash_table_new_full (NULL, NULL, NULL, free_string);
}

/**
 * mcs_listener_new:
 * @url: the PostgreSQL database's URL
 * @channel: this server's own channel (mcs_store_node_channel ()), a
 *   lower-case identifier
 *
 * Returns: (transfer full): a listener, connecting (mcs_listener_describe ())
 */
McsListener *
mcs_listener_new (const char *url,
                  const char *channel)
{
  McsListener *self = g_object_new (MCS_TYPE_LISTENER, NULL);

  self->url = g_strdup (url);
  self->host_name = host_to_look_up (url);
  self->channel = g_strdup (channel);
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

  return self->state == STATE_LISTENING;
}

/**
 * mcs_listener_describe:
 * @self: a listener
 *
 * Returns: where it stands, for `/healthz`: `listening`, `connecting`
 *   (the first time, or again after a loss) or `lost` (waiting to try again)
 */
const char *
mcs_listener_describe (McsListener *self)
{
  g_return_val_if_fail (MCS_IS_LISTENER (self), NULL);

  switch (self->state)
    {
    case STATE_LISTENING:
      return "listening";
    case STATE_CONNECTING:
    case STATE_SUBSCRIBING:
      return "connecting";
    case STATE_LOST:
    default:
      return "lost";
    }
}
