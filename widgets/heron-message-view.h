/* heron-message-view.h: the reader: headers, body (HTML in WebKitGTK or plain text), the remote
 * content bar and the attachments of one message
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>
#include <webkit/webkit.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_MESSAGE_VIEW (heron_message_view_get_type ())

G_DECLARE_FINAL_TYPE (HeronMessageView, heron_message_view, HERON, MESSAGE_VIEW, GtkWidget)

/* The GSettings keys the view reads (schema io.github.heronmail.Heron): "prefer-html",
 * "load-remote-content" ("never", "known-senders", "always") and, when the schema has it,
 * HERON_MESSAGE_VIEW_SENDERS_KEY, the addresses whose remote content is always loaded ("Always
 * for this sender" adds to it). "known-senders" loads remote content for the senders of that
 * list without asking, as "never" does too: the list is what the person allowed.
 *
 * Remote content (http, https and every other scheme but cid:, data: and about:) is blocked by a
 * WebKitUserContentFilter installed before the HTML is loaded, so no request leaves until it is
 * allowed. Page scripts are off (enable-javascript-markup); cid: URLs are served from the
 * message. Links: http and https open in the browser only after their target was shown (hover,
 * or a question when the text of the link names another place); mailto: activates the action
 * "win.compose-to" (s: the mailto: URI) of the window holding the view; any other scheme (file:,
 * smb:, another application's) opens only after a question naming the whole target; javascript:,
 * data:, about:, blob: and cid: links are refused. Signals:
 *   ::loaded (): the message's body is on screen (HTML: the web view finished loading).
 *   ::load-failed (GError *error): the message could not be loaded (offline and not downloaded...). */

#define HERON_MESSAGE_VIEW_SENDERS_KEY "remote-content-senders"

GtkWidget        *heron_message_view_new                  (void);
void              heron_message_view_set_settings         (HeronMessageView *self,
                                                           GSettings        *settings);
/* Shows @message (nullable: the empty state), loading its display model. */
void              heron_message_view_set_message          (HeronMessageView *self,
                                                           HeronMessage     *message);
HeronMessage     *heron_message_view_get_message          (HeronMessageView *self);
/* The loaded display model of the message shown, or NULL while loading. */
HeronMimeMessage *heron_message_view_get_mime_message     (HeronMessageView *self);

/* What the view shows, for tests and for the window. */
WebKitWebView    *heron_message_view_get_web_view         (HeronMessageView *self);
/* The plain text shown when the body is not HTML (NULL when HTML is shown). */
char             *heron_message_view_dup_plain_text       (HeronMessageView *self);
gboolean          heron_message_view_get_showing_html     (HeronMessageView *self);
/* TRUE once the message's body is on screen (::loaded was emitted for it). */
gboolean          heron_message_view_get_loaded           (HeronMessageView *self);
/* TRUE while the message's remote content is held back (the bar is shown when it has any). */
gboolean          heron_message_view_get_remote_blocked   (HeronMessageView *self);
gboolean          heron_message_view_get_has_remote_content (HeronMessageView *self);

/* "Show for this message" and "Always for this sender" of the bar. */
void              heron_message_view_show_remote_content  (HeronMessageView *self);
void              heron_message_view_always_show_sender   (HeronMessageView *self);

G_END_DECLS
