/* heron-imap-session-login.c: connecting a session: login, CAPABILITY, COMPRESS, ENABLE, ID,
 * NAMESPACE
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * connect_async() is a chain of steps:
 *   connection (TLS/STARTTLS, greeting, CAPABILITY)
 *   -> PREAUTH? skip the login
 *   -> login: the LOGIN command or AUTHENTICATE (SASL-IR when offered); an OAuth token from the
 *      provider first. A refused OAuth token is asked for again once with refresh = TRUE (tokens
 *      expire between being cached and being used). A NO is HERON_IMAP_ERROR_AUTH with the
 *      server's text.
 *   -> CAPABILITY, unless the tagged OK carried [CAPABILITY] (Dovecot's does)
 *   -> COMPRESS, when the settings ask and the server offers it
 *   -> ENABLE + ID + NAMESPACE pipelined in one write; a NO to any of them is not fatal.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-session-private.h"

/* Connecting */

static void connect_failed (HeronImapSession *self,
                            GError           *error);
static void logged_in      (HeronImapSession *self);
static void start_login    (HeronImapSession *self);

static void
connect_done (HeronImapSession *self)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
connect_failed (HeronImapSession *self,
                GError           *error)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  g_debug ("Session with %s failed to start: %s", self->settings.connection.host, error->message);
  if (self->error == NULL)
    self->error = g_error_copy (error);
  heron_imap_connection_close (self->connection);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* ENABLE + ID + NAMESPACE */

static void
setup_untagged (HeronImapResponse *response,
                gpointer           user_data)
{
  Op *op = user_data;
  HeronImapSession *self = op->session;

  switch (response->kind)
    {
    case HERON_IMAP_RESPONSE_ENABLED:
      for (guint i = 0; i < response->capability.n_items; i++)
        if (!heron_imap_session_is_enabled (self, response->capability.items[i]))
          g_ptr_array_add (self->enabled, g_ascii_strup (response->capability.items[i], -1));
      break;

    case HERON_IMAP_RESPONSE_ID:
      g_clear_pointer (&self->server_id, heron_imap_response_unref);
      self->server_id = heron_imap_response_ref (response);
      break;

    case HERON_IMAP_RESPONSE_NAMESPACE:
      g_clear_pointer (&self->namespace_, heron_imap_response_unref);
      self->namespace_ = heron_imap_response_ref (response);
      break;

    default:
      break;
    }
}

static const HeronImapHandlers setup_handlers = {
  .kinds = HERON_IMAP_KIND (HERON_IMAP_RESPONSE_ENABLED) | HERON_IMAP_KIND (HERON_IMAP_RESPONSE_ID) |
           HERON_IMAP_KIND (HERON_IMAP_RESPONSE_NAMESPACE),
  .untagged = setup_untagged,
};

static void
on_setup_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      connect_failed (self, error);
      return;
    }

  for (guint i = 0; i < self->enabled->len; i++)
    g_debug ("Enabled %s", (const char *) g_ptr_array_index (self->enabled, i));
  connect_done (self);
}

