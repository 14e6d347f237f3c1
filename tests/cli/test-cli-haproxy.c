/* test-cli-haproxy.c — a call through HAProxy in front of three servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Three real mentorcall-server processes on one database, a real HAProxy
 * (Debian's haproxy) in front of them running data/haproxy.cfg
 * (mc-test-haproxy.c), and two
 * mentorcall-cli processes that know only HAProxy's address. The call
 * token's signaling URL names the booking, and HAProxy hashes on it: both
 * participants land on the same server. That server is killed with SIGKILL
 * in the middle of the call: HAProxy's health check takes it out, both
 * signaling connections come back through HAProxy on one live server, the
 * peer-to-peer media goes on over the same connection, and a chat message
 * posted while the room's server was gone reaches each side exactly once.
 *
 * On PostgreSQL, the two participants of a call may be on different
 * servers (the servers relay between them over LISTEN/NOTIFY): the mentor
 * comes through HAProxy, the student straight to another server. The
 * mentor's server is killed: the mentor's signaling comes back through
 * HAProxy on a live server, the student's stays where it was, the media
 * goes on, and the chat posted meanwhile reaches each side exactly once.
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "mc-test-cli.h"
#include "mc-test-database.h"
#include "mc-test-haproxy.h"

#define N_SERVERS  3
#define VIDEO_ARGS "--width", "320", "--height", "240", "--fps", "15"

typedef struct
{
  McTestServer  *servers[N_SERVERS];
  McTestHaproxy *haproxy;
  const char    *url;
} Fixture;

/* Helpers */

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer data)
{
  fixture->servers[0] = mc_test_server_start_new (NULL);
  for (guint i = 1; i < N_SERVERS; i++)
    {
      fixture->servers[i] = mc_test_server_new_node (fixture->servers[0], NULL);
      mc_test_server_start (fixture->servers[i]);
    }
  fixture->haproxy = mc_test_haproxy_start (fixture->servers, N_SERVERS, 0, 1000,
                                            mc_test_server_get_dir (fixture->servers[0]));
  fixture->url = mc_test_haproxy_get_url (fixture->haproxy);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer data)
{
  g_clear_pointer (&fixture->haproxy, mc_test_haproxy_free);
  /* The first made the database, which the others use: it goes last. */
  for (guint i = N_SERVERS; i > 0; i--)
    g_clear_pointer (&fixture->servers[i - 1], mc_test_server_free);
}

/* The servers that hold open attendance records of @booking_id, by their
 * node names (each test server's is its directory's name). */
static GPtrArray *
open_record_nodes (McTestServer *server,
                   gint64        booking_id)
{
  g_autoptr (JsonArray) records = mc_test_attendance (server, booking_id);
  GPtrArray            *nodes = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      JsonObject *record = json_array_get_object_element (records, i);

      if (json_object_get_null_member (record, "left_at"))
        g_ptr_array_add (nodes, g_strdup (json_object_get_string_member (record, "node")));
    }

  return nodes;
}

static guint
server_named (Fixture    *fixture,
              const char *name)
{
  for (guint i = 0; i < N_SERVERS; i++)
    {
      g_autofree char *base = g_path_get_basename (mc_test_server_get_dir (fixture->servers[i]));

      if (g_str_equal (base, name))
        return i;
    }

  g_error ("no server is named %s", name);
}

/* Waits until @n open records of @booking_id are on servers other than
 * @not_this (-1: any), as @ask's database says, and returns the servers
 * that hold them, oldest record first. */
static GArray *
wait_for_records (Fixture *fixture,
                  guint    ask,
                  gint64   booking_id,
                  int      not_this,
                  guint    n)
{
  gint64 deadline = g_get_monotonic_time () + MC_TEST_CLI_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (GPtrArray) nodes = open_record_nodes (fixture->servers[ask], booking_id);
      g_autoptr (GArray)    live = g_array_new (FALSE, FALSE, sizeof (guint));

      for (guint i = 0; i < nodes->len; i++)
        {
          guint server = server_named (fixture, g_ptr_array_index (nodes, i));

          if ((int) server != not_this)
            g_array_append_val (live, server);
        }

      if (live->len == n)
        return g_steal_pointer (&live);
      g_usleep (G_USEC_PER_SEC / 5);
    }

  g_error ("the participants did not join as expected");
}

