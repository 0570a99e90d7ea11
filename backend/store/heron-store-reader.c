/* heron-store-reader.c: a read-only connection for the UI thread
 *
 * The message list asks for windows of a folder in date order. Both ways of reading one use the
 * index messages_by_date (folder_id, date DESC, uid DESC): a window at an arbitrary position
 * skips that many index entries (LIMIT/OFFSET on the index alone, then the rows by id: about
 * 2 ms at position 50,000), and a window that continues the previous one starts from that one's
 * last (date, uid) (a keyset seek: constant time). The remembered end is valid only while
 * PRAGMA data_version says no other connection committed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-store-private.h"

struct _HeronStoreReader
{
  GObject      parent_instance;

  HeronStoreDb db;
  char        *sources_dir;
  gboolean     in_snapshot;

  /* Where the last window ended */
  gboolean     have_anchor;
  gint64       anchor_folder;
  guint        anchor_position;
  gint64       anchor_date;
  gint64       anchor_uid;
  gint64       anchor_version;
};

G_DEFINE_FINAL_TYPE (HeronStoreReader, heron_store_reader, G_TYPE_OBJECT)

static void
heron_store_reader_finalize (GObject *object)
{
  HeronStoreReader *self = (HeronStoreReader *) object;

  if (self->db.handle != NULL)
    {
      HERON_STORE_DB_ASSERT_OWNER (&self->db);
      if (self->in_snapshot)
        _heron_store_db_exec (&self->db, "COMMIT", NULL);
    }
  _heron_store_db_close (&self->db);
  g_clear_pointer (&self->sources_dir, g_free);

  G_OBJECT_CLASS (heron_store_reader_parent_class)->finalize (object);
}

static void
heron_store_reader_class_init (HeronStoreReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_store_reader_finalize;
}

static void
heron_store_reader_init (HeronStoreReader *self)
{
}

HeronStoreReader *
heron_store_reader_open (const char *path,
                         GError    **error)
{
  g_autoptr (HeronStoreReader) self = NULL;
  gint64 version;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (HERON_TYPE_STORE_READER, NULL);
  self->sources_dir = _heron_store_sources_dir_for (path);
  if (!_heron_store_db_open (&self->db, path, TRUE, error))
    return NULL;

  version = _heron_store_db_query_int (&self->db, "PRAGMA user_version", -1, error);
  if (version < 0)
    return NULL;
  if (version > HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW,
                   "The mail cache %s was written by a newer version of Heron (schema %" G_GINT64_FORMAT
                   ", this version knows %d)", path, version, HERON_STORE_SCHEMA_VERSION);
      return NULL;
    }
  if (version < HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO,
                   "The mail cache %s is not ready (schema %" G_GINT64_FORMAT "): the account's worker opens it first",
                   path, version);
      return NULL;
    }

  if (!_heron_store_db_exec (&self->db, "PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;", error))
    return NULL;
  return g_steal_pointer (&self);
}

const char *
heron_store_reader_get_path (HeronStoreReader *self)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);

  return self->db.path;
}