static void
setup (HeronImapSession *self)
{
  g_autoptr(GTask) task = _heron_imap_session_task_new (self, setup, g_task_get_cancellable (self->connect_task),
                                                        on_setup_done, NULL);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) enable = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  op->tolerate_no = TRUE;

  if (heron_imap_connection_has_capability (self->connection, "ENABLE") ||
      heron_imap_connection_has_capability (self->connection, "IMAP4rev2"))
    {
      if (self->settings.enable_imap4rev2 &&
          heron_imap_connection_has_capability (self->connection, "IMAP4rev2"))
        g_ptr_array_add (enable, (gpointer) "IMAP4rev2");
      if (self->settings.enable_qresync &&
          heron_imap_connection_has_capability (self->connection, "CONDSTORE"))
        g_ptr_array_add (enable, (gpointer) "CONDSTORE");
      if (self->settings.enable_qresync &&
          heron_imap_connection_has_capability (self->connection, "QRESYNC"))
        g_ptr_array_add (enable, (gpointer) "QRESYNC");
      if (self->settings.enable_utf8 &&
          heron_imap_connection_has_capability (self->connection, "UTF8=ACCEPT"))
        g_ptr_array_add (enable, (gpointer) "UTF8=ACCEPT");
    }

  if (enable->len > 0)
    {
      g_autoptr(HeronImapCommand) command = NULL;

      g_ptr_array_add (enable, NULL);
      command = heron_imap_command_new_enable ((const char * const *) enable->pdata, &error);
      g_assert_no_error (error);
      _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &setup_handlers);
    }

  if (self->settings.send_id && heron_imap_connection_has_capability (self->connection, "ID"))
    {
      static const char *default_id[] = { "name", "Heron", "version", PACKAGE_VERSION, NULL };
      g_autoptr(HeronImapCommand) command = NULL;

      command = heron_imap_command_new_id (0, self->settings.id != NULL ?
                                           (const char * const *) self->settings.id : default_id,
                                           &error);
      if (command != NULL)
        _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &setup_handlers);
      else
        {
          g_debug ("Not sending ID: %s", error->message);
          g_clear_error (&error);
        }
    }

  if (heron_imap_connection_has_capability (self->connection, "NAMESPACE") ||
      heron_imap_connection_has_capability (self->connection, "IMAP4rev2"))
    {
      g_autoptr(HeronImapCommand) command = heron_imap_command_new_namespace ();

      _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, &setup_handlers);
    }

  if (op->pending == 0)
    g_task_return_boolean (task, TRUE);
}

static void
on_compress_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(HeronImapSession) self = user_data;
  GError *error = NULL;

  if (!heron_imap_connection_compress_finish (HERON_IMAP_CONNECTION (source), result, &error))
    {
      connect_failed (self, error);
      return;
    }
  setup (self);
}

static void
capabilities_known (HeronImapSession *self)
{
  if (self->settings.connection.compress &&
      heron_imap_connection_has_capability (self->connection, "COMPRESS=DEFLATE"))
    {
      heron_imap_connection_compress_async (self->connection, g_task_get_cancellable (self->connect_task),
                                            on_compress_done, g_object_ref (self));
      return;
    }
  setup (self);
}

static void
on_capability_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      connect_failed (self, error);
      return;
    }
  capabilities_known (self);
}

void
_heron_imap_session_send_capability (HeronImapSession *self,
                                     GTask            *task)
{
  g_autoptr(HeronImapCommand) command = heron_imap_command_new_capability ();

  heron_imap_connection_clear_capabilities (self->connection);
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_NONE, NULL);
}

static void
logged_in (HeronImapSession *self)
{
  _heron_imap_session_set_state (self, HERON_IMAP_SESSION_AUTHENTICATED);

  if (heron_imap_connection_get_capabilities (self->connection) == NULL)
    {
      g_autoptr(GTask) task = _heron_imap_session_task_new (self, logged_in,
                                                            g_task_get_cancellable (self->connect_task),
                                                            on_capability_done, NULL);

      _heron_imap_session_send_capability (self, task);
      return;
    }

  capabilities_known (self);
}

/* Login */

static void
sasl_continuation (HeronImapConnection *connection,
                   HeronImapCommand    *command,
                   const char          *text,
                   gpointer             user_data)
{
  Op *op = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(HeronImapCommand) line = NULL;

  answer = heron_imap_sasl_step (op->sasl, text, &error);
  if (answer == NULL)
    {
      if (op->error == NULL)
        op->error = g_steal_pointer (&error);
      line = heron_imap_command_new_sasl_cancel ();
    }
  else
    line = heron_imap_command_new_sasl_response (answer);

  heron_imap_connection_send_continuation (connection, command, line);
}

static const HeronImapHandlers sasl_handlers = {
  .continuation = sasl_continuation,
};

/* Keeps the tagged reply's capabilities: after a login they changed, and without a
 * [CAPABILITY] code they are asked again. */
