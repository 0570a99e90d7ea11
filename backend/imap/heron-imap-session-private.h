/* heron-imap-session-private.h: what the session's files share (not for use outside
 * backend/imap)
 *
 * heron-imap-session.c holds the object, the plumbing every command uses, IDLE, NOOP, LOGOUT;
 * heron-imap-session-login.c connecting and logging in, ENABLE/ID/NAMESPACE; heron-imap-session-mailbox.c the mailbox
 * commands (SELECT, EXAMINE, CLOSE, UNSELECT, LIST, STATUS, CREATE...); heron-imap-session-messages.c
 * the message commands (UID FETCH, STORE, COPY, MOVE, EXPUNGE, APPEND, SEARCH).
 *
 * Every command is an operation (Op, the GTask's task data) of one or more IMAP commands sent with
 * _heron_imap_session_send(); the Op is also the handlers' user data, so untagged data lands in
 * it. When the last of its commands completes, the Op's finish function returns the result, or
 * the first error is returned.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-imap-session.h"

G_BEGIN_DECLS

typedef struct _Op Op;

/* Per tagged OK of the operation's commands. */
typedef void (*OpTaggedFunc) (Op                *op,
                              HeronImapResponse *tagged);
/* Per tagged NO or BAD, before it becomes the operation's error. */
typedef void (*OpFailedFunc) (Op                *op,
                              HeronImapResponse *tagged);
/* Every command done without error: return the result on task. */
typedef void (*OpFinishFunc) (GTask             *task,
                              Op                *op);

struct _Op {
  HeronImapSession *session;          /* not a reference: the task's source object */
  guint pending;
  GError *error;
  OpTaggedFunc tagged;
  OpFailedFunc failed;
  OpFinishFunc finish;                /* NULL: TRUE */
  gboolean auth;                      /* a NO is HERON_IMAP_ERROR_AUTH */
  gboolean tolerate_no;               /* a NO or BAD is not an error (ID, ENABLE) */

  /* what the commands collect */
  HeronImapFetchFunc fetch_func;
  gpointer fetch_data;
  const HeronImapBodyConsumer *body;
  gpointer body_data;
  HeronImapUidSet *uids;              /* the FETCHes this operation claims */
  char *mailbox;
  gboolean got_search;
  HeronImapSasl *sasl;
  HeronImapCommand *command;          /* AUTHENTICATE: the command to answer continuations of */

  /* results */
  HeronImapSelectResult *select;
  HeronImapUidSet *vanished;
  HeronImapUidSet *modified;
  HeronImapCopyResult *copy;
  GPtrArray *responses;
  HeronImapResponse *response;
  HeronImapUidSet *search;
  guint64 modseq;
  guint32 uidvalidity;
  guint32 uid;
};

struct _HeronImapSession {
  GObject parent_instance;

  HeronImapSessionSettings settings;
  HeronImapConnection *connection;
  HeronImapSessionState state;
  GError *error;

  GPtrArray *enabled;                 /* upper-case */
  HeronImapAuthMechanism mechanism;
  HeronImapResponse *namespace_;
  HeronImapResponse *server_id;
  char *selected;

  GMainContext *context;

  /* IDLE */
  HeronImapCommand *idle_command;     /* the IDLE in flight */
  GTask *idle_start_task;
  GTask *idle_stop_task;
  gboolean idling;                    /* between idle_start and idle_stop, for the caller */
  gboolean idle_waiting_plus;         /* idle_command has not had its "+" yet */
  gboolean idle_done_sent;
  gboolean idle_refresh;              /* the DONE was to re-issue IDLE */
  gboolean idle_abandoned;            /* idle_start was cancelled before "+" */
  GSource *idle_timer;
  GSource *idle_cancel_source;

  /* connect */
  GTask *connect_task;
  gboolean token_refreshed;
};

Op      *_heron_imap_session_op_new       (HeronImapSession        *self);
void     _heron_imap_session_op_free      (Op                      *op);

/* A task for an operation of self, its Op as task data. */
GTask   *_heron_imap_session_task_new     (HeronImapSession        *self,
                                           gpointer                 source_tag,
                                           GCancellable            *cancellable,
                                           GAsyncReadyCallback      callback,
                                           gpointer                 user_data);

/* FALSE, with task completed with the error, unless the session can run a command now: connected
 * and logged in, not idling, and (need_selected) with a mailbox selected. */
gboolean _heron_imap_session_check_ready  (HeronImapSession        *self,
                                           GTask                   *task,
                                           gboolean                 need_selected);
/* FALSE, with task completed with HERON_IMAP_ERROR_UNSUPPORTED, unless the server has it. */
gboolean _heron_imap_session_require      (HeronImapSession        *self,
                                           GTask                   *task,
                                           const char              *capability,
                                           const char              *what);

/* Sends command as part of task's operation; handlers' user data is the Op. */
void     _heron_imap_session_send         (HeronImapSession        *self,
                                           GTask                   *task,
                                           HeronImapCommand        *command,
                                           HeronImapSendFlags       flags,
                                           const HeronImapHandlers *handlers);

/* The flags commands are built with: UTF8_ACCEPT once enabled, SASL_IR when offered. */
HeronImapCommandFlags _heron_imap_session_command_flags (HeronImapSession *self);

void     _heron_imap_session_set_state    (HeronImapSession        *self,
                                           HeronImapSessionState    state);
void     _heron_imap_session_set_selected (HeronImapSession        *self,
                                           const char              *mailbox);

/* heron-imap-session-login.c: asks CAPABILITY again, forgetting what was known, as part of task. */
void     _heron_imap_session_send_capability (HeronImapSession     *self,
                                              GTask                *task);
/* Overwrites a secret string and frees it. */
void     _heron_imap_wipe_free               (char                 *secret);

/* A ranges list as a set. */
void     _heron_imap_ranges_add_to_set    (const HeronImapRanges   *ranges,
                                           HeronImapUidSet         *set);

/* Handlers shared by the message commands: FETCH of the operation's UIDs to fetch_func and body. */
extern const HeronImapHandlers _heron_imap_fetch_handlers;
/* The same, with the Op's body consumer. */
extern const HeronImapHandlers _heron_imap_fetch_body_handlers;
gboolean _heron_imap_op_claim_fetch       (const HeronImapResponse *response,
                                           gpointer                 user_data);

G_END_DECLS
