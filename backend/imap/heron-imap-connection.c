/* heron-imap-connection.c: the connection object, connecting, TLS and certificates, COMPRESS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Connecting is a chain of steps on the connection's context:
 *
 *   TCP connect (connect timeout)
 *   -> implicit TLS: handshake (connect timeout), then the greeting
 *   -> STARTTLS: the greeting in plain text; CAPABILITY unless the greeting had them;
 *      STARTTLS (a barrier: nothing is pipelined behind it); at its tagged OK the reader stops at
 *      the end of that line, drops whatever else was received and resets the parser; the
 *      handshake; CAPABILITY again (what the server said before TLS is forgotten).
 *   -> CONNECTED.
 *
 * The security rules (DESIGN.md): no silent fallback to plain text. A server that does not offer
 * STARTTLS or refuses it, or greets with PREAUTH before TLS, fails the connection unless the
 * settings allow plain text and the peer is a loopback address.
 *
 * Certificates follow the rules every Heron connection follows (net/heron-tls.h): a
 * HeronTlsPolicy made from the settings' pinned certificate and decision callback is installed
 * on the TLS connection, and decides after the handshake; a refused certificate fails the
 * connection with HERON_IMAP_ERROR_CERTIFICATE, keeping the certificate and its errors for the UI.
 */

#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "heron-imap-connection-private.h"
#include "net/heron-net.h"

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  SIGNAL_UNSOLICITED,
  SIGNAL_ALERT,
  SIGNAL_CLOSED,
  SIGNAL_CERTIFICATE_PINNED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeronImapConnection, heron_imap_connection, G_TYPE_OBJECT)

/* Settings */

void
heron_imap_connection_settings_init (HeronImapConnectionSettings *settings)
{
  g_return_if_fail (settings != NULL);

  memset (settings, 0, sizeof *settings);
  settings->security = HERON_IMAP_SECURITY_TLS;
  settings->connect_timeout_ms = HERON_IMAP_DEFAULT_CONNECT_TIMEOUT_MS;
  settings->read_timeout_ms = HERON_IMAP_DEFAULT_READ_TIMEOUT_MS;
  settings->keepalive_ms = HERON_IMAP_DEFAULT_KEEPALIVE_MS;
  settings->tag_prefix = 'A';
  heron_imap_parser_limits_init (&settings->limits);
}

void
heron_imap_connection_settings_clear (HeronImapConnectionSettings *settings)
{
  g_return_if_fail (settings != NULL);

  g_clear_pointer (&settings->host, g_free);
  g_clear_object (&settings->tls_database);
  g_clear_object (&settings->pinned_certificate);
}

void
heron_imap_connection_settings_copy (const HeronImapConnectionSettings *src,
                                     HeronImapConnectionSettings       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;

  *dest = *src;
  dest->host = g_strdup (src->host);
  if (dest->tls_database != NULL)
    g_object_ref (dest->tls_database);
  if (dest->pinned_certificate != NULL)
    g_object_ref (dest->pinned_certificate);
}

/* The object */

static void
heron_imap_connection_dispose (GObject *object)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (object);

  if (self->state != HERON_IMAP_CONNECTION_CLOSED && self->state != HERON_IMAP_CONNECTION_DISCONNECTED)
    _heron_imap_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                            "The connection was closed"));

  _heron_imap_connection_stop_reading (self);
  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  g_clear_pointer (&self->tls_policy, heron_tls_policy_free);

  g_clear_object (&self->client);
  g_clear_object (&self->tls);
  g_clear_object (&self->socket_connection);
  g_clear_object (&self->stream);
  g_clear_object (&self->input);
  g_clear_object (&self->output);
  g_clear_object (&self->inflater);
  g_clear_object (&self->deflater);

  G_OBJECT_CLASS (heron_imap_connection_parent_class)->dispose (object);
}

