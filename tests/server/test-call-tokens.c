/* test-call-tokens.c — issuing and verifying call tokens, join windows, ICE servers
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-protocol.h"
#include "mc-test-server.h"

typedef struct
{
  McTestServer *server;
  gint64        mentor_id;
  gint64        student_id;
  char         *mentor_token;
  char         *student_token;
  char         *other_token;
} Fixture;

static void
fixture_init (Fixture    *fixture,
              const char *config)
{
  /* The clock moves in the expiry tests instead of sleeping. */
  fixture->server = mc_test_server_new (config);
  mc_test_server_add_args (fixture->server, "--test-clock", NULL);
  mc_test_server_start (fixture->server);
  mc_test_create_pair (fixture->server, &fixture->mentor_id, &fixture->student_id);
  mc_test_create_user (fixture->server, "olga", "student", "olga-pass-1");

  fixture->mentor_token = mc_test_login (fixture->server, MC_TEST_MENTOR, MC_TEST_MENTOR_PASSWORD);
  fixture->student_token = mc_test_login (fixture->server, MC_TEST_STUDENT,
                                          MC_TEST_STUDENT_PASSWORD);
  fixture->other_token = mc_test_login (fixture->server, "olga", "olga-pass-1");
}

static void
fixture_set_up (Fixture      *fixture,
                gconstpointer user_data)
{
  fixture_init (fixture, user_data);
}

static void
fixture_tear_down (Fixture      *fixture,
                   gconstpointer user_data)
{
  g_clear_pointer (&fixture->server, mc_test_server_free);
  g_free (fixture->mentor_token);
  g_free (fixture->student_token);
  g_free (fixture->other_token);
}

static JsonNode *
request_token (Fixture    *fixture,
               const char *session,
               gint64      booking_id,
               const char *body,
               guint      *status)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/bookings/%" G_GINT64_FORMAT "/call-token",
                                           booking_id);

  return mc_test_request (fixture->server, "POST", path, session, body, status);
}

static JsonNode *
verify (Fixture    *fixture,
        const char *session,
        const char *token,
        guint      *status)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode)    root = NULL;
  g_autofree char        *body = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = json_to_string (root, FALSE);

  return mc_test_request (fixture->server, "POST", "/api/v1/call-tokens/verify", session, body,
                          status);
}

static gint64
parse_time (JsonObject *object,
            const char *path)
{
  gint64 value = 0;

  g_assert_true (mc_json_parse_time (mc_test_get_string (object, path), &value));
  return value;
}

static void
set_status (Fixture    *fixture,
            gint64      booking_id,
            const char *status_name)
{
  g_autofree char     *path = g_strdup_printf ("/api/v1/admin/bookings/%" G_GINT64_FORMAT, booking_id);
  g_autofree char     *body = g_strdup_printf ("{\"status\":\"%s\"}", status_name);
  g_autoptr (JsonNode) response = NULL;
  guint                status;

  response = mc_test_admin (fixture->server, "PATCH", path, body, &status);
  g_assert_cmpuint (status, ==, 200);
}

