/* fuzz-json.c — the strict JSON parser and every WebSocket message table
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Feeds the input to mc_json_parse_object_full(), as the server does with
 * every REST body and WebSocket message, and validates what it accepts
 * against the envelope and each message type's McJsonRule table of the
 * signaling hub. (The REST bodies' tables are reached through the real
 * handlers by fuzz-server.) Three properties are checked on the way:
 *
 *  - the strict scanner and json-glib agree: text the scanner accepts,
 *    json-glib parses;
 *  - what the server writes back out is strict JSON again, and valid
 *    UTF-8 (relayed messages are written from parsed objects);
 *  - the scanner's answer does not depend on how deep it may go below the
 *    depth of the document.
 */

#include <string.h>

#include "fuzz-common.h"
#include "mc-protocol.h"
#include "mcs-signaling.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_logging ();
  return 0;
}

static void
validate_all (JsonObject *object)
{
  const McJsonRule *rules;
  const char       *type;
  guint             n_rules;

  for (guint i = 0; (rules = mcs_signaling_get_message_rules (i, &type, &n_rules)) != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      const char        *bad_member = NULL;

      if (!mc_json_validate (object, rules, n_rules, &bad_member, &error))
        {
          /* A refusal always names the member and says why. */
          if (bad_member == NULL || error == NULL || error->code != MC_ERROR_INVALID_FIELD)
            abort ();
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr (GError)     error = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char       *bad_member = NULL;
  g_autofree char       *text = NULL;
  gboolean               strict;

  strict = mc_json_check_text ((const char *) data, size, MC_JSON_MAX_DEPTH, NULL, NULL);

  /* Agreement with json-glib on every document the scanner accepts, object
   * or not. */
  if (strict)
    {
      g_autoptr (JsonParser) parser = json_parser_new_immutable ();

      if (!json_parser_load_from_data (parser, (const char *) data, size, NULL))
        abort ();
    }

  object = mc_json_parse_object_full ((const char *) data, size, &bad_member, &error);
  if (object == NULL)
    {
      if (error == NULL || error->domain != MC_ERROR)
        abort ();
      if ((error->code == MC_ERROR_INVALID_FIELD) != (bad_member != NULL))
        abort ();
      return 0;
    }

  validate_all (object);

  /* What goes back out must be read by a strict peer. */
  text = mc_json_object_to_string (object);
  if (!g_utf8_validate (text, -1, NULL))
    abort ();
  {
    g_autoptr (JsonObject) again = mc_json_parse_object (text, strlen (text), NULL);

    if (again == NULL)
      abort ();
  }

  return 0;
}
