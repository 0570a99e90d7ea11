/* heron-store-journal.c: the journal of operations waiting for the server
 *
 * Each entry is a row with an AUTOINCREMENT seq (increasing, never reused, even after the
 * journal empties), the kind, its arguments as a serialized GVariant of the kind's type, a state
 * and an attempt count. Appending and starting commit with synchronous=FULL (heron-store.c), so
 * that once they return, a power loss cannot undo them; completing and failing commit normally
 * (losing one only means replaying it again, which the replayer must survive anyway).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

static gboolean
check_args (HeronStoreOpKind kind,
            GVariant        *args,
            GError         **error)
{
  const char *type = heron_store_op_kind_get_args_type (kind);

  if (type == NULL)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID, "Unknown journal operation %d", kind);
      return FALSE;
    }
  if (args == NULL || !g_variant_is_of_type (args, G_VARIANT_TYPE (type)))
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "The arguments of a journal %s operation must have the type %s, not %s",
                   heron_store_op_kind_to_string (kind), type,
                   args != NULL ? g_variant_get_type_string (args) : "(none)");
      return FALSE;
    }
  return TRUE;
}

gint64
_heron_store_journal_insert (HeronStore      *self,
                             HeronStoreOpKind kind,
                             GVariant        *args,
                             gint64           source_id,
                             GError         **error)
{
  g_autoptr (GVariant) normal = NULL;
  g_autoptr (GBytes) data = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  const char *folder = NULL;
  gint64 seq;

  g_assert (self->depth > 0);

  if (!check_args (kind, args, error))
    return 0;

  /* the folder it acts in (a rename: the folder under its new name; a deleted one is gone) */
  g_variant_get_child (args, kind == HERON_STORE_OP_RENAME_FOLDER ? 1 : 0, "&s", &folder);
  normal = g_variant_get_normal_form (args);
  data = g_variant_get_data_as_bytes (normal);
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO journal (kind, args, created, source_id, folder_id)"
                                  " VALUES (?, ?, ?, ?, (SELECT id FROM folders WHERE name = ?5))",
                                  error);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_int (stmt, 1, kind);
  _heron_store_bind_bytes (stmt, 2, data);
  sqlite3_bind_int64 (stmt, 3, g_get_real_time () / G_USEC_PER_SEC);
  if (source_id > 0)
    sqlite3_bind_int64 (stmt, 4, source_id);
  else
    sqlite3_bind_null (stmt, 4);
  _heron_store_bind_text (stmt, 5, folder);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return 0;
  seq = sqlite3_last_insert_rowid (self->db.handle);
  _heron_store_note_journal (self);
  return seq;
}

