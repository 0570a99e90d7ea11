/* heron-imap-session.h: an IMAP session: login, state, capabilities, and every command
 *
 * A HeronImapSession drives one HeronImapConnection through the protocol's states
 * (NOT_AUTHENTICATED, AUTHENTICATED, SELECTED, LOGOUT/CLOSED) and offers each command as an
 * _async/_finish pair on the context the session was created on (see heron-imap-connection.h for
 * the threading rules, which are the same).
 *
 * heron_imap_session_connect_async() does everything a session needs before its first command:
 * connect (TLS or STARTTLS), log in (SASL PLAIN, LOGIN, XOAUTH2, OAUTHBEARER or the LOGIN command,
 * chosen from the settings and the capabilities), learn the capabilities again, COMPRESS when the
 * settings ask for it, then ENABLE (CONDSTORE QRESYNC UTF8=ACCEPT, or IMAP4rev2 when offered),
 * ID and NAMESPACE, pipelined.
 *
 * Commands that do not depend on each other are pipelined: call several _async functions without
 * waiting and they go out together. Commands whose meaning depends on the selected mailbox or on
 * the state (SELECT, EXAMINE, CLOSE, UNSELECT, IDLE, LOGOUT, AUTHENTICATE) are barriers: they wait
 * for what is in flight and hold back what comes after. Only UID commands are offered: message
 * sequence numbers change under pipelined commands.
 *
 * What other clients change while a mailbox is selected (new messages, flags, expunges) arrives
 * as untagged data that no command asked for; it is emitted as ::mailbox-event at once, also while
 * commands are in flight and during IDLE. Data a command asked for is returned by that command.
 *
 * IMAP4rev2 (RFC 9051), when the server offers it, is enabled and then: there is no RECENT (it is
 * not emitted), SEARCH results come as ESEARCH, UNSELECT, LIST-EXTENDED, LIST-STATUS, SPECIAL-USE,
 * NAMESPACE, ID-less ENABLE, UIDPLUS, MOVE, ESEARCH, STATUS=SIZE, LITERAL- and SASL-IR are part of
 * the protocol (heron_imap_session_has_capability() answers TRUE for them), and mailbox names and
 * strings are UTF-8.
 *
 * A NO or BAD tagged reply becomes HERON_IMAP_ERROR_NO_RESPONSE / _BAD_RESPONSE with the server's
 * text, its response code in front as sent ("[TRYCREATE] ..."; heron_imap_error_dup_response_code()
 * reads it back); a failed login is HERON_IMAP_ERROR_AUTH with the server's text. A command the
 * server's capabilities do not allow fails with HERON_IMAP_ERROR_UNSUPPORTED before anything is
 * sent. A connection failure fails every pending command with the connection's error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-imap-command.h"
#include "heron-imap-connection.h"
#include "heron-imap-response.h"
#include "heron-imap-sasl.h"
#include "heron-imap-uidset.h"

G_BEGIN_DECLS

typedef struct {
  HeronImapConnectionSettings connection;
  char *user;
  char *password;                          /* PLAIN, LOGIN, the LOGIN command */
  HeronImapAuthMechanism mechanism;        /* default AUTO */
  HeronImapTokenProvider *token_provider;  /* XOAUTH2, OAUTHBEARER */
  /* ID (RFC 2971) when the server offers it: field, value, field, value ...; NULL sends
   * name "Heron" and the version. */
  char **id;
  gboolean send_id;                        /* default TRUE */
  gboolean enable_qresync;                 /* CONDSTORE and QRESYNC; default TRUE */
  gboolean enable_utf8;                    /* UTF8=ACCEPT; default TRUE */
  gboolean enable_imap4rev2;               /* default TRUE */
  /* IDLE is re-issued (DONE, IDLE) this often while the caller idles; 0: the default. */
  guint idle_refresh_ms;
} HeronImapSessionSettings;

/* RFC 2177: clients should re-issue IDLE at least every 29 minutes. */
#define HERON_IMAP_DEFAULT_IDLE_REFRESH_MS (25 * 60 * 1000)

