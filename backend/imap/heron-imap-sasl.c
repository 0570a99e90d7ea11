/* heron-imap-sasl.c: SASL mechanisms and the token provider interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The messages, as the specifications give them:
 *   PLAIN (RFC 4616):        [authzid] NUL authcid NUL passwd; we send no authzid.
 *   LOGIN:                   no initial response; the first challenge ("Username:") is answered
 *                            with the user, the second ("Password:") with the password.
 *   XOAUTH2:                 "user=" user ^A "auth=Bearer " token ^A ^A; an error comes as a
 *                            challenge holding JSON, answered with an empty response.
 *   OAUTHBEARER (RFC 7628):  gs2-header "n,a=" saslname "," then ^A "host=" host ^A "port="
 *                            port ^A "auth=Bearer " token ^A ^A; an error comes as a challenge
 *                            holding JSON, answered with a single ^A (section 3.2.3).
 * saslname escapes "," as "=2C" and "=" as "=3D" (RFC 5801).
 */

#include "config.h"

#include <string.h>

#include "heron-imap-error.h"
#include "heron-imap-sasl.h"

G_DEFINE_INTERFACE (HeronImapTokenProvider, heron_imap_token_provider, G_TYPE_OBJECT)

static void
heron_imap_token_provider_default_init (HeronImapTokenProviderInterface *iface)
{
}

void
heron_imap_token_provider_get_token_async (HeronImapTokenProvider *self,
                                           const char             *user,
                                           gboolean                refresh,
                                           GCancellable           *cancellable,
                                           GAsyncReadyCallback     callback,
                                           gpointer                user_data)
{
  g_return_if_fail (HERON_IMAP_IS_TOKEN_PROVIDER (self));
  g_return_if_fail (user != NULL);

  HERON_IMAP_TOKEN_PROVIDER_GET_IFACE (self)->get_token_async (self, user, refresh, cancellable,
                                                               callback, user_data);
}

char *
heron_imap_token_provider_get_token_finish (HeronImapTokenProvider  *self,
                                            GAsyncResult            *result,
                                            GError                 **error)
{
  g_return_val_if_fail (HERON_IMAP_IS_TOKEN_PROVIDER (self), NULL);

  return HERON_IMAP_TOKEN_PROVIDER_GET_IFACE (self)->get_token_finish (self, result, error);
}

const char *
heron_imap_auth_mechanism_to_sasl_name (HeronImapAuthMechanism mechanism)
{
  switch (mechanism)
    {
    case HERON_IMAP_AUTH_PLAIN:
      return "PLAIN";
    case HERON_IMAP_AUTH_LOGIN:
      return "LOGIN";
    case HERON_IMAP_AUTH_XOAUTH2:
      return "XOAUTH2";
    case HERON_IMAP_AUTH_OAUTHBEARER:
      return "OAUTHBEARER";
    case HERON_IMAP_AUTH_AUTO:
    case HERON_IMAP_AUTH_LOGIN_COMMAND:
    default:
      return NULL;
    }
}

struct _HeronImapSasl {
  HeronImapAuthMechanism mechanism;
  char *user;
  char *secret;
  char *host;
  guint16 port;
  guint steps;
  char *server_error;
};

static void
wipe_string (char *string)
{
  if (string == NULL)
    return;
  /* volatile so the compiler keeps the stores to memory about to be freed */
  for (volatile char *p = string; *p != '\0'; p++)
    *p = '\0';
  g_free (string);
}

HeronImapSasl *
heron_imap_sasl_new (HeronImapAuthMechanism  mechanism,
                     const char             *user,
                     const char             *secret,
                     const char             *host,
                     guint16                 port)
{
  HeronImapSasl *sasl;

  g_return_val_if_fail (heron_imap_auth_mechanism_to_sasl_name (mechanism) != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  sasl = g_new0 (HeronImapSasl, 1);
  sasl->mechanism = mechanism;
  sasl->user = g_strdup (user);
  sasl->secret = g_strdup (secret);
  sasl->host = g_strdup (host != NULL ? host : "");
  sasl->port = port;

  return sasl;
}

void
heron_imap_sasl_free (HeronImapSasl *sasl)
{
  if (sasl == NULL)
    return;

  wipe_string (sasl->secret);
  g_free (sasl->user);
  g_free (sasl->host);
  g_free (sasl->server_error);
  g_free (sasl);
}

const char *
heron_imap_sasl_get_name (HeronImapSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, NULL);

  return heron_imap_auth_mechanism_to_sasl_name (sasl->mechanism);
}

