/* heron-smtp-client.c: submission: AUTH, the envelope, DATA, QUIT
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One send is one connection (heron-smtp-connection.c) and these steps:
 *
 *   open (TLS or STARTTLS, EHLO)
 *   -> AUTH (RFC 4954): the mechanism from the settings or the server's list; the initial
 *      response on the AUTH line when the line stays within 512 octets, else after the first
 *      334; each 334 answered by the mechanism (the SASL code of backend/imap); a refused
 *      OAuth token is asked for again once, refreshed
 *   -> MAIL FROM with SIZE=, BODY=8BITMIME and SMTPUTF8 as needed, and RCPT TO for each
 *      recipient: with PIPELINING in groups of up to 100 commands written at once (RFC 2920),
 *      else one at a time; every reply is kept for its recipient
 *   -> DATA, the message streamed (heron-smtp-data.h), the final reply
 *   -> QUIT (its reply is waited for briefly and does not change the outcome).
 *
 * Whatever is refused ends the send with the server's words, after a QUIT; a connection that
 * fails ends it at once. Credentials never reach a log: AUTH lines are logged without their
 * argument, SASL answers as "<redacted>", and every copy is wiped when freed.
 */

#include "config.h"

#include <string.h>

#include "heron-smtp-private.h"

#define QUIT_TIMEOUT_MS (10 * 1000)

struct _HeronSmtpClient {
  GObject parent_instance;

  HeronSmtpClientSettings settings;
};

enum {
  SIGNAL_CERTIFICATE_PINNED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HeronSmtpClient, heron_smtp_client, G_TYPE_OBJECT)

/* Settings */

void
heron_smtp_client_settings_init (HeronSmtpClientSettings *settings)
{
  g_return_if_fail (settings != NULL);

  memset (settings, 0, sizeof *settings);
  settings->security = HERON_SMTP_SECURITY_TLS;
  settings->auth_mechanism = HERON_SMTP_AUTH_AUTO;
  settings->connect_timeout_ms = HERON_SMTP_DEFAULT_CONNECT_TIMEOUT_MS;
  settings->command_timeout_ms = HERON_SMTP_DEFAULT_COMMAND_TIMEOUT_MS;
  settings->envelope_timeout_ms = HERON_SMTP_DEFAULT_ENVELOPE_TIMEOUT_MS;
  settings->data_timeout_ms = HERON_SMTP_DEFAULT_DATA_TIMEOUT_MS;
  settings->final_timeout_ms = HERON_SMTP_DEFAULT_FINAL_TIMEOUT_MS;
  heron_smtp_reply_limits_init (&settings->limits);
}

void
heron_smtp_client_settings_clear (HeronSmtpClientSettings *settings)
{
  g_return_if_fail (settings != NULL);

  g_clear_pointer (&settings->host, g_free);
  g_clear_pointer (&settings->user, g_free);
  g_clear_pointer (&settings->password, _heron_smtp_wipe_string);
  g_clear_pointer (&settings->ehlo_name, g_free);
  g_clear_object (&settings->tls_database);
  g_clear_object (&settings->pinned_certificate);
  g_clear_object (&settings->token_provider);
}

void
heron_smtp_client_settings_copy (const HeronSmtpClientSettings *src,
                                 HeronSmtpClientSettings       *dest)
{
  g_return_if_fail (src != NULL);
  g_return_if_fail (dest != NULL);

  if (src == dest)
    return;

  *dest = *src;
  dest->host = g_strdup (src->host);
  dest->user = g_strdup (src->user);
  dest->password = g_strdup (src->password);
  dest->ehlo_name = g_strdup (src->ehlo_name);
  if (dest->tls_database != NULL)
    g_object_ref (dest->tls_database);
  if (dest->pinned_certificate != NULL)
    g_object_ref (dest->pinned_certificate);
  if (dest->token_provider != NULL)
    g_object_ref (dest->token_provider);
}

/* The object */

static void
heron_smtp_client_finalize (GObject *object)
{
  HeronSmtpClient *self = HERON_SMTP_CLIENT (object);

  heron_smtp_client_settings_clear (&self->settings);

  G_OBJECT_CLASS (heron_smtp_client_parent_class)->finalize (object);
}

