/* mcs-views.c — the JSON shapes of users, bookings and calls
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One place decides how each object looks on the wire (webhook endpoints
 * and deliveries too), so the participant
 * API, the admin API and (later) the signaling messages agree. A password
 * hash never leaves this file's callers: no view has a member for it.
 */

#define G_LOG_DOMAIN "mcs-views"

#include "mcs-views.h"

/**
 * mcs_booking_get_join_window:
 * @booking: a booking
 * @config: the server's configuration
 * @opens_at: (out): when joining becomes possible
 * @closes_at: (out): when it stops
 */
void
mcs_booking_get_join_window (const McsBooking *booking,
                             const McsConfig  *config,
                             gint64           *opens_at,
                             gint64           *closes_at)
{
  *opens_at = booking->starts_at - config->join_before;
  *closes_at = booking->ends_at + config->join_after;
}

/**
 * mcs_booking_is_joinable:
 * @booking: a booking
 * @config: the server's configuration
 * @now: the current time
 *
 * Returns: %TRUE if @booking is confirmed and @now is inside its window
 */
gboolean
mcs_booking_is_joinable (const McsBooking *booking,
                         const McsConfig  *config,
                         gint64            now)
{
  gint64 opens_at, closes_at;

  mcs_booking_get_join_window (booking, config, &opens_at, &closes_at);

  return booking->status == MC_BOOKING_CONFIRMED && now >= opens_at && now < closes_at;
}

/**
 * mcs_view_add_time:
 * @builder: a builder inside an object
 * @name: the member's name
 * @unix_time: a time, or 0 for null
 */
void
mcs_view_add_time (JsonBuilder *builder,
                   const char  *name,
                   gint64       unix_time)
{
  json_builder_set_member_name (builder, name);

  if (unix_time == 0)
    {
      json_builder_add_null_value (builder);
    }
  else
    {
      g_autofree char *text = mc_json_format_time (unix_time);

      json_builder_add_string_value (builder, text);
    }
}

void
mcs_view_add_user (JsonBuilder   *builder,
                   const McsUser *user,
                   gboolean       admin)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, user->id);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, user->username);
  json_builder_set_member_name (builder, "display_name");
  json_builder_add_string_value (builder, user->display_name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, mc_role_to_string (user->role));

  if (admin)
    {
      json_builder_set_member_name (builder, "disabled");
      json_builder_add_boolean_value (builder, user->disabled);
      mcs_view_add_time (builder, "created_at", user->created_at);
    }

  json_builder_end_object (builder);
}

void
mcs_view_add_join_window (JsonBuilder      *builder,
                          const McsBooking *booking,
                          const McsConfig  *config,
                          gint64            now)
{
  gint64 opens_at, closes_at;

  mcs_booking_get_join_window (booking, config, &opens_at, &closes_at);

  json_builder_begin_object (builder);
  mcs_view_add_time (builder, "opens_at", opens_at);
  mcs_view_add_time (builder, "closes_at", closes_at);
  json_builder_set_member_name (builder, "open");
  json_builder_add_boolean_value (builder, now >= opens_at && now < closes_at);
  json_builder_end_object (builder);
}

/**
 * mcs_view_add_call:
 * @builder: a builder expecting a value
 * @booking: a booking
 *
 * Adds the booking's call, or null when it has no room (never confirmed).
 */
void
mcs_view_add_call (JsonBuilder      *builder,
                   const McsBooking *booking)
{
  if (!booking->has_call)
    {
      json_builder_add_null_value (builder);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, mc_call_state_to_string (booking->call_state));
  mcs_view_add_time (builder, "started_at", booking->call_started_at);
  mcs_view_add_time (builder, "ended_at", booking->call_ended_at);
  json_builder_set_member_name (builder, "duration_seconds");
  if (booking->call_duration >= 0)
    json_builder_add_int_value (builder, booking->call_duration);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "participants");
  json_builder_begin_array (builder);
  for (guint i = 0; booking->present != NULL && i < booking->present->len; i++)
    mcs_view_add_user (builder, g_ptr_array_index (booking->present, i), FALSE);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

/**
 * mcs_view_add_booking:
 * @builder: a builder expecting a value
 * @booking: a booking
 * @config: the server's configuration, for the join window
 * @viewer: (nullable): the participant looking at it, or %NULL for the
 *   admin view, which has no `role` and `other`
 * @now: the current time
 */
void
mcs_view_add_booking (JsonBuilder      *builder,
                      const McsBooking *booking,
                      const McsConfig  *config,
                      const McsUser    *viewer,
                      gint64            now)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, booking->id);
  json_builder_set_member_name (builder, "subject");
  json_builder_add_string_value (builder, booking->subject);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, mc_booking_status_to_string (booking->status));
  mcs_view_add_time (builder, "start", booking->starts_at);
  mcs_view_add_time (builder, "end", booking->ends_at);
  json_builder_set_member_name (builder, "mentor");
  mcs_view_add_user (builder, booking->mentor, FALSE);
  json_builder_set_member_name (builder, "student");
  mcs_view_add_user (builder, booking->student, FALSE);

  if (viewer != NULL)
    {
      gboolean is_mentor = booking->mentor->id == viewer->id;

      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, is_mentor ? "mentor" : "student");
      json_builder_set_member_name (builder, "other");
      mcs_view_add_user (builder, is_mentor ? booking->student : booking->mentor, FALSE);
    }

  json_builder_set_member_name (builder, "join_window");
  mcs_view_add_join_window (builder, booking, config, now);
  json_builder_set_member_name (builder, "call");
  mcs_view_add_call (builder, booking);
  mcs_view_add_time (builder, "created_at", booking->created_at);
  mcs_view_add_time (builder, "updated_at", booking->updated_at);
  json_builder_end_object (builder);
}