static void
heron_imap_connection_finalize (GObject *object)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (object);

  g_assert (self->in_feed == 0);
  g_assert (g_queue_is_empty (&self->queue));
  g_assert (g_queue_is_empty (&self->inflight));

  g_queue_clear_full (&self->lines, (GDestroyNotify) g_bytes_unref);
  g_clear_pointer (&self->parser, heron_imap_parser_free);
  g_clear_pointer (&self->tags, heron_imap_tag_generator_free);
  g_clear_pointer (&self->greeting, heron_imap_response_unref);
  g_clear_pointer (&self->bye, heron_imap_response_unref);
  g_clear_pointer (&self->capabilities, g_ptr_array_unref);
  g_clear_pointer (&self->by_tag, g_hash_table_unref);
  g_clear_pointer (&self->read_buffer, g_free);
  g_clear_pointer (&self->inflate_buffer, g_free);
  g_clear_pointer (&self->body_buffer, g_byte_array_unref);
  g_clear_pointer (&self->collected, g_ptr_array_unref);
  g_clear_pointer (&self->pending_output, g_bytes_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->connect_task);
  g_clear_pointer (&self->context, g_main_context_unref);
  heron_imap_connection_settings_clear (&self->settings);

  G_OBJECT_CLASS (heron_imap_connection_parent_class)->finalize (object);
}

static void
heron_imap_connection_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_imap_connection_class_init (HeronImapConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = heron_imap_connection_dispose;
  object_class->finalize = heron_imap_connection_finalize;
  object_class->get_property = heron_imap_connection_get_property;

  /* A HeronImapConnectionState. */
  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL,
                       0, HERON_IMAP_CONNECTION_CLOSED, HERON_IMAP_CONNECTION_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::unsolicited (HeronImapResponse *response): an untagged response no command claimed. The
   * response is valid during the emission; keep it with heron_imap_response_ref(). */
  signals[SIGNAL_UNSOLICITED] =
    g_signal_new ("unsolicited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /* ::alert (const char *text): a response with the ALERT code; show text to the person. */
  signals[SIGNAL_ALERT] =
    g_signal_new ("alert", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /* ::closed (const GError *error): the connection failed or was closed; emitted once. */
  signals[SIGNAL_CLOSED] =
    g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /* ::certificate-pinned (GTlsCertificate *certificate): the decision callback answered
   * ACCEPT_AND_PIN; store the certificate with the account. */
  signals[SIGNAL_CERTIFICATE_PINNED] =
    g_signal_new ("certificate-pinned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_TLS_CERTIFICATE);
}

static gboolean
on_response (HeronImapParser   *parser,
             HeronImapResponse *response,
             gpointer           user_data,
             GError           **error);

static void
free_collected (gpointer data)
{
  if (data != NULL)
    g_bytes_unref (data);
}

static void
heron_imap_connection_init (HeronImapConnection *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->cancellable = g_cancellable_new ();
  self->by_tag = g_hash_table_new (g_str_hash, g_str_equal);
  self->collected = g_ptr_array_new_with_free_func (free_collected);
  g_queue_init (&self->queue);
  g_queue_init (&self->inflight);
  g_queue_init (&self->lines);
}

HeronImapConnection *
heron_imap_connection_new (const HeronImapConnectionSettings *settings)
{
  HeronImapConnection *self;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (settings->host != NULL && *settings->host != '\0', NULL);

  self = g_object_new (HERON_IMAP_TYPE_CONNECTION, NULL);
  heron_imap_connection_settings_copy (settings, &self->settings);
  if (self->settings.port == 0)
    self->settings.port = settings->security == HERON_IMAP_SECURITY_TLS ? 993 : 143;
  if (self->settings.connect_timeout_ms == 0)
    self->settings.connect_timeout_ms = HERON_IMAP_DEFAULT_CONNECT_TIMEOUT_MS;
  if (self->settings.read_timeout_ms == 0)
    self->settings.read_timeout_ms = HERON_IMAP_DEFAULT_READ_TIMEOUT_MS;
  if (self->settings.keepalive_ms == 0)
    self->settings.keepalive_ms = HERON_IMAP_DEFAULT_KEEPALIVE_MS;
  if (!g_ascii_isupper (self->settings.tag_prefix))
    self->settings.tag_prefix = 'A';

  self->tls_policy = heron_tls_policy_new (self->settings.host, self->settings.pinned_certificate,
                                           self->settings.certificate_func,
                                           self->settings.certificate_data);
  self->tags = heron_imap_tag_generator_new (self->settings.tag_prefix);
  self->parser = heron_imap_parser_new (&self->settings.limits, on_response, self, NULL);

  return self;
}

const HeronImapConnectionSettings *
heron_imap_connection_get_settings (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return &self->settings;
}

static void
set_state (HeronImapConnection      *self,
           HeronImapConnectionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
_heron_imap_connection_set_state (HeronImapConnection      *self,
                                  HeronImapConnectionState  state)
{
  set_state (self, state);
}

void
_heron_imap_connection_emit_unsolicited (HeronImapConnection *self,
                                         HeronImapResponse   *response)
{
  g_signal_emit (self, signals[SIGNAL_UNSOLICITED], 0, response);
}

void
_heron_imap_connection_emit_alert (HeronImapConnection *self,
                                   const char          *text)
{
  g_signal_emit (self, signals[SIGNAL_ALERT], 0, text);
}

/* Called by _heron_imap_connection_fail() once the state is CLOSED. */
void
_heron_imap_connection_closed (HeronImapConnection *self)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (task != NULL)
    {
      g_task_return_error (task, g_error_copy (self->error));
      g_object_unref (task);
    }

  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, self->error);
}

static gboolean
on_response (HeronImapParser   *parser,
             HeronImapResponse *response,
             gpointer           user_data,
             GError           **error)
{
  return _heron_imap_connection_route (HERON_IMAP_CONNECTION (user_data), response, error);
}

/* Certificates (net/heron-tls.c) */

char *
heron_imap_certificate_dup_fingerprint (GTlsCertificate *certificate)
{
  return heron_tls_certificate_dup_fingerprint (certificate);
}

char *
heron_imap_certificate_describe_errors (GTlsCertificateFlags errors)
{
  return heron_tls_describe_errors (errors);
}

GTlsCertificate *
heron_imap_connection_get_peer_certificate (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return heron_tls_policy_get_peer_certificate (self->tls_policy);
}

GTlsCertificateFlags
heron_imap_connection_get_peer_certificate_errors (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), 0);

  return heron_tls_policy_get_peer_errors (self->tls_policy);
}

