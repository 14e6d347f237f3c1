/* mcs-crypto.c — secrets, session tokens, call tokens and TURN credentials
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here leans on libsodium: its random generator, SHA-256,
 * HMAC-SHA256 with a constant-time check, and constant-time comparison.
 * The one exception is TURN's HMAC-SHA1, which libsodium lacks and which
 * coturn's REST scheme requires; GLib's GHmac provides it.
 */

#define G_LOG_DOMAIN "mcs-crypto"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "mcs-crypto.h"

static GBytes *
parse_secret (const char  *path,
              const char  *text,
              GError     **error)
{
  guint8 key[MCS_SECRET_LENGTH];
  size_t length = 0;

  if (sodium_hex2bin (key, sizeof key, text, strlen (text), " \n\r\t", &length, NULL) != 0 ||
      length != sizeof key)
    {
      g_set_error (error, MC_ERROR, MC_ERROR_INTERNAL,
                   "The server secret in %s is not %d bytes of hexadecimal; remove the file "
                   "to make a new one (this invalidates every call token)",
                   path, MCS_SECRET_LENGTH);
      return NULL;
    }

  return g_bytes_new (key, sizeof key);
}

/**
 * mcs_secret_load_or_create:
 * @path: the secret's file
 * @error: a #GError
 *
 * Reads the server's signing secret, or makes one on first start. The file
 * is created with mode 0600, exclusively, so two servers starting at once
 * cannot end up with different secrets.
 *
 * Returns: (transfer full): the secret's 32 bytes
 */
GBytes *
mcs_secret_load_or_create (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  guint8 key[MCS_SECRET_LENGTH];
  char hex[MCS_SECRET_LENGTH * 2 + 2];
  GStatBuf st;
  int fd;

  if (g_file_get_contents (path, &contents, NULL, NULL))
    {
      if (g_stat (path, &st) == 0 && (st.st_mode & 0077) != 0)
        g_message ("The server secret %s is readable by others; chmod 600 it", path);

      return parse_secret (path, contents, error);
    }

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, MC_ERROR, MC_ERROR_INTERNAL, "Cannot create %s: %s",
                   dir, g_strerror (saved_errno));
      return NULL;
    }

  randombytes_buf (key, sizeof key);
  sodium_bin2hex (hex, sizeof hex - 1, key, sizeof key);
  strcat (hex, "\n");

  fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      /* Another process won the race: use its secret. */
      if (saved_errno == EEXIST && g_file_get_contents (path, &contents, NULL, NULL))
        return parse_secret (path, contents, error);

      g_set_error (error, MC_ERROR, MC_ERROR_INTERNAL, "Cannot create the server secret %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }

  if (write (fd, hex, strlen (hex)) != (ssize_t) strlen (hex) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (path);
      g_set_error (error, MC_ERROR, MC_ERROR_INTERNAL, "Cannot write the server secret %s: %s",
                   path, g_strerror (saved_errno));
      return NULL;
    }

  close (fd);
  g_message ("Created a new server secret in %s", path);

  return g_bytes_new (key, sizeof key);
}

/**
 * mcs_session_token_hash:
 * @token: a session token as the client sends it
 * @hash: (out caller-allocates): its SHA-256
 *
 * Only this hash is stored, so a copy of the database gives no one a
 * working session.
 */
void
mcs_session_token_hash (const char *token,
                        guint8      hash[32])
{
  crypto_hash_sha256 (hash, (const guint8 *) token, strlen (token));
}

/**
 * mcs_session_token_new:
 * @hash: (out caller-allocates): the new token's SHA-256
 *
 * Returns: (transfer full): 256 random bits in base64url
 */
char *
mcs_session_token_new (guint8 hash[32])
{
  guint8 bytes[32];
  char *token;

  randombytes_buf (bytes, sizeof bytes);
  token = mc_base64url_encode (bytes, sizeof bytes);
  sodium_memzero (bytes, sizeof bytes);
  mcs_session_token_hash (token, hash);

  return token;
}

/**
 * mcs_call_token_sign:
 * @secret: the server's secret
 * @claims: what the token says
 *
 * Returns: (transfer full): the token, `v1.PAYLOAD.MAC`
 */