gint64
heron_store_journal_append (HeronStore             *self,
                            HeronStoreOpKind        kind,
                            GVariant               *args,
                            HeronStoreSourceWriter *source,
                            GError                **error)
{
  g_autoptr (GVariant) owned = NULL;
  gint64 source_id = 0, seq;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (args != NULL, 0);
  g_return_val_if_fail (source == NULL || HERON_IS_STORE_SOURCE_WRITER (source), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  owned = g_variant_ref_sink (args);
  if (!_heron_store_begin_durable (self, error))
    return 0;
  if (source != NULL && !_heron_store_source_writer_register (source, self, TRUE, &source_id, error))
    goto failed;
  seq = _heron_store_journal_insert (self, kind, owned, source_id, error);
  if (seq == 0)
    goto failed;
  if (!_heron_store_commit (self, error))
    return 0;
  return seq;

failed:
  _heron_store_rollback (self);
  return 0;
}

/* The states as the journal table stores them (the SQL below spells them as numbers) */
G_STATIC_ASSERT (HERON_STORE_OP_PENDING == 0);
G_STATIC_ASSERT (HERON_STORE_OP_IN_PROGRESS == 1);
G_STATIC_ASSERT (HERON_STORE_OP_FAILED == 2);

#define OPERATION_COLUMNS "seq, kind, args, state, attempts, error, created, source_id IS NOT NULL"

static HeronStoreOperation *
operation_from_stmt (HeronStoreStmt *stmt)
{
  HeronStoreOperation *op = g_new0 (HeronStoreOperation, 1);
  const char *type;
  gsize size;

  op->seq = sqlite3_column_int64 (stmt, 0);
  op->kind = sqlite3_column_int (stmt, 1);
  type = heron_store_op_kind_get_args_type (op->kind);
  size = sqlite3_column_bytes (stmt, 2);
  if (type != NULL)
    {
      /* Untrusted: a damaged blob gives a GVariant of the right type with default values */
      GBytes *bytes = g_bytes_new (sqlite3_column_blob (stmt, 2), size);

      op->args = g_variant_ref_sink (g_variant_new_from_bytes (G_VARIANT_TYPE (type), bytes, FALSE));
      g_bytes_unref (bytes);
    }
  op->state = sqlite3_column_int (stmt, 3);
  op->attempts = sqlite3_column_int (stmt, 4);
  op->error = _heron_store_column_dup (stmt, 5);
  op->created = sqlite3_column_int64 (stmt, 6);
  op->has_source = sqlite3_column_int (stmt, 7) != 0;
  return op;
}

static void
keyword_edit_clear (gpointer data)
{
  g_strfreev (((HeronStoreKeywordEdit *) data)->words);
}

static void
pending_flags_free (gpointer data)
{
  HeronStorePendingFlags *pending = data;

  g_clear_pointer (&pending->keyword_edits, g_array_unref);
  g_free (pending);
}

/* Adds the flag change @op (ADD_FLAGS or REMOVE_FLAGS) to each message it names in @by_uid. */
static void
add_pending_flags (GHashTable                *by_uid,
                   const HeronStoreOperation *op)
{
  g_autoptr (GVariant) uids_v = g_variant_get_child_value (op->args, 1);
  g_autoptr (GVariant) words_v = g_variant_get_child_value (op->args, 3);
  g_auto (GStrv) words = NULL;
  gboolean add = op->kind == HERON_STORE_OP_ADD_FLAGS;
  const gint64 *uids;
  gsize n;
  guint32 system;

  uids = g_variant_get_fixed_array (uids_v, &n, sizeof (gint64));
  g_variant_get_child (op->args, 2, "u", &system);
  if (g_variant_n_children (words_v) > 0)
    words = g_variant_dup_strv (words_v, NULL);
  for (gsize i = 0; i < n; i++)
    {
      HeronStorePendingFlags *pending = g_hash_table_lookup (by_uid, &uids[i]);

      if (pending == NULL)
        {
          pending = g_new0 (HeronStorePendingFlags, 1);
          pending->uid = uids[i];
          g_hash_table_insert (by_uid, &pending->uid, pending);
        }
      if (add)
        {
          pending->set |= system;
          pending->clear &= ~system;
        }
      else
        {
          pending->clear |= system;
          pending->set &= ~system;
        }
      if (words != NULL)
        {
          HeronStoreKeywordEdit edit = { add, g_strdupv (words) };

          if (pending->keyword_edits == NULL)
            {
              pending->keyword_edits = g_array_new (FALSE, FALSE, sizeof (HeronStoreKeywordEdit));
              g_array_set_clear_func (pending->keyword_edits, keyword_edit_clear);
            }
          g_array_append_val (pending->keyword_edits, edit);
        }
    }
}

GHashTable *
_heron_store_journal_pending_flags (HeronStore *self,
                                    gint64      folder_id,
                                    GError    **error)
{
  g_autoptr (GHashTable) by_uid = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, pending_flags_free);
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GError) local_error = NULL;
  int rc;

  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT " OPERATION_COLUMNS " FROM journal"
                                  " WHERE state != ?3 AND kind IN (?1, ?2) ORDER BY seq",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int (stmt, 1, HERON_STORE_OP_ADD_FLAGS);
  sqlite3_bind_int (stmt, 2, HERON_STORE_OP_REMOVE_FLAGS);
  sqlite3_bind_int (stmt, 3, HERON_STORE_OP_FAILED);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr (HeronStoreOperation) op = NULL;
      const char *name;

      if (folder == NULL)
        {
          folder = _heron_store_db_get_folder (&self->db, folder_id, &local_error);
          if (folder == NULL)
            break;  /* no such folder: nothing of it is pending */
        }
      op = operation_from_stmt (stmt);
      g_variant_get_child (op->args, 0, "&s", &name);
      if (g_strcmp0 (name, folder->name) == 0)
        add_pending_flags (by_uid, op);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&by_uid);
}

GPtrArray *
heron_store_journal_list (HeronStore *self,
                          GError    **error)
{
  g_autoptr (GPtrArray) ops = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_operation_free);
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _heron_store_db_prepare (&self->db, "SELECT " OPERATION_COLUMNS " FROM journal ORDER BY seq", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (ops, operation_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&ops);
}

static HeronStoreOperation *
get_operation (HeronStore *self,
               gint64      seq,
               GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (&self->db, "SELECT " OPERATION_COLUMNS " FROM journal WHERE seq = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    return operation_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No operation %" G_GINT64_FORMAT " in the journal", seq);
  return NULL;
}

HeronStoreOperation *
heron_store_journal_get (HeronStore *self,
                         gint64      seq,
                         GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return get_operation (self, seq, error);
}

/* Runs one UPDATE of an entry; NOT_FOUND when no entry matched. */
static gboolean
update_entry (HeronStore *self,
              const char *sql,
              gint64      seq,
              const char *text,
              GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  if (text != NULL)
    _heron_store_bind_text (stmt, 2, text);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db.handle) == 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "No operation %" G_GINT64_FORMAT " in the journal (in that state)", seq);
      return FALSE;
    }
  _heron_store_note_journal (self);
  return TRUE;
}

