/* mc-cli.c — mentorcall-cli, the headless client
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For operators (does this lesson connect?), tests and benchmarks. The
 * session token is kept in $XDG_CONFIG_HOME/mentorcall/cli.ini, readable by
 * its owner only. Every command exits non-zero with the reason on standard
 * error when anything fails.
 *
 * Text that other people wrote — chat, display names, subjects — is
 * printed through mc_cli_escape_text(): the server keeps it as it was sent,
 * and a control character in it must not drive the reader's terminal.
 */

#define G_LOG_DOMAIN "mentorcall-cli"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "mc-cli.h"
#include "mc-protocol.h"

#define EXIT_USAGE     2
#define DEFAULT_SERVER "http://127.0.0.1:8080/"

typedef struct
{
  char *server;
  char *token;
  char *username;
} Credentials;

static void
credentials_clear (Credentials *credentials)
{
  g_clear_pointer (&credentials->server, g_free);
  g_clear_pointer (&credentials->token, g_free);
  g_clear_pointer (&credentials->username, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Credentials, credentials_clear)

static char *
credentials_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "mentorcall", "cli.ini", NULL);
}

static void
credentials_load (Credentials *credentials)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char     *path = credentials_path ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return;

  credentials->server = g_key_file_get_string (file, "session", "server", NULL);
  credentials->token = g_key_file_get_string (file, "session", "token", NULL);
  credentials->username = g_key_file_get_string (file, "session", "username", NULL);
}

/* Written to a new file that only its owner can read, then renamed over
 * the old one, so the token is never readable by others, even briefly. */
static gboolean
credentials_save (const Credentials *credentials,
                  GError           **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree char     *path = credentials_path ();
  g_autofree char     *dir = g_path_get_dirname (path);
  g_autofree char     *data = NULL;
  g_autofree char     *temporary = g_strconcat (path, ".new", NULL);
  gsize                length;
  int                  fd;

  g_key_file_set_string (file, "session", "server", credentials->server);
  g_key_file_set_string (file, "session", "token", credentials->token);
  g_key_file_set_string (file, "session", "username", credentials->username);
  data = g_key_file_to_data (file, &length, NULL);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Cannot create %s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }

  fd = g_open (temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || write (fd, data, length) != (gssize) length || close (fd) != 0 ||
      g_rename (temporary, path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "Cannot save the session in %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

static int
fail (const char *what,
      GError     *error)
{
  g_printerr ("mentorcall-cli: %s: %s\n", what, error->message);
  g_error_free (error);
  return EXIT_FAILURE;
}

void
mc_cli_wait_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

GAsyncResult *
mc_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *result;
}

/* The password: MENTORCALL_PASSWORD, or the first line of standard input. */
static char *
read_password (void)
{
  const char *variable = g_getenv ("MENTORCALL_PASSWORD");
  char        buffer[4100];

  if (variable != NULL)
    return g_strdup (variable);

  if (fgets (buffer, sizeof buffer, stdin) == NULL)
    return NULL;

  buffer[strcspn (buffer, "\r\n")] = '\0';
  return g_strdup (buffer);
}

static int
command_login (McApiClient *api,
               Credentials *credentials,
               const char  *username)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonObject)   answer = NULL;
  g_autofree char         *password = read_password ();
  GError                  *error = NULL;

  if (password == NULL)
    {
      g_printerr ("mentorcall-cli: give the password on standard input or in "
                  "MENTORCALL_PASSWORD\n");
      return EXIT_USAGE;
    }

  mc_api_client_login_async (api, username, password, NULL, mc_cli_wait_cb, &result);
  answer = mc_api_client_login_finish (api, mc_cli_wait (&result), &error);
  if (answer == NULL)
    return fail ("cannot log in", error);

  g_free (credentials->token);
  credentials->token = g_strdup (mc_api_client_get_token (api));
  g_free (credentials->username);
  credentials->username = g_strdup (username);

  if (!credentials_save (credentials, &error))
    return fail ("logged in, but", error);

  g_print ("Logged in to %s as %s\n", credentials->server, username);
  return EXIT_SUCCESS;
}

