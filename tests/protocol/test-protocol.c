/* test-protocol.c — unit tests of the shared protocol library
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>

#include "mc-protocol.h"

/* Error codes */

static void
test_error_codes_round_trip (void)
{
  static const struct
  {
    McErrorCode code;
    const char *string;
    guint       http_status;
  } expected[] = {
    { MC_ERROR_BAD_REQUEST, "bad_request", 400 },
    { MC_ERROR_MALFORMED_JSON, "malformed_json", 400 },
    { MC_ERROR_INVALID_FIELD, "invalid_field", 400 },
    { MC_ERROR_UNAUTHORIZED, "unauthorized", 401 },
    { MC_ERROR_INVALID_CREDENTIALS, "invalid_credentials", 401 },
    { MC_ERROR_SESSION_INVALID, "session_invalid", 401 },
    { MC_ERROR_SESSION_EXPIRED, "session_expired", 401 },
    { MC_ERROR_CALL_TOKEN_INVALID, "call_token_invalid", 401 },
    { MC_ERROR_CALL_TOKEN_EXPIRED, "call_token_expired", 401 },
    { MC_ERROR_FORBIDDEN, "forbidden", 403 },
    { MC_ERROR_NOT_PARTICIPANT, "not_participant", 403 },
    { MC_ERROR_OUTSIDE_JOIN_WINDOW, "outside_join_window", 403 },
    { MC_ERROR_ADMIN_DISABLED, "admin_disabled", 403 },
    { MC_ERROR_NOT_FOUND, "not_found", 404 },
    { MC_ERROR_METHOD_NOT_ALLOWED, "method_not_allowed", 405 },
    { MC_ERROR_BOOKING_NOT_CONFIRMED, "booking_not_confirmed", 409 },
    { MC_ERROR_CONFLICT, "conflict", 409 },
    { MC_ERROR_INVALID_TRANSITION, "invalid_transition", 409 },
    { MC_ERROR_LENGTH_REQUIRED, "length_required", 411 },
    { MC_ERROR_PAYLOAD_TOO_LARGE, "payload_too_large", 413 },
    { MC_ERROR_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", 415 },
    { MC_ERROR_RATE_LIMITED, "rate_limited", 429 },
    { MC_ERROR_INTERNAL, "internal_error", 500 },
    { MC_ERROR_SERVER_BUSY, "server_busy", 503 },
    { MC_ERROR_NETWORK, "network_error", 0 },
    { MC_ERROR_PROTOCOL, "protocol_error", 0 },
    { MC_ERROR_UNKNOWN_TYPE, "unknown_type", 0 },
    { MC_ERROR_NOT_IN_ROOM, "not_in_room", 0 },
    { MC_ERROR_CALL_ENDED, "call_ended", 0 },
    { MC_ERROR_NO_PEER, "no_peer", 0 },
    { MC_ERROR_TAKEN_OVER, "taken_over", 0 },
  };

  /* The table above must name every code; MC_ERROR_TAKEN_OVER is the last. */
  g_assert_cmpuint (G_N_ELEMENTS (expected), ==, MC_ERROR_TAKEN_OVER + 1);

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      McErrorCode code = (McErrorCode) -1;

      g_assert_cmpstr (mc_error_code_to_string (expected[i].code), ==, expected[i].string);
      g_assert_true (mc_error_code_from_string (expected[i].string, &code));
      g_assert_cmpint (code, ==, expected[i].code);
      g_assert_cmpuint (mc_error_code_http_status (expected[i].code), ==, expected[i].http_status);
    }

  /* Every code that the server sends maps to an error status. */
  for (McErrorCode code = MC_ERROR_BAD_REQUEST; code < MC_ERROR_NETWORK; code++)
    {
      guint status = mc_error_code_http_status (code);

      g_assert_cmpuint (status, >=, 400);
      g_assert_cmpuint (status, <=, 599);
    }
}

static void
test_error_codes_unknown (void)
{
  McErrorCode code = MC_ERROR_NOT_FOUND;

  g_assert_false (mc_error_code_from_string ("no_such_code", &code));
  g_assert_false (mc_error_code_from_string ("", &code));
  g_assert_false (mc_error_code_from_string ("NOT_FOUND", &code));
  g_assert_false (mc_error_code_from_string (NULL, &code));
  g_assert_cmpint (code, ==, MC_ERROR_NOT_FOUND);

  /* Out-of-range values fall back to an internal error rather than
   * reading past the table. */
  g_assert_cmpstr (mc_error_code_to_string ((McErrorCode) 1000), ==, "internal_error");
  g_assert_cmpuint (mc_error_code_http_status ((McErrorCode) 1000), ==, 500);
  g_assert_cmpuint (MC_ERROR, !=, 0);
}

/* Enumerations */