static void
login_tagged (Op                *op,
              HeronImapResponse *tagged)
{
  if (tagged->status.code.kind != HERON_IMAP_CODE_CAPABILITY)
    heron_imap_connection_clear_capabilities (op->session->connection);
}

static void
on_login_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  HeronImapSession *self = HERON_IMAP_SESSION (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* An OAuth token may have expired between the cache and now: one more try with a fresh one. */
      if (g_error_matches (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH) &&
          (self->mechanism == HERON_IMAP_AUTH_XOAUTH2 || self->mechanism == HERON_IMAP_AUTH_OAUTHBEARER) &&
          !self->token_refreshed &&
          heron_imap_connection_get_state (self->connection) == HERON_IMAP_CONNECTION_CONNECTED)
        {
          g_debug ("%s was refused (%s); trying once more with a fresh token",
                   heron_imap_auth_mechanism_to_sasl_name (self->mechanism), error->message);
          g_error_free (error);
          self->token_refreshed = TRUE;
          start_login (self);
          return;
        }
      connect_failed (self, error);
      return;
    }

  g_debug ("Logged in to %s with %s", self->settings.connection.host,
           self->mechanism == HERON_IMAP_AUTH_LOGIN_COMMAND ? "LOGIN" :
           heron_imap_auth_mechanism_to_sasl_name (self->mechanism));
  logged_in (self);
}

static void
authenticate (HeronImapSession *self,
              const char       *secret)
{
  g_autoptr(GTask) task = _heron_imap_session_task_new (self, authenticate,
                                                        g_task_get_cancellable (self->connect_task),
                                                        on_login_done, NULL);
  Op *op = g_task_get_task_data (task);
  g_autoptr(HeronImapCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  HeronImapCommandFlags flags = _heron_imap_session_command_flags (self);

  op->auth = TRUE;
  op->tagged = login_tagged;

  if (self->mechanism == HERON_IMAP_AUTH_LOGIN_COMMAND)
    {
      command = heron_imap_command_new_login (flags, self->settings.user, secret, &error);
      if (command == NULL)
        {
          connect_failed (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH,
                                             "The user name or password cannot be sent with "
                                             "LOGIN: %s", error->message));
          return;
        }
      _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_BARRIER, NULL);
      return;
    }

  op->sasl = heron_imap_sasl_new (self->mechanism, self->settings.user, secret,
                                  self->settings.connection.host, self->settings.connection.port);
  {
    g_autoptr(GBytes) initial = heron_imap_sasl_get_initial_response (op->sasl);

    command = heron_imap_command_new_authenticate (flags, heron_imap_sasl_get_name (op->sasl),
                                                   initial, &error);
  }
  g_assert_no_error (error);
  _heron_imap_session_send (self, task, command, HERON_IMAP_SEND_BARRIER, &sasl_handlers);
}

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(HeronImapSession) self = user_data;
  g_autoptr(GError) error = NULL;
  char *token;

  token = heron_imap_token_provider_get_token_finish (HERON_IMAP_TOKEN_PROVIDER (source), result, &error);
  if (self->connect_task == NULL)
    {
      _heron_imap_wipe_free (token);
      return;
    }
  if (token == NULL)
    {
      connect_failed (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH,
                                         "Could not get an access token: %s", error->message));
      return;
    }
  if (heron_imap_connection_get_state (self->connection) != HERON_IMAP_CONNECTION_CONNECTED)
    {
      _heron_imap_wipe_free (token);
      connect_failed (self, g_error_copy (heron_imap_connection_get_error (self->connection)));
      return;
    }

  authenticate (self, token);
  _heron_imap_wipe_free (token);
}

