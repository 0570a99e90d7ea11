/* heron-store-ops.c: user operations, applied to the cache at once and journaled
 *
 * Each operation is one transaction with synchronous=FULL: the optimistic change (flags set,
 * rows moved to their destination with local UIDs, a draft inserted) and the journal entry
 * that will replay it on the server commit together or not at all. The journal arguments name
 * folders by their server names at the time of the operation, since the server sees the
 * operations in this order (a later rename in the journal has not happened there yet).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

static const char * const no_keywords[] = { NULL };

/* Begins the operation's durable transaction and looks up the folder it works in. */
static HeronStoreFolder *
begin_operation (HeronStore *self,
                 gint64      folder_id,
                 GError    **error)
{
  HeronStoreFolder *folder;

  if (!_heron_store_begin_durable (self, error))
    return NULL;
  folder = _heron_store_db_get_folder (&self->db, folder_id, error);
  if (folder == NULL)
    _heron_store_rollback (self);
  return folder;
}

/* Appends the entry and commits; rolls back on failure. The fault point lets the tests fail
 * the journal write after the optimistic change. */
static gint64
finish_operation (HeronStore      *self,
                  HeronStoreOpKind kind,
                  GVariant        *args,
                  gint64           source_id,
                  GError         **error)
{
  g_autoptr (GVariant) owned = g_variant_ref_sink (args);
  gint64 seq;

  if (_heron_store_check_fault (self, "journal-append", error))
    {
      _heron_store_rollback (self);
      return 0;
    }
  seq = _heron_store_journal_insert (self, kind, owned, source_id, error);
  if (seq == 0)
    {
      _heron_store_rollback (self);
      return 0;
    }
  if (!_heron_store_commit (self, error))
    return 0;
  return seq;
}

static GVariant *
strv_variant (const char * const *strv)
{
  return g_variant_new_strv (strv != NULL ? strv : no_keywords, -1);
}

static GVariant *
uids_variant (GArray *uids)
{
  return g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, uids->data, uids->len, sizeof (gint64));
}

/* The UIDs of @uids the folder has, in order; NOT_FOUND when it has none of them. */
static GArray *
existing_uids (HeronStore   *self,
               gint64        folder_id,
               const gint64 *uids,
               guint         n_uids,
               GArray       *rows,
               GError      **error)
{
  g_autoptr (GArray) found = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < n_uids; i++)
    {
      gint64 uid = uids[i];
      gint64 row = _heron_store_lookup_row (&self->db, folder_id, uid, error);

      if (row < 0)
        return NULL;
      if (row == 0 && uid < 0)
        {
          /* A message made here that the server numbered meanwhile: the caller may still hold
           * its local UID */
          if (!_heron_store_map_local_uid (&self->db, folder_id, uid, &uid, error))
            return NULL;
          if (uid > 0 && (row = _heron_store_lookup_row (&self->db, folder_id, uid, error)) < 0)
            return NULL;
        }
      if (row == 0)
        continue;
      g_array_append_val (found, uid);
      if (rows != NULL)
        g_array_append_val (rows, row);
    }
  if (found->len == 0)
    {
      /* Nothing to do, and nothing worth replaying */
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "None of the messages is in folder %" G_GINT64_FORMAT " of the mail cache", folder_id);
      return NULL;
    }
  return g_steal_pointer (&found);
}

static gint64
change_flags (HeronStore         *self,
              HeronStoreOpKind    kind,
              gint64              folder_id,
              const gint64       *uids,
              guint               n_uids,
              guint               flags,
              const char * const *keywords,
              GError            **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (GArray) found = NULL;
  gboolean add = kind == HERON_STORE_OP_ADD_FLAGS;

  flags &= HERON_STORE_FLAGS_ALL;
  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;

  found = existing_uids (self, folder_id, uids, n_uids, NULL, error);
  if (found == NULL)
    goto failed;
  for (guint i = 0; i < found->len; i++)
    if (!_heron_store_change_flags_one (self, folder_id, g_array_index (found, gint64, i),
                                        add ? flags : 0, add ? 0 : flags,
                                        add ? keywords : NULL, add ? NULL : keywords, error))
      goto failed;

  return finish_operation (self, kind,
                           g_variant_new ("(s@axu@as)", folder->name, uids_variant (found), flags,
                                          strv_variant (keywords)),
                           0, error);

failed:
  _heron_store_rollback (self);
  return 0;
}