GTlsCertificate *
heron_imap_connection_get_certificate_to_pin (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return heron_tls_policy_get_certificate_to_pin (self->tls_policy);
}

/* Connecting */

static void
connected (HeronImapConnection *self)
{
  GTask *task = g_steal_pointer (&self->connect_task);

  self->phase = NULL;
  self->phase_deadline = 0;
  set_state (self, HERON_IMAP_CONNECTION_CONNECTED);
  g_debug ("Connected to %s:%u (%s)", self->settings.host, self->settings.port,
           self->tls != NULL ? "TLS" : "plain text");

  _heron_imap_connection_arm_timer (self);
  _heron_imap_connection_schedule_write (self);

  if (task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
}

static gboolean
plaintext_allowed (HeronImapConnection *self)
{
  return self->settings.allow_plaintext && self->peer_is_loopback;
}

static void
send_internal (HeronImapConnection *self,
               HeronImapCommand    *command,
               CmdKind              kind)
{
  Cmd *cmd = _heron_imap_cmd_new (command, kind, HERON_IMAP_SEND_BARRIER);

  _heron_imap_connection_enqueue (self, cmd);
}

/* With the capabilities known on a plain-text connection that should get TLS. */
static gboolean
start_starttls (HeronImapConnection *self,
                GError             **error)
{
  if (heron_imap_connection_has_capability (self, "STARTTLS"))
    {
      g_autoptr(HeronImapCommand) command = heron_imap_command_new_starttls ();

      send_internal (self, command, CMD_KIND_STARTTLS);
      return TRUE;
    }

  if (plaintext_allowed (self))
    {
      g_debug ("%s does not offer STARTTLS: staying in plain text on loopback, as the "
               "settings allow", self->settings.host);
      connected (self);
      return TRUE;
    }

  g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS,
               "The server %s does not offer STARTTLS, and the connection must be encrypted",
               self->settings.host);
  return FALSE;
}

