/* heron-store-types.h: the plain types of the local cache, shared by the writer (HeronStore)
 * and the readers (HeronStoreReader). docs/store.md describes the schema behind them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Declared here so that every header of the cache can name them; the types are defined by
 * heron-store.h, heron-store-reader.h and heron-store-bodies.h. */
typedef struct _HeronStore             HeronStore;
typedef struct _HeronStoreReader       HeronStoreReader;
typedef struct _HeronStoreSourceWriter HeronStoreSourceWriter;

/* The system flags of a message (RFC 9051 2.3.2) as a bitmask. \Recent is per session and not
 * kept; every other flag is a keyword (HeronStoreMessage.keywords). */
typedef enum {
  HERON_STORE_FLAG_SEEN     = 1 << 0,
  HERON_STORE_FLAG_ANSWERED = 1 << 1,
  HERON_STORE_FLAG_FLAGGED  = 1 << 2,
  HERON_STORE_FLAG_DELETED  = 1 << 3,
  HERON_STORE_FLAG_DRAFT    = 1 << 4,
} HeronStoreFlags;

#define HERON_STORE_FLAGS_ALL 0x1fu

/* Mailbox attributes of LIST (RFC 9051 7.3.1) as a bitmask. */
typedef enum {
  HERON_STORE_FOLDER_NOSELECT        = 1 << 0,
  HERON_STORE_FOLDER_NOINFERIORS     = 1 << 1,
  HERON_STORE_FOLDER_NONEXISTENT     = 1 << 2,
  HERON_STORE_FOLDER_HAS_CHILDREN    = 1 << 3,
  HERON_STORE_FOLDER_HAS_NO_CHILDREN = 1 << 4,
  HERON_STORE_FOLDER_MARKED          = 1 << 5,
  HERON_STORE_FOLDER_UNMARKED        = 1 << 6,
  HERON_STORE_FOLDER_REMOTE          = 1 << 7,
} HeronStoreFolderAttributes;

/* The special use of a folder (RFC 6154). */
typedef enum {
  HERON_STORE_SPECIAL_USE_NONE,
  HERON_STORE_SPECIAL_USE_ALL,
  HERON_STORE_SPECIAL_USE_ARCHIVE,
  HERON_STORE_SPECIAL_USE_DRAFTS,
  HERON_STORE_SPECIAL_USE_FLAGGED,
  HERON_STORE_SPECIAL_USE_JUNK,
  HERON_STORE_SPECIAL_USE_SENT,
  HERON_STORE_SPECIAL_USE_TRASH,
} HeronStoreSpecialUse;

/* A folder (IMAP mailbox) of the account. */
typedef struct {
  gint64               id;             /* the cache's id: stable across renames */
  char                *name;           /* the server's name, as sent (modified UTF-7, or UTF-8 with UTF8=ACCEPT) */
  char                *display_name;   /* the full path in UTF-8, for people */
  char                 delimiter;      /* the hierarchy delimiter, or '\0' for a flat name space */
  guint                attributes;     /* HeronStoreFolderAttributes */
  HeronStoreSpecialUse special_use;
  gboolean             subscribed;
  guint32              uidvalidity;    /* 0: never selected */
  guint32              uidnext;
  guint64              highestmodseq;  /* 0: no CONDSTORE, or never selected */
  guint                n_messages;     /* kept current by the cache */
  guint                n_unread;       /* messages neither \Seen nor \Deleted */
  gint64               server_messages; /* MESSAGES of the server's last STATUS; -1: unknown */
  gint64               server_unseen;   /* UNSEEN of the server's last STATUS; -1: unknown */
} HeronStoreFolder;

#define HERON_STORE_TYPE_FOLDER (heron_store_folder_get_type ())
GType             heron_store_folder_get_type (void) G_GNUC_CONST;
HeronStoreFolder *heron_store_folder_new      (void);
HeronStoreFolder *heron_store_folder_copy     (const HeronStoreFolder *folder);
void              heron_store_folder_free     (HeronStoreFolder       *folder);
/* The name of the folder's parent in the hierarchy ("Work" for "Work/2024"), or NULL at the top. */
char             *heron_store_folder_dup_parent_name (const HeronStoreFolder *folder);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreFolder, heron_store_folder_free)

/* The summary of one message in one folder. Fields marked "read only" are filled when read from
 * the cache and ignored when written. Address lists (to, cc, bcc, sender, reply_to) are compact
 * text chosen by the caller, e.g. "Ana Lima <ana@example.org>, bob@example.net"; the search
 * index reads every word of them. */
typedef struct {
  gint64   id;               /* read only: the row, stable while the message stays in its folder */
  gint64   folder_id;        /* read only */
  gint64   uid;              /* > 0: the server's UID; < 0: a local message waiting for its UID */
  guint    flags;            /* HeronStoreFlags */
  char    *keywords;         /* the other flags, space-separated ("$Forwarded $label1"), or NULL */
  guint64  modseq;
  gint64   internal_date;    /* unix seconds; 0: unknown */
  gint64   sent_date;        /* the Date header in unix seconds; 0: none */
  gint64   date;             /* read only: the sort key (docs/store.md, "Dates") */
  guint64  size;
  char    *subject;
  char    *from_name;
  char    *from_address;
  char    *sender;
  char    *reply_to;
  char    *to;
  char    *cc;
  char    *bcc;
  char    *message_id;       /* without angle brackets */
  char    *in_reply_to;      /* the header as sent */
  char    *references;       /* the header as sent */
  char    *list_id;          /* the List-Id header (RFC 2919) as sent, unfolded, or NULL */
  GBytes  *body_structure;   /* opaque to the cache: the caller's serialized BODYSTRUCTURE */
  gboolean has_attachment;
  gboolean body_local;       /* read only: the raw source is in the cache */
  char    *snippet;          /* read only: the start of the body text once it is local */
  gint64   conversation_id;  /* read only */
} HeronStoreMessage;