gint64
heron_store_op_add_flags (HeronStore         *self,
                          gint64              folder_id,
                          const gint64       *uids,
                          guint               n_uids,
                          guint               flags,
                          const char * const *keywords,
                          GError            **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return change_flags (self, HERON_STORE_OP_ADD_FLAGS, folder_id, uids, n_uids, flags, keywords, error);
}

gint64
heron_store_op_remove_flags (HeronStore         *self,
                             gint64              folder_id,
                             const gint64       *uids,
                             guint               n_uids,
                             guint               flags,
                             const char * const *keywords,
                             GError            **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return change_flags (self, HERON_STORE_OP_REMOVE_FLAGS, folder_id, uids, n_uids, flags, keywords, error);
}

static gboolean
message_id_of_row (HeronStore *self,
                   gint64      row,
                   GPtrArray  *ids,
                   GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "SELECT message_id FROM messages WHERE id = ?", error);
  const char *id;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row);
  if (_heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  id = (const char *) sqlite3_column_text (stmt, 0);
  g_ptr_array_add (ids, g_strdup (id != NULL ? id : ""));
  return TRUE;
}

/* Moves (or copies) one row to @dest as @local; the new row's id for a copy. */
static gboolean
transfer_row (HeronStore *self,
              gint64      row,
              gint64      dest_folder_id,
              gint64      local,
              gboolean    copy,
              GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 new_row;

  if (!copy)
    {
      stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET folder_id = ?, uid = ? WHERE id = ?", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, dest_folder_id);
      sqlite3_bind_int64 (stmt, 2, local);
      sqlite3_bind_int64 (stmt, 3, row);
      return _heron_store_db_run (&self->db, stmt, error);
    }

  /* The copy's row id follows the same date */
  stmt = _heron_store_db_prepare (&self->db, "SELECT date FROM messages WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, row);
  if (_heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  new_row = _heron_store_row_key (self, sqlite3_column_int64 (stmt, 0), error);
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (new_row == 0)
    return FALSE;
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO messages (id, folder_id, uid, flags, keywords, internal_date, sent_date,"
                                  "  date, size, subject, from_name, from_address, sender, reply_to, to_list, cc_list,"
                                  "  bcc_list, message_id, in_reply_to, references_list, body_structure,"
                                  "  has_attachment, body_local, snippet, source_id, conversation_id, text_indexed, search_pending)"
                                  " SELECT ?4, ?1, ?2, flags, keywords, internal_date, sent_date,"
                                  "  date, size, subject, from_name, from_address, sender, reply_to, to_list, cc_list,"
                                  "  bcc_list, message_id, in_reply_to, references_list, body_structure,"
                                  "  has_attachment, body_local, snippet, source_id, conversation_id, text_indexed,"
                                  "  search_pending"
                                  " FROM messages WHERE id = ?3",
                                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, dest_folder_id);
  sqlite3_bind_int64 (stmt, 2, local);
  sqlite3_bind_int64 (stmt, 3, row);
  sqlite3_bind_int64 (stmt, 4, new_row);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  return _heron_store_fts_copy (self, row, new_row, error);
}

static gint64
transfer (HeronStore   *self,
          gint64        folder_id,
          const gint64 *uids,
          guint         n_uids,
          gint64        dest_folder_id,
          gboolean      copy,
          GArray      **out_local_uids,
          GError      **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreFolder) dest = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) found = NULL;
  g_autoptr (GArray) locals = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) message_ids = g_ptr_array_new_null_terminated (n_uids, g_free, TRUE);
  gint64 seq;

  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;
  dest = _heron_store_db_get_folder (&self->db, dest_folder_id, error);
  if (dest == NULL)
    goto failed;
  if (dest_folder_id == folder_id)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                   "Cannot %s messages of “%s” into the same folder", copy ? "copy" : "move", folder->name);
      goto failed;
    }

  found = existing_uids (self, folder_id, uids, n_uids, rows, error);
  if (found == NULL)
    goto failed;

  for (guint i = 0; i < found->len; i++)
    {
      gint64 uid = g_array_index (found, gint64, i);
      gint64 row = g_array_index (rows, gint64, i);
      gint64 local;

      if (!message_id_of_row (self, row, message_ids, error) ||
          !_heron_store_next_local_uid (self, &local, error) ||
          !transfer_row (self, row, dest_folder_id, local, copy, error))
        goto failed;
      g_array_append_val (locals, local);
      if (!copy)
        _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, uid);
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_ADDED, dest_folder_id, local);
    }
  _heron_store_note_folder (self, folder_id);
  _heron_store_note_folder (self, dest_folder_id);

  seq = finish_operation (self, copy ? HERON_STORE_OP_COPY : HERON_STORE_OP_MOVE,
                          g_variant_new ("(s@axs@ax^as)", folder->name, uids_variant (found),
                                         dest->name, uids_variant (locals), message_ids->pdata),
                          0, error);
  if (seq != 0 && out_local_uids != NULL)
    *out_local_uids = g_steal_pointer (&locals);
  return seq;