static gboolean
needs_starttls (HeronImapConnection *self)
{
  return self->settings.security == HERON_IMAP_SECURITY_STARTTLS && self->tls == NULL;
}

/* The capabilities of this stage are known: STARTTLS, or done. STARTTLS is not allowed in the
 * authenticated state, so after PREAUTH (on loopback with plain text allowed) there is none. */
static gboolean
capabilities_known (HeronImapConnection *self,
                    GError             **error)
{
  if (needs_starttls (self) && !self->preauth)
    return start_starttls (self, error);

  connected (self);
  return TRUE;
}

gboolean
_heron_imap_connection_on_greeting (HeronImapConnection *self,
                                    HeronImapResponse   *response,
                                    GError             **error)
{
  const HeronImapStatus *status = &response->status;

  if (response->kind != HERON_IMAP_RESPONSE_STATUS || response->tag != NULL ||
      (status->condition != HERON_IMAP_CONDITION_OK &&
       status->condition != HERON_IMAP_CONDITION_PREAUTH &&
       status->condition != HERON_IMAP_CONDITION_BYE))
    {
      g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                   "The server did not greet with OK, PREAUTH or BYE but sent %s",
                   heron_imap_response_kind_to_string (response->kind));
      return FALSE;
    }

  if (status->condition == HERON_IMAP_CONDITION_BYE)
    {
      g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_BYE,
                   "The server refused the connection: %s", status->text);
      return FALSE;
    }

  self->greeting_seen = TRUE;
  self->greeting = heron_imap_response_ref (response);
  self->preauth = status->condition == HERON_IMAP_CONDITION_PREAUTH;

  if (status->code.kind == HERON_IMAP_CODE_CAPABILITY)
    _heron_imap_connection_update_capabilities (self, &status->code.strings);

  if (self->preauth && needs_starttls (self) && !plaintext_allowed (self))
    {
      g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS,
                   "The server %s logged the connection in (PREAUTH) before TLS was set up; "
                   "an unencrypted connection is not allowed", self->settings.host);
      return FALSE;
    }

  if (self->capabilities == NULL)
    {
      g_autoptr(HeronImapCommand) command = heron_imap_command_new_capability ();

      send_internal (self, command, CMD_KIND_CAPABILITY);
      return TRUE;
    }

  return capabilities_known (self, error);
}

static void start_handshake (HeronImapConnection *self);

void
_heron_imap_connection_internal_done (HeronImapConnection *self,
                                      Cmd                 *cmd,
                                      HeronImapResponse   *tagged)
{
  GError *error = NULL;

  switch (cmd->kind)
    {
    case CMD_KIND_CAPABILITY:
      if (self->state != HERON_IMAP_CONNECTION_CONNECTING)
        return;
      if (tagged->status.condition != HERON_IMAP_CONDITION_OK)
        {
          _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                                                          "The server refused CAPABILITY: %s",
                                                          tagged->status.text));
          return;
        }
      if (self->capabilities == NULL)
        _heron_imap_connection_update_capabilities (self, &(HeronImapStrings) { NULL, 0 });
      if (!capabilities_known (self, &error))
        _heron_imap_connection_fail (self, error);
      return;

    case CMD_KIND_STARTTLS:
      if (tagged->status.condition == HERON_IMAP_CONDITION_OK)
        return; /* the reader switches at the end of this line */
      self->switch_kind = CMD_KIND_USER;
      if (plaintext_allowed (self))
        {
          g_debug ("%s refused STARTTLS: staying in plain text on loopback, as the settings "
                   "allow", self->settings.host);
          connected (self);
          return;
        }
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS,
                                                      "The server %s refused STARTTLS: %s",
                                                      self->settings.host, tagged->status.text));
      return;

    case CMD_KIND_COMPRESS:
      if (tagged->status.condition == HERON_IMAP_CONDITION_OK)
        return; /* the reader switches at the end of this line */
      self->switch_kind = CMD_KIND_USER;
      if (self->compress_task != NULL)
        {
          GTask *task = g_steal_pointer (&self->compress_task);

          heron_imap_check_tagged (tagged, &error);
          g_task_return_error (task, error);
          g_object_unref (task);
        }
      _heron_imap_connection_schedule_write (self);
      return;

    case CMD_KIND_NOOP:
    case CMD_KIND_USER:
    default:
      return;
    }
}