static void
heron_smtp_client_class_init (HeronSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_smtp_client_finalize;

  /* ::certificate-pinned (GTlsCertificate *certificate): the decision callback answered
   * ACCEPT_AND_PIN and the handshake succeeded; store the certificate with the account and
   * pass it as pinned_certificate from now on. */
  signals[SIGNAL_CERTIFICATE_PINNED] =
    g_signal_new ("certificate-pinned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_TLS_CERTIFICATE);
}

static void
heron_smtp_client_init (HeronSmtpClient *self)
{
}

HeronSmtpClient *
heron_smtp_client_new (const HeronSmtpClientSettings *settings)
{
  HeronSmtpClient *self;
  HeronSmtpClientSettings *own;

  g_return_val_if_fail (settings != NULL, NULL);
  g_return_val_if_fail (settings->host != NULL && *settings->host != '\0', NULL);
  g_return_val_if_fail (settings->token_provider == NULL ||
                        HERON_IMAP_IS_TOKEN_PROVIDER (settings->token_provider), NULL);

  self = g_object_new (HERON_SMTP_TYPE_CLIENT, NULL);
  own = &self->settings;
  heron_smtp_client_settings_copy (settings, own);

  if (own->port == 0)
    own->port = own->security == HERON_SMTP_SECURITY_TLS ? 465 : 587;
  if (own->connect_timeout_ms == 0)
    own->connect_timeout_ms = HERON_SMTP_DEFAULT_CONNECT_TIMEOUT_MS;
  if (own->command_timeout_ms == 0)
    own->command_timeout_ms = HERON_SMTP_DEFAULT_COMMAND_TIMEOUT_MS;
  if (own->envelope_timeout_ms == 0)
    own->envelope_timeout_ms = HERON_SMTP_DEFAULT_ENVELOPE_TIMEOUT_MS;
  if (own->data_timeout_ms == 0)
    own->data_timeout_ms = HERON_SMTP_DEFAULT_DATA_TIMEOUT_MS;
  if (own->final_timeout_ms == 0)
    own->final_timeout_ms = HERON_SMTP_DEFAULT_FINAL_TIMEOUT_MS;

  return self;
}

const HeronSmtpClientSettings *
heron_smtp_client_get_settings (HeronSmtpClient *self)
{
  g_return_val_if_fail (HERON_SMTP_IS_CLIENT (self), NULL);

  return &self->settings;
}

/* One send (or check) */

typedef enum {
  OP_SEND,
  OP_CHECK,
} OpKind;

typedef struct {
  OpKind kind;
  HeronSmtpConnection *connection;
  GCancellable *cancellable;

  /* the envelope and the message */
  char *wire_from;
  GStrv wire_recipients;         /* as sent; the result has them as given */
  gboolean smtputf8;
  GInputStream *message;
  gint64 size;                   /* -1: unknown */
  HeronSmtpBody body;
  int known_8bit;                /* -1 unknown, else whether the message has 8-bit bytes */
  gboolean allow_8bit;
  char *mail_line;
  gboolean mail_sent;
  HeronSmtpReply *mail_reply;
  guint n_sent;                  /* RCPT commands written */
  guint n_answered;              /* RCPT replies read */
  gboolean data_sent;            /* the whole message, with its end, was written */
  HeronSmtpBeforeEndFunc before_end;
  gpointer before_end_data;
  HeronSmtpSendResult *result;

  /* AUTH */
  HeronSmtpAuthMechanism mechanism;
  HeronImapSasl *sasl;
  GBytes *initial_response;      /* still to be sent, in answer to the first 334 */
  gboolean refreshed;            /* an OAuth token was asked for again */
  gboolean cancelling;           /* "*" was sent to end the exchange */

  GError *error;                 /* the outcome, once known; returned after QUIT */
  GStrv extensions;              /* check */
} Op;

static void
op_free (gpointer data)
{
  Op *op = data;

  g_clear_object (&op->connection);
  g_clear_object (&op->cancellable);
  g_free (op->wire_from);
  g_strfreev (op->wire_recipients);
  g_clear_object (&op->message);
  g_free (op->mail_line);
  g_clear_pointer (&op->mail_reply, heron_smtp_reply_unref);
  g_clear_pointer (&op->result, heron_smtp_send_result_unref);
  g_clear_pointer (&op->sasl, heron_imap_sasl_free);
  g_clear_pointer (&op->initial_response, g_bytes_unref);
  g_clear_error (&op->error);
  g_strfreev (op->extensions);
  g_free (op);
}

static HeronSmtpClient *
op_client (GTask *task)
{
  return g_task_get_source_object (task);
}

static const char *
op_host (GTask *task)
{
  return op_client (task)->settings.host;
}

/* Ends the operation: with op->error, or the result. */
static void
complete (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  if (op->error != NULL)
    {
      if (op->kind == OP_SEND && op->error->domain == HERON_SMTP_ERROR &&
          op->n_answered > 0 && heron_smtp_error_get_result (op->error) == NULL)
        _heron_smtp_error_set_result (op->error, op->result);
      g_task_return_error (task, g_steal_pointer (&op->error));
    }
  else if (op->kind == OP_SEND)
    g_task_return_pointer (task, heron_smtp_send_result_ref (op->result),
                           (GDestroyNotify) heron_smtp_send_result_unref);
  else
    g_task_return_pointer (task, g_steal_pointer (&op->extensions), (GDestroyNotify) g_strfreev);

  g_object_unref (task);
}

static void
on_quit (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  /* The outcome is known; the QUIT reply does not change it. */
  replies = _heron_smtp_connection_exchange_finish (HERON_SMTP_CONNECTION (source), result, &error);
  if (error != NULL)
    g_debug ("QUIT: %s", error->message);
  complete (task);
}

/* Says QUIT (unless the connection is gone), then completes. */
static void
quit (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);

  if (_heron_smtp_connection_is_failed (op->connection))
    {
      complete (task);
      return;
    }

  _heron_smtp_connection_exchange_async (op->connection, "QUIT\r\n", NULL, 1,
                                         MIN (self->settings.command_timeout_ms, QUIT_TIMEOUT_MS),
                                         "the reply to QUIT", on_quit, task);
}