static void
test_roles_round_trip (void)
{
  static const struct
  {
    McRole      role;
    const char *string;
  } table[] = {
    { MC_ROLE_MENTOR, "mentor" },
    { MC_ROLE_STUDENT, "student" },
  };
  McRole role;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (mc_role_to_string (table[i].role), ==, table[i].string);
      g_assert_true (mc_role_from_string (table[i].string, &role));
      g_assert_cmpint (role, ==, table[i].role);
    }

  g_assert_false (mc_role_from_string ("admin", &role));
  g_assert_false (mc_role_from_string ("Mentor", &role));
  g_assert_false (mc_role_from_string ("", &role));
  g_assert_false (mc_role_from_string (NULL, &role));
}

static void
test_booking_statuses_round_trip (void)
{
  static const struct
  {
    McBookingStatus status;
    const char     *string;
  } table[] = {
    { MC_BOOKING_PENDING, "pending" },
    { MC_BOOKING_CONFIRMED, "confirmed" },
    { MC_BOOKING_CANCELLED, "cancelled" },
    { MC_BOOKING_COMPLETED, "completed" },
  };
  McBookingStatus status;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (mc_booking_status_to_string (table[i].status), ==, table[i].string);
      g_assert_true (mc_booking_status_from_string (table[i].string, &status));
      g_assert_cmpint (status, ==, table[i].status);
    }

  g_assert_false (mc_booking_status_from_string ("canceled", &status));
  g_assert_false (mc_booking_status_from_string ("active", &status));
  g_assert_false (mc_booking_status_from_string (NULL, &status));
}

static void
test_call_states_round_trip (void)
{
  static const struct
  {
    McCallState state;
    const char *string;
  } table[] = {
    { MC_CALL_IDLE, "idle" },
    { MC_CALL_ACTIVE, "active" },
    { MC_CALL_ENDED, "ended" },
  };
  McCallState state;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (mc_call_state_to_string (table[i].state), ==, table[i].string);
      g_assert_true (mc_call_state_from_string (table[i].string, &state));
      g_assert_cmpint (state, ==, table[i].state);
    }

  g_assert_false (mc_call_state_from_string ("running", &state));
  g_assert_false (mc_call_state_from_string (NULL, &state));
}

static void
test_leave_reasons_round_trip (void)
{
  static const struct
  {
    McLeaveReason reason;
    const char   *string;
  } table[] = {
    { MC_LEAVE_REASON_LEFT, "left" },
    { MC_LEAVE_REASON_ENDED, "ended" },
    { MC_LEAVE_REASON_CONNECTION_LOST, "connection_lost" },
  };
  McLeaveReason reason = MC_LEAVE_REASON_LEFT;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (mc_leave_reason_to_string (table[i].reason), ==, table[i].string);
      g_assert_true (mc_leave_reason_from_string (table[i].string, &reason));
      g_assert_cmpint (reason, ==, table[i].reason);
    }

  /* Refused, and the out-argument left alone. */
  g_assert_false (mc_leave_reason_from_string ("gone", &reason));
  g_assert_false (mc_leave_reason_from_string ("Left", &reason));
  g_assert_false (mc_leave_reason_from_string (NULL, &reason));
  g_assert_cmpint (reason, ==, MC_LEAVE_REASON_CONNECTION_LOST);
}

static void
test_booking_status_transitions (void)
{
  enum
  {
    P = MC_BOOKING_PENDING,
    F = MC_BOOKING_CONFIRMED,
    X = MC_BOOKING_CANCELLED,
    C = MC_BOOKING_COMPLETED
  };
  /* allowed[from][to]; staying in the same status is a no-op and allowed. */
  static const gboolean allowed[4][4] = {
    /*          P      F      X      C   */
    [P] = { TRUE, TRUE, TRUE, FALSE },
    [F] = { FALSE, TRUE, TRUE, TRUE },
    [X] = { FALSE, FALSE, TRUE, FALSE },
    [C] = { FALSE, FALSE, FALSE, TRUE },
  };

  for (guint from = 0; from < 4; from++)
    for (guint to = 0; to < 4; to++)
      {
        g_test_message ("%s -> %s", mc_booking_status_to_string (from),
                        mc_booking_status_to_string (to));
        g_assert_cmpint (mc_booking_status_can_move (from, to), ==, allowed[from][to]);
      }
}

/* JSON */