gboolean
heron_store_journal_start (HeronStore *self,
                           gint64      seq,
                           GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Durable: after a power loss it must still say "may have been sent" */
  if (!_heron_store_begin_durable (self, error))
    return FALSE;
  if (!update_entry (self,
                     "UPDATE journal SET state = 1, attempts = attempts + 1"
                     " WHERE seq = ?1 AND state != 2",
                     seq, NULL, error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  return _heron_store_commit (self, error);
}

gboolean
heron_store_journal_fail (HeronStore *self,
                          gint64      seq,
                          const char *message,
                          gboolean    permanent,
                          GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  if (!update_entry (self,
                     permanent ? "UPDATE journal SET state = 2, error = ?2 WHERE seq = ?1"
                               : "UPDATE journal SET state = 0, error = ?2 WHERE seq = ?1",
                     seq, message, error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  return _heron_store_commit (self, error);
}

gboolean
heron_store_journal_retry (HeronStore *self,
                           gint64      seq,
                           GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  if (!update_entry (self,
                     "UPDATE journal SET state = 0 WHERE seq = ?1 AND state = 2",
                     seq, NULL, error))
    {
      _heron_store_rollback (self);
      return FALSE;
    }
  return _heron_store_commit (self, error);
}

/* The local UIDs an operation created, with their destination folder name. */
static GArray *
created_local_uids (const HeronStoreOperation *op,
                    const char               **out_folder)
{
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (gint64));

  *out_folder = NULL;
  switch (op->kind)
    {
    case HERON_STORE_OP_MOVE:
    case HERON_STORE_OP_COPY:
      {
        g_autoptr (GVariant) dest_uids = g_variant_get_child_value (op->args, 3);
        gsize n = 0;
        const gint64 *values = g_variant_get_fixed_array (dest_uids, &n, sizeof (gint64));

        g_variant_get_child (op->args, 2, "&s", out_folder);
        g_array_append_vals (uids, values, n);
      }
      break;
    case HERON_STORE_OP_APPEND:
      {
        gint64 local;

        g_variant_get_child (op->args, 0, "&s", out_folder);
        g_variant_get_child (op->args, 1, "x", &local);
        g_array_append_val (uids, local);
      }
      break;
    case HERON_STORE_OP_ADD_FLAGS:
    case HERON_STORE_OP_REMOVE_FLAGS:
    case HERON_STORE_OP_EXPUNGE:
    case HERON_STORE_OP_CREATE_FOLDER:
    case HERON_STORE_OP_RENAME_FOLDER:
    case HERON_STORE_OP_DELETE_FOLDER:
    default:
      break;
    }
  return uids;
}

/* The message row of a local UID, wherever it is now; 0 when it is gone. */
static gboolean
find_local (HeronStore *self,
            gint64      local_uid,
            gint64     *out_row,
            gint64     *out_folder,
            GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  *out_row = 0;
  *out_folder = 0;
  stmt = _heron_store_db_prepare (&self->db, "SELECT id, folder_id FROM messages WHERE uid = ?1 AND uid < 0", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, local_uid);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    {
      *out_row = sqlite3_column_int64 (stmt, 0);
      *out_folder = sqlite3_column_int64 (stmt, 1);
    }
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

static gboolean
delete_row (HeronStore *self,
            gint64      row,
            gint64      folder_id,
            gint64      uid,
            GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "DELETE FROM messages WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;
  _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, uid);
  _heron_store_note_folder (self, folder_id);
  self->maybe_garbage = TRUE;
  return TRUE;
}

/* A local message got its server UID. */
static gboolean
map_local (HeronStore *self,
           gint64      local_uid,
           guint32     uid,
           GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 row, folder_id, existing;

  if (!find_local (self, local_uid, &row, &folder_id, error))
    return FALSE;

  if (row != 0)
    {
      existing = _heron_store_lookup_row (&self->db, folder_id, uid, error);
      if (existing < 0)
        return FALSE;
      if (existing > 0)
        {
          /* A sync fetched the server's copy first: that one stays */
          if (!delete_row (self, row, folder_id, local_uid, error))
            return FALSE;
        }
      else
        {
          stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET uid = ? WHERE id = ?", error);
          if (stmt == NULL)
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, uid);
          sqlite3_bind_int64 (stmt, 2, row);
          if (!_heron_store_db_run (&self->db, stmt, error))
            return FALSE;
          g_clear_pointer (&stmt, _heron_store_stmt_release);
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, local_uid);
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_ADDED, folder_id, uid);
          _heron_store_note_folder (self, folder_id);
        }
    }

  /* Later operations may name the local UID (the message moved on, or was flagged) */
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT OR REPLACE INTO uid_map (local_uid, folder_id, uid) VALUES (?, ?, ?)",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, local_uid);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  sqlite3_bind_int64 (stmt, 3, uid);
  return _heron_store_db_run (&self->db, stmt, error);
}

