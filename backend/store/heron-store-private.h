/* heron-store-private.h: what the files of backend/store share and nobody else uses
 * (the tests include it for fault injection and schema fixtures).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "heron-store.h"

G_BEGIN_DECLS

/* ---- One SQLite connection (heron-store-db.c) ------------------------------------------------
 *
 * A connection belongs to the thread that opened it: it is opened with SQLITE_OPEN_NOMUTEX
 * (SQLite's multi-thread mode), which is safe only while no two threads use it at once. Every
 * entry point asserts it runs on the owner. */
typedef struct {
  sqlite3    *handle;
  GThread    *owner;
  GHashTable *stmts;     /* SQL text -> sqlite3_stmt, prepared once per connection */
  char       *path;
  gboolean    readonly;
} HeronStoreDb;

#define HERON_STORE_DB_ASSERT_OWNER(db) g_assert ((db)->owner == g_thread_self ())

typedef sqlite3_stmt HeronStoreStmt;

gboolean        _heron_store_db_open      (HeronStoreDb   *db,
                                           const char     *path,
                                           gboolean        readonly,
                                           GError        **error);
void            _heron_store_db_close     (HeronStoreDb   *db);
/* A cached prepared statement, reset and unbound; give it back with _heron_store_stmt_release()
 * (g_autoptr (HeronStoreStmt) does). Only one user of a given SQL text at a time. */
HeronStoreStmt *_heron_store_db_prepare   (HeronStoreDb   *db,
                                           const char     *sql,
                                           GError        **error);
void            _heron_store_stmt_release (HeronStoreStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronStoreStmt, _heron_store_stmt_release)
/* Steps once: SQLITE_ROW or SQLITE_DONE, or another code with @error set. */
int             _heron_store_db_step      (HeronStoreDb   *db,
                                           HeronStoreStmt *stmt,
                                           GError        **error);
/* Steps until SQLITE_DONE, ignoring rows. */
gboolean        _heron_store_db_run       (HeronStoreDb   *db,
                                           HeronStoreStmt *stmt,
                                           GError        **error);
/* Runs SQL text that may hold several statements (schema, pragmas), without caching. */
gboolean        _heron_store_db_exec      (HeronStoreDb   *db,
                                           const char     *sql,
                                           GError        **error);
/* Sets @error from a SQLite result code and the connection's message. */
void            _heron_store_db_set_error (HeronStoreDb   *db,
                                           int             rc,
                                           GError        **error);
gint64          _heron_store_db_query_int (HeronStoreDb   *db,
                                           const char     *sql,
                                           gint64          fallback,
                                           GError        **error);

/* NULL binds SQL NULL. The text must live until the statement is reset. */
void  _heron_store_bind_text     (HeronStoreStmt *stmt, int index, const char *text);
void  _heron_store_bind_bytes    (HeronStoreStmt *stmt, int index, GBytes *bytes);
char *_heron_store_column_dup    (HeronStoreStmt *stmt, int index);

/* ---- Schema (heron-store-schema.c) ----------------------------------------------------------- */

/* The schema version this code writes (PRAGMA user_version). */
/* Forgets what the server answered for local UIDs when no journal entry can name them any more
 * and their message left the cache (docs/store.md, "Journal"). */
#define HERON_STORE_PRUNE_UID_MAP \
  "DELETE FROM uid_map WHERE NOT EXISTS (SELECT 1 FROM journal)" \
  " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.folder_id = uid_map.folder_id AND m.uid = uid_map.uid)"

#define HERON_STORE_SCHEMA_VERSION 11

/* Brings the database up to @target (HERON_STORE_SCHEMA_VERSION normally; lower only for the
 * migration tests), one transaction per step. */
gboolean _heron_store_schema_migrate (HeronStore *self,
                                      int         target,
                                      GError    **error);

/* What the insert triggers skip for rows inserted in bulk (schema 11), for one batch: each
 * statement takes the JSON array of the batch's new row ids as ?1; NULL-terminated. */
extern const char * const _heron_store_bulk_statements[];

/* ---- The writer (heron-store.c) ---------------------------------------------------------------- */

