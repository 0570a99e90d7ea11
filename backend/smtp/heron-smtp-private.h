/* heron-smtp-private.h: what the files of backend/smtp share (not for use outside it)
 *
 * heron-smtp-connection.c is the transport of one submission: TCP, TLS or STARTTLS, the
 * greeting, EHLO and the extensions, timers, reading replies, writing commands, streaming DATA.
 * heron-smtp-client.c builds the protocol on it: AUTH, the envelope, DATA, QUIT.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-smtp-client.h"
#include "heron-smtp-data.h"
#include "heron-smtp-error.h"
#include "heron-smtp-reply.h"
#include "heron-smtp-result.h"

G_BEGIN_DECLS

/* Commands pipelined in one group at most (RFC 2920 section 3.1: the client must not fill the
 * server's buffers while the server waits for the client to read). */
#define HERON_SMTP_PIPELINE_GROUP 100

/* Pieces of the message read and encoded at a time. */
#define HERON_SMTP_DATA_CHUNK (64 * 1024)

/* AUTH with an initial response is sent on one line only if it fits the command line length
 * of RFC 5321 (RFC 4954 section 4); otherwise the response waits for the server's 334. */
#define HERON_SMTP_MAX_COMMAND_LINE 512

/* Overwrites string, then frees it: for anything that held a secret. */
static inline void
_heron_smtp_wipe_string (char *string)
{
  if (string == NULL)
    return;
  /* volatile so the compiler keeps the stores to memory about to be freed */
  for (volatile char *p = string; *p != '\0'; p++)
    *p = '\0';
  g_free (string);
}

/* heron-smtp-error.c */
GError  *_heron_smtp_error_new_reply      (gint                  code,
                                           HeronSmtpReply       *reply,
                                           const char           *format,
                                           ...) G_GNUC_PRINTF (3, 4);
void     _heron_smtp_error_set_reply      (GError               *error,
                                           HeronSmtpReply       *reply);
void     _heron_smtp_error_set_result     (GError               *error,
                                           HeronSmtpSendResult  *result);
void     _heron_smtp_error_set_certificate (GError              *error,
                                           GTlsCertificate      *certificate,
                                           GTlsCertificateFlags  errors);

/* heron-smtp-result.c */
HeronSmtpSendResult *_heron_smtp_send_result_new       (const char * const   *recipients);
void     _heron_smtp_send_result_set_recipient_reply    (HeronSmtpSendResult  *result,
                                                         guint                 index,
                                                         HeronSmtpReply       *reply);
void     _heron_smtp_send_result_set_queue_reply        (HeronSmtpSendResult  *result,
                                                         HeronSmtpReply       *reply);

/* heron-smtp-connection.c */
#define HERON_SMTP_TYPE_CONNECTION (_heron_smtp_connection_get_type ())

G_DECLARE_FINAL_TYPE (HeronSmtpConnection, _heron_smtp_connection, HERON_SMTP, CONNECTION, GObject)

/* settings must outlive the connection (the client's copy). The connection fails when
 * cancellable is cancelled. */
HeronSmtpConnection *_heron_smtp_connection_new        (const HeronSmtpClientSettings *settings,
                                                        GCancellable         *cancellable);

/* TCP; TLS, or the greeting, EHLO and STARTTLS; the greeting (after implicit TLS) and EHLO. */
void     _heron_smtp_connection_open_async             (HeronSmtpConnection  *self,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean _heron_smtp_connection_open_finish            (HeronSmtpConnection  *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Writes text (complete command lines, CRLF included; NULL: nothing) in one write, then reads
 * n_replies replies, each within timeout_ms of the last byte. log is what goes to the debug
 * log instead of text (NULL: text itself); what names the wait in errors ("the reply to
 * RCPT"). A 421 fails the connection. The replies come back as a GPtrArray of HeronSmtpReply. */
void     _heron_smtp_connection_exchange_async         (HeronSmtpConnection  *self,
                                                        const char           *text,
                                                        const char           *log,
                                                        guint                 n_replies,
                                                        guint                 timeout_ms,
                                                        const char           *what,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
GPtrArray *_heron_smtp_connection_exchange_finish      (HeronSmtpConnection  *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Streams message as DATA (after the 354), encoded (heron-smtp-data.h), and its end. Without
 * allow_8bit, an 8-bit byte fails the connection before the end is written (so the server
 * drops the message) with HERON_SMTP_ERROR_UNSUPPORTED. before_end (nullable) is called once
 * the rest was written, right before the end; its failure fails the connection with its error,
 * the end unwritten. */
void     _heron_smtp_connection_send_data_async        (HeronSmtpConnection  *self,
                                                        GInputStream         *message,
                                                        gboolean              allow_8bit,
                                                        HeronSmtpBeforeEndFunc before_end,
                                                        gpointer              before_end_data,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
gboolean _heron_smtp_connection_send_data_finish       (HeronSmtpConnection  *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);

/* Fails the connection with error (taken) unless it failed already; shuts the socket down. */
void     _heron_smtp_connection_fail                   (HeronSmtpConnection  *self,
                                                        GError               *error);
gboolean _heron_smtp_connection_is_failed              (HeronSmtpConnection  *self);
/* Why it failed, or NULL. */
const GError *_heron_smtp_connection_get_error         (HeronSmtpConnection  *self);

/* The EHLO keywords of the last EHLO (after TLS, if any), upper-cased: NULL when the server
 * does not announce `keyword`, else its parameters ("" for none). */
const char *_heron_smtp_connection_get_extension       (HeronSmtpConnection  *self,
                                                        const char           *keyword);
/* "KEYWORD params" lines, as announced. */
GStrv    _heron_smtp_connection_dup_extensions         (HeronSmtpConnection  *self);
gboolean _heron_smtp_connection_is_tls                 (HeronSmtpConnection  *self);
/* The certificate the decision callback answered ACCEPT_AND_PIN for, or NULL. */
GTlsCertificate *_heron_smtp_connection_get_certificate_to_pin (HeronSmtpConnection *self);

G_END_DECLS