failed:
  _heron_store_rollback (self);
  return 0;
}

gint64
heron_store_op_move (HeronStore   *self,
                     gint64        folder_id,
                     const gint64 *uids,
                     guint         n_uids,
                     gint64        dest_folder_id,
                     GArray      **out_local_uids,
                     GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return transfer (self, folder_id, uids, n_uids, dest_folder_id, FALSE, out_local_uids, error);
}

gint64
heron_store_op_copy (HeronStore   *self,
                     gint64        folder_id,
                     const gint64 *uids,
                     guint         n_uids,
                     gint64        dest_folder_id,
                     GArray      **out_local_uids,
                     GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  return transfer (self, folder_id, uids, n_uids, dest_folder_id, TRUE, out_local_uids, error);
}

gint64
heron_store_op_expunge (HeronStore   *self,
                        gint64        folder_id,
                        const gint64 *uids,
                        guint         n_uids,
                        GError      **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) found = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;

  found = existing_uids (self, folder_id, uids, n_uids, rows, error);
  if (found == NULL)
    goto failed;
  for (guint i = 0; i < found->len; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "DELETE FROM messages WHERE id = ?", error);

      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, g_array_index (rows, gint64, i));
      if (!_heron_store_db_run (&self->db, stmt, error))
        goto failed;
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, g_array_index (found, gint64, i));
    }
  _heron_store_note_folder (self, folder_id);
  self->maybe_garbage = TRUE;

  return finish_operation (self, HERON_STORE_OP_EXPUNGE,
                           g_variant_new ("(s@ax)", folder->name, uids_variant (found)),
                           0, error);

failed:
  _heron_store_rollback (self);
  return 0;
}

