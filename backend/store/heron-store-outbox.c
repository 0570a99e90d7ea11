/* heron-store-outbox.c: messages waiting to be sent
 *
 * The outbox table (schema step 6) holds one row per message: the envelope, the state, the
 * attempts, the last error, the next attempt's time, and a reference to the raw source in the
 * sources table (counted by triggers like the journal's, so the garbage collector keeps it).
 * Every change commits with synchronous=FULL: the outbox is small and rarely written, and its
 * states are promises about what the SMTP server may have (docs/smtp.md, "Outbox").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-store-private.h"

G_STATIC_ASSERT (HERON_STORE_OUTBOX_QUEUED == 0);

const char *
heron_store_outbox_state_to_string (HeronStoreOutboxState state)
{
  switch (state)
    {
    case HERON_STORE_OUTBOX_QUEUED: return "queued";
    case HERON_STORE_OUTBOX_SENDING: return "sending";
    case HERON_STORE_OUTBOX_SENT: return "sent";
    case HERON_STORE_OUTBOX_FAILED: return "failed";
    case HERON_STORE_OUTBOX_UNCERTAIN: return "may-have-been-sent";
    default: return "unknown";
    }
}

/* Entries */

HeronStoreOutboxEntry *
heron_store_outbox_entry_new (void)
{
  return g_new0 (HeronStoreOutboxEntry, 1);
}

HeronStoreOutboxEntry *
heron_store_outbox_entry_copy (const HeronStoreOutboxEntry *entry)
{
  HeronStoreOutboxEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_memdup2 (entry, sizeof *entry);
  copy->message_id = g_strdup (entry->message_id);
  copy->sender = g_strdup (entry->sender);
  copy->recipients = g_strdupv (entry->recipients);
  copy->subject = g_strdup (entry->subject);
  copy->error = g_strdup (entry->error);
  return copy;
}

void
heron_store_outbox_entry_free (HeronStoreOutboxEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->message_id);
  g_free (entry->sender);
  g_strfreev (entry->recipients);
  g_free (entry->subject);
  g_free (entry->error);
  g_free (entry);
}

G_DEFINE_BOXED_TYPE (HeronStoreOutboxEntry, heron_store_outbox_entry,
                     heron_store_outbox_entry_copy, heron_store_outbox_entry_free)

#define ENTRY_COLUMNS \
  "o.id, o.message_id, o.sender, o.recipients, o.subject, o.state, o.attempts, o.error, " \
  "o.next_attempt, o.created, s.size"
#define ENTRY_FROM "outbox o JOIN sources s ON s.id = o.source_id"

static HeronStoreOutboxEntry *
entry_from_stmt (HeronStoreStmt *stmt)
{
  HeronStoreOutboxEntry *entry = heron_store_outbox_entry_new ();
  g_autofree char *recipients = NULL;

  entry->id = sqlite3_column_int64 (stmt, 0);
  entry->message_id = _heron_store_column_dup (stmt, 1);
  entry->sender = _heron_store_column_dup (stmt, 2);
  recipients = _heron_store_column_dup (stmt, 3);
  /* Addresses never hold a line end (SMTP could not carry them) */
  entry->recipients = g_strsplit (recipients != NULL ? recipients : "", "\n", -1);
  if (entry->recipients[0] != NULL && entry->recipients[0][0] == '\0')
    {
      g_strfreev (entry->recipients);
      entry->recipients = g_new0 (char *, 1);
    }
  entry->subject = _heron_store_column_dup (stmt, 4);
  entry->state = sqlite3_column_int (stmt, 5);
  entry->attempts = sqlite3_column_int (stmt, 6);
  entry->error = _heron_store_column_dup (stmt, 7);
  entry->next_attempt = sqlite3_column_int64 (stmt, 8);
  entry->created = sqlite3_column_int64 (stmt, 9);
  entry->size = sqlite3_column_int64 (stmt, 10);
  return entry;
}

static gboolean
valid_address (const char *address)
{
  for (const char *p = address; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r')
      return FALSE;
  return TRUE;
}

gint64
heron_store_outbox_add (HeronStore                  *self,
                        const HeronStoreOutboxEntry *entry,
                        HeronStoreSourceWriter      *source,
                        GError                     **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *recipients = NULL;
  gint64 source_id = 0, id;

  g_return_val_if_fail (HERON_IS_STORE (self), 0);
  g_return_val_if_fail (entry != NULL, 0);
  g_return_val_if_fail (HERON_IS_STORE_SOURCE_WRITER (source), 0);
  g_return_val_if_fail (error == NULL || *error == NULL, 0);

  if (entry->sender == NULL || !valid_address (entry->sender) ||
      entry->recipients == NULL || entry->recipients[0] == NULL)
    {
      g_set_error_literal (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                           "A message for the outbox needs a sender and at least one recipient");
      return 0;
    }
  for (guint i = 0; entry->recipients[i] != NULL; i++)
    if (*entry->recipients[i] == '\0' || !valid_address (entry->recipients[i]))
      {
        g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_INVALID,
                     "“%s” is not an address the outbox can keep", entry->recipients[i]);
        return 0;
      }
  recipients = g_strjoinv ("\n", entry->recipients);

  if (!_heron_store_begin_durable (self, error))
    return 0;
  /* The outbox holds the only copy of this message: fsync it */
  if (!_heron_store_source_writer_register (source, self, TRUE, &source_id, error))
    goto failed;
  stmt = _heron_store_db_prepare (&self->db,
                                  "INSERT INTO outbox (message_id, sender, recipients, subject, created, source_id)"
                                  " VALUES (?, ?, ?, ?, ?, ?)",
                                  error);
  if (stmt == NULL)
    goto failed;
  _heron_store_bind_text (stmt, 1, entry->message_id != NULL ? entry->message_id : "");
  _heron_store_bind_text (stmt, 2, entry->sender);
  _heron_store_bind_text (stmt, 3, recipients);
  _heron_store_bind_text (stmt, 4, entry->subject);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time () / G_USEC_PER_SEC);
  sqlite3_bind_int64 (stmt, 6, source_id);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  id = sqlite3_last_insert_rowid (self->db.handle);
  if (!_heron_store_commit (self, error))
    return 0;
  return id;

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return 0;
}

