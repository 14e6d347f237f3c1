/* bench-server-rooms.c — the server benchmark: thousands of rooms, relay latency
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real mentorcall-server on 127.0.0.1 and, in this one process on one main
 * loop, N rooms: N mentors and N students, N confirmed bookings, 2N
 * signaling WebSockets, each pair joined to its room. Then:
 *
 *   idle   IDLE_SECONDS with every room open and quiet (only the heartbeats):
 *          the server's CPU
 *   relay  for SECONDS, in every room one side sends RATE relay messages a
 *          second (`ice-candidate`, the send time in the candidate text),
 *          the rooms spread evenly over each second, half of the rooms from
 *          the mentor and half from the student; the other side records
 *          the time to arrive: p50, p95, p99, max; the server's CPU and
 *          memory (from /proc), messages lost
 *
 * Environment: MENTORCALL_BENCH_ROOMS (N, default 1000),
 * MENTORCALL_BENCH_RATE (messages a second per room, default 2),
 * MENTORCALL_BENCH_TOTAL_RATE (messages a second over all rooms, instead:
 * 2000 over 5000 rooms is one message in 2.5 s in each),
 * MENTORCALL_BENCH_SECONDS (the relay phase, default 20).
 *
 * Besides the latency it prints the server's CPU per relayed message (all
 * of its CPU in the relay phase over the messages that arrived, and the
 * same less the idle phase's rate), its idle CPU, and its memory per
 * WebSocket (RSS once all are joined less RSS before the first connected,
 * over 2N).
 *
 * With --lesson-start it measures the burst at the start of lessons
 * instead (the benchmark `lesson-start`): N rooms' users exist and are
 * logged in (set-up, untimed), then all 2N of them ask for a call token,
 * open their WebSocket and join, each starting at a moment spread evenly
 * over MENTORCALL_BENCH_SPREAD seconds (default 5) and without any limit
 * on how many are in flight. It prints the time until the last one is in
 * the room (the bar: 4 000 joins within 10 s), the latency of each join
 * from its call-token request to "joined" (p50, p95, p99, max), the
 * answers 503/429 (retried after 100 ms, as a client would) and the CPU of
 * both processes. Any failure (an error answer, a refused or reset
 * connection, an error message) fails it. N defaults to 2000 there.
 *
 * The set-up (users, bookings, logins, call tokens, connections and joins,
 * all through the public and admin HTTP API, a few requests in flight at a
 * time) is timed and reported apart from the figures. Passwords are hashed
 * with the test servers' "minimum" Argon2id strength, so that 2N logins take
 * seconds rather than many minutes; that is the only concession.
 *
 * The latency includes this process's own sending and receiving, on the
 * same two cores as the server: it is an upper bound of the server's part.
 * The bar of PRODUCT.md: thousands of concurrent rooms on a 2-core machine,
 * relay latency p99 under 20 ms. The benchmark fails only when the rooms
 * cannot be set up or messages are refused, never because of a figure.
 */

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench-common.h"
#include "mc-test-haproxy.h"
#include "mc-test-server.h"

#define DEFAULT_ROOMS       1000
#define DEFAULT_BURST_ROOMS 2000
#define DEFAULT_SPREAD      5
#define BAR_BURST_SECONDS   10
/* Peers that share a SoupSession in the lesson start. libsoup goes through
 * a session's whole queue on every step, so 4000 requests queued in one
 * session made this process, not the server, the bottleneck. */
#define BURST_GROUP     16
#define DEFAULT_RATE    2
#define DEFAULT_SECONDS 20
#define IDLE_SECONDS    6
/* HTTP requests and WebSocket handshakes in flight at once. */
#define HTTP_WINDOW    16
#define CONNECT_WINDOW 64
#define TICK_MS        2
/* File descriptors this process needs besides its 2N sockets. */
#define FD_MARGIN  256
#define PASSWORD   "bench-pass-1"
#define BAR_P99_MS 20
#define MAX_NODES  8
/* Bounds how long a broken server can hang the benchmark. */
#define PHASE_TIMEOUT_SECONDS 600

typedef struct _Bench Bench;

typedef enum
{
  JOB_CREATE_USER,
  JOB_CREATE_BOOKING,
  JOB_LOGIN,
  JOB_CALL_TOKEN,
  JOB_CONNECT,
} JobKind;

typedef struct
{
  Bench                   *bench;
  guint                    index;
  char                    *username;
  char                    *session_token;
  char                    *call_token;
  char                    *signaling_url;
  SoupWebsocketConnection *ws;
  gboolean                 joined;
  gint64                   burst_start; /* monotonic µs, when it asked for a token */
  gint64                   burst_token; /* when the token came */
  gint64                   burst_open;  /* when the WebSocket opened */
} Peer;

typedef struct
{
  Bench  *bench;
  JobKind kind;
  guint   index;
} Job;

struct _Bench
{
  McTestServer  *server;             /* the first, which made the database */
  McTestServer  *servers[MAX_NODES]; /* all of them, the first too */
  guint          n_nodes;
  McTestHaproxy *haproxy; /* in front of several, or NULL */
  gboolean       split;   /* each room's two sides straight to two servers */
  const char    *base_url;
  SoupSession   *session;        /* WebSockets, and the lesson start's requests */
  SoupSession   *http_session;   /* the set-up's requests, a few connections */
  GPtrArray     *burst_sessions; /* the lesson start's, one per BURST_GROUP peers */
  GMainLoop     *loop;
  guint          n_rooms;
  gint64         period_us; /* between two messages of a room */
  guint          seconds;
  Peer          *peers;       /* 2N: mentor of room r at 2r, student at 2r + 1 */
  gint64        *booking_ids; /* N */

  /* The phase running */
  JobKind  kind;
  guint    total;
  guint    next;
  guint    in_flight;
  guint    done;
  guint    window;
  guint    retries;
  char    *failure;
  gboolean closing;

