/* heron-sync-types.h: the events, states and errors of the sync engine (docs/sync.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HERON_SYNC_ERROR (heron_sync_error_quark ())

typedef enum {
  HERON_SYNC_ERROR_FAILED,   /* anything else */
  HERON_SYNC_ERROR_AUTH,     /* the server refused the credentials: the worker stops retrying */
  HERON_SYNC_ERROR_OFFLINE,  /* the operation needs the server and the account is not connected */
  HERON_SYNC_ERROR_STOPPED,  /* the worker was stopped */
  HERON_SYNC_ERROR_NOT_FOUND,/* no such folder */
} HeronSyncError;

GQuark heron_sync_error_quark (void);

typedef enum {
  HERON_SYNC_STATE_STOPPED,
  HERON_SYNC_STATE_CONNECTING,
  HERON_SYNC_STATE_ONLINE,
  HERON_SYNC_STATE_OFFLINE,      /* lost the server; a reconnect is scheduled */
  HERON_SYNC_STATE_AUTH_FAILED,  /* waits for heron_account_worker_retry_login() */
  HERON_SYNC_STATE_UNTRUSTED,    /* the server's certificate is not trusted: waits for the person
                                  * (a new worker with the certificate pinned, or retry_login) */
} HeronSyncState;

/* How a folder is brought up to date. AUTO uses what the server offers (QRESYNC, else
 * CONDSTORE, else the plain comparison); the others ignore better capabilities (tests). */
typedef enum {
  HERON_SYNC_MODE_AUTO,
  HERON_SYNC_MODE_CONDSTORE,
  HERON_SYNC_MODE_PLAIN,
} HeronSyncMode;

typedef enum {
  HERON_SYNC_EVENT_STATE,             /* state */
  HERON_SYNC_EVENT_FOLDERS_CHANGED,   /* the folder list changed */
  HERON_SYNC_EVENT_FOLDER_CHANGED,    /* folder: counts or sync state */
  HERON_SYNC_EVENT_MESSAGES_ADDED,    /* folder, uids */
  HERON_SYNC_EVENT_MESSAGES_CHANGED,  /* folder, uids */
  HERON_SYNC_EVENT_MESSAGES_REMOVED,  /* folder, uids */
  HERON_SYNC_EVENT_PROGRESS,          /* folder, done, total */
  HERON_SYNC_EVENT_ERROR,             /* folder (nullable), error; seq: the journal entry, or 0 */
  HERON_SYNC_EVENT_SENT,              /* message_id: an outbox message was accepted by SMTP;
                                       * error (nullable): the recipients it refused */
  HERON_SYNC_EVENT_SEND_FAILED,       /* message_id, error: the outbox keeps it (it retries a
                                       * temporary failure by itself:
                                       * heron_smtp_error_is_transient (error); UNCONFIRMED: it
                                       * may have been sent, docs/smtp.md "Outbox") */
  HERON_SYNC_EVENT_BODY_FETCHED,      /* folder, uids: bodies became local */
  HERON_SYNC_EVENT_JOURNAL_CHANGED,   /* operations joined or left the journal (pending count) */
  HERON_SYNC_EVENT_CACHE_SETTLED,     /* the writes paused and the worker copied the cache's
                                       * write-ahead log into the database (as far as readers
                                       * allowed): a reader holding a snapshot renews it, so that
                                       * the log can start over */
} HeronSyncEventKind;

/* One change, as the worker's ::event signal carries it on the main thread. */
typedef struct {
  HeronSyncEventKind kind;
  HeronSyncState     state;
  char              *folder;   /* the server's name */
  GArray            *uids;     /* gint64, ascending */
  guint              done;
  guint              total;
  GError            *error;
  gint64             time_us;  /* g_get_monotonic_time() when the worker made it */
  gint64             seq;      /* ERROR: the journal entry that failed, or 0 */
  gboolean           initial;  /* MESSAGES_ADDED by a folder's first sync (or its refetch after a
                                * UIDVALIDITY change): what was there, not new mail */
  char              *message_id; /* SENT, SEND_FAILED */
  /* ERROR with HERON_IMAP_ERROR_CERTIFICATE: the certificate the server presented, or NULL */
  GTlsCertificate   *certificate;
} HeronSyncEvent;

#define HERON_TYPE_SYNC_EVENT (heron_sync_event_get_type ())
GType           heron_sync_event_get_type   (void) G_GNUC_CONST;
HeronSyncEvent *heron_sync_event_new        (HeronSyncEventKind     kind);
HeronSyncEvent *heron_sync_event_copy       (const HeronSyncEvent *event);
void            heron_sync_event_free       (HeronSyncEvent       *event);
const char     *heron_sync_event_kind_to_string (HeronSyncEventKind kind);
const char     *heron_sync_state_to_string  (HeronSyncState        state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronSyncEvent, heron_sync_event_free)

G_END_DECLS
