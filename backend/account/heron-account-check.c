/* heron-account-check.c: trying an account's servers before it is saved
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One GTask runs the steps in order: IMAP connect (TCP, TLS, login), LIST, LOGOUT, then the
 * SMTP check. The OAuth2 variant logs in with tokens from a HeronOAuth2TokenSource on the
 * caller's context (the engines ask again with force_refresh once when a token is refused). Each failure goes through map_error(), which turns the engine's errors (GIO,
 * HERON_IMAP_ERROR, HERON_SMTP_ERROR) into HERON_ACCOUNT_ERROR codes with words for people.
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-account-check.h"
#include "heron-account-error.h"
#include "heron-oauth2-token-source.h"
#include "imap/heron-imap-error.h"
#include "imap/heron-imap-session.h"
#include "net/heron-tls.h"
#include "smtp/heron-smtp-client.h"
#include "smtp/heron-smtp-error.h"

typedef struct {
  HeronAccountConfig *config;
  char *password;
  HeronOAuth2TokenSource *tokens;   /* the OAuth2 variant */
  HeronOAuth2TokenSource *connection_tokens; /* its scope for the current connection */
  HeronImapAuthMechanism imap_mechanism; /* OAuth2: XOAUTH2 or OAUTHBEARER */
  gboolean imap_mechanism_switched; /* the server lacked the account's: the other one was tried */
  HeronAccountCheckFlags flags;
  HeronImapSession *session;
  HeronSmtpClient *smtp;
  HeronAccountCheckResult *result;
  GTlsCertificate *peer_certificate;
  GTlsCertificateFlags peer_errors;
  HeronAccountProtocol protocol;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_clear_object (&data->config);
  g_clear_object (&data->connection_tokens);
  g_clear_object (&data->tokens);
  if (data->password != NULL)
    {
      memset (data->password, 0, strlen (data->password));
      g_free (data->password);
    }
  if (data->session != NULL)
    heron_imap_session_close (data->session);
  g_clear_object (&data->session);
  g_clear_object (&data->smtp);
  g_clear_pointer (&data->result, heron_account_check_result_free);
  g_clear_object (&data->peer_certificate);
  g_free (data);
}

void
heron_account_check_result_free (HeronAccountCheckResult *result)
{
  if (result == NULL)
    return;
  g_strfreev (result->imap_capabilities);
  g_strfreev (result->smtp_extensions);
  g_free (result);
}

/* Providers that refuse the account password for mail clients say so in the NO or 534 text:
 * Gmail's "Application-specific password required", Outlook's and Yahoo's "app password",
 * and a [WEBALERT] code sending the person to a web page. */
static gboolean
text_asks_for_app_password (const char *text)
{
  static const char * const needles[] = {
    "application-specific password",
    "application specific password",
    "app-specific password",
    "app password",
    "webalert",
  };
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  for (gsize i = 0; i < G_N_ELEMENTS (needles); i++)
    if (strstr (lower, needles[i]) != NULL)
      return TRUE;
  return FALSE;
}

static const char *
protocol_name (HeronAccountProtocol protocol)
{
  return protocol == HERON_ACCOUNT_PROTOCOL_IMAP ? "IMAP" : "SMTP";
}

static gboolean
smtp_error_asks_for_app_password (const GError *error)
{
  HeronSmtpReply *reply = heron_smtp_error_get_reply (error);
  const char *enhanced;

  if (reply == NULL)
    return text_asks_for_app_password (error->message);
  enhanced = heron_smtp_reply_get_enhanced_code (reply);
  if (heron_smtp_reply_get_code (reply) == 534)
    return TRUE;
  if (g_strcmp0 (enhanced, "5.7.9") == 0 || g_strcmp0 (enhanced, "5.7.14") == 0)
    return TRUE;
  return text_asks_for_app_password (error->message);
}

/* The certificate error: the reason and the fingerprint, so a person can compare it with what
 * the provider publishes before pinning it. */
