/* mcs-password.c — Argon2id password hashing on a bounded worker pool
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An Argon2id hash costs tens of milliseconds and, at the interactive
 * setting, 64 MiB of memory. Hashing on the main loop would stall every
 * other request, and hashing on an unbounded number of threads would let a
 * login storm exhaust memory. So hashes run on a pool of a few threads
 * behind a queue of bounded length; when the queue is full the caller is
 * told MC_ERROR_SERVER_BUSY at once.
 */

#define G_LOG_DOMAIN "mcs-password"

#include <string.h>

#include <sodium.h>

#include "mc-protocol.h"
#include "mcs-password.h"

struct _McsPasswordHasher
{
  GObject          parent_instance;

  McsHashStrength  strength;
  GThreadPool     *pool;
  guint            max_queued;
  guint            in_flight;      /* queued or running; main thread only */
  char            *dummy_hash;     /* for unknown users, so they cost as much */
};

G_DEFINE_TYPE (McsPasswordHasher, mcs_password_hasher, G_TYPE_OBJECT)

typedef enum
{
  JOB_HASH,
  JOB_VERIFY,
} JobKind;

typedef struct
{
  JobKind  kind;
  char    *password;
  char    *hash;
  /* results */
  gboolean matches;
  char    *new_hash;
  GError  *error;
} Job;

static void
job_free (Job *job)
{
  if (job->password != NULL)
    sodium_memzero (job->password, strlen (job->password));
  g_free (job->password);
  g_free (job->hash);
  g_free (job->new_hash);
  g_clear_error (&job->error);
  g_free (job);
}

static void
limits_for (McsHashStrength  strength,
            unsigned long long *opslimit,
            size_t          *memlimit)
{
  switch (strength)
    {
    case MCS_HASH_STRENGTH_MODERATE:
      *opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
      *memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
      break;
    case MCS_HASH_STRENGTH_MINIMUM:
      *opslimit = crypto_pwhash_OPSLIMIT_MIN;
      *memlimit = crypto_pwhash_MEMLIMIT_MIN;
      break;
    case MCS_HASH_STRENGTH_INTERACTIVE:
    default:
      *opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      *memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      break;
    }
}

static void
run_job (gpointer data,
         gpointer user_data)
{
  GTask *task = data;
  McsPasswordHasher *self = g_task_get_source_object (task);
  Job *job = g_task_get_task_data (task);
  unsigned long long opslimit;
  size_t memlimit;

  limits_for (self->strength, &opslimit, &memlimit);

  if (job->kind == JOB_HASH)
    {
      job->new_hash = mcs_password_hash (self->strength, job->password, &job->error);
    }
  else
    {
      job->matches = crypto_pwhash_str_verify (job->hash, job->password,
                                               strlen (job->password)) == 0;

      /* Rehash while the password is at hand if the settings changed. */
      if (job->matches && crypto_pwhash_str_needs_rehash (job->hash, opslimit, memlimit) != 0)
        job->new_hash = mcs_password_hash (self->strength, job->password, NULL);
    }

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  McsPasswordHasher *self = MCS_PASSWORD_HASHER (object);
  GTask *outer = user_data;

  g_assert (self->in_flight > 0);
  self->in_flight--;

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_pointer (outer, g_object_ref (result), g_object_unref);
  g_object_unref (outer);
}

/* Runs @job on the pool. The inner task runs on a worker; its completion
 * hops back to the caller's main context, where the outer task returns. */
static void
submit (McsPasswordHasher   *self,
        Job                 *job,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data,
        gpointer             source_tag)
{
  g_autoptr(GTask) outer = g_task_new (self, cancellable, callback, user_data);
  GTask *inner;

  g_task_set_source_tag (outer, source_tag);

  if (self->in_flight >= self->max_queued)
    {
      job_free (job);
      g_task_return_new_error (outer, MC_ERROR, MC_ERROR_SERVER_BUSY,
                               "The server is busy with other logins; try again in a moment");
      return;
    }

  inner = g_task_new (self, NULL, job_done_cb, g_steal_pointer (&outer));
  g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
  self->in_flight++;
  g_thread_pool_push (self->pool, g_object_ref (inner), NULL);
  g_object_unref (inner);
}

static Job *
finish (McsPasswordHasher  *self,
        GAsyncResult       *result,
        GError            **error)
{
  g_autoptr(GTask) inner = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  inner = g_task_propagate_pointer (G_TASK (result), error);
  if (inner == NULL)
    return NULL;

  return g_task_get_task_data (inner);
}

