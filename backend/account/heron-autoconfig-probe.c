/* heron-autoconfig-probe.c: finding mail servers by trying common host names and ports
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The last resort when neither the provider's document nor DNS says anything: connect to
 * imap.<domain>, mail.<domain> and <domain> on the IMAP ports (993 implicit TLS, 143 STARTTLS),
 * and smtp.<domain>, mail.<domain> and <domain> on the submission ports (465, 587), all at once,
 * each bounded by one short timeout.
 *
 * On an implicit-TLS port a probe also completes the TLS handshake, accepting any certificate:
 * this is detection only, nothing is sent. Whether the certificate verified is recorded, and the
 * connection Heron makes later verifies it again and stops on failure. On a STARTTLS port a TCP
 * connect is all a probe does; the login check of the account (which needs the IMAP engine)
 * confirms that STARTTLS works.
 *
 * The choice: implicit TLS with a verified certificate, then implicit TLS whose certificate did
 * not verify (a self-signed or misnamed one: the person is asked), then STARTTLS; among equals,
 * the host names in the order above.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "heron-autoconfig-private.h"

#define N_HOSTS 3

typedef struct _ProbeData ProbeData;

typedef struct {
  ProbeData            *data;      /* not owned */
  GTask                *task;      /* owned while the attempt runs */
  char                 *host;
  guint                 host_index;
  guint16               port;
  HeronAccountProtocol  protocol;
  HeronAccountSecurity  security;
  GIOStream            *stream;
  gboolean              answered;
  GTlsCertificate      *certificate;
  GTlsCertificateFlags  certificate_errors;
  GError               *error;
} Attempt;

struct _ProbeData {
  HeronAutoconfigResult *result;
  GPtrArray *attempts; /* of Attempt* */
  GSocketClient *client;
  GTlsDatabase *tls_database;
  GCancellable *probe_cancellable; /* cancelled by the timeout or the caller's cancellable */
  GCancellable *caller_cancellable;
  gulong cancelled_handler;
  GSource *timeout_source;
  guint timeout_ms;
  gboolean timed_out;
  guint pending;
};

static void
attempt_free (Attempt *attempt)
{
  g_free (attempt->host);
  g_clear_object (&attempt->stream);
  g_clear_object (&attempt->certificate);
  g_clear_error (&attempt->error);
  g_free (attempt);
}

static void
probe_data_free (ProbeData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  if (data->cancelled_handler != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->cancelled_handler);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->probe_cancellable);
  g_clear_pointer (&data->attempts, g_ptr_array_unref);
  g_clear_object (&data->client);
  g_clear_object (&data->tls_database);
  g_clear_object (&data->result);
  g_free (data);
}

/* Lower is better. */
static guint
rank (const Attempt *attempt)
{
  guint tier;

  if (attempt->security == HERON_ACCOUNT_SECURITY_STARTTLS)
    tier = 2;
  else if (attempt->certificate_errors != 0)
    tier = 1;
  else
    tier = 0;
  return tier * N_HOSTS + attempt->host_index;
}

static const char *
security_words (HeronAccountSecurity security)
{
  return security == HERON_ACCOUNT_SECURITY_TLS ? _("implicit TLS") : _("STARTTLS");
}

