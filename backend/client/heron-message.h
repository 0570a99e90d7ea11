/* heron-message.h: HeronMessage, one message as the list and the reader show it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "client/heron-client-account.h"
#include "client/heron-client-types.h"
#include "mime/heron-mime-message.h"

G_BEGIN_DECLS

#define HERON_TYPE_MESSAGE (heron_message_get_type ())

G_DECLARE_FINAL_TYPE (HeronMessage, heron_message, HERON, MESSAGE, GObject)

/* A message's summary from the cache: a small object made when a list row or the reader needs
 * it, not kept per row of a folder. Its properties follow changes (flags set here or on another
 * device) while it is alive.
 *
 * Properties (read-only, notified): account, folder, uid (negative until the server numbered a
 * message made here), subject, sender-name, sender-address (the real address, always),
 * sender-display (what the list shows: the name, or the address when the name could pass for
 * another sender: heron_mime_sender rules), to (display string), date (GDateTime, local time),
 * snippet (may be NULL until known), flags (HeronMessageFlags), seen, flagged, answered, draft,
 * has-attachment, body-local, conversation-id, message-id; conversation-size and
 * conversation-unread (the item of a threaded list: how many messages its conversation has
 * there and how many are unread; 0 otherwise). */

HeronAccount      *heron_message_get_account        (HeronMessage *self);
HeronFolder       *heron_message_get_folder         (HeronMessage *self);
gint64             heron_message_get_uid            (HeronMessage *self);
const char        *heron_message_get_subject        (HeronMessage *self);
const char        *heron_message_get_sender_name    (HeronMessage *self);
const char        *heron_message_get_sender_address (HeronMessage *self);
const char        *heron_message_get_sender_display (HeronMessage *self);
const char        *heron_message_get_to             (HeronMessage *self);
GDateTime         *heron_message_get_date           (HeronMessage *self);
const char        *heron_message_get_snippet        (HeronMessage *self);
HeronMessageFlags  heron_message_get_flags          (HeronMessage *self);
gboolean           heron_message_get_seen           (HeronMessage *self);
gboolean           heron_message_get_flagged        (HeronMessage *self);
gboolean           heron_message_get_answered       (HeronMessage *self);
gboolean           heron_message_get_has_attachment (HeronMessage *self);
gboolean           heron_message_get_body_local     (HeronMessage *self);
gint64             heron_message_get_conversation_id (HeronMessage *self);
const char        *heron_message_get_message_id     (HeronMessage *self);
guint              heron_message_get_conversation_size   (HeronMessage *self);
guint              heron_message_get_conversation_unread (HeronMessage *self);

/* The display model (backend/mime): fetches the body first when it is not local (online;
 * HERON_SYNC_ERROR_OFFLINE otherwise), then parses it off the main thread. */
void               heron_message_load_async         (HeronMessage        *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
HeronMimeMessage  *heron_message_load_finish        (HeronMessage        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);
/* The raw source (body local or fetched first), for "Save as" and "View source". */
void               heron_message_open_source_async  (HeronMessage        *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
GInputStream      *heron_message_open_source_finish (HeronMessage        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