static GError *
certificate_error (CheckData          *data,
                   HeronAccountServer *server,
                   const GError       *error)
{
  g_autofree char *fingerprint = NULL;
  g_autofree char *reason = NULL;

  if (data->peer_certificate == NULL)
    return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED,
                        _("The certificate of %s is not trusted: %s"),
                        heron_account_server_get_host (server), error->message);

  fingerprint = heron_tls_certificate_dup_fingerprint (data->peer_certificate);
  if (data->peer_errors != 0)
    reason = heron_tls_describe_errors (data->peer_errors);
  else
    reason = g_strdup (error->message);
  /* TRANSLATORS: the server, the reason ("it is not signed by a trusted authority"), then
   * "SHA-256 AB:CD:...". */
  return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CERTIFICATE_UNTRUSTED,
                      _("The certificate of %s is not trusted: %s. Its fingerprint is %s"),
                      heron_account_server_get_host (server), reason, fingerprint);
}

static GError *
map_error (CheckData    *data,
           const GError *error,
           gboolean      logging_in)
{
  HeronAccountServer *server;
  const char *host;
  guint port;

  server = data->protocol == HERON_ACCOUNT_PROTOCOL_IMAP ?
           heron_account_config_get_imap (data->config) :
           heron_account_config_get_smtp (data->config);
  host = heron_account_server_get_host (server);
  port = heron_account_server_get_effective_port (server);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_copy (error);

  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_HOST_NOT_FOUND,
                        _("The server name %s was not found"), host);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_CONNECTION_REFUSED,
                        _("The server %s refused the connection on port %u"), host, port);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_TIMEOUT,
                        _("The server %s did not answer in time on port %u"), host, port);

  if (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_CERTIFICATE) ||
      g_error_matches (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_CERTIFICATE))
    return certificate_error (data, server, error);

  /* OAuth2: the provider had no token, or the server refused the token and a fresh one. */
  if (data->tokens != NULL &&
      (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH) ||
       (logging_in && g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE)) ||
       g_error_matches (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH)))
    {
      g_autoptr(GError) provider_error = heron_oauth2_token_source_dup_error (data->connection_tokens);

      if (provider_error != NULL)
        /* TRANSLATORS: the user name, then the provider's words (GNOME Online Accounts') */
        return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_NO_TOKEN,
                            _("No OAuth2 access token for %s: %s"),
                            heron_account_server_get_user (server), provider_error->message);
      return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED,
                          _("The server did not accept the OAuth2 access token for %s, nor a "
                            "fresh one"), heron_account_server_get_user (server));
    }

  /* A refused login: HERON_IMAP_ERROR_AUTH, or any NO before the session is logged in. */
  if (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH) ||
      (logging_in && g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_NO_RESPONSE)))
    {
      if (text_asks_for_app_password (error->message))
        return g_error_new_literal (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED,
                                    _("The server needs an app password or a sign-in through the provider (OAuth) for this account"));
      return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED,
                          _("The server did not accept the password for %s"),
                          heron_account_server_get_user (server));
    }

  if (g_error_matches (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH))
    {
      if (smtp_error_asks_for_app_password (error))
        return g_error_new_literal (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_APP_PASSWORD_REQUIRED,
                                    _("The server needs an app password or a sign-in through the provider (OAuth) for this account"));
      return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_AUTH_FAILED,
                          _("The server did not accept the password for %s"),
                          heron_account_server_get_user (server));
    }

  /* TRANSLATORS: "IMAP" or "SMTP", the host, then the engine's or the server's words. */
  return g_error_new (HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_FAILED,
                      _("Checking the %s server %s failed: %s"),
                      protocol_name (data->protocol), host, error->message);
}

static void
keep_imap_certificate (CheckData *data)
{
  HeronImapConnection *connection = heron_imap_session_get_connection (data->session);

  if (connection == NULL)
    return;
  g_set_object (&data->peer_certificate, heron_imap_connection_get_peer_certificate (connection));
  data->peer_errors = heron_imap_connection_get_peer_certificate_errors (connection);
}

static void
fail (GTask        *task,
      const GError *error,
      gboolean      logging_in)
{
  CheckData *data = g_task_get_task_data (task);

  g_debug ("Checking the %s server failed: %s", protocol_name (data->protocol), error->message);
  g_task_return_error (task, map_error (data, error, logging_in));
}

static void
finish_success (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);

  data->protocol = HERON_ACCOUNT_PROTOCOL_IMAP;
  g_task_return_pointer (task, g_steal_pointer (&data->result),
                         (GDestroyNotify) heron_account_check_result_free);
}

