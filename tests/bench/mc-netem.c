/* mc-netem.c — a user-space network impairment between two namespaces
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The kernels we run on have no `netem` queueing discipline, so the
 * network benchmark and its test shape the media path here instead. The
 * harness makes two network namespaces, each with a TUN device (made with
 * `ip tuntap add … mode tun`, addressed point to point to the other side);
 * this program attaches to both devices and forwards every IP packet read
 * from one to the other, applying per direction:
 *
 *   loss=PERCENT   random loss, from a generator seeded by --seed
 *   delay=MS       one-way delay …
 *   jitter=MS      … plus an offset of up to this much either way, which
 *                  moves in straight lines between random values (a new
 *                  one every 4 × MS, at least 20 ms), as queueing delay
 *                  does: slowly enough that packets keep their order, and
 *                  a packet never leaves before the one before it
 *   rate=KBIT      a token bucket of BURST bytes at this rate, in front of
 *                  a drop-tail queue of QUEUE ms: what does not fit is
 *                  dropped, like at a real bottleneck
 *   queue=MS       the queue's length in time at the rate (default 200)
 *   burst=BYTES    the bucket's depth (default 1600, one packet: a link
 *                  that serialises)
 *
 * Outages (nothing passes, in either direction) come from the command line
 * (--outage START:SECONDS, START counted from "ready") and at run time from
 * signals: SIGUSR1 starts one, SIGUSR2 ends it; each is acknowledged with a
 * line "outage on" or "outage off" on standard output, so a harness can wait
 * for the state it asked for. SIGTERM or SIGINT ends the program, which
 * prints its counters as one JSON line "stats {…}" first.
 *
 * Timing: every packet gets its release time (CLOCK_MONOTONIC, in ns) when
 * it arrives; one timerfd is armed for the earliest release with
 * nanosecond resolution, so delays do not round to a main loop's
 * milliseconds. The program is single-threaded and polls the two devices,
 * the timerfd and a signalfd.
 *
 * Usage:
 *   mc-netem --netns-a NAME --netns-b NAME [--dev NAME] [--seed N]
 *            [--both SPEC] [--a-to-b SPEC] [--b-to-a SPEC]
 *            [--outage START:SECONDS]…
 * SPEC is a comma-separated list of the settings above, e.g.
 * "loss=5,rate=1000,delay=50". A namespace is a name under /run/netns
 * (`ip netns add`) or a path to a namespace file.
 */

/* setns () */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#define NS_PER_MS  G_GINT64_CONSTANT (1000000)
#define NS_PER_SEC G_GINT64_CONSTANT (1000000000)
#define MAX_PACKET 65536
/* However the settings are, a direction holds at most this many packets. */
#define MAX_QUEUED 20000
/* Packets read from one device before the other gets its turn. */
#define READ_BATCH 64

typedef struct
{
  double loss;   /* percent */
  double delay;  /* ms */
  double jitter; /* ms */
  double rate;   /* kbit/s, 0 for none */
  double queue;  /* ms */
  double burst;  /* bytes */
} Shape;

typedef struct
{
  gint64 release; /* ns, CLOCK_MONOTONIC */
  gsize  length;
  guint8 data[];
} Packet;

typedef struct
{
  const char *name;
  int         in_fd;
  int         out_fd;
  Shape       shape;
  GRand      *rand;
  GQueue      queue;

  /* The token bucket: its level right after the last packet admitted left
   * the bottleneck, and when that was. */
  double bucket_tokens;
  gint64 bucket_time;
  gint64 last_release;

  /* The jitter offset: from offset_from at segment_start to offset_to at
   * segment_end, in ms. */
  gint64 segment_start, segment_end;
  double offset_from, offset_to;

  guint64 packets, bytes;
  guint64 forwarded, forwarded_bytes;
  guint64 lost, overflow, outage, write_errors;
} Direction;

typedef struct
{
  gint64 start; /* ns after "ready" */
  gint64 end;
} Outage;

static Direction directions[2];
static GArray   *outages;
static gboolean  outage_signalled;
static gint64    ready_time;

/* Helpers */

static gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

