/* mc-test-receiver.h — a webhook receiver for the tests, on 127.0.0.1
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* How long mc_test_receiver_wait() waits before the test fails: long
 * enough for the server's 30 s check of calls whose lesson is over. */
#define MC_TEST_RECEIVER_WAIT_SECONDS 60

/* What the receiver got. */
typedef struct
{
  char    *id;
  char    *timestamp;
  char    *signature;
  char    *body;
  char    *type;
  guint    answered; /* the status it was answered with; 0 if held */
  gboolean verified; /* with the receiver's secret */
} McTestReceived;

typedef struct
{
  GMutex        mutex;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  SoupServer   *server;
  char         *url;
  char         *secret;   /* what the receiver believes the secret is */
  GQueue        statuses; /* answers to give first, then answer */
  guint         answer;   /* 0: hold every request, never answering */
  const char   *retry_after;
  GPtrArray    *received; /* McTestReceived */
  GPtrArray    *held;     /* SoupServerMessage */
} McTestReceiver;

gboolean        mc_test_verify_signature (const char *secret,
                                          const char *id,
                                          const char *timestamp,
                                          const char *body,
                                          const char *header);
McTestReceiver *mc_test_receiver_new (const char *secret,
                                      guint       answer);
void            mc_test_receiver_free (McTestReceiver *receiver);
void            mc_test_receiver_release (McTestReceiver *receiver,
                                          guint           status);
guint           mc_test_receiver_count (McTestReceiver *receiver);
McTestReceived *mc_test_receiver_wait (McTestReceiver *receiver,
                                       guint           n);
McTestReceived *mc_test_receiver_get (McTestReceiver *receiver,
                                      guint           index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (McTestReceiver, mc_test_receiver_free)

G_END_DECLS