/* The tagged OK of STARTTLS or COMPRESS was the last line fed; rest is what came after it in the
 * same read. */
void
_heron_imap_connection_switch (HeronImapConnection *self,
                               const guint8        *rest,
                               gsize                rest_len)
{
  if (self->switch_kind == CMD_KIND_STARTTLS)
    {
      /* Anything here was sent before the handshake, in the clear, where anyone could have
       * injected it (CVE-2011-0411 and its IMAP cousins): it must never be acted on. */
      if (rest_len > 0)
        g_debug ("Discarding %" G_GSIZE_FORMAT " bytes received from %s after the STARTTLS "
                 "reply, before the TLS handshake", rest_len, self->settings.host);
      self->discarded_bytes += rest_len;
      heron_imap_parser_reset (self->parser);
      g_clear_pointer (&self->capabilities, g_ptr_array_unref);
      _heron_imap_connection_stop_reading (self);
      g_clear_object (&self->input);
      g_clear_object (&self->output);
      /* The STARTTLS line's write may not have completed yet (its reply can come first): the
       * base stream must be idle before TLS takes it over. */
      if (self->write_busy)
        self->handshake_waiting = TRUE;
      else
        start_handshake (self);
      return;
    }

  if (self->switch_kind == CMD_KIND_COMPRESS)
    {
      GTask *task = g_steal_pointer (&self->compress_task);

      self->switch_kind = CMD_KIND_USER;
      _heron_imap_connection_enable_compression (self);
      g_debug ("COMPRESS=DEFLATE is active with %s", self->settings.host);
      if (rest_len > 0)
        _heron_imap_connection_process (self, rest, rest_len);
      _heron_imap_connection_schedule_write (self);

      if (task != NULL)
        {
          if (self->state == HERON_IMAP_CONNECTION_CLOSED)
            g_task_return_error (task, g_error_copy (self->error));
          else
            g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
    }
}

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HeronImapConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GError *failure = NULL;
  GTlsCertificate *to_pin;
  gboolean ok;

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return;

  self->phase = NULL;
  self->phase_deadline = 0;

  /* A refused certificate (untrusted, rejected, or not the pinned one, even one that verifies)
   * is HERON_IMAP_ERROR_CERTIFICATE; any other failure HERON_IMAP_ERROR_TLS. */
  if (!heron_tls_policy_check_handshake (self->tls_policy, ok, error, HERON_IMAP_ERROR,
                                         HERON_IMAP_ERROR_TLS, HERON_IMAP_ERROR_CERTIFICATE,
                                         &failure))
    {
      _heron_imap_connection_fail (self, failure);
      return;
    }

  to_pin = heron_tls_policy_get_certificate_to_pin (self->tls_policy);
  if (to_pin != NULL)
    g_signal_emit (self, signals[SIGNAL_CERTIFICATE_PINNED], 0, to_pin);
  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return;

  g_debug ("TLS is up with %s", self->settings.host);

  _heron_imap_connection_set_streams (self, G_IO_STREAM (self->tls));
  _heron_imap_connection_start_reading (self);

  if (self->switch_kind == CMD_KIND_STARTTLS)
    {
      g_autoptr(HeronImapCommand) command = heron_imap_command_new_capability ();

      self->switch_kind = CMD_KIND_USER;
      send_internal (self, command, CMD_KIND_CAPABILITY);
    }

  _heron_imap_connection_arm_timer (self);
}