static int
command_logout (McApiClient *api,
                Credentials *credentials)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char         *path = credentials_path ();
  GError                  *error = NULL;

  mc_api_client_logout_async (api, NULL, mc_cli_wait_cb, &result);
  if (!mc_api_client_logout_finish (api, mc_cli_wait (&result), &error))
    {
      /* An expired session is as good as logged out. */
      if (error->domain != MC_ERROR || (error->code != MC_ERROR_SESSION_INVALID &&
                                        error->code != MC_ERROR_SESSION_EXPIRED))
        return fail ("cannot log out", error);
      g_clear_error (&error);
    }

  g_unlink (path);
  g_print ("Logged out\n");
  return EXIT_SUCCESS;
}

static int
command_bookings (McApiClient *api)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonObject)   answer = NULL;
  GError                  *error = NULL;
  JsonArray               *bookings;

  mc_api_client_list_bookings_async (api, NULL, mc_cli_wait_cb, &result);
  answer = mc_api_client_list_bookings_finish (api, mc_cli_wait (&result), &error);
  if (answer == NULL)
    return fail ("cannot list the bookings", error);

  bookings = json_object_get_array_member (answer, "bookings");
  g_print ("%-6s %-10s %-20s %-20s %-8s %-8s %-20s %s\n", "ID", "STATUS", "START", "END",
           "JOIN", "CALL", "WITH", "SUBJECT");

  for (guint i = 0; bookings != NULL && i < json_array_get_length (bookings); i++)
    {
      JsonObject      *booking = json_array_get_object_element (bookings, i);
      JsonObject      *other = json_object_get_object_member (booking, "other");
      JsonObject      *window = json_object_get_object_member (booking, "join_window");
      JsonNode        *call = json_object_get_member (booking, "call");
      const char      *call_state = "-";
      g_autofree char *with = NULL;
      g_autofree char *subject = NULL;

      if (call != NULL && JSON_NODE_HOLDS_OBJECT (call))
        call_state = json_object_get_string_member (json_node_get_object (call), "state");

      with = mc_cli_escape_text (json_object_get_string_member (other, "display_name"));
      subject = mc_cli_escape_text (json_object_get_string_member (booking, "subject"));

      g_print ("%-6" G_GINT64_FORMAT " %-10s %-20s %-20s %-8s %-8s %-20s %s\n",
               json_object_get_int_member (booking, "id"),
               json_object_get_string_member (booking, "status"),
               json_object_get_string_member (booking, "start"),
               json_object_get_string_member (booking, "end"),
               json_object_get_boolean_member (window, "open") ? "open" : "closed",
               call_state, with, subject);
    }

  return EXIT_SUCCESS;
}

/* Characters that make a terminal do something rather than show
 * something: C0 controls and DEL (escape sequences, bell, carriage
 * return), C1 controls (U+009B is a one-character CSI to some terminals),
 * and the bidirectional overrides and isolates that reorder what follows
 * them on the line. */
static gboolean
is_unsafe_for_terminal (gunichar c)
{
  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069);
}

/**
 * mc_cli_escape_text:
 * @text: (nullable): text from someone else, as the server stored it
 *
 * Makes @text safe to print on a terminal while keeping all of it
 * readable: newline, carriage return and tab become `\n`, `\r` and `\t`,
 * other control characters `\xHH` (ASCII) or `\uHHHH`, and bytes that are
 * not UTF-8 `\xHH`. Everything else, other scripts and emoji included, is
 * left as it is.
 *
 * Returns: (transfer full) (nullable): the escaped text, %NULL for %NULL
 */
char *
mc_cli_escape_text (const char *text)
{
  GString    *escaped;
  const char *p;

  if (text == NULL)
    return NULL;

  escaped = g_string_sized_new (strlen (text));
  for (p = text; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (escaped, "\\x%02X", (guint) (guchar) *p);
          p++;
          continue;
        }

      if (c == '\n')
        g_string_append (escaped, "\\n");
      else if (c == '\r')
        g_string_append (escaped, "\\r");
      else if (c == '\t')
        g_string_append (escaped, "\\t");
      else if (c < 0x80 && is_unsafe_for_terminal (c))
        g_string_append_printf (escaped, "\\x%02X", c);
      else if (is_unsafe_for_terminal (c))
        g_string_append_printf (escaped, "\\u%04X", c);
      else
        g_string_append_len (escaped, p, g_utf8_next_char (p) - p);

      p = g_utf8_next_char (p);
    }

  return g_string_free (escaped, FALSE);
}

