/* mcs-ws-guard.c — limits on a WebSocket's frames that libsoup does not keep
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2 checks max-incoming-payload-size against each frame, not
 * each message: a text frame that is not final followed by continuation
 * frames is buffered without limit until the last one arrives, and every
 * ping is answered however many come. Neither can be changed from outside
 * SoupWebsocketConnection, so the server puts this stream between the
 * connection's socket and libsoup. It reads the client's frame headers
 * (RFC 6455 section 5.2) as the bytes pass and
 *
 *  - adds up the payload of each message over its continuation frames:
 *    the frame that would take a message past max-message-size, and every
 *    data frame after it, never reach libsoup;
 *  - lets pings and pongs through a token bucket: the one that finds it
 *    empty, and every later one, never reach libsoup.
 *
 * Either way it emits "violation" (from an idle, never inside libsoup's
 * read) with the close code to use, 1009 or 1008, and from then on passes
 * only close frames, so libsoup still sees the client's answer to the close
 * and the handshake ends cleanly. The bytes it passes are the client's own,
 * unchanged (libsoup unmasks them); the first frames of a message that is
 * refused have already gone to libsoup, which is at most max-message-size.
 *
 * It also sends the server's keepalive pings. libsoup's keepalive is a
 * timer per connection, and every source in the main context costs every
 * iteration of it; so libsoup's is off, and the hub's one walk over all
 * connections a second calls mcs_ws_guard_send_ping () for those due. The
 * output is a filter too, which follows the frames libsoup writes (the
 * server's are never masked) so that a ping goes out only between two of
 * them; a ping that does not fit into the socket at once waits for the
 * next walk.
 *
 * The stream is a GIOStream whose input and output are filters. libsoup
 * reads and writes only without blocking, through GPollableInputStream and
 * GPollableOutputStream; the blocking calls are there for completeness.
 *
 * Signals:
 *   violation (guint code, const char *reason): emitted once.
 */

#define G_LOG_DOMAIN "mcs-ws-guard"

#include <string.h>

#include <libsoup/soup.h>

#include "mcs-ws-guard.h"

/* How much a non-blocking read may throw away before it lets the main loop
 * run again: a client that keeps sending a refused message must not hold
 * the loop. */
#define MAX_DROPPED_PER_READ (256 * 1024)
#define READ_CHUNK           4096

/* The guard's input stream */

#define INPUT_TYPE (input_get_type ())
G_DECLARE_FINAL_TYPE (Input, input, MCS, WS_GUARD_INPUT, GFilterInputStream)

struct _Input
{
  GFilterInputStream parent_instance;

  McsWsGuard *guard; /* not owned: it owns us */

  /* The frame header being read: 2 to 14 bytes. */
  guint8 header[14];
  guint  header_length;
  guint  header_needed;

  /* The frame whose payload is passing, or being dropped. */
  guint64  payload_left;
  gboolean dropping;

  guint64     message_size; /* payload of the current message so far */
  GByteArray *pending;      /* bytes for libsoup to read */
};

/* The guard's output stream */

#define OUTPUT_TYPE (output_get_type ())
G_DECLARE_FINAL_TYPE (Output, output, MCS, WS_GUARD_OUTPUT, GFilterOutputStream)

struct _Output
{
  GFilterOutputStream parent_instance;

  /* The header of the frame being written: 2 to 10 bytes. */
  guint8  header[14];
  guint   header_length;
  guint   header_needed;
  guint64 payload_left;

  /* The part of a ping of ours that did not fit into the socket. */
  guint8 ping[2];
  guint  ping_left;
};

struct _McsWsGuard
{
  GIOStream parent_instance;

  GIOStream *base;
  Input     *input;
  Output    *output;

  /* The socket's descriptor, watched for the life of the connection. */
  GSocket *socket; /* or NULL: then only the base's own sources will do */
  GSource *watch;
  gpointer watch_tag;
  gboolean watch_armed;
  guint    readers; /* libsoup's sources for the next read that exist */
  gboolean closed;

  guint64 max_message_size;
  double  ping_tokens;
  double  pings_per_second;
  double  ping_burst;
  gint64  last_refill; /* monotonic µs */

  gboolean      violated;
  gushort       violation_code;
  const char   *violation_reason;
  GSource      *violation_source;
  GMainContext *context;
};

static void input_pollable_iface_init (GPollableInputStreamInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (Input, input, G_TYPE_FILTER_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      input_pollable_iface_init))
/* clang-format on */