const char *
heron_imap_sasl_get_server_error (HeronImapSasl *sasl)
{
  g_return_val_if_fail (sasl != NULL, NULL);

  return sasl->server_error;
}

static void
secret_free (gpointer data)
{
  GString *string = data;

  for (volatile char *p = string->str; p < string->str + string->len; p++)
    *p = '\0';
  g_string_free (string, TRUE);
}

/* The bytes of string, kept in string until the GBytes goes, then wiped. */
static GBytes *
secret_bytes (GString *string)
{
  return g_bytes_new_with_free_func (string->str, string->len, secret_free, string);
}

static void
append_saslname (GString    *out,
                 const char *name)
{
  for (const char *p = name; *p != '\0'; p++)
    {
      if (*p == ',')
        g_string_append (out, "=2C");
      else if (*p == '=')
        g_string_append (out, "=3D");
      else
        g_string_append_c (out, *p);
    }
}

GBytes *
heron_imap_sasl_get_initial_response (HeronImapSasl *sasl)
{
  GString *out;

  g_return_val_if_fail (sasl != NULL, NULL);

  switch (sasl->mechanism)
    {
    case HERON_IMAP_AUTH_PLAIN:
      out = g_string_new (NULL);
      g_string_append_c (out, '\0');
      g_string_append (out, sasl->user);
      g_string_append_c (out, '\0');
      g_string_append (out, sasl->secret);
      return secret_bytes (out);

    case HERON_IMAP_AUTH_XOAUTH2:
      out = g_string_new ("user=");
      g_string_append (out, sasl->user);
      g_string_append (out, "\001auth=Bearer ");
      g_string_append (out, sasl->secret);
      g_string_append (out, "\001\001");
      return secret_bytes (out);

    case HERON_IMAP_AUTH_OAUTHBEARER:
      out = g_string_new ("n,a=");
      append_saslname (out, sasl->user);
      g_string_append_printf (out, ",\001host=%s\001port=%u\001auth=Bearer ", sasl->host,
                              (guint) sasl->port);
      g_string_append (out, sasl->secret);
      g_string_append (out, "\001\001");
      return secret_bytes (out);

    case HERON_IMAP_AUTH_LOGIN:
    default:
      return NULL;
    }
}

/* The readable part of an OAuth error challenge: the JSON, made printable. */
static char *
decode_server_error (const char *challenge)
{
  g_autofree guchar *decoded = NULL;
  gsize len = 0;
  GString *out;

  decoded = g_base64_decode (challenge, &len);
  out = g_string_new (NULL);
  for (gsize i = 0; i < len && i < 1024; i++)
    g_string_append_c (out, g_ascii_isprint (decoded[i]) ? (char) decoded[i] : ' ');
  return g_string_free (out, FALSE);
}

GBytes *
heron_imap_sasl_step (HeronImapSasl  *sasl,
                      const char     *challenge,
                      GError        **error)
{
  g_return_val_if_fail (sasl != NULL, NULL);
  g_return_val_if_fail (challenge != NULL, NULL);

  sasl->steps++;

  switch (sasl->mechanism)
    {
    case HERON_IMAP_AUTH_LOGIN:
      if (sasl->steps == 1)
        return g_bytes_new (sasl->user, strlen (sasl->user));
      if (sasl->steps == 2)
        return secret_bytes (g_string_new (sasl->secret));
      break;

    case HERON_IMAP_AUTH_XOAUTH2:
      if (sasl->steps == 1)
        {
          g_free (sasl->server_error);
          sasl->server_error = decode_server_error (challenge);
          return g_bytes_new_static ("", 0);
        }
      break;

    case HERON_IMAP_AUTH_OAUTHBEARER:
      if (sasl->steps == 1)
        {
          g_free (sasl->server_error);
          sasl->server_error = decode_server_error (challenge);
          return g_bytes_new_static ("\001", 1);
        }
      break;

    case HERON_IMAP_AUTH_PLAIN:
    default:
      break;
    }

  g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH,
               "The server sent an unexpected challenge during %s authentication",
               heron_imap_sasl_get_name (sasl));
  return NULL;
}