static gboolean
parse_shape (const char *spec,
             Shape      *shape,
             GError    **error)
{
  g_auto (GStrv) items = g_strsplit (spec, ",", -1);

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_auto (GStrv) pair = g_strsplit (g_strstrip (items[i]), "=", 2);
      char          *end = NULL;
      double         value;

      if (pair[0] == NULL || pair[0][0] == '\0')
        continue;
      if (pair[1] == NULL)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” has no value (want NAME=NUMBER)", pair[0]);
          return FALSE;
        }
      value = g_ascii_strtod (pair[1], &end);
      if (end == pair[1] || *end != '\0' || value < 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "“%s” is not a number of at least 0", pair[1]);
          return FALSE;
        }

      if (g_str_equal (pair[0], "loss") && value <= 100)
        shape->loss = value;
      else if (g_str_equal (pair[0], "delay"))
        shape->delay = value;
      else if (g_str_equal (pair[0], "jitter"))
        shape->jitter = value;
      else if (g_str_equal (pair[0], "rate"))
        shape->rate = value;
      else if (g_str_equal (pair[0], "queue"))
        shape->queue = value;
      else if (g_str_equal (pair[0], "burst") && value >= 1)
        shape->burst = value;
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown setting “%s=%s”",
                       pair[0], pair[1]);
          return FALSE;
        }
    }

  return TRUE;
}

static void
shape_init (Shape *shape)
{
  memset (shape, 0, sizeof *shape);
  shape->queue = 200;
  shape->burst = 1600;
}

static char *
describe_shape (const Shape *shape)
{
  return g_strdup_printf ("loss %.1f %%, delay %.0f ± %.0f ms, rate %s%.0f kbit/s, queue %.0f ms",
                          shape->loss, shape->delay, shape->jitter,
                          shape->rate > 0 ? "" : "unlimited ", shape->rate, shape->queue);
}

/* Opens the TUN device @dev of the namespace @netns: the device belongs to
 * the namespace it was made in, but the file descriptor works from any,
 * so this process stays in its own namespace and holds both. */
static int
open_tun (const char *netns,
          const char *dev,
          GError    **error)
{
  g_autofree char *path = strchr (netns, '/') != NULL ? g_strdup (netns)
                                                      : g_build_filename ("/run/netns", netns, NULL);
  struct ifreq     request = { 0 };
  int              own = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int              other = open (path, O_RDONLY | O_CLOEXEC);
  int              fd = -1, saved_errno = 0;
  const char      *what = "open";

  if (own < 0 || other < 0 || setns (other, CLONE_NEWNET) != 0)
    {
      saved_errno = errno;
      what = "enter the network namespace";
    }
  else
    {
      fd = open ("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
      g_strlcpy (request.ifr_name, dev, IFNAMSIZ);
      request.ifr_flags = IFF_TUN | IFF_NO_PI;
      if (fd < 0 || ioctl (fd, TUNSETIFF, &request) != 0)
        {
          saved_errno = errno;
          what = "attach to the TUN device";
          if (fd >= 0)
            close (fd);
          fd = -1;
        }
      if (setns (own, CLONE_NEWNET) != 0)
        g_error ("cannot go back to our own network namespace: %s", g_strerror (errno));
    }

  if (own >= 0)
    close (own);
  if (other >= 0)
    close (other);
  if (fd < 0)
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                 "TUN device %s in %s: cannot %s: %s", dev, path, what, g_strerror (saved_errno));
  return fd;
}

static gboolean
outage_active (gint64 now)
{
  if (outage_signalled)
    return TRUE;
  for (guint i = 0; outages != NULL && i < outages->len; i++)
    {
      Outage *outage = &g_array_index (outages, Outage, i);

      if (now - ready_time >= outage->start && now - ready_time < outage->end)
        return TRUE;
    }
  return FALSE;
}

/* When a packet of @length bytes arriving at @now leaves the bottleneck,
 * or -1 when the queue in front of it is full. */