static void
smtp_checked (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GStrv extensions;

  extensions = heron_smtp_client_check_finish (HERON_SMTP_CLIENT (source), result, &error);
  if (extensions == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_FAILED,
                             "The check gave no answer");
      g_clear_object (&data->peer_certificate);
      data->peer_certificate = heron_smtp_error_get_peer_certificate (error);
      if (data->peer_certificate != NULL)
        g_object_ref (data->peer_certificate);
      data->peer_errors = heron_smtp_error_get_certificate_errors (error);
      fail (task, error, FALSE);
      return;
    }
  data->result->smtp_extensions = extensions;
  finish_success (task);
}

static void
start_smtp (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);
  HeronAccountServer *server = heron_account_config_get_smtp (data->config);
  HeronSmtpClientSettings settings;
  GError *error = NULL;

  data->protocol = HERON_ACCOUNT_PROTOCOL_SMTP;

  heron_smtp_client_settings_init (&settings);
  settings.host = g_strdup (heron_account_server_get_host (server));
  settings.port = heron_account_server_get_effective_port (server);
  switch (heron_account_server_get_security (server))
    {
    case HERON_ACCOUNT_SECURITY_STARTTLS:
      settings.security = HERON_SMTP_SECURITY_STARTTLS;
      break;
    case HERON_ACCOUNT_SECURITY_NONE:
      settings.security = HERON_SMTP_SECURITY_NONE;
      break;
    case HERON_ACCOUNT_SECURITY_TLS:
    default:
      settings.security = HERON_SMTP_SECURITY_TLS;
      break;
    }
  settings.allow_plaintext = heron_account_server_get_allow_plaintext_on_loopback (server);
  settings.pinned_certificate = heron_account_server_dup_pinned_certificate (server, &error);
  if (error != NULL)
    {
      heron_smtp_client_settings_clear (&settings);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  settings.user = g_strdup (heron_account_server_get_user (server));
  if (data->tokens != NULL)
    {
      g_clear_object (&data->connection_tokens);
      data->connection_tokens = heron_oauth2_token_source_new_scope (data->tokens);
      settings.token_provider = g_object_ref (HERON_IMAP_TOKEN_PROVIDER (data->connection_tokens));
      settings.auth_mechanism = heron_account_server_get_auth (server) == HERON_ACCOUNT_AUTH_OAUTHBEARER
                                ? HERON_SMTP_AUTH_OAUTHBEARER : HERON_SMTP_AUTH_XOAUTH2;
    }
  else
    settings.password = g_strdup (data->password);

  data->smtp = heron_smtp_client_new (&settings);
  heron_smtp_client_settings_clear (&settings);
  heron_smtp_client_check_async (data->smtp, g_task_get_cancellable (task), smtp_checked, task);
}

/* Takes the reference on task. */
static void
after_imap (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);

  if ((data->flags & HERON_ACCOUNT_CHECK_SKIP_SMTP) != 0)
    {
      finish_success (task);
      g_object_unref (task);
      return;
    }
  start_smtp (task);
}

static void
imap_logged_out (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;

  /* The check already succeeded: a LOGOUT that fails changes nothing. */
  if (!heron_imap_session_logout_finish (HERON_IMAP_SESSION (source), result, &error))
    g_debug ("LOGOUT after the check failed: %s", error->message);
  after_imap (task);
}

static void
imap_listed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GError) error = NULL;

  responses = heron_imap_session_list_finish (HERON_IMAP_SESSION (source), result, &error);
  if (responses == NULL)
    {
      fail (task, error, FALSE);
      g_object_unref (task);
      return;
    }
  for (guint i = 0; i < responses->len; i++)
    {
      HeronImapResponse *response = g_ptr_array_index (responses, i);

      if (response->kind == HERON_IMAP_RESPONSE_LIST)
        data->result->n_folders++;
    }
  heron_imap_session_logout_async (data->session, g_task_get_cancellable (task),
                                   imap_logged_out, task);
}

static void start_imap (GTask *task);

