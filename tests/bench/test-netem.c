/* test-netem.c — the network benchmark's impairment does what it is told
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * mc-netem between two namespaces of this test (bench-netns.c), UDP
 * datagrams sent from one to the other by this process itself (a socket
 * made in each namespace), and counts: about the configured share is lost;
 * a rate cap drops what does not fit and never carries more than its rate;
 * no packet arrives before its delay or out of order; nothing passes during
 * an outage and everything after it. The bounds are wide and one-sided
 * where time is involved (a busy machine can make things slower, never a
 * packet early), so a loaded CI machine cannot fail them.
 *
 * Skipped (a TAP plan of 0) when not root, without `ip` or /dev/net/tun,
 * or when the namespaces cannot be made.
 */

#include <string.h>
#include <sys/socket.h>

#include <glib/gstdio.h>

#include "bench-netns.h"

#define QUIET_MS 500

typedef struct
{
  guint32 seq;
  gint64  sent; /* g_get_monotonic_time () */
} Header;

typedef struct
{
  guint    received;
  guint64  bytes;
  gint64   first_sent;
  gint64   last_arrival;
  gint64   min_delay; /* µs */
  gint64   max_delay;
  guint32  last_seq;
  gboolean in_order;
} Received;

static BenchNetns *netns;
static char       *dir;

/* Helpers */