static GPtrArray *
list_entries (HeronStoreDb *db,
              GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autoptr (GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_outbox_entry_free);
  int rc;

  stmt = _heron_store_db_prepare (db, "SELECT " ENTRY_COLUMNS " FROM " ENTRY_FROM " ORDER BY o.id", error);
  if (stmt == NULL)
    return NULL;
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (entries, entry_from_stmt (stmt));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&entries);
}

GPtrArray *
heron_store_outbox_list (HeronStore  *self,
                         GError     **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_entries (&self->db, error);
}

HeronStoreOutboxEntry *
heron_store_outbox_get (HeronStore  *self,
                        gint64       id,
                        GError     **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _heron_store_db_prepare (&self->db, "SELECT " ENTRY_COLUMNS " FROM " ENTRY_FROM " WHERE o.id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    return entry_from_stmt (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "The outbox has no message %" G_GINT64_FORMAT, id);
  return NULL;
}

GInputStream *
heron_store_outbox_open_source (HeronStore    *self,
                                gint64         id,
                                GCancellable  *cancellable,
                                GError       **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_open_source (&self->db, self->sources_dir,
                                      "SELECT s.hash, s.size, d.data FROM outbox o JOIN sources s ON s.id = o.source_id"
                                      " LEFT JOIN source_data d ON d.source_id = s.id"
                                      " WHERE o.id = ?1 AND ?2 = 0",
                                      id, 0, cancellable, error);
}

gboolean
heron_store_outbox_set_state (HeronStore            *self,
                              gint64                 id,
                              HeronStoreOutboxState  state,
                              const char            *message,
                              gint64                 next_attempt,
                              gboolean               count_attempt,
                              GError               **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (state <= HERON_STORE_OUTBOX_UNCERTAIN, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin_durable (self, error))
    return FALSE;
  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE outbox SET state = ?, error = ?, next_attempt = ?, attempts = attempts + ?"
                                  " WHERE id = ?",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int (stmt, 1, state);
  _heron_store_bind_text (stmt, 2, message);
  sqlite3_bind_int64 (stmt, 3, MAX (next_attempt, 0));
  sqlite3_bind_int (stmt, 4, count_attempt ? 1 : 0);
  sqlite3_bind_int64 (stmt, 5, id);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  if (sqlite3_changes (self->db.handle) == 0)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                   "The outbox has no message %" G_GINT64_FORMAT, id);
      goto failed;
    }
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_outbox_retry_now (HeronStore  *self,
                              GError     **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  stmt = _heron_store_db_prepare (&self->db, "UPDATE outbox SET next_attempt = 0 WHERE state = ? AND next_attempt > 0",
                                  error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int (stmt, 1, HERON_STORE_OUTBOX_QUEUED);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_outbox_remove (HeronStore  *self,
                           gint64       id,
                           GError     **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  stmt = _heron_store_db_prepare (&self->db, "DELETE FROM outbox WHERE id = ?", error);
  if (stmt == NULL)
    goto failed;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_heron_store_db_run (&self->db, stmt, error))
    goto failed;
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  /* the trigger dropped the source's reference */
  self->maybe_garbage = TRUE;
  return _heron_store_commit (self, error);

failed:
  g_clear_pointer (&stmt, _heron_store_stmt_release);
  _heron_store_rollback (self);
  return FALSE;
}

GPtrArray *
heron_store_outbox_read (const char  *db_path,
                         GError     **error)
{
  HeronStoreDb db = { 0 };
  GPtrArray *entries = NULL;
  gint64 version;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!_heron_store_db_open (&db, db_path, TRUE, error))
    return NULL;
  version = _heron_store_db_query_int (&db, "PRAGMA user_version", -1, error);
  if (version < 0)
    goto out;
  if (version > HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW,
                   "The mail cache %s was written by a newer version of Heron (schema %" G_GINT64_FORMAT
                   ", this version knows %d)", db_path, version, HERON_STORE_SCHEMA_VERSION);
      goto out;
    }
  if (version < HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_IO,
                   "The mail cache %s is not ready (schema %" G_GINT64_FORMAT "): the account's worker opens it first",
                   db_path, version);
      goto out;
    }
  entries = list_entries (&db, error);

out:
  _heron_store_db_close (&db);
  return entries;
}