/* The server refused something: QUIT, then fail with error (taken). */
static void
refused (GTask  *task,
         GError *error)
{
  Op *op = g_task_get_task_data (task);

  g_clear_error (&op->error);
  op->error = error;
  quit (task);
}

/* The connection failed: fail with its error (taken) at once. */
static void
failed (GTask  *task,
        GError *error)
{
  Op *op = g_task_get_task_data (task);

  g_clear_error (&op->error);
  op->error = error;
  complete (task);
}

static GPtrArray *
finish_exchange (GTask        *task,
                 GAsyncResult *result)
{
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *replies;

  replies = _heron_smtp_connection_exchange_finish (op->connection, result, &error);
  if (replies == NULL)
    failed (task, error);

  return replies;
}

static char *
reply_string (HeronSmtpReply *reply)
{
  return heron_smtp_reply_to_string (reply);
}

/* Addresses */

static gboolean
is_ascii (const char *text,
          gssize      len)
{
  for (gssize i = 0; len < 0 ? text[i] != '\0' : i < len; i++)
    if ((guchar) text[i] >= 0x80)
      return FALSE;
  return TRUE;
}

/* address as it goes between the angle brackets of MAIL FROM or RCPT TO. A local part that is
 * not ASCII needs SMTPUTF8 (RFC 6531); a domain that is not ASCII alone is sent as its A-label
 * (IDNA), so the server needs nothing. */
static gboolean
prepare_address (const char  *address,
                 gboolean     sender,
                 char       **out_wire,
                 gboolean    *out_smtputf8,
                 GError     **error)
{
  const char *at;
  g_autofree char *domain = NULL;

  if (!g_utf8_validate (address, -1, NULL))
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                   "An address is not valid UTF-8");
      return FALSE;
    }

  if (sender && address[0] == '\0')
    {
      *out_wire = g_strdup ("");
      return TRUE;
    }

  for (const char *p = address; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '<' || *p == '>')
      {
        g_autofree char *shown = g_strescape (address, NULL);

        g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                     "“%s” cannot be sent to: it contains a control character or an angle "
                     "bracket", shown);
        return FALSE;
      }

  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0' || strlen (address) > 998)
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                   "“%s” is not an e-mail address", address);
      return FALSE;
    }

  if (!is_ascii (address, at - address))
    {
      *out_smtputf8 = TRUE;
      *out_wire = g_strdup (address);
      return TRUE;
    }

  if (is_ascii (at + 1, -1) || at[1] == '[')
    {
      *out_wire = g_strdup (address);
      return TRUE;
    }

  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL)
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                   "The domain of “%s” is not a valid name", address);
      return FALSE;
    }
  *out_wire = g_strdup_printf ("%.*s@%s", (int) (at - address), address, domain);
  return TRUE;
}

/* The message */

static void on_data_reply (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

static GError *
message_error (GTask           *task,
               HeronSmtpReply  *reply)
{
  g_autofree char *shown = reply_string (reply);
  const char *enhanced = heron_smtp_reply_get_enhanced_code (reply);

  /* RFC 1870: 552; RFC 3463: x.3.4 "message too big for system". */
  if (heron_smtp_reply_get_code (reply) == 552 ||
      (enhanced != NULL && g_str_has_suffix (enhanced, ".3.4")))
    return _heron_smtp_error_new_reply (HERON_SMTP_ERROR_MESSAGE_TOO_LARGE, reply,
                                        "The message is too large for %s: %s",
                                        op_host (task), shown);

  return _heron_smtp_error_new_reply (HERON_SMTP_ERROR_MESSAGE_REJECTED, reply,
                                      "The server %s refused the message: %s",
                                      op_host (task), shown);
}

static void
on_final_reply (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  GError *error = NULL;
  HeronSmtpReply *reply;

  replies = _heron_smtp_connection_exchange_finish (op->connection, result, &error);
  if (replies == NULL)
    {
      /* A 421 refuses the message; a lost connection or a timeout leaves it unknown. */
      if (!g_error_matches (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_SERVICE_UNAVAILABLE) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          GError *unconfirmed = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNCONFIRMED,
                                             "The whole message was sent to %s, but the server "
                                             "did not confirm it; it may or may not have been "
                                             "accepted: %s", op_host (task), error->message);
          g_error_free (error);
          error = unconfirmed;
        }
      failed (task, error);
      return;
    }

  reply = g_ptr_array_index (replies, 0);
  if (!heron_smtp_reply_is_success (reply))
    {
      refused (task, message_error (task, reply));
      return;
    }

  _heron_smtp_send_result_set_queue_reply (op->result, reply);
  quit (task);
}

