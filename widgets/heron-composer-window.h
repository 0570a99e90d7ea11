/* heron-composer-window.h: writing a message
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "heron-backend.h"

G_BEGIN_DECLS

#define HERON_TYPE_COMPOSER_WINDOW (heron_composer_window_get_type ())

G_DECLARE_FINAL_TYPE (HeronComposerWindow, heron_composer_window, HERON, COMPOSER_WINDOW, AdwApplicationWindow)

/* A composer for @account (NULL: the manager's first account): the identity to send as (the
 * account's identities), To, Cc and Bcc with completion from the cache, subject, plain text,
 * attachments (a button, or files dropped on the window).
 *
 * @composition (nullable: a new message) is copied: a reply, a forward, or a draft being edited
 * (heron_mime_composition_new_from_draft()), in which case @draft is that draft's message, so
 * the next save replaces it.
 *
 * The draft is saved to the account's Drafts a few seconds after the last change and when the
 * window closes, each save replacing the previous one (heron_account_save_draft_async()).
 * Sending builds the message, queues it in the account's outbox, deletes the draft, shows its
 * progress and closes when the account reports ::message-sent; ::send-failed is shown in words
 * and the message can be edited and sent again.
 *
 * Widget actions: composer.send, composer.attach, composer.save-draft,
 * composer.remove-attachment (u: index). */
GtkWindow *heron_composer_window_new             (GtkApplication       *application,
                                                  HeronAccountManager  *manager,
                                                  HeronAccount         *account,
                                                  HeronMimeComposition *composition,
                                                  HeronMessage         *draft);

/* Adds a file as an attachment, as the file chooser and a drop do. */
void       heron_composer_window_add_attachment  (HeronComposerWindow  *self,
                                                  GFile                *file);
guint      heron_composer_window_get_n_attachments (HeronComposerWindow *self);
/* The draft saved last (or the one being edited), or NULL. */
HeronMessage *heron_composer_window_get_draft    (HeronComposerWindow  *self);
/* The milliseconds between the last change and the automatic save (3000 by default). */
void       heron_composer_window_set_autosave_delay (HeronComposerWindow *self,
                                                     guint                delay_ms);

G_END_DECLS