typedef struct _HeronStoreChangeSet HeronStoreChangeSet;

struct _HeronStore
{
  GObject               parent_instance;

  HeronStoreDb          db;
  char                 *sources_dir;     /* <database>-sources/ */

  guint                 depth;           /* open transaction levels (only the outermost is SQL's) */
  gboolean              doomed;          /* an inner level failed: the transaction must roll back */
  GPtrArray            *frames;          /* HeronStoreChangeSet per level */
  gboolean              maybe_garbage;   /* a raw source may have lost its last reference */

  HeronStoreChangesFunc changes_func;
  gpointer              changes_data;
  HeronStoreCommitFunc  commit_func;
  gpointer              commit_data;
  GDestroyNotify        changes_destroy;

  GHashTable           *pinned_sources;  /* hex hash -> count of writers holding it */
  guint32               key_counter;     /* low bits of new row ids (_heron_store_row_key()) */
  gboolean              search_deferred; /* heron_store_set_search_deferred() */
  gboolean              bulk_insert;     /* heron_store_set_bulk_insert() */
  gboolean              extra;           /* heron_store_open_extra_writer() */
  char                 *fault;           /* _heron_store_set_fault() */
};

/* Opens a writer migrated to @target only (tests of the migrations). */
HeronStore *_heron_store_open_at_version (const char *path,
                                          int         target,
                                          GError    **error);

/* The writer's raw connection (tests: fixtures and integrity checks). */
sqlite3    *_heron_store_get_handle      (HeronStore *self);

/* Makes the named point of a write fail once, as if the disk had refused it; NULL clears.
 * Points: "journal-append" (after the optimistic change, before the journal entry is written). */
void        _heron_store_set_fault       (HeronStore *self,
                                          const char *point);
gboolean    _heron_store_check_fault     (HeronStore *self,
                                          const char *point,
                                          GError    **error);

/* A transaction, or a level inside one. Every write of the cache goes through these. On
 * failure _heron_store_commit() rolls the level back itself. Rolling back an inner level dooms
 * the whole transaction (its outermost commit fails and rolls back). */
gboolean    _heron_store_begin           (HeronStore *self,
                                          GError    **error);
/* The outermost transaction of an operation that must survive a power loss: its commit runs
 * with synchronous=FULL. Fails when another transaction is open. */
gboolean    _heron_store_begin_durable   (HeronStore *self,
                                          GError    **error);
gboolean    _heron_store_commit          (HeronStore *self,
                                          GError    **error);
void        _heron_store_rollback        (HeronStore *self);

/* Records what the open transaction changed; reported after the outermost commit. */
void        _heron_store_note_message    (HeronStore          *self,
                                          HeronStoreChangeKind kind,
                                          gint64               folder_id,
                                          gint64               uid);
void        _heron_store_note_folder     (HeronStore *self,
                                          gint64      folder_id);
void        _heron_store_note_folder_list (HeronStore *self);
void        _heron_store_note_journal    (HeronStore *self);

/* A fresh negative UID for a local message (unique in the account, never reused). */
gboolean    _heron_store_next_local_uid  (HeronStore *self,
                                          gint64     *out_uid,
                                          GError    **error);

/* ---- Messages (heron-store-messages.c) --------------------------------------------------------- */

/* The columns of a full message row, in the order _heron_store_message_from_stmt() reads them,
 * and the lighter ones of a list row. Both start at column @first. */
#define HERON_STORE_MESSAGE_COLUMNS \
  "m.id, m.folder_id, m.uid, m.flags, m.keywords, m.modseq, m.internal_date, m.sent_date, " \
  "m.date, m.size, m.subject, m.from_name, m.from_address, m.sender, m.reply_to, m.to_list, " \
  "m.cc_list, m.bcc_list, m.message_id, m.in_reply_to, m.references_list, m.body_structure, " \
  "m.has_attachment, m.body_local, m.snippet, m.conversation_id, m.list_id"
#define HERON_STORE_ROW_COLUMNS \
  "m.id, m.folder_id, m.uid, m.flags, m.keywords, m.date, m.size, m.subject, m.from_name, " \
  "m.from_address, m.to_list, m.has_attachment, m.body_local, m.snippet, m.conversation_id"