static gboolean
drop_local (HeronStore *self,
            gint64      local_uid,
            GError    **error)
{
  gint64 row, folder_id;

  if (!find_local (self, local_uid, &row, &folder_id, error))
    return FALSE;
  return row == 0 || delete_row (self, row, folder_id, local_uid, error);
}

static gboolean
delete_entry (HeronStore *self,
              gint64      seq,
              GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "DELETE FROM journal WHERE seq = ?", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  /* An APPEND's source may have lost its last reference */
  self->maybe_garbage = TRUE;
  _heron_store_note_journal (self);

  /* Once no operation is left to name a local UID, a mapping is kept only while its message is
   * in the cache: objects of the UI made with the local UID follow it to the server's. */
  return _heron_store_db_exec (&self->db, HERON_STORE_PRUNE_UID_MAP, error);
}

gboolean
heron_store_journal_complete (HeronStore                 *self,
                              gint64                      seq,
                              const HeronStoreUidMapping *mappings,
                              guint                       n_mappings,
                              GError                    **error)
{
  g_autoptr (HeronStoreOperation) op = NULL;
  g_autoptr (GArray) created = NULL;
  const char *folder_name;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (mappings != NULL || n_mappings == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  op = get_operation (self, seq, error);
  if (op == NULL)
    goto failed;
  created = created_local_uids (op, &folder_name);

  for (guint i = 0; i < n_mappings; i++)
    {
      gboolean ours = FALSE;

      for (guint j = 0; j < created->len && !ours; j++)
        ours = g_array_index (created, gint64, j) == mappings[i].local_uid;
      if (!ours || mappings[i].uid == 0)
        {
          g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                       "Operation %" G_GINT64_FORMAT " did not create the local message %" G_GINT64_FORMAT,
                       seq, mappings[i].local_uid);
          goto failed;
        }
      if (!map_local (self, mappings[i].local_uid, mappings[i].uid, error))
        goto failed;
    }

  for (guint j = 0; j < created->len; j++)
    {
      gint64 local = g_array_index (created, gint64, j);
      gboolean mapped = FALSE;

      for (guint i = 0; i < n_mappings && !mapped; i++)
        mapped = mappings[i].local_uid == local;
      if (!mapped && !drop_local (self, local, error))
        goto failed;
    }

  if (!delete_entry (self, seq, error))
    goto failed;
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
}

/* Dependencies between entries */

typedef struct {
  char     *name;
  char      delimiter;   /* 0: not known ('/' and '.' are tried) */
  gboolean  below;       /* the folders below it too (it exists only because of the entry) */
} HeldFolder;

struct _HeronStoreJournalHolds {
  HeronStore *store;
  gboolean    structural;
  GHashTable *locals;     /* gint64 local UIDs made by a held entry */
  GHashTable *messages;   /* "uid folder" named by a held entry */
  GArray     *folders;    /* HeldFolder: made, renamed or deleted by a held entry */
  char        delimiter;  /* the one the account's folders use; 0: none or several */
  gboolean    delimiter_known;
};

static void
held_folder_clear (gpointer data)
{
  g_free (((HeldFolder *) data)->name);
}

HeronStoreJournalHolds *
heron_store_journal_holds_new (HeronStore *self,
                               gboolean    structural)
{
  HeronStoreJournalHolds *holds;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);

  holds = g_new0 (HeronStoreJournalHolds, 1);
  holds->store = g_object_ref (self);
  holds->structural = structural;
  holds->locals = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  holds->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  holds->folders = g_array_new (FALSE, FALSE, sizeof (HeldFolder));
  g_array_set_clear_func (holds->folders, held_folder_clear);
  return holds;
}

void
heron_store_journal_holds_free (HeronStoreJournalHolds *holds)
{
  if (holds == NULL)
    return;
  g_object_unref (holds->store);
  g_hash_table_unref (holds->locals);
  g_hash_table_unref (holds->messages);
  g_array_unref (holds->folders);
  g_free (holds);
}

/* What an entry names: the folder it acts in, another it acts on (a destination, a new name), its
 * messages in the first (nullable), and the local messages it makes (nullable). */
typedef struct {
  const char   *folder;
  const char   *other;
  const gint64 *uids;
  gsize         n_uids;
  const gint64 *made;
  gsize         n_made;
  gint64        appended;
  GVariant     *uids_v;
  GVariant     *made_v;
} Named;

