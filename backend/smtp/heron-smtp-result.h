/* heron-smtp-result.h: what the server answered for one message
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every recipient gets its own answer: a message can go to alice and be refused for bob
 * ("bob@example.test was refused: 550 5.1.1 User unknown"). The reply to the end of the message
 * says the server took responsibility for it, usually with a queue id ("250 2.0.0 Ok: queued
 * as 4Xq9ZB"), which is what to quote when asking the server's administrator about it.
 */

#pragma once

#include <gio/gio.h>

#include "heron-smtp-reply.h"

G_BEGIN_DECLS

/* Immutable once returned; reference counted. */
typedef struct _HeronSmtpSendResult HeronSmtpSendResult;

#define HERON_SMTP_TYPE_SEND_RESULT (heron_smtp_send_result_get_type ())

GType                heron_smtp_send_result_get_type             (void) G_GNUC_CONST;

HeronSmtpSendResult *heron_smtp_send_result_ref                  (HeronSmtpSendResult *result);
void                 heron_smtp_send_result_unref                (HeronSmtpSendResult *result);

/* The recipients, in the order given (as given, before any conversion for the wire). */
guint                heron_smtp_send_result_get_n_recipients     (HeronSmtpSendResult *result);
const char          *heron_smtp_send_result_get_recipient        (HeronSmtpSendResult *result,
                                                                  guint                index);
/* TRUE when the server accepted the recipient (RCPT answered 250 or 251). */
gboolean             heron_smtp_send_result_is_accepted          (HeronSmtpSendResult *result,
                                                                  guint                index);
/* The server's answer to the recipient's RCPT, or NULL when it was never asked (the sender
 * was refused first). */
HeronSmtpReply      *heron_smtp_send_result_get_recipient_reply  (HeronSmtpSendResult *result,
                                                                  guint                index);
guint                heron_smtp_send_result_get_n_accepted       (HeronSmtpSendResult *result);

/* The reply to the end of the message ("250 2.0.0 Ok: queued as 4Xq9ZB"), or NULL when the
 * message was not sent. */
HeronSmtpReply      *heron_smtp_send_result_get_queue_reply      (HeronSmtpSendResult *result);
/* The queue id in that reply ("queued as X" of Postfix and others, "id=X" of Exim), or NULL. */
char                *heron_smtp_send_result_dup_queue_id         (HeronSmtpSendResult *result);

/* One line per refused recipient, "bob@example.test was refused: 550 5.1.1 User unknown",
 * joined with "\n"; NULL when every recipient was accepted. */
char                *heron_smtp_send_result_dup_rejections       (HeronSmtpSendResult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronSmtpSendResult, heron_smtp_send_result_unref)

G_END_DECLS