static int
command_chat (McApiClient *api,
              gint64       booking_id,
              const char  *text)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonObject)   message = NULL;
  g_autofree char         *client_id = g_uuid_string_random ();
  GError                  *error = NULL;

  mc_api_client_post_message_async (api, booking_id, client_id, text, NULL, mc_cli_wait_cb,
                                    &result);
  message = mc_api_client_post_message_finish (api, mc_cli_wait (&result), &error);
  if (message == NULL)
    return fail ("cannot send the message", error);

  g_print ("Sent message %" G_GINT64_FORMAT "\n", json_object_get_int_member (message, "seq"));
  return EXIT_SUCCESS;
}

static int
command_history (McApiClient *api,
                 gint64       booking_id)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonObject)   answer = NULL;
  GError                  *error = NULL;
  JsonArray               *messages;

  mc_api_client_list_messages_async (api, booking_id, 0, 500, NULL, mc_cli_wait_cb, &result);
  answer = mc_api_client_list_messages_finish (api, mc_cli_wait (&result), &error);
  if (answer == NULL)
    return fail ("cannot read the chat", error);

  messages = json_object_get_array_member (answer, "messages");
  for (guint i = 0; messages != NULL && i < json_array_get_length (messages); i++)
    {
      JsonObject      *message = json_array_get_object_element (messages, i);
      JsonObject      *sender = json_object_get_object_member (message, "sender");
      g_autofree char *name = NULL;
      g_autofree char *text = NULL;

      name = mc_cli_escape_text (json_object_get_string_member (sender, "display_name"));
      text = mc_cli_escape_text (json_object_get_string_member (message, "text"));

      g_print ("%" G_GINT64_FORMAT "\t%s\t%s\t%s\n",
               json_object_get_int_member (message, "seq"),
               json_object_get_string_member (message, "sent_at"), name, text);
    }

  return EXIT_SUCCESS;
}

static gboolean
parse_booking (const char *text,
               gint64     *booking_id)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_printerr ("mentorcall-cli: “%s” is not a booking number\n", text ? text : "");
      return FALSE;
    }

  *booking_id = (gint64) value;
  return TRUE;
}

