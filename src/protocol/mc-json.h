/* mc-json.h — parsing and table-driven validation of protocol JSON
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/**
 * McJsonKind:
 * @MC_JSON_STRING: a string; min and max bound its length in characters
 * @MC_JSON_INT: an integer; min and max bound its value
 * @MC_JSON_BOOLEAN: true or false
 * @MC_JSON_TIME: an ISO 8601 date and time with a time zone
 * @MC_JSON_OBJECT: an object
 * @MC_JSON_ARRAY: an array; min and max bound its length
 *
 * What a member of a request must hold.
 */
typedef enum
{
  MC_JSON_STRING,
  MC_JSON_INT,
  MC_JSON_BOOLEAN,
  MC_JSON_TIME,
  MC_JSON_OBJECT,
  MC_JSON_ARRAY,
} McJsonKind;

/**
 * McJsonRule:
 * @name: the member's name
 * @kind: what it must hold
 * @required: whether it must be present (null counts as absent)
 * @min: lower bound, see #McJsonKind; ignored when @min and @max are both 0
 * @max: upper bound, see #McJsonKind
 *
 * One row of a validation table; see mc_json_validate().
 */
typedef struct
{
  const char *name;
  McJsonKind  kind;
  gboolean    required;
  gint64      min;
  gint64      max;
} McJsonRule;

/* The deepest nesting any protocol document may have. */
#define MC_JSON_MAX_DEPTH 32

gboolean    mc_json_check_text (const char *data,
                                gsize       length,
                                guint       max_depth,
                                char      **bad_member,
                                GError    **error);
JsonObject *mc_json_parse_object (const char *data,
                                  gsize       length,
                                  GError    **error);
JsonObject *mc_json_parse_object_full (const char *data,
                                       gsize       length,
                                       char      **bad_member,
                                       GError    **error);
gboolean    mc_json_validate (JsonObject       *object,
                              const McJsonRule *rules,
                              guint             n_rules,
                              const char      **bad_member,
                              GError          **error);
gboolean    mc_json_has (JsonObject *object,
                         const char *member);
char       *mc_json_to_string (JsonNode *node);
char       *mc_json_object_to_string (JsonObject *object);
gboolean    mc_json_parse_time (const char *string,
                                gint64     *unix_time);
char       *mc_json_format_time (gint64 unix_time);

G_END_DECLS