  /* Relay */
  gint64  *next_send; /* N, monotonic µs */
  guint64 *seq;       /* N */
  GArray  *latencies; /* ms, doubles */
  guint64  sent;
  guint64  received;
  guint64  unexpected_closes;

  /* Lesson start */
  gboolean burst;
  guint    spread;
  guint    burst_next;
  guint    burst_joined;
  guint    busy_answers;
  gint64   burst_t0;
  GArray  *join_latencies;  /* ms, doubles */
  GArray  *token_latencies; /* ms: the call token's request */
  GArray  *open_latencies;  /* ms: the WebSocket's handshake */
};

/* Helpers */

static void
fail_bench (Bench      *bench,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
fail_bench (Bench      *bench,
            const char *format,
            ...)
{
  va_list args;

  if (bench->failure == NULL)
    {
      va_start (args, format);
      bench->failure = g_strdup_vprintf (format, args);
      va_end (args);
    }
  g_main_loop_quit (bench->loop);
}

static guint
env_uint (const char *variable,
          guint       fallback)
{
  const char *text = g_getenv (variable);
  guint64     value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, 1000000, &value, NULL))
    return fallback;
  return (guint) value;
}

/* The soft limit of open files, raised to the hard limit (itself raised
 * where this process may: HAProxy in front of 5000 rooms wants two
 * descriptors for each of their 10 000 connections, and some); the servers
 * and HAProxy inherit it. Returns how many rooms fit. */
static guint
raise_fd_limit (guint wanted)
{
  struct rlimit limit;
  rlim_t        haproxy_needs = 4 * (rlim_t) wanted + 2 * FD_MARGIN;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    return wanted;

  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < haproxy_needs)
    {
      struct rlimit higher = { haproxy_needs, haproxy_needs };

      if (setrlimit (RLIMIT_NOFILE, &higher) == 0)
        limit = higher;
    }
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    getrlimit (RLIMIT_NOFILE, &limit);

  g_print ("open files: %lu allowed (hard limit %lu)\n", (unsigned long) limit.rlim_cur,
           (unsigned long) limit.rlim_max);
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= 2 * (rlim_t) wanted + FD_MARGIN)
    return wanted;

  return limit.rlim_cur > FD_MARGIN + 2 ? (guint) ((limit.rlim_cur - FD_MARGIN) / 2) : 1;
}

/* utime + stime of a process, in seconds, from /proc/PID/stat. */
static double
process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv)   fields = NULL;
  const char      *after;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (after = strrchr (text, ')')) == NULL)
    return -1;

  /* After "PID (COMM) ": state is field 3, utime 14 and stime 15. */
  fields = g_strsplit (after + 2, " ", -1);
  if (g_strv_length (fields) < 13)
    return -1;

  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

/* The servers' CPU, and HAProxy's in front of them. */
static double
servers_cpu_seconds (Bench *bench)
{
  double sum = 0;

  for (guint i = 0; i < bench->n_nodes; i++)
    sum += process_cpu_seconds (mc_test_server_get_pid (bench->servers[i]));
  if (bench->haproxy != NULL)
    sum += process_cpu_seconds (mc_test_haproxy_get_pid (bench->haproxy));

  return sum;
}

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* A "VmRSS:"-style line of /proc/PID/status, in KiB. */
static gint64
process_status_kib (GPid        pid,
                    const char *key)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *text = NULL;
  const char      *line;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (line = strstr (text, key)) == NULL)
    return -1;

  return g_ascii_strtoll (line + strlen (key), NULL, 10);
}

/* A "VmRSS:"-style line summed over the servers and HAProxy. */
static gint64
servers_status_kib (Bench      *bench,
                    const char *key)
{
  gint64 sum = 0;

  for (guint i = 0; i < bench->n_nodes; i++)
    sum += process_status_kib (mc_test_server_get_pid (bench->servers[i]), key);
  if (bench->haproxy != NULL)
    sum += process_status_kib (mc_test_haproxy_get_pid (bench->haproxy), key);

  return sum;
}

