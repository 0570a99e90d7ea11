/* heron-store-schema.c: the schema of the cache and its numbered migrations
 *
 * PRAGMA user_version holds the number of the last step applied. Steps run in order, each in
 * its own transaction together with the new user_version, so a crash leaves the database at a
 * step boundary and the next open continues from there. A step is SQL and, where existing rows
 * must be filled in, a function; it may only use what exists at that step (never the code paths
 * that assume the latest schema). Never edit a released step: add one. docs/store.md lists them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-store-private.h"

typedef struct {
  int          version;
  const char  *name;
  const char  *sql;
  gboolean   (*fill) (HeronStore *self, GError **error);
} HeronStoreMigration;

/* 1: folders, messages, raw sources, and the triggers that keep counts and references. */
static const char schema_1[] =
  "CREATE TABLE meta ("
  "  key   TEXT PRIMARY KEY,"
  "  value"
  ") WITHOUT ROWID;"
  "INSERT INTO meta (key, value) VALUES ('created', CAST (strftime ('%s', 'now') AS INTEGER));"

  "CREATE TABLE folders ("
  "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  name          TEXT NOT NULL UNIQUE,"
  "  display_name  TEXT NOT NULL,"
  "  delimiter     TEXT,"
  "  attributes    INTEGER NOT NULL DEFAULT 0,"
  "  special_use   INTEGER NOT NULL DEFAULT 0,"
  "  subscribed    INTEGER NOT NULL DEFAULT 0,"
  "  uidvalidity   INTEGER NOT NULL DEFAULT 0,"
  "  uidnext       INTEGER NOT NULL DEFAULT 0,"
  "  highestmodseq INTEGER NOT NULL DEFAULT 0,"
  "  n_messages    INTEGER NOT NULL DEFAULT 0,"
  "  n_unread      INTEGER NOT NULL DEFAULT 0"
  ");"

  "CREATE TABLE sources ("
  "  id    INTEGER PRIMARY KEY,"
  "  hash  TEXT NOT NULL UNIQUE,"
  "  size  INTEGER NOT NULL,"
  "  refs  INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX sources_unreferenced ON sources (id) WHERE refs <= 0;"
  /* Small sources live here; large ones in files (heron-store-bodies.c) */
  "CREATE TABLE source_data ("
  "  source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,"
  "  data      BLOB NOT NULL"
  ");"

  "CREATE TABLE messages ("
  "  id              INTEGER PRIMARY KEY,"
  "  folder_id       INTEGER NOT NULL REFERENCES folders (id) ON DELETE CASCADE,"
  "  uid             INTEGER NOT NULL,"
  "  flags           INTEGER NOT NULL DEFAULT 0,"
  "  keywords        TEXT,"
  "  modseq          INTEGER NOT NULL DEFAULT 0,"
  "  internal_date   INTEGER NOT NULL DEFAULT 0,"
  "  sent_date       INTEGER NOT NULL DEFAULT 0,"
  "  date            INTEGER NOT NULL DEFAULT 0,"
  "  size            INTEGER NOT NULL DEFAULT 0,"
  "  subject         TEXT,"
  "  from_name       TEXT,"
  "  from_address    TEXT,"
  "  sender          TEXT,"
  "  reply_to        TEXT,"
  "  to_list         TEXT,"
  "  cc_list         TEXT,"
  "  bcc_list        TEXT,"
  "  message_id      TEXT,"
  "  in_reply_to     TEXT,"
  "  references_list TEXT,"
  "  body_structure  BLOB,"
  "  has_attachment  INTEGER NOT NULL DEFAULT 0,"
  "  body_local      INTEGER NOT NULL DEFAULT 0,"
  "  snippet         TEXT,"
  "  source_id       INTEGER REFERENCES sources (id),"
  "  UNIQUE (folder_id, uid)"
  ");"
  /* The message list: a window of a folder in date order, and a message's position in it. */
  "CREATE INDEX messages_by_date ON messages (folder_id, date DESC, uid DESC);"
  "CREATE INDEX messages_by_message_id ON messages (message_id) WHERE message_id IS NOT NULL;"
  /* For the foreign key check when a source row goes. */
  "CREATE INDEX messages_by_source ON messages (source_id) WHERE source_id IS NOT NULL;"

  /* Counts: a message is unread when neither \\Seen (1) nor \\Deleted (8) is set. */
  "CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages + 1,"
  "                     n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id;"
  "END;"
  "CREATE TRIGGER messages_count_delete AFTER DELETE ON messages BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1,"
  "                     n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id;"
  "END;"
  "CREATE TRIGGER messages_count_update AFTER UPDATE OF folder_id, flags ON messages"
  "  WHEN old.folder_id IS NOT new.folder_id OR ((old.flags & 9) = 0) IS NOT ((new.flags & 9) = 0) BEGIN"
  "  UPDATE folders SET n_messages = n_messages - 1,"
  "                     n_unread = n_unread - ((old.flags & 9) = 0)"
  "   WHERE id = old.folder_id;"
  "  UPDATE folders SET n_messages = n_messages + 1,"
  "                     n_unread = n_unread + ((new.flags & 9) = 0)"
  "   WHERE id = new.folder_id;"
  "END;"

  /* References to raw sources; the writer deletes unreferenced ones after the commit. */
  "CREATE TRIGGER messages_source_insert AFTER INSERT ON messages WHEN new.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER messages_source_delete AFTER DELETE ON messages WHEN old.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;"
  "CREATE TRIGGER messages_source_update AFTER UPDATE OF source_id ON messages"
  "  WHEN old.source_id IS NOT new.source_id BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;";