/**
 * mcs_view_add_attendance:
 * @builder: a builder expecting a value
 * @booking: a booking
 * @attendance: (element-type McsAttendance): its call's joins and leaves
 */
void
mcs_view_add_attendance (JsonBuilder      *builder,
                         const McsBooking *booking,
                         GPtrArray        *attendance)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "booking_id");
  json_builder_add_int_value (builder, booking->id);
  json_builder_set_member_name (builder, "call");
  mcs_view_add_call (builder, booking);
  json_builder_set_member_name (builder, "attendance");
  json_builder_begin_array (builder);
  for (guint i = 0; i < attendance->len; i++)
    {
      McsAttendance *row = g_ptr_array_index (attendance, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "user");
      mcs_view_add_user (builder, row->user, FALSE);
      mcs_view_add_time (builder, "joined_at", row->joined_at);
      mcs_view_add_time (builder, "left_at", row->left_at);
      json_builder_set_member_name (builder, "reason");
      if (row->reason != NULL)
        json_builder_add_string_value (builder, row->reason);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "node");
      if (row->node != NULL)
        json_builder_add_string_value (builder, row->node);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

void
mcs_view_add_chat_message (JsonBuilder          *builder,
                           const McsChatMessage *message)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, message->seq);
  json_builder_set_member_name (builder, "client_id");
  json_builder_add_string_value (builder, message->client_id);
  json_builder_set_member_name (builder, "sender");
  mcs_view_add_user (builder, message->sender, FALSE);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, message->text);
  mcs_view_add_time (builder, "sent_at", message->sent_at);
  json_builder_end_object (builder);
}

/**
 * mcs_view_merge_members:
 * @into: the object to add to
 * @from: (nullable): the object whose members are copied
 * @except: (nullable): the name of a member of @from to leave out
 *
 * Copies every member of @from (deep copies, so the two objects stay
 * independent) into @into, replacing members of the same name. Error
 * replies add their extra members this way, and the relay copies a message
 * minus our own bookkeeping member.
 */
void
mcs_view_merge_members (JsonObject *into,
                        JsonObject *from,
                        const char *except)
{
  JsonObjectIter iter;
  const char    *name;
  JsonNode      *node;

  if (from == NULL)
    return;

  json_object_iter_init (&iter, from);
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (except == NULL || !g_str_equal (name, except))
        json_object_set_member (into, name, json_node_copy (node));
    }
}

/**
 * mcs_view_add_webhook:
 * @builder: a builder where a value goes
 * @endpoint: a webhook endpoint
 * @with_secret: whether to show its secret (only when it was just made)
 */
void
mcs_view_add_webhook (JsonBuilder              *builder,
                      const McsWebhookEndpoint *endpoint,
                      gboolean                  with_secret)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, endpoint->id);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, endpoint->url);
  json_builder_set_member_name (builder, "events");
  json_builder_begin_array (builder);
  for (guint i = 0; endpoint->events[i] != NULL; i++)
    json_builder_add_string_value (builder, endpoint->events[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, endpoint->description);
  json_builder_set_member_name (builder, "enabled");
  json_builder_add_boolean_value (builder, endpoint->disabled_at == 0);
  mcs_view_add_time (builder, "created_at", endpoint->created_at);
  mcs_view_add_time (builder, "failing_since", endpoint->failing_since);
  mcs_view_add_time (builder, "disabled_at", endpoint->disabled_at);
  json_builder_set_member_name (builder, "disabled_reason");
  if (endpoint->disabled_reason != NULL)
    json_builder_add_string_value (builder, endpoint->disabled_reason);
  else
    json_builder_add_null_value (builder);
  if (with_secret)
    {
      json_builder_set_member_name (builder, "secret");
      json_builder_add_string_value (builder, endpoint->secret);
      mcs_view_add_time (builder, "previous_secret_valid_until",
                         endpoint->previous_secret != NULL ? endpoint->previous_secret_until : 0);
    }
  json_builder_end_object (builder);
}

/**
 * mcs_view_add_webhook_delivery:
 * @builder: a builder where a value goes
 * @delivery: one event's delivery to one endpoint
 */
void
mcs_view_add_webhook_delivery (JsonBuilder              *builder,
                               const McsWebhookDelivery *delivery)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, delivery->id);
  json_builder_set_member_name (builder, "endpoint_id");
  json_builder_add_int_value (builder, delivery->endpoint_id);
  json_builder_set_member_name (builder, "webhook_id");
  json_builder_add_string_value (builder, delivery->message_id);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, delivery->type);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, delivery->state);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, delivery->attempts);
  mcs_view_add_time (builder, "created_at", delivery->created_at);
  mcs_view_add_time (builder, "next_attempt_at", delivery->next_attempt_at);
  mcs_view_add_time (builder, "last_attempt_at", delivery->last_attempt_at);
  json_builder_set_member_name (builder, "last_status");
  if (delivery->last_status != 0)
    json_builder_add_int_value (builder, delivery->last_status);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "last_error");
  if (delivery->last_error != NULL)
    json_builder_add_string_value (builder, delivery->last_error);
  else
    json_builder_add_null_value (builder);
  mcs_view_add_time (builder, "delivered_at", delivery->delivered_at);
  json_builder_end_object (builder);
}