static void
test_json_validate (void)
{
  static const McJsonRule rules[] = {
    { "name", MC_JSON_STRING, TRUE, 1, 8 },
    { "count", MC_JSON_INT, TRUE, 1, 10 },
    { "flag", MC_JSON_BOOLEAN, FALSE, 0, 0 },
    { "at", MC_JSON_TIME, FALSE, 0, 0 },
    { "extra", MC_JSON_OBJECT, FALSE, 0, 0 },
    { "items", MC_JSON_ARRAY, FALSE, 1, 2 },
    { "free", MC_JSON_STRING, FALSE, 0, 0 },
  };
  static const struct
  {
    const char *json;
    const char *bad_member; /* NULL if the object is valid */
  } cases[] = {
    { "{\"name\":\"ab\",\"count\":3}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"unknown\":[1,{}]}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"flag\":false,\"at\":\"2026-11-25T14:00:00Z\"}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-11-25T16:00:00+02:00\"}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-11-25T14:00:00.250-05:30\"}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"extra\":{},\"items\":[1,2]}", NULL },
    { "{\"name\":\"ab\",\"count\":3,\"flag\":null,\"at\":null}", NULL },
    { "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"count\":1}",
      NULL }, /* 8 characters, 16 bytes: lengths count characters */
    { "{\"name\":\"a\",\"count\":10,\"free\":\"\"}", NULL },
    /* missing */
    { "{\"count\":3}", "name" },
    { "{\"name\":\"ab\"}", "count" },
    { "{\"name\":null,\"count\":3}", "name" },
    { "{}", "name" },
    /* wrong type */
    { "{\"name\":5,\"count\":3}", "name" },
    { "{\"name\":\"ab\",\"count\":\"3\"}", "count" },
    { "{\"name\":\"ab\",\"count\":3.5}", "count" },
    { "{\"name\":\"ab\",\"count\":true}", "count" },
    { "{\"name\":\"ab\",\"count\":3,\"flag\":\"yes\"}", "flag" },
    { "{\"name\":\"ab\",\"count\":3,\"flag\":1}", "flag" },
    { "{\"name\":\"ab\",\"count\":3,\"extra\":[]}", "extra" },
    { "{\"name\":\"ab\",\"count\":3,\"items\":{}}", "items" },
    { "{\"name\":[\"ab\"],\"count\":3}", "name" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":1764079200}", "at" },
    /* too long, too short, out of range */
    { "{\"name\":\"abcdefghi\",\"count\":3}", "name" },
    { "{\"name\":\"\",\"count\":3}", "name" },
    { "{\"name\":\"ab\",\"count\":0}", "count" },
    { "{\"name\":\"ab\",\"count\":11}", "count" },
    { "{\"name\":\"ab\",\"count\":-1}", "count" },
    { "{\"name\":\"ab\",\"count\":3,\"items\":[]}", "items" },
    { "{\"name\":\"ab\",\"count\":3,\"items\":[1,2,3]}", "items" },
    /* times without a zone, and things that are not times */
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-11-25T14:00:00\"}", "at" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-11-25 14:00\"}", "at" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-11-25\"}", "at" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"tomorrow\"}", "at" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"\"}", "at" },
    { "{\"name\":\"ab\",\"count\":3,\"at\":\"2026-13-25T14:00:00Z\"}", "at" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)     error = NULL;
      g_autoptr (JsonObject) object = NULL;
      const char            *bad_member = NULL;
      gboolean               valid;

      g_test_message ("case %u: %s", i, cases[i].json);

      object = mc_json_parse_object (cases[i].json, strlen (cases[i].json), &error);
      g_assert_no_error (error);
      g_assert_nonnull (object);

      valid = mc_json_validate (object, rules, G_N_ELEMENTS (rules), &bad_member, &error);
      if (cases[i].bad_member == NULL)
        {
          g_assert_no_error (error);
          g_assert_true (valid);
          g_assert_null (bad_member);
        }
      else
        {
          g_assert_false (valid);
          g_assert_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD);
          g_assert_cmpstr (bad_member, ==, cases[i].bad_member);
          /* The message names the member, for the human reading it. */
          g_assert_nonnull (strstr (error->message, cases[i].bad_member));
        }
    }
}

static void
test_json_parse_object (void)
{
  static const struct
  {
    const char *data;
    gssize      length; /* -1: strlen */
    int         code;   /* an McErrorCode, or -1: valid */
    const char *bad_member;
  } cases[] = {
    { "{}", -1, -1, NULL },
    { " { \"a\" : [1, 2, {\"b\": null}] } ", -1, -1, NULL },
    { "{\"name\":\"Zo\xc3\xab\"}", -1, -1, NULL },
    { "", 0, MC_ERROR_MALFORMED_JSON, NULL },
    { NULL, 0, MC_ERROR_MALFORMED_JSON, NULL },
    { "   ", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "not json", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1}}", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "[]", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "[{\"a\":1}]", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "\"string\"", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "42", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "null", -1, MC_ERROR_MALFORMED_JSON, NULL },
    { "true", -1, MC_ERROR_MALFORMED_JSON, NULL },
    /* Text that is not UTF-8 inside a member's value names the member. */
    { "{\"name\":\"\xff\xfe\"}", -1, MC_ERROR_INVALID_FIELD, "name" },
    { "{\"name\":\"\xc3\"}", -1, MC_ERROR_INVALID_FIELD, "name" },
    { "{\"name\":\"\xed\xa0\x80\"}", -1, MC_ERROR_INVALID_FIELD, "name" }, /* an encoded surrogate */
    { "{\"a\":1}\0{\"b\":2}", 15, MC_ERROR_MALFORMED_JSON, NULL },         /* an embedded NUL */
    /* ... but not UTF-8 outside a string is a syntax error. */
    { "{\"a\":1}\xff", -1, MC_ERROR_MALFORMED_JSON, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)     error = NULL;
      g_autoptr (JsonObject) object = NULL;
      g_autofree char       *bad_member = NULL;
      gsize                  length = cases[i].length < 0 ? strlen (cases[i].data) : (gsize) cases[i].length;

      g_test_message ("case %u", i);

      object = mc_json_parse_object_full (cases[i].data, length, &bad_member, &error);
      if ((int) cases[i].code == -1)
        {
          g_assert_no_error (error);
          g_assert_nonnull (object);
        }
      else
        {
          g_assert_error (error, MC_ERROR, cases[i].code);
          g_assert_null (object);
          g_assert_cmpstr (bad_member, ==, cases[i].bad_member);
        }
    }
}