static JsonObject *
parse_object (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize                  length = 0;
  const char            *data = bytes != NULL ? g_bytes_get_data (bytes, &length) : NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static SoupSession *
peer_session (Peer *peer)
{
  Bench *bench = peer->bench;

  if (!bench->burst)
    return bench->session;

  return g_ptr_array_index (bench->burst_sessions, peer->index / BURST_GROUP);
}

/* Phases: jobs run with at most bench->window in flight */

static void start_job (Bench *bench);

static void
pump (Bench *bench)
{
  while (bench->failure == NULL && bench->in_flight < bench->window && bench->next < bench->total)
    {
      bench->in_flight++;
      start_job (bench);
    }

  if (bench->done == bench->total)
    g_main_loop_quit (bench->loop);
}

static void
job_done (Bench *bench)
{
  bench->in_flight--;
  bench->done++;
  pump (bench);
}

static gboolean
phase_timeout_cb (gpointer user_data)
{
  Bench *bench = user_data;

  fail_bench (bench, "%u of %u done after %d s", bench->done, bench->total,
              PHASE_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static gboolean
run_phase (Bench      *bench,
           const char *what,
           JobKind     kind,
           guint       total,
           guint       window,
           JsonObject *setup)
{
  gint64 start = g_get_monotonic_time ();
  guint  timeout_id;
  double seconds;

  bench->kind = kind;
  bench->total = total;
  bench->next = bench->done = bench->in_flight = bench->retries = 0;
  bench->window = window;

  timeout_id = g_timeout_add_seconds (PHASE_TIMEOUT_SECONDS, phase_timeout_cb, bench);
  pump (bench);
  if (bench->done < bench->total)
    g_main_loop_run (bench->loop);
  g_source_remove (timeout_id);

  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (bench->failure != NULL)
    {
      g_printerr ("bench-server-rooms: %s: %s\n", what, bench->failure);
      return FALSE;
    }

  g_print ("  %-36s %5u in %6.1f s (%.0f a second%s)\n", what, total, seconds, total / seconds,
           bench->retries > 0 ? ", with retries after 503/429" : "");
  json_object_set_double_member (setup, what, seconds);
  return TRUE;
}

/* HTTP jobs */

static void connect_peer (Peer *peer);

static void
http_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data);

static void
send_http (Job        *job,
           const char *method,
           const char *path,
           const char *bearer,
           const char *body)
{
  Bench                  *bench = job->bench;
  g_autofree char        *url = g_strdup_printf ("%sapi/v1/%s", bench->base_url, path);
  g_autoptr (SoupMessage) message = soup_message_new (method, url);
  g_autofree char        *authorization = g_strdup_printf ("Bearer %s", bearer);
  g_autoptr (GBytes)      bytes = g_bytes_new (body, strlen (body));

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization",
                               authorization);
  soup_message_set_request_body_from_bytes (message, "application/json", bytes);
  soup_session_send_and_read_async (bench->burst ? peer_session (&bench->peers[job->index])
                                                 : bench->http_session,
                                    message,
                                    G_PRIORITY_DEFAULT, NULL,
                                    http_done_cb, job);
}

static void
send_job (Job *job)
{
  Bench           *bench = job->bench;
  Peer            *peer = &bench->peers[job->index];
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;

  switch (job->kind)
    {
    case JOB_CREATE_USER:
      body = g_strdup_printf ("{\"username\":\"%s\",\"display_name\":\"Bench %s\","
                              "\"role\":\"%s\",\"password\":\"" PASSWORD "\"}",
                              peer->username, peer->username,
                              job->index % 2 == 0 ? "mentor" : "student");
      send_http (job, "POST", "admin/users", MC_TEST_ADMIN_KEY, body);
      break;

    case JOB_CREATE_BOOKING:
      {
        g_autofree char *start = mc_test_time (-60);
        g_autofree char *end = mc_test_time (4 * 3600);

        body = g_strdup_printf ("{\"mentor\":\"%s\",\"student\":\"%s\",\"start\":\"%s\","
                                "\"end\":\"%s\",\"subject\":\"Bench\",\"status\":\"confirmed\"}",
                                bench->peers[2 * job->index].username,
                                bench->peers[2 * job->index + 1].username, start, end);
        send_http (job, "POST", "admin/bookings", MC_TEST_ADMIN_KEY, body);
      }
      break;

    case JOB_LOGIN:
      body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"" PASSWORD "\"}",
                              peer->username);
      send_http (job, "POST", "auth/login", "none", body);
      break;

    case JOB_CALL_TOKEN:
      path = g_strdup_printf ("bookings/%" G_GINT64_FORMAT "/call-token",
                              bench->booking_ids[job->index / 2]);
      send_http (job, "POST", path, peer->session_token, "{}");
      break;

    case JOB_CONNECT:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
retry_cb (gpointer user_data)
{
  send_job (user_data);
  return G_SOURCE_REMOVE;
}

/* Where @peer opens its WebSocket: @url, the call token's; with --split,
 * straight to a server, room r's mentor to server r and its student to the
 * next (modulo their number), so that every room's two sides are on two
 * servers and every relayed message crosses between them. */
static char *
signaling_url (Bench      *bench,
               Peer       *peer,
               const char *url)
{
  guint            room = peer->index / 2;
  guint            node = (room + peer->index % 2) % bench->n_nodes;
  const char      *path = strstr (url, "/api/v1/ws");
  g_autoptr (GUri) server = NULL;

  if (!bench->split || path == NULL)
    return g_strdup (url);

  server = g_uri_parse (mc_test_server_get_url (bench->servers[node]), G_URI_FLAGS_NONE, NULL);
  return g_strdup_printf ("ws://%s:%d%s", g_uri_get_host (server), g_uri_get_port (server), path);
}

static void
http_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Job                   *job = user_data;
  Bench                 *bench = job->bench;
  Peer                  *peer = &bench->peers[job->index];
  SoupMessage           *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr (GError)     error = NULL;
  g_autoptr (GBytes)     bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result,
                                                                    &error);
  g_autoptr (JsonObject) answer = NULL;
  guint                  status;

  if (bytes == NULL)
    {
      fail_bench (bench, "request %u: %s", job->index, error->message);
      g_free (job);
      return;
    }

  status = soup_message_get_status (message);
  if (status == 503 || status == 429)
    {
      /* Busy: the server says when to come back; a short pause will do. */
      bench->retries++;
      bench->busy_answers++;
      g_timeout_add (100, retry_cb, job);
      return;
    }

  answer = parse_object (bytes);
  if (status / 100 != 2 || answer == NULL)
    {
      fail_bench (bench, "request %u answered %u: %.*s", job->index, status,
                  (int) MIN (g_bytes_get_size (bytes), 300),
                  (const char *) g_bytes_get_data (bytes, NULL));
      g_free (job);
      return;
    }

  switch (job->kind)
    {
    case JOB_CREATE_BOOKING:
      bench->booking_ids[job->index] = json_object_get_int_member_with_default (answer, "id", 0);
      break;

    case JOB_LOGIN:
      peer->session_token = g_strdup (json_object_get_string_member_with_default (answer, "token",
                                                                                  ""));
      break;

    case JOB_CALL_TOKEN:
      peer->call_token = g_strdup (json_object_get_string_member_with_default (answer, "token",
                                                                               ""));
      peer->signaling_url = signaling_url (bench, peer,
                                           json_object_get_string_member_with_default (
                                             answer, "signaling_url", ""));
      if (bench->burst)
        {
          /* The peer goes straight on to its WebSocket, as the app does. */
          peer->burst_token = g_get_monotonic_time ();
          g_free (job);
          connect_peer (peer);
          return;
        }
      break;

    case JOB_CREATE_USER:
    case JOB_CONNECT:
    default:
      break;
    }

  g_free (job);
  job_done (bench);
}