static gint64
bottleneck (Direction *direction,
            gsize      length,
            gint64     now)
{
  const Shape *shape = &direction->shape;
  double       bytes_per_ns = shape->rate * 1000 / 8 / NS_PER_SEC;
  gint64       start = MAX (now, direction->bucket_time);
  double       refill = (start - direction->bucket_time) * bytes_per_ns;
  double       tokens = MIN (shape->burst, direction->bucket_tokens + refill);
  gint64       departure = start;

  if (shape->rate <= 0)
    return now;

  if (tokens < length)
    {
      departure = start + (gint64) ((length - tokens) / bytes_per_ns);
      tokens = length;
    }
  /* The queue holds what waits for tokens: at most QUEUE ms of it. */
  if (departure - now > shape->queue * NS_PER_MS)
    return -1;

  direction->bucket_tokens = tokens - length;
  direction->bucket_time = departure;
  return departure;
}

/* The jitter offset at @time, in ms. Its slope is at most 2 × jitter over
 * 4 × jitter, one half: release times grow with departure times, so the
 * order stays without holding packets back, and the delays really spread
 * over ± jitter (independent draws per packet would either reorder or,
 * kept in order, pile up near the largest delay at video's packet rates). */
static double
jitter_at (Direction *direction,
           gint64     time)
{
  const Shape *shape = &direction->shape;
  gint64       length = (gint64) (MAX (20.0, 4 * shape->jitter) * NS_PER_MS);

  if (shape->jitter <= 0)
    return 0;
  if (time >= direction->segment_end)
    {
      direction->offset_from = direction->offset_to;
      direction->offset_to = g_rand_double_range (direction->rand, -shape->jitter, shape->jitter);
      direction->segment_start = time;
      direction->segment_end = time + length;
    }

  return direction->offset_from + (direction->offset_to - direction->offset_from) *
                                    (time - direction->segment_start) / length;
}

static void
admit (Direction    *direction,
       const guint8 *data,
       gsize         length,
       gint64        now)
{
  const Shape *shape = &direction->shape;
  Packet      *packet;
  gint64       departure, release;
  double       delay;

  direction->packets++;
  direction->bytes += length;

  if (outage_active (now))
    {
      direction->outage++;
      return;
    }
  /* Drawn for every packet, lost or not, so that a seed gives the same
   * losses whatever the other settings are. */
  if (g_rand_double_range (direction->rand, 0, 100) < shape->loss)
    {
      direction->lost++;
      return;
    }
  departure = bottleneck (direction, length, now);
  if (departure < 0 || direction->queue.length >= MAX_QUEUED)
    {
      direction->overflow++;
      return;
    }

  delay = shape->delay;
  delay += jitter_at (direction, departure);
  release = departure + (gint64) (MAX (delay, 0) * NS_PER_MS);
  /* No reordering: a packet waits for the one before it. */
  release = MAX (release, direction->last_release);
  direction->last_release = release;

  packet = g_malloc (sizeof (Packet) + length);
  packet->release = release;
  packet->length = length;
  memcpy (packet->data, data, length);
  g_queue_push_tail (&direction->queue, packet);
}

static void
read_packets (Direction *direction)
{
  static guint8 buffer[MAX_PACKET];

  for (guint i = 0; i < READ_BATCH; i++)
    {
      gssize length = read (direction->in_fd, buffer, sizeof buffer);

      if (length <= 0)
        {
          if (length < 0 && errno != EAGAIN && errno != EINTR)
            g_error ("reading %s: %s", direction->name, g_strerror (errno));
          return;
        }
      admit (direction, buffer, length, now_ns ());
    }
}

static void
release_packets (Direction *direction,
                 gint64     now)
{
  Packet *packet;

  while ((packet = g_queue_peek_head (&direction->queue)) != NULL && packet->release <= now)
    {
      g_queue_pop_head (&direction->queue);
      if (outage_active (now))
        direction->outage++;
      else if (write (direction->out_fd, packet->data, packet->length) != (gssize) packet->length)
        direction->write_errors++;
      else
        {
          direction->forwarded++;
          direction->forwarded_bytes += packet->length;
        }
      g_free (packet);
    }
}

static void
arm_timer (int timer_fd)
{
  struct itimerspec spec = { 0 };
  gint64            next = G_MAXINT64;

  for (guint i = 0; i < 2; i++)
    {
      Packet *packet = g_queue_peek_head (&directions[i].queue);

      if (packet != NULL)
        next = MIN (next, packet->release);
    }

  /* An all-zero value disarms it; a release already due must still fire. */
  if (next != G_MAXINT64)
    {
      next = MAX (next, 1);
      spec.it_value.tv_sec = next / NS_PER_SEC;
      spec.it_value.tv_nsec = next % NS_PER_SEC;
    }
  timerfd_settime (timer_fd, TFD_TIMER_ABSTIME, &spec, NULL);
}