static void output_pollable_iface_init (GPollableOutputStreamInterface *iface);

/* clang-format off */
G_DEFINE_FINAL_TYPE_WITH_CODE (Output, output, G_TYPE_FILTER_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      output_pollable_iface_init))
/* clang-format on */

G_DEFINE_FINAL_TYPE (McsWsGuard, mcs_ws_guard, G_TYPE_IO_STREAM)

enum
{
  VIOLATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum
{
  OPCODE_CONTINUATION = 0x0,
  OPCODE_CLOSE = 0x8,
  OPCODE_PING = 0x9,
  OPCODE_PONG = 0xa,
};

/* A final ping frame without payload, as a server sends it: unmasked. */
static const guint8 ping_frame[2] = { 0x80 | OPCODE_PING, 0x00 };

static gboolean
violation_cb (gpointer user_data)
{
  McsWsGuard *self = user_data;

  g_clear_pointer (&self->violation_source, g_source_unref);
  g_signal_emit (self, signals[VIOLATION], 0, (guint) self->violation_code,
                 self->violation_reason);

  return G_SOURCE_REMOVE;
}

/* Remembers the first limit the client broke and tells the owner about it
 * soon, outside the read that found it. */
static void
report_violation (McsWsGuard *self,
                  gushort     code,
                  const char *reason)
{
  if (self->violated)
    return;

  g_debug ("WebSocket client broke a limit: %s", reason);
  self->violated = TRUE;
  self->violation_code = code;
  self->violation_reason = reason;

  self->violation_source = g_idle_source_new ();
  g_source_set_callback (self->violation_source, violation_cb, g_object_ref (self),
                         g_object_unref);
  g_source_attach (self->violation_source, self->context);
}

static gboolean
take_ping_token (McsWsGuard *self)
{
  gint64 now = g_get_monotonic_time ();

  self->ping_tokens = MIN (self->ping_burst,
                           self->ping_tokens +
                             (now - self->last_refill) * self->pings_per_second / G_USEC_PER_SEC);
  self->last_refill = now;

  if (self->ping_tokens < 1.0)
    return FALSE;

  self->ping_tokens -= 1.0;
  return TRUE;
}

/* Decides whether the frame whose header was just read goes to libsoup. */
static gboolean
frame_passes (McsWsGuard *self,
              guint8      opcode,
              guint64     length)
{
  Input *input = self->input;

  if (opcode & 0x8)
    {
      /* Control frames may come between the fragments of a message. */
      if (opcode == OPCODE_CLOSE)
        return TRUE;
      if (self->violated)
        return FALSE;
      if ((opcode == OPCODE_PING || opcode == OPCODE_PONG) && !take_ping_token (self))
        {
          report_violation (self, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "too many pings");
          return FALSE;
        }
      return TRUE;
    }

  if (self->violated)
    return FALSE;

  /* A frame with an opcode starts a message; a continuation adds to it.
   * Frames out of order are libsoup's to refuse. */
  if (opcode != OPCODE_CONTINUATION)
    input->message_size = 0;

  if (length > self->max_message_size - input->message_size)
    {
      report_violation (self, SOUP_WEBSOCKET_CLOSE_TOO_BIG, "message too big");
      return FALSE;
    }

  input->message_size += length;
  return TRUE;
}

static guint
header_size (const guint8 *header)
{
  guint size = 2;

  if ((header[1] & 0x7f) == 126)
    size += 2;
  else if ((header[1] & 0x7f) == 127)
    size += 8;
  if (header[1] & 0x80)
    size += 4; /* the masking key */

  return size;
}

static guint64
payload_length (const guint8 *header)
{
  guint64 length = header[1] & 0x7f;

  if (length == 126)
    length = ((guint64) header[2] << 8) | header[3];
  else if (length == 127)
    {
      length = 0;
      for (guint i = 2; i < 10; i++)
        length = (length << 8) | header[i];
    }

  return length;
}

/* Runs bytes from the client through the frame reader, queueing those that
 * pass for libsoup. */
static void
feed (Input        *self,
      const guint8 *data,
      gsize         length)
{
  while (length > 0)
    {
      if (self->payload_left > 0)
        {
          gsize take = (gsize) MIN (self->payload_left, (guint64) length);

          if (!self->dropping)
            g_byte_array_append (self->pending, data, take);
          self->payload_left -= take;
          data += take;
          length -= take;
          continue;
        }

      self->header[self->header_length++] = *data++;
      length--;

      if (self->header_length == 2)
        self->header_needed = header_size (self->header);

      if (self->header_length == self->header_needed)
        {
          guint8  opcode = self->header[0] & 0x0f;
          guint64 size = payload_length (self->header);

          self->dropping = !frame_passes (self->guard, opcode, size);
          if (!self->dropping)
            g_byte_array_append (self->pending, self->header, self->header_length);
          self->payload_left = size;
          self->header_length = 0;
          self->header_needed = 2;
        }
    }
}

static gssize
hand_out (Input *self,
          void  *buffer,
          gsize  count)
{
  gsize n = MIN (count, self->pending->len);

  memcpy (buffer, self->pending->data, n);
  g_byte_array_remove_range (self->pending, 0, n);

  return n;
}

static gssize
input_read_nonblocking (GPollableInputStream *stream,
                        void                 *buffer,
                        gsize                 count,
                        GError              **error)
{
  Input                *self = (Input *) stream;
  GPollableInputStream *base = G_POLLABLE_INPUT_STREAM (G_FILTER_INPUT_STREAM (self)->base_stream);
  guint8                chunk[READ_CHUNK];
  gsize                 dropped = 0;

  while (self->pending->len == 0)
    {
      gssize n;

      /* Come back through the main loop: the base is still readable, so
       * the source libsoup makes next fires at once. */
      if (dropped >= MAX_DROPPED_PER_READ)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                               "Dropping a refused message");
          return -1;
        }

