/* heron-store-messages.c: message summaries, flags, removal, lookups
 *
 * A message is one row per (folder, uid). Server UIDs are positive; a message the user created
 * or moved offline has a negative local UID until the server's answer maps it (heron-store-ops.c).
 * Counts of folders and references to raw sources are kept by triggers (heron-store-schema.c),
 * so every path that adds or removes rows keeps them right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-store-private.h"

/* A Date header more than a day after the server received the message is a wrong clock or a
 * spammer's trick to stay on top: such messages sort by their arrival. */
#define FUTURE_DATE_SLACK (24 * 60 * 60)

gint64
_heron_store_sort_date (gint64 internal_date,
                        gint64 sent_date)
{
  if (sent_date <= 0)
    return internal_date;
  if (internal_date > 0 && sent_date > internal_date + FUTURE_DATE_SLACK)
    return internal_date;
  return sent_date;
}

HeronStoreMessage *
_heron_store_message_from_stmt (HeronStoreStmt *stmt,
                                int             first)
{
  HeronStoreMessage *message = heron_store_message_new ();
  int i = first;

  message->id = sqlite3_column_int64 (stmt, i++);
  message->folder_id = sqlite3_column_int64 (stmt, i++);
  message->uid = sqlite3_column_int64 (stmt, i++);
  message->flags = sqlite3_column_int (stmt, i++);
  message->keywords = _heron_store_column_dup (stmt, i++);
  message->modseq = sqlite3_column_int64 (stmt, i++);
  message->internal_date = sqlite3_column_int64 (stmt, i++);
  message->sent_date = sqlite3_column_int64 (stmt, i++);
  message->date = sqlite3_column_int64 (stmt, i++);
  message->size = sqlite3_column_int64 (stmt, i++);
  message->subject = _heron_store_column_dup (stmt, i++);
  message->from_name = _heron_store_column_dup (stmt, i++);
  message->from_address = _heron_store_column_dup (stmt, i++);
  message->sender = _heron_store_column_dup (stmt, i++);
  message->reply_to = _heron_store_column_dup (stmt, i++);
  message->to = _heron_store_column_dup (stmt, i++);
  message->cc = _heron_store_column_dup (stmt, i++);
  message->bcc = _heron_store_column_dup (stmt, i++);
  message->message_id = _heron_store_column_dup (stmt, i++);
  message->in_reply_to = _heron_store_column_dup (stmt, i++);
  message->references = _heron_store_column_dup (stmt, i++);
  if (sqlite3_column_type (stmt, i) != SQLITE_NULL)
    message->body_structure = g_bytes_new (sqlite3_column_blob (stmt, i), sqlite3_column_bytes (stmt, i));
  i++;
  message->has_attachment = sqlite3_column_int (stmt, i++) != 0;
  message->body_local = sqlite3_column_int (stmt, i++) != 0;
  message->snippet = _heron_store_column_dup (stmt, i++);
  message->conversation_id = sqlite3_column_int64 (stmt, i++);
  message->list_id = _heron_store_column_dup (stmt, i++);
  return message;
}

HeronStoreMessage *
_heron_store_row_from_stmt (HeronStoreStmt *stmt,
                            int             first)
{
  HeronStoreMessage *message = heron_store_message_new ();
  int i = first;

  message->id = sqlite3_column_int64 (stmt, i++);
  message->folder_id = sqlite3_column_int64 (stmt, i++);
  message->uid = sqlite3_column_int64 (stmt, i++);
  message->flags = sqlite3_column_int (stmt, i++);
  message->keywords = _heron_store_column_dup (stmt, i++);
  message->date = sqlite3_column_int64 (stmt, i++);
  message->size = sqlite3_column_int64 (stmt, i++);
  message->subject = _heron_store_column_dup (stmt, i++);
  message->from_name = _heron_store_column_dup (stmt, i++);
  message->from_address = _heron_store_column_dup (stmt, i++);
  message->to = _heron_store_column_dup (stmt, i++);
  message->has_attachment = sqlite3_column_int (stmt, i++) != 0;
  message->body_local = sqlite3_column_int (stmt, i++) != 0;
  message->snippet = _heron_store_column_dup (stmt, i++);
  message->conversation_id = sqlite3_column_int64 (stmt, i++);
  return message;
}