static void
test_issue (Fixture      *fixture,
            gconstpointer user_data)
{
  gint64                        id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                             -600, 3000, "confirmed");
  g_autoptr (JsonNode)          response = NULL;
  g_autoptr (JsonNode)          again = NULL;
  g_autoptr (McCallTokenClaims) claims = NULL;
  g_autoptr (GError)            error = NULL;
  JsonObject                   *object;
  const char                   *token;
  gint64                        before, after, expires_at;
  guint                         status;

  before = mc_test_now ();
  response = request_token (fixture, fixture->mentor_token, id, "{}", &status);
  after = mc_test_now ();
  g_assert_cmpuint (status, ==, 200);
  object = mc_test_object (response);

  token = mc_test_get_string (object, "token");
  g_assert_true (g_str_has_prefix (token, "v1."));
  g_assert_cmpint (mc_test_get_int (object, "booking_id"), ==, id);
  g_assert_cmpint (mc_test_get_int (object, "user_id"), ==, fixture->mentor_id);
  g_assert_cmpstr (mc_test_get_string (object, "role"), ==, "mentor");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (mc_test_get_node (object, "ice_servers")));
  /* No ICE servers in the default configuration. */
  g_assert_cmpuint (json_array_get_length (json_node_get_array (
                      mc_test_get_node (object, "ice_servers"))),
                    ==, 0);
  g_assert_true (json_node_get_boolean (mc_test_get_node (object, "join_window.open")));
  mc_test_get_string (object, "join_window.opens_at");
  mc_test_get_string (object, "join_window.closes_at");

  /* Valid for the default token lifetime of an hour (the window closes later). */
  expires_at = parse_time (object, "expires_at");
  g_assert_cmpint (expires_at, >=, before + 3600);
  g_assert_cmpint (expires_at, <=, after + 3600);

  /* The claims a client can read say the same. */
  claims = mc_call_token_peek (token, &error);
  g_assert_no_error (error);
  g_assert_cmpint (claims->booking_id, ==, id);
  g_assert_cmpint (claims->user_id, ==, fixture->mentor_id);
  g_assert_cmpint (claims->role, ==, MC_ROLE_MENTOR);
  g_assert_cmpint (claims->expires_at, ==, expires_at);
  g_assert_cmpint (claims->issued_at, >=, before);
  g_assert_cmpint (claims->issued_at, <=, after);
  g_assert_cmpstr (claims->nonce, !=, "");

  /* Asking again renews: a new token. An empty body is fine too. */
  again = request_token (fixture, fixture->mentor_token, id, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (again), "token"), !=, token);

  /* The student gets a student's token. */
  {
    g_autoptr (JsonNode) student = request_token (fixture, fixture->student_token, id, "{}",
                                                  &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_cmpstr (mc_test_get_string (mc_test_object (student), "role"), ==, "student");
    g_assert_cmpint (mc_test_get_int (mc_test_object (student), "user_id"), ==,
                     fixture->student_id);
  }

  /* The token verifies. */
  {
    g_autoptr (JsonNode) verified = verify (fixture, fixture->mentor_token, token, &status);
    JsonObject          *v = mc_test_object (verified);
    g_autofree char     *issued_at = mc_json_format_time (claims->issued_at);

    g_assert_cmpuint (status, ==, 200);
    g_assert_true (json_node_get_boolean (mc_test_get_node (v, "valid")));
    g_assert_cmpint (mc_test_get_int (v, "booking_id"), ==, id);
    g_assert_cmpint (mc_test_get_int (v, "user_id"), ==, fixture->mentor_id);
    g_assert_cmpstr (mc_test_get_string (v, "role"), ==, "mentor");
    g_assert_cmpstr (mc_test_get_string (v, "issued_at"), ==, issued_at);
    g_assert_cmpstr (mc_test_get_string (v, "expires_at"), ==,
                     mc_test_get_string (object, "expires_at"));
  }
}

static void
test_signaling_url (Fixture      *fixture,
                    gconstpointer user_data)
{
  gint64               id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                    -600, 3000, "confirmed");
  g_autoptr (JsonNode) response = NULL;
  g_autofree char     *expected = NULL;
  guint                status;

  response = request_token (fixture, fixture->mentor_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  /* The booking in the query lets a load balancer route by lesson. */
  expected = g_strdup_printf ("ws://127.0.0.1:%u/api/v1/ws?booking=%" G_GINT64_FORMAT,
                              mc_test_server_get_port (fixture->server), id);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "signaling_url"), ==, expected);
}

/* With @public_url configured, a call token's signaling URL is
 * @expected_base followed by the booking. */