      n = g_pollable_input_stream_read_nonblocking (base, chunk, sizeof chunk, NULL, error);
      if (n <= 0)
        return n;

      dropped += n;
      feed (self, chunk, n);
    }

  return hand_out (self, buffer, count);
}

static gssize
input_read (GInputStream *stream,
            void         *buffer,
            gsize         count,
            GCancellable *cancellable,
            GError      **error)
{
  Input        *self = (Input *) stream;
  GInputStream *base = G_FILTER_INPUT_STREAM (self)->base_stream;
  guint8        chunk[READ_CHUNK];

  while (self->pending->len == 0)
    {
      gssize n = g_input_stream_read (base, chunk, sizeof chunk, cancellable, error);

      if (n <= 0)
        return n;
      feed (self, chunk, n);
    }

  return hand_out (self, buffer, count);
}

static gboolean
input_can_poll (GPollableInputStream *stream)
{
  GInputStream *base = G_FILTER_INPUT_STREAM (stream)->base_stream;

  return G_IS_POLLABLE_INPUT_STREAM (base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (base));
}

static gboolean
input_is_readable (GPollableInputStream *stream)
{
  Input        *self = (Input *) stream;
  GInputStream *base = G_FILTER_INPUT_STREAM (stream)->base_stream;

  return self->pending->len > 0 ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base));
}

/* The source libsoup waits on for the next read. libsoup destroys it and
 * makes a new one around every read. A source with a descriptor costs the
 * context a walk of its list of descriptors, sorted by number, to add and
 * another to remove (g_main_context_add_poll_unlocked ()): with thousands
 * of connections perf showed those two walks as 40 % of the relay's CPU.
 * So on a plain socket the descriptor belongs to one watch source per
 * connection, attached for the life of the connection, and the source
 * libsoup gets has none: it is ready when this iteration's poll found the
 * watch's descriptor ready (its check reads the watch's revents), or at
 * once when bytes already wait here (rare: libsoup reads until the socket
 * would block). Attaching and destroying it costs nothing per descriptor.
 * The watch itself does nothing when dispatched; it only stops watching
 * when libsoup has no source for the next read (it is closing), so that a
 * readable socket cannot make the loop spin. On any other base (TLS) the
 * source is a pollable source around the base's own. */
typedef struct
{
  GSource     source;
  McsWsGuard *guard; /* owned */
} ReadSource;

typedef struct
{
  GSource     source;
  McsWsGuard *guard; /* not owned: it destroys us before it goes */
} WatchSource;

static gboolean
read_source_check (GSource *source)
{
  McsWsGuard *guard = ((ReadSource *) source)->guard;

  return guard->watch != NULL && g_source_query_unix_fd (guard->watch, guard->watch_tag) != 0;
}

static gboolean
read_source_dispatch (GSource    *source,
                      GSourceFunc callback,
                      gpointer    user_data)
{
  McsWsGuard         *guard = ((ReadSource *) source)->guard;
  GPollableSourceFunc func = (GPollableSourceFunc) callback;

  g_source_set_ready_time (source, -1);
  if (func == NULL)
    return G_SOURCE_REMOVE;

  return func (G_OBJECT (guard->input), user_data);
}