static BenchNetem *
start_netem (const char *first_arg,
             ...)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autoptr (GError)    error = NULL;
  BenchNetem           *netem;
  va_list               list;

  va_start (list, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (list, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (list);
  g_ptr_array_add (args, NULL);

  netem = bench_netem_start (netns, bench_netem_get_program (), dir,
                             (const char * const *) args->pdata, &error);
  g_assert_no_error (error);
  return netem;
}

/* A receiver in b and a sender in a, connected to it. */
static void
make_sockets (GSocket **sender,
              GSocket **receiver)
{
  g_autoptr (GError)         error = NULL;
  g_autoptr (GInetAddress)   address_a = NULL;
  g_autoptr (GInetAddress)   address_b = NULL;
  g_autoptr (GSocketAddress) local_a = NULL;
  g_autoptr (GSocketAddress) local_b = NULL;
  g_autoptr (GSocketAddress) bound = NULL;

  address_a = g_inet_address_new_from_string (bench_netns_get_address (netns, 0));
  address_b = g_inet_address_new_from_string (bench_netns_get_address (netns, 1));
  local_a = g_inet_socket_address_new (address_a, 0);
  local_b = g_inet_socket_address_new (address_b, 0);

  *receiver = bench_netns_socket (netns, 1, G_SOCKET_TYPE_DATAGRAM, &error);
  g_assert_no_error (error);
  g_socket_bind (*receiver, local_b, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (*receiver, FALSE);
  /* Everything sent fits, even when read only at the end (as root). */
  g_socket_set_option (*receiver, SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (*receiver, &error);
  g_assert_no_error (error);

  *sender = bench_netns_socket (netns, 0, G_SOCKET_TYPE_DATAGRAM, &error);
  g_assert_no_error (error);
  g_socket_bind (*sender, local_a, FALSE, &error);
  g_assert_no_error (error);
  g_socket_connect (*sender, bound, NULL, &error);
  g_assert_no_error (error);
}

static void
send_packets (GSocket *sender,
              guint    first_seq,
              guint    count,
              gsize    size)
{
  g_autofree guint8 *buffer = g_malloc0 (MAX (size, sizeof (Header)));

  for (guint i = 0; i < count; i++)
    {
      Header             header = { first_seq + i, g_get_monotonic_time () };
      g_autoptr (GError) error = NULL;

      memcpy (buffer, &header, sizeof header);
      g_socket_send (sender, (const char *) buffer, MAX (size, sizeof header), NULL, &error);
      g_assert_no_error (error);
    }
}

/* Takes what has arrived, without waiting. */
static void
take_packets (GSocket  *receiver,
              Received *received)
{
  guint8 buffer[65536];
  gssize length;

  while ((length = g_socket_receive (receiver, (char *) buffer, sizeof buffer, NULL, NULL)) >=
         (gssize) sizeof (Header))
    {
      Header header;
      gint64 now = g_get_monotonic_time ();

      memcpy (&header, buffer, sizeof header);
      if (received->received == 0)
        {
          received->first_sent = header.sent;
          received->min_delay = G_MAXINT64;
          received->in_order = TRUE;
        }
      else if (header.seq <= received->last_seq)
        received->in_order = FALSE;
      received->received++;
      received->bytes += length;
      received->last_seq = header.seq;
      received->last_arrival = now;
      received->min_delay = MIN (received->min_delay, now - header.sent);
      received->max_delay = MAX (received->max_delay, now - header.sent);
    }
}

/* Takes what arrives until nothing has for @quiet_us. */
static void
receive_packets_for (GSocket  *receiver,
                     Received *received,
                     gint64    quiet_us)
{
  while (g_socket_condition_timed_wait (receiver, G_IO_IN, quiet_us, NULL, NULL))
    take_packets (receiver, received);
}

static void
receive_packets (GSocket  *receiver,
                 Received *received)
{
  receive_packets_for (receiver, received, QUIET_MS * 1000);
}

static gint64
get_counter (JsonObject *stats,
             const char *direction,
             const char *member)
{
  g_assert_nonnull (stats);
  return json_object_get_int_member (json_object_get_object_member (stats, direction), member);
}

/* Tests */

static void
test_loss (void)
{
  g_autoptr (BenchNetem) netem = start_netem ("--seed", "7", "--both", "loss=10", NULL);
  g_autoptr (GSocket)    sender = NULL;
  g_autoptr (GSocket)    receiver = NULL;
  g_autoptr (JsonObject) stats = NULL;
  Received               received = { 0 };
  const guint            total = 2000;

  make_sockets (&sender, &receiver);
  /* In small groups, each taken in before the next goes, so that no queue
   * on the way (the TUN device's, the socket's) can drop anything. */
  for (guint i = 0; i < total; i += 50)
    {
      send_packets (sender, i, 50, 200);
      receive_packets (receiver, &received);
    }
  stats = bench_netem_stop (netem);

  g_test_message ("%u of %u arrived with 10 %% loss", received.received, total);
  g_assert_cmpuint (received.received, >=, total * 80 / 100);
  g_assert_cmpuint (received.received, <=, total * 97 / 100);
  g_assert_cmpint (get_counter (stats, "a_to_b", "lost"), >=, total * 3 / 100);
  g_assert_true (received.in_order);
}

static void
test_rate (void)
{
  g_autoptr (BenchNetem) netem = start_netem ("--a-to-b", "rate=1000,queue=100", NULL);
  g_autoptr (GSocket)    sender = NULL;
  g_autoptr (GSocket)    receiver = NULL;
  g_autoptr (JsonObject) stats = NULL;
  Received               received = { 0 };
  const guint            bursts = 60, per_burst = 20;
  double                 seconds, limit;

  make_sockets (&sender, &receiver);
  /* 20 packets of 1200 bytes at once are 24 kB: twice what 100 ms of
   * queue at 1 Mbit/s holds, however fast or slow the machine is. */
  for (guint i = 0; i < bursts; i++)
    {
      send_packets (sender, i * per_burst, per_burst, 1200);
      g_usleep (50 * 1000);
    }
  receive_packets (receiver, &received);
  stats = bench_netem_stop (netem);

  /* The cap counts IP packets, these are UDP payloads: fewer bytes. At most
   * the rate over the time from the first send to the last arrival, plus
   * one bucket; a slow machine only stretches that time. */
  seconds = (received.last_arrival - received.first_sent) / (double) G_USEC_PER_SEC;
  limit = 1000e3 / 8 * seconds * 1.1 + 1600;
  g_test_message ("%u of %u packets, %" G_GUINT64_FORMAT " bytes in %.2f s (%.0f kbit/s), "
                  "at most %.0f allowed",
                  received.received, bursts * per_burst, received.bytes, seconds,
                  received.bytes * 8 / seconds / 1000, limit);
  g_assert_cmpuint (received.received, >, 0);
  g_assert_cmpuint (received.received, <, bursts * per_burst);
  g_assert_cmpfloat (received.bytes, <=, limit);
  g_assert_cmpint (get_counter (stats, "a_to_b", "overflow"), >, 0);
  g_assert_true (received.in_order);
}

static void
test_delay (void)
{
  g_autoptr (BenchNetem) netem = start_netem ("--both", "delay=40,jitter=10", NULL);
  g_autoptr (GSocket)    sender = NULL;
  g_autoptr (GSocket)    receiver = NULL;
  Received               received = { 0 };
  const guint            total = 200;

  make_sockets (&sender, &receiver);
  /* Each packet is taken as soon as it arrives: its delay is measured. */
  for (guint i = 0; i < total; i++)
    {
      send_packets (sender, i, 1, 200);
      receive_packets_for (receiver, &received, 2 * 1000);
    }
  receive_packets (receiver, &received);

  /* Never early (40 − 10 ms), never out of order, nothing lost; and the
   * delays do spread (a busy machine can only spread them more). */
  g_test_message ("%u of %u arrived after %.1f to %.1f ms", received.received, total,
                  received.min_delay / 1000.0, received.max_delay / 1000.0);
  g_assert_cmpuint (received.received, ==, total);
  g_assert_cmpint (received.min_delay, >=, 29 * 1000);
  g_assert_cmpint (received.max_delay - received.min_delay, >=, 5 * 1000);
  g_assert_true (received.in_order);
}

static void
test_outage (void)
{
  g_autoptr (BenchNetem) netem = start_netem (NULL);
  g_autoptr (GSocket)    sender = NULL;
  g_autoptr (GSocket)    receiver = NULL;
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) stats = NULL;
  Received               during = { 0 }, after = { 0 };

  make_sockets (&sender, &receiver);
  bench_netem_set_outage (netem, TRUE, &error);
  g_assert_no_error (error);
  send_packets (sender, 0, 100, 200);
  receive_packets (receiver, &during);

  bench_netem_set_outage (netem, FALSE, &error);
  g_assert_no_error (error);
  send_packets (sender, 100, 100, 200);
  receive_packets (receiver, &after);
  stats = bench_netem_stop (netem);

  g_assert_cmpuint (during.received, ==, 0);
  g_assert_cmpuint (after.received, ==, 100);
  g_assert_cmpint (get_counter (stats, "a_to_b", "outage"), >=, 100);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char   *why_not = NULL;
  g_autoptr (GError) error = NULL;
  int                status;

  why_not = bench_netns_why_not ();
  if (why_not != NULL)
    {
      /* Meson 1.0 counts exit status 77 of a TAP test as an error. */
      g_print ("1..0 # SKIP %s\n", why_not);
      return 0;
    }
  bench_netns_guard ();

  netns = bench_netns_new (&error);
  if (netns == NULL)
    {
      g_print ("1..0 # SKIP cannot make the namespaces: %s\n", error->message);
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("test-netem-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/netem/loss", test_loss);
  g_test_add_func ("/netem/rate", test_rate);
  g_test_add_func ("/netem/delay", test_delay);
  g_test_add_func ("/netem/outage", test_outage);
  status = g_test_run ();

  bench_netns_free (netns);
  for (guint i = 1; i < 64; i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/netem-%u.out", dir, i);
      g_autofree char *err = g_strdup_printf ("%s/netem-%u.err", dir, i);

      g_remove (out);
      g_remove (err);
    }
  g_rmdir (dir);
  g_free (dir);
  return status;
}