static void
choose (ProbeData            *data,
        HeronAccountProtocol  protocol)
{
  g_autoptr(HeronAccountServer) server = NULL;
  Attempt *best = NULL;
  gboolean tried = FALSE;

  for (guint i = 0; i < data->attempts->len; i++)
    {
      Attempt *attempt = g_ptr_array_index (data->attempts, i);

      if (attempt->protocol != protocol)
        continue;
      tried = TRUE;

      if (!attempt->answered)
        {
          if (data->timed_out && g_error_matches (attempt->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            _heron_autoconfig_result_log (data->result, _("Probe: %s port %u did not answer within %u ms"),
                                          attempt->host, attempt->port, data->timeout_ms);
          else
            _heron_autoconfig_result_log (data->result, _("Probe: %s port %u: %s"),
                                          attempt->host, attempt->port,
                                          attempt->error != NULL ? attempt->error->message : "?");
          continue;
        }

      if (best == NULL || rank (attempt) < rank (best))
        best = attempt;
    }

  if (best == NULL)
    return;
  g_assert (tried);

  server = heron_account_server_new (protocol);
  heron_account_server_set_host (server, best->host);
  heron_account_server_set_port (server, best->port);
  heron_account_server_set_security (server, best->security);
  heron_account_server_set_auth (server, HERON_ACCOUNT_AUTH_PASSWORD);
  _heron_autoconfig_result_set_server (data->result, server, HERON_AUTOCONFIG_SOURCE_PROBE);

  if (best->security == HERON_ACCOUNT_SECURITY_TLS)
    {
      HeronAutoconfigCertificate status = best->certificate_errors == 0
                                          ? HERON_AUTOCONFIG_CERTIFICATE_VERIFIED
                                          : HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED;

      _heron_autoconfig_result_set_certificate (data->result, protocol, status,
                                                best->certificate, best->certificate_errors);
      _heron_autoconfig_result_log (data->result,
                                    status == HERON_AUTOCONFIG_CERTIFICATE_VERIFIED
                                    ? _("Probe: %s port %u answers with %s; its certificate is valid")
                                    : _("Probe: %s port %u answers with %s; its certificate did NOT verify"),
                                    best->host, best->port, security_words (best->security));
    }
  else
    _heron_autoconfig_result_log (data->result, _("Probe: %s port %u answers (%s)"),
                                  best->host, best->port, security_words (best->security));
}

static void
attempt_done (Attempt *attempt,
              GError  *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&attempt->task);
  ProbeData *data = g_task_get_task_data (task);

  if (error != NULL)
    attempt->error = error;
  else
    attempt->answered = TRUE;

  /* Detection is over: close politely, without waiting. */
  if (attempt->stream != NULL)
    {
      g_io_stream_close_async (attempt->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      g_clear_object (&attempt->stream);
    }

  if (--data->pending > 0)
    return;

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!_heron_autoconfig_result_has_server (data->result, HERON_ACCOUNT_PROTOCOL_IMAP))
    choose (data, HERON_ACCOUNT_PROTOCOL_IMAP);
  if (!_heron_autoconfig_result_has_server (data->result, HERON_ACCOUNT_PROTOCOL_SMTP))
    choose (data, HERON_ACCOUNT_PROTOCOL_SMTP);
  g_task_return_boolean (task, TRUE);
}

static gboolean
accept_any_certificate (GTlsConnection       *connection,
                        GTlsCertificate      *certificate,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  /* Detection only: the handshake must finish to see the server, and the errors are read from
   * the connection afterwards. Nothing is sent over this connection. */
  return TRUE;
}

static void
handshake_cb (GObject      *source_object,
              GAsyncResult *res,
              gpointer      user_data)
{
  Attempt *attempt = user_data;
  GTlsConnection *connection = G_TLS_CONNECTION (source_object);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (connection, res, &error))
    {
      attempt_done (attempt, error);
      return;
    }

  g_set_object (&attempt->certificate, g_tls_connection_get_peer_certificate (connection));
  attempt->certificate_errors = g_tls_connection_get_peer_certificate_errors (connection);
  attempt_done (attempt, NULL);
}

static void
connect_cb (GObject      *source_object,
            GAsyncResult *res,
            gpointer      user_data)
{
  Attempt *attempt = user_data;
  ProbeData *data = g_task_get_task_data (attempt->task);
  g_autoptr(GSocketConnectable) identity = NULL;
  GSocketConnection *connection;
  GIOStream *tls;
  GError *error = NULL;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source_object), res, &error);
  if (connection == NULL)
    {
      attempt_done (attempt, error);
      return;
    }
  attempt->stream = G_IO_STREAM (connection);

  if (attempt->security != HERON_ACCOUNT_SECURITY_TLS)
    {
      attempt_done (attempt, NULL);
      return;
    }

  identity = g_network_address_new (attempt->host, attempt->port);
  tls = g_tls_client_connection_new (attempt->stream, identity, &error);
  if (tls == NULL)
    {
      attempt_done (attempt, error);
      return;
    }
  g_object_unref (attempt->stream);
  attempt->stream = tls;

  if (data->tls_database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), data->tls_database);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any_certificate), NULL);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT,
                                    data->probe_cancellable, handshake_cb, attempt);
}