static void
check_public_signaling_url (const char *public_url,
                            const char *expected_base)
{
  Fixture              fixture = { 0 };
  g_autoptr (JsonNode) response = NULL;
  g_autofree char     *config = g_strdup_printf ("[server]\npublic-url=%s\n", public_url);
  g_autofree char     *expected = NULL;
  gint64               id;
  guint                status;

  fixture_init (&fixture, config);
  id = mc_test_create_booking (fixture.server, MC_TEST_MENTOR, MC_TEST_STUDENT, -600, 3000,
                               "confirmed");
  response = request_token (&fixture, fixture.mentor_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  expected = g_strdup_printf ("%s?booking=%" G_GINT64_FORMAT, expected_base, id);
  g_assert_cmpstr (mc_test_get_string (mc_test_object (response), "signaling_url"), ==, expected);

  fixture_tear_down (&fixture, NULL);
}

/* Behind a TLS proxy, signaling is a wss: URL on the public host. */
static void
test_signaling_url_public (void)
{
  check_public_signaling_url ("https://calls.example.org", "wss://calls.example.org/api/v1/ws");
}

/* Under a path prefix, the WebSocket is under it too. */
static void
test_signaling_url_prefix (void)
{
  check_public_signaling_url ("http://example.org:8443/mentorcall/",
                              "ws://example.org:8443/mentorcall/api/v1/ws");
}

static void
test_ice_servers (void)
{
  Fixture               fixture = { 0 };
  g_autoptr (JsonNode)  response = NULL;
  g_autoptr (GPtrArray) stun = g_ptr_array_new ();
  g_autoptr (GPtrArray) turn = g_ptr_array_new ();
  JsonArray            *servers;
  gint64                id, before, after;
  guint                 status;

  fixture_init (&fixture,
                "[ice]\n"
                "stun-servers=stun:stun.example.org:3478;stun:stun2.example.org:19302\n"
                "turn-servers=turn:turn.example.org:3478?transport=udp;"
                "turns:turn.example.org:5349?transport=tcp\n"
                "turn-secret=test-turn-secret\n"
                "turn-credential-lifetime=7200\n");
  id = mc_test_create_booking (fixture.server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                               -600, 3000, "confirmed");

  before = mc_test_now ();
  response = request_token (&fixture, fixture.student_token, id, "{}", &status);
  after = mc_test_now ();
  g_assert_cmpuint (status, ==, 200);

  servers = json_node_get_array (mc_test_get_node (mc_test_object (response), "ice_servers"));
  for (guint i = 0; i < json_array_get_length (servers); i++)
    {
      JsonNode   *node = json_array_get_element (servers, i);
      JsonObject *server;
      JsonArray  *urls;

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      server = json_node_get_object (node);
      urls = json_node_get_array (mc_test_get_node (server, "urls"));
      g_assert_cmpuint (json_array_get_length (urls), >, 0);

      if (!json_object_has_member (server, "username"))
        {
          /* STUN needs no credentials. */
          g_assert_false (json_object_has_member (server, "credential"));
          for (guint j = 0; j < json_array_get_length (urls); j++)
            g_ptr_array_add (stun, (char *) json_array_get_string_element (urls, j));
        }
      else
        {
          const char       *username = mc_test_get_string (server, "username");
          const char       *credential = mc_test_get_string (server, "credential");
          g_auto (GStrv)    parts = g_strsplit (username, ":", -1);
          g_autoptr (GHmac) hmac = NULL;
          guint8            digest[20];
          gsize             digest_length = sizeof digest;
          g_autofree char  *expected = NULL;
          gint64            expiry;

          /* coturn's use-auth-secret: "<expiry>:<user id>" and
           * base64(HMAC-SHA1(secret, username)). */
          g_assert_cmpuint (g_strv_length (parts), ==, 2);
          expiry = g_ascii_strtoll (parts[0], NULL, 10);
          g_assert_cmpint (expiry, >=, before + 7200);
          g_assert_cmpint (expiry, <=, after + 7200);
          g_assert_cmpint (g_ascii_strtoll (parts[1], NULL, 10), ==, fixture.student_id);

          hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) "test-turn-secret",
                             strlen ("test-turn-secret"));
          g_hmac_update (hmac, (const guchar *) username, strlen (username));
          g_hmac_get_digest (hmac, digest, &digest_length);
          expected = g_base64_encode (digest, digest_length);
          g_assert_cmpstr (credential, ==, expected);

          for (guint j = 0; j < json_array_get_length (urls); j++)
            g_ptr_array_add (turn, (char *) json_array_get_string_element (urls, j));
        }
    }

  g_assert_cmpuint (stun->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (stun, 0), ==, "stun:stun.example.org:3478");
  g_assert_cmpstr (g_ptr_array_index (stun, 1), ==, "stun:stun2.example.org:19302");
  g_assert_cmpuint (turn->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (turn, 0), ==, "turn:turn.example.org:3478?transport=udp");
  g_assert_cmpstr (g_ptr_array_index (turn, 1), ==, "turns:turn.example.org:5349?transport=tcp");

  fixture_tear_down (&fixture, NULL);
}