static void
read_source_finalize (GSource *source)
{
  McsWsGuard *guard = ((ReadSource *) source)->guard;

  guard->readers--;
  g_clear_object (&((ReadSource *) source)->guard);
}

static GSourceFuncs read_source_funcs = {
  .check = read_source_check,
  .dispatch = read_source_dispatch,
  .finalize = read_source_finalize,
};

static void
arm_watch (McsWsGuard *self,
           gboolean    armed)
{
  if (self->watch_armed == armed)
    return;

  self->watch_armed = armed;
  g_source_modify_unix_fd (self->watch, self->watch_tag,
                           armed ? G_IO_IN | G_IO_HUP | G_IO_ERR : 0);
}

static gboolean
watch_dispatch (GSource    *source,
                GSourceFunc callback,
                gpointer    user_data)
{
  McsWsGuard *guard = ((WatchSource *) source)->guard;

  if (guard->readers == 0)
    arm_watch (guard, FALSE);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs watch_funcs = {
  .dispatch = watch_dispatch,
};

static void
stop_watch (McsWsGuard *self)
{
  if (self->watch == NULL)
    return;

  g_source_destroy (self->watch);
  g_clear_pointer (&self->watch, g_source_unref);
  self->watch_tag = NULL;
}

static GSource *
input_create_source (GPollableInputStream *stream,
                     GCancellable         *cancellable)
{
  Input        *self = (Input *) stream;
  GInputStream *base = G_FILTER_INPUT_STREAM (stream)->base_stream;
  McsWsGuard   *guard = self->guard;
  GSource      *child, *source;

  if (cancellable == NULL && guard != NULL && guard->socket != NULL && !guard->closed)
    {
      GSocket *socket = guard->socket;
      gboolean ready = self->pending->len > 0;

      if (guard->watch == NULL)
        {
          /* The base may hold bytes read with the request's head (libsoup
           * reads ahead); libsoup's first read takes them all. */
          ready = ready || g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (base));

          guard->watch = g_source_new (&watch_funcs, sizeof (WatchSource));
          ((WatchSource *) guard->watch)->guard = guard;
          g_source_set_static_name (guard->watch, "McsWsGuard socket");
          guard->watch_tag = g_source_add_unix_fd (guard->watch, g_socket_get_fd (socket), 0);
          g_source_attach (guard->watch, guard->context);
        }
      arm_watch (guard, TRUE);

      source = g_source_new (&read_source_funcs, sizeof (ReadSource));
      g_source_set_static_name (source, "McsWsGuard input");
      ((ReadSource *) source)->guard = g_object_ref (guard);
      guard->readers++;
      if (ready)
        g_source_set_ready_time (source, 0);
      return source;
    }

  /* Bytes already waiting make the source ready at once. */
  if (self->pending->len > 0)
    child = g_timeout_source_new (0);
  else
    child = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (base), cancellable);

  g_source_set_dummy_callback (child);
  source = g_pollable_source_new (G_OBJECT (stream));
  g_source_add_child_source (source, child);
  g_source_unref (child);

  return source;
}

static void
input_pollable_iface_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = input_can_poll;
  iface->is_readable = input_is_readable;
  iface->create_source = input_create_source;
  iface->read_nonblocking = input_read_nonblocking;
}

static void
input_finalize (GObject *object)
{
  Input *self = (Input *) object;

  g_byte_array_unref (self->pending);

  G_OBJECT_CLASS (input_parent_class)->finalize (object);
}

static void
input_class_init (InputClass *klass)
{
  GObjectClass      *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = input_finalize;
  stream_class->read_fn = input_read;
}

static void
input_init (Input *self)
{
  self->pending = g_byte_array_new ();
  self->header_needed = 2;
}

/* The output: libsoup's frames pass unchanged; between two of them, a ping */

/* Follows the frames in @data, which just went out. */
static void
follow (Output       *self,
        const guint8 *data,
        gsize         length)
{
  while (length > 0)
    {
      if (self->payload_left > 0)
        {
          gsize take = (gsize) MIN (self->payload_left, (guint64) length);

          self->payload_left -= take;
          data += take;
          length -= take;
          continue;
        }

      self->header[self->header_length++] = *data++;
      length--;

      if (self->header_length == 2)
        self->header_needed = header_size (self->header);

      if (self->header_length == self->header_needed)
        {
          self->payload_left = payload_length (self->header);
          self->header_length = 0;
          self->header_needed = 2;
        }
    }
}

