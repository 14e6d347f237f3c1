/* mc-json.c — parsing and table-driven validation of protocol JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "mc-error.h"
#include "mc-json.h"

/* Protocol messages nest a few levels at most. json-glib's parser recurses
 * once per level, so a body of nothing but brackets could exhaust the
 * stack; such input is refused before it reaches the parser. */
#define MAX_DEPTH MC_JSON_MAX_DEPTH

/* json-glib 1.6 is lenient: it takes comments, single-quoted strings, hex
 * numbers and \x escapes, turns a lone surrogate escape into bytes that are
 * not UTF-8 and cuts a string at \u0000. A depth check that only looks for
 * brackets outside double quotes is fooled by that syntax, and anything it
 * lets through reaches a parser that recurses once per level. So every
 * document is first read by the strict scanner below, which accepts exactly
 * RFC 8259 JSON (one value, nothing after it but white space), counts the
 * nesting as it goes, and checks the text of every string. json-glib only
 * ever sees a document that scanner accepted, so the two cannot disagree
 * about the depth or the text. The scanner never recurses. */

typedef enum
{
  EXPECT_VALUE,          /* a value must follow (the root, or after ':' or ',' in an array) */
  EXPECT_VALUE_OR_CLOSE, /* just after '[' */
  EXPECT_KEY,            /* after ',' in an object */
  EXPECT_KEY_OR_CLOSE,   /* just after '{' */
  EXPECT_COLON,          /* after a member name */
  EXPECT_COMMA_OR_CLOSE, /* after a value inside a container */
  EXPECT_END,            /* after the root value: only white space may follow */
} ScanState;

typedef struct
{
  const guchar *start;
  const guchar *p;
  const guchar *end;
  guint         max_depth;
  guint         depth;
  char          stack[MAX_DEPTH + 1]; /* '{' or '[' per open container */

  /* The member of the root object whose value is being read, as written. */
  const guchar *member;
  gsize         member_length;

  /* The first string that was well formed JSON but is not acceptable text,
   * and the root member it is in (NULL when it is a member name or not in a
   * root object). */
  gboolean    bad_text;
  gboolean    bad_text_in_key;
  char       *bad_member;
  const char *bad_text_reason;
} Scanner;

static gboolean
scan_fail (Scanner    *scanner,
           const char *what,
           GError    **error)
{
  g_set_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
               "The body is not valid JSON: %s at byte %" G_GSIZE_FORMAT, what,
               (gsize) (scanner->p - scanner->start));
  return FALSE;
}

static void
skip_white_space (Scanner *scanner)
{
  while (scanner->p < scanner->end &&
         (*scanner->p == ' ' || *scanner->p == '\t' || *scanner->p == '\n' || *scanner->p == '\r'))
    scanner->p++;
}

static gboolean
read_hex4 (Scanner  *scanner,
           gunichar *unit)
{
  gunichar value = 0;

  if (scanner->end - scanner->p < 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (scanner->p[i]);

      if (digit < 0)
        return FALSE;
      value = value * 16 + digit;
    }

  scanner->p += 4;
  *unit = value;
  return TRUE;
}

/* Notes the first string whose text is not acceptable; the scan goes on so
 * that a document with a syntax error later is still called malformed. */
static void
note_bad_text (Scanner    *scanner,
               gboolean    in_key,
               const char *reason)
{
  if (scanner->bad_text)
    return;

  scanner->bad_text = TRUE;
  scanner->bad_text_reason = reason;

  /* A member name of the root object cannot name itself as the field. */
  if (in_key && scanner->depth == 1)
    scanner->bad_text_in_key = TRUE;
  else if (scanner->member != NULL && scanner->stack[0] == '{')
    scanner->bad_member = g_strndup ((const char *) scanner->member, scanner->member_length);
}

/* Reads a string from its opening quote to its closing one. Its text must
 * be UTF-8 without NUL and without unpaired surrogate escapes; that is
 * noted, not a syntax error, because the string is well formed JSON. */