/* 2: conversations. thread_ids maps a 64-bit hash of every Message-ID seen (a message's own and
 * those it refers to) to its conversation (heron-store-threading.c). */
static const char schema_2[] =
  "CREATE TABLE conversations ("
  "  id    INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  n_ids INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE TABLE thread_ids ("
  "  hash            INTEGER PRIMARY KEY,"
  "  conversation_id INTEGER NOT NULL"
  ");"
  "CREATE INDEX thread_ids_by_conversation ON thread_ids (conversation_id);"
  "ALTER TABLE messages ADD COLUMN conversation_id INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_by_conversation ON messages (conversation_id);";

/* 3: the full-text index. It keeps its own copy of the text (a regular FTS5 table): rows are
 * deleted by rowid without having to present the old text again. Its rowid is the message row's
 * id, and from this step on that id is date-ordered (_heron_store_row_key()), so that the index
 * itself returns the newest hits first (docs/store.md, "Search"). fill_search re-keys older
 * rows and indexes them. */
static const char schema_3[] =
  "CREATE VIRTUAL TABLE message_fts USING fts5 ("
  "  sender, recipients, subject, body,"
  "  tokenize = 'unicode61 remove_diacritics 2'"
  ");"
  "ALTER TABLE messages ADD COLUMN text_indexed INTEGER NOT NULL DEFAULT 0;"
  "CREATE INDEX messages_text_missing ON messages (id) WHERE body_local AND NOT text_indexed;"
  "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
  "  DELETE FROM message_fts WHERE rowid = old.id;"
  "END;";

/* 4: the journal of offline operations, and what the server answered for local UIDs. */
static const char schema_4[] =
  "CREATE TABLE journal ("
  "  seq       INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  kind      INTEGER NOT NULL,"
  "  args      BLOB NOT NULL,"
  "  state     INTEGER NOT NULL DEFAULT 0,"
  "  attempts  INTEGER NOT NULL DEFAULT 0,"
  "  error     TEXT,"
  "  created   INTEGER NOT NULL,"
  "  source_id INTEGER REFERENCES sources (id)"
  ");"
  "CREATE INDEX journal_by_source ON journal (source_id) WHERE source_id IS NOT NULL;"
  "CREATE TRIGGER journal_source_insert AFTER INSERT ON journal WHEN new.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER journal_source_delete AFTER DELETE ON journal WHEN old.source_id IS NOT NULL BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;"
  /* Local messages are found by their local UID alone when the server's answer maps them */
  "CREATE INDEX messages_local ON messages (uid) WHERE uid < 0;"
  "CREATE TABLE uid_map ("
  "  local_uid INTEGER PRIMARY KEY,"
  "  folder_id INTEGER NOT NULL,"
  "  uid       INTEGER NOT NULL"
  ");"
  "INSERT INTO meta (key, value) VALUES ('next-local-uid', -1);";

/* 5: what the server says of a folder (STATUS MESSAGES and UNSEEN, -1 while unknown), so the
 * sidebar can count folders that are not synced; the List-Id of a message. */