#define KEY_BITS 21
#define KEY_MAX_DATE ((G_GINT64_CONSTANT (1) << (62 - KEY_BITS)) - 1)

gint64
_heron_store_row_key (HeronStore *self,
                      gint64      date,
                      GError    **error)
{
  gint64 base = CLAMP (date, 0, KEY_MAX_DATE) << KEY_BITS;

  /* Rows of the same second take the next low bits; probing finds a free one */
  for (guint attempt = 0; attempt < (1u << KEY_BITS); attempt++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;
      gint64 key = base | (self->key_counter++ & ((1u << KEY_BITS) - 1));
      int rc;

      if (key == 0)
        continue;
      stmt = _heron_store_db_prepare (&self->db, "SELECT 1 FROM messages WHERE id = ?", error);
      if (stmt == NULL)
        return 0;
      sqlite3_bind_int64 (stmt, 1, key);
      rc = _heron_store_db_step (&self->db, stmt, error);
      if (rc == SQLITE_DONE)
        return key;
      if (rc != SQLITE_ROW)
        return 0;
    }
  g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_FAILED,
               "No free message row for the date %" G_GINT64_FORMAT, date);
  return 0;
}

gint64
_heron_store_lookup_row (HeronStoreDb *db,
                         gint64        folder_id,
                         gint64        uid,
                         GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (db, "SELECT id FROM messages WHERE folder_id = ? AND uid = ?", error);
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW)
    return sqlite3_column_int64 (stmt, 0);
  return rc == SQLITE_DONE ? 0 : -1;
}

gboolean
_heron_store_map_local_uid (HeronStoreDb *db,
                            gint64        folder_id,
                            gint64        uid,
                            gint64       *out_uid,
                            GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  *out_uid = uid;
  if (uid > 0)
    return TRUE;
  stmt = _heron_store_db_prepare (db, "SELECT uid FROM uid_map WHERE local_uid = ? AND folder_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, uid);
  sqlite3_bind_int64 (stmt, 2, folder_id);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW)
    *out_uid = sqlite3_column_int64 (stmt, 0);
  return rc == SQLITE_ROW || rc == SQLITE_DONE;
}

/* ---- Upsert ------------------------------------------------------------------------------------ */

static gboolean
folder_exists (HeronStore *self,
               gint64      folder_id,
               GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "SELECT 1 FROM folders WHERE id = ?", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No folder %" G_GINT64_FORMAT " in the mail cache", folder_id);
  return rc == SQLITE_ROW;
}

/* The INSERT of a message, by (search entry deferred, inserted in bulk). Four texts: the
 * migration tests insert with this code into caches of earlier steps, which have neither
 * search_pending nor bulk. */
#define INSERT_MESSAGE_COLUMNS \
  "INSERT INTO messages (folder_id, uid, flags, keywords, modseq, internal_date," \
  "  sent_date, date, size, subject, from_name, from_address, sender, reply_to," \
  "  to_list, cc_list, bcc_list, message_id, in_reply_to, references_list," \
  "  body_structure, has_attachment, conversation_id, id, list_id, snippet"
#define INSERT_MESSAGE_VALUES \
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16," \
  "  ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26"
static const char * const insert_message_sql[2][2] = {
  { INSERT_MESSAGE_COLUMNS ")" INSERT_MESSAGE_VALUES ")",
    INSERT_MESSAGE_COLUMNS ", bulk)" INSERT_MESSAGE_VALUES ", 1)" },
  { INSERT_MESSAGE_COLUMNS ", search_pending)" INSERT_MESSAGE_VALUES ", 1)",
    INSERT_MESSAGE_COLUMNS ", search_pending, bulk)" INSERT_MESSAGE_VALUES ", 1, 1)" },
};
#undef INSERT_MESSAGE_COLUMNS
#undef INSERT_MESSAGE_VALUES

/* Inserts @message as a new row; 0 when (folder, uid) exists already, -1 on error. The
 * conversation is found before the insert, so that the row is written once. Without
 * @index_now the caller adds the search entry (_heron_store_fts_insert()), or, when the search
 * is deferred, the row is marked search_pending for heron_store_index_pending_search(). With @bulk
 * the row is marked bulk (schema 11): the caller does the work its insert triggers skip. */