static void
imap_connected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  CheckData *data = g_task_get_task_data (task);
  HeronImapConnection *connection;
  g_autoptr(GError) error = NULL;

  if (!heron_imap_session_connect_finish (HERON_IMAP_SESSION (source), result, &error))
    {
      /* OAuth2: the account's mechanism is not offered; the other one may be (as the worker).
       * The capabilities the session saw tell, so a server with neither gets one connection. */
      if (data->tokens != NULL && !data->imap_mechanism_switched &&
          g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED))
        {
          HeronImapAuthMechanism other = data->imap_mechanism == HERON_IMAP_AUTH_XOAUTH2
                                         ? HERON_IMAP_AUTH_OAUTHBEARER : HERON_IMAP_AUTH_XOAUTH2;
          g_autofree char *capability = g_strconcat ("AUTH=", heron_imap_auth_mechanism_to_sasl_name (other), NULL);

          connection = heron_imap_session_get_connection (data->session);
          if (connection != NULL && heron_imap_connection_has_capability (connection, capability))
            {
              data->imap_mechanism_switched = TRUE;
              data->imap_mechanism = other;
              g_clear_object (&data->session);
              start_imap (task);
              return;
            }
          keep_imap_certificate (data);
          g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_FAILED,
                                   _("The IMAP server %s offers neither XOAUTH2 nor OAUTHBEARER, "
                                     "so it cannot sign in with OAuth2"),
                                   heron_account_server_get_host (heron_account_config_get_imap (data->config)));
          g_object_unref (task);
          return;
        }
      keep_imap_certificate (data);
      fail (task, error, TRUE);
      g_object_unref (task);
      return;
    }
  keep_imap_certificate (data);
  connection = heron_imap_session_get_connection (data->session);
  data->result->imap_capabilities =
    g_strdupv ((char **) heron_imap_connection_get_capabilities (connection));
  heron_imap_session_list_async (data->session, "", "*", FALSE, NULL,
                                 g_task_get_cancellable (task), imap_listed, task);
}