/* Everything json-glib 1.6 accepts beyond RFC 8259 is refused before it
 * reaches json-glib, and the depth limit holds whatever the syntax: a
 * bracket hidden from a naive scan in a comment or a single-quoted string
 * used to let 100 000 levels through to a recursive parser. */
static void
test_json_strict (void)
{
  static const struct
  {
    const char *data;
    int         code; /* an McErrorCode, or -1: valid */
    const char *bad_member;
  } cases[] = {
    /* RFC 8259, all of it */
    { "{\"a\":[true,false,null,0,-0,1.5,-2.25e10,3E+2,4e-2,\"\"]}", -1, NULL },
    { "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}", -1, NULL },
    { "\t\r\n {\"a\" :\n{\"b\":[ ]} }\n", -1, NULL },
    { "{\"a\":1,\"a\":2}", -1, NULL },
    /* json-glib's extensions */
    { "{\"a\":1 /* comment */}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1} // comment", MC_ERROR_MALFORMED_JSON, NULL },
    { "{/*[[[[*/\"a\":1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{'a':1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":'[[['}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":0x1F}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"\\x41\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"\\'\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{a:1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1,}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":[1,]}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":[,1]}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\" 1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1 \"b\":2}", MC_ERROR_MALFORMED_JSON, NULL },
    /* numbers by the grammar */
    { "{\"a\":01}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":+1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":.5}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1.}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1e}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":-}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":NaN}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":Infinity}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":1x}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":truex}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":nul}", MC_ERROR_MALFORMED_JSON, NULL },
    /* numbers json-glib could not hold: infinity, more than 64 bits */
    { "{\"a\":1e999}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":-121e308}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":9223372036854775808}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":-9223372036854775809}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":18446744073709551617}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":[9223372036854775807,-9223372036854775808,1e308,1e-400]}", -1, NULL },
    /* one value per document */
    { "{}{}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{} {\"a\":1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{}x", MC_ERROR_MALFORMED_JSON, NULL },
    { "\xef\xbb\xbf{}", MC_ERROR_MALFORMED_JSON, NULL },
    /* strings */
    { "{\"a\":\"tab\there\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"line\nbreak\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"\\u12\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"\\u12G4\"}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"open}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"a\":\"x\\", MC_ERROR_MALFORMED_JSON, NULL },
    /* well formed, but not text: NUL, unpaired surrogates */
    { "{\"username\":\"alice\\u0000junk\"}", MC_ERROR_INVALID_FIELD, "username" },
    { "{\"text\":\"x\\ud800y\"}", MC_ERROR_INVALID_FIELD, "text" },
    { "{\"text\":\"x\\uDC00y\"}", MC_ERROR_INVALID_FIELD, "text" },
    { "{\"text\":\"\\ud800\\u0041\"}", MC_ERROR_INVALID_FIELD, "text" },
    { "{\"text\":\"\\ud800\\ud800\"}", MC_ERROR_INVALID_FIELD, "text" },
    { "{\"text\":\"\\ud800\"}", MC_ERROR_INVALID_FIELD, "text" },
    { "{\"a\":1,\"deep\":{\"x\":[\"\\u0000\"]}}", MC_ERROR_INVALID_FIELD, "deep" },
    { "{\"deep\":{\"k\\u0000\":1}}", MC_ERROR_INVALID_FIELD, "deep" },
    { "{\"k\\u0000\":1}", MC_ERROR_MALFORMED_JSON, NULL },
    { "{\"k\\ud800\":1}", MC_ERROR_MALFORMED_JSON, NULL },
    /* a syntax error after bad text is still a syntax error */
    { "{\"text\":\"\\ud800\",}", MC_ERROR_MALFORMED_JSON, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError)     error = NULL;
      g_autoptr (JsonObject) object = NULL;
      g_autofree char       *bad_member = NULL;

      g_test_message ("case %u: %s", i, cases[i].data);

      object = mc_json_parse_object_full (cases[i].data, strlen (cases[i].data), &bad_member,
                                          &error);
      if ((int) cases[i].code == -1)
        {
          g_assert_no_error (error);
          g_assert_nonnull (object);
        }
      else
        {
          g_assert_error (error, MC_ERROR, cases[i].code);
          g_assert_null (object);
          g_assert_cmpstr (bad_member, ==, cases[i].bad_member);
        }
    }
}

