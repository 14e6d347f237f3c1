/* mc-json.c — parsing and table-driven validation of protocol JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "mc-error.h"
#include "mc-json.h"

/* Protocol messages nest a few levels at most. json-glib's parser recurses
 * once per level, so a body of nothing but brackets could exhaust the
 * stack; such input is refused before it reaches the parser. */
#define MAX_DEPTH 32

static gboolean
nesting_within (const char *data,
                gsize       length,
                guint       max_depth)
{
  gboolean in_string = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static const char *
kind_name (McJsonKind kind)
{
  switch (kind)
    {
    case MC_JSON_STRING: return "a string";
    case MC_JSON_INT: return "an integer";
    case MC_JSON_BOOLEAN: return "true or false";
    case MC_JSON_TIME: return "an ISO 8601 time with a time zone";
    case MC_JSON_OBJECT: return "an object";
    case MC_JSON_ARRAY: return "an array";
    default: return "a value";
    }
}

static gboolean
check_member (JsonNode         *node,
              const McJsonRule *rule,
              GError          **error)
{
  gboolean bounded = rule->min != 0 || rule->max != 0;

  switch (rule->kind)
    {
    case MC_JSON_STRING:
    case MC_JSON_TIME:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        break;

      if (rule->kind == MC_JSON_TIME)
        {
          gint64 unused;

          if (mc_json_parse_time (json_node_get_string (node), &unused))
            return TRUE;
          break;
        }

      if (bounded)
        {
          glong length = g_utf8_strlen (json_node_get_string (node), -1);

          if (length < rule->min || length > rule->max)
            {
              g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "“%s” must be %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                           " characters long",
                           rule->name, rule->min, rule->max);
              return FALSE;
            }
        }
      return TRUE;

    case MC_JSON_INT:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
        break;

      if (bounded)
        {
          gint64 value = json_node_get_int (node);

          if (value < rule->min || value > rule->max)
            {
              g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "“%s” must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                           rule->name, rule->min, rule->max);
              return FALSE;
            }
        }
      return TRUE;

    case MC_JSON_BOOLEAN:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return TRUE;
      break;

    case MC_JSON_OBJECT:
      if (JSON_NODE_HOLDS_OBJECT (node))
        return TRUE;
      break;

    case MC_JSON_ARRAY:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        break;

      if (bounded)
        {
          guint length = json_array_get_length (json_node_get_array (node));

          if (length < rule->min || length > rule->max)
            {
              g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                           "“%s” must have %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT " items",
                           rule->name, rule->min, rule->max);
              return FALSE;
            }
        }
      return TRUE;

    default:
      break;
    }

  g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
               "“%s” must be %s", rule->name, kind_name (rule->kind));
  return FALSE;
}

/**
 * mc_json_parse_object:
 * @data: the bytes of a request or message body
 * @length: the length of @data
 * @error: a #GError, set to %MC_ERROR_MALFORMED_JSON on failure
 *
 * Parses @data, which must be a JSON object.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 */
JsonObject *
mc_json_parse_object (const char  *data,
                      gsize        length,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                           "The body is empty; a JSON object was expected");
      return NULL;
    }

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                           "The body is not valid UTF-8");
      return NULL;
    }

  if (!nesting_within (data, length, MAX_DEPTH))
    {
      g_set_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                   "The body nests deeper than %d levels", MAX_DEPTH);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                   "The body is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                           "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

/**
 * mc_json_validate:
 * @object: the object to check
 * @rules: (array length=n_rules): what each member must hold
 * @n_rules: the number of rules
 * @bad_member: (out) (optional) (transfer none): the name of the first
 *   member that broke a rule
 * @error: a #GError, set to %MC_ERROR_INVALID_FIELD on failure
 *
 * Checks @object against a table of rules. Members without a rule are
 * ignored so that newer clients can send more than an older server knows.
 *
 * Returns: %TRUE if every rule holds
 */
gboolean
mc_json_validate (JsonObject        *object,
                  const McJsonRule  *rules,
                  guint              n_rules,
                  const char       **bad_member,
                  GError           **error)
{
  g_return_val_if_fail (object != NULL, FALSE);

  for (guint i = 0; i < n_rules; i++)
    {
      const McJsonRule *rule = &rules[i];
      JsonNode *node = json_object_get_member (object, rule->name);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        {
          if (!rule->required)
            continue;

          if (bad_member != NULL)
            *bad_member = rule->name;
          g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                       "“%s” is missing", rule->name);
          return FALSE;
        }

      if (!check_member (node, rule, error))
        {
          if (bad_member != NULL)
            *bad_member = rule->name;
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * mc_json_has:
 * @object: an object
 * @member: a member name
 *
 * Returns: %TRUE if @object has @member and it is not null
 */
gboolean
mc_json_has (JsonObject *object,
             const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

/**
 * mc_json_to_string:
 * @node: a node
 *
 * Returns: (transfer full): @node as compact JSON text
 */
char *
mc_json_to_string (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/**
 * mc_json_object_to_string:
 * @object: an object
 *
 * Returns: (transfer full): @object as compact JSON text
 */
char *
mc_json_object_to_string (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/**
 * mc_json_parse_time:
 * @string: an ISO 8601 date and time, such as `2026-11-25T14:00:00Z`
 * @unix_time: (out): the time in seconds since the Unix epoch
 *
 * A time without a time zone is refused: lessons bring together people in
 * different zones, so a local time would be a guess.
 *
 * Returns: %TRUE if @string was understood
 */
gboolean
mc_json_parse_time (const char *string,
                    gint64     *unix_time)
{
  g_autoptr(GDateTime) time = NULL;

  if (string == NULL)
    return FALSE;

  /* With a NULL default zone GLib refuses strings that carry none. */
  time = g_date_time_new_from_iso8601 (string, NULL);
  if (time == NULL)
    return FALSE;

  *unix_time = g_date_time_to_unix (time);
  return TRUE;
}

/**
 * mc_json_format_time:
 * @unix_time: seconds since the Unix epoch
 *
 * Returns: (transfer full): @unix_time in UTC as `YYYY-MM-DDTHH:MM:SSZ`
 */
char *
mc_json_format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  if (time == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}