static void
named_clear (Named *named)
{
  g_clear_pointer (&named->uids_v, g_variant_unref);
  g_clear_pointer (&named->made_v, g_variant_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Named, named_clear)

static void
named_of (const HeronStoreOperation *op,
          Named                     *named)
{
  memset (named, 0, sizeof *named);
  if (op->args == NULL)
    return;
  switch (op->kind)
    {
    case HERON_STORE_OP_ADD_FLAGS:
    case HERON_STORE_OP_REMOVE_FLAGS:
    case HERON_STORE_OP_EXPUNGE:
      g_variant_get_child (op->args, 0, "&s", &named->folder);
      named->uids_v = g_variant_get_child_value (op->args, 1);
      break;
    case HERON_STORE_OP_MOVE:
    case HERON_STORE_OP_COPY:
      g_variant_get_child (op->args, 0, "&s", &named->folder);
      named->uids_v = g_variant_get_child_value (op->args, 1);
      g_variant_get_child (op->args, 2, "&s", &named->other);
      named->made_v = g_variant_get_child_value (op->args, 3);
      break;
    case HERON_STORE_OP_APPEND:
      g_variant_get_child (op->args, 0, "&s", &named->folder);
      g_variant_get_child (op->args, 1, "x", &named->appended);
      named->made = &named->appended;
      named->n_made = 1;
      break;
    case HERON_STORE_OP_CREATE_FOLDER:
    case HERON_STORE_OP_DELETE_FOLDER:
      g_variant_get_child (op->args, 0, "&s", &named->folder);
      break;
    case HERON_STORE_OP_RENAME_FOLDER:
      g_variant_get_child (op->args, 0, "&s", &named->folder);
      g_variant_get_child (op->args, 1, "&s", &named->other);
      break;
    default:
      break;
    }
  if (named->uids_v != NULL)
    named->uids = g_variant_get_fixed_array (named->uids_v, &named->n_uids, sizeof (gint64));
  if (named->made_v != NULL)
    named->made = g_variant_get_fixed_array (named->made_v, &named->n_made, sizeof (gint64));
}

static char *
message_key (const char *folder,
             gint64      uid)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s", uid, folder);
}

/* The hierarchy delimiter of the account's folders when they all agree (a folder the cache no
 * longer has, deleted or renamed since, is cut with it). */
static char
account_delimiter (HeronStoreJournalHolds *holds)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  if (holds->delimiter_known)
    return holds->delimiter;
  holds->delimiter_known = TRUE;
  stmt = _heron_store_db_prepare (&holds->store->db,
                                  "SELECT DISTINCT delimiter FROM folders WHERE delimiter IS NOT NULL AND delimiter != ''"
                                  " LIMIT 2",
                                  NULL);
  if (stmt == NULL)
    return 0;
  if (_heron_store_db_step (&holds->store->db, stmt, NULL) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 0);

      holds->delimiter = text != NULL ? text[0] : 0;
      if (_heron_store_db_step (&holds->store->db, stmt, NULL) != SQLITE_DONE)
        holds->delimiter = 0;   /* several (or the cache failed): both separators are tried */
    }
  return holds->delimiter;
}

/* @below: the folders below @name are held too. */
static void
hold_folder (HeronStoreJournalHolds *holds,
             const char             *name,
             gboolean                below)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  HeldFolder held = { 0 };

  if (name == NULL || *name == '\0')
    return;
  for (guint i = 0; i < holds->folders->len; i++)
    {
      HeldFolder *known = &g_array_index (holds->folders, HeldFolder, i);

      if (strcmp (known->name, name) == 0)
        {
          known->below |= below;
          return;
        }
    }
  held.name = g_strdup (name);
  held.below = below;
  if (below)
    {
      folder = heron_store_lookup_folder (holds->store, name, NULL);
      held.delimiter = folder != NULL && folder->delimiter != 0 ? folder->delimiter : account_delimiter (holds);
    }
  g_array_append_val (holds->folders, held);
}

static gboolean
is_inbox (const char *name)
{
  return g_ascii_strcasecmp (name, "INBOX") == 0;
}

/* @name is a held folder or one below one held with its children. */
static gboolean
folder_held (HeronStoreJournalHolds *holds,
             const char             *name)
{
  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < holds->folders->len; i++)
    {
      const HeldFolder *held = &g_array_index (holds->folders, HeldFolder, i);
      gsize len = strlen (held->name);

      if (strncmp (name, held->name, len) != 0)
        continue;
      if (name[len] == '\0')
        return TRUE;
      if (!held->below)
        continue;
      if (held->delimiter != 0 ? name[len] == held->delimiter : (name[len] == '/' || name[len] == '.'))
        return TRUE;
    }
  return FALSE;
}