static void
on_data_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  GError *error = NULL;

  if (!_heron_smtp_connection_send_data_finish (op->connection, result, &error))
    {
      failed (task, error);
      return;
    }

  op->data_sent = TRUE;
  _heron_smtp_connection_exchange_async (op->connection, NULL, NULL, 1,
                                         self->settings.final_timeout_ms,
                                         "the reply to the end of the message",
                                         on_final_reply, task);
}

static void
on_data_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GPtrArray) replies = NULL;
  HeronSmtpReply *reply;

  replies = finish_exchange (task, result);
  if (replies == NULL)
    return;

  reply = g_ptr_array_index (replies, 0);
  if (heron_smtp_reply_get_code (reply) != 354)
    {
      refused (task, message_error (task, reply));
      return;
    }

  _heron_smtp_connection_send_data_async (op->connection, op->message, op->allow_8bit,
                                          op->before_end, op->before_end_data,
                                          on_data_sent, task);
}

/* The envelope */

static GError *
sender_error (GTask          *task,
              HeronSmtpReply *reply)
{
  Op *op = g_task_get_task_data (task);
  g_autofree char *shown = reply_string (reply);

  /* RFC 4954 section 6 and RFC 3207 section 4: 530 asks for authentication or for TLS. */
  if (heron_smtp_reply_get_code (reply) == 530)
    {
      if (!_heron_smtp_connection_is_tls (op->connection))
        return _heron_smtp_error_new_reply (HERON_SMTP_ERROR_TLS, reply,
                                            "The server %s requires TLS: %s", op_host (task),
                                            shown);
      return _heron_smtp_error_new_reply (HERON_SMTP_ERROR_AUTH, reply,
                                          "The server %s requires authentication: %s",
                                          op_host (task), shown);
    }

  if (heron_smtp_reply_get_code (reply) == 552)
    return message_error (task, reply);

  return _heron_smtp_error_new_reply (HERON_SMTP_ERROR_SENDER_REJECTED, reply,
                                      "The server %s refused the sender %s: %s", op_host (task),
                                      op->wire_from[0] != '\0' ? op->wire_from : "<>", shown);
}

static void send_envelope (GTask *task);

static void
on_envelope (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  g_autoptr(GPtrArray) replies = NULL;
  guint i = 0;

  replies = finish_exchange (task, result);
  if (replies == NULL)
    return;

  if (op->mail_reply == NULL)
    op->mail_reply = heron_smtp_reply_ref (g_ptr_array_index (replies, i++));
  for (; i < replies->len; i++)
    _heron_smtp_send_result_set_recipient_reply (op->result, op->n_answered++,
                                                 g_ptr_array_index (replies, i));

  /* With pipelining the RCPT replies after a refused MAIL say "need MAIL" (503); the sender
   * is what went wrong. */
  if (!heron_smtp_reply_is_success (op->mail_reply))
    {
      refused (task, sender_error (task, op->mail_reply));
      return;
    }

  if (op->n_sent < g_strv_length (op->wire_recipients))
    {
      send_envelope (task);
      return;
    }

  if (heron_smtp_send_result_get_n_accepted (op->result) == 0)
    {
      g_autofree char *rejections = heron_smtp_send_result_dup_rejections (op->result);
      g_autoptr(GString) one_line = g_string_new (rejections);
      GError *error;

      g_string_replace (one_line, "\n", "; ", 0);
      error = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_RECIPIENTS_REJECTED,
                           "No recipient was accepted: %s", one_line->str);
      _heron_smtp_error_set_result (error, op->result);
      if (op->n_answered > 0)
        _heron_smtp_error_set_reply (error,
                                     heron_smtp_send_result_get_recipient_reply (op->result,
                                                                                 op->n_answered - 1));
      refused (task, error);
      return;
    }

  _heron_smtp_connection_exchange_async (op->connection, "DATA\r\n", NULL, 1,
                                         self->settings.envelope_timeout_ms, "the reply to DATA",
                                         on_data_reply, task);
}