static gint64
insert_message (HeronStore              *self,
                gint64                   folder_id,
                gint64                   uid,
                const HeronStoreMessage *message,
                gint64                   conversation,
                gboolean                 index_now,
                gboolean                 bulk,
                GError                 **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *message_id = NULL;
  gint64 id, date;
  int rc;

  id = _heron_store_lookup_row (&self->db, folder_id, uid, error);
  if (id != 0)
    return id < 0 ? -1 : 0;

  message_id = _heron_store_normalize_message_id (message->message_id);
  if (conversation == 0)
    {
      conversation = _heron_store_thread_ids (self, message_id, message->in_reply_to, message->references, error);
      if (conversation == 0)
        return -1;
    }

  date = _heron_store_sort_date (message->internal_date, message->sent_date);
  id = _heron_store_row_key (self, date, error);
  if (id == 0)
    return -1;

  stmt = _heron_store_db_prepare (&self->db, insert_message_sql[!index_now && self->search_deferred][bulk],
                                  error);
  if (stmt == NULL)
    return -1;

  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  sqlite3_bind_int (stmt, 3, message->flags & HERON_STORE_FLAGS_ALL);
  _heron_store_bind_text (stmt, 4, message->keywords != NULL && *message->keywords != '\0' ? message->keywords : NULL);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) message->modseq);
  sqlite3_bind_int64 (stmt, 6, message->internal_date);
  sqlite3_bind_int64 (stmt, 7, message->sent_date);
  sqlite3_bind_int64 (stmt, 8, date);
  sqlite3_bind_int64 (stmt, 9, (sqlite3_int64) message->size);
  _heron_store_bind_text (stmt, 10, message->subject);
  _heron_store_bind_text (stmt, 11, message->from_name);
  _heron_store_bind_text (stmt, 12, message->from_address);
  _heron_store_bind_text (stmt, 13, message->sender);
  _heron_store_bind_text (stmt, 14, message->reply_to);
  _heron_store_bind_text (stmt, 15, message->to);
  _heron_store_bind_text (stmt, 16, message->cc);
  _heron_store_bind_text (stmt, 17, message->bcc);
  _heron_store_bind_text (stmt, 18, message_id);
  _heron_store_bind_text (stmt, 19, message->in_reply_to);
  _heron_store_bind_text (stmt, 20, message->references);
  _heron_store_bind_bytes (stmt, 21, message->body_structure);
  sqlite3_bind_int (stmt, 22, message->has_attachment ? 1 : 0);
  sqlite3_bind_int64 (stmt, 23, conversation);
  sqlite3_bind_int64 (stmt, 24, id);
  _heron_store_bind_text (stmt, 25, message->list_id);
  _heron_store_bind_text (stmt, 26, message->snippet != NULL && message->snippet[0] != '\0' ? message->snippet : NULL);

  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc != SQLITE_DONE)
    return -1;
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  if (index_now && !_heron_store_fts_insert (self, id, message, error))
    return -1;
  return id;
}

gint64
_heron_store_insert_message (HeronStore              *self,
                             gint64                   folder_id,
                             gint64                   uid,
                             const HeronStoreMessage *message,
                             gint64                   conversation,
                             GError                 **error)
{
  return insert_message (self, folder_id, uid, message, conversation, TRUE, FALSE, error);
}

/* 1 when @folder_id is a Sent folder (by its use or the setting), 0 when not, -1 on error. */
static gint64
sent_folder (HeronStore *self,
             gint64      folder_id,
             GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  gint64 sent;
  int rc;

  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT sent OR coalesce (special_use, 0) = 6 FROM folders WHERE id = ?",
                                  error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_ROW)
    sent = sqlite3_column_int64 (stmt, 0) != 0;
  else if (rc == SQLITE_DONE)
    sent = 0;
  else
    return -1;
  return sent;
}