void
heron_store_journal_holds_add (HeronStoreJournalHolds    *holds,
                               const HeronStoreOperation *op)
{
  g_auto (Named) named = { 0 };

  g_return_if_fail (holds != NULL);
  g_return_if_fail (op != NULL);

  named_of (op, &named);
  for (gsize i = 0; i < named.n_made; i++)
    if (named.made[i] < 0)
      g_hash_table_add (holds->locals, g_memdup2 (&named.made[i], sizeof (gint64)));
  /* A folder that exists only because of the entry (made, or a new name) holds what acts in or
   * below it. A deleted folder, or the old name of a renamed one, holds only what names it
   * exactly (a folder made again under that name): its children stay where they are, on the
   * server as here (a server may refuse to delete a folder with children), and another client
   * may make it again. INBOX always exists (renaming it moves its messages). Nothing of those
   * two goes with a discarded entry: only what the entry made. */
  switch (op->kind)
    {
    case HERON_STORE_OP_CREATE_FOLDER:
      hold_folder (holds, named.folder, TRUE);
      break;
    case HERON_STORE_OP_RENAME_FOLDER:
      hold_folder (holds, named.other, TRUE);
      if (!holds->structural && named.folder != NULL && !is_inbox (named.folder))
        hold_folder (holds, named.folder, FALSE);
      break;
    case HERON_STORE_OP_DELETE_FOLDER:
      if (!holds->structural)
        hold_folder (holds, named.folder, FALSE);
      break;
    default:
      break;
    }
  if (!holds->structural)
    for (gsize i = 0; i < named.n_uids; i++)
      g_hash_table_add (holds->messages, message_key (named.folder, named.uids[i]));
}

gboolean
heron_store_journal_holds_depends (HeronStoreJournalHolds    *holds,
                                   const HeronStoreOperation *op)
{
  g_auto (Named) named = { 0 };

  g_return_val_if_fail (holds != NULL, FALSE);
  g_return_val_if_fail (op != NULL, FALSE);

  named_of (op, &named);
  if (folder_held (holds, named.folder) || folder_held (holds, named.other))
    return TRUE;
  for (gsize i = 0; i < named.n_uids; i++)
    {
      if (named.uids[i] < 0 && g_hash_table_contains (holds->locals, &named.uids[i]))
        return TRUE;
      if (!holds->structural && g_hash_table_size (holds->messages) > 0)
        {
          g_autofree char *key = message_key (named.folder, named.uids[i]);

          if (g_hash_table_contains (holds->messages, key))
            return TRUE;
        }
    }
  return FALSE;
}

GArray *
heron_store_journal_list_held (HeronStore *self,
                               GError    **error)
{
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (HeronStoreJournalHolds) holds = NULL;
  g_autoptr (GArray) held = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ops = heron_store_journal_list (self, error);
  if (ops == NULL)
    return NULL;
  holds = heron_store_journal_holds_new (self, FALSE);
  for (guint i = 0; i < ops->len; i++)
    {
      const HeronStoreOperation *op = g_ptr_array_index (ops, i);

      if (op->state == HERON_STORE_OP_FAILED)
        heron_store_journal_holds_add (holds, op);
      else if (heron_store_journal_holds_depends (holds, op))
        {
          heron_store_journal_holds_add (holds, op);
          g_array_append_val (held, op->seq);
        }
    }
  return g_steal_pointer (&held);
}

/* Discarding */

/* The folder's next sync fetches the messages from @lowest up again, and every flag. */
static gboolean
forget_sync_state (HeronStore *self,
                   gint64      folder_id,
                   gint64      lowest,
                   GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE folders SET highestmodseq = 0,"
                                  "  uidnext = CASE WHEN ?2 > 0 AND ?2 < uidnext THEN ?2 ELSE uidnext END"
                                  " WHERE id = ?1 AND uidvalidity != 0",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, lowest);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db.handle) > 0)
    _heron_store_note_folder (self, folder_id);
  return TRUE;
}

/* The folder entry @seq acts in, as the cache knows it now: by the id the entry recorded, or
 * (an entry made before the journal recorded it) by @name. NULL with NOT_FOUND when it is gone. */
static HeronStoreFolder *
entry_folder (HeronStore *self,
              gint64      seq,
              const char *name,
              GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 folder_id = 0;
  int rc;

  stmt = _heron_store_db_prepare (&self->db, "SELECT folder_id FROM journal WHERE seq = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, seq);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    folder_id = sqlite3_column_int64 (stmt, 0);   /* 0 for NULL */
  else if (rc == SQLITE_DONE)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "No operation %" G_GINT64_FORMAT " in the journal", seq);
      return NULL;
    }
  else
    return NULL;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (folder_id > 0)
    return _heron_store_db_get_folder (&self->db, folder_id, error);
  if (name == NULL)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "Operation %" G_GINT64_FORMAT " names no folder", seq);
      return NULL;
    }
  return heron_store_lookup_folder (self, name, error);
}

HeronStoreFolder *
heron_store_journal_lookup_folder (HeronStore *self,
                                   gint64      seq,
                                   GError    **error)
{
  g_autoptr (HeronStoreOperation) op = NULL;
  g_auto (Named) named = { 0 };

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  op = get_operation (self, seq, error);
  if (op == NULL)
    return NULL;
  named_of (op, &named);
  return entry_folder (self, seq, op->kind == HERON_STORE_OP_RENAME_FOLDER ? named.other : named.folder, error);
}

/* A discarded move: its messages go back where they were in the cache. A message whose row is
 * gone (expunged since), or whose place is taken (a sync fetched it again), is not put back;
 * the source folder's next sync fetches what the server has. */