/* The next group: MAIL and as many RCPT as fit with PIPELINING (RFC 2920), else one command. */
static void
send_envelope (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  gboolean pipelining = _heron_smtp_connection_get_extension (op->connection, "PIPELINING") != NULL;
  guint limit = pipelining ? HERON_SMTP_PIPELINE_GROUP : 1;
  guint n_recipients = g_strv_length (op->wire_recipients);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = 0;

  if (!op->mail_sent)
    {
      g_string_append (text, op->mail_line);
      op->mail_sent = TRUE;
      n++;
    }
  while (n < limit && op->n_sent < n_recipients)
    {
      g_string_append_printf (text, "RCPT TO:<%s>\r\n", op->wire_recipients[op->n_sent]);
      op->n_sent++;
      n++;
    }

  _heron_smtp_connection_exchange_async (op->connection, text->str, NULL, n,
                                         self->settings.envelope_timeout_ms,
                                         op->mail_reply != NULL ? "the reply to RCPT" :
                                         n == 1 ? "the reply to MAIL" :
                                         "the replies to MAIL and RCPT",
                                         on_envelope, task);
}

static void
start_envelope (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpConnection *connection = op->connection;
  gboolean offers_8bit = _heron_smtp_connection_get_extension (connection, "8BITMIME") != NULL;
  const char *size_limit = _heron_smtp_connection_get_extension (connection, "SIZE");
  gboolean body_8bit;
  g_autoptr(GString) line = NULL;

  if (op->smtputf8 && _heron_smtp_connection_get_extension (connection, "SMTPUTF8") == NULL)
    {
      refused (task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                                  "The server %s does not take internationalized addresses "
                                  "(SMTPUTF8), and an address of this message has non-ASCII "
                                  "characters before its “@”", op_host (task)));
      return;
    }

  switch (op->body)
    {
    case HERON_SMTP_BODY_7BIT:
      body_8bit = FALSE;
      break;
    case HERON_SMTP_BODY_8BITMIME:
      body_8bit = TRUE;
      break;
    case HERON_SMTP_BODY_DETECT:
    default:
      body_8bit = op->known_8bit >= 0 ? op->known_8bit : offers_8bit;
      break;
    }

  if (body_8bit && !offers_8bit)
    {
      refused (task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                                  "The message contains 8-bit data, and the server %s does not "
                                  "take it (it does not offer 8BITMIME); it must be encoded as "
                                  "7-bit (quoted-printable or base64)", op_host (task)));
      return;
    }
  op->allow_8bit = body_8bit;

  /* RFC 1870: refuse early what the server will not take. */
  if (size_limit != NULL && op->size >= 0)
    {
      guint64 limit = g_ascii_strtoull (size_limit, NULL, 10);

      if (limit > 0 && (guint64) op->size > limit)
        {
          g_autofree char *size = g_format_size ((guint64) op->size);
          g_autofree char *most = g_format_size (limit);

          refused (task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_MESSAGE_TOO_LARGE,
                                      "The message is too large for %s: it is %s, and the "
                                      "server takes at most %s", op_host (task), size, most));
          return;
        }
    }

  line = g_string_new (NULL);
  g_string_append_printf (line, "MAIL FROM:<%s>", op->wire_from);
  if (size_limit != NULL && op->size >= 0)
    g_string_append_printf (line, " SIZE=%" G_GINT64_FORMAT, op->size);
  if (body_8bit)
    g_string_append (line, " BODY=8BITMIME");
  if (op->smtputf8)
    g_string_append (line, " SMTPUTF8");
  g_string_append (line, "\r\n");
  op->mail_line = g_string_free (g_steal_pointer (&line), FALSE);

  send_envelope (task);
}

static void
authenticated (GTask *task)
{
  Op *op = g_task_get_task_data (task);

  g_clear_pointer (&op->sasl, heron_imap_sasl_free);
  g_clear_pointer (&op->initial_response, g_bytes_unref);

  if (op->kind == OP_CHECK)
    {
      op->extensions = _heron_smtp_connection_dup_extensions (op->connection);
      quit (task);
      return;
    }

  start_envelope (task);
}

/* AUTH */