void
_heron_imap_connection_start_handshake (HeronImapConnection *self)
{
  self->handshake_waiting = FALSE;
  start_handshake (self);
}

static void
start_handshake (HeronImapConnection *self)
{
  g_autoptr(GError) error = NULL;
  GTlsClientConnection *tls;

  tls = heron_tls_policy_wrap (self->tls_policy, G_IO_STREAM (self->socket_connection),
                               self->settings.port, self->settings.tls_database, &error);
  if (tls == NULL)
    {
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS,
                                                      "TLS is not available: %s", error->message));
      return;
    }

  self->tls = G_TLS_CONNECTION (tls);

  self->phase = "handshake";
  self->phase_deadline = g_get_monotonic_time () + (gint64) self->settings.connect_timeout_ms * 1000;
  _heron_imap_connection_arm_timer (self);

  g_tls_connection_handshake_async (self->tls, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_handshake, g_object_ref (self));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(HeronImapConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  GSocket *socket;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    {
      g_clear_object (&connection);
      return;
    }

  if (connection == NULL)
    {
      _heron_imap_connection_fail (self, g_error_new (error->domain, error->code,
                                                      "Could not connect to %s port %u: %s",
                                                      self->settings.host, self->settings.port,
                                                      error->message));
      return;
    }

  self->socket_connection = connection;
  self->peer_is_loopback = heron_net_connection_is_loopback (connection);
  self->phase = NULL;
  self->phase_deadline = 0;

  socket = g_socket_connection_get_socket (connection);
  g_socket_set_keepalive (socket, TRUE);
  /* Pipelined commands go out as soon as they are written. */
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, &error))
    {
      g_debug ("Could not set TCP_NODELAY: %s", error->message);
      g_clear_error (&error);
    }

  if (self->settings.security == HERON_IMAP_SECURITY_NONE && !plaintext_allowed (self))
    {
      _heron_imap_connection_fail (self, g_error_new (HERON_IMAP_ERROR, HERON_IMAP_ERROR_TLS,
                                                      "An unencrypted connection to %s is not "
                                                      "allowed: plain text is only for loopback "
                                                      "addresses, when the account allows it",
                                                      self->settings.host));
      return;
    }

  if (self->settings.security == HERON_IMAP_SECURITY_TLS)
    {
      start_handshake (self);
      return;
    }

  _heron_imap_connection_set_streams (self, G_IO_STREAM (connection));
  _heron_imap_connection_start_reading (self);
  _heron_imap_connection_arm_timer (self);
}

static gboolean
on_connect_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  HeronImapConnection *self = HERON_IMAP_CONNECTION (user_data);

  if (self->state == HERON_IMAP_CONNECTION_CONNECTING)
    _heron_imap_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                            "Connecting was cancelled"));
  return G_SOURCE_REMOVE;
}

void
heron_imap_connection_connect_async (HeronImapConnection  *self,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_connection_connect_async);

  if (self->state != HERON_IMAP_CONNECTION_DISCONNECTED)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "The connection was already used; make a new one");
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->connect_task = g_object_ref (task);
  set_state (self, HERON_IMAP_CONNECTION_CONNECTING);

  if (cancellable != NULL)
    {
      self->connect_cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->connect_cancel_source, G_SOURCE_FUNC (on_connect_cancelled),
                             self, NULL);
      g_source_attach (self->connect_cancel_source, self->context);
    }

  self->client = g_socket_client_new ();
  g_socket_client_set_timeout (self->client, 0);
  g_socket_client_set_tls (self->client, FALSE);
  if (heron_net_is_loopback_name (self->settings.host))
    g_socket_client_set_enable_proxy (self->client, FALSE);

  self->phase = "connect";
  self->phase_deadline = g_get_monotonic_time () + (gint64) self->settings.connect_timeout_ms * 1000;
  self->last_activity = g_get_monotonic_time ();
  _heron_imap_connection_arm_timer (self);

  g_debug ("Connecting to %s port %u", self->settings.host, self->settings.port);
  g_socket_client_connect_to_host_async (self->client, self->settings.host, self->settings.port,
                                         self->cancellable, on_connected, g_object_ref (self));
}