static void
test_ice_servers_stun_only (void)
{
  Fixture              fixture = { 0 };
  g_autoptr (JsonNode) response = NULL;
  JsonArray           *servers;
  JsonObject          *server;
  gint64               id;
  guint                status;

  fixture_init (&fixture, "[ice]\nstun-servers=stun:stun.example.org:3478\n");
  id = mc_test_create_booking (fixture.server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                               -600, 3000, "confirmed");

  response = request_token (&fixture, fixture.student_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);

  /* Without a TURN secret there is no TURN entry. */
  servers = json_node_get_array (mc_test_get_node (mc_test_object (response), "ice_servers"));
  g_assert_cmpuint (json_array_get_length (servers), ==, 1);
  server = json_array_get_object_element (servers, 0);
  g_assert_false (json_object_has_member (server, "username"));
  g_assert_false (json_object_has_member (server, "credential"));
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (
                                                    mc_test_get_node (server, "urls")),
                                                  0),
                   ==, "stun:stun.example.org:3478");

  fixture_tear_down (&fixture, NULL);
}

static void
test_not_confirmed (Fixture      *fixture,
                    gconstpointer user_data)
{
  static const char * const statuses[] = { "pending", "cancelled", "completed" };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      gint64               id;
      g_autoptr (JsonNode) response = NULL;
      JsonObject          *error;
      guint                status;

      g_test_message ("a %s booking", statuses[i]);
      if (g_str_equal (statuses[i], "pending"))
        {
          id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                       -600, 3000, "pending");
        }
      else
        {
          id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                       -600, 3000, "confirmed");
          set_status (fixture, id, statuses[i]);
        }

      response = request_token (fixture, fixture->mentor_token, id, "{}", &status);
      error = mc_test_assert_error (response, status, 409, "booking_not_confirmed");
      g_assert_cmpstr (mc_test_get_string (error, "status"), ==, statuses[i]);
    }
}

static void
test_join_window (Fixture      *fixture,
                  gconstpointer user_data)
{
  guint status;

  /* Too early: starts in 2 hours, the window opens 15 minutes before. */
  {
    gint64                 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                        7200, 10800, "confirmed");
    g_autoptr (JsonObject) booking = mc_test_get_booking_admin (fixture->server, id);
    g_autoptr (JsonNode)   response = request_token (fixture, fixture->student_token, id, "{}",
                                                     &status);
    JsonObject            *error = mc_test_assert_error (response, status, 403, "outside_join_window");

    g_assert_cmpint (parse_time (error, "join_window.opens_at"), ==,
                     parse_time (booking, "start") - 15 * 60);
    g_assert_cmpint (parse_time (error, "join_window.closes_at"), ==,
                     parse_time (booking, "end") + 30 * 60);
  }

  /* Too late: ended 2 hours ago, the window closed 30 minutes after. */
  {
    gint64                 id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                        -3 * 3600, -2 * 3600, "confirmed");
    g_autoptr (JsonObject) booking = mc_test_get_booking_admin (fixture->server, id);
    g_autoptr (JsonNode)   response = request_token (fixture, fixture->mentor_token, id, "{}",
                                                     &status);
    JsonObject            *error = mc_test_assert_error (response, status, 403, "outside_join_window");

    g_assert_cmpint (parse_time (error, "join_window.closes_at"), ==,
                     parse_time (booking, "end") + 30 * 60);
  }

  /* Just before the start, inside the window. */
  {
    gint64               id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                      600, 4200, "confirmed");
    g_autoptr (JsonNode) response = request_token (fixture, fixture->student_token, id, "{}",
                                                   &status);

    g_assert_cmpuint (status, ==, 200);
  }

  /* Over, but within the 30 minutes after the end. */
  {
    gint64               id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                      -3600, -600, "confirmed");
    g_autoptr (JsonNode) response = request_token (fixture, fixture->student_token, id, "{}",
                                                   &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_expiry_clamped (Fixture      *fixture,
                     gconstpointer user_data)
{
  /* Ends in 5 minutes: the window closes in 35, before the hour of the
   * token lifetime is over. */
  gint64                        id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                             -3000, 300, "confirmed");
  g_autoptr (JsonObject)        booking = mc_test_get_booking_admin (fixture->server, id);
  g_autoptr (JsonNode)          response = NULL;
  g_autoptr (McCallTokenClaims) claims = NULL;
  JsonObject                   *object;
  guint                         status;

  response = request_token (fixture, fixture->mentor_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  object = mc_test_object (response);

  g_assert_cmpint (parse_time (object, "expires_at"), ==, parse_time (booking, "end") + 30 * 60);
  g_assert_cmpstr (mc_test_get_string (object, "expires_at"), ==,
                   mc_test_get_string (object, "join_window.closes_at"));
  claims = mc_call_token_peek (mc_test_get_string (object, "token"), NULL);
  g_assert_nonnull (claims);
  g_assert_cmpint (claims->expires_at, ==, parse_time (object, "expires_at"));
}

static void
test_check_order (Fixture      *fixture,
                  gconstpointer user_data)
{
  guint status;

  /* Not a participant comes before the booking's status and its window. */
  {
    gint64               id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                      7200, 10800, "pending");
    g_autoptr (JsonNode) response = request_token (fixture, fixture->other_token, id, "{}",
                                                   &status);

    mc_test_assert_error (response, status, 403, "not_participant");
  }

  /* The status comes before the window. */
  {
    gint64               id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                      7200, 10800, "pending");
    g_autoptr (JsonNode) response = request_token (fixture, fixture->mentor_token, id, "{}",
                                                   &status);
    JsonObject          *error = mc_test_assert_error (response, status, 409, "booking_not_confirmed");

    g_assert_cmpstr (mc_test_get_string (error, "status"), ==, "pending");
  }
}