static HeronImapAuthMechanism
to_sasl (HeronSmtpAuthMechanism mechanism)
{
  switch (mechanism)
    {
    case HERON_SMTP_AUTH_PLAIN:
      return HERON_IMAP_AUTH_PLAIN;
    case HERON_SMTP_AUTH_LOGIN:
      return HERON_IMAP_AUTH_LOGIN;
    case HERON_SMTP_AUTH_XOAUTH2:
      return HERON_IMAP_AUTH_XOAUTH2;
    case HERON_SMTP_AUTH_OAUTHBEARER:
      return HERON_IMAP_AUTH_OAUTHBEARER;
    case HERON_SMTP_AUTH_AUTO:
    case HERON_SMTP_AUTH_NONE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_oauth (HeronSmtpAuthMechanism mechanism)
{
  return mechanism == HERON_SMTP_AUTH_XOAUTH2 || mechanism == HERON_SMTP_AUTH_OAUTHBEARER;
}

static gboolean
offers (const char *list,
        const char *mechanism)
{
  g_auto(GStrv) names = g_strsplit (list, " ", -1);

  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
choose_mechanism (GTask   *task,
                  GError **error)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  const char *offered = _heron_smtp_connection_get_extension (op->connection, "AUTH");
  static const HeronSmtpAuthMechanism oauth[] = { HERON_SMTP_AUTH_OAUTHBEARER, HERON_SMTP_AUTH_XOAUTH2 };
  static const HeronSmtpAuthMechanism password[] = { HERON_SMTP_AUTH_PLAIN, HERON_SMTP_AUTH_LOGIN };

  if (offered == NULL)
    {
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                   "The server %s does not offer authentication%s", op_host (task),
                   _heron_smtp_connection_is_tls (op->connection) ? "" :
                   " on an unencrypted connection");
      return FALSE;
    }

  if (self->settings.auth_mechanism != HERON_SMTP_AUTH_AUTO)
    {
      op->mechanism = self->settings.auth_mechanism;
      if (!offers (offered, heron_imap_auth_mechanism_to_sasl_name (to_sasl (op->mechanism))))
        {
          g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                       "The server %s does not offer AUTH %s (it offers %s)", op_host (task),
                       heron_imap_auth_mechanism_to_sasl_name (to_sasl (op->mechanism)),
                       offered);
          return FALSE;
        }
      return TRUE;
    }

  if (self->settings.token_provider != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (oauth); i++)
        if (offers (offered, heron_imap_auth_mechanism_to_sasl_name (to_sasl (oauth[i]))))
          {
            op->mechanism = oauth[i];
            return TRUE;
          }
      g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
                   "The server %s does not offer OAuth authentication (it offers %s)",
                   op_host (task), offered);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (password); i++)
    if (offers (offered, heron_imap_auth_mechanism_to_sasl_name (to_sasl (password[i]))))
      {
        op->mechanism = password[i];
        return TRUE;
      }
  g_set_error (error, HERON_SMTP_ERROR, HERON_SMTP_ERROR_UNSUPPORTED,
               "The server %s offers no password authentication Heron knows (it offers %s)",
               op_host (task), offered);
  return FALSE;
}

static void on_auth_reply (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data);

/* "<base64>\r\n" for a SASL answer; an empty answer is an empty line. Wiped by the caller. */
static char *
encode_answer (GBytes *answer)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (answer, &len);
  g_autofree char *encoded = NULL;
  char *line;

  if (len == 0)
    return g_strdup ("\r\n");
  encoded = g_base64_encode (data, len);
  line = g_strconcat (encoded, "\r\n", NULL);
  for (volatile char *p = encoded; *p != '\0'; p++)
    *p = '\0';
  return line;
}

static void
send_answer (GTask  *task,
             GBytes *answer)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  char *line = encode_answer (answer);

  _heron_smtp_connection_exchange_async (op->connection, line, "<redacted>", 1,
                                         self->settings.command_timeout_ms, "the reply to AUTH",
                                         on_auth_reply, task);
  _heron_smtp_wipe_string (line);
}

static void
begin_auth (GTask      *task,
            const char *secret)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  g_autoptr(GBytes) initial = NULL;
  g_autofree char *log = NULL;
  const char *name;
  char *line = NULL;

  g_clear_pointer (&op->sasl, heron_imap_sasl_free);
  g_clear_pointer (&op->initial_response, g_bytes_unref);
  op->cancelling = FALSE;

  op->sasl = heron_imap_sasl_new (to_sasl (op->mechanism), self->settings.user, secret,
                                  self->settings.host, self->settings.port);
  name = heron_imap_sasl_get_name (op->sasl);
  initial = heron_imap_sasl_get_initial_response (op->sasl);

  if (initial != NULL)
    {
      char *answer = encode_answer (initial);

      /* answer ends with CRLF; an empty initial response is "=" (RFC 4954 section 4). */
      line = g_strdup_printf ("AUTH %s %s", name, strcmp (answer, "\r\n") == 0 ? "=\r\n" : answer);
      _heron_smtp_wipe_string (answer);
      if (strlen (line) > HERON_SMTP_MAX_COMMAND_LINE)
        {
          _heron_smtp_wipe_string (line);
          line = NULL;
          op->initial_response = g_steal_pointer (&initial);
        }
      else
        log = g_strdup_printf ("AUTH %s <redacted>", name);
    }
  if (line == NULL)
    line = g_strdup_printf ("AUTH %s\r\n", name);

  _heron_smtp_connection_exchange_async (op->connection, line, log, 1,
                                         self->settings.command_timeout_ms, "the reply to AUTH",
                                         on_auth_reply, task);
  _heron_smtp_wipe_string (line);
}