/* json-glib reads what the strict scanner accepted the same way: a
 * surrogate pair is one character, escapes decode as JSON says. */
static void
test_json_strict_decoding (void)
{
  static const char      text[] = "{\"s\":\"\\uD83D\\uDE00 \\u00e9\\/\\n\",\"n\":-12,\"f\":2.5e1}";
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) object = mc_json_parse_object (text, strlen (text), &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (object, "s"), ==,
                   "\xf0\x9f\x98\x80 \xc3\xa9/\n");
  g_assert_cmpint (json_object_get_int_member (object, "n"), ==, -12);
  g_assert_cmpfloat (json_object_get_double_member (object, "f"), ==, 25.0);

  /* What is written back out is strict JSON again, doubles included
   * (json-glib 1.6 alone writes 4e-92 as "4e-92.0"). */
  {
    static const char      doubles[] = "{\"a\":[4e-92,1e20,-2.5E+2,0.1,1.5e300,-0.0,\"4e-92.0\"]}";
    g_autoptr (JsonObject) parsed = mc_json_parse_object (doubles, strlen (doubles), &error);
    g_autofree char       *written = NULL;
    g_autoptr (JsonObject) again = NULL;
    JsonArray             *array;

    g_assert_no_error (error);
    written = mc_json_object_to_string (parsed);
    again = mc_json_parse_object (written, strlen (written), &error);
    g_assert_no_error (error);
    array = json_object_get_array_member (again, "a");
    g_assert_cmpfloat (json_array_get_double_element (array, 0), ==, 4e-92);
    g_assert_cmpfloat (json_array_get_double_element (array, 1), ==, 1e20);
    g_assert_cmpfloat (json_array_get_double_element (array, 2), ==, -250.0);
    g_assert_cmpstr (json_array_get_string_element (array, 6), ==, "4e-92.0");
  }

  /* Control characters in strings are written escaped: json-glib 1.6
   * writes U+001F as a raw byte (found by fuzz-json). */
  {
    static const char      controls[] = "{\"\":\"\\u001false\\u0001\\u001e\\n\\u007f\"}";
    g_autoptr (JsonObject) parsed = mc_json_parse_object (controls, strlen (controls), &error);
    g_autofree char       *written = NULL;
    g_autoptr (JsonObject) again = NULL;

    g_assert_no_error (error);
    written = mc_json_object_to_string (parsed);
    g_assert_nonnull (strstr (written, "\\u001f"));
    again = mc_json_parse_object (written, strlen (written), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_object_get_string_member (again, ""), ==, "\x1f" "alse\x01\x1e\n\x7f");
  }

  /* The ends of the 64-bit range are kept exactly. */
  {
    static const char      ends[] = "{\"max\":9223372036854775807,\"min\":-9223372036854775808}";
    g_autoptr (JsonObject) limits = mc_json_parse_object (ends, strlen (ends), &error);

    g_assert_no_error (error);
    g_assert_cmpint (json_object_get_int_member (limits, "max"), ==, G_MAXINT64);
    g_assert_cmpint (json_object_get_int_member (limits, "min"), ==, G_MININT64);
  }
}

/* The nesting limit is exact (32 levels pass, 33 do not) and holds for any
 * length of input, without recursion. */
static void
test_json_depth (void)
{
  for (guint depth = 30; depth <= 34; depth++)
    {
      g_autoptr (GString)    text = g_string_new ("{\"a\":");
      g_autoptr (GError)     error = NULL;
      g_autoptr (JsonObject) object = NULL;

      /* The root object is level 1. */
      for (guint i = 1; i < depth; i++)
        g_string_append_c (text, '[');
      for (guint i = 1; i < depth; i++)
        g_string_append_c (text, ']');
      g_string_append_c (text, '}');

      object = mc_json_parse_object (text->str, text->len, &error);
      if (depth <= MC_JSON_MAX_DEPTH)
        {
          g_assert_no_error (error);
          g_assert_nonnull (object);
        }
      else
        g_assert_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON);
    }

  /* The attack of issue 11: brackets hidden from a naive scan. */
  {
    static const char * const openers[] = { "{\"a\":/*\"*/", "{\"a\":'\"',\"b\":", "{\"a\":" };

    for (guint k = 0; k < G_N_ELEMENTS (openers); k++)
      {
        g_autoptr (GString)    text = g_string_new (openers[k]);
        g_autoptr (GError)     error = NULL;
        g_autoptr (JsonObject) object = NULL;

        for (guint i = 0; i < 200000; i++)
          g_string_append_c (text, '[');
        object = mc_json_parse_object (text->str, text->len, &error);
        g_assert_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON);
        g_assert_null (object);
      }
  }
}