static const char schema_5[] =
  "ALTER TABLE folders ADD COLUMN server_messages INTEGER NOT NULL DEFAULT -1;"
  "ALTER TABLE folders ADD COLUMN server_unseen   INTEGER NOT NULL DEFAULT -1;"
  "ALTER TABLE messages ADD COLUMN list_id TEXT;";

/* 6: the outbox: messages waiting to be sent, with their envelope and raw source
 * (heron-store-outbox.c; docs/smtp.md, "Outbox"). */
static const char schema_6[] =
  "CREATE TABLE outbox ("
  "  id           INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  message_id   TEXT NOT NULL,"
  "  sender       TEXT NOT NULL,"
  "  recipients   TEXT NOT NULL,"
  "  subject      TEXT,"
  "  state        INTEGER NOT NULL DEFAULT 0,"
  "  attempts     INTEGER NOT NULL DEFAULT 0,"
  "  error        TEXT,"
  "  next_attempt INTEGER NOT NULL DEFAULT 0,"
  "  created      INTEGER NOT NULL,"
  "  source_id    INTEGER NOT NULL REFERENCES sources (id)"
  ");"
  "CREATE INDEX outbox_by_source ON outbox (source_id);"
  "CREATE TRIGGER outbox_source_insert AFTER INSERT ON outbox BEGIN"
  "  UPDATE sources SET refs = refs + 1 WHERE id = new.source_id;"
  "END;"
  "CREATE TRIGGER outbox_source_delete AFTER DELETE ON outbox BEGIN"
  "  UPDATE sources SET refs = refs - 1 WHERE id = old.source_id;"
  "END;";

/* 7: the addresses of senders, for completion (heron-store-addresses.c): one row per address
 * (without ASCII case), the name it last came with, how many cached messages carry it and the
 * newest one's date, kept by triggers as messages come and go; filled from the cached ones. */
static const char schema_7[] =
  "CREATE TABLE addresses ("
  "  address   TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,"
  "  name      TEXT NOT NULL DEFAULT '',"
  "  count     INTEGER NOT NULL DEFAULT 0,"
  "  last_date INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;"
  "CREATE INDEX addresses_by_name ON addresses (name COLLATE NOCASE);"
  /* the name of the newest message that has one (a bare column next to max() is that of the
   * row with the maximum in SQLite) */
  "INSERT INTO addresses (address, name, count, last_date)"
  "  SELECT a.address, coalesce (n.name, ''), a.n, a.last_date"
  "    FROM (SELECT from_address AS address, count(*) AS n, max (coalesce (date, 0)) AS last_date"
  "            FROM messages"
  "           WHERE from_address IS NOT NULL AND from_address != ''"
  "           GROUP BY from_address COLLATE NOCASE) AS a"
  "    LEFT JOIN (SELECT from_address AS address, from_name AS name, max (coalesce (date, 0))"
  "                 FROM messages"
  "                WHERE from_address IS NOT NULL AND from_address != ''"
  "                  AND from_name IS NOT NULL AND from_name != ''"
  "                GROUP BY from_address COLLATE NOCASE) AS n"
  "      ON n.address = a.address COLLATE NOCASE;"
  "CREATE TRIGGER addresses_insert AFTER INSERT ON messages"
  "  WHEN new.from_address IS NOT NULL AND new.from_address != '' BEGIN"
  "  INSERT INTO addresses (address, name, count, last_date)"
  "    VALUES (new.from_address, coalesce (new.from_name, ''), 1, coalesce (new.date, 0))"
  "    ON CONFLICT (address) DO UPDATE SET"
  "      count = count + 1,"
  "      name = CASE WHEN excluded.name != '' AND (excluded.last_date >= last_date OR name = '')"
  "                  THEN excluded.name ELSE name END,"
  "      last_date = max (last_date, excluded.last_date);"
  "END;"
  "CREATE TRIGGER addresses_delete AFTER DELETE ON messages"
  "  WHEN old.from_address IS NOT NULL AND old.from_address != '' BEGIN"
  "  UPDATE addresses SET count = count - 1 WHERE address = old.from_address;"
  "  DELETE FROM addresses WHERE address = old.from_address AND count <= 0;"
  "END;";