HeronStoreMessage *_heron_store_message_from_stmt (HeronStoreStmt *stmt, int first);
HeronStoreMessage *_heron_store_row_from_stmt     (HeronStoreStmt *stmt, int first);

/* The sort key of a message from its two dates (docs/store.md, "Dates"). */
gint64      _heron_store_sort_date       (gint64 internal_date,
                                          gint64 sent_date);

/* Inserts a new row with its search entry and conversation (inside the caller's transaction):
 * the row id, 0 when (folder, uid) exists already, -1 on error. @conversation 0: thread it. */
gint64      _heron_store_insert_message  (HeronStore              *self,
                                          gint64                   folder_id,
                                          gint64                   uid,
                                          const HeronStoreMessage *message,
                                          gint64                   conversation,
                                          GError                 **error);
/* Changes one message's flags and keywords and reports it (inside the caller's transaction). */
gboolean    _heron_store_change_flags_one (HeronStore         *self,
                                           gint64              folder_id,
                                           gint64              uid,
                                           guint               add_flags,
                                           guint               remove_flags,
                                           const char * const *add_keywords,
                                           const char * const *remove_keywords,
                                           GError            **error);

/* A free row id for a message of sort date @date: (date << 21) plus a counter in the low 21
 * bits, so that ids, and the search index's rowids with them, follow dates. 0 on error. */
gint64      _heron_store_row_key         (HeronStore *self,
                                          gint64      date,
                                          GError    **error);

/* The row id of (folder, uid), 0 when there is none, -1 on error. */
gint64      _heron_store_lookup_row      (HeronStoreDb *db,
                                          gint64        folder_id,
                                          gint64        uid,
                                          GError      **error);

/* The server's UID of the local @uid in @folder_id once an operation's answer mapped it (*out_uid
 * = @uid when it is not mapped). FALSE on error. Writer and readers. */
gboolean    _heron_store_map_local_uid   (HeronStoreDb *db,
                                          gint64        folder_id,
                                          gint64        uid,
                                          gint64       *out_uid,
                                          GError      **error);

/* Shared by the writer and the readers. */
HeronStoreMessage *_heron_store_db_get_message (HeronStoreDb *db,
                                                gint64        folder_id,
                                                gint64        uid,
                                                GError      **error);
GPtrArray  *_heron_store_db_get_folders  (HeronStoreDb *db,
                                          GError      **error);
HeronStoreFolder *_heron_store_db_get_folder (HeronStoreDb *db,
                                              gint64        folder_id,
                                              GError      **error);
HeronStoreFolder *_heron_store_folder_from_stmt (HeronStoreStmt *stmt);
/* A reader's connection, for the queries of other files (heron-store-addresses.c). */
HeronStoreDb     *_heron_store_reader_get_db (HeronStoreReader *self);
#define HERON_STORE_FOLDER_COLUMNS \
  "id, name, display_name, delimiter, attributes, special_use, subscribed, uidvalidity, " \
  "uidnext, highestmodseq, n_messages, n_unread, server_messages, server_unseen"
GArray     *_heron_store_db_lookup_message_id (HeronStoreDb *db,
                                               const char   *message_id,
                                               GError      **error);
GPtrArray  *_heron_store_db_get_conversation  (HeronStoreDb *db,
                                               gint64        conversation_id,
                                               GError      **error);

/* ---- Threading (heron-store-threading.c) ------------------------------------------------------- */

/* Gives the message in row @row_id its conversation from its Message-ID, In-Reply-To and
 * References, merging conversations it joins. */
gboolean    _heron_store_thread_message  (HeronStore *self,
                                          gint64      row_id,
                                          const char *message_id,
                                          const char *in_reply_to,
                                          const char *references,
                                          GError    **error);
/* The same for a message not inserted yet: its conversation id, or 0 with @error set. */
gint64      _heron_store_thread_ids      (HeronStore *self,
                                          const char *message_id,
                                          const char *in_reply_to,
                                          const char *references,
                                          GError    **error);
/* Message-IDs without angle brackets: the last <...> of In-Reply-To first, then References
 * from the end, without duplicates, at most @max. */