gboolean
heron_store_reader_begin_snapshot (HeronStoreReader *self,
                                   GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (!self->in_snapshot, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A deferred transaction takes its snapshot at the first read: read something now */
  if (!_heron_store_db_exec (&self->db, "BEGIN", error))
    return FALSE;
  if (_heron_store_db_query_int (&self->db, "SELECT count(*) FROM folders", -1, error) < 0)
    {
      _heron_store_db_exec (&self->db, "ROLLBACK", NULL);
      return FALSE;
    }
  self->in_snapshot = TRUE;
  return TRUE;
}

void
heron_store_reader_end_snapshot (HeronStoreReader *self)
{
  g_return_if_fail (HERON_IS_STORE_READER (self));
  g_return_if_fail (self->in_snapshot);

  _heron_store_db_exec (&self->db, "COMMIT", NULL);
  self->in_snapshot = FALSE;
}

GPtrArray *
heron_store_reader_get_folders (HeronStoreReader *self,
                                GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_folders (&self->db, error);
}

HeronStoreFolder *
heron_store_reader_get_folder (HeronStoreReader *self,
                               gint64            folder_id,
                               GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_folder (&self->db, folder_id, error);
}

gboolean
heron_store_reader_count_messages (HeronStoreReader *self,
                                   gint64            folder_id,
                                   guint            *out_count,
                                   GError          **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _heron_store_db_prepare (&self->db, "SELECT n_messages FROM folders WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
  if (rc != SQLITE_ROW)
    return FALSE;
  *out_count = sqlite3_column_int (stmt, 0);
  return TRUE;
}

GPtrArray *
heron_store_reader_get_rows (HeronStoreReader *self,
                             gint64            folder_id,
                             guint             position,
                             guint             n,
                             GError          **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 version;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (n == 0)
    return g_steal_pointer (&rows);

  version = _heron_store_db_query_int (&self->db, "PRAGMA data_version", -1, error);
  if (version < 0)
    return NULL;

  if (self->have_anchor && self->anchor_folder == folder_id && self->anchor_position == position &&
      self->anchor_version == version)
    {
      stmt = _heron_store_db_prepare (&self->db,
                                      "SELECT " HERON_STORE_ROW_COLUMNS " FROM messages m"
                                      " WHERE m.folder_id = ?1 AND (m.date, m.uid) < (?2, ?3)"
                                      " ORDER BY m.date DESC, m.uid DESC LIMIT ?4",
                                      error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, self->anchor_date);
      sqlite3_bind_int64 (stmt, 3, self->anchor_uid);
      sqlite3_bind_int64 (stmt, 4, n);
    }
  else
    {
      /* The offset is skipped on the index alone; only the window's rows are read */
      stmt = _heron_store_db_prepare (&self->db,
                                      "SELECT " HERON_STORE_ROW_COLUMNS " FROM"
                                      " (SELECT id FROM messages WHERE folder_id = ?1"
                                      "   ORDER BY date DESC, uid DESC LIMIT ?2 OFFSET ?3) w"
                                      " JOIN messages m ON m.id = w.id"
                                      " ORDER BY m.date DESC, m.uid DESC",
                                      error);
      if (stmt == NULL)
        return NULL;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, n);
      sqlite3_bind_int64 (stmt, 3, position);
    }

  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, _heron_store_row_from_stmt (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      self->have_anchor = FALSE;
      return NULL;
    }

  if (rows->len > 0)
    {
      const HeronStoreMessage *last = g_ptr_array_index (rows, rows->len - 1);

      self->have_anchor = TRUE;
      self->anchor_folder = folder_id;
      self->anchor_position = position + rows->len;
      self->anchor_date = last->date;
      self->anchor_uid = last->uid;
      self->anchor_version = version;
    }
  else
    self->have_anchor = FALSE;

  return g_steal_pointer (&rows);
}

gboolean
heron_store_reader_find_position (HeronStoreReader *self,
                                  gint64            folder_id,
                                  gint64            uid,
                                  gint             *out_position,
                                  GError          **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out_position != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_position = -1;
  /* The rows before it in the list: later (date, uid), counted on the index */
  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT (SELECT count(*) FROM messages b"
                                  "         WHERE b.folder_id = m.folder_id AND (b.date, b.uid) > (m.date, m.uid))"
                                  " FROM messages m WHERE m.folder_id = ? AND m.uid = ?",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    *out_position = sqlite3_column_int (stmt, 0);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

gboolean
heron_store_reader_resolve_uid (HeronStoreReader *self,
                                gint64            folder_id,
                                gint64            uid,
                                gint64           *out_uid,
                                GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out_uid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _heron_store_map_local_uid (&self->db, folder_id, uid, out_uid, error);
}

HeronStoreMessage *
heron_store_reader_get_message (HeronStoreReader *self,
                                gint64            folder_id,
                                gint64            uid,
                                GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_message (&self->db, folder_id, uid, error);
}

GArray *
heron_store_reader_search (HeronStoreReader *self,
                           const char       *query,
                           gint64            folder_id,
                           guint             limit,
                           GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_search (&self->db, query, folder_id, limit, error);
}

GArray *
heron_store_reader_lookup_message_id (HeronStoreReader *self,
                                      const char       *message_id,
                                      GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (message_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_lookup_message_id (&self->db, message_id, error);
}

GPtrArray *
heron_store_reader_get_conversation (HeronStoreReader *self,
                                     gint64            conversation_id,
                                     GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_conversation (&self->db, conversation_id, error);
}

GInputStream *
heron_store_reader_open_source (HeronStoreReader *self,
                                gint64            folder_id,
                                gint64            uid,
                                GCancellable     *cancellable,
                                GError          **error)
{
  g_return_val_if_fail (HERON_IS_STORE_READER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_open_source (&self->db, self->sources_dir,
                                      "SELECT s.hash, s.size, d.data FROM messages m JOIN sources s ON s.id = m.source_id"
                                      " LEFT JOIN source_data d ON d.source_id = s.id"
                                      " WHERE m.folder_id = ? AND m.uid = ?",
                                      folder_id, uid, cancellable, error);
}

gboolean
heron_store_reader_count_pending_operations (HeronStoreReader *self,
                                             guint            *out_count,
                                             GError          **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE_READER (self), FALSE);
  g_return_val_if_fail (out_count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _heron_store_db_prepare (&self->db, "SELECT count(*) FROM journal WHERE state != ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, HERON_STORE_OP_FAILED);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return FALSE;
  *out_count = rc == SQLITE_ROW ? (guint) sqlite3_column_int64 (stmt, 0) : 0;
  return TRUE;
}

HeronStoreDb *
_heron_store_reader_get_db (HeronStoreReader *self)
{
  g_assert (HERON_IS_STORE_READER (self));

  return &self->db;
}