void heron_imap_session_settings_init  (HeronImapSessionSettings       *settings);
/* Wipes the password. */
void heron_imap_session_settings_clear (HeronImapSessionSettings       *settings);
void heron_imap_session_settings_copy  (const HeronImapSessionSettings *src,
                                        HeronImapSessionSettings       *dest);

typedef enum {
  HERON_IMAP_SESSION_DISCONNECTED,
  HERON_IMAP_SESSION_NOT_AUTHENTICATED,  /* connecting, or logging in */
  HERON_IMAP_SESSION_AUTHENTICATED,
  HERON_IMAP_SESSION_SELECTED,
  HERON_IMAP_SESSION_LOGOUT,             /* LOGOUT sent */
  HERON_IMAP_SESSION_CLOSED,             /* see heron_imap_session_get_error() */
} HeronImapSessionState;

/* A message of a FETCH: the response (kind FETCH) is valid during the call; keep it with
 * heron_imap_response_ref(). */
typedef void (*HeronImapFetchFunc) (HeronImapResponse *fetch,
                                    gpointer           user_data);

/* What SELECT or EXAMINE reported. */
typedef struct {
  char *mailbox;
  gboolean read_only;
  guint32 exists;
  guint32 recent;                 /* IMAP4rev1 only */
  guint32 unseen;                 /* the first unseen message's number, IMAP4rev1 only; 0 if absent */
  guint32 uidvalidity;
  guint32 uidnext;                /* 0 if the server did not say */
  guint64 highestmodseq;          /* 0 if absent */
  gboolean nomodseq;              /* the mailbox has no mod-sequences (CONDSTORE) */
  GStrv flags;
  GStrv permanent_flags;          /* "\\*" included when new keywords are allowed */
  HeronImapUidSet *vanished;      /* QRESYNC: UIDs expunged since the cached state (VANISHED (EARLIER)) */
  GPtrArray *changed;             /* QRESYNC: FETCH responses of messages changed since, when no
                                   * callback was given (HeronImapResponse) */
} HeronImapSelectResult;

void heron_imap_select_result_free (HeronImapSelectResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapSelectResult, heron_imap_select_result_free)

/* COPYUID (RFC 4315): source[i] went to destination[i], ranges paired in the server's order. */
typedef struct {
  guint32 uidvalidity;            /* 0 when the server sent no COPYUID (no UIDPLUS) */
  GArray *source;                 /* HeronImapRange */
  GArray *destination;            /* HeronImapRange */
} HeronImapCopyResult;

void    heron_imap_copy_result_free   (HeronImapCopyResult *result);
/* The UID source_uid got in the destination, or 0. */
guint32 heron_imap_copy_result_lookup (const HeronImapCopyResult *result,
                                       guint32                    source_uid);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapCopyResult, heron_imap_copy_result_free)

#define HERON_IMAP_TYPE_SESSION (heron_imap_session_get_type ())

G_DECLARE_FINAL_TYPE (HeronImapSession, heron_imap_session, HERON_IMAP, SESSION, GObject)

HeronImapSession     *heron_imap_session_new               (const HeronImapSessionSettings *settings);

HeronImapConnection  *heron_imap_session_get_connection    (HeronImapSession *self);
HeronImapSessionState heron_imap_session_get_state         (HeronImapSession *self);
const GError         *heron_imap_session_get_error         (HeronImapSession *self);

/* A capability the server announced, or one IMAP4rev2 includes once enabled. */
gboolean              heron_imap_session_has_capability    (HeronImapSession *self,
                                                            const char       *capability);
/* ENABLE'd extensions ("CONDSTORE", "QRESYNC", "UTF8=ACCEPT", "IMAP4REV2"), upper-case. */
gboolean              heron_imap_session_is_enabled        (HeronImapSession *self,
                                                            const char       *extension);
gboolean              heron_imap_session_is_imap4rev2      (HeronImapSession *self);
/* The mechanism that logged in, or AUTO after PREAUTH. */
HeronImapAuthMechanism heron_imap_session_get_auth_mechanism (HeronImapSession *self);
/* The NAMESPACE and the server's ID responses of the login, or NULL. */
HeronImapResponse    *heron_imap_session_get_namespace     (HeronImapSession *self);
HeronImapResponse    *heron_imap_session_get_server_id     (HeronImapSession *self);
/* The selected mailbox, or NULL. */
const char           *heron_imap_session_get_selected      (HeronImapSession *self);
gboolean              heron_imap_session_is_idling         (HeronImapSession *self);