gboolean
heron_imap_connection_connect_finish (HeronImapConnection  *self,
                                      GAsyncResult         *result,
                                      GError              **error)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (self->connect_cancel_source != NULL)
    {
      g_source_destroy (self->connect_cancel_source);
      g_clear_pointer (&self->connect_cancel_source, g_source_unref);
    }

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* COMPRESS */

/* Cancelled while queued: COMPRESS is taken out and never sent. Cancelled once written: the server
 * runs it anyway, so the caller hears G_IO_ERROR_CANCELLED now, but the command stays a barrier
 * until its reply, and at a tagged OK the connection still switches to deflate (the streams must
 * follow the server); a NO leaves it uncompressed. */
static gboolean
on_compress_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  Cmd *cmd = user_data;
  HeronImapConnection *self = cmd->connection;
  GTask *task;

  g_source_destroy (cmd->cancel_source);
  g_clear_pointer (&cmd->cancel_source, g_source_unref);

  g_object_ref (self);
  task = g_steal_pointer (&self->compress_task);

  if (cmd->state == CMD_QUEUED)
    {
      g_debug ("COMPRESS with %s cancelled before it was sent", self->settings.host);
      _heron_imap_connection_complete (self, cmd, NULL, NULL);
    }
  else
    g_debug ("COMPRESS with %s cancelled after it was sent: its reply still decides", self->settings.host);

  if (task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "COMPRESS was cancelled");
      g_object_unref (task);
    }

  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

void
heron_imap_connection_compress_async (HeronImapConnection  *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(HeronImapCommand) command = NULL;
  Cmd *cmd;

  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, heron_imap_connection_compress_async);

  if (self->state != HERON_IMAP_CONNECTION_CONNECTED)
    {
      g_task_return_error (task, self->error != NULL ? g_error_copy (self->error) :
                           g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                                "The connection is not established"));
      return;
    }
  if (self->inflater != NULL || self->compress_task != NULL)
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PROTOCOL,
                               "Compression is already active");
      return;
    }
  if (!heron_imap_connection_has_capability (self, "COMPRESS=DEFLATE"))
    {
      g_task_return_new_error (task, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                               "The server %s does not offer COMPRESS=DEFLATE",
                               self->settings.host);
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  self->compress_task = g_steal_pointer (&task);
  command = heron_imap_command_new_compress ();
  cmd = _heron_imap_cmd_new (command, CMD_KIND_COMPRESS, HERON_IMAP_SEND_BARRIER);
  _heron_imap_connection_enqueue (self, cmd);

  if (cancellable != NULL)
    {
      /* A source on the connection's context, as for every command: the cancellable may be
       * cancelled from another thread. */
      cmd->cancellable = g_object_ref (cancellable);
      cmd->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (cmd->cancel_source, G_SOURCE_FUNC (on_compress_cancelled), cmd, NULL);
      g_source_attach (cmd->cancel_source, self->context);
    }
}

gboolean
heron_imap_connection_compress_finish (HeronImapConnection  *self,
                                       GAsyncResult         *result,
                                       GError              **error)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
heron_imap_connection_close (HeronImapConnection *self)
{
  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));

  if (self->state == HERON_IMAP_CONNECTION_CLOSED)
    return;

  _heron_imap_connection_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                          "The connection was closed"));
}

/* Getters */

HeronImapConnectionState
heron_imap_connection_get_state (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), HERON_IMAP_CONNECTION_CLOSED);

  return self->state;
}

const GError *
heron_imap_connection_get_error (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return self->error;
}

HeronImapResponse *
heron_imap_connection_get_greeting (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return self->greeting;
}

gboolean
heron_imap_connection_is_preauth (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);

  return self->preauth;
}