static void
mcs_password_hasher_finalize (GObject *object)
{
  McsPasswordHasher *self = (McsPasswordHasher *) object;

  /* Tasks hold a reference on us, so the pool is idle by now. */
  g_thread_pool_free (self->pool, TRUE, TRUE);
  g_free (self->dummy_hash);

  G_OBJECT_CLASS (mcs_password_hasher_parent_class)->finalize (object);
}

static void
mcs_password_hasher_class_init (McsPasswordHasherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = mcs_password_hasher_finalize;
}

static void
mcs_password_hasher_init (McsPasswordHasher *self)
{
}

McsPasswordHasher *
mcs_password_hasher_new (McsHashStrength strength,
                         guint           max_concurrent,
                         guint           max_queued)
{
  McsPasswordHasher *self = g_object_new (MCS_TYPE_PASSWORD_HASHER, NULL);
  guint8 random_bytes[16];
  g_autofree char *random_password = NULL;

  self->strength = strength;
  self->max_queued = MAX (max_queued, max_concurrent);
  self->pool = g_thread_pool_new (run_job, self, MAX (max_concurrent, 1), FALSE, NULL);

  randombytes_buf (random_bytes, sizeof random_bytes);
  random_password = mc_base64url_encode (random_bytes, sizeof random_bytes);
  self->dummy_hash = mcs_password_hash (strength, random_password, NULL);

  return self;
}

/**
 * mcs_password_hasher_verify_async:
 * @self: a hasher
 * @password: what the user typed
 * @hash: (nullable): the stored hash, or %NULL for an unknown user, which
 *   is checked against a throwaway hash so that it takes as long
 * @cancellable: (nullable): a #GCancellable
 * @callback: called on the caller's main context
 * @user_data: for @callback
 */
void
mcs_password_hasher_verify_async (McsPasswordHasher   *self,
                                  const char          *password,
                                  const char          *hash,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_VERIFY;
  job->password = g_strdup (password);
  job->hash = g_strdup (hash ? hash : self->dummy_hash);

  submit (self, job, cancellable, callback, user_data, mcs_password_hasher_verify_async);
}

/**
 * mcs_password_hasher_verify_finish:
 * @self: a hasher
 * @result: the result
 * @new_hash: (out) (optional) (transfer full): a fresh hash to store when
 *   the stored one was made with other settings, else %NULL
 * @error: a #GError; %MC_ERROR_SERVER_BUSY when the queue was full
 *
 * Returns: %TRUE if the password matched; %FALSE with @error unset if not
 */
gboolean
mcs_password_hasher_verify_finish (McsPasswordHasher  *self,
                                   GAsyncResult       *result,
                                   char              **new_hash,
                                   GError            **error)
{
  Job *job = finish (self, result, error);

  if (new_hash != NULL)
    *new_hash = NULL;

  if (job == NULL)
    return FALSE;

  if (new_hash != NULL)
    *new_hash = g_steal_pointer (&job->new_hash);

  return job->matches;
}

void
mcs_password_hasher_hash_async (McsPasswordHasher   *self,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_HASH;
  job->password = g_strdup (password);

  submit (self, job, cancellable, callback, user_data, mcs_password_hasher_hash_async);
}

char *
mcs_password_hasher_hash_finish (McsPasswordHasher  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  Job *job = finish (self, result, error);

  if (job == NULL)
    return NULL;

  if (job->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&job->error));
      return NULL;
    }

  return g_steal_pointer (&job->new_hash);
}

/**
 * mcs_password_hash:
 * @strength: how hard to make it
 * @password: the password
 * @error: a #GError
 *
 * Hashes on the calling thread: for the admin CLI and the workers.
 *
 * Returns: (transfer full): an encoded Argon2id hash (`$argon2id$…`)
 */
char *
mcs_password_hash (McsHashStrength   strength,
                   const char       *password,
                   GError          **error)
{
  char hash[crypto_pwhash_STRBYTES];
  unsigned long long opslimit;
  size_t memlimit;

  limits_for (strength, &opslimit, &memlimit);

  if (crypto_pwhash_str_alg (hash, password, strlen (password), opslimit, memlimit,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_SERVER_BUSY,
                           "Not enough memory to hash the password; try again later");
      return NULL;
    }

  return g_strdup (hash);
}