static char *
sign_with_random_key (const char *signed_part)
{
  guint8           mac[MC_CALL_TOKEN_MAC_LENGTH];
  g_autofree char *mac_text = NULL;

  for (guint i = 0; i < sizeof mac; i++)
    mac[i] = (guint8) g_random_int ();
  mac_text = mc_base64url_encode (mac, sizeof mac);

  return g_strconcat (signed_part, ".", mac_text, NULL);
}

static void
test_verify_refusals (Fixture      *fixture,
                      gconstpointer user_data)
{
  gint64                        id = mc_test_create_booking (fixture->server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                                                             -600, 3000, "confirmed");
  g_autoptr (JsonNode)          issued = NULL;
  g_autoptr (McCallTokenClaims) claims = NULL;
  g_autoptr (GPtrArray)         invalid = g_ptr_array_new_with_free_func (g_free);
  const char                   *token;
  const char                   *mac;
  guint                         status;

  issued = request_token (fixture, fixture->mentor_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  token = mc_test_get_string (mc_test_object (issued), "token");
  mac = strrchr (token, '.');
  claims = mc_call_token_peek (token, NULL);
  g_assert_nonnull (claims);

  /* Forged: the right claims, signed with another key. */
  {
    g_autofree char *signed_part = mc_call_token_encode_claims (claims);

    g_ptr_array_add (invalid, sign_with_random_key (signed_part));
  }

  /* Tampered: a character of the payload flipped. */
  {
    char *tampered = g_strdup (token);
    char *c = tampered + 3 + 5;

    *c = *c == 'A' ? 'B' : 'A';
    g_ptr_array_add (invalid, tampered);
  }

  /* Tampered: the claims changed (a longer life), the real signature kept. */
  {
    McCallTokenClaims changed = *claims;
    g_autofree char  *signed_part = NULL;

    changed.expires_at += 86400;
    signed_part = mc_call_token_encode_claims (&changed);
    g_ptr_array_add (invalid, g_strconcat (signed_part, mac, NULL));
  }

  /* Malformed. */
  g_ptr_array_add (invalid, g_strdup ("abc"));
  g_ptr_array_add (invalid, g_strndup (token, mac - token));
  g_ptr_array_add (invalid, g_strconcat (token, ".x", NULL));
  g_ptr_array_add (invalid, g_strconcat ("v2", token + 2, NULL));

  for (guint i = 0; i < invalid->len; i++)
    {
      g_autoptr (JsonNode) response = NULL;

      g_test_message ("token %u: %s", i, (char *) g_ptr_array_index (invalid, i));
      response = verify (fixture, fixture->mentor_token, g_ptr_array_index (invalid, i), &status);
      mc_test_assert_error (response, status, 401, "call_token_invalid");
    }

  /* A real token, but issued to somebody else. */
  {
    g_autoptr (JsonNode) response = verify (fixture, fixture->student_token, token, &status);

    mc_test_assert_error (response, status, 403, "forbidden");
  }
  {
    g_autoptr (JsonNode) response = verify (fixture, fixture->other_token, token, &status);

    mc_test_assert_error (response, status, 403, "forbidden");
  }

  /* Bodies without a token. */
  {
    g_autoptr (JsonNode) response = mc_test_request (fixture->server, "POST",
                                                     "/api/v1/call-tokens/verify",
                                                     fixture->mentor_token, "{}", &status);
    JsonObject          *error = mc_test_assert_error (response, status, 400, "invalid_field");

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "token");
  }
  {
    g_autoptr (JsonNode) response = verify (fixture, fixture->mentor_token, "", &status);
    JsonObject          *error = mc_test_assert_error (response, status, 400, "invalid_field");

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "token");
  }
  {
    g_autoptr (JsonNode) response = mc_test_request (fixture->server, "POST",
                                                     "/api/v1/call-tokens/verify",
                                                     fixture->mentor_token, "{\"token\":42}",
                                                     &status);
    JsonObject          *error = mc_test_assert_error (response, status, 400, "invalid_field");

    g_assert_cmpstr (mc_test_get_string (error, "field"), ==, "token");
  }
  {
    g_autoptr (JsonNode) response = mc_test_request (fixture->server, "POST",
                                                     "/api/v1/call-tokens/verify",
                                                     fixture->mentor_token, "[]", &status);

    mc_test_assert_error (response, status, 400, "malformed_json");
  }

  /* After all that, the real token is still good. */
  {
    g_autoptr (JsonNode) response = verify (fixture, fixture->mentor_token, token, &status);

    g_assert_cmpuint (status, ==, 200);
  }
}