void     heron_imap_session_connect_async   (HeronImapSession     *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean heron_imap_session_connect_finish  (HeronImapSession     *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Ends the session politely (LOGOUT, then closes). */
void     heron_imap_session_logout_async    (HeronImapSession     *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean heron_imap_session_logout_finish   (HeronImapSession     *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* Closes at once; pending commands fail with G_IO_ERROR_CLOSED. */
void     heron_imap_session_close           (HeronImapSession     *self);

void     heron_imap_session_noop_async      (HeronImapSession     *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean heron_imap_session_noop_finish     (HeronImapSession     *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* Asks CAPABILITY again. */
void     heron_imap_session_capability_async  (HeronImapSession   *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean heron_imap_session_capability_finish (HeronImapSession   *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* COMPRESS=DEFLATE; connect_async() does it when the settings ask. */
void     heron_imap_session_compress_async  (HeronImapSession     *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean heron_imap_session_compress_finish (HeronImapSession     *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* SELECT (read_only FALSE) or EXAMINE. params (nullable) adds CONDSTORE or QRESYNC (uidvalidity,
 * modseq, known UIDs): those need the extension enabled (HERON_IMAP_ERROR_UNSUPPORTED otherwise).
 * The FETCH responses of messages changed since go to changed (nullable: collected in the
 * result). A NO leaves no mailbox selected. */
void     heron_imap_session_select_async    (HeronImapSession            *self,
                                             const char                  *mailbox,
                                             gboolean                     read_only,
                                             const HeronImapSelectParams *params,
                                             HeronImapFetchFunc           changed,
                                             gpointer                     changed_data,
                                             GCancellable                *cancellable,
                                             GAsyncReadyCallback          callback,
                                             gpointer                     user_data);
HeronImapSelectResult *heron_imap_session_select_finish (HeronImapSession  *self,
                                                         GAsyncResult      *result,
                                                         GError           **error);

/* CLOSE (expunges \Deleted messages silently) or UNSELECT (does not; needs UNSELECT or IMAP4rev2). */
void     heron_imap_session_close_mailbox_async  (HeronImapSession   *self,
                                                  gboolean            expunge,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean heron_imap_session_close_mailbox_finish (HeronImapSession   *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);

/* IDLE (RFC 2177): completes when the server answered "+"; from then on changes come as
 * ::mailbox-event. Other commands fail with HERON_IMAP_ERROR_PROTOCOL until idle_stop. The
 * session re-issues IDLE every idle_refresh_ms by itself (servers drop an IDLE older than 30
 * minutes); the caller sees one IDLE. If the connection fails, ::closed says so. Cancelling
 * before "+" fails the start with G_IO_ERROR_CANCELLED and ends the IDLE as soon as the server
 * allows; once started, end it with idle_stop. */
void     heron_imap_session_idle_start_async  (HeronImapSession   *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean heron_imap_session_idle_start_finish (HeronImapSession   *self,
                                               GAsyncResult       *result,
                                               GError            **error);
/* DONE, and waits for IDLE's tagged reply. */
void     heron_imap_session_idle_stop_async   (HeronImapSession   *self,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
gboolean heron_imap_session_idle_stop_finish  (HeronImapSession   *self,
                                               GAsyncResult       *result,
                                               GError            **error);

/* LIST reference pattern. With LIST-EXTENDED (or IMAP4rev2): RETURN (SUBSCRIBED CHILDREN
 * SPECIAL-USE) as offered, and STATUS status_items when LIST-STATUS is offered and status_items is
 * not NULL (then each LIST is followed by its STATUS). subscribed_only: LSUB semantics (SELECT
 * (SUBSCRIBED) with LIST-EXTENDED, else LSUB). Returns the LIST and STATUS responses in order
 * (HeronImapResponse). */
void       heron_imap_session_list_async    (HeronImapSession     *self,
                                             const char           *reference,
                                             const char           *pattern,
                                             gboolean              subscribed_only,
                                             const char * const   *status_items,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray *heron_imap_session_list_finish   (HeronImapSession     *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* STATUS mailbox (items): the STATUS response. */
void               heron_imap_session_status_async  (HeronImapSession   *self,
                                                     const char         *mailbox,
                                                     const char * const *items,
                                                     GCancellable       *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer            user_data);
HeronImapResponse *heron_imap_session_status_finish (HeronImapSession   *self,
                                                     GAsyncResult       *result,
                                                     GError            **error);

/* NOTIFY SET [STATUS] groups..., or NOTIFY NONE when n_groups is 0 (RFC 5465; needs NOTIFY).
 * From then on the server reports what the groups ask for as untagged data: FETCH, EXISTS,
 * EXPUNGE or VANISHED for the selected mailbox, STATUS for the others, LIST for names; they come
 * out as ::mailbox-event, also during IDLE. With status, a STATUS of every mailbox of the groups
 * (but the selected one) comes right away, also as ::mailbox-event. A NO with
 * [NOTIFICATIONOVERFLOW], or BAD with [BADEVENT] (an event the server does not support), fails;
 * an untagged OK [NOTIFICATIONOVERFLOW] later means the server stopped notifying. */
void     heron_imap_session_notify_async    (HeronImapSession           *self,
                                             gboolean                    status,
                                             const HeronImapNotifyGroup *groups,
                                             guint                       n_groups,
                                             GCancellable               *cancellable,
                                             GAsyncReadyCallback         callback,
                                             gpointer                    user_data);
gboolean heron_imap_session_notify_finish   (HeronImapSession           *self,
                                             GAsyncResult               *result,
                                             GError                    **error);

typedef enum {
  HERON_IMAP_MAILBOX_CREATE,
  HERON_IMAP_MAILBOX_DELETE,
  HERON_IMAP_MAILBOX_RENAME,
  HERON_IMAP_MAILBOX_SUBSCRIBE,
  HERON_IMAP_MAILBOX_UNSUBSCRIBE,
} HeronImapMailboxOperation;

/* CREATE, DELETE, RENAME (to new_name), SUBSCRIBE, UNSUBSCRIBE. */
void     heron_imap_session_mailbox_async   (HeronImapSession          *self,
                                             HeronImapMailboxOperation  operation,
                                             const char                *mailbox,
                                             const char                *new_name,
                                             GCancellable              *cancellable,
                                             GAsyncReadyCallback        callback,
                                             gpointer                   user_data);
gboolean heron_imap_session_mailbox_finish  (HeronImapSession          *self,
                                             GAsyncResult              *result,
                                             GError                   **error);

/* UID FETCH uids (items) [(CHANGEDSINCE changed_since [VANISHED])]. Each message's FETCH goes to
 * func as it arrives, never collected. Body sections go to body (nullable: collected into the
 * FETCH response's sections); its callbacks get body_data. A set too long for one command line
 * is split into several pipelined commands. changed_since needs CONDSTORE, vanished QRESYNC.
 * A section the server sends before the UID item ("* 1 FETCH (BODY[] {n}... UID 7)") reaches body
 * with uid 0 in its HeronImapBodyInfo; the FETCH response given to func right after it carries
 * the same seq and the UID: match them by seq. */
void     heron_imap_session_uid_fetch_async  (HeronImapSession            *self,
                                              const HeronImapUidSet       *uids,
                                              const char * const          *items,
                                              guint64                      changed_since,
                                              gboolean                     vanished,
                                              HeronImapFetchFunc           func,
                                              gpointer                     func_data,
                                              const HeronImapBodyConsumer *body,
                                              gpointer                     body_data,
                                              GCancellable                *cancellable,
                                              GAsyncReadyCallback          callback,
                                              gpointer                     user_data);
/* out_vanished (nullable): the UIDs reported VANISHED (EARLIER). */
gboolean heron_imap_session_uid_fetch_finish (HeronImapSession            *self,
                                              GAsyncResult                *result,
                                              HeronImapUidSet            **out_vanished,
                                              GError                     **error);

/* UID STORE uids [(UNCHANGEDSINCE n)] [+-]FLAGS[.SILENT] (flags). unchanged_since
 * (HERON_IMAP_MODSEQ_NONE: none) needs CONDSTORE. The FETCH responses with the new flags go to
 * func (nullable: they come out as ::mailbox-event). */
void     heron_imap_session_uid_store_async  (HeronImapSession     *self,
                                              const HeronImapUidSet *uids,
                                              HeronImapStoreAction  action,
                                              const char * const   *flags,
                                              gboolean              silent,
                                              guint64               unchanged_since,
                                              HeronImapFetchFunc    func,
                                              gpointer              func_data,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
/* out_modified (nullable): the UIDs the conditional store did not change ([MODIFIED]); empty
 * when all were. */
gboolean heron_imap_session_uid_store_finish (HeronImapSession     *self,
                                              GAsyncResult         *result,
                                              HeronImapUidSet     **out_modified,
                                              GError              **error);

/* UID COPY / UID MOVE (MOVE needs MOVE or IMAP4rev2). */
void     heron_imap_session_uid_copy_async   (HeronImapSession     *self,
                                              const HeronImapUidSet *uids,
                                              const char           *mailbox,
                                              gboolean              move,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
HeronImapCopyResult *heron_imap_session_uid_copy_finish (HeronImapSession *self,
                                                         GAsyncResult     *result,
                                                         GError          **error);

/* EXPUNGE, or UID EXPUNGE uids (uids not NULL; needs UIDPLUS or IMAP4rev2). What went comes as
 * ::mailbox-event (EXPUNGE or VANISHED). */
void     heron_imap_session_expunge_async    (HeronImapSession     *self,
                                              const HeronImapUidSet *uids,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
gboolean heron_imap_session_expunge_finish   (HeronImapSession     *self,
                                              GAsyncResult         *result,
                                              GError              **error);

/* APPEND mailbox [(flags)] [date] message, message from bytes or from stream (size octets). The
 * literal is non-synchronizing when the server allows it, else the session waits for "+". */
void     heron_imap_session_append_async     (HeronImapSession     *self,
                                              const char           *mailbox,
                                              const char * const   *flags,
                                              GDateTime            *date,
                                              GBytes               *message,
                                              GInputStream         *stream,
                                              guint64               size,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
/* As heron_imap_session_append_async(). With UTF8=ACCEPT or IMAP4rev2 enabled, a message whose
 * header has 8-bit octets goes as "UTF8 (~{n}...)" (RFC 6855 section 4): found on its own for
 * message, said by the caller with HERON_IMAP_APPEND_UTF8 for a stream. HERON_IMAP_APPEND_BINARY
 * sends a literal8 (ask only when the server offers BINARY). Finish with
 * heron_imap_session_append_finish(). */
void     heron_imap_session_append_full_async (HeronImapSession    *self,
                                               const char          *mailbox,
                                               const char * const  *flags,
                                               GDateTime           *date,
                                               GBytes              *message,
                                               GInputStream        *stream,
                                               guint64              size,
                                               HeronImapAppendFlags append_flags,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* The APPENDUID (RFC 4315), 0 and 0 without UIDPLUS. A missing mailbox is NO with [TRYCREATE]. */
gboolean heron_imap_session_append_finish    (HeronImapSession     *self,
                                              GAsyncResult         *result,
                                              guint32              *out_uidvalidity,
                                              guint32              *out_uid,
                                              GError              **error);

/* UID SEARCH criteria (a fragment: heron_imap_command_new_fragment() and the add functions).
 * With ESEARCH (or IMAP4rev2) the result comes as ranges (RETURN (ALL)). */
void     heron_imap_session_uid_search_async  (HeronImapSession   *self,
                                               HeronImapCommand   *criteria,
                                               GCancellable       *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer            user_data);
/* out_modseq (nullable): the highest mod-sequence of the matches when the criteria had MODSEQ. */
HeronImapUidSet *heron_imap_session_uid_search_finish (HeronImapSession   *self,
                                                       GAsyncResult       *result,
                                                       guint64            *out_modseq,
                                                       GError            **error);

G_END_DECLS