static gboolean
restore_moved (HeronStore                *self,
               const HeronStoreOperation *op,
               GError                   **error)
{
  g_auto (Named) named = { 0 };
  g_autoptr (HeronStoreFolder) source = NULL;
  g_autoptr (GError) lookup_error = NULL;
  gint64 lowest = 0;

  named_of (op, &named);
  /* by id: a rename since (done or waiting) keeps the folder */
  source = entry_folder (self, op->seq, named.folder, &lookup_error);
  if (source == NULL && !g_error_matches (lookup_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      return FALSE;
    }

  for (gsize i = 0; i < MIN (named.n_uids, named.n_made); i++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;
      gint64 local = named.made[i];
      gint64 uid = named.uids[i];
      gint64 row, dest_id, existing;

      if (!find_local (self, local, &row, &dest_id, error))
        return FALSE;
      if (source == NULL)
        {
          if (!drop_local (self, local, error))
            return FALSE;
          continue;
        }
      /* a local message of the source that the server numbered meanwhile */
      if (uid < 0 && !_heron_store_map_local_uid (&self->db, source->id, uid, &uid, error))
        return FALSE;
      if (uid > 0 && (lowest == 0 || uid < lowest))
        lowest = uid;
      if (row == 0)
        continue;
      existing = _heron_store_lookup_row (&self->db, source->id, uid, error);
      if (existing < 0)
        return FALSE;
      if (existing > 0)
        {
          if (!delete_row (self, row, dest_id, local, error))
            return FALSE;
          continue;
        }
      stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET folder_id = ?, uid = ? WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, source->id);
      sqlite3_bind_int64 (stmt, 2, uid);
      sqlite3_bind_int64 (stmt, 3, row);
      if (!_heron_store_db_run (&self->db, stmt, error))
        return FALSE;
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, dest_id, local);
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_ADDED, source->id, uid);
      _heron_store_note_folder (self, dest_id);
      _heron_store_note_folder (self, source->id);
    }
  return source == NULL || forget_sync_state (self, source->id, lowest, error);
}

/* Removes one entry and undoes what it made in the cache. */
static gboolean
undo_entry (HeronStore                *self,
            const HeronStoreOperation *op,
            GError                   **error)
{
  if (op->kind == HERON_STORE_OP_MOVE)
    {
      if (!restore_moved (self, op, error))
        return FALSE;
    }
  else
    {
      g_autoptr (GArray) created = NULL;
      const char *folder_name;

      created = created_local_uids (op, &folder_name);
      for (guint i = 0; i < created->len; i++)
        if (!drop_local (self, g_array_index (created, gint64, i), error))
          return FALSE;
    }
  return delete_entry (self, op->seq, error);
}

gboolean
heron_store_journal_discard_with_dependents (HeronStore *self,
                                             gint64      seq,
                                             GArray     *out_discarded,
                                             GError    **error)
{
  g_autoptr (HeronStoreOperation) op = NULL;
  g_autoptr (GPtrArray) ops = NULL;
  g_autoptr (GPtrArray) dependents = g_ptr_array_new ();
  g_autoptr (HeronStoreJournalHolds) holds = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  op = get_operation (self, seq, error);
  if (op == NULL)
    goto failed;
  ops = heron_store_journal_list (self, error);
  if (ops == NULL)
    goto failed;

  /* What was made on what it made can never reach the server: it goes with it. An append keeps
   * its message (the journal holds the only copy): it is left to fail by itself. */
  holds = heron_store_journal_holds_new (self, TRUE);
  heron_store_journal_holds_add (holds, op);
  for (guint i = 0; i < ops->len; i++)
    {
      HeronStoreOperation *later = g_ptr_array_index (ops, i);

      if (later->seq <= seq || later->kind == HERON_STORE_OP_APPEND ||
          !heron_store_journal_holds_depends (holds, later))
        continue;
      heron_store_journal_holds_add (holds, later);
      g_ptr_array_add (dependents, later);
    }

  for (guint i = dependents->len; i > 0; i--)
    {
      HeronStoreOperation *dependent = g_ptr_array_index (dependents, i - 1);

      if (!undo_entry (self, dependent, error))
        goto failed;
      if (out_discarded != NULL)
        g_array_append_val (out_discarded, dependent->seq);
    }
  if (!undo_entry (self, op, error))
    goto failed;
  if (!_heron_store_commit (self, error))
    return FALSE;
  if (out_discarded != NULL)
    g_array_append_val (out_discarded, seq);
  return TRUE;

failed:
  _heron_store_rollback (self);
  if (out_discarded != NULL)
    g_array_set_size (out_discarded, 0);
  return FALSE;
}

gboolean
heron_store_journal_discard (HeronStore *self,
                             gint64      seq,
                             GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return heron_store_journal_discard_with_dependents (self, seq, NULL, error);
}

/* Counts */

/* What heron_store_journal_confirm_server_messages() was told, per store (in memory: after a
 * restart one sync finds it out again): folder id -> Confirmed. (A store belongs to one thread;
 * the lock only keeps a misuse from corrupting the table.) */