/* Waits until both participants have an open record on one server, and
 * returns which; fails if they are on two. */
static guint
wait_for_room_server (Fixture *fixture,
                      guint    ask,
                      gint64   booking_id,
                      int      not_this)
{
  g_autoptr (GArray) servers = wait_for_records (fixture, ask, booking_id, not_this, 2);

  g_assert_cmpuint (g_array_index (servers, guint, 0), ==, g_array_index (servers, guint, 1));
  return g_array_index (servers, guint, 0);
}

/* Remembers how much each CLI printed so far. */
static void
mark_outputs (McTestCli **clis,
              gsize      *marks)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *output = mc_test_cli_get_output (clis[i]);

      marks[i] = strlen (output);
    }
}

/* The mentor posts @text over the REST API of @server (another of their
 * clients, a phone say). */
static void
post_chat (McTestServer *server,
           gint64        booking_id,
           const char   *client_id,
           const char   *text)
{
  g_autofree char     *token = mc_test_login (server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  g_autofree char     *path = NULL;
  g_autofree char     *body = NULL;
  g_autoptr (JsonNode) posted = NULL;
  guint                status;

  path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/messages", booking_id);
  body = g_strdup_printf ("{\"client_id\":\"%s\",\"text\":\"%s\"}", client_id, text);
  posted = mc_test_request (server, "POST", path, token, body, &status);
  g_assert_cmpuint (status, ==, 201);
}

static guint
count_containing (const char *output,
                  const char *text)
{
  g_auto (GStrv) lines = g_strsplit (output, "\n", -1);
  guint          count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], text) != NULL)
      count++;

  return count;
}

/* Stops both CLIs, and checks that each printed @text once and connected
 * its peer connection once: the media never stopped. */
static void
stop_both (McTestCli **clis,
           const char *text)
{
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *output = NULL;
      int              exit_status;

      mc_test_cli_signal (clis[i], SIGTERM);
      exit_status = mc_test_cli_wait_exit (clis[i]);
      g_assert_cmpint (exit_status, ==, 0);
      output = mc_test_cli_get_output (clis[i]);
      g_assert_cmpuint (count_containing (output, text), ==, 1);
      g_assert_cmpuint (mc_test_cli_count_lines (output, "state connected"), ==, 1);
    }
}

/* Tests */

static void
test_failover (Fixture      *fixture,
               gconstpointer data)
{
  g_autoptr (McTestCli) mentor = NULL;
  g_autoptr (McTestCli) student = NULL;
  McTestCli            *both[2];
  gsize                 marks[2];
  gint64                booking_id;
  guint                 room_server, new_server, live;

  booking_id = mc_test_cli_start_lesson (fixture->servers[0], &mentor, &student);
  both[0] = mentor;
  both[1] = student;
  /* They know only HAProxy: their logins land on any server. */
  for (guint i = 0; i < 2; i++)
    {
      mc_test_cli_set_url (both[i], fixture->url);
      mc_test_cli_login (both[i], i == 0 ? MC_TEST_MENTOR : MC_TEST_STUDENT,
                         i == 0 ? MC_TEST_MENTOR_PASSWORD : MC_TEST_STUDENT_PASSWORD);
    }

  for (guint i = 0; i < 2; i++)
    mc_test_cli_join (both[i], booking_id, VIDEO_ARGS, "--require-media", NULL);
  for (guint i = 0; i < 2; i++)
    mc_test_cli_wait_for (both[i], "remote video and audio", mc_test_cli_has_media, NULL);

  room_server = wait_for_room_server (fixture, 0, booking_id, -1);
  g_test_message ("both participants are on server %u", room_server + 1);

  /* The room's server dies in the middle of the call. */
  mark_outputs (both, marks);
  mc_test_server_kill (fixture->servers[room_server]);

  /* Meanwhile the mentor says something through a live server. */
  live = (room_server + 1) % N_SERVERS;
  post_chat (fixture->servers[live], booking_id, "failover-1", "still there?");

  /* Both come back through HAProxy, together on one live server. */
  for (guint i = 0; i < 2; i++)
    {
      mc_test_cli_wait_for (both[i], "signaling back", mc_test_cli_has_lines,
                            (gpointer) "1 signaling connected");
      mc_test_cli_wait_for (both[i], "the chat message", mc_test_cli_has_line,
                            (gpointer) "still there?");
      mc_test_cli_wait_for (both[i], "remote video and audio after the failover",
                            mc_test_cli_has_media, GSIZE_TO_POINTER (marks[i]));
    }
  new_server = wait_for_room_server (fixture, live, booking_id, (int) room_server);
  g_assert_cmpuint (new_server, !=, room_server);
  g_test_message ("both participants came back on server %u", new_server + 1);

  stop_both (both, "still there?");
}