static gboolean
choose_mechanism (HeronImapSession  *self,
                  GError           **error)
{
  HeronImapConnection *connection = self->connection;
  HeronImapAuthMechanism wanted = self->settings.mechanism;
  gboolean login_disabled = heron_imap_connection_has_capability (connection, "LOGINDISABLED");
  const char *name;

  if (self->settings.user == NULL)
    {
      g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH, "No user name to log in with");
      return FALSE;
    }

  if (wanted == HERON_IMAP_AUTH_AUTO)
    {
      if (self->settings.token_provider != NULL)
        {
          if (heron_imap_connection_has_capability (connection, "AUTH=OAUTHBEARER"))
            wanted = HERON_IMAP_AUTH_OAUTHBEARER;
          else if (heron_imap_connection_has_capability (connection, "AUTH=XOAUTH2"))
            wanted = HERON_IMAP_AUTH_XOAUTH2;
          else
            {
              g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                                   "The server offers neither OAUTHBEARER nor XOAUTH2");
              return FALSE;
            }
        }
      else if (heron_imap_connection_has_capability (connection, "AUTH=PLAIN"))
        wanted = HERON_IMAP_AUTH_PLAIN;
      else if (!login_disabled)
        wanted = HERON_IMAP_AUTH_LOGIN_COMMAND;
      else if (heron_imap_connection_has_capability (connection, "AUTH=LOGIN"))
        wanted = HERON_IMAP_AUTH_LOGIN;
      else
        {
          g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                               "The server offers no way to log in with a password here "
                               "(LOGINDISABLED, and neither AUTH=PLAIN nor AUTH=LOGIN)");
          return FALSE;
        }
    }

  name = heron_imap_auth_mechanism_to_sasl_name (wanted);
  if (wanted == HERON_IMAP_AUTH_LOGIN_COMMAND)
    {
      if (login_disabled)
        {
          g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                               "The server does not allow LOGIN here (LOGINDISABLED)");
          return FALSE;
        }
    }
  else
    {
      g_autofree char *capability = g_strconcat ("AUTH=", name, NULL);

      if (!heron_imap_connection_has_capability (connection, capability))
        {
          g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                       "The server does not offer %s authentication", name);
          return FALSE;
        }
    }

  if (wanted == HERON_IMAP_AUTH_XOAUTH2 || wanted == HERON_IMAP_AUTH_OAUTHBEARER)
    {
      if (self->settings.token_provider == NULL)
        {
          g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH,
                       "%s needs an access token, and there is no token provider", name);
          return FALSE;
        }
    }
  else if (self->settings.password == NULL)
    {
      g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_AUTH, "No password to log in with");
      return FALSE;
    }

  self->mechanism = wanted;
  return TRUE;
}

static void
start_login (HeronImapSession *self)
{
  if (self->mechanism == HERON_IMAP_AUTH_XOAUTH2 || self->mechanism == HERON_IMAP_AUTH_OAUTHBEARER)
    {
      heron_imap_token_provider_get_token_async (self->settings.token_provider, self->settings.user,
                                                 self->token_refreshed,
                                                 g_task_get_cancellable (self->connect_task),
                                                 on_token, g_object_ref (self));
      return;
    }

  authenticate (self, self->settings.password);
}

static void
on_connection_ready (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(HeronImapSession) self = user_data;
  GError *error = NULL;

  if (!heron_imap_connection_connect_finish (HERON_IMAP_CONNECTION (source), result, &error))
    {
      connect_failed (self, error);
      return;
    }

  if (heron_imap_connection_is_preauth (self->connection))
    {
      g_debug ("%s logged us in already (PREAUTH)", self->settings.connection.host);
      logged_in (self);
      return;
    }

  if (!choose_mechanism (self, &error))
    {
      connect_failed (self, error);
      return;
    }
  start_login (self);
}

void
heron_imap_session_connect_async (HeronImapSession    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_session_connect_async);

  if (self->state != HERON_IMAP_SESSION_DISCONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The session was already started; make a new one");
      return;
    }

  self->connect_task = g_steal_pointer (&task);
  _heron_imap_session_set_state (self, HERON_IMAP_SESSION_NOT_AUTHENTICATED);
  heron_imap_connection_connect_async (self->connection, cancellable, on_connection_ready,
                                       g_object_ref (self));
}

gboolean
heron_imap_session_connect_finish (HeronImapSession  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (HERON_IMAP_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