static void
print_stats (void)
{
  g_autoptr (GString) text = g_string_new ("stats {");

  for (guint i = 0; i < 2; i++)
    {
      Direction *d = &directions[i];

      g_string_append_printf (text,
                              "%s\"%s\": {\"packets\": %" G_GUINT64_FORMAT
                              ", \"bytes\": %" G_GUINT64_FORMAT
                              ", \"forwarded\": %" G_GUINT64_FORMAT
                              ", \"forwarded_bytes\": %" G_GUINT64_FORMAT
                              ", \"lost\": %" G_GUINT64_FORMAT ", \"overflow\": %" G_GUINT64_FORMAT
                              ", \"outage\": %" G_GUINT64_FORMAT
                              ", \"write_errors\": %" G_GUINT64_FORMAT ", \"queued\": %u}",
                              i > 0 ? ", " : "", d->name, d->packets, d->bytes, d->forwarded,
                              d->forwarded_bytes, d->lost, d->overflow, d->outage,
                              d->write_errors, d->queue.length);
    }
  g_string_append (text, "}");
  printf ("%s\n", text->str);
  fflush (stdout);
}

static gboolean
parse_outage (const char *text,
              Outage     *outage)
{
  g_auto (GStrv) parts = g_strsplit (text, ":", 2);
  double         start, seconds;
  char          *end;

  if (parts[0] == NULL || parts[1] == NULL)
    return FALSE;
  start = g_ascii_strtod (parts[0], &end);
  if (end == parts[0] || *end != '\0' || start < 0)
    return FALSE;
  seconds = g_ascii_strtod (parts[1], &end);
  if (end == parts[1] || *end != '\0' || seconds < 0)
    return FALSE;

  outage->start = (gint64) (start * NS_PER_SEC);
  outage->end = outage->start + (gint64) (seconds * NS_PER_SEC);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char           *netns_a = NULL, *netns_b = NULL, *dev = NULL;
  g_autofree char           *both = NULL, *a_to_b = NULL, *b_to_a = NULL;
  g_auto (GStrv)             outage_specs = NULL;
  gint64                     seed = 1;
  g_autoptr (GOptionContext) context = g_option_context_new ("— impair IP between two namespaces");
  g_autoptr (GError)         error = NULL;
  const GOptionEntry         entries[] = {
            { "netns-a", 0, 0, G_OPTION_ARG_STRING, &netns_a, "The first namespace", "NAME" },
            { "netns-b", 0, 0, G_OPTION_ARG_STRING, &netns_b, "The second namespace", "NAME" },
            { "dev", 0, 0, G_OPTION_ARG_STRING, &dev, "The TUN device in each (mcnet0)", "NAME" },
            { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the losses and jitter (1)", "N" },
            { "both", 0, 0, G_OPTION_ARG_STRING, &both, "Shaping of both directions", "SPEC" },
            { "a-to-b", 0, 0, G_OPTION_ARG_STRING, &a_to_b, "Shaping from A to B (over --both)",
              "SPEC" },
            { "b-to-a", 0, 0, G_OPTION_ARG_STRING, &b_to_a, "Shaping from B to A (over --both)",
              "SPEC" },
            { "outage", 0, 0, G_OPTION_ARG_STRING_ARRAY, &outage_specs,
              "Nothing passes from START s after ready, for SECONDS s (repeatable)",
              "START:SECONDS" },
            { NULL }
  };
  struct pollfd fds[4];
  sigset_t      signals;
  int           fd_a, fd_b = -1, timer_fd, signal_fd;
  gboolean      running = TRUE;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("mc-netem: %s\n", error->message);
      return 2;
    }
  if (netns_a == NULL || netns_b == NULL)
    {
      g_printerr ("mc-netem: --netns-a and --netns-b are required\n");
      return 2;
    }

  directions[0].name = "a_to_b";
  directions[1].name = "b_to_a";
  for (guint i = 0; i < 2; i++)
    {
      const char *own = i == 0 ? a_to_b : b_to_a;

      shape_init (&directions[i].shape);
      if ((both != NULL && !parse_shape (both, &directions[i].shape, &error)) ||
          (own != NULL && !parse_shape (own, &directions[i].shape, &error)))
        {
          g_printerr ("mc-netem: %s\n", error->message);
          return 2;
        }
      /* Each direction its own sequence, both given by the one seed. */
      directions[i].rand = g_rand_new_with_seed ((guint32) (seed * 2 + i));
      directions[i].bucket_tokens = directions[i].shape.burst;
      g_queue_init (&directions[i].queue);
    }

  outages = g_array_new (FALSE, FALSE, sizeof (Outage));
  for (guint i = 0; outage_specs != NULL && outage_specs[i] != NULL; i++)
    {
      Outage outage;

      if (!parse_outage (outage_specs[i], &outage))
        {
          g_printerr ("mc-netem: --outage wants START:SECONDS, not “%s”\n", outage_specs[i]);
          return 2;
        }
      g_array_append_val (outages, outage);
    }

  /* Signals are read from a signalfd, in order with the packets. */
  sigemptyset (&signals);
  sigaddset (&signals, SIGTERM);
  sigaddset (&signals, SIGINT);
  sigaddset (&signals, SIGUSR1);
  sigaddset (&signals, SIGUSR2);
  sigprocmask (SIG_BLOCK, &signals, NULL);
  signal_fd = signalfd (-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  timer_fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

  fd_a = open_tun (netns_a, dev != NULL ? dev : "mcnet0", &error);
  if (fd_a >= 0)
    fd_b = open_tun (netns_b, dev != NULL ? dev : "mcnet0", &error);
  if (fd_a < 0 || fd_b < 0)
    {
      g_printerr ("mc-netem: %s\n", error->message);
      return 1;
    }
  directions[0].in_fd = directions[1].out_fd = fd_a;
  directions[1].in_fd = directions[0].out_fd = fd_b;

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *text = describe_shape (&directions[i].shape);

      printf ("%s: %s\n", directions[i].name, text);
    }
  ready_time = now_ns ();
  printf ("ready\n");
  fflush (stdout);

  fds[0] = (struct pollfd){ .fd = fd_a, .events = POLLIN };
  fds[1] = (struct pollfd){ .fd = fd_b, .events = POLLIN };
  fds[2] = (struct pollfd){ .fd = timer_fd, .events = POLLIN };
  fds[3] = (struct pollfd){ .fd = signal_fd, .events = POLLIN };

  while (running)
    {
      struct signalfd_siginfo info;
      guint64                 expirations;
      gint64                  now;

      if (poll (fds, G_N_ELEMENTS (fds), -1) < 0 && errno != EINTR)
        g_error ("poll: %s", g_strerror (errno));

      if (fds[0].revents & POLLIN)
        read_packets (&directions[0]);
      if (fds[1].revents & POLLIN)
        read_packets (&directions[1]);
      if (fds[2].revents & POLLIN)
        (void) !read (timer_fd, &expirations, sizeof expirations);
      while (read (signal_fd, &info, sizeof info) == sizeof info)
        {
          if (info.ssi_signo == SIGUSR1 || info.ssi_signo == SIGUSR2)
            {
              outage_signalled = info.ssi_signo == SIGUSR1;
              printf ("outage %s\n", outage_signalled ? "on" : "off");
              fflush (stdout);
            }
          else
            running = FALSE;
        }
      if ((fds[0].revents | fds[1].revents) & (POLLERR | POLLHUP | POLLNVAL))
        {
          g_printerr ("mc-netem: a TUN device went away\n");
          running = FALSE;
        }

      now = now_ns ();
      release_packets (&directions[0], now);
      release_packets (&directions[1], now);
      arm_timer (timer_fd);
    }

  print_stats ();
  for (guint i = 0; i < 2; i++)
    {
      g_queue_clear_full (&directions[i].queue, g_free);
      g_rand_free (directions[i].rand);
    }
  g_array_unref (outages);
  close (fd_a);
  close (fd_b);
  close (timer_fd);
  close (signal_fd);
  return 0;
}