static gboolean
scan_string (Scanner *scanner,
             gboolean in_key,
             GError **error)
{
  g_assert (*scanner->p == '"');
  scanner->p++;

  while (scanner->p < scanner->end)
    {
      guchar c = *scanner->p;

      if (c == '"')
        {
          scanner->p++;
          return TRUE;
        }
      else if (c == '\\')
        {
          gunichar unit;

          scanner->p++;
          if (scanner->p >= scanner->end)
            break;

          switch (*scanner->p)
            {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
              scanner->p++;
              continue;

            case 'u':
              scanner->p++;
              if (!read_hex4 (scanner, &unit))
                return scan_fail (scanner, "a \\u escape needs four hex digits", error);

              if (unit == 0)
                note_bad_text (scanner, in_key, "holds a NUL character");
              else if (unit >= 0xdc00 && unit <= 0xdfff)
                note_bad_text (scanner, in_key, "holds an unpaired surrogate");
              else if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  gunichar low;

                  /* A high surrogate must be followed by a low one; a
                   * following escape of anything else is read on its own. */
                  if (scanner->end - scanner->p >= 6 && scanner->p[0] == '\\' &&
                      scanner->p[1] == 'u')
                    {
                      const guchar *mark = scanner->p;

                      scanner->p += 2;
                      if (!read_hex4 (scanner, &low))
                        return scan_fail (scanner, "a \\u escape needs four hex digits", error);
                      if (low < 0xdc00 || low > 0xdfff)
                        {
                          scanner->p = mark;
                          note_bad_text (scanner, in_key, "holds an unpaired surrogate");
                        }
                    }
                  else
                    note_bad_text (scanner, in_key, "holds an unpaired surrogate");
                }
              continue;

            default:
              return scan_fail (scanner, "an unknown escape in a string", error);
            }
        }
      else if (c < 0x20)
        {
          return scan_fail (scanner, "a control character in a string", error);
        }
      else if (c < 0x80)
        {
          scanner->p++;
        }
      else
        {
          gunichar ch = g_utf8_get_char_validated ((const char *) scanner->p,
                                                   scanner->end - scanner->p);

          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            {
              /* Bytes of 0x80 and up are never a quote or a backslash, so
               * stepping over one keeps the scan in step. */
              note_bad_text (scanner, in_key, "is not valid UTF-8");
              scanner->p++;
            }
          else
            scanner->p = (const guchar *) g_utf8_next_char (scanner->p);
        }
    }

  return scan_fail (scanner, "an unterminated string", error);
}

static gboolean
scan_digits (Scanner *scanner)
{
  const guchar *first = scanner->p;

  while (scanner->p < scanner->end && g_ascii_isdigit (*scanner->p))
    scanner->p++;

  return scanner->p > first;
}

/* number = [ "-" ] int [ frac ] [ exp ] as in RFC 8259 section 6. */
static gboolean
scan_number (Scanner *scanner,
             GError **error)
{
  const guchar    *start = scanner->p;
  gboolean         integer = TRUE;
  g_autofree char *text = NULL;

  if (*scanner->p == '-')
    scanner->p++;

  if (scanner->p < scanner->end && *scanner->p == '0')
    scanner->p++;
  else if (scanner->p >= scanner->end || *scanner->p < '1' || *scanner->p > '9' ||
           !scan_digits (scanner))
    return scan_fail (scanner, "a malformed number", error);

  if (scanner->p < scanner->end && *scanner->p == '.')
    {
      integer = FALSE;
      scanner->p++;
      if (!scan_digits (scanner))
        return scan_fail (scanner, "a malformed number", error);
    }

  if (scanner->p < scanner->end && (*scanner->p == 'e' || *scanner->p == 'E'))
    {
      integer = FALSE;
      scanner->p++;
      if (scanner->p < scanner->end && (*scanner->p == '+' || *scanner->p == '-'))
        scanner->p++;
      if (!scan_digits (scanner))
        return scan_fail (scanner, "a malformed number", error);
    }

  /* "01", "1x", "0x1F": a number must end where a delimiter can follow. */
  if (scanner->p < scanner->end && (g_ascii_isalnum (*scanner->p) || *scanner->p == '.' ||
                                    *scanner->p == '-' || *scanner->p == '+'))
    return scan_fail (scanner, "a malformed number", error);

  /* RFC 8259 lets an implementation limit the range of numbers, and ours
   * must: json-glib would keep an integer past 64 bits only as its low
   * bits, and makes 1e999 infinity, which it then writes out as "inf", not
   * JSON, to whoever a message is relayed to. */
  text = g_strndup ((const char *) start, scanner->p - start);
  if (integer)
    {
      gint64 unused;

      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &unused, NULL))
        return scan_fail (scanner, "an integer out of the 64-bit range", error);
    }
  else if (!isfinite (g_ascii_strtod (text, NULL)))
    return scan_fail (scanner, "a number out of range", error);

  return TRUE;
}