static void start_auth (GTask *task);

static void
on_auth_reply (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  HeronSmtpReply *reply;
  const char *server_error;
  guint code;

  replies = finish_exchange (task, result);
  if (replies == NULL)
    return;

  reply = g_ptr_array_index (replies, 0);
  code = heron_smtp_reply_get_code (reply);

  if (code == 235 && !op->cancelling)
    {
      g_debug ("Authenticated to %s as %s with %s", op_host (task), self->settings.user,
               heron_imap_sasl_get_name (op->sasl));
      authenticated (task);
      return;
    }

  if (code == 334 && !op->cancelling)
    {
      g_autoptr(GBytes) answer = NULL;

      if (op->initial_response != NULL)
        answer = g_steal_pointer (&op->initial_response);
      else
        answer = heron_imap_sasl_step (op->sasl, heron_smtp_reply_get_text (reply), &error);

      if (answer == NULL)
        {
          /* End the exchange (RFC 4954 section 4: "*"); the server answers 501. */
          g_clear_error (&op->error);
          op->error = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                                   "Authentication to %s failed: %s", op_host (task),
                                   error->message);
          op->cancelling = TRUE;
          _heron_smtp_connection_exchange_async (op->connection, "*\r\n", NULL, 1,
                                                 self->settings.command_timeout_ms,
                                                 "the reply to AUTH", on_auth_reply, task);
          return;
        }

      send_answer (task, answer);
      return;
    }

  if (op->cancelling)
    {
      refused (task, g_steal_pointer (&op->error));
      return;
    }

  /* A refused OAuth token may have expired: ask for a new one, once. */
  if (code == 535 && is_oauth (op->mechanism) && !op->refreshed)
    {
      g_debug ("%s refused the OAuth token of %s; asking for a new one", op_host (task),
               self->settings.user);
      op->refreshed = TRUE;
      start_auth (task);
      return;
    }

  shown = reply_string (reply);
  server_error = op->sasl != NULL ? heron_imap_sasl_get_server_error (op->sasl) : NULL;
  if (server_error != NULL)
    refused (task, _heron_smtp_error_new_reply (HERON_SMTP_ERROR_AUTH, reply,
                                                "Authentication as %s to %s failed: %s (the "
                                                "server reported %s)", self->settings.user,
                                                op_host (task), shown, server_error));
  else
    refused (task, _heron_smtp_error_new_reply (HERON_SMTP_ERROR_AUTH, reply,
                                                "Authentication as %s to %s failed: %s",
                                                self->settings.user, op_host (task), shown));
}

static void
on_token (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  GError *error = NULL;
  char *token;

  token = heron_imap_token_provider_get_token_finish (HERON_IMAP_TOKEN_PROVIDER (source), result,
                                                      &error);
  if (_heron_smtp_connection_is_failed (op->connection))
    {
      _heron_smtp_wipe_string (token);
      g_clear_error (&error);
      failed (task, g_error_copy (_heron_smtp_connection_get_error (op->connection)));
      return;
    }
  if (token == NULL)
    {
      GError *auth = g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                                  "No access token for %s: %s", self->settings.user,
                                  error->message);
      g_error_free (error);
      refused (task, auth);
      return;
    }

  begin_auth (task, token);
  _heron_smtp_wipe_string (token);
}

static void
start_auth (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);

  if (is_oauth (op->mechanism))
    {
      if (self->settings.token_provider == NULL)
        {
          refused (task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                                      "No OAuth token provider is set for %s",
                                      self->settings.user));
          return;
        }
      heron_imap_token_provider_get_token_async (self->settings.token_provider,
                                                 self->settings.user, op->refreshed,
                                                 op->cancellable, on_token, task);
      return;
    }

  if (self->settings.password == NULL)
    {
      refused (task, g_error_new (HERON_SMTP_ERROR, HERON_SMTP_ERROR_AUTH,
                                  "No password is set for %s", self->settings.user));
      return;
    }
  begin_auth (task, self->settings.password);
}

/* Opening */

static void
on_opened (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);
  GError *error = NULL;
  GTlsCertificate *to_pin;

  if (!_heron_smtp_connection_open_finish (op->connection, result, &error))
    {
      failed (task, error);
      return;
    }

  to_pin = _heron_smtp_connection_get_certificate_to_pin (op->connection);
  if (to_pin != NULL)
    g_signal_emit (self, signals[SIGNAL_CERTIFICATE_PINNED], 0, to_pin);

  if (self->settings.user == NULL || self->settings.auth_mechanism == HERON_SMTP_AUTH_NONE)
    {
      authenticated (task);
      return;
    }

  if (!choose_mechanism (task, &error))
    {
      refused (task, error);
      return;
    }
  start_auth (task);
}