int
mc_cli_main (int    argc,
             char **argv)
{
  g_autofree char           *server = NULL;
  g_autofree char           *stats_json = NULL;
  g_auto (GStrv)             ice_addresses = NULL;
  g_auto (Credentials)       credentials = { NULL };
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (McApiClient)    api = NULL;
  g_autoptr (GError)         error = NULL;
  McCliJoinOptions           join = { 0 };
  gboolean                   version = FALSE;
  const GOptionEntry         entries[] = {
            { "server", 's', 0, G_OPTION_ARG_STRING, &server,
              "The server, such as https://lessons.example.org/ (remembered at login)", "URL" },
            { "test-sources", 0, 0, G_OPTION_ARG_NONE, &join.test_sources,
              "join: send a test pattern and a tone instead of the camera and microphone", NULL },
            { "ice-address", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ice_addresses,
              "join: use only this local address for ICE (repeatable; e.g. 127.0.0.1)", "ADDR" },
            { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &join.duration,
              "join: leave after this many seconds (default: stay until Ctrl+C)", "SECONDS" },
            { "stats-json", 0, 0, G_OPTION_ARG_FILENAME, &stats_json,
              "join: write the call's statistics to FILE at the end", "FILE" },
            { "width", 0, 0, G_OPTION_ARG_INT, &join.width, "join: video width (default 1280)", "PX" },
            { "height", 0, 0, G_OPTION_ARG_INT, &join.height, "join: video height (default 720)", "PX" },
            { "fps", 0, 0, G_OPTION_ARG_INT, &join.framerate, "join: frame rate (default 30)", "N" },
            { "latency", 0, 0, G_OPTION_ARG_INT, &join.latency,
              "join: jitter-buffer latency (default 40)", "MS" },
            { "fake-audio-output", 0, 0, G_OPTION_ARG_NONE, &join.fake_audio,
              "join: do not play the other side's sound", NULL },
            { "stamp-frames", 0, 0, G_OPTION_ARG_NONE, &join.stamp_frames,
              "join: stamp each frame with its capture time (to measure latency)", NULL },
            { "mute", 0, 0, G_OPTION_ARG_NONE, &join.muted, "join: start muted", NULL },
            { "camera-off", 0, 0, G_OPTION_ARG_NONE, &join.camera_off, "join: start with the camera off",
              NULL },
            { "end", 0, 0, G_OPTION_ARG_NONE, &join.end_at_exit,
              "join: end the session for both when leaving", NULL },
            { "relay-only", 0, 0, G_OPTION_ARG_NONE, &join.relay_only,
              "join: send media only through the server's TURN relay", NULL },
            { "require-media", 0, 0, G_OPTION_ARG_NONE, &join.require_media,
              "join: fail unless video and audio from the other side arrived", NULL },
            { "share-pipewire-node", 0, 0, G_OPTION_ARG_INT64, &join.share_node,
              "join: once the other side's video arrives, share this PipeWire node (on "
                      "$PIPEWIRE_REMOTE or the session's daemon) as the screen",
              "ID" },
            { "share-for", 0, 0, G_OPTION_ARG_DOUBLE, &join.share_for,
              "join: stop sharing after this many seconds and send the camera again", "SECONDS" },
            { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
            { NULL }
  };
  const char *command;
  int         status;

  join.share_node = -1;
  context = g_option_context_new ("COMMAND [ARGUMENT…] — the headless Mentorcall client");
  g_option_context_set_summary (context,
                                "Commands:\n"
                                "  login USERNAME        (password from standard input or "
                                "MENTORCALL_PASSWORD)\n"
                                "  bookings\n"
                                "  join BOOKING          a real call, printing its states and "
                                "statistics\n"
                                "  chat BOOKING TEXT\n"
                                "  history BOOKING\n"
                                "  end BOOKING           end the session for both participants\n"
                                "  logout\n"
                                "  check                 are the GStreamer elements for calls "
                                "installed?");
  g_option_context_add_main_entries (context, entries, NULL);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("mentorcall-cli: %s\nTry “mentorcall-cli --help”.\n", error->message);
      return EXIT_USAGE;
    }

  if (version)
    {
      g_print ("mentorcall-cli %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  if (join.share_node > G_MAXUINT32 || join.share_node < -1 || join.share_for < 0)
    {
      g_printerr ("mentorcall-cli: --share-pipewire-node takes a node id and --share-for a "
                  "number of seconds\n");
      return EXIT_USAGE;
    }

  if (argc < 2)
    {
      g_printerr ("mentorcall-cli: give a command; try “mentorcall-cli --help”\n");
      return EXIT_USAGE;
    }

  command = argv[1];

  if (g_str_equal (command, "check") && argc == 2)
    return mc_cli_check ();

  credentials_load (&credentials);

  if (server != NULL)
    {
      g_free (credentials.server);
      credentials.server = g_strdup (server);
    }
  if (credentials.server == NULL)
    credentials.server = g_strdup (DEFAULT_SERVER);

  api = mc_api_client_new (credentials.server);

  if (g_str_equal (command, "login") && argc == 3)
    return command_login (api, &credentials, argv[2]);

  if (credentials.token == NULL)
    {
      g_printerr ("mentorcall-cli: not logged in; run “mentorcall-cli --server URL login "
                  "USERNAME” first\n");
      return EXIT_FAILURE;
    }
  mc_api_client_set_token (api, credentials.token);

  if (g_str_equal (command, "logout") && argc == 2)
    return command_logout (api, &credentials);

  if (g_str_equal (command, "bookings") && argc == 2)
    return command_bookings (api);

  if (argc >= 3)
    {
      gint64 booking_id;

      if (!parse_booking (argv[2], &booking_id))
        return EXIT_USAGE;

      if (g_str_equal (command, "chat") && argc == 4)
        return command_chat (api, booking_id, argv[3]);
      if (g_str_equal (command, "history") && argc == 3)
        return command_history (api, booking_id);
      if (g_str_equal (command, "end") && argc == 3)
        return mc_cli_end (api, booking_id);
      if (g_str_equal (command, "join") && argc == 3)
        {
          join.ice_addresses = ice_addresses;
          join.stats_json = stats_json;
          status = mc_cli_join (api, booking_id, &join);
          return status;
        }
    }

  g_printerr ("mentorcall-cli: unknown command or wrong arguments; try “mentorcall-cli "
              "--help”\n");
  return EXIT_USAGE;
}