static gboolean
between_frames (Output *self)
{
  return self->header_length == 0 && self->payload_left == 0;
}

/* Writes what is left of a ping of ours. Returns FALSE, with @error set,
 * when it cannot all go now; a frame of libsoup's must not start before it. */
static gboolean
flush_ping (Output  *self,
            gboolean blocking,
            GError **error)
{
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (self)->base_stream;

  while (self->ping_left > 0)
    {
      const guint8 *rest = self->ping + sizeof self->ping - self->ping_left;
      gssize        n;

      if (blocking)
        n = g_output_stream_write (base, rest, self->ping_left, NULL, error);
      else
        n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (base), rest,
                                                        self->ping_left, NULL, error);
      if (n < 0)
        return FALSE;
      self->ping_left -= n;
    }

  return TRUE;
}

static gssize
output_write_nonblocking (GPollableOutputStream *stream,
                          const void            *buffer,
                          gsize                  count,
                          GError               **error)
{
  Output        *self = (Output *) stream;
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (self)->base_stream;
  gssize         n;

  if (!flush_ping (self, FALSE, error))
    return -1;

  n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (base), buffer, count,
                                                  NULL, error);
  if (n > 0)
    follow (self, buffer, n);

  return n;
}

static gssize
output_write (GOutputStream *stream,
              const void    *buffer,
              gsize          count,
              GCancellable  *cancellable,
              GError       **error)
{
  Output        *self = (Output *) stream;
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (self)->base_stream;
  gssize         n;

  if (!flush_ping (self, TRUE, error))
    return -1;

  n = g_output_stream_write (base, buffer, count, cancellable, error);
  if (n > 0)
    follow (self, buffer, n);

  return n;
}

static gboolean
output_can_poll (GPollableOutputStream *stream)
{
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (stream)->base_stream;

  return G_IS_POLLABLE_OUTPUT_STREAM (base) &&
         g_pollable_output_stream_can_poll (G_POLLABLE_OUTPUT_STREAM (base));
}

static gboolean
output_is_writable (GPollableOutputStream *stream)
{
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (stream)->base_stream;

  return g_pollable_output_stream_is_writable (G_POLLABLE_OUTPUT_STREAM (base));
}

/* libsoup waits on this only while the socket is full, which is rare. */
static GSource *
output_create_source (GPollableOutputStream *stream,
                      GCancellable          *cancellable)
{
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (stream)->base_stream;
  GSource       *child, *source;

  child = g_pollable_output_stream_create_source (G_POLLABLE_OUTPUT_STREAM (base), cancellable);
  g_source_set_dummy_callback (child);
  source = g_pollable_source_new (G_OBJECT (stream));
  g_source_add_child_source (source, child);
  g_source_unref (child);

  return source;
}

static void
output_pollable_iface_init (GPollableOutputStreamInterface *iface)
{
  iface->can_poll = output_can_poll;
  iface->is_writable = output_is_writable;
  iface->create_source = output_create_source;
  iface->write_nonblocking = output_write_nonblocking;
}

static void
output_class_init (OutputClass *klass)
{
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  stream_class->write_fn = output_write;
}

static void
output_init (Output *self)
{
  self->header_needed = 2;
}

/* The guard */

static void
base_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  GError           *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static GInputStream *
mcs_ws_guard_get_input_stream (GIOStream *stream)
{
  return G_INPUT_STREAM (MCS_WS_GUARD (stream)->input);
}

static GOutputStream *
mcs_ws_guard_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (MCS_WS_GUARD (stream)->output);
}

static gboolean
mcs_ws_guard_close (GIOStream    *stream,
                    GCancellable *cancellable,
                    GError      **error)
{
  McsWsGuard *self = MCS_WS_GUARD (stream);

  /* The filter does not close its base; closing the base stream closes
   * the socket. */
  /* No source may watch the descriptor once it is closed (and reused). */
  self->closed = TRUE;
  stop_watch (self);
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (self->output), NULL, NULL);
  return g_io_stream_close (self->base, cancellable, error);
}

/* GIOStream's default would close in a thread; the base can do it on the
 * main context. */
static void
mcs_ws_guard_close_async (GIOStream          *stream,
                          int                 io_priority,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  McsWsGuard *self = MCS_WS_GUARD (stream);
  GTask      *task = g_task_new (stream, cancellable, callback, user_data);

  g_task_set_source_tag (task, mcs_ws_guard_close_async);
  self->closed = TRUE;
  stop_watch (self);
  g_input_stream_close (G_INPUT_STREAM (self->input), NULL, NULL);
  g_output_stream_close (G_OUTPUT_STREAM (self->output), NULL, NULL);
  g_io_stream_close_async (self->base, io_priority, cancellable, base_closed_cb, task);
}