static gboolean
timeout_cb (gpointer user_data)
{
  ProbeData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->probe_cancellable);
  g_clear_pointer (&data->timeout_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  GCancellable *probe_cancellable = user_data;

  g_cancellable_cancel (probe_cancellable);
}

static void
add_attempts (ProbeData            *data,
              GTask                *task,
              HeronAccountProtocol  protocol,
              const char           *domain,
              guint16               tls_port,
              guint16               starttls_port)
{
  const char *first = protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? "smtp." : "imap.";
  char *hosts[N_HOSTS];

  hosts[0] = g_strconcat (first, domain, NULL);
  hosts[1] = g_strconcat ("mail.", domain, NULL);
  hosts[2] = g_strdup (domain);

  for (guint h = 0; h < N_HOSTS; h++)
    {
      for (guint s = 0; s < 2; s++)
        {
          Attempt *attempt = g_new0 (Attempt, 1);

          attempt->data = data;
          attempt->task = g_object_ref (task);
          attempt->host = g_strdup (hosts[h]);
          attempt->host_index = h;
          attempt->protocol = protocol;
          attempt->security = s == 0 ? HERON_ACCOUNT_SECURITY_TLS : HERON_ACCOUNT_SECURITY_STARTTLS;
          attempt->port = s == 0 ? tls_port : starttls_port;
          g_ptr_array_add (data->attempts, attempt);
        }
    }

  for (guint h = 0; h < N_HOSTS; h++)
    g_free (hosts[h]);
}

void
_heron_autoconfig_probe_async (HeronAutoconfigResult             *result,
                               const char                        *domain,
                               const HeronAutoconfigProbeOptions *options,
                               GCancellable                      *cancellable,
                               GAsyncReadyCallback                callback,
                               gpointer                           user_data)
{
  g_autoptr(GTask) task = NULL;
  ProbeData *data;
  guint n;

  g_return_if_fail (HERON_IS_AUTOCONFIG_RESULT (result));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, _heron_autoconfig_probe_async);

  data = g_new0 (ProbeData, 1);
  data->result = g_object_ref (result);
  data->attempts = g_ptr_array_new_with_free_func ((GDestroyNotify) attempt_free);
  data->client = g_socket_client_new ();
  /* A backstop: the timeout below cancels every attempt first. */
  g_socket_client_set_timeout (data->client, (options->timeout_ms + 999) / 1000 + 1);
  data->tls_database = options->tls_database != NULL ? g_object_ref (options->tls_database) : NULL;
  data->probe_cancellable = g_cancellable_new ();
  data->timeout_ms = options->timeout_ms;
  g_task_set_task_data (task, data, (GDestroyNotify) probe_data_free);

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      data->cancelled_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                       data->probe_cancellable, NULL);
    }

  if (!_heron_autoconfig_result_has_server (result, HERON_ACCOUNT_PROTOCOL_IMAP))
    add_attempts (data, task, HERON_ACCOUNT_PROTOCOL_IMAP, domain,
                  options->imap_tls_port, options->imap_starttls_port);
  if (!_heron_autoconfig_result_has_server (result, HERON_ACCOUNT_PROTOCOL_SMTP))
    add_attempts (data, task, HERON_ACCOUNT_PROTOCOL_SMTP, domain,
                  options->smtp_tls_port, options->smtp_starttls_port);

  n = data->attempts->len;
  if (n == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  data->timeout_source = g_timeout_source_new (options->timeout_ms);
  g_source_set_callback (data->timeout_source, timeout_cb, data, NULL);
  g_source_set_static_name (data->timeout_source, "[heron] autoconfig probe timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  /* Count them all first: an attempt may fail at once (a cancelled cancellable). */
  data->pending = n;
  for (guint i = 0; i < n; i++)
    {
      Attempt *attempt = g_ptr_array_index (data->attempts, i);

      g_socket_client_connect_to_host_async (data->client, attempt->host, attempt->port,
                                             data->probe_cancellable, connect_cb, attempt);
    }
}

gboolean
_heron_autoconfig_probe_finish (GAsyncResult  *res,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (res, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (res)) == _heron_autoconfig_probe_async, FALSE);

  return g_task_propagate_boolean (G_TASK (res), error);
}