/* Messages that arrived before step 2 get their conversations in arrival order. */
static gboolean
fill_conversations (HeronStore *self,
                    GError    **error)
{
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  /* Not a cached statement: migrations run once */
  rc = sqlite3_prepare_v2 (self->db.handle,
                           "SELECT id, message_id, in_reply_to, references_list FROM messages ORDER BY id",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (rows, id);
      for (int i = 1; i <= 3; i++)
        g_ptr_array_add (texts, _heron_store_column_dup (stmt, i));
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < rows->len; i++)
    if (!_heron_store_thread_message (self, g_array_index (rows, gint64, i),
                                      texts->pdata[3 * i], texts->pdata[3 * i + 1],
                                      texts->pdata[3 * i + 2], error))
      return FALSE;
  return TRUE;
}

/* Rows written before step 3 get date-ordered ids and their search entries. */
static gboolean
fill_search (HeronStore *self,
             GError    **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) dates = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  rc = sqlite3_prepare_v2 (self->db.handle, "SELECT id, date FROM messages ORDER BY id", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0), date = sqlite3_column_int64 (stmt, 1);

      g_array_append_val (ids, id);
      g_array_append_val (dates, date);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      _heron_store_db_set_error (&self->db, rc, error);
      return FALSE;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 key = _heron_store_row_key (self, g_array_index (dates, gint64, i), error);
      g_autoptr (HeronStoreStmt) rekey = NULL;

      if (key == 0)
        return FALSE;
      rekey = _heron_store_db_prepare (&self->db, "UPDATE messages SET id = ? WHERE id = ?", error);
      if (rekey == NULL)
        return FALSE;
      sqlite3_bind_int64 (rekey, 1, key);
      sqlite3_bind_int64 (rekey, 2, g_array_index (ids, gint64, i));
      if (!_heron_store_db_run (&self->db, rekey, error))
        return FALSE;
    }

  return _heron_store_db_exec (&self->db,
                               "INSERT INTO message_fts (rowid, sender, recipients, subject)"
                               "  SELECT id,"
                               "         coalesce (from_name, '') || ' ' || coalesce (from_address, '') || ' ' ||"
                               "         coalesce (sender, '') || ' ' || coalesce (reply_to, ''),"
                               "         coalesce (to_list, '') || ' ' || coalesce (cc_list, '') || ' ' || coalesce (bcc_list, ''),"
                               "         coalesce (subject, '')"
                               "    FROM messages",
                               error);
}

static const HeronStoreMigration migrations[] = {
  { 1, "folders, messages and raw sources", schema_1, NULL },
  { 2, "conversations", schema_2, fill_conversations },
  { 3, "full-text index", schema_3, fill_search },
  { 4, "journal of offline operations", schema_4, NULL },
  { 5, "server counts of folders, List-Id", schema_5, NULL },
  { 6, "outbox", schema_6, NULL },
  { 7, "addresses for completion", schema_7, NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == HERON_STORE_SCHEMA_VERSION);

gboolean
_heron_store_schema_migrate (HeronStore *self,
                             int         target,
                             GError    **error)
{
  gint64 version;

  g_assert (target >= 0 && target <= HERON_STORE_SCHEMA_VERSION);

  version = _heron_store_db_query_int (&self->db, "PRAGMA user_version", -1, error);
  if (version < 0)
    return FALSE;
  if (version > HERON_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, HERON_STORE_ERROR, HERON_STORE_ERROR_TOO_NEW,
                   "The mail cache %s was written by a newer version of Heron (schema %" G_GINT64_FORMAT
                   ", this version knows %d); use that version, or delete the cache to fetch the mail again",
                   self->db.path, version, HERON_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      const HeronStoreMigration *step = &migrations[i];
      g_autofree char *set_version = NULL;

      g_assert (step->version == (int) i + 1);
      if (step->version <= version || step->version > target)
        continue;

      g_debug ("Migrating %s to schema %d (%s)", self->db.path, step->version, step->name);
      set_version = g_strdup_printf ("PRAGMA user_version = %d", step->version);
      if (!_heron_store_begin (self, error))
        return FALSE;
      if (!_heron_store_db_exec (&self->db, step->sql, error) ||
          (step->fill != NULL && !step->fill (self, error)) ||
          !_heron_store_db_exec (&self->db, set_version, error))
        {
          _heron_store_rollback (self);
          g_prefix_error (error, "Upgrading to schema %d: ", step->version);
          return FALSE;
        }
      if (!_heron_store_commit (self, error))
        return FALSE;
    }

  return TRUE;
}