#define HERON_STORE_TYPE_MESSAGE (heron_store_message_get_type ())
GType              heron_store_message_get_type (void) G_GNUC_CONST;
HeronStoreMessage *heron_store_message_new      (void);
HeronStoreMessage *heron_store_message_copy     (const HeronStoreMessage *message);
void               heron_store_message_free     (HeronStoreMessage       *message);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreMessage, heron_store_message_free)

/* A message named by folder and UID (a search hit, a Message-ID lookup). */
typedef struct {
  gint64 folder_id;
  gint64 uid;
} HeronStoreMessageRef;

/* The flags of one message as the server reported them (FETCH FLAGS MODSEQ). */
typedef struct {
  gint64      uid;
  guint       flags;     /* HeronStoreFlags */
  const char *keywords;  /* space-separated, or NULL */
  guint64     modseq;    /* 0: unknown (keeps the stored one) */
} HeronStoreFlagUpdate;

/* A closed range of UIDs, first <= last (VANISHED 1:5000). */
typedef struct {
  guint32 first;
  guint32 last;
} HeronStoreUidRange;

/* What a committed transaction changed. The writer reports them to its HeronStoreChangesFunc
 * on its own thread, right after the commit. */
typedef enum {
  HERON_STORE_CHANGE_FOLDER_LIST,       /* folders were created, renamed or deleted, or their attributes changed */
  HERON_STORE_CHANGE_FOLDER,            /* the counts or sync state of folder_id changed */
  HERON_STORE_CHANGE_MESSAGES_REMOVED,  /* uids left folder_id */
  HERON_STORE_CHANGE_MESSAGES_ADDED,    /* uids are new in folder_id */
  HERON_STORE_CHANGE_MESSAGES_CHANGED,  /* flags, body or conversation of uids changed */
  HERON_STORE_CHANGE_JOURNAL,           /* operations were added to or left the journal */
} HeronStoreChangeKind;

typedef struct {
  HeronStoreChangeKind kind;
  gint64               folder_id;  /* 0 for FOLDER_LIST and JOURNAL */
  GArray              *uids;       /* gint64, ascending; only for MESSAGES_* */
} HeronStoreChange;

/* @changes: a GPtrArray of HeronStoreChange, in the order FOLDER_LIST, then per folder REMOVED,
 * ADDED, CHANGED, then FOLDER, then JOURNAL. A UID is in at most one of a folder's sets. Keep a
 * reference (g_ptr_array_ref()) to use it after returning. */
typedef void (*HeronStoreChangesFunc) (HeronStore *store,
                                       GPtrArray  *changes,
                                       gpointer    user_data);

/* The kinds of offline operations the journal keeps, with the GVariant type of their arguments.
 * Folder names are the server's names at the time of the operation; UIDs are gint64 and negative
 * for messages that have no server UID yet (heron_store_journal_resolve_uid()). */
typedef enum {
  HERON_STORE_OP_ADD_FLAGS = 1,  /* (saxuas): folder, uids, flags, keywords */
  HERON_STORE_OP_REMOVE_FLAGS,   /* (saxuas) */
  HERON_STORE_OP_MOVE,           /* (saxsaxas): folder, uids, destination, the destination's local
                                  * uids (in order), the Message-IDs ("" when none) */
  HERON_STORE_OP_COPY,           /* (saxsaxas) */
  HERON_STORE_OP_EXPUNGE,        /* (sax): folder, uids */
  HERON_STORE_OP_APPEND,         /* (sxuasxs): folder, local uid, flags, keywords, internal date,
                                  * Message-ID; the raw source is kept with the entry */
  HERON_STORE_OP_CREATE_FOLDER,  /* (s) */
  HERON_STORE_OP_RENAME_FOLDER,  /* (ss): old name, new name */
  HERON_STORE_OP_DELETE_FOLDER,  /* (s) */
} HeronStoreOpKind;

/* The GVariant type string of @kind's arguments, or NULL for an unknown kind. */
const char *heron_store_op_kind_get_args_type (HeronStoreOpKind kind);
const char *heron_store_op_kind_to_string     (HeronStoreOpKind kind);

typedef enum {
  HERON_STORE_OP_PENDING,      /* not sent yet (or sent and known not to have taken effect) */
  HERON_STORE_OP_IN_PROGRESS,  /* the replayer said it is about to send it: after a crash, check
                                * the server before sending again (docs/store.md, "Journal") */
  HERON_STORE_OP_FAILED,       /* the server refused it for good; waits for the user */
} HeronStoreOpState;

typedef struct {
  gint64            seq;       /* increases with every append, never reused */
  HeronStoreOpKind  kind;
  GVariant         *args;      /* of heron_store_op_kind_get_args_type (kind) */
  HeronStoreOpState state;
  guint             attempts;  /* how often it was started */
  char             *error;     /* the last failure, or NULL */
  gint64            created;   /* unix seconds */
  gboolean          has_source;
} HeronStoreOperation;

#define HERON_STORE_TYPE_OPERATION (heron_store_operation_get_type ())
GType                heron_store_operation_get_type (void) G_GNUC_CONST;
HeronStoreOperation *heron_store_operation_copy     (const HeronStoreOperation *op);
void                 heron_store_operation_free     (HeronStoreOperation       *op);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreOperation, heron_store_operation_free)

/* What the server answered for a local message: APPENDUID or COPYUID (RFC 4315). */
typedef struct {
  gint64  local_uid;  /* < 0 */
  guint32 uid;
} HeronStoreUidMapping;

G_END_DECLS