gint64
heron_store_op_delete (HeronStore   *self,
                       gint64        folder_id,
                       const gint64 *uids,
                       guint         n_uids,
                       gint64        trash_folder_id,
                       GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (uids != NULL || n_uids == 0, 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (trash_folder_id == 0 || trash_folder_id == folder_id)
    return heron_store_op_expunge (self, folder_id, uids, n_uids, error);
  return transfer (self, folder_id, uids, n_uids, trash_folder_id, FALSE, NULL, error);
}

gint64
heron_store_op_append (HeronStore              *self,
                       gint64                   folder_id,
                       const HeronStoreMessage *summary,
                       HeronStoreSourceWriter  *source,
                       const char              *text,
                       gint64                  *out_local_uid,
                       GError                 **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *message_id = NULL;
  g_auto (GStrv) keywords = NULL;
  gint64 local, row, source_id, seq;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (summary != NULL, 0);
  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (source), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;

  /* The journal holds the only copy of this message until the server has it: fsync it */
  if (!_heron_store_source_writer_register (source, self, TRUE, &source_id, error) ||
      !_heron_store_next_local_uid (self, &local, error))
    goto failed;
  row = _heron_store_insert_message (self, folder_id, local, summary, 0, error);
  if (row <= 0)
    goto failed;

  stmt = _heron_store_db_prepare (&self->db, "UPDATE messages SET source_id = ?, body_local = 1 WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, row);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  if (text != NULL && !_heron_store_store_text (self, row, text, error))
    goto failed;

  _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_ADDED, folder_id, local);
  _heron_store_note_folder (self, folder_id);

  message_id = _heron_store_normalize_message_id (summary->message_id);
  keywords = g_strsplit (summary->keywords != NULL ? summary->keywords : "", " ", -1);
  if (keywords[0] != NULL && *keywords[0] == '\0')
    g_clear_pointer (&keywords, g_strfreev);
  seq = finish_operation (self, HERON_STORE_OP_APPEND,
                          g_variant_new ("(sxu@asxs)", folder->name, local, summary->flags & HERON_STORE_FLAGS_ALL,
                                         strv_variant ((const char * const *) keywords), summary->internal_date,
                                         message_id != NULL ? message_id : ""),
                          source_id, error);
  if (seq != 0 && out_local_uid != NULL)
    *out_local_uid = local;
  return seq;

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return 0;
}

gint64
heron_store_op_create_folder (HeronStore             *self,
                              const HeronStoreFolder *info,
                              gint64                 *out_folder_id,
                              GError                **error)
{
  g_autoptr (GError) lookup_error = NULL;
  g_autoptr (HeronStoreFolder) existing = NULL;
  gint64 folder_id, seq;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (info != NULL && info->name != NULL && *info->name != '\0', 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (!_heron_store_begin_durable (self, error))
    return 0;

  existing = heron_store_lookup_folder (self, info->name, &lookup_error);
  if (existing != NULL)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_EXISTS, "A folder “%s” exists already", info->name);
      goto failed;
    }
  if (!g_error_matches (lookup_error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&lookup_error));
      goto failed;
    }
  folder_id = heron_store_add_folder (self, info, error);
  if (folder_id == 0)
    goto failed;

  seq = finish_operation (self, HERON_STORE_OP_CREATE_FOLDER, g_variant_new ("(s)", info->name), 0, error);
  if (seq != 0 && out_folder_id != NULL)
    *out_folder_id = folder_id;
  return seq;

failed:
  _heron_store_rollback (self);
  return 0;
}

gint64
heron_store_op_rename_folder (HeronStore *self,
                              gint64      folder_id,
                              const char *new_name,
                              const char *new_display_name,
                              GError    **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (new_name != NULL && *new_name != '\0', 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;
  if (!heron_store_rename_folder (self, folder_id, new_name, new_display_name, error))
    {
      _heron_store_rollback (self);
      return 0;
    }
  return finish_operation (self, HERON_STORE_OP_RENAME_FOLDER, g_variant_new ("(ss)", folder->name, new_name), 0, error);
}

gint64
heron_store_op_delete_folder (HeronStore *self,
                              gint64      folder_id,
                              GError    **error)
{
  g_autoptr (HeronStoreFolder) folder = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  folder = begin_operation (self, folder_id, error);
  if (folder == NULL)
    return 0;
  if (!heron_store_delete_folder (self, folder_id, error))
    {
      _heron_store_rollback (self);
      return 0;
    }
  return finish_operation (self, HERON_STORE_OP_DELETE_FOLDER, g_variant_new ("(s)", folder->name), 0, error);
}