static void
test_json_helpers (void)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char       *text = NULL;
  g_autofree char       *formatted = NULL;
  gint64                 unix_time = 0;

  object = mc_json_parse_object ("{\"a\":1,\"b\":null}", 16, &error);
  g_assert_no_error (error);
  g_assert_true (mc_json_has (object, "a"));
  g_assert_false (mc_json_has (object, "b"));
  g_assert_false (mc_json_has (object, "c"));

  text = mc_json_object_to_string (object);
  g_assert_cmpstr (text, ==, "{\"a\":1,\"b\":null}");

  g_assert_true (mc_json_parse_time ("2026-11-25T14:00:00Z", &unix_time));
  g_assert_cmpint (unix_time, ==, G_GINT64_CONSTANT (1795615200));
  g_assert_true (mc_json_parse_time ("2026-11-25T16:00:00+02:00", &unix_time));
  g_assert_cmpint (unix_time, ==, G_GINT64_CONSTANT (1795615200));
  g_assert_false (mc_json_parse_time ("2026-11-25T14:00:00", &unix_time));
  g_assert_false (mc_json_parse_time (NULL, &unix_time));

  formatted = mc_json_format_time (G_GINT64_CONSTANT (1795615200));
  g_assert_cmpstr (formatted, ==, "2026-11-25T14:00:00Z");
  g_clear_pointer (&formatted, g_free);
  formatted = mc_json_format_time (0);
  g_assert_cmpstr (formatted, ==, "1970-01-01T00:00:00Z");
}

/* base64url */

static void
test_base64url_round_trip (void)
{
  guint8 data[64];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = (guint8) (i * 37 + 251);

  /* Every length modulo 3, and bytes that produce '-' and '_'. */
  for (gsize length = 1; length <= sizeof data; length++)
    {
      g_autofree char   *text = mc_base64url_encode (data, length);
      g_autofree guint8 *decoded = NULL;
      gsize              decoded_length = 0;

      g_assert_null (strchr (text, '='));
      g_assert_null (strchr (text, '+'));
      g_assert_null (strchr (text, '/'));

      decoded = mc_base64url_decode (text, &decoded_length);
      g_assert_nonnull (decoded);
      g_assert_cmpmem (decoded, decoded_length, data, length);
    }

  {
    static const guint8 special[] = { 0xfb, 0xff, 0xbf };
    g_autofree char    *text = mc_base64url_encode (special, sizeof special);

    g_assert_cmpstr (text, ==, "-_-_");
  }
}

static void
test_base64url_refusals (void)
{
  static const char * const invalid[] = {
    "",
    "QQ==", /* padding */
    "QQ=",
    "QUI=",
    "QUJD\n", /* whitespace */
    "QU JD",
    "QUJD+", /* standard base64 characters */
    "ab/c",
    "a+bc",
    "QUJD.",
    "QUJDR", /* a length that no byte string has */
    "QR",    /* non-canonical: stray bits in the last character */
    "QUK",
    "-_-`",
    "\xc3\xa9\xc3\xa9",
  };

  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      gsize length = 12345;

      g_test_message ("case %u: \"%s\"", i, invalid[i]);
      g_assert_null (mc_base64url_decode (invalid[i], &length));
    }

  {
    gsize              length = 0;
    g_autofree guint8 *decoded = mc_base64url_decode ("QQ", &length);

    /* The canonical form of the non-canonical "QR" above. */
    g_assert_nonnull (decoded);
    g_assert_cmpmem (decoded, length, "A", 1);
  }
}

/* Call tokens */

static McCallTokenClaims *
make_claims (void)
{
  McCallTokenClaims *claims = g_new0 (McCallTokenClaims, 1);

  claims->booking_id = 7;
  claims->user_id = 1;
  claims->role = MC_ROLE_MENTOR;
  claims->issued_at = G_GINT64_CONSTANT (1795615200);
  claims->expires_at = G_GINT64_CONSTANT (1795618800);
  claims->nonce = g_strdup ("b1c2d3e4");

  return claims;
}

static char *
make_token (const char *signed_part)
{
  guint8           mac[MC_CALL_TOKEN_MAC_LENGTH];
  g_autofree char *mac_text = NULL;

  for (guint i = 0; i < sizeof mac; i++)
    mac[i] = (guint8) g_random_int ();

  mac_text = mc_base64url_encode (mac, sizeof mac);
  return g_strconcat (signed_part, ".", mac_text, NULL);
}

