/* heron-store-outbox.h: messages waiting to be sent (include heron-store.h)
 *
 * docs/smtp.md, "Outbox", tells the whole story: the states, what is written durably when, and
 * what happens after a crash at each point.
 *
 * Each entry holds the message's raw source (through the sources table, like an APPEND of the
 * journal: it survives restarts and power losses), its envelope (the sender and every recipient,
 * Bcc included), its Message-ID and subject, its state, the number of attempts, the last error
 * and when to try next.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-store-types.h"

G_BEGIN_DECLS

typedef enum {
  HERON_STORE_OUTBOX_QUEUED,    /* to be sent (at next_attempt): never reached the end of the data */
  HERON_STORE_OUTBOX_SENDING,   /* the end of the message is about to go out or went out; no
                                 * answer recorded yet. Found at start: it may have been sent */
  HERON_STORE_OUTBOX_SENT,      /* the server accepted it; the copy for Sent is not filed yet */
  HERON_STORE_OUTBOX_FAILED,    /* refused for good (or needs the person): waits for retry or discard */
  HERON_STORE_OUTBOX_UNCERTAIN, /* may have been sent (a crash or a lost connection after the
                                 * end of the data): sent again only when the person asks */
} HeronStoreOutboxState;

const char *heron_store_outbox_state_to_string (HeronStoreOutboxState state);

typedef struct {
  gint64                 id;            /* read only: the entry, never reused */
  char                  *message_id;    /* without angle brackets */
  char                  *sender;        /* the envelope sender (MAIL FROM) */
  GStrv                  recipients;    /* the envelope recipients (RCPT TO): To, Cc and Bcc */
  char                  *subject;       /* for lists; nullable */
  HeronStoreOutboxState  state;         /* read only */
  guint                  attempts;      /* read only: how often sending started */
  char                  *error;         /* read only: the last failure, in words; nullable */
  gint64                 next_attempt;  /* read only: real time in µs; 0: now */
  gint64                 created;       /* read only: unix seconds */
  guint64                size;          /* read only: of the raw source */
} HeronStoreOutboxEntry;

#define HERON_STORE_TYPE_OUTBOX_ENTRY (heron_store_outbox_entry_get_type ())
GType                  heron_store_outbox_entry_get_type (void) G_GNUC_CONST;
HeronStoreOutboxEntry *heron_store_outbox_entry_new      (void);
HeronStoreOutboxEntry *heron_store_outbox_entry_copy     (const HeronStoreOutboxEntry *entry);
void                   heron_store_outbox_entry_free     (HeronStoreOutboxEntry       *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreOutboxEntry, heron_store_outbox_entry_free)

/* Queues a message: @entry gives the envelope (message_id, sender, at least one recipient,
 * subject), @source is the closed writer with its raw source. One transaction committed with
 * synchronous=FULL (the source file fsynced first): once this returns the message survives a
 * crash and a power loss. Returns the entry's id, or 0 with @error set. Not inside a batch. */
gint64                 heron_store_outbox_add            (HeronStore                  *self,
                                                          const HeronStoreOutboxEntry *entry,
                                                          HeronStoreSourceWriter      *source,
                                                          GError                     **error);

/* Every entry, oldest first (GPtrArray of HeronStoreOutboxEntry). */
GPtrArray             *heron_store_outbox_list           (HeronStore                  *self,
                                                          GError                     **error);
/* One entry; HERON_STORE_ERROR_NOT_FOUND when there is none. */
HeronStoreOutboxEntry *heron_store_outbox_get            (HeronStore                  *self,
                                                          gint64                       id,
                                                          GError                     **error);
/* Its raw source. */
GInputStream          *heron_store_outbox_open_source    (HeronStore                  *self,
                                                          gint64                       id,
                                                          GCancellable                *cancellable,
                                                          GError                     **error);

/* Moves an entry to @state with the last error @message (nullable: cleared) and the time of the
 * next attempt (@next_attempt, real time in µs; 0: now). @count_attempt adds one to attempts.
 * Committed with synchronous=FULL: the SENDING and SENT marks are the outbox's promises about
 * what the server may have (docs/smtp.md). HERON_STORE_ERROR_NOT_FOUND when there is no such
 * entry. Not inside a batch. */
gboolean               heron_store_outbox_set_state      (HeronStore                  *self,
                                                          gint64                       id,
                                                          HeronStoreOutboxState        state,
                                                          const char                  *message,
                                                          gint64                       next_attempt,
                                                          gboolean                     count_attempt,
                                                          GError                     **error);

/* The network is back: every QUEUED entry waiting for a retry (next_attempt in the future) is
 * due now. One statement; not durable (a retry time lost in a crash only delays the retry). */
gboolean               heron_store_outbox_retry_now      (HeronStore                  *self,
                                                          GError                     **error);

/* Removes an entry (sent and filed, or discarded); its source goes with its last reference.
 * Removing an entry that is not there is not an error. */
gboolean               heron_store_outbox_remove         (HeronStore                  *self,
                                                          gint64                       id,
                                                          GError                     **error);

/* For readers on other threads and processes (heron-cli outbox): the entries of the cache at
 * @db_path, read through a read-only connection of its own. HERON_STORE_ERROR_TOO_NEW or
 * _INVALID when the database is not at this code's schema (open it with the writer first). */
GPtrArray             *heron_store_outbox_read           (const char                  *db_path,
                                                          GError                     **error);

G_END_DECLS
