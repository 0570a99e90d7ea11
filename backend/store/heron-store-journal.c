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
  gint64 seq;

  g_assert (self->depth > 0);

  if (!check_args (kind, args, error))
    return 0;

  normal = g_variant_get_normal_form (args);
  data = g_variant_get_data_as_bytes (normal);
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO journal (kind, args, created, source_id) VALUES (?, ?, ?, ?)",
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

gboolean
heron_store_journal_discard (HeronStore *self,
                             gint64      seq,
                             GError    **error)
{
  g_autoptr (HeronStoreOperation) op = NULL;
  g_autoptr (GArray) created = NULL;
  const char *folder_name;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  op = get_operation (self, seq, error);
  if (op == NULL)
    goto failed;
  created = created_local_uids (op, &folder_name);
  for (guint i = 0; i < created->len; i++)
    if (!drop_local (self, g_array_index (created, gint64, i), error))
      goto failed;
  if (!delete_entry (self, seq, error))
    goto failed;
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
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