static void
test_call_token_encode_split (void)
{
  g_autoptr (McCallTokenClaims) claims = make_claims ();
  g_autoptr (McCallTokenClaims) split_claims = NULL;
  g_autoptr (McCallTokenClaims) peeked = NULL;
  g_autoptr (GBytes)            mac = NULL;
  g_autoptr (GError)            error = NULL;
  g_autoptr (JsonObject)        payload = NULL;
  g_autofree char              *signed_part = NULL;
  g_autofree char              *split_signed_part = NULL;
  g_autofree char              *token = NULL;
  g_autofree guint8            *json = NULL;
  gsize                         json_length;

  signed_part = mc_call_token_encode_claims (claims);
  g_assert_true (g_str_has_prefix (signed_part, "v1."));
  g_assert_null (strchr (signed_part + 3, '.'));

  /* The payload is the claims as a JSON object with the documented names. */
  json = mc_base64url_decode (signed_part + 3, &json_length);
  g_assert_nonnull (json);
  payload = mc_json_parse_object ((const char *) json, json_length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (payload, "bid"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (payload, "uid"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (payload, "role"), ==, "mentor");
  g_assert_cmpint (json_object_get_int_member (payload, "iat"), ==, 1795615200);
  g_assert_cmpint (json_object_get_int_member (payload, "exp"), ==, 1795618800);
  g_assert_cmpstr (json_object_get_string_member (payload, "nonce"), ==, "b1c2d3e4");

  token = make_token (signed_part);
  g_assert_true (mc_call_token_split (token, &split_signed_part, &split_claims, &mac, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (split_signed_part, ==, signed_part);
  g_assert_cmpuint (g_bytes_get_size (mac), ==, MC_CALL_TOKEN_MAC_LENGTH);
  g_assert_cmpint (split_claims->booking_id, ==, claims->booking_id);
  g_assert_cmpint (split_claims->user_id, ==, claims->user_id);
  g_assert_cmpint (split_claims->role, ==, claims->role);
  g_assert_cmpint (split_claims->issued_at, ==, claims->issued_at);
  g_assert_cmpint (split_claims->expires_at, ==, claims->expires_at);
  g_assert_cmpstr (split_claims->nonce, ==, claims->nonce);

  /* All out parameters are optional. */
  g_assert_true (mc_call_token_split (token, NULL, NULL, NULL, NULL));

  peeked = mc_call_token_peek (token, &error);
  g_assert_no_error (error);
  g_assert_nonnull (peeked);
  g_assert_cmpint (peeked->expires_at, ==, claims->expires_at);
  g_assert_cmpint (peeked->role, ==, MC_ROLE_MENTOR);

  /* A student's token, and one without a nonce. */
  {
    g_autoptr (McCallTokenClaims) student = make_claims ();
    g_autoptr (McCallTokenClaims) back = NULL;
    g_autofree char              *part = NULL;
    g_autofree char              *student_token = NULL;

    student->role = MC_ROLE_STUDENT;
    g_clear_pointer (&student->nonce, g_free);
    part = mc_call_token_encode_claims (student);
    student_token = make_token (part);
    back = mc_call_token_peek (student_token, &error);
    g_assert_no_error (error);
    g_assert_cmpint (back->role, ==, MC_ROLE_STUDENT);
    g_assert_cmpstr (back->nonce, ==, "");
  }
}

static char *
encode_payload (const char *json)
{
  g_autofree char *payload = mc_base64url_encode ((const guint8 *) json, strlen (json));

  return g_strconcat ("v1.", payload, NULL);
}

static void
test_call_token_split_refusals (void)
{
  g_autoptr (McCallTokenClaims) claims = make_claims ();
  g_autofree char              *signed_part = mc_call_token_encode_claims (claims);
  g_autofree char              *good = make_token (signed_part);
  g_autofree char              *mac_text = g_strdup (strrchr (good, '.') + 1);
  g_autoptr (GPtrArray)         bad = g_ptr_array_new_with_free_func (g_free);
  static const char * const     bad_payloads[] = {
        "{\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"role\":\"mentor\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"role\":\"mentor\",\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"exp\":2}",
        "{\"bid\":\"7\",\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":0,\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"role\":\"admin\",\"iat\":1,\"exp\":2,\"nonce\":\"n\"}",
        "{\"bid\":7,\"uid\":1,\"role\":\"mentor\",\"iat\":1,\"exp\":2.5,\"nonce\":\"n\"}",
        "[7,1,\"mentor\",1,2,\"n\"]",
        "not json",
        "",
  };

  g_ptr_array_add (bad, g_strdup (""));
  g_ptr_array_add (bad, g_strdup ("v1."));
  g_ptr_array_add (bad, g_strdup ("v1.."));
  /* no prefix, or another version */
  g_ptr_array_add (bad, g_strdup (good + 3));
  g_ptr_array_add (bad, g_strconcat ("v2.", good + 3, NULL));
  g_ptr_array_add (bad, g_strconcat ("V1.", good + 3, NULL));
  /* no MAC, extra dots */
  g_ptr_array_add (bad, g_strdup (signed_part));
  g_ptr_array_add (bad, g_strconcat (signed_part, ".", NULL));
  g_ptr_array_add (bad, g_strconcat (good, ".", mac_text, NULL));
  g_ptr_array_add (bad, g_strconcat (signed_part, "..", mac_text, NULL));
  g_ptr_array_add (bad, g_strconcat ("v1.", ".", signed_part + 3, ".", mac_text, NULL));
  /* bad base64 in the payload or the MAC */
  g_ptr_array_add (bad, g_strconcat (signed_part, "=.", mac_text, NULL));
  g_ptr_array_add (bad, g_strconcat ("v1.!!!!.", mac_text, NULL));
  g_ptr_array_add (bad, g_strconcat (signed_part, ".", mac_text, "=", NULL));
  g_ptr_array_add (bad, g_strconcat (signed_part, ".", "+", mac_text + 1, NULL));
  /* a MAC of the wrong length */
  {
    guint8           mac[MC_CALL_TOKEN_MAC_LENGTH + 1] = { 0 };
    g_autofree char *short_mac = mc_base64url_encode (mac, MC_CALL_TOKEN_MAC_LENGTH - 1);
    g_autofree char *long_mac = mc_base64url_encode (mac, MC_CALL_TOKEN_MAC_LENGTH + 1);
    g_autofree char *sha1_mac = mc_base64url_encode (mac, 20);

    g_ptr_array_add (bad, g_strconcat (signed_part, ".", short_mac, NULL));
    g_ptr_array_add (bad, g_strconcat (signed_part, ".", long_mac, NULL));
    g_ptr_array_add (bad, g_strconcat (signed_part, ".", sha1_mac, NULL));
  }
  /* payloads missing members or of the wrong shape */
  for (guint i = 0; i < G_N_ELEMENTS (bad_payloads); i++)
    {
      g_autofree char *part = bad_payloads[i][0] ? encode_payload (bad_payloads[i])
                                                 : g_strdup ("v1.");

      g_ptr_array_add (bad, g_strconcat (part, ".", mac_text, NULL));
    }
  /* far too long */
  {
    g_autofree char *padding = g_strnfill (4000, 'A');

    g_ptr_array_add (bad, g_strconcat ("v1.", padding, ".", mac_text, NULL));
  }

  for (guint i = 0; i < bad->len; i++)
    {
      const char                   *token = g_ptr_array_index (bad, i);
      g_autoptr (GError)            error = NULL;
      g_autoptr (McCallTokenClaims) split_claims = NULL;
      g_autoptr (McCallTokenClaims) peeked = NULL;
      g_autofree char              *part = NULL;
      g_autoptr (GBytes)            mac = NULL;

      g_test_message ("case %u: %.80s", i, token);

      g_assert_false (mc_call_token_split (token, &part, &split_claims, &mac, &error));
      g_assert_error (error, MC_ERROR, MC_ERROR_CALL_TOKEN_INVALID);
      g_assert_null (part);
      g_assert_null (split_claims);
      g_assert_null (mac);
      g_clear_error (&error);

      peeked = mc_call_token_peek (token, &error);
      g_assert_null (peeked);
      g_assert_error (error, MC_ERROR, MC_ERROR_CALL_TOKEN_INVALID);
    }

  g_assert_false (mc_call_token_split (NULL, NULL, NULL, NULL, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/protocol/error/round-trip", test_error_codes_round_trip);
  g_test_add_func ("/protocol/error/unknown", test_error_codes_unknown);
  g_test_add_func ("/protocol/types/roles", test_roles_round_trip);
  g_test_add_func ("/protocol/types/booking-statuses", test_booking_statuses_round_trip);
  g_test_add_func ("/protocol/types/call-states", test_call_states_round_trip);
  g_test_add_func ("/protocol/types/leave-reasons", test_leave_reasons_round_trip);
  g_test_add_func ("/protocol/types/booking-transitions", test_booking_status_transitions);
  g_test_add_func ("/protocol/json/validate", test_json_validate);
  g_test_add_func ("/protocol/json/parse-object", test_json_parse_object);
  g_test_add_func ("/protocol/json/strict", test_json_strict);
  g_test_add_func ("/protocol/json/strict-decoding", test_json_strict_decoding);
  g_test_add_func ("/protocol/json/depth", test_json_depth);
  g_test_add_func ("/protocol/json/helpers", test_json_helpers);
  g_test_add_func ("/protocol/base64url/round-trip", test_base64url_round_trip);
  g_test_add_func ("/protocol/base64url/refusals", test_base64url_refusals);
  g_test_add_func ("/protocol/call-token/encode-split", test_call_token_encode_split);
  g_test_add_func ("/protocol/call-token/split-refusals", test_call_token_split_refusals);

  return g_test_run ();
}