static void
test_token_expired (void)
{
  Fixture              fixture = { 0 };
  g_autoptr (JsonNode) issued = NULL;
  const char          *token;
  gint64               id;
  guint                status;

  fixture_init (&fixture, "[calls]\ntoken-lifetime=60\n");
  id = mc_test_create_booking (fixture.server, MC_TEST_MENTOR, MC_TEST_STUDENT,
                               -600, 3000, "confirmed");

  issued = request_token (&fixture, fixture.student_token, id, "{}", &status);
  g_assert_cmpuint (status, ==, 200);
  token = mc_test_get_string (mc_test_object (issued), "token");

  /* Good half-way through its life (not "at its last second": real time
   * passes too, seconds of it on a loaded machine), refused after it. */
  mc_test_server_advance_clock (fixture.server, 30);
  {
    g_autoptr (JsonNode) response = verify (&fixture, fixture.student_token, token, &status);

    g_assert_cmpuint (status, ==, 200);
  }
  mc_test_server_advance_clock (fixture.server, 31);

  {
    g_autoptr (JsonNode) response = verify (&fixture, fixture.student_token, token, &status);

    mc_test_assert_error (response, status, 401, "call_token_expired");
  }

  /* A new one is to be had. */
  {
    g_autoptr (JsonNode) renewed = request_token (&fixture, fixture.student_token, id, "{}",
                                                  &status);
    g_autoptr (JsonNode) response = NULL;

    g_assert_cmpuint (status, ==, 200);
    response = verify (&fixture, fixture.student_token,
                       mc_test_get_string (mc_test_object (renewed), "token"), &status);
    g_assert_cmpuint (status, ==, 200);
  }

  fixture_tear_down (&fixture, NULL);
}

static void
add (const char *path,
     void (*func) (Fixture *, gconstpointer))
{
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  add ("/server/call-token/issue", test_issue);
  add ("/server/call-token/signaling-url", test_signaling_url);
  g_test_add_func ("/server/call-token/signaling-url-public", test_signaling_url_public);
  g_test_add_func ("/server/call-token/signaling-url-prefix", test_signaling_url_prefix);
  g_test_add_func ("/server/call-token/ice-servers", test_ice_servers);
  g_test_add_func ("/server/call-token/ice-servers-stun-only", test_ice_servers_stun_only);
  add ("/server/call-token/not-confirmed", test_not_confirmed);
  add ("/server/call-token/join-window", test_join_window);
  add ("/server/call-token/expiry-clamped", test_expiry_clamped);
  add ("/server/call-token/check-order", test_check_order);
  add ("/server/call-token/verify-refusals", test_verify_refusals);
  g_test_add_func ("/server/call-token/expired", test_token_expired);

  return g_test_run ();
}