char *
mcs_call_token_sign (GBytes                  *secret,
                     const McCallTokenClaims *claims)
{
  g_autofree char *signed_part = mc_call_token_encode_claims (claims);
  g_autofree char *mac_text = NULL;
  guint8 mac[crypto_auth_hmacsha256_BYTES];
  gsize key_length;
  const guint8 *key = g_bytes_get_data (secret, &key_length);

  G_STATIC_ASSERT (crypto_auth_hmacsha256_BYTES == MC_CALL_TOKEN_MAC_LENGTH);
  g_assert (key_length == crypto_auth_hmacsha256_KEYBYTES);

  crypto_auth_hmacsha256 (mac, (const guint8 *) signed_part, strlen (signed_part), key);
  mac_text = mc_base64url_encode (mac, sizeof mac);

  return g_strconcat (signed_part, ".", mac_text, NULL);
}

/**
 * mcs_call_token_verify:
 * @secret: the server's secret
 * @token: a token from a client
 * @now: the current time
 * @error: a #GError: %MC_ERROR_CALL_TOKEN_INVALID or %MC_ERROR_CALL_TOKEN_EXPIRED
 *
 * Checks the signature in constant time before looking at any claim, so a
 * forged token teaches its maker nothing.
 *
 * Returns: (transfer full): the verified claims
 */
McCallTokenClaims *
mcs_call_token_verify (GBytes      *secret,
                       const char  *token,
                       gint64       now,
                       GError     **error)
{
  g_autoptr(McCallTokenClaims) claims = NULL;
  g_autoptr(GBytes) mac = NULL;
  g_autofree char *signed_part = NULL;
  const guint8 *key = g_bytes_get_data (secret, NULL);

  if (!mc_call_token_split (token, &signed_part, &claims, &mac, error))
    return NULL;

  if (crypto_auth_hmacsha256_verify (g_bytes_get_data (mac, NULL),
                                     (const guint8 *) signed_part, strlen (signed_part),
                                     key) != 0)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_CALL_TOKEN_INVALID,
                           "The call token's signature is not valid");
      return NULL;
    }

  if (claims->expires_at <= now)
    {
      g_set_error_literal (error, MC_ERROR, MC_ERROR_CALL_TOKEN_EXPIRED,
                           "The call token has expired; ask for a new one");
      return NULL;
    }

  return g_steal_pointer (&claims);
}

/**
 * mcs_turn_credentials:
 * @turn_secret: coturn's `static-auth-secret`
 * @user_id: who the credentials are for
 * @expires_at: when they stop working
 * @username: (out): the TURN username, `EXPIRY:USER`
 * @credential: (out): base64 of HMAC-SHA1(secret, username)
 *
 * Ephemeral credentials in the scheme of coturn's `use-auth-secret`
 * (draft-uberti-behave-turn-rest): coturn checks them without asking us.
 */
void
mcs_turn_credentials (const char  *turn_secret,
                      gint64       user_id,
                      gint64       expires_at,
                      char       **username,
                      char       **credential)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[20];
  gsize digest_length = sizeof digest;

  *username = g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT, expires_at, user_id);

  hmac = g_hmac_new (G_CHECKSUM_SHA1, (const guchar *) turn_secret, strlen (turn_secret));
  g_hmac_update (hmac, (const guchar *) *username, -1);
  g_hmac_get_digest (hmac, digest, &digest_length);

  *credential = g_base64_encode (digest, digest_length);
}

/**
 * mcs_secret_equal:
 * @a: (nullable): a secret
 * @b: (nullable): another
 *
 * Compares two secrets of any length in constant time, by comparing their
 * SHA-256 hashes, so neither the length nor the content leaks.
 *
 * Returns: %TRUE if both are set and equal
 */
gboolean
mcs_secret_equal (const char *a,
                  const char *b)
{
  guint8 hash_a[crypto_hash_sha256_BYTES];
  guint8 hash_b[crypto_hash_sha256_BYTES];

  if (a == NULL || b == NULL)
    return FALSE;

  crypto_hash_sha256 (hash_a, (const guint8 *) a, strlen (a));
  crypto_hash_sha256 (hash_b, (const guint8 *) b, strlen (b));

  return sodium_memcmp (hash_a, hash_b, sizeof hash_a) == 0;
}