static void
start_imap (GTask *task)
{
  CheckData *data = g_task_get_task_data (task);
  HeronAccountServer *server = heron_account_config_get_imap (data->config);
  HeronImapSessionSettings settings;
  GError *error = NULL;

  data->protocol = HERON_ACCOUNT_PROTOCOL_IMAP;

  heron_imap_session_settings_init (&settings);
  settings.connection.host = g_strdup (heron_account_server_get_host (server));
  settings.connection.port = heron_account_server_get_effective_port (server);
  switch (heron_account_server_get_security (server))
    {
    case HERON_ACCOUNT_SECURITY_STARTTLS:
      settings.connection.security = HERON_IMAP_SECURITY_STARTTLS;
      break;
    case HERON_ACCOUNT_SECURITY_NONE:
      settings.connection.security = HERON_IMAP_SECURITY_NONE;
      break;
    case HERON_ACCOUNT_SECURITY_TLS:
    default:
      settings.connection.security = HERON_IMAP_SECURITY_TLS;
      break;
    }
  settings.connection.allow_plaintext = heron_account_server_get_allow_plaintext_on_loopback (server);
  settings.connection.pinned_certificate = heron_account_server_dup_pinned_certificate (server, &error);
  if (error != NULL)
    {
      heron_imap_session_settings_clear (&settings);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  settings.user = g_strdup (heron_account_server_get_user (server));
  if (data->tokens != NULL)
    {
      g_clear_object (&data->connection_tokens);
      data->connection_tokens = heron_oauth2_token_source_new_scope (data->tokens);
      settings.token_provider = g_object_ref (HERON_IMAP_TOKEN_PROVIDER (data->connection_tokens));
      settings.mechanism = data->imap_mechanism;
    }
  else
    settings.password = g_strdup (data->password);
  /* A check needs the login and LIST only. */
  settings.send_id = FALSE;
  settings.enable_qresync = FALSE;
  settings.enable_utf8 = FALSE;

  data->session = heron_imap_session_new (&settings);
  heron_imap_session_settings_clear (&settings);
  heron_imap_session_connect_async (data->session, g_task_get_cancellable (task),
                                    imap_connected, task);
}

/* Both variants: password, or provider and account_id. */
static void
check_start (HeronAccountConfig     *config,
             const char             *password,
             HeronOAuth2Provider    *provider,
             const char             *account_id,
             HeronAccountCheckFlags  flags,
             GCancellable           *cancellable,
             GAsyncReadyCallback     callback,
             gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckData *data;
  GError *error = NULL;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_account_check_async);

  data = g_new0 (CheckData, 1);
  data->config = heron_account_config_copy (config);
  data->password = g_strdup (password);
  if (provider != NULL)
    /* asked on this thread, whose context the check runs on */
    data->tokens = heron_oauth2_token_source_new (provider, account_id, NULL);
  data->flags = flags;
  data->result = g_new0 (HeronAccountCheckResult, 1);
  data->protocol = HERON_ACCOUNT_PROTOCOL_IMAP;
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  for (guint i = 0; i < 2; i++)
    {
      HeronAccountProtocol protocol = i == 0 ? HERON_ACCOUNT_PROTOCOL_IMAP :
                                               HERON_ACCOUNT_PROTOCOL_SMTP;
      HeronAccountServer *server = i == 0 ? heron_account_config_get_imap (data->config) :
                                            heron_account_config_get_smtp (data->config);
      gboolean oauth2;

      if ((flags & (i == 0 ? HERON_ACCOUNT_CHECK_SKIP_IMAP : HERON_ACCOUNT_CHECK_SKIP_SMTP)) != 0)
        continue;
      data->protocol = protocol;
      if (!heron_account_server_validate (server, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      oauth2 = heron_account_server_get_auth (server) != HERON_ACCOUNT_AUTH_PASSWORD;
      if (provider == NULL && oauth2)
        {
          g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                                   _("%s server: an account that signs in with OAuth2 is checked "
                                     "with its OAuth2 provider, not a password"),
                                   protocol_name (protocol));
          return;
        }
      if (provider != NULL && !oauth2)
        {
          g_task_return_new_error (task, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                                   _("%s server: an account with a password is checked with "
                                     "its password, not an OAuth2 provider"),
                                   protocol_name (protocol));
          return;
        }
      if (i == 0 && oauth2)
        data->imap_mechanism = heron_account_server_get_auth (server) == HERON_ACCOUNT_AUTH_OAUTHBEARER
                               ? HERON_IMAP_AUTH_OAUTHBEARER : HERON_IMAP_AUTH_XOAUTH2;
    }

  if ((flags & HERON_ACCOUNT_CHECK_SKIP_IMAP) == 0)
    start_imap (g_steal_pointer (&task));
  else
    after_imap (g_steal_pointer (&task));
}

void
heron_account_check_async (HeronAccountConfig     *config,
                           const char             *password,
                           HeronAccountCheckFlags  flags,
                           GCancellable           *cancellable,
                           GAsyncReadyCallback     callback,
                           gpointer                user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (config));
  g_return_if_fail (password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  check_start (config, password, NULL, NULL, flags, cancellable, callback, user_data);
}

void
heron_account_check_oauth2_async (HeronAccountConfig     *config,
                                  HeronOAuth2Provider    *provider,
                                  const char             *account_id,
                                  HeronAccountCheckFlags  flags,
                                  GCancellable           *cancellable,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data)
{
  g_return_if_fail (HERON_IS_ACCOUNT_CONFIG (config));
  g_return_if_fail (HERON_IS_OAUTH2_PROVIDER (provider));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  check_start (config, NULL, provider, account_id != NULL ? account_id : "", flags, cancellable,
               callback, user_data);
}

HeronAccountCheckResult *
heron_account_check_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_account_check_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static CheckData *
get_data (GAsyncResult *result)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == heron_account_check_async, NULL);

  return g_task_get_task_data (G_TASK (result));
}

GTlsCertificate *
heron_account_check_get_peer_certificate (GAsyncResult *result)
{
  CheckData *data = get_data (result);

  return data != NULL ? data->peer_certificate : NULL;
}

GTlsCertificateFlags
heron_account_check_get_certificate_errors (GAsyncResult *result)
{
  CheckData *data = get_data (result);

  return data != NULL ? data->peer_errors : 0;
}

HeronAccountProtocol
heron_account_check_get_failed_protocol (GAsyncResult *result)
{
  CheckData *data = get_data (result);

  return data != NULL ? data->protocol : HERON_ACCOUNT_PROTOCOL_IMAP;
}