/* The work of the insert triggers that skipped the bulk rows @ids (schema 11), for all of them. */
static gboolean
bulk_finish (HeronStore *self,
             GArray     *ids,
             GError    **error)
{
  g_autoptr (GString) json = g_string_sized_new (ids->len * 20 + 2);

  g_string_append_c (json, '[');
  for (guint i = 0; i < ids->len; i++)
    g_string_append_printf (json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", g_array_index (ids, gint64, i));
  g_string_append_c (json, ']');

  for (guint i = 0; _heron_store_bulk_statements[i] != NULL; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, _heron_store_bulk_statements[i], error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, json->str, (int) json->len, SQLITE_TRANSIENT);
      if (!_heron_store_db_run (&self->db, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* 1 when the row changed, 0 when it did not (or does not exist), -1 on error. */
static int
update_flags_row (HeronStore *self,
                  gint64      folder_id,
                  gint64      uid,
                  guint       flags,
                  const char *keywords,
                  guint64     modseq,
                  GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  stmt = _heron_store_db_prepare (&self->db,
                                  "UPDATE messages SET flags = ?3, keywords = ?4,"
                                  "  modseq = CASE WHEN ?5 > 0 THEN ?5 ELSE modseq END"
                                  " WHERE folder_id = ?1 AND uid = ?2"
                                  "   AND (flags IS NOT ?3 OR keywords IS NOT ?4 OR (?5 > 0 AND modseq IS NOT ?5))",
                                  error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  sqlite3_bind_int (stmt, 3, flags & HERON_STORE_FLAGS_ALL);
  _heron_store_bind_text (stmt, 4, keywords != NULL && *keywords != '\0' ? keywords : NULL);
  sqlite3_bind_int64 (stmt, 5, (sqlite3_int64) modseq);
  if (!_heron_store_db_run (&self->db, stmt, error))
    return -1;
  return sqlite3_changes (self->db.handle) > 0 ? 1 : 0;
}

/* The user's flag changes the server has not seen yet (the journal's pending ADD_FLAGS and
 * REMOVE_FLAGS, in order) go on top of the flags the server reported, so a sync that runs before
 * the replay does not undo them (docs/store.md, "Journal"). *out_keywords owns the result when
 * it differs from @keywords. */
static char *edit_keywords (const char         *current,
                            const char * const *add,
                            const char * const *remove);

/* @pending: the journal's pending changes by UID (_heron_store_journal_pending_flags()). */
static void
apply_pending_flags (GHashTable  *pending,
                     gint64       uid,
                     guint       *flags,
                     const char **keywords,
                     char       **out_keywords)
{
  const HeronStorePendingFlags *change = pending != NULL ? g_hash_table_lookup (pending, &uid) : NULL;

  if (change == NULL)
    return;
  *flags = (*flags & ~change->clear) | change->set;
  for (guint i = 0; change->keyword_edits != NULL && i < change->keyword_edits->len; i++)
    {
      const HeronStoreKeywordEdit *edit = &g_array_index (change->keyword_edits, HeronStoreKeywordEdit, i);
      const char * const *words = (const char * const *) edit->words;
      char *edited = edit_keywords (*keywords, edit->add ? words : NULL, edit->add ? NULL : words);

      g_free (*out_keywords);
      *out_keywords = edited;
      *keywords = *out_keywords;
    }
}

gboolean
heron_store_upsert_messages (HeronStore                *self,
                             gint64                     folder_id,
                             HeronStoreMessage * const *messages,
                             guint                      n_messages,
                             GError                   **error)
{
  g_autoptr (GArray) new_rows = NULL;
  g_autoptr (GPtrArray) new_messages = NULL;
  g_autoptr (GHashTable) pending = NULL;
  gboolean bulk = self->bulk_insert && n_messages > 1;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (messages != NULL || n_messages == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_messages; i++)
    g_return_val_if_fail (messages[i] != NULL && messages[i]->uid > 0 && messages[i]->uid <= G_MAXUINT32, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  if (!folder_exists (self, folder_id, error))
    goto failed;
  if (bulk)
    {
      /* (a Sent folder's recipients are counted by their own trigger, kept per row) */
      gint64 sent = sent_folder (self, folder_id, error);

      if (sent < 0)
        goto failed;
      bulk = sent == 0;
    }

  /* The rows first, then their search entries: FTS5 writes out its pending index data whenever
   * another statement of the transaction opens a statement journal (an insert with triggers
   * does), so interleaving the two halves the insert rate. */
  new_rows = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n_messages);
  new_messages = g_ptr_array_sized_new (n_messages);
  for (guint i = 0; i < n_messages; i++)
    {
      const HeronStoreMessage *message = messages[i];
      gint64 id = insert_message (self, folder_id, message->uid, message, 0, FALSE, bulk, error);

      if (id < 0)
        goto failed;
      if (id > 0)
        {
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_ADDED, folder_id, message->uid);
          g_array_append_val (new_rows, id);
          g_ptr_array_add (new_messages, (gpointer) message);
        }
      else
        {
          g_autofree char *edited = NULL;
          const char *keywords = message->keywords;
          guint flags = message->flags;
          int changed;

          if (pending == NULL)
            {
              pending = _heron_store_journal_pending_flags (self, folder_id, error);
              if (pending == NULL)
                goto failed;
            }
          apply_pending_flags (pending, message->uid, &flags, &keywords, &edited);
          changed = update_flags_row (self, folder_id, message->uid, flags, keywords, message->modseq, error);

          if (changed < 0)
            goto failed;
          if (changed > 0)
            _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, message->uid);
          if (_heron_store_set_snippet (self, folder_id, message->uid, message->snippet, error) < 0)
            goto failed;
        }
    }
  if (bulk && new_rows->len > 0 && !bulk_finish (self, new_rows, error))
    goto failed;
  for (guint i = 0; i < new_rows->len && !self->search_deferred; i++)
    if (!_heron_store_fts_insert (self, g_array_index (new_rows, gint64, i), new_messages->pdata[i], error))
      goto failed;

  _heron_store_note_folder (self, folder_id);
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_update_flags (HeronStore                 *self,
                          gint64                      folder_id,
                          const HeronStoreFlagUpdate *updates,
                          guint                       n_updates,
                          GError                    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_autoptr (GHashTable) pending = NULL;

  g_return_val_if_fail (updates != NULL || n_updates == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  pending = _heron_store_journal_pending_flags (self, folder_id, error);
  if (pending == NULL)
    {
      _heron_store_rollback (self);
      return FALSE;
    }

  for (guint i = 0; i < n_updates; i++)
    {
      g_autofree char *edited = NULL;
      const char *keywords = updates[i].keywords;
      guint flags = updates[i].flags;
      int changed;

      apply_pending_flags (pending, updates[i].uid, &flags, &keywords, &edited);
      changed = update_flags_row (self, folder_id, updates[i].uid, flags, keywords, updates[i].modseq, error);

      if (changed < 0)
        {
          _heron_store_rollback (self);
          return FALSE;
        }
      if (changed > 0)
        {
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, updates[i].uid);
          _heron_store_note_folder (self, folder_id);
        }
    }
  return _heron_store_commit (self, error);
}

/* ---- Keywords ---------------------------------------------------------------------------------- */

static gboolean
strv_contains_ascii_casefold (const char * const *strv,
                              const char         *word)
{
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    if (g_ascii_strcasecmp (strv[i], word) == 0)
      return TRUE;
  return FALSE;
}

/* @current with @add appended and @remove taken out; flag names compare without case
 * (RFC 9051 2.3.2). NULL when none is left. */
static char *
edit_keywords (const char         *current,
               const char * const *add,
               const char * const *remove)
{
  g_auto (GStrv) words = g_strsplit (current != NULL ? current : "", " ", -1);
  g_autoptr (GPtrArray) kept = g_ptr_array_new_null_terminated (8, NULL, TRUE);

  for (guint i = 0; words[i] != NULL; i++)
    if (*words[i] != '\0' &&
        !strv_contains_ascii_casefold (remove, words[i]) &&
        !strv_contains_ascii_casefold ((const char * const *) kept->pdata, words[i]))
      g_ptr_array_add (kept, words[i]);
  for (guint i = 0; add != NULL && add[i] != NULL; i++)
    if (*add[i] != '\0' && strchr (add[i], ' ') == NULL &&
        !strv_contains_ascii_casefold (remove, add[i]) &&
        !strv_contains_ascii_casefold ((const char * const *) kept->pdata, add[i]))
      g_ptr_array_add (kept, (gpointer) add[i]);

  return kept->len > 0 ? g_strjoinv (" ", (char **) kept->pdata) : NULL;
}

gboolean
_heron_store_change_flags_one (HeronStore         *self,
                               gint64              folder_id,
                               gint64              uid,
                               guint               add_flags,
                               guint               remove_flags,
                               const char * const *add_keywords,
                               const char * const *remove_keywords,
                               GError            **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *keywords = NULL;
  gboolean edit = (add_keywords != NULL && add_keywords[0] != NULL) ||
                  (remove_keywords != NULL && remove_keywords[0] != NULL);
  guint flags;
  int rc, changed;

  stmt = _heron_store_db_prepare (&self->db, "SELECT flags, keywords FROM messages WHERE folder_id = ? AND uid = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  rc = _heron_store_db_step (&self->db, stmt, error);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return FALSE;
  flags = (sqlite3_column_int (stmt, 0) | add_flags) & ~remove_flags;
  keywords = edit ? edit_keywords ((const char *) sqlite3_column_text (stmt, 1), add_keywords, remove_keywords)
                  : _heron_store_column_dup (stmt, 1);
  g_clear_pointer (&stmt, _heron_store_stmt_release);

  changed = update_flags_row (self, folder_id, uid, flags, keywords, 0, error);
  if (changed < 0)
    return FALSE;
  if (changed > 0)
    {
      _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_CHANGED, folder_id, uid);
      _heron_store_note_folder (self, folder_id);
    }
  return TRUE;
}

gboolean
heron_store_change_flags (HeronStore         *self,
                          gint64              folder_id,
                          const gint64       *uids,
                          guint               n_uids,
                          guint               add_flags,
                          guint               remove_flags,
                          const char * const *add_keywords,
                          const char * const *remove_keywords,
                          GError            **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uids != NULL || n_uids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < n_uids; i++)
    if (!_heron_store_change_flags_one (self, folder_id, uids[i], add_flags & HERON_STORE_FLAGS_ALL,
                                        remove_flags, add_keywords, remove_keywords, error))
      {
        _heron_store_rollback (self);
        return FALSE;
      }
  return _heron_store_commit (self, error);
}

/* ---- Removal ----------------------------------------------------------------------------------- */

gboolean
heron_store_remove_messages (HeronStore   *self,
                             gint64        folder_id,
                             const gint64 *uids,
                             guint         n_uids,
                             GError      **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (uids != NULL || n_uids == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_uids; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = _heron_store_db_prepare (&self->db, "DELETE FROM messages WHERE folder_id = ? AND uid = ?", error);

      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, uids[i]);
      if (!_heron_store_db_run (&self->db, stmt, error))
        goto failed;
      if (sqlite3_changes (self->db.handle) > 0)
        {
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, uids[i]);
          _heron_store_note_folder (self, folder_id);
          self->maybe_garbage = TRUE;
        }
    }
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
}

gboolean
heron_store_remove_uid_ranges (HeronStore               *self,
                               gint64                    folder_id,
                               const HeronStoreUidRange *ranges,
                               guint                     n_ranges,
                               GError                  **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (ranges != NULL || n_ranges == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_ranges; i++)
    g_return_val_if_fail (ranges[i].first <= ranges[i].last, FALSE);

  if (!_heron_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < n_ranges; i++)
    {
      g_autoptr (HeronStoreStmt) stmt = NULL;
      int rc;

      /* One range scan of the (folder_id, uid) index, however wide the range is */
      stmt = _heron_store_db_prepare (&self->db,
                                      "DELETE FROM messages WHERE folder_id = ? AND uid BETWEEN ? AND ? RETURNING uid",
                                      error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, folder_id);
      sqlite3_bind_int64 (stmt, 2, MAX (ranges[i].first, 1));
      sqlite3_bind_int64 (stmt, 3, ranges[i].last);
      while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
        {
          _heron_store_note_message (self, HERON_STORE_CHANGE_MESSAGES_REMOVED, folder_id, sqlite3_column_int64 (stmt, 0));
          _heron_store_note_folder (self, folder_id);
          self->maybe_garbage = TRUE;
        }
      if (rc != SQLITE_DONE)
        goto failed;
    }
  return _heron_store_commit (self, error);

failed:
  _heron_store_rollback (self);
  return FALSE;
}

/* ---- Lookups ----------------------------------------------------------------------------------- */

GArray *
heron_store_get_uids (HeronStore *self,
                      gint64      folder_id,
                      GError    **error)
{
  g_autoptr (GArray) uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _heron_store_db_prepare (&self->db, "SELECT uid FROM messages WHERE folder_id = ? AND uid > 0 ORDER BY uid", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    {
      guint32 uid = (guint32) sqlite3_column_int64 (stmt, 0);

      g_array_append_val (uids, uid);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&uids);
}

gboolean
heron_store_get_highest_uid (HeronStore *self,
                             gint64      folder_id,
                             guint32    *out_uid,
                             GError    **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;

  g_return_val_if_fail (HERON_IS_STORE (self), FALSE);
  g_return_val_if_fail (out_uid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = _heron_store_db_prepare (&self->db, "SELECT max (uid) FROM messages WHERE folder_id = ? AND uid > 0", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  if (_heron_store_db_step (&self->db, stmt, error) != SQLITE_ROW)
    return FALSE;
  *out_uid = (guint32) sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

HeronStoreMessage *
_heron_store_db_get_message (HeronStoreDb *db,
                             gint64        folder_id,
                             gint64        uid,
                             GError      **error)
{
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (db,
                                  "SELECT " HERON_STORE_MESSAGE_COLUMNS " FROM messages m"
                                  " WHERE m.folder_id = ? AND m.uid = ?",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, folder_id);
  sqlite3_bind_int64 (stmt, 2, uid);
  rc = _heron_store_db_step (db, stmt, error);
  if (rc == SQLITE_ROW)
    return _heron_store_message_from_stmt (stmt, 0);
  if (rc == SQLITE_DONE)
    g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_NOT_FOUND,
                 "No message %" G_GINT64_FORMAT " in folder %" G_GINT64_FORMAT " of the mail cache", uid, folder_id);
  return NULL;
}

HeronStoreMessage *
heron_store_get_message (HeronStore *self,
                         gint64      folder_id,
                         gint64      uid,
                         GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_message (&self->db, folder_id, uid, error);
}

GArray *
_heron_store_db_lookup_message_id (HeronStoreDb *db,
                                   const char   *message_id,
                                   GError      **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (HeronStoreMessageRef));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  g_autofree char *normal = _heron_store_normalize_message_id (message_id);
  int rc;

  if (normal == NULL)
    return g_steal_pointer (&refs);

  stmt = _heron_store_db_prepare (db, "SELECT folder_id, uid FROM messages WHERE message_id = ? ORDER BY folder_id, uid", error);
  if (stmt == NULL)
    return NULL;
  _heron_store_bind_text (stmt, 1, normal);
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    {
      HeronStoreMessageRef ref = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      g_array_append_val (refs, ref);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&refs);
}

GArray *
heron_store_lookup_message_id (HeronStore *self,
                               const char *message_id,
                               GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (message_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_lookup_message_id (&self->db, message_id, error);
}

GPtrArray *
_heron_store_db_get_conversation (HeronStoreDb *db,
                                  gint64        conversation_id,
                                  GError      **error)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_store_message_free);
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  stmt = _heron_store_db_prepare (db,
                                  "SELECT " HERON_STORE_ROW_COLUMNS " FROM messages m"
                                  " WHERE m.conversation_id = ? ORDER BY m.date, m.id",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, conversation_id);
  while ((rc = _heron_store_db_step (db, stmt, error)) == SQLITE_ROW)
    g_ptr_array_add (rows, _heron_store_row_from_stmt (stmt, 0));
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&rows);
}

GPtrArray *
heron_store_get_conversation (HeronStore *self,
                              gint64      conversation_id,
                              GError    **error)
{
  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return _heron_store_db_get_conversation (&self->db, conversation_id, error);
}

GArray *
heron_store_get_messages_needing_text (HeronStore *self,
                                       guint       limit,
                                       GError    **error)
{
  g_autoptr (GArray) refs = g_array_new (FALSE, FALSE, sizeof (HeronStoreMessageRef));
  g_autoptr (HeronStoreStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (HERON_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = _heron_store_db_prepare (&self->db,
                                  "SELECT folder_id, uid FROM messages WHERE body_local AND NOT text_indexed"
                                  " ORDER BY id DESC LIMIT ?",  /* newest first, as the list */
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit);
  while ((rc = _heron_store_db_step (&self->db, stmt, error)) == SQLITE_ROW)
    {
      HeronStoreMessageRef ref = { sqlite3_column_int64 (stmt, 0), sqlite3_column_int64 (stmt, 1) };

      g_array_append_val (refs, ref);
    }
  if (rc != SQLITE_DONE)
    return NULL;
  return g_steal_pointer (&refs);
}