static GTask *
start (HeronSmtpClient     *self,
       OpKind               kind,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data,
       gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  /* Once the server took the message, that is the outcome, even if the cancellable was
   * cancelled meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  op->kind = kind;
  op->size = -1;
  op->known_8bit = -1;
  op->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, op, op_free);

  return task;
}

static void
open_connection (GTask *task)
{
  Op *op = g_task_get_task_data (task);
  HeronSmtpClient *self = op_client (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }

  op->connection = _heron_smtp_connection_new (&self->settings, op->cancellable);
  _heron_smtp_connection_open_async (op->connection, on_opened, task);
}

static void
send_common (HeronSmtpClient     *self,
             const char          *from,
             const char * const  *recipients,
             GInputStream        *message,
             gint64               size,
             HeronSmtpBody        body,
             int                  known_8bit,
             HeronSmtpBeforeEndFunc before_end,
             gpointer             before_end_data,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = start (self, OP_SEND, cancellable, callback, user_data, source_tag);
  Op *op = g_task_get_task_data (task);
  g_autoptr(GStrvBuilder) wire = g_strv_builder_new ();
  GError *error = NULL;
  guint n = 0;

  op->message = g_object_ref (message);
  op->size = size;
  op->body = body;
  op->known_8bit = known_8bit;
  op->before_end = before_end;
  op->before_end_data = before_end_data;
  op->result = _heron_smtp_send_result_new (recipients);

  if (!prepare_address (from, TRUE, &op->wire_from, &op->smtputf8, &error))
    goto invalid;

  for (; recipients[n] != NULL; n++)
    {
      char *address = NULL;

      if (!prepare_address (recipients[n], FALSE, &address, &op->smtputf8, &error))
        goto invalid;
      g_strv_builder_add (wire, address);
      g_free (address);
    }
  op->wire_recipients = g_strv_builder_end (wire);

  if (n == 0)
    {
      error = g_error_new_literal (HERON_SMTP_ERROR, HERON_SMTP_ERROR_INVALID,
                                   "The message has no recipients");
      goto invalid;
    }

  open_connection (task);
  return;

invalid:
  g_task_return_error (task, error);
  g_object_unref (task);
}

void
heron_smtp_client_send_async (HeronSmtpClient     *self,
                              const char          *from,
                              const char * const  *recipients,
                              GInputStream        *message,
                              goffset              size,
                              HeronSmtpBody        body,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (HERON_SMTP_IS_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (message));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_common (self, from, recipients, message, size >= 0 ? size : -1, body, -1, NULL, NULL, cancellable,
               callback, user_data, heron_smtp_client_send_async);
}

static void
send_bytes (HeronSmtpClient        *self,
            const char             *from,
            const char * const     *recipients,
            GBytes                 *message,
            HeronSmtpBeforeEndFunc  before_end,
            gpointer                before_end_data,
            GCancellable           *cancellable,
            GAsyncReadyCallback     callback,
            gpointer                user_data,
            gpointer                source_tag)
{
  g_autoptr(GInputStream) stream = NULL;
  gboolean eight = FALSE;
  guint64 size = 0;
  gsize len;
  const guint8 *data;

  data = g_bytes_get_data (message, &len);
  heron_smtp_data_measure (data, len, &eight, &size);
  stream = g_memory_input_stream_new_from_bytes (message);

  send_common (self, from, recipients, stream, (gint64) size, HERON_SMTP_BODY_DETECT, eight,
               before_end, before_end_data, cancellable, callback, user_data, source_tag);
}

void
heron_smtp_client_send_bytes_async (HeronSmtpClient     *self,
                                    const char          *from,
                                    const char * const  *recipients,
                                    GBytes              *message,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (HERON_SMTP_IS_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_bytes (self, from, recipients, message, NULL, NULL, cancellable, callback, user_data,
              heron_smtp_client_send_bytes_async);
}

void
heron_smtp_client_send_bytes_full_async (HeronSmtpClient        *self,
                                         const char             *from,
                                         const char * const     *recipients,
                                         GBytes                 *message,
                                         HeronSmtpBeforeEndFunc  before_end,
                                         gpointer                before_end_data,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data)
{
  g_return_if_fail (HERON_SMTP_IS_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (recipients != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* The task's source tag stays that of send_bytes: send_finish takes both. */
  send_bytes (self, from, recipients, message, before_end, before_end_data, cancellable,
              callback, user_data, heron_smtp_client_send_bytes_async);
}

HeronSmtpSendResult *
heron_smtp_client_send_finish (HeronSmtpClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (HERON_SMTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
heron_smtp_client_check_async (HeronSmtpClient     *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (HERON_SMTP_IS_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  open_connection (start (self, OP_CHECK, cancellable, callback, user_data,
                          heron_smtp_client_check_async));
}

GStrv
heron_smtp_client_check_finish (HeronSmtpClient  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (HERON_SMTP_IS_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