typedef struct {
  guint messages;   /* the server's MESSAGES */
  guint count;      /* the count of the cache then */
} Confirmed;

static GMutex confirmed_lock;

static GHashTable *
confirmed_table (HeronStore *self)
{
  static GQuark quark;
  GHashTable *table;

  if (quark == 0)
    quark = g_quark_from_static_string ("heron-store-journal-confirmed");
  table = g_object_get_qdata (G_OBJECT (self), quark);
  if (table == NULL)
    {
      table = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      g_object_set_qdata_full (G_OBJECT (self), quark, table, (GDestroyNotify) g_hash_table_unref);
    }
  return table;
}

static gboolean
count_server_messages (HeronStore *self,
                       gint64      folder_id,
                       guint      *out_count,
                       GError    **error);

gboolean
heron_store_journal_count_server_messages (HeronStore *self,
                                           gint64      folder_id,
                                           guint      *out_count,
                                           GError    **error)
{
  Confirmed *confirmed;
  guint count = 0;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_count = 0;
  if (!count_server_messages (self, folder_id, &count, error))
    return FALSE;
  g_mutex_lock (&confirmed_lock);
  confirmed = g_hash_table_lookup (confirmed_table (self), &folder_id);
  if (confirmed != NULL && confirmed->count == count)
    count = confirmed->messages;
  else if (confirmed != NULL)
    g_hash_table_remove (confirmed_table (self), &folder_id);   /* the cache or the journal moved on */
  g_mutex_unlock (&confirmed_lock);
  *out_count = count;
  return TRUE;
}

gboolean
heron_store_journal_confirm_server_messages (HeronStore *self,
                                             gint64      folder_id,
                                             guint       messages,
                                             GError    **error)
{
  Confirmed *confirmed;
  guint count = 0;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!count_server_messages (self, folder_id, &count, error))
    return FALSE;
  confirmed = g_new (Confirmed, 1);
  confirmed->messages = messages;
  confirmed->count = count;
  g_mutex_lock (&confirmed_lock);
  g_hash_table_insert (confirmed_table (self), g_memdup2 (&folder_id, sizeof folder_id), confirmed);
  g_mutex_unlock (&confirmed_lock);
  return TRUE;
}

static gboolean
count_server_messages (HeronStore *self,
                       gint64      folder_id,
                       guint      *out_count,
                       GError    **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 count;
  int rc;

  folder = _heron_store_db_get_folder (&self->db, folder_id, error);
  if (folder == NULL)
    return FALSE;
  count = folder->n_messages;

  /* local messages: not on the server yet (UNIQUE (folder_id, uid) finds them) */
  stmt = _heron_store_db_prepare (&self->db, "SELECT count(*) FROM messages WHERE folder_id = ? AND uid < 0", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (_heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  count -= sqlite3_column_int64 (stmt, 0);
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  /* taken out of the cache at once, still on the server until the entry is confirmed */
  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT " OPERATION_COLUMNS " FROM journal WHERE kind IN (?1, ?2) ORDER BY seq",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, HERON_STORE_OP_MOVE);
  sqlite3_bind_int (stmt, 2, HERON_STORE_OP_EXPUNGE);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    {
      g_autoptr (HeronStoreOperation) op = operation_from_stmt (stmt);
      g_auto (Named) named = { 0 };

      named_of (op, &named);
      if (g_strcmp0 (named.folder, folder->name) != 0)
        continue;
      for (gsize i = 0; i < named.n_uids; i++)
        {
          gint64 uid = named.uids[i];

          if (uid < 0 && !_heron_store_map_local_uid (&self->db, folder_id, uid, &uid, error))
            return FALSE;
          if (uid > 0)
            count++;
        }
    }
  if (rc != SQLITE_DONE)
    return FALSE;
  *out_count = (guint) MAX (count, 0);
  return TRUE;
}

gboolean
heron_store_journal_resolve_uid (HeronStore *self,
                                 gint64      local_uid,
                                 guint32    *out_uid,
                                 GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_uid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_uid = 0;
  if (local_uid > 0)
    {
      *out_uid = (guint32) local_uid;
      return TRUE;
    }

  stmt = _heron_store_db_prepare (&self->db, "SELECT uid FROM uid_map WHERE local_uid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, local_uid);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    *out_uid = (guint32) sqlite3_column_int64 (stmt, 0);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

GInputStream *
heron_store_journal_open_source (HeronStore   *self,
                                 gint64        seq,
                                 GCancellable *cancellable,
                                 GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_open_source (&self->db, self->sources_dir,
                                      "SELECT s.hash, s.size, d.data FROM journal j JOIN sources s ON s.id = j.source_id"
                                      " LEFT JOIN source_data d ON d.source_id = s.id"
                                      " WHERE j.seq = ?1 AND ?2 = 0",
                                      seq, 0, cancellable, error);
}