/* WebSockets */

static void
burst_joined (Peer *peer)
{
  Bench *bench = peer->bench;
  double ms = (g_get_monotonic_time () - peer->burst_start) / 1000.0;

  g_array_append_val (bench->join_latencies, ms);
  ms = (peer->burst_token - peer->burst_start) / 1000.0;
  g_array_append_val (bench->token_latencies, ms);
  ms = (peer->burst_open - peer->burst_token) / 1000.0;
  g_array_append_val (bench->open_latencies, ms);
  if (++bench->burst_joined == 2 * bench->n_rooms)
    g_main_loop_quit (bench->loop);
}

static void
relay_received (Bench      *bench,
                JsonObject *message)
{
  const char *candidate = json_object_get_string_member_with_default (message, "candidate", "");
  guint64     seq;
  gint64      sent_us;
  double      ms;

  if (sscanf (candidate, "candidate:bench %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT, &seq,
              &sent_us) != 2)
    return;

  ms = (g_get_monotonic_time () - sent_us) / 1000.0;
  g_array_append_val (bench->latencies, ms);
  bench->received++;
}

static void
ws_message_cb (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *bytes,
               gpointer                 user_data)
{
  Peer                  *peer = user_data;
  Bench                 *bench = peer->bench;
  g_autoptr (JsonObject) message = parse_object (bytes);
  const char            *kind;

  if (message == NULL)
    return;

  kind = json_object_get_string_member_with_default (message, "type", "");
  if (g_str_equal (kind, "ice-candidate"))
    {
      relay_received (bench, message);
    }
  else if (g_str_equal (kind, "welcome"))
    {
      g_autofree char *join = g_strdup_printf ("{\"type\":\"join\",\"booking_id\":%" G_GINT64_FORMAT ",\"call_token\":\"%s\"}",
                                               bench->booking_ids[peer->index / 2],
                                               peer->call_token);

      soup_websocket_connection_send_text (ws, join);
    }
  else if (g_str_equal (kind, "joined"))
    {
      if (!peer->joined)
        {
          peer->joined = TRUE;
          if (bench->burst)
            burst_joined (peer);
          else
            job_done (bench);
        }
    }
  else if (g_str_equal (kind, "error"))
    {
      fail_bench (bench, "%s got the error %s: %s", peer->username,
                  json_object_get_string_member_with_default (message, "code", "?"),
                  json_object_get_string_member_with_default (message, "message", "?"));
    }
}

static void
ws_closed_cb (SoupWebsocketConnection *ws,
              gpointer                 user_data)
{
  Peer  *peer = user_data;
  Bench *bench = peer->bench;

  if (bench->closing)
    return;

  bench->unexpected_closes++;
  fail_bench (bench, "%s's connection closed (code %u)", peer->username,
              soup_websocket_connection_get_close_code (ws));
}

static void
ws_connected_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Peer              *peer = user_data;
  g_autoptr (GError) error = NULL;

  peer->ws = soup_session_websocket_connect_finish (SOUP_SESSION (object), result, &error);
  if (peer->ws == NULL)
    {
      fail_bench (peer->bench, "%s cannot connect: %s", peer->username, error->message);
      return;
    }

  peer->burst_open = g_get_monotonic_time ();
  /* Answers to the server's pings come from libsoup by itself. */
  soup_websocket_connection_set_max_incoming_payload_size (peer->ws, 0);
  g_signal_connect (peer->ws, "message", G_CALLBACK (ws_message_cb), peer);
  g_signal_connect (peer->ws, "closed", G_CALLBACK (ws_closed_cb), peer);
}

static void
connect_peer (Peer *peer)
{
  g_autoptr (SoupMessage) message = soup_message_new ("GET", peer->signaling_url);
  g_autofree char        *authorization = g_strdup_printf ("Bearer %s", peer->session_token);

  soup_message_headers_append (soup_message_get_request_headers (message), "Authorization",
                               authorization);
  soup_session_websocket_connect_async (peer_session (peer), message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, NULL, ws_connected_cb, peer);
}

static void
start_job (Bench *bench)
{
  guint index = bench->next++;
  Job  *job;

  if (bench->kind == JOB_CONNECT)
    {
      connect_peer (&bench->peers[index]);
      return;
    }

  job = g_new0 (Job, 1);
  job->bench = bench;
  job->kind = bench->kind;
  job->index = index;
  send_job (job);
}

/* Relay */