static gboolean
scan_literal (Scanner    *scanner,
              const char *literal,
              GError    **error)
{
  gsize length = strlen (literal);

  if ((gsize) (scanner->end - scanner->p) < length ||
      memcmp (scanner->p, literal, length) != 0)
    return scan_fail (scanner, "an unexpected character", error);

  scanner->p += length;
  if (scanner->p < scanner->end && g_ascii_isalnum (*scanner->p))
    return scan_fail (scanner, "an unexpected character", error);

  return TRUE;
}

/* Reads one value that is not a container; containers are opened by the
 * caller so that the scan never recurses. */
static gboolean
scan_scalar (Scanner *scanner,
             GError **error)
{
  switch (*scanner->p)
    {
    case '"':
      return scan_string (scanner, FALSE, error);
    case 't':
      return scan_literal (scanner, "true", error);
    case 'f':
      return scan_literal (scanner, "false", error);
    case 'n':
      return scan_literal (scanner, "null", error);
    default:
      if (*scanner->p == '-' || g_ascii_isdigit (*scanner->p))
        return scan_number (scanner, error);
      return scan_fail (scanner, "an unexpected character", error);
    }
}

static ScanState
state_after_value (Scanner *scanner)
{
  return scanner->depth == 0 ? EXPECT_END : EXPECT_COMMA_OR_CLOSE;
}