gboolean
heron_imap_connection_is_tls (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);

  return self->tls != NULL && self->stream == G_IO_STREAM (self->tls);
}

gboolean
heron_imap_connection_is_compressed (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);

  return self->inflater != NULL;
}

guint64
heron_imap_connection_get_discarded_bytes (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), 0);

  return self->discarded_bytes;
}

HeronImapLiteralMode
heron_imap_connection_get_literal_mode (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), HERON_IMAP_LITERAL_SYNC);

  if (self->settings.force_sync_literals)
    return HERON_IMAP_LITERAL_SYNC;
  if (heron_imap_connection_has_capability (self, "LITERAL+"))
    return HERON_IMAP_LITERAL_PLUS;
  if (heron_imap_connection_has_capability (self, "LITERAL-") ||
      heron_imap_connection_has_capability (self, "IMAP4rev2"))
    return HERON_IMAP_LITERAL_MINUS;
  return HERON_IMAP_LITERAL_SYNC;
}

gboolean
heron_imap_connection_has_capability (HeronImapConnection *self,
                                      const char          *capability)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  if (self->capabilities == NULL)
    return FALSE;

  for (guint i = 0; i + 1 < self->capabilities->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (self->capabilities, i), capability) == 0)
      return TRUE;

  return FALSE;
}

const char * const *
heron_imap_connection_get_capabilities (HeronImapConnection *self)
{
  g_return_val_if_fail (HERON_IMAP_IS_CONNECTION (self), NULL);

  return self->capabilities != NULL ? (const char * const *) self->capabilities->pdata : NULL;
}

void
heron_imap_connection_clear_capabilities (HeronImapConnection *self)
{
  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));

  g_clear_pointer (&self->capabilities, g_ptr_array_unref);
}

void
heron_imap_connection_set_capabilities (HeronImapConnection    *self,
                                        const HeronImapStrings *capabilities)
{
  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));
  g_return_if_fail (capabilities != NULL);

  _heron_imap_connection_update_capabilities (self, capabilities);
}

void
heron_imap_connection_set_parser_flags (HeronImapConnection  *self,
                                        HeronImapParserFlags  flags)
{
  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));

  heron_imap_parser_set_flags (self->parser, flags);
}

void
heron_imap_connection_get_parser_stats (HeronImapConnection  *self,
                                        HeronImapParserStats *stats)
{
  g_return_if_fail (HERON_IMAP_IS_CONNECTION (self));
  g_return_if_fail (stats != NULL);

  heron_imap_parser_get_stats (self->parser, stats);
}

/* Tagged replies as errors */

gboolean
heron_imap_check_tagged (const HeronImapResponse  *tagged,
                         GError                  **error)
{
  const HeronImapStatus *status;
  g_autofree char *message = NULL;

  g_return_val_if_fail (tagged != NULL, FALSE);
  g_return_val_if_fail (tagged->kind == HERON_IMAP_RESPONSE_STATUS, FALSE);

  status = &tagged->status;
  if (status->condition == HERON_IMAP_CONDITION_OK)
    return TRUE;

  if (status->code.kind != HERON_IMAP_CODE_NONE)
    message = g_strdup_printf ("[%s%s%s] %s", status->code.name,
                               *status->code.raw != '\0' ? " " : "", status->code.raw,
                               status->text);
  else
    message = g_strdup (status->text);

  g_set_error_literal (error, HERON_IMAP_ERROR,
                       status->condition == HERON_IMAP_CONDITION_BAD ?
                       HERON_IMAP_ERROR_BAD_RESPONSE : HERON_IMAP_ERROR_NO_RESPONSE,
                       message);
  return FALSE;
}

char *
heron_imap_error_dup_response_code (const GError *error)
{
  const char *p, *end;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != HERON_IMAP_ERROR || error->message[0] != '[')
    return NULL;

  p = error->message + 1;
  end = p;
  while (*end != '\0' && *end != ' ' && *end != ']')
    end++;
  if (*end == '\0' || end == p)
    return NULL;

  return g_ascii_strup (p, end - p);
}