static gboolean
mcs_ws_guard_close_finish (GIOStream    *stream,
                           GAsyncResult *result,
                           GError      **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
mcs_ws_guard_dispose (GObject *object)
{
  McsWsGuard *self = MCS_WS_GUARD (object);

  if (self->violation_source != NULL)
    {
      g_source_destroy (self->violation_source);
      g_clear_pointer (&self->violation_source, g_source_unref);
    }
  stop_watch (self);

  G_OBJECT_CLASS (mcs_ws_guard_parent_class)->dispose (object);
}

static void
mcs_ws_guard_finalize (GObject *object)
{
  McsWsGuard *self = MCS_WS_GUARD (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->socket);
  g_clear_object (&self->base);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (mcs_ws_guard_parent_class)->finalize (object);
}

static void
mcs_ws_guard_class_init (McsWsGuardClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = mcs_ws_guard_dispose;
  object_class->finalize = mcs_ws_guard_finalize;
  stream_class->get_input_stream = mcs_ws_guard_get_input_stream;
  stream_class->get_output_stream = mcs_ws_guard_get_output_stream;
  stream_class->close_fn = mcs_ws_guard_close;
  stream_class->close_async = mcs_ws_guard_close_async;
  stream_class->close_finish = mcs_ws_guard_close_finish;

  signals[VIOLATION] = g_signal_new ("violation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     G_TYPE_UINT, G_TYPE_STRING);
}

static void
mcs_ws_guard_init (McsWsGuard *self)
{
}

/**
 * mcs_ws_guard_new:
 * @base: the connection's stream, right after the upgrade
 * @socket: (nullable): its socket, when a readable socket is all that
 *   reading @base needs (not under TLS, which keeps bytes of its own)
 * @max_message_size: the most payload a message may have, over all its frames
 * @pings_per_second: how many pings and pongs a second the client may send
 * @ping_burst: and how many at once
 *
 * Returns: (transfer full): a stream to give libsoup instead of @base
 */
McsWsGuard *
mcs_ws_guard_new (GIOStream *base,
                  GSocket   *socket,
                  guint64    max_message_size,
                  double     pings_per_second,
                  double     ping_burst)
{
  McsWsGuard *self = g_object_new (MCS_TYPE_WS_GUARD, NULL);

  self->base = g_object_ref (base);
  self->socket = socket != NULL ? g_object_ref (socket) : NULL;
  self->input = g_object_new (INPUT_TYPE,
                              "base-stream", g_io_stream_get_input_stream (base),
                              "close-base-stream", FALSE,
                              NULL);
  self->input->guard = self;
  self->output = g_object_new (OUTPUT_TYPE,
                               "base-stream", g_io_stream_get_output_stream (base),
                               "close-base-stream", FALSE,
                               NULL);
  self->max_message_size = max_message_size;
  self->pings_per_second = pings_per_second;
  self->ping_burst = self->ping_tokens = ping_burst;
  self->last_refill = g_get_monotonic_time ();
  self->context = g_main_context_ref_thread_default ();

  return self;
}

/**
 * mcs_ws_guard_send_ping:
 * @self: a guard
 *
 * Sends a keepalive ping (without payload) to the client, between two of
 * libsoup's frames, if the socket takes it now. Returns %FALSE when it had
 * to wait: in the middle of a frame, or the socket is full (then the
 * client is receiving anyway); call again later.
 *
 * Returns: whether the ping went out, or started to
 */
gboolean
mcs_ws_guard_send_ping (McsWsGuard *self)
{
  Output        *output = self->output;
  GOutputStream *base = G_FILTER_OUTPUT_STREAM (output)->base_stream;
  gssize         n;

  if (!flush_ping (output, FALSE, NULL) || !between_frames (output) ||
      g_output_stream_is_closed (G_OUTPUT_STREAM (output)) || g_output_stream_is_closed (base) ||
      g_output_stream_has_pending (base))
    return FALSE;

  n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (base), ping_frame,
                                                  sizeof ping_frame, NULL, NULL);
  if (n <= 0)
    return FALSE;

  /* The rest, if any, goes before libsoup's next frame. */
  memcpy (output->ping, ping_frame, sizeof ping_frame);
  output->ping_left = sizeof ping_frame - n;
  return TRUE;
}