static gboolean
scan_document (Scanner *scanner,
               GError **error)
{
  ScanState state = EXPECT_VALUE;

  for (;;)
    {
      guchar c;

      skip_white_space (scanner);
      if (scanner->p >= scanner->end)
        {
          if (state == EXPECT_END)
            return TRUE;
          return scan_fail (scanner, "an unexpected end", error);
        }

      c = *scanner->p;

      switch (state)
        {
        case EXPECT_END:
          return scan_fail (scanner, "more after the end of the document", error);

        case EXPECT_VALUE_OR_CLOSE:
        case EXPECT_KEY_OR_CLOSE:
          if (c == (state == EXPECT_VALUE_OR_CLOSE ? ']' : '}'))
            {
              scanner->p++;
              scanner->depth--;
              state = state_after_value (scanner);
              break;
            }
          if (state == EXPECT_KEY_OR_CLOSE)
            goto key;
          G_GNUC_FALLTHROUGH;

        case EXPECT_VALUE:
          if (c == '{' || c == '[')
            {
              if (scanner->depth >= scanner->max_depth)
                {
                  g_set_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                               "The body nests deeper than %u levels", scanner->max_depth);
                  return FALSE;
                }
              scanner->stack[scanner->depth++] = (char) c;
              scanner->p++;
              state = c == '{' ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
              break;
            }
          if (!scan_scalar (scanner, error))
            return FALSE;
          state = state_after_value (scanner);
          break;

        case EXPECT_KEY:
        key:
          {
            const guchar *name = scanner->p + 1;

            if (c != '"')
              return scan_fail (scanner, "a member name must be a string", error);
            if (!scan_string (scanner, TRUE, error))
              return FALSE;
            if (scanner->depth == 1)
              {
                scanner->member = name;
                scanner->member_length = scanner->p - 1 - name;
              }
            state = EXPECT_COLON;
          }
          break;

        case EXPECT_COLON:
          if (c != ':')
            return scan_fail (scanner, "a ':' must follow a member name", error);
          scanner->p++;
          state = EXPECT_VALUE;
          break;

        case EXPECT_COMMA_OR_CLOSE:
          {
            char open = scanner->stack[scanner->depth - 1];

            if (c == ',')
              {
                scanner->p++;
                state = open == '{' ? EXPECT_KEY : EXPECT_VALUE;
              }
            else if (c == (open == '{' ? '}' : ']'))
              {
                scanner->p++;
                scanner->depth--;
                state = state_after_value (scanner);
              }
            else
              return scan_fail (scanner, "a ',' or the end of the container was expected", error);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static const char *
kind_name (McJsonKind kind)
{
  switch (kind)
    {
    case MC_JSON_STRING:
      return "a string";
    case MC_JSON_INT:
      return "an integer";
    case MC_JSON_BOOLEAN:
      return "true or false";
    case MC_JSON_TIME:
      return "an ISO 8601 time with a time zone";
    case MC_JSON_OBJECT:
      return "an object";
    case MC_JSON_ARRAY:
      return "an array";
    default:
      return "a value";
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
 * mc_json_check_text:
 * @data: the bytes of a document
 * @length: the length of @data
 * @max_depth: the deepest nesting allowed, at most 32
 * @bad_member: (out) (optional) (transfer full): on %MC_ERROR_INVALID_FIELD,
 *   the member of the root object whose value holds the bad text
 * @error: a #GError
 *
 * Checks that @data is exactly one RFC 8259 JSON value, nested at most
 * @max_depth levels deep, and that every string in it is text: valid UTF-8
 * with no NUL character and no unpaired surrogate escape. Comments, single
 * quotes, hex numbers, escapes other than JSON's, a byte order mark and
 * anything after the value are refused.
 *
 * A syntax error or too deep a nesting is %MC_ERROR_MALFORMED_JSON. A
 * document that is well formed but holds a string that is not text is
 * %MC_ERROR_INVALID_FIELD when the string is inside the value of a member
 * of the root object (its name goes to @bad_member), and
 * %MC_ERROR_MALFORMED_JSON otherwise (a member name of the root object, or
 * a root that is not an object).
 *
 * Returns: %TRUE if @data is acceptable
 */
gboolean
mc_json_check_text (const char *data,
                    gsize       length,
                    guint       max_depth,
                    char      **bad_member,
                    GError    **error)
{
  Scanner          scanner = { 0 };
  g_autofree char *member = NULL;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  scanner.start = scanner.p = (const guchar *) data;
  scanner.end = scanner.start + length;
  scanner.max_depth = MIN (max_depth, MAX_DEPTH);

  if (!scan_document (&scanner, error))
    {
      g_free (scanner.bad_member);
      return FALSE;
    }

  member = scanner.bad_member;
  if (!scanner.bad_text)
    return TRUE;

  if (member != NULL)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INVALID_FIELD,
                   "“%s” %s", member, scanner.bad_text_reason);
      if (bad_member != NULL)
        *bad_member = g_steal_pointer (&member);
    }
  else
    {
      g_set_error (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                   "A %s %s", scanner.bad_text_in_key ? "member name" : "string",
                   scanner.bad_text_reason);
    }

  return FALSE;
}

/**
 * mc_json_parse_object_full:
 * @data: the bytes of a request or message body
 * @length: the length of @data
 * @bad_member: (out) (optional) (transfer full): on %MC_ERROR_INVALID_FIELD,
 *   the member whose value is not acceptable text
 * @error: a #GError
 *
 * Parses @data, which must be a JSON object that mc_json_check_text()
 * accepts with a depth of 32. A string that is not text (invalid UTF-8,
 * NUL, an unpaired surrogate) is %MC_ERROR_INVALID_FIELD with the member
 * named in @bad_member; everything else wrong is %MC_ERROR_MALFORMED_JSON.
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 */
JsonObject *
mc_json_parse_object_full (const char *data,
                           gsize       length,
                           char      **bad_member,
                           GError    **error)
{
  g_autoptr (JsonParser) parser = NULL;
  g_autoptr (GError)     local_error = NULL;
  JsonNode              *root;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_MALFORMED_JSON,
                           "The body is empty; a JSON object was expected");
      return NULL;
    }

  if (!mc_json_check_text (data, length, MAX_DEPTH, bad_member, error))
    return NULL;

  /* Only ever reached with strict JSON: see the comment on Scanner. */
  parser = json_parser_new_immutable ();
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
 * mc_json_parse_object:
 * @data: the bytes of a request or message body
 * @length: the length of @data
 * @error: a #GError, set to %MC_ERROR_MALFORMED_JSON or
 *   %MC_ERROR_INVALID_FIELD on failure
 *
 * Parses @data, which must be a JSON object; see
 * mc_json_parse_object_full().
 *
 * Returns: (transfer full): the object, or %NULL with @error set
 */
JsonObject *
mc_json_parse_object (const char *data,
                      gsize       length,
                      GError    **error)
{
  return mc_json_parse_object_full (data, length, NULL, error);
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
mc_json_validate (JsonObject       *object,
                  const McJsonRule *rules,
                  guint             n_rules,
                  const char      **bad_member,
                  GError          **error)
{
  g_return_val_if_fail (object != NULL, FALSE);

  for (guint i = 0; i < n_rules; i++)
    {
      const McJsonRule *rule = &rules[i];
      JsonNode         *node = json_object_get_member (object, rule->name);

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

/* Makes what json-glib 1.6 writes strict JSON again (both found by
 * fuzz-json; a message relayed with such a member would be refused by a
 * strict peer):
 *
 *  - a double whose shortest form has an exponent and no point gets ".0"
 *    appended ("4e-92.0", "1e+20.0"): that ".0" is dropped;
 *  - U+001F in a string is written as a raw byte (its escaper tests
 *    `< 0x1f`): it is written as "\u001f".
 *
 * Takes @text and returns the repaired text. */
static char *
repair_text (char *text)
{
  GString    *out = g_string_sized_new (strlen (text) + 1);
  const char *p = text;
  gboolean    in_string = FALSE;

  while (*p != '\0')
    {
      if (in_string)
        {
          if (*p == '\\' && p[1] != '\0')
            g_string_append_c (out, *p++);
          else if (*p == '"')
            in_string = FALSE;
          else if ((guchar) *p < 0x20)
            {
              g_string_append_printf (out, "\\u%04x", (guint) (guchar) *p++);
              continue;
            }
          g_string_append_c (out, *p++);
        }
      else if (*p == '"')
        {
          in_string = TRUE;
          g_string_append_c (out, *p++);
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *start = p;
          gboolean    exponent = FALSE;
          gsize       length;

          while (*p != '\0' && (g_ascii_isdigit (*p) || strchr ("+-.eE", *p) != NULL))
            exponent |= *p++ == 'e';
          length = p - start;
          if (exponent && length > 2 && start[length - 2] == '.' && start[length - 1] == '0')
            length -= 2;
          g_string_append_len (out, start, length);
        }
      else
        g_string_append_c (out, *p++);
    }

  g_free (text);
  return g_string_free (out, FALSE);
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
  return repair_text (json_to_string (node, FALSE));
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
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return repair_text (json_to_string (node, FALSE));
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
  g_autoptr (GDateTime) time = NULL;

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
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc (unix_time);

  if (time == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");

  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}