static gboolean
tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  gint64 period = bench->period_us;
  gint64 now = g_get_monotonic_time ();

  for (guint r = 0; r < bench->n_rooms; r++)
    {
      /* Even rooms from the mentor, odd ones from the student. */
      Peer *sender = &bench->peers[2 * r + r % 2];

      while (bench->next_send[r] <= now)
        {
          g_autofree char *text = NULL;

          bench->next_send[r] += period;
          text = g_strdup_printf ("{\"type\":\"ice-candidate\",\"booking_id\":%" G_GINT64_FORMAT
                                  ",\"candidate\":\"candidate:bench %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT "\",\"sdp_mline_index\":0}",
                                  bench->booking_ids[r], bench->seq[r]++, g_get_monotonic_time ());
          soup_websocket_connection_send_text (sender->ws, text);
          bench->sent++;
        }
    }

  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  Bench *bench = user_data;

  g_main_loop_quit (bench->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the loop for @seconds, or until a failure. */
static void
run_for (Bench *bench,
         double seconds)
{
  g_autoptr (GSource) timeout = g_timeout_source_new ((guint) (seconds * 1000));

  g_source_set_callback (timeout, quit_cb, bench, NULL);
  g_source_attach (timeout, NULL);
  g_main_loop_run (bench->loop);
  g_source_destroy (timeout);
}

static void
print_resources (JsonObject *object,
                 const char *label,
                 double      server_cpu,
                 double      self_cpu,
                 double      seconds)
{
  json_object_set_double_member (object, "seconds", seconds);
  json_object_set_double_member (object, "server_cpu_percent_of_one_core",
                                 100 * server_cpu / seconds);
  json_object_set_double_member (object, "bench_cpu_percent_of_one_core",
                                 100 * self_cpu / seconds);
  g_print ("  %-10s server CPU %5.1f %% of one core (this process %5.1f %%) over %.1f s\n", label,
           100 * server_cpu / seconds, 100 * self_cpu / seconds, seconds);
}

static gboolean
bench_rooms (Bench      *bench,
             JsonObject *results)
{
  JsonObject *setup = json_object_new ();
  JsonObject *idle = json_object_new ();
  JsonObject *relay = json_object_new ();
  JsonObject *latency = json_object_new ();
  gint64      start = g_get_monotonic_time ();
  double      cpu0, self0, seconds, idle_cpu, idle_seconds, relay_cpu, relay_self;
  gint64      rss_before, rss_joined;
  guint64     expected;

  json_object_set_object_member (results, "setup_seconds", setup);
  json_object_set_object_member (results, "idle", idle);
  json_object_set_object_member (results, "relay", relay);

  g_print ("\n== set-up of %u rooms (%u users, %u WebSockets), not part of the figures\n",
           bench->n_rooms, 2 * bench->n_rooms, 2 * bench->n_rooms);
  if (!run_phase (bench, "users created (admin API)", JOB_CREATE_USER, 2 * bench->n_rooms,
                  HTTP_WINDOW, setup) ||
      !run_phase (bench, "bookings created (admin API)", JOB_CREATE_BOOKING, bench->n_rooms,
                  HTTP_WINDOW, setup) ||
      !run_phase (bench, "logins", JOB_LOGIN, 2 * bench->n_rooms, HTTP_WINDOW, setup) ||
      !run_phase (bench, "call tokens", JOB_CALL_TOKEN, 2 * bench->n_rooms, HTTP_WINDOW, setup))
    return FALSE;
  rss_before = servers_status_kib (bench, "VmRSS:");
  if (!run_phase (bench, "WebSockets connected and joined", JOB_CONNECT, 2 * bench->n_rooms,
                  CONNECT_WINDOW, setup))
    return FALSE;
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  json_object_set_double_member (setup, "total", seconds);
  g_print ("  set-up took %.1f s\n", seconds);

  g_print ("\n== %u rooms open, %d s without traffic (heartbeats only)\n", bench->n_rooms,
           IDLE_SECONDS);
  cpu0 = servers_cpu_seconds (bench);
  self0 = self_cpu_seconds ();
  start = g_get_monotonic_time ();
  run_for (bench, IDLE_SECONDS);
  if (bench->failure != NULL)
    {
      g_printerr ("bench-server-rooms: %s\n", bench->failure);
      return FALSE;
    }
  idle_cpu = servers_cpu_seconds (bench) - cpu0;
  idle_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  print_resources (idle, "idle", idle_cpu, self_cpu_seconds () - self0, idle_seconds);
  rss_joined = servers_status_kib (bench, "VmRSS:");
  json_object_set_int_member (idle, "server_rss_kib", rss_joined);
  json_object_set_double_member (idle, "server_rss_kib_per_websocket",
                                 (rss_joined - rss_before) / (2.0 * bench->n_rooms));
  g_print ("  server RSS %.1f MiB, %.1f KiB per WebSocket (%.1f MiB before the first)\n",
           rss_joined / 1024.0, (rss_joined - rss_before) / (2.0 * bench->n_rooms),
           rss_before / 1024.0);

  g_print ("\n== relay: a message every %.2f s in each of %u rooms (%.0f a second), %u s\n",
           bench->period_us / (double) G_USEC_PER_SEC, bench->n_rooms,
           bench->n_rooms * (double) G_USEC_PER_SEC / bench->period_us, bench->seconds);
  bench->next_send = g_new0 (gint64, bench->n_rooms);
  bench->seq = g_new0 (guint64, bench->n_rooms);
  start = g_get_monotonic_time ();
  for (guint r = 0; r < bench->n_rooms; r++)
    bench->next_send[r] = start + (gint64) r * bench->period_us / bench->n_rooms;

  cpu0 = servers_cpu_seconds (bench);
  self0 = self_cpu_seconds ();
  {
    guint tick_id = g_timeout_add (TICK_MS, tick_cb, bench);

    run_for (bench, bench->seconds);
    g_source_remove (tick_id);
  }
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (bench->failure != NULL)
    {
      g_printerr ("bench-server-rooms: relay: %s\n", bench->failure);
      return FALSE;
    }
  relay_cpu = servers_cpu_seconds (bench) - cpu0;
  relay_self = self_cpu_seconds () - self0;
  print_resources (relay, "relay", relay_cpu, relay_self, seconds);

  /* The stragglers. */
  expected = bench->sent;
  run_for (bench, 2);
  if (bench->failure != NULL)
    {
      g_printerr ("bench-server-rooms: %s\n", bench->failure);
      return FALSE;
    }

  json_object_set_int_member (relay, "server_rss_kib", servers_status_kib (bench, "VmRSS:"));
  json_object_set_int_member (relay, "server_peak_rss_kib", servers_status_kib (bench, "VmHWM:"));
  json_object_set_int_member (relay, "sent", bench->sent);
  json_object_set_int_member (relay, "received", bench->received);
  json_object_set_int_member (relay, "lost", expected - MIN (expected, bench->received));
  g_print ("  server RSS %.1f MiB, peak %.1f MiB\n", servers_status_kib (bench, "VmRSS:") / 1024.0,
           servers_status_kib (bench, "VmHWM:") / 1024.0);
  g_print ("  messages sent %" G_GUINT64_FORMAT ", received %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT "\n", bench->sent, bench->received,
           expected - MIN (expected, bench->received));
  if (bench->received > 0)
    {
      double per_message = 1000 * relay_cpu / bench->received;
      double net = 1000 * (relay_cpu - idle_cpu * seconds / idle_seconds) / bench->received;
      double self_per_message = 1000 * relay_self / bench->received;

      json_object_set_double_member (relay, "server_cpu_ms_per_message", per_message);
      json_object_set_double_member (relay, "server_cpu_ms_per_message_less_idle", net);
      json_object_set_double_member (relay, "bench_cpu_ms_per_message", self_per_message);
      g_print ("  server CPU per relayed message %.3f ms (%.3f ms less the idle rate); this "
               "process %.3f ms\n",
               per_message, net, self_per_message);
    }

  g_array_sort (bench->latencies, bench_compare_double);
  json_object_set_int_member (latency, "samples", bench->latencies->len);
  if (bench->latencies->len > 0)
    {
      double sum = 0;

      for (guint i = 0; i < bench->latencies->len; i++)
        sum += g_array_index (bench->latencies, double, i);
      json_object_set_double_member (latency, "p50_ms", bench_percentile (bench->latencies, 50));
      json_object_set_double_member (latency, "p95_ms", bench_percentile (bench->latencies, 95));
      json_object_set_double_member (latency, "p99_ms", bench_percentile (bench->latencies, 99));
      json_object_set_double_member (latency, "max_ms", bench_percentile (bench->latencies, 100));
      json_object_set_double_member (latency, "mean_ms", sum / bench->latencies->len);
      g_print ("  relay latency (ms): p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  mean %.2f  "
               "(%u messages)\n",
               bench_percentile (bench->latencies, 50),
               bench_percentile (bench->latencies, 95), bench_percentile (bench->latencies, 99),
               bench_percentile (bench->latencies, 100), sum / bench->latencies->len,
               bench->latencies->len);
    }
  json_object_set_int_member (latency, "bar_p99_ms", BAR_P99_MS);
  json_object_set_object_member (relay, "latency", latency);
  g_print ("  (the bar: thousands of rooms on 2 cores, relay p99 under %d ms)\n", BAR_P99_MS);

  if (bench->received == 0)
    {
      g_printerr ("bench-server-rooms: no relayed message arrived\n");
      return FALSE;
    }

  return TRUE;
}

static gboolean
burst_tick_cb (gpointer user_data)
{
  Bench *bench = user_data;
  guint  total = 2 * bench->n_rooms;
  gint64 now = g_get_monotonic_time ();

  /* Peer i starts at i / total of the spread; mentors and students alternate. */
  while (bench->burst_next < total &&
         bench->burst_t0 + (gint64) bench->burst_next * bench->spread * G_USEC_PER_SEC / total <=
           now)
    {
      Peer *peer = &bench->peers[bench->burst_next];
      Job  *job = g_new0 (Job, 1);

      job->bench = bench;
      job->kind = JOB_CALL_TOKEN;
      job->index = bench->burst_next++;
      peer->burst_start = g_get_monotonic_time ();
      send_job (job);
    }

  return bench->burst_next < total ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
bench_burst (Bench      *bench,
             JsonObject *results)
{
  JsonObject *setup = json_object_new ();
  JsonObject *burst = json_object_new ();
  JsonObject *latency = json_object_new ();
  gint64      start = g_get_monotonic_time ();
  guint       total = 2 * bench->n_rooms;
  guint       timeout_id, tick_id;
  double      cpu0, self0, seconds;

  json_object_set_object_member (results, "setup_seconds", setup);
  json_object_set_object_member (results, "burst", burst);

  g_print ("\n== set-up of %u rooms (%u users, logged in), not part of the figures\n",
           bench->n_rooms, total);
  if (!run_phase (bench, "users created (admin API)", JOB_CREATE_USER, total, HTTP_WINDOW,
                  setup) ||
      !run_phase (bench, "bookings created (admin API)", JOB_CREATE_BOOKING, bench->n_rooms,
                  HTTP_WINDOW, setup) ||
      !run_phase (bench, "logins", JOB_LOGIN, total, HTTP_WINDOW, setup))
    return FALSE;
  g_print ("  set-up took %.1f s\n", (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);

  g_print ("\n== lesson start: %u users ask for a call token and join, starting over %u s\n",
           total, bench->spread);
  bench->burst = TRUE;
  bench->busy_answers = 0;
  cpu0 = servers_cpu_seconds (bench);
  self0 = self_cpu_seconds ();
  bench->burst_t0 = start = g_get_monotonic_time ();
  timeout_id = g_timeout_add_seconds (PHASE_TIMEOUT_SECONDS, phase_timeout_cb, bench);
  bench->total = total;
  tick_id = g_timeout_add (TICK_MS, burst_tick_cb, bench);
  burst_tick_cb (bench);
  g_main_loop_run (bench->loop);
  g_source_remove (timeout_id);
  if (bench->burst_next < total)
    g_source_remove (tick_id);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  json_object_set_int_member (burst, "users", total);
  json_object_set_int_member (burst, "spread_seconds", bench->spread);
  json_object_set_int_member (burst, "joined", bench->burst_joined);
  json_object_set_int_member (burst, "busy_answers", bench->busy_answers);
  json_object_set_double_member (burst, "all_in_seconds", seconds);
  json_object_set_int_member (burst, "bar_all_in_seconds", BAR_BURST_SECONDS);
  print_resources (burst, "burst", servers_cpu_seconds (bench) - cpu0, self_cpu_seconds () - self0,
                   seconds);
  if (bench->failure != NULL)
    {
      g_printerr ("bench-server-rooms: lesson start: %s (%u of %u in)\n", bench->failure,
                  bench->burst_joined, total);
      json_object_set_string_member (burst, "error", bench->failure);
      return FALSE;
    }

  g_print ("  all %u in the room after %.2f s (the bar: %d s); answers 503/429 retried: %u\n",
           total, seconds, BAR_BURST_SECONDS, bench->busy_answers);
  g_array_sort (bench->join_latencies, bench_compare_double);
  json_object_set_int_member (latency, "samples", bench->join_latencies->len);
  json_object_set_double_member (latency, "p50_ms", bench_percentile (bench->join_latencies, 50));
  json_object_set_double_member (latency, "p95_ms", bench_percentile (bench->join_latencies, 95));
  json_object_set_double_member (latency, "p99_ms", bench_percentile (bench->join_latencies, 99));
  json_object_set_double_member (latency, "max_ms", bench_percentile (bench->join_latencies, 100));
  json_object_set_object_member (burst, "join_latency", latency);
  g_print ("  join latency, call token to \"joined\" (ms): p50 %.1f  p95 %.1f  p99 %.1f  "
           "max %.1f\n",
           bench_percentile (bench->join_latencies, 50),
           bench_percentile (bench->join_latencies, 95),
           bench_percentile (bench->join_latencies, 99),
           bench_percentile (bench->join_latencies, 100));
  g_array_sort (bench->token_latencies, bench_compare_double);
  g_array_sort (bench->open_latencies, bench_compare_double);
  json_object_set_double_member (latency, "token_p50_ms",
                                 bench_percentile (bench->token_latencies, 50));
  json_object_set_double_member (latency, "token_p99_ms",
                                 bench_percentile (bench->token_latencies, 99));
  json_object_set_double_member (latency, "handshake_p50_ms",
                                 bench_percentile (bench->open_latencies, 50));
  json_object_set_double_member (latency, "handshake_p99_ms",
                                 bench_percentile (bench->open_latencies, 99));
  g_print ("    of which the call token p50 %.1f p99 %.1f, the WebSocket handshake p50 %.1f "
           "p99 %.1f\n",
           bench_percentile (bench->token_latencies, 50),
           bench_percentile (bench->token_latencies, 99),
           bench_percentile (bench->open_latencies, 50),
           bench_percentile (bench->open_latencies, 99));
  json_object_set_int_member (burst, "server_rss_kib", servers_status_kib (bench, "VmRSS:"));
  return TRUE;
}

static void
close_all (Bench *bench)
{
  guint open = 0;

  bench->closing = TRUE;
  for (guint i = 0; i < 2 * bench->n_rooms; i++)
    if (bench->peers[i].ws != NULL &&
        soup_websocket_connection_get_state (bench->peers[i].ws) == SOUP_WEBSOCKET_STATE_OPEN)
      {
        soup_websocket_connection_close (bench->peers[i].ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
        open++;
      }

  /* Let the closes go out and be answered. */
  for (gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
       open > 0 && g_get_monotonic_time () < deadline;)
    {
      open = 0;
      g_main_context_iteration (NULL, FALSE);
      for (guint i = 0; i < 2 * bench->n_rooms; i++)
        if (bench->peers[i].ws != NULL &&
            soup_websocket_connection_get_state (bench->peers[i].ws) != SOUP_WEBSOCKET_STATE_CLOSED)
          open++;
      if (open > 0)
        g_usleep (1000);
    }

  for (guint i = 0; i < 2 * bench->n_rooms; i++)
    {
      Peer *peer = &bench->peers[i];

      if (peer->ws != NULL)
        g_signal_handlers_disconnect_by_data (peer->ws, peer);
      g_clear_object (&peer->ws);
      g_free (peer->username);
      g_free (peer->session_token);
      g_free (peer->call_token);
      g_free (peer->signaling_url);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char           *output = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError)         error = NULL;
  Bench                      bench = { 0 };
  g_autoptr (JsonObject)     results = json_object_new ();
  g_autoptr (GProxyResolver) no_proxy = g_simple_proxy_resolver_new (NULL, NULL);
  g_autofree char           *overrides = NULL;
  gboolean                   lesson_start = FALSE;
  int                        n_nodes = 1;
  const GOptionEntry         entries[] = {
            { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write the JSON here", "FILE" },
            { "lesson-start", 0, 0, G_OPTION_ARG_NONE, &lesson_start,
              "Measure the burst of joins at the start of lessons", NULL },
            { "nodes", 0, 0, G_OPTION_ARG_INT, &n_nodes,
              "Run this many servers on one database behind HAProxy (data/haproxy.cfg)", "N" },
            { "split", 0, 0, G_OPTION_ARG_NONE, &bench.split,
              "With --nodes, put each room's two sides on two servers", NULL },
            { NULL }
  };
  guint    wanted, total_rate, rate;
  gboolean ok;

  bench_test_init (&argc, &argv);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-server-rooms: %s\n", error->message);
      return 2;
    }
  if (output == NULL)
    output = g_strdup ("bench-server-rooms.json");

  bench_note_load (results, "before");

  wanted = env_uint ("MENTORCALL_BENCH_ROOMS", lesson_start ? DEFAULT_BURST_ROOMS : DEFAULT_ROOMS);
  bench.spread = env_uint ("MENTORCALL_BENCH_SPREAD", DEFAULT_SPREAD);
  rate = env_uint ("MENTORCALL_BENCH_RATE", DEFAULT_RATE);
  bench.seconds = env_uint ("MENTORCALL_BENCH_SECONDS", DEFAULT_SECONDS);
  bench.n_rooms = raise_fd_limit (wanted);
  if (bench.n_rooms < wanted)
    g_print ("NOTE: the open-file limit allows only %u rooms (%u sockets on each side), not "
             "the %u asked for; raise `ulimit -Hn` to measure them all\n",
             bench.n_rooms, 2 * bench.n_rooms, wanted);
  json_object_set_int_member (results, "rooms_wanted", wanted);
  json_object_set_int_member (results, "rooms", bench.n_rooms);
  total_rate = env_uint ("MENTORCALL_BENCH_TOTAL_RATE", 0);
  bench.period_us = total_rate > 0 ? (gint64) bench.n_rooms * G_USEC_PER_SEC / total_rate
                                   : G_USEC_PER_SEC / rate;
  /* Messages a second per room, rounded up, for the server's allowance. */
  rate = (guint) MAX (1, (G_USEC_PER_SEC + bench.period_us - 1) / bench.period_us);
  json_object_set_double_member (results, "rate_per_room",
                                 G_USEC_PER_SEC / (double) bench.period_us);
  json_object_set_int_member (results, "n_cpus", g_get_num_processors ());

  /* Each connection's allowance stays above the rate sent. */
  /* Past 2000 rooms this one process, with its own loop over all the
   * sockets, answered the server's pings too late while connecting (a
   * 5000-room run lost a connection to dead-after, 9 s): give it time. */
  overrides = g_strdup_printf ("[signaling]\nmessages-per-second=%u\nmessage-burst=%u\n%s",
                               MAX (40, 2 * rate), MAX (80, 4 * rate),
                               bench.n_rooms > 2000 ? "heartbeat-interval=10\ndead-after=60\n"
                                                    : "");
  bench.n_nodes = CLAMP (n_nodes, 1, MAX_NODES);
  json_object_set_int_member (results, "nodes", bench.n_nodes);
  bench.split = bench.split && bench.n_nodes > 1;
  json_object_set_boolean_member (results, "split", bench.split);
  if (bench.n_nodes > 1)
    {
      guint16          port = mc_test_free_port (G_SOCKET_TYPE_STREAM);
      g_autofree char *with_url = g_strdup_printf ("%s[server]\npublic-url=http://127.0.0.1:%u\n",
                                                   overrides, port);

      if (mc_test_haproxy_find () == NULL)
        {
          g_printerr ("bench-server-rooms: --nodes needs haproxy (package haproxy)\n");
          return 77;
        }
      /* Each call token's signaling URL goes through HAProxy too. */
      bench.servers[0] = mc_test_server_start_new (with_url);
      for (guint i = 1; i < bench.n_nodes; i++)
        {
          bench.servers[i] = mc_test_server_new_node (bench.servers[0], with_url);
          mc_test_server_start (bench.servers[i]);
        }
      bench.haproxy = mc_test_haproxy_start (bench.servers, bench.n_nodes, port,
                                             /* the WebSockets, and the keep-alive
                                              * connections of the burst's sessions */
                                             4 * bench.n_rooms + 4 * HTTP_WINDOW + 256,
                                             mc_test_server_get_dir (bench.servers[0]));
      bench.base_url = mc_test_haproxy_get_url (bench.haproxy);
      g_print ("%u servers on one database behind HAProxy at %s\n", bench.n_nodes,
               bench.base_url);
    }
  else
    {
      bench.servers[0] = mc_test_server_start_new (overrides);
      bench.base_url = mc_test_server_get_url (bench.servers[0]);
    }
  bench.server = bench.servers[0];
  bench.loop = g_main_loop_new (NULL, FALSE);
  bench.session = soup_session_new_with_options ("max-conns", 2 * bench.n_rooms + 64,
                                                 "max-conns-per-host", 2 * bench.n_rooms + 64,
                                                 "proxy-resolver", no_proxy,
                                                 NULL);
  /* A session with room for thousands of connections opened new ones for
   * the set-up's requests and left them open, thousands of them, each one
   * the server (and this process) had to poll on every iteration. */
  bench.http_session = soup_session_new_with_options ("max-conns", 2 * HTTP_WINDOW,
                                                      "max-conns-per-host", 2 * HTTP_WINDOW,
                                                      "proxy-resolver", no_proxy,
                                                      NULL);
  bench.burst_sessions = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; lesson_start && i < (2 * bench.n_rooms + BURST_GROUP - 1) / BURST_GROUP; i++)
    g_ptr_array_add (bench.burst_sessions,
                     soup_session_new_with_options ("max-conns", 2 * BURST_GROUP,
                                                    "max-conns-per-host", 2 * BURST_GROUP,
                                                    "proxy-resolver", no_proxy,
                                                    NULL));
  bench.peers = g_new0 (Peer, 2 * bench.n_rooms);
  bench.booking_ids = g_new0 (gint64, bench.n_rooms);
  bench.latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.join_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.token_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  bench.open_latencies = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < 2 * bench.n_rooms; i++)
    {
      bench.peers[i].bench = &bench;
      bench.peers[i].index = i;
      bench.peers[i].username = g_strdup_printf ("%s%05u", i % 2 == 0 ? "mentor" : "student",
                                                 i / 2);
    }

  json_object_set_string_member (results, "mode", lesson_start ? "lesson-start" : "relay");
  ok = lesson_start ? bench_burst (&bench, results) : bench_rooms (&bench, results);

  close_all (&bench);
  g_clear_object (&bench.session);
  g_clear_object (&bench.http_session);
  g_clear_pointer (&bench.burst_sessions, g_ptr_array_unref);

  g_print ("\n");
  bench_note_load (results, "after");
  json_object_set_boolean_member (results, "ok", ok);
  if (!bench_write_json (results, output))
    ok = FALSE;

  g_clear_pointer (&bench.haproxy, mc_test_haproxy_free);
  bench.server = NULL;
  /* The first made the database, which the others use: it goes last. */
  for (guint i = bench.n_nodes; i > 0; i--)
    g_clear_pointer (&bench.servers[i - 1], mc_test_server_free);
  g_main_loop_unref (bench.loop);
  g_array_unref (bench.latencies);
  g_array_unref (bench.join_latencies);
  g_array_unref (bench.token_latencies);
  g_array_unref (bench.open_latencies);
  g_free (bench.peers);
  g_free (bench.booking_ids);
  g_free (bench.next_send);
  g_free (bench.seq);
  g_free (bench.failure);

  return ok ? 0 : 1;
}