GPtrArray  *_heron_store_parse_references (const char *in_reply_to,
                                           const char *references,
                                           guint       max);
char       *_heron_store_normalize_message_id (const char *message_id);

/* ---- Search (heron-store-search.c) ------------------------------------------------------------- */

gboolean    _heron_store_fts_insert      (HeronStore              *self,
                                          gint64                   row_id,
                                          const HeronStoreMessage *message,
                                          GError                 **error);
gboolean    _heron_store_fts_set_body    (HeronStore *self,
                                          gint64      row_id,
                                          const char *text,
                                          GError    **error);
gboolean    _heron_store_fts_copy        (HeronStore *self,
                                          gint64      from_row,
                                          gint64      to_row,
                                          GError    **error);
/* An FTS5 query that matches @text literally (docs/store.md, "Search"), or NULL when @text has
 * nothing to search for. */
char       *_heron_store_search_build_query (const char *text);
GArray     *_heron_store_db_search       (HeronStoreDb *db,
                                          const char   *text,
                                          gint64        folder_id,
                                          guint         limit,
                                          GError      **error);
/* The text that goes into the index, cut to a bound, and the list snippet made from it. */
char       *_heron_store_body_text_for_index (const char *text);
char       *_heron_store_make_snippet    (const char *text);

/* ---- Journal (heron-store-journal.c) ------------------------------------------------------------ */

/* Inserts an entry inside the caller's (durable) transaction: its seq, or 0. */
gint64      _heron_store_journal_insert  (HeronStore      *self,
                                          HeronStoreOpKind kind,
                                          GVariant        *args,
                                          gint64           source_id,
                                          GError         **error);
/* What the journal's flag changes of one message that have not reached the server add up to:
 * the system flags they set and clear (the later change of a flag wins), and their keyword
 * edits in order. */
typedef struct {
  gboolean add;
  GStrv    words;
} HeronStoreKeywordEdit;

typedef struct {
  gint64  uid;            /* the hash table's key points here */
  guint   set;            /* HeronStoreFlags */
  guint   clear;
  GArray *keyword_edits;  /* HeronStoreKeywordEdit, in journal order; NULL when none */
} HeronStorePendingFlags;

/* The flag changes (ADD_FLAGS, REMOVE_FLAGS) of @folder_id that have not reached the server
 * (neither completed nor FAILED), by message: a GHashTable of gint64 uid (a pointer to it) ->
 * HeronStorePendingFlags, read once (empty when there are none or the folder is unknown). */
GHashTable *_heron_store_journal_pending_flags (HeronStore *self,
                                                gint64      folder_id,
                                                GError    **error);

/* ---- Raw sources (heron-store-bodies.c) ------------------------------------------------------- */

/* Registers the closed source of @writer (inside the caller's transaction) and returns its
 * row; @durable fsyncs the file and its directories first. The writer keeps the file from the
 * garbage collector until it is freed. */
gboolean    _heron_store_source_writer_register (HeronStoreSourceWriter *writer,
                                                 HeronStore             *self,
                                                 gboolean                durable,
                                                 gint64                 *out_source_id,
                                                 GError                **error);
/* Stores the body text of row @row_id: search index, snippet, text_indexed. */
gboolean    _heron_store_store_text      (HeronStore *self,
                                          gint64      row_id,
                                          const char *text,
                                          GError    **error);
/* Deletes sources no message or journal entry refers to (after a commit). */
void        _heron_store_sources_collect (HeronStore *self);
void        _heron_store_sources_clean_tmp (HeronStore *self);
char       *_heron_store_source_path     (const char *sources_dir,
                                          const char *hash);
char       *_heron_store_sources_dir_for (const char *db_path);
GInputStream *_heron_store_db_open_source (HeronStoreDb *db,
                                           const char   *sources_dir,
                                           const char   *sql,
                                           gint64        key1,
                                           gint64        key2,
                                           GCancellable *cancellable,
                                           GError      **error);

int       _heron_store_set_snippet         (HeronStore *self,
                                           gint64      folder_id,
                                           gint64      uid,
                                           const char *snippet,
                                           GError    **error);

G_END_DECLS