static void
test_split (Fixture      *fixture,
            gconstpointer data)
{
  g_autoptr (McTestCli) mentor = NULL;
  g_autoptr (McTestCli) student = NULL;
  g_autoptr (GArray)    servers = NULL;
  McTestCli            *both[2];
  gsize                 marks[2];
  gint64                booking_id;
  guint                 mentor_server, student_server;

  booking_id = mc_test_cli_start_lesson (fixture->servers[0], &mentor, &student);
  both[0] = mentor;
  both[1] = student;

  /* The mentor comes through HAProxy; the student straight to another
   * server. */
  mc_test_cli_set_url (mentor, fixture->url);
  mc_test_cli_login (mentor, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  mc_test_cli_join (mentor, booking_id, VIDEO_ARGS, "--require-media", NULL);
  servers = wait_for_records (fixture, 0, booking_id, -1, 1);
  mentor_server = g_array_index (servers, guint, 0);
  g_clear_pointer (&servers, g_array_unref);

  student_server = (mentor_server + 1) % N_SERVERS;
  mc_test_cli_set_url (student, mc_test_server_get_url (fixture->servers[student_server]));
  mc_test_cli_login (student, MC_TEST_STUDENT, MC_TEST_STUDENT_PASSWORD);
  mc_test_cli_join (student, booking_id, VIDEO_ARGS, "--require-media", NULL);
  for (guint i = 0; i < 2; i++)
    mc_test_cli_wait_for (both[i], "remote video and audio", mc_test_cli_has_media, NULL);
  g_test_message ("the mentor is on server %u, the student on server %u", mentor_server + 1,
                  student_server + 1);

  /* The mentor's server dies; the mentor says something meanwhile. */
  mark_outputs (both, marks);
  mc_test_server_kill (fixture->servers[mentor_server]);
  post_chat (fixture->servers[student_server], booking_id, "split-1", "can you hear me?");

  mc_test_cli_wait_for (mentor, "signaling back", mc_test_cli_has_lines,
                        (gpointer) "1 signaling connected");
  for (guint i = 0; i < 2; i++)
    {
      mc_test_cli_wait_for (both[i], "the chat message", mc_test_cli_has_line,
                            (gpointer) "can you hear me?");
      mc_test_cli_wait_for (both[i], "remote video and audio after the mentor's server died",
                            mc_test_cli_has_media, GSIZE_TO_POINTER (marks[i]));
    }
  servers = wait_for_records (fixture, student_server, booking_id, (int) mentor_server, 2);
  g_test_message ("the mentor came back on server %u", g_array_index (servers, guint, 0) + 1);

  stop_both (both, "can you hear me?");
}

static void
skip_without_haproxy (void)
{
  g_test_skip ("haproxy is not installed (install-deps.sh installs it)");
}

static void
skip_on_sqlite (void)
{
  g_test_skip ("servers on SQLite do not relay between them (the postgresql suite runs it)");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (mc_test_haproxy_find () == NULL)
    {
      g_test_message ("SKIP: haproxy is not installed (install-deps.sh installs it)");
      g_test_add_func ("/cli/haproxy/failover", skip_without_haproxy);
      g_test_add_func ("/cli/haproxy/split", skip_without_haproxy);
    }
  else
    {
      g_test_add ("/cli/haproxy/failover", Fixture, NULL, fixture_set_up, test_failover,
                  fixture_tear_down);
      if (mc_test_database_is_postgresql ())
        g_test_add ("/cli/haproxy/split", Fixture, NULL, fixture_set_up, test_split,
                    fixture_tear_down);
      else
        g_test_add_func ("/cli/haproxy/split", skip_on_sqlite);
    }

  return g_test_run ();
}
